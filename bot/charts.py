"""Charts as PNG images, drawn with matplotlib's Agg backend, and shared in Slack with words beside them.

Every chart is drawn from a `Chart` (what it shows, as data) so the same chart can be tested without
pixels: its alt text, which Slack reads to a screen reader, says the same figures in words. Figures are
built on `matplotlib.figure.Figure` with an Agg canvas, never `pyplot`: no global state, so listeners
and jobs may draw at the same time on different threads.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

# Slack refuses an image description over this many characters (files.getUploadURLExternal's alt_txt).
ALT_TEXT_LIMIT = 1000
# Size in inches at this many dots per inch: 1000 x 500 pixels, sharp in a Slack message and small to send.
WIDTH, HEIGHT, DPI = 8.0, 4.0, 125
# A palette that stays apart for the colour-blind (Okabe and Ito's), in the order series are given.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
MAX_SERIES = len(PALETTE)


@dataclass(frozen=True)
class Series:
    """One line or one set of bars: a value for each of the chart's labels, None where there is no figure."""

    label: str
    values: Sequence[float | None]


@dataclass(frozen=True)
class Chart:
    """What a chart shows. `labels` name the x positions (weeks, months, communities), oldest or first first."""

    title: str
    labels: Sequence[str]
    series: Sequence[Series]
    kind: Literal["line", "bar"] = "line"
    unit: str = ""  # said after each figure in the alt text and on the y axis: "members", "points"
    y_max: float | None = None  # a fixed top (100 for a score); otherwise from the data
    target: float | None = None  # a dashed line across, for a KPI's target
    target_label: str = "target"
    notes: Sequence[str] = field(default_factory=tuple)  # said in the alt text after the figures

    def __post_init__(self) -> None:
        if not self.series:
            raise ValueError("a chart needs at least one series")
        if len(self.series) > MAX_SERIES:
            raise ValueError(f"a chart shows at most {MAX_SERIES} series")
        for series in self.series:
            if len(series.values) != len(self.labels):
                raise ValueError(f"series {series.label!r} has {len(series.values)} values "
                                 f"for {len(self.labels)} labels")

    def to_dict(self) -> dict[str, Any]:
        """The chart as JSON-able data, for the outbox to draw and share it later (`from_dict`)."""
        return {"title": self.title, "labels": list(self.labels), "kind": self.kind, "unit": self.unit,
                "y_max": self.y_max, "target": self.target, "target_label": self.target_label,
                "notes": list(self.notes), "series": [{"label": s.label, "values": list(s.values)}
                                                      for s in self.series]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Chart:
        return cls(title=data["title"], labels=tuple(data["labels"]), kind=data["kind"], unit=data["unit"],
                   y_max=data["y_max"], target=data["target"], target_label=data["target_label"],
                   notes=tuple(data["notes"]),
                   series=tuple(Series(s["label"], tuple(s["values"])) for s in data["series"]))

    @property
    def empty(self) -> bool:
        return not self.labels or all(v is None for s in self.series for v in s.values)

    def alt_text(self) -> str:
        """The chart in words, within Slack's limit: its title, its span, and each series' first and last
        figures with its highest, so someone who cannot see the image learns what it shows."""
        span = f"{self.labels[0]} to {self.labels[-1]}" if len(self.labels) > 1 else "".join(self.labels)
        kind = "Line chart" if self.kind == "line" else "Bar chart"
        parts = [f"{kind}: {self.title}" + (f", {span}" if span else "") + "."]
        unit = f" {self.unit}" if self.unit else ""
        for series in self.series:
            known = [(label, v) for label, v in zip(self.labels, series.values, strict=True) if v is not None]
            if not known:
                parts.append(f"{series.label}: no figures.")
                continue
            if self.kind == "bar" and len(known) <= 12:
                listed = ", ".join(f"{label} {_figure(v)}" for label, v in known)
                parts.append(f"{series.label}{unit and f' ({unit.strip()})'}: {listed}.")
                continue
            (first_label, first), (last_label, last) = known[0], known[-1]
            top_label, top = max(known, key=lambda pair: pair[1])
            parts.append(f"{series.label}: {_figure(first)}{unit} in {first_label}, {_figure(last)}{unit} in "
                         f"{last_label}, highest {_figure(top)}{unit} in {top_label}.")
        if self.target is not None:
            parts.append(f"{self.target_label.capitalize()}: {_figure(self.target)}{unit}.")
        parts.extend(self.notes)
        text = " ".join(parts)
        return text if len(text) <= ALT_TEXT_LIMIT else text[: ALT_TEXT_LIMIT - 1] + "…"


def _figure(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def render_png(chart: Chart) -> bytes:
    """The chart as PNG bytes. A chart with no figure at all says so on its face rather than drawing empty axes."""
    # Imported here: matplotlib takes about half a second of CPU to import, and a process that never draws a
    # chart (a `copbot tick`, a work process) should not pay it.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_title(chart.title, loc="left", fontsize=12)
    if chart.empty:
        axes.text(0.5, 0.5, "No figures yet", ha="center", va="center", fontsize=14, color="#666666",
                  transform=axes.transAxes)
        axes.set_axis_off()
    else:
        _draw(axes, chart)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def _draw(axes, chart: Chart) -> None:
    positions = list(range(len(chart.labels)))
    if chart.kind == "bar":
        width = 0.8 / len(chart.series)
        for index, series in enumerate(chart.series):
            offset = (index - (len(chart.series) - 1) / 2) * width
            axes.bar([p + offset for p in positions], [0 if v is None else v for v in series.values], width,
                     label=series.label, color=PALETTE[index])
    else:
        for index, series in enumerate(chart.series):
            # A missing figure breaks the line instead of pretending it was zero.
            values = [float("nan") if v is None else v for v in series.values]
            axes.plot(positions, values, marker="o" if len(positions) <= 16 else None, markersize=3,
                      linewidth=2, label=series.label, color=PALETTE[index])
    if chart.target is not None:
        axes.axhline(chart.target, linestyle="--", linewidth=1, color="#555555", label=chart.target_label)
    # At most about a dozen labels on the axis, evenly spread, whatever the number of points.
    step = max(1, (len(positions) + 11) // 12)
    axes.set_xticks(positions[::step], [chart.labels[p] for p in positions[::step]],
                    rotation=30 if max(len(label) for label in chart.labels) > 6 else 0, ha="right", fontsize=8)
    if chart.y_max is not None:
        axes.set_ylim(0, chart.y_max)
    else:
        axes.set_ylim(bottom=0)
    if chart.unit:
        axes.set_ylabel(chart.unit)
    axes.grid(axis="y", alpha=0.3)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    if len(chart.series) > 1 or chart.target is not None:
        axes.legend(loc="upper left", fontsize=8, frameon=False)

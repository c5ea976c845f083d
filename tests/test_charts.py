"""Charts: a PNG of the promised size, alt text that says the figures in words, and sharing with it."""

from __future__ import annotations

import struct

import pytest
from slack_sdk import WebClient

from bot.charts import ALT_TEXT_LIMIT, DPI, HEIGHT, MAX_SERIES, WIDTH, Chart, Series, render_png
from bot.files import share_chart
from bot.sandbox.slack_emulator import SlackEmulator

MONTHS = ["Jan", "Feb", "Mar", "Apr"]


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def test_a_line_chart_is_a_png_of_the_promised_size() -> None:
    chart = Chart(title="Members", labels=MONTHS, series=[Series("members", [80, 120, None, 260])], unit="members")
    assert _png_size(render_png(chart)) == (int(WIDTH * DPI), int(HEIGHT * DPI))


def test_bars_targets_and_an_empty_chart_all_draw() -> None:
    bars = Chart(title="KPIs", labels=["meetings", "kudos"], kind="bar",
                 series=[Series("value", [3, 10]), Series("target", [12, 40])])
    empty = Chart(title="Health", labels=MONTHS, series=[Series("health", [None] * 4)], y_max=100, target=60)
    for chart in (bars, empty):
        assert _png_size(render_png(chart))[0] == int(WIDTH * DPI)
    assert empty.empty and not bars.empty


def test_alt_text_says_the_figures() -> None:
    chart = Chart(title="Members of Data", labels=MONTHS, unit="members",
                  series=[Series("members", [80, 300, None, 260]), Series("active", [None] * 4)],
                  target=250, notes=["Two joined this week."])
    text = chart.alt_text()
    assert text.startswith("Line chart: Members of Data, Jan to Apr.")
    assert "members: 80 members in Jan, 260 members in Apr, highest 300 members in Feb." in text
    assert "active: no figures." in text
    assert "Target: 250 members." in text and text.endswith("Two joined this week.")


def test_alt_text_of_bars_lists_each_and_stays_within_slacks_limit() -> None:
    bars = Chart(title="KPIs", labels=["meetings", "kudos"], kind="bar", series=[Series("value", [3, 10.5])])
    assert "value: meetings 3, kudos 10.5." in bars.alt_text()
    long = Chart(title="x" * 2000, labels=MONTHS, series=[Series("s", [1, 2, 3, 4])])
    assert len(long.alt_text()) == ALT_TEXT_LIMIT and long.alt_text().endswith("…")


def test_a_chart_that_does_not_add_up_is_refused() -> None:
    with pytest.raises(ValueError, match="3 values for 4 labels"):
        Chart(title="t", labels=MONTHS, series=[Series("s", [1, 2, 3])])
    with pytest.raises(ValueError, match="at least one series"):
        Chart(title="t", labels=MONTHS, series=[])
    with pytest.raises(ValueError, match=f"at most {MAX_SERIES}"):
        Chart(title="t", labels=MONTHS, series=[Series(str(i), [1, 2, 3, 4]) for i in range(MAX_SERIES + 1)])


def test_share_chart_uploads_the_png_with_its_alt_text(slack: SlackEmulator) -> None:
    client = WebClient(token="xoxb-test", base_url=slack.base_url)
    chart = Chart(title="Health of Data", labels=MONTHS, series=[Series("health", [50, 60, 70, 65])], y_max=100)
    file_id = share_chart(client, chart=chart, filename="health", comment="Here it is.", user_id="UALICE")
    shared = slack.files[file_id]
    assert shared.filename == "health.png" and shared.title == "Health of Data"
    assert shared.alt_txt == chart.alt_text() and shared.content == render_png(chart)
    assert shared.channel is not None and shared.initial_comment == "Here it is."

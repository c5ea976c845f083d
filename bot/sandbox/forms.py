"""Forms in the sandbox: a modal copbot opened, filled in a field at a time and submitted as Slack submits it.

Slack keeps what a person typed in a modal as `view.state.values`, by block and action id, one entry per
input: `value` for text and number inputs, `selected_option` for a select. A field left alone is sent
with its initial value, as Slack sends it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class FormError(ValueError):
    """A field that isn't there, or a choice the field does not offer; the message says what is."""


def _text(obj: Any) -> str:
    return str(obj.get("text", "")) if isinstance(obj, Mapping) else ""


def _options(element: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return options


@dataclass
class Form:
    """One open modal: the view as copbot opened it, and what has been typed into it so far."""

    view: Mapping[str, Any]
    typed: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return _text(self.view.get("title")) or "a form"

    @property
    def submit_label(self) -> str:
        return _text(self.view.get("submit")) or "Submit"

    def inputs(self) -> list[Mapping[str, Any]]:
        return [b for b in self.view.get("blocks") or [] if isinstance(b, Mapping) and b.get("type") == "input"]

    def field_named(self, name: str) -> Mapping[str, Any]:
        """The input whose label starts with `name` (case aside), or whose block id it is."""
        wanted = name.strip().lower()
        for block in self.inputs():
            if wanted and (_text(block.get("label")).lower().startswith(wanted) or block.get("block_id") == name):
                return block
        labels = ", ".join(f"“{_text(b.get('label'))}”" for b in self.inputs())
        raise FormError(f"“{self.title}” has no field “{name.strip()}”; its fields: {labels}.")

    def fill(self, name: str, value: str) -> str:
        """Type `value` into a field (or choose it, in a select); returns the field's label."""
        block = self.field_named(name)
        element = block.get("element") or {}
        if _options(element) and value.strip():
            self._option(element, value)  # refuses a choice the select does not offer
        self.typed[str(block.get("block_id"))] = value.strip()
        return _text(block.get("label"))

    def _option(self, element: Mapping[str, Any], value: str) -> Mapping[str, Any]:
        wanted = value.strip().lower()
        for option in _options(element):
            if wanted in (_text(option.get("text")).lower(), str(option.get("value", "")).lower()):
                return option
        for option in _options(element):
            if _text(option.get("text")).lower().startswith(wanted):
                return option
        choices = ", ".join(f"“{_text(o.get('text'))}”" for o in _options(element))
        raise FormError(f"“{value.strip()}” is not one of the choices: {choices}.")

    def shown_value(self, block: Mapping[str, Any]) -> str:
        """What the field holds now, as the person sees it."""
        element = block.get("element") or {}
        typed = self.typed.get(str(block.get("block_id")))
        if _options(element):
            if typed:
                return _text(self._option(element, typed).get("text"))
            return "" if typed == "" else _text((element.get("initial_option") or {}).get("text"))
        return typed if typed is not None else str(element.get("initial_value") or "")

    def state_values(self) -> dict[str, dict[str, Any]]:
        """`view.state.values` as Slack sends it on submission."""
        values: dict[str, dict[str, Any]] = {}
        for block in self.inputs():
            element = block.get("element") or {}
            kind = str(element.get("type", "plain_text_input"))
            typed = self.typed.get(str(block.get("block_id")))
            entry: dict[str, Any] = {"type": kind}
            if _options(element):
                if typed:
                    entry["selected_option"] = dict(self._option(element, typed))
                elif typed is None and element.get("initial_option"):
                    entry["selected_option"] = dict(element["initial_option"])
                else:
                    entry["selected_option"] = None
            else:
                text = typed if typed is not None else element.get("initial_value")
                entry["value"] = text or None
            values[str(block.get("block_id"))] = {str(element.get("action_id", "")): entry}
        return values

    def describe(self) -> list[str]:
        """The form as lines: each field with what it holds, its choices and its hint."""
        lines = []
        for block in self.inputs():
            element = block.get("element") or {}
            label = _text(block.get("label")) + ("" if not block.get("optional") else " (optional)")
            shown = self.shown_value(block)
            if not shown:
                example = _text(element.get("placeholder"))
                shown = f"(empty; e.g. {example})" if example else "(empty)"
            lines.append(f"{label}: {shown}")
            if _options(element):
                lines.append("    choices: " + ", ".join(_text(o.get("text")) for o in _options(element)))
            if block.get("hint"):
                lines.append(f"    {_text(block.get('hint'))}")
        return lines

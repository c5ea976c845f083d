"""Hold Web API calls and app manifests against the facts extracted from Slack's published specs."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

FACTS_FILE = Path(__file__).resolve().parent / "slack_facts.json"


@functools.cache
def load_facts() -> dict[str, Any]:
    """Read slack_facts.json once; callers must not mutate the result."""
    return json.loads(FACTS_FILE.read_text(encoding="utf-8"))


def _given(value: Any) -> bool:
    """Whether an argument value counts as given: Slack treats empty text or blocks as absent."""
    return value is not None and value != "" and value != [] and value != {}


def _header(headers: Mapping[str, Any], name: str) -> str | None:
    # HTTP header names are case-insensitive, and urllib re-capitalises them ("Content-type").
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return str(value)
    return None


def check_call(method: str, args: Mapping[str, Any], headers: Mapping[str, Any]) -> list[str]:
    """Return the ways a Web API call breaks Slack's published spec (empty when it is fine)."""
    facts = load_facts()
    spec = facts["methods"].get(method) or facts["absent_methods_allowed"].get(method)
    if spec is None:
        return [
            f"{method}: not in Slack's published spec; run `make spec` after updating ../shared/slack "
            "if Slack added it, or justify it in ABSENT_METHODS_ALLOWED of tests/slack_spec/extract.py"
        ]

    violations: list[str] = []
    known = set(spec["args"]) | set(facts.get("universal_args", {}))
    for name in sorted(args):
        if name == "token":
            violations.append(
                f"{method}: the token is passed as an argument; send it as the `Authorization: Bearer` header"
            )
        elif name not in known:
            violations.append(
                f"{method}: unknown argument `{name}` (the spec knows: {', '.join(sorted(known))})"
            )

    requirements = [[name] for name in spec["required"]]
    requirements += facts["extra_required"].get(method, [])
    seen: set[tuple[str, ...]] = set()
    for alternatives in requirements:
        key = tuple(alternatives)
        if key in seen:
            continue
        seen.add(key)
        if not any(_given(args.get(name)) for name in alternatives):
            wanted = " or ".join(f"`{name}`" for name in alternatives)
            violations.append(f"{method}: missing required argument {wanted}")

    if spec.get("takes_token", True):
        authorization = _header(headers, "Authorization")
        if authorization is None:
            violations.append(f"{method}: no `Authorization: Bearer <token>` header")
        elif not authorization.startswith("Bearer ") or not authorization[len("Bearer ") :].strip():
            violations.append(f"{method}: the Authorization header is not `Bearer <token>`")
    return violations


@functools.cache
def _manifest_validator() -> Any:
    import jsonschema

    schema = load_facts()["manifest_schema"]
    return jsonschema.validators.validator_for(schema)(schema)


def check_manifest(manifest: Mapping[str, Any]) -> list[str]:
    """Return every way an app manifest breaks Slack's manifest schema, each with its path."""
    errors = sorted(_manifest_validator().iter_errors(manifest), key=lambda error: list(map(str, error.path)))
    messages = []
    for error in errors:
        path = "/".join(str(part) for part in error.path) or "(root)"
        messages.append(f"{path}: {error.message}")
    return messages

"""Extract the Slack facts the tests check calls and manifests against into slack_facts.json.

Run with `make spec` (or `python tests/slack_spec/extract.py [--shared PATH]`). The tests only read the
generated file, so they never depend on the published specs being present at run time.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
DEFAULT_SHARED = REPO_ROOT.parent / "shared" / "slack"
DEFAULT_OUT = HERE / "slack_facts.json"

WEB_API_FILE = Path("web-api") / "slack_web_openapi_v2_without_examples.json"
MANIFEST_SCHEMA_FILE = Path("manifest") / "manifest.schema.1.0.0.json"
MANIFEST_EXAMPLE_FILE = Path("manifest") / "example.valid.json"

# The 2020 Web API spec marks few arguments `required`; Slack still rejects calls without these.
# Each method maps to a list of requirements that must all hold; a requirement is a list of
# alternatives of which at least one must be given. {"chat.postMessage": [["channel"], ["text", "blocks"]]}
# reads: channel is required AND (text or blocks) is required.
EXTRA_REQUIRED: dict[str, list[list[str]]] = {
    "chat.postMessage": [["channel"], ["text", "blocks"]],
    "chat.postEphemeral": [["channel"], ["user"], ["text", "blocks"]],
    "chat.update": [["channel"], ["ts"]],
    "chat.getPermalink": [["channel"], ["message_ts"]],
    "views.publish": [["user_id"], ["view"]],
    "views.open": [["trigger_id"], ["view"]],
    "views.update": [["view"], ["view_id", "external_id"]],
    "conversations.info": [["channel"]],
    "conversations.open": [["users", "channel"]],
    "conversations.join": [["channel"]],
    "conversations.members": [["channel"]],
    "users.info": [["user"]],
}

# Methods the bot may call although the 2020 spec lacks them, each with why it is allowed.
ABSENT_METHODS_ALLOWED: dict[str, dict[str, Any]] = {
    "apps.connections.open": {
        "why": "Socket Mode, added to Slack after the 2020 spec; it takes no argument, only the "
        "app-level token (xapp-...) in the Authorization header.",
        "args": [],
        "required": [],
        "takes_token": True,
    },
    "files.getUploadURLExternal": {
        "why": "The first step of uploading a file since files.upload was retired (2024-2025), after the 2020 "
        "spec; the bytes then go to the upload_url it answers, and files.completeUploadExternal shares them.",
        "args": ["filename", "length", "alt_txt", "snippet_type"],
        "required": ["filename", "length"],
        "takes_token": True,
    },
    "files.completeUploadExternal": {
        "why": "The last step of uploading a file (see files.getUploadURLExternal): shares the uploaded files.",
        "args": ["files", "channel_id", "channels", "initial_comment", "thread_ts", "blocks"],
        "required": ["files"],
        "takes_token": True,
    },
}

# Arguments Slack added to a method after the 2020 spec, each with why copbot sends it.
ARGS_ADDED_SINCE: dict[str, dict[str, str]] = {
    "chat.postMessage": {
        "metadata": "message metadata (2022): the outbox tags each post with its delivery key, so that a post "
        "whose answer was lost can be found rather than sent twice.",
    },
    "conversations.history": {
        "include_all_metadata": "returns each message's metadata (2022), where the outbox looks for its key.",
    },
    "conversations.replies": {
        "include_all_metadata": "the same, for messages in a thread.",
    },
}

# Arguments accepted on every method although the 2020 spec lists them on none, each with why.
UNIVERSAL_ARGS: dict[str, str] = {
    "team_id": "Bolt gives each request a client bound to the request's workspace, and slack_sdk then "
    "sends team_id with every call; Slack added it to its methods for org-wide apps after 2020.",
}

# JSON-schema keywords kept in the pruned manifest schema: only what changes whether a manifest is
# valid. Annotations (title, description, default, examples) and Slack's non-standard keys
# (regex, requires, _note) are dropped.
PLAIN_KEYWORDS = {
    "type",
    "required",
    "maxLength",
    "minLength",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxProperties",
    "minProperties",
    "pattern",
    "enum",
    "const",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "$ref",
}
# Keywords whose value maps names to subschemas.
SCHEMA_MAP_KEYWORDS = {"properties", "patternProperties", "definitions", "$defs"}
# Keywords whose value is a list of subschemas.
SCHEMA_LIST_KEYWORDS = {"oneOf", "anyOf", "allOf"}
# Keywords whose value is one subschema (or a boolean, or for `items` a list of subschemas).
SCHEMA_ONE_KEYWORDS = {
    "items",
    "additionalProperties",
    "additionalItems",
    "contains",
    "propertyNames",
    "not",
    "if",
    "then",
    "else",
}

MAX_FACTS_BYTES = 400_000


def extract_methods(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Map every Web API method of the OpenAPI spec to its argument names and spec-required ones."""
    methods: dict[str, dict[str, Any]] = {}
    for path, operations in spec["paths"].items():
        name = path.lstrip("/")
        names: set[str] = set()
        required: set[str] = set()
        takes_token = False
        # Every path has a single verb in this spec, but merge in case a later version adds more.
        for operation in operations.values():
            for param in operation.get("parameters", []):
                if param["name"] == "token":
                    takes_token = True
                    continue
                names.add(param["name"])
                if param.get("required") is True:
                    required.add(param["name"])
        methods[name] = {"args": sorted(names), "required": sorted(required), "takes_token": takes_token}
    return methods


def add_newer_args(methods: dict[str, dict[str, Any]]) -> None:
    """Add ARGS_ADDED_SINCE to their methods; fail if one names a method the spec lacks or an argument it has."""
    for method, added in ARGS_ADDED_SINCE.items():
        if method not in methods:
            raise SystemExit(f"ARGS_ADDED_SINCE names {method}, which is not in the spec")
        known = sorted(set(added) & set(methods[method]["args"]))
        if known:
            raise SystemExit(f"ARGS_ADDED_SINCE[{method}] lists arguments the spec has: {known}")
        methods[method]["args"] = sorted(set(methods[method]["args"]) | set(added))


def check_extra_required(methods: dict[str, dict[str, Any]]) -> None:
    """Fail if EXTRA_REQUIRED names a method or argument the spec does not have (a typo would hide)."""
    for method, requirements in EXTRA_REQUIRED.items():
        if method not in methods:
            raise SystemExit(f"EXTRA_REQUIRED names {method}, which is not in the spec")
        for alternatives in requirements:
            unknown = [arg for arg in alternatives if arg not in methods[method]["args"]]
            if unknown:
                raise SystemExit(f"EXTRA_REQUIRED[{method}] names unknown arguments {unknown}")


def prune_schema(node: Any) -> Any:
    """Keep only the validation keywords of a JSON-schema node, recursively."""
    if isinstance(node, bool):
        return node
    if not isinstance(node, dict):
        raise TypeError(f"not a schema: {node!r}")
    pruned: dict[str, Any] = {}
    for key, value in node.items():
        if key in PLAIN_KEYWORDS:
            pruned[key] = value
        elif key in SCHEMA_MAP_KEYWORDS:
            pruned[key] = {name: prune_schema(sub) for name, sub in value.items()}
        elif key in SCHEMA_LIST_KEYWORDS:
            pruned[key] = [prune_schema(sub) for sub in value]
        elif key in SCHEMA_ONE_KEYWORDS:
            pruned[key] = (
                [prune_schema(sub) for sub in value] if isinstance(value, list) else prune_schema(value)
            )
    return pruned


def collect_refs(node: Any, found: set[str]) -> set[str]:
    """Collect every $ref string below node."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                found.add(value)
            else:
                collect_refs(value, found)
    elif isinstance(node, list):
        for item in node:
            collect_refs(item, found)
    return found


def build_manifest_schema(raw: dict[str, Any]) -> dict[str, Any]:
    """Prune the manifest schema and make sure it stays self-contained."""
    schema = prune_schema(raw)
    if "$schema" in raw:
        # Kept at the root only, so jsonschema picks the draft the schema was written for.
        schema["$schema"] = raw["$schema"]
    for ref in sorted(collect_refs(schema, set())):
        if not ref.startswith("#/"):
            raise SystemExit(f"manifest schema has a non-local $ref {ref}; resolve it before pruning")
        target: Any = schema
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or part not in target:
                raise SystemExit(f"manifest schema $ref {ref} does not resolve after pruning")
            target = target[part]
    return schema


def self_test(schema: dict[str, Any], example: dict[str, Any]) -> None:
    """Fail if the pruned schema is not a valid schema or rejects the published valid example."""
    try:
        import jsonschema
    except ImportError:
        print("jsonschema not installed: skipped the self-test of the pruned schema", file=sys.stderr)
        return
    validator_cls = jsonschema.validators.validator_for(schema)
    validator_cls.check_schema(schema)
    errors = list(validator_cls(schema).iter_errors(example))
    if errors:
        raise SystemExit(f"pruned manifest schema rejects the valid example: {errors[0].message}")


def build_facts(shared: Path) -> dict[str, Any]:
    """Read the published specs under shared and return the facts to store."""
    web_api = json.loads((shared / WEB_API_FILE).read_text(encoding="utf-8"))
    manifest_raw = json.loads((shared / MANIFEST_SCHEMA_FILE).read_text(encoding="utf-8"))
    example = json.loads((shared / MANIFEST_EXAMPLE_FILE).read_text(encoding="utf-8"))

    methods = extract_methods(web_api)
    add_newer_args(methods)
    check_extra_required(methods)
    overlap = sorted(set(ABSENT_METHODS_ALLOWED) & set(methods))
    if overlap:
        raise SystemExit(f"ABSENT_METHODS_ALLOWED lists methods the spec has: {overlap}")

    manifest_schema = build_manifest_schema(manifest_raw)
    self_test(manifest_schema, example)

    return {
        "source": {
            "web_api": {
                "file": WEB_API_FILE.as_posix(),
                "title": web_api["info"]["title"],
                "version": web_api["info"]["version"],
                "swagger": web_api.get("swagger"),
            },
            "manifest_schema": {
                "file": MANIFEST_SCHEMA_FILE.as_posix(),
                "title": manifest_raw.get("title"),
                "draft": manifest_raw.get("$schema"),
            },
        },
        "methods": methods,
        "extra_required": EXTRA_REQUIRED,
        "absent_methods_allowed": ABSENT_METHODS_ALLOWED,
        "universal_args": UNIVERSAL_ARGS,
        "manifest_schema": manifest_schema,
    }


def render(facts: dict[str, Any]) -> str:
    """Serialise deterministically, so re-running gives a byte-identical file."""
    return json.dumps(facts, sort_keys=True, indent=1, ensure_ascii=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write slack_facts.json from the specs in --shared."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shared", type=Path, default=DEFAULT_SHARED, help="folder of Slack's published specs"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="file to write")
    options = parser.parse_args(argv)

    shared: Path = options.shared.resolve()
    if not (shared / WEB_API_FILE).is_file():
        parser.error(f"no Web API spec under {shared}")
    text = render(build_facts(shared))
    size = len(text.encode("utf-8"))
    if size > MAX_FACTS_BYTES:
        raise SystemExit(f"slack_facts.json would be {size} bytes, over {MAX_FACTS_BYTES}")
    options.out.write_text(text, encoding="utf-8")
    print(f"wrote {options.out} ({size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

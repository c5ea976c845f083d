"""app_manifest.yml is valid for Slack, and declares exactly what the code handles and calls."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from handlers import all_routes
from handlers.routes import Routes
from tests.slack_spec.validate import check_manifest, load_facts

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = yaml.safe_load((ROOT / "app_manifest.yml").read_text())

# The scope each Web API method needs (Slack's method reference), and each event subscription.
METHOD_SCOPES = {
    "auth.test": set(),
    "files.getUploadURLExternal": {"files:write"},
    "files.completeUploadExternal": {"files:write"},
    "conversations.open": {"im:write"},
    "chat.postMessage": {"chat:write"},
    "chat.postEphemeral": {"chat:write"},
    "chat.update": {"chat:write"},
    "chat.delete": {"chat:write"},
    "conversations.history": {"channels:history", "groups:history"},
    "conversations.replies": {"channels:history", "groups:history"},
    "users.info": {"users:read"},
    "conversations.info": {"channels:read", "groups:read"},
    "conversations.join": {"channels:join"},
    "conversations.members": {"channels:read", "groups:read"},
    "views.publish": set(),  # Slack's reference: "No scope required"
    "views.open": set(),  # needs only a trigger_id from an interaction
}
EVENT_SCOPES = {
    "app_home_opened": set(),  # Slack's reference lists no scope for it
    "member_joined_channel": {"channels:read", "groups:read"},
    "member_left_channel": {"channels:read", "groups:read"},
    "message.channels": {"channels:history"},
    "message.groups": {"groups:history"},
    "message.im": {"im:history"},
    "reaction_added": {"reactions:read"},
    "reaction_removed": {"reactions:read"},
    "user_change": {"users:read"},
    "channel_archive": {"channels:read"},
    "channel_unarchive": {"channels:read"},
    "channel_rename": {"channels:read"},
    "group_archive": {"groups:read"},
    "group_unarchive": {"groups:read"},
    "group_rename": {"groups:read"},
    "app_uninstalled": set(),  # Slack's reference: no scope required
    "tokens_revoked": set(),
}


def registered() -> Routes:
    return all_routes()


def methods_called_by_the_code() -> set[str]:
    """Web API methods named in the code, from slack_sdk's method-per-call style (`client.chat_postMessage`)."""
    found: set[str] = set()
    pattern = re.compile(r"\bclient\.([a-z]+)_([A-Za-z]+)\(")
    for folder in ("bot", "handlers", "models", "scheduler"):
        for path in (ROOT / folder).rglob("*.py"):
            if "sandbox" in path.parts:
                continue
            for family, method in pattern.findall(path.read_text()):
                found.add(f"{family}.{method}")
    return found | {"auth.test"}  # Bolt calls auth.test once at start-up


def test_manifest_satisfies_slacks_schema():
    assert check_manifest(MANIFEST) == []


def test_every_declared_command_is_handled_and_every_handled_command_declared():
    declared = {c["command"] for c in MANIFEST["features"]["slash_commands"]}
    assert declared == set(registered().commands)


def test_every_subscribed_event_is_handled_and_every_handled_event_subscribed():
    subscribed = set(MANIFEST["settings"]["event_subscriptions"]["bot_events"])
    # Slack subscribes to message events per kind of conversation; Bolt sees them all as "message".
    as_bolt_sees_them = {e.split(".", 1)[0] for e in subscribed}
    assert as_bolt_sees_them == set(registered().events)


def test_code_calls_only_methods_in_slacks_spec_with_known_scopes():
    methods = methods_called_by_the_code()
    facts = load_facts()
    unknown = {m for m in methods if m not in facts["methods"] and m not in facts["absent_methods_allowed"]}
    assert unknown == set()
    assert methods <= set(METHOD_SCOPES), f"add the scope for {methods - set(METHOD_SCOPES)}"


def test_scopes_are_exactly_what_the_calls_and_events_need():
    declared = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    needed = {"commands"}
    for method in methods_called_by_the_code():
        needed |= METHOD_SCOPES[method]
    for event in MANIFEST["settings"]["event_subscriptions"]["bot_events"]:
        needed |= EVENT_SCOPES[event]
    assert declared == needed


@pytest.mark.parametrize("field", ["name", "description", "long_description"])
def test_display_information_is_filled(field):
    assert MANIFEST["display_information"][field].strip()


def test_no_interactivity_declared_while_no_interactive_listener_exists():
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is (
        bool(registered().actions or registered().action_patterns or registered().views)
    )


class _NoDuplicateKeys(yaml.SafeLoader):
    """A loader that refuses a mapping with a key twice; plain YAML quietly keeps the last one."""


def _mapping_without_duplicates(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict:
    keys = [loader.construct_object(key) for key, _ in node.value]
    repeated = sorted({str(k) for k in keys if keys.count(k) > 1})
    if repeated:
        raise AssertionError(f"app_manifest.yml repeats {repeated} at line {node.start_mark.line + 1}")
    return loader.construct_mapping(node)


_NoDuplicateKeys.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


def test_the_manifest_says_each_setting_once_and_shows_the_home_tab_it_publishes():
    yaml.load((ROOT / "app_manifest.yml").read_text(), Loader=_NoDuplicateKeys)  # noqa: S506
    home = MANIFEST["features"]["app_home"]
    assert "app_home_opened" in MANIFEST["settings"]["event_subscriptions"]["bot_events"]
    assert home["home_tab_enabled"] is True and home["messages_tab_enabled"] is True
    assert home["messages_tab_read_only_enabled"] is False  # people reply to nudges there

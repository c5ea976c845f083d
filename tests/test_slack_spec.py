"""The checks that hold Web API calls and the app manifest against Slack's published specs."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.slack_spec.validate import check_call, check_manifest, load_facts

AUTH = {"Authorization": "Bearer xoxb-test"}


def test_facts_cover_every_method_and_stay_small() -> None:
    facts = load_facts()
    assert len(facts["methods"]) > 150
    assert facts["methods"]["chat.postMessage"]["required"] == ["channel"]
    assert "token" not in facts["methods"]["users.info"]["args"]
    assert "apps.connections.open" in facts["absent_methods_allowed"]
    assert "apps.connections.open" not in facts["methods"]


def test_extra_required_names_only_arguments_the_spec_knows() -> None:
    facts = load_facts()
    for method, requirements in facts["extra_required"].items():
        for alternatives in requirements:
            assert set(alternatives) <= set(facts["methods"][method]["args"]), method


def test_accepts_a_correct_post_message() -> None:
    args = {"channel": "C1", "text": "hello", "blocks": [{"type": "divider"}], "thread_ts": "1.2"}
    assert check_call("chat.postMessage", args, AUTH) == []


def test_accepts_a_correct_views_publish_although_the_spec_says_get() -> None:
    args = {"user_id": "U1", "view": {"type": "home", "blocks": []}}
    assert check_call("views.publish", args, {"authorization": "Bearer xoxb-test"}) == []


def test_accepts_a_correct_users_info() -> None:
    assert check_call("users.info", {"user": "U1"}, AUTH) == []


def test_accepts_socket_mode_open_with_only_the_app_token() -> None:
    assert check_call("apps.connections.open", {}, {"Authorization": "Bearer xapp-1"}) == []


def test_flags_a_method_missing_from_the_spec() -> None:
    [violation] = check_call("chat.postMessageLater", {"channel": "C1", "text": "x"}, AUTH)
    assert "not in Slack's published spec" in violation
    assert "make spec" in violation and "justify" in violation


def test_flags_an_unknown_argument() -> None:
    violations = check_call("chat.postMessage", {"channel": "C1", "text": "x", "colour": "red"}, AUTH)
    assert len(violations) == 1
    assert "unknown argument `colour`" in violations[0]


def test_flags_a_missing_argument_the_spec_marks_required() -> None:
    # reactions.add marks channel, name and timestamp required in the spec itself.
    violations = check_call("reactions.add", {"channel": "C1", "name": "tada"}, AUTH)
    assert violations == ["reactions.add: missing required argument `timestamp`"]


def test_flags_a_missing_argument_only_our_extra_list_requires() -> None:
    # The spec marks nothing required for conversations.info.
    assert load_facts()["methods"]["conversations.info"]["required"] == []
    violations = check_call("conversations.info", {}, AUTH)
    assert violations == ["conversations.info: missing required argument `channel`"]


def test_flags_a_post_message_with_neither_text_nor_blocks() -> None:
    violations = check_call("chat.postMessage", {"channel": "C1", "text": ""}, AUTH)
    assert violations == ["chat.postMessage: missing required argument `text` or `blocks`"]


def test_one_of_is_met_by_either_alternative() -> None:
    assert check_call("chat.postMessage", {"channel": "C1", "blocks": [{"type": "divider"}]}, AUTH) == []
    assert check_call("views.update", {"external_id": "e1", "view": {"type": "modal"}}, AUTH) == []
    assert check_call("views.update", {"view": {"type": "modal"}}, AUTH) == [
        "views.update: missing required argument `view_id` or `external_id`"
    ]


def test_flags_the_token_passed_as_an_argument() -> None:
    violations = check_call("users.info", {"user": "U1", "token": "xoxb-test"}, AUTH)
    assert len(violations) == 1
    assert "`Authorization: Bearer` header" in violations[0]


def test_flags_a_missing_authorization_header() -> None:
    violations = check_call("users.info", {"user": "U1"}, {"Content-Type": "application/json"})
    assert violations == ["users.info: no `Authorization: Bearer <token>` header"]


def test_flags_an_authorization_header_that_is_not_bearer() -> None:
    violations = check_call("users.info", {"user": "U1"}, {"Authorization": "Basic abc"})
    assert len(violations) == 1 and "not `Bearer <token>`" in violations[0]


def test_methods_without_a_token_do_not_need_the_header() -> None:
    assert check_call("api.test", {}, {}) == []


VALID_MANIFEST: dict[str, Any] = {
    "_metadata": {"major_version": 1, "minor_version": 1},
    "display_information": {"name": "copbot", "description": "Keeps communities of practice alive"},
    "features": {
        "app_home": {"home_tab_enabled": True, "messages_tab_enabled": True},
        "bot_user": {"display_name": "copbot", "always_online": True},
        "slash_commands": [{"command": "/cop", "description": "Talk to copbot", "should_escape": False}],
    },
    "oauth_config": {"scopes": {"bot": ["chat:write", "commands", "users:read"]}},
    "settings": {
        "event_subscriptions": {"bot_events": ["app_home_opened", "member_joined_channel"]},
        "interactivity": {"is_enabled": True},
        "org_deploy_enabled": False,
        "socket_mode_enabled": True,
        "token_rotation_enabled": False,
    },
}


def test_manifest_accepts_a_valid_manifest() -> None:
    assert check_manifest(VALID_MANIFEST) == []


def test_manifest_rejects_missing_required_fields() -> None:
    manifest = copy.deepcopy(VALID_MANIFEST)
    del manifest["display_information"]
    del manifest["features"]["bot_user"]["display_name"]
    errors = check_manifest(manifest)
    assert any(e.startswith("(root): 'display_information' is a required property") for e in errors), errors
    assert any(e.startswith("features/bot_user: 'display_name' is a required property") for e in errors), errors


def test_manifest_rejects_a_field_over_its_max_length() -> None:
    manifest = copy.deepcopy(VALID_MANIFEST)
    manifest["display_information"]["name"] = "c" * 36
    errors = check_manifest(manifest)
    assert len(errors) == 1
    assert errors[0].startswith("display_information/name: ")
    assert "is too long" in errors[0]


@pytest.mark.parametrize("bad", [{"unknown_section": {}}, {"settings": {"socket_mode_enabled": "yes"}}])
def test_manifest_rejects_unknown_keys_and_wrong_types(bad: dict[str, Any]) -> None:
    manifest = copy.deepcopy(VALID_MANIFEST)
    manifest.update(bad)
    assert check_manifest(manifest) != []

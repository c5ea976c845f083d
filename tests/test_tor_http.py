"""`/cop tor`: leads and secretaries draft, a lead proposes and ratifies, members agree or object in the channel,
and every version is kept with who changed, proposed and ratified it."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from handlers.ids import ActionId, BlockId, ViewId
from models import TermsAnswer, TermsOfReference, TermsVersion
from models.terms import VersionStatus
from tests.community import always_at_work, cop_fixture  # noqa: F401  (cop_fixture provides `cop`)
from tests.conftest import START
from tests.test_action_buttons_http import click, press


def proposals(bot) -> list:
    assert bot.slack.wait_for(lambda: [m for m in bot.posts_in("CDEVOPS") if m.text.startswith("Proposed Terms")])
    return [m for m in bot.posts_in("CDEVOPS") if m.text.startswith("Proposed Terms")]


def last_update(bot) -> str:
    assert bot.slack.wait_for(lambda: bot.slack.calls_to("chat.update"))
    return json.dumps(bot.slack.calls_to("chat.update")[-1].args["blocks"], ensure_ascii=False)


def object_with(bot, user: str, message, reason: str) -> None:
    """Press Object, see the form open, and submit it with `reason`."""
    opened = len(bot.slack.calls_to("views.open"))
    press(bot, user, message, ActionId.TOR_OBJECT)
    assert bot.slack.wait_for(lambda: len(bot.slack.calls_to("views.open")) > opened)
    view = bot.slack.calls_to("views.open")[-1].args["view"]
    assert view["callback_id"] == ViewId.TOR_OBJECTION
    submission = bot.requests.view_submission(
        user_id=user, user_name=user.lower(), callback_id=ViewId.TOR_OBJECTION,
        private_metadata=view["private_metadata"],
        values={BlockId.TOR_REASON: {ActionId.TOR_REASON: {"type": "plain_text_input", "value": reason}}})
    assert bot.post(submission)[0] == 200


def answers(bot) -> dict[int, tuple[bool, str | None]]:
    with bot.services.sessions() as session:
        return {a.person_id: (a.agree, a.reason) for a in session.scalars(select(TermsAnswer))}


def test_who_may_draft_propose_and_ratify(bot, cop):
    assert "Only a lead or secretary of *DevOps CoP* can edit" in cop("UCHANDRA", "tor set purpose Hijacked")
    cop("UBOB", "role <@UDANA|dana> secretary")
    assert "Draft Terms of Reference" in cop("UDANA", "tor set purpose Share what we learn")
    assert "Only a lead of *DevOps CoP* can propose" in cop("UDANA", "tor propose")
    assert "Only a lead of *DevOps CoP* can propose" in cop("UCHANDRA", "tor propose")
    assert "is in the channel for answers" in cop("UBOB", "tor propose")
    assert "Only a lead of *DevOps CoP* can ratify" in cop("UDANA", "tor ratify")
    assert "Only a lead of *DevOps CoP* can ratify" in cop("UCHANDRA", "tor ratify")
    with bot.services.sessions() as session:
        assert session.scalars(select(TermsVersion.status)).all() == [VersionStatus.PROPOSED]
        assert session.get(TermsOfReference, 1) is None


def test_a_draft_proposed_answered_and_ratified_is_what_everyone_and_newcomers_see(bot, cop):
    cop("UBOB", "tor set title DevOps &amp; SRE")
    cop("UBOB", "tor set purpose Share what we learn &lt;in production&gt;")
    cop("UBOB", "tor set guests Someone from Finance, each quarter")
    assert "has no Terms of Reference yet" in cop("UCHANDRA", "tor")  # a draft is not in force
    assert "is in the channel for answers" in cop("UBOB", "tor propose 3")
    with bot.services.sessions() as session:
        assert session.scalars(select(TermsVersion.closes_at)).one() == START + dt.timedelta(days=3)
    [proposal] = proposals(bot)
    body = json.dumps(proposal.blocks, ensure_ascii=False)
    assert "DevOps &amp; SRE" in body and "&lt;in production&gt;" in body and "Someone from Finance" in body
    assert "bob proposes" in body
    assert "you agree" in click(bot, "UCHANDRA", proposal, ActionId.TOR_AGREE).lower()
    object_with(bot, "UDANA", proposal, "Say who  the <b>guests</b> are")
    assert bot.slack.wait_for(lambda: len(answers(bot)) == 2)
    click(bot, "UALICE", proposal, ActionId.TOR_AGREE)
    click(bot, "UCHANDRA", proposal, ActionId.TOR_AGREE)  # the same answer again counts once
    assert sorted(answers(bot).values(), key=str) == sorted(
        [(True, None), (True, None), (False, "Say who the <b>guests</b> are")], key=str)
    assert "2 agreements, 1 objection so far" in last_update(bot)
    # Dana changes her mind: one answer each, changeable.
    click(bot, "UDANA", proposal, ActionId.TOR_AGREE)
    assert "3 agreements, 0 objections so far" in last_update(bot)
    assert "is ratified (3 agreements, 0 objections)" in cop("UBOB", "tor ratify")
    shown = last_update(bot)
    assert "Ratified" in shown and ActionId.TOR_AGREE not in shown
    current = cop("UCHANDRA", "tor")
    assert "*Title:* DevOps &amp; SRE" in current
    assert "*Who we invite from the business:* Someone from Finance" in current
    with bot.services.sessions() as session:
        assert session.get_one(TermsOfReference, 1).purpose == "Share what we learn <in production>"
    # Answers stop once it is ratified.
    assert "no longer takes answers" in click(bot, "UCHANDRA", proposal, ActionId.TOR_OBJECT, value="1")
    # A newcomer is shown the ratified version (Eve in Los Angeles is taken to work round the clock, so that
    # her welcome DM does not wait for her morning).
    always_at_work(bot, "UEVE")
    assert bot.post(bot.requests.event(bot.requests.member_joined(user="UEVE", channel="CDEVOPS")))[0] == 200
    assert bot.slack.wait_for(lambda: any("Share what we learn" in json.dumps(m.blocks) for m in bot.posts_in("UEVE")))


def test_history_keeps_every_version_with_who_changed_proposed_and_ratified_it(bot, cop):
    cop("UBOB", "role <@UDANA|dana> secretary")
    cop("UDANA", "tor set purpose First words")
    cop("UBOB", "tor propose 2")
    [proposal] = proposals(bot)
    object_with(bot, "UCHANDRA", proposal, "Too vague")
    assert bot.slack.wait_for(lambda: len(answers(bot)) == 1)
    assert "cannot change under" not in cop("UBOB", "tor ratify")
    # A second version: edited while nothing is open, proposed, closed by time without ratification, set aside.
    cop("UDANA", "tor set purpose Second words")
    cop("UDANA", "tor set scope")
    cop("UBOB", "tor propose 1")
    bot.services.clock.set(START + dt.timedelta(days=2))
    assert bot.slack.wait_for(lambda: len(proposals(bot)) == 2)
    assert "no longer takes answers" in click(bot, "UCHANDRA", proposals(bot)[1], ActionId.TOR_AGREE)
    closed = last_update(bot)  # the click on a closed proposal takes its buttons away
    assert "Closed with 0 agreements, 0 objections" in closed and ActionId.TOR_AGREE not in closed
    cop("UBOB", "tor set purpose Third words")
    history = cop("UALICE", "tor history")
    for expected in ("*Version 3* (draft)", "*Version 2* (set aside unratified)", "*Version 1* (in force)",
                     "dana set _purpose_: “First words”", "dana set _scope_: cleared",
                     "bob set _purpose_: “Third words”", "proposed by bob", "0 agreements, 1 objection",
                     "ratified by bob"):
        assert expected in history, (expected, history)
    assert history.index("Version 3") < history.index("Version 2") < history.index("Version 1")
    with bot.services.sessions() as session:
        assert session.get_one(TermsOfReference, 1).purpose == "First words"


def test_mistakes_get_a_specific_error_and_the_usage(bot, cop):
    for typed, expected, usage in [
        ("tor ratify", "There is no proposal to ratify", "/cop tor ratify"),
        ("tor propose", "There is no draft to propose", "/cop tor propose"),
        ("tor propose 45", "1 to 30 days", "/cop tor propose"),
        ("tor propose soon", "for how many days", "/cop tor propose"),
        ("tor set mission Everything", "no field “mission”", "/cop tor set"),
        ("tor set", "Say which field to set", "/cop tor set"),
        ("tor set purpose " + "x" * 1001, "keep each field to 1000", "/cop tor set"),
    ]:
        reply = cop("UBOB", typed)
        assert expected in reply and usage in reply, (typed, reply)
    cop("UBOB", "tor set purpose Words")
    cop("UBOB", "tor propose")
    assert "out for answers" in cop("UBOB", "tor set purpose Other words")
    assert "already awaits ratification" in cop("UBOB", "tor propose")

"""`/cop newsletter` and the draft's buttons typed and pressed in Slack, and "This helped" on knowledge in search
results, digests and the newsletter."""

from __future__ import annotations

import datetime as dt
import json
import secrets

import pytest
from sqlalchemy import select

from handlers.ids import ActionId, BlockId, ViewId
from models import KnowledgeHelp, NewsletterIssue, NewsletterSettings
from scheduler.runner import run_tick
from tests.community import Typist, cop_fixture, said  # noqa: F401  (cop_fixture provides `cop`)
from tests.test_action_buttons_http import click, click_in_dm, press, responses_to

DECEMBER_2 = dt.datetime(2026, 12, 2, 10, tzinfo=dt.UTC)  # after November, in which the fixture's records fall


def rows(bot, model) -> list:
    with bot.services.sessions() as session:
        return list(session.scalars(select(model)).unique())


def drafts(bot, user: str = "UALICE") -> list:
    return [m for m in bot.posts_in(user) if "drafted for your approval" in m.text]


def the_draft(bot, n: int = 1):
    assert bot.slack.wait_for(lambda: len(drafts(bot)) >= n), "no draft came"
    return drafts(bot)[n - 1]


def helped(bot, user: str, item_id: int) -> str:
    """Press "This helped" on item `item_id` in an ephemeral reply, as `user`; the answer they see."""
    tag = f"helped-{user}-{secrets.token_hex(3)}"
    url = bot.slack.response_url(tag, channel="CDEVOPS", user=user)
    bot.post(bot.requests.block_action(user_id=user, user_name=user.lower(), channel_id="CDEVOPS", message_ts="",
                                       action_id=f"{ActionId.KB_HELPED}.{item_id}", value=str(item_id),
                                       response_url=url, is_ephemeral=True))
    assert bot.slack.wait_for(lambda: responses_to(bot, tag))
    return said(responses_to(bot, tag)[0])


@pytest.mark.parametrize("command", ["newsletter", "newsletter draft", "newsletter channel <#CNEWS|news>",
                                     "newsletter feature DevOps CoP", "newsletter list"])
def test_members_get_a_plain_refusal(bot, cop: Typist, command):
    reply = cop("UCHANDRA", command)
    assert "Only an overall CoP lead" in reply and "Usage" not in reply
    assert rows(bot, NewsletterIssue) == [] and rows(bot, NewsletterSettings) == []


def test_this_helped_counts_once_per_person_and_shows_in_search_digest_and_newsletter(bot, cop: Typist, clock):
    cop("UCHANDRA", "kb add Pin your terraform providers #terraform")
    found = cop("UDANA", "kb search terraform")
    assert f'"action_id": "{ActionId.KB_HELPED}.1"' in found and "This helped" in found and "helped 1" not in found
    assert "Counted" in helped(bot, "UDANA", 1)
    assert "has helped 2 people" in helped(bot, "UBOB", 1)
    assert "Taken back" in helped(bot, "UBOB", 1)  # Bob's second press takes his count back
    assert len(rows(bot, KnowledgeHelp)) == 1
    assert "helped 1 person" in cop("UCHANDRA", "kb search terraform")
    assert "helped 1 person" in cop("UCHANDRA", "kb list")
    digest = cop("UCHANDRA", "digest")
    assert "tip · helped 1 person" in digest and f"{ActionId.KB_HELPED}.1" in digest
    clock.set(DECEMBER_2)
    cop("UALICE", "newsletter draft")
    shown = json.dumps(the_draft(bot).blocks, ensure_ascii=False)
    assert "Most reused knowledge" in shown and "Pin your terraform providers" in shown and "helped 1 person" in shown


def test_a_draft_is_approved_once_and_posted_to_the_newsletter_channel(bot, cop: Typist, clock):
    cop("UBOB", "kudos <@UCHANDRA|chandra> for the &lt;runbook&gt;")
    clock.set(DECEMBER_2)
    assert "The *November 2026* newsletter is drafted" in cop("UALICE", "newsletter draft")
    draft = the_draft(bot)
    assert "Recognition" in str(draft.blocks) and "for the &lt;runbook&gt;" in str(draft.blocks)
    assert "<@UCHANDRA" not in json.dumps(draft.blocks)  # named, not pinged
    refused = click(bot, "UALICE", draft, ActionId.NEWSLETTER_APPROVE)
    assert "No newsletter channel is set" in refused and "/cop newsletter channel #channel" in refused
    # A channel copbot cannot post to is refused when chosen, not found out when an approved issue is lost.
    assert "can't find that channel" in cop("UALICE", "newsletter channel <#CNEWS|cop-news>")
    bot.slack.add_channel("COLD", "old-news", creator="UALICE")
    bot.slack.set_archived("COLD")
    assert "archived" in cop("UALICE", "newsletter channel <#COLD|old-news>")
    assert rows(bot, NewsletterSettings) == []
    assert "“news” is not a channel: pick one with `#`" in cop("UALICE", "newsletter channel news")
    bot.slack.add_channel("CNEWS", "cop-news", creator="UALICE")
    assert "is posted to <#CNEWS>" in cop("UALICE", "newsletter channel <#CNEWS|cop-news>")
    assert "CNEWS" in [c.args["channel"] for c in bot.slack.calls_to("conversations.join")]  # copbot joined it
    answer = click_in_dm(bot, "UALICE", draft, ActionId.NEWSLETTER_APPROVE)
    assert "approved by alice" in said(answer) and "posted to <#CNEWS>" in said(answer)
    assert bot.slack.wait_for(lambda: bot.posts_in("CNEWS"))
    # A second press (another copy of the draft, or a retry) is refused: it was posted once.
    assert "already approved by alice" in click(bot, "UALICE", draft, ActionId.NEWSLETTER_APPROVE, value="1")
    bot.settle()
    [post] = bot.posts_in("CNEWS")
    assert "The CoP newsletter: November 2026" in json.dumps(post.blocks) and "for the &lt;runbook&gt;" in str(
        post.blocks)
    listed = cop("UALICE", "newsletter list")
    assert "*November 2026*: posted by alice" in listed and "featuring DevOps CoP" in listed
    assert "posted already" in cop("UALICE", "newsletter draft")


def test_edit_sets_an_introduction_and_cuts_sections(bot, cop: Typist, clock):
    cop("UBOB", "kudos <@UCHANDRA|chandra> for the runbook")
    clock.set(DECEMBER_2)
    bot.slack.add_channel("CNEWS", "cop-news", creator="UALICE", members=["U0COPBOT"])
    cop("UALICE", "newsletter channel <#CNEWS|cop-news>")
    cop("UALICE", "newsletter draft")
    draft = the_draft(bot)
    assert "Only an overall CoP lead" in click(bot, "UCHANDRA", draft, ActionId.NEWSLETTER_EDIT)
    press(bot, "UALICE", draft, ActionId.NEWSLETTER_EDIT)
    assert bot.slack.wait_for(lambda: bot.slack.calls_to("views.open"))
    view = bot.slack.calls_to("views.open")[0].args["view"]
    assert view["callback_id"] == ViewId.NEWSLETTER_EDIT
    submission = bot.requests.view_submission(
        user_id="UALICE", user_name="alice", callback_id=ViewId.NEWSLETTER_EDIT,
        private_metadata=view["private_metadata"], values={
            BlockId.NEWSLETTER_INTRO: {ActionId.NEWSLETTER_INTRO: {"type": "plain_text_input",
                                                                   "value": "Welcome, <everyone>!"}},
            BlockId.NEWSLETTER_CUTS: {ActionId.NEWSLETTER_CUTS: {"type": "checkboxes", "selected_options": [
                {"value": "kudos", "text": {"type": "plain_text", "text": "Recognition"}}]}}})
    assert bot.post(submission)[0] == 200
    assert bot.slack.wait_for(lambda: bot.slack.calls_to("chat.update"))
    shown = json.dumps(bot.slack.calls_to("chat.update")[-1].args["blocks"], ensure_ascii=False)
    assert "Welcome, &lt;everyone&gt;!" in shown and "Left out: Recognition" in shown
    assert "for the runbook" not in shown
    [issue] = rows(bot, NewsletterIssue)
    assert (issue.intro, issue.cuts) == ("Welcome, <everyone>!", ["kudos"])
    click_in_dm(bot, "UALICE", draft, ActionId.NEWSLETTER_APPROVE)
    assert bot.slack.wait_for(lambda: bot.posts_in("CNEWS"))
    [post] = bot.posts_in("CNEWS")
    assert "Welcome, &lt;everyone&gt;!" in json.dumps(post.blocks) and "runbook" not in json.dumps(post.blocks)


def test_skip_posts_nothing_and_a_new_draft_can_follow(bot, cop: Typist, clock):
    clock.set(DECEMBER_2)
    assert "None yet" in cop("UALICE", "newsletter")
    cop("UALICE", "newsletter draft")
    skipped = the_draft(bot)
    answer = click_in_dm(bot, "UALICE", skipped, ActionId.NEWSLETTER_SKIP)
    assert "skipped by alice" in said(answer)
    assert "*November 2026*: skipped by alice" in cop("UALICE", "newsletter list")
    assert "drafted afresh" in cop("UALICE", "newsletter draft")
    assert the_draft(bot).ts != skipped.ts and "Approve" in str(the_draft(bot).blocks)  # a fresh DM, with buttons
    assert "*November 2026*: draft" in cop("UALICE", "newsletter list")


def test_an_overall_lead_chooses_the_featured_community(bot, cop: Typist, clock):
    cop("UALICE", "setup Platform CoP", channel="CRANDOM")
    assert "*Platform CoP* is featured in the next newsletter" in cop("UALICE", "newsletter feature platform")
    assert "No community is called “Gardening”" in cop("UALICE", "newsletter feature Gardening")
    assert "Say which community" in cop("UALICE", "newsletter feature")
    clock.set(DECEMBER_2)
    cop("UALICE", "newsletter draft")
    assert ":star2: *Platform CoP*" in str(the_draft(bot).blocks)


def test_forged_button_values_get_the_usual_answer_not_an_error(bot, cop: Typist, clock, caplog):
    # `isdigit()` takes `²`, which `int()` refuses: a value copbot never put on a button is refused plainly.
    cop("UCHANDRA", "kb add Pin your terraform providers #terraform")
    tag = f"helped-UDANA-{secrets.token_hex(3)}"
    url = bot.slack.response_url(tag, channel="CDEVOPS", user="UDANA")
    bot.post(bot.requests.block_action(user_id="UDANA", user_name="udana", channel_id="CDEVOPS", message_ts="",
                                       action_id=f"{ActionId.KB_HELPED}.1", value="²", response_url=url,
                                       is_ephemeral=True))
    assert bot.slack.wait_for(lambda: responses_to(bot, tag))
    assert "no longer points at a knowledge item" in said(responses_to(bot, tag)[0])
    clock.set(DECEMBER_2)
    cop("UALICE", "newsletter draft")
    draft = the_draft(bot)
    assert "no longer points at a newsletter" in click(bot, "UALICE", draft, ActionId.NEWSLETTER_APPROVE, value="²")
    assert rows(bot, KnowledgeHelp) == []
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


def test_the_buttons_on_a_superseded_draft_act_on_nothing_and_point_to_the_newest(bot, cop: Typist, clock):
    bot.slack.add_channel("CNEWS", "cop-news", creator="UALICE", members=["U0COPBOT"])
    clock.set(DECEMBER_2)
    cop("UALICE", "newsletter channel <#CNEWS|cop-news>")
    cop("UALICE", "newsletter draft")
    old = the_draft(bot)
    clock.set(DECEMBER_2 + dt.timedelta(hours=1))
    assert "drafted afresh" in cop("UALICE", "newsletter draft")
    newest = the_draft(bot, 2)
    for action in (ActionId.NEWSLETTER_APPROVE, ActionId.NEWSLETTER_SKIP, ActionId.NEWSLETTER_EDIT):
        answer = click(bot, "UALICE", old, action)
        assert "superseded by a redraft: nothing was done" in answer and "decide on that one" in answer
    [issue] = rows(bot, NewsletterIssue)
    assert issue.status.value == "draft" and not bot.slack.calls_to("views.open")
    bot.settle()
    assert not bot.posts_in("CNEWS")
    assert "approved by alice" in said(click_in_dm(bot, "UALICE", newest, ActionId.NEWSLETTER_APPROVE))
    assert bot.slack.wait_for(lambda: bot.posts_in("CNEWS"))
    assert "was posted already" in click(bot, "UALICE", old, ActionId.NEWSLETTER_APPROVE)


def test_an_approved_issue_slack_would_not_post_is_a_draft_again_for_the_overall_leads(bot, cop: Typist, clock):
    bot.slack.add_channel("CNEWS", "cop-news", creator="UALICE", members=["U0COPBOT"])
    clock.set(DECEMBER_2)
    cop("UALICE", "newsletter channel <#CNEWS|cop-news>")
    cop("UALICE", "newsletter draft")
    draft = the_draft(bot)
    bot.slack.set_archived("CNEWS")  # after it was chosen, before the post
    click_in_dm(bot, "UALICE", draft, ActionId.NEWSLETTER_APPROVE)
    bot.settle()
    assert not bot.posts_in("CNEWS")
    for minutes in (0, 15):
        run_tick(bot.services, now=DECEMBER_2 + dt.timedelta(minutes=minutes))
    told = [m for m in bot.posts_in("UALICE") if "could not be posted" in m.text]
    assert len(told) == 1 and "`is_archived`" in str(told[0].blocks) and "approve it below" in str(told[0].blocks)
    assert "*November 2026*: draft" in cop("UALICE", "newsletter list")
    assert "No newsletter channel is set" in click(bot, "UALICE", told[0], ActionId.NEWSLETTER_APPROVE)
    bot.slack.add_channel("CNEWS2", "cop-news-2", creator="UALICE", members=["U0COPBOT"])
    cop("UALICE", "newsletter channel <#CNEWS2|cop-news-2>")
    assert "posted to <#CNEWS2>" in said(click_in_dm(bot, "UALICE", told[0], ActionId.NEWSLETTER_APPROVE))
    assert bot.slack.wait_for(lambda: bot.posts_in("CNEWS2"))
    assert "*November 2026*: posted by alice" in cop("UALICE", "newsletter list")

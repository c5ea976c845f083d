"""The monthly newsletter as people see it: the issue itself, the draft with its buttons, the edit form,
the list of past issues and the replies to `/cop newsletter`. People are named, never mentioned: the
newsletter thanks them without pinging a whole workspace's channel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    InputBlock,
    Option,
    PlainTextInputElement,
)
from slack_sdk.models.views import View

from bot.render import Message, channel_link, context, divider, escape, fit_lines, header, plural, section, slack_date
from handlers.ids import ActionId, BlockId, ViewId
from models.newsletter.content import Month
from models.newsletter.issues import draft_version
from models.newsletter.model import MAX_INTRO, SECTION_TITLES, IssueStatus, NewsletterIssue, Section

STATUS_MARKS = {"open": ":dart:", "done": ":white_check_mark:", "dropped": ":heavy_multiplication_x:"}
STATUS_WORDS = {IssueStatus.DRAFT: "draft", IssueStatus.APPROVED: "posted", IssueStatus.SKIPPED: "skipped"}


def _listed(part: dict[str, Any] | None, line: Any) -> str:
    items = (part or {}).get("items") or []
    return fit_lines([f"• {line(item)}" for item in items], limit=2800,
                     hidden=max(int((part or {}).get("total") or 0) - len(items), 0)) if items else ""


def _featured(part: dict[str, Any] | None) -> str:
    if not part:
        return ""
    leads = ", ".join(escape(name) for name in part["leads"]) or "no lead named yet"
    lines = [f":star2: *{escape(part['community'])}*, led by {leads}"]
    results = part["results"]
    lines.append(f"This month: {plural(results['members'], 'member')} · {plural(results['meetings'], 'meeting')} "
                 f"held · {plural(results['kudos'], 'kudos', 'kudos')} · "
                 f"{plural(results['knowledge'], 'knowledge item')} kept · "
                 f"{plural(results['objectives_done'], 'objective')} done this year")
    if part["objectives"]:
        objectives = [f"{STATUS_MARKS.get(o['status'], '')} *{o['number']}.* {escape(o['text'])}"
                      + (f" · {o['closed']} of {o['linked']} linked actions done" if o["linked"] else "")
                      + ("" if o["status"] == "open" else f" · *{o['status']}*") for o in part["objectives"]]
        lines.append("*Its plan for the year*\n" + fit_lines(
            objectives, limit=2000, hidden=max(part["objectives_total"] - len(part["objectives"]), 0)))
    else:
        lines.append("No plan for the year yet.")
    return "\n".join(lines)


def _new_member(item: dict[str, Any]) -> str:
    names = ", ".join(escape(n) for n in item["names"])
    more = f" and {item['count'] - len(item['names'])} more" if item["count"] > len(item["names"]) else ""
    return f"*{escape(item['community'])}*: {plural(item['count'], 'newcomer')}, welcome {names}{more}"


def _knowledge(item: dict[str, Any]) -> str:
    return (f"`kb {item['id']}` *{escape(item['title'])}* · {escape(item['kind'])} · {escape(item['community'])} · "
            f":raised_hands: helped {plural(item['helped'], 'person', 'people')}")


def _kudos(item: dict[str, Any]) -> str:
    return (f"{escape(item['giver'])} to *{escape(item['receiver'])}* ({escape(item['community'])}): "
            f"{escape(item['reason'])}")


def _decision(item: dict[str, Any]) -> str:
    return f"*{escape(item['community'])}*: {escape(item['text'])}"


def _win(item: dict[str, Any]) -> str:
    what = ("objective done: " + escape(item["text"]) if item["kind"] == "objective"
            else f"Terms of Reference ratified ({escape(item['text'])})")
    return f":trophy: *{escape(item['community'])}*: {what}"


def _coming(item: dict[str, Any]) -> str:
    times = f" (and {plural(item['times'] - 1, 'more time')})" if item["times"] > 1 else ""
    return (f"*{escape(item['title'])}* · {escape(item['community'])} · "
            f"{slack_date(dt.datetime.fromisoformat(item['starts_at']))}{times}")


RENDER = {Section.NEW_MEMBERS: _new_member, Section.KNOWLEDGE: _knowledge, Section.KUDOS: _kudos,
          Section.DECISIONS: _decision, Section.WINS: _win, Section.COMING: _coming}


def section_text(issue: NewsletterIssue, part: Section) -> str:
    """A section's text, or "" when the month had nothing for it."""
    found = issue.content.get(part.value)
    body = _featured(found) if part == Section.FEATURED else _listed(found, RENDER[part])
    return f"*{SECTION_TITLES[part]}*\n{body}" if body else ""


def issue_blocks(issue: NewsletterIssue) -> list[Block]:
    label = Month.from_key(issue.month).label
    blocks: list[Block] = [header(f"The CoP newsletter: {label}")]
    if issue.intro:
        blocks.append(section(escape(issue.intro)))
    parts = [text for part in issue.kept if (text := section_text(issue, part))]
    blocks += [section(text) for text in parts]
    if not parts:
        blocks.append(section("A quiet month: nothing to tell from the records."))
    blocks.append(context("Drafted by copbot from every community's records · `/cop kb search` finds the knowledge; "
                          "press “This helped” on what you reuse."))
    return blocks


def issue_message(issue: NewsletterIssue) -> Message:
    return Message.of(f"The CoP newsletter: {Month.from_key(issue.month).label}", issue_blocks(issue))


def draft_dm(issue: NewsletterIssue, channel_id: str | None) -> Message:
    """The draft as an overall lead previews it, with Approve / Edit / Skip."""
    label = Month.from_key(issue.month).label
    where = (f"Approve posts it to {channel_link(channel_id)}, once." if channel_id else
             "No newsletter channel is set yet: `/cop newsletter channel #channel` before you approve.")
    cut = ", ".join(SECTION_TITLES[Section(c)] for c in issue.cuts)
    shown = f"{issue.id}.{draft_version(issue)}"  # the buttons act on this drafting only, not a later redraft
    blocks: list[Block] = [
        section(f":newspaper: The *{label}* newsletter is drafted for your approval. {where}"),
        *([context(f"Left out: {escape(cut)}")] if cut else []),
        divider(), *issue_blocks(issue), divider(),
        ActionsBlock(elements=[
            ButtonElement(text="Approve", action_id=ActionId.NEWSLETTER_APPROVE, value=shown, style="primary"),
            ButtonElement(text="Edit", action_id=ActionId.NEWSLETTER_EDIT, value=shown),
            ButtonElement(text="Skip", action_id=ActionId.NEWSLETTER_SKIP, value=shown),
        ]),
    ]
    return Message.of(f"The {label} newsletter is drafted for your approval", blocks)


def refused_dm(issue: NewsletterIssue, *, failed_in: str, error: str, approved_by: str | None,
               channel_id: str | None) -> Message:
    """An approved issue Slack would not post, back as a draft with its buttons, for an overall lead to approve
    again once there is a channel copbot can post to."""
    label = Month.from_key(issue.month).label
    by = f", approved by {escape(approved_by)}," if approved_by else ""
    notice = section(f":warning: The *{label}* newsletter{by} could not be posted: Slack said `{escape(error)}` for "
                     f"{channel_link(failed_in)} (archived, deleted, or copbot is no longer in it). Nothing was "
                     "posted. It is a draft again: choose a channel with `/cop newsletter channel #channel` if need "
                     "be, then approve it below.")
    draft = draft_dm(issue, channel_id)
    return Message.of(f"The {label} newsletter could not be posted", [notice, *draft.blocks])


def superseded_text(issue: NewsletterIssue) -> str:
    """Why a button on an older draft of an issue does nothing, and where the newest is."""
    label = Month.from_key(issue.month).label
    newest = f"the newest, drafted {slack_date(issue.drafted_at)}"
    state = ("is waiting in your direct messages with me: decide on that one" if issue.status == IssueStatus.DRAFT
             else f"was {STATUS_WORDS[issue.status]} already")
    return (f"This draft of the *{label}* newsletter was superseded by a redraft: nothing was done. {newest}, "
            f"{state} (`/cop newsletter list` shows the issues).")


def decided_original(issue: NewsletterIssue) -> Message:
    """The draft once decided: its buttons go."""
    label = Month.from_key(issue.month).label
    by = escape(issue.decided_by.display_name or "an overall lead") if issue.decided_by else "an overall lead"
    if issue.status == IssueStatus.APPROVED:
        text = f":white_check_mark: The *{label}* newsletter was approved by {by} and posted to " \
               f"{channel_link(issue.channel_id or '')}."
    else:
        text = f":fast_forward: The *{label}* newsletter was skipped by {by}; nothing was posted."
    return Message.of(f"The {label} newsletter was {issue.status.value}", [section(text)])


def edit_form(issue: NewsletterIssue, metadata: str) -> View:
    options = [Option(value=s.value, label=SECTION_TITLES[s]) for s in Section]
    chosen = [o for o in options if o.value in issue.cuts]
    return View(type="modal", callback_id=ViewId.NEWSLETTER_EDIT, private_metadata=metadata,
                title="Edit the newsletter", submit="Save", close="Cancel", blocks=[
                    InputBlock(block_id=BlockId.NEWSLETTER_INTRO, label="Introduction", optional=True,
                               element=PlainTextInputElement(action_id=ActionId.NEWSLETTER_INTRO, multiline=True,
                                                             max_length=MAX_INTRO, initial_value=issue.intro or None)),
                    InputBlock(block_id=BlockId.NEWSLETTER_CUTS, label="Leave out", optional=True,
                               element=CheckboxesElement(action_id=ActionId.NEWSLETTER_CUTS, options=options,
                                                         initial_options=chosen or None)),
                ])


def drafted_reply(issue: NewsletterIssue, *, created: bool) -> Message:
    label = Month.from_key(issue.month).label
    verb = "drafted" if created else "drafted afresh from the records"
    return Message.of(f"The {label} newsletter is {verb}", [section(
        f":newspaper: The *{label}* newsletter is {verb}; it is in your direct messages with Approve / Edit / "
        "Skip.")])


def issues_list(issues: Sequence[NewsletterIssue], total: int, channel_id: str | None) -> Message:
    where = (f"Posted to {channel_link(channel_id)}." if channel_id
             else "No newsletter channel yet: `/cop newsletter channel #channel`.")
    if not issues:
        return Message.of("No newsletter yet", [section(
            f"*Newsletters*\nNone yet: one is drafted on the first working day of each month, or now with "
            f"`/cop newsletter draft`. {where}")])
    lines = []
    for issue in issues:
        featured = f" · featuring {escape(issue.featured.name)}" if issue.featured else ""
        by = f" by {escape(issue.decided_by.display_name or 'an overall lead')}" if issue.decided_by else ""
        when = f" {slack_date(issue.decided_at, '{date_short}')}" if issue.decided_at else ""
        lines.append(f"• *{Month.from_key(issue.month).label}*: {STATUS_WORDS[issue.status]}{by}{when}{featured}")
    return Message.of("Newsletters", [section("*Newsletters*, newest first"),
                                      section(fit_lines(lines, hidden=total - len(issues))), context(where)])


def channel_reply(channel_id: str) -> Message:
    return Message.of("Newsletter channel set", [section(
        f"The newsletter is posted to {channel_link(channel_id)} once an overall lead approves it; copbot is in "
        "that channel.")])


def feature_reply(name: str) -> Message:
    return Message.of(f"{name} is featured next", [section(
        f":star2: *{escape(name)}* is featured in the next newsletter drafted; after it is posted, the rotation "
        "takes over again.")])

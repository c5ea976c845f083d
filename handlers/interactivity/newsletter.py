"""An overall lead's Approve / Edit / Skip on a newsletter draft, the edit form, and "This helped" on knowledge."""

from __future__ import annotations

import re

from bot.blocks import newsletter as blocks
from bot.blocks.knowledge import helped_reply
from bot.cards import CardEdit
from handlers.base import Request
from handlers.ids import ActionId, BlockId, ViewId
from handlers.routes import Routes
from models.deliveries import enqueue
from models.errors import BadArgument, NotPermitted
from models.knowledge.helped import press_helped
from models.knowledge.items import get_item
from models.newsletter import NewsletterIssue, issues
from models.numbers import whole_number
from models.people import Person, is_overall_lead


def _issue_named(request: Request, value: str) -> tuple[NewsletterIssue, Person]:
    """The issue a draft's button (or edit form) names, as `<issue id>.<version>`, for an overall lead. A draft
    superseded by a redraft is refused: a button acts only on the draft its message shows."""
    number, dot, version = value.partition(".")
    issue_id = whole_number(number)
    if issue_id is None or (dot and not (version.isascii() and version.isdigit())):
        raise BadArgument("That button no longer points at a newsletter.")
    person = request.person()
    if not is_overall_lead(person, request.services.settings.admin_ids):
        raise NotPermitted("Only an overall CoP lead can decide on the newsletter.")
    issue = issues.get_issue(request.session, team_id=request.team_id, issue_id=issue_id)
    if dot and version != issues.draft_version(issue):
        raise BadArgument(blocks.superseded_text(issue))
    return issue, person


def _value(request: Request) -> str:
    return str(((request.body.get("actions") or [{}])[0]).get("value", ""))


def handle_newsletter_approve_action(request: Request) -> None:
    issue, person = _issue_named(request, _value(request))
    channel = issues.approve(request.session, issue=issue, by=person, now=request.now)
    message = blocks.issue_message(issue)
    # Keyed by the issue: however many overall leads press Approve, and however often, it is posted once.
    enqueue(request.session, key=issues.post_key(issue), team_id=request.team_id, channel=channel,
            text=message.text, blocks=message.blocks, kind="newsletter", now=request.now)
    request.update_original(blocks.decided_original(issue))


def handle_newsletter_skip_action(request: Request) -> None:
    issue, person = _issue_named(request, _value(request))
    issues.skip(request.session, issue=issue, by=person, now=request.now)
    request.update_original(blocks.decided_original(issue))


def handle_newsletter_edit_action(request: Request) -> None:
    issue, _ = _issue_named(request, _value(request))
    issues.require_draft(issue)
    container = request.body.get("container") or {}
    metadata = f"{issue.id}.{issues.draft_version(issue)}:{container.get('channel_id', '')}:" \
               f"{container.get('message_ts', '')}"
    trigger_id = request.body.get("trigger_id", "")
    view = blocks.edit_form(issue, metadata)
    request.after_commit(lambda: request.client.views_open(trigger_id=trigger_id, view=view))


def handle_newsletter_edit_submission(request: Request) -> None:
    view = request.body.get("view") or {}
    values = (view.get("state") or {}).get("values") or {}
    intro = ((values.get(BlockId.NEWSLETTER_INTRO) or {}).get(ActionId.NEWSLETTER_INTRO) or {}).get("value") or ""
    chosen = ((values.get(BlockId.NEWSLETTER_CUTS) or {}).get(ActionId.NEWSLETTER_CUTS) or {}).get(
        "selected_options") or []
    issue_id, _, where = str(view.get("private_metadata", "")).partition(":")
    channel, _, ts = where.partition(":")
    issue, _ = _issue_named(request, issue_id)
    issues.edit(request.session, issue=issue, intro=intro, cuts=[str(o.get("value", "")) for o in chosen])
    settings = issues.settings_of(request.session, team_id=request.team_id)
    if channel and ts:  # the draft shows what it now is: the introduction on top, the cut sections gone
        request.update_after_commit(CardEdit(channel, ts, blocks.draft_dm(issue, settings.channel_id if settings
                                                                          else None)))


def handle_kb_helped_action(request: Request) -> None:
    item_id = whole_number(_value(request))
    if item_id is None:
        raise BadArgument("That button no longer points at a knowledge item.")
    item = get_item(request.session, team_id=request.team_id, item_id=item_id)
    request.reply(helped_reply(item, press_helped(request.session, item=item, person=request.person(),
                                                  now=request.now)))


def register(routes: Routes) -> None:
    routes.action(ActionId.NEWSLETTER_APPROVE.value, handle_newsletter_approve_action)
    routes.action(ActionId.NEWSLETTER_EDIT.value, handle_newsletter_edit_action)
    routes.action(ActionId.NEWSLETTER_SKIP.value, handle_newsletter_skip_action)
    routes.view(ViewId.NEWSLETTER_EDIT.value, handle_newsletter_edit_submission)
    routes.action(re.compile(rf"^{re.escape(ActionId.KB_HELPED.value)}\.\d+$"), handle_kb_helped_action)

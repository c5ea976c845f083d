"""Buttons on action messages and DMs, and the lesson modal: the same steps as the commands."""

from __future__ import annotations

from bot.blocks import actions as action_blocks
from bot.blocks import knowledge as knowledge_blocks
from bot.render import Message
from handlers import action_steps as steps
from handlers.base import Request
from handlers.ids import ActionId, BlockId, ViewId
from handlers.routes import Routes
from models.actions import Action
from models.actions.queries import get_action
from models.actions.workflow import Actor
from models.deliveries import enqueue
from models.errors import BadArgument
from models.knowledge.items import record_lesson
from models.numbers import whole_number
from models.tags import clean_tags


def _clicked(request: Request) -> tuple[Action, Actor]:
    value = str(((request.body.get("actions") or [{}])[0]).get("value", ""))
    number = whole_number(value)
    if number is None:
        raise BadArgument("That button no longer points at an action.")
    return steps.load(request, number)


def _answer(request: Request, reply: Message) -> None:
    """Tell the clicker what came of it: in a DM (an offer, a reminder) the message whose buttons were
    pressed becomes the answer, so that its buttons go and the answer is said once; elsewhere, privately."""
    if request.channel_id.startswith("D"):
        request.update_original(reply)
    else:
        request.reply(reply)


def handle_claim_button_action(request: Request) -> None:
    action, actor = _clicked(request)
    _answer(request, steps.claim(request, action, actor))


def handle_done_button_action(request: Request) -> None:
    action, actor = _clicked(request)
    _answer(request, steps.complete(request, action, actor))


def handle_decline_button_action(request: Request) -> None:
    action, actor = _clicked(request)
    _answer(request, steps.decline(request, action, actor))


def handle_record_lesson_button_action(request: Request) -> None:
    action, _ = _clicked(request)
    trigger_id = request.body.get("trigger_id", "")
    view = action_blocks.lesson_modal(action)
    # Opened right after the commit: well inside the trigger's three seconds, and outside the transaction.
    request.after_commit(lambda: request.client.views_open(trigger_id=trigger_id, view=view))


def handle_lesson_modal_submission(request: Request) -> None:
    view = request.body.get("view") or {}
    values = (view.get("state") or {}).get("values") or {}
    text = ((values.get(BlockId.LESSON_TEXT) or {}).get(ActionId.LESSON_TEXT) or {}).get("value") or ""
    tags = ((values.get(BlockId.LESSON_TAGS) or {}).get(ActionId.LESSON_TAGS) or {}).get("value") or ""
    metadata = str(view.get("private_metadata", ""))
    number = whole_number(metadata)
    if number is None:
        raise BadArgument("That form no longer points at an action.")
    action = get_action(request.session, team_id=request.team_id, action_id=number)
    item = record_lesson(request.session, action=action, author=request.person(), text=text,
                         tags=clean_tags(tags.replace(",", " ").split()), now=request.now)
    shared = knowledge_blocks.lesson_shared(item, action)
    community = action.community
    # The form closes when submitted; the channel seeing the lesson is both the thanks and the point.
    enqueue(request.session, key=f"knowledge:{item.id}:shared", team_id=community.team_id,
            channel=community.channel_id, text=shared.text, blocks=shared.blocks, kind="knowledge",
            community_id=community.id, now=request.now)


def register(routes: Routes) -> None:
    routes.action(ActionId.ACTION_CLAIM.value, handle_claim_button_action)
    routes.action(ActionId.ACTION_DONE.value, handle_done_button_action)
    routes.action(ActionId.ACTION_DECLINE.value, handle_decline_button_action)
    routes.action(ActionId.LESSON_RECORD.value, handle_record_lesson_button_action)
    routes.view(ViewId.LESSON.value, handle_lesson_modal_submission)

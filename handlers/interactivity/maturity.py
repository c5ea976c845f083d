"""Answer on a maturity self-assessment: the form, one select per dimension, and its submission."""

from __future__ import annotations

from typing import Any

from bot.blocks import maturity as blocks
from bot.cards import show_current
from bot.render import error_message, notice
from handlers.base import Request, request_key, request_kind
from handlers.errors import InvalidFields
from handlers.ids import ActionId, ViewId
from handlers.routes import Routes
from models.communities import Community
from models.deliveries import delivery_by_key
from models.errors import BadArgument, NotPermitted, UserFacingError
from models.maturity import DIMENSIONS, MaturityAssessment, answer, answered_so_far, forget_form, get_assessment
from models.numbers import whole_number
from models.people import require_member


def _assessment(request: Request, value: str) -> tuple[MaturityAssessment, Community]:
    assessment_id = whole_number(value)
    if assessment_id is None:
        raise BadArgument("That button no longer points at an assessment.")
    assessment = get_assessment(request.session, team_id=request.team_id, assessment_id=assessment_id)
    return assessment, request.session.get_one(Community, assessment.community_id)


def _refresh(request: Request, assessment: MaturityAssessment, community: Community) -> None:
    """Show how many have answered on the assessment's message (never what they answered)."""
    delivery = delivery_by_key(request.session, key=blocks.assessment_key(assessment.id))
    if delivery is None:
        return
    message = blocks.assessment_message(community, assessment, now=request.now,
                                        answered=answered_so_far(request.session, assessment=assessment))
    request.update_after_commit(show_current(delivery, message))


def handle_maturity_answer_action(request: Request) -> None:
    value = str(((request.body.get("actions") or [{}])[0]).get("value", ""))
    assessment, community = _assessment(request, value)
    if not assessment.is_open(request.now):
        _refresh(request, assessment, community)
        request.reply(notice("This assessment has closed; its results show on its message once counted."))
        return
    require_member(request.session, community=community, person=request.person())
    trigger_id = request.body.get("trigger_id", "")
    view = blocks.answer_form(community, assessment)
    # Opened right after the commit: well inside the trigger's three seconds, and outside the transaction.
    request.after_commit(lambda: request.client.views_open(trigger_id=trigger_id, view=view))


def _chosen(view: dict[str, Any]) -> list[int]:
    """The stage chosen for each dimension, in the model's order; a missing or unknown one is refused there."""
    values = (view.get("state") or {}).get("values") or {}
    stages, missing = [], {}
    for dimension in DIMENSIONS:
        block_id = blocks.stage_block_id(dimension.key)
        chosen = ((values.get(block_id) or {}).get(ActionId.MATURITY_STAGE) or {}).get("selected_option") or {}
        stage = str(chosen.get("value", ""))
        if stage not in ("1", "2", "3", "4", "5"):
            missing[block_id] = "Choose the stage that is most true today."
            continue
        stages.append(int(stage))
    if missing:
        raise InvalidFields(missing)
    return stages


def _submitted(request: Request) -> tuple[MaturityAssessment, Community, list[int]]:
    view = request.body.get("view") or {}
    assessment, community = _assessment(request, str(view.get("private_metadata", "")))
    if not assessment.is_open(request.now):
        raise NotPermitted("This assessment closed while you were answering; your answers were not recorded.")
    require_member(request.session, community=community, person=request.person())
    return assessment, community, _chosen(view)


def check_maturity_answer_submission(request: Request) -> None:
    """Checked before Slack is answered, so that a refusal shows on the form."""
    _submitted(request)


def handle_maturity_answer_submission(request: Request) -> None:
    try:
        assessment, community, stages = _submitted(request)
        again = answer(request.session, assessment=assessment, community=community, person=request.person(),
                       stages=stages, now=request.now)
    except UserFacingError as refused:
        # Refused after the form's checks passed (it closed in between): told by DM, as a refused form is, and
        # the choices leave the request log all the same rather than waiting there a day under the person's id.
        forget_form(request.session, request_key=request_key(request.body, request_kind(request.body)))
        told = error_message(str(refused))
        request.after_commit(lambda: request.client.chat_postMessage(channel=request.user_id, text=told.text,
                                                                     blocks=told.blocks))
        return
    forget_form(request.session, request_key=request_key(request.body, request_kind(request.body)))
    request.reply_channel = community.channel_id
    request.reply(blocks.answered_reply(again=again))
    _refresh(request, assessment, community)


def register(routes: Routes) -> None:
    routes.action(ActionId.MATURITY_ANSWER.value, handle_maturity_answer_action)
    routes.view(ViewId.MATURITY_ANSWER.value, handle_maturity_answer_submission,
                validate=check_maturity_answer_submission)

"""The standup modal: opened from "Post my update" / "Write my update", submitted with the answers."""

from __future__ import annotations

from bot.blocks.standups import answer_modal, late_dm
from handlers.base import Request
from handlers.ids import ActionId, BlockId, ViewId
from handlers.routes import Routes
from handlers.standup_steps import post_form_update, record_update
from models.deliveries import enqueue
from models.errors import BadArgument
from models.numbers import whole_number
from models.people import require_member_or_overall_lead
from models.standups.runs import answer_of, get_run


def handle_standup_open_action(request: Request) -> None:
    value = str(((request.body.get("actions") or [{}])[0]).get("value", ""))
    run = get_run(request.session, team_id=request.team_id, run_id=whole_number(value) or 0)
    if not run.open:
        raise BadArgument("That standup has closed; its summary is in the channel.")
    person = request.person()
    community = run.standup.community
    require_member_or_overall_lead(request.session, community=community, person=person,
                                   admin_ids=request.services.settings.admin_ids)
    mine = answer_of(request.session, run=run, person=person)
    view = answer_modal(run_id=run.id, community=community.name, questions=run.questions,
                        answers=(mine.answers or []) if mine else [])
    # A trigger_id lives three seconds: the modal opens now, not after the transaction.
    request.client.views_open(trigger_id=request.body["trigger_id"], view=view)


def handle_standup_modal_submission(request: Request) -> None:
    view = request.body.get("view") or {}
    metadata = str(view.get("private_metadata", ""))
    run = get_run(request.session, team_id=request.team_id, run_id=whole_number(metadata) or 0)
    values = (view.get("state") or {}).get("values") or {}
    answers = [str(((values.get(f"{BlockId.STANDUP_QUESTION}:{n}") or {}).get(ActionId.STANDUP_ANSWER) or {})
                   .get("value") or "") for n in range(len(run.questions))]
    person = request.person()
    if not run.open:
        # The modal is already closed (acknowledged first), so the person hears it by DM.
        message = late_dm(run.standup.community.name)
        enqueue(request.session, key=f"standup:{run.id}:late:{person.user_id}", team_id=request.team_id,
                channel=person.user_id, text=message.text, blocks=message.blocks, kind="standup_late",
                community_id=run.standup.community_id, now=request.now)
        return
    row = record_update(request, run=run, person=person, answers=answers, permalink=None, add=False)
    post_form_update(request, run=run, row=row)


def register(routes: Routes) -> None:
    routes.action(ActionId.STANDUP_OPEN.value, handle_standup_open_action)
    routes.view(ViewId.STANDUP_ANSWER.value, handle_standup_modal_submission)

"""An overall lead's Approve / Decline on a budget request, and the form asking why it is declined."""

from __future__ import annotations

from bot.blocks import governance as blocks
from handlers.base import Request
from handlers.ids import ActionId, BlockId, ViewId
from handlers.routes import Routes
from models.deliveries import enqueue
from models.errors import BadArgument, NotPermitted
from models.governance import budget as money
from models.governance.budget import BudgetLine
from models.people import Person, is_overall_lead


def _request_named(request: Request, value: str) -> tuple[BudgetLine, Person]:
    if not value.isdigit() or len(value) > 9:
        raise BadArgument("That button no longer points at a budget request.")
    person = request.person()
    if not is_overall_lead(person, request.services.settings.admin_ids):
        raise NotPermitted("Only an overall CoP lead can decide on a budget request.")
    return money.get_request(request.session, team_id=request.team_id, line_id=int(value)), person


def _clicked(request: Request) -> tuple[BudgetLine, Person]:
    return _request_named(request, str(((request.body.get("actions") or [{}])[0]).get("value", "")))


def _decided(request: Request, line: BudgetLine) -> None:
    """Tell the requester, either way, and turn the decider's DM into what was decided."""
    currency = money.currency_of(request.session, team_id=request.team_id)
    request.session.refresh(line)
    told = blocks.decided_dm(line, currency)
    if line.person is not None:
        enqueue(request.session, key=f"budget:{line.id}:decided", team_id=request.team_id,
                channel=line.person.user_id, text=told.text, blocks=told.blocks, kind="budget",
                community_id=line.community_id, now=request.now)
    request.update_original(blocks.decided_original(line, currency))


def handle_budget_approve_button_action(request: Request) -> None:
    line, person = _clicked(request)
    money.decide(line, approve=True, by=person, now=request.now)
    request.session.flush()
    _decided(request, line)


def handle_budget_decline_button_action(request: Request) -> None:
    line, _ = _clicked(request)
    money.require_pending(line)  # no form for a request already decided
    trigger_id = request.body.get("trigger_id", "")
    view = blocks.decline_modal(line, money.currency_of(request.session, team_id=request.team_id))
    request.after_commit(lambda: request.client.views_open(trigger_id=trigger_id, view=view))


def handle_budget_decline_submission(request: Request) -> None:
    view = request.body.get("view") or {}
    values = (view.get("state") or {}).get("values") or {}
    reason = ((values.get(BlockId.BUDGET_REASON) or {}).get(ActionId.BUDGET_REASON) or {}).get("value") or ""
    line, person = _request_named(request, str(view.get("private_metadata", "")))
    money.decide(line, approve=False, by=person, now=request.now, reason=reason)  # a form's text is as typed
    request.session.flush()
    _decided(request, line)
    request.reply(blocks.decided_original(line, money.currency_of(request.session, team_id=request.team_id)))


def register(routes: Routes) -> None:
    routes.action(ActionId.BUDGET_APPROVE.value, handle_budget_approve_button_action)
    routes.action(ActionId.BUDGET_DECLINE.value, handle_budget_decline_button_action)
    routes.view(ViewId.BUDGET_DECLINE.value, handle_budget_decline_submission)

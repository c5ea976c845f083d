"""Agree / Object on a proposed Terms of Reference, and the form that asks an objector why."""

from __future__ import annotations

from bot.blocks import terms as blocks
from bot.render import notice
from bot.terms import refresh_proposal
from handlers.base import Request
from handlers.ids import ActionId, BlockId, ViewId
from handlers.routes import Routes
from models.communities import Community
from models.errors import BadArgument, NotPermitted
from models.terms import TermsVersion, answer, get_version


def _version(request: Request, value: str) -> TermsVersion:
    if not value.isdigit() or len(value) > 9:
        raise BadArgument("That button no longer points at a proposal.")
    return get_version(request.session, team_id=request.team_id, version_id=int(value))


def _refresh(request: Request, version: TermsVersion) -> None:
    """Show the answers so far on the proposal, or, once it has closed, take its buttons away."""
    community = request.session.get_one(Community, version.community_id)
    edit = refresh_proposal(request.session, community=community, version=version, now=request.now)
    request.update_after_commit(edit)


def _clicked(request: Request) -> TermsVersion | None:
    """The proposal whose button was pressed, if it still takes answers; if not, the clicker is told so."""
    version = _version(request, str(((request.body.get("actions") or [{}])[0]).get("value", "")))
    if version.takes_answers(request.now):
        return version
    _refresh(request, version)
    request.reply(notice("This proposal no longer takes answers."))
    return None


def _answer(request: Request, version: TermsVersion, *, agree: bool, reason: str | None) -> None:
    answer(request.session, version=version, person=request.person(), agree=agree, reason=reason, now=request.now)
    _refresh(request, version)


def handle_tor_agree_action(request: Request) -> None:
    version = _clicked(request)
    if version is not None:
        _answer(request, version, agree=True, reason=None)
        request.reply(blocks.answered_reply(True))


def handle_tor_object_action(request: Request) -> None:
    version = _clicked(request)
    if version is None:
        return
    trigger_id = request.body.get("trigger_id", "")
    view = blocks.objection_form(version)
    # Opened right after the commit: well inside the trigger's three seconds, and outside the transaction.
    request.after_commit(lambda: request.client.views_open(trigger_id=trigger_id, view=view))


def handle_tor_objection_submission(request: Request) -> None:
    view = request.body.get("view") or {}
    values = (view.get("state") or {}).get("values") or {}
    reason = ((values.get(BlockId.TOR_REASON) or {}).get(ActionId.TOR_REASON) or {}).get("value") or ""
    version = _version(request, str(view.get("private_metadata", "")))
    if not version.takes_answers(request.now):
        raise NotPermitted("This proposal closed while you were writing; your objection was not recorded.")
    _answer(request, version, agree=False, reason=reason)


def register(routes: Routes) -> None:
    routes.action(ActionId.TOR_AGREE.value, handle_tor_agree_action)
    routes.action(ActionId.TOR_OBJECT.value, handle_tor_object_action)
    routes.view(ViewId.TOR_OBJECTION.value, handle_tor_objection_submission)

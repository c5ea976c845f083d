"""`/cop export [json | csv]` and `/cop forget-me`: a copy of one's records, and being forgotten."""

from __future__ import annotations

import logging
import tempfile

from bot.blocks import datarights as blocks
from bot.files import share_file_in_dm
from handlers.action_steps import left_community
from handlers.base import Request
from handlers.commands.registry import Command, Topic
from handlers.commands.resolve import community_here
from handlers.ids import ActionId
from handlers.routes import Routes
from models.datarights import (
    FORMATS,
    communities_joined,
    community_kinds,
    forget_person,
    personal_kinds,
    write_export,
)
from models.errors import BadArgument, NotPermitted
from models.people import is_community_lead

logger = logging.getLogger(__name__)


def handle_export(request: Request, args: str) -> None:
    """Build the file in this transaction (one consistent reading), share it once it commits."""
    fmt = args.strip().lower() or "json"
    if fmt not in FORMATS:
        raise BadArgument(f"I can export as `json` or `csv`, not `{fmt[:20]}`.")
    person = request.person()
    community = community_here(request)
    if community is not None and is_community_lead(request.session, community=community, person=person,
                                                   admin_ids=request.services.settings.admin_ids):
        kinds = community_kinds(community=community)
        what, stem = f"*{community.name}*'s records", f"community-{community.id}"
    else:
        kinds = personal_kinds(person=person)
        what, stem = "your own records", "my-records"
    filename = f"copbot-{stem}-{request.now:%Y%m%d}.{'zip' if fmt == 'csv' else 'json'}"
    # On disk, not in memory: a large community's export may be big.
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (closed after the upload)
    summary = write_export(request.session, kinds=kinds, fmt=fmt, out=spool)
    request.reply(blocks.export_sent(what=what, filename=filename, counts=summary.counts))
    user_id = request.user_id

    def share() -> None:
        try:
            share_file_in_dm(request.client, user_id=user_id, file=spool, filename=filename,
                             title=f"copbot export ({fmt})", comment=f"Your export of {what}, as you asked.")
        except Exception as error:
            logger.warning("could not share an export (%s)", type(error).__name__)
            request.replies[:] = [blocks.export_failed()]
        finally:
            spool.close()

    request.after_commit(share)


def handle_forget_me(request: Request, args: str) -> None:
    if args.strip():
        raise BadArgument("`/cop forget-me` takes nothing after it; it asks you to confirm first.")
    request.reply(blocks.forget_me_question(request.user_id))


def handle_forget_me_confirm_action(request: Request) -> None:
    """"Forget me" pressed: only by the person who asked, for themselves."""
    actions = request.body.get("actions") or [{}]
    if str(actions[0].get("value") or "") != request.user_id:
        raise NotPermitted("Only the person who asked to be forgotten can confirm it.")
    person = request.person()
    for community in communities_joined(request.session, person=person):
        left_community(request, community, person)
    forgotten = forget_person(request.session, person=person, now=request.now)
    request.update_original(blocks.forgotten(forgotten.rows_rewritten))


def register(routes: Routes) -> None:
    routes.action(ActionId.FORGET_ME_CONFIRM.value, handle_forget_me_confirm_action)


DATA = Topic("export", aliases=("forget-me", "data"), about=(
    "Your data. `/cop export` sends you a file by DM: in a community's channel, a lead gets all of that community's "
    "records (meetings, minutes, decisions, actions, knowledge, contributions, kudos, standups, memberships); anyone "
    "else gets their own. `/cop forget-me` deletes your profile and preferences after you confirm, and your name in "
    "every record becomes \"a former member\"; the community's records and counts stay whole."), commands=(
    Command("export", handle_export, usage="[json | csv]",
            help="a lead, in the community's channel: its records; anyone: their own; sent to you by DM as one JSON "
                 "document or a zip of CSV files", examples=("/cop export", "/cop export csv")),
    Command("forget-me", handle_forget_me,
            help="after a button to confirm: your profile and preferences are deleted and your name in every record "
                 "becomes \"a former member\"; what you did still counts", examples=("/cop forget-me",)),
))

"""`/cop tor`: the Terms of Reference the community writes together. Leads and secretaries edit the draft,
a lead proposes it to the members and ratifies it; anyone reads the ratified text and every version."""

from __future__ import annotations

from bot.blocks import preferences
from bot.blocks import terms as blocks
from bot.terms import post_proposal, refresh_proposal
from handlers.base import Request
from handlers.commands.registry import Command, Topic, Who
from handlers.commands.resolve import led_community, target_community
from models.errors import BadArgument, NotPermitted
from models.people import is_drafter
from models.terms import (
    DEFAULT_PROPOSAL_DAYS,
    TOR_FIELDS,
    answer_counts,
    history,
    names_of,
    propose,
    ratify,
    set_term,
    terms_of,
)


def handle_tor_show(request: Request, args: str) -> None:
    community = target_community(request)
    request.reply(preferences.terms(community, terms_of(request.session, community=community)))


def handle_tor_history(request: Request, args: str) -> None:
    community = target_community(request)
    versions, edits = history(request.session, community=community)
    people = {p for v in versions for p in (v.proposed_by_id, v.ratified_by_id) if p}
    people |= {e.by_id for found in edits.values() for e in found if e.by_id}
    names = names_of(request.session, person_ids=people)
    counts = {v.id: answer_counts(request.session, version=v) for v in versions if v.proposed_at}
    request.reply(blocks.history_message(community, versions, edits, names, counts))


def handle_tor_set(request: Request, args: str) -> None:
    community = target_community(request)
    field, _, text = args.strip().partition(" ")
    if not field:
        raise BadArgument(f"Say which field to set: {', '.join(TOR_FIELDS)}.")
    person = request.person()
    if not is_drafter(request.session, community=community, person=person,
                      admin_ids=request.services.settings.admin_ids):
        raise NotPermitted(f"Only a lead or secretary of *{community.name}* can edit its draft Terms of Reference.")
    draft = set_term(request.session, community=community, field=field, text=request.plain(text), by=person,
                     now=request.now)
    request.reply(blocks.draft_reply(community, draft))


def handle_tor_propose(request: Request, args: str) -> None:
    word = args.strip()
    if word and (not word.isdigit() or len(word) > 3):
        raise BadArgument("Say for how many days the proposal takes answers, e.g. `/cop tor propose 7`.")
    community, person = led_community(request, doing="propose its Terms of Reference")
    version = propose(request.session, community=community, by=person,
                      days=int(word) if word else DEFAULT_PROPOSAL_DAYS, now=request.now)
    post_proposal(request.session, community=community, version=version, now=request.now)
    request.reply(blocks.proposed_reply(version))


def handle_tor_ratify(request: Request, args: str) -> None:
    if args.strip():
        raise BadArgument("`/cop tor ratify` takes nothing after it: it ratifies the open proposal.")
    community, person = led_community(request, doing="ratify its Terms of Reference")
    version = ratify(request.session, community=community, by=person, now=request.now)
    edit = refresh_proposal(request.session, community=community, version=version, now=request.now)
    request.update_after_commit(edit)
    request.reply(blocks.ratified_reply(community, version))


TOR = Topic("tor", about=(
    "The community's Terms of Reference, written together: title, purpose, objectives, scope, members (and key "
    "roles), cadence and guests. Its leads and secretaries edit a draft; a lead puts it to the members, who agree "
    "or object (with a reason) in the channel, one answer each, changeable until it closes (7 days unless said); "
    "a lead then ratifies it, and newcomers are shown that version. Every version is kept, with who changed, "
    "proposed and ratified it, and how many agreed and objected; the leads are asked to review it every year."),
    commands=(
    Command("tor show", handle_tor_show, bare=True, help="the community's ratified Terms of Reference",
            examples=("/cop tor",)),
    Command("tor history", handle_tor_history,
            help="every version: who changed what and when, who proposed and ratified it, how many agreed and "
                 "objected", examples=("/cop tor history",)),
    Command("tor set", handle_tor_set, usage="<title|purpose|objectives|scope|members|cadence|guests> <text>",
            who=Who.LEADS,
            help="leads and secretaries write a field of the draft (an empty text clears it)",
            examples=("/cop tor set purpose Share what we learn running production systems",
                      "/cop tor set cadence Monthly, first Tuesday, 15:00 London")),
    Command("tor propose", handle_tor_propose, usage="[<days>]", who=Who.LEADS,
            help="put the draft to the community: a message in the channel with Agree / Object, open for 7 days "
                 "unless said", examples=("/cop tor propose", "/cop tor propose 14")),
    Command("tor ratify", handle_tor_ratify, who=Who.LEADS,
            help="make the proposal the Terms of Reference in force, the version newcomers are shown",
            examples=("/cop tor ratify",)),
))

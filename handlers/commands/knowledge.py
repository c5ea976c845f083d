"""`/cop kb ...`: the community's knowledge, kept and found again."""

from __future__ import annotations

from bot.blocks import knowledge as blocks
from handlers.base import Request
from handlers.commands.parse import first_link, take_hashtags
from handlers.commands.registry import Command, Topic
from handlers.commands.resolve import target_community
from handlers.mentions import note_mentions
from models.deliveries import enqueue
from models.errors import BadArgument
from models.knowledge import KnowledgeKind
from models.knowledge.helped import helped_counts
from models.knowledge.items import add_item, awaiting_review, can_review, get_item, promote_item, recent_items
from models.knowledge.search import search
from models.mentions import MentionSource
from models.numbers import whole_number
from models.people import is_community_lead, require_member

KIND_WORDS = {"tip": KnowledgeKind.TIP, "guideline": KnowledgeKind.GUIDELINE, "lesson": KnowledgeKind.LESSON,
              "lesson-learned": KnowledgeKind.LESSON, "link": KnowledgeKind.LINK}


def handle_kb_add(request: Request, args: str) -> None:
    word, _, rest = args.strip().partition(" ")
    kind = KIND_WORDS.get(word.lower())
    tags, text = take_hashtags(rest if kind else args)
    url = first_link(text)
    readable = request.plain(text, urls=False).strip()
    if kind is None:
        kind = KnowledgeKind.LINK if url and readable in ("", url) else KnowledgeKind.TIP
    community = target_community(request)
    person = request.person()
    admins = request.services.settings.admin_ids
    if not is_community_lead(request.session, community=community, person=person, admin_ids=admins):
        require_member(request.session, community=community, person=person)
    item, _ = add_item(request.session, community=community, kind=kind, text=readable, url=url, added_by=person,
                       tags=tags, now=request.now,
                       reviewer=can_review(request.session, community=community, person=person, admin_ids=admins))
    note_mentions(request, text, community_id=community.id, source=MentionSource.KNOWLEDGE, record_id=item.id,
                  by=person, text=item.title, permalink=item.url or item.source_permalink)
    request.reply(blocks.added_reply(item))


def handle_kb_search(request: Request, args: str) -> None:
    words = request.plain(args, urls=False).strip()
    if not words:
        raise BadArgument("Say what to look for, e.g. `/cop kb search terraform state`.")
    hits = search(request.session, team_id=request.team_id, text=words)
    found = [hit.item for hit in hits]
    request.reply(blocks.search_results(words, found, helped_counts(request.session, item_ids=[i.id for i in found])))


def handle_kb_review(request: Request, args: str) -> None:
    community = target_community(request)
    request.reply(blocks.item_list(f"Tips awaiting an SME's review in {community.name}",
                                   awaiting_review(request.session, community=community),
                                   empty="None: every tip has been reviewed.",
                                   hint="An SME or a lead promotes one with `/cop kb promote <id>`."))


def handle_kb_promote(request: Request, args: str) -> None:
    number = whole_number(args.strip().lstrip("#"))
    if number is None:
        raise BadArgument("Say which item by its number, e.g. `/cop kb promote 7`.")
    item = get_item(request.session, team_id=request.team_id, item_id=number)
    reviewer = request.person()
    may = can_review(request.session, community=item.community, person=reviewer,
                     admin_ids=request.services.settings.admin_ids)
    promote_item(request.session, item=item, reviewer=reviewer, may_review=may, now=request.now)
    message = blocks.guideline_announcement(item, reviewer)
    community = item.community
    enqueue(request.session, key=f"knowledge:{item.id}:guideline", team_id=community.team_id,
            channel=community.channel_id, text=message.text, blocks=message.blocks, kind="knowledge",
            community_id=community.id, now=request.now)
    request.reply(blocks.promoted_reply(item))


def handle_kb_list(request: Request, args: str) -> None:
    community = target_community(request)
    found = recent_items(request.session, community=community)
    request.reply(blocks.item_list(f"Latest knowledge of {community.name}", found,
                                   empty="Nothing yet: `/cop kb add <tip or link>`, or react :pushpin: to a message.",
                                   hint="`/cop kb search <words>` searches every community's knowledge.",
                                   helped=helped_counts(request.session, item_ids=[i.id for i in found])))


KB = Topic("kb", about=(
    "The community's knowledge: tips, lessons learned, links and guidelines, with tags. Search looks through every "
    "community's titles, text and tags, best match first. An SME or a lead reviews tips and promotes the good ones "
    "to guidelines. React :pushpin: to a message to keep it; closing an action offers to record its lesson."),
    commands=(
    Command("kb add", handle_kb_add, usage="[tip | lesson | link | guideline] <text or link> [#tag ...]",
            help="keep a piece of knowledge; only an SME or a lead adds a guideline directly",
            examples=("/cop kb add Run terraform plan on every PR #terraform #ci",)),
    Command("kb search", handle_kb_search, usage="<words>", aliases=("kb find",),
            help="ranked search across every community's titles, text and tags",
            examples=("/cop kb search terraform state",)),
    Command("kb review", handle_kb_review, help="tips awaiting an SME's review", examples=("/cop kb review",)),
    Command("kb promote", handle_kb_promote, usage="<id>", help="an SME or a lead promotes a tip to a guideline",
            examples=("/cop kb promote 7",)),
    Command("kb list", handle_kb_list, bare=True, help="the community's latest knowledge", examples=("/cop kb",)),
))

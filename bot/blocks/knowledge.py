"""How knowledge items look: replies, search results, the review queue and what the channel sees."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from slack_sdk.models.blocks import ButtonElement, SectionBlock
from slack_sdk.models.blocks.basic_components import MarkdownTextObject

from bot.blocks import name, tag_list
from bot.render import SECTION_LIMIT, Message, context, escape, fit_lines, plural, section, slack_date, truncate
from handlers.ids import ActionId
from models.actions import Action
from models.knowledge import KnowledgeItem, KnowledgeKind
from models.knowledge.helped import Helped
from models.people import Person

KIND_LABELS = {
    KnowledgeKind.TIP: ":bulb: tip",
    KnowledgeKind.GUIDELINE: ":white_check_mark: guideline",
    KnowledgeKind.LESSON: ":mortar_board: lesson learned",
    KnowledgeKind.LINK: ":link: link",
}


def _link(item: KnowledgeItem) -> str:
    parts = []
    if item.url:
        parts.append(f"<{escape(item.url)}|{escape(truncate(item.url, 60))}>")
    if item.source_permalink:
        parts.append(f"<{item.source_permalink}|from a message>")
    if item.action_id:
        parts.append(f"from action #{item.action_id}")
    return " · ".join(parts)


def item_line(item: KnowledgeItem, *, with_community: bool = False) -> str:
    return f"`#{item.id}` {KIND_LABELS[item.kind]}: {_described(item, with_community=with_community)}"


def _described(item: KnowledgeItem, *, with_community: bool = False) -> str:
    """An item's title, tags and links, after whatever names its number and kind."""
    line = f"*{escape(item.title)}*"
    if item.tags:
        line += f" {tag_list(item.tags)}"
    extras = [x for x in (_link(item), escape(item.community.name) if with_community else "") if x]
    return line + (" · " + " · ".join(extras) if extras else "")


def added_reply(item: KnowledgeItem) -> Message:
    return Message.of(f"Saved knowledge item #{item.id}", [
        section(f":white_check_mark: Saved as {KIND_LABELS[item.kind]} `#{item.id}`: {_described(item)}"),
        context("`/cop kb search &lt;words&gt;` finds it again"
                + ("; an SME or a lead can promote it to a guideline." if item.kind == KnowledgeKind.TIP else ".")),
    ])


def helped_note(count: int) -> str:
    """The count beside an item: how many people said it helped them."""
    return f":raised_hands: helped {plural(count, 'person', 'people')}" if count else ""


def helped_button(item_id: int) -> ButtonElement:
    # Ids must differ within a block (a digest puts several in one): `kb_helped.<id>`.
    return ButtonElement(text="This helped", action_id=f"{ActionId.KB_HELPED}.{item_id}", value=str(item_id))


def search_results(words: str, items: Sequence[KnowledgeItem], helped: Mapping[int, int] | None = None) -> Message:
    """Each item with its count and a "This helped" button beside it."""
    if not items:
        return Message.of("Nothing found", [section(f"Nothing in the knowledge base matches “{escape(words)}”."),
                                            context("Try fewer or other words, or a tag.")])
    blocks = [section(f"*Knowledge matching “{escape(words)}”*, best first")]
    for item in items:
        body = item.body if item.body and item.body != item.title else ""
        note = helped_note((helped or {}).get(item.id, 0))
        line = (item_line(item, with_community=True) + (f" · {note}" if note else "")
                + (f"\n>{escape(truncate(body, 200))}" if body else ""))
        blocks.append(SectionBlock(text=MarkdownTextObject(text=truncate(line, SECTION_LIMIT)),
                                   accessory=helped_button(item.id)))
    blocks.append(context("Press “This helped” on what you used: the most reused knowledge is in the monthly "
                          "newsletter. Press again to take it back."))
    return Message.of(f"Knowledge matching {words}", blocks)


def helped_reply(item: KnowledgeItem, helped: Helped) -> Message:
    said = "Counted: thank you for saying so." if helped.counted else "Taken back: you no longer count for it."
    return Message.of(f"#{item.id} helped {plural(helped.total, 'person', 'people')}", [section(
        f":raised_hands: {said} *#{item.id} {escape(item.title)}* has helped "
        f"{plural(helped.total, 'person', 'people')}.")])


def item_list(heading: str, items: Sequence[KnowledgeItem], *, empty: str, hint: str,
              helped: Mapping[int, int] | None = None) -> Message:
    if not items:
        return Message.of(heading, [section(f"*{escape(heading)}*\n{escape(empty)}")])
    lines = [item_line(i) + (f" · {note}" if (note := helped_note((helped or {}).get(i.id, 0))) else "")
             for i in items]
    return Message.of(heading, [section(f"*{escape(heading)}*"), section(fit_lines(lines)), context(escape(hint))])


def promoted_reply(item: KnowledgeItem) -> Message:
    return Message.of(f"#{item.id} is now a guideline", [section(
        f":white_check_mark: *#{item.id} {escape(item.title)}* is now one of "
        f"*{escape(item.community.name)}*'s guidelines.")])


def pinned_note(item: KnowledgeItem) -> Message:
    return Message.of(f"Saved to the knowledge base as #{item.id}", [context(
        f":pushpin: Saved to *{escape(item.community.name)}*'s knowledge base as {KIND_LABELS[item.kind]} "
        f"`#{item.id}`. `/cop kb search` finds it.")])


def lesson_shared(item: KnowledgeItem, action: Action) -> Message:
    return Message.of(f"A lesson learned from action #{action.id}", [
        section(f":mortar_board: {name(item.author)} recorded a lesson from action *#{action.id} "
                f"{escape(action.title)}*:\n>{escape(truncate(item.body, 1500))}"),
        context((tag_list(item.tags) + " · " if item.tags else "")
                + f"`#{item.id}` in the knowledge base · added {slack_date(item.created_at, '{date_short}')}"),
    ])


def guideline_announcement(item: KnowledgeItem, reviewer: Person) -> Message:
    return Message.of(f"New guideline in {item.community.name}: {item.title}", [
        section(f":white_check_mark: *New guideline*, reviewed by {name(reviewer)}: *{escape(item.title)}*"
                + (f"\n>{escape(truncate(item.body, 1500))}" if item.body and item.body != item.title else "")),
        context((tag_list(item.tags) + " · " if item.tags else "") + f"`#{item.id}` · `/cop kb search` finds it"),
    ])

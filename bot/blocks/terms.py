"""The Terms of Reference's draft, its proposal in the channel with Agree / Object, the objection form,
its history and the yearly review reminder."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, InputBlock, PlainTextInputElement
from slack_sdk.models.views import View

from bot.blocks.welcome import terms_sections
from bot.render import Message, context, escape, fit_lines, plural, section, slack_date, truncate
from handlers.ids import ActionId, BlockId, ViewId
from models.communities import Community
from models.terms import MAX_REASON, TOR_FIELDS, TermsEdit, TermsVersion, VersionStatus


def proposal_key(version_id: int) -> str:
    """The proposal's message in the outbox, kept current as answers come in."""
    return f"tor:{version_id}:proposal"


def draft_reply(community: Community, draft: TermsVersion) -> Message:
    return Message.of("The draft Terms of Reference", [
        section(f"*Draft Terms of Reference of {escape(community.name)}* (version {draft.number})"),
        *(terms_sections(draft) or [section("_Every field is empty._")]),
        context("Not in force until it is proposed (`/cop tor propose`) and a lead ratifies it (`/cop tor ratify`). "
                "Fields: " + ", ".join(TOR_FIELDS) + "; an empty text clears one."),
    ])


def proposal_message(community: Community, version: TermsVersion, *, agreed: int, objected: int,
                     proposer: str, now: dt.datetime) -> Message:
    blocks: list[Block] = [
        section(f":scroll: {escape(proposer)} proposes these *Terms of Reference for {escape(community.name)}* "
                f"(version {version.number}):"),
        *terms_sections(version),
    ]
    counts = f"{plural(agreed, 'agreement')}, {plural(objected, 'objection')}"
    if version.takes_answers(now):
        blocks.append(context(f"{counts} so far. One answer each, changeable until "
                              f"{slack_date(version.closes_at or now)}; an objection asks why."))
        blocks.append(ActionsBlock(block_id=f"tor:{version.id}", elements=[
            ButtonElement(text="Agree", action_id=ActionId.TOR_AGREE, value=str(version.id), style="primary"),
            ButtonElement(text="Object", action_id=ActionId.TOR_OBJECT, value=str(version.id)),
        ]))
    elif version.status == VersionStatus.RATIFIED:
        blocks.append(context(f":white_check_mark: Ratified {slack_date(version.ratified_at or now)} with {counts}."))
    else:
        blocks.append(context(f"Closed with {counts}; it awaits a lead's ratification."))
    return Message.of(f"Proposed Terms of Reference for {community.name}", blocks)


def proposed_reply(version: TermsVersion) -> Message:
    return Message.of("Proposed", [section(
        f":scroll: Version {version.number} is in the channel for answers until "
        f"{slack_date(version.closes_at or dt.datetime.now(dt.UTC))}. A lead ratifies it with `/cop tor ratify`.")])


def ratified_reply(community: Community, version: TermsVersion) -> Message:
    return Message.of("Ratified", [section(
        f":white_check_mark: Version {version.number} of the Terms of Reference of *{escape(community.name)}* "
        f"is ratified ({plural(version.agreed or 0, 'agreement')}, {plural(version.objected or 0, 'objection')}); "
        "newcomers are shown it from now on.")])


def answered_reply(agree: bool) -> Message:
    said = "You agree" if agree else "Your objection is recorded"
    return Message.of("Answer recorded", [section(
        f":ballot_box_with_ballot: {said}; you can change your answer until the proposal closes.")])


def objection_form(version: TermsVersion) -> View:
    return View(
        type="modal", callback_id=ViewId.TOR_OBJECTION, private_metadata=str(version.id),
        title="Object", submit="Object", close="Cancel",
        blocks=[
            section(f"Version {version.number} of the Terms of Reference. What should change, and why?"),
            InputBlock(block_id=BlockId.TOR_REASON, label="Your reason",
                       element=PlainTextInputElement(action_id=ActionId.TOR_REASON, multiline=True, min_length=3,
                                                     max_length=MAX_REASON)),
        ],
    )


_STATUS = {VersionStatus.DRAFT: "draft", VersionStatus.PROPOSED: "proposed", VersionStatus.RATIFIED: "in force",
           VersionStatus.SUPERSEDED: "superseded", VersionStatus.SET_ASIDE: "set aside unratified"}


def history_message(community: Community, versions: Sequence[TermsVersion],
                    edits: Mapping[int, Sequence[TermsEdit]], names: Mapping[int, str],
                    counts: Mapping[int, tuple[int, int]]) -> Message:
    if not versions:
        return Message.of("No history yet", [section(
            f"*{escape(community.name)}* has no versions of its Terms of Reference yet: `/cop tor set` starts "
            "a draft.")])

    def who(person_id: int | None) -> str:
        return escape(names.get(person_id or 0, "a former member"))

    entries = []
    for version in versions:
        lines = [f"*Version {version.number}* ({_STATUS[version.status]})"]
        for edit in edits.get(version.id, []):
            change = f"“{escape(truncate(edit.text, 150))}”" if edit.text else "cleared"
            lines.append(f"• {slack_date(edit.at)}: {who(edit.by_id)} set _{edit.field}_: {change}")
        if version.proposed_at:
            agreed, objected = counts.get(version.id, (0, 0))
            lines.append(f"• proposed by {who(version.proposed_by_id)} {slack_date(version.proposed_at)}: "
                         f"{plural(agreed, 'agreement')}, {plural(objected, 'objection')}")
        if version.ratified_at:
            lines.append(f"• ratified by {who(version.ratified_by_id)} {slack_date(version.ratified_at)}")
        entries.append("\n".join(lines))
    return Message.of(f"Terms of Reference history of {community.name}", [
        section(f"*Terms of Reference of {escape(community.name)}: every version*"),
        section(fit_lines(entries, max_items=10)),
    ])


def review_summary(community: Community) -> str:
    """The yearly review as one line of a digest, for a lead who was away."""
    return f"Time to review the Terms of Reference of {community.name}: `/cop tor`, then `/cop tor set`."


def review_dm(community: Community, version: TermsVersion) -> Message:
    return Message.of(f"Time to review the Terms of Reference of {community.name}", [
        section(f":spiral_calendar_pad: The Terms of Reference of *{escape(community.name)}* were ratified "
                f"{slack_date(version.ratified_at or dt.datetime.now(dt.UTC))}. A year on, do they still say what "
                "the community is for? `/cop tor` shows them; `/cop tor set` starts a new draft, and "
                "`/cop tor propose` puts it to the members."),
        context("_Why you got this:_ you lead this community, and its Terms of Reference are reviewed once a year. "
                "It comes again a year after they are next ratified."),
    ])

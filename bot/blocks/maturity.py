"""The maturity self-assessment: its message in the channel with Answer, the form, results with their trend and
next practices, and the twice-yearly reminder to leads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, InputBlock, Option, StaticSelectElement
from slack_sdk.models.views import View

from bot.blocks.attention import why_footer
from bot.render import Message, context, escape, plural, section, slack_date
from handlers.ids import ActionId, BlockId, ViewId
from models.communities import Community
from models.maturity import (
    DIMENSIONS,
    MIN_ANSWERS,
    STAGES,
    DimensionResult,
    MaturityAssessment,
    results,
    stage_name,
    weakest,
)

PRIVACY = (f":lock: Answers are anonymous: no one's answers are ever shown, to anyone. Results are counts per "
           f"dimension, shown once it closes and only if at least {MIN_ANSWERS} members answered.")


def assessment_key(assessment_id: int) -> str:
    """The assessment's message in the outbox, kept current as answers come in and showing results once closed."""
    return f"maturity:{assessment_id}"


def stage_block_id(key: str) -> str:
    return f"{BlockId.MATURITY_DIMENSION}:{key}"


def _results_lines(found: Sequence[DimensionResult]) -> str:
    lines = []
    for result in found:
        spread = " · ".join(f"{stage} {n}" for stage, n in zip(STAGES, result.counts, strict=True))
        lines.append(f"*{result.name}*: {stage_name(result.median)}\n{spread}")
    return "\n".join(lines)


def _next_practices(found: Sequence[DimensionResult]) -> Block:
    low = weakest(found)
    dimension = next(d for d in DIMENSIONS if d.key == low.key)
    tips = "\n".join(f"• {tip}" for tip in dimension.practices)
    return section(f":seedling: *Weakest: {dimension.name}* ({stage_name(low.median)}). Practices to try next:\n"
                   f"{tips}")


def results_blocks(assessment: MaturityAssessment) -> list[Block]:
    """One closed assessment: medians and counts per dimension, or why there are none."""
    found = results(assessment)
    if found is None:
        return [section(f"Closed {slack_date(assessment.closed_at or assessment.closes_at)} with "
                        f"{plural(assessment.answered, 'answer')}: fewer than {MIN_ANSWERS}, so no results are "
                        "shown (so few could point at who answered what).")]
    return [
        section(f"*Results* ({plural(assessment.answered, 'answer')}, closed "
                f"{slack_date(assessment.closed_at or assessment.closes_at, '{date_short_pretty}')}): the median "
                "stage of each dimension, then how many chose each stage.\n" + _results_lines(found)),
        _next_practices(found),
    ]


def assessment_message(community: Community, assessment: MaturityAssessment, *, answered: int,
                       now: dt.datetime) -> Message:
    head = section(f":seedling: *How mature is {escape(community.name)}?* A self-assessment: for each of "
                   f"{len(DIMENSIONS)} dimensions ({', '.join(d.name.lower() for d in DIMENSIONS)}), choose the "
                   f"stage that is most true today, from {STAGES[0].lower()} to {STAGES[-1].lower()}.")
    if assessment.is_open(now):
        return Message.of(f"Maturity self-assessment of {community.name}", [
            head,
            context(f"{plural(answered, 'member has', 'members have')} answered. One answer each, changeable until "
                    f"{slack_date(assessment.closes_at)}. {PRIVACY}"),
            ActionsBlock(block_id=f"maturity:{assessment.id}", elements=[
                ButtonElement(text="Answer", action_id=ActionId.MATURITY_ANSWER, value=str(assessment.id),
                              style="primary")]),
        ])
    if assessment.closed_at is None:  # its time has come; the scheduler is about to count it
        return Message.of(f"Maturity self-assessment of {community.name}", [
            head, context(f"Closed for answers; the results come in a few minutes. {PRIVACY}")])
    return Message.of(f"Maturity self-assessment of {community.name}: results",
                      [head, *results_blocks(assessment), context(PRIVACY)])


def answer_form(community: Community, assessment: MaturityAssessment) -> View:
    blocks: list[Block] = [section(
        f"Where is *{escape(community.name)}* today? For each dimension, choose the stage that is most true now. "
        "Sending the form again replaces your answers. No one's answers are ever shown, not even back to you.")]
    for dimension in DIMENSIONS:
        blocks.append(InputBlock(
            block_id=stage_block_id(dimension.key), label=dimension.name,
            element=StaticSelectElement(
                action_id=ActionId.MATURITY_STAGE, placeholder="Choose a stage",
                options=[Option(value=str(n), label=stage, description=said)
                         for n, (stage, said) in enumerate(zip(STAGES, dimension.stages, strict=True), start=1)])))
    return View(type="modal", callback_id=ViewId.MATURITY_ANSWER, private_metadata=str(assessment.id),
                title="Maturity", submit="Send", close="Cancel", blocks=blocks)


def answered_reply(*, again: bool) -> Message:
    said = "Your new answers replace your earlier ones" if again else "Thank you: your answers are in"
    return Message.of("Answers recorded", [section(
        f":ballot_box_with_ballot: {said}. You can change them until the assessment closes; no one will ever see "
        "them, only the counts of everyone's.")])


def started_reply(assessment: MaturityAssessment) -> Message:
    return Message.of("Assessment opened", [section(
        f":seedling: The maturity self-assessment is in the channel, open until {slack_date(assessment.closes_at)}. "
        f"Results show when it closes, if at least {MIN_ANSWERS} members answered.")])


def _trend(assessments: Sequence[MaturityAssessment]) -> Block | None:
    """Each dimension's median over the assessments with results, oldest first."""
    shown = [(a, found) for a in reversed(assessments) if (found := results(a)) is not None]
    if len(shown) < 2:
        return None
    dates = " → ".join(f"{a.closes_at:%b %Y}" for a, _ in shown)
    lines = []
    for n, dimension in enumerate(DIMENSIONS):
        medians = [found[n].median for _, found in shown]
        arrow = ":arrow_up:" if medians[-1] > medians[-2] else ":arrow_down:" if medians[-1] < medians[-2] else "="
        lines.append(f"{arrow} *{dimension.name}*: {' → '.join(stage_name(m) for m in medians)}")
    return section(f"*Trend* ({dates}):\n" + "\n".join(lines))


def status_message(community: Community, current: MaturityAssessment | None, answered: int,
                   past: Sequence[MaturityAssessment], *, with_results: bool) -> Message:
    """`/cop maturity` (the state) and `/cop maturity results` (the last results and the trend)."""
    blocks: list[Block] = [section(f":seedling: *Maturity self-assessment of {escape(community.name)}*")]
    if current is not None:
        blocks.append(section(f"An assessment is open: {plural(answered, 'member has', 'members have')} answered; "
                              f"it closes {slack_date(current.closes_at)}. Answer with the button on its message "
                              "in the channel."))
    if past:
        if current is not None and not with_results:
            blocks.append(context("`/cop maturity results` shows the last results and the trend."))
        else:
            blocks += results_blocks(past[0])
            trend = _trend(past)
            if trend is not None:
                blocks.append(trend)
    elif current is None:
        blocks.append(section("No assessment has been run yet. A lead opens one with `/cop maturity start`."))
    elif with_results:
        blocks.append(section("No results yet: the first show when this assessment closes."))
    blocks.append(context(PRIVACY))
    return Message.of(f"Maturity of {community.name}", blocks)


def prompt_dm(community: Community, since: dt.datetime | None) -> Message:
    last = (f"The last maturity self-assessment of *{escape(community.name)}* opened "
            f"{slack_date(since, '{date_short_pretty}')}, about six months ago or more." if since else
            f"*{escape(community.name)}* has not run a maturity self-assessment yet.")
    return Message.of(f"Time to assess the maturity of {community.name}?", [
        section(f":seedling: {last} Twice a year is a good rhythm: members place the community on six dimensions, "
                "anonymously, and the results show where to grow next. Type `/cop maturity start` in its channel "
                "to open one for two weeks."),
        *why_footer("maturity", f"You lead *{escape(community.name)}*, and none was run for about six months."),
    ])


def prompt_summary(community: Community) -> str:
    return f"Time to run a maturity self-assessment of {community.name} (`/cop maturity start`)."

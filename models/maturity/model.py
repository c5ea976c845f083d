"""The maturity model: five stages across six dimensions, each stage said in plain words, and what to try next.

A community places itself on each dimension; the stages are ordered, so a median and a trend make sense.
"""

from __future__ import annotations

from dataclasses import dataclass

STAGES: tuple[str, ...] = ("Founding", "Developing", "Maturing", "Sustaining", "Transforming")


@dataclass(frozen=True)
class Dimension:
    key: str  # stable: stored in every assessment's results
    name: str
    stages: tuple[str, ...]  # what each stage looks like, founding first (each fits a menu line, 75 characters)
    practices: tuple[str, ...]  # what a community weakest here could try next (mrkdwn)


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("purpose", "Purpose and plan", (
        "A shared interest; the purpose is not written down yet.",
        "A purpose is written; a few goals are talked about.",
        "Agreed Terms of Reference and a yearly plan we follow.",
        "The plan is reviewed each year against results and adjusted.",
        "Our purpose shapes the organisation's own strategy.",
    ), (
        "Draft the Terms of Reference together (`/cop tor set purpose ...`), then `/cop tor propose` so that "
        "members agree to it.",
        "Write two or three objectives for the year with `/cop plan add`, and link actions to them.",
        "Open each quarter's first meeting with the plan: what moved, what should be dropped.",
    )),
    Dimension("leadership", "Leadership and roles", (
        "One person starts and carries everything.",
        "A lead and a helper or two; the roles are informal.",
        "A named lead, co-lead and secretary, each with clear duties.",
        "Roles rotate, and successors are ready before anyone leaves.",
        "Our members lead across communities and mentor new leads.",
    ), (
        "Name a co-lead and a secretary (`/cop role`), so that the work no longer rests on one person.",
        "Write down what each role does in the Terms of Reference, and agree when roles rotate.",
        "Let a different member chair a meeting each quarter, to grow the next lead.",
    )),
    Dimension("participation", "Participation", (
        "A handful of founders do nearly all the talking.",
        "Members come to meetings; few contribute between them.",
        "Most members contribute something every month.",
        "Newcomers join and become active within weeks.",
        "People outside the community seek it out to take part.",
    ), (
        "Ask the members in a poll what would help them take part (`/cop poll`).",
        "Give each newcomer a small first task, and thank contributions in the open with `/cop kudos`.",
        "Invite a guest speaker from another team to bring new voices in.",
    )),
    Dimension("knowledge", "Knowledge products", (
        "Knowledge stays in conversations and people's heads.",
        "Some notes and links are saved, but are hard to find later.",
        "Tips, lessons and decisions are captured and searchable.",
        "Our knowledge is curated, kept current and reused often.",
        "Our guides and standards are used across the organisation.",
    ), (
        "Save what is worth keeping (`:pushpin:` or `/cop kb add`) straight after each meeting.",
        "Close each finished action with its lesson learnt, so that the next person finds it.",
        "Once a quarter, review the knowledge base: merge duplicates, retire what is out of date.",
    )),
    Dimension("value", "Value to the organisation", (
        "Members feel the value; nobody outside can see it yet.",
        "A few wins are told informally to managers.",
        "Results are measured with KPIs and reported each year.",
        "The organisation relies on our work and funds it.",
        "We change how the organisation works, and can show it.",
    ), (
        "Set KPIs the organisation cares about (`/cop kpi set`) and report them each quarter.",
        "Tell one win a month beyond the channel, to the managers who sponsor your members.",
        "Ask a sponsor which problem they would like the community to take on next.",
    )),
    Dimension("rhythm", "Rhythm", (
        "We meet when someone remembers to arrange it.",
        "Meetings happen, but the rhythm often slips.",
        "A steady cadence of meetings that people plan around.",
        "Meetings, digests and reviews run like clockwork.",
        "Our rhythm is a model other communities copy.",
    ), (
        "Schedule a recurring meeting at a slot most members can make (`/cop meeting schedule`).",
        "Keep the weekly digest going, so that members see what happened between meetings.",
        "Agree a calendar for the year: the plan in January, results at the end of each quarter.",
    )),
)
DIMENSION_KEYS: tuple[str, ...] = tuple(d.key for d in DIMENSIONS)


def stage_name(median: float) -> str:
    """A median stage in words: "Maturing", or "Developing to Maturing" halfway between two."""
    low, high = int(median), int(median + 0.5)
    if low == median:
        return STAGES[low - 1]
    return f"{STAGES[low - 1]} to {STAGES[high - 1]}"

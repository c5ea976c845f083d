"""Each community's last maturity self-assessment: closed within the last six months, so that the reminder to run
one is not due, with counts only (its answers, like a real one's, were deleted when it closed)."""

from __future__ import annotations

import datetime as dt
import random

from bench.org.context import TEAM_ID, Org
from models.maturity import DIMENSIONS, MIN_ANSWERS, STAGES, MaturityAssessment
from models.maturity.prompts import PROMPT_EVERY

OPEN_FOR = dt.timedelta(days=14)


def write_assessments(org: Org) -> None:
    # A random source of its own: the rest of the organisation stays as it was for each seed.
    rng = random.Random(org.scale.communities)
    rows = []
    for community in org.communities:
        if org.now - community.created_at < PROMPT_EVERY:
            continue  # young enough that no reminder is due yet
        opened = org.now - dt.timedelta(days=rng.randint(30, 150))
        answered = rng.randint(0, max(len(community.active_members()), 1))
        counts = None
        if answered >= MIN_ANSWERS:
            counts = {d.key: [0] * len(STAGES) for d in DIMENSIONS}
            for dimension in DIMENSIONS:
                for _ in range(answered):
                    counts[dimension.key][rng.randint(0, len(STAGES) - 1)] += 1
        rows.append(dict(id=org.writer.next_id("maturity_assessments"), team_id=TEAM_ID, community_id=community.id,
                         opened_by_id=community.founder().person.id, opened_at=opened, closes_at=opened + OPEN_FOR,
                         closed_at=opened + OPEN_FOR, secret=None, answered=answered, counts=counts))
    org.writer.insert(MaturityAssessment, rows)

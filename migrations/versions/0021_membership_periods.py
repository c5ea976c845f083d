"""membership history

Each stretch of a membership, from a join to the leave that ended it, so that members over time can be counted.
Backfilled from what the records still know: every membership's latest stretch (its `joined_at`, and `left_at`
when it is no longer active), and, before it, any earlier join a `joined` contribution recorded; such an earlier
stretch is taken to end when the next join began, since the leave between them was never recorded.

Revision ID: 0021
Revises: 0019
Create Date: 2026-12-08 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROWS_PER_INSERT = 1000


def upgrade() -> None:
    periods = op.create_table(
        "membership_periods",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("community_id", sa.Integer(), sa.ForeignKey("communities.id", ondelete="CASCADE"), nullable=False),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_membership_periods_community_id_started_at", "membership_periods",
                    ["community_id", "started_at"])
    op.create_index("ix_membership_periods_person_id", "membership_periods", ["person_id"])
    op.create_index("uq_membership_periods_open", "membership_periods", ["community_id", "person_id"], unique=True,
                    sqlite_where=sa.text("ended_at IS NULL"), postgresql_where=sa.text("ended_at IS NULL"))
    _backfill(periods)


def _backfill(periods: sa.Table) -> None:
    connection = op.get_bind()
    memberships = sa.table("memberships", sa.column("community_id", sa.Integer()), sa.column("person_id", sa.Integer()),
                           sa.column("active", sa.Boolean()), sa.column("joined_at", sa.DateTime(timezone=True)),
                           sa.column("left_at", sa.DateTime(timezone=True)))
    contributions = sa.table("contributions", sa.column("community_id", sa.Integer()),
                             sa.column("person_id", sa.Integer()), sa.column("kind", sa.String()),
                             sa.column("occurred_at", sa.DateTime(timezone=True)))
    # Joins a `joined` contribution recorded before the membership's latest join, by member, oldest first.
    earlier: dict[tuple[int, int], list] = {}
    for community_id, person_id, at in connection.execute(
            sa.select(contributions.c.community_id, contributions.c.person_id, contributions.c.occurred_at)
            .join(memberships, sa.and_(memberships.c.community_id == contributions.c.community_id,
                                       memberships.c.person_id == contributions.c.person_id))
            .where(contributions.c.kind == "joined", contributions.c.occurred_at < memberships.c.joined_at)
            .order_by(contributions.c.community_id, contributions.c.person_id, contributions.c.occurred_at)):
        starts = earlier.setdefault((community_id, person_id), [])
        if not starts or starts[-1] != at:
            starts.append(at)
    rows: list[dict] = []
    for community_id, person_id, active, joined_at, left_at in connection.execute(
            sa.select(memberships.c.community_id, memberships.c.person_id, memberships.c.active,
                      memberships.c.joined_at, memberships.c.left_at)
            .order_by(memberships.c.community_id, memberships.c.person_id)):
        starts = earlier.get((community_id, person_id), [])
        for start, end in zip(starts, [*starts[1:], joined_at][:len(starts)], strict=True):
            rows.append(dict(community_id=community_id, person_id=person_id, started_at=start, ended_at=end))
        # An inactive membership whose leave was not stamped ended, at the latest, as soon as it began.
        ended = None if active else (left_at if left_at is not None and left_at >= joined_at else joined_at)
        rows.append(dict(community_id=community_id, person_id=person_id, started_at=joined_at, ended_at=ended))
        if len(rows) >= ROWS_PER_INSERT:
            connection.execute(periods.insert(), rows)
            rows = []
    if rows:
        connection.execute(periods.insert(), rows)


def downgrade() -> None:
    op.drop_index("uq_membership_periods_open", table_name="membership_periods")
    op.drop_index("ix_membership_periods_person_id", table_name="membership_periods")
    op.drop_index("ix_membership_periods_community_id_started_at", table_name="membership_periods")
    op.drop_table("membership_periods")

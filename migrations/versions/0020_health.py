"""community health snapshots and fading episodes

A weekly snapshot of each community's health index and its components, so that every figure has a trend;
each community's fading episodes with what the weekly scan found; and a switch for the fading warnings.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COMPONENTS = ("health", "cadence", "attendance", "breadth", "follow_through", "newcomers", "knowledge")


def _community() -> sa.Column:
    return sa.Column("community_id", sa.Integer(), sa.ForeignKey("communities.id", ondelete="CASCADE"),
                     nullable=False)


def upgrade() -> None:
    op.create_table(
        "health_snapshots",
        sa.Column("id", sa.Integer(), primary_key=True),
        _community(),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=True) for name in COMPONENTS),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("active_members", sa.Integer(), nullable=False),
        sa.Column("attendees", sa.Numeric(8, 1), nullable=True),
        sa.UniqueConstraint("community_id", "week"),
    )
    op.create_index("ix_health_snapshots_community_id", "health_snapshots", ["community_id"])
    op.create_table(
        "fading_episodes",
        sa.Column("id", sa.Integer(), primary_key=True),
        _community(),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_fading_episodes_community_id", "fading_episodes", ["community_id"])
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("fading_dms", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_column("fading_dms")
    op.drop_table("fading_episodes")
    op.drop_table("health_snapshots")

"""wins told beyond the channel

Each community's wins (objectives done, Terms of Reference ratified, KPIs met, the month's kudos), recorded once
and numbered, held back or posted; and the workspace's announcements channel they go to once a week.

Revision ID: 0024
Revises: 0019
Create Date: 2026-12-08 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(name: str, table: str, ondelete: str = "SET NULL", nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.Integer(), sa.ForeignKey(f"{table}.id", ondelete=ondelete), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "wins",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("community_id", "communities", "CASCADE", nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("ref", sa.String(64), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        _when("occurred_at"),
        _when("recorded_at"),
        _fk("held_by_id", "people"),
        _when("held_at", nullable=True),
        sa.Column("post_key", sa.String(255), nullable=True),
        _when("posted_at", nullable=True),
        sa.UniqueConstraint("community_id", "ref"),
        sa.UniqueConstraint("community_id", "number"),
    )
    op.create_index("ix_wins_community_id", "wins", ["community_id"])
    op.create_index("ix_wins_post_key", "wins", ["post_key"])
    op.create_table(
        "wins_channels",
        sa.Column("team_id", sa.String(20), primary_key=True),
        sa.Column("channel_id", sa.String(20), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        _fk("set_by_id", "people"),
        _when("set_at"),
        sa.Column("last_week", sa.String(10), nullable=True),
        sa.Column("broken", sa.String(64), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("wins_channels")
    op.drop_index("ix_wins_post_key", "wins")
    op.drop_index("ix_wins_community_id", "wins")
    op.drop_table("wins")

"""the monthly newsletter and "This helped" on knowledge

Each month's newsletter issue (drafted, approved or skipped, with its introduction and cuts), the
workspace's newsletter settings (its channel, the community chosen to feature next), and who said a
knowledge item helped them, once per person and item.

Revision ID: 0023
Revises: 0019
Create Date: 2026-12-08 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(name: str, table: str, ondelete: str = "SET NULL", nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.Integer(), sa.ForeignKey(f"{table}.id", ondelete=ondelete), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "knowledge_helped",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("item_id", "knowledge_items", "CASCADE", nullable=False),
        _fk("person_id", "people", "CASCADE", nullable=False),
        _when("created_at"),
        sa.UniqueConstraint("item_id", "person_id"),
    )
    op.create_index("ix_knowledge_helped_item_id", "knowledge_helped", ["item_id"])
    op.create_index("ix_knowledge_helped_person_id", "knowledge_helped", ["person_id"])
    op.create_index("ix_knowledge_helped_created_at", "knowledge_helped", ["created_at"])
    op.create_table(
        "newsletter_settings",
        sa.Column("team_id", sa.String(20), primary_key=True),
        sa.Column("channel_id", sa.String(20), nullable=True),
        _fk("feature_community_id", "communities"),
        _fk("updated_by_id", "people"),
        _when("updated_at"),
    )
    op.create_table(
        "newsletter_issues",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(20), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        _fk("featured_community_id", "communities"),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("intro", sa.Text(), nullable=False),
        sa.Column("cuts", sa.JSON(), nullable=False),
        _when("drafted_at"),
        _fk("decided_by_id", "people"),
        _when("decided_at", nullable=True),
        sa.Column("channel_id", sa.String(20), nullable=True),
        sa.UniqueConstraint("team_id", "month"),
    )
    op.create_index("ix_newsletter_issues_featured_community_id", "newsletter_issues", ["featured_community_id"])


def downgrade() -> None:
    op.drop_index("ix_newsletter_issues_featured_community_id", table_name="newsletter_issues")
    op.drop_table("newsletter_issues")
    op.drop_table("newsletter_settings")
    op.drop_index("ix_knowledge_helped_created_at", table_name="knowledge_helped")
    op.drop_index("ix_knowledge_helped_person_id", table_name="knowledge_helped")
    op.drop_index("ix_knowledge_helped_item_id", table_name="knowledge_helped")
    op.drop_table("knowledge_helped")

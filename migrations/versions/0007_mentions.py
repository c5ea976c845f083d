"""mentions: who each record that members write names, so that their digest can show it to them

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 08:15:39.415711
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SOURCES = ("decision", "meeting_note", "agenda_item", "action", "kudos", "knowledge", "standup_answer")


def upgrade() -> None:
    op.create_table(
        "mentions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.Enum(*SOURCES, name="mentionsource", native_enum=False, length=20), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("permalink", sa.String(length=500), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["by_id"], ["people.id"], name=op.f("fk_mentions_by_id_people"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name=op.f("fk_mentions_community_id_communities"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_mentions_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentions")),
        sa.UniqueConstraint("source", "record_id", "person_id", name=op.f("uq_mentions_source_record_id_person_id")),
    )
    with op.batch_alter_table("mentions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mentions_community_id"), ["community_id"], unique=False)
        batch_op.create_index("ix_mentions_person_id_created_at", ["person_id", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mentions", schema=None) as batch_op:
        batch_op.drop_index("ix_mentions_person_id_created_at")
        batch_op.drop_index(batch_op.f("ix_mentions_community_id"))
    op.drop_table("mentions")

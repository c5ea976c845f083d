"""actions, recognition, knowledge: owners and follow-up of actions, capacity, expertise, kudos, knowledge items

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 06:04:52.602939
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kudos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("giver_id", sa.Integer(), nullable=False),
        sa.Column("receiver_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("slot_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name=op.f("fk_kudos_community_id_communities"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["giver_id"], ["people.id"], name=op.f("fk_kudos_giver_id_people"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["receiver_id"], ["people.id"], name=op.f("fk_kudos_receiver_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kudos")),
        sa.UniqueConstraint("slot_key", name=op.f("uq_kudos_slot_key")),
    )
    with op.batch_alter_table("kudos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kudos_community_id"), ["community_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_kudos_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_kudos_giver_id"), ["giver_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_kudos_receiver_id"), ["receiver_id"], unique=False)

    op.create_table(
        "knowledge_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("tip", "guideline", "lesson", "link", name="knowledgekind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("source_key", sa.String(length=255), nullable=True),
        sa.Column("source_permalink", sa.String(length=500), nullable=True),
        sa.Column("created_via", sa.String(length=255), nullable=True),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_knowledge_items_action_id_actions"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["people.id"], name=op.f("fk_knowledge_items_added_by_id_people"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["people.id"], name=op.f("fk_knowledge_items_author_id_people"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_knowledge_items_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["people.id"],
            name=op.f("fk_knowledge_items_reviewed_by_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_items")),
        sa.UniqueConstraint("source_key", name=op.f("uq_knowledge_items_source_key")),
    )
    with op.batch_alter_table("knowledge_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_knowledge_items_action_id"), ["action_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_knowledge_items_community_id"), ["community_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_knowledge_items_created_at"), ["created_at"], unique=False)

    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tags", sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
        batch_op.add_column(sa.Column("source_key", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("created_via", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("closed_via", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("proposed_owner_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("proposed_at", models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("escalated_at", models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("due_notice", sa.Integer(), server_default=sa.text("0"), nullable=False))
        batch_op.create_unique_constraint(batch_op.f("uq_actions_source_key"), ["source_key"])
        batch_op.create_foreign_key(
            batch_op.f("fk_actions_proposed_owner_id_people"),
            "people",
            ["proposed_owner_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("blocker_lead_days", sa.Integer(), server_default=sa.text("3"), nullable=False))
        batch_op.add_column(
            sa.Column("blocker_overall_days", sa.Integer(), server_default=sa.text("7"), nullable=False)
        )

    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("capacity", sa.Integer(), server_default=sa.text("3"), nullable=False))

    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expertise", sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
        batch_op.add_column(sa.Column("leaderboard_opt_out", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("leaderboard_opt_out")
        batch_op.drop_column("expertise")

    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_column("capacity")

    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.drop_column("blocker_overall_days")
        batch_op.drop_column("blocker_lead_days")

    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_actions_proposed_owner_id_people"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_actions_source_key"), type_="unique")
        batch_op.drop_column("due_notice")
        batch_op.drop_column("escalated_at")
        batch_op.drop_column("proposed_at")
        batch_op.drop_column("proposed_owner_id")
        batch_op.drop_column("closed_via")
        batch_op.drop_column("created_via")
        batch_op.drop_column("source_key")
        batch_op.drop_column("tags")

    with op.batch_alter_table("knowledge_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_knowledge_items_created_at"))
        batch_op.drop_index(batch_op.f("ix_knowledge_items_community_id"))
        batch_op.drop_index(batch_op.f("ix_knowledge_items_action_id"))

    op.drop_table("knowledge_items")
    with op.batch_alter_table("kudos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kudos_receiver_id"))
        batch_op.drop_index(batch_op.f("ix_kudos_giver_id"))
        batch_op.drop_index(batch_op.f("ix_kudos_created_at"))
        batch_op.drop_index(batch_op.f("ix_kudos_community_id"))

    op.drop_table("kudos")

"""governance: Terms of Reference in versions with answers, polls, and overall leads named in copbot

Terms of Reference gain a title, objectives and guests, and every version (draft, proposed, ratified) with
its edits and members' answers; polls keep one vote per person (an anonymous poll only a keyed hash of the
voter) and a delivery may edit a message sent before; a person may be named an overall lead by another.

Revision ID: 0018
Revises: 0013
Create Date: 2026-12-08 01:05:29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0018"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "polls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=20), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=300), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("secret", sa.LargeBinary(length=32), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closes_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name=op.f("fk_polls_community_id_communities"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["people.id"], name=op.f("fk_polls_created_by_id_people"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_polls")),
    )
    with op.batch_alter_table("polls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_polls_closes_at"), ["closes_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_polls_community_id"), ["community_id"], unique=False)

    op.create_table(
        "tor_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "proposed",
                "ratified",
                "superseded",
                "set-aside",
                name="versionstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=True),
        sa.Column("proposed_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closes_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ratified_by_id", sa.Integer(), nullable=True),
        sa.Column("ratified_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("agreed", sa.Integer(), nullable=True),
        sa.Column("objected", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=1000), nullable=True),
        sa.Column("purpose", sa.String(length=1000), nullable=True),
        sa.Column("objectives", sa.String(length=1000), nullable=True),
        sa.Column("scope", sa.String(length=1000), nullable=True),
        sa.Column("members", sa.String(length=1000), nullable=True),
        sa.Column("cadence", sa.String(length=1000), nullable=True),
        sa.Column("guests", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_tor_versions_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"], ["people.id"], name=op.f("fk_tor_versions_proposed_by_id_people"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["ratified_by_id"], ["people.id"], name=op.f("fk_tor_versions_ratified_by_id_people"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tor_versions")),
        sa.UniqueConstraint("community_id", "number", name=op.f("uq_tor_versions_community_id_number")),
    )
    with op.batch_alter_table("tor_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tor_versions_community_id"), ["community_id"], unique=False)

    op.create_table(
        "poll_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("voter_key", sa.String(length=64), nullable=True),
        sa.Column("option", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_poll_votes_person_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["poll_id"], ["polls.id"], name=op.f("fk_poll_votes_poll_id_polls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll_votes")),
        sa.UniqueConstraint("poll_id", "person_id", name=op.f("uq_poll_votes_poll_id_person_id")),
        sa.UniqueConstraint("poll_id", "voter_key", name=op.f("uq_poll_votes_poll_id_voter_key")),
    )
    with op.batch_alter_table("poll_votes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_poll_votes_poll_id"), ["poll_id"], unique=False)

    op.create_table(
        "tor_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("agree", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_tor_answers_person_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["version_id"], ["tor_versions.id"], name=op.f("fk_tor_answers_version_id_tor_versions"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tor_answers")),
        sa.UniqueConstraint("version_id", "person_id", name=op.f("uq_tor_answers_version_id_person_id")),
    )
    with op.batch_alter_table("tor_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tor_answers_version_id"), ["version_id"], unique=False)

    op.create_table(
        "tor_edits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=20), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=True),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["by_id"], ["people.id"], name=op.f("fk_tor_edits_by_id_people"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["version_id"], ["tor_versions.id"], name=op.f("fk_tor_edits_version_id_tor_versions"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tor_edits")),
    )
    with op.batch_alter_table("tor_edits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tor_edits_version_id"), ["version_id"], unique=False)

    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("edit_ts", sa.String(length=32), nullable=True))

    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("overall_lead", sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table("terms_of_reference", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title", sa.String(length=1000), nullable=True))
        batch_op.add_column(sa.Column("objectives", sa.String(length=1000), nullable=True))
        batch_op.add_column(sa.Column("guests", sa.String(length=1000), nullable=True))

    # Terms of Reference written before versions existed become each community's ratified version 1, so that
    # their history starts with the text in force.
    op.execute(
        "INSERT INTO tor_versions (community_id, number, status, created_at, ratified_by_id, ratified_at, "
        "purpose, scope, members, cadence) "
        "SELECT community_id, 1, 'ratified', updated_at, updated_by_id, updated_at, purpose, scope, members, "
        "cadence FROM terms_of_reference"
    )


def downgrade() -> None:
    with op.batch_alter_table("terms_of_reference", schema=None) as batch_op:
        batch_op.drop_column("guests")
        batch_op.drop_column("objectives")
        batch_op.drop_column("title")

    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_column("edit_ts")

    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("overall_lead")

    with op.batch_alter_table("tor_edits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tor_edits_version_id"))

    op.drop_table("tor_edits")
    with op.batch_alter_table("tor_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tor_answers_version_id"))

    op.drop_table("tor_answers")
    with op.batch_alter_table("poll_votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_poll_votes_poll_id"))

    op.drop_table("poll_votes")
    with op.batch_alter_table("tor_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tor_versions_community_id"))

    op.drop_table("tor_versions")
    with op.batch_alter_table("polls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_polls_community_id"))
        batch_op.drop_index(batch_op.f("ix_polls_closes_at"))

    op.drop_table("polls")

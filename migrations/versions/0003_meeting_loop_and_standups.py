"""meeting loop and standups: occurrences, RSVPs, agendas, decisions, notes, attendance, standups

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 06:18:03.951603
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "standups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("days", sa.String(length=7), nullable=False),
        sa.Column("ask_time", sa.Time(), nullable=True),
        sa.Column("window_minutes", sa.Integer(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name=op.f("fk_standups_community_id_communities"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standups")),
        sa.UniqueConstraint("community_id", name=op.f("uq_standups_community_id")),
    )
    op.create_table(
        "meeting_occurrences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("original_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("starts_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("started_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("ended_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by_scheduler", sa.Boolean(), nullable=False),
        sa.Column("thread_ts", sa.String(length=32), nullable=True),
        sa.Column("permalink", sa.String(length=500), nullable=True),
        sa.Column("minutes", sa.JSON(), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_occurrences_meeting_id_meetings"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"],
            ["people.id"],
            name=op.f("fk_meeting_occurrences_started_by_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_occurrences")),
        sa.UniqueConstraint("meeting_id", "original_at", name=op.f("uq_meeting_occurrences_meeting_id_original_at")),
    )
    with op.batch_alter_table("meeting_occurrences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_occurrences_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_occurrences_started_at"), ["started_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_occurrences_starts_at"), ["starts_at"], unique=False)

    op.create_table(
        "standup_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("standup_id", sa.Integer(), nullable=False),
        sa.Column("run_date", sa.Date(), nullable=True),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("started_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("closes_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("thread_ts", sa.String(length=32), nullable=True),
        sa.Column("permalink", sa.String(length=500), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["standup_id"], ["standups.id"], name=op.f("fk_standup_runs_standup_id_standups"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["people.id"], name=op.f("fk_standup_runs_started_by_id_people"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standup_runs")),
        sa.UniqueConstraint("standup_id", "run_date", name=op.f("uq_standup_runs_standup_id_run_date")),
    )
    with op.batch_alter_table("standup_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_standup_runs_closed_at"), ["closed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_standup_runs_closes_at"), ["closes_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_standup_runs_standup_id"), ["standup_id"], unique=False)

    op.create_table(
        "agenda_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("occurrence_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("open", "done", "carried", name="agendastatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("carried_from_id", sa.Integer(), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("permalink", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["people.id"], name=op.f("fk_agenda_items_added_by_id_people"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["carried_from_id"],
            ["agenda_items.id"],
            name=op.f("fk_agenda_items_carried_from_id_agenda_items"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_agenda_items_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["occurrence_id"],
            ["meeting_occurrences.id"],
            name=op.f("fk_agenda_items_occurrence_id_meeting_occurrences"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_items")),
    )
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agenda_items_community_id"), ["community_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agenda_items_occurrence_id"), ["occurrence_id"], unique=False)

    op.create_table(
        "attendances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurrence_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "attended_by",
            sa.Enum("lead", "spoke", "here", name="attendedby", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column("first_seen_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("permalink", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["occurrence_id"],
            ["meeting_occurrences.id"],
            name=op.f("fk_attendances_occurrence_id_meeting_occurrences"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_attendances_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendances")),
        sa.UniqueConstraint("occurrence_id", "person_id", name=op.f("uq_attendances_occurrence_id_person_id")),
    )
    with op.batch_alter_table("attendances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendances_occurrence_id"), ["occurrence_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attendances_person_id"), ["person_id"], unique=False)

    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("occurrence_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("permalink", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name=op.f("fk_decisions_community_id_communities"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["occurrence_id"],
            ["meeting_occurrences.id"],
            name=op.f("fk_decisions_occurrence_id_meeting_occurrences"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_decisions_person_id_people"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decisions_community_id"), ["community_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_decisions_occurrence_id"), ["occurrence_id"], unique=False)

    op.create_table(
        "meeting_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurrence_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("permalink", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["occurrence_id"],
            ["meeting_occurrences.id"],
            name=op.f("fk_meeting_notes_occurrence_id_meeting_occurrences"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_meeting_notes_person_id_people"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_notes")),
    )
    with op.batch_alter_table("meeting_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_notes_occurrence_id"), ["occurrence_id"], unique=False)

    op.create_table(
        "rsvps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurrence_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "answer", sa.Enum("yes", "no", "maybe", name="rsvpanswer", native_enum=False, length=8), nullable=False
        ),
        sa.Column("answered_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("permalink", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["occurrence_id"],
            ["meeting_occurrences.id"],
            name=op.f("fk_rsvps_occurrence_id_meeting_occurrences"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_rsvps_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rsvps")),
        sa.UniqueConstraint("occurrence_id", "person_id", name=op.f("uq_rsvps_occurrence_id_person_id")),
    )
    with op.batch_alter_table("rsvps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rsvps_occurrence_id"), ["occurrence_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rsvps_person_id"), ["person_id"], unique=False)

    op.create_table(
        "standup_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("asked_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=True),
        sa.Column("permalink", sa.String(length=500), nullable=True),
        sa.Column("blocker_action_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["blocker_action_id"],
            ["actions.id"],
            name=op.f("fk_standup_answers_blocker_action_id_actions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_standup_answers_person_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["standup_runs.id"], name=op.f("fk_standup_answers_run_id_standup_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standup_answers")),
        sa.UniqueConstraint("run_id", "person_id", name=op.f("uq_standup_answers_run_id_person_id")),
    )
    with op.batch_alter_table("standup_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_standup_answers_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_standup_answers_run_id"), ["run_id"], unique=False)

    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("away_until", models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("meeting_dms", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column("standup_dms", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("standup_dms")
        batch_op.drop_column("meeting_dms")
        batch_op.drop_column("away_until")

    with op.batch_alter_table("standup_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_standup_answers_run_id"))
        batch_op.drop_index(batch_op.f("ix_standup_answers_person_id"))

    op.drop_table("standup_answers")
    with op.batch_alter_table("rsvps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rsvps_person_id"))
        batch_op.drop_index(batch_op.f("ix_rsvps_occurrence_id"))

    op.drop_table("rsvps")
    with op.batch_alter_table("meeting_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_notes_occurrence_id"))

    op.drop_table("meeting_notes")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_occurrence_id"))
        batch_op.drop_index(batch_op.f("ix_decisions_community_id"))

    op.drop_table("decisions")
    with op.batch_alter_table("attendances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendances_person_id"))
        batch_op.drop_index(batch_op.f("ix_attendances_occurrence_id"))

    op.drop_table("attendances")
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agenda_items_occurrence_id"))
        batch_op.drop_index(batch_op.f("ix_agenda_items_community_id"))

    op.drop_table("agenda_items")
    with op.batch_alter_table("standup_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_standup_runs_standup_id"))
        batch_op.drop_index(batch_op.f("ix_standup_runs_closes_at"))
        batch_op.drop_index(batch_op.f("ix_standup_runs_closed_at"))

    op.drop_table("standup_runs")
    with op.batch_alter_table("meeting_occurrences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_occurrences_starts_at"))
        batch_op.drop_index(batch_op.f("ix_meeting_occurrences_started_at"))
        batch_op.drop_index(batch_op.f("ix_meeting_occurrences_meeting_id"))

    op.drop_table("meeting_occurrences")
    op.drop_table("standups")

"""job indexes: what the scheduler's scans look up, so that none reads a whole table

A member's latest contribution in a community (the quiet scan, the newcomers' check-in), the actions a
meeting produced (its minutes), and the live actions by due date and the blocked ones (the follow-up).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 05:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.create_index("ix_contributions_community_id_person_id_occurred_at",
                              ["community_id", "person_id", "occurred_at"], unique=False)
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actions_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index("ix_actions_status_due_at", ["status", "due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_index("ix_actions_status_due_at")
        batch_op.drop_index(batch_op.f("ix_actions_meeting_id"))
    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.drop_index("ix_contributions_community_id_person_id_occurred_at")

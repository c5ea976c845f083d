"""action and escalation DMs: whether reminders about one's actions and escalated blockers reach each person

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 07:40:40.073976
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("action_dms", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column("escalation_dms", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("escalation_dms")
        batch_op.drop_column("action_dms")

"""the lead's scorecard: whether it reaches each lead by DM, and charts sent through the outbox

Revision ID: 0025
Revises: 0019
Create Date: 2026-12-08 02:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scorecard_dms", sa.Boolean(), server_default=sa.true(), nullable=False))
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chart", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_column("chart")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("scorecard_dms")

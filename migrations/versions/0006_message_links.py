"""message links: a delivery names the record it was posted for; meetings link their announcement and minutes

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 08:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_to", sa.String(length=64), nullable=True))
    with op.batch_alter_table("meeting_occurrences", schema=None) as batch_op:
        batch_op.add_column(sa.Column("minutes_permalink", sa.String(length=500), nullable=True))
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("permalink", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("permalink")
    with op.batch_alter_table("meeting_occurrences", schema=None) as batch_op:
        batch_op.drop_column("minutes_permalink")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_column("link_to")

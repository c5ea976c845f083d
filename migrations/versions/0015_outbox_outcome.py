"""deliveries attempted_at and unsure_since: when a post was last begun, and since when its outcome is unknown

A sender that dies, or a post whose answer never comes, leaves a message that Slack may or may not have; the
outbox looks for it in its channel before posting it again.

Revision ID: 0015
Revises: 0011
Create Date: 2026-12-08 00:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0015"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempted_at", models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("unsure_since", models.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_column("unsure_since")
        batch_op.drop_column("attempted_at")

"""archived channels, channel names and stopped workspaces

A community remembers since when its channel is archived (it is paused meanwhile) and the channel's name as
Slack last gave it; a workspace that removed copbot or revoked its token is recorded, so that every process
stops sending for it until one starts with a token Slack accepts.

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-08 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("communities") as batch:
        batch.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("channel_name", sa.String(length=80), nullable=True))
    op.create_table(
        "stopped_workspaces",
        sa.Column("team_id", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_stopped_workspaces")),
    )


def downgrade() -> None:
    op.drop_table("stopped_workspaces")
    with op.batch_alter_table("communities") as batch:
        batch.drop_column("channel_name")
        batch.drop_column("archived_at")

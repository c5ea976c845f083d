"""maturity self-assessments

Assessments per community, with their counts once closed; the answers of an open one, each under a keyed hash
of its member and deleted when it closes; and the switch for the twice-yearly reminder to leads.

Revision ID: 0022
Revises: 0019
Create Date: 2026-12-08 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "maturity_assessments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(20), nullable=False),
        sa.Column("community_id", sa.Integer(), sa.ForeignKey("communities.id", ondelete="CASCADE"), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), sa.ForeignKey("people.id", ondelete="SET NULL"), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("secret", sa.LargeBinary(length=32), nullable=True),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=True),
    )
    op.create_index("ix_maturity_assessments_community_id", "maturity_assessments", ["community_id"])
    op.create_index("ix_maturity_assessments_closes_at", "maturity_assessments", ["closes_at"])
    op.create_table(
        "maturity_answers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(20), nullable=False),
        sa.Column("assessment_id", sa.Integer(), sa.ForeignKey("maturity_assessments.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("voter_key", sa.String(64), nullable=False),
        sa.Column("stages", sa.JSON(), nullable=False),
        sa.UniqueConstraint("assessment_id", "voter_key"),
    )
    op.create_index("ix_maturity_answers_assessment_id", "maturity_answers", ["assessment_id"])
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("maturity_dms", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_column("maturity_dms")
    op.drop_index("ix_maturity_answers_assessment_id", table_name="maturity_answers")
    op.drop_table("maturity_answers")
    op.drop_index("ix_maturity_assessments_closes_at", table_name="maturity_assessments")
    op.drop_index("ix_maturity_assessments_community_id", table_name="maturity_assessments")
    op.drop_table("maturity_assessments")

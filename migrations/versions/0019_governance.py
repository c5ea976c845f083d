"""annual plan, KPIs and budget

Objectives per community and year, actions linked to them; KPI targets (built-in metrics and custom ones)
with hand-counted records; a budget's allocations, requests and spending, in the workspace's one currency.

Revision ID: 0019
Revises: 0013
Create Date: 2026-12-10 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(name: str, table: str, ondelete: str = "SET NULL", nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.Integer(), sa.ForeignKey(f"{table}.id", ondelete=ondelete), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "plan_objectives",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("community_id", "communities", "CASCADE", nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(300), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        _fk("created_by_id", "people"),
        _when("created_at"),
        _when("closed_at", nullable=True),
        sa.UniqueConstraint("community_id", "year", "number"),
    )
    op.create_index("ix_plan_objectives_community_id", "plan_objectives", ["community_id"])
    with op.batch_alter_table("actions") as batch:
        batch.add_column(sa.Column("objective_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_actions_objective_id_plan_objectives", "plan_objectives", ["objective_id"],
                                 ["id"], ondelete="SET NULL")
        batch.create_index("ix_actions_objective_id", ["objective_id"])
    op.create_table(
        "kpi_targets",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("community_id", "communities", "CASCADE", nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("custom", sa.Boolean(), nullable=False),
        sa.Column("target", sa.Numeric(14, 2), nullable=False),
        _fk("set_by_id", "people"),
        _when("set_at"),
        sa.UniqueConstraint("community_id", "year", "name"),
    )
    op.create_index("ix_kpi_targets_community_id", "kpi_targets", ["community_id"])
    op.create_table(
        "kpi_records",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("kpi_id", "kpi_targets", "CASCADE", nullable=False),
        _fk("community_id", "communities", "CASCADE", nullable=False),
        sa.Column("amount", sa.Numeric(14, 2), nullable=False),
        sa.Column("note", sa.String(300), nullable=False),
        _fk("person_id", "people"),
        _when("recorded_at"),
    )
    op.create_index("ix_kpi_records_kpi_id", "kpi_records", ["kpi_id"])
    op.create_index("ix_kpi_records_community_id", "kpi_records", ["community_id"])
    op.create_table(
        "budget_currencies",
        sa.Column("team_id", sa.String(20), primary_key=True),
        sa.Column("code", sa.String(3), nullable=False),
        _fk("set_by_id", "people"),
        _when("set_at"),
    )
    op.create_table(
        "budget_lines",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("community_id", "communities", "CASCADE", nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("amount", sa.Numeric(14, 2), nullable=False),
        sa.Column("purpose", sa.String(300), nullable=False),
        sa.Column("status", sa.String(20), nullable=True),
        _fk("person_id", "people"),
        _fk("decided_by_id", "people"),
        _when("decided_at", nullable=True),
        sa.Column("decline_reason", sa.String(500), nullable=True),
        _when("created_at"),
    )
    op.create_index("ix_budget_lines_community_id", "budget_lines", ["community_id"])


def downgrade() -> None:
    op.drop_table("budget_lines")
    op.drop_table("budget_currencies")
    op.drop_table("kpi_records")
    op.drop_table("kpi_targets")
    with op.batch_alter_table("actions") as batch:
        batch.drop_index("ix_actions_objective_id")
        batch.drop_constraint("fk_actions_objective_id_plan_objectives", type_="foreignkey")
        batch.drop_column("objective_id")
    op.drop_table("plan_objectives")

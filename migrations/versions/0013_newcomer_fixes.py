"""assigned_by, and text stored as typed

An action remembers the lead who assigned it, so that its owner may decline and that lead be told. Terms
of Reference, intros and communities' names were stored as Slack delivered them (`R&amp;D`); like every
other record they are now stored as typed and escaped where shown.

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-08 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The columns that held Slack's escaped text, by table.
ESCAPED = {"terms_of_reference": ("purpose", "scope", "members", "cadence"), "people": ("interests",),
           "communities": ("name",)}
# Slack escapes these three, `&` first; undoing it takes `&amp;` last, so `&amp;lt;` stays the text `&lt;`.
UNESCAPE = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))
ESCAPE = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))


def _rewrite(pairs: tuple[tuple[str, str], ...]) -> None:
    for table, columns in ESCAPED.items():
        for column in columns:
            expression: sa.ColumnElement[str] = sa.column(column)
            for old, new in pairs:
                expression = sa.func.replace(expression, old, new)
            op.execute(sa.table(table, sa.column(column)).update()
                       .where(sa.column(column).contains("&")
                              | sa.column(column).contains("<") | sa.column(column).contains(">"))
                       .values({column: expression}))


def upgrade() -> None:
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assigned_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_actions_assigned_by_id_people"), "people", ["assigned_by_id"],
                                    ["id"], ondelete="SET NULL")
    _rewrite(UNESCAPE)


def downgrade() -> None:
    _rewrite(ESCAPE)
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_actions_assigned_by_id_people"), type_="foreignkey")
        batch_op.drop_column("assigned_by_id")

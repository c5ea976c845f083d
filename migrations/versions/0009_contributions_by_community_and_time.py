"""contributions by community and time: the digest's and the dashboards' reads of a community's week

Every weekly read of the ledger asks for one community's contributions between two instants, counted by
kind and by person. One index on (community_id, occurred_at), carrying kind and person_id on PostgreSQL,
answers them from the index alone; the index on community_id by itself is its prefix, and goes.

And on PostgreSQL, outbox messages' blocks are compressed with lz4 rather than pglz where the server has it:
a Monday's digest copies are 20 MB of JSON written in one job, and pglz spent most of that write compressing.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 05:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# lz4 came with PostgreSQL 14 and is a build option: a server without it keeps pglz, and says why in its log.
LZ4 = """
DO $$ BEGIN
    ALTER TABLE deliveries ALTER COLUMN blocks SET COMPRESSION {method};
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'deliveries.blocks keeps its compression: %', SQLERRM;
END $$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(LZ4.format(method="lz4"))
    op.create_index("ix_contributions_community_occurred", "contributions", ["community_id", "occurred_at"],
                    postgresql_include=["kind", "person_id"])
    op.drop_index("ix_contributions_community_id", table_name="contributions")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(LZ4.format(method="pglz"))
    op.create_index("ix_contributions_community_id", "contributions", ["community_id"])
    op.drop_index("ix_contributions_community_occurred", table_name="contributions")

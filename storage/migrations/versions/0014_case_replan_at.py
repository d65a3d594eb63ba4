"""core_group.replan_at and plan_revision: the incremental sweep's "when to look again"

Until now every sweep re-planned every active case. Each case now carries the next moment its
plan can change (`replan_at`, UTC) and a counter bumped by every change (`plan_revision`), so a
sweep reads only the cases whose moment has come, through `ix_core_group_replan`. Existing rows
are carried over as "plan at the next sweep" (the epoch), so the first sweep after the upgrade
plans every case, as before; a downgrade drops the two columns and the index (nothing else
depends on them).

Revision ID: 0014
Revises: 0009
Create Date: 2026-12-02 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | Sequence[str] | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EPOCH = '1970-01-01 00:00:00'


def upgrade() -> None:
    with op.batch_alter_table('core_group', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replan_at', sa.DateTime(), nullable=False,
                                      server_default=sa.text(f"'{EPOCH}'")))
        batch_op.add_column(sa.Column('plan_revision', sa.Integer(), nullable=False,
                                      server_default=sa.text('0')))
        batch_op.create_index('ix_core_group_replan', ['status', 'replan_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('core_group', schema=None) as batch_op:
        batch_op.drop_index('ix_core_group_replan')
        batch_op.drop_column('plan_revision')
        batch_op.drop_column('replan_at')

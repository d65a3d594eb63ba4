"""inbound_request: acknowledged chat requests whose work is not finished yet

Until now the work after an acknowledgement waited in memory, so a stop or crash lost it with no
word to the user. A new table, empty at creation: nothing to carry over; a downgrade drops it (and
any work still queued in it: run it only with the bot stopped and the queue empty).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 00:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0007'
down_revision: str | Sequence[str] | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'inbound_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('body', sa.JSON(), nullable=True),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('available_at', sa.DateTime(), nullable=False),
        sa.Column('claimed_by', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
        sa.Column('claimed_at', sa.DateTime(), nullable=True),
        sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_request')),
    )
    with op.batch_alter_table('inbound_request', schema=None) as batch_op:
        batch_op.create_index('ix_inbound_request_status_available_at',
                              ['status', 'available_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('inbound_request', schema=None) as batch_op:
        batch_op.drop_index('ix_inbound_request_status_available_at')
    op.drop_table('inbound_request')

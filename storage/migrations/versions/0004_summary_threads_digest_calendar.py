"""pinned summary ids, Teams conversation, digest, calendar SEQUENCE, chat threads

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 05:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types)
import sqlmodel.sql.sqltypes
from alembic import op

import storage.models

revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('core_group', schema=None) as batch_op:
        batch_op.add_column(sa.Column('slack_summary_ts', sqlmodel.sql.sqltypes.AutoString(length=64),
                                      nullable=True))
        batch_op.add_column(sa.Column('teams_summary_id',
                                      sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))
        batch_op.add_column(sa.Column('teams_conversation', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('digest', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_sequence', sa.Integer(), nullable=False,
                                      server_default='0'))
    op.create_table(
        'chat_thread',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column('created_at', storage.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['core_group.id'],
                                name=op.f('fk_chat_thread_case_id_core_group')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_thread')),
        sa.UniqueConstraint('case_id', 'key', 'platform',
                            name=op.f('uq_chat_thread_case_id_key_platform')),
    )


def downgrade() -> None:
    op.drop_table('chat_thread')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('calendar_sequence')
    with op.batch_alter_table('core_group', schema=None) as batch_op:
        batch_op.drop_column('digest')
        batch_op.drop_column('teams_conversation')
        batch_op.drop_column('teams_summary_id')
        batch_op.drop_column('slack_summary_ts')

"""member_address, case_conversation: people and channels without a column per platform

Until now every chat platform had its own columns: `member.slack_user_id`, `teams_user_id` and the
line manager's two, `core_group.slack_channel_id`, `teams_channel_id`, the two pinned-summary ids
and the Teams conversation reference. Adding a way to reach people meant a migration and a branch
in every handler. Now a member's addresses are rows (member, whose, channel kind, address) and a
case's conversations are rows (case, channel kind, channel, reference, summary message id).

Upgrade creates both tables, copies every non-empty old column into them (kind "slack" or
"teams", the line manager's with whose = "line_manager"), then drops the old columns. Downgrade
adds the columns back and copies the "slack" and "teams" rows into them; addresses of any other
kind have nowhere to go in the old schema and are dropped with the tables.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 01:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0008'
down_revision: str | Sequence[str] | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (old member column, whose, kind)
MEMBER_COLUMNS = (
    ('slack_user_id', 'member', 'slack'),
    ('teams_user_id', 'member', 'teams'),
    ('line_manager_slack_user_id', 'line_manager', 'slack'),
    ('line_manager_teams_user_id', 'line_manager', 'teams'),
)
#: kind → (old channel column, old summary column, old reference column or None)
CASE_COLUMNS = {
    'slack': ('slack_channel_id', 'slack_summary_ts', None),
    'teams': ('teams_channel_id', 'teams_summary_id', 'teams_conversation'),
}


def _member_table() -> sa.TableClause:
    return sa.table('member', sa.column('id', sa.Integer()),
                    *(sa.column(c, sa.String()) for c, _, _ in MEMBER_COLUMNS))


def _case_table() -> sa.TableClause:
    cols = {c for trio in CASE_COLUMNS.values() for c in trio if c}
    return sa.table('core_group', sa.column('id', sa.Integer()),
                    *(sa.column(c, sa.Text() if c == 'teams_conversation' else sa.String())
                      for c in sorted(cols)))


_address = sa.table('member_address', sa.column('member_id', sa.Integer()),
                    sa.column('whose', sa.String()), sa.column('kind', sa.String()),
                    sa.column('address', sa.String()))
_conversation = sa.table('case_conversation', sa.column('case_id', sa.Integer()),
                         sa.column('kind', sa.String()), sa.column('channel', sa.String()),
                         sa.column('reference', sa.Text()),
                         sa.column('summary_message_id', sa.String()))


def upgrade() -> None:
    op.create_table(
        'member_address',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('whose', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['member.id'],
                                name=op.f('fk_member_address_member_id_member')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_member_address')),
        sa.UniqueConstraint('member_id', 'whose', 'kind',
                            name=op.f('uq_member_address_member_id_whose_kind')),
    )
    op.create_index('ix_member_address_kind_address', 'member_address', ['kind', 'address'],
                    unique=False)
    op.create_table(
        'case_conversation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column('reference', sa.Text(), nullable=True),
        sa.Column('summary_message_id', sqlmodel.sql.sqltypes.AutoString(length=255),
                  nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['core_group.id'],
                                name=op.f('fk_case_conversation_case_id_core_group')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_conversation')),
        sa.UniqueConstraint('case_id', 'kind', name=op.f('uq_case_conversation_case_id_kind')),
        sa.UniqueConstraint('kind', 'channel', name=op.f('uq_case_conversation_kind_channel')),
    )

    conn = op.get_bind()
    member = _member_table()
    rows = []
    for mid, *values in conn.execute(
            sa.select(member.c.id, *(member.c[c] for c, _, _ in MEMBER_COLUMNS))
            .order_by(member.c.id)).all():
        for (_, whose, kind), value in zip(MEMBER_COLUMNS, values, strict=True):
            if value:
                rows.append({'member_id': mid, 'whose': whose, 'kind': kind, 'address': value})
    if rows:
        conn.execute(_address.insert(), rows)
    case = _case_table()
    convs = []
    for kind, (channel, summary, reference) in CASE_COLUMNS.items():
        cols = [case.c.id, case.c[channel], case.c[summary]]
        if reference:
            cols.append(case.c[reference])
        for cid, chan, msg, *ref in conn.execute(sa.select(*cols).order_by(case.c.id)).all():
            conv_ref = ref[0] if ref else None
            if chan or msg or conv_ref:
                convs.append({'case_id': cid, 'kind': kind, 'channel': chan,
                              'reference': conv_ref, 'summary_message_id': msg})
    if convs:
        conn.execute(_conversation.insert(), convs)

    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_slack_user_id'))
        batch_op.drop_index(batch_op.f('ix_member_teams_user_id'))
        for column, _, _ in MEMBER_COLUMNS:
            batch_op.drop_column(column)
    with op.batch_alter_table('core_group', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_core_group_slack_channel_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_core_group_teams_channel_id'), type_='unique')
        for column in ('slack_channel_id', 'teams_channel_id', 'slack_summary_ts',
                       'teams_summary_id', 'teams_conversation'):
            batch_op.drop_column(column)


def downgrade() -> None:
    with op.batch_alter_table('core_group', schema=None) as batch_op:
        batch_op.add_column(sa.Column('slack_channel_id',
                                      sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('teams_channel_id',
                                      sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))
        batch_op.add_column(sa.Column('slack_summary_ts',
                                      sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('teams_summary_id',
                                      sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))
        batch_op.add_column(sa.Column('teams_conversation', sa.Text(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_core_group_slack_channel_id'),
                                          ['slack_channel_id'])
        batch_op.create_unique_constraint(batch_op.f('uq_core_group_teams_channel_id'),
                                          ['teams_channel_id'])
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('slack_user_id',
                                      sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('teams_user_id',
                                      sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))
        batch_op.add_column(sa.Column('line_manager_slack_user_id',
                                      sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('line_manager_teams_user_id',
                                      sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))
        batch_op.create_index(batch_op.f('ix_member_slack_user_id'), ['slack_user_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_member_teams_user_id'), ['teams_user_id'],
                              unique=False)

    conn = op.get_bind()
    member = _member_table()
    column_of = {(whose, kind): c for c, whose, kind in MEMBER_COLUMNS}
    for mid, whose, kind, address in conn.execute(
            sa.select(_address.c.member_id, _address.c.whose, _address.c.kind,
                      _address.c.address)).all():
        column = column_of.get((whose, kind))
        if column is not None:
            conn.execute(member.update().where(member.c.id == mid).values({column: address}))
    case = _case_table()
    for cid, kind, chan, ref, msg in conn.execute(
            sa.select(_conversation.c.case_id, _conversation.c.kind, _conversation.c.channel,
                      _conversation.c.reference, _conversation.c.summary_message_id)).all():
        if kind not in CASE_COLUMNS:
            continue
        channel, summary, reference = CASE_COLUMNS[kind]
        values = {channel: chan, summary: msg}
        if reference:
            values[reference] = ref
        conn.execute(case.update().where(case.c.id == cid).values(values))

    op.drop_table('case_conversation')
    op.drop_index('ix_member_address_kind_address', table_name='member_address')
    op.drop_table('member_address')

"""meeting.online: a meeting held online is flagged, not written into the venue

Until now `meeting … online` stored the venue as "Online" or "Family centre (and online)". The
flag keeps the venue as typed (empty when there is none) for the calendar invitation and the
messages; rows written the old way are converted.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 05:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUFFIX = ' (and online)'


def upgrade() -> None:
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('online', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    meeting = sa.table('meeting', sa.column('id', sa.Integer()), sa.column('venue', sa.String()),
                       sa.column('online', sa.Boolean()))
    conn = op.get_bind()
    conn.execute(meeting.update().where(meeting.c.venue == 'Online')
                 .values(online=True, venue=None))
    rows = conn.execute(sa.select(meeting.c.id, meeting.c.venue)
                        .where(meeting.c.venue.like(f'%{SUFFIX}'))).all()
    for ident, venue in rows:
        conn.execute(meeting.update().where(meeting.c.id == ident)
                     .values(online=True, venue=venue[: -len(SUFFIX)] or None))


def downgrade() -> None:
    meeting = sa.table('meeting', sa.column('id', sa.Integer()), sa.column('venue', sa.String()),
                       sa.column('online', sa.Boolean()))
    conn = op.get_bind()
    for ident, venue in conn.execute(sa.select(meeting.c.id, meeting.c.venue)
                                     .where(meeting.c.online == sa.true())).all():
        conn.execute(meeting.update().where(meeting.c.id == ident)
                     .values(venue=f'{venue}{SUFFIX}' if venue else 'Online'))
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('online')

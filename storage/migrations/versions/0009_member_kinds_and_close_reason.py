"""member.kind read from the role; core_group.closed_reason

Until now a member was "family" only when their role was one of a short list of words, so a
parent added as "mum", a "stepfather" or a "grandmother (carer)" was stored as a professional:
counted for quorum and put on the chair's rota. The kinds are now professional, family, child and
other (interpreter, advocate), read from the one role vocabulary (`scheduling/roles.py`).

Upgrade re-reads every member's stored role. A role the vocabulary does not know stays
professional, the kind every such member had. A member who holds the case's powers keeps their
kind: the powers were granted to a professional on the record, and taking them away silently is
for a person to decide (`revoke`), not a migration. `closed_reason` (why a case was closed, asked
by `close`) is added, empty for cases closed before.

Downgrade: the old schema knew only professional and family, so child and other become family
(neither counts for quorum, chairs or holds powers, as before); the column is dropped.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from scheduling.roles import kind_of_stored_role

revision: str = '0009'
down_revision: str | Sequence[str] | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_member = sa.table('member', sa.column('id', sa.Integer()), sa.column('role', sa.String()),
                   sa.column('kind', sa.String()), sa.column('powers', sa.Boolean()))


def upgrade() -> None:
    with op.batch_alter_table('core_group', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_reason', sqlmodel.sql.sqltypes.AutoString(length=500),
                                      nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.select(_member.c.id, _member.c.role, _member.c.kind, _member.c.powers)).all()
    for ident, role, kind, powers in rows:
        new = kind_of_stored_role(role or '')
        if new != kind and not powers:
            conn.execute(_member.update().where(_member.c.id == ident).values(kind=new))


def downgrade() -> None:
    conn = op.get_bind()
    conn.execute(_member.update().where(_member.c.kind.in_(('child', 'other'))).values(kind='family'))
    with op.batch_alter_table('core_group', schema=None) as batch_op:
        batch_op.drop_column('closed_reason')

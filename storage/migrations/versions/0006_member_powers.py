"""member.powers: who may close a case, change it or remove others is a stored grant, not a role

Until now the powers came from the role text (`COREGROUP_MANAGER_ROLES`), and any member could type
`add @outsider role:"team manager"`. The powers are now a flag on the member with who granted it
and when. Existing rows get it only where the grant is provable from the audit log (least
privilege):

- a current lead social worker added by the person who created the case (at `new` that is the
  lead themself);
- a current professional with a manager-sounding role (the deployment's `COREGROUP_MANAGER_ROLES`
  if set, else its default) added by the case's creator or by a lead who kept powers above.

Everyone else keeps their membership and role but has no powers; `members` shows the lead who has
a manager role without them and how to grant (`/coregroup grant @someone`). No audit events are
written here (the chain is the application's to extend); the grant names the original `add`.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 00:45:00
"""

import os
import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = '0006'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEAD = 'lead_social_worker'
DEFAULT_MANAGER_ROLES = 'team manager, practice lead, manager, service manager'


def _key(role: str) -> str:
    return re.sub(r'[^a-z0-9]+', '_', role.strip().lower()).strip('_')


def _manager_roles() -> frozenset[str]:
    raw = os.environ.get('COREGROUP_MANAGER_ROLES') or DEFAULT_MANAGER_ROLES
    return frozenset(k for k in (_key(r) for r in raw.split(',')) if k)


def upgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('powers', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('powers_granted_by',
                                      sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column('powers_granted_at', storage.models.UTCDateTime(),
                                      nullable=True))
    member = sa.table('member', sa.column('id', sa.Integer()), sa.column('case_id', sa.Integer()),
                      sa.column('role', sa.String()), sa.column('kind', sa.String()),
                      sa.column('slack_user_id', sa.String()),
                      sa.column('teams_user_id', sa.String()),
                      sa.column('left_on', sa.Date()), sa.column('powers', sa.Boolean()),
                      sa.column('powers_granted_by', sa.String()),
                      sa.column('powers_granted_at', sa.DateTime()))
    case = sa.table('core_group', sa.column('id', sa.Integer()),
                    sa.column('created_by', sa.String()))
    event = sa.table('audit_event', sa.column('id', sa.Integer()), sa.column('at', sa.DateTime()),
                     sa.column('actor', sa.String()), sa.column('action', sa.String()),
                     sa.column('entity', sa.String()), sa.column('entity_id', sa.Integer()),
                     sa.column('case_id', sa.Integer()))
    conn = op.get_bind()
    creators = dict(conn.execute(sa.select(case.c.id, case.c.created_by)).all())
    added = {entity_id: (actor, at) for entity_id, actor, at in conn.execute(
        sa.select(event.c.entity_id, event.c.actor, event.c.at)
        .where(event.c.entity == 'member', event.c.action == 'member.added')
        .order_by(event.c.id)).all()}
    managers = _manager_roles()
    rows = conn.execute(sa.select(member.c.id, member.c.case_id, member.c.role, member.c.kind,
                                  member.c.slack_user_id, member.c.teams_user_id)
                        .where(member.c.left_on.is_(None),
                               member.c.role.in_(sorted(managers | {LEAD})))
                        .order_by(member.c.id)).all()
    granted: dict[int, tuple[str, object]] = {}
    lead_addresses: dict[int, set[str]] = {}
    for ident, case_id, role, kind, slack, teams in rows:  # the leads first
        by = added.get(ident)
        if role == LEAD and kind == 'professional' and by and by[0] == creators.get(case_id):
            granted[ident] = by
            lead_addresses.setdefault(case_id, set()).update(
                a for a in (f'slack:{slack}' if slack else None,
                            f'console:{slack}' if slack else None,
                            f'teams:{teams}' if teams else None) if a)
    for ident, case_id, role, kind, _slack, _teams in rows:  # then the managers they added
        by = added.get(ident)
        if role != LEAD and kind == 'professional' and by and (
                by[0] == creators.get(case_id) or by[0] in lead_addresses.get(case_id, set())):
            granted[ident] = by
    for ident, (actor, at) in granted.items():
        conn.execute(member.update().where(member.c.id == ident)
                     .values(powers=True, powers_granted_by=actor, powers_granted_at=at))


def downgrade() -> None:
    # The old code derives powers from the role words again; the grants themselves are in the
    # audit log (`member.powers_granted`), so nothing that happened is lost.
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('powers_granted_at')
        batch_op.drop_column('powers_granted_by')
        batch_op.drop_column('powers')

"""member.language: the language a member chose for what the bot says to them (issue 14)

A nullable column: every existing member has not chosen yet, so their case's profile decides
(English, or Welsh and English for the Welsh profiles), exactly what they saw before for the
English profiles. Downgrade drops the column; the choices are also in the audit log
(`member.language_set`).

Revision ID: 0012
Revises: 0014
Create Date: 2026-12-02 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | Sequence[str] | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('language')

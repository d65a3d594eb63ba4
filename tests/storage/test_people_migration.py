"""Migration 0009 re-reads each member's kind from their stored role (a "mum" stored as a
professional becomes family), keeps powers-holders as they are, adds `closed_reason`, and
steps back down (child and other become family), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from storage import migrate
from storage.db import make_engine

_CASE = sa.table(
    "core_group",
    *(
        sa.column(c)
        for c in (
            "id",
            "reference",
            "profile",
            "plan",
            "start",
            "status",
            "created_at",
            "created_by",
            "significant_risk_reduction",
            "digest",
        )
    ),
)
_MEMBER = sa.table(
    "member",
    *(
        sa.column(c)
        for c in ("id", "case_id", "display_name", "role", "kind", "joined_on", "created_at", "powers")
    ),
)
ROLES = {
    1: ("lead_social_worker", True),
    2: ("mum", False),
    3: ("stepfather", False),
    4: ("grandmother_carer", False),
    5: ("interpreter", False),
    6: ("wizard", False),
    7: ("mother", True),  # holds powers on the record: left for a person to revoke
}


def test_0009_reads_kinds_from_roles_and_steps_back(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        with engine.connect() as conn:
            script = ScriptDirectory.from_config(migrate.alembic_config(conn))
        below = script.get_revision("0009").down_revision
        assert isinstance(below, str)
        migrate.upgrade(engine, below)
        at = datetime(2027, 1, 4, 9, 0)
        with engine.begin() as conn:
            conn.execute(
                _CASE.insert(),
                [
                    {
                        "id": 1,
                        "reference": "CG-0001",
                        "profile": "suffolk",
                        "plan": "cp",
                        "start": date(2027, 1, 4),
                        "status": "active",
                        "created_at": at,
                        "created_by": "slack:U0LEAD",
                        "significant_risk_reduction": False,
                        "digest": False,
                    }
                ],
            )
            conn.execute(
                _MEMBER.insert(),
                [
                    {
                        "id": i,
                        "case_id": 1,
                        "display_name": f"M{i}",
                        "role": role,
                        "kind": "professional",
                        "joined_on": date(2027, 1, 4),
                        "created_at": at,
                        "powers": powers,
                    }
                    for i, (role, powers) in ROLES.items()
                ],
            )
        migrate.upgrade(engine, "0009")

        def kinds() -> dict[int, str]:
            with engine.connect() as conn:
                return dict(conn.execute(sa.select(_MEMBER.c.id, _MEMBER.c.kind)).all())  # type: ignore[arg-type]

        assert kinds() == {
            1: "professional",
            2: "family",
            3: "family",
            4: "family",
            5: "other",
            6: "professional",
            7: "professional",
        }
        assert "closed_reason" in {c["name"] for c in inspect(engine).get_columns("core_group")}
        migrate.downgrade(engine, below)
        assert kinds()[5] == "family" and kinds()[2] == "family"
        assert "closed_reason" not in {c["name"] for c in inspect(engine).get_columns("core_group")}
    finally:
        engine.dispose()

"""Migration 0005: meetings booked `online` the old way (venue "Online" / "… (and online)") become
the `online` flag with the venue as typed, and back again on downgrade; on both backends."""

from __future__ import annotations

from sqlalchemy import text

from storage import migrate
from storage.db import make_engine

ROWS = [(1, "Online"), (2, "Family centre (and online)"), (3, "School"), (4, None)]


def test_old_online_venues_become_the_flag_and_back(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        migrate.upgrade(engine, "0004")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO core_group (id, reference, profile, plan, start, status, created_at, "
                    "created_by, digest, significant_risk_reduction) VALUES (1, 'CG-0001', "
                    "'suffolk', 'cp', '2027-01-04', 'active', '2027-01-04 14:00:00', 'test', false, "
                    "false)"
                )
            )
            for ident, venue in ROWS:
                conn.execute(
                    text(
                        "INSERT INTO meeting (id, case_id, kind, status, starts_at, venue, created_at, "
                        "updated_at, calendar_sequence) VALUES (:id, 1, 'core_group', 'scheduled', "
                        "'2027-01-15 10:00:00', :venue, '2027-01-04 14:00:00', "
                        "'2027-01-04 14:00:00', 0)"
                    ),
                    {"id": ident, "venue": venue},
                )
        migrate.upgrade(engine, "0005")
        with engine.connect() as conn:
            got = conn.execute(text("SELECT id, venue, online FROM meeting ORDER BY id")).all()
        assert [(i, v, bool(o)) for i, v, o in got] == [
            (1, None, True),
            (2, "Family centre", True),
            (3, "School", False),
            (4, None, False),
        ]
        migrate.downgrade(engine, "0004")
        with engine.connect() as conn:
            back = conn.execute(text("SELECT id, venue FROM meeting ORDER BY id")).all()
        assert [tuple(r) for r in back] == ROWS
    finally:
        engine.dispose()

"""Migrations run from empty on both backends, round-trip, and match the models exactly."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from storage import migrate
from storage.db import Store, make_engine
from storage.errors import DatabaseAhead, DatabaseBehind

TABLES = {
    "core_group", "child_identity", "member", "meeting", "attendance", "written_report", "visit",
    "plan_action", "escalation", "case_event", "reminder", "audit_event", "processed_request",
}


def test_upgrade_from_empty_creates_every_table(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        assert migrate.current(engine) is None
        migrate.upgrade(engine)
        assert migrate.current(engine) == migrate.head()
        assert set(inspect(engine).get_table_names()) >= TABLES
    finally:
        engine.dispose()


def test_downgrade_then_upgrade_round_trips(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        migrate.upgrade(engine)
        migrate.downgrade(engine, "base")
        assert migrate.current(engine) is None
        assert not TABLES & set(inspect(engine).get_table_names())
        migrate.upgrade(engine)
        assert migrate.current(engine) == migrate.head()
        assert set(inspect(engine).get_table_names()) >= TABLES
    finally:
        engine.dispose()


def test_each_revision_steps_down_and_up(empty_db_url: str) -> None:
    """Every migration's downgrade works on its own, not only a drop of everything."""
    engine = make_engine(empty_db_url)
    try:
        migrate.upgrade(engine)
        revisions = []
        while (at := migrate.current(engine)) is not None:
            revisions.append(at)
            migrate.downgrade(engine, "-1")
        assert revisions[0] == migrate.head() and len(revisions) >= 2
        for rev in reversed(revisions):
            migrate.upgrade(engine, rev)
            assert migrate.current(engine) == rev
    finally:
        engine.dispose()


def test_migrated_schema_matches_the_models(db_url: str) -> None:
    """Autogenerate finds nothing to do: the migration and the SQLModel tables agree."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, SQLModel.metadata)
        assert diff == []
    finally:
        engine.dispose()


def test_store_refuses_a_database_that_is_behind(empty_db_url: str) -> None:
    with pytest.raises(DatabaseBehind) as err:
        Store.open(empty_db_url)
    assert "coregroup db upgrade" in str(err.value)
    assert err.value.kind == "database_behind"


def test_store_refuses_a_database_from_a_newer_version(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
        with pytest.raises(DatabaseAhead):
            migrate.require_current(engine)
    finally:
        engine.dispose()


def test_store_opens_a_current_database(db_url: str) -> None:
    Store.open(db_url).dispose()

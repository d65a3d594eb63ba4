"""Migrations run from empty on both backends, round-trip, and match the models exactly."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect
from sqlmodel import SQLModel

from storage import migrate
from storage import repository as repo
from storage.db import Store, make_engine
from storage.errors import DatabaseAhead, DatabaseBehind

TABLES = {
    "core_group",
    "child_identity",
    "member",
    "meeting",
    "attendance",
    "written_report",
    "visit",
    "plan_action",
    "escalation",
    "case_event",
    "reminder",
    "audit_event",
    "processed_request",
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


# --- 0008: per-platform columns → member_address and case_conversation ----------------------


def _below(engine: Engine, revision: str) -> str:
    """The revision a migration sits on (read from the scripts, so a re-chained history holds)."""
    with engine.connect() as conn:
        script = ScriptDirectory.from_config(migrate.alembic_config(conn))
    below = script.get_revision(revision).down_revision
    assert isinstance(below, str)
    return below


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
            "slack_channel_id",
            "teams_channel_id",
            "slack_summary_ts",
            "teams_summary_id",
            "teams_conversation",
        )
    ),
)
_MEMBER = sa.table(
    "member",
    *(
        sa.column(c)
        for c in (
            "id",
            "case_id",
            "display_name",
            "role",
            "kind",
            "joined_on",
            "created_at",
            "powers",
            "slack_user_id",
            "teams_user_id",
            "line_manager_slack_user_id",
            "line_manager_teams_user_id",
        )
    ),
)
_OLD_CASES = [
    {
        "id": 1,
        "slack_channel_id": "C0ONE",
        "teams_channel_id": None,
        "slack_summary_ts": "1.5",
        "teams_summary_id": None,
        "teams_conversation": None,
    },
    {
        "id": 2,
        "slack_channel_id": None,
        "teams_channel_id": "19:two@thread.tacv2",
        "slack_summary_ts": None,
        "teams_summary_id": "act-2",
        "teams_conversation": '{"conversation": {"id": "19:two@thread.tacv2"}}',
    },
    {
        "id": 3,
        "slack_channel_id": None,
        "teams_channel_id": None,
        "slack_summary_ts": None,
        "teams_summary_id": None,
        "teams_conversation": None,
    },
]
_OLD_MEMBERS = [
    {
        "id": 1,
        "case_id": 1,
        "slack_user_id": "U0LEAD",
        "teams_user_id": "29:lead",
        "line_manager_slack_user_id": "U0MGR",
        "line_manager_teams_user_id": None,
    },
    {
        "id": 2,
        "case_id": 2,
        "slack_user_id": None,
        "teams_user_id": "29:hv",
        "line_manager_slack_user_id": None,
        "line_manager_teams_user_id": "29:mgr",
    },
    {
        "id": 3,
        "case_id": 1,
        "slack_user_id": None,
        "teams_user_id": None,
        "line_manager_slack_user_id": None,
        "line_manager_teams_user_id": None,
    },
]


def _seed_before_0008(engine: Engine) -> None:
    """The old per-platform columns filled in, as a database below 0008 holds them."""
    at = datetime(2027, 1, 4, 9, 0)
    with engine.begin() as conn:
        conn.execute(
            _CASE.insert(),
            [
                {
                    **c,
                    "reference": f"CG-000{c['id']}",
                    "profile": "suffolk",
                    "plan": "cp",
                    "start": date(2027, 1, 4),
                    "status": "active",
                    "created_at": at,
                    "created_by": "slack:U0LEAD",
                    "significant_risk_reduction": False,
                    "digest": False,
                }
                for c in _OLD_CASES
            ],
        )
        conn.execute(
            _MEMBER.insert(),
            [
                {
                    **m,
                    "display_name": f"M{m['id']}",
                    "role": "health_visitor",
                    "kind": "professional",
                    "joined_on": date(2027, 1, 4),
                    "created_at": at,
                    "powers": False,
                }
                for m in _OLD_MEMBERS
            ],
        )


def test_0008_carries_addresses_and_conversations_over_and_back(empty_db_url: str) -> None:
    """Every old per-platform value becomes a row, the repository finds people and cases by
    them, and the downgrade puts each value back in its column."""
    engine = make_engine(empty_db_url)
    try:
        below = _below(engine, "0008")
        migrate.upgrade(engine, below)
        _seed_before_0008(engine)
        migrate.upgrade(engine, "0008")
        with engine.connect() as conn:
            addresses = sorted(
                tuple(r)
                for r in conn.execute(
                    sa.text("SELECT member_id, whose, kind, address FROM member_address")
                ).all()
            )
            conversations = sorted(
                tuple(r)
                for r in conn.execute(
                    sa.text(
                        "SELECT case_id, kind, channel, reference, summary_message_id FROM case_conversation"
                    )
                ).all()
            )
            member_columns = {c["name"] for c in inspect(conn).get_columns("member")}
            case_columns = {c["name"] for c in inspect(conn).get_columns("core_group")}
        assert addresses == [
            (1, "line_manager", "slack", "U0MGR"),
            (1, "member", "slack", "U0LEAD"),
            (1, "member", "teams", "29:lead"),
            (2, "line_manager", "teams", "29:mgr"),
            (2, "member", "teams", "29:hv"),
        ]
        assert conversations == [
            (1, "slack", "C0ONE", None, "1.5"),
            (2, "teams", "19:two@thread.tacv2", '{"conversation": {"id": "19:two@thread.tacv2"}}', "act-2"),
        ]
        assert (
            not {"slack_user_id", "teams_user_id", "line_manager_slack_user_id", "line_manager_teams_user_id"}
            & member_columns
        )
        assert (
            not {
                "slack_channel_id",
                "teams_channel_id",
                "slack_summary_ts",
                "teams_summary_id",
                "teams_conversation",
            }
            & case_columns
        )

        downgraded = list(_OLD_CASES), list(_OLD_MEMBERS)
        migrate.downgrade(engine, below)
        with engine.connect() as conn:
            cases = [
                dict(r._mapping)
                for r in conn.execute(
                    sa.select(*(_CASE.c[k] for k in _OLD_CASES[0])).order_by(_CASE.c.id)
                ).all()
            ]
            people = [
                dict(r._mapping)
                for r in conn.execute(
                    sa.select(*(_MEMBER.c[k] for k in _OLD_MEMBERS[0])).order_by(_MEMBER.c.id)
                ).all()
            ]
        assert (cases, people) == downgraded
    finally:
        engine.dispose()


def test_0008_rows_are_what_the_repository_reads(empty_db_url: str) -> None:
    """Data carried over by the migration is found by (kind, address) and by channel."""
    engine = make_engine(empty_db_url)
    try:
        below = _below(engine, "0008")
        migrate.upgrade(engine, below)
        _seed_before_0008(engine)
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    store = Store.open(empty_db_url)
    try:
        with store.read() as s:
            lead = repo.member_by_address(s, "CG-0001", "slack", "U0LEAD")
            assert lead.id == 1 and lead.address("teams") == "29:lead"
            assert lead.manager_address("slack") == "U0MGR"
            assert repo.member_by_address(s, "CG-0002", "teams", "29:hv").id == 2
            assert repo.case_by_channel(s, "19:two@thread.tacv2").reference == "CG-0002"
            assert repo.summary_message_id(s, "CG-0001", "slack") == "1.5"
            assert [c.reference for c in repo.cases_for_address(s, "teams", "29:lead")] == ["CG-0001"]
            assert repo.get_member(s, "CG-0001", 3).any_address() is None
    finally:
        store.dispose()

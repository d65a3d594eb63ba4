"""Schema migrations (Alembic) driven from code: `coregroup db upgrade`, the schema check at start.

The Alembic files ship inside the package (`storage/alembic.ini`, `storage/migrations/`) so an
installed bot can migrate its own database without a source checkout.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine

from storage.errors import DatabaseAhead, DatabaseBehind

ALEMBIC_INI = Path(__file__).with_name("alembic.ini")
MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config(str(ALEMBIC_INI))
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["configure_logger"] = False
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"migrations have {len(heads)} heads ({', '.join(heads)}); merge them")
    return heads[0]


def current(engine: Engine) -> str | None:
    with engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    return heads[0] if heads else None


@contextmanager
def _migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection for Alembic; on SQLite, foreign keys are off while batch mode copies tables."""
    with engine.connect() as conn:
        raw = conn.connection.driver_connection if engine.dialect.name == "sqlite" else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            yield conn
            conn.commit()
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


def upgrade(engine: Engine, revision: str = "head") -> None:
    with _migration_connection(engine) as conn:
        command.upgrade(alembic_config(conn), revision)


def downgrade(engine: Engine, revision: str = "-1") -> None:
    with _migration_connection(engine) as conn:
        command.downgrade(alembic_config(conn), revision)


def require_current(engine: Engine) -> None:
    """Refuse to run on a database that is behind (or ahead of) this code's migrations."""
    at = current(engine)
    want = head()
    if at == want:
        return
    known = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if at is not None and at not in known:
        raise DatabaseAhead(at, want)
    raise DatabaseBehind(at, want)


def _autogenerate(argv: Sequence[str]) -> int:
    """`python -m storage.migrate revision -m MESSAGE`: a new migration from the models.

    Revisions are numbered 0001, 0002, … so their order is visible in the file names.
    """
    if len(argv) != 3 or argv[0] != "revision" or argv[1] != "-m":
        sys.stderr.write("usage: python -m storage.migrate revision -m MESSAGE\n")
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{tmp}/scratch.db")  # a scratch file: no WAL needed
        try:
            upgrade(engine)
            revisions = list(ScriptDirectory.from_config(alembic_config()).walk_revisions())
            with _migration_connection(engine) as conn:
                command.revision(
                    alembic_config(conn),
                    message=argv[2],
                    autogenerate=True,
                    rev_id=f"{len(revisions) + 1:04d}",
                )
        finally:
            engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(_autogenerate(sys.argv[1:]))

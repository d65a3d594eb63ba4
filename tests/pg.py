"""A throw-away PostgreSQL for the tests (and the storage benchmark).

Once per test session: `initdb` a cluster into a temporary directory (as the `postgres` user when
running as root — initdb refuses root), start it on 127.0.0.1 and a free port with durability off
(fsync, synchronous_commit, full_page_writes: a test database is thrown away anyway), and stop and
delete it at the end. Each test gets a fresh database, usually copied from a migrated template.

`COREGROUP_TEST_DATABASE_URL` (any database on a server where the user may CREATE DATABASE) uses
that server instead. Without PostgreSQL binaries the PostgreSQL tests are skipped — unless
`COREGROUP_REQUIRE_POSTGRES=1` (set by .ci/run), where a missing server is a failure.

However the run ends, the cluster goes with it: pytest's own end and `atexit` stop it, and a
watcher process started beside it (`_watch`) stops and deletes it when the test process dies any
other way -- SIGTERM, SIGKILL, a crash -- because the pipe it waits on closes with that process.

Use from a conftest: `from pg import postgres_server` (a session fixture) and
`PostgresServer.create_database()`; outside pytest: `with start_cluster() as server: …`.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

URL_ENV = "COREGROUP_TEST_DATABASE_URL"
REQUIRE_ENV = "COREGROUP_REQUIRE_POSTGRES"
_counter = itertools.count(1)


def _libpq(url: str) -> str:
    """SQLAlchemy URL → libpq conninfo URL (psycopg does not know the +driver suffix)."""
    u = make_url(url)
    return u.set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresServer:
    """A PostgreSQL server the tests may create and drop databases on."""

    def __init__(
        self, admin_url: str, stop: Callable[[], None] | None = None, data_dir: Path | None = None
    ) -> None:
        self.admin_url = admin_url
        self._stop = stop
        #: The cluster's data directory when the tests started it (None for COREGROUP_TEST_DATABASE_URL).
        self.data_dir = data_dir

    def url_for(self, name: str) -> str:
        u = make_url(self.admin_url).set(drivername="postgresql+psycopg", database=name)
        return u.render_as_string(hide_password=False)

    def _admin(self) -> psycopg.Connection:
        return psycopg.connect(_libpq(self.admin_url), autocommit=True)

    def create_database(self, name: str | None = None, template: str | None = None) -> str:
        """A new database (a copy of `template` if given); returns its SQLAlchemy URL."""
        name = name or f"cg_test_{os.getpid()}_{next(_counter)}"
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            query = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        with self._admin() as conn:
            conn.execute(query)
        return self.url_for(name)

    def drop_database(self, name_or_url: str) -> None:
        name = make_url(name_or_url).database if "://" in name_or_url else name_or_url
        with self._admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(str(name))))

    def stop(self) -> None:
        if self._stop is not None:
            self._stop()
            self._stop = None


def find_bin_dir() -> Path | None:
    """The newest Debian PostgreSQL bin directory (or one on PATH) that has initdb and pg_ctl."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
        reverse=True,
    )
    for c in candidates:
        if (Path(c) / "initdb").exists() and (Path(c) / "pg_ctl").exists():
            return Path(c)
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_owner(cmd: list[str], owner: str | None) -> list[str]:
    return ["runuser", "-u", owner, "--", *cmd] if owner else cmd


@contextlib.contextmanager
def start_cluster(bin_dir: Path | None = None) -> Iterator[PostgresServer]:
    """Start a throw-away cluster; stopped and deleted when the block ends (or the process exits)."""
    server = launch_cluster(bin_dir)
    try:
        yield server
    finally:
        server.stop()


def launch_cluster(bin_dir: Path | None = None) -> PostgresServer:
    bin_dir = bin_dir or find_bin_dir()
    if bin_dir is None:
        raise FileNotFoundError("no PostgreSQL binaries (apt-get install -y postgresql)")
    owner: str | None = None
    base = Path(tempfile.mkdtemp(prefix="coregroup-pg-"))
    if os.geteuid() == 0:
        owner = "postgres"
        pw = pwd.getpwnam(owner)
        os.chown(base, pw.pw_uid, pw.pw_gid)
    data = base / "data"
    log = base / "server.log"
    subprocess.run(
        _as_owner(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
            owner,
        ),
        check=True,
        capture_output=True,
    )
    opts = (
        "-c listen_addresses=127.0.0.1 -c unix_socket_directories={sock} -p {port} "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
        "-c max_connections=200"
    )
    last_error = ""
    for _ in range(3):
        port = _free_port()
        proc = subprocess.run(
            _as_owner(
                [
                    str(bin_dir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(log),
                    "-w",
                    "-t",
                    "60",
                    "-o",
                    opts.format(sock=base, port=port),
                    "start",
                ],
                owner,
            ),
            capture_output=True,
            text=True,
        )
        if proc.returncode == 0:
            break
        last_error = proc.stderr + (log.read_text() if log.exists() else "")
        time.sleep(0.2)
    else:
        shutil.rmtree(base, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start:\n{last_error}")

    stopped = False
    stop_cmd = _as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], owner)
    watcher = _watch(stop_cmd, base)

    def stop() -> None:
        nonlocal stopped
        if stopped:
            return
        stopped = True
        subprocess.run(stop_cmd, capture_output=True)
        shutil.rmtree(base, ignore_errors=True)
        if watcher.stdin is not None:
            watcher.stdin.close()  # nothing left for it to do: it exits
        with contextlib.suppress(subprocess.TimeoutExpired):
            watcher.wait(timeout=30)

    atexit.register(stop)
    return PostgresServer(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", stop, data)


#: The watcher: wait for EOF on stdin (the test process has gone, however), then stop and delete.
_WATCHER = """
import shutil, subprocess, sys
sys.stdin.buffer.read()
subprocess.run(sys.argv[2:], capture_output=True)
shutil.rmtree(sys.argv[1], ignore_errors=True)
"""


def _watch(stop_cmd: list[str], base: Path) -> subprocess.Popen[bytes]:
    """A process that stops the cluster when this one dies (SIGKILL included: the kernel closes
    our end of its stdin). In a session of its own, so a Ctrl-C or a kill of our process group
    does not take it down before it has done its job."""
    return subprocess.Popen(
        [sys.executable, "-c", _WATCHER, str(base), *stop_cmd],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def postgres_required() -> bool:
    return os.environ.get(REQUIRE_ENV, "") not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The session's PostgreSQL: COREGROUP_TEST_DATABASE_URL's server, or a throw-away cluster."""
    url = os.environ.get(URL_ENV)
    if url:
        yield PostgresServer(url)
        return
    bin_dir = find_bin_dir()
    if bin_dir is None:
        message = f"PostgreSQL binaries not found (apt-get install -y postgresql), and {URL_ENV} is not set"
        if postgres_required():
            pytest.fail(f"{message}; {REQUIRE_ENV}=1 requires PostgreSQL", pytrace=False)
        pytest.skip(message)
    server = launch_cluster(bin_dir)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty database for one test, dropped afterwards."""
    url = postgres_server.create_database()
    try:
        yield url
    finally:
        postgres_server.drop_database(url)

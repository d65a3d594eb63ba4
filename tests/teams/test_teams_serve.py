"""`coregroup serve --teams` as a whole: settings → a token at start-up (fails fast with one line)
→ the SDK app under uvicorn at /api/messages, with the reminder sweep on the Teams port. The
token source and uvicorn's foreground run are swapped for the test; everything between is real."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fakes.env import migrated_template
from fakes.teams_connector import APP_ID, CONNECTOR_TOKEN, TENANT, FakeTeams, channel_message
from fakes.teams_harness import LEAD

from bot.cli import main
from bot.slack.http import ServerThread
from storage import repository as repo
from storage.db import Store, make_engine

ENV = (
    "TEAMS_APP_ID",
    "TEAMS_APP_PASSWORD",
    "TEAMS_TENANT_ID",
    "TEAMS_CERTIFICATE_PATH",
    "TEAMS_CERTIFICATE_THUMBPRINT",
    "TEAMS_OPENID_METADATA_URL",
    "TEAMS_SERVICE_URL",
    "TEAMS_AUTHORITY",
    "DATABASE_URL",
    "COREGROUP_SQLITE_PATH",
)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TEAMS_APP_ID", APP_ID)
    monkeypatch.setenv("TEAMS_APP_PASSWORD", "a-secret")
    monkeypatch.setenv("TEAMS_TENANT_ID", TENANT)
    monkeypatch.setenv("COREGROUP_SQLITE_PATH", str(migrated_template(tmp_path)))
    return monkeypatch


def test_an_unreachable_login_fails_fast_with_one_line(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.setenv("TEAMS_AUTHORITY", "https://127.0.0.1:9")
    assert main(["serve", "--teams"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(
        "coregroup: could not get a Bot Framework token for TEAMS_APP_ID from "
        "https://127.0.0.1:9 (token_failed: "
    )


def test_serve_teams_answers_signed_activities(
    env: pytest.MonkeyPatch, fake: FakeTeams, tmp_path: Path
) -> None:
    env.setenv("TEAMS_OPENID_METADATA_URL", fake.openid_metadata_url)
    env.setenv("TEAMS_SERVICE_URL", fake.service_url)
    env.setattr("bot.teams.connector.MsalToken.token", lambda self, refresh=False: CONNECTOR_TOKEN)
    jobs: list[Any] = []
    env.setattr("bot.scheduler.start", lambda job, minutes: jobs.append(job))
    served: dict[str, Any] = {}

    def run(app: Any, **kw: Any) -> None:
        with ServerThread(app) as server, httpx.Client(base_url=server.url) as client:
            served["health"] = client.get("/healthz").text
            # `serve` runs on the real clock: a start date that has already happened.
            start = (date.today() - timedelta(days=7)).isoformat()
            activity = channel_message(fake, LEAD, f"new CG-0001 profile:suffolk plan:cp start:{start}")
            token = fake.key.token(service_url=activity["serviceUrl"])
            served["unsigned"] = client.post("/api/messages", json=activity).status_code
            served["signed"] = client.post(
                "/api/messages", json=activity, headers={"Authorization": f"Bearer {token}"}
            ).status_code
            served["kw"] = kw
            import time

            deadline = time.monotonic() + 10
            while not fake.activities() and time.monotonic() < deadline:
                time.sleep(0.05)

    env.setattr("uvicorn.run", run)
    assert main(["serve", "--teams", "--port", "3978"]) == 0
    assert served["health"] == "ok"
    assert (served["unsigned"], served["signed"]) == (401, 200)
    assert served["kw"]["port"] == 3978
    assert [j.port.platform for j in jobs] == ["teams"]
    assert type(jobs[0].sweeper).__name__ == "SweepProcess"  # planning off the serving interpreter
    store = Store(make_engine(f"sqlite:///{tmp_path / 'template.db'}"))
    with store.read() as s:
        assert repo.channel_of(s, "CG-0001", "teams") is not None
    store.dispose()


def test_serve_teams_starts_the_calendar_worker_on_the_teams_port(
    env: pytest.MonkeyPatch, fake: FakeTeams, tmp_path: Path
) -> None:
    """Issue 6 x issue 7: without GRAPH_* the invitation is the .ics fallback, which on Teams is
    text in the case's channel; the row it came from is sent, not left pending."""
    import time

    import bot.cli_chat
    from bot.teams.chat import NO_FILE_HINT
    from handlers.invitations import CALENDAR_RULE
    from storage import outbox

    env.setenv("TEAMS_OPENID_METADATA_URL", fake.openid_metadata_url)
    env.setenv("TEAMS_SERVICE_URL", fake.service_url)
    env.setattr("bot.teams.connector.MsalToken.token", lambda self, refresh=False: CONNECTOR_TOKEN)
    env.setattr("bot.scheduler.start", lambda job, minutes: None)
    started: list[Any] = []
    real_start = bot.serving.start_calendar

    def start_calendar(settings: Any, store: Any, chat: Any, email: Any = None) -> Any:
        started.append(real_start(settings, store, chat, email))
        return started[-1]

    env.setattr("bot.serving.start_calendar", start_calendar)
    heard: list[str] = []

    def run(app: Any, **kw: Any) -> None:
        from bot.teams.cards import card_text

        today = date.today()  # `serve` runs on the real clock
        day = today + timedelta(days=2)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        with ServerThread(app) as server, httpx.Client(base_url=server.url) as client:
            for line in (
                f"new CG-0001 profile:suffolk plan:cp start:{(today - timedelta(days=2)).isoformat()}",
                f"meeting {day.isoformat()} 10:00",
            ):
                activity = channel_message(fake, LEAD, line)
                token = fake.key.token(service_url=activity["serviceUrl"])
                assert (
                    client.post(
                        "/api/messages", json=activity, headers={"Authorization": f"Bearer {token}"}
                    ).status_code
                    == 200
                )
                time.sleep(0.3)  # the answer runs after the acknowledgement
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                heard[:] = [card_text(a) for a in fake.activities()]
                if any(NO_FILE_HINT in t for t in heard):
                    break
                time.sleep(0.05)

    env.setattr("uvicorn.run", run)
    try:
        assert main(["serve", "--teams"]) == 0
    finally:
        for jobs in started:
            jobs.stop()
    assert [j.chat.platform for j in started] == ["teams"]
    assert any(NO_FILE_HINT in t and "CG-0001" in t for t in heard), heard
    store = Store(make_engine(f"sqlite:///{tmp_path / 'template.db'}"))
    with store.read() as s:
        rows = [r for r in outbox.reminders(s) if r.rule == CALENDAR_RULE]
    store.dispose()
    assert rows and all(r.status == "sent" for r in rows)

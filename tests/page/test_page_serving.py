"""Where the page is served: beside Slack's endpoint on the HTTP port of `serve`, and on its own
small server (with /healthz) for Socket Mode; and `serve` refuses a public URL with no secret."""

from __future__ import annotations

import re

import httpx
import pytest
from fakes import signing
from fakes.slack_api import FakeSlackAPI
from fakes.slack_harness import TOKEN, make_deps
from page_helpers import GP, Page

from bot.cli import main
from bot.cli_chat import check_serve_settings
from bot.page.app import PageDeps, page_routes
from bot.settings import Settings
from bot.slack.app import build_app
from bot.slack.http import EVENTS_PATH, ServerThread, http_app


def test_the_page_is_served_beside_the_slack_endpoint(asked: Page) -> None:
    s = asked.session
    assert s.links is not None
    deps = PageDeps(s.store, asked.clock, s.links, lambda: s.chat, s.email, s.config)
    with FakeSlackAPI(TOKEN) as api:
        app = build_app(
            token=TOKEN,
            signing_secret=signing.SIGNING_SECRET,
            api_url=api.base_url,
            deps=make_deps(s.store, asked.clock),
        )
        with ServerThread(http_app(app, extra_routes=page_routes(deps))) as server:
            link = server.url + asked.mail.link(GP, "written report").split("console.invalid", 1)[1]
            r = httpx.get(link)
            assert r.status_code == 200 and "Write my report" in r.text
            assert httpx.post(server.url + EVENTS_PATH, content=b"{}").status_code == 401
            assert httpx.get(server.url + "/healthz").text == "ok"


def test_the_socket_mode_side_server_serves_the_page_and_health(page: Page) -> None:
    assert httpx.get(page.url + "/healthz").text == "ok"
    r = httpx.get(page.url + "/r/not-a-real-link")
    assert r.status_code == 400 and "contact the lead social worker" in r.text


def test_serve_refuses_a_public_url_without_a_link_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings.model_validate(
        {
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_SIGNING_SECRET": "s",
            "COREGROUP_PUBLIC_URL": "https://coregroup.council.example",
        }
    )
    problems = check_serve_settings(settings)
    assert any("COREGROUP_LINK_SECRET is not" in p for p in problems)
    for k, v in {
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": "s",
        "COREGROUP_PUBLIC_URL": "https://coregroup.council.example",
        "COREGROUP_SMTP_URL": "smtp://relay.council.example:25",
    }.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("COREGROUP_LINK_SECRET", raising=False)
    monkeypatch.delenv("COREGROUP_MAIL_FROM", raising=False)
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert "COREGROUP_LINK_SECRET" in err and "COREGROUP_MAIL_FROM must be set" in err


@pytest.mark.filterwarnings("ignore:The bot client is deprecated")
@pytest.mark.filterwarnings("ignore:.*in preview")
def test_the_page_is_served_beside_the_teams_endpoint(asked: Page) -> None:
    from fakes.teams_connector import FakeTeams
    from fakes.teams_harness import ROSTER
    from fakes.teams_harness import make_deps as teams_deps

    from bot.teams.app import MESSAGES_PATH, asgi
    from bot.teams.app import build_app as build_teams

    s = asked.session
    assert s.links is not None
    deps = PageDeps(s.store, asked.clock, s.links, lambda: s.chat, s.email, s.config)
    with FakeTeams(roster=list(ROSTER)) as fake:
        tdeps = teams_deps(fake, s.store, asked.clock, [])
        app = build_teams(tdeps, app_password="secret", openid_metadata_url=fake.openid_metadata_url)
        try:
            with ServerThread(asgi(app, extra_routes=page_routes(deps))) as server:
                link = server.url + asked.mail.link(GP, "written report").split("console.invalid", 1)[1]
                r = httpx.get(link)
                assert r.status_code == 200 and "Write my report" in r.text
                with httpx.Client() as browser:
                    form = browser.get(link)
                    nonce = re.search(r'name="csrf" value="([^"]+)"', form.text)
                    assert nonce
                    done = browser.post(
                        link, data={"csrf": nonce.group(1), "answer": "report", "report": "From Teams' port."}
                    )
                    assert "Your report is in" in done.text
                assert httpx.post(server.url + MESSAGES_PATH, json={}).status_code in (401, 403)
        finally:
            tdeps.worker.shutdown()
            tdeps.connector.close()

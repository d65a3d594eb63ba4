"""Email through Microsoft Graph `sendMail`, against the HTTPS Graph fake with the real
client-credentials token flow (azure-identity): the MIME message, iMIP part and all, goes as it is."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime

import pytest
from fakes.graph_server import FakeGraphServer, make_certificate
from icalendar import Calendar

from bot.email.transport import GraphMailTransport, transport_from_settings
from bot.email.wiring import email_port
from bot.port import ChatError
from bot.settings import Settings
from handlers.replies import Button, Message
from scheduling.london import LONDON

ORGANISER = "coregroup@example.test"
NOW = datetime(2027, 1, 12, 9, 30, tzinfo=LONDON)


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeGraphServer]:
    cert = make_certificate(tmp_path_factory.mktemp("graph-mail-cert"))
    saved = {k: os.environ.get(k) for k in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")}
    os.environ["SSL_CERT_FILE"] = str(cert.cert_file)
    os.environ["REQUESTS_CA_BUNDLE"] = str(cert.cert_file)
    server = FakeGraphServer(cert, organiser=ORGANISER).start()
    try:
        yield server
    finally:
        server.stop()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def settings_for(fake: FakeGraphServer, **more: str) -> Settings:
    return Settings.model_validate(
        {
            "GRAPH_TENANT_ID": fake.tenant,
            "GRAPH_CLIENT_ID": fake.client_id,
            "GRAPH_CLIENT_SECRET": fake.client_secret,
            "GRAPH_ORGANISER": ORGANISER,
            "GRAPH_BASE_URL": fake.base_url,
            "GRAPH_AUTHORITY": fake.authority,
            "COREGROUP_SMTP_URL": "smtp://relay.invalid:25",  # Graph wins when both are set
            "COREGROUP_MAIL_FROM": "other@council.example",
            **more,
        }
    )


def test_graph_settings_choose_sendmail_from_the_organiser_mailbox(graph: FakeGraphServer) -> None:
    graph.reset()
    settings = settings_for(
        graph, COREGROUP_PUBLIC_URL="https://cg.council.example", COREGROUP_LINK_SECRET="s" * 32
    )
    assert isinstance(transport_from_settings(settings), GraphMailTransport)
    port = email_port(settings, lambda: NOW)
    assert port is not None
    ask = Message(
        "CG-0001: are you coming to the core group on Fri 15 Jan?",
        ("The core group is on Fri 15 Jan 2027 (in 3 working days).",),
        (
            Button("Attending", "cg.run", "CG-0001 attending 2027-01-15"),
            Button("Sending apologies", "cg.run", "CG-0001 apologies 2027-01-15"),
        ),
    )
    port.direct_message("gp@example.org", ask)
    assert graph.tokens_issued == 1, "a real client-credentials token"
    [mail] = graph.mail
    assert mail["From"] == ORGANISER and mail["To"] == "gp@example.org"
    assert mail["Subject"] == "CG-0001: are you coming to the core group on Fri 15 Jan?"
    body = mail.get_body(("plain",)).get_content()
    assert "https://cg.council.example/r/" in body
    [call] = graph.graph_calls("POST", "/sendMail")
    assert call.path == f"/v1.0/users/{ORGANISER}/sendMail"
    assert call.headers["authorization"].startswith("Bearer fake-token-")


def test_an_invitation_by_graph_mail_keeps_its_calendar_part(graph: FakeGraphServer) -> None:
    graph.reset()
    port = email_port(settings_for(graph), lambda: NOW)
    assert port is not None
    ics = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
        b"UID:cg-1@coregroup\r\nSEQUENCE:2\r\nDTSTAMP:20270112T093000Z\r\nDTSTART:20270115T100000Z\r\n"
        b"SUMMARY:CG-0001 core group\r\nATTENDEE;CN=GP:mailto:gp@example.org\r\n"
        b"ATTENDEE;CN=Police:mailto:pc@police.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    port.send_invitation(Message("CG-0001: core group meeting, Fri 15 Jan 2027"), ics, "REQUEST")
    assert sorted(m["To"] for m in graph.mail) == ["gp@example.org", "pc@police.example"]
    part = next(p for p in graph.mail[0].walk() if p.get_content_type() == "text/calendar")
    assert part.get_param("method") == "REQUEST"
    ev = next(iter(Calendar.from_ical(part.get_content()).walk("VEVENT")))
    assert (str(ev["UID"]), int(ev["SEQUENCE"])) == ("cg-1@coregroup", 2)


def test_graph_failures_are_chat_errors_the_outbox_retries(graph: FakeGraphServer) -> None:
    graph.reset()
    port = email_port(settings_for(graph), lambda: NOW)
    assert port is not None
    graph.storm(503)
    try:
        with pytest.raises(ChatError) as err:
            port.direct_message("gp@example.org", Message("CG-0001: test"))
    finally:
        graph.storm(None)
    assert err.value.code == "graph_5xx"
    assert graph.mail == []

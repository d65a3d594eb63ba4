"""SMTP over TLS against a real aiosmtpd server with a certificate from a CA made in the test
(trustme): STARTTLS on a submission port with a login, implicit TLS (`smtps://`), a CA the client
does not trust refused, and a password never sent in clear to a server without STARTTLS.

The client trusts the test's CA the way a council's deployment trusts its own relay's private
CA: `SSL_CERT_FILE` (OpenSSL's own variable, read by `ssl.create_default_context()`), so
`transport_from_settings` is exercised as `serve` runs it, with no setting of our own.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from mail_helpers import SENDER, Inbox, free_port

from bot.email.compose import compose
from bot.email.transport import SmtpSettings, SmtpTransport, transport_from_settings
from bot.port import ChatError
from bot.settings import Settings
from handlers.replies import Message

USER, PASSWORD = "coregroup", "s3cret:pw"


class TlsInbox(Inbox):
    """Also notes, per accepted message, whether it came over TLS and by whom."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[bool, str | None]] = []
        self.logins: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.seen.append(
            (
                server.transport.get_extra_info("ssl_object") is not None,
                session.auth_data if session.authenticated else None,
            )
        )
        return await super().handle_DATA(server, session, envelope)

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        self.logins.append(data.login.decode())
        ok = (data.login.decode(), data.password.decode()) == (USER, PASSWORD)
        return AuthResult(success=ok, handled=False, auth_data=data.login.decode() if ok else None)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "council-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


def server_context(ca: trustme.CA) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(ctx)
    return ctx


def start(box: TlsInbox, **kwargs: Any) -> Controller:
    controller = Controller(box, hostname="127.0.0.1", port=free_port(), **kwargs)
    controller.start()
    return controller


@pytest.fixture
def starttls(ca: trustme.CA) -> Iterator[tuple[TlsInbox, int]]:
    """Port-587 style: plain connect, STARTTLS required before anything, AUTH only over TLS."""
    box = TlsInbox()
    c = start(
        box,
        tls_context=server_context(ca),
        require_starttls=True,
        auth_require_tls=True,
        authenticator=box.authenticate,
    )
    try:
        yield box, c.port
    finally:
        c.stop()


@pytest.fixture
def implicit(ca: trustme.CA) -> Iterator[tuple[TlsInbox, int]]:
    """Port-465 style: TLS from the first byte. (aiosmtpd's `auth_require_tls` looks only for a
    STARTTLS, so it is off here; the handler checks each message came over TLS.)"""
    box = TlsInbox()
    c = start(box, ssl_context=server_context(ca), authenticator=box.authenticate, auth_require_tls=False)
    try:
        yield box, c.port
    finally:
        c.stop()


def mail_to(address: str) -> Any:
    return compose(
        Message("CG-0001: core group meeting, Fri 15 Jan 2027 — are you coming?"),
        sender=SENDER,
        to=[address],
        now=datetime(2027, 1, 12, 9, 30, tzinfo=UTC),
    )


def settings(url: str) -> Settings:
    return Settings(COREGROUP_SMTP_URL=url, COREGROUP_MAIL_FROM=SENDER)


def test_starttls_with_a_login_from_the_settings(
    starttls: tuple[TlsInbox, int], ca_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    box, port = starttls
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    t = transport_from_settings(settings(f"smtp://{USER}:s3cret%3Apw@127.0.0.1:{port}"))
    assert isinstance(t, SmtpTransport) and not t.smtp.implicit_tls
    t.send(mail_to("gp@example.org"))
    assert len(box.to("gp@example.org")) == 1
    assert box.seen == [(True, USER)], "over TLS, logged in"


def test_a_wrong_password_over_starttls_is_a_permanent_refusal(
    starttls: tuple[TlsInbox, int], ca_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    box, port = starttls
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    t = transport_from_settings(settings(f"smtp://{USER}:wrong@127.0.0.1:{port}"))
    assert t is not None
    with pytest.raises(ChatError) as err:
        t.send(mail_to("gp@example.org"))
    assert err.value.code == "smtp_5xx"
    assert "wrong" not in str(err.value), "the password is not in the error"
    assert set(box.logins) == {USER} and box.mail == [], "tried (smtplib tries each mechanism), refused"


def test_implicit_tls_smtps_url(
    implicit: tuple[TlsInbox, int], ca_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    box, port = implicit
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    t = transport_from_settings(settings(f"smtps://{USER}:s3cret%3Apw@127.0.0.1:{port}"))
    assert isinstance(t, SmtpTransport) and t.smtp.implicit_tls
    t.send(mail_to("pc@police.example"))
    assert len(box.to("pc@police.example")) == 1
    assert box.seen == [(True, USER)]


@pytest.mark.parametrize("shape", ["starttls", "implicit"])
def test_a_certificate_the_client_does_not_trust_is_refused(
    shape: str, request: pytest.FixtureRequest
) -> None:
    """Without the council's CA the handshake fails: nothing is sent, nobody logs in. The default
    context verifies (no `SSL_CERT_FILE` here, so only the system's CAs are trusted)."""
    box, port = request.getfixturevalue(shape)
    t = SmtpTransport(
        SmtpSettings("127.0.0.1", port, implicit_tls=shape == "implicit", user=USER, password=PASSWORD),
        SENDER,
        timeout=10,
    )
    with pytest.raises(ChatError) as err:
        t.send(mail_to("gp@example.org"))
    assert err.value.code == "unreachable"
    assert box.mail == [] and box.logins == []


def test_a_login_is_never_sent_to_a_server_without_starttls() -> None:
    """A relay that offers no STARTTLS with a user in the URL: the client stops before AUTH."""
    box = TlsInbox()
    c = start(box, authenticator=box.authenticate, auth_require_tls=False)
    try:
        t = SmtpTransport(
            SmtpSettings("127.0.0.1", c.port, implicit_tls=False, user=USER, password=PASSWORD),
            SENDER,
            timeout=10,
        )
        with pytest.raises(ChatError) as err:
            t.send(mail_to("gp@example.org"))
    finally:
        c.stop()
    assert err.value.code == "unreachable"
    assert box.logins == [] and box.mail == []

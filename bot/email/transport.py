"""How an email leaves: Microsoft Graph `sendMail` from the organiser mailbox, else SMTP.

Why two: a council with Graph set up for calendars already has a mailbox the bot may send as,
and mail from it passes the council's own SPF/DKIM; a council without Graph relays through its
own mail server (`COREGROUP_SMTP_URL`). Both take the same finished `EmailMessage` (MIME, with the
iMIP `text/calendar` part when there is one), so what people receive does not depend on the route.

Failures are `ChatError`s with a code that says what happened and whether trying again can help
(`smtp_4xx` and `unreachable` are temporary, `smtp_5xx` permanent); the reminder outbox retries
with backoff either way and dead-letters after repeated failure (bot/delivery.py). The error text
never carries the server's own reply, which can echo addresses.
"""

from __future__ import annotations

import base64
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr
from typing import TYPE_CHECKING, Protocol
from urllib.parse import unquote, urlsplit

from bot.ops.metrics import mail_failed
from bot.port import ChatError

if TYPE_CHECKING:
    from bot.settings import Settings


class MailTransport(Protocol):
    """Hands one finished message to a mail service; raises `ChatError` if it was not accepted."""

    sender: str

    def send(self, message: EmailMessage) -> None: ...


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    implicit_tls: bool
    user: str | None = None
    password: str | None = None


def parse_smtp_url(url: str) -> SmtpSettings:
    """`smtp://user:pass@host:587` (STARTTLS when the server offers it, required with a login),
    `smtps://user:pass@host:465` (implicit TLS), `smtp://host:25` (no login)."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError(
            "COREGROUP_SMTP_URL must look like smtp://user:password@mail.council.gov.uk:587 "
            "or smtps://user:password@mail.council.gov.uk:465"
        )
    implicit = parts.scheme == "smtps"
    return SmtpSettings(
        host=parts.hostname,
        port=parts.port or (465 if implicit else 587),
        implicit_tls=implicit,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


class SmtpTransport:
    """SMTP, one connection per message: the bot sends a few dozen a day, and a connection held
    open between sweeps would only time out."""

    def __init__(
        self, smtp: SmtpSettings, sender: str, *, timeout: float = 30.0, context: ssl.SSLContext | None = None
    ) -> None:
        self.smtp = smtp
        self.sender = sender
        self.timeout = timeout
        self.context = context or ssl.create_default_context()

    def send(self, message: EmailMessage) -> None:
        try:
            self._send(message)
        except ChatError as exc:
            mail_failed(exc.code)  # coregroup_mail_failures_total{reason}: the code, never an address
            raise

    def _send(self, message: EmailMessage) -> None:
        s = self.smtp
        try:
            client: smtplib.SMTP
            if s.implicit_tls:
                client = smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout, context=self.context)
            else:
                client = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
            with client:
                client.ehlo()
                if not s.implicit_tls and (client.has_extn("starttls") or s.user):
                    client.starttls(context=self.context)
                    client.ehlo()
                if s.user:
                    client.login(s.user, s.password or "")
                refused = client.send_message(message)
                if refused:
                    codes = sorted({c for c, _ in refused.values()})
                    raise ChatError(_smtp_code(codes[-1]), "some recipients were refused")
        except smtplib.SMTPResponseException as exc:
            raise ChatError(_smtp_code(exc.smtp_code), "the mail server refused the message") from None
        except smtplib.SMTPRecipientsRefused as exc:
            codes = sorted({c for c, _ in exc.recipients.values()})
            raise ChatError(_smtp_code(codes[-1] if codes else 550), "recipients refused") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise ChatError("unreachable", type(exc).__name__) from None


def _smtp_code(code: int) -> str:
    return "smtp_4xx" if 400 <= code < 500 else "smtp_5xx"


class GraphMailTransport:
    """Graph `POST /users/{organiser}/sendMail` with the MIME message (base64, text/plain), so the
    calendar part goes byte for byte as SMTP would send it. The token comes from Entra ID's
    client-credentials flow (azure-identity), as for the calendar (docs/graph.md); the app needs
    the `Mail.Send` application permission, limited to the organiser mailbox by an application
    access policy."""

    def __init__(
        self,
        *,
        tenant: str,
        client_id: str,
        client_secret: str,
        organiser: str,
        base_url: str,
        authority: str,
        timeout: float = 30.0,
    ) -> None:
        from azure.identity import ClientSecretCredential

        from bot.calendar.graph import scope_for

        self.sender = organiser
        self._base = base_url.rstrip("/")
        self._scope = scope_for(base_url)
        self._timeout = timeout
        self._credential = ClientSecretCredential(
            tenant, client_id, client_secret, authority=authority, disable_instance_discovery=True
        )

    def send(self, message: EmailMessage) -> None:
        try:
            self._send(message)
        except ChatError as exc:
            mail_failed(exc.code)
            raise

    def _send(self, message: EmailMessage) -> None:
        import httpx

        try:
            token = self._credential.get_token(self._scope).token
        except Exception as exc:  # azure-identity's errors carry the tenant's reply text
            raise ChatError("graph_token", type(exc).__name__) from None
        body = base64.b64encode(bytes(message)).decode("ascii")
        try:
            r = httpx.post(
                f"{self._base}/users/{self.sender}/sendMail",
                content=body,
                headers={"Authorization": f"Bearer {token}", "Content-Type": "text/plain"},
                timeout=self._timeout,
            )
        except httpx.HTTPError as exc:
            raise ChatError("unreachable", type(exc).__name__) from None
        if r.status_code != 202:
            code = "graph_4xx" if 400 <= r.status_code < 500 and r.status_code != 429 else "graph_5xx"
            raise ChatError(code, f"Graph answered {r.status_code}")


def graph_mail_configured(settings: Settings) -> bool:
    from bot.calendar.graph import graph_configured

    return graph_configured(settings)


def email_configured(settings: Settings) -> bool:
    """Is there a way to send email? Graph's settings, or an SMTP URL with a From address."""
    return settings.email_ready


def transport_from_settings(settings: Settings) -> MailTransport | None:
    """Graph when its settings are there, else SMTP, else None (email is not set up)."""
    if graph_mail_configured(settings):
        assert settings.graph_tenant_id and settings.graph_client_id and settings.graph_client_secret
        assert settings.graph_organiser
        return GraphMailTransport(
            tenant=settings.graph_tenant_id,
            client_id=settings.graph_client_id,
            client_secret=settings.graph_client_secret,
            organiser=settings.graph_organiser,
            base_url=settings.graph_base_url,
            authority=settings.graph_authority,
        )
    if settings.smtp_url:
        if not settings.mail_from or "@" not in parseaddr(settings.mail_from)[1]:
            raise ValueError(
                "COREGROUP_MAIL_FROM must be set with COREGROUP_SMTP_URL, e.g. coregroup@council.gov.uk"
            )
        return SmtpTransport(parse_smtp_url(settings.smtp_url), settings.mail_from)
    return None

"""A local fake of Microsoft Graph (calendar part) and of the Entra ID token endpoint, over HTTPS.

Why HTTPS and a real server: azure-identity refuses a plain-HTTP authority, and the point of the
Graph tests is to run the real `msgraph-sdk` client -- its kiota middleware (retry handler
included), its JSON serialisation and the real client-credentials flow of `azure-identity` -- so
that the tests see the bytes Microsoft would receive. The certificate is self-signed for 127.0.0.1
and made per test session (`make_certificate`); the test process trusts it through
`SSL_CERT_FILE` / `REQUESTS_CA_BUNDLE`.

The fake is strict where Graph is strict (bearer token, JSON bodies, the organiser in the path,
404 for an unknown event, `transactionId` deduplication on create) and keeps just enough state
(events, cancellations, free/busy) for assertions. Every request is recorded in `fake.requests`
with its parsed JSON body and the monotonic time it arrived.

Knobs for the nasty cases:
- `fake.delay = 5.0` -- every Graph call (not the token endpoint) answers after 5 s;
- `fake.throttle(times=1, retry_after=2)` -- the next Graph call(s) get HTTP 429 with `Retry-After`
  (`status=503` for service-unavailable bursts);
- `fake.storm(500)` -- every Graph call fails with that status until `fake.storm(None)`;
- `fake.busy[email] = [(start, end), ...]` -- busy periods (aware datetimes) for `getSchedule`;
  addresses in `fake.external` answer with a free/busy error, as addresses outside the
  organiser's tenant do.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import ssl
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit
from zoneinfo import ZoneInfo

UTC = dt.UTC


# --- certificate ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Certificate:
    cert_file: Path
    key_file: Path


def make_certificate(directory: Path) -> Certificate:
    """A self-signed certificate for 127.0.0.1 (the same one `openssl req -x509 -newkey rsa:2048
    -nodes -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1` makes), with `cryptography` so
    that the tests need no openssl binary."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    cert_file = directory / "fake-graph.pem"
    key_file = directory / "fake-graph.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return Certificate(cert_file, key_file)


# --- recording -----------------------------------------------------------------------------------


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    at: float
    status: int = 0

    @property
    def is_graph(self) -> bool:
        return self.path.startswith("/v1.0/")


@dataclass
class _Burst:
    status: int
    times: int
    retry_after: int | None


@dataclass
class FakeGraphServer:
    cert: Certificate
    tenant: str = "tenant-test"
    client_id: str = "client-test"
    client_secret: str = "secret-test"
    organiser: str = "coregroup@example.test"
    delay: float = 0.0
    requests: list[Recorded] = field(default_factory=list)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    cancelled: dict[str, str] = field(default_factory=dict)
    busy: dict[str, list[tuple[dt.datetime, dt.datetime]]] = field(default_factory=dict)
    external: set[str] = field(default_factory=set)
    tokens_issued: int = 0
    #: Messages accepted by `sendMail` (parsed `email.message.EmailMessage`s).
    mail: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._bursts: list[_Burst] = []
        self._storm: int | None = None
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> FakeGraphServer:
        fake = self

        class Handler(_Handler):
            server_fake = fake

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(str(self.cert.cert_file), str(self.cert.key_file))
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="fake-graph", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def reset(self) -> None:
        """Forget everything but the certificate and the port, between tests."""
        with self._lock:
            self.requests.clear()
            self.events.clear()
            self.cancelled.clear()
            self.busy.clear()
            self.external.clear()
            self._bursts.clear()
            self._storm = None
            self.delay = 0.0
            self.tokens_issued = 0
            self.mail.clear()

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the fake first"
        return int(self._server.server_address[1])

    @property
    def authority(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}/v1.0"

    # -- knobs -----------------------------------------------------------------------------------

    def throttle(self, times: int = 1, retry_after: int | None = 2, status: int = 429) -> None:
        with self._lock:
            self._bursts.append(_Burst(status, times, retry_after))

    def storm(self, status: int | None = 500) -> None:
        with self._lock:
            self._storm = status

    # -- reading ---------------------------------------------------------------------------------

    def graph_calls(self, method: str | None = None, path_end: str | None = None) -> list[Recorded]:
        with self._lock:
            calls = [r for r in self.requests if r.is_graph]
        if method is not None:
            calls = [r for r in calls if r.method == method]
        if path_end is not None:
            calls = [r for r in calls if r.path.endswith(path_end)]
        return calls

    # -- behaviour (called from the handler thread) ----------------------------------------------

    def _next_failure(self) -> tuple[int, int | None] | None:
        with self._lock:
            if self._storm is not None:
                return self._storm, None
            if self._bursts:
                b = self._bursts[0]
                b.times -= 1
                if b.times <= 0:
                    self._bursts.pop(0)
                return b.status, b.retry_after
        return None

    def _new_id(self) -> str:
        return f"AAMkAD-fake-{next(self._ids):04d}"


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


_USER_PATH = re.compile(r"^/v1\.0/users/(?P<user>[^/]+)(?P<rest>/.*)$")
_EVENT_PATH = re.compile(r"^/events/(?P<id>[^/]+)(?P<action>/cancel)?$")


class _Handler(BaseHTTPRequestHandler):
    server_fake: FakeGraphServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: pytest shows failures
        return

    # one entry point for every verb
    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def _handle(self) -> None:
        fake = self.server_fake
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        ctype = self.headers.get("Content-Type", "")
        body: Any
        if "json" in ctype and raw:
            body = json.loads(raw)
        elif "x-www-form-urlencoded" in ctype:
            body = dict(parse_qsl(raw.decode()))
        else:
            body = raw.decode() if raw else None
        rec = Recorded(
            method=self.command,
            path=unquote(parts.path),
            query=dict(parse_qsl(parts.query)),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            at=time.monotonic(),
        )
        with fake._lock:
            fake.requests.append(rec)
        try:
            status, payload, headers = self._route(fake, rec)
        except Exception as exc:  # a bug in the fake must show as a failure, not a hang
            status, payload, headers = 599, _error("FakeBug", repr(exc)), {}
        rec.status = status
        self._send(status, payload, headers)

    def _send(self, status: int, payload: Any, headers: dict[str, str]) -> None:
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        if payload is not None:
            self.send_header("Content-Type", "application/json")
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    # -- routing ---------------------------------------------------------------------------------

    def _route(self, fake: FakeGraphServer, rec: Recorded) -> tuple[int, Any, dict[str, str]]:
        path = rec.path
        if path.endswith("/.well-known/openid-configuration"):
            return 200, self._openid(fake), {}
        if path == f"/{fake.tenant}/oauth2/v2.0/token":
            return self._token(fake, rec)
        if not rec.is_graph:
            return 404, _error("NotFound", f"no such path {path}"), {}

        if fake.delay:
            time.sleep(fake.delay)
        auth = rec.headers.get("authorization", "")
        if not auth.startswith("Bearer fake-token-"):
            return 401, _error("InvalidAuthenticationToken", "Access token is empty."), {}
        failure = fake._next_failure()
        if failure is not None:
            status, retry_after = failure
            headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
            code = {429: "TooManyRequests", 503: "ServiceUnavailable"}.get(status, "InternalServerError")
            return status, _error(code, "The fake is failing on purpose."), headers

        m = _USER_PATH.match(path)
        if m is None:
            return 404, _error("ResourceNotFound", f"no such path {path}"), {}
        if m["user"].lower() != fake.organiser.lower():
            return 404, _error("ErrorInvalidUser", "The requested user is invalid."), {}
        rest = m["rest"]
        if rest == "/sendMail" and rec.method == "POST":
            return self._send_mail(fake, rec)
        if rest == "/events" and rec.method == "POST":
            return self._create(fake, rec)
        if rest == "/calendar/getSchedule" and rec.method == "POST":
            return self._get_schedule(fake, rec)
        em = _EVENT_PATH.match(rest)
        if em is not None:
            event_id = em["id"]
            if event_id not in fake.events:
                return 404, _error("ErrorItemNotFound", "The specified object was not found."), {}
            if em["action"] and rec.method == "POST":
                return self._cancel(fake, rec, event_id)
            if not em["action"] and rec.method == "PATCH":
                return self._patch(fake, rec, event_id)
            if not em["action"] and rec.method == "GET":
                return 200, fake.events[event_id], {}
        return 405, _error("MethodNotAllowed", f"{rec.method} {rest}"), {}

    def _send_mail(self, fake: FakeGraphServer, rec: Recorded) -> tuple[int, Any, dict[str, str]]:
        """`sendMail` with a MIME body: base64 text/plain, as Graph takes it; 202 and no body."""
        import base64
        from email import message_from_bytes, policy

        if not rec.headers.get("content-type", "").startswith("text/plain") or not isinstance(rec.body, str):
            return 400, _error("ErrorMimeContentInvalid", "MIME content must be base64 text/plain."), {}
        try:
            mime = message_from_bytes(base64.b64decode(rec.body, validate=True), policy=policy.default)
        except ValueError:
            return 400, _error("ErrorMimeContentInvalidBase64String", "Invalid base64 string."), {}
        if not mime["To"]:
            return 400, _error("ErrorInvalidRecipients", "At least one recipient is not valid."), {}
        with fake._lock:
            fake.mail.append(mime)
        return 202, None, {}

    def _openid(self, fake: FakeGraphServer) -> dict[str, Any]:
        base = f"{fake.authority}/{fake.tenant}"
        return {
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "issuer": f"{base}/v2.0",
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "response_types_supported": ["code", "id_token", "token"],
        }

    def _token(self, fake: FakeGraphServer, rec: Recorded) -> tuple[int, Any, dict[str, str]]:
        form = rec.body if isinstance(rec.body, dict) else {}
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}, {}
        if form.get("client_id") != fake.client_id or form.get("client_secret") != fake.client_secret:
            return (
                401,
                {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided.",
                },
                {},
            )
        with fake._lock:
            fake.tokens_issued += 1
            n = fake.tokens_issued
        return (
            200,
            {
                "token_type": "Bearer",
                "expires_in": 3599,
                "ext_expires_in": 3599,
                "access_token": f"fake-token-{n}",
            },
            {},
        )

    # -- events ----------------------------------------------------------------------------------

    def _create(self, fake: FakeGraphServer, rec: Recorded) -> tuple[int, Any, dict[str, str]]:
        body = rec.body
        if not isinstance(body, dict) or "subject" not in body or "start" not in body:
            return 400, _error("ErrorInvalidRequest", "An event needs a subject and a start."), {}
        txn = body.get("transactionId")
        with fake._lock:
            if txn:
                for ev in fake.events.values():
                    if ev.get("transactionId") == txn:
                        # Graph answers a repeated create with the event it already made.
                        return 201, ev, {}
            event_id = fake._new_id()
            ev = dict(body)
            ev["id"] = event_id
            ev["isCancelled"] = False
            ev["iCalUId"] = f"040000008200E00074C5B7101A82E008-{event_id}"
            if body.get("isOnlineMeeting"):
                ev["onlineMeeting"] = {"joinUrl": f"https://teams.example.test/l/meetup-join/{event_id}"}
            fake.events[event_id] = ev
        return 201, ev, {}

    def _patch(self, fake: FakeGraphServer, rec: Recorded, event_id: str) -> tuple[int, Any, dict[str, str]]:
        if not isinstance(rec.body, dict) or not rec.body:
            return 400, _error("ErrorInvalidRequest", "Empty PATCH."), {}
        with fake._lock:
            ev = fake.events[event_id]
            if ev.get("isCancelled"):
                return 400, _error("ErrorCalendarIsCancelledForAccept", "The meeting is cancelled."), {}
            ev.update(rec.body)
            return 200, ev, {}

    def _cancel(self, fake: FakeGraphServer, rec: Recorded, event_id: str) -> tuple[int, Any, dict[str, str]]:
        comment = str(_ci(rec.body).get("comment", ""))
        with fake._lock:
            fake.events[event_id]["isCancelled"] = True
            fake.cancelled[event_id] = comment
        return 202, None, {}

    # -- free/busy -------------------------------------------------------------------------------

    def _get_schedule(self, fake: FakeGraphServer, rec: Recorded) -> tuple[int, Any, dict[str, str]]:
        body = _ci(rec.body)
        try:
            start = _parse_dttz(_ci(body["starttime"]))
            end = _parse_dttz(_ci(body["endtime"]))
            schedules = list(body["schedules"])
        except (KeyError, TypeError, ValueError):
            return 400, _error("ErrorInvalidRequest", "schedules, startTime and endTime are required."), {}
        if end - start > dt.timedelta(days=62):
            return 400, _error("ErrorInvalidTimeInterval", "The time range is longer than 62 days."), {}
        interval = int(body.get("availabilityviewinterval") or 30)
        out = []
        for email in schedules:
            if email.lower() in {e.lower() for e in fake.external}:
                out.append(
                    {
                        "scheduleId": email,
                        "availabilityView": "",
                        "scheduleItems": [],
                        "error": {
                            "message": "Free/busy not available for this recipient.",
                            "responseCode": "ErrorFreeBusyGenerationFailed",
                        },
                    }
                )
                continue
            items = [(s, e) for s, e in fake.busy.get(email, []) if s < end and e > start]
            out.append(
                {
                    "scheduleId": email,
                    "availabilityView": _view(items, start, end, interval),
                    "scheduleItems": [
                        {
                            "isPrivate": False,
                            "status": "busy",
                            "start": {"dateTime": _fmt(s), "timeZone": "UTC"},
                            "end": {"dateTime": _fmt(e), "timeZone": "UTC"},
                        }
                        for s, e in items
                    ],
                    "workingHours": {
                        "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
                        "startTime": "09:00:00.0000000",
                        "endTime": "17:00:00.0000000",
                        "timeZone": {"name": "GMT Standard Time"},
                    },
                }
            )
        return 200, {"value": out}, {}


def _ci(body: Any) -> dict[str, Any]:
    """Graph reads action parameters case-insensitively (the SDK sends `Comment`, `Schedules`)."""
    return {str(k).lower(): v for k, v in body.items()} if isinstance(body, dict) else {}


def _parse_dttz(v: dict[str, str]) -> dt.datetime:
    naive = dt.datetime.fromisoformat(v["datetime"][:19])
    tz = v.get("timezone", "UTC")
    zone = UTC if tz.upper() == "UTC" else ZoneInfo(tz)
    return naive.replace(tzinfo=zone).astimezone(UTC)


def _fmt(d: dt.datetime) -> str:
    return d.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000")


def _view(
    items: Iterable[tuple[dt.datetime, dt.datetime]], start: dt.datetime, end: dt.datetime, interval: int
) -> str:
    step = dt.timedelta(minutes=interval)
    out = []
    t = start
    spans = list(items)
    while t < end:
        out.append("2" if any(s < t + step and e > t for s, e in spans) else "0")
        t += step
    return "".join(out)

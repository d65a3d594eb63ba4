"""Deployment settings, read once from the environment and validated with messages that say what to fix.

Handlers never read `os.environ`; they are given a `Settings` (or the values they need).
"""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from handlers.common import Config


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    #: Unset: a SQLite file at `sqlite_path` (the embedded default). Set: e.g.
    #: postgresql+psycopg://user@127.0.0.1:5432/coregroup
    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    sqlite_path: Path = Field(default=Path("coregroup.db"), alias="COREGROUP_SQLITE_PATH")

    slack_bot_token: str | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: str | None = Field(default=None, alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(default="https://slack.com/api/", alias="SLACK_API_URL")
    channel_prefix: str = Field(default="cg-", alias="COREGROUP_CHANNEL_PREFIX")
    #: Case references are this prefix, a hyphen and digits (CG-0042); `new` refuses anything
    #: else, so a child's name never reaches a channel name. 1 to 6 letters.
    reference_prefix: str = Field(default="CG", alias="COREGROUP_REFERENCE_PREFIX")
    #: Roles that come with the case's powers (close, change, remove others, grant) when the lead
    #: social worker, a case manager or a deployment manager adds the member; added by anyone
    #: else the role carries no powers. Comma-separated, as typed in `add … role:"…"`.
    manager_roles: str = Field(
        default="team manager, practice lead, manager, service manager", alias="COREGROUP_MANAGER_ROLES"
    )
    #: Deployment-level managers: platform addresses, comma-separated ("slack:U0123ABC,
    #: teams:29:1abc…"). They may grant powers and close or change any case (audited).
    managers: str = Field(default="", alias="COREGROUP_MANAGERS")

    graph_tenant_id: str | None = Field(default=None, alias="GRAPH_TENANT_ID")
    graph_client_id: str | None = Field(default=None, alias="GRAPH_CLIENT_ID")
    graph_client_secret: str | None = Field(default=None, alias="GRAPH_CLIENT_SECRET")
    graph_organiser: str | None = Field(default=None, alias="GRAPH_ORGANISER")
    graph_base_url: str = Field(default="https://graph.microsoft.com/v1.0", alias="GRAPH_BASE_URL")
    graph_authority: str = Field(default="https://login.microsoftonline.com", alias="GRAPH_AUTHORITY")

    #: Teams (`coregroup serve --teams`): the bot's Entra app registration, and where Teams is.
    teams_app_id: str | None = Field(default=None, alias="TEAMS_APP_ID")
    teams_app_password: str | None = Field(default=None, alias="TEAMS_APP_PASSWORD")
    #: Instead of a password: a PEM private key file and its certificate's SHA-1 thumbprint.
    teams_certificate_path: Path | None = Field(default=None, alias="TEAMS_CERTIFICATE_PATH")
    teams_certificate_thumbprint: str | None = Field(default=None, alias="TEAMS_CERTIFICATE_THUMBPRINT")
    teams_tenant_id: str | None = Field(default=None, alias="TEAMS_TENANT_ID")
    #: Where inbound tokens' signing keys are published (national clouds; tests' local fake).
    teams_openid_metadata_url: str = Field(
        default="https://login.botframework.com/v1/.well-known/openidconfiguration",
        alias="TEAMS_OPENID_METADATA_URL",
    )
    #: The Bot Connector for proactive messages before any activity names one (per region/cloud).
    teams_service_url: str = Field(
        default="https://smba.trafficmanager.net/teams/", alias="TEAMS_SERVICE_URL"
    )
    teams_authority: str = Field(default="https://login.microsoftonline.com", alias="TEAMS_AUTHORITY")

    #: Months a closed case is kept before `coregroup purge` may remove it (never under 3).
    retention_months: int = Field(default=12, alias="COREGROUP_RETENTION_MONTHS")
    #: Store the child's name (never sent to chat). Off by default.
    store_child_name: bool = Field(default=False, alias="COREGROUP_STORE_CHILD_NAME")

    #: A folder of a council's own profile files (*.toml), loaded beside the built-in ones at
    #: start-up (read by `bot.cli`, which every command goes through); checked whole first.
    profile_dir: Path | None = Field(default=None, alias="COREGROUP_PROFILE_DIR")

    #: Log level of `coregroup serve`: INFO in production. DEBUG shows more of our own records;
    #: libraries' debug records (request and response bodies) are dropped whatever this says.
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", alias="COREGROUP_LOG_LEVEL"
    )
    #: `json`: every line on stderr is one JSON object with its fields, for a log collector.
    log_format: Literal["text", "json"] = Field(default="text", alias="COREGROUP_LOG_FORMAT")

    #: Where the end of the audit chain is anchored (storage/anchor.py). Unset: beside the SQLite
    #: file; with PostgreSQL, nowhere (set it, or rely on the `audit anchor` log lines).
    audit_anchor: Path | None = Field(default=None, alias="COREGROUP_AUDIT_ANCHOR")

    #: Largest request body `coregroup serve` reads (Slack and Teams send a few KB): 413 above.
    max_body_bytes: int = Field(
        default=1024 * 1024, ge=1024, le=64 * 1024 * 1024, alias="COREGROUP_MAX_BODY_BYTES"
    )

    #: Email (bot/email/): SMTP when Graph is not set up. `smtp://user:password@host:587` uses
    #: STARTTLS, `smtps://user:password@host:465` implicit TLS, `smtp://host:25` no login.
    smtp_url: str | None = Field(default=None, alias="COREGROUP_SMTP_URL")
    #: The From address of SMTP mail (Graph sends from GRAPH_ORGANISER).
    mail_from: str | None = Field(default=None, alias="COREGROUP_MAIL_FROM")
    #: Where people reach the answer page (`<url>/r/<token>`), e.g. https://coregroup.council.gov.uk
    public_url: str | None = Field(default=None, alias="COREGROUP_PUBLIC_URL")
    #: Signs the answer page's links and forms (itsdangerous). Required to serve the page; the
    #: console makes a throw-away one.
    link_secret: str | None = Field(default=None, alias="COREGROUP_LINK_SECRET")

    #: Minutes between reminder sweeps in `coregroup serve`.
    sweep_minutes: int = Field(default=5, ge=1, le=1440, alias="COREGROUP_SWEEP_MINUTES")
    #: Hours between full re-plans of every active case in `coregroup serve` (the safety net
    #: under the incremental sweep; the first sweep of a process is always full). 0: every sweep.
    full_sweep_hours: int = Field(default=24, ge=0, le=24 * 7, alias="COREGROUP_FULL_SWEEP_HOURS")
    #: London time the chair gets the bundle of written reports, the working day before a meeting.
    bundle_time: time = Field(default=time(10, 0), alias="COREGROUP_BUNDLE_TIME")

    @property
    def email_ready(self) -> bool:
        """Email can be sent: all four Graph settings (sendMail from the organiser mailbox), or an
        SMTP URL with a From address (bot/email/transport.py)."""
        graph = all(
            (self.graph_tenant_id, self.graph_client_id, self.graph_client_secret, self.graph_organiser)
        )
        return graph or bool(self.smtp_url and self.mail_from)

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.sqlite_path}"

    @property
    def audit_anchor_path(self) -> Path | None:
        """COREGROUP_AUDIT_ANCHOR, else `<database file>.audit-anchor` for SQLite. PostgreSQL has
        no default: processes on several hosts, or a container's throw-away working directory,
        would each hold a different file."""
        if self.audit_anchor:
            return self.audit_anchor
        url = self.effective_database_url
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            db = Path(url[len("sqlite:///") :].split("?", 1)[0])
            return db.with_name(db.name + ".audit-anchor")
        return None


def load_settings() -> Settings:
    """The settings, or one line naming each malformed one (a `UsageError`, exit status 2)
    rather than pydantic's traceback."""
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as exc:
        import sys

        from bot.cli import UsageError

        lines = []
        for err in exc.errors():
            name = str(err["loc"][0]) if err.get("loc") else "a setting"
            lines.append(f"{name}: {err['msg']} (got {err.get('input')!r})")
        for line in lines[:-1]:
            sys.stderr.write(f"coregroup: {line}\n")
        raise UsageError(lines[-1]) from None


def handler_config(settings: Settings) -> Config:
    """The deployment choices handlers need, from the settings (handlers never read the
    environment). Imported late: handlers' storage layer reads these settings too."""
    from handlers.common import Config, role_key

    roles = frozenset(role_key(r) for r in settings.manager_roles.split(",") if role_key(r))
    # Microsoft Graph books Teams meetings, so "teams" after `meeting` means online.
    from handlers.parse import also_online

    also_online("teams")
    prefix = settings.reference_prefix.strip().upper()
    if not re.fullmatch(r"[A-Z]{1,6}", prefix):
        from bot.cli import UsageError

        raise UsageError(
            f"COREGROUP_REFERENCE_PREFIX={settings.reference_prefix!r} should be 1 to 6 letters, e.g. CG"
        )
    return Config(
        channel_prefix=settings.channel_prefix,
        reference_prefix=prefix,
        manager_roles=roles,
        managers=manager_addresses(settings.managers),
        email=settings.email_ready,
    )


def manager_addresses(raw: str) -> frozenset[str]:
    """`COREGROUP_MANAGERS` as addresses; a malformed entry stops the start, as a typo here
    would otherwise silently leave a council without its managers."""
    from bot.cli import UsageError

    out = set()
    for item in (x.strip() for x in raw.split(",")):
        if not item:
            continue
        platform, _, user = item.partition(":")
        if platform not in ("slack", "teams") or not user.strip():
            raise UsageError(f"COREGROUP_MANAGERS: {item!r} is not slack:<user id> or teams:<user id>")
        out.add(f"{platform}:{user.strip()}")
    return frozenset(out)

"""Typed errors raised by the storage layer.

Handlers turn these into replies without parsing strings: each carries a stable `kind` (for code),
a human `message` (for the person who typed the command) and an `example` of correct use (so the
reply can show what to do instead). A repository function that raises one has written nothing.
"""

from __future__ import annotations

from datetime import datetime


class StorageError(Exception):
    """Base of every error the repository raises on bad input or a state that forbids the change."""

    kind: str = "storage_error"
    #: How the one-line form introduces the example.
    example_prefix: str = "For example:"

    def __init__(self, message: str, example: str = "") -> None:
        self.message = message
        self.example = example
        super().__init__(f"{message} {self.example_prefix} {example}" if example else message)


class UnknownCase(StorageError):
    kind = "unknown_case"

    def __init__(self, reference: str) -> None:
        self.reference = reference
        super().__init__(
            f"There is no core group with the reference {reference!r}.",
            "/coregroup status CG-0001 (references look like CG-0001)",
        )


class UnknownChannel(StorageError):
    kind = "unknown_channel"

    def __init__(self, channel_id: str) -> None:
        self.channel_id = channel_id
        super().__init__(
            "This channel is not linked to a core group.",
            "/coregroup link CG-0001 (run it in the case's channel)",
        )


class UnknownRecord(StorageError):
    """A meeting, member, action, escalation… id that does not exist in this case."""

    kind = "unknown_record"

    def __init__(self, what: str, ident: int | str, reference: str, example: str) -> None:
        self.what = what
        self.ident = ident
        self.reference = reference
        super().__init__(f"{reference} has no {what} {ident}.", example)


class NotAMember(StorageError):
    kind = "not_a_member"

    def __init__(self, who: int | str, reference: str) -> None:
        self.who = who
        self.reference = reference
        super().__init__(
            f"Member {who} is not (or no longer) in {reference}'s core group.",
            f'/coregroup add @someone role:"health visitor" (adds them to {reference} first)',
        )


class AlreadyExists(StorageError):
    kind = "already_exists"

    def __init__(self, what: str, example: str) -> None:
        self.what = what
        super().__init__(f"{what} already exists.", example)


class MeetingInPast(StorageError):
    kind = "meeting_in_past"

    def __init__(self, starts_at: datetime, now: datetime) -> None:
        self.starts_at = starts_at
        self.now = now
        super().__init__(
            f"A meeting can only be scheduled in the future; {starts_at.isoformat()} is before "
            f"now ({now.isoformat()}). To record one that already took place, record it as held.",
            '/coregroup meeting 2027-02-26 10:00 venue:"Family centre"',
        )


class ActionsAreNeverDeleted(StorageError):
    """Plan actions stay on the record (Suffolk §2.3): they can only be marked achieved."""

    kind = "actions_are_never_deleted"

    def __init__(self, action_id: int, reference: str) -> None:
        self.action_id = action_id
        self.reference = reference
        super().__init__(
            f"Plan actions are never deleted (action {action_id} in {reference} stays on the "
            "record); mark it achieved instead.",
            f"/coregroup action achieve {action_id}",
        )


class InvalidValue(StorageError):
    """A value the record cannot hold: names the field, says what is wrong."""

    kind = "invalid_value"

    def __init__(self, field: str, problem: str, example: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}.", example)


class InvalidState(StorageError):
    """The change is well formed but the record's current state forbids it (e.g. a closed case)."""

    kind = "invalid_state"


class CaseClosed(InvalidState):
    kind = "case_closed"

    def __init__(self, reference: str) -> None:
        self.reference = reference
        super().__init__(
            f"{reference} is closed; its record can be read and exported but not changed.",
            f"coregroup export {reference}",
        )


class ChildNameDisabled(StorageError):
    kind = "child_name_disabled"

    def __init__(self) -> None:
        super().__init__(
            "This deployment does not store children's names; the case reference is used instead.",
            "set COREGROUP_STORE_CHILD_NAME=true to enable it (a DPIA decision)",
        )


class PurgeTooSoon(StorageError):
    kind = "purge_too_soon"

    def __init__(self, closed_before: str, latest: str, months: int) -> None:
        self.closed_before = closed_before
        self.latest = latest
        self.months = months
        super().__init__(
            f"{closed_before} is inside the {months}-month retention period; the latest date "
            f"allowed is {latest}.",
            f"coregroup purge --closed-before {latest}",
        )


class DatabaseBehind(StorageError):
    """The schema is older than this code: the app refuses to start rather than corrupt it."""

    kind = "database_behind"
    example_prefix = "Run:"

    def __init__(self, current: str | None, head: str) -> None:
        self.current = current
        self.head = head
        super().__init__(
            f"The database schema is at {current or 'nothing (empty database)'} but this version "
            f"of coregroup needs {head}.",
            "coregroup db upgrade",
        )


class DatabaseAhead(StorageError):
    """The schema is newer than this code (a downgrade of the app without a migration)."""

    kind = "database_ahead"

    def __init__(self, current: str, head: str) -> None:
        self.current = current
        self.head = head
        super().__init__(
            f"The database schema is at {current}, which this version of coregroup does not know "
            f"(it knows up to {head}); run the newer version or downgrade the schema with it.",
            f"coregroup db downgrade {head}",
        )

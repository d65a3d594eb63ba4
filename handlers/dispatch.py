"""One entry point for every platform: text (or a command object) in, `Outcome` out.

Errors become replies here, in one place: bad input names the problem and shows a correct example,
a refusal says why and what to do, and a platform retry of a request already handled produces
nothing at all. Anything else is a bug and propagates to the adapter's error handler (which logs
the traceback and tells the person something went wrong).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from handlers import (
    absence,
    actions,
    answers,
    cases,
    escalation,
    followthrough,
    language,
    meetings,
    members,
    risk,
    status,
    visits,
)
from handlers.common import Context, Duplicate, Refusal, error_message
from handlers.i18n import _, verbatim
from handlers.parse import (
    ActionDone,
    AddAction,
    AddMember,
    Attending,
    Away,
    Back,
    CancelMeeting,
    ChairUpdateSent,
    ChangeCase,
    CloseCase,
    Command,
    CommandError,
    Digest,
    Escalate,
    GrantPowers,
    Help,
    ListActions,
    ListMembers,
    MinutesSent,
    NewCase,
    OpenForm,
    RaiseConcern,
    RecordHeld,
    RecordVisit,
    RemoveMember,
    ResolutionRequest,
    Resolve,
    RiskReduced,
    Rota,
    ScheduleMeeting,
    ScheduleReview,
    SendApologies,
    SetLanguage,
    SignificantChange,
    Status,
    TierMeeting,
    WriteReport,
    parse,
)
from handlers.replies import Message, Outcome, RefreshSummary, only
from handlers.summary import summary_message
from scheduling.case import CaseError
from scheduling.profiles import ProfileError
from storage.errors import StorageError

log = logging.getLogger("coregroup.handlers")

Handler = Callable[[Context, Any], Outcome]


def _open_form(ctx: Context, cmd: OpenForm) -> Outcome:
    if cmd.form == "meeting":
        return meetings.open_meeting_form(ctx, cmd.case)
    if cmd.form == "action":
        return actions.open_action_form(ctx, cmd.case)
    raise CommandError(_("There is no `{form}` form.", form=cmd.form), "/coregroup help")


ROUTES: dict[type[Command], Handler] = {
    Help: cases.help_text,
    NewCase: cases.new_case,
    ChangeCase: cases.change_case,
    CloseCase: cases.close_case,
    AddMember: members.add_member,
    RemoveMember: members.remove_member,
    GrantPowers: members.grant_powers,
    ListMembers: members.list_members,
    ScheduleMeeting: meetings.schedule_meeting,
    ScheduleReview: meetings.schedule_review,
    RecordHeld: meetings.record_held,
    MinutesSent: meetings.minutes_sent,
    ChairUpdateSent: followthrough.chair_update_sent,
    SignificantChange: followthrough.significant_change,
    CancelMeeting: meetings.cancel_meeting,
    TierMeeting: meetings.tier_meeting,
    WriteReport: answers.write_report,
    SendApologies: answers.send_apologies,
    Attending: answers.attending,
    Away: absence.away,
    Back: absence.back,
    Digest: absence.digest,
    RiskReduced: risk.risk_reduced,
    RecordVisit: visits.record_visit,
    AddAction: actions.add_action,
    ActionDone: actions.action_done,
    ListActions: actions.list_actions,
    RaiseConcern: escalation.raise_concern,
    Escalate: escalation.escalate,
    Resolve: escalation.resolve,
    ResolutionRequest: escalation.resolution_request,
    Status: status.status,
    Rota: status.rota,
    OpenForm: _open_form,
    SetLanguage: language.set_language,
}


#: Commands that only read (or open a form): no pinned summary to refresh after them. `new`
#: pins its first summary itself (`CreateChannel`).
READ_ONLY: frozenset[type[Command]] = frozenset(
    {Help, Status, Rota, ListMembers, ListActions, OpenForm, NewCase, SetLanguage}
)


def with_summary_refresh(command: Command, outcome: Outcome) -> Outcome:
    """After a change to a case, edit its pinned summary in place: first, so a case that is being
    closed shows "closed" before its channel is archived. A handler that changed nothing returns
    no `reference` (or only a form), so nothing is refreshed."""
    if (
        type(command) not in READ_ONLY
        and outcome.reference
        and outcome.form is None
        and not outcome.duplicate
        and not any(isinstance(e, RefreshSummary) for e in outcome.effects)
    ):
        outcome.effects.insert(0, RefreshSummary(outcome.reference))
    return outcome


def with_summaries(ctx: Context, outcome: Outcome) -> Outcome:
    """Put the finished summary into each `RefreshSummary`, read once the change is saved, so
    the adapter only has to post it (unless the adapter renders them later, once per batch)."""
    if ctx.defer_summaries:
        return outcome
    return _rendered(ctx, outcome)


def _rendered(ctx: Context, outcome: Outcome) -> Outcome:
    outcome.effects = [
        RefreshSummary(e.reference, summary_message(ctx, e.reference))
        if isinstance(e, RefreshSummary) and e.message is None
        else e
        for e in outcome.effects
    ]
    return outcome


def rendered_summaries(ctx: Context, effects: list[RefreshSummary]) -> list[RefreshSummary]:
    """The summaries a batch of writes left unrendered (`Context.defer_summaries`), rendered now
    as they are saved and in the case channel's language: one render per case for the batch."""
    out = language.localise_outcome(ctx, _rendered(ctx, Outcome(effects=list(effects))))
    return [e for e in out.effects if isinstance(e, RefreshSummary)]


def handle(ctx: Context, command: Command) -> Outcome:
    """Run one command, its messages rendered for each reader (`handlers.language`). Never
    raises for bad input, refusals or retries."""
    language.forget(ctx)
    return language.localise_outcome(ctx, _handle(ctx, command))


def _handle(ctx: Context, command: Command) -> Outcome:
    try:
        return with_summaries(ctx, with_summary_refresh(command, ROUTES[type(command)](ctx, command)))
    except Duplicate:
        log.info("duplicate request ignored", extra={"command": command.name})
        return Outcome(duplicate=True)
    except Refusal as exc:
        log.info("refused", extra={"command": command.name})
        return only(exc.message)
    except (CommandError, StorageError) as exc:
        return only(error_message(exc, ctx.today))
    except CaseError as exc:
        # The scheduling rules say what is wrong in English (they know no catalogue): the detail
        # is carried as data inside a sentence that is translated.
        problem = verbatim(f"{exc.problem[:1].upper()}{exc.problem[1:]}")
        return only(
            Message(
                # Translators: {problem} is a detail from the scheduling rules, in English.
                _("{problem}.", problem=problem),
                (_("Try `{example}`", example=exc.example),),
            )
        )
    except ProfileError as exc:
        # Translators: {problem} names a broken local guidance file, in English (for whoever runs the bot).
        return only(Message(_("The local guidance could not be read: {problem}", problem=verbatim(str(exc)))))


def handle_text(ctx: Context, text: str) -> Outcome:
    try:
        command = parse(text)
    except CommandError as exc:
        language.forget(ctx)
        return language.localise_outcome(ctx, only(error_message(exc, ctx.today)))
    return handle(ctx, command)

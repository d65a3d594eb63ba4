"""The /coregroup grammar: every sub-command parses, and every kind of bad input names the problem
and carries a correct example to copy."""

from __future__ import annotations

from datetime import date, time

import pytest

from handlers.parse import (
    EXAMPLES,
    SUMMARIES,
    ActionDone,
    AddAction,
    AddMember,
    CommandError,
    Help,
    NewCase,
    OpenForm,
    RaiseConcern,
    RecordHeld,
    RecordVisit,
    ScheduleMeeting,
    Status,
    TierMeeting,
    WriteReport,
    parse,
    to_text,
)


def as_slack_sends(example: str) -> str:
    """Examples say `@someone` as people type it; Slack sends the picked person as `<@U…>`."""
    for word in ("@someone-else", "@another", "@someone"):
        example = example.replace(word, f"<@U0{word[1:].upper().replace('-', '')}>")
    return example


def test_every_example_parses() -> None:
    for name, example in EXAMPLES.items():
        parse(as_slack_sends(example))  # no CommandError
        assert example.startswith("/coregroup "), name


def test_help_lists_every_summary_with_an_example() -> None:
    for name, _ in SUMMARIES:
        assert name in EXAMPLES


def test_new_with_slack_escaping() -> None:
    cmd = parse("new cg-0001 profile:Suffolk plan:CP start:2027-01-04")
    assert cmd == NewCase(reference="CG-0001", profile="suffolk", plan="cp", start=date(2027, 1, 4))
    assert parse("new") == NewCase()


def test_add_mentions_emails_and_curly_quotes() -> None:
    assert parse('add <@U0HV|hv> role:\u201chealth visitor\u201d agency:"NHS"') == AddMember(
        user="U0HV", role="health visitor", agency="NHS"
    )
    cmd = parse('add email:<mailto:Gp@Example.org|Gp@Example.org> name:"A GP" role:gp')
    assert cmd == AddMember(email="gp@example.org", display_name="A GP", role="gp")
    assert parse("add") == AddMember()


def test_meeting_and_confirmation_round_trip() -> None:
    cmd = parse('meeting 2027-02-26 10:00 venue:"Family centre" online case:CG-0002')
    assert cmd == ScheduleMeeting(
        case="CG-0002", day=date(2027, 2, 26), at=time(10), venue="Family centre", online=True
    )
    again = parse(
        to_text(
            ScheduleMeeting(
                case="CG-0002", day=date(2027, 2, 26), at=time(10), venue="Family centre", confirmed=True
            )
        )
    )
    assert isinstance(again, ScheduleMeeting) and again.confirmed and again.case == "CG-0002"
    assert parse("meeting") == OpenForm(form="meeting")
    assert parse("meeting 2027-02-26 2pm") == ScheduleMeeting(day=date(2027, 2, 26), at=time(14))


def test_other_sub_commands() -> None:
    assert parse("held 2027-01-15 attended:<@U0A>,<@U0B> apologies:<@U0C>") == RecordHeld(
        day=date(2027, 1, 15), attended=("U0A", "U0B"), apologies=("U0C",)
    )
    assert parse("held") == RecordHeld()
    assert parse("visit 2027-01-12 seen-alone by <@U0HV>") == RecordVisit(
        day=date(2027, 1, 12), seen_alone=True, by="U0HV"
    )
    # No date: the form (the reminder's "Record a visit" button), or today when anything is said.
    assert parse("visit") == RecordVisit(ask=True)
    assert parse("CG-0001 visit") == RecordVisit(case="CG-0001", ask=True)
    assert parse("visit today") == RecordVisit()
    assert parse("visit seen-alone") == RecordVisit(seen_alone=True)
    assert parse("visit by <@U0HV>") == RecordVisit(by="U0HV")
    assert parse("report Seen twice: all well") == WriteReport(text="Seen twice: all well")
    assert parse("report") == WriteReport()
    assert parse('action add "Book it" owner:<@U0HV> due:2027-02-01') == AddAction(
        text="Book it", owner="U0HV", due=date(2027, 2, 1)
    )
    assert parse("action done 3") == ActionDone(number=3)
    assert parse('concern "Not reducing risk" case:CG-0009') == RaiseConcern(
        case="CG-0009", text="Not reducing risk"
    )
    assert parse("tier2 2027-05-10") == TierMeeting(tier=2, day=date(2027, 5, 10))
    assert parse("status CG-0003") == Status(case="CG-0003")
    assert parse("") == Help()


BAD = [
    ("meeting 2027-02-30 10:00", "February 2027 has 28 days", EXAMPLES["meeting"]),
    ("meeting 2028-02-30 10:00", "February 2028 has 29 days", EXAMPLES["meeting"]),
    ("meeting 26/02/2027 10:00", "2027-02-26", EXAMPLES["meeting"]),
    ("meeting 2027-02-26", "needs a time", EXAMPLES["meeting"]),
    ("meeting 2027-02-26 25:00", "no such time", EXAMPLES["meeting"]),
    ("meeting tomorrow 10:00", "as a date", EXAMPLES["meeting"]),
    ("review", "needs the conference date", EXAMPLES["review"]),
    ("review 2027-13-01", "months run from 01 to 12", EXAMPLES["review"]),
    ("held 2027-04-31", "April 2027 has 30 days", EXAMPLES["held"]),
    ("minutes sent 2027-1x-01", "as a date", EXAMPLES["minutes"]),
    ("visit 12/01/2027", "write dates as year-month-day, here `2027-01-12`", EXAMPLES["visit"]),
    ("visit 2027-01-12 by @someone", "couldn't tell who", EXAMPLES["visit"]),
    ("new CG-0001 profile:suffolk plan:xx start:2027-01-04", "not a plan type", EXAMPLES["new"]),
    ("new CG-0001 profile:suffolk plan:cp", "start:", EXAMPLES["new"]),
    ("new Jane-Smith profile:suffolk plan:cp start:2027-01-04", "not a case reference", EXAMPLES["new"]),
    ("add @alice role:teacher", "couldn't tell who", EXAMPLES["add"]),
    ("add <@U0HV>", "role:", EXAMPLES["add"]),
    ("add email:not-an-email name:x role:y", "not an email address", EXAMPLES["add_email"]),
    ("add email:a@example.org role:gp", "name:", EXAMPLES["add_email"]),
    ("remove", "the person to remove", EXAMPLES["remove"]),
    ("action add", "the action in quotes", EXAMPLES["action"]),
    ("action done x", "not an action number", EXAMPLES["action_done"]),
    ("action delete 1", "never deleted", EXAMPLES["action_done"]),
    ('action add "x" due:2027-02-29', "February 2027 has 28 days", EXAMPLES["action"]),
    ("concern", "what the concern is about", EXAMPLES["concern"]),
    ("tier1", "needs the meeting date", EXAMPLES["tier1"]),
    ("change", "profile:", EXAMPLES["change"]),
    ("statsu", "Did you mean `status`", EXAMPLES["status"]),
    ("frobnicate", "I don't know `frobnicate`", EXAMPLES["status"]),
    ("members extra", "didn't understand `extra`", EXAMPLES["members"]),
    ('meeting 2027-02-26 10:00 venue:"Family', "never closed", EXAMPLES["meeting"]),
]


@pytest.mark.parametrize(("text", "problem", "example"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_names_the_problem_and_shows_an_example(text: str, problem: str, example: str) -> None:
    with pytest.raises(CommandError) as err:
        parse(text)
    assert problem in err.value.problem
    assert err.value.example == example
    parse(as_slack_sends(err.value.example))  # the example itself is correct

"""`coregroup export REF`: the case's record for the council's case system.

The chat is not the record (NHS England guidance on messaging): decisions, attendance, reports and
actions must be filed in the case system. The export gives the same record twice — JSON for a
system to import, and a plain-text (Markdown) document a person can read and file. The child's
name is never included: the council's system links the pseudonymous reference to the child.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final

from sqlalchemy import select
from sqlmodel import Session, col

from scheduling.case import case_to_dict
from scheduling.london import LONDON
from scheduling.wording import meeting_label
from storage import audit
from storage import repository as repo
from storage.models import Attendance, Member, WrittenReport

FORMAT: Final = "coregroup-case-record/1"


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value.isoformat()


def case_record(session: Session, reference: str, *, now: datetime) -> dict[str, Any]:
    """Everything the record holds about one case, as plain JSON-ready values."""
    case = repo.get_case(session, reference)
    ref = case.reference
    people = repo.members(session, ref, include_left=True)
    names = {m.id: m.display_name for m in people}

    def who(member_id: int | None) -> dict[str, Any] | None:
        if member_id is None:
            return None
        return {"member_id": member_id, "name": names.get(member_id)}

    meeting_rows = repo.meetings(session, ref)
    ids = [m.id for m in meeting_rows]
    att: dict[int, list[Attendance]] = {}
    reps: dict[int, list[WrittenReport]] = {}
    if ids:
        for a in session.scalars(
            select(Attendance).where(col(Attendance.meeting_id).in_(ids)).order_by(col(Attendance.member_id))
        ):
            att.setdefault(a.meeting_id, []).append(a)
        for r in session.scalars(
            select(WrittenReport)
            .where(col(WrittenReport.meeting_id).in_(ids))
            .order_by(col(WrittenReport.member_id))
        ):
            reps.setdefault(r.meeting_id, []).append(r)

    meetings = []
    for m in meeting_rows:
        assert m.id is not None
        rows = att.get(m.id, [])
        meetings.append(
            {
                "id": m.id,
                "kind": m.kind,
                "status": m.status,
                "starts_at": _iso(m.starts_at),
                "ends_at": _iso(m.ends_at),
                "venue": m.venue,
                "online_url": m.online_url,
                "chair": who(m.chair_member_id),
                "minute_taker": who(m.minute_taker_member_id),
                "attended": [who(a.member_id) for a in rows if a.status == "attended"],
                "apologies": [who(a.member_id) for a in rows if a.status == "apologies"],
                "absent": [who(a.member_id) for a in rows if a.status == "absent"],
                "professionals_present": m.professionals_present,
                "minutes_circulated_at": _iso(m.minutes_circulated_at),
                "chair_update_sent_at": _iso(m.chair_update_sent_at),
                "cancel_reason": m.cancel_reason,
                "calendar_event_id": m.calendar_event_id,
                "written_reports": [
                    {
                        "member": who(r.member_id),
                        "requested_at": _iso(r.requested_at),
                        "due_at": _iso(r.due_at),
                        "submitted_at": _iso(r.submitted_at),
                        "text": r.text,
                    }
                    for r in reps.get(m.id, [])
                ],
            }
        )

    return {
        "format": FORMAT,
        "exported_at": _iso(now),
        "case": {
            "reference": ref,
            "profile": case.profile,
            "plan": case.plan,
            "start": _iso(case.start),
            "registered": _iso(case.registered),
            "status": case.status,
            "created_at": _iso(case.created_at),
            "closed_at": _iso(case.closed_at),
            "closed_reason": case.closed_reason,
            "lead_visit_every": case.lead_visit_every,
            "resolution_requested": _iso(case.resolution_requested),
            "significant_risk_reduction": case.significant_risk_reduction,
        },
        "members": [_member(m) for m in people],
        "meetings": meetings,
        "plan_actions": [
            {
                "id": a.id,
                "text": a.text,
                "owner": who(a.owner_member_id),
                "due_on": _iso(a.due_on),
                "status": a.status,
                "created_at": _iso(a.created_at),
                "achieved_at": _iso(a.achieved_at),
            }
            for a in repo.actions(session, ref)
        ],
        "visits": [
            {
                "id": v.id,
                "on": _iso(v.visited_on),
                "by": v.by,
                "member": who(v.member_id),
                "seen_alone": v.seen_alone,
            }
            for v in repo.visits(session, ref)
        ],
        "escalations": [
            {
                "id": e.id,
                "about": e.about,
                "raised_by": who(e.raised_by_member_id),
                "about_member": who(e.about_member_id),
                "stage": e.stage,
                "raised_at": _iso(e.raised_at),
                "stage_started_at": _iso(e.stage_started_at),
                "resolved_at": _iso(e.resolved_at),
            }
            for e in repo.escalations(session, ref)
        ],
        "events": [
            {
                "id": e.id,
                "kind": e.kind,
                "on": _iso(e.occurred_on),
                "reported_to_chair_on": _iso(e.reported_on),
            }
            for e in repo.case_events(session, ref)
        ],
        "engine_state": case_to_dict(repo.case_state(session, ref)),
        "audit": [
            {
                "id": ev.id,
                "at": _iso(ev.at),
                "actor": ev.actor,
                "action": ev.action,
                "entity": ev.entity,
                "entity_id": ev.entity_id,
                "before": json.loads(ev.before) if ev.before else None,
                "after": json.loads(ev.after) if ev.after else None,
                "hash": ev.hash,
            }
            for ev in audit.history(session, ref)
        ],
    }


def _member(m: Member) -> dict[str, Any]:
    return {
        "id": m.id,
        "name": m.display_name,
        "role": m.role,
        "kind": m.kind,
        "agency": m.agency,
        "email": m.email,
        "joined_on": _iso(m.joined_on),
        "left_on": _iso(m.left_on),
        "line_manager": m.line_manager_name,
        "line_manager_email": m.line_manager_email,
    }


# --- the readable document ---------------------------------------------------------------------


def _day(value: str | None) -> str:
    if not value:
        return "—"
    if "T" in value:
        at = datetime.fromisoformat(value).astimezone(LONDON)
        return f"{at:%a} {at.day} {at:%b %Y %H:%M}"
    d = date.fromisoformat(value)
    return f"{d:%a} {d.day} {d:%b %Y}"


def _names(people: Iterable[Mapping[str, Any] | None]) -> str:
    out = [p["name"] or f"member {p['member_id']}" for p in people if p]
    return ", ".join(out) if out else "none recorded"


def _label(kind: str) -> str:
    return kind.replace("_", " ")


def render_text(record: Mapping[str, Any]) -> str:
    """The record as a Markdown document, dates written out, for a person to read and file."""
    c = record["case"]
    lines = [
        f"# Core group record: {c['reference']}",
        "",
        f"Exported {_day(record['exported_at'])} from coregroup. The chat is not the record: "
        "file this document in the case system.",
        "",
        f"- Plan: {c['plan'].upper()} (policy profile: {c['profile']})",
        f"- Start: {_day(c['start'])}; registered: {_day(c['registered'])}",
        f"- Status: {c['status']}"
        + (f", closed {_day(c['closed_at'])}" if c["closed_at"] else "")
        + (f" ({c['closed_reason']})" if c.get("closed_reason") else ""),
        "",
        "## Core group members",
        "",
    ]
    for m in record["members"]:
        span = f"joined {_day(m['joined_on'])}"
        if m["left_on"]:
            span += f", left {_day(m['left_on'])}"
        agency = f", {m['agency']}" if m["agency"] else ""
        lines.append(f"- {m['name']} — {_label(m['role'])}{agency} ({m['kind']}; {span})")
    lines += ["", "## Meetings", ""]
    if not record["meetings"]:
        lines.append("No meetings recorded.")
    for mt in record["meetings"]:
        lines.append(f"### {_day(mt['starts_at'])} — {meeting_label(mt['kind'])} ({mt['status']})")
        lines.append("")
        place = mt["venue"] or ("online" if mt["online_url"] else "not recorded")
        lines.append(f"- Venue: {place}")
        if mt["chair"]:
            lines.append(f"- Chair: {_names([mt['chair']])}")
        if mt["minute_taker"]:
            lines.append(f"- Minute-taker: {_names([mt['minute_taker']])}")
        lines.append(f"- Attended: {_names(mt['attended'])}")
        lines.append(f"- Apologies: {_names(mt['apologies'])}")
        if mt["absent"]:
            lines.append(f"- Absent: {_names(mt['absent'])}")
        if mt["status"] == "held":
            lines.append(f"- Minutes circulated: {_day(mt['minutes_circulated_at'])}")
        if mt["cancel_reason"]:
            lines.append(f"- Cancelled: {mt['cancel_reason']}")
        for r in mt["written_reports"]:
            state = (
                f"submitted {_day(r['submitted_at'])}"
                if r["submitted_at"]
                else f"requested {_day(r['requested_at'])}, not received"
            )
            lines.append(f"- Written report from {_names([r['member']])}: {state}")
            if r["text"]:
                lines += ["", *[f"  > {t}" for t in r["text"].splitlines()], ""]
        lines.append("")
    lines += ["## Plan actions", ""]
    if not record["plan_actions"]:
        lines.append("No actions recorded.")
    for a in record["plan_actions"]:
        owner = _names([a["owner"]]) if a["owner"] else "no owner"
        done = f"achieved {_day(a['achieved_at'])}" if a["status"] == "achieved" else "open"
        lines.append(f"{a['id']}. {a['text']} — {owner}; due {_day(a['due_on'])}; {done}")
    lines += ["", "## Visits", ""]
    if not record["visits"]:
        lines.append("No visits recorded.")
    for v in record["visits"]:
        by = "lead social worker" if v["by"] == "lead_social_worker" else "professional"
        who = f" ({_names([v['member']])})" if v["member"] else ""
        alone = "; child seen alone" if v["seen_alone"] else ""
        lines.append(f"- {_day(v['on'])}: {by}{who}{alone}")
    lines += ["", "## Escalations", ""]
    if not record["escalations"]:
        lines.append("None.")
    for e in record["escalations"]:
        state = f"resolved {_day(e['resolved_at'])}" if e["resolved_at"] else "open"
        about = f" about {e['about']}" if e["about"] else ""
        lines.append(
            f"- Raised {_day(e['raised_at'])}{about}; stage {e['stage']} since "
            f"{_day(e['stage_started_at'])}; {state}"
        )
    if record["events"]:
        lines += ["", "## School moves and significant changes", ""]
        for ev in record["events"]:
            told = (
                f"; reported to the chair {_day(ev['reported_to_chair_on'])}"
                if ev["reported_to_chair_on"]
                else ""
            )
            lines.append(f"- {_day(ev['on'])}: {_label(ev['kind'])}{told}")
    lines += ["", "## Audit trail", ""]
    for ev in record["audit"]:
        target = f" {ev['entity']} {ev['entity_id']}" if ev["entity"] else ""
        lines.append(f"- {_day(ev['at'])} · {ev['actor']} · {ev['action']}{target}")
    lines.append("")
    return "\n".join(lines)


def write_export(
    session: Session, reference: str, out_dir: Path, *, actor: str, now: datetime
) -> tuple[Path, Path]:
    """Write REF-record.json and REF-record.md into `out_dir`; the export itself is audited."""
    record = case_record(session, reference, now=now)
    ref = record["case"]["reference"]
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / f"{ref}-record.json"
    text_path = out_dir / f"{ref}-record.md"
    json_path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    text_path.write_text(render_text(record), encoding="utf-8")
    case = repo.get_case(session, ref)
    audit.append(
        session,
        actor=actor,
        now=now,
        action="case.exported",
        case_id=case.id,
        case_ref=ref,
        entity="case",
        entity_id=case.id,
        after={"files": [json_path.name, text_path.name]},
    )
    return json_path, text_path

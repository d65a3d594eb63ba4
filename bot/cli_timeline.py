"""`coregroup timeline`, `coregroup profiles`, `coregroup profile NAME`."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from bot.cli import UsageError
from bot.clock import london_today, system_clock
from scheduling.calendar import DateOutOfRange, calendar_for
from scheduling.case import CaseError, case_from_dict, parse_date
from scheduling.engine import obligations
from scheduling.profiles import (
    Profile,
    ProfileError,
    check_profile_file,
    load_profile,
    profile_names,
)
from scheduling.wording import INTERPRETATION_NOTE, long_date, rule_summary


def register(sub: Any) -> None:
    p = sub.add_parser("timeline", help="what is due on a case, by when, under which rule")
    p.add_argument("case_file", metavar="CASE.json", type=Path)
    p.add_argument("--today", metavar="YYYY-MM-DD", help="count from this date (default: today)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument(
        "--profile-file",
        metavar="PATH",
        type=Path,
        action="append",
        default=[],
        help="a council's own profile file (may be given more than once)",
    )
    p.set_defaults(func=_timeline)

    p = sub.add_parser("profiles", help="list the policy profiles")
    p.add_argument("--profile-file", metavar="PATH", type=Path, action="append", default=[])
    p.set_defaults(func=_profiles)

    p = sub.add_parser(
        "profile",
        help="every rule of a profile in plain English, with its source; "
        "`profile check FILE` checks a council's own profile file",
        description="coregroup profile NAME: every rule of a profile with its source. "
        "coregroup profile check FILE: every problem of one profile file, before it goes into "
        "COREGROUP_PROFILE_DIR.",
    )
    p.add_argument("name", help="a profile name, or `check`")
    p.add_argument("file", nargs="?", type=Path, help="with `check`: the profile file")
    p.add_argument("--profile-file", metavar="PATH", type=Path, action="append", default=[])
    p.set_defaults(func=_profile)


def _load_case(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file. For example: coregroup timeline case.json") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read it ({exc.strerror})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{path}: not valid JSON at line {exc.lineno}, column {exc.colno} ({exc.msg}). "
            'For example: {"profile": "suffolk", "plan": "cp", "start": "2026-12-18"}'
        ) from None


def _timeline(args: argparse.Namespace) -> int:
    raw = _load_case(args.case_file)
    try:
        today = parse_date(args.today, "--today", "2027-01-06") if args.today else london_today(system_clock)
        case = case_from_dict(raw)
        profile = load_profile(case.profile, args.profile_file)
        cal = calendar_for(profile.nation, profile.closures)
        obs = obligations(case, profile, cal, today)
    except (CaseError, ProfileError) as exc:
        raise UsageError(str(exc)) from None
    except DateOutOfRange as exc:
        # Every date of a case is checked against the calendar's years on the way in, so only a
        # profile period long enough to run off the calendar gets here.
        raise UsageError(
            f"profile: a period of the {case.profile} profile counts beyond the bank-holiday "
            f"calendar from this case's dates ({exc}). For example: period = '6 months'"
        ) from None
    if args.json:
        doc = {
            "profile": profile.name,
            "nation": profile.nation,
            "today": today.isoformat(),
            "obligations": [o.as_json() for o in obs],
        }
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return 0
    sys.stdout.write(_table(profile, today, obs))
    return 0


def _table(profile: Profile, today: date, obs: list[Any]) -> str:
    rows = [("Due", "Status", "Rule", "About", "Source")]
    for o in obs:
        src = o.source + (" (local default)" if o.interpretation else "")
        extra = ""
        if o.earliest:
            extra = f" (not before {long_date(o.earliest)})"
        if o.limit:
            extra = f" (at the latest {long_date(o.limit)})"
        rows.append((long_date(o.due), o.status, o.rule, o.about + extra, src))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = [f"{profile.title} ({profile.nation}) — as of {long_date(today)}", ""]
    for r in rows:
        lines.append("  ".join(r[i].ljust(widths[i]) for i in range(4)) + "  " + r[4])
    if any(o.interpretation for o in obs):
        lines += ["", f"local default: {INTERPRETATION_NOTE}"]
    if not obs:
        lines.append("(nothing due)")
    return "\n".join(lines) + "\n"


def _profiles(args: argparse.Namespace) -> int:
    names = profile_names()
    extra = {}
    for path in args.profile_file:
        try:
            p = load_profile(_name_of(path), [path])
        except ProfileError as exc:
            raise UsageError(str(exc)) from None
        extra[p.name] = p
    out = []
    for n in sorted({*names, *extra}):
        p = extra.get(n) or load_profile(n)
        kind = "national" if p.inherits is None else f"local, inherits {p.inherits}"
        out.append(f"{p.name:<20} {p.nation:<17} {kind:<26} plans: {', '.join(p.plans)}")
    sys.stdout.write("\n".join(out) + "\n")
    return 0


def _name_of(path: Path) -> str:
    import tomllib

    try:
        return str(tomllib.loads(path.read_text(encoding="utf-8")).get("name", path.stem))
    except (OSError, tomllib.TOMLDecodeError):
        return path.stem


def _profile(args: argparse.Namespace) -> int:
    if args.name == "check":
        return _check(args.file)
    if args.file is not None:
        raise UsageError(f"profile takes one name; to check a file: coregroup profile check {args.file}")
    try:
        p = load_profile(args.name, args.profile_file)
    except ProfileError as exc:
        raise UsageError(str(exc)) from None
    lines = [f"{p.title} — nation: {p.nation}; plans: {', '.join(p.plans)}"]
    if p.inherits:
        lines.append(f"Inherits {p.inherits}; its own rules replace the national ones.")
    if p.documents:
        lines.append(f"Guidance: {', '.join(p.documents)}")
    lines.append(
        f"Working hours for reminders: {p.working_hours.start:%H:%M}–"
        f"{p.working_hours.end:%H:%M}, working days of {p.nation}"
    )
    lines.append("")
    for rule in p.rules.values():
        lines.extend(rule_summary(rule, p))
    if p.notes:
        lines += ["", "Roles and meeting practice:"] + [f"  - {n}" for n in p.notes]
    if not p.social_worker_may_chair:
        lines.append("  - The social worker never chairs the core group.")
    lines += ["", "Who chairs and takes the minutes:"] + [f"  - {line}" for line in chair_summary(p)]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def _who(choice: str) -> str:
    return {"rota": "a rota between agencies", "agreed": "agreed by the members"}.get(
        choice, "the " + choice.replace("_", " ")
    )


def chair_summary(p: Profile) -> list[str]:
    """The profile's `[chair]` rule in words, with its source."""
    rule = p.chair
    lines = []
    if rule.first:
        lines.append(f"First core group: {_who(rule.first)}.")
    lines.append(f"{'Later' if rule.first else 'Each'} core group: {_who(rule.later)}.")
    if rule.after_tier1:
        lines.append(f"The core group after a Tier 1 meeting: {_who(rule.after_tier1)}.")
    lines.append(f"Minutes: {_who(rule.minutes)}.")
    if rule.source:
        lines.append(f"Source: {rule.source}.")
    return lines


def _check(path: Path | None) -> int:
    """Every problem of a profile file, one line each (exit 2), or a one-line summary (exit 0)."""
    if path is None:
        raise UsageError("profile check needs a file. For example: coregroup profile check mycouncil.toml")
    problems = check_profile_file(path)
    if problems:
        sys.stderr.write("".join(f"coregroup: {p}\n" for p in problems))
        sys.stderr.write(f"coregroup: {len(problems)} problem(s) in {path}; nothing was loaded.\n")
        return 2
    p = load_profile(_name_of(path), [path])
    sys.stdout.write(
        f"{path}: good — {p.title} ({p.nation}), inherits "
        f"{p.inherits or 'nothing'}, {len(p.rules)} rules, plans: "
        f"{', '.join(p.plans)}\n"
    )
    return 0

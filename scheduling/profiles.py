"""Policy profiles: the rule catalogue as data, one TOML file per nation or locality.

A local profile names the nation it `inherits` from and replaces whole rules (a rule always carries
its own source clause, so a half-overridden rule could cite the wrong document). A council not in
the list adds itself with its own file: `--profile-file PATH` for one command, or a folder of files
that the running bot loads beside the built-in ones (`COREGROUP_PROFILE_DIR`, registered at start-up
with `use_profile_dirs`), no code change and no release.

Every file is validated on load; an error names the file, the key and what is allowed.
"""

from __future__ import annotations

import contextlib
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Final, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

PROFILE_DIR: Final = Path(__file__).parent / "profiles"

#: Folders of a council's own profile files, besides the built-in ones (`use_profile_dirs`). A
#: process-wide setting made once at start-up: profiles are read by every layer (handlers, the
#: sweep, the calendar) and threading a registry through each call would change every signature.
_EXTRA_DIRS: list[Path] = []

#: Every rule id of the catalogue (docs/rules.md). Stable: used in JSON, reminders, the database.
RULE_IDS: Final[tuple[str, ...]] = (
    "first_core_group",
    "review_conference",
    "second_core_group",
    "next_core_group",
    "final_core_group_window",
    "post_review_core_group",
    "minutes_circulated",
    "school_move_core_group",
    "chair_update_to_lead_sw",
    "significant_change_to_conference_chair",
    "lead_sw_visit",
    "child_seen",
    "written_report",
    "quorum",
    "escalation_stage",
    "resolution_tier1_trigger",
    "resolution_tier1_meeting",
    "resolution_review_core_group",
    "resolution_tier2_trigger",
    "resolution_tier2_meeting",
)

Unit = Literal["working_days", "days", "weeks", "months"]
_PERIOD = re.compile(r"^\s*(\d+)\s+(working days?|days?|weeks?|months?)\s*$")
PERIOD_HELP: Final = "a period such as '10 working days', '7 days', '6 weeks' or '3 months'"


@dataclass(frozen=True, slots=True)
class Period:
    n: int
    unit: Unit

    def __str__(self) -> str:
        word = {"working_days": "working day", "days": "day", "weeks": "week", "months": "month"}[self.unit]
        return f"{self.n} {word}{'' if self.n == 1 else 's'}"


def parse_period(text: str) -> Period:
    m = _PERIOD.match(text)
    if not m or int(m.group(1)) < 1:
        raise ValueError(f"{text!r} is not {PERIOD_HELP}")
    word = m.group(2)
    unit: Unit
    if word.startswith("working"):
        unit = "working_days"
    elif word.startswith("day"):
        unit = "days"
    elif word.startswith("week"):
        unit = "weeks"
    else:
        unit = "months"
    return Period(int(m.group(1)), unit)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleSpec(_Strict):
    """One rule as written in a profile file. Which fields a rule uses depends on its id."""

    source: str = Field(min_length=3)
    text: str = Field(min_length=3)
    #: The same rule in Welsh, for a Welsh council's readers (docs/cymraeg.md); None: English.
    text_cy: str | None = Field(default=None, min_length=3)
    interpretation: bool = False
    #: Plan types the rule applies to (default: all the profile's plans).
    plans: tuple[Literal["cp", "cin", "lac"], ...] | None = None
    period: Period | None = None
    first: Period | None = None
    limit: Period | None = None
    earliest: Period | None = None
    before_review: bool = False
    record_only: bool = False
    per_case: bool = False
    review_count: int | None = Field(default=None, ge=1)
    min_professionals: int | None = Field(default=None, ge=1)
    lead_sw_required: bool = False
    stages: tuple[str, ...] = ()
    #: Per-plan overrides of this rule (e.g. Shropshire's `lac` first core group is 28 days).
    by_plan: dict[Literal["cp", "cin", "lac"], RuleSpec] = Field(default_factory=dict)

    @field_validator("period", "first", "limit", "earliest", mode="before")
    @classmethod
    def _period(cls, v: Any) -> Any:
        if v is None or isinstance(v, Period):
            return v
        if not isinstance(v, str):
            raise ValueError(f"expected {PERIOD_HELP}")
        return parse_period(v)


RuleSpec.model_rebuild()


class WorkingHours(_Strict):
    start: time = time(9, 0)
    end: time = time(17, 0)


class LanguageSettings(_Strict):
    """Who reads which language (docs/cymraeg.md). `default`: what a member who has not chosen
    reads (`both`: Welsh first, then English, as the Welsh Language Standards ask when the
    choice is not known); `bilingual_channel`: the case channel's posts in Welsh and English;
    `ask_new_members`: the bot asks each new member which language they want."""

    default: Literal["en", "cy", "both"] = "en"
    bilingual_channel: bool = False
    ask_new_members: bool = False


#: Who chairs (or takes the minutes of) a core group: "rota" (between agencies, `rota`),
#: "agreed" (the members agree each time: set with `meeting … chair:@x`), or a role key
#: (`lead_social_worker`, `practice_lead`) meaning the member in that role.
ChairChoice = Annotated[str, Field(pattern=r"^(rota|agreed|[a-z][a-z_]*)$")]


class ChairRule(_Strict):
    """Who chairs and who takes the minutes, as the local guidance says (`[chair]` in a
    profile). Whatever it gives is stored on the meeting when booked, and a person can change
    it (`meeting … chair:@x minutes:@y`, `rota chair:@x`): the stored value is what everything
    shows."""

    #: The first core group's chair (Newham 000 §8.1: the lead social worker's Practice Lead).
    first: ChairChoice | None = None
    #: Every later core group's chair.
    later: ChairChoice = "rota"
    #: The core group after a Tier 1 resolution meeting (Cwm Taf Morgannwg 004 §5).
    after_tier1: ChairChoice | None = None
    #: Who takes the minutes / writes the record.
    minutes: ChairChoice = "rota"
    source: str = ""
    text: str = ""
    #: The rule in Welsh, as a rule's `text_cy` (shown under the rota to a Welsh reader).
    text_cy: str | None = Field(default=None, min_length=3)


class ProfileFile(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    title: str
    nation: Literal["england", "wales", "scotland", "northern-ireland"]
    inherits: str | None = None
    plans: tuple[Literal["cp", "cin", "lac"], ...] | None = None
    documents: tuple[str, ...] = ()
    closures: tuple[date, ...] = ()
    working_hours: WorkingHours | None = None
    #: May the lead social worker chair core groups? (Cwm Taf Morgannwg 004 §3: no.)
    social_worker_may_chair: bool | None = None
    language: LanguageSettings | None = None
    chair: ChairRule | None = None
    omit: tuple[str, ...] = ()
    rules: dict[str, RuleSpec] = Field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @field_validator("rules")
    @classmethod
    def _known_rules(cls, v: dict[str, RuleSpec]) -> dict[str, RuleSpec]:
        for key in v:
            if key not in RULE_IDS:
                raise ValueError(f"unknown rule id {key!r}; allowed: {', '.join(RULE_IDS)}")
        return v

    @field_validator("omit")
    @classmethod
    def _known_omit(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for key in v:
            if key not in RULE_IDS:
                raise ValueError(f"unknown rule id {key!r}; allowed: {', '.join(RULE_IDS)}")
        return v


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule resolved for one profile, ready for the engine."""

    id: str
    spec: RuleSpec

    def for_plan(self, plan: str) -> RuleSpec | None:
        """The spec that applies to `plan`, or None when the rule does not cover it."""
        spec = cast("dict[str, RuleSpec]", self.spec.by_plan).get(plan)
        if spec is not None:
            return spec
        if self.spec.plans is not None and plan not in self.spec.plans:
            return None
        return self.spec


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    nation: str
    plans: tuple[str, ...]
    rules: Mapping[str, Rule]
    closures: frozenset[date] = frozenset()
    working_hours: WorkingHours = field(default_factory=WorkingHours)
    social_worker_may_chair: bool = True
    chair: ChairRule = field(default_factory=ChairRule)
    documents: tuple[str, ...] = ()
    inherits: str | None = None
    path: Path | None = None
    notes: tuple[str, ...] = ()
    language: LanguageSettings = field(default_factory=LanguageSettings)


class ProfileError(ValueError):
    """A profile that cannot be used: names the file, the key and what is allowed."""


def _read(path: Path) -> ProfileFile:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProfileError(f"{path}: no such profile file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: not valid TOML ({exc})") from None
    try:
        return ProfileFile.model_validate(raw)
    except ValidationError as exc:
        raise ProfileError(_validation_problem(path, exc.errors()[0])) from None


def _validation_problem(path: Path, err: Any) -> str:
    key = ".".join(str(p) for p in err["loc"]) or "(top level)"
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = "unknown key"
    elif err["type"] == "missing":
        msg = "is required"
    return f"{path}: {key}: {msg}"


def _files() -> dict[str, Path]:
    """Profile name -> file: the built-in ones, then each registered folder's."""
    out = {p.stem: p for p in PROFILE_DIR.glob("*.toml")}
    for folder in _EXTRA_DIRS:
        out.update((p.stem, p) for p in folder.glob("*.toml") if p.stem not in out)
    return out


def profile_names() -> list[str]:
    return sorted(_files())


def use_profile_dirs(folders: Iterable[Path]) -> list[str]:
    """Add a council's folders of profile files to the built-in ones, for this process.

    Every file is checked first and nothing is added when one is wrong: a bot that started with a
    broken profile would fail later, on a case, in front of a social worker. A file may not reuse
    a built-in name (a council's variant gets a name of its own, so an upgrade that corrects a
    built-in profile never silently loses to an old copy). Returns the names added.
    """
    folders = [Path(f) for f in folders]
    problems: list[str] = []
    for folder in folders:
        if not folder.is_dir():
            problems.append(f"{folder}: not a folder of profile files (*.toml)")
            continue
        for path in sorted(folder.glob("*.toml")):
            if (PROFILE_DIR / path.name).exists():
                problems.append(
                    f"{path}: name: {path.stem!r} is a built-in profile; give the "
                    "council's own a new name (e.g. 'mycouncil') and inherit from it"
                )
    if problems:
        raise ProfileError("; ".join(problems))
    before = set(profile_names())
    _EXTRA_DIRS[:] = folders
    _shipped.cache_clear()
    try:
        for name in sorted(set(profile_names()) - before):
            problems += check_profile_file(_files()[name])
    finally:
        if problems:
            _EXTRA_DIRS.clear()
            _shipped.cache_clear()
    if problems:
        raise ProfileError("; ".join(problems))
    return sorted(set(profile_names()) - before)


def check_profile_file(path: Path) -> list[str]:
    """Every problem of one profile file, each naming the key and what is allowed (empty: good).

    `coregroup profile check FILE` prints these; loading stops at the first, so a council editing
    a file would otherwise fix one problem per run.
    """
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return [f"{path}: no such profile file"]
    except OSError as exc:
        return [f"{path}: cannot read it ({exc.strerror})"]
    except tomllib.TOMLDecodeError as exc:
        return [f"{path}: not valid TOML ({exc})"]
    try:
        pf = ProfileFile.model_validate(raw)
    except ValidationError as exc:
        return [_validation_problem(path, err) for err in exc.errors()]
    problems = []
    if pf.name != path.stem:
        problems.append(f"{path}: name: {pf.name!r} must match the file name {path.stem!r}")
    siblings: dict[str, tuple[ProfileFile, Path]] = {}
    for other in path.parent.glob("*.toml"):  # a council's files may inherit from each other
        if other != path and other.stem not in _files():
            with contextlib.suppress(ProfileError):  # its own check names its problems
                siblings[other.stem] = (_read(other), other)
    try:
        profile = _resolve(pf, path, siblings, check=False)
    except ProfileError as exc:
        return [*problems, str(exc)]
    return problems + _rule_problems(profile.rules, path)


def _resolve(
    pf: ProfileFile,
    path: Path,
    extra: Mapping[str, tuple[ProfileFile, Path]],
    seen: tuple[str, ...] = (),
    *,
    check: bool = True,
) -> Profile:
    if pf.name in seen:
        raise ProfileError(f"{path}: inherits: circular inheritance {' -> '.join((*seen, pf.name))}")
    parent: Profile | None = None
    if pf.inherits is not None:
        if pf.inherits in extra:
            ppf, ppath = extra[pf.inherits]
        elif pf.inherits in profile_names():
            ppath = _files()[pf.inherits]
            ppf = _read(ppath)
        else:
            raise ProfileError(
                f"{path}: inherits: unknown profile {pf.inherits!r}; allowed: "
                f"{', '.join(sorted({*profile_names(), *extra}))}"
            )
        parent = _resolve(ppf, ppath, extra, (*seen, pf.name))
        if parent.nation != pf.nation:
            raise ProfileError(
                f"{path}: nation: {pf.nation!r} differs from the inherited profile's {parent.nation!r}"
            )
    rules: dict[str, Rule] = dict(parent.rules) if parent else {}
    for rid in pf.omit:
        rules.pop(rid, None)
    for rid, spec in pf.rules.items():
        rules[rid] = Rule(rid, spec)
    if check:
        _check_rules(rules, path)
    plans = pf.plans or (parent.plans if parent else ("cp",))
    hours = pf.working_hours or (parent.working_hours if parent else WorkingHours())
    if hours.start >= hours.end:
        raise ProfileError(f"{path}: working_hours: start must be before end")
    return Profile(
        name=pf.name,
        title=pf.title,
        nation=pf.nation,
        plans=tuple(plans),
        rules={rid: rules[rid] for rid in RULE_IDS if rid in rules},
        closures=frozenset(pf.closures) | (parent.closures if parent else frozenset()),
        working_hours=hours,
        social_worker_may_chair=(
            pf.social_worker_may_chair
            if pf.social_worker_may_chair is not None
            else (parent.social_worker_may_chair if parent else True)
        ),
        chair=pf.chair or (parent.chair if parent else ChairRule()),
        documents=pf.documents or (parent.documents if parent else ()),
        inherits=pf.inherits,
        path=path,
        notes=pf.notes,
        language=pf.language or (parent.language if parent else LanguageSettings()),
    )


#: What each rule needs beyond source and text, so a profile cannot load half-configured.
def _check_rules(rules: Mapping[str, Rule], path: Path) -> None:
    problems = _rule_problems(rules, path)
    if problems:
        raise ProfileError(problems[0])


def _rule_problems(rules: Mapping[str, Rule], path: Path) -> list[str]:
    problems: list[str] = []
    needs_period = {
        "first_core_group",
        "next_core_group",
        "post_review_core_group",
        "minutes_circulated",
        "school_move_core_group",
        "chair_update_to_lead_sw",
        "significant_change_to_conference_chair",
        "child_seen",
        "resolution_tier1_meeting",
        "resolution_review_core_group",
        "resolution_tier2_trigger",
        "resolution_tier2_meeting",
    }
    for rid, rule in rules.items():
        specs = [("", rule.spec)] + [(f".by_plan.{p}", s) for p, s in rule.spec.by_plan.items()]
        for suffix, spec in specs:
            key = f"rules.{rid}{suffix}"
            if rid in needs_period and spec.period is None:
                problems.append(f"{path}: {key}.period: is required ({PERIOD_HELP})")
            if rid == "second_core_group" and spec.period is None and not spec.before_review:
                problems.append(f"{path}: {key}: needs a period or before_review = true")
            if rid == "review_conference" and (spec.first is None or spec.period is None):
                problems.append(
                    f"{path}: {key}: needs first = '3 months' and period = '6 months' (or similar)"
                )
            if rid == "lead_sw_visit" and not (spec.period or spec.record_only or spec.per_case):
                problems.append(f"{path}: {key}: needs a period, record_only = true or per_case = true")
            if rid == "escalation_stage" and not spec.stages:
                problems.append(
                    f"{path}: {key}.stages: list the stages, e.g. ['practitioners', 'first-line managers']"
                )
            if rid == "resolution_tier1_trigger" and (spec.period is None or not spec.review_count):
                problems.append(f"{path}: {key}: needs period = '15 months' and review_count = 3")
            if rid == "written_report" and spec.period is None:
                problems.append(
                    f"{path}: {key}.period: is required: how long before the meeting, e.g. '1 working day'"
                )
            if (
                rid == "final_core_group_window"
                and spec.earliest is not None
                and spec.earliest.unit != "working_days"
            ):
                problems.append(f"{path}: {key}.earliest: must be in working days")
    return problems


def load_profile(name: str, extra_files: Iterable[Path] = ()) -> Profile:
    """A profile by name: one of the shipped files, or one of `extra_files` (`--profile-file`)."""
    extra = _read_extra(tuple(extra_files))
    if extra:
        if name in extra:
            pf, path = extra[name]
            return _resolve(pf, path, extra)
        return _shipped(name)
    return _shipped(name)


def _read_extra(paths: tuple[Path, ...]) -> dict[str, tuple[ProfileFile, Path]]:
    out: dict[str, tuple[ProfileFile, Path]] = {}
    for p in paths:
        pf = _read(Path(p))
        out[pf.name] = (pf, Path(p))
    return out


@cache
def _shipped(name: str) -> Profile:
    if name not in profile_names():
        raise ProfileError(
            f"profile: unknown profile {name!r}; allowed: {', '.join(profile_names())} "
            "(or add your own with --profile-file PATH or COREGROUP_PROFILE_DIR)"
        )
    path = _files()[name]
    pf = _read(path)
    if pf.name != name:
        raise ProfileError(f"{path}: name: {pf.name!r} must match the file name {name!r}")
    return _resolve(pf, path, {})


def describe_period(p: Period | None) -> str:
    return "" if p is None else str(p)

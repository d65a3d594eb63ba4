"""Who a member is in the core group: the kinds of member and the role words that imply them.

The kind decides what the rules let someone do, so it must never be a guess. Quorum counts
professionals only (Suffolk 002 §4.7); family never chair or take the minutes; family members
may own plan actions (Suffolk §7.2). A role typed as `mum`, `stepfather` or `grandmother (carer)`
is family; `helth visiter` is a misspelling to ask about, not a new profession. One vocabulary,
here, as data: `add`, its form, the migration that re-reads stored roles (0009) and the docs all
read this module, so one grep finds every word the bot knows.

Pure: no I/O, no database.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Final

#: The kinds of member, in the order people are told about them.
PROFESSIONAL: Final = "professional"
FAMILY: Final = "family"
CHILD: Final = "child"
#: Attend but are not core-group professionals (interpreter, advocate): never counted for
#: quorum, never chair or minute, never asked for a written report.
OTHER: Final = "other"
MEMBER_KINDS: Final = (PROFESSIONAL, FAMILY, CHILD, OTHER)
#: Kinds that are the child's family (invited with `family:`, never hold a case's powers).
FAMILY_KINDS: Final = frozenset({FAMILY, CHILD})

KIND_WORDS: Final = {
    PROFESSIONAL: "an agency's professional",
    FAMILY: "a parent, carer or relative",
    CHILD: "the child or young person",
    OTHER: "attends but isn't a core-group professional, like an interpreter or advocate",
}

#: Role key → kind. Keys are snake_case as stored (`health_visitor`).
ROLES: Final[dict[str, str]] = {
    # professionals
    "lead_social_worker": PROFESSIONAL,
    "social_worker": PROFESSIONAL,
    "practice_lead": PROFESSIONAL,
    "team_manager": PROFESSIONAL,
    "service_manager": PROFESSIONAL,
    "head_of_service": PROFESSIONAL,
    "manager": PROFESSIONAL,
    "family_support_worker": PROFESSIONAL,
    "early_help_worker": PROFESSIONAL,
    "health_visitor": PROFESSIONAL,
    "school_nurse": PROFESSIONAL,
    "midwife": PROFESSIONAL,
    "gp": PROFESSIONAL,
    "paediatrician": PROFESSIONAL,
    "nurse": PROFESSIONAL,
    "camhs": PROFESSIONAL,
    "mental_health_worker": PROFESSIONAL,
    "teacher": PROFESSIONAL,
    "designated_teacher": PROFESSIONAL,
    "designated_safeguarding_lead": PROFESSIONAL,
    "head_teacher": PROFESSIONAL,
    "nursery_worker": PROFESSIONAL,
    "nursery": PROFESSIONAL,
    "school": PROFESSIONAL,
    "education": PROFESSIONAL,
    "police": PROFESSIONAL,
    "police_officer": PROFESSIONAL,
    "probation_officer": PROFESSIONAL,
    "youth_worker": PROFESSIONAL,
    "youth_justice_worker": PROFESSIONAL,
    "housing_officer": PROFESSIONAL,
    "substance_misuse_worker": PROFESSIONAL,
    "domestic_abuse_worker": PROFESSIONAL,
    "adult_social_worker": PROFESSIONAL,
    "independent_reviewing_officer": PROFESSIONAL,
    "conference_chair": PROFESSIONAL,
    # family
    "parent": FAMILY,
    "mother": FAMILY,
    "father": FAMILY,
    "step_parent": FAMILY,
    "stepmother": FAMILY,
    "stepfather": FAMILY,
    "carer": FAMILY,
    "kinship_carer": FAMILY,
    "foster_carer": FAMILY,
    "grandparent": FAMILY,
    "grandmother": FAMILY,
    "grandfather": FAMILY,
    "aunt": FAMILY,
    "uncle": FAMILY,
    "sibling": FAMILY,
    "brother": FAMILY,
    "sister": FAMILY,
    "cousin": FAMILY,
    "guardian": FAMILY,
    "relative": FAMILY,
    "family": FAMILY,
    "family_member": FAMILY,
    "partner": FAMILY,
    # the child
    "child": CHILD,
    "young_person": CHILD,
    # others who attend
    "interpreter": OTHER,
    "advocate": OTHER,
    "family_advocate": OTHER,
    "independent_advocate": OTHER,
    "translator": OTHER,
    "supporter": OTHER,
}

#: Everyday words → the role key they mean.
SYNONYMS: Final[dict[str, str]] = {
    "mum": "mother",
    "mom": "mother",
    "mam": "mother",
    "mummy": "mother",
    "dad": "father",
    "daddy": "father",
    "step_mum": "stepmother",
    "stepmum": "stepmother",
    "step_mother": "stepmother",
    "step_dad": "stepfather",
    "stepdad": "stepfather",
    "step_father": "stepfather",
    "stepparent": "step_parent",
    "gran": "grandmother",
    "granny": "grandmother",
    "nan": "grandmother",
    "nana": "grandmother",
    "nanna": "grandmother",
    "grandma": "grandmother",
    "grandad": "grandfather",
    "granddad": "grandfather",
    "grandpa": "grandfather",
    "auntie": "aunt",
    "aunty": "aunt",
    "boyfriend": "partner",
    "girlfriend": "partner",
    "mums_partner": "partner",
    "mum_s_partner": "partner",
    "young_carer": "child",
    "hv": "health_visitor",
    "sw": "social_worker",
    "lsw": "lead_social_worker",
    "fsw": "family_support_worker",
    "dsl": "designated_safeguarding_lead",
    "class_teacher": "teacher",
    "headteacher": "head_teacher",
    "doctor": "gp",
    "general_practitioner": "gp",
    "iro": "independent_reviewing_officer",
    "pc": "police_officer",
    "probation": "probation_officer",
    "housing": "housing_officer",
}

#: Parts of a role that never decide its kind (`mum's partner`, `the child's aunt`).
_FILLER: Final = frozenset(
    {
        "s",
        "the",
        "of",
        "a",
        "an",
        "child",
        "childs",
        "and",
        "to",
        "main",
        "birth",
        "maternal",
        "paternal",
        "great",
    }
)


@dataclass(frozen=True, slots=True)
class RoleReading:
    """What a typed role means: its stored key and kind, or why it can't be read.

    Exactly one of `kind` (understood), `suggestion` (a known role it looks like a misspelling
    of) or neither (unknown: ask which kind) is set.
    """

    key: str
    kind: str | None
    suggestion: str | None = None


def role_key(role: str) -> str:
    """Roles are stored as snake_case keys (`health_visitor`) and shown with spaces."""
    return re.sub(r"[^a-z0-9]+", "_", role.strip().lower()).strip("_")


def role_label(role: str) -> str:
    return role.replace("_", " ")


def _known(key: str) -> str | None:
    key = SYNONYMS.get(key, key)
    return ROLES.get(key)


def read_role(role: str) -> RoleReading:
    """Read a typed role: an exact role or synonym; else the role without its brackets
    (`grandmother (carer)`); else every meaningful word, if they all agree on one kind
    (`maternal grandmother`); else a close spelling of a known role; else unknown.

    Never guesses from part of a word: an unknown word anywhere makes it unknown, so a
    misspelt professional is never silently counted as anything.
    """
    key = role_key(role)
    canonical = SYNONYMS.get(key, key)
    if canonical in ROLES:
        return RoleReading(canonical, ROLES[canonical])
    base = role_key(re.sub(r"\(.*?\)", " ", role))
    kinds = set()
    if base and base != key and _known(base) is not None:
        kinds.add(_known(base))
        for word in re.findall(r"\((.*?)\)", role):
            if (k := _known(role_key(word))) is not None:
                kinds.add(k)
        if len(kinds) == 1:
            return RoleReading(key, kinds.pop())
        return RoleReading(key, None)
    words = [w for w in key.split("_") if w and w not in _FILLER]
    word_kinds = [_known(w) for w in words]
    if words and all(k is not None for k in word_kinds) and len(set(word_kinds)) == 1:
        return RoleReading(key, word_kinds[0])
    return RoleReading(key, None, suggest_role(role))


def suggest_role(role: str) -> str | None:
    """The known role (as words) `role` is most likely a misspelling of, or None."""
    vocabulary = [role_label(k) for k in (*ROLES, *SYNONYMS)]
    typed = role_label(role_key(role))
    close = difflib.get_close_matches(typed, vocabulary, n=1, cutoff=0.8)
    if not close:
        return None
    return role_label(SYNONYMS.get(role_key(close[0]), role_key(close[0])))


def kind_of_stored_role(role: str) -> str:
    """The kind of a role already on the record (migration 0009): what `read_role` says, else
    professional, the kind every member had before kinds were read from the role."""
    return read_role(role).kind or PROFESSIONAL

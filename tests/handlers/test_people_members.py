"""Who a member is: the role vocabulary (scheduling/roles.py), `kind:`, and what each kind may do
(family own plan actions, members by email too; only professionals hold powers)."""

from __future__ import annotations

import pytest
from fakes.env import CtxFactory
from test_handlers_cases import CHANNEL, run, setup_case, text

from scheduling.roles import read_role
from storage import repository as repo
from storage.db import Store


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("mum", "family"),
        ("Stepfather", "family"),
        ("grandmother (carer)", "family"),
        ("mum's partner", "family"),
        ("maternal grandmother", "family"),
        ("health visitor", "professional"),
        ("GP", "professional"),
        ("designated teacher", "professional"),
        ("interpreter", "other"),
        ("advocate", "other"),
        ("young person", "child"),
    ],
)
def test_the_vocabulary_reads_the_kind(typed: str, kind: str) -> None:
    assert read_role(typed).kind == kind


def test_a_misspelling_is_suggested_and_an_unknown_role_is_not_guessed() -> None:
    assert read_role("helth visiter").kind is None
    assert read_role("helth visiter").suggestion == "health visitor"
    assert read_role("wizard").kind is None and read_role("wizard").suggestion is None


def test_kind_given_explicitly_and_a_contradiction_refused(ctx: CtxFactory, store: Store) -> None:
    setup_case(ctx, store)
    t = text(run(ctx(channel=CHANNEL), 'add email:x@example.org name:"Aunt" role:"mum" kind:professional'))
    assert "A mother is family, not professional. Nothing has changed." in t
    t = text(run(ctx(channel=CHANNEL), 'add email:x@example.org name:"Aunt" role:"kinship" kind:sibling'))
    assert "`kind:sibling` isn't a kind of member" in t
    t = text(run(ctx(channel=CHANNEL), 'add email:x@example.org name:"Aunt" role:"kinship" kind:family'))
    assert "joined the core group as kinship" in t
    with store.read() as s:
        [aunt] = [m for m in repo.members(s, "CG-0001") if m.display_name == "Aunt"]
    assert aunt.kind == "family"


def test_a_parent_reached_by_email_owns_a_plan_action(ctx: CtxFactory, store: Store) -> None:
    setup_case(ctx, store)
    run(ctx(channel=CHANNEL), 'add email:parent@example.org name:"Parent A" role:mum')
    t = text(run(ctx(channel=CHANNEL), 'action add "Take him to the dentist" owner:parent@example.org'))
    assert "plan action 1 added" in t and "owner Parent A (mother)" in t
    t = text(run(ctx(channel=CHANNEL), 'action add "Read every evening" owner:"Parent A"'))
    assert "plan action 2 added" in t
    t = text(run(ctx(channel=CHANNEL), 'action add "Walk to school" owner:nobody@example.org'))
    assert "is not a member of CG-0001's core group" in t
    with store.read() as s:
        owners = {a.owner_member_id for a in repo.actions(s, "CG-0001")}
        [parent] = [m for m in repo.members(s, "CG-0001") if m.kind == "family"]
    assert owners == {parent.id}


def test_the_close_reason_is_kept_in_the_export_not_the_audit_log(ctx: CtxFactory, store: Store) -> None:
    from sqlmodel import select

    from storage.export import case_record, render_text
    from storage.models import AuditEvent

    setup_case(ctx, store)
    assert "CG-0001 is closed: Plan ended at review" in text(
        run(ctx(channel=CHANNEL), 'close reason:"Plan ended at review" confirm')
    )
    with store.read() as s:
        record = case_record(s, "CG-0001", now=ctx().now)
        audit = " ".join(f"{e.before} {e.after}" for e in s.exec(select(AuditEvent)).all())
    assert record["case"]["closed_reason"] == "Plan ended at review"
    assert "(Plan ended at review)" in render_text(record)
    assert "Plan ended at review" not in audit  # the log holds no free text (storage/models.py)

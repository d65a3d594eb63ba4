"""The record: where every core group, meeting, report, visit and reminder is kept.

- `storage.db` — `Store.open(settings)`: SQLite file by default, PostgreSQL by `DATABASE_URL`;
  `store.transaction()` / `store.read()` give the sessions the functions below take.
- `storage.repository` — every change (each audited in the same transaction) and the look-ups
  handlers need, re-exported from one module per aggregate (`storage.cases`, `.members`,
  `.meetings`, `.reports`, `.visits`, `.actions`, `.events`, `.escalations`, `.requests`,
  `.retention`, `.snapshots`; shared checks in `storage.common`); `case_state` /
  `active_case_states` (`storage.case_states`) give the engine's `CaseState`.
- `storage.outbox` — reminders: `enqueue` once per key, `claim_due`, `mark_sent`, `mark_failed`.
- `storage.audit` — the append-only, hash-chained log (`verify`, `history`).
- `storage.export` — a case's record as JSON and a readable document.
- `storage.errors` — the typed errors (kind, message, example) everything above raises.
- `storage.migrate` — Alembic from code (`coregroup db upgrade`, the schema check at start).
"""

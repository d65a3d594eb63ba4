#!/usr/bin/env bash
# Refresh requirements.lock: every package coregroup and its dev tools need, at one version each,
# with hashes, from pyproject.toml (the one place dependencies are declared). Run it after adding
# or changing a dependency there, and commit both files together:
#
#   bash scripts/lock.sh
#
# .ci/run and the README install from the lock (then `pip install -e . --no-deps`), so a fresh
# clone six months from now installs the same program; tests/ops/test_ops_lock.py fails when
# pyproject.toml names a package the lock lacks. `--upgrade` moves every pin to the newest release
# that pyproject.toml allows; without it, pip-compile keeps the versions already locked. Extras stay
# on their pins (`httpx[http2]==…`): with them stripped, pip in hash mode resolves a dependency's
# `httpx[http2]` to the newest release and refuses it as unpinned.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/pip-compile ]; then
  echo "scripts/lock.sh: no .venv/bin/pip-compile; first run: python3 -m venv .venv && .venv/bin/pip install -q -e '.[dev]'" >&2
  exit 2
fi
.venv/bin/pip-compile --quiet --extra dev --generate-hashes --allow-unsafe \
  --no-emit-index-url --no-emit-find-links --output-file requirements.lock "$@" pyproject.toml
echo "requirements.lock refreshed: commit it with pyproject.toml"

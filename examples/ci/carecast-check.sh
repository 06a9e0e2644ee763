#!/usr/bin/env bash
# A forecast regression check for CI: install carecast, forecast again and compare with the
# committed snapshot. Exit 0: every figure held; 1: a figure moved beyond tolerance (the log
# names it and the likely cause); 2/3: a bad snapshot, scenario or data file.
#
#   examples/ci/carecast-check.sh [INPUT...] [--scenario FILE...]    (no INPUT: the bundled sample)
#
# Settings, all optional:
#   CARECAST_SNAPSHOT  the snapshot to compare with (default: sample.snapshot.toml beside this script)
#   CARECAST_PACKAGE   what pip installs (default: the carecast checkout this script is in;
#                      in your own repository e.g. "carecast @ git+https://…/carecast@v0.1.0")
#   CARECAST           an installed carecast command to use instead of installing one
# After a deliberate change (new actuals, a new begroting), update the snapshot and commit it:
#   carecast check --snapshot sample.snapshot.toml [INPUT...] --update
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
snapshot="${CARECAST_SNAPSHOT:-$here/sample.snapshot.toml}"
export NO_COLOR=1  # plain tables in the log: no colour codes, no wrapped cells

if [ -n "${CARECAST:-}" ]; then
  carecast="$CARECAST"
else
  venv="$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/carecast-venv.XXXXXX")"
  trap 'rm -rf "$venv"' EXIT  # a few hundred MB: not left behind on a developer's machine
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "${CARECAST_PACKAGE:-$here/../..}"
  carecast="$venv/bin/carecast"
fi

"$carecast" --version
"$carecast" check --snapshot "$snapshot" "$@"  # not exec: the trap must still run

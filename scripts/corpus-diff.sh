#!/usr/bin/env bash
# Lint the real-world corpus with two builds and diff every report: a refactoring or a
# speed-up must leave the findings unchanged, and a deliberate change shows here whole.
#
#   scripts/corpus-diff.sh [BASE]      # BASE: a git revision, default HEAD (the working tree
#                                      # is compared with it); KEEP=1 keeps the reports
#
# The corpus is `../shared/corpus` (or $CORPUS), linted as it is stored and as its
# repositories lay it out (templates beside the definitions they name, by its rebuild.py),
# in the json, sarif, concise and human formats, with the workflow type undeclared, Express
# and Standard. Exits 1 when any report differs.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CORPUS=${CORPUS:-$ROOT/../shared/corpus}
BASE=${1:-HEAD}
cd "$ROOT"

log() { echo "corpus-diff: $*" >&2; }
[[ -f "$CORPUS/rebuild.py" ]] || { log "no corpus at $CORPUS"; exit 2; }

WORK=$(mktemp -d)
cleanup() {
    git worktree remove --force "$WORK/base" >/dev/null 2>&1 || true
    if [[ "${KEEP:-0}" == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

log "building $BASE and the working tree"
git worktree add --detach --quiet "$WORK/base" "$BASE"
(cd "$WORK/base" && CARGO_TARGET_DIR="$WORK/base-target" cargo build --release --quiet)
cargo build --release --quiet
NEW="${CARGO_TARGET_DIR:-$ROOT/target}/release/sfn-lint"
OLD="$WORK/base-target/release/sfn-lint"

python3 "$CORPUS/rebuild.py" "$WORK/rebuilt" >/dev/null

reports() {
    local bin=$1 out=$2
    mkdir -p "$out"
    # Exit codes 0 and 1 both mean a report was written.
    "$bin" check "$CORPUS" --no-config --format json >"$out/corpus.json" || true
    "$bin" check "$CORPUS" --no-config --format json --workflow-type express >"$out/corpus-express.json" || true
    "$bin" check "$CORPUS" --no-config --format concise --color never --workflow-type express >"$out/corpus-express.txt" || true
    "$bin" check "$WORK/rebuilt" --no-config --format json >"$out/rebuilt.json" || true
    "$bin" check "$WORK/rebuilt" --no-config --format json --workflow-type standard >"$out/rebuilt-standard.json" || true
    "$bin" check "$WORK/rebuilt" --no-config --format sarif >"$out/rebuilt.sarif" || true
    "$bin" check "$WORK/rebuilt" --no-config --format human --color never >"$out/rebuilt-human.txt" || true
    "$bin" check testdata --no-config --format human --color never >"$out/testdata-human.txt" || true
}

log "linting with both builds"
reports "$OLD" "$WORK/old"
reports "$NEW" "$WORK/new"

status=0
for report in "$WORK"/old/*; do
    name=$(basename "$report")
    if cmp -s "$report" "$WORK/new/$name"; then
        log "same: $name ($(wc -c <"$report") bytes)"
    else
        status=1
        log "DIFFERS: $name"
        diff -u "$report" "$WORK/new/$name" | head -40 >&2 || true
    fi
done
exit $status

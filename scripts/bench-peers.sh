#!/usr/bin/env bash
# Compare sfn-lint with peer tools on the same generated inputs and print one markdown table.
#
#   scripts/bench-peers.sh          # KEEP=1 keeps the temporary folder
#
# Peers are installed into a temporary folder: asl-validator (npm), cfn-lint (PyPI, in a
# venv) and, when it is not on PATH, hyperfine (crates.io). Inputs come from
# `cargo bench --bench lint -- --generate DIR`, so they are the same every run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

WORK=$(mktemp -d)
cleanup() {
    if [[ "${KEEP:-0}" == 1 ]]; then
        echo "kept $WORK" >&2
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

log() { echo "bench-peers: $*" >&2; }
die() { log "error: $*"; exit 1; }

# --- build and generate -----------------------------------------------------------------
log "building sfn-lint (release)"
cargo build --release --quiet
SFN="${CARGO_TARGET_DIR:-$ROOT/target}/release/sfn-lint"
[[ -x "$SFN" ]] || die "no binary at $SFN"

log "generating inputs"
cargo bench --quiet --bench lint -- --generate "$WORK/inputs" >&2
IN="$WORK/inputs"
SMALL100=()
while IFS= read -r f; do SMALL100+=("$f"); done < <(find "$IN/small" -name '*.asl.json' | sort | head -n 100)
[[ ${#SMALL100[@]} -eq 100 ]] || die "expected 100 small files, got ${#SMALL100[@]}"
SMALL1000_COUNT=$(find "$IN/small" -name '*.asl.json' | wc -l)
[[ $SMALL1000_COUNT -eq 1000 ]] || die "expected 1000 small files, got $SMALL1000_COUNT"
CHAIN="$IN/chain-10000/chain.asl.json"
TEMPLATE="$IN/template/template.json"

# --- install peers ------------------------------------------------------------------------
log "installing asl-validator (npm)"
npm install --prefix "$WORK/npm" --no-audit --no-fund --silent asl-validator >&2
ASLV="$WORK/npm/node_modules/.bin/asl-validator"
[[ -x "$ASLV" ]] || die "asl-validator did not install"

log "installing cfn-lint (PyPI, venv)"
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install --quiet --disable-pip-version-check cfn-lint >&2
CFNLINT="$WORK/venv/bin/cfn-lint"
[[ -x "$CFNLINT" ]] || die "cfn-lint did not install"

if command -v hyperfine >/dev/null; then
    HYPERFINE=$(command -v hyperfine)
else
    log "installing hyperfine (crates.io)"
    cargo install hyperfine --locked --quiet --root "$WORK/cargo" >&2
    HYPERFINE="$WORK/cargo/bin/hyperfine"
fi

SFN_VERSION=$("$SFN" --version 2>/dev/null | awk '{print $NF}')
ASLV_VERSION=$(node -p "require('$WORK/npm/node_modules/asl-validator/package.json').version")
CFNLINT_VERSION=$("$CFNLINT" --version | awk '{print $NF}')
HYPERFINE_VERSION=$("$HYPERFINE" --version | awk '{print $NF}')
NODE_VERSION=$(node --version)
PYTHON_VERSION=$("$WORK/venv/bin/python" -c 'import platform; print(platform.python_version())')

# --- commands -------------------------------------------------------------------------------
# Every command is a single process run without a shell (hyperfine -N), so no shell start-up
# is timed. Paths come from mktemp and contain no spaces.
sfn_cmd() { echo "$SFN check --format json --fail-on never $*"; }
aslv_cmd() {
    local s="$ASLV" f
    for f in "$@"; do s+=" --json-path $f"; done
    echo "$s"
}
cfn_cmd() { echo "$CFNLINT $*"; }

# --- check that every tool really ran on its input before timing it -----------------------
verify_sfn() { # files expected_files expected_definitions
    local out
    out=$("$SFN" check --format json --fail-on never $1) || die "sfn-lint failed on $1"
    python3 -c '
import json, sys
s = json.load(sys.stdin)["summary"]
want_files, want_defs = int(sys.argv[1]), int(sys.argv[2])
if s["files"] != want_files or s["definitions"] != want_defs:
    sys.exit(f"sfn-lint summary {s}, expected {want_files} files / {want_defs} definitions")
' "$2" "$3" <<<"$out" || die "sfn-lint did not lint what was expected"
}
verify_aslv() { # expected_count files...
    local want=$1 out rc=0 n
    shift
    local args=()
    for f in "$@"; do args+=(--json-path "$f"); done
    out=$("$ASLV" "${args[@]}" 2>&1) || rc=$?
    n=$(grep -cE '^. State machine definition ".*" is (valid|invalid)' <<<"$out" || true)
    [[ $rc -le 1 && $n -eq $want ]] || die "asl-validator (exit $rc) reported on $n of $want files: $(head -5 <<<"$out")"
}
verify_cfn() { # template
    local out rc=0
    out=$("$CFNLINT" "$1" 2>&1) || rc=$?
    # cfn-lint exits with a bit mask: 2 errors, 4 warnings, 8 informational; 1 and 32 are its own failures.
    (( (rc & 33) == 0 )) || die "cfn-lint exit $rc: $(head -5 <<<"$out")"
    if grep -qE '^E0000|usage:' <<<"$out"; then die "cfn-lint could not read the template: $(head -5 <<<"$out")"; fi
    [[ $rc -eq 0 ]] || grep -qF "$1:" <<<"$out" || die "cfn-lint output does not mention the template"
    CFN_FINDINGS=$(grep -cE '^[EWI][0-9]{4} ' <<<"$out" || true)
    CFN_CODES=$(grep -oE '^[EWI][0-9]{4}' <<<"$out" | sort | uniq -c | awk '{printf "%s%s×%s", sep, $2, $1; sep=", "}')
}

log "checking each tool once on each input"
verify_sfn "${SMALL100[*]}" 100 100
verify_sfn "$IN/small" 1000 1000
verify_sfn "$CHAIN" 1 1
verify_sfn "$TEMPLATE" 1 100
verify_aslv 100 "${SMALL100[@]}"
verify_aslv 1 "$CHAIN"
verify_cfn "$TEMPLATE"

# --- time ---------------------------------------------------------------------------------
mkdir -p "$WORK/results"
bench() { # input tool hyperfine-run-options command
    log "timing $2 on $1"
    "$HYPERFINE" -N -i --warmup 1 $3 --style none \
        --export-json "$WORK/results/$1--$2.json" --command-name "$2" "$4" >&2
}
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
LOAD_BEFORE=$(loadavg)
SFN_RUNS="--min-runs 20" # fast: let hyperfine pick the count (at least 3 s of runs)

bench small100 sfn-lint "$SFN_RUNS" "$(sfn_cmd "${SMALL100[@]}")"
bench small100 asl-validator "--runs 5" "$(aslv_cmd "${SMALL100[@]}")"
bench small1000 sfn-lint "$SFN_RUNS" "$(sfn_cmd "$IN/small")"
bench chain10000 sfn-lint "$SFN_RUNS" "$(sfn_cmd "$CHAIN")"
bench chain10000 asl-validator "--runs 10" "$(aslv_cmd "$CHAIN")"
bench template100 sfn-lint "$SFN_RUNS" "$(sfn_cmd "$TEMPLATE")"
bench template100 cfn-lint "--runs 10" "$(cfn_cmd "$TEMPLATE")"

LOAD_AFTER=$(loadavg)

# --- report -------------------------------------------------------------------------------
CPU=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: *//')
echo "Machine: $(nproc) cores, ${CPU:-unknown CPU}; $(date -u '+%Y-%m-%d %H:%M UTC'); load average $LOAD_BEFORE before timing, $LOAD_AFTER after"
echo
python3 - "$WORK/results" <<'EOF'
import json, os, sys

results = {}
for name in os.listdir(sys.argv[1]):
    with open(os.path.join(sys.argv[1], name)) as f:
        key, tool = name[:-5].split("--")
        results.setdefault(key, {})[tool] = json.load(f)["results"][0]

rows = [
    ("small100", "100 small definitions (6 states each), one invocation", 100),
    ("small1000", "1,000 small definitions, one invocation", 1000),
    ("chain10000", "one 10,000-state chain", 1),
    ("template100", "CloudFormation template, 100 state machines", 100),
]
tools = ["sfn-lint", "asl-validator", "cfn-lint"]
na = {
    ("small100", "cfn-lint"): "n/a ¹",
    ("small1000", "asl-validator"): "— ²",
    ("small1000", "cfn-lint"): "n/a ¹",
    ("chain10000", "cfn-lint"): "n/a ¹",
    ("template100", "asl-validator"): "n/a ³",
}

def cell(r, per):
    mean, sd = r["mean"] * 1000, r["stddev"] * 1000
    prec = 1 if mean < 100 else 0
    s = f"{mean:,.{prec}f} ± {sd:,.{prec}f} ms"
    if per > 1:
        s += f" ({mean / per:,.{2 if mean / per < 10 else 1}f} ms/definition)"
    return s + f", {len(r['times'])} runs"

print("| Input | " + " | ".join(tools) + " |")
print("|---|" + "---|" * len(tools))
for key, label, per in rows:
    cells = []
    for tool in tools:
        r = results.get(key, {}).get(tool)
        cells.append(cell(r, per) if r else na.get((key, tool), "—"))
    print(f"| {label} | " + " | ".join(cells) + " |")
EOF
cat <<EOF

Mean ± standard deviation of wall time (hyperfine $HYPERFINE_VERSION, \`-N --warmup 1 -i\`), \
sfn-lint $SFN_VERSION (\`check --format json --fail-on never FILES\`), \
asl-validator $ASLV_VERSION (Node $NODE_VERSION; all files in one invocation, one \`--json-path\` each, \
run from its installed bin rather than through npx), cfn-lint $CFNLINT_VERSION (Python $PYTHON_VERSION). \
Each tool was run once on each input first and its output checked; cfn-lint reported ${CFN_FINDINGS} findings on the template (${CFN_CODES}). \
¹ cfn-lint lints CloudFormation templates, not standalone ASL files. \
² asl-validator was timed on the 100-file subset only. \
³ asl-validator reads ASL definitions only, not templates.
EOF

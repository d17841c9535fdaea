#!/usr/bin/env bash
# Installs a released sfn-lint binary: downloads the archive for this machine and its
# SHA-256 sum, refuses the archive unless the sum matches, and unpacks the binary.
#
#   SFN_LINT_VERSION   the release, such as 0.1.0 (required)
#   SFN_LINT_DIR       where the binary goes (required); an existing binary is kept
#   SFN_LINT_RELEASES  where releases are, default https://github.com/sfn-lint/sfn-lint/releases/download
#                      (a file:// URL works too: a folder laid out like a release)
#   SFN_LINT_TARGET    the target triple, default: this machine's (Linux gets the static musl build)
#
# Prints the binary's path on standard output.
set -euo pipefail

version="${SFN_LINT_VERSION:?SFN_LINT_VERSION is not set}"
version="${version#v}"
dir="${SFN_LINT_DIR:?SFN_LINT_DIR is not set}"
releases="${SFN_LINT_RELEASES:-https://github.com/sfn-lint/sfn-lint/releases/download}"

if [ -z "${SFN_LINT_TARGET:-}" ]; then
  case "$(uname -m)" in
    x86_64 | amd64) arch=x86_64 ;;
    aarch64 | arm64) arch=aarch64 ;;
    *) echo "sfn-lint: no release binary for the $(uname -m) architecture; use version: source" >&2; exit 1 ;;
  esac
  case "$(uname -s)" in
    Linux) SFN_LINT_TARGET="$arch-unknown-linux-musl" ;;
    Darwin) SFN_LINT_TARGET="$arch-apple-darwin" ;;
    MINGW* | MSYS* | CYGWIN* | Windows_NT) SFN_LINT_TARGET="$arch-pc-windows-msvc" ;;
    *) echo "sfn-lint: no release binary for $(uname -s); use version: source" >&2; exit 1 ;;
  esac
fi
target="$SFN_LINT_TARGET"

case "$target" in
  *windows*) archive="sfn-lint-$target.zip"; exe=sfn-lint.exe ;;
  *) archive="sfn-lint-$target.tar.gz"; exe=sfn-lint ;;
esac

if [ -x "$dir/$exe" ]; then
  echo "$dir/$exe"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
url="$releases/v$version/$archive"
echo "sfn-lint: downloading $url" >&2
curl --fail --location --silent --show-error --retry 3 --output "$work/$archive" "$url"
curl --fail --location --silent --show-error --retry 3 --output "$work/$archive.sha256" "$url.sha256"

expected="$(awk '{print $1; exit}' "$work/$archive.sha256")"
if command -v sha256sum >/dev/null; then
  actual="$(sha256sum "$work/$archive" | awk '{print $1}')"
else
  actual="$(shasum -a 256 "$work/$archive" | awk '{print $1}')"
fi
if [ -z "$expected" ] || [ "$expected" != "$actual" ]; then
  echo "sfn-lint: the SHA-256 sum of $archive is $actual, but the release says ${expected:-nothing}; refusing it" >&2
  exit 1
fi

case "$archive" in
  *.zip) (cd "$work" && unzip -q "$archive") ;;
  *) tar -xzf "$work/$archive" -C "$work" ;;
esac
mkdir -p "$dir"
mv "$work/sfn-lint-$target/$exe" "$dir/$exe"
chmod +x "$dir/$exe"
echo "$dir/$exe"

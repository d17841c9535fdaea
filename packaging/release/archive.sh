#!/usr/bin/env bash
# Packs a release binary as the Action, the README and users expect to download it:
#   OUT/sfn-lint-TARGET.tar.gz (sfn-lint-TARGET/sfn-lint, the licences, the README), or .zip
#   with sfn-lint.exe for Windows, and OUT/ARCHIVE.sha256 in `sha256sum` format.
#
#   packaging/release/archive.sh TARGET BINARY OUT
set -euo pipefail

target="$1"
binary="$2"
out="$3"
root="$(cd "$(dirname "$0")/../.." && pwd)"
name="sfn-lint-$target"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage/$name" "$out"
case "$target" in
  *windows*) exe=sfn-lint.exe ;;
  *) exe=sfn-lint ;;
esac
cp "$binary" "$stage/$name/$exe"
chmod +x "$stage/$name/$exe"
cp "$root/README.md" "$root/LICENSE-MIT" "$root/LICENSE-APACHE" "$stage/$name/"

case "$target" in
  *windows*)
    archive="$name.zip"
    if command -v 7z >/dev/null; then
      (cd "$stage" && 7z a -tzip -bd "$archive" "$name" >/dev/null)
    else
      (cd "$stage" && zip -qr "$archive" "$name")
    fi
    ;;
  *)
    archive="$name.tar.gz"
    tar -czf "$stage/$archive" -C "$stage" "$name"
    ;;
esac
mv "$stage/$archive" "$out/$archive"
if command -v sha256sum >/dev/null; then
  (cd "$out" && sha256sum "$archive" > "$archive.sha256")
else
  (cd "$out" && shasum -a 256 "$archive" > "$archive.sha256")
fi
echo "$out/$archive"

#!/usr/bin/env python3
"""Generates the npm packages from release binaries.

    python3 packaging/npm/build.py --binaries DIR --out OUT [--version X.Y.Z]

DIR holds one folder per target triple with the binary in it (DIR/x86_64-unknown-linux-gnu/
sfn-lint, DIR/x86_64-pc-windows-msvc/sfn-lint.exe, ...), as the release workflow lays them
out. OUT receives `sfn-lint/` (the launcher, which lists every platform package as an optional
dependency) and one `sfn-lint-PLATFORM/` per binary found (published as `@sfn-lint/PLATFORM`,
with the `os`, `cpu` and `libc` fields npm uses to install only the one that fits). The version
defaults to Cargo.toml's. No package has an install script.
"""

import argparse
import json
import pathlib
import shutil
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCOPE = "@sfn-lint"

# npm platform (process.platform-process.arch, "-musl" on musl) -> (target triple, os, cpu, libc)
PLATFORMS = {
    "linux-x64": ("x86_64-unknown-linux-gnu", "linux", "x64", "glibc"),
    "linux-arm64": ("aarch64-unknown-linux-gnu", "linux", "arm64", "glibc"),
    "linux-x64-musl": ("x86_64-unknown-linux-musl", "linux", "x64", "musl"),
    "linux-arm64-musl": ("aarch64-unknown-linux-musl", "linux", "arm64", "musl"),
    "darwin-x64": ("x86_64-apple-darwin", "darwin", "x64", None),
    "darwin-arm64": ("aarch64-apple-darwin", "darwin", "arm64", None),
    "win32-x64": ("x86_64-pc-windows-msvc", "win32", "x64", None),
}


def common(cargo, version):
    return {
        "version": version,
        "license": cargo["license"],
        "homepage": cargo["homepage"],
        "repository": {"type": "git", "url": f"git+{cargo['repository']}.git"},
        "bugs": {"url": f"{cargo['repository']}/issues"},
    }


def write(folder, manifest):
    folder.mkdir(parents=True)
    (folder / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
    for name in ("LICENSE-MIT", "LICENSE-APACHE"):
        shutil.copy(ROOT / name, folder / name)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binaries", required=True, type=pathlib.Path)
    parser.add_argument("--out", required=True, type=pathlib.Path)
    parser.add_argument("--version")
    args = parser.parse_args()

    cargo = tomllib.loads((ROOT / "Cargo.toml").read_text())["package"]
    version = args.version or cargo["version"]
    shutil.rmtree(args.out, ignore_errors=True)

    built = []
    for platform, (target, os_name, cpu, libc) in PLATFORMS.items():
        exe = "sfn-lint.exe" if os_name == "win32" else "sfn-lint"
        binary = args.binaries / target / exe
        if not binary.is_file():
            continue
        folder = args.out / f"sfn-lint-{platform}"
        manifest = {
            "name": f"{SCOPE}/{platform}",
            "description": f"The sfn-lint binary for {platform} ({target}); install `sfn-lint` instead",
            **common(cargo, version),
            "os": [os_name],
            "cpu": [cpu],
            "files": [f"bin/{exe}", "LICENSE-MIT", "LICENSE-APACHE"],
            "preferUnplugged": True,
        }
        if libc:
            manifest["libc"] = [libc]
        write(folder, manifest)
        (folder / "bin").mkdir()
        shutil.copy(binary, folder / "bin" / exe)
        (folder / "bin" / exe).chmod(0o755)
        (folder / "README.md").write_text(f"The `sfn-lint` binary for {platform}. Install [`sfn-lint`](https://www.npmjs.com/package/sfn-lint).\n")
        built.append(platform)
    if not built:
        sys.exit(f"no binary found under {args.binaries}/<target>/")

    launcher = args.out / "sfn-lint"
    write(
        launcher,
        {
            "name": "sfn-lint",
            "description": cargo["description"],
            **common(cargo, version),
            "keywords": cargo.get("keywords", []),
            "bin": {"sfn-lint": "bin/sfn-lint.js"},
            "files": ["bin/sfn-lint.js", "platforms.json", "LICENSE-MIT", "LICENSE-APACHE"],
            "engines": {"node": ">=14"},
            "optionalDependencies": {f"{SCOPE}/{platform}": version for platform in PLATFORMS},
        },
    )
    here = pathlib.Path(__file__).resolve().parent / "sfn-lint"
    (launcher / "bin").mkdir()
    shutil.copy(here / "bin" / "sfn-lint.js", launcher / "bin" / "sfn-lint.js")
    (launcher / "platforms.json").write_text(json.dumps({p: f"{SCOPE}/{p}" for p in PLATFORMS}, indent=2) + "\n")
    shutil.copy(ROOT / "README.md", launcher / "README.md")
    print(f"npm packages {version}: sfn-lint and {', '.join(built)} in {args.out}")


if __name__ == "__main__":
    main()

#!/usr/bin/env node
// Runs the sfn-lint binary of the platform package npm installed beside this one (one of
// `optionalDependencies`, chosen by npm from its `os`, `cpu` and `libc` fields), with the
// user's arguments; exits with its exit code, or dies of the signal that ended it.
"use strict";

const { spawn } = require("node:child_process");
const path = require("node:path");

const PACKAGES = require("../platforms.json");

function isMusl() {
  if (process.platform !== "linux") return false;
  try {
    return !process.report.getReport().header.glibcVersionRuntime;
  } catch {
    return false;
  }
}

function binaryPath() {
  if (process.env.SFN_LINT_BINARY) return process.env.SFN_LINT_BINARY;
  const platform = `${process.platform}-${process.arch}${isMusl() ? "-musl" : ""}`;
  const name = PACKAGES[platform];
  const exe = process.platform === "win32" ? "sfn-lint.exe" : "sfn-lint";
  if (!name) {
    fail(
      `sfn-lint has no binary for ${platform}; supported: ${Object.keys(PACKAGES).join(", ")}.\n` +
        "Install it another way (pip install sfn-lint, cargo install sfn-lint) or set SFN_LINT_BINARY to a binary.",
    );
  }
  try {
    return require.resolve(`${name}/bin/${exe}`);
  } catch {
    fail(
      `sfn-lint: the package ${name}, which holds the binary for ${platform}, is not installed.\n` +
        "npm skips optional dependencies when installed with --omit=optional or --no-optional, or when " +
        "node_modules was copied from another platform: reinstall without those (npm install sfn-lint).",
    );
  }
}

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

const binary = binaryPath();
const child = spawn(binary, process.argv.slice(2), { stdio: "inherit", windowsHide: true });
const forwarded = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];
for (const signal of forwarded) {
  try {
    process.on(signal, () => child.kill(signal));
  } catch {
    // A signal this platform does not have.
  }
}
child.on("error", (error) => fail(`sfn-lint: cannot run ${path.basename(binary)} (${binary}): ${error.message}`));
child.on("exit", (code, signal) => {
  if (signal) {
    for (const s of forwarded) process.removeAllListeners(s);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code === null ? 1 : code);
});

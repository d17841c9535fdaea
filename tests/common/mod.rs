//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use sfn_lint::discover::Candidate;
use sfn_lint::lint::{self, Options};
use sfn_lint::output::{self, OutputFormat, Style};
use sfn_lint::report::Report;
use sfn_lint::rules::Selection;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Options that run only `codes` (all rules when empty), with the source excerpts the human format draws.
pub fn only(codes: &[&str]) -> Options {
    Options {
        selection: Selection { select: codes.iter().map(|c| c.to_string()).collect(), ignore: Vec::new() },
        excerpts: true,
        ..Options::default()
    }
}

/// Lints files as if named on the command line (paths relative to the crate root).
pub fn lint(paths: &[&Path], options: &Options) -> Report {
    let candidates: Vec<Candidate> = paths.iter().map(|p| Candidate { path: p.to_path_buf(), named: true, link: false }).collect();
    lint::run(&sfn_lint::discover::Files::named(candidates), None, &[], options)
}

pub fn render(report: &Report, format: OutputFormat) -> String {
    let mut out = Vec::new();
    output::write(report, format, &Style { color: false, quiet: false, width: None }, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Runs the real binary in the crate root.
pub fn sfn_lint(args: &[&str]) -> Output {
    sfn_lint_in(&root(), args, None)
}

pub fn sfn_lint_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sfn-lint"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    child.wait_with_output().unwrap()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A fresh empty folder under the target directory.
pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Waits for a child process, failing the test if it runs longer than `limit`.
pub fn wait_within(child: &mut std::process::Child, limit: std::time::Duration, what: &str) -> std::process::ExitStatus {
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            panic!("{what} did not end");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// Writes `text` to `name` under `dir`, making the folders it needs.
pub fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A small deterministic generator (xorshift), so that a failing random case is
/// reproducible.
pub struct Rng(pub u64);

impl Rng {
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

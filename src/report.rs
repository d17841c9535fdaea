//! A whole run: every file linted in parallel, findings sorted, counts summed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::discover::{self, Candidate};
use crate::finding::{Finding, Severity};
use crate::lint::{self, Options};

/// Standard input, with the name that gives its kind.
pub struct Stdin {
    pub name: Option<PathBuf>,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub files: usize,
    pub definitions: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub suppressed: usize,
    pub skipped: usize,
}

#[derive(Debug, Default)]
pub struct Report {
    /// Sorted by file, offset, code.
    pub findings: Vec<Finding>,
    /// The text of each file with findings, by displayed path.
    pub sources: BTreeMap<String, String>,
    pub summary: Summary,
}

impl Report {
    /// Whether any finding is at or above `level` (`None`: never fail).
    pub fn fails(&self, level: Option<Severity>) -> bool {
        level.is_some_and(|level| self.findings.iter().any(|f| f.severity >= level))
    }
}

/// Lints `candidates` (and standard input) in parallel.
pub fn run(candidates: &[Candidate], stdin: Option<Stdin>, options: &Options) -> Report {
    let mut results: Vec<(String, lint::FileResult)> = candidates
        .par_iter()
        .map(|candidate| {
            let display = discover::display_path(&candidate.path);
            let result = lint::lint_path(&candidate.path, &display, candidate.named, options);
            (display, result)
        })
        .collect();
    if let Some(stdin) = stdin {
        let path = stdin.name.unwrap_or_else(|| PathBuf::from("-"));
        let display = if path == Path::new("-") { "<stdin>".to_string() } else { discover::display_path(&path) };
        results.push((display.clone(), lint::lint_bytes(&path, &display, &stdin.bytes, true, options)));
    }
    let mut report = Report::default();
    for (display, result) in results {
        if result.skipped {
            report.summary.skipped += 1;
            continue;
        }
        report.summary.files += 1;
        report.summary.definitions += result.definitions;
        if let Some(text) = result.text {
            report.sources.insert(display, text);
        }
        report.findings.extend(result.findings);
    }
    report.findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()).then_with(|| a.message.cmp(&b.message)));
    for finding in &report.findings {
        match finding.severity {
            Severity::Error => report.summary.errors += 1,
            Severity::Warning => report.summary.warnings += 1,
            Severity::Info => report.summary.infos += 1,
        }
    }
    report
}

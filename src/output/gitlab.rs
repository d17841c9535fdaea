//! GitLab Code Quality: a JSON array of issues with stable fingerprints.

use std::io::{self, Write};

use serde::Serialize;

use crate::diagnostic::Severity;
use crate::report::Report;

#[derive(Serialize)]
struct Issue<'a> {
    check_name: &'a str,
    description: String,
    fingerprint: String,
    location: Location<'a>,
    severity: &'static str,
}

#[derive(Serialize)]
struct Location<'a> {
    lines: Lines,
    path: &'a str,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let issues: Vec<Issue<'_>> = report
        .findings
        .iter()
        .map(|finding| Issue {
            check_name: finding.code,
            description: format!("{}: {}", finding.code, finding.message),
            fingerprint: finding.fingerprint(),
            location: Location { lines: Lines { begin: finding.start.line, end: finding.end.line }, path: &finding.file },
            severity: match finding.severity {
                Severity::Error => "major",
                Severity::Warning => "minor",
                Severity::Info => "info",
            },
        })
        .collect();
    super::write_json(&issues, out)
}

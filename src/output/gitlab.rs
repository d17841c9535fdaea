//! GitLab Code Quality: a JSON array of issues with stable fingerprints.

use std::io::{self, Write};

use serde_json::json;

use super::Positions;
use crate::finding::Severity;
use crate::report::Report;

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut positions = Positions::new(report);
    let issues: Vec<_> = report
        .findings
        .iter()
        .map(|finding| {
            let (start, end) = positions.span(&finding.file, finding.span);
            json!({
                "description": format!("{}: {}", finding.code, finding.message),
                "check_name": finding.code,
                "fingerprint": finding.fingerprint(),
                "severity": match finding.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                    Severity::Info => "info",
                },
                "location": {"path": finding.file, "lines": {"begin": start.line, "end": end.line}},
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}

use std::io::{self, Write};

use super::{Style, escape_control};
use crate::report::Report;

/// `path:line:column: CODE [severity] message`, one line per finding.
pub fn write(report: &Report, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    for finding in &report.findings {
        writeln!(
            out,
            "{}:{}:{}: {} [{}] {}",
            escape_control(&finding.file),
            finding.start.line,
            finding.start.column,
            finding.code,
            finding.severity,
            escape_control(&finding.message)
        )?;
    }
    if !style.quiet {
        writeln!(out, "{}", super::human::summary_line(&report.summary))?;
    }
    Ok(())
}

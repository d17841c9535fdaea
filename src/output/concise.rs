use std::io::{self, Write};

use super::{Positions, Style, escape_control};
use crate::report::Report;

/// `path:line:column: CODE [severity] message`, one line per finding.
pub fn write(report: &Report, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    let mut positions = Positions::new(report);
    for finding in &report.findings {
        let (start, _) = positions.span(&finding.file, finding.span);
        writeln!(
            out,
            "{}:{}:{}: {} [{}] {}",
            escape_control(&finding.file),
            start.line,
            start.column,
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

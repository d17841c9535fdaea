use std::io::{self, Write};

use super::{Style, escape_control};
use crate::report::Report;

/// `path:line:column: CODE [severity] message`, one line per finding.
pub fn write(report: &Report, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    for finding in &report.findings {
        writeln!(
            out,
            "{}:{}:{}: {} [{}] {}",
            line_start(&escape_control(&finding.file)),
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

/// A file name that begins a line: one that starts as a CI log's command would (`::` for
/// GitHub Actions, `##` for Azure Pipelines) is written `./`-relative.
fn line_start(file: &str) -> std::borrow::Cow<'_, str> {
    if file.starts_with("::") || file.starts_with("##") { format!("./{file}").into() } else { file.into() }
}

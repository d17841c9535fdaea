//! GitHub Actions workflow commands. Every property and message is escaped as GitHub
//! specifies (`%`, `\r`, `\n`, and in properties `:` and `,`), so no file content — a
//! state name with `::` or a newline — can start a command of its own.

use std::io::{self, Write};

use crate::diagnostic::Severity;
use crate::report::Report;

/// GitHub's escaping, after line breaks and control characters (which would reach the
/// log raw) are written as escapes.
fn data(text: &str) -> String {
    super::escape_control(text).replace('%', "%25")
}

fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for finding in &report.findings {
        let (start, end) = (finding.start, finding.end);
        let command = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        // The help goes on a line of its own: the one line break GitHub is given.
        let message = match &finding.help {
            Some(help) => format!("{}%0Ahelp: {}", data(&finding.message), data(help)),
            None => data(&finding.message),
        };
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            property(&finding.file),
            start.line,
            start.column,
            end.line,
            end.column,
            property(&format!("{} {}", finding.code, finding.name)),
            message
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_github_reads_as_syntax() {
        assert_eq!(data("50% done\n::error::x"), "50%25 done\\n::error::x");
        assert_eq!(data("a\u{1b}[31m\u{202e}"), "a\\u{1b}[31m\\u{202e}");
        assert_eq!(property("a:b,c\nd"), "a%3Ab%2Cc\\nd");
    }
}

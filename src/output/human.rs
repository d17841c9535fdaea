use std::io::{self, Write};

use codespan_reporting::diagnostic::{Diagnostic, Label, Severity as Level};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, Config, termcolor::Buffer};

use super::{Style, escape_control, sanitize_source};
use crate::diagnostic::{Finding, Severity};
use crate::report::{Report, Summary};
use crate::syntax::LineIndex;

/// Lines longer than this (in bytes) are not shown as snippets.
const LONG_LINE: usize = 2000;

/// The finding as the human format shows it: drawn on its source lines when the finding
/// kept them, else on one line.
fn render(finding: &Finding, color: bool) -> String {
    let mut buffer = if color { Buffer::ansi() } else { Buffer::no_color() };
    if !draw(finding, &mut buffer) {
        // A snippet of a minified or very long line would print the whole line each time;
        // a finding in a file whose text is not at hand has none.
        buffer.clear();
        one_line(finding, &mut buffer).expect("writing to memory succeeds");
    }
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
}

/// Draws the finding on its excerpts; false when it cannot be drawn.
fn draw(finding: &Finding, buffer: &mut Buffer) -> bool {
    let Some(own) = finding.excerpts.iter().position(|e| e.file == finding.file) else { return false };
    let excerpt = &finding.excerpts[own];
    let index = LineIndex::new(&excerpt.text);
    let long = [finding.span.start(), finding.span.end()]
        .into_iter()
        .chain(finding.labels.iter().filter(|l| l.file.is_none()).map(|l| l.span.start()))
        .any(|offset| index.line_length(offset.saturating_sub(excerpt.offset).min(excerpt.text.len())) > LONG_LINE);
    if long {
        return false;
    }
    // Each excerpt stands in for its whole file: the lines before it are empty, so that
    // line numbers and offsets shift by the same amount.
    let mut files = SimpleFiles::new();
    for excerpt in &finding.excerpts {
        let source = "\n".repeat(excerpt.lines_before) + &sanitize_source(&excerpt.text);
        files.add(escape_control(&excerpt.file).into_owned(), source);
    }
    let shift = |file: usize, span: crate::diagnostic::Span| {
        let excerpt = &finding.excerpts[file];
        let moved = |at: usize| at.saturating_sub(excerpt.offset) + excerpt.lines_before;
        moved(span.start())..moved(span.end())
    };
    let mut labels = vec![Label::primary(own, shift(own, finding.span))];
    for label in &finding.labels {
        let file = label.file.as_deref().and_then(|f| finding.excerpts.iter().position(|e| e.file == f)).unwrap_or(own);
        labels.push(Label::secondary(file, shift(file, label.span)).with_message(escape_control(&label.message)));
    }
    let notes: Vec<String> = finding.help.iter().map(|help| format!("help: {}", escape_control(help))).collect();
    let diagnostic = Diagnostic::new(level(finding.severity))
        .with_code(format!("{}/{}", finding.code, finding.name))
        .with_message(escape_control(&finding.message))
        .with_labels(labels)
        .with_notes(notes);
    term::emit_to_write_style(buffer, &Config::default(), &files, &diagnostic).is_ok()
}

fn level(severity: Severity) -> Level {
    match severity {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
        Severity::Info => Level::Note,
    }
}

/// `path:line:column: severity[CODE/name]: message` and the help line.
fn one_line(finding: &Finding, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "{}:{}:{}: {}[{}/{}]: {}",
        escape_control(&finding.file),
        finding.start.line,
        finding.start.column,
        finding.severity,
        finding.code,
        finding.name,
        escape_control(&finding.message)
    )?;
    if let Some(help) = &finding.help {
        writeln!(out, "  = help: {}", escape_control(help))?;
    }
    writeln!(out)
}

/// The findings, drawn on their source lines, then a one-line summary.
pub fn write(report: &Report, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    for finding in &report.findings {
        out.write_all(render(finding, style.color).as_bytes())?;
    }
    if !style.quiet {
        writeln!(out, "{}", summary_line(&report.summary))?;
    }
    Ok(())
}

pub fn summary_line(summary: &Summary) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let found = summary.errors + summary.warnings + summary.infos;
    let counts = if found == 0 {
        "no findings".to_string()
    } else {
        format!("{}, {}, {}", plural(summary.errors, "error"), plural(summary.warnings, "warning"), plural(summary.infos, "info"))
    };
    // Files passed over unread are named by why: one of them may have held a definition.
    let unread: Vec<String> = [(summary.skipped_too_large, "larger than `max-file-size`"), (summary.skipped_not_utf8, "not UTF-8")]
        .into_iter()
        .filter(|&(n, _)| n > 0)
        .map(|(n, why)| format!("{n} {why}"))
        .collect();
    let unread = if unread.is_empty() { String::new() } else { format!(" ({})", unread.join(", ")) };
    format!(
        "{counts} in {} ({}); {} skipped{unread}",
        plural(summary.files, "file"),
        plural(summary.definitions, "definition"),
        plural(summary.skipped, "file")
    )
}

/// A configuration error with the file's snippet, for the run's own error message.
pub fn config_error(error: &crate::config::ConfigError) -> String {
    let mut files = SimpleFiles::new();
    let path = error.path.display().to_string();
    let file = files.add(escape_control(&path).into_owned(), sanitize_source(&error.text).into_owned());
    let end = error.span.end.min(error.text.len());
    let start = error.span.start.min(end);
    let diagnostic = Diagnostic::error()
        .with_message(format!("invalid configuration: {}", escape_control(&error.message)))
        .with_labels(vec![Label::primary(file, start..end)]);
    let mut buffer = Buffer::no_color();
    if error.text.is_empty() || term::emit_to_write_style(&mut buffer, &Config::default(), &files, &diagnostic).is_err() {
        return format!("{path}: {}", error.message);
    }
    // The run prints its errors as `sfn-lint: error: ...`: the drawing's own `error: `
    // would say it twice.
    let drawn = String::from_utf8_lossy(buffer.as_slice());
    drawn.trim_end().strip_prefix("error: ").unwrap_or(drawn.trim_end()).to_string()
}

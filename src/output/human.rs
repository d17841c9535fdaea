use std::borrow::Cow;
use std::io::{self, Write};

use codespan_reporting::diagnostic::{Diagnostic, Label, Severity as Level};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, Config, termcolor::Buffer};

use super::{Style, escape_control, sanitize_source};
use crate::finding::{Finding, Severity};
use crate::report::{Report, Summary};
use crate::syntax::LineIndex;

/// Lines longer than this (in bytes) are not shown as snippets.
const LONG_LINE: usize = 2000;

/// How the human format draws snippets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Snippets {
    pub color: bool,
}

/// Draws the findings of one file, with the texts their labels point into. Runs as each
/// file finishes linting, so that the report keeps only the drawings, not the texts.
pub struct Renderer<'t> {
    files: SimpleFiles<String, Cow<'t, str>>,
    /// Each file's displayed path, text and id in `files`.
    ids: Vec<(&'t str, &'t str, usize)>,
    style: Snippets,
}

impl<'t> Renderer<'t> {
    pub fn new(texts: &[(&'t str, &'t str)], style: Snippets) -> Self {
        let mut files = SimpleFiles::new();
        let ids =
            texts.iter().map(|&(path, text)| (path, text, files.add(escape_control(path).into_owned(), sanitize_source(text)))).collect();
        Renderer { files, ids, style }
    }

    /// The finding as the human format shows it; `index` is of the finding's own file.
    pub fn render(&self, finding: &Finding, index: &LineIndex) -> String {
        let mut buffer = if self.style.color { Buffer::ansi() } else { Buffer::no_color() };
        let own = self.ids.iter().find(|(path, ..)| *path == finding.file);
        let long = |text: &str| {
            [finding.span.start(), finding.span.end()]
                .into_iter()
                .chain(finding.labels.iter().filter(|l| l.file.is_none()).map(|l| l.span.start()))
                .any(|offset| index.line_length(offset.min(text.len())) > LONG_LINE)
        };
        let drawn = matches!(own, Some(&(_, text, _)) if !long(text)) && {
            let file = own.map_or(0, |&(.., id)| id);
            let mut labels = vec![Label::primary(file, finding.span.range())];
            for label in &finding.labels {
                let id = label.file.as_deref().and_then(|f| self.ids.iter().find(|(path, ..)| *path == f)).map_or(file, |&(.., id)| id);
                labels.push(Label::secondary(id, label.span.range()).with_message(escape_control(&label.message)));
            }
            let notes: Vec<String> = finding.help.iter().map(|help| format!("help: {}", escape_control(help))).collect();
            let diagnostic = Diagnostic::new(level(finding.severity))
                .with_code(format!("{}/{}", finding.code, finding.name))
                .with_message(escape_control(&finding.message))
                .with_labels(labels)
                .with_notes(notes);
            term::emit_to_write_style(&mut buffer, &Config::default(), &self.files, &diagnostic).is_ok()
        };
        if !drawn {
            // A snippet of a minified or very long line would print the whole line each time;
            // a finding in a file whose text is not at hand has none.
            buffer.clear();
            one_line(finding, &mut buffer).expect("writing to memory succeeds");
        }
        String::from_utf8_lossy(buffer.as_slice()).into_owned()
    }
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

/// The findings as drawn while linting (a finding without a drawing gets its one-line
/// form), then a one-line summary.
pub fn write(report: &Report, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    for finding in &report.findings {
        match &finding.snippet {
            Some(snippet) => out.write_all(snippet.as_bytes())?,
            None => one_line(finding, out)?,
        }
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
    format!(
        "{counts} in {} ({}); {} skipped",
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
    String::from_utf8_lossy(buffer.as_slice()).trim_end().to_string()
}

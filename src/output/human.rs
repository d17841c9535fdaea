use std::collections::HashMap;
use std::io::{self, Write};

use codespan_reporting::diagnostic::{Diagnostic, Label, Severity as Level};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, Config, termcolor::Buffer};

use super::{Style, escape_control, sanitize_source};
use crate::finding::Severity;
use crate::report::{Report, Summary};
use crate::syntax::LineIndex;

/// Lines longer than this (in bytes) are not shown as snippets.
const LONG_LINE: usize = 2000;

/// Snippets with labels and help, then a one-line summary.
pub fn write(report: &Report, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    let mut files = SimpleFiles::new();
    let mut ids = HashMap::new();
    for (path, text) in &report.sources {
        ids.insert(path.as_str(), files.add(escape_control(path).into_owned(), sanitize_source(text).into_owned()));
    }
    let config = Config::default();
    let mut indexes: HashMap<&str, LineIndex> = HashMap::new();
    let mut buffer = if style.color { Buffer::ansi() } else { Buffer::no_color() };
    for finding in &report.findings {
        let Some(&file) = ids.get(finding.file.as_str()) else { continue };
        let text = &report.sources[&finding.file];
        let index = indexes.entry(finding.file.as_str()).or_insert_with(|| LineIndex::new(text));
        let long = [finding.span.start, finding.span.end]
            .into_iter()
            .chain(finding.labels.iter().filter(|l| l.file.is_none()).map(|l| l.span.start))
            .any(|offset| index.line_length(offset.min(text.len())) > LONG_LINE);
        let level = match finding.severity {
            Severity::Error => Level::Error,
            Severity::Warning => Level::Warning,
            Severity::Info => Level::Note,
        };
        let mut labels = vec![Label::primary(file, finding.span.start..finding.span.end)];
        for label in &finding.labels {
            let id = label.file.as_deref().and_then(|f| ids.get(f).copied()).unwrap_or(file);
            labels.push(Label::secondary(id, label.span.start..label.span.end).with_message(escape_control(&label.message)));
        }
        let notes: Vec<String> = finding.help.iter().map(|help| format!("help: {}", escape_control(help))).collect();
        let diagnostic = Diagnostic::new(level)
            .with_code(format!("{}/{}", finding.code, finding.name))
            .with_message(escape_control(&finding.message))
            .with_labels(labels)
            .with_notes(notes);
        if long {
            // A snippet of a minified or very long line would print the whole line each time.
            let start = index.position(text, finding.span.start);
            writeln!(
                buffer,
                "{}:{}:{}: {}[{}/{}]: {}",
                escape_control(&finding.file),
                start.line,
                start.column,
                finding.severity,
                finding.code,
                finding.name,
                escape_control(&finding.message)
            )?;
            if let Some(help) = &finding.help {
                writeln!(buffer, "  = help: {}", escape_control(help))?;
            }
            writeln!(buffer)?;
            continue;
        }
        term::emit_to_write_style(&mut buffer, &config, &files, &diagnostic).map_err(io::Error::other)?;
    }
    out.write_all(buffer.as_slice())?;
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

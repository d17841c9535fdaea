use std::io::{self, Write};

use codespan_reporting::diagnostic::{Diagnostic, Label, Severity as Level};
use codespan_reporting::files;
use codespan_reporting::term::{self, Config, termcolor::Buffer};

use super::{Style, escape_control, sanitize_source};
use crate::diagnostic::{Finding, Severity, rule_url};
use crate::report::{Report, Summary};
use crate::syntax::LineIndex;

/// Without a terminal to fit, lines longer than this (in bytes) are shown as a window
/// around the finding.
const LONG_LINE: usize = 2000;

/// How many findings are drawn in parallel before they are written.
const RENDERED_AT_ONCE: usize = 512;

/// How much of a long line a window shows, in characters, when no terminal says.
const WINDOW: usize = 120;

/// The finding as the human format shows it: drawn on its source lines when the finding
/// kept them; on a window of its line when the line is longer than the terminal (or a
/// minified file's); with no snippet when the file's text is not at hand.
fn render(finding: &Finding, style: &Style) -> Vec<u8> {
    let mut buffer = if style.color { Buffer::ansi() } else { Buffer::no_color() };
    if !draw(finding, style, &mut buffer) {
        buffer.clear();
        draw_window(finding, style, &mut buffer).expect("writing to memory succeeds");
    }
    buffer.into_inner()
}

/// Draws the finding on its excerpts; false when it cannot be drawn so (no text at hand,
/// or a line too long to print whole).
fn draw(finding: &Finding, style: &Style, buffer: &mut Buffer) -> bool {
    let Some(own) = finding.excerpts.iter().position(|e| e.file == finding.file) else { return false };
    let excerpt = &finding.excerpts[own];
    let index = LineIndex::new(&excerpt.text);
    let limit = style.width.map_or(LONG_LINE, |width| width.saturating_sub(8));
    let long = [finding.span.start(), finding.span.end()]
        .into_iter()
        .chain(finding.labels.iter().filter(|l| l.file.is_none()).map(|l| l.span.start()))
        .any(|offset| {
            let (_, line) = index.line_of(offset.saturating_sub(excerpt.offset).min(excerpt.text.len()));
            // Bytes bound characters: only a line with more bytes than fit is counted out.
            line.len() > limit && excerpt.text[line].trim_end().chars().count() > limit
        });
    if long {
        return false;
    }
    let files = Excerpts::new(&finding.excerpts);
    let shift = |file: usize, span: crate::diagnostic::Span| {
        let offset = finding.excerpts[file].offset;
        span.start().saturating_sub(offset)..span.end().saturating_sub(offset)
    };
    let mut labels = vec![Label::primary(own, shift(own, finding.span))];
    for label in &finding.labels {
        let file = label.file.as_deref().and_then(|f| finding.excerpts.iter().position(|e| e.file == f)).unwrap_or(own);
        labels.push(Label::secondary(file, shift(file, label.span)).with_message(escape_control(&label.message)));
    }
    let mut notes: Vec<String> = finding.help.iter().map(|help| format!("help: {}", escape_control(help))).collect();
    notes.push(format!("docs: {}", rule_url(finding.code)));
    let diagnostic = Diagnostic::new(level(finding.severity))
        .with_code(format!("{}/{}", finding.code, finding.name))
        .with_message(escape_control(&finding.message))
        .with_labels(labels)
        .with_notes(notes);
    term::emit_to_write_style(buffer, &Config::default(), &files, &diagnostic).is_ok()
}

/// A finding's excerpts as the files a drawing shows: each excerpt's lines are numbered from
/// where it lies in its file, so that only the excerpt is scanned for lines.
struct Excerpts<'f> {
    files: Vec<ExcerptFile<'f>>,
}

struct ExcerptFile<'f> {
    name: std::borrow::Cow<'f, str>,
    source: std::borrow::Cow<'f, str>,
    lines: LineIndex,
    lines_before: usize,
}

impl<'f> Excerpts<'f> {
    fn new(excerpts: &'f [crate::diagnostic::Excerpt]) -> Self {
        let files = excerpts
            .iter()
            .map(|excerpt| ExcerptFile {
                name: escape_control(&excerpt.file),
                source: sanitize_source(&excerpt.text),
                lines: LineIndex::new(&excerpt.text),
                lines_before: excerpt.lines_before,
            })
            .collect();
        Excerpts { files }
    }

    fn file(&self, id: usize) -> Result<&ExcerptFile<'f>, files::Error> {
        self.files.get(id).ok_or(files::Error::FileMissing)
    }
}

impl<'a> files::Files<'a> for Excerpts<'_> {
    type FileId = usize;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: usize) -> Result<&'a str, files::Error> {
        Ok(&self.file(id)?.name)
    }

    fn source(&'a self, id: usize) -> Result<&'a str, files::Error> {
        Ok(&self.file(id)?.source)
    }

    fn line_index(&'a self, id: usize, byte_index: usize) -> Result<usize, files::Error> {
        Ok(self.file(id)?.lines.line_of(byte_index).0)
    }

    fn line_number(&'a self, id: usize, line_index: usize) -> Result<usize, files::Error> {
        Ok(self.file(id)?.lines_before + line_index + 1)
    }

    fn line_range(&'a self, id: usize, line_index: usize) -> Result<std::ops::Range<usize>, files::Error> {
        let file = self.file(id)?;
        file.lines.line_range(line_index).ok_or(files::Error::LineTooLarge { given: line_index, max: file.lines.line_count() - 1 })
    }
}

/// The part of a long line around `start..end` (character columns from 0) that fits in
/// `width` characters, with `…` where it is cut: the text, and where the span starts in it.
fn window(line: &str, start: usize, end: usize, width: usize) -> (String, usize, usize) {
    let chars: Vec<char> = line.chars().collect();
    let end = end.clamp(start + 1, chars.len().max(start + 1));
    let room = width.saturating_sub(2).max(1);
    let span = (end - start).min(room);
    // The span in the middle of what is left.
    let from = start.saturating_sub((room - span) / 2);
    let to = (from + room).min(chars.len());
    let from = to.saturating_sub(room).min(from);
    let mut text = String::new();
    if from > 0 {
        text.push('…');
    }
    text.extend(&chars[from..to]);
    if to < chars.len() {
        text.push('…');
    }
    (text, usize::from(from > 0) + start - from, span)
}

/// The finding in the drawing's style without the drawing: the header and location, a
/// window of the line when its text is at hand, the labels as notes, the help.
fn draw_window(finding: &Finding, style: &Style, out: &mut Buffer) -> io::Result<()> {
    use codespan_reporting::term::termcolor::{Color, ColorSpec, WriteColor};
    let (start, line_number) = (finding.start, finding.start.line);
    let gutter = line_number.to_string().len();
    let border = ColorSpec::new().set_fg(Some(Color::Blue)).set_intense(true).clone();
    let (word, color) = match finding.severity {
        Severity::Error => ("error", Color::Red),
        Severity::Warning => ("warning", Color::Yellow),
        Severity::Info => ("note", Color::Green),
    };
    out.set_color(ColorSpec::new().set_fg(Some(color)).set_bold(true).set_intense(true))?;
    write!(out, "{word}[{}/{}]", finding.code, finding.name)?;
    out.set_color(ColorSpec::new().set_bold(true).set_intense(true))?;
    writeln!(out, ": {}", escape_control(&finding.message))?;
    out.reset()?;
    let pad = " ".repeat(gutter);
    out.set_color(&border)?;
    write!(out, "{pad} ┌─ ")?;
    out.reset()?;
    writeln!(out, "{}:{}:{}", escape_control(&finding.file), start.line, start.column)?;
    let excerpt = finding.excerpts.iter().find(|e| e.file == finding.file);
    if let Some(excerpt) = excerpt {
        let at = finding.span.start().saturating_sub(excerpt.offset).min(excerpt.text.len());
        let index = LineIndex::new(&excerpt.text);
        let (_, bounds) = index.line_of(at);
        let line = sanitize_source(excerpt.text[bounds.clone()].trim_end_matches(['\n', '\r']));
        let column = excerpt.text[bounds.start..at].chars().count();
        let end_column =
            if finding.end.line == finding.start.line { column + finding.end.column - finding.start.column } else { usize::MAX };
        let width = style.width.unwrap_or(WINDOW).saturating_sub(gutter + 3).max(20);
        let (text, caret, carets) = window(&line, column, end_column.min(line.chars().count()), width);
        out.set_color(&border)?;
        writeln!(out, "{pad} │")?;
        write!(out, "{line_number} │ ")?;
        out.reset()?;
        writeln!(out, "{text}")?;
        out.set_color(&border)?;
        write!(out, "{pad} │ ")?;
        out.set_color(ColorSpec::new().set_fg(Some(color)))?;
        writeln!(out, "{}{}", " ".repeat(caret), "^".repeat(carets.max(1)))?;
        out.set_color(&border)?;
        writeln!(out, "{pad} │")?;
        out.reset()?;
    }
    for label in &finding.labels {
        let file = label.file.as_deref().unwrap_or(&finding.file);
        let at = format!("{}:{}:{}", escape_control(file), label.start.line, label.start.column);
        writeln!(out, "{pad} = note: {at}: {}", escape_control(&label.message))?;
    }
    if let Some(help) = &finding.help {
        writeln!(out, "{pad} = help: {}", escape_control(help))?;
    }
    writeln!(out, "{pad} = docs: {}", rule_url(finding.code))?;
    writeln!(out)
}

fn level(severity: Severity) -> Level {
    match severity {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
        Severity::Info => Level::Note,
    }
}

/// The findings, drawn on their source lines, then a one-line summary.
pub fn write(report: &Report, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    use rayon::prelude::*;
    // Drawn side by side, a batch at a time: a report of thousands of findings is not
    // held twice in memory.
    for batch in report.findings.chunks(RENDERED_AT_ONCE) {
        let drawn: Vec<Vec<u8>> = batch.par_iter().map(|finding| render(finding, style)).collect();
        for bytes in drawn {
            out.write_all(&bytes)?;
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
    // Files passed over unread are named by why: one of them may have held a definition.
    let unread: Vec<String> = [(summary.skipped_too_large, "larger than `max-file-size`"), (summary.skipped_not_utf8, "not UTF-8")]
        .into_iter()
        .filter(|&(n, _)| n > 0)
        .map(|(n, why)| format!("{n} {why}"))
        .collect();
    let unread = if unread.is_empty() { String::new() } else { format!(" ({})", unread.join(", ")) };
    let suppressed = match (summary.suppressed, summary.baselined) {
        (0, _) => String::new(),
        (n, 0) => format!("; {n} suppressed"),
        (n, baselined) => format!("; {n} suppressed ({baselined} by the baseline)"),
    };
    let fixed = if summary.fixed > 0 { format!("; {} fixed", summary.fixed) } else { String::new() };
    format!(
        "{counts} in {} ({}); {} skipped{unread}{suppressed}{fixed}",
        plural(summary.files, "file"),
        plural(summary.definitions, "definition"),
        plural(summary.skipped, "file")
    )
}

/// A configuration error with the file's snippet, for the run's own error message.
pub fn config_error(error: &crate::config::ConfigError) -> String {
    let mut files = files::SimpleFiles::new();
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

#[cfg(test)]
mod tests {
    use super::window;

    #[test]
    fn windows_keep_the_span_and_mark_the_cuts() {
        let line: String = ('a'..='z').cycle().take(300).collect();
        // In the middle: cut on both sides, the span where the caret offset says.
        let (text, caret, carets) = window(&line, 150, 155, 40);
        assert!(text.starts_with('…') && text.ends_with('…'), "{text}");
        assert_eq!(text.chars().count(), 40);
        assert_eq!(text.chars().skip(caret).take(carets).collect::<String>(), line[150..155]);
        // At the start: nothing cut before it.
        let (text, caret, _) = window(&line, 0, 3, 40);
        assert!(!text.starts_with('…') && text.ends_with('…'));
        assert_eq!(caret, 0);
        // At the end, and a span wider than the window: it starts at the span.
        let (text, caret, carets) = window(&line, 290, 300, 40);
        assert!(text.starts_with('…') && !text.ends_with('…'));
        assert_eq!(text.chars().skip(caret).take(carets).collect::<String>(), line[290..300]);
        let (text, caret, carets) = window(&line, 10, 200, 40);
        assert_eq!((caret, carets), (1, 38), "{text}");
        // Short lines are whole.
        assert_eq!(window("abc", 1, 2, 40), ("abc".to_string(), 1, 1));
    }
}

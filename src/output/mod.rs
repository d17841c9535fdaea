//! Output formats. Each writes one whole report.

mod concise;
mod github;
mod gitlab;
mod human;
mod json;
mod sarif;

use std::io::{self, Write};

use crate::report::Report;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Human,
    Concise,
    Json,
    Sarif,
    Github,
    Gitlab,
}

pub struct Style {
    pub color: bool,
    pub quiet: bool,
    /// The terminal's width in columns, when the report goes to one: longer lines are
    /// shown as a window around the finding.
    pub width: Option<usize>,
}

/// A configuration error, rendered with the configuration file's snippet.
pub fn config_error(error: &crate::config::ConfigError) -> String {
    human::config_error(error)
}

pub fn write(report: &Report, format: OutputFormat, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    match format {
        OutputFormat::Human => human::write(report, style, out),
        OutputFormat::Concise => concise::write(report, style, out),
        OutputFormat::Json => json::write(report, out),
        OutputFormat::Sarif => sarif::write(report, out),
        OutputFormat::Github => github::write(report, out),
        OutputFormat::Gitlab => gitlab::write(report, out),
    }
}

/// Writes `value` as pretty JSON and a line break. The serializer makes a write for every
/// bracket, key and value: a buffer of a concrete type takes them without a virtual call
/// each, and passes them on in large pieces.
fn write_json(value: &impl serde::Serialize, out: &mut dyn Write) -> io::Result<()> {
    let mut buffered = io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut buffered, value)?;
    writeln!(buffered)?;
    buffered.flush()
}

/// Escapes what would let file content break out of its line or reorder it: control
/// characters (line breaks included), Unicode line and paragraph separators and the
/// invisible bidirectional controls. For the one-line fields of a text format: a state
/// name, a message, a label, a file name.
pub fn escape_control(text: &str) -> std::borrow::Cow<'_, str> {
    if printable_ascii(text, b'\t') || !text.chars().any(|c| is_unsafe(c) || c == '\n') {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' | '\r' => out.extend(c.escape_default()),
            c if is_unsafe(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    out.into()
}

/// Whether `text` is all printable ASCII, tabs and `also` (the common case, checked
/// without decoding characters, in a pass the compiler vectorises).
fn printable_ascii(text: &str, also: u8) -> bool {
    !text.bytes().fold(false, |any, b| any | (!(0x20..0x7f).contains(&b) & (b != b'\t') & (b != also)))
}

/// What must not reach a terminal or a log raw, line breaks (`\n`) aside: other control
/// characters (a tab is harmless), the Unicode line and paragraph separators, and the
/// bidirectional controls that reorder what a reader sees.
fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{61c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The file's text with every unsafe character replaced by as many `?` as it has bytes, so
/// that byte offsets still line up; carriage returns become spaces. Its line breaks stay:
/// a snippet shows the file's own lines.
pub fn sanitize_source(text: &str) -> std::borrow::Cow<'_, str> {
    if printable_ascii(text, b'\n') || !text.chars().any(|c| is_unsafe(c) || c == '\r') {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\r' => out.push(' '),
            c if is_unsafe(c) => out.extend(std::iter::repeat_n('?', c.len_utf8())),
            c => out.push(c),
        }
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_keep_byte_offsets() {
        let text = "a\u{1b}[31mb\u{202e}c\r\n";
        let clean = sanitize_source(text);
        assert_eq!(clean.len(), text.len());
        assert!(!clean.contains('\u{1b}'));
        assert_eq!(escape_control("x\u{1b}y\nz\r"), "x\\u{1b}y\\nz\\r");
        assert_eq!(escape_control("a\u{2028}b\u{200f}\tc"), "a\\u{2028}b\\u{200f}\tc");
        assert_eq!(sanitize_source("a\u{2029}\nb"), "a???\nb");
    }

    #[test]
    fn the_ascii_shortcut_agrees_with_the_character_test() {
        for byte in 0..0x80u8 {
            let text = format!("ab{}c", byte as char);
            let c = byte as char;
            assert_eq!(printable_ascii(&text, b'\t'), !(is_unsafe(c) || c == '\n'), "{byte:#x}");
            assert_eq!(printable_ascii(&text, b'\n'), !(is_unsafe(c) || c == '\r'), "{byte:#x}");
        }
        assert!(!printable_ascii("caf\u{e9}", b'\n'), "non-ASCII text takes the character test");
        assert!(matches!(sanitize_source("a\tb\nc"), std::borrow::Cow::Borrowed(_)));
    }
}

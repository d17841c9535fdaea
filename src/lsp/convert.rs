//! Between the linter and the protocol: byte offsets and positions in the client's column
//! encoding, paths and `file:` URIs, findings and diagnostics.

use std::path::{Path, PathBuf};

use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Position, Range, Uri,
};

use crate::diagnostic::{Finding, Severity, rule_url};
use crate::syntax::{LineIndex, Span};

/// How the client counts columns.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Encoding {
    Utf8,
    Utf16,
}

/// `file:///a/b%20c` → `/a/b c`.
pub(super) fn path_of(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = bytes
            .get(i + 1..i + 3)
            .filter(|_| bytes[i] == b'%')
            .and_then(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok());
        if let Some(byte) = escaped {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    Some(PathBuf::from(String::from_utf8(out).ok()?))
}

pub(super) fn uri_of(path: &Path) -> String {
    let mut uri = String::from("file://");
    for byte in path.to_string_lossy().bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => uri.push(byte as char),
            other => uri.push_str(&format!("%{other:02X}")),
        }
    }
    uri
}

/// A URI as the protocol's type. The client's own URIs parse, and ours are percent-encoded.
pub(super) fn uri(text: &str) -> Option<Uri> {
    text.parse().ok()
}

/// Positions in one document, counted as the client counts them.
pub(super) struct Document<'t> {
    pub text: &'t str,
    pub lines: &'t LineIndex,
    pub encoding: Encoding,
}

impl Document<'_> {
    pub fn position(&self, offset: usize) -> Position {
        let at = self.lines.position(self.text, offset);
        let line_start = self.text[..at.offset].rfind('\n').map_or(0, |n| n + 1);
        let character = match self.encoding {
            Encoding::Utf8 => at.offset - line_start,
            Encoding::Utf16 => self.text[line_start..at.offset].encode_utf16().count(),
        };
        Position::new(to_u32(at.line - 1), to_u32(character))
    }

    pub fn range(&self, span: Span) -> Range {
        Range::new(self.position(span.start()), self.position(span.end()))
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The byte offset of a client position in `text`, clamped to its line and to the text.
pub(super) fn offset(text: &str, position: Position, encoding: Encoding) -> usize {
    let (line, character) = (position.line as usize, position.character as usize);
    let start = text.split_inclusive('\n').take(line).map(str::len).sum::<usize>().min(text.len());
    let line_text = text[start..].split('\n').next().unwrap_or_default();
    let within = match encoding {
        Encoding::Utf8 => character.min(line_text.len()),
        Encoding::Utf16 => {
            let mut units = 0;
            line_text
                .char_indices()
                .find(|(_, c)| {
                    units += c.len_utf16();
                    units > character
                })
                .map_or(line_text.len(), |(i, _)| i)
        }
    };
    start + within
}

/// A finding as a diagnostic of `document` (at `uri`). Labels in other files are read from
/// disk, relative to `root`.
pub(super) fn diagnostic(uri: &Uri, document: &Document<'_>, root: Option<&Path>, finding: &Finding) -> Diagnostic {
    let related = finding
        .labels
        .iter()
        .filter_map(|label| {
            let location = match &label.file {
                Some(file) => {
                    let path = root.map_or_else(|| PathBuf::from(file), |r| r.join(file));
                    let other = std::fs::read_to_string(&path).unwrap_or_default();
                    let lines = LineIndex::new(&other);
                    let range = Document { text: &other, lines: &lines, encoding: document.encoding }.range(label.span);
                    Location::new(self::uri(&uri_of(&path))?, range)
                }
                None => Location::new(uri.clone(), document.range(label.span)),
            };
            Some(DiagnosticRelatedInformation { location, message: label.message.clone() })
        })
        .collect();
    let message = match &finding.help {
        Some(help) => format!("{}\nhelp: {help}", finding.message),
        None => finding.message.clone(),
    };
    Diagnostic {
        range: document.range(finding.span),
        severity: Some(match finding.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Info => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(finding.code.to_string())),
        code_description: self::uri(&rule_url(finding.code)).map(|href| CodeDescription { href }),
        source: Some("sfn-lint".to_string()),
        message,
        related_information: Some(related),
        tags: None,
        data: None,
    }
}

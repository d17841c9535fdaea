//! Where the text of an embedded definition lies in the file: inner byte offsets to file
//! byte offsets, exact where the embedding allows it.

use crate::syntax::Span;

#[derive(Clone, Debug, PartialEq)]
pub enum SpanMap {
    /// Inner offsets are file offsets: a standalone file, an inline object.
    Identity,
    /// The text is a slice of the file that starts at this offset.
    Offset(usize),
    /// A file offset for every inner byte offset (and one past the end): an escaped string,
    /// a block scalar or heredoc with its indentation removed.
    Table(Vec<usize>),
    /// No exact position exists (the text is assembled, or folded): everything maps to
    /// the whole expression.
    Whole(Span),
}

impl SpanMap {
    pub fn map(&self, span: Span) -> Span {
        match self {
            SpanMap::Identity => span,
            SpanMap::Offset(base) => Span::new(base + span.start(), base + span.end()),
            SpanMap::Table(table) => {
                let at = |offset: usize| table[offset.min(table.len() - 1)];
                Span::new(at(span.start()), at(span.end()).max(at(span.start())))
            }
            SpanMap::Whole(whole) => *whole,
        }
    }

    /// Whether the text is the file's own, byte for byte: an edit of it is an edit of the
    /// file.
    pub fn is_verbatim(&self) -> bool {
        matches!(self, SpanMap::Identity | SpanMap::Offset(_))
    }

    pub fn is_exact(&self) -> bool {
        !matches!(self, SpanMap::Whole(_))
    }
}

/// Decodes a JSON string literal of the file (`span` covers the quotes) and maps every
/// decoded byte to the byte of the file it came from.
pub fn json_string(file: &str, span: Span) -> Option<(String, SpanMap)> {
    let raw = file.get(span.range())?;
    let body = raw.strip_prefix('"')?.strip_suffix('"')?;
    let base = span.start() + 1;
    let mut text = String::with_capacity(body.len());
    let mut table = Vec::with_capacity(body.len() + 1);
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let (decoded, taken) = if bytes[i] == b'\\' {
            let (c, taken) = crate::syntax::decode_escape(&bytes[i + 1..]).ok()?;
            (c, 1 + taken)
        } else {
            let c = body[i..].chars().next()?;
            (c, c.len_utf8())
        };
        for _ in 0..decoded.len_utf8() {
            table.push(base + i);
        }
        text.push(decoded);
        i += taken;
    }
    table.push(base + body.len());
    Some((text, SpanMap::Table(table)))
}

/// An indented block of the file (a YAML `|` block scalar, a Terraform `<<-` heredoc): the
/// lines from `start` to `end`, each with `indent` leading spaces removed, joined with
/// newlines. Returns the text and its map when every line has that indentation.
pub fn indented_block(file: &str, start: usize, end: usize, indent: usize) -> Option<(String, SpanMap)> {
    let block = file.get(start..end)?;
    let mut text = String::with_capacity(block.len());
    let mut table = Vec::with_capacity(block.len() + 1);
    let mut line_start = start;
    for line in block.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        let skip = if body.trim().is_empty() {
            body.len()
        } else if body.len() >= indent && body.as_bytes()[..indent].iter().all(|&b| b == b' ') {
            indent
        } else {
            return None;
        };
        let kept = &line[skip..];
        for (i, c) in kept.char_indices() {
            table.extend((0..c.len_utf8()).map(|b| line_start + skip + i + b));
        }
        text.push_str(kept);
        line_start += line.len();
    }
    table.push(end);
    Some((text, SpanMap::Table(table)))
}

/// The indentation of the first line of `block` that has any text.
pub fn first_indent(block: &str) -> usize {
    block.lines().find(|l| !l.trim().is_empty()).map_or(0, |l| l.len() - l.trim_start_matches(' ').len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_map_every_decoded_byte() {
        let file = r#"{"DefinitionString": "{\"StartAt\": \"Caf\u00e9\",\n\t\"x\": 1}"}"#;
        let start = file.find("\"{").unwrap();
        let span = Span::new(start, file.len() - 1);
        let (text, map) = json_string(file, span).unwrap();
        assert_eq!(text, "{\"StartAt\": \"Café\",\n\t\"x\": 1}");
        let inner = text.find("Café").unwrap();
        let mapped = map.map(Span::new(inner, inner + "Café".len()));
        assert_eq!(&file[mapped.range()], "Caf\\u00e9");
    }

    #[test]
    fn indented_blocks_strip_and_map() {
        let file = "x: |\n    {\n      \"A\": 1\n\n    }\nnext: 1\n";
        let start = file.find("    {").unwrap();
        let end = file.find("next").unwrap();
        let (text, map) = indented_block(file, start, end, 4).unwrap();
        assert_eq!(text, "{\n  \"A\": 1\n\n}\n");
        let a = text.find("\"A\"").unwrap();
        let mapped = map.map(Span::new(a, a + 3));
        assert_eq!(&file[mapped.range()], "\"A\"");
        assert!(indented_block("  a\n b\n", 0, 7, 2).is_none());
        assert_eq!(first_indent("\n   x\n"), 3);
    }
}

//! A strict JSON parser (RFC 8259) that builds the span tree directly.
//!
//! Hand-written rather than taken from a crate so that it keeps duplicate keys, bounds its
//! recursion at [`MAX_DEPTH`] (a file of 100,000 `[` must be a finding, not a stack
//! overflow), reports the exact byte of every error, and allocates nothing but the tree.

use std::borrow::Cow;

use super::{Kind, MAX_DEPTH, Member, Node, ParseError, Span};

/// Strict JSON; with `lenient`, also comments and trailing commas (JSON with comments, as
/// editors' settings files and `.json5` test fixtures write it); with `placeholders`, also
/// unquoted `${Name}` values, which template engines replace before the JSON is read.
pub(super) fn parse(text: &str, lenient: bool, placeholders: bool) -> Result<Node<'_>, ParseError> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    // Room in the scratch stacks for a typical definition's nesting, so they rarely grow.
    let (members, items) = (Vec::with_capacity(64), Vec::with_capacity(32));
    let mut parser = Parser { bytes: text.as_bytes(), text, pos: start, lenient, placeholders, members, items };
    parser.skip_ws()?;
    if parser.pos == parser.bytes.len() {
        return Err(parser.error("the file is empty"));
    }
    let root = parser.value(0)?;
    parser.skip_ws()?;
    if parser.pos != parser.bytes.len() {
        return Err(parser.error("unexpected text after the end of the JSON value"));
    }
    Ok(root)
}

/// Bytes that end a run of plain characters inside a string.
static SPECIAL_IN_STRING: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// The first byte at or after `from` that ends a run of plain string characters, or the
/// end of `bytes`. Eight bytes are tested at a time: in each lane, subtracting one from a
/// zero byte (or 0x20 from a control character) sets its high bit, and the lowest lane so
/// marked is exact, as borrows only carry upwards.
fn plain_run_end(bytes: &[u8], from: usize) -> usize {
    const LANES: u64 = 0x0101_0101_0101_0101;
    const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
    let rest = &bytes[from..];
    let mut chunks = rest.chunks_exact(8);
    let mut at = from;
    for chunk in &mut chunks {
        let Ok(chunk) = <[u8; 8]>::try_from(chunk) else { break };
        let word = u64::from_le_bytes(chunk);
        let quote = word ^ (LANES * u64::from(b'"'));
        let backslash = word ^ (LANES * u64::from(b'\\'));
        let marked =
            (quote.wrapping_sub(LANES) & !quote) | (backslash.wrapping_sub(LANES) & !backslash) | (word.wrapping_sub(LANES * 0x20) & !word);
        if marked & HIGH_BITS != 0 {
            return at + (marked & HIGH_BITS).trailing_zeros() as usize / 8;
        }
        at += 8;
    }
    let tail = chunks.remainder();
    tail.iter().position(|&b| SPECIAL_IN_STRING[usize::from(b)]).map_or(bytes.len(), |n| at + n)
}

struct Parser<'t> {
    bytes: &'t [u8],
    text: &'t str,
    pos: usize,
    lenient: bool,
    placeholders: bool,
    /// Members and items of the objects and arrays being read, innermost last: each
    /// object or array takes its own off the top when it closes, at its exact size.
    members: Vec<Member<'t>>,
    items: Vec<Node<'t>>,
}

impl<'t> Parser<'t> {
    fn error(&self, message: impl Into<String>) -> ParseError {
        ParseError { message: message.into(), offset: self.pos }
    }

    fn unexpected(&self, expected: &str) -> ParseError {
        let rest = &self.text[self.pos..];
        if rest.starts_with("//") || rest.starts_with("/*") {
            return self.error("JSON has no comments; put notes in a `Comment` field");
        }
        match rest.chars().next() {
            None => self.error(format!("unexpected end of file, expected {expected}")),
            Some(c) if c.is_control() => self.error(format!("unexpected character {:?}, expected {expected}", c)),
            Some(c) => self.error(format!("unexpected character `{c}`, expected {expected}")),
        }
    }

    #[inline(always)]
    fn skip_ws(&mut self) -> Result<(), ParseError> {
        // Most calls find no whitespace at all, or one space after a `:`.
        match self.bytes.get(self.pos) {
            Some(b' ') if !matches!(self.bytes.get(self.pos + 1), Some(b' ' | b'\t' | b'\n' | b'\r' | b'/')) => {
                self.pos += 1;
                return Ok(());
            }
            Some(b' ' | b'\t' | b'\n' | b'\r' | b'/') => {}
            _ => return Ok(()),
        }
        self.skip_ws_run()
    }

    #[inline(never)]
    fn skip_ws_run(&mut self) -> Result<(), ParseError> {
        loop {
            let rest = &self.bytes[self.pos..];
            self.pos += rest.iter().position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r')).unwrap_or(rest.len());
            if !self.lenient || self.bytes.get(self.pos) != Some(&b'/') {
                return Ok(());
            }
            let rest = &self.text[self.pos..];
            if rest.starts_with("//") {
                self.pos += rest.find('\n').unwrap_or(rest.len());
            } else if let Some(body) = rest.strip_prefix("/*") {
                let Some(end) = body.find("*/") else { return Err(self.error("unterminated comment")) };
                self.pos += end + 4;
            } else {
                return Ok(());
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node<'t>, ParseError> {
        let start = self.pos;
        let kind = match self.bytes.get(self.pos) {
            Some(b'{') => self.object(depth + 1)?,
            Some(b'[') => self.array(depth + 1)?,
            Some(b'"') => Kind::String(self.string()?),
            Some(b'$') if self.placeholders && self.bytes.get(self.pos + 1) == Some(&b'{') => {
                let Some(end) = self.text[self.pos..].find('}') else { return Err(self.error("unterminated `${` placeholder")) };
                self.pos += end + 1;
                Kind::String(Cow::Borrowed(&self.text[start..self.pos]))
            }
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(b't') => self.literal("true", Kind::Bool(true))?,
            Some(b'f') => self.literal("false", Kind::Bool(false))?,
            Some(b'n') => self.literal("null", Kind::Null)?,
            _ => return Err(self.unexpected("a JSON value")),
        };
        Ok(Node { kind, span: Span::new(start, self.pos) })
    }

    fn enter(&self, depth: usize) -> Result<(), ParseError> {
        if depth > MAX_DEPTH { Err(self.error(format!("nesting is deeper than {MAX_DEPTH} levels"))) } else { Ok(()) }
    }

    fn object(&mut self, depth: usize) -> Result<Kind<'t>, ParseError> {
        self.enter(depth)?;
        self.pos += 1;
        let base = self.members.len();
        let result = self.members_until_close(depth, base);
        let members = self.members.split_off(base).into_boxed_slice();
        result.map(|()| Kind::Object(members))
    }

    /// Reads members onto `self.members` up to and including the closing `}`.
    fn members_until_close(&mut self, depth: usize, base: usize) -> Result<(), ParseError> {
        self.skip_ws()?;
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.skip_ws()?;
            if self.lenient && self.bytes.get(self.pos) == Some(&b'}') {
                self.pos += 1;
                return Ok(());
            }
            let key_start = self.pos;
            if self.bytes.get(self.pos) != Some(&b'"') {
                if self.bytes.get(self.pos) == Some(&b'}') && self.members.len() > base {
                    return Err(self.error("trailing comma before `}`; JSON does not allow one"));
                }
                return Err(self.unexpected("a quoted object key"));
            }
            let key = self.string()?;
            let key_span = Span::new(key_start, self.pos);
            self.skip_ws()?;
            if self.bytes.get(self.pos) != Some(&b':') {
                return Err(self.unexpected("`:` after the object key"));
            }
            self.pos += 1;
            self.skip_ws()?;
            let value = self.value(depth)?;
            self.members.push(Member { key, key_span, value });
            self.skip_ws()?;
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.unexpected("`,` or `}`")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Kind<'t>, ParseError> {
        self.enter(depth)?;
        self.pos += 1;
        let base = self.items.len();
        let result = self.items_until_close(depth, base);
        let items = self.items.split_off(base).into_boxed_slice();
        result.map(|()| Kind::Array(items))
    }

    /// Reads items onto `self.items` up to and including the closing `]`.
    fn items_until_close(&mut self, depth: usize, base: usize) -> Result<(), ParseError> {
        self.skip_ws()?;
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.skip_ws()?;
            if self.lenient && self.bytes.get(self.pos) == Some(&b']') {
                self.pos += 1;
                return Ok(());
            }
            if self.bytes.get(self.pos) == Some(&b']') && self.items.len() > base {
                return Err(self.error("trailing comma before `]`; JSON does not allow one"));
            }
            let item = self.value(depth)?;
            self.items.push(item);
            self.skip_ws()?;
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.unexpected("`,` or `]`")),
            }
        }
    }

    fn literal(&mut self, word: &str, kind: Kind<'t>) -> Result<Kind<'t>, ParseError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(kind)
        } else {
            Err(self.unexpected("a JSON value"))
        }
    }

    fn number(&mut self) -> Result<Kind<'t>, ParseError> {
        let start = self.pos;
        if self.bytes[self.pos] == b'-' {
            self.pos += 1;
        }
        match self.bytes.get(self.pos) {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.unexpected("a digit")),
        }
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if !matches!(self.bytes.get(self.pos), Some(b'0'..=b'9')) {
                return Err(self.unexpected("a digit after `.`"));
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.pos) {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.pos) {
                self.pos += 1;
            }
            if !matches!(self.bytes.get(self.pos), Some(b'0'..=b'9')) {
                return Err(self.unexpected("a digit in the exponent"));
            }
            self.digits();
        }
        // The grammar above is a subset of what `f64::from_str` accepts; huge exponents
        // become infinities, which range checks then reject.
        let value = self.text[start..self.pos].parse().unwrap_or(f64::NAN);
        Ok(Kind::Number(value))
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    /// The position of the next byte at or after `from` that ends a run of plain string
    /// characters (a quote, a backslash or a control character), or the end of the text.
    fn plain_run_end(&self, from: usize) -> usize {
        plain_run_end(self.bytes, from)
    }

    #[inline(always)]
    fn string(&mut self) -> Result<Cow<'t, str>, ParseError> {
        self.pos += 1; // opening quote
        // Most strings have no escape: they are the text itself.
        let end = self.plain_run_end(self.pos);
        if self.bytes.get(end) == Some(&b'"') {
            let text = &self.text[self.pos..end];
            self.pos = end + 1;
            return Ok(Cow::Borrowed(text));
        }
        self.string_with_escapes().map(Cow::Owned)
    }

    /// The rest of a string that holds an escape (or is broken), from `self.pos`.
    #[inline(never)]
    fn string_with_escapes(&mut self) -> Result<String, ParseError> {
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            self.pos = self.plain_run_end(self.pos);
            out.push_str(&self.text[run_start..self.pos]);
            match self.bytes.get(self.pos) {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => self.escape(&mut out)?,
                Some(_) => {
                    return Err(self.error("control character in a string; write it as an escape such as \\n"));
                }
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), ParseError> {
        self.pos += 1;
        match decode_escape(&self.bytes[self.pos..]) {
            Ok((c, taken)) => {
                out.push(c);
                self.pos += taken;
                Ok(())
            }
            Err(EscapeError::Unknown) => Err(self.unexpected("a valid escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)")),
            Err(EscapeError::Hex { at }) => {
                self.pos += at;
                Err(self.error("`\\u` must be followed by four hexadecimal digits"))
            }
        }
    }
}

/// What is wrong with an escape of a JSON string.
#[derive(Debug, PartialEq, Eq)]
pub enum EscapeError {
    /// No escape starts with this character.
    Unknown,
    /// `\u` without four hexadecimal digits at this offset.
    Hex { at: usize },
}

/// One escape of a JSON string, from the byte after its backslash: the character and how
/// many bytes it took. A surrogate pair is one character; a lone surrogate is legal JSON
/// but no character, and decodes as U+FFFD. The parser and the span maps of embedded
/// definitions both decode with it, so that their texts agree.
pub fn decode_escape(rest: &[u8]) -> Result<(char, usize), EscapeError> {
    let hex4 = |at: usize| {
        let digits = rest.get(at..at + 4).filter(|d| d.iter().all(u8::is_ascii_hexdigit)).ok_or(EscapeError::Hex { at })?;
        Ok(digits.iter().fold(0, |value, &d| value * 16 + (d as char).to_digit(16).unwrap_or(0)))
    };
    let c = match rest.first() {
        Some(b'"') => '"',
        Some(b'\\') => '\\',
        Some(b'/') => '/',
        Some(b'b') => '\u{8}',
        Some(b'f') => '\u{c}',
        Some(b'n') => '\n',
        Some(b'r') => '\r',
        Some(b't') => '\t',
        Some(b'u') => {
            let high = hex4(1)?;
            if (0xD800..0xDC00).contains(&high) && rest[5..].starts_with(b"\\u") {
                let low = hex4(7)?;
                if (0xDC00..0xE000).contains(&low) {
                    let c = char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00));
                    return Ok((c.unwrap_or('\u{fffd}'), 11));
                }
            }
            return Ok((char::from_u32(high).unwrap_or('\u{fffd}'), 5));
        }
        _ => return Err(EscapeError::Unknown),
    };
    Ok((c, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_decode_alike_everywhere() {
        assert_eq!(decode_escape(b"n rest"), Ok(('\n', 1)));
        assert_eq!(decode_escape(b"u00e9"), Ok(('\u{e9}', 5)));
        assert_eq!(decode_escape(b"ud83d\\ude00"), Ok(('\u{1f600}', 11)), "a surrogate pair is one character");
        assert_eq!(decode_escape(b"ud83dx"), Ok(('\u{fffd}', 5)), "a lone surrogate");
        assert_eq!(decode_escape(b"ud83d\\u0041"), Ok(('\u{fffd}', 5)), "a high surrogate before a non-surrogate");
        assert_eq!(decode_escape(b"u12"), Err(EscapeError::Hex { at: 1 }));
        assert_eq!(decode_escape(b"ud83d\\uzzzz"), Err(EscapeError::Hex { at: 7 }));
        assert_eq!(decode_escape(b"q"), Err(EscapeError::Unknown));
    }

    #[test]
    fn plain_runs_end_at_the_first_quote_backslash_or_control_character() {
        let naive = |bytes: &[u8], from: usize| {
            bytes[from..].iter().position(|&b| SPECIAL_IN_STRING[usize::from(b)]).map_or(bytes.len(), |n| from + n)
        };
        let fillers: [&[u8]; 3] = [b"a", "é".as_bytes(), &[0x7f]];
        for special in [b'"', b'\\', 0x00, 0x01, 0x1f, b'\n'] {
            for filler in fillers {
                for len in 0..24 {
                    let mut bytes: Vec<u8> = filler.iter().copied().cycle().take(len).collect();
                    assert_eq!(plain_run_end(&bytes, 0), naive(&bytes, 0));
                    bytes.push(special);
                    bytes.extend_from_slice(b"x\"\\ \x01");
                    for from in 0..bytes.len() {
                        assert_eq!(plain_run_end(&bytes, from), naive(&bytes, from), "{bytes:?} from {from}");
                    }
                }
            }
        }
    }

    fn err(text: &str) -> ParseError {
        parse(text, false, false).unwrap_err()
    }

    #[test]
    fn comments_and_trailing_commas_only_when_lenient() {
        let text = "// fixture\n{\"StartAt\": \"A\", /* c */ \"States\": [1, 2,],}";
        let root = parse(text, true, false).unwrap();
        assert_eq!(root.get("StartAt").unwrap().as_str(), Some("A"));
        assert_eq!(parse(text, false, false).unwrap_err().offset, 0);
        assert!(parse("{\"a\": 1 /* open", true, false).unwrap_err().message.contains("unterminated comment"));
        assert!(parse("{a: 1}", true, false).is_err(), "unquoted keys stay errors");
    }

    #[test]
    fn placeholders_only_when_asked() {
        let text = r#"{"TimeoutSeconds": ${Timeout}, "Next": "${Step}"}"#;
        let root = parse(text, false, true).unwrap();
        let timeout = root.get("TimeoutSeconds").unwrap();
        assert_eq!(timeout.as_str(), Some("${Timeout}"));
        assert_eq!(&text[timeout.span.range()], "${Timeout}");
        assert!(parse(text, false, false).is_err());
    }

    #[test]
    fn parses_values_with_spans() {
        let text = "\u{feff}{\"a\": [1, -2.5e3, true, null], \"é\": \"x\\u00e9\\ud83d\\ude00\"}";
        let root = parse(text, false, false).unwrap();
        let members = root.members().unwrap();
        assert_eq!(&*members[0].key, "a");
        let items = members[0].value.as_array().unwrap();
        assert_eq!(items[1].kind, Kind::Number(-2500.0));
        assert_eq!(&text[items[1].span.range()], "-2.5e3");
        assert_eq!(members[1].value.as_str(), Some("xé😀"));
        assert_eq!(root.span.start(), 3);
    }

    #[test]
    fn strings_without_escapes_borrow_the_text() {
        let text = r#"{"plain": "value", "esc\u0061ped": "a\nb"}"#;
        let root = parse(text, false, false).unwrap();
        let members = root.members().unwrap();
        let borrowed = |s: &Cow<'_, str>| matches!(s, Cow::Borrowed(_));
        assert!(borrowed(&members[0].key));
        assert!(matches!(&members[0].value.kind, Kind::String(s) if borrowed(s)));
        assert!(!borrowed(&members[1].key) && &*members[1].key == "escaped");
        assert!(matches!(&members[1].value.kind, Kind::String(s) if !borrowed(s) && s == "a\nb"));
        // Kept beyond the text, the tree is the same.
        assert_eq!(root.clone().into_owned(), root);
    }

    #[test]
    fn keeps_duplicate_keys_in_order() {
        let root = parse(r#"{"k": 1, "k": 2}"#, false, false).unwrap();
        assert_eq!(root.members().unwrap().len(), 2);
        assert_eq!(root.get("k").unwrap().as_f64(), Some(2.0));
    }

    #[test]
    fn rejects_leniencies_at_the_right_byte() {
        assert_eq!(err(r#"{"a": 1,}"#).offset, 8);
        assert!(err(r#"{"a": [1,]}"#).message.starts_with("trailing comma before `]`"));
        assert_eq!(err("{\"a\": 1} // c").offset, 9);
        assert!(err("{// c\n}").message.starts_with("JSON has no comments"));
        assert_eq!(err("{'a': 1}").offset, 1);
        assert_eq!(err("[01]").offset, 2);
        assert_eq!(err("\"a\nb\"").offset, 2);
        assert_eq!(err("").message, "the file is empty");
        assert!(err("[1, 2").message.contains("end of file"));
    }

    #[test]
    fn refuses_deep_nesting_without_overflowing() {
        let deep = "[".repeat(100_000);
        assert!(err(&deep).message.contains("deeper than 256"));
        let ok = format!("{}{}", "[".repeat(255), "]".repeat(255));
        assert!(parse(&ok, false, false).is_ok());
    }

    #[test]
    fn huge_numbers_do_not_fail_the_parse() {
        let root = parse("[1e999, -0, 18446744073709551616]", false, false).unwrap();
        let items = root.as_array().unwrap();
        assert_eq!(items[0].as_f64(), Some(f64::INFINITY));
        assert_eq!(items[2].as_f64(), Some(18446744073709551616.0));
    }
}

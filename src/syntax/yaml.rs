//! YAML through libyaml's event stream (the safe Rust port), into the same span tree as
//! JSON.
//!
//! libyaml accepts what CloudFormation accepts, down to flow collections that close at
//! their parent's indentation, and its marks are byte offsets. CloudFormation's local tags
//! (`!Sub`, `!GetAtt`, ...) become tagged nodes. Aliases are expanded under a node budget
//! so that a "billion laughs" file fails fast.

use std::collections::HashMap;

use libyaml_safer::{Event, EventData, Parser, ScalarStyle};

use super::{Kind, MAX_DEPTH, Member, Node, ParseError, Span, Tagged};

/// How many nodes a document may hold once its aliases are expanded.
const NODE_BUDGET: usize = 1_000_000;

pub(super) fn parse(text: &str) -> Result<Node<'static>, ParseError> {
    // libyaml counts its marks after a byte-order mark: the parser reads the text after
    // it, and every span moves past it again.
    let (body, base) = match text.strip_prefix('\u{feff}') {
        Some(body) => (body, '\u{feff}'.len_utf8()),
        None => (text, 0),
    };
    // libyaml-safer panics on a block scalar that ends the file without a line break, so
    // the parser always sees one; spans are clamped back to the text.
    let terminated;
    let input = if body.ends_with('\n') {
        body
    } else {
        terminated = format!("{body}\n");
        &terminated
    };
    // Any other panic of the parser is a finding on this file, its message kept, not the
    // end of the run. (saphyr-parser, which returns errors instead, was weighed: it rejects
    // real CloudFormation templates that libyaml and CloudFormation accept.)
    IN_PARSER.set(true);
    let parsed = std::panic::catch_unwind(|| parse_terminated(input, Offsets { limit: body.len(), base }));
    IN_PARSER.set(false);
    parsed.unwrap_or_else(|payload| {
        let said = payload.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| payload.downcast_ref::<String>().cloned());
        Err(parser_failure(text, said.as_deref()))
    })
}

thread_local! {
    /// Set while this thread runs the YAML parser.
    static IN_PARSER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// How libyaml's marks become spans of the file: clamped to the text as written (without
/// the line break the parser may be given), then moved past a byte-order mark.
#[derive(Clone, Copy)]
struct Offsets {
    limit: usize,
    base: usize,
}

impl Offsets {
    fn of(self, index: u64) -> usize {
        usize::try_from(index).unwrap_or(usize::MAX).min(self.limit) + self.base
    }
}

/// Whether a panic happens inside the YAML parser, which `parse` turns into a finding
/// that keeps its message: a panic hook can leave it unprinted.
pub fn panic_in_yaml_parser(_info: &std::panic::PanicHookInfo<'_>) -> bool {
    IN_PARSER.get()
}

/// The finding for a file the parser gave up on, with what it said. Its one known case is
/// a tag followed directly by `,` in a flow collection (`[!Tag, x]`), which the file can
/// avoid.
fn parser_failure(text: &str, said: Option<&str>) -> ParseError {
    let bytes = text.as_bytes();
    let tag_before_comma = memchr::memchr_iter(b'!', bytes).find_map(|at| {
        let in_flow = bytes[..at].iter().rev().find(|b| !b.is_ascii_whitespace()).is_some_and(|b| matches!(b, b'[' | b'{' | b','));
        let end = at + bytes[at..].iter().position(|b| b.is_ascii_whitespace() || matches!(b, b',' | b'[' | b']' | b'{' | b'}'))?;
        (in_flow && bytes[end] == b',').then_some(end)
    });
    match tag_before_comma {
        Some(offset) => ParseError {
            message: "the YAML parser cannot read a tag followed directly by `,` in a flow collection; give the tag a value".into(),
            offset,
        },
        None => ParseError {
            message: match said {
                Some(said) => format!("the YAML parser failed on this file: {}", said.lines().next().unwrap_or_default()),
                None => "the YAML parser failed on this file".into(),
            },
            offset: 0,
        },
    }
}

fn parse_terminated(text: &str, offsets: Offsets) -> Result<Node<'static>, ParseError> {
    let mut input = text.as_bytes();
    let mut parser = Parser::new();
    parser.set_input_string(&mut input);
    let mut builder = Builder { stack: Vec::new(), anchors: HashMap::new(), nodes: 0, offsets };
    let mut root = None;
    let mut documents = 0;
    loop {
        let event = parser.parse().map_err(|e| {
            let mark = e.problem_mark().or(e.context_mark()).unwrap_or_default();
            let message = match e.context() {
                Some(context) if !context.is_empty() => format!("{context}: {}", e.problem()),
                _ => e.problem().to_string(),
            };
            ParseError { message, offset: offsets.of(mark.index) }
        })?;
        match event.data {
            EventData::DocumentStart { .. } => documents += 1,
            EventData::StreamEnd => break,
            _ if documents > 1 => {} // only the first document is linted
            _ => {
                if let Some(node) = builder.event(event)? {
                    root = Some(node);
                }
            }
        }
    }
    root.ok_or(ParseError { message: "the file is empty".into(), offset: 0 })
}

fn span_of(event: &Event, offsets: Offsets) -> Span {
    let (start, end) = (offsets.of(event.start_mark.index), offsets.of(event.end_mark.index));
    Span::new(start, end.max(start))
}

enum Frame {
    Sequence { start: usize, anchor: Option<String>, tag: Option<String>, items: Vec<Node<'static>> },
    Mapping { start: usize, anchor: Option<String>, tag: Option<String>, members: Vec<Member<'static>>, key: Option<(String, Span)> },
}

struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<String, (Node<'static>, usize)>,
    nodes: usize,
    offsets: Offsets,
}

impl Builder {
    /// Feeds one event; returns the root node once the document's top node is complete.
    fn event(&mut self, event: Event) -> Result<Option<Node<'static>>, ParseError> {
        let span = span_of(&event, self.offsets);
        let (node, anchor) = match event.data {
            EventData::Scalar { anchor, tag, value, style, .. } => (self.scalar(value, style, tag, span)?, anchor),
            EventData::Alias { anchor } => {
                let Some(&(_, count)) = self.anchors.get(&anchor) else {
                    return Err(ParseError { message: format!("alias to the unknown anchor `{anchor}`"), offset: span.start() });
                };
                self.count(count, span.start())?;
                (self.anchors[&anchor].0.clone(), None)
            }
            EventData::SequenceStart { anchor, tag, .. } => {
                let frame = Frame::Sequence { start: span.start(), anchor, tag: tag.and_then(local_tag), items: Vec::new() };
                self.push(span, frame)?;
                return Ok(None);
            }
            EventData::MappingStart { anchor, tag, .. } => {
                let frame = Frame::Mapping { start: span.start(), anchor, tag: tag.and_then(local_tag), members: Vec::new(), key: None };
                self.push(span, frame)?;
                return Ok(None);
            }
            EventData::SequenceEnd | EventData::MappingEnd => self.pop(span)?,
            _ => return Ok(None),
        };
        if let Some(anchor) = anchor {
            let count = count_nodes(&node);
            self.anchors.insert(anchor, (node.clone(), count));
        }
        self.attach(node)
    }

    fn push(&mut self, span: Span, frame: Frame) -> Result<(), ParseError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(ParseError { message: format!("nesting is deeper than {MAX_DEPTH} levels"), offset: span.start() });
        }
        self.stack.push(frame);
        Ok(())
    }

    fn pop(&mut self, end: Span) -> Result<(Node<'static>, Option<String>), ParseError> {
        self.count(1, end.start())?;
        let frame = self.stack.pop().expect("the parser balances start and end events");
        let (start, anchor, tag, kind, last_end) = match frame {
            Frame::Sequence { start, anchor, tag, items } => {
                let last = items.last().map(|n| n.span.end());
                (start, anchor, tag, Kind::Array(items.into_boxed_slice()), last)
            }
            Frame::Mapping { start, anchor, tag, members, .. } => {
                let last = members.last().map(|m| m.value.span.end());
                (start, anchor, tag, Kind::Object(members.into_boxed_slice()), last)
            }
        };
        // Block collections end where their last item ends; flow ones at their bracket.
        let end = if end.end() > end.start() { end.end() } else { last_end.unwrap_or(end.end()) };
        let node = Node { kind, span: Span::new(start, end.max(start)) };
        Ok((wrap(tag, node), anchor))
    }

    fn attach(&mut self, node: Node<'static>) -> Result<Option<Node<'static>>, ParseError> {
        match self.stack.last_mut() {
            None => Ok(Some(node)),
            Some(Frame::Sequence { items, .. }) => {
                items.push(node);
                Ok(None)
            }
            Some(Frame::Mapping { members, key, .. }) => {
                match key.take() {
                    Some((key, key_span)) => members.push(Member { key: key.into(), key_span, value: node }),
                    None => {
                        let key_text = match node.kind {
                            Kind::String(s) => s.into_owned(),
                            Kind::Number(n) => n.to_string(),
                            Kind::Bool(b) => b.to_string(),
                            Kind::Null => "null".to_string(),
                            _ => {
                                return Err(ParseError {
                                    message: "a mapping key must be a plain value, not a collection or a tagged value".into(),
                                    offset: node.span.start(),
                                });
                            }
                        };
                        *key = Some((key_text, node.span));
                    }
                }
                Ok(None)
            }
        }
    }

    fn count(&mut self, nodes: usize, offset: usize) -> Result<(), ParseError> {
        self.nodes += nodes;
        if self.nodes > NODE_BUDGET {
            return Err(ParseError { message: format!("the document expands to more than {NODE_BUDGET} nodes (YAML aliases)"), offset });
        }
        Ok(())
    }

    fn scalar(&mut self, value: String, style: ScalarStyle, tag: Option<String>, span: Span) -> Result<Node<'static>, ParseError> {
        self.count(1, span.start())?;
        let expecting_key = matches!(self.stack.last(), Some(Frame::Mapping { key: None, .. }));
        let kind = if expecting_key || style != ScalarStyle::Plain || tag.as_deref() == Some("tag:yaml.org,2002:str") {
            Kind::String(value.into())
        } else {
            resolve_plain(value)
        };
        Ok(wrap(tag.and_then(local_tag), Node { kind, span }))
    }
}

/// A local tag such as `!Sub` gives `Sub`; the core schema's own tags give nothing.
fn local_tag(tag: String) -> Option<String> {
    tag.strip_prefix('!').filter(|t| !t.is_empty() && !t.starts_with('!')).map(str::to_string)
}

fn wrap(tag: Option<String>, node: Node<'static>) -> Node<'static> {
    match tag {
        Some(tag) => Node { span: node.span, kind: Kind::Tagged(Box::new(Tagged { tag: tag.into_boxed_str(), node })) },
        None => node,
    }
}

fn count_nodes(node: &Node) -> usize {
    let mut count = 0;
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        count += 1;
        match &node.kind {
            Kind::Array(items) => stack.extend(items),
            Kind::Object(members) => stack.extend(members.iter().map(|m| &m.value)),
            Kind::Tagged(tagged) => stack.push(&tagged.node),
            _ => {}
        }
    }
    count
}

/// YAML 1.2 core schema resolution of a plain scalar.
fn resolve_plain(value: String) -> Kind<'static> {
    match value.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return Kind::Null,
        "true" | "True" | "TRUE" => return Kind::Bool(true),
        "false" | "False" | "FALSE" => return Kind::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Kind::Number(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Kind::Number(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Kind::Number(f64::NAN),
        _ => {}
    }
    if let Some(hex) = value.strip_prefix("0x") {
        if let Ok(n) = u64::from_str_radix(hex, 16) {
            return Kind::Number(n as f64);
        }
    }
    if let Some(oct) = value.strip_prefix("0o") {
        if let Ok(n) = u64::from_str_radix(oct, 8) {
            return Kind::Number(n as f64);
        }
    }
    if is_yaml_number(&value) {
        if let Ok(n) = value.parse::<f64>() {
            return Kind::Number(n);
        }
    }
    Kind::String(value.into())
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn is_yaml_number(value: &str) -> bool {
    let b = value.strip_prefix(['-', '+']).unwrap_or(value).as_bytes();
    let mut i = 0;
    let int_digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if let Some(b'e' | b'E') = b.get(i) {
        i += 1;
        if let Some(b'-' | b'+') = b.get(i) {
            i += 1;
        }
        let exp = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp == 0 {
            return false;
        }
        i += exp;
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_scalar_may_end_the_file_without_a_line_break() {
        for text in ["a: |\n  b", "a: >-\n  {\"x\": 1", "a:\n  - |\n    x\n    y"] {
            let root = parse(text).unwrap_or_else(|e| panic!("{text:?}: {}", e.message));
            let value = &root.members().unwrap()[0].value;
            assert!(value.span.end() <= text.len(), "{text:?}: {:?}", value.span);
        }
    }

    #[test]
    fn builds_the_tree_with_byte_spans_after_multibyte_text() {
        let text = "Comment: \"été 😀\"\nStates:\n  A: {Type: Pass, End: true}\n  B:\n    - 1\n";
        let root = parse(text).unwrap();
        let a = root.get("States").unwrap().member("A").unwrap();
        assert_eq!(&text[a.key_span.range()], "A");
        let end = a.value.get("End").unwrap();
        assert_eq!(end.kind, Kind::Bool(true));
        assert_eq!(&text[end.span.range()], "true");
        let b = root.get("States").unwrap().get("B").unwrap();
        assert_eq!(&text[b.span.range()], "- 1");
    }

    #[test]
    fn keeps_cloudformation_tags_and_duplicates() {
        let text = "a: !Sub 'x-${Y}'\nb: !GetAtt [Fn, Arn]\na: 2\n";
        let root = parse(text).unwrap();
        assert_eq!(root.members().unwrap().len(), 3);
        let (tag, inner) = root.members().unwrap()[0].value.tagged().unwrap();
        assert_eq!((tag, inner.as_str()), ("Sub", Some("x-${Y}")));
        assert_eq!(root.get("b").unwrap().tagged().unwrap().0, "GetAtt");
        assert_eq!(root.get("a").unwrap().as_f64(), Some(2.0));
    }

    #[test]
    fn resolves_plain_scalars_by_the_core_schema() {
        let root = parse("[1, -2.5, .5, 0x1f, 'true', true, ~, 1.2.3, 1e3, !!str 5]").unwrap();
        let kinds: Vec<_> = root.as_array().unwrap().iter().map(|n| n.kind.clone()).collect();
        assert_eq!(kinds[0], Kind::Number(1.0));
        assert_eq!(kinds[1], Kind::Number(-2.5));
        assert_eq!(kinds[2], Kind::Number(0.5));
        assert_eq!(kinds[3], Kind::Number(31.0));
        assert_eq!(kinds[4], Kind::String("true".into()));
        assert_eq!(kinds[5], Kind::Bool(true));
        assert_eq!(kinds[6], Kind::Null);
        assert_eq!(kinds[7], Kind::String("1.2.3".into()));
        assert_eq!(kinds[8], Kind::Number(1000.0));
        assert_eq!(kinds[9], Kind::String("5".into()));
    }

    #[test]
    fn billion_laughs_is_refused_quickly() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h", "i"].iter().zip(["b", "c", "d", "e", "f", "g", "h", "i", "j"]) {
            text.push_str(&format!(
                "{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("more than 1000000 nodes"), "{}", err.message);
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let text = "[".repeat(100_000);
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("deeper than 256"), "{}", err.message);
    }

    #[test]
    fn errors_point_at_bytes() {
        let err = parse("é: [1, 2\n").unwrap_err();
        assert!(err.offset <= "é: [1, 2\n".len());
    }
}

//! One span-preserving tree for JSON and YAML.
//!
//! Every node carries the byte range of its text in the file. Objects keep every member in
//! source order, duplicates included, so that duplicate keys can be reported; lookups follow
//! AWS's own parsers and take the last occurrence.

pub mod edit;
pub mod expression;
mod json;
pub mod jsonata;
mod lines;
mod yaml;

use std::borrow::Cow;

pub use crate::diagnostic::{Position, Span};
pub use json::decode_escape;
pub use lines::LineIndex;
pub use yaml::panic_in_yaml_parser;

/// Nesting deeper than this is refused as a parse error (SPEC §10).
pub const MAX_DEPTH: usize = 256;

/// The longest text whose offsets a [`Span`] holds.
pub const MAX_TEXT_LEN: usize = u32::MAX as usize;

/// A value of a file whose text lives for `'t`: strings written without escapes borrow it.
#[derive(Clone, Debug, PartialEq)]
pub struct Node<'t> {
    pub kind: Kind<'t>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Kind<'t> {
    Null,
    Bool(bool),
    Number(f64),
    // Borrowed from the text where it is written as it reads (most of a JSON file's
    // strings), owned where escapes or YAML folding changed it.
    String(Cow<'t, str>),
    // Boxed slices rather than vectors: the tree is built once at exact size and never
    // grows, and a smaller node keeps large files in cache.
    Array(Box<[Node<'t>]>),
    Object(Box<[Member<'t>]>),
    /// A YAML node with a local tag such as CloudFormation's `!Sub`.
    Tagged(Box<Tagged<'t>>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Tagged<'t> {
    /// The tag without the `!`.
    pub tag: Box<str>,
    pub node: Node<'t>,
}

// Large definitions hold hundreds of thousands of nodes: keep them small.
#[cfg(target_pointer_width = "64")]
const _: () = assert!(size_of::<Node>() == 32 && size_of::<Member>() == 64);

#[derive(Clone, Debug, PartialEq)]
pub struct Member<'t> {
    pub key: Cow<'t, str>,
    pub key_span: Span,
    pub value: Node<'t>,
}

/// A file that is not well-formed: the message and the byte offset where it went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub offset: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    /// JSON with comments and trailing commas: `.json5` files as test fixtures write them.
    JsonWithComments,
    /// JSON with unquoted `${Name}` placeholders: a definition file that a template fills in.
    JsonTemplate,
    Yaml,
}

/// Parses `text` as `format`. A leading UTF-8 byte order mark is skipped; spans stay
/// relative to the whole text.
pub fn parse(text: &str, format: Format) -> Result<Node<'_>, ParseError> {
    match format {
        Format::Json => json::parse(text, false, false),
        Format::JsonWithComments => json::parse(text, true, false),
        Format::JsonTemplate => json::parse(text, false, true),
        Format::Yaml => yaml::parse(text),
    }
}

/// Whether `text` holds a `${...}` placeholder that a template or the deployment fills in.
pub fn has_placeholder(text: &str) -> bool {
    let bytes = text.as_bytes();
    // A `${` that no `}` closes is not a placeholder, but a typo to report.
    let closed = |at: usize| bytes[at + 2..].contains(&b'}');
    // On short text a plain scan beats memchr's vector set-up.
    if bytes.len() <= SHORT {
        return bytes.windows(2).enumerate().any(|(at, pair)| pair == b"${" && closed(at));
    }
    memchr::memchr_iter(b'$', bytes).any(|at| bytes.get(at + 1) == Some(&b'{') && closed(at))
}

/// Text up to this many bytes is scanned byte by byte rather than with memchr.
const SHORT: usize = 16;

/// The first occurrence of `needle` in `text`. The texts of a definition are short, and
/// `str::find` sets up a searcher that costs more than such a search: this one jumps
/// between occurrences of the needle's first byte. An empty needle is never found.
pub fn find(text: &str, needle: &str) -> Option<usize> {
    let (bytes, needle) = (text.as_bytes(), needle.as_bytes());
    let &first = needle.first()?;
    let matches_at = |at: usize| bytes[at..].starts_with(needle);
    if bytes.len() <= SHORT {
        return (0..bytes.len()).find(|&at| bytes[at] == first && matches_at(at));
    }
    memchr::memchr_iter(first, bytes).find(|&at| matches_at(at))
}

impl<'t> Node<'t> {
    /// The same tree with every string owned, to keep beyond the text.
    pub fn into_owned(self) -> Node<'static> {
        let own = |text: Cow<'_, str>| Cow::Owned(text.into_owned());
        let kind = match self.kind {
            Kind::Null => Kind::Null,
            Kind::Bool(b) => Kind::Bool(b),
            Kind::Number(n) => Kind::Number(n),
            Kind::String(text) => Kind::String(own(text)),
            Kind::Array(items) => Kind::Array(items.into_iter().map(Node::into_owned).collect()),
            Kind::Object(members) => Kind::Object(
                members.into_iter().map(|m| Member { key: own(m.key), key_span: m.key_span, value: m.value.into_owned() }).collect(),
            ),
            Kind::Tagged(tagged) => {
                let Tagged { tag, node } = *tagged;
                Kind::Tagged(Box::new(Tagged { tag, node: node.into_owned() }))
            }
        };
        Node { kind, span: self.span }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self.kind {
            Kind::Number(n) => Some(n),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.kind {
            Kind::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Node<'_>]> {
        match &self.kind {
            Kind::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The tag and the tagged node of a YAML node with a local tag such as `!Sub`.
    pub fn tagged(&self) -> Option<(&str, &Node<'_>)> {
        match &self.kind {
            Kind::Tagged(tagged) => Some((&tagged.tag, &tagged.node)),
            _ => None,
        }
    }

    pub fn members(&self) -> Option<&[Member<'_>]> {
        match &self.kind {
            Kind::Object(members) => Some(members),
            _ => None,
        }
    }

    pub fn is_object(&self) -> bool {
        matches!(self.kind, Kind::Object(_))
    }

    /// The member named `key`; the last one when the key is repeated, as AWS reads it.
    pub fn member(&self, key: &str) -> Option<&Member<'_>> {
        self.members()?.iter().rev().find(|m| *m.key == *key)
    }

    pub fn get(&self, key: &str) -> Option<&Node<'_>> {
        self.member(key).map(|m| &m.value)
    }

    /// A value that only the deployment fills in: a `${...}` placeholder string, or a
    /// CloudFormation intrinsic (`!Ref`, `{"Fn::GetAtt": ...}`, `{"Ref": ...}`).
    pub fn is_placeholder(&self) -> bool {
        match &self.kind {
            Kind::String(s) => has_placeholder(s),
            Kind::Tagged(..) => true,
            Kind::Object(members) => members.len() == 1 && (&*members[0].key == "Ref" || members[0].key.starts_with("Fn::")),
            _ => false,
        }
    }

    /// The length in bytes of the value written as compact JSON, the smallest text a
    /// deployment can send (a YAML tag counts as the value it tags).
    pub fn compact_json_len(&self) -> usize {
        fn string_len(text: &str) -> usize {
            // Strings rarely need escapes: a pass the compiler vectorises finds out.
            let bytes = text.as_bytes();
            if !bytes.iter().fold(false, |any, &b| any | (b < 0x20) | (b == b'"') | (b == b'\\')) {
                return text.len() + 2;
            }
            let escaped: usize = bytes
                .iter()
                .map(|b| match b {
                    b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 1,
                    0..0x20 => 5,
                    _ => 0,
                })
                .sum();
            text.len() + escaped + 2
        }
        match &self.kind {
            Kind::Null => 4,
            Kind::Bool(true) => 4,
            Kind::Bool(false) => 5,
            // Whole numbers, most of a definition's, are counted without formatting them.
            &Kind::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 && !(n == 0.0 && n.is_sign_negative()) => {
                let whole = n as i64;
                usize::from(whole < 0) + whole.unsigned_abs().checked_ilog10().map_or(1, |log| log as usize + 1)
            }
            Kind::Number(n) => {
                use std::io::Write;
                let mut buffer = [0u8; 32];
                let mut cursor = std::io::Cursor::new(&mut buffer[..]);
                let _ = write!(cursor, "{n}");
                cursor.position() as usize
            }
            Kind::String(text) => string_len(text),
            Kind::Array(items) => 2 + items.len().saturating_sub(1) + items.iter().map(Node::compact_json_len).sum::<usize>(),
            Kind::Object(members) => {
                let inner: usize = members.iter().map(|m| string_len(&m.key) + 1 + m.value.compact_json_len()).sum();
                2 + members.len().saturating_sub(1) + inner
            }
            Kind::Tagged(tagged) => tagged.node.compact_json_len(),
        }
    }

    /// A short name of the value's type for messages.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "a boolean",
            Kind::Number(_) => "a number",
            Kind::String(_) => "a string",
            Kind::Array(_) => "an array",
            Kind::Object(_) => "an object",
            Kind::Tagged(..) => "a tagged value",
        }
    }

    /// Follows a JSON Pointer (RFC 6901). Returns the node and, when the last step was an
    /// object member, the span of its key.
    pub fn lookup(&self, pointer: &str) -> Option<(&Node<'_>, Option<Span>)> {
        let mut node = self;
        let mut key_span = None;
        if pointer.is_empty() {
            return Some((node, None));
        }
        let rest = pointer.strip_prefix('/')?;
        for raw in rest.split('/') {
            let token = unescape_token(raw);
            node = skip_tags(node);
            match &node.kind {
                Kind::Object(_) => {
                    let member = node.member(&token)?;
                    key_span = Some(member.key_span);
                    node = &member.value;
                }
                Kind::Array(items) => {
                    let index: usize = token.parse().ok()?;
                    key_span = None;
                    node = items.get(index)?;
                }
                _ => return None,
            }
        }
        Some((node, key_span))
    }
}

fn skip_tags<'a>(mut node: &'a Node<'a>) -> &'a Node<'a> {
    while let Kind::Tagged(tagged) = &node.kind {
        node = &tagged.node;
    }
    node
}

/// Where the path to `pointer` first passes through a YAML alias (`B: *pass`): the span
/// of the alias in `text`. An alias's node is a copy of its anchor's, spans included, so
/// its value lies before its own key; nothing else does.
pub fn alias_on_path(root: &Node, text: &str, pointer: &str) -> Option<Span> {
    let mut node = root;
    for raw in pointer.strip_prefix('/')?.split('/') {
        node = skip_tags(node);
        match &node.kind {
            Kind::Object(_) => {
                let member = node.member(&unescape_token(raw))?;
                if member.value.span.start() < member.key_span.start() {
                    return alias_after(text, member.key_span.end());
                }
                node = &member.value;
            }
            Kind::Array(items) => node = items.get(raw.parse::<usize>().ok()?)?,
            _ => return None,
        }
    }
    None
}

/// The `*name` that follows a mapping key ending at `key_end`.
fn alias_after(text: &str, key_end: usize) -> Option<Span> {
    let rest = text.get(key_end..)?;
    let start = key_end + rest.find('*')?;
    let between = &text[key_end..start];
    if !between.trim_start_matches(['"', '\'']).trim_start().strip_prefix(':').is_some_and(|gap| gap.trim().is_empty()) {
        return None;
    }
    let name = text[start + 1..].find(|c: char| c.is_whitespace() || matches!(c, ',' | ']' | '}')).unwrap_or(text.len() - start - 1);
    Some(Span::new(start, start + 1 + name))
}

/// Decodes one reference token of a JSON Pointer (`~1` is `/`, `~0` is `~`).
pub fn unescape_token(raw: &str) -> std::borrow::Cow<'_, str> {
    if raw.contains('~') { raw.replace("~1", "/").replace("~0", "~").into() } else { raw.into() }
}

/// Appends one reference token to a JSON Pointer, escaping `~` and `/`.
pub fn push_token(pointer: &str, token: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + token.len() + 1);
    out.push_str(pointer);
    out.push('/');
    // Almost no token needs escaping: copy it whole rather than a character at a time.
    if !token.contains(['~', '/']) {
        out.push_str(token);
        return out;
    }
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

/// One reference token of a JSON Pointer.
#[derive(Clone, Copy, Debug)]
pub enum Token<'t> {
    Key(&'t str),
    Index(usize),
}

/// The JSON Pointers of the nodes a walk visits, built only for the few it reports: each
/// step keeps the index of its parent step and its own token.
pub struct Trail<'t> {
    root: &'t str,
    steps: Vec<(usize, Token<'t>)>,
}

impl<'t> Trail<'t> {
    /// The step that stands for the root pointer itself.
    pub const ROOT: usize = 0;

    pub fn new(root: &'t str) -> Self {
        Trail { root, steps: Vec::new() }
    }

    /// Adds a step below `parent` and returns its index (the root is not stored: step `i`
    /// is `steps[i - 1]`).
    pub fn step(&mut self, parent: usize, token: Token<'t>) -> usize {
        // A walk that takes one step usually takes a dozen: room for them at once.
        if self.steps.capacity() == 0 {
            self.steps.reserve(16);
        }
        self.steps.push((parent, token));
        self.steps.len()
    }

    /// The tokens from the root to step `at`.
    pub fn tokens(&self, mut at: usize) -> Vec<Token<'t>> {
        let mut tokens = Vec::new();
        while at != Self::ROOT {
            let (parent, token) = self.steps[at - 1];
            tokens.push(token);
            at = parent;
        }
        tokens.reverse();
        tokens
    }

    pub fn pointer(&self, at: usize) -> String {
        self.tokens(at).iter().fold(self.root.to_string(), |pointer, token| match token {
            Token::Key(key) => push_token(&pointer, key),
            Token::Index(i) => push_token(&pointer, &i.to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_json_length_counts_what_serde_json_writes() {
        let text = "{ \"a\" : [1, 2.5, -3, 0, 10, 99, 100, -1000000, 123456789012345, true, false, null],\n  \"b\\n\\u0001\" : {\"c\": \"q\\\"x\\t\"}, \"d\": {} }";
        let node = parse(text, Format::Json).unwrap();
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(node.compact_json_len(), serde_json::to_string(&value).unwrap().len());
    }

    #[test]
    fn pointer_lookup_takes_the_last_duplicate_and_unescapes() {
        let text = r#"{"a/b": {"x": 1, "x": [true, {"~k": null}]}}"#;
        let root = parse(text, Format::Json).unwrap();
        let (node, key) = root.lookup("/a~1b/x/1/~0k").unwrap();
        assert_eq!(node.kind, Kind::Null);
        assert_eq!(&text[key.unwrap().range()], "\"~k\"");
        assert!(root.lookup("/a~1b/x/7").is_none());
        assert_eq!(push_token("/States", "a/b~c"), "/States/a~1b~0c");
    }

    #[test]
    fn find_matches_str_find() {
        let long = format!("{}States.UUID()", "x".repeat(100));
        for (text, needle) in
            [("$$.Execution.Id", "$$.Execution"), ("a$$$.b", "$$."), ("été $$", "$$"), ("abc", "abcd"), ("", "a"), (&long, "States.UUID(")]
        {
            assert_eq!(find(text, needle), text.find(needle), "{text:?} {needle:?}");
        }
        assert_eq!(find("abc", ""), None);
        for (text, expected) in [("${A}", true), ("$ {A}", false), ("a$", false), (&*format!("{long}${{B}}"), true), (&*long, false)] {
            assert_eq!(has_placeholder(text), expected, "{text:?}");
        }
    }

    #[test]
    fn a_trail_builds_the_pointer_of_any_step() {
        let mut trail = Trail::new("/States/A");
        let parameters = trail.step(Trail::ROOT, Token::Key("Parameters"));
        let items = trail.step(parameters, Token::Key("a/b"));
        let sibling = trail.step(parameters, Token::Key("c"));
        let item = trail.step(items, Token::Index(2));
        assert_eq!(trail.pointer(item), "/States/A/Parameters/a~1b/2");
        assert_eq!(trail.pointer(sibling), "/States/A/Parameters/c");
        assert_eq!(trail.pointer(Trail::ROOT), "/States/A");
    }
}

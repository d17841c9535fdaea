//! What a rule reports: one primary location, optional labels and a help line. A leaf:
//! every other module may use it, and it uses none of them.

use std::fmt;

/// A byte range in a file, end exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    start: u32,
    end: u32,
}

impl Span {
    /// Offsets are 32-bit, which keeps the tree small; no file of 4 GiB or more is read
    /// (see `syntax::MAX_TEXT_LEN`), and an offset past that saturates rather than wraps.
    pub fn new(start: usize, end: usize) -> Self {
        let offset = |at: usize| u32::try_from(at).unwrap_or(u32::MAX);
        Span { start: offset(start), end: offset(end) }
    }

    pub fn start(self) -> usize {
        self.start as usize
    }

    pub fn end(self) -> usize {
        self.end as usize
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start()..self.end()
    }
}

/// A 1-based line and column (columns count characters), with the byte offset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub offset: usize,
}

/// The documentation site, `homepage` in `Cargo.toml`: the one place every printed URL
/// comes from.
pub const HOMEPAGE: &str = env!("CARGO_PKG_HOMEPAGE");

/// What the registry knows of a rule.
#[derive(Debug)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub summary: &'static str,
    pub severity: Severity,
    /// `rules/CODE.md`, embedded.
    pub doc: &'static str,
}

/// The page of the documentation site that `rules/CODE.md` becomes.
pub fn rule_url(code: &str) -> String {
    format!("{HOMEPAGE}rules/{code}.html")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase", try_from = "String")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl TryFrom<String> for Severity {
    type Error = String;
    fn try_from(word: String) -> Result<Self, String> {
        match word.as_str() {
            "info" => Ok(Severity::Info),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            _ => Err(format!("`{word}` is not one of `error`, `warning`, `info`")),
        }
    }
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secondary location with a short text. `file` is `None` for the finding's own file.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub file: Option<String>,
    pub span: Span,
    /// Line and column of `span`, filled in when the file finishes linting.
    pub start: Position,
    pub end: Position,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    /// The file as shown to the user (relative to the working folder when below it).
    pub file: String,
    /// The state machine's logical ID or name inside a template; `None` for a standalone file.
    pub definition: Option<String>,
    pub state: Option<String>,
    /// A JSON Pointer into the definition.
    pub pointer: String,
    pub span: Span,
    /// Line and column of `span`, filled in when the file finishes linting, so that no
    /// file's text has to outlive its lint.
    pub start: Position,
    pub end: Position,
    pub labels: Vec<Label>,
    /// Most helps are fixed sentences: borrowed, not copied for every finding.
    pub help: Option<std::borrow::Cow<'static, str>>,
    /// The change that resolves the finding, when the rule knows one.
    pub fix: Option<Fix>,
    /// The source lines the finding and its labels point into, for formats that draw them;
    /// empty unless the run asked for them.
    pub excerpts: Vec<Excerpt>,
}

/// A change that resolves a finding: edits of its file, applied together.
#[derive(Clone, Debug, PartialEq)]
pub struct Fix {
    /// What the change does, as an editor's menu shows it.
    pub title: String,
    pub applicability: Applicability,
    /// In the file's byte offsets; they do not overlap.
    pub edits: Vec<Edit>,
}

/// Whether applying a fix can change what the workflow does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applicability {
    /// The workflow does the same: only the definition's form changes.
    Safe,
    /// The workflow does something else (it passes a new key, deduplicates a message):
    /// right for the finding, but to be reviewed.
    Unsafe,
}

/// The text that replaces `span` (an empty span: inserted at its start).
#[derive(Clone, Debug, PartialEq)]
pub struct Edit {
    pub span: Span,
    pub text: String,
}

/// Whole lines of a file's text, kept with a finding so that a format can draw them once the
/// text itself is gone: no file's text outlives its lint.
#[derive(Clone, Debug, PartialEq)]
pub struct Excerpt {
    /// The file as shown to the user.
    pub file: String,
    /// The byte offset in the file where `text` begins, and the number of lines before it.
    pub offset: usize,
    pub lines_before: usize,
    pub text: String,
}

impl Label {
    /// A label in `file` (`None`: the finding's own).
    pub fn new(file: Option<String>, span: Span, message: impl Into<String>) -> Self {
        Label { file, span, start: Position::default(), end: Position::default(), message: message.into() }
    }
}

impl Finding {
    /// A finding of `meta`'s rule, at its default severity, outside any definition.
    pub fn new(meta: &RuleMeta, file: &str, span: Span, message: impl Into<String>) -> Self {
        Finding {
            code: meta.code,
            name: meta.name,
            severity: meta.severity,
            message: message.into(),
            file: file.to_string(),
            definition: None,
            state: None,
            pointer: String::new(),
            span,
            start: Position::default(),
            end: Position::default(),
            labels: Vec::new(),
            help: None,
            fix: None,
            excerpts: Vec::new(),
        }
    }

    pub fn label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label::new(None, span, message));
        self
    }

    /// A label in another file (`None`: the finding's own).
    pub fn label_in(mut self, file: Option<String>, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label::new(file, span, message));
        self
    }

    pub fn help(mut self, help: impl Into<std::borrow::Cow<'static, str>>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// An identity that survives edits elsewhere in the file: a hash of the file, the
    /// definition, the state, the code and the message (no positions). FNV-1a, 64 bits.
    pub fn fingerprint(&self) -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for part in
            [self.file.as_str(), self.definition.as_deref().unwrap_or(""), self.state.as_deref().unwrap_or(""), self.code, &self.message]
        {
            for byte in part.bytes().chain([0xff]) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        format!("{hash:016x}")
    }

    /// The order of findings in every output: file, offset, code, then message.
    pub fn order(&self, other: &Finding) -> std::cmp::Ordering {
        (&self.file, self.span.start(), self.code, &self.message).cmp(&(&other.file, other.span.start(), other.code, &other.message))
    }
}

//! Suppressions — a `sfn-lint: ignore[CODE,...] reason` directive in a state's or the
//! definition's `Comment`, in a YAML `#` comment on a line of the finding, or in a
//! CloudFormation resource's `Metadata` — and the baseline.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Edit, Finding};
use crate::rules::{self, Selection};
use crate::syntax::{LineIndex, Node, Span};

/// Where a directive applies.
#[derive(Clone, Debug, PartialEq)]
pub enum Scope {
    /// The whole definition (its top-level `Comment`, or the resource's `Metadata`).
    Definition,
    /// A state, and everything inside it: its pointer.
    State(String),
    /// The findings whose span covers this 1-based line (a YAML comment).
    Line(usize),
}

/// One `ignore` directive: its codes (each with the span that names it) and its scope.
#[derive(Clone, Debug)]
pub struct Directive {
    pub scope: Scope,
    pub codes: Vec<(String, Span)>,
    pub state: Option<String>,
    /// The file the directive is written in, when not the linted one (a template's
    /// `Metadata` for the definition file it names).
    pub file: Option<String>,
}

/// The codes of a `sfn-lint: ignore[A, B]` directive in `text`, with their byte ranges.
pub fn parse_directive(text: &str) -> Option<Vec<(String, std::ops::Range<usize>)>> {
    let at = crate::syntax::find(text, "sfn-lint: ignore[")?;
    let start = at + "sfn-lint: ignore[".len();
    let end = start + text[start..].find(']')?;
    let mut codes = Vec::new();
    let mut offset = start;
    for part in text[start..end].split(',') {
        let trimmed = part.trim();
        let lead = part.len() - part.trim_start().len();
        if !trimmed.is_empty() {
            codes.push((trimmed.to_string(), offset + lead..offset + lead + trimmed.len()));
        }
        offset += part.len() + 1;
    }
    Some(codes)
}

/// `# sfn-lint: ignore[...]` comments of a YAML text: a `#` that starts a comment (at the
/// start of a line or after a blank, outside quotes).
pub fn yaml_directives(text: &str) -> Vec<Directive> {
    let mut out = Vec::new();
    let mut line_start = 0;
    for (number, line) in text.split_inclusive('\n').enumerate() {
        if let Some(hash) = comment_start(line) {
            if let Some(codes) = parse_directive(&line[hash..]) {
                let base = line_start + hash;
                let codes = codes.into_iter().map(|(code, range)| (code, Span::new(base + range.start, base + range.end))).collect();
                out.push(Directive { scope: Scope::Line(number + 1), codes, state: None, file: None });
            }
        }
        line_start += line.len();
    }
    out
}

/// The edits that silence `findings` in their file: in YAML, a `# sfn-lint: ignore[...]`
/// comment at the end of each finding's line (or its codes added to one already there);
/// in JSON, the codes added to each state's `Comment` directive (or a new `Comment`). One
/// edit per line or state, whatever the number of findings there; codes already listed are
/// not added again. A finding outside any state of a JSON file gets none.
pub fn suppression_edits(text: &str, root: Option<&Node>, findings: &[&Finding], yaml: bool) -> Vec<Edit> {
    let insert = |at: usize, text: String| Edit { span: Span::new(at, at), text };
    let mut edits = Vec::new();
    if yaml {
        let mut by_line: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
        for finding in findings {
            let start = finding.span.start().min(text.len());
            let line_start = text[..start].rfind('\n').map_or(0, |n| n + 1);
            let codes = by_line.entry(line_start).or_default();
            if !codes.contains(&finding.code) {
                codes.push(finding.code);
            }
        }
        for (line_start, codes) in by_line {
            let line_end = text[line_start..].find('\n').map_or(text.len(), |n| line_start + n);
            let line_end = if text[..line_end].ends_with('\r') { line_end - 1 } else { line_end };
            let line = &text[line_start..line_end];
            let present = comment_start(line).and_then(|hash| Some((hash, parse_directive(&line[hash..])?)));
            match present {
                Some((hash, listed)) => {
                    let new: Vec<&str> = codes.into_iter().filter(|c| !listed.iter().any(|(l, _)| l == c)).collect();
                    let close = line[hash..].find("sfn-lint: ignore[").and_then(|at| line[hash + at..].find(']').map(|c| hash + at + c));
                    if let (false, Some(close)) = (new.is_empty(), close) {
                        let separator = if listed.is_empty() { "" } else { ", " };
                        edits.push(insert(line_start + close, format!("{separator}{}", new.join(", "))));
                    }
                }
                None => edits.push(insert(line_end, format!("  # sfn-lint: ignore[{}]", codes.join(", ")))),
            }
        }
        return edits;
    }
    let Some(root) = root else { return edits };
    let mut by_state: BTreeMap<&str, (Option<&Node>, Vec<&str>)> = BTreeMap::new();
    for finding in findings {
        // The state around the finding: the longest prefix of its pointer under `States`.
        let mut pointer = finding.pointer.as_str();
        let state = loop {
            let Some(cut) = pointer.rfind('/') else { break None };
            if pointer[..cut].ends_with("/States") {
                break Some(pointer);
            }
            pointer = &pointer[..cut];
        };
        let Some(state) = state else { continue };
        let entry = by_state.entry(state).or_insert_with(|| (root.lookup(state).map(|(node, _)| node), Vec::new()));
        if !entry.1.contains(&finding.code) {
            entry.1.push(finding.code);
        }
    }
    for (node, codes) in by_state.into_values() {
        let Some(node) = node.filter(|n| n.is_object()) else { continue };
        match node.get("Comment") {
            Some(comment) if comment.as_str().is_some() => {
                let listed = comment.as_str().and_then(parse_directive).unwrap_or_default();
                let new: Vec<&str> = codes.into_iter().filter(|c| !listed.iter().any(|(l, _)| l == c)).collect();
                if new.is_empty() {
                    continue;
                }
                let source = &text[comment.span.range()];
                match source.find("sfn-lint: ignore[").and_then(|at| source[at..].find(']').map(|close| at + close)) {
                    Some(close) => {
                        let separator = if listed.is_empty() { "" } else { ", " };
                        edits.push(insert(comment.span.start() + close, format!("{separator}{}", new.join(", "))));
                    }
                    None => edits.push(insert(comment.span.end() - 1, format!(" sfn-lint: ignore[{}]", new.join(", ")))),
                }
            }
            Some(_) => {} // a `Comment` that is not a string is ASL006's to report
            None => {
                edits.extend(crate::syntax::edit::insert_member(text, node, "Comment", &format!("sfn-lint: ignore[{}]", codes.join(", "))))
            }
        }
    }
    edits
}

fn comment_start(line: &str) -> Option<usize> {
    let mut quote = None;
    let mut previous = ' ';
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '#') if previous.is_whitespace() => return Some(i),
            _ => {}
        }
        previous = c;
    }
    None
}

fn matches(code: &str, finding: &Finding) -> bool {
    rules::find(finding.code).is_some_and(|meta| rules::matches(code, meta))
}

/// Removes the findings that directives silence. Returns how many were silenced, and a
/// LINT001 finding for each directive code that names no rule, or that silenced nothing
/// although its rules ran.
pub fn apply(
    findings: &mut Vec<Finding>,
    directives: &[Directive],
    text: &str,
    file: &str,
    selection: &Selection,
) -> (usize, Vec<Finding>) {
    if directives.is_empty() {
        return (0, Vec::new());
    }
    let index = LineIndex::new(text);
    let mut used: Vec<Vec<bool>> = directives.iter().map(|directive| vec![false; directive.codes.len()]).collect();
    // The directives by scope, so that a finding meets only those that may reach it: a
    // definition with a directive in every state must not pay states × findings.
    let mut everywhere = Vec::new();
    let mut by_state: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_line: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (d, directive) in directives.iter().enumerate() {
        match &directive.scope {
            Scope::Definition => everywhere.push(d),
            Scope::State(pointer) => by_state.entry(pointer.as_str()).or_default().push(d),
            Scope::Line(line) => by_line.entry(*line).or_default().push(d),
        }
    }
    let before = findings.len();
    findings.retain(|finding| {
        // The finding's state and every object around it: the pointer itself, and each
        // prefix that ends before a `/`.
        let pointer = finding.pointer.as_str();
        let enclosing = pointer.match_indices('/').map(|(at, _)| &pointer[..at]).chain([pointer]);
        let in_states = enclosing.filter_map(|prefix| by_state.get(prefix)).flatten();
        let (first, last) = (index.position(text, finding.span.start()).line, index.position(text, finding.span.end()).line);
        let on_lines = (first <= last).then(|| by_line.range(first..=last)).into_iter().flatten().flat_map(|(_, ds)| ds);
        let mut silenced = false;
        for &d in everywhere.iter().chain(in_states).chain(on_lines) {
            for (c, (code, _)) in directives[d].codes.iter().enumerate() {
                if matches(code, finding) {
                    used[d][c] = true;
                    silenced = true;
                }
            }
        }
        !silenced
    });
    let suppressed = before - findings.len();
    let mut unused = Vec::new();
    for (d, directive) in directives.iter().enumerate() {
        for (c, (code, span)) in directive.codes.iter().enumerate() {
            let known = rules::REGISTRY.iter().any(|r| rules::matches(code, r.meta()));
            let ran = rules::REGISTRY.iter().any(|r| selection.enabled(r.meta()) && rules::matches(code, r.meta()));
            let message = if !known {
                format!("`{code}` in this suppression is not a rule code, code prefix or name")
            } else if !used[d][c] && ran {
                format!("this suppression of `{code}` matches no finding; remove it")
            } else {
                continue;
            };
            let mut finding = rules::unused_suppression(directive.file.as_deref().unwrap_or(file), *span, message);
            finding.state = directive.state.clone();
            unused.push(finding);
        }
    }
    (suppressed, unused)
}

/// A recorded set of findings, keyed without positions so edits elsewhere keep it valid.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    version: u32,
    findings: Vec<Entry>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    file: String,
    definition: Option<String>,
    state: Option<String>,
    code: String,
    message: String,
}

impl Entry {
    fn of(finding: &Finding) -> Self {
        Entry {
            file: finding.file.clone(),
            definition: finding.definition.clone(),
            state: finding.state.clone(),
            code: finding.code.to_string(),
            message: finding.message.clone(),
        }
    }
}

impl Baseline {
    pub fn from_findings(findings: &[Finding]) -> Self {
        let mut entries: Vec<Entry> = findings.iter().map(Entry::of).collect();
        entries.sort();
        Baseline { version: 1, findings: entries }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("plain data serializes") + "\n"
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let baseline: Baseline = serde_json::from_str(text).map_err(|e| format!("not a baseline: {e}"))?;
        if baseline.version != 1 {
            return Err(format!("baseline version {} is not supported", baseline.version));
        }
        Ok(baseline)
    }

    /// Hides the findings the baseline records (each entry once): how many it hid, and how
    /// many entries no longer match a finding.
    pub fn apply(&self, findings: &mut Vec<Finding>) -> (usize, usize) {
        let mut remaining: BTreeMap<&Entry, usize> = BTreeMap::new();
        for entry in &self.findings {
            *remaining.entry(entry).or_default() += 1;
        }
        let before = findings.len();
        findings.retain(|finding| match remaining.get_mut(&Entry::of(finding)) {
            Some(count) if *count > 0 => {
                *count -= 1;
                false
            }
            _ => true,
        });
        (before - findings.len(), remaining.values().sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_in_comments() {
        let codes = parse_directive("Retried by design. sfn-lint: ignore[ALO004, unreachable-state] the key is in the body").unwrap();
        let names: Vec<&str> = codes.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(names, ["ALO004", "unreachable-state"]);
        assert!(parse_directive("no directive here").is_none());
        let yaml = "a: 1 # sfn-lint: ignore[ALO001]\nb: '# sfn-lint: ignore[X]'\n# sfn-lint: ignore[EXP003]\n";
        let found = yaml_directives(yaml);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].scope, Scope::Line(1));
        assert_eq!(&yaml[found[0].codes[0].1.range()], "ALO001");
        assert_eq!(found[1].scope, Scope::Line(3));
    }

    #[test]
    fn a_directive_silences_what_lies_in_its_scope() {
        let meta = rules::find("ASL006").unwrap();
        let text = "line 1\nline 2\nline 3\n";
        let finding = |pointer: &str, line_start: usize| {
            let mut finding = Finding::new(meta, "f", Span::new(line_start, line_start + 1), "m");
            finding.pointer = pointer.to_string();
            finding
        };
        let directive =
            |scope: Scope, code: &str| Directive { scope, codes: vec![(code.to_string(), Span::new(0, 0))], state: None, file: None };
        let mut findings = vec![
            finding("/States/A", 0),
            finding("/States/A/Parameters/x", 0),
            // A state whose name starts with another's is not inside it.
            finding("/States/AB", 0),
            // On the third line.
            finding("/States/C", 14),
            finding("/States/D", 7),
        ];
        let directives = [
            directive(Scope::State("/States/A".into()), "ASL006"),
            directive(Scope::Line(3), "invalid-state-field"),
            directive(Scope::State("/States/D".into()), "ALO001"),
        ];
        let selection = Selection { select: Vec::new(), ignore: Vec::new() };
        let (suppressed, unused) = apply(&mut findings, &directives, text, "f", &selection);
        assert_eq!(suppressed, 3);
        let left: Vec<&str> = findings.iter().map(|f| f.pointer.as_str()).collect();
        assert_eq!(left, ["/States/AB", "/States/D"]);
        assert_eq!(unused.len(), 1, "the ALO001 directive silenced nothing");
        // A directive on the definition reaches everything.
        let (suppressed, _) = apply(&mut findings, &[directive(Scope::Definition, "ASL")], text, "f", &selection);
        assert_eq!((suppressed, findings.len()), (2, 0));
    }
}

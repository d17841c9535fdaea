//! Applying fixes to a file: the engine behind `--fix` and `--diff`, on the same `Fix`
//! data the language server offers as code actions.

use crate::diagnostic::{Applicability, Edit, Fix};

/// Which fixes to apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Allowed {
    Safe,
    /// Also those that change what the workflow does.
    Unsafe,
}

impl Allowed {
    pub fn allows(self, fix: &Fix) -> bool {
        fix.applicability == Applicability::Safe || self == Allowed::Unsafe
    }
}

/// `text` with `fixes` applied, and how many were. Fixes go in the order of their first
/// edit; one whose edits touch or overlap an applied one waits for the next run, so that
/// no edit lands in text another has changed.
pub fn apply(text: &str, fixes: &[&Fix]) -> (String, usize) {
    let mut fixes: Vec<&Fix> = fixes.iter().copied().filter(|f| !f.edits.is_empty()).collect();
    fixes.sort_by_key(|f| f.edits.iter().map(|e| e.span.start()).min());
    let mut taken: Vec<&Edit> = Vec::new();
    let mut applied = 0;
    for fix in fixes {
        let clashes = fix.edits.iter().any(|edit| {
            edit.span.end() > text.len() || taken.iter().any(|t| edit.span.start() <= t.span.end() && t.span.start() <= edit.span.end())
        });
        if !clashes {
            taken.extend(&fix.edits);
            applied += 1;
        }
    }
    taken.sort_by_key(|e| e.span.start());
    let mut out = String::with_capacity(text.len() + taken.iter().map(|e| e.text.len()).sum::<usize>());
    let mut at = 0;
    for edit in taken {
        out.push_str(&text[at..edit.span.start()]);
        out.push_str(&edit.text);
        at = edit.span.end();
    }
    out.push_str(&text[at..]);
    (out, applied)
}

/// Writes `text` to `path` through a file beside it and a rename, so that a reader never
/// sees half of it and a failure leaves the file as it was.
pub fn write_atomically(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = path.with_file_name(format!(".{name}.sfn-lint-fix"));
    std::fs::write(&temporary, text)?;
    if let Ok(metadata) = std::fs::metadata(path) {
        // Keep the file's permissions.
        let _ = std::fs::set_permissions(&temporary, metadata.permissions());
    }
    std::fs::rename(&temporary, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
}

/// A unified diff of a file's text before and after its fixes.
pub fn diff(file: &str, before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after).unified_diff().context_radius(3).header(file, file).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Span;

    fn insert(at: usize, text: &str) -> Fix {
        Fix { title: String::new(), applicability: Applicability::Safe, edits: vec![Edit { span: Span::new(at, at), text: text.into() }] }
    }

    #[test]
    fn edits_apply_in_order_and_clashes_wait() {
        let (a, b, c) = (insert(0, "<"), insert(3, ">"), insert(3, "!"));
        let (out, applied) = apply("abc", &[&b, &a, &c]);
        assert_eq!((out.as_str(), applied), ("<abc>", 2), "the second insertion at one place waits");
        let replace = Fix { edits: vec![Edit { span: Span::new(1, 2), text: "B".into() }], ..insert(0, "") };
        assert_eq!(apply("abc", &[&replace]), ("aBc".to_string(), 1));
        assert_eq!(apply("abc", &[&insert(9, "x")]), ("abc".to_string(), 0), "an edit past the end is not applied");
    }
}

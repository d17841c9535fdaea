//! Code actions: for each finding in the range, the fix it carries (if any) and a
//! suppression comment for its state (JSON) or line (YAML).

use std::collections::HashMap;

use lsp_types::{CodeAction, CodeActionKind, CodeActionParams, TextEdit, WorkspaceEdit};

use super::convert::{self, Document, offset, path_of};
use super::server::Server;
use crate::diagnostic::Edit;
use crate::discover::format_of;
use crate::syntax::{self, LineIndex};

impl Server {
    pub(super) fn code_actions(&mut self, params: CodeActionParams) -> Vec<CodeAction> {
        let uri = params.text_document.uri;
        let (Some(text), Some(path)) = (self.documents.get(uri.as_str()).cloned(), path_of(uri.as_str())) else { return Vec::new() };
        let start = offset(&text, params.range.start, self.encoding);
        let end = offset(&text, params.range.end, self.encoding);
        let findings = self.findings.get(uri.as_str()).cloned().unwrap_or_default();
        let yaml = matches!(format_of(&path, &text), Some(syntax::Format::Yaml));
        let root = format_of(&path, &text).and_then(|f| syntax::parse(&text, f).ok());
        let lines = LineIndex::new(&text);
        let document = Document { text: &text, lines: &lines, encoding: self.encoding };
        let mut actions = Vec::new();
        for finding in findings.iter().filter(|f| f.span.start() <= end && start <= f.span.end() && f.code != "ASL001") {
            let diagnostic = convert::diagnostic(&uri, &document, self.root.as_deref(), finding);
            let mut action = |title: &str, edits: &[Edit]| {
                let edits = edits.iter().map(|edit| TextEdit::new(document.range(edit.span), edit.text.clone())).collect();
                actions.push(CodeAction {
                    title: title.to_string(),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diagnostic.clone()]),
                    edit: Some(WorkspaceEdit { changes: Some(HashMap::from([(uri.clone(), edits)])), ..Default::default() }),
                    ..Default::default()
                });
            };
            if let Some(fix) = &finding.fix {
                action(&fix.title, &fix.edits);
            }
            if let Some(edit) = crate::suppress::suppression_edits(&text, root.as_ref(), &[finding], yaml).pop() {
                let scope = if yaml { "on this line" } else { "for this state" };
                action(&format!("Suppress {} {scope}", finding.code), &[edit]);
            }
        }
        actions
    }
}

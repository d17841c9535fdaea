//! Hover: the rule behind each finding under the cursor, and for a state's name whether it
//! may run more than once and its worst-case time.

use lsp_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind};

use super::convert::{offset, path_of};
use super::server::Server;
use crate::asl::{Analysis, Machine};
use crate::discover::format_of;
use crate::host::{self, Body, Contents, Definition};
use crate::rules;
use crate::syntax;

impl Server {
    pub(super) fn hover(&mut self, params: HoverParams) -> Option<Hover> {
        let position = params.text_document_position_params;
        let uri = position.text_document.uri.as_str();
        let text = self.documents.get(uri)?.clone();
        let at = offset(&text, position.position, self.encoding);
        let findings = self.findings.get(uri).cloned().unwrap_or_default();
        let mut sections = Vec::new();
        for finding in findings.iter().filter(|f| f.span.start() <= at && at <= f.span.end()) {
            if let Some(meta) = rules::find(finding.code) {
                sections.push(format!("**{} {}** — {}\n\n{}", meta.code, meta.name, finding.message, meta.doc));
            }
        }
        if let Some(state) = self.state_context(uri, &text, at) {
            sections.insert(0, state);
        }
        if sections.is_empty() {
            return None;
        }
        let contents = MarkupContent { kind: MarkupKind::Markdown, value: sections.join("\n\n---\n\n") };
        Some(Hover { contents: HoverContents::Markup(contents), range: None })
    }

    /// For a state name under the cursor: whether it may run more than once, and its
    /// worst-case time. Standalone definitions and those written inline in a template.
    fn state_context(&mut self, uri: &str, text: &str, at: usize) -> Option<String> {
        let path = path_of(uri)?;
        let options = self.options(&path);
        let root = syntax::parse(text, format_of(&path, text)?).ok()?;
        let hosted = match host::contents(&path, text, &root) {
            Contents::Definition => return describe_state(&host::standalone(&root, text, options.declared_type()), at),
            Contents::Template(hosted) => hosted,
            Contents::Nothing => return None,
        };
        hosted.iter().find_map(|machine| match &machine.body {
            Body::Tree(node) if node.span.start() <= at && at <= node.span.end() => {
                describe_state(&machine.definition(node, text, &host::IDENTITY, None), at)
            }
            _ => None,
        })
    }
}

fn describe_state(definition: &Definition<'_>, at: usize) -> Option<String> {
    let mut machine = Machine::new(definition.root);
    machine.resolve_resources(definition.resources.as_ref());
    let state = machine.states.iter().find(|s| s.key_span.start() <= at && at <= s.key_span.end())?;
    let analysis = Analysis::new(&machine, definition, Default::default());
    let cx = rules::Context {
        file: "",
        text: definition.text,
        definition,
        machine: &machine,
        analysis: &analysis,
        transient_severity: crate::diagnostic::Severity::Info,
        anchors: &Default::default(),
    };
    let mut lines = vec![format!("**{}** ({:?} state)", state.name, state.kind)];
    match analysis.contexts().of(state.id).first() {
        Some(cause) => lines.push(format!("May run more than once: {}.", rules::why(&cx, state, cause))),
        None => lines.push("Runs once per visit: a Standard workflow with no retry on an ambiguous error.".into()),
    }
    if rules::express_execution(&cx, state).is_some() {
        let detail = analysis.durations().detail(&machine, state.id, definition.resources.as_ref()).map(|d| rules::detail_text(&d));
        match analysis.durations().state[state.id].definite() {
            Some(seconds) if let Some(detail) = detail => {
                lines.push(format!("Worst case in the 300 s Express budget: {seconds} s ({detail})."))
            }
            Some(_) => {}
            None => lines.push("Worst case: unbounded.".into()),
        }
    }
    Some(lines.join("\n\n"))
}

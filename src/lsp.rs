//! `sfn-lint lsp`: a language server over standard input and output. Diagnostics on open,
//! change and save for every file kind the linter reads, hover with the rule's
//! documentation and a state's at-least-once context and time budget, and quick fixes:
//! suppress a finding for its state, pass the execution ID to a Lambda, deduplicate a
//! FIFO send. Synchronous: each message is handled before the next is read.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lsp_server::{Connection, Message, Notification, Request, Response};
use serde_json::{Value, json};

use crate::asl::{Analysis, Machine};
use crate::config::{self, Config};
use crate::diagnostic::{Edit, Finding, Severity, rule_url};
use crate::discover::{self, format_of};
use crate::host::{self, Body, Contents, Definition};
use crate::lint::{self, Options};
use crate::rules;
use crate::syntax::{self, LineIndex, Span};

/// How the client counts columns.
#[derive(Clone, Copy, PartialEq)]
enum Encoding {
    Utf8,
    Utf16,
}

struct Server {
    connection: Connection,
    encoding: Encoding,
    root: Option<PathBuf>,
    documents: HashMap<String, String>,
    /// The findings last published for each document, for hover and code actions.
    findings: HashMap<String, Vec<Finding>>,
    /// Definition files the workspace's templates name (by canonical path), so that one
    /// opened on its own is linted with its template's type, as `sfn-lint check .` does.
    bindings: Option<HashMap<PathBuf, (lint::Binding, String)>>,
    /// The configuration, and the file it came from with its modification time and size.
    config: (Arc<Config>, Option<(PathBuf, std::time::SystemTime, u64)>),
}

pub fn run() -> Result<(), String> {
    let (connection, io_threads) = Connection::stdio();
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    let offers_utf8 =
        params["capabilities"]["general"]["positionEncodings"].as_array().is_some_and(|list| list.iter().any(|e| e == "utf-8"));
    let encoding = if offers_utf8 { Encoding::Utf8 } else { Encoding::Utf16 };
    let root = params["rootUri"].as_str().and_then(path_of).or_else(|| params["rootPath"].as_str().map(PathBuf::from));
    let capabilities = json!({
        "capabilities": {
            "positionEncoding": if offers_utf8 { "utf-8" } else { "utf-16" },
            "textDocumentSync": {"openClose": true, "change": 1, "save": {"includeText": false}},
            "hoverProvider": true,
            "codeActionProvider": {"codeActionKinds": ["quickfix"]},
        },
        "serverInfo": {"name": "sfn-lint", "version": env!("CARGO_PKG_VERSION")},
    });
    connection.initialize_finish(id, capabilities).map_err(|e| e.to_string())?;
    let mut server = Server {
        connection,
        encoding,
        root,
        documents: HashMap::new(),
        findings: HashMap::new(),
        bindings: None,
        config: (Arc::new(Config::default()), None),
    };
    server.serve()?;
    drop(server);
    io_threads.join().map_err(|e| e.to_string())
}

/// `file:///a/b%20c` → `/a/b c`.
fn path_of(uri: &str) -> Option<PathBuf> {
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

fn uri_of(path: &Path) -> String {
    let mut uri = String::from("file://");
    for byte in path.to_string_lossy().bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => uri.push(byte as char),
            other => uri.push_str(&format!("%{other:02X}")),
        }
    }
    uri
}

impl Server {
    fn serve(&mut self) -> Result<(), String> {
        while let Ok(message) = self.connection.receiver.recv() {
            match message {
                Message::Request(request) => {
                    if self.connection.handle_shutdown(&request).map_err(|e| e.to_string())? {
                        return Ok(());
                    }
                    let response = match request.method.as_str() {
                        "textDocument/hover" => Response::new_ok(request.id.clone(), self.hover(&request)),
                        "textDocument/codeAction" => Response::new_ok(request.id.clone(), self.code_actions(&request)),
                        method => Response::new_err(
                            request.id.clone(),
                            lsp_server::ErrorCode::MethodNotFound as i32,
                            format!("sfn-lint does not handle {method}"),
                        ),
                    };
                    self.send(Message::Response(response));
                }
                Message::Notification(notification) => self.notification(notification),
                Message::Response(_) => {}
            }
        }
        Ok(())
    }

    fn send(&self, message: Message) {
        // A closed channel means the client has gone; the loop ends on the next receive.
        let _ = self.connection.sender.send(message);
    }

    fn notification(&mut self, notification: Notification) {
        let params = &notification.params;
        let uri = params["textDocument"]["uri"].as_str().unwrap_or_default().to_string();
        match notification.method.as_str() {
            "textDocument/didOpen" => {
                self.documents.insert(uri.clone(), params["textDocument"]["text"].as_str().unwrap_or_default().to_string());
                self.publish(&uri);
            }
            "textDocument/didChange" => {
                if let Some(text) = params["contentChanges"].as_array().and_then(|c| c.last()).and_then(|c| c["text"].as_str()) {
                    self.documents.insert(uri.clone(), text.to_string());
                }
                self.publish(&uri);
            }
            "textDocument/didSave" => self.publish(&uri),
            "textDocument/didClose" => {
                self.documents.remove(&uri);
                self.findings.remove(&uri);
                self.send(Message::Notification(Notification::new(
                    "textDocument/publishDiagnostics".into(),
                    json!({"uri": uri, "diagnostics": []}),
                )));
            }
            _ => {}
        }
    }

    /// The workspace's `sfn-lint.toml`, reloaded when it changes.
    fn options(&mut self, path: &Path) -> Options {
        let start = path.parent().map(Path::to_path_buf).or_else(|| self.root.clone()).unwrap_or_default();
        let found = config::discover(&start);
        let stamp = found.as_ref().and_then(|p| {
            let metadata = std::fs::metadata(p).ok()?;
            Some((p.clone(), metadata.modified().ok()?, metadata.len()))
        });
        if stamp != self.config.1 {
            let loaded = match found.as_deref().map(config::load).transpose() {
                Ok(loaded) => loaded.unwrap_or_default(),
                Err(error) => {
                    // The defaults stand in until the file is fixed; the user is told why.
                    let message = format!("sfn-lint: {}: {}", error.path.display(), error.message);
                    self.send(Message::Notification(Notification::new(
                        "window/showMessage".into(),
                        json!({"type": 1, "message": message}),
                    )));
                    Config::default()
                }
            };
            self.config = (Arc::new(loaded), stamp);
        }
        Options::new(self.config.0.clone(), lint::CommandLine::default(), false).for_path(path)
    }

    fn display(&self, path: &Path) -> String {
        match &self.root {
            Some(root) => path.strip_prefix(root).unwrap_or(path).to_string_lossy().into_owned(),
            None => path.to_string_lossy().into_owned(),
        }
    }

    /// Lints an open document; definition files its templates name are linted too.
    fn lint(&mut self, uri: &str) -> Vec<(String, Vec<Finding>)> {
        let (Some(path), Some(text)) = (path_of(uri), self.documents.get(uri).cloned()) else { return Vec::new() };
        let options = self.options(&path);
        let display = self.display(&path);
        let canonical = std::fs::canonicalize(&path).unwrap_or(path.clone());
        if let Some((binding, template_display)) = self.bindings().get(&canonical) {
            let mut result = lint::lint_bound_bytes(binding, &display, template_display, text.as_bytes(), &options);
            // Findings in the template (an unused `Metadata` code) are published with it.
            result.findings.retain(|f| f.file == display);
            return vec![(uri.to_string(), result.findings)];
        }
        let result = lint::lint_bytes(&path, &display, text.as_bytes(), true, &options);
        let mut out = vec![(uri.to_string(), result.findings)];
        for binding in result.bindings {
            let target = std::fs::canonicalize(&binding.target).unwrap_or(binding.target.clone());
            let target_uri = uri_of(&target);
            let bound_display = self.display(&binding.target);
            let bound = match self.documents.get(&target_uri) {
                Some(open) => lint::lint_bound_bytes(&binding, &bound_display, &display, open.as_bytes(), &options),
                None => lint::lint_bound(&binding, &bound_display, &display, &options),
            };
            let (own, in_template): (Vec<Finding>, Vec<Finding>) = bound.findings.into_iter().partition(|f| f.file == bound_display);
            out[0].1.extend(in_template);
            out.push((target_uri, own));
            self.bindings().insert(target, (binding, display.clone()));
        }
        out
    }

    /// The bindings of the workspace's templates, found by one walk on first use.
    fn bindings(&mut self) -> &mut HashMap<PathBuf, (lint::Binding, String)> {
        if self.bindings.is_none() {
            let mut found = HashMap::new();
            if let Some(root) = self.root.clone() {
                let config = config::discover(&root).and_then(|p| config::load(&p).ok()).unwrap_or_default();
                for candidate in discover::candidates(std::slice::from_ref(&root), &config).unwrap_or_default() {
                    let Ok(text) = std::fs::read_to_string(&candidate.path) else { continue };
                    // Only a file that can name a definition file is worth linting here.
                    if !["DefinitionUri", "DefinitionS3Location", "file(", "templatefile("].iter().any(|m| text.contains(m)) {
                        continue;
                    }
                    let display = self.display(&candidate.path);
                    for binding in lint::bindings_in(&candidate.path, &text) {
                        let target = std::fs::canonicalize(&binding.target).unwrap_or(binding.target.clone());
                        found.insert(target, (binding, display.clone()));
                    }
                }
            }
            self.bindings = Some(found);
        }
        self.bindings.get_or_insert_default()
    }

    fn publish(&mut self, uri: &str) {
        for (target, findings) in self.lint(uri) {
            let text = self.text_of(&target);
            let lines = LineIndex::new(&text);
            let diagnostics: Vec<Value> = findings.iter().map(|f| self.diagnostic(&target, &text, &lines, f)).collect();
            self.findings.insert(target.clone(), findings);
            self.send(Message::Notification(Notification::new(
                "textDocument/publishDiagnostics".into(),
                json!({"uri": target, "diagnostics": diagnostics}),
            )));
        }
    }

    fn text_of(&self, uri: &str) -> String {
        self.documents.get(uri).cloned().or_else(|| path_of(uri).and_then(|p| std::fs::read_to_string(p).ok())).unwrap_or_default()
    }

    fn position(&self, (text, lines): (&str, &LineIndex), offset: usize) -> Value {
        let at = lines.position(text, offset);
        let line_start = text[..at.offset].rfind('\n').map_or(0, |n| n + 1);
        let character = match self.encoding {
            Encoding::Utf8 => at.offset - line_start,
            Encoding::Utf16 => text[line_start..at.offset].encode_utf16().count(),
        };
        json!({"line": at.line - 1, "character": character})
    }

    /// `lines` indexes `text`; built once per document, not per range.
    fn range(&self, text: &str, lines: &LineIndex, span: Span) -> Value {
        json!({"start": self.position((text, lines), span.start()), "end": self.position((text, lines), span.end())})
    }

    fn offset(&self, text: &str, position: &Value) -> usize {
        let line = position["line"].as_u64().unwrap_or(0) as usize;
        let character = position["character"].as_u64().unwrap_or(0) as usize;
        let start = text.split_inclusive('\n').take(line).map(str::len).sum::<usize>().min(text.len());
        let line_text = text[start..].split('\n').next().unwrap_or_default();
        let within = match self.encoding {
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

    fn diagnostic(&self, uri: &str, text: &str, lines: &LineIndex, finding: &Finding) -> Value {
        let related: Vec<Value> = finding
            .labels
            .iter()
            .map(|label| {
                let location = match &label.file {
                    Some(file) => {
                        let path = self.root.as_ref().map_or_else(|| PathBuf::from(file), |r| r.join(file));
                        let other = std::fs::read_to_string(&path).unwrap_or_default();
                        json!({"uri": uri_of(&path), "range": self.range(&other, &LineIndex::new(&other), label.span)})
                    }
                    None => json!({"uri": uri, "range": self.range(text, lines, label.span)}),
                };
                json!({"location": location, "message": label.message})
            })
            .collect();
        let message = match &finding.help {
            Some(help) => format!("{}\nhelp: {help}", finding.message),
            None => finding.message.clone(),
        };
        json!({
            "range": self.range(text, lines, finding.span),
            "severity": match finding.severity { Severity::Error => 1, Severity::Warning => 2, Severity::Info => 3 },
            "code": finding.code,
            "codeDescription": {"href": rule_url(finding.code)},
            "source": "sfn-lint",
            "message": message,
            "relatedInformation": related,
        })
    }

    fn request_target(&mut self, request: &Request) -> Option<(String, String, usize, usize)> {
        let uri = request.params["textDocument"]["uri"].as_str()?.to_string();
        let text = self.documents.get(&uri)?.clone();
        let (start, end) = match request.params.get("range") {
            Some(range) => (self.offset(&text, &range["start"]), self.offset(&text, &range["end"])),
            None => {
                let at = self.offset(&text, &request.params["position"]);
                (at, at)
            }
        };
        Some((uri, text, start, end))
    }

    fn hover(&mut self, request: &Request) -> Value {
        let Some((uri, text, at, _)) = self.request_target(request) else { return Value::Null };
        let findings = self.findings.get(&uri).cloned().unwrap_or_default();
        let mut sections = Vec::new();
        for finding in findings.iter().filter(|f| f.span.start() <= at && at <= f.span.end()) {
            if let Some(meta) = rules::find(finding.code) {
                sections.push(format!("**{} {}** — {}\n\n{}", meta.code, meta.name, finding.message, meta.doc));
            }
        }
        if let Some(state) = self.state_context(&uri, &text, at) {
            sections.insert(0, state);
        }
        if sections.is_empty() {
            return Value::Null;
        }
        json!({"contents": {"kind": "markdown", "value": sections.join("\n\n---\n\n")}})
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

    fn code_actions(&mut self, request: &Request) -> Value {
        let Some((uri, text, start, end)) = self.request_target(request) else { return json!([]) };
        let Some(path) = path_of(&uri) else { return json!([]) };
        let findings = self.findings.get(&uri).cloned().unwrap_or_default();
        let yaml = matches!(format_of(&path, &text), Some(syntax::Format::Yaml));
        let root = format_of(&path, &text).and_then(|f| syntax::parse(&text, f).ok());
        let lines = LineIndex::new(&text);
        let mut actions = Vec::new();
        for finding in findings.iter().filter(|f| f.span.start() <= end && start <= f.span.end() && f.code != "ASL001") {
            let diagnostic = self.diagnostic(&uri, &text, &lines, finding);
            let mut action = |title: &str, edits: &[Edit]| {
                let edits: Vec<Value> =
                    edits.iter().map(|edit| json!({"range": self.range(&text, &lines, edit.span), "newText": edit.text})).collect();
                actions.push(json!({
                    "title": title,
                    "kind": "quickfix",
                    "diagnostics": [diagnostic.clone()],
                    "edit": {"changes": {uri.clone(): edits}},
                }));
            };
            if let Some(fix) = &finding.fix {
                action(&fix.title, &fix.edits);
            }
            if let Some(edit) = crate::suppress::suppression_edits(&text, root.as_ref(), &[finding], yaml).pop() {
                let scope = if yaml { "on this line" } else { "for this state" };
                action(&format!("Suppress {} {scope}", finding.code), &[edit]);
            }
        }
        Value::Array(actions)
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
        anchors: Default::default(),
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

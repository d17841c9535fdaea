//! The server: the initialize handshake, the message loop, the open documents, and linting
//! them (with the workspace's configuration, and with the template that names a definition
//! file) into published diagnostics.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument, Notification as _, PublishDiagnostics,
    ShowMessage,
};
use lsp_types::request::{CodeActionRequest, HoverRequest, Request as _};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, DidChangeTextDocumentParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, HoverProviderCapability, InitializeParams, InitializeResult, MessageType,
    PositionEncodingKind, PublishDiagnosticsParams, SaveOptions, ServerCapabilities, ServerInfo, ShowMessageParams,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions,
};
use serde::de::DeserializeOwned;

use super::convert::{self, Document, Encoding, path_of, uri_of};
use crate::config::{self, Config};
use crate::diagnostic::Finding;
use crate::discover;
use crate::lint::{self, Options};
use crate::syntax::LineIndex;

pub(super) struct Server {
    connection: Connection,
    pub encoding: Encoding,
    pub root: Option<PathBuf>,
    /// The open documents' text, by URI.
    pub documents: HashMap<String, String>,
    /// The findings last published for each document, for hover and code actions.
    pub findings: HashMap<String, Vec<Finding>>,
    /// Definition files the workspace's templates name (by canonical path), so that one
    /// opened on its own is linted with its template's type, as `sfn-lint check .` does.
    bindings: Option<HashMap<PathBuf, (lint::Binding, String)>>,
    /// The configuration, and the file it came from with its modification time and size.
    config: (Arc<Config>, Option<(PathBuf, std::time::SystemTime, u64)>),
}

pub fn run() -> Result<(), String> {
    let (connection, io_threads) = Connection::stdio();
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    // A client that sends odd parameters still gets a server, with the defaults.
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let offers_utf8 = params
        .capabilities
        .general
        .as_ref()
        .and_then(|general| general.position_encodings.as_ref())
        .is_some_and(|encodings| encodings.contains(&PositionEncodingKind::UTF8));
    let encoding = if offers_utf8 { Encoding::Utf8 } else { Encoding::Utf16 };
    #[allow(deprecated)] // `rootUri` and `rootPath` are what single-folder clients send.
    let root = params.root_uri.as_ref().and_then(|uri| path_of(uri.as_str())).or_else(|| params.root_path.as_ref().map(PathBuf::from));
    let result = InitializeResult {
        capabilities: ServerCapabilities {
            position_encoding: Some(if offers_utf8 { PositionEncodingKind::UTF8 } else { PositionEncodingKind::UTF16 }),
            text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions { include_text: Some(false) })),
                ..Default::default()
            })),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                ..Default::default()
            })),
            ..Default::default()
        },
        server_info: Some(ServerInfo { name: "sfn-lint".into(), version: Some(env!("CARGO_PKG_VERSION").into()) }),
    };
    connection.initialize_finish(id, to_value(result)).map_err(|e| e.to_string())?;
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

fn to_value(value: impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(value).expect("protocol types serialize")
}

/// A request's parameters, or the error that answers a request whose parameters do not fit.
fn params<P: DeserializeOwned>(request: &Request) -> Result<P, Response> {
    serde_json::from_value(request.params.clone())
        .map_err(|error| Response::new_err(request.id.clone(), ErrorCode::InvalidParams as i32, error.to_string()))
}

impl Server {
    fn serve(&mut self) -> Result<(), String> {
        while let Ok(message) = self.connection.receiver.recv() {
            match message {
                Message::Request(request) => {
                    if self.connection.handle_shutdown(&request).map_err(|e| e.to_string())? {
                        return Ok(());
                    }
                    let id = request.id.clone();
                    let response = match request.method.as_str() {
                        HoverRequest::METHOD => params(&request).map(|p| Response::new_ok(id, to_value(self.hover(p)))),
                        CodeActionRequest::METHOD => params(&request).map(|p| Response::new_ok(id, to_value(self.code_actions(p)))),
                        method => {
                            Err(Response::new_err(id, ErrorCode::MethodNotFound as i32, format!("sfn-lint does not handle {method}")))
                        }
                    };
                    self.send(Message::Response(response.unwrap_or_else(|error| error)));
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

    fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) {
        self.send(Message::Notification(Notification::new(N::METHOD.into(), to_value(params))));
    }

    fn notification(&mut self, notification: Notification) {
        // A notification whose parameters do not fit is dropped: there is no one to answer.
        fn parse<P: DeserializeOwned>(notification: Notification) -> Option<P> {
            serde_json::from_value(notification.params).ok()
        }
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Some(DidOpenTextDocumentParams { text_document }) = parse(notification) else { return };
                let uri = text_document.uri.as_str().to_string();
                self.documents.insert(uri.clone(), text_document.text);
                self.publish(&uri);
            }
            DidChangeTextDocument::METHOD => {
                let Some(DidChangeTextDocumentParams { text_document, content_changes }) = parse(notification) else { return };
                let uri = text_document.uri.as_str().to_string();
                if let Some(change) = content_changes.into_iter().last() {
                    self.documents.insert(uri.clone(), change.text);
                }
                self.publish(&uri);
            }
            DidSaveTextDocument::METHOD => {
                let Some(DidSaveTextDocumentParams { text_document, .. }) = parse(notification) else { return };
                self.publish(text_document.uri.as_str());
            }
            DidCloseTextDocument::METHOD => {
                let Some(DidCloseTextDocumentParams { text_document }) = parse(notification) else { return };
                let uri = text_document.uri.as_str();
                self.documents.remove(uri);
                self.findings.remove(uri);
                self.notify::<PublishDiagnostics>(PublishDiagnosticsParams::new(text_document.uri, Vec::new(), None));
            }
            _ => {}
        }
    }

    /// The workspace's `sfn-lint.toml`, reloaded when it changes.
    pub fn options(&mut self, path: &Path) -> Options {
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
                    self.notify::<ShowMessage>(ShowMessageParams { typ: MessageType::ERROR, message });
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
        if let Some((binding, template_display)) = self.bindings().get(&canonical).cloned() {
            // The template as the editor holds it, when it is open.
            let template_uri = uri_of(&std::fs::canonicalize(&binding.template).unwrap_or(binding.template.clone()));
            let template = match self.documents.get(&template_uri) {
                Some(open) => lint::BindingTemplate::of_text(&binding.template, open.clone()),
                None => lint::BindingTemplate::read(&binding.template),
            };
            let mut result = lint::lint_bound_bytes(&binding, &display, text.as_bytes(), &template, &template_display, &options);
            // Findings in the template (an unused `Metadata` code) are published with it.
            result.findings.retain(|f| f.file == display);
            return vec![(uri.to_string(), result.findings)];
        }
        let result = lint::lint_bytes(&path, &display, text.as_bytes(), true, &options);
        let mut out = vec![(uri.to_string(), result.findings)];
        if result.bindings.is_empty() {
            return out;
        }
        // The template is this document as the editor holds it, parsed once for all it binds.
        let template = lint::BindingTemplate::of_text(&path, text);
        for binding in result.bindings {
            let target = std::fs::canonicalize(&binding.target).unwrap_or(binding.target.clone());
            let target_uri = uri_of(&target);
            let bound_display = self.display(&binding.target);
            let bound = match self.documents.get(&target_uri) {
                Some(open) => lint::lint_bound_bytes(&binding, &bound_display, open.as_bytes(), &template, &display, &options),
                None => lint::lint_bound(&binding, &bound_display, &template, &display, &options),
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
                for candidate in discover::candidates(std::slice::from_ref(&root), &config).unwrap_or_default().candidates {
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
            let Some(target_uri) = convert::uri(&target) else { continue };
            let text = self.text_of(&target);
            let lines = LineIndex::new(&text);
            let document = Document { text: &text, lines: &lines, encoding: self.encoding };
            let diagnostics = findings.iter().map(|f| convert::diagnostic(&target_uri, &document, self.root.as_deref(), f)).collect();
            self.findings.insert(target, findings);
            self.notify::<PublishDiagnostics>(PublishDiagnosticsParams::new(target_uri, diagnostics, None));
        }
    }

    pub fn text_of(&self, uri: &str) -> String {
        self.documents.get(uri).cloned().or_else(|| path_of(uri).and_then(|p| std::fs::read_to_string(p).ok())).unwrap_or_default()
    }
}

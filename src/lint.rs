//! Linting one file: read, parse, find the definitions, build the model, run the rules.

use std::path::Path;

use crate::asl::{Analysis, Machine};
use crate::discover::{format_of, is_asl_name};
use crate::finding::Finding;
use crate::host::{self, WorkflowType};
use crate::rules::{self, Context, REGISTRY, Selection};
use crate::syntax::{self, Format, ParseError};

/// Files larger than this are not parsed (SPEC §10).
pub const MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The type of definitions that nothing else declares (`--workflow-type`).
    pub workflow_type: Option<WorkflowType>,
    pub selection: Selection,
}

/// What linting one file produced.
#[derive(Debug, Default)]
pub struct FileResult {
    pub findings: Vec<Finding>,
    pub definitions: usize,
    /// The file holds no state machine.
    pub skipped: bool,
    /// The text, kept when there are findings so that outputs can show snippets.
    pub text: Option<String>,
}

/// Reads and lints a file. `named` files (given on the command line) are always read.
pub fn lint_path(path: &Path, display: &str, named: bool, options: &Options) -> FileResult {
    let asl_named = is_asl_name(path);
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) => return unreadable(display, asl_named || named, &format!("cannot read the file: {error}"), options),
    };
    if !metadata.is_file() {
        return FileResult { skipped: true, ..FileResult::default() };
    }
    if metadata.len() > MAX_FILE_SIZE {
        let message = format!("the file is {} bytes, larger than the limit of {MAX_FILE_SIZE} bytes", metadata.len());
        return unreadable(display, asl_named, &message, options);
    }
    match std::fs::read(path) {
        Ok(bytes) => lint_bytes(path, display, &bytes, named, options),
        Err(error) => unreadable(display, asl_named || named, &format!("cannot read the file: {error}"), options),
    }
}

/// Lints file contents; `path` gives the kind of file (its name and extension).
pub fn lint_bytes(path: &Path, display: &str, bytes: &[u8], named: bool, options: &Options) -> FileResult {
    let asl_named = is_asl_name(path);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            if !(asl_named || mentions_state_machine(&String::from_utf8_lossy(bytes))) {
                return FileResult { skipped: true, ..FileResult::default() };
            }
            let message = if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
                "the file is UTF-16; save it as UTF-8".to_string()
            } else {
                format!("the file is not valid UTF-8 (byte {})", error.valid_up_to())
            };
            return unreadable_at(display, &message, options);
        }
    };
    let Some(format) = format_of(path, text) else {
        return FileResult { skipped: true, ..FileResult::default() };
    };
    let root = match syntax::parse(text, format) {
        Ok(root) => root,
        Err(error) if asl_named || mentions_state_machine(text) || (named && broken_json(format, text)) => {
            return finish(vec![rules::parse_error(display, &error)], 0, text, options);
        }
        Err(_) => return FileResult { skipped: true, ..FileResult::default() },
    };
    if !host::looks_like_asl(&root) && !asl_named {
        return FileResult { skipped: true, ..FileResult::default() };
    }
    let definition = host::standalone(&root, options.workflow_type);
    let machine = Machine::new(definition.root);
    let analysis = Analysis::new(&machine, &definition);
    let cx = Context { file: display, text, definition: &definition, machine: &machine, analysis: &analysis };
    let mut findings = Vec::new();
    for rule in REGISTRY.iter().filter(|rule| options.selection.enabled(rule.meta())) {
        rule.check_definition(&cx, &mut findings);
    }
    finish(findings, 1, text, options)
}

/// Keeps the selected findings, and the text when there are any.
fn finish(findings: Vec<Finding>, definitions: usize, text: &str, options: &Options) -> FileResult {
    let findings: Vec<Finding> =
        findings.into_iter().filter(|f| rules::find(f.code).is_some_and(|meta| options.selection.enabled(meta))).collect();
    let text = (!findings.is_empty()).then(|| text.to_string());
    FileResult { findings, definitions, skipped: false, text }
}

fn unreadable(display: &str, report: bool, message: &str, options: &Options) -> FileResult {
    if report { unreadable_at(display, message, options) } else { FileResult { skipped: true, ..FileResult::default() } }
}

/// A file whose text cannot be shown (not UTF-8, or never read) gets its ASL001 with an
/// empty snippet.
fn unreadable_at(display: &str, message: &str, options: &Options) -> FileResult {
    let error = ParseError { message: message.to_string(), offset: 0 };
    finish(vec![rules::parse_error(display, &error)], 0, "", options)
}

/// A file named on the command line that is not JSON even with comments allowed. (A JSON
/// file with comments, such as `tsconfig.json`, is somebody else's configuration; so is a
/// YAML file that only a template engine makes valid, such as a Helm chart.)
fn broken_json(format: Format, text: &str) -> bool {
    format == Format::Json && syntax::parse(text, Format::JsonWithComments).is_err()
}

/// Whether text that failed to parse looks like it was meant to hold a state machine, so
/// that the failure is worth reporting (a broken `tsconfig.json` is not ours to judge).
fn mentions_state_machine(text: &str) -> bool {
    (text.contains("StartAt") && text.contains("States"))
        || text.contains("AWS::StepFunctions::StateMachine")
        || text.contains("AWS::Serverless::StateMachine")
}

use std::io::{self, Write};

use serde::Serialize;

use crate::diagnostic::rule_url;
use crate::report::{Report, Summary};
use crate::syntax::Position;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    tool: Tool,
    diagnostics: Vec<Diagnostic<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Diagnostic<'a> {
    code: &'a str,
    name: &'a str,
    severity: &'a str,
    message: &'a str,
    file: &'a str,
    definition: Option<&'a str>,
    state: Option<&'a str>,
    pointer: &'a str,
    span: SpanOut,
    labels: Vec<LabelOut<'a>>,
    help: Option<&'a str>,
    url: String,
}

#[derive(Serialize)]
struct SpanOut {
    start: Position,
    end: Position,
}

#[derive(Serialize)]
struct LabelOut<'a> {
    message: &'a str,
    file: &'a str,
    span: SpanOut,
}

/// The JSON report of SPEC §5: one document, version 1.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let diagnostics = report
        .findings
        .iter()
        .map(|f| {
            let labels = f
                .labels
                .iter()
                .map(|label| {
                    let file = label.file.as_deref().unwrap_or(&f.file);
                    LabelOut { message: &label.message, file, span: SpanOut { start: label.start, end: label.end } }
                })
                .collect();
            Diagnostic {
                code: f.code,
                name: f.name,
                severity: f.severity.as_str(),
                message: &f.message,
                file: &f.file,
                definition: f.definition.as_deref(),
                state: f.state.as_deref(),
                pointer: &f.pointer,
                span: SpanOut { start: f.start, end: f.end },
                labels,
                help: f.help.as_deref(),
                url: rule_url(f.code),
            }
        })
        .collect();
    let document =
        Document { version: 1, tool: Tool { name: "sfn-lint", version: env!("CARGO_PKG_VERSION") }, diagnostics, summary: report.summary };
    super::write_json(&document, out)
}

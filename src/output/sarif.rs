//! SARIF 2.1.0, as GitHub code scanning reads it: one reporting descriptor per rule with
//! its documentation as help, the primary span in `locations`, labels in
//! `relatedLocations`, and a fingerprint that survives edits elsewhere in the file.

use std::borrow::Cow;
use std::io::{self, Write};

use serde::Serialize;
use serde_json::{Value, json};

use crate::diagnostic::{Severity, rule_url};
use crate::report::Report;
use crate::rules::REGISTRY;
use crate::syntax::Position;

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

#[derive(Serialize)]
struct Document<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [Run<'a>; 1],
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
    tool: Value,
}

// Results are typed and borrow from the findings: a `Value` tree costs kilobytes per
// result. Fields are in alphabetical order, as the rest of the document (a `Value`) is.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    level: &'static str,
    locations: [Location<'a>; 1],
    message: Text<'a>,
    partial_fingerprints: Fingerprints,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location<'a>>,
    rule_id: &'a str,
    rule_index: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    logical_locations: Option<[LogicalLocation<'a>; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text<'a>>,
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    fully_qualified_name: &'a str,
    kind: &'static str,
    name: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: Artifact,
    region: Region,
}

#[derive(Serialize)]
struct Artifact {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    end_column: usize,
    end_line: usize,
    start_column: usize,
    start_line: usize,
}

#[derive(Serialize)]
struct Text<'a> {
    text: Cow<'a, str>,
}

#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "sfnLintFindingHash/v1")]
    hash: String,
}

fn location<'a>(file: &str, start: Position, end: Position) -> Location<'a> {
    Location {
        id: None,
        logical_locations: None,
        message: None,
        physical_location: PhysicalLocation {
            artifact_location: Artifact { uri: file.replace('\\', "/") },
            region: Region { end_column: end.column, end_line: end.line, start_column: start.column, start_line: start.line },
        },
    }
}

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let rules: Vec<Value> = REGISTRY
        .iter()
        .map(|rule| {
            let meta = rule.meta();
            json!({
                "id": meta.code,
                "name": meta.name,
                "shortDescription": {"text": meta.summary},
                "fullDescription": {"text": meta.summary},
                "help": {"text": meta.doc, "markdown": meta.doc},
                "helpUri": rule_url(meta.code),
                "defaultConfiguration": {"level": level(meta.severity)},
                "properties": {"tags": [meta.code.trim_end_matches(char::is_numeric).to_ascii_lowercase()]},
            })
        })
        .collect();
    let results: Vec<SarifResult<'_>> = report
        .findings
        .iter()
        .map(|finding| {
            let mut primary = location(&finding.file, finding.start, finding.end);
            primary.logical_locations = finding
                .state
                .as_deref()
                .map(|state| [LogicalLocation { fully_qualified_name: &finding.pointer, kind: "object", name: state }]);
            let related_locations = finding
                .labels
                .iter()
                .enumerate()
                .map(|(i, label)| Location {
                    id: Some(i),
                    message: Some(Text { text: Cow::Borrowed(&label.message) }),
                    ..location(label.file.as_deref().unwrap_or(&finding.file), label.start, label.end)
                })
                .collect();
            let text = match &finding.help {
                Some(help) => Cow::Owned(format!("{} Help: {help}", finding.message)),
                None => Cow::Borrowed(finding.message.as_str()),
            };
            SarifResult {
                level: level(finding.severity),
                locations: [primary],
                message: Text { text },
                partial_fingerprints: Fingerprints { hash: finding.fingerprint() },
                related_locations,
                rule_id: finding.code,
                rule_index: REGISTRY.iter().position(|r| r.meta().code == finding.code).unwrap_or(0),
            }
        })
        .collect();
    let document = Document {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        runs: [Run {
            column_kind: "unicodeCodePoints",
            results,
            tool: json!({"driver": {"name": "sfn-lint", "version": env!("CARGO_PKG_VERSION"), "rules": rules}}),
        }],
        version: "2.1.0",
    };
    super::write_json(&document, out)
}

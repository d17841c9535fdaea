//! SARIF 2.1.0, as GitHub code scanning reads it: one reporting descriptor per rule with
//! its documentation as help, the primary span in `locations`, labels in
//! `relatedLocations`, and a fingerprint that survives edits elsewhere in the file.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::Positions;
use crate::finding::Severity;
use crate::report::Report;
use crate::rules::REGISTRY;
use crate::syntax::Span;

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn location<'a>(positions: &mut Positions<'a>, file: &'a str, span: Span) -> Value {
    let (start, end) = positions.span(file, span);
    json!({
        "physicalLocation": {
            "artifactLocation": {"uri": file.replace('\\', "/")},
            "region": {"startLine": start.line, "startColumn": start.column, "endLine": end.line, "endColumn": end.column},
        }
    })
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
                "defaultConfiguration": {"level": level(meta.severity)},
                "properties": {"tags": [meta.code.trim_end_matches(char::is_numeric).to_ascii_lowercase()]},
            })
        })
        .collect();
    let mut positions = Positions::new(report);
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|finding| {
            let index = REGISTRY.iter().position(|r| r.meta().code == finding.code).unwrap_or(0);
            let mut primary = location(&mut positions, &finding.file, finding.span);
            if let Some(state) = &finding.state {
                primary["logicalLocations"] = json!([{"name": state, "fullyQualifiedName": finding.pointer, "kind": "object"}]);
            }
            let related: Vec<Value> = finding
                .labels
                .iter()
                .enumerate()
                .map(|(i, label)| {
                    let mut related = location(&mut positions, label.file.as_deref().unwrap_or(&finding.file), label.span);
                    related["id"] = json!(i);
                    related["message"] = json!({"text": label.message});
                    related
                })
                .collect();
            let text = match &finding.help {
                Some(help) => format!("{} Help: {help}", finding.message),
                None => finding.message.clone(),
            };
            let mut result = json!({
                "ruleId": finding.code,
                "ruleIndex": index,
                "level": level(finding.severity),
                "message": {"text": text},
                "locations": [primary],
                "partialFingerprints": {"sfnLintFindingHash/v1": finding.fingerprint()},
            });
            if !related.is_empty() {
                result["relatedLocations"] = json!(related);
            }
            result
        })
        .collect();
    let document = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "sfn-lint", "version": env!("CARGO_PKG_VERSION"), "rules": rules}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

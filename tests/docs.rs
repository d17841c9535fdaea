//! `rules/CODE.md`: the SPEC §6 layout, and every Bad block fires its rule while every Good
//! block is clean.

use sfn_lint::host::WorkflowType;
use sfn_lint::lint::{self, Options};
use sfn_lint::rules::{REGISTRY, Selection};

const SECTIONS: &[&str] = &["## What it catches", "## Why it matters", "## Bad", "## Good", "## How to fix"];

/// The fenced blocks of one `## ` section, with their language.
fn blocks<'a>(doc: &'a str, section: &str) -> Vec<(&'a str, String)> {
    let start = doc.find(&format!("\n{section}\n")).unwrap_or_else(|| panic!("no {section}"));
    let body = &doc[start + section.len() + 2..];
    let body = &body[..body.find("\n## ").unwrap_or(body.len())];
    let mut out = Vec::new();
    let mut lines = body.lines();
    while let Some(line) = lines.next() {
        if let Some(lang) = line.strip_prefix("```") {
            let code: Vec<&str> = lines.by_ref().take_while(|l| !l.starts_with("```")).collect();
            out.push((lang, code.join("\n") + "\n"));
        }
    }
    out
}

/// Lints a block. Its fence may declare the workflow type: ```` ```json workflow-type=express ````.
fn codes_for(info: &str, text: &str) -> Vec<&'static str> {
    let mut words = info.split_whitespace();
    let name = match words.next() {
        Some("json") => "example.asl.json",
        Some("yaml") => "example.asl.yaml",
        other => panic!("unexpected block language `{other:?}`"),
    };
    let workflow_type = words.find_map(|w| w.strip_prefix("workflow-type=")).map(|t| match t {
        "express" => WorkflowType::Express,
        "standard" => WorkflowType::Standard,
        other => panic!("unknown workflow type `{other}`"),
    });
    let options = Options { selection: Selection::default(), workflow_type, ..Options::default() };
    lint::lint_bytes(std::path::Path::new(name), name, text.as_bytes(), true, &options).findings.iter().map(|f| f.code).collect()
}

#[test]
fn rule_docs_follow_the_layout_and_their_examples_hold() {
    for rule in REGISTRY {
        let meta = rule.meta();
        let doc = meta.doc;
        assert!(doc.starts_with(&format!("# {} {}\n", meta.code, meta.name)), "{}: title line", meta.code);
        let mut last = 0;
        for section in SECTIONS {
            let at = doc.find(&format!("\n{section}\n")).unwrap_or_else(|| panic!("{}: missing {section}", meta.code));
            assert!(at > last, "{}: {section} out of order", meta.code);
            last = at;
        }
        let bad = blocks(doc, "## Bad");
        let good = blocks(doc, "## Good");
        assert!(!bad.is_empty() && !good.is_empty(), "{}: needs Bad and Good blocks", meta.code);
        for (lang, text) in bad {
            let codes = codes_for(lang, &text);
            assert!(codes.contains(&meta.code), "{}: a Bad block does not fire it (got {codes:?}):\n{text}", meta.code);
        }
        // A Good block is clean; only the note that its workflow type is unknown may show.
        for (lang, text) in good {
            let codes: Vec<_> = codes_for(lang, &text).into_iter().filter(|c| *c != "ALO011" || meta.code == "ALO011").collect();
            assert!(codes.is_empty(), "{}: a Good block fires {codes:?}:\n{text}", meta.code);
        }
    }
}

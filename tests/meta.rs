//! Adding a rule costs one Rust file, one registry line, one doc and one fixture folder:
//! this test fails when any of them is missing or orphaned.

mod common;

use std::collections::BTreeSet;

use sfn_lint::rules::REGISTRY;

fn names_in(folder: &str, keep: impl Fn(&str) -> Option<String>) -> BTreeSet<String> {
    std::fs::read_dir(common::root().join(folder)).unwrap().filter_map(|e| keep(e.unwrap().file_name().to_str().unwrap())).collect()
}

#[test]
fn every_rule_has_a_file_a_doc_and_fixtures_and_nothing_is_orphaned() {
    let codes: BTreeSet<String> = REGISTRY.iter().map(|r| r.meta().code.to_string()).collect();
    assert_eq!(codes.len(), REGISTRY.len(), "a code is registered twice");

    let sources: BTreeSet<String> =
        REGISTRY.iter().map(|r| format!("{}_{}.rs", r.meta().code.to_lowercase(), r.meta().name.replace('-', "_"))).collect();
    assert_eq!(sources, names_in("src/rules", |n| (n != "mod.rs").then(|| n.to_string())), "src/rules/<code>_<name>.rs");

    let docs = names_in("rules", |n| n.strip_suffix(".md").map(str::to_string));
    assert_eq!(codes, docs, "rules/CODE.md");

    let fixtures = names_in("testdata/rules", |n| Some(n.to_string()));
    assert_eq!(codes, fixtures, "testdata/rules/CODE/");
    for code in &codes {
        let files = names_in(&format!("testdata/rules/{code}"), |n| Some(n.to_string()));
        assert!(files.iter().any(|f| f.starts_with("bad")), "{code}: no bad fixture");
        assert!(files.iter().any(|f| f.starts_with("good")), "{code}: no good fixture");
        assert!(files.iter().any(|f| f.ends_with(".json")) && files.iter().any(|f| f.ends_with(".yaml")), "{code}: JSON and YAML fixtures");
    }

    for rule in REGISTRY {
        let meta = rule.meta();
        assert!(meta.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'), "{}: kebab-case name", meta.code);
        assert!(!meta.summary.is_empty() && !meta.summary.ends_with('.'), "{}: summary", meta.code);
    }
}

/// The README's rule table lists exactly the registry.
#[test]
fn readme_lists_every_rule() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    for rule in REGISTRY {
        let meta = rule.meta();
        let row = format!("| [{}](rules/{}.md) | `{}` | {} | {} |", meta.code, meta.code, meta.name, meta.severity, meta.summary);
        assert!(readme.contains(&row), "README.md lacks the row:\n{row}");
    }
    let rows = readme.lines().filter(|l| l.starts_with("| [") && l.contains("](rules/")).count();
    assert_eq!(rows, REGISTRY.len(), "README.md lists rules that are not registered");
}

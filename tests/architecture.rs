//! The crate's shape, read from its source: data flows one way between the top-level
//! modules (no cycle), and `diagnostic`, which every module uses, uses none of them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `folder`.
fn sources(folder: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(folder).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
    found
}

/// The top-level modules of `src/` and, for each, the others its code names through
/// `crate::` (in `use` lines or paths), unit tests left out.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let top = |path: &Path| {
        let first = path.strip_prefix(&src).unwrap().components().next().unwrap().as_os_str().to_string_lossy().into_owned();
        first.trim_end_matches(".rs").to_string()
    };
    let files = sources(&src);
    let modules: BTreeSet<String> = files.iter().map(|f| top(f)).filter(|m| m != "lib" && m != "main").collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = modules.iter().map(|m| (m.clone(), BTreeSet::new())).collect();
    for file in &files {
        let from = top(file);
        let Some(edges) = graph.get_mut(&from) else { continue };
        let text = std::fs::read_to_string(file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap();
        // `crate::name` anywhere, and the names inside `use crate::{a, b::c}`.
        let mut named: Vec<&str> = code.match_indices("crate::").map(|(at, _)| &code[at + "crate::".len()..]).collect();
        let mut groups = Vec::new();
        for rest in &named {
            if let Some(group) = rest.strip_prefix('{') {
                let group = &group[..group.find('}').unwrap_or(group.len())];
                groups.extend(group.split(',').map(str::trim));
            }
        }
        named.extend(groups);
        for rest in named {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if modules.contains(&name) && name != from {
                edges.insert(name);
            }
        }
    }
    graph
}

/// A cycle through `graph`, if there is one, as the modules along it.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        module: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|m| m == module) {
            let mut found = path[at..].to_vec();
            found.push(module.to_string());
            return Some(found);
        }
        if done.contains(module) {
            return None;
        }
        path.push(module.to_string());
        for next in &graph[module] {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(module.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|module| visit(module, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_module_cycle() {
    let graph = imports();
    assert!(graph.len() > 10, "the modules were not found: {graph:?}");
    if let Some(found) = cycle(&graph) {
        panic!("module cycle: {}", found.join(" → "));
    }
}

#[test]
fn the_cycle_check_finds_cycles() {
    let graph: BTreeMap<String, BTreeSet<String>> = [("a", &["b"][..]), ("b", &["c"]), ("c", &["a"]), ("d", &[])]
        .into_iter()
        .map(|(m, next)| (m.to_string(), next.iter().map(|n| n.to_string()).collect()))
        .collect();
    assert_eq!(cycle(&graph), Some(vec!["a".into(), "b".into(), "c".into(), "a".into()]));
}

#[test]
fn diagnostic_is_a_leaf() {
    let graph = imports();
    assert_eq!(graph["diagnostic"], BTreeSet::new());
    // The engine never reaches the formats: rendering happens in `output` alone.
    for engine in ["syntax", "host", "asl", "rules", "lint", "report", "suppress", "config", "discover"] {
        assert!(!graph[engine].contains("output"), "{engine} imports output");
        assert!(!graph[engine].contains("cli") && !graph[engine].contains("lsp"), "{engine} imports a front end");
    }
}

/// The model states facts: no file of `src/asl/` names a rule or builds a finding, so a
/// rule's logic and words are found in its own file.
#[test]
fn the_model_names_no_rule() {
    let asl = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/asl");
    let files = sources(&asl);
    assert!(files.len() > 5);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap();
        for prefix in ["ALO", "ASL", "EXP", "LINT"] {
            for (at, _) in code.match_indices(prefix) {
                let digits = code[at + prefix.len()..].bytes().take_while(u8::is_ascii_digit).count();
                let before = code[..at].chars().next_back().is_some_and(char::is_alphanumeric);
                assert!(digits != 3 || before, "{} names the rule {}", file.display(), &code[at..at + prefix.len() + 3]);
            }
        }
        for module in ["crate::diagnostic", "crate::rules", "crate::output"] {
            assert!(!code.contains(module), "{} uses {module}", file.display());
        }
    }
}

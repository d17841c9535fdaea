//! The JSONata checker against the reference implementation: every expression in
//! `testdata/jsonata/oracle.json` was parsed by the `jsonata` npm package (2.x,
//! `scripts/jsonata-oracle.mjs`), which labelled it valid or not. sfn-lint must agree on
//! every one, and point inside the expression when it does not parse.

use sfn_lint::syntax::jsonata::{check, variables};

#[test]
fn agrees_with_the_reference_implementation() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/jsonata/oracle.json");
    let table: Vec<serde_json::Value> = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(table.len() >= 300, "the oracle table has {} expressions", table.len());
    let mut disagreements = Vec::new();
    let (mut valid, mut invalid) = (0, 0);
    for row in &table {
        let expr = row["expr"].as_str().unwrap();
        let expected = row["valid"].as_bool().unwrap();
        let result = check(expr);
        if expected {
            valid += 1
        } else {
            invalid += 1
        }
        match (&result, expected) {
            (Ok(()), true) => {}
            (Err(e), false) if e.at <= expr.len() => {}
            _ => disagreements
                .push(format!("{expr:?}: oracle says {}, sfn-lint says {result:?}", if expected { "valid" } else { "invalid" })),
        }
    }
    assert!(valid >= 300 && invalid >= 200, "{valid} valid and {invalid} invalid expressions");
    assert!(disagreements.is_empty(), "{} disagreements:\n{}", disagreements.len(), disagreements.join("\n"));
}

/// What the fuzz target checks, run here on every oracle expression cut and spliced at each
/// character (tens of thousands of broken expressions): the parser returns, its error points
/// at a character of the text, and every variable it lists is a `$` in the text with its path
/// written after it.
#[test]
fn broken_expressions_are_errors_never_panics() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/jsonata/oracle.json");
    let table: Vec<serde_json::Value> = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let inserts = ["(", ")", "[", "]", "{", "}", "'", "\"", "/", "$", ".", ",", ":", "?", "|", "@", "#", "%", "^", "~>", "function", "\\"];
    let mut tried = 0;
    let mut probe = |text: &str| {
        tried += 1;
        match variables(text) {
            Ok(found) => {
                for variable in found {
                    assert!(
                        text[variable.at..].starts_with('$') && text[variable.at..].starts_with(variable.path),
                        "{text:?}: {variable:?}"
                    );
                }
            }
            Err(error) => assert!(error.at <= text.len() && text.is_char_boundary(error.at), "{text:?}: {error:?}"),
        }
    };
    for row in &table {
        let expr = row["expr"].as_str().unwrap();
        let bounds: Vec<usize> = expr.char_indices().map(|(i, _)| i).chain([expr.len()]).collect();
        for (n, &at) in bounds.iter().enumerate() {
            probe(&expr[..at]);
            probe(&expr[at..]);
            if let Some(&next) = bounds.get(n + 1) {
                probe(&format!("{}{}", &expr[..at], &expr[next..]));
            }
            let insert = inserts[n % inserts.len()];
            probe(&format!("{}{insert}{}", &expr[..at], &expr[at..]));
        }
    }
    assert!(tried > 20_000, "{tried} expressions");
}

//! The JSONata checker against the reference implementation: every expression in
//! `testdata/jsonata/oracle.json` was parsed by the `jsonata` npm package (2.x,
//! `scripts/jsonata-oracle.mjs`), which labelled it valid or not. sfn-lint must agree on
//! every one, and point inside the expression when it does not parse.

use sfn_lint::syntax::jsonata::check;

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

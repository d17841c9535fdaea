//! Positions are exact: line and column (in characters) and byte offsets, in JSON and
//! YAML, with multi-byte text before the finding.

mod common;

use sfn_lint::lint::{self, Options};
use sfn_lint::rules::Selection;
use sfn_lint::syntax::{LineIndex, Position};

fn positions(name: &str, text: &str) -> Vec<(&'static str, Position, Position)> {
    let options = Options { selection: Selection { select: vec!["ASL".into()], ignore: Vec::new() }, ..Options::default() };
    let result = lint::lint_bytes(std::path::Path::new(name), name, text.as_bytes(), true, &options);
    let index = LineIndex::new(text);
    result.findings.iter().map(|f| (f.code, index.position(text, f.span.start()), index.position(text, f.span.end()))).collect()
}

fn at(line: usize, column: usize, text: &str, needle: &str) -> Position {
    Position { line, column, offset: text.find(needle).unwrap() }
}

#[test]
fn json_spans_after_multibyte_text() {
    let text = "{\n  \"Comment\": \"Café ☕ 日本 😀\",\n  \"StartAt\": \"Début\",\n  \"States\": {\n    \"Début\": {\"Type\": \"Pass\", \"Comment\": \"é😀\", \"Next\": \"Fin\"}\n  }\n}\n";
    let found = positions("x.asl.json", text);
    assert_eq!(found.len(), 1, "{found:?}");
    let (code, start, end) = found[0];
    assert_eq!(code, "ASL003");
    // 55 characters precede `"Fin"` on line 5 (é and 😀 count one each; they are 2 and 4 bytes).
    assert_eq!(start, at(5, 56, text, "\"Fin\""));
    assert_eq!(end.line, 5);
    assert_eq!(end.column, 61);
    assert_eq!(end.offset - start.offset, "\"Fin\"".len());
}

#[test]
fn yaml_spans_after_multibyte_text() {
    let text = "Comment: Café ☕ 日本 😀\nStartAt: Début\nStates:\n  Début:\n    Type: Pass\n    Comment: é😀 ok\n    Next: Fin\n";
    let found = positions("x.asl.yaml", text);
    assert_eq!(found.len(), 1, "{found:?}");
    let (code, start, end) = found[0];
    assert_eq!(code, "ASL003");
    assert_eq!(start, at(7, 11, text, "Fin"));
    assert_eq!((end.line, end.column, end.offset), (7, 14, start.offset + 3));
}

#[test]
fn a_byte_order_mark_moves_no_position() {
    for (name, plain) in [
        ("x.asl.yaml", "StartAt: A\nStates:\n  A:\n    Type: Pass\n    Next: B\n"),
        ("x.asl.json", "{\"StartAt\": \"A\",\n \"States\": {\"A\": {\"Type\": \"Pass\", \"Next\": \"B\"}}}\n"),
    ] {
        let marked = format!("\u{feff}{plain}");
        let (with, without) = (positions(name, &marked), positions(name, plain));
        assert_eq!(with.len(), 1, "{name}: {with:?}");
        let (_, start, end) = with[0];
        let (_, plain_start, _) = without[0];
        // The same line and column; the offset counts the mark's three bytes.
        assert_eq!((start.line, start.column, start.offset), (plain_start.line, plain_start.column, plain_start.offset + 3), "{name}");
        assert_eq!(marked[start.offset..end.offset].trim_matches('"'), "B", "{name}");
    }
}

#[test]
fn key_targets_point_at_the_state_name() {
    let text = "{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Pass\", \"End\": true}, \"Ünreachable\": {\"Type\": \"Succeed\"}}}";
    let found = positions("x.asl.json", text);
    assert_eq!(found.len(), 1);
    let (code, start, end) = found[0];
    assert_eq!(code, "ASL004");
    assert_eq!(start, at(1, 65, text, "\"Ünreachable\""));
    assert_eq!(end.offset - start.offset, "\"Ünreachable\"".len());
}

#[test]
fn sub_ranges_inside_strings() {
    // The error is at the `[`, 8 characters into the path; with CRLF line ends.
    let text = "StartAt: A\r\nStates:\r\n  A:\r\n    Type: Pass\r\n    ResultPath: $.items[*].price\r\n    End: true\r\n";
    let found = positions("x.asl.yaml", text);
    assert_eq!(found.len(), 1, "{found:?}");
    let (code, start, end) = found[0];
    assert_eq!(code, "ASL007");
    assert_eq!(start, at(5, 24, text, "[*]"));
    assert_eq!(end.offset, text.find("\r\n    End").unwrap());

    // Escapes in a JSON string: decoded and source text differ, so the whole string.
    let escaped = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "ResultPath": "$.caf\u00e9[*]", "End": true}}}"#;
    let found = positions("x.asl.json", escaped);
    let (_, start, end) = found[0];
    assert_eq!(&escaped[start.offset..end.offset], r#""$.caf\u00e9[*]""#);
}

#[test]
fn parse_errors_point_at_the_error() {
    let text = "{\n  \"Comment\": \"ü\",\n  \"StartAt\": \"A\",\n  \"States\": {},\n}\n";
    let found = positions("x.asl.json", text);
    assert_eq!(found[0].0, "ASL001");
    assert_eq!((found[0].1.line, found[0].1.column), (5, 1));
}

#[test]
fn a_finding_through_a_yaml_alias_says_so_and_labels_the_alias() {
    let text = "StartAt: A\nStates:\n  A: &pass\n    Type: Pass\n    Next: Missing\n  B: *pass\n";
    let options = Options { selection: Selection { select: vec!["ASL003".into()], ignore: Vec::new() }, ..Options::default() };
    let result = lint::lint_bytes(std::path::Path::new("a.asl.yaml"), "a.asl.yaml", text.as_bytes(), true, &options);
    let [a, b] = &result.findings[..] else { panic!("{:?}", result.findings) };
    assert_eq!(a.state.as_deref(), Some("A"));
    assert!(!a.message.contains("alias") && a.labels.is_empty(), "the anchor's own state: {a:?}");
    assert_eq!(b.state.as_deref(), Some("B"));
    assert!(b.message.ends_with("(through the alias at line 6)"), "{}", b.message);
    // The finding stays on the text that says it; a label shows where it is repeated.
    assert_eq!(&text[b.span.range()], "Missing");
    let alias = b.labels.iter().find(|l| l.message.contains("alias")).expect("a label at the alias");
    assert_eq!(&text[alias.span.range()], "*pass");
    assert_eq!((alias.start.line, alias.start.column), (6, 6));
}

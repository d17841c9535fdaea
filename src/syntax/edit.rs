//! Edits that keep a file's layout: a member goes where an object's first member is, on
//! its own line with the same indentation when the members are one to a line, and in the
//! object's own style (JSON, or YAML block).

use super::Node;
use crate::diagnostic::{Edit, Span};

/// The indentation of the line holding `offset`.
fn indentation(text: &str, offset: usize) -> &str {
    let start = text[..offset].rfind('\n').map_or(0, |n| n + 1);
    let line = &text[start..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// Inserts `key: value` (a string) before the first member of `object`, whose text is in
/// `text`. `None` for an object with no member, or one whose text is not at hand.
pub fn insert_member(text: &str, object: &Node, key: &str, value: &str) -> Option<Edit> {
    // Plain YAML scalars cannot start with `$` or `{` as these values do.
    let yaml = if value.starts_with('$') || value.starts_with('{') { json_string(value) } else { value.to_string() };
    insert(text, object, key, &json_string(value), &yaml)
}

/// Inserts `key: literal` (`true`, a number: written alike in JSON and YAML).
pub fn insert_literal(text: &str, object: &Node, key: &str, literal: &str) -> Option<Edit> {
    insert(text, object, key, literal, literal)
}

fn insert(text: &str, object: &Node, key: &str, json_value: &str, yaml_value: &str) -> Option<Edit> {
    let first = object.members()?.first()?;
    let at = first.key_span.start();
    let opening = text.get(object.span.range())?.chars().next()?;
    let indent = indentation(text, at);
    let on_own_line = text[..at].trim_end_matches([' ', '\t']).ends_with('\n');
    let member = if opening == '{' { format!("{}: {json_value}", json_string(key)) } else { format!("{key}: {yaml_value}") };
    let separator = match (opening == '{', on_own_line) {
        (true, true) => format!(",\n{indent}"),
        (false, true) => format!("\n{indent}"),
        (_, false) => ", ".to_string(),
    };
    Some(Edit { span: Span::new(at, at), text: member + &separator })
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{Format, parse};

    fn inserted(text: &str, format: Format) -> String {
        let root = parse(text, format).unwrap();
        let object = root.get("P").unwrap();
        let edit = insert_member(text, object, "id.$", "$$.Execution.Id").unwrap();
        [&text[..edit.span.start()], &edit.text, &text[edit.span.end()..]].concat()
    }

    #[test]
    fn members_follow_the_layout() {
        assert_eq!(inserted("{\"P\": {\"a\": 1}}", Format::Json), "{\"P\": {\"id.$\": \"$$.Execution.Id\", \"a\": 1}}");
        assert_eq!(
            inserted("{\n  \"P\": {\n    \"a\": 1\n  }\n}", Format::Json),
            "{\n  \"P\": {\n    \"id.$\": \"$$.Execution.Id\",\n    \"a\": 1\n  }\n}"
        );
        assert_eq!(inserted("P:\n  a: 1\n", Format::Yaml), "P:\n  id.$: \"$$.Execution.Id\"\n  a: 1\n");
        assert_eq!(inserted("P: {a: 1}\n", Format::Yaml), "P: {\"id.$\": \"$$.Execution.Id\", a: 1}\n");
    }
}

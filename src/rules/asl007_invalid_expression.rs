use super::{Context, Rule, RuleMeta, Target, rule_doc};
use crate::asl::paths::{ExprError, check_dynamic_value, check_jsonata, check_path};
use crate::asl::{QueryLanguage, State};
use crate::finding::{Finding, Severity};
use crate::syntax::{Kind, Node, has_placeholder, push_token};

pub struct InvalidExpression;

static META: RuleMeta = RuleMeta {
    code: "ASL007",
    name: "invalid-expression",
    summary: "A JSONPath, reference path, intrinsic function or `{% %}` JSONata string does not parse",
    severity: Severity::Error,
    doc: rule_doc!("ASL007"),
};

/// Fields that hold a JSONPath path (any JSONPath) and reference paths (plain steps only).
const PATHS: &[&str] = &["OutputPath"];
const REFERENCE_PATHS: &[&str] = &[
    "ResultPath",
    "ItemsPath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "SecondsPath",
    "TimestampPath",
    "MaxConcurrencyPath",
    "ToleratedFailurePercentagePath",
    "ToleratedFailureCountPath",
];
/// Fields whose value may be a path or an intrinsic function.
const DYNAMIC_PATHS: &[&str] = &["InputPath", "ErrorPath", "CausePath"];
/// Payload templates, where keys ending in `.$` hold paths or intrinsic functions.
const TEMPLATES: &[&str] =
    &["Parameters", "ResultSelector", "ItemSelector", "Credentials", "Assign", "ItemReader", "ResultWriter", "ItemBatcher"];
/// Fields that are never expressions.
const NOT_EXPRESSIONS: &[&str] =
    &["Comment", "Type", "Next", "Default", "End", "QueryLanguage", "Resource", "Branches", "ItemProcessor", "Iterator"];

impl Rule for InvalidExpression {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_state(&self, cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
        match state.query_language {
            QueryLanguage::JsonPath => jsonpath_state(cx, state, out),
            QueryLanguage::Jsonata => jsonata_state(cx, state, out),
        }
    }
}

fn report(cx: &Context<'_>, pointer: &str, text: &str, error: ExprError, out: &mut Vec<Finding>) {
    out.push(cx.finding(&META, pointer, Target::Range(error.at, text.len()), format!("`{text}`: {}", error.message)));
}

fn jsonpath_state(cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
    // Pointers are built only for what is reported: most fields hold no error.
    let path = |pointer: &dyn Fn() -> String, value: &Node, check: fn(&str) -> Result<(), ExprError>, out: &mut Vec<Finding>| {
        if let Some(text) = value.as_str().filter(|t| !has_placeholder(t)) {
            if let Err(error) = check(text) {
                report(cx, &pointer(), text, error, out);
            }
        }
    };
    for member in state.node.members().unwrap_or_default() {
        let field = &*member.key;
        let pointer = || state.field_pointer(field);
        if PATHS.contains(&field) {
            path(&pointer, &member.value, |t| check_path(t, false), out);
        } else if REFERENCE_PATHS.contains(&field) {
            path(&pointer, &member.value, |t| check_path(t, true), out);
        } else if DYNAMIC_PATHS.contains(&field) {
            path(&pointer, &member.value, check_dynamic_value, out);
        } else if TEMPLATES.contains(&field) {
            template(cx, &pointer(), &member.value, out);
        }
    }
    for (i, catcher) in state.field("Catch").and_then(Node::as_array).unwrap_or_default().iter().enumerate() {
        let pointer = push_token(&state.field_pointer("Catch"), &i.to_string());
        if let Some(value) = catcher.get("ResultPath") {
            path(&|| push_token(&pointer, "ResultPath"), value, |t| check_path(t, true), out);
        }
        if let Some(assign) = catcher.get("Assign") {
            template(cx, &push_token(&pointer, "Assign"), assign, out);
        }
    }
    // Choice rules: `Variable` and `*Path` comparisons hold paths, at any nesting.
    let mut stack: Vec<(String, &Node)> = vec![(state.field_pointer("Choices"), state.field("Choices").unwrap_or(state.node))];
    if state.field("Choices").is_none() {
        stack.clear();
    }
    while let Some((pointer, node)) = stack.pop() {
        match &node.kind {
            Kind::Array(items) => push_containers(&mut stack, &pointer, items),
            Kind::Object(members) => {
                for member in members {
                    let at = || push_token(&pointer, &member.key);
                    match &*member.key {
                        "Variable" => path(&at, &member.value, |t| check_path(t, false), out),
                        "Assign" => template(cx, &at(), &member.value, out),
                        "And" | "Or" | "Not" => stack.push((at(), &member.value)),
                        key if key.ends_with("Path") => path(&at, &member.value, |t| check_path(t, false), out),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
}

/// Queues the objects and arrays of an array for a walk; scalars hold nothing to check.
fn push_containers<'n>(stack: &mut Vec<(String, &'n Node)>, pointer: &str, items: &'n [Node]) {
    let containers = items.iter().enumerate().filter(|(_, item)| matches!(item.kind, Kind::Object(_) | Kind::Array(_)));
    stack.extend(containers.map(|(i, item)| (push_token(pointer, &i.to_string()), item)));
}

/// Keys ending in `.$` anywhere in a payload template hold a path or an intrinsic function.
fn template(cx: &Context<'_>, pointer: &str, node: &Node, out: &mut Vec<Finding>) {
    let mut stack = vec![(pointer.to_string(), node)];
    while let Some((pointer, node)) = stack.pop() {
        match &node.kind {
            Kind::Object(members) => {
                for member in members {
                    // The pointer is built only for a value that is reported or descended into.
                    let at = || push_token(&pointer, &member.key);
                    if member.key.ends_with(".$") {
                        match member.value.as_str() {
                            Some(text) if has_placeholder(text) => {}
                            Some(text) => {
                                // Surrounding blanks are tolerated, as AWS trims them.
                                let trimmed = text.trim();
                                if let Err(error) = check_dynamic_value(trimmed) {
                                    let lead = text.len() - text.trim_start().len();
                                    report(cx, &at(), text, ExprError { at: error.at + lead, ..error }, out);
                                }
                            }
                            None if member.value.is_placeholder() => {}
                            None => out.push(cx.finding(
                                &META,
                                &at(),
                                Target::Value,
                                format!(
                                    "`{}` ends in `.$`, so its value must be a path or an intrinsic function string, not {}",
                                    member.key,
                                    member.value.type_name()
                                ),
                            )),
                        }
                    } else if matches!(member.value.kind, Kind::Object(_) | Kind::Array(_)) {
                        stack.push((at(), &member.value));
                    }
                }
            }
            Kind::Array(items) => push_containers(&mut stack, &pointer, items),
            _ => {}
        }
    }
}

/// In a JSONata state a string that starts with `{%` is an expression and must be a whole
/// one; any other string, `" {% x %} "` included, is a literal.
fn jsonata_state(cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
    let mut stack: Vec<(String, &Node)> = state
        .node
        .members()
        .unwrap_or_default()
        .iter()
        .filter(|m| !NOT_EXPRESSIONS.contains(&&*m.key))
        .map(|m| (state.field_pointer(&m.key), &m.value))
        .collect();
    while let Some((pointer, node)) = stack.pop() {
        match &node.kind {
            Kind::String(text) if text.starts_with("{%") => {
                if let Err(error) = check_jsonata(text) {
                    report(cx, &pointer, text, error, out);
                }
            }
            Kind::Object(members) => {
                stack.extend(members.iter().filter(|m| &*m.key != "Comment").map(|m| (push_token(&pointer, &m.key), &m.value)))
            }
            Kind::Array(items) => stack.extend(items.iter().enumerate().map(|(i, item)| (push_token(&pointer, &i.to_string()), item))),
            _ => {}
        }
    }
}

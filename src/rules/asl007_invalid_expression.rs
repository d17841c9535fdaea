use super::{Context, Rule, RuleMeta, Target, rule_doc};
use crate::asl::{QueryLanguage, State, StateKind};
use crate::diagnostic::{Finding, Severity};
use crate::syntax::expression::{ExprError, check_dynamic_value, check_path, check_result_path, check_selection_path, jsonata_variables};
use crate::syntax::jsonata::Variable;
use crate::syntax::{Kind, Node, Token, Trail, has_placeholder};

pub struct InvalidExpression;

static META: RuleMeta = RuleMeta {
    code: "ASL007",
    name: "invalid-expression",
    summary: "A JSONPath, reference path, intrinsic function or `{% %}` JSONata string does not parse",
    severity: Severity::Error,
    doc: rule_doc!("ASL007"),
};

/// Fields that hold a JSONPath path (any JSONPath) and reference paths (plain steps only).
const PATHS: &[&str] = &["InputPath", "OutputPath"];
const REFERENCE_PATHS: &[&str] = &[
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
const DYNAMIC_PATHS: &[&str] = &["ErrorPath", "CausePath"];
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
    let mut trail = Trail::new(&state.pointer);
    let path = |trail: &Trail<'_>, at: usize, value: &Node, check: fn(&str) -> Result<(), ExprError>, out: &mut Vec<Finding>| {
        if let Some(text) = value.as_str().filter(|t| !has_placeholder(t)) {
            if let Err(error) = check(text) {
                report(cx, &trail.pointer(at), text, error, out);
            }
        }
    };
    for member in state.node.members().unwrap_or_default() {
        let field = &*member.key;
        let check: fn(&str) -> Result<(), ExprError> = if field == "ResultPath" {
            check_result_path
        } else if PATHS.contains(&field) {
            check_selection_path
        } else if REFERENCE_PATHS.contains(&field) {
            |t| check_path(t, true)
        } else if DYNAMIC_PATHS.contains(&field) {
            check_dynamic_value
        } else if TEMPLATES.contains(&field) {
            let at = trail.step(Trail::ROOT, Token::Key(field));
            template(cx, &mut trail, at, &member.value, out);
            continue;
        } else {
            continue;
        };
        let at = trail.step(Trail::ROOT, Token::Key(field));
        path(&trail, at, &member.value, check, out);
    }
    if let Some(catchers) = state.field("Catch").and_then(Node::as_array) {
        let catch = trail.step(Trail::ROOT, Token::Key("Catch"));
        for (i, catcher) in catchers.iter().enumerate() {
            let at = trail.step(catch, Token::Index(i));
            if let Some(value) = catcher.get("ResultPath") {
                let result_path = trail.step(at, Token::Key("ResultPath"));
                path(&trail, result_path, value, check_result_path, out);
            }
            if let Some(assign) = catcher.get("Assign") {
                let assign_at = trail.step(at, Token::Key("Assign"));
                template(cx, &mut trail, assign_at, assign, out);
            }
        }
    }
    // Choice rules: `Variable` and `*Path` comparisons hold paths, at any nesting.
    let Some(choices) = state.field("Choices") else { return };
    let mut stack = vec![(trail.step(Trail::ROOT, Token::Key("Choices")), choices)];
    while let Some((at, node)) = stack.pop() {
        match &node.kind {
            Kind::Array(items) => push_containers(&mut trail, &mut stack, at, items),
            Kind::Object(members) => {
                for member in members {
                    let key = &*member.key;
                    if !matches!(key, "Variable" | "Assign" | "And" | "Or" | "Not") && !key.ends_with("Path") {
                        continue;
                    }
                    let step = trail.step(at, Token::Key(key));
                    match key {
                        "Assign" => template(cx, &mut trail, step, &member.value, out),
                        "And" | "Or" | "Not" => stack.push((step, &member.value)),
                        _ => path(&trail, step, &member.value, |t| check_path(t, false), out),
                    }
                }
            }
            _ => {}
        }
    }
}

/// Queues the objects and arrays of an array for a walk; scalars hold nothing to check.
fn push_containers<'n>(trail: &mut Trail<'n>, stack: &mut Vec<(usize, &'n Node<'n>)>, at: usize, items: &'n [Node<'n>]) {
    for (i, item) in items.iter().enumerate() {
        if matches!(item.kind, Kind::Object(_) | Kind::Array(_)) {
            stack.push((trail.step(at, Token::Index(i)), item));
        }
    }
}

/// Keys ending in `.$` anywhere in a payload template hold a path or an intrinsic function.
fn template<'n>(cx: &Context<'_>, trail: &mut Trail<'n>, at: usize, node: &'n Node<'n>, out: &mut Vec<Finding>) {
    let mut stack = vec![(at, node)];
    while let Some((at, node)) = stack.pop() {
        match &node.kind {
            Kind::Object(members) => {
                for member in members {
                    if member.key.ends_with(".$") {
                        // The pointer is built only for a value that is reported.
                        let pointer = |trail: &mut Trail<'n>| {
                            let step = trail.step(at, Token::Key(&member.key));
                            trail.pointer(step)
                        };
                        match member.value.as_str() {
                            Some(text) if has_placeholder(text) => {}
                            Some(text) => {
                                // Surrounding blanks are tolerated, as AWS trims them.
                                let trimmed = text.trim();
                                if let Err(error) = check_dynamic_value(trimmed) {
                                    let lead = text.len() - text.trim_start().len();
                                    report(cx, &pointer(trail), text, ExprError { at: error.at + lead, ..error }, out);
                                }
                            }
                            None if member.value.is_placeholder() => {}
                            None => out.push(cx.finding(
                                &META,
                                &pointer(trail),
                                Target::Value,
                                format!(
                                    "`{}` ends in `.$`, so its value must be a path or an intrinsic function string, not {}",
                                    member.key,
                                    member.value.type_name()
                                ),
                            )),
                        }
                    } else if matches!(member.value.kind, Kind::Object(_) | Kind::Array(_)) {
                        stack.push((trail.step(at, Token::Key(&member.key)), &member.value));
                    }
                }
            }
            Kind::Array(items) => push_containers(trail, &mut stack, at, items),
            _ => {}
        }
    }
}

/// Which of `$states.result` and `$states.errorOutput` a field of a JSONata state can read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// `$states.input` and `$states.context` only.
    Input,
    /// The `Output` or `Assign` of a state with a result (Task, Parallel, Map).
    Result,
    /// The `Catch` list, and then one catcher.
    Catchers,
    Catcher,
    /// A catcher's `Output` or `Assign`.
    Error,
}

/// In a JSONata state a string that starts with `{%` is an expression and must be a whole
/// one; any other string, `" {% x %} "` included, is a literal. Each expression may read only
/// the fields of `$states` that Step Functions provides where it stands.
fn jsonata_state(cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
    let has_result = matches!(state.kind, StateKind::Task | StateKind::Parallel | StateKind::Map);
    let mut trail = Trail::new(&state.pointer);
    let fields = state.node.members().unwrap_or_default().iter().filter(|m| !NOT_EXPRESSIONS.contains(&&*m.key));
    let mut stack: Vec<(usize, &Node, Reach)> = fields
        .map(|m| {
            let reach = match &*m.key {
                "Output" | "Assign" if has_result => Reach::Result,
                "Catch" => Reach::Catchers,
                _ => Reach::Input,
            };
            (trail.step(Trail::ROOT, Token::Key(&m.key)), &m.value, reach)
        })
        .collect();
    while let Some((at, node, reach)) = stack.pop() {
        match &node.kind {
            Kind::String(text) if text.starts_with("{%") => match jsonata_variables(text) {
                // The pointer is built only for an expression that is reported.
                Ok(variables) => states_fields(cx, || trail.pointer(at), text, &variables, reach, out),
                Err(error) => report(cx, &trail.pointer(at), text, error, out),
            },
            Kind::Object(members) => {
                for member in members.iter().filter(|m| &*m.key != "Comment") {
                    let reach = match (reach, &*member.key) {
                        (Reach::Catcher, "Output" | "Assign") => Reach::Error,
                        (Reach::Catcher, _) => Reach::Input,
                        (reach, _) => reach,
                    };
                    stack.push((trail.step(at, Token::Key(&member.key)), &member.value, reach));
                }
            }
            Kind::Array(items) => {
                let reach = if reach == Reach::Catchers { Reach::Catcher } else { reach };
                for (i, item) in items.iter().enumerate() {
                    stack.push((trail.step(at, Token::Index(i)), item, reach));
                }
            }
            _ => {}
        }
    }
}

/// `$states.result` outside a result's `Output` and `Assign`, `$states.errorOutput` outside a
/// catcher's, and any field `$states` does not have.
fn states_fields(
    cx: &Context<'_>,
    pointer: impl Fn() -> String,
    text: &str,
    variables: &[Variable<'_>],
    reach: Reach,
    out: &mut Vec<Finding>,
) {
    for variable in variables.iter().filter(|v| v.name == "states" && !v.bound) {
        let Some(field) = variable.field else { continue };
        let (message, help) = match field {
            "input" | "context" => continue,
            "result" if reach == Reach::Result => continue,
            "errorOutput" if reach == Reach::Error => continue,
            "result" => (
                "`$states.result` is only available in the `Output` and `Assign` of a Task, Parallel or Map state".to_string(),
                "read the state's input as `$states.input`; in a catcher the error is `$states.errorOutput`",
            ),
            "errorOutput" => (
                "`$states.errorOutput` is only available in the `Output` and `Assign` of a catcher".to_string(),
                "read the error in a `Catch` entry's `Output` or `Assign`",
            ),
            other => (format!("`$states` has no field `{other}`"), "`$states` holds `input`, `context`, `result` and `errorOutput`"),
        };
        let end = variable.at + "$states.".len() + field.len();
        out.push(cx.finding(&META, &pointer(), Target::Range(variable.at, end.min(text.len())), format!("`{text}`: {message}")).help(help));
    }
}

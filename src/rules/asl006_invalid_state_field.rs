use super::{Context, Rule, RuleMeta, Target, closest, rule_doc};
use crate::asl::{QueryLanguage, Scope, ScopeKind, State, StateKind};
use crate::diagnostic::{Finding, Severity};
use crate::syntax::expression::is_jsonata;
use crate::syntax::{Kind, Node, Token, Trail, has_placeholder, push_token};

pub struct InvalidStateField;

static META: RuleMeta = RuleMeta {
    code: "ASL006",
    name: "invalid-state-field",
    summary: "Unknown `Type`, a missing or disallowed field, exclusive fields together, or a value of the wrong type or range",
    severity: Severity::Error,
    doc: rule_doc!("ASL006"),
};

const STATE_TYPES: &[&str] = &["Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"];
const TOP_LEVEL_FIELDS: &[&str] = &["Comment", "StartAt", "States", "TimeoutSeconds", "Version", "QueryLanguage"];
const SCOPE_FIELDS: &[&str] = &["Comment", "StartAt", "States", "QueryLanguage"];
const MAX_SECONDS: f64 = 99_999_999.0;

/// Declares the fields of a state, with their lookup by name.
macro_rules! state_fields {
    ($($field:ident),* $(,)?) => {
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        enum Field {
            $($field),*
        }

        const FIELD_COUNT: usize = [$(Field::$field),*].len();

        impl Field {
            fn parse(name: &str) -> Option<Field> {
                match name {
                    $(stringify!($field) => Some(Field::$field),)*
                    _ => None,
                }
            }

            fn name(self) -> &'static str {
                match self {
                    $(Field::$field => stringify!($field)),*
                }
            }
        }
    };
}

state_fields!(
    Type,
    Comment,
    QueryLanguage,
    Next,
    End,
    InputPath,
    OutputPath,
    Resource,
    Parameters,
    Arguments,
    Credentials,
    ResultSelector,
    ResultPath,
    TimeoutSeconds,
    TimeoutSecondsPath,
    HeartbeatSeconds,
    HeartbeatSecondsPath,
    Retry,
    Catch,
    Output,
    Assign,
    Result,
    Choices,
    Default,
    Seconds,
    Timestamp,
    SecondsPath,
    TimestampPath,
    Error,
    ErrorPath,
    Cause,
    CausePath,
    Branches,
    ItemProcessor,
    Iterator,
    ItemsPath,
    Items,
    ItemSelector,
    MaxConcurrency,
    MaxConcurrencyPath,
    ItemReader,
    ItemBatcher,
    ResultWriter,
    ToleratedFailurePercentage,
    ToleratedFailurePercentagePath,
    ToleratedFailureCount,
    ToleratedFailureCountPath,
    Label,
);

/// A state's known fields, read in one pass over its members: each is the last of its
/// name, as AWS reads a repeated key.
struct Fields<'a>([Option<&'a Node>; FIELD_COUNT]);

impl<'a> Fields<'a> {
    fn get(&self, field: Field) -> Option<&'a Node> {
        self.0[field as usize]
    }

    /// The field's name and value, as the value checks take them.
    fn named(&self, field: Field) -> (&'static str, Option<&'a Node>) {
        (field.name(), self.get(field))
    }
}

/// The fields each state type accepts.
fn allowed_fields(kind: StateKind) -> &'static [Field] {
    match kind {
        StateKind::Task => &[
            Field::Type,
            Field::Comment,
            Field::QueryLanguage,
            Field::Next,
            Field::End,
            Field::InputPath,
            Field::OutputPath,
            Field::Resource,
            Field::Parameters,
            Field::Arguments,
            Field::Credentials,
            Field::ResultSelector,
            Field::ResultPath,
            Field::TimeoutSeconds,
            Field::TimeoutSecondsPath,
            Field::HeartbeatSeconds,
            Field::HeartbeatSecondsPath,
            Field::Retry,
            Field::Catch,
            Field::Output,
            Field::Assign,
        ],
        StateKind::Pass => &[
            Field::Type,
            Field::Comment,
            Field::QueryLanguage,
            Field::Next,
            Field::End,
            Field::InputPath,
            Field::OutputPath,
            Field::Result,
            Field::ResultPath,
            Field::Parameters,
            Field::Output,
            Field::Assign,
        ],
        StateKind::Choice => &[
            Field::Type,
            Field::Comment,
            Field::QueryLanguage,
            Field::InputPath,
            Field::OutputPath,
            Field::Choices,
            Field::Default,
            Field::Output,
            Field::Assign,
        ],
        StateKind::Wait => &[
            Field::Type,
            Field::Comment,
            Field::QueryLanguage,
            Field::Next,
            Field::End,
            Field::InputPath,
            Field::OutputPath,
            Field::Seconds,
            Field::Timestamp,
            Field::SecondsPath,
            Field::TimestampPath,
            Field::Output,
            Field::Assign,
        ],
        StateKind::Succeed => &[Field::Type, Field::Comment, Field::QueryLanguage, Field::InputPath, Field::OutputPath, Field::Output],
        StateKind::Fail => {
            &[Field::Type, Field::Comment, Field::QueryLanguage, Field::Error, Field::ErrorPath, Field::Cause, Field::CausePath]
        }
        StateKind::Parallel => &[
            Field::Type,
            Field::Comment,
            Field::QueryLanguage,
            Field::Next,
            Field::End,
            Field::InputPath,
            Field::OutputPath,
            Field::Branches,
            Field::Parameters,
            Field::Arguments,
            Field::ResultSelector,
            Field::ResultPath,
            Field::Retry,
            Field::Catch,
            Field::Output,
            Field::Assign,
        ],
        StateKind::Map => &[
            Field::Type,
            Field::Comment,
            Field::QueryLanguage,
            Field::Next,
            Field::End,
            Field::InputPath,
            Field::OutputPath,
            Field::ItemProcessor,
            Field::Iterator,
            Field::ItemsPath,
            Field::Items,
            Field::ItemSelector,
            Field::Parameters,
            Field::MaxConcurrency,
            Field::MaxConcurrencyPath,
            Field::ItemReader,
            Field::ItemBatcher,
            Field::ResultWriter,
            Field::ToleratedFailurePercentage,
            Field::ToleratedFailurePercentagePath,
            Field::ToleratedFailureCount,
            Field::ToleratedFailureCountPath,
            Field::Label,
            Field::ResultPath,
            Field::ResultSelector,
            Field::Retry,
            Field::Catch,
            Field::Output,
            Field::Assign,
        ],
        StateKind::Unknown => &[],
    }
}

/// What a JSONata state uses instead of a field of the JSONPath query language.
fn jsonpath_only(field: Field) -> Option<&'static str> {
    Some(match field {
        Field::InputPath => "read `$states.input` in `Arguments`",
        Field::OutputPath => "use `Output`",
        Field::Parameters => "use `Arguments`",
        Field::ResultSelector => "use `Output`",
        Field::ResultPath => "use `Output` or `Assign`",
        Field::TimeoutSecondsPath => "give `TimeoutSeconds` a `{% %}` expression",
        Field::HeartbeatSecondsPath => "give `HeartbeatSeconds` a `{% %}` expression",
        Field::SecondsPath => "give `Seconds` a `{% %}` expression",
        Field::TimestampPath => "give `Timestamp` a `{% %}` expression",
        Field::ItemsPath => "use `Items`",
        Field::MaxConcurrencyPath => "give `MaxConcurrency` a `{% %}` expression",
        Field::ToleratedFailurePercentagePath => "give `ToleratedFailurePercentage` a `{% %}` expression",
        Field::ToleratedFailureCountPath => "give `ToleratedFailureCount` a `{% %}` expression",
        Field::ErrorPath => "give `Error` a `{% %}` expression",
        Field::CausePath => "give `Cause` a `{% %}` expression",
        _ => return None,
    })
}

/// What a JSONPath state uses instead of a field of the JSONata query language.
fn jsonata_only(field: Field) -> Option<&'static str> {
    Some(match field {
        Field::Arguments => "use `Parameters`",
        Field::Output => "use `ResultSelector`, `ResultPath` or `OutputPath`",
        Field::Items => "use `ItemsPath`",
        _ => return None,
    })
}

const EXCLUSIVE: &[(Field, Field)] = &[
    (Field::TimeoutSeconds, Field::TimeoutSecondsPath),
    (Field::HeartbeatSeconds, Field::HeartbeatSecondsPath),
    (Field::Error, Field::ErrorPath),
    (Field::Cause, Field::CausePath),
    (Field::ItemProcessor, Field::Iterator),
    (Field::MaxConcurrency, Field::MaxConcurrencyPath),
    (Field::ToleratedFailurePercentage, Field::ToleratedFailurePercentagePath),
    (Field::ToleratedFailureCount, Field::ToleratedFailureCountPath),
];

const WAIT_FIELDS: &[Field] = &[Field::Seconds, Field::Timestamp, Field::SecondsPath, Field::TimestampPath];

/// The comparison operators of a JSONPath Choice rule and the type of their operand.
const OPERATORS: &[(&str, Operand)] = &[
    ("StringEquals", Operand::String),
    ("StringLessThan", Operand::String),
    ("StringGreaterThan", Operand::String),
    ("StringLessThanEquals", Operand::String),
    ("StringGreaterThanEquals", Operand::String),
    ("StringMatches", Operand::String),
    ("NumericEquals", Operand::Number),
    ("NumericLessThan", Operand::Number),
    ("NumericGreaterThan", Operand::Number),
    ("NumericLessThanEquals", Operand::Number),
    ("NumericGreaterThanEquals", Operand::Number),
    ("BooleanEquals", Operand::Bool),
    ("TimestampEquals", Operand::Timestamp),
    ("TimestampLessThan", Operand::Timestamp),
    ("TimestampGreaterThan", Operand::Timestamp),
    ("TimestampLessThanEquals", Operand::Timestamp),
    ("TimestampGreaterThanEquals", Operand::Timestamp),
    ("IsNull", Operand::Bool),
    ("IsPresent", Operand::Bool),
    ("IsNumeric", Operand::Bool),
    ("IsString", Operand::Bool),
    ("IsBoolean", Operand::Bool),
    ("IsTimestamp", Operand::Bool),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Operand {
    String,
    Number,
    Bool,
    Timestamp,
    Path,
}

/// The operand type of a comparison operator, `*Path` variants included.
fn operator(name: &str) -> Option<Operand> {
    if let Some(base) = name.strip_suffix("Path") {
        let found = OPERATORS.iter().any(|(op, _)| *op == base && !op.starts_with("Is") && *op != "StringMatches");
        return found.then_some(Operand::Path);
    }
    OPERATORS.iter().find(|(op, _)| *op == name).map(|&(_, operand)| operand)
}

impl Rule for InvalidStateField {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_definition(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let root = cx.definition.root;
        if root.is_object() {
            unknown_fields(cx, "", root, TOP_LEVEL_FIELDS, "a state machine", out);
            seconds(cx, "", named(root, "TimeoutSeconds"), 1.0, false, out);
            expect(cx, "", named(root, "Version"), Expect::String, out);
            expect(cx, "", named(root, "Comment"), Expect::String, out);
            query_language(cx, "", root, out);
        }
        for scope in &cx.machine.scopes {
            self.check_scope(cx, scope, out);
        }
        for state in &cx.machine.states {
            self.check_state(cx, state, out);
        }
    }

    fn check_scope(&self, cx: &Context<'_>, scope: &Scope<'_>, out: &mut Vec<Finding>) {
        let (fields, what): (&[&str], _) = match scope.kind {
            ScopeKind::TopLevel => return,
            ScopeKind::Branch => (SCOPE_FIELDS, "a Parallel branch"),
            ScopeKind::ItemProcessor => (&["Comment", "StartAt", "States", "QueryLanguage", "ProcessorConfig"], "a Map item processor"),
        };
        unknown_fields(cx, &scope.pointer, scope.node, fields, what, out);
        expect(cx, &scope.pointer, named(scope.node, "Comment"), Expect::String, out);
        query_language(cx, &scope.pointer, scope.node, out);
        if let Some(config) = scope.node.get("ProcessorConfig") {
            processor_config(cx, &push_token(&scope.pointer, "ProcessorConfig"), config, out);
        }
    }

    fn check_state(&self, cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
        let name = state.name;
        if !state.node.is_object() {
            out.push(cx.finding(
                &META,
                &state.pointer,
                Target::Value,
                format!("state `{name}` must be an object, not {}", state.node.type_name()),
            ));
            return;
        }
        if state.kind == StateKind::Unknown {
            unknown_type(cx, state, out);
            return;
        }
        let kind_name = state.field("Type").and_then(Node::as_str).unwrap_or_default();
        let language = state.query_language;
        variable_names(cx, state, out);
        let length = name.chars().count();
        if length == 0 || length > MAX_STATE_NAME {
            out.push(
                cx.finding(
                    &META,
                    &state.pointer,
                    Target::Key,
                    format!("a state name must be 1 to {MAX_STATE_NAME} characters long; `{name}` has {length}"),
                )
                .help("shorten the name (and every `Next`, `Default` and `StartAt` that names it)"),
            );
        }
        let allowed = allowed_fields(state.kind);
        let allowed_mask = allowed.iter().fold(0u64, |mask, &field| mask | 1 << field as u32);
        let mut fields = Fields([None; FIELD_COUNT]);
        for member in state.node.members().unwrap_or_default() {
            let key = &*member.key;
            let field = Field::parse(key);
            if let Some(field) = field {
                fields.0[field as usize] = Some(&member.value);
            }
            // Built only for a field that is reported.
            let pointer = || state.field_pointer(key);
            let Some(field) = field.filter(|&field| allowed_mask & 1 << field as u32 != 0) else {
                // `End` on a Choice is ASL005's.
                if !(state.kind == StateKind::Choice && key == "End") {
                    let finding =
                        cx.finding(&META, &pointer(), Target::Key, format!("`{key}` is not a field of a {kind_name} state (`{name}`)"));
                    out.push(match closest(key, allowed.iter().map(|field| field.name())) {
                        Some(suggestion) => finding.help(format!("did you mean `{suggestion}`?")),
                        None => finding.help(format!("remove `{key}`")),
                    });
                }
                continue;
            };
            if let (QueryLanguage::Jsonata, Some(instead)) = (language, jsonpath_only(field)) {
                out.push(
                    cx.finding(&META, &pointer(), Target::Key, format!("`{key}` is a JSONPath field, but `{name}` uses JSONata"))
                        .help(instead),
                );
            } else if let (QueryLanguage::JsonPath, Some(instead)) = (language, jsonata_only(field)) {
                out.push(
                    cx.finding(&META, &pointer(), Target::Key, format!("`{key}` is a JSONata field, but `{name}` uses JSONPath"))
                        .help(format!("{instead}, or set `\"QueryLanguage\": \"JSONata\"`")),
                );
            }
        }
        // A Distributed Map's children are executions of their own, free to choose.
        if cx.machine.query_language == QueryLanguage::Jsonata && language == QueryLanguage::JsonPath && !in_distributed_map(cx, state) {
            out.push(cx.finding(
                &META,
                &state.field_pointer("QueryLanguage"),
                Target::Value,
                format!("`{name}` uses JSONPath inside a JSONata state machine; a JSONata machine cannot hold JSONPath states"),
            ));
        }
        query_language(cx, &state.pointer, state.node, out);
        required(cx, state, &fields, out);
        for &(a, b) in EXCLUSIVE {
            if fields.get(a).is_some() && fields.get(b).is_some() {
                let (a, b) = (a.name(), b.name());
                out.push(cx.finding(&META, &state.field_pointer(b), Target::Key, format!("`{name}` has both `{a}` and `{b}`; use one")));
            }
        }
        values(cx, state, &fields, out);
        if state.kind == StateKind::Choice {
            choice_rules(cx, state, out);
        }
    }
}

/// The entries of an array field of a state (`Retry`, `Catch`, `Choices`), or none.
fn fields_list<'n>(state: &State<'n>, list: &str) -> &'n [Node] {
    state.field(list).and_then(Node::as_array).unwrap_or_default()
}

/// The longest state name Step Functions accepts.
const MAX_STATE_NAME: usize = 80;

/// The longest variable name Step Functions accepts.
const MAX_VARIABLE_NAME: usize = 80;

/// What is wrong with a variable name, if anything: a letter or `_` first, then letters,
/// digits and `_`; at most 80 characters; not `states`, which Step Functions reserves.
fn variable_name_error(name: &str) -> Option<String> {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_alphabetic() || c == '_');
    if !first_ok || !chars.all(|c| c.is_alphanumeric() || c == '_') {
        return Some(format!("`{name}` is not a variable name: it must start with a letter or `_` and hold only letters, digits and `_`"));
    }
    if name.chars().count() > MAX_VARIABLE_NAME {
        return Some(format!("the variable name `{name}` is longer than {MAX_VARIABLE_NAME} characters"));
    }
    (name == "states").then(|| "`states` is reserved for `$states`, which Step Functions provides; it cannot be assigned".to_string())
}

/// The names of the variables a state assigns: its own `Assign`, its catchers' and its
/// Choice rules'. In JSONPath a key's `.$` suffix is not part of the name.
fn variable_names(cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
    let jsonpath = state.query_language == QueryLanguage::JsonPath;
    let mut blocks: Vec<(String, &Node)> = Vec::new();
    if let Some(assign) = state.field("Assign") {
        blocks.push((state.field_pointer("Assign"), assign));
    }
    for list in ["Catch", "Choices"] {
        for (i, entry) in state.field(list).and_then(Node::as_array).unwrap_or_default().iter().enumerate() {
            if let Some(assign) = entry.get("Assign") {
                blocks.push((push_token(&push_token(&state.field_pointer(list), &i.to_string()), "Assign"), assign));
            }
        }
    }
    for (pointer, assign) in blocks {
        for member in assign.members().unwrap_or_default() {
            let key = &*member.key;
            let name = if jsonpath { key.strip_suffix(".$").unwrap_or(key) } else { key };
            if let Some(message) = variable_name_error(name) {
                out.push(
                    cx.finding(&META, &push_token(&pointer, key), Target::Key, message)
                        .help("rename it to an identifier such as `orderTotal` or `_retries`, and read it as `$orderTotal`"),
                );
            }
        }
    }
}

fn in_distributed_map(cx: &Context<'_>, state: &State<'_>) -> bool {
    let mut scope = cx.machine.scope_of(state);
    while let Some(owner) = scope.parent {
        let owner = &cx.machine.states[owner];
        let mode = owner.field("ItemProcessor").and_then(|p| p.get("ProcessorConfig")).and_then(|c| c.get("Mode"));
        if mode.and_then(Node::as_str) == Some("DISTRIBUTED") {
            return true;
        }
        scope = cx.machine.scope_of(owner);
    }
    false
}

fn unknown_type(cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
    let name = state.name;
    let finding = match state.field("Type") {
        None => cx.finding(&META, &state.pointer, Target::Key, format!("state `{name}` has no `Type`")),
        Some(Node { kind: Kind::String(ty), .. }) => {
            let finding = cx.finding(&META, &state.field_pointer("Type"), Target::Value, format!("`{ty}` is not a state type (`{name}`)"));
            match closest(ty, STATE_TYPES.iter().copied()) {
                Some(suggestion) => return out.push(finding.help(format!("did you mean `{suggestion}`?"))),
                None => finding,
            }
        }
        Some(other) => {
            cx.finding(&META, &state.field_pointer("Type"), Target::Value, format!("`Type` must be a string, not {}", other.type_name()))
        }
    };
    out.push(finding.help(format!("`Type` is one of {}", STATE_TYPES.join(", "))));
}

fn unknown_fields(cx: &Context<'_>, pointer: &str, node: &Node, allowed: &[&str], what: &str, out: &mut Vec<Finding>) {
    for member in node.members().unwrap_or_default() {
        if !allowed.contains(&&*member.key) {
            let finding =
                cx.finding(&META, &push_token(pointer, &member.key), Target::Key, format!("`{}` is not a field of {what}", member.key));
            out.push(match closest(&member.key, allowed.iter().copied()) {
                Some(suggestion) => finding.help(format!("did you mean `{suggestion}`?")),
                None => finding.help(format!("the fields of {what} are {}", allowed.join(", "))),
            });
        }
    }
}

fn query_language(cx: &Context<'_>, pointer: &str, node: &Node, out: &mut Vec<Finding>) {
    if let Some(value) = node.get("QueryLanguage") {
        if value.as_str().and_then(QueryLanguage::parse).is_none() {
            out.push(cx.finding(
                &META,
                &push_token(pointer, "QueryLanguage"),
                Target::Value,
                "`QueryLanguage` must be \"JSONPath\" or \"JSONata\"",
            ));
        }
    }
}

fn required(cx: &Context<'_>, state: &State<'_>, fields: &Fields<'_>, out: &mut Vec<Finding>) {
    let name = state.name;
    let missing = |field: &str| cx.finding(&META, &state.pointer, Target::Key, format!("`{name}` has no `{field}`"));
    match state.kind {
        StateKind::Task if fields.get(Field::Resource).is_none() => {
            out.push(missing("Resource").help("add the ARN of the integration, e.g. \"arn:aws:states:::lambda:invoke\""))
        }
        StateKind::Choice | StateKind::Parallel => {
            let field = if state.kind == StateKind::Choice { Field::Choices } else { Field::Branches };
            let (field, value) = fields.named(field);
            match value {
                None => out.push(missing(field)),
                Some(value) => match value.as_array() {
                    Some([]) => {
                        out.push(cx.finding(&META, &state.field_pointer(field), Target::Value, format!("`{field}` of `{name}` is empty")))
                    }
                    Some(_) => {}
                    None if value.is_placeholder() => {}
                    None => out.push(cx.finding(
                        &META,
                        &state.field_pointer(field),
                        Target::Value,
                        format!("`{field}` must be an array, not {}", value.type_name()),
                    )),
                },
            }
        }
        StateKind::Map if fields.get(Field::ItemProcessor).is_none() && fields.get(Field::Iterator).is_none() => {
            out.push(missing("ItemProcessor").help("add `ItemProcessor` with the `StartAt` and `States` run for each item"))
        }
        StateKind::Wait => {
            let present: Vec<&str> = WAIT_FIELDS.iter().filter(|&&f| fields.get(f).is_some()).map(|f| f.name()).collect();
            match present.as_slice() {
                [] => out
                    .push(missing("Seconds").help("a Wait needs exactly one of `Seconds`, `Timestamp`, `SecondsPath` or `TimestampPath`")),
                [_] => {}
                [_, rest @ ..] => {
                    for field in rest {
                        out.push(cx.finding(
                            &META,
                            &state.field_pointer(field),
                            Target::Key,
                            format!("`{name}` gives more than one of `Seconds`, `Timestamp`, `SecondsPath` and `TimestampPath`"),
                        ));
                    }
                }
            }
        }
        _ => {}
    }
}

/// Types and ranges of the fields that have them.
fn values(cx: &Context<'_>, state: &State<'_>, fields: &Fields<'_>, out: &mut Vec<Finding>) {
    let pointer = &state.pointer;
    let jsonata = state.query_language == QueryLanguage::Jsonata;
    expect(cx, pointer, fields.named(Field::Comment), Expect::String, out);
    expect(cx, pointer, fields.named(Field::Next), Expect::String, out);
    expect(cx, pointer, fields.named(Field::Default), Expect::String, out);
    expect(cx, pointer, fields.named(Field::End), Expect::Bool, out);
    // `Parameters` may be any JSON value (an array or a string too).
    for field in [
        Field::ResultSelector,
        Field::ItemSelector,
        Field::Credentials,
        Field::Assign,
        Field::ItemReader,
        Field::ItemBatcher,
        Field::ResultWriter,
    ] {
        // In JSONata an object field may be one `{% %}` expression that yields the object.
        let jsonata_value = fields.get(field).and_then(Node::as_str).is_some_and(|t| jsonata && is_jsonata(t));
        if !jsonata_value {
            expect(cx, pointer, fields.named(field), Expect::Object, out);
        }
    }
    for field in [Field::InputPath, Field::OutputPath, Field::ResultPath] {
        expect(cx, pointer, fields.named(field), Expect::StringOrNull, out);
    }
    if let Some(credentials) = fields.get(Field::Credentials).filter(|c| c.is_object())
        && credentials.get("RoleArn").or_else(|| credentials.get("RoleArn.$")).is_none()
    {
        out.push(
            cx.finding(&META, &state.field_pointer("Credentials"), Target::Key, "`Credentials` must give the `RoleArn` to assume")
                .help("add `\"RoleArn\": \"arn:aws:iam::123456789012:role/...\"` (or `RoleArn.$` with a path)"),
        );
    }
    if let Some(items_path) = fields.get(Field::ItemsPath).filter(|v| !fits(v, Expect::String)) {
        out.push(cx.finding(
            &META,
            &state.field_pointer("ItemsPath"),
            Target::Value,
            format!("`ItemsPath` must be a reference path such as `$.items`, not {}", items_path.type_name()),
        ));
    }
    for list in ["Retry", "Catch", "Choices"] {
        for (i, entry) in fields_list(state, list).iter().enumerate() {
            if let Some(comment) = entry.get("Comment").filter(|c| !fits(c, Expect::String)) {
                let pointer = push_token(&push_token(&state.field_pointer(list), &i.to_string()), "Comment");
                out.push(cx.finding(&META, &pointer, Target::Value, format!("`Comment` must be a string, not {}", comment.type_name())));
            }
        }
    }
    if let Some(label) = fields.get(Field::Label) {
        match label.as_str() {
            Some(text) if text.chars().count() > 40 => {
                out.push(cx.finding(&META, &state.field_pointer("Label"), Target::Value, "`Label` must be at most 40 characters"))
            }
            Some(_) => {}
            None => expect(cx, pointer, fields.named(Field::Label), Expect::String, out),
        }
    }
    seconds(cx, pointer, fields.named(Field::TimeoutSeconds), 1.0, jsonata, out);
    seconds(cx, pointer, fields.named(Field::HeartbeatSeconds), 1.0, jsonata, out);
    if let (Some(heartbeat), Some(timeout)) =
        (fields.get(Field::HeartbeatSeconds).and_then(Node::as_f64), fields.get(Field::TimeoutSeconds).and_then(Node::as_f64))
    {
        if heartbeat >= timeout {
            out.push(cx.finding(
                &META,
                &state.field_pointer("HeartbeatSeconds"),
                Target::Value,
                format!("`HeartbeatSeconds` ({heartbeat}) must be less than `TimeoutSeconds` ({timeout})"),
            ));
        }
    }
    if state.kind == StateKind::Wait {
        seconds(cx, pointer, fields.named(Field::Seconds), 0.0, jsonata, out);
        if let Some(text) = fields.get(Field::Timestamp).and_then(Node::as_str) {
            let dynamic = has_placeholder(text) || (jsonata && is_jsonata(text));
            if !dynamic && !is_rfc3339(text) {
                out.push(
                    cx.finding(
                        &META,
                        &state.field_pointer("Timestamp"),
                        Target::Value,
                        format!("`{text}` is not an RFC 3339 timestamp of a real date and time"),
                    )
                    .help("write it like \"2026-03-14T01:59:00Z\", with an uppercase `T` and `Z` or an offset"),
                );
            }
        }
    }
    if state.kind == StateKind::Map {
        numeric(cx, pointer, fields.named(Field::MaxConcurrency), 0.0, f64::MAX, true, jsonata, out);
        numeric(cx, pointer, fields.named(Field::ToleratedFailureCount), 0.0, f64::MAX, true, jsonata, out);
        numeric(cx, pointer, fields.named(Field::ToleratedFailurePercentage), 0.0, 100.0, false, jsonata, out);
    }
    if state.kind == StateKind::Fail {
        for field in [Field::Error, Field::Cause] {
            expect(cx, pointer, fields.named(field), Expect::String, out);
        }
    }
}

fn processor_config(cx: &Context<'_>, pointer: &str, config: &Node, out: &mut Vec<Finding>) {
    if !config.is_object() {
        return expect_value(cx, pointer, config, "ProcessorConfig", Expect::Object, out);
    }
    unknown_fields(cx, pointer, config, &["Mode", "ExecutionType"], "`ProcessorConfig`", out);
    let mode = config.get("Mode").and_then(Node::as_str);
    if let Some(value) = config.get("Mode").filter(|_| !matches!(mode, Some("INLINE" | "DISTRIBUTED"))) {
        if !value.is_placeholder() {
            out.push(cx.finding(&META, &push_token(pointer, "Mode"), Target::Value, "`Mode` must be \"INLINE\" or \"DISTRIBUTED\""));
        }
    }
    match config.get("ExecutionType") {
        None if mode == Some("DISTRIBUTED") => out.push(
            cx.finding(&META, pointer, Target::Key, "a DISTRIBUTED Map needs `ExecutionType`")
                .help("add `\"ExecutionType\": \"STANDARD\"` or `\"EXPRESS\"`"),
        ),
        Some(value) if !matches!(value.as_str(), Some("STANDARD" | "EXPRESS")) && !value.is_placeholder() => out.push(cx.finding(
            &META,
            &push_token(pointer, "ExecutionType"),
            Target::Value,
            "`ExecutionType` must be \"STANDARD\" or \"EXPRESS\"",
        )),
        _ => {}
    }
}

#[derive(Clone, Copy)]
enum Expect {
    String,
    StringOrNull,
    Bool,
    Object,
}

/// A field of `node` by name, as the value checks take it.
fn named<'n>(node: &'n Node, field: &'static str) -> (&'static str, Option<&'n Node>) {
    (field, node.get(field))
}

#[inline]
fn expect(cx: &Context<'_>, pointer: &str, (field, value): (&str, Option<&Node>), expected: Expect, out: &mut Vec<Finding>) {
    // The pointer is built only for a value that is reported.
    if let Some(value) = value.filter(|value| !fits(value, expected)) {
        expect_value(cx, &push_token(pointer, field), value, field, expected, out);
    }
}

fn fits(value: &Node, expected: Expect) -> bool {
    let ok = match expected {
        Expect::String => value.as_str().is_some(),
        Expect::StringOrNull => value.as_str().is_some() || value.kind == Kind::Null,
        Expect::Bool => value.as_bool().is_some(),
        Expect::Object => value.is_object(),
    };
    ok || value.is_placeholder()
}

fn expect_value(cx: &Context<'_>, pointer: &str, value: &Node, field: &str, expected: Expect, out: &mut Vec<Finding>) {
    let (ok, wanted) = match expected {
        Expect::String => (value.as_str().is_some(), "a string"),
        Expect::StringOrNull => (value.as_str().is_some() || value.kind == Kind::Null, "a string or null"),
        Expect::Bool => (value.as_bool().is_some(), "true or false"),
        Expect::Object => (value.is_object(), "an object"),
    };
    if !ok && !value.is_placeholder() {
        out.push(cx.finding(&META, pointer, Target::Value, format!("`{field}` must be {wanted}, not {}", value.type_name())));
    }
}

/// A count of seconds: an integer from `min` to 99999999.
fn seconds(cx: &Context<'_>, pointer: &str, field: (&str, Option<&Node>), min: f64, jsonata: bool, out: &mut Vec<Finding>) {
    numeric(cx, pointer, field, min, MAX_SECONDS, true, jsonata, out);
}

/// A number from `min` to `max`, a whole one when `whole`.
#[allow(clippy::too_many_arguments)]
fn numeric(
    cx: &Context<'_>,
    pointer: &str,
    (field, value): (&str, Option<&Node>),
    min: f64,
    max: f64,
    whole: bool,
    jsonata: bool,
    out: &mut Vec<Finding>,
) {
    let Some(value) = value else { return };
    let found = match &value.kind {
        Kind::Number(n) if n.is_finite() && (!whole || n.fract() == 0.0) && *n >= min && *n <= max => return,
        Kind::Number(n) => render_number(*n),
        Kind::String(text) if has_placeholder(text) || (jsonata && is_jsonata(text)) => return,
        Kind::Tagged(..) => return,
        _ if value.is_placeholder() => return,
        _ => value.type_name().to_string(),
    };
    let what = if whole { "an integer" } else { "a number" };
    let range = if max == f64::MAX { format!("{what} of at least {min}") } else { format!("{what} from {min} to {max}") };
    let message = format!("`{field}` must be {range}, not {found}");
    out.push(cx.finding(&META, &push_token(pointer, field), Target::Value, message));
}

fn render_number(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e16 { format!("{}", n as i64) } else { format!("{n}") }
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, uppercase `T` and `Z`.
fn is_rfc3339(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| b.get(range).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if b.len() < 20 || !digits(0..4) || b[4] != b'-' || !digits(5..7) || b[7] != b'-' || !digits(8..10) || b[10] != b'T' {
        return false;
    }
    if !digits(11..13) || b[13] != b':' || !digits(14..16) || b[16] != b':' || !digits(17..19) {
        return false;
    }
    // The digits must also name a real moment: no month 13, no 30 February, no hour 24.
    let number = |range: std::ops::Range<usize>| text[range].parse::<u32>().unwrap_or(u32::MAX);
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day == 0 || day > days || number(11..13) > 23 || number(14..16) > 59 || number(17..19) > 60 {
        return false;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match b.get(i) {
        Some(b'Z') => i + 1 == b.len(),
        Some(b'+' | b'-') => b.len() == i + 6 && digits(i + 1..i + 3) && b[i + 3] == b':' && digits(i + 4..i + 6),
        _ => false,
    }
}

/// The rules of a Choice state, nested `And` / `Or` / `Not` included.
fn choice_rules(cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
    let jsonata = state.query_language == QueryLanguage::Jsonata;
    let rules = state.field("Choices").and_then(Node::as_array).unwrap_or_default();
    // Pointers are built only for what is reported.
    let mut trail = Trail::new(&state.pointer);
    let choices = trail.step(Trail::ROOT, Token::Key("Choices"));
    let mut stack: Vec<(usize, &Node, bool)> =
        rules.iter().enumerate().rev().map(|(i, rule)| (trail.step(choices, Token::Index(i)), rule, true)).collect();
    let report = |trail: &Trail<'_>, at: usize, target, message: String, out: &mut Vec<Finding>| {
        out.push(cx.finding(&META, &trail.pointer(at), target, message));
    };
    while let Some((rule_at, rule, top)) = stack.pop() {
        let Some(members) = rule.members() else {
            report(&trail, rule_at, Target::Value, format!("a Choice rule must be an object, not {}", rule.type_name()), out);
            continue;
        };
        if top && rule.get("Next").is_none() {
            report(&trail, rule_at, Target::Value, format!("a Choice rule of `{}` has no `Next`", state.name), out);
        }
        let mut operators = Vec::new();
        let mut combinators = Vec::new();
        for member in members {
            let key = &*member.key;
            let at = trail.step(rule_at, Token::Key(key));
            match key {
                "Comment" => {}
                "Next" | "Assign" if top => {}
                "Output" if top && jsonata => {}
                "Condition" if jsonata => {}
                "Variable" if !jsonata => {
                    if !fits(&member.value, Expect::String) {
                        expect_value(cx, &trail.pointer(at), &member.value, key, Expect::String, out);
                    }
                }
                "And" | "Or" | "Not" if !jsonata => combinators.push((key, &member.value, at)),
                _ if !jsonata && operator(key).is_some() => operators.push((key, &member.value, at)),
                _ => {
                    let language = if jsonata { "a JSONata Choice rule (which uses `Condition`)" } else { "a JSONPath Choice rule" };
                    let place = if top { "" } else { " nested inside `And`, `Or` or `Not`" };
                    report(&trail, at, Target::Key, format!("`{key}` is not a field of {language}{place}"), out);
                }
            }
        }
        if jsonata {
            if rule.get("Condition").is_none() {
                report(&trail, rule_at, Target::Value, format!("a JSONata Choice rule of `{}` has no `Condition`", state.name), out);
            }
            continue;
        }
        match (combinators.as_slice(), operators.as_slice()) {
            ([], []) => report(
                &trail,
                rule_at,
                Target::Value,
                format!("a Choice rule of `{}` has no comparison (such as `StringEquals`) and no `And`, `Or` or `Not`", state.name),
                out,
            ),
            ([], [(op, value, at)]) => {
                if rule.get("Variable").is_none() {
                    report(&trail, rule_at, Target::Value, format!("the `{op}` rule of `{}` has no `Variable`", state.name), out);
                }
                if let Some(message) = operand_error(op, value) {
                    report(&trail, *at, Target::Value, message, out);
                }
            }
            ([], [_, rest @ ..]) => {
                for (op, _, at) in rest {
                    report(&trail, *at, Target::Key, format!("a Choice rule can have one comparison; `{op}` is a second one"), out);
                }
            }
            (&[(name, value, at)], []) => {
                if rule.get("Variable").is_some() {
                    let variable = trail.step(rule_at, Token::Key("Variable"));
                    report(&trail, variable, Target::Key, format!("`{name}` combines rules and cannot have a `Variable`"), out);
                }
                match (name, &value.kind) {
                    ("Not", Kind::Object(_)) => stack.push((at, value, false)),
                    ("And" | "Or", Kind::Array(items)) if !items.is_empty() => {
                        for (i, item) in items.iter().enumerate().rev() {
                            stack.push((trail.step(at, Token::Index(i)), item, false));
                        }
                    }
                    ("Not", _) => report(&trail, at, Target::Value, "`Not` must hold one Choice rule (an object)".into(), out),
                    _ => report(&trail, at, Target::Value, format!("`{name}` must hold a non-empty array of Choice rules"), out),
                }
            }
            (_, _) => {
                let (name, _, at) = if combinators.len() > 1 { combinators[1] } else { operators[0] };
                report(
                    &trail,
                    at,
                    Target::Key,
                    format!("a Choice rule can have one of `And`, `Or`, `Not` or a comparison; `{name}` is one too many"),
                    out,
                );
            }
        }
    }
}

fn operand_error(op: &str, value: &Node) -> Option<String> {
    if value.is_placeholder() {
        return None;
    }
    let (ok, wanted) = match operator(op)? {
        Operand::String | Operand::Timestamp | Operand::Path => (value.as_str().is_some(), "a string"),
        Operand::Number => (value.as_f64().is_some(), "a number"),
        Operand::Bool => (value.as_bool().is_some(), "true or false"),
    };
    if !ok {
        return Some(format!("`{op}` compares with {wanted}, not {}", value.type_name()));
    }
    if operator(op) == Some(Operand::Timestamp) {
        let text = value.as_str()?;
        if !is_rfc3339(text) {
            return Some(format!("`{text}` is not an RFC 3339 timestamp of a real date and time"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        for ok in ["2026-01-01T00:00:00Z", "2026-01-01T00:00:00.123Z", "2026-01-01T00:00:00+02:00"] {
            assert!(is_rfc3339(ok), "{ok}");
        }
        for bad in ["2026-01-01 00:00:00Z", "2026-01-01t00:00:00z", "2026-01-01T00:00:00", "2026-1-01T00:00:00Z"] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }

    #[test]
    fn operators_and_their_path_variants() {
        assert!(operator("StringEqualsPath") == Some(Operand::Path));
        assert!(operator("IsPresentPath").is_none());
        assert!(operator("NumericGreaterThan") == Some(Operand::Number));
        assert!(operator("Nope").is_none());
    }
}

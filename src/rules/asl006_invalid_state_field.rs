use super::{Context, Rule, RuleMeta, Target, closest, rule_doc};
use crate::asl::spec::{self, Instead, Object, Value};
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
const WAIT_FIELDS: &[&str] = &["Seconds", "Timestamp", "SecondsPath", "TimestampPath"];

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
            let place = Place { state: None, kind: None, language: cx.machine.query_language, inline_map: false };
            check_object(cx, "", root, &spec::MACHINE, &place, out);
            query_language(cx, "", root, out);
            definition_size(cx, root, out);
        }
        for scope in &cx.machine.scopes {
            self.check_scope(cx, scope, out);
        }
        for state in &cx.machine.states {
            self.check_state(cx, state, out);
        }
    }

    fn check_scope(&self, cx: &Context<'_>, scope: &Scope<'_>, out: &mut Vec<Finding>) {
        let object = match scope.kind {
            ScopeKind::TopLevel => return,
            ScopeKind::Branch => &spec::BRANCH,
            ScopeKind::ItemProcessor => &spec::ITEM_PROCESSOR,
        };
        let place = Place { state: None, kind: None, language: cx.machine.query_language, inline_map: false };
        check_object(cx, &scope.pointer, scope.node, object, &place, out);
        query_language(cx, &scope.pointer, scope.node, out);
        if let Some(config) = scope.node.get("ProcessorConfig").filter(|config| config.is_object()) {
            execution_type(cx, &push_token(&scope.pointer, "ProcessorConfig"), config, out);
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
        let place = Place { state: Some(name), kind: Some(state.kind), language, inline_map: state.says_inline_map() };
        check_object(cx, &state.pointer, state.node, spec::state(state.kind), &place, out);
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
        required(cx, state, out);
        values(cx, state, out);
        match state.kind {
            StateKind::Choice => choice_rules(cx, state, out),
            StateKind::Map => map_fields(cx, state, &place, out),
            _ => {}
        }
    }
}

/// A definition larger than Step Functions accepts. Its compact JSON is measured, the least a
/// deployment can send, and only for a definition whose text comes near the limit.
fn definition_size(cx: &Context<'_>, root: &Node, out: &mut Vec<Finding>) {
    let written = root.span.end().saturating_sub(root.span.start());
    if written <= spec::MAX_DEFINITION_BYTES / 2 {
        return;
    }
    let size = root.compact_json_len();
    if size > spec::MAX_DEFINITION_BYTES {
        out.push(
            cx.finding(
                &META,
                "",
                Target::Key,
                format!("the definition is {size} bytes even as compact JSON; Step Functions accepts at most {} (1 MB)", spec::MAX_DEFINITION_BYTES),
            )
            .help("move a Parallel branch or a Map's item processor into a state machine of its own, and start it with `arn:aws:states:::states:startExecution.sync:2`"),
        );
    }
}

/// Where an object sits, as far as its checks need to know.
#[derive(Clone, Copy)]
struct Place<'s> {
    /// The state it belongs to, which messages name; none for the machine and its scopes.
    state: Option<&'s str>,
    /// The state's type, when the object is the state itself rather than one inside it.
    kind: Option<StateKind>,
    language: QueryLanguage,
    /// The object belongs to a Map state that says it runs its items INLINE: fields of a
    /// Distributed Map are reported. One with no `ProcessorConfig` is not told apart: the
    /// peers' suites hold such Maps with a reader and a writer as valid.
    inline_map: bool,
}

/// Checks an object against its table: unknown fields, fields of the other query language or
/// of a Distributed Map only, exclusive pairs, required fields and each value, nested objects
/// included.
fn check_object(cx: &Context<'_>, pointer: &str, node: &Node, object: &'static Object, place: &Place<'_>, out: &mut Vec<Finding>) {
    let Some(members) = node.members() else { return };
    let is_state = place.kind.is_some();
    // How messages name the object: "`Name`" for a state, "`ItemBatcher` of `Name`" inside one.
    let subject = || match place.state {
        Some(name) if is_state => format!("`{name}`"),
        Some(name) => format!("{} of `{name}`", object.what),
        None => object.what.to_string(),
    };
    let owner = place.state.unwrap_or("the state machine");
    for (i, member) in members.iter().enumerate() {
        let key = &*member.key;
        // AWS reads the last of a repeated key (ASL010 reports the others).
        if members[i + 1..].iter().any(|later| later.key == member.key) {
            continue;
        }
        // Built only for a field that is reported.
        let at = || push_token(pointer, key);
        let Some(field) = object.field(key) else {
            // `End` on a Choice is ASL005's.
            if key == "End" && place.kind == Some(StateKind::Choice) {
                continue;
            }
            let what = match place.state {
                Some(name) if is_state => format!("{} (`{name}`)", object.what),
                _ => object.what.to_string(),
            };
            let finding = cx.finding(&META, &at(), Target::Key, format!("`{key}` is not a field of {what}"));
            let names = object.fields.iter().map(|field| field.name);
            out.push(match closest(key, names.clone()) {
                Some(suggestion) => finding.help(format!("did you mean `{suggestion}`?")),
                // A long list helps no one.
                None if object.fields.len() > 10 => finding.help(format!("remove `{key}`")),
                None => finding.help(format!("the fields of {} are {}", object.what, names.collect::<Vec<_>>().join(", "))),
            });
            continue;
        };
        if let Some((only, instead)) = field.only_in.filter(|&(only, _)| only != place.language) {
            let message = format!("`{key}` is a {} field, but `{owner}` uses {}", only.name(), place.language.name());
            let instead = match instead {
                Instead::Fields(fields) => format!("use {}", either(fields)),
                Instead::Expression(field) => format!("give `{field}` a `{{% %}}` expression"),
                Instead::Input([]) => "read `$states.input` in a `{% %}` expression".to_string(),
                Instead::Input(fields) => format!("read `$states.input` in {}", either(fields)),
            };
            let help = match only {
                QueryLanguage::JsonPath => instead,
                QueryLanguage::Jsonata => format!("{instead}, or set `\"QueryLanguage\": \"JSONata\"`"),
            };
            out.push(cx.finding(&META, &at(), Target::Key, message).help(help));
            continue;
        }
        if field.distributed && place.inline_map {
            out.push(
                cx.finding(&META, &at(), Target::Key, format!("`{key}` belongs to a Distributed Map, but `{owner}` runs its items INLINE"))
                    .help(format!(
                        "set `\"ProcessorConfig\": {{\"Mode\": \"DISTRIBUTED\", \"ExecutionType\": \"STANDARD\"}}` in `ItemProcessor`, or remove `{key}`"
                    )),
            );
            continue;
        }
        check_value(cx, pointer, key, &member.value, field.value, place, out);
    }
    for &(a, b) in object.exclusive {
        if node.get(a).is_some() && node.get(b).is_some() {
            out.push(cx.finding(&META, &push_token(pointer, b), Target::Key, format!("{} has both `{a}` and `{b}`; use one", subject())));
        }
    }
    for &names in object.one_of {
        let usable =
            || names.iter().filter(|&&name| object.field(name).is_some_and(|f| f.only_in.is_none_or(|(only, _)| only == place.language)));
        if usable().any(|&name| node.get(name).is_some()) {
            continue;
        }
        let listed: Vec<&str> = usable().copied().collect();
        let message = match listed.as_slice() {
            [one] => format!("{} has no `{one}`", subject()),
            _ => format!("{} needs {}", subject(), either(&listed)),
        };
        out.push(cx.finding(&META, pointer, Target::Key, message));
    }
}

/// "`A`", "`A` or `B`", "`A`, `B` or `C`".
fn either(names: &[&str]) -> String {
    alternatives(names.iter().map(|name| format!("`{name}`")).collect())
}

/// "a", "a or b", "a, b or c".
fn alternatives(mut words: Vec<String>) -> String {
    let Some(last) = words.pop() else { return String::new() };
    if words.is_empty() { last } else { format!("{} or {last}", words.join(", ")) }
}

/// Checks one value against the kind its table gives.
fn check_value(cx: &Context<'_>, pointer: &str, name: &str, value: &Node, kind: Value, place: &Place<'_>, out: &mut Vec<Finding>) {
    let jsonata = place.language == QueryLanguage::Jsonata;
    // In JSONata a value may be one `{% %}` expression that yields it.
    let expression = || jsonata && value.as_str().is_some_and(is_jsonata);
    let report = |message: String, out: &mut Vec<Finding>| out.push(cx.finding(&META, &push_token(pointer, name), Target::Value, message));
    match kind {
        Value::Any | Value::Own => {}
        Value::String => expect(cx, pointer, name, value, Expect::String, out),
        Value::Bool => expect(cx, pointer, name, value, Expect::Bool, out),
        Value::PathOrNull => expect(cx, pointer, name, value, Expect::StringOrNull, out),
        Value::Path if !fits(value, Expect::String) => {
            report(format!("`{name}` must be a reference path (a string such as `$.value`), not {}", value.type_name()), out)
        }
        Value::Path => {}
        Value::Object if !expression() => expect(cx, pointer, name, value, Expect::Object, out),
        Value::Object => {}
        Value::Strings => {
            let strings = value.as_array().is_some_and(|items| items.iter().all(|item| item.as_str().is_some()));
            if !strings && !value.is_placeholder() && !expression() {
                report(format!("`{name}` must be an array of strings, not {}", value.type_name()), out);
            }
        }
        Value::Number { min, max, whole } => numeric(cx, pointer, (name, value), (min, max, whole), jsonata, out),
        Value::OneOf(allowed) => {
            let known = value.as_str().is_some_and(|text| allowed.contains(&text));
            if !known && !value.is_placeholder() && !expression() {
                let choices = alternatives(allowed.iter().map(|text| format!("\"{text}\"")).collect());
                report(format!("`{name}` must be {choices}"), out);
            }
        }
        Value::Nested(object) if value.is_object() => {
            check_object(cx, &push_token(pointer, name), value, object, &Place { kind: None, ..*place }, out)
        }
        Value::Nested(_) if !expression() => expect(cx, pointer, name, value, Expect::Object, out),
        Value::Nested(_) => {}
    }
}

/// The entries of an array field of a state (`Retry`, `Catch`, `Choices`), or none.
fn fields_list<'n>(state: &State<'n>, list: &str) -> &'n [Node<'n>] {
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
        if owner.is_distributed_map() {
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

fn required(cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
    let name = state.name;
    let missing = |field: &str| cx.finding(&META, &state.pointer, Target::Key, format!("`{name}` has no `{field}`"));
    match state.kind {
        StateKind::Task if state.field("Resource").is_none() => {
            out.push(missing("Resource").help("add the ARN of the integration, e.g. \"arn:aws:states:::lambda:invoke\""))
        }
        StateKind::Choice | StateKind::Parallel => {
            let field = if state.kind == StateKind::Choice { "Choices" } else { "Branches" };
            match state.field(field) {
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
        StateKind::Map if state.field("ItemProcessor").is_none() && state.field("Iterator").is_none() => {
            out.push(missing("ItemProcessor").help("add `ItemProcessor` with the `StartAt` and `States` run for each item"))
        }
        StateKind::Wait => {
            let present: Vec<&str> = WAIT_FIELDS.iter().copied().filter(|&field| state.field(field).is_some()).collect();
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

/// The value checks that a table cannot state.
fn values(cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
    let jsonata = state.query_language == QueryLanguage::Jsonata;
    if let Some(credentials) = state.field("Credentials").filter(|c| c.is_object())
        && credentials.get("RoleArn").or_else(|| credentials.get("RoleArn.$")).is_none()
    {
        out.push(
            cx.finding(&META, &state.field_pointer("Credentials"), Target::Key, "`Credentials` must give the `RoleArn` to assume")
                .help("add `\"RoleArn\": \"arn:aws:iam::123456789012:role/...\"` (or `RoleArn.$` with a path)"),
        );
    }
    for list in ["Retry", "Catch", "Choices"] {
        for (i, entry) in fields_list(state, list).iter().enumerate() {
            if let Some(comment) = entry.get("Comment").filter(|c| !fits(c, Expect::String)) {
                let pointer = push_token(&push_token(&state.field_pointer(list), &i.to_string()), "Comment");
                out.push(cx.finding(&META, &pointer, Target::Value, format!("`Comment` must be a string, not {}", comment.type_name())));
            }
        }
    }
    if let (Some(heartbeat), Some(timeout)) =
        (state.field("HeartbeatSeconds").and_then(Node::as_f64), state.field("TimeoutSeconds").and_then(Node::as_f64))
        && heartbeat >= timeout
    {
        out.push(cx.finding(
            &META,
            &state.field_pointer("HeartbeatSeconds"),
            Target::Value,
            format!("`HeartbeatSeconds` ({heartbeat}) must be less than `TimeoutSeconds` ({timeout})"),
        ));
    }
    if state.kind == StateKind::Wait
        && let Some(text) = state.field("Timestamp").and_then(Node::as_str)
    {
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

/// A Map's `Items`, `Label`, and the parts of its reader and writer that depend on each other.
fn map_fields(cx: &Context<'_>, state: &State<'_>, place: &Place<'_>, out: &mut Vec<Finding>) {
    let jsonata = place.language == QueryLanguage::Jsonata;
    let name = state.name;
    if let Some(items) = state.field("Items").filter(|_| jsonata) {
        let ok = items.as_array().is_some() || items.as_str().is_some_and(is_jsonata) || items.is_placeholder();
        if !ok {
            out.push(
                cx.finding(
                    &META,
                    &state.field_pointer("Items"),
                    Target::Value,
                    format!("`Items` must be an array or a `{{% %}}` expression that yields one, not {}", items.type_name()),
                )
                .help("for example `\"Items\": \"{% $states.input.orders %}\"`"),
            );
        }
    }
    if place.inline_map {
        return;
    }
    if let Some(label) = state.field("Label") {
        label_value(cx, &state.field_pointer("Label"), label, out);
    }
    if let Some(reader) = state.field("ItemReader").filter(|reader| reader.is_object()) {
        let pointer = state.field_pointer("ItemReader");
        if let Some(resource) = reader.get("Resource") {
            s3_resource(cx, &push_token(&pointer, "Resource"), resource, "ItemReader", spec::READER_ACTIONS, out);
        }
        if let Some(config) = reader.get("ReaderConfig").filter(|config| config.is_object())
            && config.get("CSVHeaderLocation").and_then(Node::as_str) == Some("GIVEN")
            && config.get("CSVHeaders").is_none()
        {
            out.push(
                cx.finding(
                    &META,
                    &push_token(&pointer, "ReaderConfig"),
                    Target::Key,
                    format!("`ReaderConfig` of `{name}` says the CSV headers are `GIVEN` but gives no `CSVHeaders`"),
                )
                .help("add `\"CSVHeaders\": [\"column1\", \"column2\"]`, or set `\"CSVHeaderLocation\": \"FIRST_ROW\"`"),
            );
        }
    }
    if let Some(writer) = state.field("ResultWriter").filter(|writer| writer.is_object()) {
        let pointer = state.field_pointer("ResultWriter");
        let bucket = if jsonata { "Arguments" } else { "Parameters" };
        let has_bucket = writer.get("Parameters").is_some() || writer.get("Arguments").is_some();
        if let Some(resource) = writer.get("Resource") {
            s3_resource(cx, &push_token(&pointer, "Resource"), resource, "ResultWriter", spec::WRITER_ACTIONS, out);
        }
        let problem = match (writer.get("Resource").is_some(), has_bucket, writer.get("WriterConfig").is_some()) {
            (true, false, _) => Some((
                format!("`ResultWriter` of `{name}` has a `Resource` but no `{bucket}` naming the bucket"),
                format!("add `\"{bucket}\": {{\"Bucket\": \"amzn-s3-demo-bucket\", \"Prefix\": \"results\"}}`"),
            )),
            (false, true, _) => Some((
                format!("`ResultWriter` of `{name}` has `{bucket}` but no `Resource`"),
                "add `\"Resource\": \"arn:aws:states:::s3:putObject\"`".to_string(),
            )),
            (false, false, false) => Some((
                format!("`ResultWriter` of `{name}` needs `WriterConfig`, or a `Resource` and `{bucket}`, or both"),
                "to only shape the output, give `\"WriterConfig\": {\"Transformation\": \"COMPACT\", \"OutputType\": \"JSON\"}`"
                    .to_string(),
            )),
            _ => None,
        };
        if let Some((message, help)) = problem {
            out.push(cx.finding(&META, &pointer, Target::Key, message).help(help));
        }
    }
}

/// A Distributed Map's `Label`: a string of at most 40 characters that can sit in an ARN.
fn label_value(cx: &Context<'_>, pointer: &str, label: &Node, out: &mut Vec<Finding>) {
    let Some(text) = label.as_str() else {
        return expect_value(cx, pointer, label, "Label", Expect::String, out);
    };
    if label.is_placeholder() {
        return;
    }
    let length = text.chars().count();
    if length > spec::MAX_LABEL {
        out.push(cx.finding(
            &META,
            pointer,
            Target::Value,
            format!("`Label` must be at most {} characters; it has {length}", spec::MAX_LABEL),
        ));
    }
    if let Some(bad) = text.chars().find(|&c| c.is_whitespace() || c.is_control() || spec::LABEL_FORBIDDEN.contains(c)) {
        out.push(
            cx.finding(&META, pointer, Target::Value, format!("`Label` cannot hold {bad:?}: it becomes part of the Map Run's ARN"))
                .help("use letters, digits, `-`, `_` and `.`"),
        );
    }
}

/// The `Resource` of a Distributed Map's reader or writer: one of the S3 actions it supports.
fn s3_resource(cx: &Context<'_>, pointer: &str, resource: &Node, owner: &str, actions: &[&str], out: &mut Vec<Finding>) {
    if resource.is_placeholder() {
        return;
    }
    let action = resource
        .as_str()
        .and_then(|text| text.strip_prefix("arn:"))
        .and_then(|rest| rest.split_once(':'))
        .and_then(|(_, rest)| rest.strip_prefix("states:::"));
    if action.is_some_and(|action| actions.contains(&action)) {
        return;
    }
    let arns: Vec<String> = actions.iter().map(|action| format!("\"arn:aws:states:::{action}\"")).collect();
    let found = resource.as_str().map_or_else(|| resource.type_name().to_string(), |text| format!("\"{text}\""));
    out.push(
        cx.finding(&META, pointer, Target::Value, format!("the `Resource` of `{owner}` must be {}, not {found}", arns.join(" or ")))
            .help(format!("use {}", arns.join(" or "))),
    );
}

/// A Distributed Map's processor must say how its children run; an INLINE one has none.
fn execution_type(cx: &Context<'_>, pointer: &str, config: &Node, out: &mut Vec<Finding>) {
    match (config.get("Mode").and_then(Node::as_str), config.get("ExecutionType")) {
        (Some("DISTRIBUTED"), None) => out.push(
            cx.finding(&META, pointer, Target::Key, "a DISTRIBUTED Map needs `ExecutionType`")
                .help("add `\"ExecutionType\": \"STANDARD\"` or `\"EXPRESS\"`"),
        ),
        (Some("INLINE"), Some(_)) => out.push(
            cx.finding(
                &META,
                &push_token(pointer, "ExecutionType"),
                Target::Key,
                "`ExecutionType` belongs to a DISTRIBUTED Map; an INLINE Map runs its items in its own execution",
            )
            .help("remove `ExecutionType`, or set `\"Mode\": \"DISTRIBUTED\"`"),
        ),
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

/// The member `field` of the object at `pointer` holds `value`, which must be of one type.
#[inline]
fn expect(cx: &Context<'_>, pointer: &str, field: &str, value: &Node, expected: Expect, out: &mut Vec<Finding>) {
    // The pointer is built only for a value that is reported.
    if !fits(value, expected) {
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

/// A number from `min` to `max`, a whole one when `whole`.
fn numeric(
    cx: &Context<'_>,
    pointer: &str,
    (field, value): (&str, &Node),
    (min, max, whole): (f64, f64, bool),
    jsonata: bool,
    out: &mut Vec<Finding>,
) {
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
                "Condition" if jsonata => {
                    let value = &member.value;
                    let ok = value.as_bool().is_some() || value.as_str().is_some_and(is_jsonata) || value.is_placeholder();
                    if !ok {
                        let found =
                            value.as_str().map_or_else(|| value.type_name().to_string(), |text| format!("the plain string \"{text}\""));
                        out.push(
                            cx.finding(
                                &META,
                                &trail.pointer(at),
                                Target::Value,
                                format!("`Condition` must be a `{{% %}}` expression or true or false, not {found}"),
                            )
                            .help("write the test as JSONata, e.g. `\"{% $states.input.total > 100 %}\"`"),
                        );
                    }
                }
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

//! A Task's request (`Parameters` in JSONPath, `Arguments` in JSONata) and what its values
//! are made of: static text, a path, an expression — and whether they change on every
//! attempt or derive from the execution ID.

use super::{QueryLanguage, State};
use crate::syntax::{Kind, Node, Token, Trail, find, has_placeholder, jsonata};

/// One parameter of a request: `Name` or `Name.$`.
#[derive(Clone, Copy, Debug)]
pub struct Param<'a> {
    pub node: &'a Node<'a>,
    pub value: Value<'a>,
}

/// What a parameter's value is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value<'a> {
    /// Written out in the definition.
    Static(&'a Node<'a>),
    /// A JSONPath path or intrinsic function (a `.$` key).
    Path(&'a str),
    /// A `{% %}` JSONata expression (its text without the delimiters).
    Jsonata(&'a str),
    /// Filled in at deploy time (`${...}`, a template intrinsic).
    Placeholder,
}

/// The request a Task (or a Parallel / Map) sends.
#[derive(Clone, Copy)]
pub struct Request<'a> {
    pub node: &'a Node<'a>,
    pub language: QueryLanguage,
}

impl<'a> Request<'a> {
    /// The state's request and the field that holds it (`Parameters` or `Arguments`).
    pub fn of(state: &State<'a>) -> Option<(&'static str, Self)> {
        let field = match state.query_language {
            QueryLanguage::JsonPath => "Parameters",
            QueryLanguage::Jsonata => "Arguments",
        };
        let node = state.field(field)?;
        Some((field, Request { node, language: state.query_language }))
    }

    /// The member `name` (or `name.$`), its first letter in either case. Returns the key
    /// as written and the parameter.
    pub fn get(&self, name: &str) -> Option<(&'a str, Param<'a>)> {
        member(self.node, name, self.language)
    }
}

/// The member `name` or `name.$` of `object`.
pub fn member<'a>(object: &'a Node<'a>, name: &str, language: QueryLanguage) -> Option<(&'a str, Param<'a>)> {
    let members = object.members()?;
    let matches = |key: &str| {
        let key = key.strip_suffix(".$").unwrap_or(key);
        key.len() == name.len() && key.get(1..) == name.get(1..) && key[..1].eq_ignore_ascii_case(&name[..1])
    };
    let member = members.iter().rev().find(|m| matches(&m.key))?;
    let value = classify(&member.value, member.key.ends_with(".$"), language);
    Some((&*member.key, Param { node: &member.value, value }))
}

/// What a value is, given whether its key ended in `.$`.
pub fn classify<'a>(node: &'a Node<'a>, dollar_key: bool, language: QueryLanguage) -> Value<'a> {
    match &node.kind {
        Kind::String(text) if has_placeholder(text) => Value::Placeholder,
        Kind::String(text) if dollar_key => Value::Path(text),
        Kind::String(text) if language == QueryLanguage::Jsonata && text.starts_with("{%") && text.ends_with("%}") && text.len() >= 4 => {
            Value::Jsonata(&text[2..text.len() - 2])
        }
        _ if node.is_placeholder() => Value::Placeholder,
        _ => Value::Static(node),
    }
}

/// A value that is new on every attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unstable {
    /// What makes it so, as written (`States.UUID()`, `$now()`).
    pub what: &'static str,
    /// The pointer of the string holding it.
    pub pointer: String,
}

const UNSTABLE_JSONPATH: &[(&str, &str)] = &[
    ("States.UUID(", "States.UUID()"),
    ("States.MathRandom(", "States.MathRandom"),
    ("$$.State.EnteredTime", "$$.State.EnteredTime"),
    ("$$.State.RetryCount", "$$.State.RetryCount"),
    ("$$.Task.Token", "$$.Task.Token"),
    ("$$.Execution.RedriveCount", "$$.Execution.RedriveCount"),
    ("$$.Execution.RedriveTime", "$$.Execution.RedriveTime"),
];

/// JSONata functions whose result is new on every call.
const UNSTABLE_JSONATA_CALLS: &[(&str, &str)] = &[("uuid", "$uuid()"), ("random", "$random()"), ("now", "$now()"), ("millis", "$millis()")];

/// Fields of the JSONata context that change on every attempt.
const UNSTABLE_JSONATA_PATHS: &[&str] = &[
    "$states.context.State.EnteredTime",
    "$states.context.State.RetryCount",
    "$states.context.Task.Token",
    "$states.context.Execution.RedriveCount",
    "$states.context.Execution.RedriveTime",
];

/// The unstable source in an expression, if any.
pub fn unstable_in(value: Value<'_>) -> Option<&'static str> {
    let text = match value {
        // Every JSONPath source is an intrinsic or a context-object path.
        Value::Path(text) if find(text, "States.").is_none() && find(text, "$$.").is_none() => return None,
        Value::Path(text) => text,
        Value::Jsonata(text) => return unstable_in_jsonata(text),
        _ => return None,
    };
    // Most expressions hold none of the needles: a first-byte scan rejects them without
    // building a substring searcher per needle.
    let found = |needle: &str| {
        let mut from = 0;
        while let Some(at) = find(&text[from..], needle).map(|at| from + at) {
            if !date_part(text, at, needle) {
                return true;
            }
            from = at + 1;
        }
        false
    };
    UNSTABLE_JSONPATH.iter().find(|(needle, _)| found(needle)).map(|&(_, what)| what)
}

/// The unstable source in a JSONata expression, read from the variables and function calls
/// it holds (so a `'$uuid()'` inside a string literal is text, not a call).
fn unstable_in_jsonata(text: &str) -> Option<&'static str> {
    // Most expressions name none of them: they are not parsed. One pass over the `$`s
    // finds out.
    let bytes = text.as_bytes();
    let names_one = |at: usize| {
        let after = &bytes[at + 1..];
        after.starts_with(b"states.context") || UNSTABLE_JSONATA_CALLS.iter().any(|(name, _)| after.starts_with(name.as_bytes()))
    };
    if !memchr::memchr_iter(b'$', bytes).any(names_one) {
        return None;
    }
    let variables = jsonata::variables(text).ok()?;
    let outside = variables.iter().filter(|v| !v.bound);
    // `what` is the call as written: `$uuid()`, whose first bytes are the call's start.
    let call = UNSTABLE_JSONATA_CALLS
        .iter()
        .find(|&&(name, what)| outside.clone().any(|v| v.called && v.name == name && !date_part(text, v.at, &what[..what.len() - 1])));
    if let Some(&(_, what)) = call {
        return Some(what);
    }
    UNSTABLE_JSONATA_PATHS.iter().copied().find(|&path| {
        outside.clone().any(|v| {
            let within = v.path.strip_prefix(path).is_some_and(|rest| rest.is_empty() || rest.starts_with('.'));
            within && !date_part(text, v.at, path)
        })
    })
}

/// Whether the time at `text[at..]` is cut down to its date or month, which is the same on
/// a re-run minutes later: `States.ArrayGetItem(States.StringSplit($$.State.EnteredTime,
/// 'T'), 0)`, `$substring($now(), 0, 10)`, `$now('[Y0001]-[M01]')`.
fn date_part(text: &str, at: usize, needle: &str) -> bool {
    // Only the text next to the needle decides, without its spaces: before it, the longest
    // call that can hold it; after it, up to the second closing parenthesis.
    let mut before: Vec<char> = text[..at].chars().rev().filter(|c| !c.is_whitespace()).take("States.StringSplit(".len()).collect();
    before.reverse();
    let before: String = before.into_iter().collect();
    let mut closed = 0;
    let after: String = text[at + needle.len()..]
        .chars()
        .filter(|c| !c.is_whitespace())
        .take_while(|&c| {
            let open = closed < 2;
            closed += usize::from(c == ')');
            open
        })
        .collect();
    if before.ends_with("States.StringSplit(") {
        return after.starts_with(",'T'),0)");
    }
    if before.ends_with("$substring(") {
        // `$now(` ends with its parenthesis open.
        let after = if needle.ends_with('(') { after.strip_prefix(')').unwrap_or(&after) } else { &after };
        let Some(length) = after.strip_prefix(",0,").and_then(|rest| rest.split(')').next()) else { return false };
        return length.parse::<u32>().is_ok_and(|n| n <= 10);
    }
    // `$now(picture)`: a picture with no hour, minute, second or fraction.
    if needle == "$now(" {
        let picture = after.split(')').next().unwrap_or_default();
        return (picture.starts_with('\'') || picture.starts_with('"'))
            && !["[H", "[h", "[m", "[s", "[f", "[P"].iter().any(|c| picture.contains(c));
    }
    false
}

/// Whether an unstable value lies anywhere in `node`: [`find_unstable`] without the pointer,
/// which most values, being stable, never need.
pub fn holds_unstable(node: &Node, dollar_key: bool, language: QueryLanguage) -> bool {
    // Only a path or an expression can be unstable: most strings are neither, and are
    // passed over without a look at their text.
    let leaf = |node: &Node, dollar_key| match &node.kind {
        Kind::String(text) if dollar_key || (language == QueryLanguage::Jsonata && text.starts_with("{%")) => {
            unstable_in(classify(node, dollar_key, language)).is_some()
        }
        _ => false,
    };
    if !matches!(node.kind, Kind::Object(_) | Kind::Array(_)) {
        return leaf(node, dollar_key);
    }
    let mut stack = vec![(node, dollar_key)];
    while let Some((node, dollar_key)) = stack.pop() {
        match &node.kind {
            Kind::Object(members) => stack.extend(members.iter().map(|m| (&m.value, m.key.ends_with(".$")))),
            Kind::Array(items) => stack.extend(items.iter().map(|item| (item, false))),
            _ if leaf(node, dollar_key) => return true,
            _ => {}
        }
    }
    false
}

/// The first unstable value anywhere in `node` (a parameter value, possibly an object such
/// as a DynamoDB key map), with the pointer of the string that holds it.
pub fn find_unstable(pointer: &str, node: &Node, dollar_key: bool, language: QueryLanguage) -> Option<Unstable> {
    if !holds_unstable(node, dollar_key, language) {
        return None;
    }
    let mut trail = Trail::new(pointer);
    let mut stack = vec![(Trail::ROOT, node, dollar_key)];
    while let Some((at, node, dollar_key)) = stack.pop() {
        match &node.kind {
            Kind::Object(members) => {
                for member in members.iter().rev() {
                    stack.push((trail.step(at, Token::Key(&member.key)), &member.value, member.key.ends_with(".$")));
                }
            }
            Kind::Array(items) => {
                for (i, item) in items.iter().enumerate().rev() {
                    stack.push((trail.step(at, Token::Index(i)), item, false));
                }
            }
            _ => {
                if let Some(what) = unstable_in(classify(node, dollar_key, language)) {
                    return Some(Unstable { what, pointer: trail.pointer(at) });
                }
            }
        }
    }
    None
}

/// Whether an expression only reads a value (`$.detail`, `{% $states.input.order %}`,
/// `$order`) rather than computing one.
pub fn is_reference(value: Value<'_>) -> bool {
    let text = match value {
        Value::Path(text) if !text.starts_with("$$.") || text.starts_with("$$.Execution.Input") => text,
        Value::Jsonata(text) => text.trim(),
        _ => return false,
    };
    text.starts_with('$') && text.chars().all(|c| c.is_alphanumeric() || matches!(c, '$' | '.' | '_' | '-' | '[' | ']' | '\'' | '"' | '`'))
}

/// Whether a text may name the execution: `reads_execution_id` is false for every value
/// whose text this is false for, so a definition without such a text needs no data flow.
pub fn may_name_execution(text: &str) -> bool {
    find(text, "$$.Execution").is_some() || (find(text, "$states").is_some() && find(text, "context").is_some())
}

/// Whether an expression reads the execution ID (or name) from the context object.
pub fn reads_execution_id(value: Value<'_>) -> bool {
    match value {
        Value::Path(text) => {
            let mut rest = text;
            while let Some(at) = find(rest, "$$.Execution") {
                let after = &rest[at + "$$.Execution".len()..];
                if names_the_execution(after) {
                    return true;
                }
                rest = after;
            }
            false
        }
        // `$states.context` as a whole holds the execution too.
        Value::Jsonata(text) => {
            may_name_execution(text)
                && jsonata::variables(text).is_ok_and(|variables| {
                    variables.iter().filter(|v| !v.bound).any(|v| match v.path.strip_prefix("$states.context") {
                        Some("") => true,
                        Some(rest) => rest.strip_prefix(".Execution").is_some_and(names_the_execution),
                        None => false,
                    })
                })
        }
        _ => false,
    }
}

/// After `Execution`: the whole execution, `.Id` or `.Name` — not `.Input`, `.StartTime`, ...
fn names_the_execution(after: &str) -> bool {
    let field: String = after.strip_prefix('.').unwrap_or("").chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
    !after.starts_with('.') || field == "Id" || field == "Name"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unstable_sources() {
        assert_eq!(unstable_in(Value::Path("States.Format('{}', States.UUID())")), Some("States.UUID()"));
        assert_eq!(unstable_in(Value::Path("$$.Task.Token")), Some("$$.Task.Token"));
        assert_eq!(unstable_in(Value::Jsonata(" $string($millis()) ")), Some("$millis()"));
        assert_eq!(unstable_in(Value::Path("$$.Execution.Id")), None);
        assert_eq!(unstable_in(Value::Placeholder), None);
        // Read from the parsed expression: text inside a string literal is not a call, and a
        // variable of the expression's own is not the context.
        assert_eq!(unstable_in(Value::Jsonata(" 'retry at $now()' & $states.input.id ")), None);
        assert_eq!(unstable_in(Value::Jsonata(" $states.context.State.RetryCount.x ")), Some("$states.context.State.RetryCount"));
        assert_eq!(unstable_in(Value::Jsonata(" $uuid () ")), Some("$uuid()"));
    }

    #[test]
    fn a_date_cut_from_a_time_is_stable() {
        let month = "States.Format('{}{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($$.State.EnteredTime, 'T'), 0), '-'), 0), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($$.State.EnteredTime, 'T'), 0), '-'), 1))";
        assert_eq!(unstable_in(Value::Path(month)), None);
        assert_eq!(
            unstable_in(Value::Path("States.ArrayGetItem(States.StringSplit($$.State.EnteredTime, 'T'), 1)")),
            Some("$$.State.EnteredTime")
        );
        assert_eq!(
            unstable_in(Value::Path(
                "States.Format('{}-{}', States.ArrayGetItem(States.StringSplit($$.State.EnteredTime,'T'),0), $$.State.EnteredTime)"
            )),
            Some("$$.State.EnteredTime")
        );
        assert_eq!(unstable_in(Value::Jsonata(" $substring($now(), 0, 10) ")), None);
        assert_eq!(unstable_in(Value::Jsonata(" $substring($now(), 0, 19) ")), Some("$now()"));
        assert_eq!(unstable_in(Value::Jsonata(" $now('[Y0001]-[M01]') ")), None);
        assert_eq!(unstable_in(Value::Jsonata(" $now('[Y0001]-[M01]-[D01]T[H01]') ")), Some("$now()"));
        assert_eq!(unstable_in(Value::Jsonata(" $substring($states.context.State.EnteredTime, 0, 7) ")), None);
    }

    #[test]
    fn references_read_without_computing() {
        assert!(is_reference(Value::Path("$.detail")));
        assert!(is_reference(Value::Path("$")));
        assert!(is_reference(Value::Path("$$.Execution.Input.order")));
        assert!(!is_reference(Value::Path("$$.State.EnteredTime")));
        assert!(!is_reference(Value::Path("States.Format('{}', $.id)")));
        assert!(is_reference(Value::Jsonata(" $states.input.detail ")));
        assert!(!is_reference(Value::Jsonata(" $merge([$states.input, {'at': $now()}]) ")));
        assert!(!is_reference(Value::Placeholder));
    }

    #[test]
    fn execution_id_references() {
        assert!(reads_execution_id(Value::Path("$$.Execution.Id")));
        assert!(reads_execution_id(Value::Path("States.Format('{}-x', $$.Execution.Name)")));
        assert!(reads_execution_id(Value::Path("$$.Execution")));
        assert!(!reads_execution_id(Value::Path("$$.Execution.Input.id")));
        assert!(!reads_execution_id(Value::Path("$$.Execution.StartTime")));
        assert!(reads_execution_id(Value::Jsonata(" $states.context.Execution.Id & '#' ")));
        assert!(reads_execution_id(Value::Jsonata(" $states.context ")));
        assert!(!reads_execution_id(Value::Jsonata(" $states.context.State.Name ")));
        assert!(!reads_execution_id(Value::Jsonata(" '$states.context.Execution.Id' ")));
        assert!(!reads_execution_id(Value::Jsonata(" $states.context.Execution.Input.id ")));
        assert!(reads_execution_id(Value::Jsonata(" $lookup($states.context.Execution, 'Name') ")));
    }

    #[test]
    fn members_match_dollar_keys_and_first_letter_case() {
        let node = crate::syntax::parse(r#"{"payload.$": "$", "QueueUrl": "${Q}"}"#, crate::syntax::Format::Json).unwrap();
        let (key, param) = member(&node, "Payload", QueryLanguage::JsonPath).unwrap();
        assert_eq!((key, param.value), ("payload.$", Value::Path("$")));
        assert_eq!(member(&node, "QueueUrl", QueryLanguage::JsonPath).unwrap().1.value, Value::Placeholder);
    }
}

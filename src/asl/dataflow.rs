//! Execution-ID data flow: for each state, which parts of its input and which variables
//! carry a value derived from the execution ID (`$$.Execution.Id`, `$$.Execution.Name`,
//! `$states.context.Execution.*`), followed through `InputPath`, `Parameters`,
//! `ResultSelector`, `ResultPath`, `OutputPath`, `Assign`, JSONata `Arguments` and
//! `Output`, Parallel branches and Map item processors. A state's input keeps only what
//! every path into it carries; a Task's result carries nothing.
//!
//! It also follows variables that may hold a value that changes on every attempt
//! (`$uuid()` assigned to a variable, then used as a token).

use std::collections::{BTreeSet, VecDeque};

use super::values::{Value, classify, holds_unstable, may_name_execution, reads_execution_id};
use super::{Machine, QueryLanguage, ScopeKind, State, StateId, StateKind, TransitionKind};
use crate::syntax::{Kind, Node, Token, Trail, jsonata};

/// A path inside a JSON value; empty for the whole value.
pub type Path = Vec<String>;

/// What a flow follows: the values derived from the execution ID (those every path
/// carries), or the values that may be new on every attempt (those any path carries).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Track {
    #[default]
    ExecutionId,
    Unstable,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Flow {
    /// Paths of the value that carry what the flow tracks.
    pub paths: BTreeSet<Path>,
    /// Variables that hold what the flow tracks.
    pub vars: BTreeSet<String>,
    /// Variables that may hold a value that is new on every attempt.
    pub unstable_vars: BTreeSet<String>,
    pub track: Track,
}

impl Flow {
    fn with_paths(&self, paths: BTreeSet<Path>) -> Flow {
        Flow { paths, vars: self.vars.clone(), unstable_vars: self.unstable_vars.clone(), track: self.track }
    }

    /// Where paths join: an execution ID is kept where both carry it, an unstable value
    /// where either may; a variable that may be unstable on either side stays so.
    fn meet(&mut self, other: &Flow) -> bool {
        let before = (self.paths.len(), self.vars.len(), self.unstable_vars.len());
        match self.track {
            Track::ExecutionId => {
                self.paths.retain(|p| other.paths.contains(p));
                self.vars.retain(|v| other.vars.contains(v));
            }
            Track::Unstable => {
                self.paths.extend(other.paths.iter().cloned());
                self.vars.extend(other.vars.iter().cloned());
            }
        }
        self.unstable_vars.extend(other.unstable_vars.iter().cloned());
        before != (self.paths.len(), self.vars.len(), self.unstable_vars.len())
    }
}

pub struct DataFlow {
    /// The flow at each state's input; empty for states no path reaches. No states at all
    /// when nothing flows anywhere.
    input: Vec<Flow>,
}

/// The flow that carries nothing.
static NOTHING: Flow = Flow { paths: BTreeSet::new(), vars: BTreeSet::new(), unstable_vars: BTreeSet::new(), track: Track::ExecutionId };

impl DataFlow {
    /// The execution-ID flow. `unstable`: whether the definition has a value that is new on
    /// every attempt (see [`DataFlow::unstable`]), which the flow's variables follow too.
    pub fn new(machine: &Machine<'_>, unstable: bool) -> Self {
        // Most definitions never read the execution ID: then nothing flows, and nothing is
        // followed or kept per state.
        if !unstable && !mentions_execution_id(machine.root) {
            return DataFlow { input: Vec::new() };
        }
        Self::follow(machine, Track::ExecutionId)
    }

    /// The flow at the input of `state`.
    pub fn at(&self, state: StateId) -> &Flow {
        self.input.get(state).unwrap_or(&NOTHING)
    }

    /// Where values that are new on every attempt flow (a `States.UUID()` a Pass stores,
    /// then a put reads); `None` when the definition has no such source.
    pub fn unstable(machine: &Machine<'_>) -> Option<Self> {
        // Read as JSONata, a value is unstable wherever it would be as JSONPath (`.$` paths
        // are read alike) and in `{% %}` expressions too: one walk finds both.
        holds_unstable(machine.root, false, QueryLanguage::Jsonata).then(|| Self::follow(machine, Track::Unstable))
    }

    fn follow(machine: &Machine<'_>, track: Track) -> Self {
        let n = machine.states.len();
        let mut input: Vec<Option<Flow>> = vec![None; n];
        let mut queue = VecDeque::new();
        let top = &machine.scopes[0];
        if let Some(start) = top.start_at.and_then(|name| top.state_named(name)) {
            input[start] = Some(Flow { track, ..Flow::default() });
            queue.push_back(start);
        }
        // Each visit only shrinks path sets or grows the unstable set, so this ends; the
        // cap guards against a mistake turning into a hang.
        let mut budget = 64 * (n + 1) * (n + 1).min(64);
        while let Some(id) = queue.pop_front() {
            if budget == 0 {
                break;
            }
            budget -= 1;
            let state = &machine.states[id];
            // The state's input is taken out while what it sends is worked out; what it
            // sends to itself is met with it afterwards (meeting is order-free).
            let mut here = input[id].take().unwrap_or_default();
            let mut to_itself: Option<Flow> = None;
            let mut send = |to: StateId, flow: Flow, queue: &mut VecDeque<StateId>| {
                if to == id {
                    match &mut to_itself {
                        Some(pending) => {
                            pending.meet(&flow);
                        }
                        None => to_itself = Some(flow),
                    }
                    return;
                }
                let changed = match &mut input[to] {
                    Some(existing) => existing.meet(&flow),
                    slot @ None => {
                        *slot = Some(flow);
                        true
                    }
                };
                if changed {
                    queue.push_back(to);
                }
            };
            let scope = &machine.scopes[state.scope];
            // The output goes to every successor: cloned for all but the last, which takes it.
            let mut output = Some(transfer(state, &here));
            let targets = machine.transitions(state).iter().filter(|t| t.kind != TransitionKind::Catch);
            let mut targets = targets.filter_map(|t| scope.state_named(t.target)).peekable();
            while let Some(to) = targets.next() {
                let flow = if targets.peek().is_some() { output.clone() } else { output.take() };
                if let Some(flow) = flow {
                    send(to, flow, &mut queue);
                }
            }
            for catcher in state.field("Catch").and_then(Node::as_array).unwrap_or_default() {
                if let Some(to) = catcher.get("Next").and_then(Node::as_str).and_then(|n| scope.state_named(n)) {
                    send(to, catch_output(state, catcher, &here), &mut queue);
                }
            }
            for child in state.children.clone() {
                let child_scope = &machine.scopes[child];
                if let Some(start) = child_scope.start_at.and_then(|name| child_scope.state_named(name)) {
                    send(start, child_input(state, child_scope.kind, &here), &mut queue);
                }
            }
            if let Some(flow) = to_itself {
                if here.meet(&flow) {
                    queue.push_back(id);
                }
            }
            input[id] = Some(here);
        }
        DataFlow { input: input.into_iter().map(Option::unwrap_or_default).collect() }
    }
}

/// Whether any string of the definition may read the execution ID.
fn mentions_execution_id(root: &Node) -> bool {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match &node.kind {
            Kind::Object(members) => stack.extend(members.iter().map(|m| &m.value)),
            Kind::Array(items) => stack.extend(items),
            Kind::Tagged(tagged) => stack.push(&tagged.node),
            Kind::String(text) if may_name_execution(text) => return true,
            _ => {}
        }
    }
    false
}

/// The part of a value selected by a JSONPath path, as paths relative to the selection.
fn select(paths: &BTreeSet<Path>, selector: &[String]) -> BTreeSet<Path> {
    let mut out = BTreeSet::new();
    for path in paths {
        if path.starts_with(selector) {
            out.insert(path[selector.len()..].to_vec());
        } else if selector.starts_with(path) {
            // The selection lies inside a carried value: all of it derives from it.
            out.insert(Vec::new());
        }
    }
    out
}

/// `$.a.b[0]['c']` → `["a", "b", "0", "c"]`; `None` for anything but a plain input path.
/// Wildcards and filters end the path (what follows is not followed).
fn input_path(text: &str) -> Option<Path> {
    let rest = text.strip_prefix('$')?;
    if rest.starts_with(|c: char| c == '$' || c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let mut segments = Vec::new();
    let mut rest = rest;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            let name = &after[..end];
            if name.is_empty() || name == "*" {
                break;
            }
            segments.push(name.to_string());
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let Some(end) = after.find(']') else { break };
            let inner = after[..end].trim().trim_matches(|c| c == '\'' || c == '"');
            if inner.is_empty() || inner.contains(['*', '?', ':', ',']) {
                break;
            }
            segments.push(inner.to_string());
            rest = &after[end + 1..];
        } else {
            break;
        }
    }
    Some(segments)
}

/// The variable a JSONPath reference names (`$order.id` → `order`).
fn variable(text: &str) -> Option<&str> {
    let rest = text.strip_prefix('$')?;
    let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
    (end > 0 && !rest.starts_with(|c: char| c.is_ascii_digit())).then(|| &rest[..end])
}

/// What of an expression's value derives from the execution ID, given the flow of the
/// input it reads.
pub fn carried(value: Value<'_>, input: &Flow) -> BTreeSet<Path> {
    let whole = || BTreeSet::from([Vec::new()]);
    let source = match input.track {
        Track::ExecutionId => reads_execution_id(value),
        Track::Unstable => super::values::unstable_in(value).is_some(),
    };
    if source {
        return whole();
    }
    match value {
        Value::Path(text) => {
            let text = text.trim();
            if let Some(path) = input_path(text) {
                return select(&input.paths, &path);
            }
            if text.starts_with("$$") {
                return BTreeSet::new();
            }
            if let Some(name) = variable(text) {
                return if input.vars.contains(name) { whole() } else { BTreeSet::new() };
            }
            // An intrinsic function: derived when any of its path arguments is. Only the
            // arguments, never the whole text again: `$1x` would otherwise recurse forever.
            if !text.starts_with("States.") {
                return BTreeSet::new();
            }
            if dollar_references(text).any(|r| !carried(Value::Path(r), input).is_empty()) { whole() } else { BTreeSet::new() }
        }
        // Nothing carried in, nothing to carry out: most expressions stop here unparsed.
        Value::Jsonata(_) if input.paths.is_empty() && input.vars.is_empty() => BTreeSet::new(),
        Value::Jsonata(expr) => {
            let Ok(variables) = jsonata::variables(expr) else { return BTreeSet::new() };
            let read = || variables.iter().filter(|v| !v.bound);
            // The steps after `$states.input` in a reference to the state's input.
            let input_steps = |path: &str| -> Option<Path> {
                let rest = path.strip_prefix("$states.input")?;
                (rest.is_empty() || rest.starts_with('.')).then(|| rest.split('.').filter(|s| !s.is_empty()).map(str::to_string).collect())
            };
            // The whole expression is one reference: what it selects is carried as it is.
            if let [only] = variables.as_slice()
                && only.path == expr.trim()
                && let Some(path) = input_steps(only.path)
            {
                return select(&input.paths, &path);
            }
            let reads_carried_input = read().filter_map(|v| input_steps(v.path)).any(|path| !select(&input.paths, &path).is_empty());
            let reads_carried_var = read().any(|v| !v.called && input.vars.contains(v.name));
            if reads_carried_input || reads_carried_var { whole() } else { BTreeSet::new() }
        }
        _ => BTreeSet::new(),
    }
}

/// The `$...` references inside an intrinsic function call.
fn dollar_references(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices('$').filter_map(move |(at, _)| {
        if at > 0 && text.as_bytes()[at - 1] == b'$' {
            return None;
        }
        let rest = &text[at..];
        let end = rest.find([',', ')', ' ']).unwrap_or(rest.len());
        Some(&rest[..end])
    })
}

/// Variables a JSONata expression reads: not called, not bound in it, not `$states`.
fn jsonata_variables(expr: &str) -> Vec<&str> {
    let variables = jsonata::variables(expr).unwrap_or_default();
    variables.into_iter().filter(|v| !v.called && !v.bound && !matches!(v.name, "" | "$" | "states")).map(|v| v.name).collect()
}

/// Whether a value reads a variable that may change on every attempt.
pub fn reads_unstable_variable<'a>(value: Value<'a>, input: &Flow) -> Option<String> {
    if input.unstable_vars.is_empty() {
        return None;
    }
    let names: Vec<&str> = match value {
        Value::Path(text) => dollar_references(text).filter_map(variable).collect(),
        Value::Jsonata(expr) => jsonata_variables(expr),
        _ => Vec::new(),
    };
    names.into_iter().find(|n| input.unstable_vars.contains(*n)).map(|n| format!("${n}"))
}

/// The first variable that may change on every attempt which a value reads, anywhere
/// inside it (`{"S": "{% $requestId %}"}`).
pub fn finds_unstable_variable(node: &Node, dollar_key: bool, language: QueryLanguage, input: &Flow) -> Option<String> {
    if input.unstable_vars.is_empty() {
        return None;
    }
    let mut stack = vec![(node, dollar_key)];
    while let Some((node, dollar_key)) = stack.pop() {
        match &node.kind {
            Kind::Object(members) => stack.extend(members.iter().map(|m| (&m.value, m.key.ends_with(".$")))),
            Kind::Array(items) => stack.extend(items.iter().map(|item| (item, false))),
            _ => {
                if let Some(var) = reads_unstable_variable(classify(node, dollar_key, language), input) {
                    return Some(var);
                }
            }
        }
    }
    None
}

/// The first expression inside a value (`$.orderId`, `{% $states.input.id %}`) that reads
/// what `input` carries, as written.
pub fn finds_carried<'n>(node: &'n Node<'n>, dollar_key: bool, language: QueryLanguage, input: &Flow) -> Option<&'n str> {
    let mut stack = vec![(node, dollar_key)];
    while let Some((node, dollar_key)) = stack.pop() {
        match &node.kind {
            Kind::Object(members) => stack.extend(members.iter().map(|m| (&m.value, m.key.ends_with(".$")))),
            Kind::Array(items) => stack.extend(items.iter().map(|item| (item, false))),
            Kind::String(text) if !carried(classify(node, dollar_key, language), input).is_empty() => return Some(text),
            _ => {}
        }
    }
    None
}

/// What of a payload template (an object of static values, `.$` keys and `{% %}`
/// strings) derives from the execution ID.
pub fn template_carry(node: &Node, dollar_key: bool, language: QueryLanguage, input: &Flow) -> BTreeSet<Path> {
    let mut out = BTreeSet::new();
    // A value's path is built only when it carries something.
    let mut trail = Trail::new("");
    let mut stack = vec![(Trail::ROOT, node, dollar_key)];
    while let Some((at, node, dollar_key)) = stack.pop() {
        match &node.kind {
            Kind::Object(members) => {
                for member in members {
                    let key = member.key.strip_suffix(".$").unwrap_or(&member.key);
                    stack.push((trail.step(at, Token::Key(key)), &member.value, member.key.ends_with(".$")));
                }
            }
            Kind::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    stack.push((trail.step(at, Token::Index(i)), item, false));
                }
            }
            _ => {
                for inner in carried(classify(node, dollar_key, language), input) {
                    let mut path: Path = trail
                        .tokens(at)
                        .into_iter()
                        .map(|token| match token {
                            Token::Key(key) => key.to_string(),
                            Token::Index(i) => i.to_string(),
                        })
                        .collect();
                    path.extend(inner);
                    out.insert(path);
                }
            }
        }
    }
    out
}

/// `InputPath` / `OutputPath`: absent keeps everything, `null` keeps nothing.
fn apply_path(paths: &BTreeSet<Path>, field: Option<&Node>) -> BTreeSet<Path> {
    match field {
        None => paths.clone(),
        Some(node) => match node.as_str().and_then(input_path) {
            Some(selector) => select(paths, &selector),
            None => BTreeSet::new(),
        },
    }
}

/// `ResultPath`: where the result goes in the raw input.
fn place_result(raw: &BTreeSet<Path>, result: BTreeSet<Path>, field: Option<&Node>) -> BTreeSet<Path> {
    match field {
        None => result,
        Some(Node { kind: Kind::Null, .. }) => raw.clone(),
        Some(node) => {
            let Some(at) = node.as_str().and_then(input_path) else { return result };
            let mut out: BTreeSet<Path> = raw.iter().filter(|p| !p.starts_with(&at)).cloned().collect();
            out.extend(result.into_iter().map(|r| at.iter().cloned().chain(r).collect()));
            out
        }
    }
}

/// Applies an `Assign` block to the variables, reading `evaluated` for paths.
fn assign(flow: &mut Flow, block: Option<&Node>, language: QueryLanguage, evaluated: &Flow) {
    let Some(members) = block.and_then(Node::members) else { return };
    for member in members {
        let name = member.key.strip_suffix(".$").unwrap_or(&member.key).to_string();
        let dollar = member.key.ends_with(".$");
        if template_carry(&member.value, dollar, language, evaluated).is_empty() {
            flow.vars.remove(&name);
        } else {
            flow.vars.insert(name.clone());
        }
        let value = classify(&member.value, dollar, language);
        let unstable = holds_unstable(&member.value, dollar, language) || reads_unstable_variable(value, evaluated).is_some();
        if unstable {
            flow.unstable_vars.insert(name);
        } else {
            flow.unstable_vars.remove(&name);
        }
    }
}

/// The flow a state passes along its `Next` (and Choice) transitions.
fn transfer(state: &State<'_>, input: &Flow) -> Flow {
    let language = state.query_language;
    let field = |name| state.field(name);
    if language == QueryLanguage::Jsonata {
        let result = match state.kind {
            StateKind::Task | StateKind::Parallel | StateKind::Map => BTreeSet::new(),
            _ => input.paths.clone(),
        };
        let mut out = input.clone();
        out.paths = match field("Output") {
            Some(output) => template_carry(output, false, language, input),
            None => result,
        };
        assign(&mut out, field("Assign"), language, input);
        return out;
    }
    let effective = input.with_paths(apply_path(&input.paths, field("InputPath")));
    let mut out = input.clone();
    let result = match state.kind {
        StateKind::Choice | StateKind::Wait | StateKind::Succeed | StateKind::Fail | StateKind::Unknown => {
            out.paths = apply_path(&effective.paths, field("OutputPath"));
            assign(&mut out, field("Assign"), language, &effective);
            return out;
        }
        StateKind::Pass => match (field("Parameters"), field("Result")) {
            (Some(parameters), _) => template_carry(parameters, false, language, &effective),
            (None, Some(_)) => BTreeSet::new(),
            (None, None) => effective.paths.clone(),
        },
        StateKind::Task | StateKind::Parallel | StateKind::Map => match field("ResultSelector") {
            Some(selector) => template_carry(selector, false, language, &input.with_paths(BTreeSet::new())),
            None => BTreeSet::new(),
        },
    };
    assign(&mut out, field("Assign"), language, &input.with_paths(result.clone()));
    let placed = place_result(&input.paths, result, field("ResultPath"));
    out.paths = apply_path(&placed, field("OutputPath"));
    out
}

/// The flow along a `Catch` transition.
fn catch_output(state: &State<'_>, catcher: &Node, input: &Flow) -> Flow {
    let language = state.query_language;
    let mut out = input.clone();
    out.paths = match language {
        QueryLanguage::Jsonata => match catcher.get("Output") {
            Some(output) => template_carry(output, false, language, input),
            None => BTreeSet::new(),
        },
        QueryLanguage::JsonPath => place_result(&input.paths, BTreeSet::new(), catcher.get("ResultPath")),
    };
    assign(&mut out, catcher.get("Assign"), language, &input.with_paths(BTreeSet::new()));
    out
}

/// The input of a Parallel branch or a Map iteration.
fn child_input(state: &State<'_>, kind: ScopeKind, input: &Flow) -> Flow {
    let language = state.query_language;
    let effective = match language {
        QueryLanguage::JsonPath => input.with_paths(apply_path(&input.paths, state.field("InputPath"))),
        QueryLanguage::Jsonata => input.clone(),
    };
    let template = |name: &str| state.field(name).map(|t| template_carry(t, false, language, &effective));
    let paths = match kind {
        ScopeKind::Branch => {
            let field = if language == QueryLanguage::Jsonata { "Arguments" } else { "Parameters" };
            template(field).unwrap_or_else(|| effective.paths.clone())
        }
        // Each iteration gets one item, which carries nothing, unless a selector builds it.
        _ => template("ItemSelector").or_else(|| template("Parameters")).unwrap_or_default(),
    };
    effective.with_paths(paths)
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_path_that_is_no_path_carries_nothing() {
        let input = Flow::default();
        for text in ["$1reportId", "$$$", "$ay.b", "States.Format('{}', $1x)"] {
            assert!(carried(Value::Path(text), &input).is_empty(), "{text}");
        }
    }

    use super::*;
    use crate::syntax::{Format, parse};

    fn flows(text: &str) -> Vec<(String, Flow)> {
        let root = parse(text, Format::Json).unwrap();
        let machine = Machine::new(&root);
        let flow = DataFlow::new(&machine, DataFlow::unstable(&machine).is_some());
        machine.states.iter().map(|s| (s.name.to_string(), flow.at(s.id).clone())).collect()
    }

    fn paths(flow: &Flow) -> Vec<String> {
        flow.paths.iter().map(|p| p.join(".")).collect()
    }

    #[test]
    fn only_a_definition_that_may_read_the_execution_id_is_followed() {
        let followed = |text: &str| {
            let root = parse(text, Format::Json).unwrap();
            let machine = Machine::new(&root);
            !DataFlow::new(&machine, DataFlow::unstable(&machine).is_some()).input.is_empty()
        };
        let pass = |field: &str| format!(r#"{{"StartAt": "P", "States": {{"P": {{"Type": "Pass", {field}, "End": true}}}}}}"#);
        assert!(!followed(&pass(r#""Parameters": {"id.$": "$.orderId"}"#)));
        assert!(followed(&pass(r#""Parameters": {"id.$": "$$.Execution.Id"}"#)));
        assert!(followed(&pass(r#""Parameters": {"id.$": "States.Format('{}', $$.Execution.Name)"}"#)));
        assert!(followed(&pass(r#""QueryLanguage": "JSONata", "Output": {"id": "{% $states.context.Execution.Id %}"}"#)));
        // A variable may hold a value new on every attempt: the flow's variables follow it.
        assert!(followed(&pass(r#""QueryLanguage": "JSONata", "Assign": {"token": "{% $uuid() %}"}"#)));
        // What flows where nothing is followed: nothing.
        assert_eq!(flows(&pass(r#""Parameters": {"id.$": "$.orderId"}"#)), [("P".to_string(), Flow::default())]);
    }

    #[test]
    fn a_state_that_moves_to_itself_meets_its_own_output() {
        // `Again` keeps the execution ID at `id` on entry but not on its own way round; it
        // sets `token` to a random value each time, so that stays unstable.
        let f = flows(
            r#"{"StartAt": "Start", "States": {
            "Start": {"Type": "Pass", "Parameters": {"id.$": "$$.Execution.Id"}, "Next": "Again"},
            "Again": {"Type": "Pass", "QueryLanguage": "JSONata", "Assign": {"token": "{% $uuid() %}"},
                      "Output": {"other": 1}, "Next": "Again"}}}"#,
        );
        let again = &f[1].1;
        assert!(again.paths.is_empty(), "the loop's own output carries no ID: {:?}", paths(again));
        assert!(again.unstable_vars.contains("token"));
    }

    #[test]
    fn pass_parameters_then_task_result_path() {
        let f = flows(
            r#"{"StartAt": "Tag", "States": {
                "Tag": {"Type": "Pass", "Parameters": {"order.$": "$", "executionId.$": "$$.Execution.Id"}, "ResultPath": "$.meta", "Next": "Keep"},
                "Keep": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "ResultPath": "$.result", "Next": "Replace"},
                "Replace": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "End"},
                "End": {"Type": "Succeed"}}}"#,
        );
        assert_eq!(paths(&f[1].1), ["meta.executionId"]);
        assert_eq!(paths(&f[2].1), ["meta.executionId"], "ResultPath $.result keeps the rest");
        assert!(f[3].1.paths.is_empty(), "the default ResultPath replaces the input");
    }

    #[test]
    fn joins_keep_what_every_path_carries_and_variables_flow() {
        let f = flows(
            r#"{"StartAt": "Pick", "States": {
                "Pick": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsPresent": true, "Next": "WithId"}], "Default": "Without"},
                "WithId": {"Type": "Pass", "Parameters": {"id.$": "$$.Execution.Name"}, "Assign": {"run.$": "$$.Execution.Id", "token.$": "States.UUID()"}, "Next": "Join"},
                "Without": {"Type": "Pass", "Assign": {"run": "fixed"}, "Next": "Join"},
                "Join": {"Type": "Succeed"}}}"#,
        );
        let join = &f[3].1;
        assert!(join.paths.is_empty());
        assert!(join.vars.is_empty(), "`run` is derived on one path only");
        assert!(join.unstable_vars.contains("token"));
        assert_eq!(f[1].1.paths.len(), 0);
    }

    #[test]
    fn jsonata_outputs_and_branches() {
        let f = flows(
            r#"{"QueryLanguage": "JSONata", "StartAt": "Start", "States": {
                "Start": {"Type": "Pass", "Output": {"key": "{% $states.context.Execution.Id %}", "body": "{% $states.input %}"}, "Next": "Fan"},
                "Fan": {"Type": "Parallel", "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}], "End": true}}}"#,
        );
        assert_eq!(paths(&f[1].1), ["key"]);
        assert_eq!(paths(&f[2].1), ["key"], "a branch gets the Parallel's input");
    }

    #[test]
    fn unstable_values_flow_where_any_path_brings_them() {
        let root = parse(
            r#"{"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsPresent": true, "Next": "Mint"}], "Default": "Keep"},
            "Mint": {"Type": "Pass", "Parameters": {"id.$": "States.UUID()"}, "ResultPath": "$.ids", "Next": "Join"},
            "Keep": {"Type": "Pass", "Parameters": {"id.$": "$.orderId"}, "ResultPath": "$.ids", "Next": "Join"},
            "Join": {"Type": "Pass", "End": true}}}"#,
            Format::Json,
        )
        .unwrap();
        let machine = Machine::new(&root);
        let unstable = DataFlow::unstable(&machine).unwrap();
        let join = machine.scopes[0].state_named("Join").unwrap();
        assert_eq!(paths(unstable.at(join)), ["ids.id"]);
        let stable = parse(r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}"#, Format::Json).unwrap();
        assert!(DataFlow::unstable(&Machine::new(&stable)).is_none(), "no source, no second flow");
    }

    #[test]
    fn loops_reach_a_fixed_point() {
        let f = flows(
            r#"{"StartAt": "A", "States": {
                "A": {"Type": "Pass", "Parameters": {"id.$": "$$.Execution.Id"}, "Next": "B"},
                "B": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "ResultPath": "$.r", "Next": "C"},
                "C": {"Type": "Choice", "Choices": [{"Variable": "$.r", "IsNull": true, "Next": "B"}], "Default": "D"},
                "D": {"Type": "Succeed"}}}"#,
        );
        assert_eq!(paths(&f[1].1), ["id"]);
        assert_eq!(paths(&f[3].1), ["id"]);
    }
}

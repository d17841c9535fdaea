//! The typed, read-only model of a state machine, built once per definition and shared by
//! every rule. It holds references into the span tree and JSON Pointers, never offsets.

pub mod catalog;
pub mod context;
pub mod dataflow;
pub mod duration;
pub mod dynamodb;
pub mod effects;
mod graph;
pub mod resource;
pub mod spec;
pub mod values;
pub mod variables;

use std::collections::VecDeque;
use std::ops::Range;

use foldhash::HashMap;

use crate::syntax::{Node, push_token, unescape_token};

pub use graph::Graph;
pub use resource::{Integration, Malformed, Pattern, ResourceError};

pub type StateId = usize;
pub type ScopeId = usize;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryLanguage {
    JsonPath,
    Jsonata,
}

impl QueryLanguage {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "JSONPath" => Some(QueryLanguage::JsonPath),
            "JSONata" => Some(QueryLanguage::Jsonata),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            QueryLanguage::JsonPath => "JSONPath",
            QueryLanguage::Jsonata => "JSONata",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateKind {
    Task,
    Pass,
    Choice,
    Wait,
    Succeed,
    Fail,
    Parallel,
    Map,
    /// A missing, non-string or unknown `Type`.
    Unknown,
}

impl StateKind {
    fn parse(node: Option<&Node>) -> Self {
        match node.and_then(Node::as_str) {
            Some("Task") => StateKind::Task,
            Some("Pass") => StateKind::Pass,
            Some("Choice") => StateKind::Choice,
            Some("Wait") => StateKind::Wait,
            Some("Succeed") => StateKind::Succeed,
            Some("Fail") => StateKind::Fail,
            Some("Parallel") => StateKind::Parallel,
            Some("Map") => StateKind::Map,
            _ => StateKind::Unknown,
        }
    }

    /// States that end a path by themselves.
    pub fn is_terminal_type(self) -> bool {
        matches!(self, StateKind::Succeed | StateKind::Fail)
    }

    /// States that must have exactly one of `Next` and `End`.
    pub fn needs_next_or_end(self) -> bool {
        matches!(self, StateKind::Task | StateKind::Pass | StateKind::Wait | StateKind::Parallel | StateKind::Map)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeKind {
    TopLevel,
    /// One element of a Parallel's `Branches`.
    Branch,
    /// A Map's `ItemProcessor` (or legacy `Iterator`).
    ItemProcessor,
}

/// A nested state machine: the top level, a Parallel branch or a Map item processor.
pub struct Scope<'a> {
    pub kind: ScopeKind,
    pub pointer: String,
    pub node: &'a Node<'a>,
    /// The Parallel or Map that owns this scope; `None` at the top level.
    pub parent: Option<StateId>,
    pub start_at: Option<&'a str>,
    /// The scope's states in source order; a repeated name appears once (the last, as AWS
    /// reads it). A scope's states are numbered one after another.
    pub states: Range<StateId>,
    names: Names<'a>,
}

/// A scope's states by name: most scopes are short lists, scanned faster than hashed (and
/// nested branches and item processors are many); a long one is hashed to stay linear.
enum Names<'a> {
    Few(Vec<(&'a str, StateId)>),
    Many(HashMap<&'a str, StateId>),
}

impl<'a> Scope<'a> {
    pub fn state_named(&self, name: &str) -> Option<StateId> {
        match &self.names {
            Names::Few(names) => names.iter().find(|(n, _)| *n == name).map(|&(_, id)| id),
            Names::Many(names) => names.get(name).copied(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransitionKind {
    Next,
    Default,
    Choice,
    Catch,
}

/// A named transition to another state of the same scope.
pub struct Transition<'a> {
    pub kind: TransitionKind,
    pub target: &'a str,
    /// The position of a Choice rule or a catcher in its array.
    index: u32,
}

impl Transition<'_> {
    /// The pointer of the string naming the target, in `state`.
    pub fn pointer(&self, state: &State<'_>) -> String {
        match self.kind {
            TransitionKind::Next => state.field_pointer("Next"),
            TransitionKind::Default => state.field_pointer("Default"),
            TransitionKind::Choice => format!("{}/Choices/{}/Next", state.pointer, self.index),
            TransitionKind::Catch => format!("{}/Catch/{}/Next", state.pointer, self.index),
        }
    }
}

// A large definition holds hundreds of thousands of states: keep them small (the
// transitions are kept in one list for all states).
#[cfg(target_pointer_width = "64")]
const _: () = assert!(size_of::<State<'static>>() == 144);

pub struct State<'a> {
    pub id: StateId,
    pub name: &'a str,
    /// The span of the state's name in its `States` object.
    pub key_span: crate::syntax::Span,
    pub pointer: Box<str>,
    pub node: &'a Node<'a>,
    pub kind: StateKind,
    pub scope: ScopeId,
    pub query_language: QueryLanguage,
    /// Branches of a Parallel, the item processor of a Map: scopes numbered one after
    /// another, as they are queued together.
    pub children: Range<ScopeId>,
    /// The state's transitions in the machine's list.
    transitions: Range<u32>,
    /// `End: true`.
    pub end: bool,
    /// The Task's `Resource`, parsed.
    pub resource: Option<Result<Integration<'a>, ResourceError<'a>>>,
}

impl<'a> State<'a> {
    pub fn field(&self, name: &str) -> Option<&'a Node<'a>> {
        self.node.get(name)
    }

    /// A path that ends here: a Succeed or Fail state, or one with `End: true`.
    pub fn is_terminal(&self) -> bool {
        self.kind.is_terminal_type() || self.end
    }

    pub fn field_pointer(&self, name: &str) -> String {
        push_token(&self.pointer, name)
    }

    /// A Map whose `ItemProcessor.ProcessorConfig.Mode` is `DISTRIBUTED`.
    pub fn is_distributed_map(&self) -> bool {
        self.processor_config("Mode") == Some("DISTRIBUTED")
    }

    /// A Map whose `ItemProcessor.ProcessorConfig.Mode` says `INLINE`; one without a mode runs
    /// inline too, but says nothing.
    pub fn says_inline_map(&self) -> bool {
        self.processor_config("Mode") == Some("INLINE")
    }

    /// The `ExecutionType` of a Distributed Map's child executions (`STANDARD` when it is
    /// missing or not a string: AWS requires it, and its absence is reported as invalid); `None`
    /// for any other state.
    pub fn distributed_execution_type(&self) -> Option<&'a str> {
        self.is_distributed_map().then(|| self.processor_config("ExecutionType").unwrap_or("STANDARD"))
    }

    fn processor_config(&self, field: &str) -> Option<&'a str> {
        if self.kind != StateKind::Map {
            return None;
        }
        self.field("ItemProcessor")?.get("ProcessorConfig")?.get(field)?.as_str()
    }
}

pub struct Machine<'a> {
    pub root: &'a Node<'a>,
    pub query_language: QueryLanguage,
    /// Scope 0 is the top level.
    pub scopes: Vec<Scope<'a>>,
    pub states: Vec<State<'a>>,
    /// Every state's transitions, one state after another.
    transitions: Vec<Transition<'a>>,
    pub graph: Graph,
}

impl<'a> Machine<'a> {
    /// Builds the model of a definition. Malformed parts are left out of the model (the
    /// structure rules report them); building never fails.
    pub fn new(root: &'a Node<'a>) -> Self {
        let query_language =
            root.get("QueryLanguage").and_then(Node::as_str).and_then(QueryLanguage::parse).unwrap_or(QueryLanguage::JsonPath);
        let mut machine =
            Machine { root, query_language, scopes: Vec::new(), states: Vec::new(), transitions: Vec::new(), graph: Graph::default() };
        // Scopes are built breadth-first with an explicit queue, so a deeply nested file
        // cannot exhaust the stack.
        let mut queue = VecDeque::from([(ScopeKind::TopLevel, String::new(), root, None, query_language)]);
        while let Some((kind, pointer, node, parent, inherited)) = queue.pop_front() {
            machine.add_scope(kind, pointer, node, parent, inherited, &mut queue);
        }
        machine.graph = Graph::new(&machine);
        machine
    }

    fn add_scope(
        &mut self,
        kind: ScopeKind,
        pointer: String,
        node: &'a Node<'a>,
        parent: Option<StateId>,
        inherited: QueryLanguage,
        queue: &mut VecDeque<PendingScope<'a>>,
    ) {
        let scope_id = self.scopes.len();
        if let Some(parent) = parent {
            let children = &mut self.states[parent].children;
            if children.start == children.end {
                *children = scope_id..scope_id;
            }
            debug_assert_eq!(children.end, scope_id, "a state's scopes are queued together");
            children.end = scope_id + 1;
        }
        let language = node.get("QueryLanguage").and_then(Node::as_str).and_then(QueryLanguage::parse).unwrap_or(inherited);
        let start_at = node.get("StartAt").and_then(Node::as_str);
        let states_pointer = push_token(&pointer, "States");
        let mut scope =
            Scope { kind, pointer, node, parent, start_at, states: self.states.len()..self.states.len(), names: Names::Few(Vec::new()) };
        let members = node.get("States").and_then(Node::members).unwrap_or_default();
        self.states.reserve(members.len());
        // A repeated name: AWS keeps the last one, and so does the model. A long list is
        // hashed once: each name maps to the index of its last member, then to its state
        // once that member is reached (the last member of a name comes after every other).
        let mut names = match members.len() > 16 {
            true => Names::Many(members.iter().enumerate().map(|(i, m)| (&*m.key, i)).collect()),
            false => Names::Few(Vec::with_capacity(members.len())),
        };
        for (index, member) in members.iter().enumerate() {
            let repeated = match &names {
                Names::Many(last) => last[&*member.key] != index,
                Names::Few(_) => members[index + 1..].iter().any(|m| m.key == member.key),
            };
            if repeated {
                continue;
            }
            let id = self.states.len();
            let mut state = State::new(id, &member.key, push_token(&states_pointer, &member.key).into(), &member.value, scope_id, language);
            state.key_span = member.key_span;
            let first = self.transitions.len() as u32;
            state.push_transitions(&mut self.transitions);
            state.transitions = first..self.transitions.len() as u32;
            for (child_kind, child_pointer, child) in child_scopes(&state) {
                queue.push_back((child_kind, child_pointer, child, Some(id), state.query_language));
            }
            match &mut names {
                Names::Many(names) => _ = names.insert(&member.key, id),
                Names::Few(names) => names.push((&member.key, id)),
            }
            scope.states.end = id + 1;
            self.states.push(state);
        }
        scope.names = names;
        self.scopes.push(scope);
    }

    /// The innermost state whose pointer is `pointer` or a prefix of it: a walk down the
    /// scopes, `/States/<name>` then into a Parallel branch or a Map item processor.
    pub fn state_at(&self, pointer: &str) -> Option<&State<'a>> {
        let mut found = None;
        let mut scope = &self.scopes[0];
        let mut at = 0;
        // The end of the next reference token after `at`, which must start with `/`.
        let token_end =
            |at: usize| pointer[at..].strip_prefix('/').map(|rest| at + 1 + memchr::memchr(b'/', rest.as_bytes()).unwrap_or(rest.len()));
        loop {
            let Some(states_end) = token_end(at).filter(|&end| &pointer[at + 1..end] == "States") else { return found };
            let Some(name_end) = token_end(states_end) else { return found };
            let Some(id) = scope.state_named(&unescape_token(&pointer[states_end + 1..name_end])) else { return found };
            let state = &self.states[id];
            found = Some(state);
            at = name_end;
            // A child scope whose pointer continues this one, one token (`ItemProcessor`) or
            // two (`Branches/<i>`) further.
            let one = token_end(at);
            let two = one.and_then(token_end);
            let child = state
                .children
                .clone()
                .map(|c| &self.scopes[c])
                .find(|c| [one, two].into_iter().flatten().any(|end| pointer[..end] == c.pointer));
            match child {
                Some(child) => {
                    at = child.pointer.len();
                    scope = child;
                }
                None => return found,
            }
        }
    }

    /// The state's named transitions to other states of its scope.
    pub fn transitions(&self, state: &State<'a>) -> &[Transition<'a>] {
        &self.transitions[state.transitions.start as usize..state.transitions.end as usize]
    }

    pub fn scope_of(&self, state: &State<'a>) -> &Scope<'a> {
        &self.scopes[state.scope]
    }
}

type PendingScope<'a> = (ScopeKind, String, &'a Node<'a>, Option<StateId>, QueryLanguage);

/// The nested state machines a Parallel or Map state owns, when they are objects.
fn child_scopes<'a>(state: &State<'a>) -> Vec<(ScopeKind, String, &'a Node<'a>)> {
    match state.kind {
        StateKind::Parallel => state
            .field("Branches")
            .and_then(Node::as_array)
            .unwrap_or_default()
            .iter()
            .enumerate()
            .filter(|(_, branch)| branch.is_object())
            .map(|(i, branch)| (ScopeKind::Branch, push_token(&state.field_pointer("Branches"), &i.to_string()), branch))
            .collect(),
        StateKind::Map => {
            let (name, node) = match (state.field("ItemProcessor"), state.field("Iterator")) {
                (Some(p), _) => ("ItemProcessor", p),
                (None, Some(i)) => ("Iterator", i),
                (None, None) => return Vec::new(),
            };
            if node.is_object() { vec![(ScopeKind::ItemProcessor, state.field_pointer(name), node)] } else { Vec::new() }
        }
        _ => Vec::new(),
    }
}

impl<'a> Machine<'a> {
    /// Resolves the placeholder `Resource`s of Tasks: to the template's functions and
    /// activities, the ARNs its substitutions spell out, or what the placeholder's name says.
    pub fn resolve_resources(&mut self, resources: Option<&crate::host::Resources<'a>>) {
        for state in &mut self.states {
            if let (Some(Ok(Integration::Placeholder)), Some(node)) = (&state.resource, state.node.get("Resource")) {
                if let Some(resolved) = resource::resolve(node, resources) {
                    state.resource = Some(Ok(resolved));
                }
            }
        }
    }
}

impl<'a> State<'a> {
    fn new(id: StateId, name: &'a str, pointer: Box<str>, node: &'a Node<'a>, scope: ScopeId, scope_language: QueryLanguage) -> Self {
        let kind = StateKind::parse(node.get("Type"));
        let query_language = node.get("QueryLanguage").and_then(Node::as_str).and_then(QueryLanguage::parse).unwrap_or(scope_language);
        let mut state = State {
            id,
            name,
            key_span: node.span,
            pointer,
            node,
            kind,
            scope,
            query_language,
            children: 0..0,
            transitions: 0..0,
            end: node.get("End").and_then(Node::as_bool) == Some(true),
            resource: None,
        };
        if kind == StateKind::Task {
            state.resource = node.get("Resource").map(resource::parse);
        }
        state
    }

    /// Appends the state's named transitions to the machine's list.
    fn push_transitions(&self, transitions: &mut Vec<Transition<'a>>) {
        let array = |field| self.field(field).and_then(Node::as_array).unwrap_or_default();
        let choice = self.kind == StateKind::Choice;
        let next = if choice { None } else { self.field("Next") };
        let (choices, default) = if choice { (array("Choices"), self.field("Default")) } else { (&[][..], None) };
        let catchers = if matches!(self.kind, StateKind::Task | StateKind::Parallel | StateKind::Map) { array("Catch") } else { &[] };
        let mut add = |kind, target: Option<&'a Node<'a>>, index: usize| {
            if let Some(target) = target.and_then(Node::as_str) {
                // An array index fits: the text's length does.
                transitions.push(Transition { kind, target, index: index as u32 });
            }
        };
        add(TransitionKind::Next, next, 0);
        for (i, rule) in choices.iter().enumerate() {
            add(TransitionKind::Choice, rule.get("Next"), i);
        }
        add(TransitionKind::Default, default, 0);
        for (i, catcher) in catchers.iter().enumerate() {
            add(TransitionKind::Catch, catcher.get("Next"), i);
        }
    }
}

/// The analyses the rules share, each computed once per definition and only when a rule
/// asks for it: a run of structural rules alone, or a Standard workflow's rules, never build
/// the side effects or the durations.
pub struct Analysis<'a> {
    machine: &'a Machine<'a>,
    definition: &'a crate::host::Definition<'a>,
    idempotency: effects::Idempotency<'a>,
    contexts: std::cell::OnceCell<context::Contexts>,
    /// The execution ID's data flow, and the unstable values' when there are any.
    flows: std::cell::OnceCell<(dataflow::DataFlow, Option<dataflow::DataFlow>)>,
    /// Each state's side effects, scanned when first asked for.
    hazards: std::cell::OnceCell<Vec<std::cell::OnceCell<Vec<effects::Hazard>>>>,
    durations: std::cell::OnceCell<duration::Durations>,
}

impl<'a> Analysis<'a> {
    pub fn new(machine: &'a Machine<'a>, definition: &'a crate::host::Definition<'a>, idempotency: effects::Idempotency<'a>) -> Self {
        Analysis {
            machine,
            definition,
            idempotency,
            contexts: Default::default(),
            flows: Default::default(),
            hazards: Default::default(),
            durations: Default::default(),
        }
    }

    /// Why each state may run more than once, and each scope's execution.
    pub fn contexts(&self) -> &context::Contexts {
        self.contexts.get_or_init(|| context::Contexts::new(self.machine, self.definition))
    }

    /// A state's side effects that repeat when it runs again, scanned the first time a rule
    /// asks (a state that runs once is never scanned); the data flows that decide them are
    /// worked out once, for the first.
    pub fn hazards(&self, state: StateId) -> &[effects::Hazard] {
        let cells = self.hazards.get_or_init(|| (0..self.machine.states.len()).map(|_| std::cell::OnceCell::new()).collect());
        cells[state].get_or_init(|| {
            let (execution_id, unstable) = self.flows.get_or_init(|| {
                let unstable = dataflow::DataFlow::unstable(self.machine);
                (dataflow::DataFlow::new(self.machine, unstable.is_some()), unstable)
            });
            let flows = effects::Flows { execution_id, unstable: unstable.as_ref() };
            let state = &self.machine.states[state];
            effects::hazards_of(self.machine, state, flows, self.definition.resources.as_ref(), &self.idempotency)
        })
    }

    /// The worst-case duration of every state and scope.
    pub fn durations(&self) -> &duration::Durations {
        self.durations.get_or_init(|| duration::Durations::new(self.machine, self.definition.resources.as_ref()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{Format, parse};

    #[test]
    fn state_at_finds_the_innermost_state_of_a_pointer() {
        let text = r#"{"StartAt": "P", "States": {
            "P": {"Type": "Parallel", "End": true, "Branches": [
                {"StartAt": "a/b", "States": {"a/b": {"Type": "Pass", "End": true}}},
                {"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
                    "ItemProcessor": {"StartAt": "x~y", "States": {"x~y": {"Type": "Pass", "End": true}}},
                    "Iterator": {"StartAt": "old", "States": {"old": {"Type": "Pass", "End": true}}}}}}]},
            "D": {"Type": "Pass", "End": true},
            "D": {"Type": "Succeed"}}}"#;
        let root = parse(text, Format::Json).unwrap();
        let machine = Machine::new(&root);
        let at = |pointer| machine.state_at(pointer).map(|s| (s.name, &*s.pointer));
        assert_eq!(at("/States/P/Branches/0/States/a~1b/Next"), Some(("a/b", "/States/P/Branches/0/States/a~1b")));
        assert_eq!(
            at("/States/P/Branches/1/States/M/ItemProcessor/States/x~0y"),
            Some(("x~y", "/States/P/Branches/1/States/M/ItemProcessor/States/x~0y"))
        );
        // The model follows `ItemProcessor`; a pointer into the legacy `Iterator` stays with the Map.
        assert_eq!(at("/States/P/Branches/1/States/M/Iterator/States/old"), Some(("M", "/States/P/Branches/1/States/M")));
        assert_eq!(at("/States/P/Branches/7/States/a~1b"), Some(("P", "/States/P")));
        assert_eq!(at("/States/P/Branches/0/States/missing/Type"), Some(("P", "/States/P")));
        assert_eq!(at("/States/D"), Some(("D", "/States/D")));
        assert_eq!(machine.states[machine.state_at("/States/D").unwrap().id].kind, StateKind::Succeed);
        assert_eq!(at("/StartAt"), None);
        assert_eq!(at(""), None);
        assert_eq!(at("/States"), None);
    }

    #[test]
    fn a_repeated_state_name_keeps_its_last_definition_in_small_and_large_scopes() {
        for count in [3, 40] {
            let mut states: Vec<String> = (0..count).map(|i| format!(r#""S{i}": {{"Type": "Pass", "End": true}}"#)).collect();
            states.insert(1, r#""S2": {"Type": "Fail"}"#.to_string());
            states.push(r#""S0": {"Type": "Succeed"}"#.to_string());
            let text = format!(r#"{{"StartAt": "S0", "States": {{{}}}}}"#, states.join(","));
            let root = parse(&text, Format::Json).unwrap();
            let machine = Machine::new(&root);
            let scope = &machine.scopes[0];
            assert_eq!(machine.states.len(), count, "{count} states");
            assert_eq!(scope.states.len(), count);
            for (i, state) in machine.states.iter().enumerate() {
                assert_eq!(state.id, i);
                assert_eq!(scope.state_named(state.name), Some(i), "{}", state.name);
            }
            let kind = |name| machine.states[scope.state_named(name).unwrap()].kind;
            assert_eq!(kind("S0"), StateKind::Succeed, "{count} states");
            assert_eq!(kind("S2"), StateKind::Pass, "{count} states");
            assert_eq!(kind("S1"), StateKind::Pass, "{count} states");
            assert_eq!(scope.state_named("S99"), None);
        }
    }
}

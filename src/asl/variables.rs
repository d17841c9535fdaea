//! Workflow variables: the ones each state reads, the ones it assigns, and the ones that may
//! hold a value when it runs — assigned on some path from its scope's `StartAt`, or before
//! the Parallel or Map whose branch or item processor holds it.
//!
//! Where the model cannot tell, it says so: a state that no path reaches, and the states of
//! a Distributed Map, whose child executions are executions of their own.

use std::ops::ControlFlow;

use foldhash::{HashMap, HashMapExt};

use super::{Machine, QueryLanguage, State, StateId};
use crate::syntax::expression::{is_jsonata, jsonata_variables};
use crate::syntax::jsonata::FUNCTIONS;
use crate::syntax::{Kind, Node, Token, Trail, has_placeholder};

/// A variable a state reads.
pub struct Read<'a> {
    pub name: &'a str,
    pub state: StateId,
    /// The pointer of the string that reads it, and the byte offset of its `$` there.
    pub pointer: String,
    pub at: usize,
    /// A JSONata name that is also one of its functions (`$string`, `$count`): a function
    /// passed as a value, unless the workflow assigns a variable of that name.
    pub function: bool,
}

pub struct Variables<'a> {
    pub reads: Vec<Read<'a>>,
    /// The states that assign each variable.
    pub assigners: HashMap<&'a str, Vec<StateId>>,
    /// For each state, the variables (by index in `names`) that may hold a value when it
    /// runs, as a bit set; `None` where the model cannot tell.
    available: Vec<Option<Vec<u64>>>,
    index: HashMap<&'a str, usize>,
}

impl<'a> Variables<'a> {
    pub fn new(machine: &Machine<'a>) -> Self {
        let reads: Vec<Read<'a>> = machine.states.iter().flat_map(reads_of).collect();
        let mut variables = Variables { reads, assigners: HashMap::new(), available: Vec::new(), index: HashMap::new() };
        if variables.reads.is_empty() {
            return variables;
        }
        let assigned: Vec<Vec<&'a str>> = machine.states.iter().map(assigned_by).collect();
        for (id, names) in assigned.iter().enumerate() {
            for &name in names {
                let next = variables.index.len();
                variables.index.entry(name).or_insert(next);
                variables.assigners.entry(name).or_default().push(id);
            }
        }
        variables.available = available(machine, &assigned, &variables.index);
        variables
    }

    /// Whether the variable `read` names may hold a value when its state runs; `None` when
    /// the model cannot tell, or the name is that of a JSONata function no state assigns.
    pub fn may_hold(&self, read: &Read<'_>) -> Option<bool> {
        let set = self.available.get(read.state)?.as_ref()?;
        let Some(&i) = self.index.get(read.name) else { return (!read.function).then_some(false) };
        Some(set[i / 64] & 1 << (i % 64) != 0)
    }
}

/// The variables each state may see, scope by scope: a scope's states are numbered after its
/// owner's, so the owner's set is known when its branches are walked.
fn available(machine: &Machine<'_>, assigned: &[Vec<&str>], index: &HashMap<&str, usize>) -> Vec<Option<Vec<u64>>> {
    let words = index.len().div_ceil(64).max(1);
    let mut available: Vec<Option<Vec<u64>>> = vec![None; machine.states.len()];
    let gives: Vec<Vec<u64>> = assigned
        .iter()
        .map(|names| {
            let mut set = vec![0u64; words];
            for name in names {
                let i = index[name];
                set[i / 64] |= 1 << (i % 64);
            }
            set
        })
        .collect();
    for scope in &machine.scopes {
        let entry = match scope.parent {
            None => Some(vec![0u64; words]),
            Some(owner) if machine.states[owner].is_distributed_map() => None,
            Some(owner) => available[owner].clone(),
        };
        let (Some(entry), Some(start)) = (entry, scope.start_at.and_then(|name| scope.state_named(name))) else { continue };
        available[start] = Some(entry);
        let mut queue = vec![start];
        while let Some(id) = queue.pop() {
            let Some(seen) = &available[id] else { continue };
            let out: Vec<u64> = seen.iter().zip(&gives[id]).map(|(a, b)| a | b).collect();
            for &next in &machine.graph.successors[id] {
                let changed = match &mut available[next] {
                    Some(set) => {
                        let before = set.clone();
                        set.iter_mut().zip(&out).for_each(|(a, b)| *a |= b);
                        *set != before
                    }
                    slot @ None => {
                        *slot = Some(out.clone());
                        true
                    }
                };
                if changed {
                    queue.push(next);
                }
            }
        }
    }
    available
}

/// The variables a state assigns: its `Assign`, its catchers' and its Choice rules' (a key's
/// `.$` suffix in JSONPath is not part of the name).
fn assigned_by<'a>(state: &State<'a>) -> Vec<&'a str> {
    let mut blocks: Vec<&'a Node<'a>> = state.field("Assign").into_iter().collect();
    for list in ["Catch", "Choices"] {
        for entry in state.field(list).and_then(Node::as_array).unwrap_or_default() {
            blocks.extend(entry.get("Assign"));
        }
    }
    let jsonpath = state.query_language == QueryLanguage::JsonPath;
    blocks
        .into_iter()
        .flat_map(|block| block.members().unwrap_or_default())
        .map(|member| if jsonpath { member.key.strip_suffix(".$").unwrap_or(&member.key) } else { &member.key })
        .collect()
}

/// Fields that hold no expression, or whose expressions belong to other states.
const NOT_READ: &[&str] =
    &["Type", "Comment", "Next", "Default", "End", "QueryLanguage", "Resource", "Branches", "ItemProcessor", "Iterator"];

/// The variables a state reads, in every expression of its own (its branches' and item
/// processor's states read for themselves).
fn reads_of<'a>(state: &State<'a>) -> Vec<Read<'a>> {
    let jsonata = state.query_language == QueryLanguage::Jsonata;
    // Most states read no variable: a walk that builds no pointer tells them apart first.
    let candidate = |text: &str| if jsonata { names_a_variable(text) } else { dollar_name(text) };
    if expressions(state, None, |_, text| if candidate(text) { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }).is_continue() {
        return Vec::new();
    }
    let mut reads = Vec::new();
    let mut trail = Trail::new(&state.pointer);
    // The visitor never stops the walk.
    let _ = expressions(state, Some(&mut trail), |pointer, text| {
        if jsonata {
            // Most expressions read `$states` alone: they are not parsed again.
            let Some(variables) = names_a_variable(text).then(|| jsonata_variables(text).ok()).flatten() else {
                return ControlFlow::Continue(());
            };
            // Names the expression binds, or tests with `$exists`, are its own business.
            let bound: Vec<&str> = variables.iter().filter(|v| v.bound || v.tested).map(|v| v.name).collect();
            for variable in variables {
                let name = variable.name;
                let special = name.is_empty() || name == "$" || name == "states";
                if !variable.called && !variable.bound && !special && !bound.contains(&name) {
                    reads.push(Read { name, state: state.id, pointer: pointer(), at: variable.at, function: FUNCTIONS.contains(&name) });
                }
            }
        } else {
            for (name, offset) in jsonpath_variables(text) {
                reads.push(Read { name, state: state.id, pointer: pointer(), at: offset, function: false });
            }
        }
        ControlFlow::Continue(())
    });
    reads
}

/// Visits each expression of the state's own fields: a `{% %}` string in JSONata, a path (a
/// `.$` value, a `*Path` field, a Choice rule's `Variable`) in JSONPath. With a trail, the
/// visitor can build the pointer of the string; without one, nothing is allocated for it.
fn expressions<'t, 'a: 't>(
    state: &'t State<'a>,
    mut trail: Option<&mut Trail<'t>>,
    mut visit: impl FnMut(&dyn Fn() -> String, &'a str) -> ControlFlow<()>,
) -> ControlFlow<()> {
    let jsonata = state.query_language == QueryLanguage::Jsonata;
    fn step<'t>(trail: &mut Option<&mut Trail<'t>>, parent: usize, token: Token<'t>) -> usize {
        trail.as_deref_mut().map_or(0, |trail| trail.step(parent, token))
    }
    // (position, value, whether it holds a JSONPath expression, whether it is inside `Choices`)
    let mut stack: Vec<(usize, &'a Node<'a>, bool, bool)> = Vec::new();
    for member in state.node.members().unwrap_or_default().iter().rev().filter(|m| !NOT_READ.contains(&&*m.key)) {
        let key = &*member.key;
        stack.push((step(&mut trail, Trail::ROOT, Token::Key(key)), &member.value, path_field(key), key == "Choices"));
    }
    while let Some((at, node, is_path, in_choices)) = stack.pop() {
        match &node.kind {
            Kind::String(text) if has_placeholder(text) => {}
            Kind::String(text) if (jsonata && is_jsonata(text)) || (!jsonata && is_path) => {
                let pointer = || trail.as_deref().map(|trail| trail.pointer(at)).unwrap_or_default();
                visit(&pointer, text)?;
            }
            Kind::Object(members) => {
                for member in members.iter().rev() {
                    let key = &*member.key;
                    let is_path = key.ends_with(".$") || (in_choices && (key == "Variable" || key.ends_with("Path")));
                    stack.push((step(&mut trail, at, Token::Key(key)), &member.value, is_path, in_choices));
                }
            }
            Kind::Array(items) => {
                for (i, item) in items.iter().enumerate().rev() {
                    stack.push((step(&mut trail, at, Token::Index(i)), item, false, in_choices));
                }
            }
            _ => {}
        }
    }
    ControlFlow::Continue(())
}

/// Whether a JSONPath text holds `$` followed by the start of a name.
fn dollar_name(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'$', bytes).any(|at| bytes.get(at + 1).is_some_and(|&c| c.is_ascii_alphabetic() || c == b'_'))
}

/// Whether a JSONata text holds a `$` that does not start `$states`.
fn names_a_variable(text: &str) -> bool {
    memchr::memchr_iter(b'$', text.as_bytes()).any(|at| {
        let rest = &text.as_bytes()[at + 1..];
        !(rest.starts_with(b"states") && rest.get(6).is_none_or(|&c| !(c.is_ascii_alphanumeric() || c == b'_')))
    })
}

/// A field of a state whose value is a path (`InputPath`, `ItemsPath`, `ErrorPath`, ...);
/// `ResultPath` is written, never read.
fn path_field(key: &str) -> bool {
    key.ends_with("Path") && key != "ResultPath"
}

/// The variables a JSONPath path or intrinsic call reads (`$order.id`, `States.Format('{}',
/// $name)`), with the offset of each `$`; `$`, `$$` and quoted text are not variables.
fn jsonpath_variables(text: &str) -> Vec<(&str, usize)> {
    let b = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    let mut quoted = false;
    while i < b.len() {
        match b[i] {
            b'\\' if quoted => i += 1,
            b'\'' => quoted = !quoted,
            b'$' if !quoted && b.get(i + 1) == Some(&b'$') => i += 1,
            b'$' if !quoted && b.get(i + 1).is_some_and(|&c| c.is_ascii_alphabetic() || c == b'_') => {
                let end = b[i + 1..].iter().position(|&c| !(c.is_ascii_alphanumeric() || c == b'_')).map_or(b.len(), |n| i + 1 + n);
                found.push((&text[i + 1..end], i));
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{Format, parse};

    #[test]
    fn jsonpath_references() {
        assert_eq!(jsonpath_variables("$order.id"), [("order", 0)]);
        assert_eq!(jsonpath_variables("States.Format('{} $not', $name, $$.Execution.Id, $.x)"), [("name", 25)]);
        assert!(jsonpath_variables("$.items[0]").is_empty());
    }

    fn availability(text: &str) -> Vec<(String, String, Option<bool>)> {
        let root = parse(text, Format::Json).unwrap();
        let machine = Machine::new(&root);
        let variables = Variables::new(&machine);
        variables
            .reads
            .iter()
            .map(|read| (machine.states[read.state].name.to_string(), read.name.to_string(), variables.may_hold(read)))
            .collect()
    }

    #[test]
    fn variables_flow_along_paths_and_into_branches() {
        let text = r#"{"QueryLanguage": "JSONata", "StartAt": "Read", "States": {
            "Read": {"Type": "Pass", "Output": "{% $total %}", "Next": "Set"},
            "Set": {"Type": "Pass", "Assign": {"total": 1}, "Next": "Fan"},
            "Fan": {"Type": "Parallel", "Branches": [{"StartAt": "Inner", "States": {
                "Inner": {"Type": "Pass", "Assign": {"inner": 2}, "Output": "{% $total + $inner %}", "Next": "Last"},
                "Last": {"Type": "Pass", "Output": "{% $inner %}", "End": true}}}],
              "Next": "After"},
            "After": {"Type": "Pass", "Output": "{% $inner %}", "Next": "Loop"},
            "Loop": {"Type": "Choice", "Choices": [{"Condition": "{% $count > 3 %}", "Next": "Done"}], "Default": "Count"},
            "Count": {"Type": "Pass", "Assign": {"count": "{% $count + 1 %}"}, "Next": "Loop"},
            "Done": {"Type": "Succeed"},
            "Orphan": {"Type": "Pass", "Output": "{% $nothing %}", "End": true}}}"#;
        let seen = availability(text);
        let verdict = |state: &str, name: &str| seen.iter().find(|(s, n, _)| s == state && n == name).map(|r| r.2);
        assert_eq!(verdict("Read", "total"), Some(Some(false)), "read before it is set");
        assert_eq!(verdict("Inner", "total"), Some(Some(true)), "a branch sees what its Parallel saw");
        assert_eq!(verdict("Inner", "inner"), Some(Some(false)), "a state's Assign is not visible to itself");
        assert_eq!(verdict("Last", "inner"), Some(Some(true)));
        assert_eq!(verdict("After", "inner"), Some(Some(false)), "a branch's variables stay in it");
        assert_eq!(verdict("Loop", "count"), Some(Some(true)), "a loop brings it back");
        assert_eq!(verdict("Orphan", "nothing"), Some(None), "an unreachable state cannot be told");
    }
}

//! The transition graph of each scope: which states `StartAt` reaches, and from which
//! states a terminal state can be reached.

use super::{Machine, StateId, StateKind};

#[derive(Default)]
pub struct Graph {
    /// Reachable from its scope's `StartAt`, in a scope whose owner is itself reachable.
    pub reachable: Vec<bool>,
    /// Some path from the state ends: it reaches a Succeed, a Fail or an `End: true` state
    /// of its scope, a Choice without `Default` (which fails when no rule matches), or a
    /// broken state that the structure rules report (no `Next`, an unknown target or type).
    pub reaches_end: Vec<bool>,
    /// Resolved transitions: for each state, the states it can go to next.
    pub successors: Edges,
    /// The reverse of `successors`.
    pub predecessors: Edges,
}

/// A list of states for each state, stored in one vector (a large definition would
/// otherwise hold two small vectors per state): state `i`'s list is
/// `targets[start[i]..start[i + 1]]`.
#[derive(Default)]
pub struct Edges {
    start: Vec<usize>,
    targets: Vec<StateId>,
}

impl std::ops::Index<StateId> for Edges {
    type Output = [StateId];

    fn index(&self, id: StateId) -> &[StateId] {
        &self.targets[self.start[id]..self.start[id + 1]]
    }
}

impl Edges {
    /// The same edges, each turned around.
    fn reversed(&self) -> Edges {
        let n = self.start.len() - 1;
        let mut start = vec![0; n + 1];
        for &to in &self.targets {
            start[to + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut next = start.clone();
        let mut targets = vec![0; self.targets.len()];
        for from in 0..n {
            for &to in &self[from] {
                targets[next[to]] = from;
                next[to] += 1;
            }
        }
        Edges { start, targets }
    }
}

impl Graph {
    pub(super) fn new(machine: &Machine<'_>) -> Self {
        let n = machine.states.len();
        let mut successors = Edges { start: Vec::with_capacity(n + 1), targets: Vec::with_capacity(n) };
        successors.start.push(0);
        for state in &machine.states {
            let scope = &machine.scopes[state.scope];
            let begin = successors.targets.len();
            successors.targets.extend(machine.transitions(state).iter().filter_map(|t| scope.state_named(t.target)));
            // Sorted and without repeats: a Choice often names one state twice.
            successors.targets[begin..].sort_unstable();
            let mut kept = begin;
            for i in begin..successors.targets.len() {
                if i == begin || successors.targets[i] != successors.targets[kept - 1] {
                    successors.targets[kept] = successors.targets[i];
                    kept += 1;
                }
            }
            successors.targets.truncate(kept);
            successors.start.push(kept);
        }
        let predecessors = successors.reversed();

        // Scopes are stored parents first (breadth-first), so an owner's reachability is
        // known before its scopes are walked.
        let mut reachable = vec![false; n];
        for scope in &machine.scopes {
            let owner_reachable = scope.parent.is_none_or(|owner| reachable[owner]);
            let start = scope.start_at.and_then(|name| scope.state_named(name));
            if let (true, Some(start)) = (owner_reachable, start) {
                walk(start, &successors, &mut reachable);
            }
        }

        let mut reaches_end = vec![false; n];
        for id in 0..n {
            if ends_path(machine, id) && !reaches_end[id] {
                walk(id, &predecessors, &mut reaches_end);
            }
        }
        Graph { reachable, reaches_end, successors, predecessors }
    }
}

fn ends_path(machine: &Machine<'_>, id: StateId) -> bool {
    let state = &machine.states[id];
    let scope = &machine.scopes[state.scope];
    state.is_terminal()
        || state.kind == StateKind::Unknown
        || (state.kind == StateKind::Choice && state.field("Default").is_none())
        || (state.kind.needs_next_or_end() && state.field("Next").is_none())
        || machine.transitions(state).iter().any(|t| scope.state_named(t.target).is_none())
}

/// Marks everything reachable from `start` along `edges`, iteratively.
fn walk(start: StateId, edges: &Edges, seen: &mut [bool]) {
    let mut stack = vec![start];
    seen[start] = true;
    while let Some(id) = stack.pop() {
        for &next in &edges[id] {
            if !seen[next] {
                seen[next] = true;
                stack.push(next);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::asl::Machine;
    use crate::syntax::{Format, parse};

    #[test]
    fn successors_are_sorted_without_repeats_and_predecessors_mirror_them() {
        let text = r#"{"StartAt": "C", "States": {
            "A": {"Type": "Pass", "End": true},
            "B": {"Type": "Pass", "Next": "A"},
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "B"},
                                                 {"Variable": "$.y", "IsPresent": true, "Next": "A"}],
                  "Default": "B"},
            "D": {"Type": "Pass", "Next": "missing"}}}"#;
        let root = parse(text, Format::Json).unwrap();
        let graph = Machine::new(&root).graph;
        let (a, b, c, d) = (0, 1, 2, 3);
        assert_eq!(&graph.successors[c], &[a, b]);
        assert_eq!(&graph.successors[b], &[a]);
        assert!(graph.successors[a].is_empty() && graph.successors[d].is_empty());
        assert_eq!(&graph.predecessors[a], &[b, c]);
        assert_eq!(&graph.predecessors[b], &[c]);
        assert!(graph.predecessors[c].is_empty());
        assert_eq!(graph.reachable, [true, true, true, false]);
    }
}

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
    pub successors: Vec<Vec<StateId>>,
    /// The reverse of `successors`.
    pub predecessors: Vec<Vec<StateId>>,
}

impl Graph {
    pub(super) fn new(machine: &Machine<'_>) -> Self {
        let n = machine.states.len();
        let successors: Vec<Vec<StateId>> = machine
            .states
            .iter()
            .map(|state| {
                let scope = &machine.scopes[state.scope];
                let mut next: Vec<StateId> = state.transitions.iter().filter_map(|t| scope.state_named(t.target)).collect();
                next.sort_unstable();
                next.dedup();
                next
            })
            .collect();
        let mut predecessors = vec![Vec::new(); n];
        for (from, next) in successors.iter().enumerate() {
            for &to in next {
                predecessors[to].push(from);
            }
        }

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
        || state.transitions.iter().any(|t| scope.state_named(t.target).is_none())
}

/// Marks everything reachable from `start` along `edges`, iteratively.
fn walk(start: StateId, edges: &[Vec<StateId>], seen: &mut [bool]) {
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

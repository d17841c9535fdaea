use super::{Context, Rule, RuleMeta, Target, rule_doc};
use crate::asl::State;
use crate::diagnostic::{Finding, Severity};

pub struct NoTerminalPath;

static META: RuleMeta = RuleMeta {
    code: "ASL011",
    name: "no-terminal-path",
    summary: "A reachable state from which no `Succeed`, `Fail` or `End` can be reached",
    severity: Severity::Warning,
    doc: rule_doc!("ASL011"),
};

impl Rule for NoTerminalPath {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    /// Reports where a trap is entered: the scope's start, or a state reached from a state
    /// that still had a way out.
    fn check_state(&self, cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
        let graph = &cx.machine.graph;
        if !graph.reachable[state.id] || graph.reaches_end[state.id] {
            return;
        }
        let scope = cx.machine.scope_of(state);
        let is_start = scope.start_at == Some(state.name);
        let entered_from_outside = graph.predecessors[state.id].iter().any(|&from| graph.reachable[from] && graph.reaches_end[from]);
        if is_start || entered_from_outside {
            out.push(
                cx.finding(
                    &META,
                    &state.pointer,
                    Target::Key,
                    format!(
                        "no path from `{}` reaches a Succeed, Fail or `End` state; an execution that gets here loops until it times out",
                        state.name
                    ),
                )
                .help("give the loop an exit: a Choice rule or `Default` that leads to a terminal state"),
            );
        }
    }
}

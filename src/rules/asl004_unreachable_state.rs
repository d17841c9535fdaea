use super::{Context, Rule, RuleMeta, Target, rule_doc};
use crate::asl::State;
use crate::diagnostic::{Finding, Severity};

pub struct UnreachableState;

static META: RuleMeta = RuleMeta {
    code: "ASL004",
    name: "unreachable-state",
    summary: "No path from `StartAt` reaches the state",
    severity: Severity::Warning,
    doc: rule_doc!("ASL004"),
};

impl Rule for UnreachableState {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_state(&self, cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
        let scope = cx.machine.scope_of(state);
        let owner_reachable = scope.parent.is_none_or(|owner| cx.machine.graph.reachable[owner]);
        // Without a valid `StartAt` everything looks unreachable; ASL002/ASL003 report that.
        let start_known = scope.start_at.and_then(|name| scope.state_named(name)).is_some();
        if owner_reachable && start_known && !cx.machine.graph.reachable[state.id] {
            out.push(
                cx.finding(
                    &META,
                    &state.pointer,
                    Target::Key,
                    format!("`{}` is unreachable: no transition from `StartAt` leads to it", state.name),
                )
                .help("point a `Next`, `Default`, Choice rule or `Catch` at it, or delete it"),
            );
        }
    }
}

use super::{Context, Rule, RuleMeta, Target, closest, rule_doc};
use crate::asl::{Scope, State, TransitionKind};
use crate::diagnostic::{Finding, Severity};
use crate::syntax::{has_placeholder, push_token};

pub struct UnknownTransitionTarget;

static META: RuleMeta = RuleMeta {
    code: "ASL003",
    name: "unknown-transition-target",
    summary: "`StartAt`, `Next`, `Default` or a Catch `Next` names no state of the same scope",
    severity: Severity::Error,
    doc: rule_doc!("ASL003"),
};

impl Rule for UnknownTransitionTarget {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_scope(&self, cx: &Context<'_>, scope: &Scope<'_>, out: &mut Vec<Finding>) {
        // Without a `States` object there is nothing to name (ASL002).
        if !scope.node.get("States").is_some_and(|s| s.is_object()) {
            return;
        }
        if let Some(start) = scope.start_at.filter(|name| scope.state_named(name).is_none() && !has_placeholder(name)) {
            let pointer = push_token(&scope.pointer, "StartAt");
            out.push(report(cx, scope, &pointer, "`StartAt`", start));
        }
    }

    fn check_state(&self, cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
        let scope = cx.machine.scope_of(state);
        for transition in cx.machine.transitions(state) {
            if scope.state_named(transition.target).is_some() || has_placeholder(transition.target) {
                continue;
            }
            let field = match transition.kind {
                TransitionKind::Next => format!("`Next` of `{}`", state.name),
                TransitionKind::Default => format!("`Default` of `{}`", state.name),
                TransitionKind::Choice => format!("a Choice rule of `{}`", state.name),
                TransitionKind::Catch => format!("a `Catch` of `{}`", state.name),
            };
            out.push(report(cx, scope, &transition.pointer(state), &field, transition.target));
        }
    }
}

fn report(cx: &Context<'_>, scope: &Scope<'_>, pointer: &str, field: &str, target: &str) -> Finding {
    let elsewhere = cx.machine.states.iter().find(|s| s.name == target);
    let message = match elsewhere {
        Some(_) => format!(
            "{field} names `{target}`, a state of another scope; states in a Parallel branch or Map item processor can only move to states of the same scope"
        ),
        None => format!("{field} names `{target}`, which is not a state"),
    };
    let finding = cx.finding(&META, pointer, Target::Value, message);
    let names = scope.states.clone().map(|id| cx.machine.states[id].name);
    match (elsewhere, closest(target, names)) {
        (Some(other), _) => {
            let span = cx.span(&other.pointer, Target::Key);
            finding.label(span, format!("`{target}` is defined here, in another scope"))
        }
        (None, Some(suggestion)) => finding.help(format!("did you mean `{suggestion}`?")),
        (None, None) => finding.help("name one of the states in the same `States` object"),
    }
}

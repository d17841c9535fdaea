use super::{Context, Rule, RuleMeta, Target, rule_doc};
use crate::asl::{Scope, ScopeKind, State, StateKind};
use crate::diagnostic::{Finding, Severity};
use crate::syntax::{Node, push_token};

pub struct InvalidStructure;

static META: RuleMeta = RuleMeta {
    code: "ASL002",
    name: "invalid-structure",
    summary: "A state machine, Parallel branch or Map item processor lacks `StartAt` or `States`",
    severity: Severity::Error,
    doc: rule_doc!("ASL002"),
};

impl Rule for InvalidStructure {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_definition(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        if !cx.definition.root.is_object() {
            out.push(cx.finding(
                &META,
                "",
                Target::Value,
                format!("the definition must be an object with `StartAt` and `States`, not {}", cx.definition.root.type_name()),
            ));
            return;
        }
        for scope in &cx.machine.scopes {
            self.check_scope(cx, scope, out);
        }
        for state in &cx.machine.states {
            self.check_state(cx, state, out);
        }
    }

    fn check_scope(&self, cx: &Context<'_>, scope: &Scope<'_>, out: &mut Vec<Finding>) {
        let what = match scope.kind {
            ScopeKind::TopLevel => "the state machine",
            ScopeKind::Branch => "this Parallel branch",
            ScopeKind::ItemProcessor => "this Map item processor",
        };
        match scope.node.get("StartAt") {
            None => out.push(
                // At the scope's `States` (or its own key) rather than the whole object.
                cx.finding(&META, &anchor(scope), Target::Key, format!("{what} has no `StartAt`"))
                    .help("add `\"StartAt\": \"<first state>\"` naming the state to run first"),
            ),
            Some(start) if start.as_str().is_none() && !start.is_placeholder() => out.push(cx.finding(
                &META,
                &push_token(&scope.pointer, "StartAt"),
                Target::Value,
                format!("`StartAt` must be a state name (a string), not {}", start.type_name()),
            )),
            Some(_) => {}
        }
        match scope.node.get("States") {
            None => out.push(
                cx.finding(&META, &scope.pointer, Target::Key, format!("{what} has no `States`"))
                    .help("add `\"States\": {...}` holding the states by name"),
            ),
            Some(states) if !states.is_object() => out.push(cx.finding(
                &META,
                &push_token(&scope.pointer, "States"),
                Target::Value,
                format!("`States` must be an object of states by name, not {}", states.type_name()),
            )),
            Some(_) => {}
        }
    }

    /// Branches and processors that are not objects never become scopes: report them here.
    fn check_state(&self, cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
        match state.kind {
            StateKind::Parallel => {
                for (i, branch) in state.field("Branches").and_then(Node::as_array).unwrap_or_default().iter().enumerate() {
                    if !branch.is_object() {
                        let pointer = push_token(&state.field_pointer("Branches"), &i.to_string());
                        out.push(cx.finding(
                            &META,
                            &pointer,
                            Target::Value,
                            format!(
                                "branch {i} of `{}` must be an object with `StartAt` and `States`, not {}",
                                state.name,
                                branch.type_name()
                            ),
                        ));
                    }
                }
            }
            StateKind::Map => {
                for field in ["ItemProcessor", "Iterator"] {
                    if let Some(node) = state.field(field).filter(|n| !n.is_object()) {
                        out.push(cx.finding(
                            &META,
                            &state.field_pointer(field),
                            Target::Value,
                            format!(
                                "`{field}` of `{}` must be an object with `StartAt` and `States`, not {}",
                                state.name,
                                node.type_name()
                            ),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
}

/// Where a scope's missing `StartAt` is reported: its `States`, or its own key.
fn anchor(scope: &Scope<'_>) -> String {
    if scope.node.get("States").is_some() { push_token(&scope.pointer, "States") } else { scope.pointer.clone() }
}

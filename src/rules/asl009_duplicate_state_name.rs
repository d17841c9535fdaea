use foldhash::HashMap;

use super::{Context, Rule, RuleMeta, Target, rule_doc};
use crate::diagnostic::{Finding, Severity};

pub struct DuplicateStateName;

static META: RuleMeta = RuleMeta {
    code: "ASL009",
    name: "duplicate-state-name",
    summary: "A state name is used twice in one machine, nested scopes included",
    severity: Severity::Error,
    doc: rule_doc!("ASL009"),
};

impl Rule for DuplicateStateName {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_definition(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        // The model keeps one state per name and scope, so every repeat here lies in another
        // scope; a repeat inside one `States` object is a duplicate key (ASL010).
        let mut first_seen = HashMap::default();
        for state in &cx.machine.states {
            let Some(&first) = first_seen.get(state.name) else {
                first_seen.insert(state.name, state.id);
                continue;
            };
            let original = &cx.machine.states[first];
            out.push(
                cx.finding(
                    &META,
                    &state.pointer,
                    Target::Key,
                    format!("the state name `{}` is already used in this state machine", state.name),
                )
                .label(cx.span(&original.pointer, Target::Key), "first used here")
                .help("state names must be unique across the whole machine, Parallel branches and Map processors included; rename one"),
            );
        }
    }
}

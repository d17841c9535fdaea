use super::{Context, Rule, RuleMeta, Target, closest, rule_doc};
use crate::asl::QueryLanguage;
use crate::asl::variables::Variables;
use crate::diagnostic::{Finding, Severity};

pub struct UnassignedVariable;

static META: RuleMeta = RuleMeta {
    code: "ASL013",
    name: "unassigned-variable",
    summary: "A state reads a variable that no state before it assigns",
    severity: Severity::Warning,
    doc: rule_doc!("ASL013"),
};

impl Rule for UnassignedVariable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_definition(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let variables = Variables::new(cx.machine);
        for read in &variables.reads {
            if variables.may_hold(read) != Some(false) {
                continue;
            }
            let state = &cx.machine.states[read.state];
            let name = read.name;
            let elsewhere: Vec<&str> = variables.assigners.get(name).into_iter().flatten().map(|&id| cx.machine.states[id].name).collect();
            let message = match elsewhere.as_slice() {
                [] => format!("`{}` reads `${name}`, which no state assigns", state.name),
                [only] if *only == state.name => format!(
                    "`{}` reads `${name}`, which it assigns itself: a state's expressions see the variables as they were when it started",
                    state.name
                ),
                [other, ..] => format!("`{}` reads `${name}`, but `{other}`, which assigns it, does not run before it", state.name),
            };
            let help = match closest(name, variables.assigners.keys().copied()) {
                Some(similar) if elsewhere.is_empty() => format!("did you mean `${similar}`?"),
                _ if state.query_language == QueryLanguage::Jsonata => {
                    format!("assign it in a state that runs first, e.g. `\"Assign\": {{\"{name}\": \"{{% $states.input.{name} %}}\"}}`")
                }
                _ => format!("assign it in a state that runs first, e.g. `\"Assign\": {{\"{name}.$\": \"$.{name}\"}}`"),
            };
            let end = read.at + 1 + name.len();
            out.push(cx.finding_in(&META, Some(state), &read.pointer, Target::Range(read.at, end), message).help(help));
        }
    }
}

use super::{Context, Rule, RuleMeta, Target, express_execution, rule_doc};
use crate::asl::duration::Unbounded;
use crate::finding::{Finding, Severity};

pub struct UnboundedExpressDuration;

static META: RuleMeta = RuleMeta {
    code: "EXP003",
    name: "unbounded-express-duration",
    summary: "An Express execution's duration cannot be bounded: a loop, or a Wait whose length is known only at run time",
    severity: Severity::Warning,
    doc: rule_doc!("EXP003"),
};

impl Rule for UnboundedExpressDuration {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_definition(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for reason in &cx.analysis.durations.unbounded {
            let (state, pointer) = match reason {
                Unbounded::Loop { from, pointer, .. } => (*from, pointer),
                Unbounded::DynamicWait { state, pointer } => (*state, pointer),
            };
            let state = &cx.machine.states[state];
            let Some(why) = express_execution(cx, state) else { continue };
            let (message, help) = match reason {
                Unbounded::Loop { to, .. } => (
                    format!(
                        "`{}` goes back to `{}`, a loop with no bound on how often it runs, and {why}: an execution that keeps looping fails with `States.Timeout` after 300 s",
                        state.name, cx.machine.states[*to].name
                    ),
                    "run the loop in a Standard workflow (started from this one with `states:startExecution.sync`) or replace polling with a callback; if an exit is certain within 300 s, suppress EXP003 for this state",
                ),
                Unbounded::DynamicWait { .. } => (
                    format!(
                        "`{}` waits for a time known only at run time, and {why}: a wait that ends after 300 s fails the execution with `States.Timeout`",
                        state.name
                    ),
                    "use a static `Seconds` under 300, or run the wait in a Standard workflow",
                ),
            };
            out.push(cx.finding(&META, pointer, Target::Value, message).help(help));
        }
    }
}

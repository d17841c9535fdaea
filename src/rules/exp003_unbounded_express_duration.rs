use super::{Context, Rule, RuleMeta, Target, express_execution, rule_doc};
use crate::asl::context::Execution;
use crate::asl::duration::Unbounded;
use crate::diagnostic::{Finding, Severity};

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
        // Durations are worked out only where something runs as Express.
        if !cx.analysis.contexts().any_express() {
            return;
        }
        for reason in &cx.analysis.durations().unbounded {
            let (state, pointer) = match reason {
                Unbounded::Loop { from, pointer, .. } => (*from, pointer),
                Unbounded::DynamicWait { state, pointer } => (*state, pointer),
            };
            let state = &cx.machine.states[state];
            let Some(why) = express_execution(cx, state) else { continue };
            let children = matches!(cx.analysis.contexts().execution(state.scope), Execution::ExpressChildren(_));
            let standard =
                if children { "set the Distributed Map's `ExecutionType` to `STANDARD`" } else { "declare the state machine `STANDARD`" };
            let (message, help) = match reason {
                Unbounded::Loop { to, .. } => (
                    format!(
                        "`{}` goes back to `{}`, a loop with no bound on how often it runs, and {why}: an execution that keeps looping fails with `States.Timeout` after 300 s",
                        state.name, cx.machine.states[*to].name
                    ),
                    format!(
                        "bound the loop (count its rounds and leave it by a Choice rule before they add up to 300 s), or {standard}; if an exit within 300 s is certain, suppress EXP003 for this state"
                    ),
                ),
                Unbounded::DynamicWait { .. } => (
                    format!(
                        "`{}` waits for a time known only at run time, and {why}: a wait that ends after 300 s fails the execution with `States.Timeout`",
                        state.name
                    ),
                    format!("use a static `Seconds` under 300, or {standard}"),
                ),
            };
            out.push(cx.finding(&META, pointer, Target::Value, message).help(help));
        }
    }
}

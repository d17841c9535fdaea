use super::{Context, Rule, RuleMeta, Words, report_hazards, rule_doc, stable_field};
use crate::asl::State;
use crate::asl::effects::{Fact, HazardKind};
use crate::diagnostic::{Finding, Severity};

pub struct StartExecutionNotIdempotent;

static META: RuleMeta = RuleMeta {
    code: "ALO008",
    name: "start-execution-not-idempotent",
    summary: "A Step Functions execution is started without a stable `Name` by a state that may run more than once",
    severity: Severity::Warning,
    doc: rule_doc!("ALO008"),
};

impl Rule for StartExecutionNotIdempotent {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_state(&self, cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
        report_hazards(cx, &META, state, HazardKind::StartExecution, words, None, out);
    }
}

/// Which execution starts again, and how to name it.
fn words(fact: &Fact) -> Option<Words> {
    match fact {
        Fact::StartsExpressChild { child } => Words::new(
            format!(
                "starts the Express state machine `{child}`, and execution names do not deduplicate Express executions, so a second run starts a second one"
            ),
            "start a Standard state machine with a stable `Name`, or make the Express child idempotent on a key it is passed",
        ),
        Fact::StartsUnnamed { stable } => Words::new(
            "starts an execution without `Name` and passes no key from this execution in its input, so a second run starts a second execution",
            [
                "set `Name` from a business key of the input, or ",
                &stable_field(stable),
                ": a Standard child refuses a second execution with the same name",
            ]
            .concat(),
        ),
        _ => None,
    }
}

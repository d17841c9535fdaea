use super::{Context, Rule, RuleMeta, report_hazards, rule_doc};
use crate::asl::State;
use crate::asl::effects::HazardKind;
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
        report_hazards(cx, &META, state, HazardKind::StartExecution, out);
    }
}

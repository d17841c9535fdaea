use super::{Context, Rule, RuleMeta, report_hazards, rule_doc};
use crate::asl::State;
use crate::asl::effects::HazardKind;
use crate::diagnostic::{Finding, Severity};

pub struct NonIdempotentUpdate;

static META: RuleMeta = RuleMeta {
    code: "ALO001",
    name: "non-idempotent-update",
    summary: "A DynamoDB write whose effect grows on replay (a counter, ADD, list_append) in a state that may run more than once",
    severity: Severity::Error,
    doc: rule_doc!("ALO001"),
};

impl Rule for NonIdempotentUpdate {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_state(&self, cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
        report_hazards(cx, &META, state, HazardKind::GrowingUpdate, out);
    }
}

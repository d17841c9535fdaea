use super::{Context, Rule, RuleMeta, report_hazards, rule_doc};
use crate::asl::State;
use crate::asl::effects::HazardKind;
use crate::diagnostic::{Finding, Severity};

pub struct MissingIdempotencyKey;

static META: RuleMeta = RuleMeta {
    code: "ALO004",
    name: "missing-idempotency-key",
    summary: "A state-changing Task that may run more than once passes no key derived from the execution",
    severity: Severity::Warning,
    doc: rule_doc!("ALO004"),
};

impl Rule for MissingIdempotencyKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_state(&self, cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
        report_hazards(cx, &META, state, HazardKind::MissingKey, out);
    }
}

use super::{Context, Rule, RuleMeta, report_hazards, rule_doc};
use crate::asl::State;
use crate::asl::effects::HazardKind;
use crate::diagnostic::{Finding, Severity};

pub struct UnstableIdempotencyKey;

static META: RuleMeta = RuleMeta {
    code: "ALO005",
    name: "unstable-idempotency-key",
    summary: "A token, deduplication ID, execution name or item key is built from a value that changes on every attempt",
    severity: Severity::Error,
    doc: rule_doc!("ALO005"),
};

impl Rule for UnstableIdempotencyKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_state(&self, cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
        report_hazards(cx, &META, state, HazardKind::UnstableKey, out);
    }
}

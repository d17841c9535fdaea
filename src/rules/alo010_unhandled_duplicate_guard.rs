use super::{Context, Rule, RuleMeta, report_hazards, rule_doc};
use crate::asl::State;
use crate::asl::effects::HazardKind;
use crate::diagnostic::{Finding, Severity};

pub struct UnhandledDuplicateGuard;

static META: RuleMeta = RuleMeta {
    code: "ALO010",
    name: "unhandled-duplicate-guard",
    summary: "A guarded DynamoDB write has no `Catch` for `ConditionalCheckFailedException`, so a duplicate run fails the execution",
    severity: Severity::Warning,
    doc: rule_doc!("ALO010"),
};

impl Rule for UnhandledDuplicateGuard {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_state(&self, cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
        report_hazards(cx, &META, state, HazardKind::UnhandledGuard, out);
    }
}

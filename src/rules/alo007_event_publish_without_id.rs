use super::{Context, Rule, RuleMeta, report_hazards, rule_doc};
use crate::asl::State;
use crate::asl::effects::HazardKind;
use crate::diagnostic::{Finding, Severity};

pub struct EventPublishWithoutId;

static META: RuleMeta = RuleMeta {
    code: "ALO007",
    name: "event-publish-without-id",
    summary: "An event or stream record published by a state that may run more than once carries no ID",
    severity: Severity::Warning,
    doc: rule_doc!("ALO007"),
};

impl Rule for EventPublishWithoutId {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_state(&self, cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
        report_hazards(cx, &META, state, HazardKind::EventPublish, out);
    }
}

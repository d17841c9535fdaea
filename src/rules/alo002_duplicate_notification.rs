use super::{Context, Rule, RuleMeta, report_hazards, rule_doc};
use crate::asl::State;
use crate::asl::effects::HazardKind;
use crate::diagnostic::{Finding, Severity};

pub struct DuplicateNotification;

static META: RuleMeta = RuleMeta {
    code: "ALO002",
    name: "duplicate-notification",
    summary: "A Task that messages a person (email, SMS, push, call) may run more than once",
    severity: Severity::Error,
    doc: rule_doc!("ALO002"),
};

impl Rule for DuplicateNotification {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_state(&self, cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
        report_hazards(cx, &META, state, HazardKind::Notification, out);
    }
}

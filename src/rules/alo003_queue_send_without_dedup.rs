use super::{Context, Rule, RuleMeta, report_hazards, rule_doc};
use crate::asl::State;
use crate::asl::effects::HazardKind;
use crate::diagnostic::{Finding, Severity};

pub struct QueueSendWithoutDedup;

static META: RuleMeta = RuleMeta {
    code: "ALO003",
    name: "queue-send-without-dedup",
    summary: "An SQS send to a standard queue, or to a FIFO queue without `MessageDeduplicationId`, may run more than once",
    severity: Severity::Warning,
    doc: rule_doc!("ALO003"),
};

impl Rule for QueueSendWithoutDedup {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_state(&self, cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
        report_hazards(cx, &META, state, HazardKind::QueueSend, out);
    }
}

use super::{Context, Rule, RuleMeta, report_hazards, rule_doc};
use crate::asl::State;
use crate::asl::effects::HazardKind;
use crate::diagnostic::{Finding, Severity};

pub struct AsyncLambdaInvoke;

static META: RuleMeta = RuleMeta {
    code: "ALO009",
    name: "async-lambda-invoke",
    summary: "A Lambda function is invoked with `InvocationType: Event`, which Lambda may deliver more than once",
    severity: Severity::Warning,
    doc: rule_doc!("ALO009"),
};

impl Rule for AsyncLambdaInvoke {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_state(&self, cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
        report_hazards(cx, &META, state, HazardKind::AsyncInvoke, out);
    }
}

use super::{Context, Rule, RuleMeta, Target, rule_doc};
use crate::finding::{Finding, Severity};
use crate::host::WorkflowType;

pub struct UnknownWorkflowType;

static META: RuleMeta = RuleMeta {
    code: "ALO011",
    name: "unknown-workflow-type",
    summary: "The definition's workflow type could not be determined, so it was linted as Express",
    severity: Severity::Info,
    doc: rule_doc!("ALO011"),
};

impl Rule for UnknownWorkflowType {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_definition(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        // A file without `StartAt` and `States` is ASL002's; what type it is does not matter yet.
        if cx.definition.workflow_type != WorkflowType::Unknown || !crate::host::looks_like_asl(cx.definition.root) {
            return;
        }
        out.push(
            cx.finding(
                &META,
                "/StartAt",
                Target::Key,
                "nothing declares whether this state machine is Express or Standard, so it is linted as Express, which runs at least once",
            )
            .help("pass `--workflow-type standard` (or `express`), or lint it together with the template that deploys it"),
        );
    }
}

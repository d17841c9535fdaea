use super::{Context, Rule, RuleMeta, Target, rule_doc};
use crate::asl::State;
use crate::diagnostic::{Finding, Severity};

pub struct InvalidResource;

static META: RuleMeta = RuleMeta {
    code: "ASL012",
    name: "invalid-resource",
    summary: "A Task `Resource` is not a recognisable ARN or integration",
    severity: Severity::Error,
    doc: rule_doc!("ASL012"),
};

impl Rule for InvalidResource {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_state(&self, cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
        if let Some(Err(reason)) = &state.resource {
            out.push(
                cx.finding(&META, &state.field_pointer("Resource"), Target::Value, format!("`{}`: {reason}", state.name)).help(
                    "use an integration such as \"arn:aws:states:::lambda:invoke\" or \"arn:aws:states:::aws-sdk:<service>:<action>\", a Lambda function ARN or an activity ARN",
                ),
            );
        }
    }
}

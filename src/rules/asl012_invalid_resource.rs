use super::{Context, Rule, RuleMeta, Target, rule_doc};
use crate::asl::{Malformed, ResourceError, State};
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
        if let Some(Err(error)) = &state.resource {
            out.push(
                cx.finding(&META, &state.field_pointer("Resource"), Target::Value, format!("`{}`: {}", state.name, reason(error))).help(
                    "use an integration such as \"arn:aws:states:::lambda:invoke\" or \"arn:aws:states:::aws-sdk:<service>:<action>\", a Lambda function ARN or an activity ARN",
                ),
            );
        }
    }
}

/// What is wrong with the `Resource`, as AWS would refuse it.
fn reason(error: &ResourceError<'_>) -> String {
    match error {
        ResourceError::NotString(type_name) => format!("`Resource` must be a string, not {type_name}"),
        ResourceError::NotArn(text) if text.contains("${") => {
            format!("`{text}` is not an ARN: its `${{` placeholder is never closed with `}}`")
        }
        ResourceError::NotArn(text) => format!("`{text}` is not an ARN"),
        ResourceError::Malformed(text, malformed) => {
            let why: std::borrow::Cow<'_, str> = match malformed {
                Malformed::Parts => "it does not have the form `arn:partition:service:region:account:resource`".into(),
                Malformed::Partition(partition) => format!("`{partition}` is not an AWS partition").into(),
                Malformed::Activity => "an activity ARN needs a region, an account and a name".into(),
                Malformed::NoFunction => "a Lambda ARN must name a `function:`".into(),
                Malformed::EmptyQualifier => {
                    "the version or alias after the function name is empty; remove the trailing `:` or name one".into()
                }
                Malformed::FunctionName => "the Lambda function name or qualifier has characters a function name cannot have".into(),
                Malformed::Service(service) => format!("`{service}` is neither `states` nor `lambda`").into(),
                Malformed::IntegrationParts => "an integration must have the form `arn:aws:states:::service:action`".into(),
                Malformed::IntegrationName => "the service or action name has characters AWS names cannot have".into(),
            };
            format!("`{text}` is not a valid resource: {why}")
        }
        ResourceError::CallbackOnFunction => {
            "`.waitForTaskToken` needs `arn:aws:states:::lambda:invoke.waitForTaskToken`, not a function ARN".into()
        }
        ResourceError::UnknownPattern(pattern) => {
            format!("`.{pattern}` is not an integration pattern (`.sync`, `.sync:2` or `.waitForTaskToken`)")
        }
        ResourceError::SyncOnSdk => "AWS SDK integrations do not support `.sync`; use the optimized integration or poll".into(),
    }
}

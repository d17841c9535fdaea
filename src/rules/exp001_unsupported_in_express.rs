use super::{Context, Rule, RuleMeta, Target, express_execution, rule_doc};
use crate::asl::{Integration, Pattern, State, StateKind};
use crate::finding::{Finding, Severity};
use crate::syntax::{Node, push_token};

pub struct UnsupportedInExpress;

static META: RuleMeta = RuleMeta {
    code: "EXP001",
    name: "unsupported-in-express",
    summary: "`.sync`, `.sync:2` and `.waitForTaskToken` integrations, activities and Distributed Maps, which AWS rejects in Express workflows",
    severity: Severity::Error,
    doc: rule_doc!("EXP001"),
};

impl Rule for UnsupportedInExpress {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_state(&self, cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
        let (pointer, what, help) = match (&state.kind, &state.resource) {
            // `.sync` on an SDK integration is invalid everywhere: ASL012 reports it.
            (
                StateKind::Task,
                Some(Ok(Integration::Optimized { pattern, .. } | Integration::Sdk { pattern: pattern @ Pattern::WaitForTaskToken, .. })),
            ) if *pattern != Pattern::Request => {
                let suffix = match pattern {
                    Pattern::Sync => "`.sync`",
                    Pattern::Sync2 => "`.sync:2`",
                    _ => "`.waitForTaskToken`",
                };
                (
                    state.field_pointer("Resource"),
                    format!("waits with {suffix}, which Express workflows do not support"),
                    "call the integration without the suffix and poll for the result, or move this step into a Standard workflow",
                )
            }
            (StateKind::Task, Some(Ok(Integration::Activity { .. }))) => (
                state.field_pointer("Resource"),
                "runs an activity, which Express workflows do not support".to_string(),
                "call the worker through Lambda or an integration, or move this step into a Standard workflow",
            ),
            (StateKind::Map, _) if distributed(state) => (
                push_token(&push_token(&state.field_pointer("ItemProcessor"), "ProcessorConfig"), "Mode"),
                "is a Distributed Map, which Express workflows do not support".to_string(),
                "use an inline Map, or run the Distributed Map from a Standard workflow",
            ),
            _ => return,
        };
        let Some(why) = express_execution(cx, state) else { return };
        out.push(cx.finding(&META, &pointer, Target::Value, format!("`{}` {what}, and {why}: AWS rejects it", state.name)).help(help));
    }
}

fn distributed(state: &State<'_>) -> bool {
    state.field("ItemProcessor").and_then(|p| p.get("ProcessorConfig")).and_then(|c| c.get("Mode")).and_then(Node::as_str)
        == Some("DISTRIBUTED")
}

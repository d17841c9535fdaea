use super::{Context, Rule, RuleMeta, Target, express_execution, rejected_text, rule_doc};
use crate::asl::State;
use crate::asl::context::{Execution, Rejected};
use crate::diagnostic::{Finding, Severity};
use crate::syntax::push_token;

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
        // `.sync` on an SDK integration is invalid everywhere: ASL012 reports it.
        let Some(rejected) = Rejected::of(state) else { return };
        let Some(why) = express_execution(cx, state) else { return };
        let children = matches!(cx.analysis.contexts().execution(state.scope), Execution::ExpressChildren(_));
        let standard =
            if children { "set the Distributed Map's `ExecutionType` to `STANDARD`" } else { "declare the state machine `STANDARD`" };
        let (pointer, what, help) = match rejected {
            Rejected::Sync | Rejected::Sync2 => (
                state.field_pointer("Resource"),
                format!("{}, which Express workflows do not support", rejected_text(rejected)),
                format!(
                    "{standard}, or start the job without waiting (drop the `.sync` suffix) and let its completion start the next step"
                ),
            ),
            Rejected::WaitForTaskToken => (
                state.field_pointer("Resource"),
                format!("{}, which Express workflows do not support", rejected_text(rejected)),
                format!("{standard}, or end this workflow after handing out the work and start the rest from the callback"),
            ),
            Rejected::Activity => (
                state.field_pointer("Resource"),
                "runs an activity, which Express workflows do not support".to_string(),
                format!("call the worker through a Lambda function or an HTTP Task, or {standard}"),
            ),
            Rejected::DistributedMap => (
                push_token(&push_token(&state.field_pointer("ItemProcessor"), "ProcessorConfig"), "Mode"),
                "is a Distributed Map, which Express workflows do not support".to_string(),
                format!("use an inline Map (`\"Mode\": \"INLINE\"`, up to 40 iterations at a time), or {standard}"),
            ),
        };
        out.push(cx.finding(&META, &pointer, Target::Value, format!("`{}` {what}, and {why}: AWS rejects it", state.name)).help(help));
    }
}

use super::{Context, Rule, RuleMeta, Words, report_hazards, rule_doc};
use crate::asl::State;
use crate::asl::effects::{Fact, HazardKind};
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
        report_hazards(cx, &META, state, HazardKind::AsyncInvoke, words, None, out);
    }
}

/// Why an asynchronous invocation repeats, and how to handle it.
fn words(fact: &Fact) -> Option<Words> {
    let Fact::AsyncInvoke { callback } = fact else { return None };
    let help = if *callback {
        "have the function skip a task token it has already handled: Lambda's second delivery of the event carries the same token"
    } else {
        "invoke it synchronously (remove `InvocationType`) so the state sees the outcome, or make the function skip an execution ID it has already handled"
    };
    Words::new("invokes its Lambda function asynchronously (`InvocationType: Event`), and Lambda retries a failed event twice", help)
}

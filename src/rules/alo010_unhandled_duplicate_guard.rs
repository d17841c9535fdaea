use super::{Context, Rule, RuleMeta, Words, report_hazards, rule_doc};
use crate::asl::State;
use crate::asl::effects::{Fact, HazardKind};
use crate::diagnostic::{Finding, Severity};

pub struct UnhandledDuplicateGuard;

static META: RuleMeta = RuleMeta {
    code: "ALO010",
    name: "unhandled-duplicate-guard",
    summary: "A guarded DynamoDB write has no `Catch` for `ConditionalCheckFailedException`, so a duplicate run fails the execution",
    severity: Severity::Warning,
    doc: rule_doc!("ALO010"),
};

impl Rule for UnhandledDuplicateGuard {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_state(&self, cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
        report_hazards(cx, &META, state, HazardKind::UnhandledGuard, words, None, out);
    }
}

/// Why an uncaught guard fails a repeated run, and the `Catch` to add.
fn words(fact: &Fact) -> Option<Words> {
    let Fact::UnhandledGuard { sdk } = fact else { return None };
    let prefix = if *sdk { "DynamoDb" } else { "DynamoDB" };
    Words::new(
        "guards its write with a condition, but nothing catches the condition failing: a repeated run fails the execution instead of doing nothing",
        format!("add a `Catch` for `{prefix}.ConditionalCheckFailedException` that continues as if the write succeeded"),
    )
}

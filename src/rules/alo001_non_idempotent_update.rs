use super::{Context, Rule, RuleMeta, Words, report_hazards, rule_doc};
use crate::asl::State;
use crate::asl::dynamodb::GrowthKind;
use crate::asl::effects::{Fact, HazardKind};
use crate::diagnostic::{Finding, Severity};

pub struct NonIdempotentUpdate;

static META: RuleMeta = RuleMeta {
    code: "ALO001",
    name: "non-idempotent-update",
    summary: "A DynamoDB write whose effect grows on replay (a counter, ADD, list_append) in a state that may run more than once",
    severity: Severity::Error,
    doc: rule_doc!("ALO001"),
};

impl Rule for NonIdempotentUpdate {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_state(&self, cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
        report_hazards(cx, &META, state, HazardKind::GrowingUpdate, words, None, out);
    }
}

/// What the update does, and how to make it safe to repeat.
fn words(fact: &Fact) -> Option<Words> {
    let Fact::GrowingUpdate { growth, attribute, more, partiql } = fact else { return None };
    let verb = match growth {
        GrowthKind::Increment | GrowthKind::AddNumber => "adds to",
        GrowthKind::Decrement => "subtracts from",
        GrowthKind::Append => "appends to",
    };
    if *partiql {
        return Words::new(
            format!("{verb} `{attribute}` on every run (PartiQL `UPDATE`)"),
            "SET an absolute value, or use UpdateItem with a guarding `ConditionExpression`",
        );
    }
    let more = if *more == 0 { String::new() } else { format!(" (and {more} more)") };
    Words::new(
        format!("{verb} `{attribute}`{more} on every run"),
        "guard it with a `ConditionExpression`: a processed marker (`NOT contains(#applied, :executionId)` with `ADD #applied :executionIdSet`) or a version check, or SET an absolute value",
    )
}

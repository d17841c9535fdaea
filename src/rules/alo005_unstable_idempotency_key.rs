use super::{Context, Rule, RuleMeta, Words, report_hazards, rule_doc, stable_field};
use crate::asl::State;
use crate::asl::effects::{Fact, HazardKind, KeyRole, Unstable};
use crate::diagnostic::{Finding, Severity};

pub struct UnstableIdempotencyKey;

static META: RuleMeta = RuleMeta {
    code: "ALO005",
    name: "unstable-idempotency-key",
    summary: "A token, deduplication ID, execution name or item key is built from a value that changes on every attempt",
    severity: Severity::Error,
    doc: rule_doc!("ALO005"),
};

impl Rule for UnstableIdempotencyKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_state(&self, cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
        report_hazards(cx, &META, state, HazardKind::UnstableKey, words, None, out);
    }
}

/// Which key is built from what, and a stable key to build instead.
fn words(fact: &Fact) -> Option<Words> {
    let Fact::UnstableKey { role, source, stable } = fact else { return None };
    let role = match role {
        KeyRole::IdempotencyKey(name) => format!("the idempotency key `{name}`"),
        KeyRole::Member(name) => format!("`{name}`"),
        KeyRole::ItemKey => "the DynamoDB item key".into(),
        KeyRole::PutKey(name) => format!("the key `{name}` of the item it puts"),
        KeyRole::GuardedAttribute(name) => format!("the item's `{name}`, which its `attribute_not_exists` guard checks,"),
        KeyRole::Header(name) => format!("the `{name}` header"),
        KeyRole::ExecutionName => "the execution `Name`".into(),
    };
    let what = match source {
        Unstable::Expression(expression) => format!("`{expression}`"),
        Unstable::Variable(name) => format!("the variable `{name}` (set from a random or time value)"),
        Unstable::Carried(read) => format!("`{read}` (set by an earlier state from a random or time value)"),
    };
    let new_on = if source.earlier() { "every run of the execution" } else { "every attempt" };
    Words::new(
        format!("builds {role} from {what}, which is new on {new_on}, so a repeated call is not recognised"),
        ["derive it from values that stay the same when the state runs again: a business key of the input, or ", &stable_field(stable)]
            .concat(),
    )
}

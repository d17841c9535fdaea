use super::{Context, Rule, RuleMeta, Words, action_text, report_hazards, rule_doc};
use crate::asl::QueryLanguage;
use crate::asl::State;
use crate::asl::effects::{Fact, HazardKind};
use crate::diagnostic::{Finding, Severity};

pub struct EventPublishWithoutId;

static META: RuleMeta = RuleMeta {
    code: "ALO007",
    name: "event-publish-without-id",
    summary: "An event or stream record published by a state that may run more than once carries no ID",
    severity: Severity::Warning,
    doc: rule_doc!("ALO007"),
};

impl Rule for EventPublishWithoutId {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_state(&self, cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
        report_hazards(cx, &META, state, HazardKind::EventPublish, words, None, out);
    }
}

/// What is published without an ID, and the ID to add.
fn words(fact: &Fact) -> Option<Words> {
    let Fact::EventWithoutId { action, language } = fact else { return None };
    let action = action_text(action);
    let Some(language) = language else {
        return Words::new(
            format!("publishes with {action} and the event carries no ID"),
            "add an ID from the execution so consumers can drop duplicates",
        );
    };
    let example = match language {
        QueryLanguage::JsonPath => "`\"eventId.$\": \"$$.Execution.Id\"`",
        QueryLanguage::Jsonata => "`\"eventId\": \"{% $states.context.Execution.Id %}\"`",
    };
    Words::new(
        format!("publishes with {action} an event or record that carries no ID, so a second run publishes a second, indistinguishable one"),
        format!("add {example} to the event so consumers can drop duplicates"),
    )
}

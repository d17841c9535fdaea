use std::borrow::Cow;

use super::{Context, Rule, RuleMeta, Words, action_text, report_hazards, rule_doc};
use crate::asl::State;
use crate::asl::effects::{Fact, HazardKind, Named};
use crate::diagnostic::{Finding, Severity};

pub struct DuplicateNotification;

static META: RuleMeta = RuleMeta {
    code: "ALO002",
    name: "duplicate-notification",
    summary: "A Task that messages a person (email, SMS, push, call) may run more than once",
    severity: Severity::Error,
    doc: rule_doc!("ALO002"),
};

impl Rule for DuplicateNotification {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_state(&self, cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
        report_hazards(cx, &META, state, HazardKind::Notification, words, None, out);
    }
}

/// What reaches a person, and how to send it once.
fn words(fact: &Fact) -> Option<Words> {
    const RECORD_PUBLISH: &str = "record the publish with a conditional write first and skip it when the record exists; FIFO topics deduplicate but cannot reach people";
    match fact {
        Fact::MessagesPerson { action, token } => {
            let help: Cow<'static, str> = match token {
                Some(token) => format!("pass a stable `{token}` (for example from `$$.Execution.Id`), or record the send in DynamoDB with a conditional write first").into(),
                None => "record the send with a conditional write (`attribute_not_exists`) keyed on the execution before sending, and skip the send when the record exists".into(),
            };
            Words::new(format!("sends a message to a person ({})", action_text(action)), help)
        }
        Fact::SnsToPerson { sms } => Words::new(
            if *sms { "sends an SMS through SNS" } else { "sends a push notification through SNS" },
            "SNS cannot deduplicate messages to people: record the send with a conditional write first, and skip it when the record exists",
        ),
        Fact::StandardTopic { topic: Named::Known(topic) } => Words::new(
            format!(
                "publishes to the standard SNS topic `{topic}`, which delivers to email, SMS and HTTP subscribers without deduplication"
            ),
            RECORD_PUBLISH,
        ),
        Fact::StandardTopic { topic: Named::Unknown } => Words::new(
            "publishes to an SNS topic that may be a standard topic, which delivers to email, SMS and HTTP subscribers without deduplication",
            RECORD_PUBLISH,
        ),
        Fact::MessagingHttp { method, host } => Words::new(
            format!("sends `{method}` to `{host}`, which messages people"),
            "send an `Idempotency-Key` header if the API honours one, or record the send with a conditional write first",
        ),
        _ => None,
    }
}

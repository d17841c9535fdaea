use super::{Context, Rule, RuleMeta, Words, execution_id_member, report_hazards, rule_doc};
use crate::asl::State;
use crate::asl::effects::{Fact, Hazard, HazardKind, Named};
use crate::diagnostic::{Applicability, Finding, Fix, Severity};

pub struct QueueSendWithoutDedup;

static META: RuleMeta = RuleMeta {
    code: "ALO003",
    name: "queue-send-without-dedup",
    summary: "An SQS send to a standard queue, or to a FIFO queue without `MessageDeduplicationId`, may run more than once",
    severity: Severity::Warning,
    doc: rule_doc!("ALO003"),
};

impl Rule for QueueSendWithoutDedup {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_state(&self, cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
        report_hazards(cx, &META, state, HazardKind::QueueSend, words, Some(fix), out);
    }
}

/// Which queue, and how to deduplicate the send.
fn words(fact: &Fact) -> Option<Words> {
    const DEDUPLICATE: &str = "set `MessageDeduplicationId` from the execution (`\"MessageDeduplicationId.$\": \"$$.Execution.Id\"`) so SQS drops a repeated send within 5 minutes";
    const USE_FIFO: &str =
        "use a FIFO queue with `MessageDeduplicationId` from the execution, or make the consumer skip messages it has already processed";
    match fact {
        Fact::FifoWithoutDedup { queue: Some(queue) } => Words::new(
            format!("sends to the FIFO queue `{queue}` without `MessageDeduplicationId`, and the queue does not deduplicate by content"),
            DEDUPLICATE,
        ),
        Fact::FifoWithoutDedup { queue: None } => Words::new(
            "sends to a FIFO queue without `MessageDeduplicationId`, so a repeated send is a new message unless the queue deduplicates by content",
            DEDUPLICATE,
        ),
        Fact::StandardQueue { queue: Named::Known(queue) } => {
            Words::new(format!("sends to the standard SQS queue `{queue}`, which cannot drop a repeated message"), USE_FIFO)
        }
        Fact::StandardQueue { queue: Named::Unknown } => {
            Words::new("sends to an SQS queue that may be a standard queue, which cannot drop a repeated message", USE_FIFO)
        }
        _ => None,
    }
}

/// Deduplicates a single send to a FIFO queue by the execution ID.
fn fix(cx: &Context<'_>, hazard: &Hazard) -> Option<Fix> {
    let Fact::FifoWithoutDedup { .. } = &hazard.fact else { return None };
    // The hazard is at `QueueUrl`; the member goes beside it.
    let parameters = &hazard.pointer[..hazard.pointer.rfind('/')?];
    let (object, _) = cx.definition.root.lookup(parameters)?;
    if object.get("Entries").is_some() {
        return None; // a batch deduplicates per entry
    }
    let language = cx.machine.state_at(&hazard.pointer)?.query_language;
    let (key, value) = execution_id_member("MessageDeduplicationId", language);
    Some(Fix {
        title: "Deduplicate the message by the execution ID".into(),
        applicability: Applicability::Unsafe,
        edits: vec![cx.insert_member(parameters, &key, value)?],
    })
}

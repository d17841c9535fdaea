use super::{Context, Rule, RuleMeta, Words, action_text, execution_id_member, report_hazards, rule_doc, stable_field};
use crate::asl::QueryLanguage;
use crate::asl::State;
use crate::asl::effects::{Fact, Hazard, HazardKind};
use crate::diagnostic::{Applicability, Finding, Fix, Severity};

pub struct MissingIdempotencyKey;

static META: RuleMeta = RuleMeta {
    code: "ALO004",
    name: "missing-idempotency-key",
    summary: "A state-changing Task that may run more than once passes no key derived from the execution",
    severity: Severity::Warning,
    doc: rule_doc!("ALO004"),
};

impl Rule for MissingIdempotencyKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_state(&self, cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
        report_hazards(cx, &META, state, HazardKind::MissingKey, words, Some(fix), out);
    }
}

/// What the call lacks, and the key to give it.
fn words(fact: &Fact) -> Option<Words> {
    match fact {
        Fact::UntokenedCall { action } => Words::new(
            format!("calls {}, which takes no idempotency token, so a second run starts a second one", action_text(action)),
            "record the call with a conditional write (`attribute_not_exists`) keyed on the execution first, and skip it when the record exists; or retry only errors that prove the call was refused",
        ),
        Fact::UnkeyedLambda { action, language } => {
            let help = match language {
                QueryLanguage::JsonPath => {
                    "add `\"executionId.$\": \"$$.Execution.Id\"` to the payload and have the function skip an ID it has already processed (Powertools idempotency can key on that field)"
                }
                QueryLanguage::Jsonata => {
                    "add `\"executionId\": \"{% $states.context.Execution.Id %}\"` to the payload and have the function skip an ID it has already processed (Powertools idempotency can key on that field)"
                }
            };
            // Joined rather than formatted: a large definition may hold thousands of these.
            let what = [
                "invokes ",
                &action_text(action),
                " with no idempotency key: the payload carries neither the execution ID nor a key field",
            ]
            .concat();
            Words::new(what, help)
        }
        Fact::MissingToken { action, token, stable } => Words::new(
            format!("calls {} without `{token}`, so a second run creates a second one", action_text(action)),
            [
                "pass `",
                token,
                "` from a business key of the input, or ",
                &stable_field(stable),
                ": the same token makes a repeated call return the first one's result",
            ]
            .concat(),
        ),
        Fact::UnkeyedHttp { method } => Words::new(
            format!("sends an HTTP `{method}` without an idempotency header, so a second run repeats the request"),
            "send an `Idempotency-Key` header built from the execution ID, if the API honours one",
        ),
        _ => None,
    }
}

/// Passes the execution ID in a Lambda payload written as an object.
fn fix(cx: &Context<'_>, hazard: &Hazard) -> Option<Fix> {
    let Fact::UnkeyedLambda { language, .. } = &hazard.fact else { return None };
    if !hazard.pointer.ends_with("/Payload") {
        return None;
    }
    let (key, value) = execution_id_member("executionId", *language);
    Some(Fix {
        title: "Pass the execution ID to the function as `executionId`".into(),
        applicability: Applicability::Unsafe,
        edits: vec![cx.insert_member(&hazard.pointer, &key, value)?],
    })
}

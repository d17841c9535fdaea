//! Fixes are data the rules attach: applied to the file, they remove the finding, keep the
//! file's layout and query language, and a second application has nothing left to fix.

use sfn_lint::diagnostic::{Applicability, Finding};
use sfn_lint::lint::{self, Options, Stdin};

fn findings(name: &str, text: &str) -> Vec<Finding> {
    let stdin = Stdin { name: Some(name.into()), bytes: text.as_bytes().to_vec() };
    let options = Options { workflow_type: Some(sfn_lint::host::WorkflowType::Express), ..Options::default() };
    lint::run(&[], Some(stdin), &[], &options).findings
}

/// Applies every edit of the first fix of `code`'s findings.
fn fixed(name: &str, text: &str, code: &str) -> String {
    let found = findings(name, text);
    let finding = found.iter().find(|f| f.code == code).unwrap_or_else(|| panic!("no {code} in {found:?}"));
    let fix = finding.fix.as_ref().unwrap_or_else(|| panic!("{code} has no fix"));
    assert_eq!(fix.applicability, Applicability::Unsafe, "passing a new key changes what the workflow does");
    let mut out = text.to_string();
    let mut edits = fix.edits.clone();
    edits.sort_by_key(|e| std::cmp::Reverse(e.span.start()));
    for edit in edits {
        out.replace_range(edit.span.range(), &edit.text);
    }
    out
}

#[test]
fn a_jsonata_fifo_send_is_deduplicated_in_jsonata() {
    let text = r#"{"QueryLanguage": "JSONata", "StartAt": "Send", "States": {"Send": {"Type": "Task",
  "Resource": "arn:aws:states:::sqs:sendMessage",
  "Arguments": {
    "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/orders.fifo",
    "MessageBody": "{% $states.input %}",
    "MessageGroupId": "orders"
  },
  "End": true}}}"#;
    let after = fixed("send.asl.json", text, "ALO003");
    assert!(after.contains("\n    \"MessageDeduplicationId\": \"{% $states.context.Execution.Id %}\",\n    \"QueueUrl\""), "{after}");
    assert!(findings("send.asl.json", &after).iter().all(|f| f.code != "ALO003" && f.code != "ASL001"), "{after}");
}

#[test]
fn a_yaml_payload_gets_the_execution_id_and_keeps_its_comments() {
    let text = "StartAt: Charge\nStates:\n  Charge:\n    Type: Task\n    Resource: arn:aws:states:::lambda:invoke\n    Parameters:\n      FunctionName: charge-card\n      Payload:\n        # what to charge\n        amount.$: $.amount\n    End: true\n";
    let after = fixed("charge.asl.yaml", text, "ALO004");
    assert!(
        after
            .contains("      Payload:\n        # what to charge\n        executionId.$: \"$$.Execution.Id\"\n        amount.$: $.amount\n"),
        "{after}"
    );
    let again = findings("charge.asl.yaml", &after);
    assert!(again.iter().all(|f| f.code != "ALO004" && f.code != "ASL001"), "{again:?}");
}

#[test]
fn no_fix_inside_an_escaped_definition_string() {
    // The definition is a JSON string inside the template: an edit of its decoded text is
    // not an edit of the file.
    let text = r#"{"Resources": {"M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"StateMachineType": "EXPRESS",
  "DefinitionString": "{\"StartAt\": \"C\", \"States\": {\"C\": {\"Type\": \"Task\", \"Resource\": \"arn:aws:states:::lambda:invoke\", \"Parameters\": {\"FunctionName\": \"charge-card\", \"Payload\": {\"amount.$\": \"$.amount\"}}, \"End\": true}}}"}}}}"#;
    let found = findings("template.json", text);
    let alo004 = found.iter().find(|f| f.code == "ALO004").expect("ALO004 in the embedded definition");
    assert!(alo004.fix.is_none(), "{:?}", alo004.fix);
}

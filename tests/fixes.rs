//! Fixes are data the rules attach: applied to the file, they remove the finding, keep the
//! file's layout and query language, and a second application has nothing left to fix.

mod common;

use sfn_lint::diagnostic::{Applicability, Finding};
use sfn_lint::lint::{self, Options, Stdin};

fn findings(name: &str, text: &str) -> Vec<Finding> {
    let stdin = Stdin { name: Some(name.into()), bytes: text.as_bytes().to_vec() };
    let options = Options { workflow_type: Some(sfn_lint::host::WorkflowType::Express), ..Options::default() };
    lint::run(&Default::default(), Some(stdin), &[], &options).findings
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

mod command_line {
    //! `--fix`, `--unsafe-fixes` and `--diff` on files: the result lints clean of what was
    //! fixed, a second run changes nothing, layout and comments survive, and a file that
    //! does not parse is never touched.

    use super::common::{scratch, sfn_lint_in, stdout};

    const MISSING_END_JSON: &str = "{\n  \"StartAt\": \"A\",\n  \"States\": {\n    \"A\": {\n      \"Type\": \"Pass\"\n    }\n  }\n}\n";
    const MISSING_END_YAML: &str =
        "# The order flow.\nStartAt: A\nStates:\n  A:\n    # Says hello.\n    Type: Pass\n    Result: hello  # a literal\n";
    const LAMBDA_YAML: &str = "StartAt: Charge\nStates:\n  Charge:\n    Type: Task\n    Resource: arn:aws:states:::lambda:invoke\n    Parameters:\n      FunctionName: charge-card\n      Payload:\n        amount.$: $.amount   # cents\n    End: true\n";

    fn codes(dir: &std::path::Path, file: &str, extra: &[&str]) -> Vec<String> {
        let mut args = vec!["check", "--format", "json", "--workflow-type", "express", file];
        args.extend(extra);
        let report: serde_json::Value = serde_json::from_slice(&sfn_lint_in(dir, &args, None).stdout).unwrap();
        report["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap().to_string()).collect()
    }

    #[test]
    fn safe_fixes_apply_once_and_keep_the_layout() {
        let dir = scratch("fix-safe");
        std::fs::write(dir.join("a.asl.json"), MISSING_END_JSON).unwrap();
        std::fs::write(dir.join("b.asl.yaml"), MISSING_END_YAML).unwrap();
        assert!(codes(&dir, "a.asl.json", &[]).contains(&"ASL005".to_string()));
        let output = sfn_lint_in(&dir, &["check", "--fix", "--format", "concise", "."], None);
        assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
        assert!(stdout(&output).contains("2 fixed"), "{}", stdout(&output));
        let json = std::fs::read_to_string(dir.join("a.asl.json")).unwrap();
        assert_eq!(json, MISSING_END_JSON.replace("      \"Type\": \"Pass\"", "      \"End\": true,\n      \"Type\": \"Pass\""));
        let yaml = std::fs::read_to_string(dir.join("b.asl.yaml")).unwrap();
        assert_eq!(yaml, MISSING_END_YAML.replace("    Type: Pass\n", "    End: true\n    Type: Pass\n"), "comments survive");
        for file in ["a.asl.json", "b.asl.yaml"] {
            assert!(!codes(&dir, file, &[]).contains(&"ASL005".to_string()), "{file}");
        }
        // A second run has nothing left to fix.
        let again = sfn_lint_in(&dir, &["check", "--fix", "."], None);
        assert_eq!(again.status.code(), Some(0));
        assert_eq!(std::fs::read_to_string(dir.join("a.asl.json")).unwrap(), json);
        assert_eq!(std::fs::read_to_string(dir.join("b.asl.yaml")).unwrap(), yaml);
        assert!(!stdout(&again).contains("fixed"), "{}", stdout(&again));
    }

    #[test]
    fn unsafe_fixes_only_when_asked_and_diff_writes_nothing() {
        let dir = scratch("fix-unsafe");
        std::fs::write(dir.join("charge.asl.yaml"), LAMBDA_YAML).unwrap();
        let express = ["--workflow-type", "express"];
        // `--fix` alone leaves a fix that changes what the workflow does.
        let safe = sfn_lint_in(&dir, &[&["check", "--fix", "charge.asl.yaml"][..], &express].concat(), None);
        assert_eq!(safe.status.code(), Some(1));
        assert_eq!(std::fs::read_to_string(dir.join("charge.asl.yaml")).unwrap(), LAMBDA_YAML);
        // `--diff` shows it without writing.
        let diff = sfn_lint_in(&dir, &[&["check", "--diff", "--unsafe-fixes", "charge.asl.yaml"][..], &express].concat(), None);
        assert_eq!(diff.status.code(), Some(1), "a diff to apply exits 1");
        let text = stdout(&diff);
        assert!(text.contains("--- charge.asl.yaml") && text.contains("+        executionId.$: \"$$.Execution.Id\""), "{text}");
        assert_eq!(std::fs::read_to_string(dir.join("charge.asl.yaml")).unwrap(), LAMBDA_YAML);
        // `--unsafe-fixes` alone would do nothing: a failure of the run, not a silent no-op.
        let alone = sfn_lint_in(&dir, &["check", "--unsafe-fixes", "charge.asl.yaml"], None);
        assert_eq!(alone.status.code(), Some(2));
        // `--fix --unsafe-fixes` applies it; the comment stays.
        let fixed = sfn_lint_in(&dir, &[&["check", "--fix", "--unsafe-fixes", "charge.asl.yaml"][..], &express].concat(), None);
        let after = std::fs::read_to_string(dir.join("charge.asl.yaml")).unwrap();
        assert!(
            after.contains("      Payload:\n        executionId.$: \"$$.Execution.Id\"\n        amount.$: $.amount   # cents\n"),
            "{after}"
        );
        assert!(!codes(&dir, "charge.asl.yaml", &[]).contains(&"ALO004".to_string()), "{}", stdout(&fixed));
        let clean = sfn_lint_in(&dir, &[&["check", "--diff", "--unsafe-fixes", "charge.asl.yaml"][..], &express].concat(), None);
        assert_eq!(clean.status.code(), Some(0), "nothing left: {}", stdout(&clean));
        assert!(stdout(&clean).is_empty());
    }

    #[test]
    fn a_file_that_does_not_parse_is_never_touched() {
        let dir = scratch("fix-broken");
        let broken = "{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Pass\"}}, }";
        std::fs::write(dir.join("broken.asl.json"), broken).unwrap();
        let output = sfn_lint_in(&dir, &["check", "--fix", "--unsafe-fixes", "broken.asl.json"], None);
        assert_eq!(output.status.code(), Some(1));
        assert_eq!(std::fs::read(dir.join("broken.asl.json")).unwrap(), broken.as_bytes());
    }
}

mod suppressions {
    use super::common::{scratch, sfn_lint_in, stdout};

    #[test]
    fn add_suppressions_silences_every_finding_once() {
        let dir = scratch("add-suppressions");
        // JSON: two findings in one state, one in a state whose Comment says something.
        let json = "{\n  \"StartAt\": \"A\",\n  \"States\": {\n    \"A\": {\n      \"Type\": \"Pass\",\n      \"Next\": \"Nowhere\",\n      \"End\": true\n    },\n    \"B\": {\n      \"Comment\": \"kept for later\",\n      \"Type\": \"Pass\",\n      \"End\": true\n    }\n  }\n}\n";
        // YAML: findings on two lines, one of which already silences another code.
        let yaml = "StartAt: A\nStates:\n  A:\n    Type: Pass\n    Next: Nowhere  # the old name\n  B:  # sfn-lint: ignore[ASL004]\n    Type: Pass\n";
        std::fs::write(dir.join("a.asl.json"), json).unwrap();
        std::fs::write(dir.join("b.asl.yaml"), yaml).unwrap();
        let before = stdout(&sfn_lint_in(&dir, &["check", "--format", "concise", "."], None));
        assert!(before.contains("ASL003") && before.contains("ASL004") && before.contains("ASL005"), "{before}");
        let output = sfn_lint_in(&dir, &["check", "--add-suppressions", "."], None);
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
        let json_after = std::fs::read_to_string(dir.join("a.asl.json")).unwrap();
        let yaml_after = std::fs::read_to_string(dir.join("b.asl.yaml")).unwrap();
        assert!(json_after.contains("\"Comment\": \"sfn-lint: ignore[ASL003, ASL005]\",\n      \"Type\": \"Pass\""), "{json_after}");
        assert!(json_after.contains("\"Comment\": \"kept for later sfn-lint: ignore[ASL004]\""), "{json_after}");
        assert!(yaml_after.contains("Next: Nowhere  # the old name  # sfn-lint: ignore[ASL003]\n"), "{yaml_after}");
        assert!(yaml_after.contains("  B:  # sfn-lint: ignore[ASL004, ASL005]\n"), "{yaml_after}");
        // Nothing left, and no suppression reported unused; a second run changes nothing.
        let after = sfn_lint_in(&dir, &["check", "--format", "concise", "."], None);
        assert_eq!(after.status.code(), Some(0), "{}", stdout(&after));
        assert!(stdout(&after).starts_with("no findings"), "{}", stdout(&after));
        sfn_lint_in(&dir, &["check", "--add-suppressions", "."], None);
        assert_eq!(std::fs::read_to_string(dir.join("a.asl.json")).unwrap(), json_after);
        assert_eq!(std::fs::read_to_string(dir.join("b.asl.yaml")).unwrap(), yaml_after);
    }
}

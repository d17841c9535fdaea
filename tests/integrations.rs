//! Where users run it: SARIF, GitHub and GitLab formats, `sfn-lint.toml`, suppressions and
//! the baseline, through the real binary.

mod common;

use common::{scratch, sfn_lint, sfn_lint_in, stdout, write};
use serde_json::Value;

fn json(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", stdout(output), String::from_utf8_lossy(&output.stderr)))
}

fn codes(output: &std::process::Output) -> Vec<String> {
    json(output)["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap().to_string()).collect()
}

/// Each finding's file and code, in report order.
fn file_codes(report: &serde_json::Value) -> Vec<(String, String)> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["file"].as_str().unwrap().to_string(), d["code"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn sarif_validates_against_the_schema() {
    let output = sfn_lint(&["check", "--format", "sarif", "testdata/demo", "testdata/hosts"]);
    assert_eq!(output.status.code(), Some(1));
    let sarif = json(&output);
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(common::root().join("testdata/sarif-schema-2.1.0.json")).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&sarif).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");

    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), sfn_lint::rules::REGISTRY.len());
    assert!(rules.iter().all(|r| r["help"]["markdown"].as_str().unwrap().starts_with(&format!("# {}", r["id"].as_str().unwrap()))));
    let results = run["results"].as_array().unwrap();
    assert!(results.iter().all(|r| r["partialFingerprints"]["sfnLintFindingHash/v1"].as_str().unwrap().len() == 16));
    let declared = results
        .iter()
        .flat_map(|r| r["relatedLocations"].as_array().into_iter().flatten())
        .find(|l| l["message"]["text"] == "declared Express here");
    assert!(declared.is_some(), "labels become related locations");
    // The same run gives the same fingerprints.
    let again = json(&sfn_lint(&["check", "--format", "sarif", "testdata/demo", "testdata/hosts"]));
    assert_eq!(again["runs"][0]["results"], run["results"]);
}

/// The rule's page on the documentation site, from `homepage` in Cargo.toml.
fn rule_page(code: &str) -> String {
    format!("{}rules/{code}.html", env!("CARGO_PKG_HOMEPAGE"))
}

#[test]
fn every_output_links_a_finding_to_its_rule_page() {
    assert!(env!("CARGO_PKG_HOMEPAGE").starts_with("https://") && env!("CARGO_PKG_HOMEPAGE").ends_with('/'));
    let report = json(&sfn_lint(&["check", "--format", "json", "testdata/demo"]));
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert!(diagnostics.len() > 2);
    for d in diagnostics {
        assert_eq!(d["url"], rule_page(d["code"].as_str().unwrap()), "{d}");
    }

    let sarif = json(&sfn_lint(&["check", "--format", "sarif", "testdata/demo"]));
    for rule in sarif["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap() {
        assert_eq!(rule["helpUri"], rule_page(rule["id"].as_str().unwrap()), "{rule}");
    }

    let rules = json(&sfn_lint(&["rules", "--format", "json"]));
    assert!(rules.as_array().unwrap().iter().all(|r| r["url"] == rule_page(r["code"].as_str().unwrap())));

    let human = stdout(&sfn_lint(&["check", "--color", "never", "testdata/demo/counter.asl.json"]));
    assert!(human.contains(&format!("= docs: {}", rule_page("ALO001"))), "{human}");
    for format in ["text", "markdown"] {
        let explained = stdout(&sfn_lint(&["explain", "ALO004", "--format", format]));
        assert!(explained.trim_end().trim_end_matches('>').ends_with(&rule_page("ALO004")), "{explained}");
    }
}

#[test]
fn github_annotations_cannot_be_injected() {
    let dir = scratch("github");
    let name = "Pay 100% now,\\n::error::owned,x:y";
    write(&dir, "evil.asl.json", &format!(r#"{{"StartAt": "A", "States": {{"A": {{"Type": "Pass", "Next": "{name}"}}}}}}"#));
    let output = sfn_lint_in(&dir, &["--format", "github", "--select", "ASL", "evil.asl.json"], None);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "one command, no injected second line: {text}");
    assert!(
        lines[0].starts_with("::error file=evil.asl.json,line=1,col=59,endLine=1,endColumn=94,title=ASL003 unknown-transition-target::"),
        "{}",
        lines[0]
    );
    // In the message `%` is escaped and the newline written as `\n`, as in every text
    // format; `::` is harmless off the start of a line.
    assert!(lines[0].contains("Pay 100%25 now,\\n::error::owned,x:y"), "{}", lines[0]);

    // In properties `:` and `,` are escaped too.
    write(&dir, "a:b,c.asl.json", r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}"#);
    let output = stdout(&sfn_lint_in(&dir, &["--format", "github", "--select", "ASL", "a:b,c.asl.json"], None));
    assert!(output.starts_with("::error file=a%3Ab%2Cc.asl.json,line=1,"), "{output}");
}

#[test]
fn gitlab_code_quality_with_stable_fingerprints() {
    let first = json(&sfn_lint(&["check", "--format", "gitlab", "testdata/demo"]));
    let issues = first.as_array().unwrap();
    assert_eq!(issues.len(), 7);
    for issue in issues {
        for key in ["description", "check_name", "fingerprint", "severity"] {
            assert!(issue[key].is_string(), "{key}: {issue}");
        }
        assert!(issue["location"]["path"].is_string() && issue["location"]["lines"]["begin"].is_u64());
    }
    let mut fingerprints: Vec<&str> = issues.iter().map(|i| i["fingerprint"].as_str().unwrap()).collect();
    fingerprints.sort();
    fingerprints.dedup();
    assert_eq!(fingerprints.len(), issues.len(), "fingerprints are unique");
    assert_eq!(json(&sfn_lint(&["check", "--format", "gitlab", "testdata/demo"])), first);
}

const COUNTER: &str = r#"{
  "StartAt": "Count",
  "States": {
    "Count": {
      "Type": "Task",
      "Resource": "arn:aws:states:::dynamodb:updateItem",
      "Parameters": {"TableName": "t", "Key": {"pk": {"S": "x"}}, "UpdateExpression": "ADD n :one", "ExpressionAttributeValues": {":one": {"N": "1"}}},
      "Next": "Invoke"
    },
    "Invoke": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {"FunctionName": "charge-order", "Payload": {"requestToken.$": "$.requestToken"}},
      "End": true
    }
  }
}"#;

#[test]
fn every_config_key_changes_behaviour() {
    let dir = scratch("config");
    write(&dir, "flows/counter.asl.json", COUNTER);
    write(&dir, "fixtures/counter.asl.json", COUNTER);
    let run = |config: &str, args: &[&str]| {
        write(&dir, "sfn-lint.toml", config);
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        all.push("flows");
        sfn_lint_in(&dir, &all, None)
    };
    // Nothing declares the type: only ALO011 says what an Express workflow would repeat.
    let base = codes(&run("", &[]));
    assert_eq!(base, ["ALO011"]);
    let express = "workflow-type = \"express\"\n";
    assert_eq!(codes(&run(express, &[])), ["ALO001", "ALO004"]);
    assert_eq!(codes(&run("workflow-type = \"standard\"", &[])), Vec::<String>::new());
    assert_eq!(codes(&run("workflow-type = \"standard\"", &["--workflow-type", "express"])), ["ALO001", "ALO004"], "the command line wins");
    assert_eq!(run(&format!("{express}fail-on = \"never\""), &[]).status.code(), Some(0));
    assert_eq!(run(&format!("{express}fail-on = \"error\""), &["--select", "ALO004"]).status.code(), Some(0));
    assert_eq!(codes(&run(&format!("{express}select = [\"ALO001\"]"), &[])), ["ALO001"]);
    assert_eq!(codes(&run(&format!("{express}ignore = [\"ALO011\", \"missing-idempotency-key\"]"), &[])), ["ALO001"]);
    let severity = json(&run(&format!("{express}[severity]\nALO001 = \"info\""), &[]));
    assert_eq!(severity["diagnostics"][0]["severity"], "info");
    let overrides = "[[overrides]]\nfiles = [\"flows/**\"]\nworkflow-type = \"express\"\nignore = [\"ALO004\"]";
    assert_eq!(codes(&run(overrides, &[])), ["ALO001"]);
    let configured = json(&run("workflow-type = \"express\"", &[]));
    assert!(configured["diagnostics"][0]["message"].as_str().unwrap().contains("in sfn-lint.toml"), "{configured}");
    let standard_here = "[[overrides]]\nfiles = [\"flows/**\"]\nworkflow-type = \"standard\"";
    assert_eq!(
        codes(&run(standard_here, &["--workflow-type", "express"])),
        Vec::<String>::new(),
        "a path's own type beats the command line"
    );
    let select_override = format!("{express}[[overrides]]\nfiles = [\"flows/*.json\"]\nselect = [\"ALO004\"]");
    assert_eq!(codes(&run(&select_override, &[])), ["ALO004"]);
    assert_eq!(codes(&run(&format!("{express}[idempotency]\nkey-fields = [\"requestToken\"]"), &[])), ["ALO001"]);
    assert_eq!(codes(&run(&format!("{express}[idempotency]\nidempotent-functions = [\"charge-*\"]"), &[])), ["ALO001"]);
    assert_eq!(codes(&run("max-file-size = 100", &[])), ["ASL001"]);

    // `exclude` applies to walked folders.
    write(&dir, "sfn-lint.toml", "exclude = [\"fixtures/**\"]");
    let walked = json(&sfn_lint_in(&dir, &["--format", "json", "."], None));
    assert!(walked["diagnostics"].as_array().unwrap().iter().all(|d| d["file"].as_str().unwrap().starts_with("flows/")));
    write(&dir, "sfn-lint.toml", "");
    let unexcluded = json(&sfn_lint_in(&dir, &["--format", "json", "."], None));
    assert!(unexcluded["diagnostics"].as_array().unwrap().iter().any(|d| d["file"].as_str().unwrap().starts_with("fixtures/")));
}

#[test]
fn config_is_found_upward_and_can_be_named_or_ignored() {
    let dir = scratch("config-discovery");
    write(&dir, "project/sfn-lint.toml", "workflow-type = \"standard\"");
    write(&dir, "project/flows/counter.asl.json", COUNTER);
    write(&dir, "other.toml", "select = [\"ALO004\"]\nworkflow-type = \"express\"");
    let in_sub = |args: &[&str]| {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        all.push("counter.asl.json");
        codes(&sfn_lint_in(&dir.join("project/flows"), &all, None))
    };
    assert_eq!(in_sub(&[]), Vec::<String>::new(), "found two folders up");
    assert_eq!(in_sub(&["--no-config"]), ["ALO011"]);
    assert_eq!(in_sub(&["--config", "../../other.toml"]), ["ALO004"]);
    write(&dir, "project/.sfn-lint.toml", "select = [\"ALO001\"]");
    assert_eq!(in_sub(&[]), Vec::<String>::new(), "sfn-lint.toml before .sfn-lint.toml");
}

#[test]
fn config_errors_point_into_the_file_and_exit_2() {
    let dir = scratch("config-errors");
    write(&dir, "a.asl.json", COUNTER);
    for (config, expected) in [
        ("workflow-type = \"standard\"\nfail-on = \"error\"\nunknown-key = 1\n", "sfn-lint.toml:3:1"),
        ("fail-on = \"sometimes\"\n", "sfn-lint.toml:1:11"),
        ("select = [\"ALO001\", \"NOPE9\"]\n", "sfn-lint.toml:1:21"),
        ("[severity]\nXYZ001 = \"error\"\n", "sfn-lint.toml:2:1"),
        ("[[overrides]]\nfiles = [\"[\"]\n", "sfn-lint.toml:2:10"),
    ] {
        write(&dir, "sfn-lint.toml", config);
        let output = sfn_lint_in(&dir, &["a.asl.json"], None);
        assert_eq!(output.status.code(), Some(2), "{config}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{config}: {stderr}");
    }
    assert_eq!(sfn_lint_in(&dir, &["--config", "missing.toml", "a.asl.json"], None).status.code(), Some(2));
}

#[test]
fn suppressions_in_comments_yaml_and_metadata() {
    let dir = scratch("suppress");
    write(&dir, "state.asl.json", &COUNTER.replace("\"Type\": \"Task\",\n      \"Resource\": \"arn:aws:states:::dynamodb", "\"Type\": \"Task\",\n      \"Comment\": \"sfn-lint: ignore[ALO001] counts are approximate\",\n      \"Resource\": \"arn:aws:states:::dynamodb"));
    write(
        &dir,
        "top.asl.json",
        &COUNTER.replacen("{\n  \"StartAt\"", "{\n  \"Comment\": \"sfn-lint: ignore[ALO, ASL004]\",\n  \"StartAt\"", 1),
    );
    write(
        &dir,
        "flow.asl.yaml",
        "StartAt: Count\nStates:\n  Count:\n    Type: Task\n    Resource: arn:aws:states:::dynamodb:updateItem\n    Parameters:\n      TableName: t\n      UpdateExpression: ADD n :one  # sfn-lint: ignore[non-idempotent-update] reviewed\n    End: true\n",
    );
    write(
        &dir,
        "template.yaml",
        "Resources:\n  Counter:\n    Type: AWS::StepFunctions::StateMachine\n    Metadata:\n      sfn-lint:\n        ignore: [ALO001]\n    Properties:\n      StateMachineType: EXPRESS\n      Definition:\n        StartAt: Count\n        States:\n          Count:\n            Type: Task\n            Resource: arn:aws:states:::dynamodb:updateItem\n            Parameters:\n              UpdateExpression: ADD n :one\n            End: true\n",
    );
    // Linted as Express: every state of the counter may run twice.
    let report = json(&sfn_lint_in(&dir, &["--format", "json", "--workflow-type", "express", "--select", "ALO001,ALO004,LINT", "."], None));
    assert_eq!(file_codes(&report), [("state.asl.json".to_string(), "ALO004".to_string())], "{report:#}");
    // ALO001 in all four files, ALO004 in top.asl.json.
    assert_eq!(report["summary"]["suppressed"], 5);

    // With ASL004 running, the top-level `ASL004` that matches nothing is reported.
    let report = json(&sfn_lint_in(&dir, &["--format", "json", "--select", "ASL004,LINT", "top.asl.json"], None));
    let lint: Vec<&Value> = report["diagnostics"].as_array().unwrap().iter().collect();
    assert_eq!(lint.len(), 1);
    assert_eq!(lint[0]["code"], "LINT001");
    assert_eq!(lint[0]["span"]["start"]["line"], 2);
}

/// `Metadata` directives of a resource whose definition is a file (`DefinitionUri`)
/// silence that file's findings; a code that silences nothing is reported in the template,
/// where it is written.
#[test]
fn unused_metadata_codes_of_a_definition_file_are_reported_in_the_template() {
    let dir = scratch("metadata-uri");
    write(&dir, "counter.asl.json", COUNTER);
    write(
        &dir,
        "template.yaml",
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Counter:\n    Type: AWS::Serverless::StateMachine\n    Metadata:\n      sfn-lint:\n        ignore: [ALO001, ALO002]\n    Properties:\n      Type: EXPRESS\n      DefinitionUri: counter.asl.json\n",
    );
    let report = json(&sfn_lint_in(&dir, &["--format", "json", "--select", "ALO001,ALO002,LINT", "."], None));
    let found: Vec<&Value> = report["diagnostics"].as_array().unwrap().iter().collect();
    assert_eq!(found.len(), 1, "{report:#}");
    let unused = found[0];
    assert_eq!((unused["code"].as_str(), unused["file"].as_str()), (Some("LINT001"), Some("template.yaml")));
    assert_eq!(unused["definition"], "Counter");
    assert_eq!((unused["span"]["start"]["line"].as_u64(), unused["span"]["start"]["column"].as_u64()), (Some(7), Some(26)));
    assert_eq!(report["summary"]["suppressed"], 1, "ALO001 in counter.asl.json");

    // The human format draws it in the template.
    let human = stdout(&sfn_lint_in(&dir, &["--color", "never", "--select", "ALO001,ALO002,LINT", "."], None));
    assert!(human.contains("template.yaml:7:26") && human.contains("ignore: [ALO001, ALO002]"), "{human}");
}

#[test]
fn baseline_survives_edits_elsewhere() {
    let dir = scratch("baseline");
    // Linted as Express, so that the counter's states have findings to record.
    write(&dir, "flow.asl.json", COUNTER);
    let output = sfn_lint_in(&dir, &["--workflow-type", "express", "--write-baseline", "baseline.json", "flow.asl.json"], None);
    assert_eq!(output.status.code(), Some(0));
    let recorded: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("baseline.json")).unwrap()).unwrap();
    assert_eq!(recorded["findings"].as_array().unwrap().len(), 2);

    // Lines added above the findings move them; the baseline still hides them.
    write(
        &dir,
        "flow.asl.json",
        &COUNTER.replacen("{\n  \"StartAt\"", "{\n  \"Comment\": \"now documented\",\n  \"Version\": \"1.0\",\n  \"StartAt\"", 1),
    );
    let hidden =
        sfn_lint_in(&dir, &["--workflow-type", "express", "--format", "json", "--baseline", "baseline.json", "flow.asl.json"], None);
    assert_eq!(hidden.status.code(), Some(0));
    let report = json(&hidden);
    assert_eq!(report["diagnostics"].as_array().unwrap().len(), 0);
    assert_eq!(report["summary"]["suppressed"], 2);
    assert_eq!(report["summary"]["baseline_unmatched"], 0);

    // A new finding shows; a fixed one leaves a stale entry.
    write(
        &dir,
        "flow.asl.json",
        &COUNTER
            .replace("\"End\": true", "\"Next\": \"Gone\"")
            .replace("\"requestToken.$\": \"$.requestToken\"", "\"executionId.$\": \"$$.Execution.Id\""),
    );
    let report =
        json(&sfn_lint_in(&dir, &["--workflow-type", "express", "--format", "json", "--baseline", "baseline.json", "flow.asl.json"], None));
    let codes: Vec<&str> = report["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["ASL003"]);
    assert_eq!(report["summary"]["baseline_unmatched"], 1);
}

#[test]
fn standard_input_takes_every_host_kind() {
    let dir = scratch("stdin-hosts");
    for (name, path) in [
        ("infra/template.yaml", "testdata/hosts/sam/template.yaml"),
        ("serverless.yml", "testdata/hosts/serverless/serverless.yml"),
        ("main.tf", "testdata/hosts/terraform/main.tf"),
    ] {
        let text = std::fs::read(common::root().join(path)).unwrap();
        let output = sfn_lint_in(&dir, &["--format", "json", "--stdin-filename", name, "-"], Some(&text));
        let report = json(&output);
        let diagnostics = report["diagnostics"].as_array().unwrap();
        assert!(!diagnostics.is_empty(), "{name}");
        assert!(diagnostics.iter().all(|d| d["file"] == name), "{name}");
        assert!(diagnostics.iter().all(|d| d["definition"].is_string()), "{name}: findings name their state machine");
    }
}

/// A pre-commit hook passes only the changed definition file: it is linted with the type of
/// the template in its project that names it, exactly as a run over the whole project lints
/// it, so findings, suppressions and baselines agree between the two.
#[test]
fn a_definition_linted_alone_takes_its_templates_type() {
    let dir = scratch("alone");
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    write(
        &dir,
        "template.yaml",
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Saga:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      Type: EXPRESS\n      DefinitionUri: statemachine/saga.asl.json\n",
    );
    write(&dir, "statemachine/saga.asl.json", COUNTER);
    write(&dir, "statemachine/other.asl.json", COUNTER);
    let findings = |args: &[&str]| -> Vec<(String, String, String)> {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        json(&sfn_lint_in(&dir, &all, None))["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["file"] == "statemachine/saga.asl.json")
            .map(|d| (d["code"].to_string(), d["message"].to_string(), d["labels"].to_string()))
            .collect()
    };
    let whole = findings(&["."]);
    assert_eq!(whole.iter().map(|(code, ..)| code.as_str()).collect::<Vec<_>>(), ["\"ALO001\"", "\"ALO004\""]);
    assert_eq!(findings(&["statemachine/saga.asl.json"]), whole);
    // From inside the folder, too; and a file no template names stays of unknown type.
    let inside = json(&sfn_lint_in(&dir.join("statemachine"), &["--format", "json", "saga.asl.json", "other.asl.json"], None));
    let codes: Vec<(&str, &str)> =
        inside["diagnostics"].as_array().unwrap().iter().map(|d| (d["file"].as_str().unwrap(), d["code"].as_str().unwrap())).collect();
    assert_eq!(codes, [("other.asl.json", "ALO011"), ("saga.asl.json", "ALO001"), ("saga.asl.json", "ALO004")]);

    // A link to the file, of its name or not, is the file: the template that names either
    // gives its type.
    #[cfg(unix)]
    {
        std::fs::create_dir_all(dir.join("linked")).unwrap();
        std::os::unix::fs::symlink(dir.join("statemachine/saga.asl.json"), dir.join("linked/saga.asl.json")).unwrap();
        std::os::unix::fs::symlink(dir.join("statemachine/saga.asl.json"), dir.join("linked/flow.asl.json")).unwrap();
        for link in ["linked/saga.asl.json", "linked/flow.asl.json"] {
            let report = json(&sfn_lint_in(&dir, &["--format", "json", link], None));
            let codes: Vec<&str> = report["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
            assert!(codes.contains(&"ALO001") && !codes.contains(&"ALO011"), "{link}: {codes:?}");
        }
        // Named beside the whole project, a link of another name is the bound file too: it
        // is not reported again as a definition of unknown type.
        let both = json(&sfn_lint_in(&dir, &["--format", "json", ".", "linked/flow.asl.json"], None));
        let files: Vec<&str> = both["diagnostics"].as_array().unwrap().iter().map(|d| d["file"].as_str().unwrap()).collect();
        assert!(!files.is_empty() && !files.contains(&"linked/flow.asl.json"), "{files:?}");
        std::fs::remove_dir_all(dir.join("linked")).unwrap();
    }

    // A baseline written from the whole project holds for the file alone.
    assert_eq!(sfn_lint_in(&dir, &["--write-baseline", "baseline.json", "."], None).status.code(), Some(0));
    let alone = json(&sfn_lint_in(&dir, &["--format", "json", "--baseline", "baseline.json", "statemachine/saga.asl.json"], None));
    assert_eq!(alone["diagnostics"].as_array().unwrap().len(), 0, "{alone}");
    assert_eq!(alone["summary"]["suppressed"], 2);
}

/// A copy of a project without its repository (an unpacked archive, a generated layout):
/// the nearest folder with a template is the project, so a file linted alone still gets
/// its template — also when the template names it in other case, or the file has
/// unquoted `${...}` placeholders that only the template makes valid.
#[test]
fn a_definition_linted_alone_finds_its_template_without_a_repository() {
    let dir = std::env::temp_dir().join(format!("sfn-lint-no-repository-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(dir.ancestors().all(|folder| !folder.join(".git").exists()), "the test needs a folder outside any repository");
    write(
        &dir,
        "app/template.yaml",
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Saga:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      Type: EXPRESS\n      DefinitionUri: statemachine/Saga.asl.json\n      DefinitionSubstitutions:\n        Timeout: 30\n",
    );
    write(
        &dir,
        "app/statemachine/saga.asl.json",
        &COUNTER.replace(r#""Type": "Task","#, r#""Type": "Task", "TimeoutSeconds": ${Timeout},"#),
    );
    let findings = |args: &[&str]| -> Vec<(String, String)> {
        json(&sfn_lint_in(&dir, &[&["--format", "json"], args].concat(), None))["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["file"] == "app/statemachine/saga.asl.json")
            .map(|d| (d["code"].to_string(), d["message"].to_string()))
            .collect()
    };
    let whole = findings(&["."]);
    assert!(whole.iter().any(|(code, _)| code == "\"ALO001\""), "{whole:?}");
    assert_eq!(findings(&["app/statemachine/saga.asl.json"]), whole);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A definition file that AWS CDK code reads is Standard, the CDK's default, unless that
/// code mentions `EXPRESS`.
#[test]
fn a_definition_read_by_cdk_code_takes_the_cdk_default() {
    let dir = scratch("cdk-code");
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    write(&dir, "statemachine/flow.asl.json", COUNTER);
    write(&dir, "statemachine/fast.asl.json", COUNTER);
    write(&dir, "statemachine/either.asl.json", COUNTER);
    write(
        &dir,
        "lib/stack.ts",
        "import * as sfn from 'aws-cdk-lib/aws-stepfunctions';\nnew sfn.StateMachine(this, 'Flow', {\n  definitionBody: sfn.DefinitionBody.fromFile('statemachine/flow.asl.json'),\n});\n",
    );
    write(
        &dir,
        "lib/fast.ts",
        "new sfn.StateMachine(this, 'Fast', {\n  definitionBody: sfn.DefinitionBody.fromFile('statemachine/fast.asl.json'),\n  stateMachineType: sfn.StateMachineType.EXPRESS,\n});\n",
    );
    // Code that makes two machines, one of them Express: which one reads the file is unclear.
    write(
        &dir,
        "lib/pair.py",
        "from aws_cdk import aws_stepfunctions as sfn\nsfn.StateMachine(self, 'Slow', definition_body=sfn.DefinitionBody.from_file('statemachine/either.asl.json'))\nsfn.StateMachine(self, 'Quick', definition_body=body, state_machine_type=sfn.StateMachineType.EXPRESS)\n",
    );
    let files = ["statemachine/either.asl.json", "statemachine/fast.asl.json", "statemachine/flow.asl.json"];
    let found = |args: &[&str]| file_codes(&json(&sfn_lint_in(&dir, &[&["--format", "json"], args].concat(), None)));
    // Standard without a retry: nothing to say of `flow`; `fast` is Express, so its counter
    // and its charge may run twice; `either` may be Express, and stays unknown.
    let expected =
        [("statemachine/either.asl.json", "ALO011"), ("statemachine/fast.asl.json", "ALO001"), ("statemachine/fast.asl.json", "ALO004")]
            .map(|(file, code)| (file.to_string(), code.to_string()));
    assert_eq!(found(&files), expected);
    // A folder run reads the same code, from its own walk or, for a folder inside the
    // project, from a walk of the project.
    assert_eq!(found(&["."]), expected);
    assert_eq!(found(&["statemachine"]), expected);
}

/// A hazard that only the console's transient Lambda retrier repeats is reported at `info`;
/// `transient-retry-severity` raises it.
#[test]
fn transient_retries_are_info_unless_configured() {
    let dir = scratch("transient");
    write(
        &dir,
        "flow.asl.json",
        r#"{"StartAt": "Charge Card", "States": {"Charge Card": {"Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "charge-card", "Payload": {"amount.$": "$.amount"}},
            "Retry": [{"ErrorEquals": ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException"]}],
            "End": true}}}"#,
    );
    let severity = |config: &str| {
        write(&dir, "sfn-lint.toml", &format!("workflow-type = \"standard\"\n{config}"));
        let report = json(&sfn_lint_in(&dir, &["--format", "json", "flow.asl.json"], None));
        let found: Vec<(String, String)> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| (d["code"].as_str().unwrap().to_string(), d["severity"].as_str().unwrap().to_string()))
            .collect();
        found
    };
    assert_eq!(severity(""), [("ALO004".to_string(), "info".to_string())]);
    assert_eq!(severity("[idempotency]\ntransient-retry-severity = \"warning\""), [("ALO004".to_string(), "warning".to_string())]);
    assert_eq!(sfn_lint_in(&dir, &["flow.asl.json"], None).status.code(), Some(1), "a warning fails the run");
    write(&dir, "sfn-lint.toml", "workflow-type = \"standard\"");
    assert_eq!(sfn_lint_in(&dir, &["flow.asl.json"], None).status.code(), Some(0), "an info does not");
}

//! Every fixture under `testdata/rules/<CODE>/`: `bad*` files must fire the rule, `good*`
//! files must not; the human output of each bad file is a reviewed snapshot.

mod common;

use std::path::Path;

use sfn_lint::host::WorkflowType;
use sfn_lint::output::OutputFormat;
use sfn_lint::rules;

#[test]
fn rule_fixtures() {
    let mut checked = 0;
    let mut folders: Vec<_> = std::fs::read_dir(common::root().join("testdata/rules")).unwrap().map(|e| e.unwrap().path()).collect();
    folders.sort();
    for folder in folders {
        let code = folder.file_name().unwrap().to_str().unwrap().to_string();
        assert!(rules::find(&code).is_some(), "testdata/rules/{code} names no rule");
        let mut files: Vec<_> = std::fs::read_dir(&folder).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for file in files {
            let name = file.file_name().unwrap().to_str().unwrap().to_string();
            let relative = Path::new("testdata/rules").join(&code).join(&name);
            // LINT001 judges the suppressions of the other rules, so they run too.
            let mut options = if code == "LINT001" { common::only(&[]) } else { common::only(&[&code]) };
            // `.express.` / `.standard.` in a fixture's name declares its workflow type, as
            // `--workflow-type` would.
            options.workflow_type = if name.contains(".express.") {
                Some(WorkflowType::Express)
            } else if name.contains(".standard.") {
                Some(WorkflowType::Standard)
            } else {
                None
            };
            options.workflow_type_from_cli = options.workflow_type.is_some();
            let report = common::lint(&[&relative], &options);
            let fired = report.findings.iter().filter(|f| f.code == code).count();
            let human = common::render(&report, OutputFormat::Human);
            if name.starts_with("bad") {
                assert!(fired > 0, "{} should fire {code}:\n{human}", relative.display());
                insta::assert_snapshot!(format!("{code}__{name}"), human);
            } else if name.starts_with("good") {
                assert_eq!(fired, 0, "{} should not fire {code}:\n{human}", relative.display());
            } else {
                panic!("{}: fixture names start with `bad` or `good`", relative.display());
            }
            checked += 1;
        }
    }
    assert!(checked >= 24, "only {checked} fixtures found");
}

/// Realistic clean Standard workflows: no rule may fire.
#[test]
fn ok_workflows_are_clean() {
    let mut files: Vec<_> = std::fs::read_dir(common::root().join("testdata/ok")).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 5);
    for file in files {
        let relative = file.strip_prefix(common::root()).unwrap().to_path_buf();
        let options = sfn_lint::lint::Options { workflow_type: Some(WorkflowType::Standard), ..common::only(&[]) };
        let report = common::lint(&[&relative], &options);
        assert_eq!(report.summary.definitions, 1, "{}", relative.display());
        assert!(report.findings.is_empty(), "{}", common::render(&report, OutputFormat::Human));
    }
}

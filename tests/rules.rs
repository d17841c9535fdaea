//! Every fixture under `testdata/rules/<CODE>/`: `bad*` files must fire the rule, `good*`
//! files must not; the human output of each bad file is a reviewed snapshot. Every file of
//! `testdata/ok` is clean as Standard and as Express. One test per file, so that every
//! failure shows (`cargo test --test rules -- ALO004` runs one rule's fixtures).

mod common;

use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};
use sfn_lint::host::WorkflowType;
use sfn_lint::output::OutputFormat;
use sfn_lint::rules;

fn main() {
    let mut trials = fixture_trials();
    assert!(trials.len() >= 24, "only {} fixtures found", trials.len());
    trials.extend(ok_trials());
    libtest_mimic::run(&Arguments::from_args(), trials).exit();
}

fn sorted(folder: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(folder).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    paths
}

fn fixture_trials() -> Vec<Trial> {
    let mut trials = Vec::new();
    for folder in sorted(&common::root().join("testdata/rules")) {
        let code = folder.file_name().unwrap().to_str().unwrap().to_string();
        if rules::find(&code).is_none() {
            trials.push(Trial::test(format!("{code}::names_a_rule"), move || Err(format!("testdata/rules/{code} names no rule").into())));
            continue;
        }
        for file in sorted(&folder) {
            let name = file.file_name().unwrap().to_str().unwrap().to_string();
            let code = code.clone();
            trials.push(Trial::test(format!("{code}::{name}"), move || check_fixture(&code, &name)));
        }
    }
    trials
}

fn check_fixture(code: &str, name: &str) -> Result<(), Failed> {
    let relative = Path::new("testdata/rules").join(code).join(name);
    // LINT001 judges the suppressions of the other rules, so they run too.
    let mut options = if code == "LINT001" { common::only(&[]) } else { common::only(&[code]) };
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
        if fired == 0 {
            return Err(format!("{} should fire {code}:\n{human}", relative.display()).into());
        }
        insta::assert_snapshot!(format!("{code}__{name}"), human);
    } else if name.starts_with("good") {
        if fired > 0 {
            return Err(format!("{} should not fire {code}:\n{human}", relative.display()).into());
        }
    } else {
        return Err(format!("{}: fixture names start with `bad` or `good`", relative.display()).into());
    }
    Ok(())
}

/// Realistic clean workflows: no rule may fire as Standard; as Express, only the EXP rules
/// may (a Distributed Map or a polling loop is why some of them are Standard), so no state
/// is a hazard when it runs twice.
fn ok_trials() -> Vec<Trial> {
    let files = sorted(&common::root().join("testdata/ok"));
    assert!(files.len() >= 5);
    let mut trials = Vec::new();
    for file in files {
        let relative = file.strip_prefix(common::root()).unwrap().to_path_buf();
        for (label, workflow_type) in [("standard", WorkflowType::Standard), ("express", WorkflowType::Express)] {
            let relative = relative.clone();
            let test = format!("ok::{}::{label}", relative.file_name().unwrap().to_string_lossy());
            trials.push(Trial::test(test, move || {
                let options =
                    sfn_lint::lint::Options { workflow_type: Some(workflow_type), workflow_type_from_cli: true, ..common::only(&[]) };
                let report = common::lint(&[&relative], &options);
                if report.summary.definitions != 1 {
                    return Err(format!("{}: {} definitions", relative.display(), report.summary.definitions).into());
                }
                let express_only = |code: &str| workflow_type == WorkflowType::Express && code.starts_with("EXP");
                if report.findings.iter().any(|f| !express_only(f.code)) {
                    return Err(common::render(&report, OutputFormat::Human).into());
                }
                Ok(())
            }));
        }
    }
    trials
}

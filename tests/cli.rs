//! The real binary: formats, exit codes, flags, standard input and folder walking.

mod common;

use common::{scratch, sfn_lint, sfn_lint_in, stdout};
use serde_json::Value;

const CLEAN: &str = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}"#;
const UNREACHABLE: &str = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}, "B": {"Type": "Succeed"}}}"#;
const BAD_NEXT: &str = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nope"}}}"#;

fn json(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", stdout(output)))
}

#[test]
fn demo_folder_reports_findings_and_exits_1() {
    let output = sfn_lint(&["check", "testdata/demo"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains("error[ASL003/unknown-transition-target]"), "{text}");
    assert!(text.contains("testdata/demo/counter.asl.json:33:15"), "{text}");
    assert!(text.contains("error[ALO001/non-idempotent-update]"), "{text}");
    assert!(text.contains("5 errors, 2 warnings, 0 infos in 5 files (4 definitions)"), "{text}");
    assert!(!text.contains('\u{1b}'), "no color when not a terminal");
}

#[test]
fn check_is_the_default_command() {
    let explicit = sfn_lint(&["check", "--format", "json", "testdata/demo"]);
    let implicit = sfn_lint(&["--format", "json", "testdata/demo"]);
    assert_eq!(explicit.stdout, implicit.stdout);
    assert_eq!(implicit.status.code(), Some(1));
}

#[test]
fn json_report_matches_the_schema() {
    let output = sfn_lint(&["check", "--format", "json", "testdata/demo"]);
    let report = json(&output);
    assert_eq!(report["version"], 1);
    assert_eq!(report["tool"]["name"], "sfn-lint");
    assert_eq!(report["tool"]["version"], env!("CARGO_PKG_VERSION"));
    let summary = &report["summary"];
    for key in ["files", "definitions", "errors", "warnings", "infos", "suppressed", "skipped"] {
        assert!(summary[key].is_u64(), "summary.{key}");
    }
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 7);
    let keys = ["code", "name", "severity", "message", "file", "definition", "state", "pointer", "span", "labels", "help", "url"];
    for d in diagnostics {
        let object = d.as_object().unwrap();
        assert_eq!(object.len(), keys.len());
        for key in keys {
            assert!(object.contains_key(key), "{key} missing in {d}");
        }
        for end in ["start", "end"] {
            for key in ["line", "column", "offset"] {
                assert!(d["span"][end][key].is_u64());
            }
        }
    }
    let sort_keys: Vec<(String, u64, String)> = diagnostics
        .iter()
        .map(|d| (d["file"].as_str().unwrap().into(), d["span"]["start"]["offset"].as_u64().unwrap(), d["code"].as_str().unwrap().into()))
        .collect();
    let mut sorted = sort_keys.clone();
    sorted.sort();
    assert_eq!(sort_keys, sorted);
    let duplicate = diagnostics.iter().find(|d| d["code"] == "ASL009").unwrap();
    assert_eq!(duplicate["state"], "Record Status");
    assert_eq!(duplicate["labels"][0]["message"], "first used here");
    assert_eq!(duplicate["labels"][0]["file"], "testdata/demo/fanout.asl.json");
}

#[test]
fn concise_format_is_one_line_per_finding() {
    let output = sfn_lint(&["check", "--format", "concise", "--quiet", "--ignore", "ALO011", "testdata/demo/counter.asl.json"]);
    assert_eq!(
        stdout(&output),
        "testdata/demo/counter.asl.json:11:29: ALO001 [error] `Increment Views` adds to `views` on every run; its `Retry` on `States.ALL` runs \
         it again after a failure whose outcome is unknown\n\
         testdata/demo/counter.asl.json:33:15: ASL003 [error] `Next` of `Increment Views` names `Return Count`, which is not a state\n\
         testdata/demo/counter.asl.json:35:5: ASL004 [warning] `Return Views` is unreachable: no transition from `StartAt` leads to it\n"
    );
}

#[test]
fn exit_codes_follow_fail_on() {
    let dir = scratch("exit-codes");
    std::fs::write(dir.join("clean.asl.json"), CLEAN).unwrap();
    std::fs::write(dir.join("warn.asl.json"), UNREACHABLE).unwrap();
    let code = |args: &[&str]| sfn_lint_in(&dir, args, None).status.code();
    assert_eq!(code(&["clean.asl.json"]), Some(0));
    assert_eq!(code(&["warn.asl.json"]), Some(1));
    assert_eq!(code(&["--fail-on", "error", "warn.asl.json"]), Some(0));
    assert_eq!(code(&["--fail-on", "info", "warn.asl.json"]), Some(1));
    assert_eq!(code(&["--fail-on", "never", "warn.asl.json"]), Some(0));
    for format in ["human", "concise", "json"] {
        assert_eq!(code(&["--format", format, "warn.asl.json"]), Some(1), "{format}");
    }
}

#[test]
fn failures_of_the_run_exit_2() {
    let dir = scratch("exit-2");
    std::fs::write(dir.join("a.asl.json"), CLEAN).unwrap();
    let run = |args: &[&str]| sfn_lint_in(&dir, args, None);
    let missing = run(&["no/such/path"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no/such/path"));
    assert_eq!(run(&["--format", "xml", "a.asl.json"]).status.code(), Some(2));
    assert_eq!(run(&["--no-such-flag"]).status.code(), Some(2));
    assert_eq!(run(&["--workflow-type", "sometimes", "a.asl.json"]).status.code(), Some(2));
    let unknown_rule = run(&["--select", "NOPE123", "a.asl.json"]);
    assert_eq!(unknown_rule.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown_rule.stderr).contains("NOPE123"));
    assert_eq!(run(&["--output", "missing-folder/report.txt", "a.asl.json"]).status.code(), Some(2));
    assert_eq!(run(&["--stdin-filename", "x.asl.json", "a.asl.json"]).status.code(), Some(2));
}

#[test]
fn run_errors_are_typed_for_callers_of_the_library() {
    use clap::Parser;
    use sfn_lint::cli::{Cli, RunError, execute};
    let dir = scratch("typed-errors");
    let run = |args: &[&str]| execute(Cli::try_parse_from(["sfn-lint", "--no-config"].iter().chain(args)).unwrap());
    let missing = dir.join("missing.asl.json");
    match run(&[missing.to_str().unwrap()]) {
        Err(RunError::Path { path, error }) => assert!(path == missing && error.kind() == std::io::ErrorKind::NotFound),
        other => panic!("{other:?}"),
    }
    assert!(matches!(run(&["--select", "NOPE123", "."]), Err(RunError::Usage(m)) if m.contains("NOPE123")));
    assert!(matches!(run(&["--unsafe-fixes", "."]), Err(RunError::Usage(_))));
    std::fs::write(dir.join("bad.toml"), "fail-on = 3\n").unwrap();
    let config = dir.join("bad.toml");
    match execute(Cli::try_parse_from(["sfn-lint", "--config", config.to_str().unwrap(), "."]).unwrap()) {
        Err(RunError::Config(error)) => assert_eq!(&error.text[error.span], "3"),
        other => panic!("{other:?}"),
    }
    std::fs::write(dir.join("baseline.json"), "not a baseline").unwrap();
    let baseline = dir.join("baseline.json");
    let error = run(&["--baseline", baseline.to_str().unwrap(), dir.to_str().unwrap()]).unwrap_err();
    assert!(matches!(&error, RunError::Baseline { path, .. } if *path == baseline), "{error:?}");
    assert!(error.to_string().starts_with(&baseline.display().to_string()), "{error}");
}

#[test]
fn run_errors_say_what_to_do_once() {
    let dir = scratch("run-errors");
    std::fs::write(dir.join("a.asl.json"), CLEAN).unwrap();
    let stderr = |output: &std::process::Output| String::from_utf8_lossy(&output.stderr).into_owned();
    // A format name given to `--output` is a mistaken flag, not a file name.
    let output = sfn_lint_in(&dir, &["--output", "json", "a.asl.json"], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--format json"), "{}", stderr(&output));
    assert!(!dir.join("json").exists(), "no file named `json` is written");
    let forced = sfn_lint_in(&dir, &["--output", "./json", "a.asl.json"], None);
    assert_eq!(forced.status.code(), Some(0), "{}", stderr(&forced));
    assert!(dir.join("json").exists());

    // A configuration error is an error once, and says which words a setting takes.
    std::fs::write(dir.join("sfn-lint.toml"), "fail-on = 3\n").unwrap();
    let text = stderr(&sfn_lint_in(&dir, &["a.asl.json"], None));
    assert!(text.starts_with("sfn-lint: error: invalid configuration: invalid type: integer `3`, expected a string"), "{text}");
    assert!(!text.contains("error: error:") && !text.contains("table"), "{text}");
    std::fs::write(dir.join("sfn-lint.toml"), "fail-on = \"sometimes\"\n").unwrap();
    let text = stderr(&sfn_lint_in(&dir, &["a.asl.json"], None));
    assert!(text.contains("`sometimes` is not one of `error`, `warning`, `info`, `never`"), "{text}");
    assert!(text.contains("sfn-lint.toml:1:11"), "the value is pointed at: {text}");
}

#[test]
fn nothing_to_lint_is_said() {
    let dir = scratch("nothing-to-lint");
    std::fs::write(dir.join("package.json"), "{\"name\": \"app\"}").unwrap();
    let stderr = |output: &std::process::Output| String::from_utf8_lossy(&output.stderr).into_owned();
    // A folder without a definition: success, with a warning on standard error.
    let output = sfn_lint_in(&dir, &["check", "."], None);
    assert_eq!(output.status.code(), Some(0));
    assert!(stderr(&output).contains("warning: no state machine definition found"), "{}", stderr(&output));
    assert!(stderr(&sfn_lint_in(&dir, &["check", "-q", "."], None)).is_empty(), "--quiet prints findings only");
    // Empty standard input is an empty file.
    for stdin in [&b""[..], b"  \n"] {
        let output = sfn_lint_in(&dir, &["check", "-", "--format", "concise"], Some(stdin));
        assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
        assert!(stdout(&output).contains("ASL001 [error] the file is empty"), "{}", stdout(&output));
    }
    // A definition found and clean: no warning.
    std::fs::write(dir.join("a.asl.json"), CLEAN).unwrap();
    assert!(stderr(&sfn_lint_in(&dir, &["check", "."], None)).is_empty());
}

#[test]
fn unreadable_files_are_never_passed_over_in_silence() {
    let dir = scratch("unreadable");
    std::fs::write(dir.join("sfn-lint.toml"), "max-file-size = 200\n").unwrap();
    let big_template = format!(
        "{{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {{\"M\": {{\"Type\": \"AWS::StepFunctions::StateMachine\", \"Properties\": {{\"Comment\": \"{}\"}}}}}}}}",
        "x".repeat(300)
    );
    std::fs::write(dir.join("template.json"), &big_template).unwrap();
    std::fs::write(dir.join("data.json"), format!("{{\"rows\": \"{}\"}}", "x".repeat(300))).unwrap();
    std::fs::write(dir.join("latin1.json"), b"{\"name\": \"caf\xe9\"}").unwrap();
    let concise = |args: &[&str]| {
        let mut all = vec!["check", "--format", "concise"];
        all.extend(args);
        stdout(&sfn_lint_in(&dir, &all, None))
    };
    // Named on the command line: always a finding.
    for (file, why) in [("data.json", "larger than the limit of 200 bytes"), ("latin1.json", "not valid UTF-8")] {
        let text = concise(&[file]);
        assert!(text.contains(&format!("{file}:1:1: ASL001 [error]")) && text.contains(why), "{file}: {text}");
    }
    // Found by walking: a file whose first bytes show a template is a finding; another is
    // skipped, and the summary says why.
    let text = concise(&["."]);
    assert!(text.contains("template.json:1:1: ASL001 [error] the file is"), "{text}");
    assert!(!text.contains("data.json:") && !text.contains("latin1.json:"), "{text}");
    assert!(text.contains("files skipped (1 larger than `max-file-size`, 1 not UTF-8)"), "{text}");
}

#[test]
fn a_long_line_is_shown_as_a_window_in_the_same_style() {
    let dir = scratch("long-line");
    let padding: String = (0..300).map(|i| format!(r#""P{i}": {{"Type": "Pass", "Next": "P{}"}}, "#, i + 1)).collect();
    let minified = format!(r#"{{"StartAt": "P0", "States": {{{padding}"P300": {{"Type": "Pass", "Next": "Nowhere"}}}}}}"#);
    assert!(minified.len() > 10_000);
    std::fs::write(dir.join("min.asl.json"), &minified).unwrap();
    let text = stdout(&sfn_lint_in(&dir, &["check", "--select", "ASL003", "--color", "never", "min.asl.json"], None));
    let column = minified.find("\"Nowhere\"").unwrap() + 1;
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("error[ASL003/unknown-transition-target]: `Next` of `P300`"), "{text}");
    assert_eq!(lines[1].trim_start(), format!("┌─ min.asl.json:1:{column}"), "{text}");
    let source = lines.iter().find(|l| l.starts_with("1 │ ")).unwrap_or_else(|| panic!("no source line: {text}"));
    assert!(source.contains("…") && source.contains("\"Next\": \"Nowhere\""), "{source}");
    let carets = lines.iter().find(|l| l.contains('^')).unwrap();
    let under = source.chars().skip(carets.chars().position(|c| c == '^').unwrap()).take(9).collect::<String>();
    assert_eq!(under, "\"Nowhere\"", "the carets are under the value:\n{source}\n{carets}");
    assert!(text.lines().all(|l| l.chars().count() <= 130), "{text}");
    assert!(text.contains("= help: name one of the states"), "{text}");
}

#[test]
fn flags_as_ruff_users_expect_them() {
    let dir = scratch("conventions");
    std::fs::write(dir.join("bad.asl.json"), BAD_NEXT).unwrap();
    let run = |args: &[&str]| sfn_lint_in(&dir, args, None);
    // Repeated flags: the last wins.
    let twice = run(&["check", "--format", "concise", "--format", "json", "-q", "-q", "bad.asl.json"]);
    assert_eq!(twice.status.code(), Some(1), "{}", String::from_utf8_lossy(&twice.stderr));
    assert!(serde_json::from_slice::<Value>(&twice.stdout).is_ok(), "{}", stdout(&twice));
    // `--output-format` is `--format`.
    let alias = run(&["check", "--output-format", "json", "bad.asl.json"]);
    assert!(serde_json::from_slice::<Value>(&alias.stdout).is_ok(), "{}", stdout(&alias));
    // `--exit-zero`: findings reported, exit 0.
    let zero = run(&["check", "--exit-zero", "--format", "concise", "bad.asl.json"]);
    assert_eq!(zero.status.code(), Some(0));
    assert!(stdout(&zero).contains("ASL003"));
    // `--extend-select` and `--extend-ignore` add to the configured sets.
    std::fs::write(dir.join("sfn-lint.toml"), "select = [\"ASL004\"]\n").unwrap();
    let codes = |args: &[&str]| {
        let mut all = vec!["check", "--format", "json"];
        all.extend(args);
        let report: Value = serde_json::from_slice(&run(&all).stdout).unwrap();
        let mut codes: Vec<String> =
            report["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap().to_string()).collect();
        codes.dedup();
        codes
    };
    assert!(codes(&["bad.asl.json"]).is_empty(), "the configuration selects ASL004 only");
    assert_eq!(codes(&["--extend-select", "ASL003", "bad.asl.json"]), ["ASL003"]);
    std::fs::write(dir.join("sfn-lint.toml"), "ignore = [\"ASL004\"]\n").unwrap();
    assert!(codes(&["--extend-ignore", "ASL003", "bad.asl.json"]).is_empty());
    std::fs::remove_file(dir.join("sfn-lint.toml")).unwrap();
    // `--stdin-filename` alone reads standard input.
    let piped = sfn_lint_in(&dir, &["check", "--stdin-filename", "x.asl.json", "--format", "concise"], Some(BAD_NEXT.as_bytes()));
    assert_eq!(piped.status.code(), Some(1), "{}", String::from_utf8_lossy(&piped.stderr));
    assert!(stdout(&piped).starts_with("x.asl.json:"), "{}", stdout(&piped));
}

#[test]
fn the_summary_counts_suppressed_and_baselined_findings() {
    let dir = scratch("summary-counts");
    let suppressed = BAD_NEXT.replacen("\"Type\": \"Pass\"", "\"Type\": \"Pass\", \"Comment\": \"sfn-lint: ignore[ASL003]\"", 1);
    assert_ne!(suppressed, BAD_NEXT);
    std::fs::write(dir.join("quiet.asl.json"), &suppressed).unwrap();
    std::fs::write(dir.join("bad.asl.json"), BAD_NEXT).unwrap();
    let run = |args: &[&str]| sfn_lint_in(&dir, args, None);
    assert_eq!(run(&["check", "--write-baseline", "baseline.json", "bad.asl.json"]).status.code(), Some(0));
    let text = stdout(&run(&["check", "--baseline", "baseline.json", "--format", "concise", "."]));
    assert!(text.trim_end().ends_with("2 suppressed (1 by the baseline)"), "{text}");
}

#[test]
fn statistics_count_findings_per_rule() {
    let dir = scratch("statistics");
    std::fs::write(dir.join("a.asl.json"), BAD_NEXT).unwrap();
    std::fs::write(dir.join("b.asl.json"), BAD_NEXT).unwrap();
    std::fs::write(dir.join("c.asl.json"), UNREACHABLE).unwrap();
    let run = |args: &[&str]| sfn_lint_in(&dir, args, None);
    let text = stdout(&run(&["check", "--statistics", "."]));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0].split_whitespace().collect::<Vec<_>>(), ["2", "ASL003", "unknown-transition-target"], "{text}");
    assert_eq!(lines[1].split_whitespace().collect::<Vec<_>>(), ["1", "ASL004", "unreachable-state"], "{text}");
    assert!(!text.contains("┌─"), "no findings drawn: {text}");
    let json: Value = serde_json::from_slice(&run(&["check", "--statistics", "--format", "json", "."]).stdout).unwrap();
    assert_eq!(json[0], serde_json::json!({"code": "ASL003", "name": "unknown-transition-target", "count": 2}));
    let sarif = run(&["check", "--statistics", "--format", "sarif", "."]);
    assert_eq!(sarif.status.code(), Some(2), "statistics have no SARIF form");
    assert_eq!(run(&["check", "--statistics", "."]).status.code(), Some(1), "the exit code still follows the findings");
}

#[test]
fn each_file_takes_the_closest_configuration() {
    let dir = scratch("layered-config");
    let write = |path: &str, text: &str| common::write(&dir, path, text);
    write("sfn-lint.toml", "ignore = [\"ASL004\"]\n");
    write("a/x.asl.json", UNREACHABLE);
    write("b/sfn-lint.toml", "select = [\"ASL004\"]\nexclude = [\"gen/**\"]\n");
    write("b/y.asl.json", UNREACHABLE);
    write("b/gen/z.asl.json", UNREACHABLE);
    write("b/n.asl.json", BAD_NEXT);
    let found = |args: &[&str]| {
        let mut all = vec!["check", "--format", "json"];
        all.extend(args);
        let output = sfn_lint_in(&dir, &all, None);
        let report: Value =
            serde_json::from_slice(&output.stdout).unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&output.stderr)));
        let mut found: Vec<String> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| format!("{} {}", d["file"].as_str().unwrap(), d["code"].as_str().unwrap()))
            .collect();
        found.sort();
        found
    };
    // a/ follows the top configuration (ASL004 ignored); b/ its own (only ASL004, and
    // its `gen/` excluded).
    assert_eq!(found(&["."]), ["b/y.asl.json ASL004"]);
    // The command line wins over every configuration; `--config` names the one for all.
    assert_eq!(found(&["--select", "ASL003", "."]), ["b/n.asl.json ASL003"]);
    assert!(found(&["--config", "sfn-lint.toml", "."]).iter().all(|f| !f.ends_with("ASL004")));
    // A broken configuration below is a failure of the run, said with its file.
    write("b/sfn-lint.toml", "select = 3\n");
    let broken = sfn_lint_in(&dir, &["check", "."], None);
    assert_eq!(broken.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&broken.stderr).contains("b/sfn-lint.toml"), "{}", String::from_utf8_lossy(&broken.stderr));
}

#[test]
fn show_files_and_show_settings() {
    let dir = scratch("show");
    let write = |path: &str, text: &str| common::write(&dir, path, text);
    write("sfn-lint.toml", "fail-on = \"error\"\nmax-file-size = 300\n");
    write("a.asl.json", BAD_NEXT);
    write("package.json", "{}");
    write("big.json", &format!("{{\"x\": \"{}\"}}", "y".repeat(400)));
    write("svc/sfn-lint.toml", "workflow-type = \"express\"\nselect = [\"ALO\"]\n");
    write("svc/b.asl.yaml", "StartAt: A\nStates:\n  A:\n    Type: Pass\n    End: true\n");
    let files = stdout(&sfn_lint_in(&dir, &["check", "--show-files", "."], None));
    assert_eq!(
        files.lines().collect::<Vec<_>>(),
        [
            "a.asl.json",
            "big.json  (skipped: larger than `max-file-size`)",
            "package.json  (skipped: no state machine in it)",
            "svc/b.asl.yaml"
        ],
        "{files}"
    );
    let settings = stdout(&sfn_lint_in(&dir, &["check", "--show-settings", "a.asl.json", "svc/b.asl.yaml"], None));
    let (top, svc) = settings.split_once("\n\n").unwrap();
    assert!(top.starts_with("# a.asl.json\nconfiguration = \"sfn-lint.toml\""), "{settings}");
    assert!(
        top.contains("workflow-type = \"auto\"") && top.contains("fail-on = \"error\"") && top.contains("max-file-size = 300"),
        "{top}"
    );
    assert!(
        svc.contains("svc/sfn-lint.toml") && svc.contains("workflow-type = \"express\"") && svc.contains("select = [\"ALO\"]"),
        "{svc}"
    );
    assert!(svc.contains("\"ALO001\"") && !svc.contains("\"ASL003\""), "only the ALO rules run there: {svc}");
}

#[test]
fn output_flag_writes_the_report_to_a_file() {
    let dir = scratch("output-flag");
    std::fs::write(dir.join("bad.asl.json"), BAD_NEXT).unwrap();
    let output = sfn_lint_in(&dir, &["--format", "json", "--select", "ASL", "--output", "report.json", "bad.asl.json"], None);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let report: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["diagnostics"][0]["code"], "ASL003");
}

#[test]
fn select_and_ignore_by_code_prefix_and_name() {
    let dir = scratch("select");
    // A queue send that would repeat if the unknown type were Express: ALO011 says so.
    let send = r#""Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "Parameters": {"QueueUrl": "q", "MessageBody": "m"}, "End": true"#;
    let definition =
        UNREACHABLE.replace(r#""Type": "Pass", "End": true"#, send).replace(r#""Type": "Succeed""#, r#""Type": "Pass", "Next": "Nope""#);
    std::fs::write(dir.join("bad.asl.json"), definition).unwrap();
    let codes = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        all.push("bad.asl.json");
        json(&sfn_lint_in(&dir, &all, None))["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(codes(&[]), ["ALO011", "ASL004", "ASL003"]);
    assert_eq!(codes(&["--select", "ASL003"]), ["ASL003"]);
    assert_eq!(codes(&["--select", "unreachable-state"]), ["ASL004"]);
    assert_eq!(codes(&["--ignore", "ASL00"]), ["ALO011"]);
    assert_eq!(codes(&["--ignore", "ASL00,ALO"]), Vec::<String>::new());
    assert_eq!(codes(&["--select", "ASL", "--ignore", "unknown-transition-target"]), ["ASL004"]);
    assert_eq!(codes(&["--select", "ASL003,ASL004"]), ["ASL004", "ASL003"]);
}

#[test]
fn standard_input_takes_its_kind_from_stdin_filename() {
    let yaml = "StartAt: A\nStates:\n  A:\n    Type: Pass\n    Next: Missing\n";
    let dir = scratch("stdin");
    let output = sfn_lint_in(
        &dir,
        &["check", "--format", "json", "--select", "ASL", "-", "--stdin-filename", "flows/order.asl.yaml"],
        Some(yaml.as_bytes()),
    );
    assert_eq!(output.status.code(), Some(1));
    let report = json(&output);
    assert_eq!(report["diagnostics"][0]["file"], "flows/order.asl.yaml");
    assert_eq!(report["diagnostics"][0]["span"]["start"]["line"], 5);
    assert_eq!(report["diagnostics"][0]["span"]["start"]["column"], 11);

    let anonymous = sfn_lint_in(&dir, &["--format", "concise", "--select", "ASL", "-"], Some(BAD_NEXT.as_bytes()));
    assert!(stdout(&anonymous).starts_with("<stdin>:1:"), "{}", stdout(&anonymous));
}

#[test]
fn workflow_type_flag_sets_the_type_of_standalone_definitions() {
    let codes = |value: &str| -> Vec<String> {
        let output = sfn_lint(&["--format", "json", "--workflow-type", value, "testdata/ok/distributed-map-s3.asl.json"]);
        json(&output)["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(codes("standard"), Vec::<String>::new());
    assert_eq!(codes("express"), ["EXP001"], "a Distributed Map is not allowed in Express");
    assert_eq!(codes("auto"), Vec::<String>::new(), "a Distributed Map proves the definition Standard");
}

#[test]
fn color_follows_the_flag() {
    let always = sfn_lint(&["--color", "always", "testdata/demo/counter.asl.json"]);
    assert!(stdout(&always).contains('\u{1b}'));
    let never = sfn_lint(&["--color", "never", "testdata/demo/counter.asl.json"]);
    assert!(!stdout(&never).contains('\u{1b}'));
}

#[test]
fn quiet_drops_the_summary() {
    let loud = stdout(&sfn_lint(&["--workflow-type", "standard", "testdata/ok"]));
    assert!(loud.contains("no findings in"), "{loud}");
    assert_eq!(stdout(&sfn_lint(&["--quiet", "--workflow-type", "standard", "testdata/ok"])), "");
}

#[test]
fn rules_and_explain() {
    let listed = sfn_lint(&["rules", "--format", "json"]);
    assert_eq!(listed.status.code(), Some(0));
    let rules: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(rules.as_array().unwrap().len(), sfn_lint::rules::REGISTRY.len());
    assert_eq!(rules[2]["code"], "ASL003");
    assert!(stdout(&sfn_lint(&["rules"])).contains("ASL011  no-terminal-path"));

    let by_code = sfn_lint(&["explain", "ASL003"]);
    assert_eq!(by_code.status.code(), Some(0));
    // For a terminal: headings underlined, code blocks indented without their fences.
    let text = stdout(&by_code);
    assert!(text.starts_with("ASL003 unknown-transition-target\n================================\n"), "{text}");
    assert!(text.contains("\nWhat it catches\n---------------\n"), "{text}");
    assert!(!text.contains("```") && !text.contains("\n## "), "{text}");
    assert!(text.contains("\n    {\n"), "code is indented: {text}");
    let markdown = stdout(&sfn_lint(&["explain", "--format", "markdown", "ASL003"]));
    assert!(markdown.starts_with("# ASL003 unknown-transition-target\n") && markdown.contains("```json"), "{markdown}");
    assert_eq!(stdout(&sfn_lint(&["explain", "unknown-transition-target"])), stdout(&by_code));
    assert_eq!(sfn_lint(&["explain", "XYZ999"]).status.code(), Some(2));
}

#[test]
fn version() {
    let output = sfn_lint(&["--version"]);
    assert_eq!(stdout(&output).trim(), format!("sfn-lint {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn walking_honours_gitignore_and_skips_what_is_not_ours() {
    let dir = scratch("walk");
    let write = |path: &str, text: &str| common::write(&dir, path, text);
    write(".gitignore", "ignored/\n");
    write("flows/bad.asl.json", BAD_NEXT);
    write("flows/plain-name.json", BAD_NEXT);
    write("flows/steps.yml", "StartAt: A\nStates:\n  A: {Type: Pass, Next: Nope}\n");
    write("ignored/bad.asl.json", BAD_NEXT);
    write(".hidden/bad.asl.json", BAD_NEXT);
    write("node_modules/pkg/bad.asl.json", BAD_NEXT);
    write("target/bad.asl.json", BAD_NEXT);
    write("tsconfig.json", "{\n  // comments are fine here\n  \"compilerOptions\": {},\n}\n");
    write("package.json", "{\"name\": \"x\"}");
    write("notes.txt", BAD_NEXT);
    write("chart/deployment.yaml", "{{- if .Values.enabled }}\nkind: Deployment\n{{- end }}\n");

    let report = json(&sfn_lint_in(&dir, &["--format", "json", "."], None));
    let mut files: Vec<&str> = report["diagnostics"].as_array().unwrap().iter().map(|d| d["file"].as_str().unwrap()).collect();
    files.dedup();
    assert_eq!(files, ["flows/bad.asl.json", "flows/plain-name.json", "flows/steps.yml"]);
    assert_eq!(report["summary"]["files"], 3);
    assert_eq!(report["summary"]["skipped"], 3, "tsconfig.json, package.json, chart/deployment.yaml");

    // Named on the command line, a file is always read; a broken JSON file is reported.
    let named = json(&sfn_lint_in(&dir, &["--format", "json", "ignored/bad.asl.json", "notes.txt"], None));
    assert_eq!(named["summary"]["files"], 2);
    std::fs::write(dir.join("broken.json"), "{\"a\": 1").unwrap();
    let broken = json(&sfn_lint_in(&dir, &["--format", "json", "broken.json", "tsconfig.json"], None));
    assert_eq!(broken["diagnostics"].as_array().unwrap().len(), 1);
    assert_eq!(broken["diagnostics"][0]["code"], "ASL001");
    assert_eq!(broken["diagnostics"][0]["file"], "broken.json");
}

#[test]
fn an_asl_named_file_without_a_state_machine_is_asl002() {
    let dir = scratch("asl002");
    std::fs::write(dir.join("empty.asl.json"), "{\"Comment\": \"nothing yet\"}").unwrap();
    let report = json(&sfn_lint_in(&dir, &["--format", "json", "empty.asl.json"], None));
    let codes: Vec<&str> = report["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["ASL002", "ASL002"]);
}

#[test]
fn hostile_text_is_escaped_in_terminal_output() {
    let dir = scratch("escape");
    let name = "Evil\u{1b}[31mState";
    let text = format!(r#"{{"StartAt": "A", "States": {{"A": {{"Type": "Pass", "Next": "{}"}}}}}}"#, name.replace('\u{1b}', "\\u001b"));
    std::fs::write(dir.join("evil.asl.json"), text).unwrap();
    for format in ["human", "concise"] {
        let out = stdout(&sfn_lint_in(&dir, &["--format", format, "--color", "never", "--select", "ASL", "evil.asl.json"], None));
        assert!(!out.contains('\u{1b}'), "{format}: raw escape reached the terminal");
        assert!(out.contains("Evil\\u{1b}[31mState"), "{format}: {out}");
    }
    let report = json(&sfn_lint_in(&dir, &["--format", "json", "--select", "ASL", "evil.asl.json"], None));
    assert!(report["diagnostics"][0]["message"].as_str().unwrap().contains(name));
}

#[test]
fn a_definition_over_the_size_limit_is_reported() {
    let dir = scratch("size-limit");
    // A Pass state whose `Result` holds `filler` bytes of text; YAML and indentation do not
    // count, only the compact JSON a deployment sends.
    let definition =
        |filler: usize| format!(r#"{{"StartAt":"A","States":{{"A":{{"Type":"Pass","Result":"{}","End":true}}}}}}"#, "x".repeat(filler));
    let limit = 1 << 20;
    let codes = |text: &str| -> Vec<String> {
        let output = sfn_lint_in(&dir, &["check", "--format", "json", "--select", "ASL", "-"], Some(text.as_bytes()));
        json(&output)["diagnostics"].as_array().unwrap().iter().map(|d| d["message"].as_str().unwrap().to_string()).collect()
    };
    let overhead = definition(0).len();
    assert_eq!(codes(&definition(limit - overhead)), Vec::<String>::new(), "exactly 1 MB is accepted");
    let over = codes(&definition(limit - overhead + 1));
    assert_eq!(over.len(), 1, "{over:?}");
    assert!(over[0].starts_with("the definition is 1048577 bytes even as compact JSON"), "{over:?}");
    // YAML of the same definition, comments and all, is measured as the JSON it becomes.
    let comment = "c".repeat(100_000);
    let yaml =
        format!("# {comment}\nStartAt: A\nStates:\n  A:\n    Type: Pass\n    Result: {}\n    End: true\n", "x".repeat(limit - overhead));
    assert!(yaml.len() > limit);
    let output = sfn_lint_in(
        &dir,
        &["check", "--format", "json", "--select", "ASL", "-", "--stdin-filename", "big.asl.yaml"],
        Some(yaml.as_bytes()),
    );
    assert_eq!(json(&output)["diagnostics"], serde_json::json!([]));
}

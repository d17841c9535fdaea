//! Definitions inside templates: CloudFormation (JSON, YAML, `!Sub |`, escaped strings,
//! `Fn::Join`), SAM `DefinitionUri`, Serverless, Terraform (`jsonencode`, heredoc,
//! `templatefile`) and CDK output. Spans land on the text of the state in the file the
//! user edits; the template's type and resources decide the verdict.

mod common;

use std::path::Path;

use sfn_lint::diagnostic::Finding;
use sfn_lint::output::OutputFormat;
use sfn_lint::report::Report;
use sfn_lint::syntax::Span;

fn lint_folder(folder: &str) -> Report {
    let path = Path::new("testdata/hosts").join(folder);
    let candidates = sfn_lint::discover::candidates(std::slice::from_ref(&path), &Default::default()).unwrap();
    sfn_lint::lint::run(&candidates, None, &[path], &common::only(&[]))
}

/// The text a span of `file` covers.
fn text_at(file: &str, span: Span) -> String {
    std::fs::read_to_string(file).unwrap()[span.range()].to_string()
}

/// The text a finding's primary span covers.
fn spanned(finding: &Finding) -> String {
    text_at(&finding.file, finding.span)
}

fn codes(report: &Report) -> Vec<(&str, Option<&str>, Option<&str>)> {
    report.findings.iter().map(|f| (f.code, f.definition.as_deref(), f.state.as_deref())).collect()
}

#[test]
fn sam_template_types_and_resources_decide_the_verdict() {
    let report = lint_folder("sam");
    // Only the Express machine sends twice, and only to the standard queue; the FIFO queue
    // deduplicates by content. The `.sync` of the Standard parent is legal; the Express
    // machine's is not.
    assert_eq!(
        codes(&report),
        [("ALO003", Some("IngestOrder"), Some("Queue Order")), ("EXP001", Some("IngestOrder"), Some("Fulfil"))],
        "{}",
        common::render(&report, OutputFormat::Human)
    );
    let queue = &report.findings[0];
    assert_eq!(spanned(queue), "\"${OrdersQueueUrl}\"", "inside the `!Sub |` block scalar");
    assert_eq!(queue.pointer, "/Resources/IngestOrder/Properties/DefinitionString/States/Queue Order/Parameters/QueueUrl");
    let labels: Vec<&str> = queue.labels.iter().map(|l| l.message.as_str()).collect();
    assert_eq!(labels, ["declared Express here", "a standard queue (no `FifoQueue: true`)"]);
    insta::assert_snapshot!("sam", common::render(&report, OutputFormat::Human));
}

#[test]
fn escaped_json_strings_map_positions_through_escapes() {
    let report = lint_folder("cfn-json");
    assert_eq!(codes(&report), [("ALO004", Some("Payments"), Some("Charge Card")), ("ALO001", Some("Payments"), Some("Count Charge"))]);
    assert_eq!(spanned(&report.findings[0]), "\\\"$\\\"");
    assert_eq!(spanned(&report.findings[1]), "\\\"ADD #n :one\\\"");
    insta::assert_snapshot!("cfn_json", common::render(&report, OutputFormat::Human));
}

#[test]
fn cdk_output_with_fn_join_marks_the_whole_expression() {
    let report = lint_folder("cdk.out");
    assert_eq!(codes(&report), [("ALO002", Some("ProcessorStateMachine1A2B3C4D"), Some("Notify"))]);
    let finding = &report.findings[0];
    assert!(spanned(finding).starts_with("{\n     \"Fn::Join\""), "{}", spanned(finding));
    assert!(finding.message.ends_with("(the definition is assembled by `Fn::Join`, so the whole expression is marked)"));
}

#[test]
fn definition_uri_files_take_the_template_type_once_per_type() {
    let report = lint_folder("definition-uri");
    // Linted as Express (Notifier) and as Standard (NotifierBackfill): the hazard shows once.
    assert_eq!(codes(&report), [("ALO002", Some("Notifier"), Some("Notify Customer"))], "{}", common::render(&report, OutputFormat::Human));
    let finding = &report.findings[0];
    assert_eq!(finding.file, "testdata/hosts/definition-uri/statemachine/notify.asl.json");
    assert_eq!(spanned(finding), "\"${TopicArn}\"");
    let template = "testdata/hosts/definition-uri/template.yaml";
    let labels: Vec<(Option<&str>, &str)> = finding.labels.iter().map(|l| (l.file.as_deref(), l.message.as_str())).collect();
    assert_eq!(labels, [(Some(template), "declared Express here"), (Some(template), "a standard topic (no `FifoTopic: true`)")]);
    assert_eq!(report.summary.definitions, 2);
    insta::assert_snapshot!("definition_uri", common::render(&report, OutputFormat::Human));

    // Alone, the file's unquoted `${Timeout}` is not JSON, but its project's template fills
    // it in: the same finding as in the folder run.
    let alone = common::lint(&[Path::new("testdata/hosts/definition-uri/statemachine/notify.asl.json")], &common::only(&[]));
    assert_eq!(codes(&alone), codes(&report));

    // With no template that names it, it is a template's input that cannot be linted alone.
    let dir = std::env::temp_dir().join(format!("sfn-lint-placeholders-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let copy = dir.join("notify.asl.json");
    std::fs::copy("testdata/hosts/definition-uri/statemachine/notify.asl.json", &copy).unwrap();
    let orphan = common::lint(&[&copy], &common::only(&[]));
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(orphan.findings.len(), 1);
    assert_eq!(orphan.findings[0].code, "ASL001");
    assert!(orphan.findings[0].help.as_deref().unwrap().contains("lint it together with the template"));
}

/// A run reads the definition files its templates name only under the paths it was given
/// or the working folder: a template cannot make it read any file on the machine.
#[test]
fn a_definition_file_outside_the_linted_paths_is_not_read() {
    let dir = std::env::temp_dir().join(format!("sfn-lint-outside-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("app")).unwrap();
    std::fs::create_dir_all(dir.join("shared")).unwrap();
    let template = std::fs::read_to_string("testdata/hosts/definition-uri/template.yaml").unwrap();
    std::fs::write(dir.join("app/template.yaml"), template.replace("statemachine/notify.asl.json", "../shared/notify.asl.json")).unwrap();
    std::fs::copy("testdata/hosts/definition-uri/statemachine/notify.asl.json", dir.join("shared/notify.asl.json")).unwrap();
    let run = |root: &Path| {
        let candidates = sfn_lint::discover::candidates(&[dir.join("app")], &Default::default()).unwrap();
        sfn_lint::lint::run(&candidates, None, &[root.to_path_buf()], &common::only(&[]))
    };
    let app_only = run(&dir.join("app"));
    let whole = run(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(app_only.findings.len(), 0, "{}", common::render(&app_only, OutputFormat::Human));
    assert_eq!(app_only.summary.definitions, 0);
    assert_eq!(codes(&whole), [("ALO002", Some("Notifier"), Some("Notify Customer"))], "{}", common::render(&whole, OutputFormat::Human));
    assert!(whole.findings[0].file.ends_with("shared/notify.asl.json"), "{}", whole.findings[0].file);
    assert_eq!(whole.summary.definitions, 2);
}

#[test]
fn a_definition_uri_in_other_case_is_linted_and_warned_of() {
    let report = lint_folder("definition-uri-case");
    let found: Vec<(&str, &str, &str)> = report.findings.iter().map(|f| (f.code, f.severity.as_str(), f.file.as_str())).collect();
    let dir = "testdata/hosts/definition-uri-case";
    if Path::new(dir).join("statemachines/orders.asl.json").exists() {
        // This file system ignores case: the template's path names the file as it is.
        assert_eq!(found.iter().map(|f| f.0).collect::<Vec<_>>(), ["ALO003"]);
        return;
    }
    assert_eq!(
        found,
        [("ALO003", "warning", &*format!("{dir}/StateMachines/Orders.asl.json")), ("ASL001", "warning", &*format!("{dir}/template.yaml"))],
        "{}",
        common::render(&report, OutputFormat::Human)
    );
    assert_eq!(spanned(&report.findings[1]), "statemachines/orders.asl.json");
    assert!(report.findings[1].message.contains("exists only as"), "{}", report.findings[1].message);
    // The Express type reached the file: the queue send is a hazard.
    assert_eq!(report.findings[0].labels[0].message, "declared Express here");
}

#[test]
fn serverless_inline_and_file_definitions() {
    let report = lint_folder("serverless");
    // `countVisits` is Express; `archiveVisits` (a file) is Standard by default, so its
    // one-day wait and unkeyed Lambda are fine.
    assert_eq!(codes(&report), [("ALO001", Some("countVisits"), Some("Count Visit"))], "{}", common::render(&report, OutputFormat::Human));
    assert_eq!(spanned(&report.findings[0]), "SET visits = visits + :one");
    assert_eq!(report.summary.definitions, 2);
}

#[test]
fn terraform_jsonencode_heredoc_and_templatefile() {
    let report = lint_folder("terraform");
    assert_eq!(
        codes(&report),
        [
            ("ALO001", Some("aws_sfn_state_machine.express_counter"), Some("Count")),
            ("ASL003", Some("aws_sfn_state_machine.standard_report"), Some("Report")),
            ("ALO003", Some("aws_sfn_state_machine.express_shipping"), Some("Queue Shipment")),
        ],
        "{}",
        common::render(&report, OutputFormat::Human)
    );
    assert_eq!(spanned(&report.findings[0]), "\"ADD #views :one\"");
    assert_eq!(spanned(&report.findings[1]), "\"Missing\"", "inside the `<<-EOF` heredoc");
    assert_eq!(report.findings[2].file, "testdata/hosts/terraform/shipping.asl.json");
    insta::assert_snapshot!("terraform", common::render(&report, OutputFormat::Human));
}

#[test]
fn terraform_blocks_that_name_a_machine_say_how_it_starts() {
    let report = lint_folder("terraform-starters");
    // The HTTP API's synchronous start of `orders` is all that starts it; the EventBridge
    // target names `orders_batch`, not `orders`, though the one name begins with the other.
    assert_eq!(
        codes(&report),
        [("ALO003", Some("aws_sfn_state_machine.orders_batch"), Some("Ship"))],
        "{}",
        common::render(&report, OutputFormat::Human)
    );
}

#[test]
fn a_definition_file_that_does_not_exist_is_reported_where_it_is_named() {
    let report = lint_folder("missing-files");
    let found: Vec<(&str, &str, Option<&str>, String)> =
        report.findings.iter().map(|f| (f.code, f.file.as_str(), f.definition.as_deref(), spanned(f))).collect();
    let dir = "testdata/hosts/missing-files";
    assert_eq!(
        found,
        [
            (
                "ASL001",
                &*format!("{dir}/main.tf"),
                Some("aws_sfn_state_machine.module_relative"),
                r#""${path.module}/module.asl.json""#.into()
            ),
            ("ASL001", &*format!("{dir}/serverless.yml"), Some("archiveVisits"), "${file(./archive.asl.yaml)}".into()),
            ("ASL001", &*format!("{dir}/template.yaml"), Some("Orders"), "statemachine/orders.asl.json".into()),
        ],
        "{}",
        common::render(&report, OutputFormat::Human)
    );
    assert_eq!(
        report.findings[2].message,
        format!("the definition of `Orders` is the file `{dir}/statemachine/orders.asl.json`, which does not exist")
    );
}

#[test]
fn lambda_timeouts_in_the_template_bound_their_tasks() {
    let report = lint_folder("lambda-timeout");
    let exp002: Vec<&Finding> = report.findings.iter().filter(|f| f.code == "EXP002").collect();
    assert_eq!(exp002.len(), 1, "{}", common::render(&report, OutputFormat::Human));
    assert!(exp002[0].message.contains("takes 373 s"), "{}", exp002[0].message);
    let labels: Vec<(String, &str)> =
        exp002[0].labels.iter().map(|l| (text_at(l.file.as_deref().unwrap_or(&exp002[0].file), l.span), l.message.as_str())).collect();
    assert!(labels.contains(&("ReportFunction".into(), "`ReportFunction` times out after 120 s")), "SAM Globals apply: {labels:?}");
    assert!(labels.contains(&("QuickFunction".into(), "`QuickFunction` times out after 10 s")), "{labels:?}");

    // A shorter function timeout keeps the path inside the budget: 10 + 3 × 60 + 3 s.
    let text = std::fs::read_to_string("testdata/hosts/lambda-timeout/template.yaml").unwrap();
    let shorter = text.replace("Handler: report.handler", "Handler: report.handler\n      Timeout: 60");
    let stdin = sfn_lint::lint::Stdin { name: Some("template.yaml".into()), bytes: shorter.into_bytes() };
    let report = sfn_lint::lint::run(&Default::default(), Some(stdin), &[], &common::only(&[]));
    assert!(report.findings.iter().all(|f| f.code != "EXP002"), "{}", common::render(&report, OutputFormat::Human));
}

/// The walk skips a file without parsing it when it lacks every word a state machine needs;
/// the skip loses nothing a parse would find, and changes nothing a run reports.
#[test]
fn skipping_files_unparsed_loses_no_state_machine() {
    let dir = common::scratch("unparsed");
    let write = |path: &str, text: &str| common::write(&dir, path, text);
    // The words a host needs, spelled with escapes: parsed, found and linted.
    write("escaped.json", r#"{"\u0053tartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Gone"}}}"#);
    write("escaped.yaml", "\"\\x53tartAt\": A\nStates:\n  A:\n    Type: Pass\n    Next: Gone\n");
    // No such word and no escape: skipped, broken or not, as the parse would have.
    write("package-lock.json", r#"{"name": "app", "lockfileVersion": 3, "packages": {}}"#);
    write("tsconfig.json", r#"{"compilerOptions": {"strict": true"#);
    let walked = sfn_lint::discover::candidates(std::slice::from_ref(&dir), &Default::default()).unwrap();
    let report = sfn_lint::lint::run(&walked, None, std::slice::from_ref(&dir), &common::only(&["ASL001", "ASL003"]));
    let mut found: Vec<String> =
        report.findings.iter().map(|f| format!("{} {}", Path::new(&f.file).file_name().unwrap().to_string_lossy(), f.code)).collect();
    found.sort();
    assert_eq!(found, ["escaped.json ASL003", "escaped.yaml ASL003"]);
    assert_eq!((report.summary.files, report.summary.definitions, report.summary.skipped), (2, 2, 2));
    // Named on the command line, a broken file is read and its error reported.
    let named = common::lint(&[&dir.join("tsconfig.json")], &common::only(&["ASL001"]));
    assert_eq!(named.findings.iter().map(|f| f.code).collect::<Vec<_>>(), ["ASL001"]);
}

/// What the hosts find in every fixture and corpus file, the quick test finds possible: the
/// walk skips no file that holds a state machine.
#[test]
fn every_file_that_holds_a_state_machine_may_hold_one() {
    let mut folders = vec![common::root().join("testdata")];
    folders.extend(Some(common::root().join("../shared/corpus")).filter(|corpus| corpus.is_dir()));
    let mut checked = 0;
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            let Some(format) = sfn_lint::discover::format_of(&path, &text) else { continue };
            let Ok(root) = sfn_lint::syntax::parse(&text, format) else { continue };
            if !matches!(sfn_lint::host::contents(&path, &text, &root), sfn_lint::host::Contents::Nothing) {
                assert!(sfn_lint::host::may_hold_state_machine(&text), "{}", path.display());
                checked += 1;
            }
        }
    }
    assert!(checked > 250, "only {checked} files hold a state machine");
}

//! `cargo bench --bench lint`: sfn-lint's full lint against a baseline that only reads and
//! parses the same files with serde_json, on the same thread pool, in the same run; and
//! the growth from 1,000 to 10,000 states. Inputs are generated, the same every run.
//! `cargo bench --bench lint -- --generate DIR` only writes the inputs (for
//! `scripts/bench-peers.sh`); `-- --profile template` lints one input over and over.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod common;

use common::chain;
use rayon::prelude::*;
use sfn_lint::discover::{Candidate, Files};
use sfn_lint::lint::Options;

// The allocator the `sfn-lint` binary uses, for both the baseline and the lint.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// One small, realistic definition; `i` varies names, values and shape.
fn small(i: usize) -> String {
    let retry = if i % 3 == 0 { r#", "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}]"# } else { "" };
    format!(
        r##"{{
  "Comment": "Order pipeline {i}",
  "StartAt": "Validate",
  "States": {{
    "Validate": {{
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {{"FunctionName": "validate-{i}", "Payload": {{"order.$": "$", "executionId.$": "$$.Execution.Id"}}}},
      "ResultPath": "$.validation"{retry},
      "Next": "Route"
    }},
    "Route": {{
      "Type": "Choice",
      "Choices": [{{"Variable": "$.validation.Payload.ok", "BooleanEquals": true, "Next": "Record"}}],
      "Default": "Reject"
    }},
    "Record": {{
      "Type": "Task",
      "Resource": "arn:aws:states:::dynamodb:updateItem",
      "Parameters": {{
        "TableName": "orders-{i}",
        "Key": {{"pk": {{"S.$": "$.orderId"}}}},
        "UpdateExpression": "SET #s = :s ADD #n :one",
        "ExpressionAttributeNames": {{"#s": "status", "#n": "updates"}},
        "ExpressionAttributeValues": {{":s": {{"S": "RECORDED"}}, ":one": {{"N": "1"}}}}
      }},
      "Next": "Wait"
    }},
    "Wait": {{"Type": "Wait", "Seconds": {seconds}, "Next": "Notify"}},
    "Notify": {{
      "Type": "Task",
      "Resource": "arn:aws:states:::sqs:sendMessage",
      "Parameters": {{"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/orders-{i}.fifo", "MessageBody.$": "$", "MessageGroupId": "orders", "MessageDeduplicationId.$": "$$.Execution.Id"}},
      "End": true
    }},
    "Reject": {{"Type": "Fail", "Error": "Invalid", "Cause": "validation failed"}}
  }}
}}
"##,
        seconds = i % 50
    )
}

/// A ladder of Choices, each with a rung that is a Parallel holding a Map: 4 states a step.
fn ladder(n: usize) -> String {
    let steps = n / 4;
    let mut states = Vec::new();
    for i in 0..steps {
        let next = if i + 1 == steps { "Done".to_string() } else { format!("C{}", i + 1) };
        states.push(format!(
            r#""C{i}": {{"Type": "Choice", "Choices": [{{"Variable": "$.v", "NumericEquals": {i}, "Next": "P{i}"}}], "Default": "{next}"}}"#
        ));
        states.push(format!(
            r#""P{i}": {{"Type": "Parallel", "Next": "{next}", "Branches": [{{"StartAt": "M{i}", "States": {{"M{i}": {{"Type": "Map", "End": true,
               "ItemProcessor": {{"StartAt": "T{i}", "States": {{"T{i}": {{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "TimeoutSeconds": 1, "Parameters": {{"FunctionName": "f", "Payload.$": "$"}}, "End": true}}}}}}}}}}}}]}}"#
        ));
    }
    states.push(r#""Done": {"Type": "Succeed"}"#.to_string());
    format!(r#"{{"StartAt": "C0", "States": {{{}}}}}"#, states.join(",\n"))
}

/// A CloudFormation template with 100 state machines.
fn template() -> String {
    let resources: Vec<String> = (0..100)
        .map(|i| {
            let definition = small(i);
            format!(
                r#""Machine{i}": {{"Type": "AWS::StepFunctions::StateMachine", "Properties": {{"StateMachineType": "{}", "Definition": {definition}}}}}"#,
                if i % 2 == 0 { "EXPRESS" } else { "STANDARD" }
            )
        })
        .collect();
    format!(r#"{{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {{{}}}}}"#, resources.join(",\n"))
}

/// JSONata as Step Functions code writes it, cycled through the JSONata definitions.
const JSONATA: &[&str] = &[
    "$states.input.order.items[price > 10].{\"sku\": sku, \"total\": price * quantity}",
    "$sum($states.result.Payload.lines.amount)",
    "$states.input.customer ? $states.input.customer.id : $uuid()",
    "{\"id\": $states.context.Execution.Id, \"at\": $now(), \"n\": $count($states.input.items)}",
    "$replace($states.input.name, /[^a-z0-9]+/i, '-') ~> $lowercase()",
    "( $total := $sum($states.input.items.price); $total > 100 ? 'large' : 'small' )",
    "$map($states.input.records, function($r, $i) { $merge([$r, {\"index\": $i}]) })",
    "$states.errorOutput.Cause ~> $parse() ~> $string()",
    "$exists($states.input.retryCount) and $states.input.retryCount < 3",
    "$filter($states.input.events, function($e) { $e.type in ['created', 'updated'] })^(>timestamp)",
];

/// 100 Pass states with a JSONata `Output` each.
fn jsonata_definition(i: usize) -> String {
    let states: Vec<String> = (0..100)
        .map(|s| {
            let next = if s == 99 { r#""End": true"#.to_string() } else { format!(r#""Next": "S{}""#, s + 1) };
            let expr = JSONATA[(i + s) % JSONATA.len()];
            let value = serde_json::to_string(&format!("{{% {expr} %}}")).unwrap();
            format!(r#""S{s}": {{"Type": "Pass", "Output": {{"v{s}": {value}}}, {next}}}"#)
        })
        .collect();
    format!(r#"{{"QueryLanguage": "JSONata", "StartAt": "S0", "States": {{{}}}}}"#, states.join(", "))
}

fn generate(dir: &Path) -> Vec<(&'static str, Vec<PathBuf>)> {
    let _ = std::fs::remove_dir_all(dir);
    let write = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    };
    // Each input is a project of its own, as in a repository of its own: a definition
    // linted alone is looked for in the templates of its project, not of this one or of
    // the other inputs.
    for folder in ["small", "chain-1000", "chain-10000", "ladder-1000", "ladder-10000", "template", "jsonata"] {
        write(&format!("{folder}/sfn-lint.toml"), String::new());
    }
    let smalls = (0..1000).map(|i| write(&format!("small/order-{i:04}.asl.json"), small(i))).collect();
    vec![
        ("1,000 small definitions", smalls),
        ("chain, 1,000 states", vec![write("chain-1000/chain.asl.json", chain(1_000))]),
        ("chain, 10,000 states", vec![write("chain-10000/chain.asl.json", chain(10_000))]),
        ("ladder, 1,000 states", vec![write("ladder-1000/ladder.asl.json", ladder(1_000))]),
        ("ladder, 10,000 states", vec![write("ladder-10000/ladder.asl.json", ladder(10_000))]),
        ("template, 100 machines", vec![write("template/template.json", template())]),
        ("100 JSONata definitions", (0..100).map(|i| write(&format!("jsonata/flow-{i:03}.asl.json"), jsonata_definition(i))).collect()),
    ]
}

/// Reads and parses the files with serde_json, in parallel: the floor for any linter.
fn parse_only(paths: &[PathBuf]) -> usize {
    paths.par_iter().map(|p| serde_json::from_slice::<serde_json::Value>(&std::fs::read(p).unwrap()).map_or(0, |_| 1)).sum()
}

fn lint(paths: &[PathBuf]) -> usize {
    let candidates: Vec<Candidate> = paths.iter().map(|p| Candidate { path: p.clone(), named: true, link: false }).collect();
    sfn_lint::lint::run(&Files::named(candidates), None, &[], &Options::default()).findings.len()
}

/// Every file under `folder`, sorted.
fn files_under(folder: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut folders = vec![folder.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() { folders.push(path) } else { files.push(path) }
        }
    }
    files.sort();
    files
}

/// Whether each timed run follows an untimed run of the same work.
#[derive(Clone, Copy, PartialEq)]
enum Warm {
    /// No: a run starts from the caches the other work left (the table: a lint follows
    /// the baseline's parse of the same files).
    No,
    /// Yes: both start from caches their own input warmed. The growth needs this: after
    /// the baseline's parse, a small input is still in the caches but a large one is not.
    Each,
}

/// The medians of `rounds` timings of `first` and of `second`, after one warm-up each.
/// The two alternate within each round, so that the machine's load, which drifts on a
/// shared machine, weighs on both alike.
fn medians(rounds: usize, warm: Warm, mut first: impl FnMut() -> usize, mut second: impl FnMut() -> usize) -> (Duration, Duration) {
    std::hint::black_box((first(), second()));
    let time = |f: &mut dyn FnMut() -> usize| {
        if warm == Warm::Each {
            std::hint::black_box(f());
        }
        let start = Instant::now();
        std::hint::black_box(f());
        start.elapsed()
    };
    let (mut first_times, mut second_times): (Vec<Duration>, Vec<Duration>) =
        (0..rounds).map(|_| (time(&mut first), time(&mut second))).unzip();
    first_times.sort();
    second_times.sort();
    (first_times[rounds / 2], second_times[rounds / 2])
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--generate") {
        let dir = PathBuf::from(args.get(at + 1).expect("--generate DIR"));
        generate(&dir);
        println!("inputs written to {}", dir.display());
        return;
    }
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-inputs");
    let inputs = generate(&dir);
    // Real definitions, when the corpus is beside the repository: every JSON file of it,
    // as the table's inputs are measured.
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let corpus_files = if corpus.join("MANIFEST.tsv").is_file() { files_under(&corpus) } else { Vec::new() };
    let json: Vec<PathBuf> = corpus_files.iter().filter(|p| p.extension().is_some_and(|e| e == "json")).cloned().collect();
    // `-- --profile WORDS`: only the lint of the input whose name starts with WORDS
    // (`corpus` for the corpus's JSON files), 200 times, for a profiler.
    if let Some(at) = args.iter().position(|a| a == "--profile") {
        let wanted = args.get(at + 1).expect("--profile INPUT");
        let paths = match inputs.iter().find(|(name, _)| name.starts_with(wanted.as_str())) {
            Some((_, paths)) => paths,
            None if "corpus".starts_with(wanted.as_str()) && !json.is_empty() => &json,
            None => panic!("no input named {wanted}"),
        };
        (0..200).for_each(|_| {
            std::hint::black_box(lint(paths));
        });
        return;
    }
    println!("{} threads", rayon::current_num_threads());
    println!("{:<26} {:>14} {:>14} {:>8}", "input", "parse only", "sfn-lint", "ratio");
    for (name, paths) in &inputs {
        let (parse, full) = medians(31, Warm::No, || parse_only(paths), || lint(paths));
        println!("{name:<26} {:>12.2?} {:>14.2?} {:>7.2}×", parse, full, full.as_secs_f64() / parse.as_secs_f64());
    }
    if !json.is_empty() {
        let (parse, full) = medians(31, Warm::No, || parse_only(&json), || lint(&json));
        let name = format!("corpus, {} JSON files", json.len());
        println!("{name:<26} {:>12.2?} {:>14.2?} {:>7.2}×", parse, full, full.as_secs_f64() / parse.as_secs_f64());
    }
    // The JSONata parser's share: the 10,000 expressions of the JSONata definitions parsed
    // alone, against the lint of those definitions (which parses them too).
    let expressions: Vec<&str> = (0..100).flat_map(|i| (0..100).map(move |s| JSONATA[(i + s) % JSONATA.len()])).collect();
    let jsonata = &inputs.iter().find(|(name, _)| name.contains("JSONata")).unwrap().1;
    assert_eq!(parse_only(jsonata), jsonata.len(), "the JSONata definitions are JSON");
    assert!(expressions.iter().all(|e| sfn_lint::syntax::jsonata::check(e).is_ok()), "the expressions are valid");
    let (parse, full) =
        medians(31, Warm::Each, || expressions.iter().filter(|e| sfn_lint::syntax::jsonata::check(e).is_ok()).count(), || lint(jsonata));
    println!(
        "JSONata: {} expressions parsed in {parse:.2?} on one thread, {:.1}% of the {full:.2?} lint of their definitions",
        expressions.len(),
        100.0 * parse.as_secs_f64() / full.as_secs_f64()
    );
    // Against the real corpus, when it is beside the repository: what parsing 10,000
    // expressions costs next to a lint of all 1,500 files (which hold a few hundred).
    if !corpus_files.is_empty() {
        let files = &corpus_files;
        let (parse, corpus_lint) =
            medians(11, Warm::Each, || expressions.iter().filter(|e| sfn_lint::syntax::jsonata::check(e).is_ok()).count(), || lint(files));
        println!(
            "JSONata: the 10,000 expressions take {:.1}% of the {corpus_lint:.2?} lint of the corpus ({} files)",
            100.0 * parse.as_secs_f64() / corpus_lint.as_secs_f64(),
            files.len()
        );
    }
    let growth = |small: usize, large: usize, work: fn(&[PathBuf]) -> usize| {
        let (small, large) = medians(31, Warm::Each, || work(&inputs[small].1), || work(&inputs[large].1));
        large.as_secs_f64() / small.as_secs_f64()
    };
    println!(
        "growth from 1,000 to 10,000 states: chain {:.1}×, ladder {:.1}× (linear is 10×; parse only: {:.1}×, {:.1}×)",
        growth(1, 2, lint),
        growth(3, 4, lint),
        growth(1, 2, parse_only),
        growth(3, 4, parse_only)
    );
    // The human report draws each finding on its lines: its cost must follow the number of
    // findings, not their number times the length of the file.
    let reports: Vec<sfn_lint::report::Report> = [4_000, 16_000]
        .iter()
        .map(|&n| {
            let path = project_file(&dir, &format!("findings-{n}"), "misfits.asl.json", &misfits(n));
            let candidates = vec![Candidate { path, named: true, link: false }];
            let report = sfn_lint::lint::run(&Files::named(candidates), None, &[], &Options::default());
            assert_eq!(report.findings.len(), n, "one finding a state");
            report
        })
        .collect();
    let draw = |report: &sfn_lint::report::Report| {
        let style = sfn_lint::output::Style { color: false, quiet: false, width: None };
        let mut out = Vec::new();
        sfn_lint::output::write(report, sfn_lint::output::OutputFormat::Human, &style, &mut out).unwrap();
        out.len()
    };
    let (few, many) = medians(11, Warm::Each, || draw(&reports[0]), || draw(&reports[1]));
    println!(
        "human report of 4,000 and of 16,000 findings, one a state: {few:.2?} and {many:.2?}, {:.1}× (linear is 4×)",
        many.as_secs_f64() / few.as_secs_f64()
    );
    // What a file holds besides its states must cost in proportion too: suppressions, and
    // the state machines of one template.
    let scaled = |name: &str, slug: &str, file: &str, make: fn(usize) -> String| {
        let paths: Vec<PathBuf> = [500, 2_000].iter().map(|&n| project_file(&dir, &format!("{slug}-{n}"), file, &make(n))).collect();
        let (few, many) = medians(11, Warm::Each, || lint(&paths[..1]), || lint(&paths[1..]));
        println!("{name}, 500 and 2,000: {few:.2?} and {many:.2?}, {:.1}× (linear is 4×)", many.as_secs_f64() / few.as_secs_f64());
    };
    scaled("suppressed findings, one a state", "suppressed", "suppressed.asl.json", suppressed);
    scaled("state machines in one YAML template", "yaml-template", "template.yaml", yaml_template);
    scaled("state machines in one Terraform file", "terraform", "main.tf", terraform);
}

/// `n` Pass states, each with a field a Pass state cannot have and a `Comment` that
/// suppresses the finding, as `--add-suppressions` writes it.
fn suppressed(n: usize) -> String {
    misfits(n).replace("\"Type\": \"Pass\",", "\"Comment\": \"sfn-lint: ignore[ASL006]\",\n      \"Type\": \"Pass\",")
}

/// A CloudFormation YAML template with `n` Express machines, each sending to its own queue.
fn yaml_template(n: usize) -> String {
    let machines: String = (0..n)
        .map(|i| {
            format!(
                "  Machine{i}:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      StateMachineType: EXPRESS\n      Definition:\n        StartAt: Send\n        States:\n          Send:\n            Type: Task\n            Resource: arn:aws:states:::sqs:sendMessage\n            Parameters:\n              QueueUrl: !Ref Queue{i}\n              MessageBody.$: $\n            End: true\n  Queue{i}:\n    Type: AWS::SQS::Queue\n"
            )
        })
        .collect();
    format!("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n{machines}")
}

/// A Terraform file with `n` Express machines, each sending to its own queue.
fn terraform(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "resource \"aws_sfn_state_machine\" \"machine{i}\" {{\n  name = \"machine{i}\"\n  type = \"EXPRESS\"\n  definition = jsonencode({{\n    StartAt = \"Send\"\n    States = {{\n      Send = {{\n        Type = \"Task\"\n        Resource = \"arn:aws:states:::sqs:sendMessage\"\n        Parameters = {{ QueueUrl = aws_sqs_queue.queue{i}.url, \"MessageBody.$\" = \"$\" }}\n        End = true\n      }}\n    }}\n  }})\n}}\n\nresource \"aws_sqs_queue\" \"queue{i}\" {{\n  name = \"queue{i}\"\n}}\n\n"
            )
        })
        .collect()
}

/// Writes `text` as `file` in `folder` under `dir`, a project of its own (its folder holds
/// an `sfn-lint.toml`), and returns its path.
fn project_file(dir: &Path, folder: &str, file: &str, text: &str) -> PathBuf {
    let path = dir.join(folder).join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path.with_file_name("sfn-lint.toml"), "").unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

/// `n` Pass states on lines of their own, each with a field a Pass state cannot have.
fn misfits(n: usize) -> String {
    let states: Vec<String> = (0..n)
        .map(|i| {
            let next = if i + 1 == n { r#""End": true"#.to_string() } else { format!(r#""Next": "S{}""#, i + 1) };
            format!("    \"S{i}\": {{\n      \"Type\": \"Pass\",\n      \"Seconds\": {i},\n      {next}\n    }}")
        })
        .collect();
    format!("{{\n  \"StartAt\": \"S0\",\n  \"States\": {{\n{}\n  }}\n}}\n", states.join(",\n"))
}

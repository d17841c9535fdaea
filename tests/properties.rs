//! Random machines: linting never panics, and the report is sorted and identical whatever
//! the number of threads. A small deterministic generator keeps runs reproducible.

mod common;

use common::Rng;

use sfn_lint::output::OutputFormat;

const RESOURCES: &[&str] = &[
    "arn:aws:states:::lambda:invoke",
    "arn:aws:states:::dynamodb:updateItem",
    "arn:aws:states:::sqs:sendMessage",
    "arn:aws:states:::sns:publish",
    "arn:aws:states:::aws-sdk:sesv2:sendEmail",
    "arn:aws:states:::ecs:runTask.sync",
    "arn:aws:states:::states:startExecution",
    "arn:aws:states:::http:invoke",
    "not-an-arn",
    "${Placeholder}",
];
const VALUES: &[&str] =
    &["\"$\"", "\"$$.Execution.Id\"", "\"States.UUID()\"", "1e999", "-1", "null", "[]", "{}", "\"{% $now() %}\"", "\"ADD n :v\""];
const FIELDS: &[&str] =
    &["Payload.$", "QueueUrl", "UpdateExpression", "Name", "ClientToken", "InvocationType", "TopicArn", "Method", "Weird"];

fn value(rng: &mut Rng, depth: usize) -> String {
    match rng.below(if depth > 3 { 1 } else { 4 }) {
        0 => rng.pick(VALUES).to_string(),
        1 => format!("{{\"{}\": {}}}", rng.pick(FIELDS), value(rng, depth + 1)),
        2 => format!("[{}, {}]", value(rng, depth + 1), value(rng, depth + 1)),
        _ => format!("\"{}\"", rng.pick(RESOURCES)),
    }
}

fn states(rng: &mut Rng, prefix: &str, depth: usize) -> String {
    let n = 1 + rng.below(6);
    let name = |i: usize| format!("{prefix}{i}");
    let mut out = Vec::new();
    for i in 0..n {
        let next = if rng.below(4) == 0 {
            format!("\"Next\": \"{}\"", name(rng.below(n + 1)))
        } else if i + 1 < n {
            format!("\"Next\": \"{}\"", name(i + 1))
        } else {
            "\"End\": true".into()
        };
        let retry = if rng.below(3) == 0 { ", \"Retry\": [{\"ErrorEquals\": [\"States.ALL\"], \"MaxAttempts\": 3}]" } else { "" };
        let body = match rng.below(if depth > 2 { 5 } else { 7 }) {
            0 => format!("\"Type\": \"Task\", \"Resource\": \"{}\", \"Parameters\": {}{retry}, {next}", rng.pick(RESOURCES), value(rng, 0)),
            1 => format!("\"Type\": \"Pass\", \"Parameters\": {}, {next}", value(rng, 0)),
            2 => format!("\"Type\": \"Wait\", \"Seconds\": {}, {next}", rng.pick(&["5", "400", "1e999", "\"{% 3 %}\""])),
            3 => format!(
                "\"Type\": \"Choice\", \"Choices\": [{{\"Variable\": \"$.x\", \"IsPresent\": true, \"Next\": \"{}\"}}], \"Default\": \"{}\"",
                name(rng.below(n)),
                name(rng.below(n + 1))
            ),
            4 => rng.pick(&["\"Type\": \"Succeed\"", "\"Type\": \"Fail\"", "\"Type\": \"Nope\"", "\"Resource\": 5"]).to_string(),
            5 => {
                format!("\"Type\": \"Parallel\", \"Branches\": [{{{}}}]{retry}, {next}", machine(rng, &format!("{prefix}{i}b"), depth + 1))
            }
            _ => format!(
                "\"Type\": \"Map\", \"ItemProcessor\": {{\"ProcessorConfig\": {{\"Mode\": \"DISTRIBUTED\", \"ExecutionType\": \"EXPRESS\"}}, {}}}{retry}, {next}",
                machine(rng, &format!("{prefix}{i}m"), depth + 1)
            ),
        };
        out.push(format!("\"{}\": {{{body}}}", name(i)));
    }
    out.join(", ")
}

fn machine(rng: &mut Rng, prefix: &str, depth: usize) -> String {
    format!("\"StartAt\": \"{prefix}0\", \"States\": {{{}}}", states(rng, prefix, depth))
}

#[test]
fn random_machines_lint_the_same_on_any_thread_count() {
    let dir = common::scratch("properties");
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut paths = Vec::new();
    for i in 0..150 {
        let language = if rng.below(3) == 0 { "\"QueryLanguage\": \"JSONata\", " } else { "" };
        let path = dir.join(format!("m{i:03}.asl.json"));
        std::fs::write(&path, format!("{{{language}{}}}", machine(&mut rng, "S", 0))).unwrap();
        paths.push(path);
    }
    let refs: Vec<&std::path::Path> = paths.iter().map(|p| p.as_path()).collect();
    let lint_with = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| common::render(&common::lint(&refs, &Default::default()), OutputFormat::Json))
    };
    let one = lint_with(1);
    let two = lint_with(2);
    assert_eq!(one, two);
    let report: serde_json::Value = serde_json::from_str(&one).unwrap();
    let keys: Vec<(String, u64, String)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["file"].as_str().unwrap().into(), d["span"]["start"]["offset"].as_u64().unwrap(), d["code"].as_str().unwrap().into()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert!(keys.len() > 150, "the machines are varied enough to find things: {}", keys.len());
}

//! Hostile input: every file below gets a clear finding or is skipped, the run ends, and
//! every machine format stays one well-formed document. Large files are generated.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

/// Runs the binary in `dir`, failing the test if it does not end within the limit.
fn run(dir: &Path, args: &[&str]) -> (Option<i32>, Vec<u8>) {
    let out = dir.join(format!("out-{}.txt", args.join("_").replace(['/', '.'], "_")));
    let mut child = Command::new(env!("CARGO_BIN_EXE_sfn-lint"))
        .args(args)
        .arg("--output")
        .arg(&out)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let status = common::wait_within(&mut child, Duration::from_secs(60), &format!("sfn-lint {args:?}"));
    let bytes = std::fs::read(&out).unwrap_or_default();
    let _ = std::fs::remove_file(&out);
    (status.code(), bytes)
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

#[test]
fn hostile_files_are_findings_and_the_run_goes_on() {
    let dir = common::scratch("adversarial");
    let input = dir.join("input");
    std::fs::create_dir_all(&input).unwrap();
    let file = |name: &str, bytes: &[u8]| write(&input, name, bytes);
    file("utf16.asl.json", b"\xff\xfe{\x00\"\x00");
    file("bom.asl.json", b"\xef\xbb\xbf{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"End\":true}}}");
    file("crlf.asl.yaml", b"StartAt: A\r\nStates:\r\n  A:\r\n    Type: Pass\r\n    Next: B\r\n");
    file("binary.asl.json", &(0..3000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect::<Vec<u8>>());
    file("invalid-utf8.asl.yaml", b"StartAt: \xc3\x28\nStates: {}\n");
    file("empty.asl.json", b"");
    file("truncated.asl.json", br#"{"StartAt":"A","Sta"#);
    file("deep.asl.json", "[".repeat(100_000).as_bytes());
    file("deep.asl.yaml", "[".repeat(100_000).as_bytes());
    let mut parallel = r#"{"StartAt":"X","States":{"X":{"Type":"Pass","End":true}}}"#.to_string();
    for i in 0..1000 {
        parallel = format!(r#"{{"StartAt":"P{i}","States":{{"P{i}":{{"Type":"Parallel","End":true,"Branches":[{parallel}]}}}}}}"#);
    }
    file("parallel-1000-deep.asl.json", parallel.as_bytes());
    file(
        "numbers.asl.json",
        br#"{"StartAt":"A","States":{"A":{"Type":"Wait","Seconds":1e999,"Next":"B"},"B":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","TimeoutSeconds":-0,"Retry":[{"ErrorEquals":["States.ALL"],"MaxAttempts":18446744073709551616,"IntervalSeconds":0}],"End":true}}}"#,
    );
    file("names.asl.json", br#"{"StartAt":"A\u001b[31m::x\ny,%","States":{"A\u001b[31m::x\ny,%":{"Type":"Pass","Next":"B\u0007\u202e"}}}"#);
    let states: Vec<String> = (0..100_000).map(|i| format!(r#""S{i}":{{"Type":"Pass","Next":"S{}"}}"#, i + 1)).collect();
    file("huge.asl.json", format!(r#"{{"StartAt":"S0","States":{{{},"S100000":{{"Type":"Succeed"}}}}}}"#, states.join(",")).as_bytes());
    let billion = "a: &a [x, x, x, x, x, x, x, x, x, x]\n".to_string()
        + &(1..10)
            .map(|i| format!("a{i}: &a{i} [{}]\n", vec![if i == 1 { "*a".to_string() } else { format!("*a{}", i - 1) }; 10].join(", ")))
            .collect::<String>()
        + "StartAt: A\nStates: {}\n";
    file("laughs.asl.yaml", billion.as_bytes());
    std::fs::create_dir_all(input.join("dir.asl.json")).unwrap();
    #[cfg(unix)]
    {
        assert!(Command::new("mkfifo").arg(input.join("fifo.asl.json")).status().unwrap().success());
        let _socket = std::os::unix::net::UnixListener::bind(input.join("socket.asl.json")).unwrap();
        std::os::unix::fs::symlink("loop-b", input.join("loop-a.asl.json")).unwrap();
        std::os::unix::fs::symlink("loop-a.asl.json", input.join("loop-b")).unwrap();
    }

    for format in ["json", "sarif", "gitlab"] {
        let (code, bytes) = run(&dir, &["check", "--format", format, "input"]);
        assert_eq!(code, Some(1), "{format}");
        serde_json::from_slice::<Value>(&bytes).unwrap_or_else(|e| panic!("{format}: not one JSON document: {e}"));
    }
    let (_, bytes) = run(&dir, &["check", "--format", "json", "input"]);
    let report: Value = serde_json::from_slice(&bytes).unwrap();
    let diagnostics = report["diagnostics"].as_array().unwrap();
    let asl001 = |name: &str| {
        diagnostics
            .iter()
            .find(|d| d["code"] == "ASL001" && d["file"] == format!("input/{name}"))
            .map(|d| d["message"].as_str().unwrap().to_string())
    };
    assert_eq!(asl001("utf16.asl.json").as_deref(), Some("the file is UTF-16; save it as UTF-8"));
    assert!(asl001("binary.asl.json").unwrap().starts_with("the file is not valid UTF-8"));
    assert!(asl001("invalid-utf8.asl.yaml").unwrap().starts_with("the file is not valid UTF-8"));
    assert_eq!(asl001("empty.asl.json").as_deref(), Some("the file is empty"));
    assert_eq!(asl001("truncated.asl.json").as_deref(), Some("unterminated string"));
    for deep in ["deep.asl.json", "deep.asl.yaml", "parallel-1000-deep.asl.json"] {
        assert_eq!(asl001(deep).as_deref(), Some("nesting is deeper than 256 levels"), "{deep}");
    }
    assert!(asl001("laughs.asl.yaml").unwrap().contains("more than 1000000 nodes"));
    for parsed in ["bom.asl.json", "crlf.asl.yaml", "numbers.asl.json", "names.asl.json", "huge.asl.json"] {
        assert_eq!(asl001(parsed), None, "{parsed} parses");
    }
    // Out-of-range numbers are ASL006/ASL008 findings, and bound nothing.
    let codes_of = |name: &str| -> Vec<&str> {
        diagnostics.iter().filter(|d| d["file"] == format!("input/{name}")).map(|d| d["code"].as_str().unwrap()).collect()
    };
    let numbers = codes_of("numbers.asl.json");
    assert!(numbers.contains(&"ASL006") && numbers.contains(&"ASL008") && !numbers.contains(&"EXP002"), "{numbers:?}");
    // FIFOs, sockets, folders named like definitions and link loops are never opened.
    for skipped in ["fifo.asl.json", "socket.asl.json", "dir.asl.json", "loop-a.asl.json"] {
        assert!(codes_of(skipped).is_empty(), "{skipped}");
    }
    // 100,000 states lint, to one finding: the definition is over Step Functions' 1 MB
    // (without side effects, an unknown type is no finding). The CRLF file's finding is on
    // the right line.
    let huge: Vec<&str> =
        diagnostics.iter().filter(|d| d["file"] == "input/huge.asl.json").map(|d| d["message"].as_str().unwrap()).collect();
    assert!(matches!(huge.as_slice(), [only] if only.starts_with("the definition is ")), "{huge:?}");
    let crlf = diagnostics.iter().find(|d| d["file"] == "input/crlf.asl.yaml" && d["code"] == "ASL003").unwrap();
    assert_eq!((crlf["span"]["start"]["line"].as_u64(), crlf["span"]["start"]["column"].as_u64()), (Some(5), Some(11)));

    // Terminal formats never carry control characters from the file.
    for format in ["human", "concise", "github"] {
        let (_, bytes) = run(&dir, &["check", "--format", format, "--color", "never", "input/names.asl.json"]);
        let text = String::from_utf8(bytes).unwrap();
        assert!(!text.contains(['\u{1b}', '\u{7}', '\u{202e}']), "{format}: {text}");
        if format == "github" {
            assert!(text.lines().all(|l| l.starts_with("::")), "{text}");
        }
    }
}

#[test]
fn a_file_deleted_after_the_walk_is_reported_not_fatal() {
    let dir = common::scratch("deleted");
    let path = dir.join("gone.asl.json");
    let report = sfn_lint::lint::run(
        &sfn_lint::discover::Files::named(vec![sfn_lint::discover::Candidate { path, named: false, link: false }]),
        None,
        &[],
        &sfn_lint::lint::Options::default(),
    );
    assert_eq!(report.findings.len(), 1);
    assert_eq!(report.findings[0].code, "ASL001");
    assert!(report.findings[0].message.starts_with("cannot read the file"));
}

/// Inputs the fuzz targets (`fuzz/`) once crashed on, replayed the way each target runs.
/// A tag followed directly by `,` in a flow collection makes the YAML parser give up (a
/// fuzzer found it): a finding at the tag, and nothing printed about a panic.
#[test]
fn yaml_parser_failure_is_a_finding_at_its_cause() {
    let dir = common::scratch("tag-before-comma");
    std::fs::write(
        dir.join("template.yaml"),
        "Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      Definition: {a: [!Tag, true]}\n",
    )
    .unwrap();
    let output = common::sfn_lint_in(&dir, &["check", "--format", "json", "template.yaml"], None);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stderr.is_empty(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let finding = &report["diagnostics"][0];
    assert_eq!(finding["code"], "ASL001");
    assert!(finding["message"].as_str().unwrap().contains("tag followed directly by `,`"), "{finding}");
    assert_eq!((finding["span"]["start"]["line"].as_u64(), finding["span"]["start"]["column"].as_u64()), (Some(5), Some(28)));
}

#[test]
fn fuzz_findings_stay_fixed() {
    // As in fuzz/fuzz_targets/template_hosts.rs: the first byte picks the file name.
    const TEMPLATE_NAMES: [&str; 6] =
        ["template.yaml", "template.json", "serverless.yml", "main.tf", "cdk.out/Stack.template.json", "template.yml"];
    let mut replayed = 0;
    for target in std::fs::read_dir("testdata/fuzz").unwrap() {
        let target = target.unwrap().path();
        for case in std::fs::read_dir(&target).unwrap() {
            let case = case.unwrap().path();
            let bytes = std::fs::read(&case).unwrap();
            let (name, bytes) = match target.file_name().unwrap().to_str().unwrap() {
                "json_host" => ("fuzz.asl.json", bytes.as_slice()),
                "yaml_host" => ("fuzz.asl.yaml", bytes.as_slice()),
                "template_hosts" => (TEMPLATE_NAMES[bytes[0] as usize % TEMPLATE_NAMES.len()], &bytes[1..]),
                other => panic!("no replay for fuzz target {other}"),
            };
            let stdin = sfn_lint::lint::Stdin { name: Some(name.into()), bytes: bytes.to_vec() };
            let report = sfn_lint::lint::run(&Default::default(), Some(stdin), &[], &sfn_lint::lint::Options::default());
            let json = common::render(&report, sfn_lint::output::OutputFormat::Json);
            serde_json::from_str::<Value>(&json).unwrap_or_else(|e| panic!("{}: {e}", case.display()));
            replayed += 1;
        }
    }
    assert!(replayed > 0, "testdata/fuzz holds the crash inputs");
}

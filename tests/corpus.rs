//! The real-world corpus in `../shared/corpus`: every file lints without a panic, every
//! report is one valid JSON document, and every file known not to parse gets ASL001.
//! Skipped, with a message, when the corpus is not there, unless `SFN_LINT_REQUIRE_CORPUS`
//! is set (a run that means to test the corpus then fails instead of passing unseen).

mod common;

use std::path::PathBuf;
use std::time::Duration;

use sfn_lint::lint::Options;
use sfn_lint::output::OutputFormat;

fn corpus() -> Option<PathBuf> {
    let dir = common::root().join("../shared/corpus");
    if dir.join("FEATURES.tsv").is_file() {
        Some(dir)
    } else {
        let required = std::env::var_os("SFN_LINT_REQUIRE_CORPUS").is_some_and(|v| !v.is_empty());
        assert!(!required, "SFN_LINT_REQUIRE_CORPUS is set and there is no corpus at {}", dir.display());
        eprintln!("skipping: no corpus at {}", dir.display());
        None
    }
}

fn files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if !matches!(path.extension().and_then(|e| e.to_str()), Some("tsv" | "md")) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_corpus_file_lints_to_one_json_document() {
    let Some(dir) = corpus() else { return };
    let all = files(&dir);
    assert!(all.len() > 1000, "{} files", all.len());
    let parse_errors: Vec<String> = std::fs::read_to_string(dir.join("FEATURES.tsv"))
        .unwrap()
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once('\t'))
        .filter(|(_, tags)| tags.split(',').any(|t| t == "parse-error"))
        .map(|(path, _)| path.to_string())
        .collect();
    assert!(!parse_errors.is_empty());
    for path in &all {
        let report = common::lint(&[path], &Options::default());
        let rendered = common::render(&report, OutputFormat::Json);
        let value: serde_json::Value = serde_json::from_str(&rendered).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(value["diagnostics"].is_array());
        let relative = path.strip_prefix(&dir).unwrap().to_string_lossy().into_owned();
        if parse_errors.contains(&relative) {
            assert!(report.findings.iter().any(|f| f.code == "ASL001"), "{relative} should get ASL001");
        }
    }
}

/// The whole corpus through the binary at once: it ends, exits 0 or 1, prints valid JSON.
#[test]
fn the_binary_lints_the_whole_corpus() {
    let Some(dir) = corpus() else { return };
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sfn-lint"))
        .args(["check", "--format", "json", "--output"])
        .arg(std::env::temp_dir().join(format!("sfn-lint-corpus-{}.json", std::process::id())))
        .arg(&dir)
        .spawn()
        .unwrap();
    let status = common::wait_within(&mut child, Duration::from_secs(300), "linting the corpus");
    assert!(matches!(status.code(), Some(0 | 1)), "{status}");
    let report = std::env::temp_dir().join(format!("sfn-lint-corpus-{}.json", std::process::id()));
    let value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    std::fs::remove_file(report).unwrap();
    assert!(value["summary"]["definitions"].as_u64().unwrap() > 500);
}

/// The state machines a template declares, counted from its text: resource `Type` lines,
/// `resource "aws_sfn_state_machine"` blocks and Step Functions module sources.
fn declared_machines(text: &str) -> usize {
    text.lines()
        .filter(|line| {
            let line = line.split(" #").next().unwrap_or_default().trim().trim_end_matches(',');
            let value = line.strip_prefix("\"Type\":").or_else(|| line.strip_prefix("Type:")).map(|v| v.trim().trim_matches(['"', '\'']));
            matches!(value, Some("AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine"))
                || line.starts_with("resource \"aws_sfn_state_machine\"")
                || (line.starts_with("source") && line.contains("step-functions"))
        })
        .count()
}

/// Whether a Serverless file's `stateMachines:` has an entry: the next line that is neither
/// blank nor a comment is indented deeper.
fn declares_state_machines(text: &str) -> bool {
    let mut lines = text.lines().skip_while(|line| !line.trim_start().starts_with("stateMachines:"));
    let Some(header) = lines.next() else { return false };
    let indent = |line: &str| line.len() - line.trim_start().len();
    lines.find(|line| !line.trim().is_empty() && !line.trim_start().starts_with('#')).is_some_and(|next| indent(next) > indent(header))
}

#[test]
fn every_state_machine_in_the_corpus_templates_is_found() {
    let Some(dir) = corpus() else { return };
    let mut found_total = 0;
    for folder in ["cfn", "serverless", "terraform"] {
        for path in files(&dir.join(folder)) {
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            let found = if path.extension().is_some_and(|e| e == "tf") {
                sfn_lint::host::parse_terraform(&path, &text).map(|machines| machines.len()).ok()
            } else {
                let Some(format) = sfn_lint::discover::format_of(&path, &text) else { continue };
                sfn_lint::syntax::parse(&text, format).ok().map(|root| match sfn_lint::host::contents(&path, &text, &root) {
                    sfn_lint::host::Contents::Template(machines) => machines.len(),
                    _ => 0,
                })
            };
            // Files that do not parse (Jinja markup) get ASL001 instead: checked above.
            let Some(found) = found else { continue };
            // A Serverless service is known by its name or by its `stepFunctions` section.
            if path.file_name().is_some_and(|n| n.to_string_lossy().starts_with("serverless")) || text.contains("stepFunctions:") {
                let declares = declares_state_machines(&text);
                assert_eq!(found > 0, declares, "{}", path.display());
                continue;
            }
            assert_eq!(found, declared_machines(&text), "{}", path.display());
            found_total += found;
        }
    }
    assert!(found_total > 250, "only {found_total} state machines found in the corpus templates");
}

/// The corpus's repositories laid out as their authors have them (templates beside the
/// definitions they name), as `rebuild.py` does: `DEST/<owner--repo>/<source path>`. Returns
/// each copied file's relative path with the `express` column of `MANIFEST.tsv`.
fn rebuild(corpus: &std::path::Path, dest: &std::path::Path) -> Vec<(String, String)> {
    let manifest = std::fs::read_to_string(corpus.join("MANIFEST.tsv")).unwrap();
    let mut files = Vec::new();
    for line in manifest.lines().skip(1) {
        let columns: Vec<&str> = line.split('\t').collect();
        let [corpus_path, repo, source_path, _, _, express] = columns[..] else { continue };
        if corpus_path.starts_with("peer-tests/") {
            continue;
        }
        let relative = format!("{}/{source_path}", repo.replace('/', "--"));
        let target = dest.join(&relative);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(corpus.join(corpus_path), &target).unwrap();
        files.push((relative, express.to_string()));
    }
    files
}

/// Precision on real repositories: where a definition's own repository declares it
/// Standard, no finding says it is Express. (The child executions of a Distributed Map with
/// `ExecutionType: EXPRESS` are Express executions in any parent: those findings stand.)
#[test]
fn standard_sources_get_no_express_findings() {
    let Some(corpus) = corpus() else { return };
    let dest = std::env::temp_dir().join(format!("sfn-lint-rebuilt-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dest);
    let files = rebuild(&corpus, &dest);
    assert!(files.len() > 600, "{} files", files.len());
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_sfn-lint"))
        .args(["check", "--no-config", "--format", "json", "--fail-on", "never", "."])
        .current_dir(&dest)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    std::fs::remove_dir_all(&dest).unwrap();
    let standard: std::collections::BTreeSet<&str> = files.iter().filter(|(_, express)| express == "no").map(|(f, _)| f.as_str()).collect();
    let mut wrong = Vec::new();
    let mut standard_findings = 0;
    for finding in report["diagnostics"].as_array().unwrap() {
        let (code, file, message) =
            (finding["code"].as_str().unwrap(), finding["file"].as_str().unwrap(), finding["message"].as_str().unwrap());
        if !standard.contains(file) || !(code.starts_with("EXP") || code.starts_with("ALO")) {
            continue;
        }
        standard_findings += 1;
        let express_children = message.contains("child executions of the Distributed Map");
        // ALO011 says the type is unknown, not that it is Express.
        let says_express = message.contains("Express workflow");
        if (code.starts_with("EXP") || says_express) && !express_children {
            wrong.push(format!("{file}: {code} {message}"));
        }
    }
    assert!(standard_findings > 20, "only {standard_findings} findings on Standard sources: the check would prove nothing");
    assert!(wrong.is_empty(), "{} findings say Express where the source is Standard:\n{}", wrong.len(), wrong.join("\n"));
}

/// A definition named alone on the command line (a pre-commit hook) gets the findings the
/// folder run gives it: the same template, type and resources. Every seventh definition of
/// the rebuilt corpus, whose repositories have no `.git` here.
#[test]
fn definitions_linted_alone_match_the_folder_run() {
    let Some(corpus) = corpus() else { return };
    let dest = std::env::temp_dir().join(format!("sfn-lint-rebuilt-alone-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dest);
    let files = rebuild(&corpus, &dest);
    let run = |target: &str| -> serde_json::Value {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_sfn-lint"))
            .args(["check", "--no-config", "--format", "json", "--fail-on", "never", target])
            .current_dir(&dest)
            .output()
            .unwrap();
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let findings_of = |report: &serde_json::Value, file: &str| -> Vec<String> {
        let mut found: Vec<String> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["file"] == file)
            .map(|d| format!("{}:{} {}", d["code"], d["span"]["start"]["line"], d["message"]))
            .collect();
        found.sort();
        found
    };
    let whole = run(".");
    let mut compared = 0;
    let mut differ = Vec::new();
    for (file, _) in files.iter().step_by(7) {
        let whole_findings = findings_of(&whole, file);
        let alone = findings_of(&run(file), file);
        if alone != whole_findings {
            differ.push(format!("{file}:\n  alone:  {alone:?}\n  folder: {whole_findings:?}"));
        }
        compared += 1;
    }
    std::fs::remove_dir_all(&dest).unwrap();
    assert!(compared > 80, "only {compared} definitions compared");
    assert!(differ.is_empty(), "{} of {compared} differ:\n{}", differ.len(), differ.join("\n"));
}

/// Lints `files` with the JSON format and `args`, and returns each file's findings (by file
/// name) as "CODE message".
fn findings_by_file(
    args: &[&str],
    files: impl IntoIterator<Item = impl AsRef<std::ffi::OsStr>>,
) -> std::collections::BTreeMap<String, Vec<String>> {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_sfn-lint"))
        .args(["check", "--no-config", "--format", "json", "--fail-on", "never"])
        .args(args)
        .args(files)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut found: std::collections::BTreeMap<String, Vec<String>> = std::collections::BTreeMap::new();
    for d in report["diagnostics"].as_array().unwrap() {
        let file = std::path::Path::new(d["file"].as_str().unwrap()).file_name().unwrap().to_string_lossy().into_owned();
        found.entry(file).or_default().push(format!("{} {}", d["code"].as_str().unwrap(), d["message"].as_str().unwrap()));
    }
    found
}

/// sfn-lint agrees with the peers' own suites on which definitions are valid: asl-validator's
/// `valid-*` and `invalid-*` files, statelint's with their expected problem counts, and
/// statelint-python's, valid unless named `invalid*`. A
/// valid file may draw no finding but ASL012 (these suites use placeholder resources such as
/// `arn:aws:swf:...:task:X`); an invalid one must draw some finding. Every disagreement is
/// listed below with the reason sfn-lint is right, and together they stay under 5%.
#[test]
fn peer_suites_agree_on_validity() {
    let Some(corpus) = corpus() else { return };
    let peers = corpus.join("peer-tests");
    let mut cases: Vec<(std::path::PathBuf, bool)> = std::fs::read_dir(peers.join("asl-validator/src/__tests__/definitions"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let valid = if name.starts_with("valid-") { true } else { name.starts_with("invalid-").then_some(false)? };
            Some((path, valid))
        })
        .collect();
    let expected: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(peers.join("statelint/expected-problems.json")).unwrap()).unwrap();
    cases.extend(expected.iter().map(|(name, problems)| (peers.join("statelint/test").join(name), problems.as_u64() == Some(0))));
    // statelint-python labels its files by name.
    for entry in std::fs::read_dir(peers.join("statelint-python/tests/data")).unwrap() {
        let path = entry.unwrap().path();
        let valid = !path.file_name().unwrap().to_string_lossy().starts_with("invalid");
        cases.push((path, valid));
    }
    assert!(cases.len() > 185, "{} files", cases.len());
    // ASL013 warns of a failure at run time in a definition that AWS accepts, which is not
    // what the suites judge (asl-validator's valid-fail-paths.json reads `$field2`).
    let codes = findings_by_file(&["--select", "ASL", "--ignore", "ASL013"], cases.iter().map(|(path, _)| path));
    // Where the peer is wrong, and why.
    let peer_wrong: &[(&str, &str)] = &[
        // Step Functions takes identifiers as variable names (a letter or `_`, then letters,
        // digits and `_`); asl-validator does not check them.
        ("valid-assign.asl.json", "ASL006 `top-level` is not a variable name"),
        // `Credentials` names the role to assume in `RoleArn` (or `RoleArn.$`); both peers
        // treat it as an open template (`{"flag": true, ...}`, `{"roleArn": ...}`).
        ("valid-task-credentials.json", "ASL006 `Credentials` must give the `RoleArn`"),
        ("task-with-credentials.json", "ASL006 `Credentials` must give the `RoleArn`"),
        // `{%10%}` and `{% \n10 %}` are whole JSONata expressions: the spaces inside `{% %}`
        // are JSONata's whitespace, which the reference parser skips.
        ("invalid-jsonata-surround-syntax-no-spaces.json", ""),
        ("invalid-json-surround-syntax-extra-spaces.json", ""),
        // `"10 %}"` does not start with `{%`, so Step Functions reads it as a literal string.
        ("invalid-jsonata-surround-syntax-no-open.json", ""),
    ];
    let mut disagreements = Vec::new();
    for (path, valid) in &cases {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let found = codes.get(&file).map(Vec::as_slice).unwrap_or_default();
        let structural: Vec<&String> = found.iter().filter(|f| !f.starts_with("ASL012")).collect();
        let agrees = if *valid { structural.is_empty() } else { !found.is_empty() };
        if !agrees {
            let explained = peer_wrong.iter().any(|&(name, finding)| {
                name == file && (structural.iter().all(|f| f.starts_with(finding)) && (*valid || found.is_empty()))
            });
            disagreements.push((file, *valid, found.to_vec(), explained));
        }
    }
    let unexplained: Vec<_> = disagreements.iter().filter(|d| !d.3).collect();
    assert!(unexplained.is_empty(), "disagreements with the peers that no reason explains: {unexplained:#?}");
    let listed: Vec<&str> = peer_wrong.iter().map(|&(name, _)| name).collect();
    let seen: Vec<&str> = disagreements.iter().map(|d| d.0.as_str()).collect();
    assert!(listed.iter().all(|name| seen.contains(name)), "a listed disagreement no longer happens: {listed:?} vs {seen:?}");
    let agreement = 1.0 - disagreements.len() as f64 / cases.len() as f64;
    assert!(agreement >= 0.95, "agreement {agreement:.3} over {} files", cases.len());
}

/// Every JSONata definition of the real corpus parses, and draws only the structural findings
/// read by hand below: none is an ASL007 (the JSONata parser accepts every expression), and
/// each of the others is true of the file as its authors committed it.
#[test]
fn real_jsonata_definitions_draw_only_true_findings() {
    let Some(corpus) = corpus() else { return };
    let files: Vec<PathBuf> = ["asl", "cfn", "serverless", "terraform"]
        .iter()
        .flat_map(|dir| files(&corpus.join(dir)))
        .filter(|path| std::fs::read_to_string(path).is_ok_and(|text| text.contains("JSONata")))
        .collect();
    assert!(files.len() >= 20, "{} JSONata files", files.len());
    // Each file's codes, sorted.
    let found: std::collections::BTreeMap<String, Vec<String>> = findings_by_file(&["--select", "ASL"], &files)
        .into_iter()
        .map(|(file, findings)| {
            let mut codes: Vec<String> = findings.iter().map(|f| f[..f.find(' ').unwrap_or(f.len())].to_string()).collect();
            codes.sort();
            (file, codes)
        })
        .collect();
    let expected: &[(&str, &[&str])] = &[
        // `"QueryLanguage": "JSONata"` sits inside `States`, so it is a state and every
        // state is JSONPath: its `Arguments`, `Output` and catchers' `Output` are misplaced.
        (
            "shared-fallback-state-jsonata__statemachine__statemachine.asl.json",
            &["ASL004", "ASL006", "ASL006", "ASL006", "ASL006", "ASL006", "ASL006", "ASL006", "ASL008", "ASL008", "ASL008"],
        ),
        // A Map that says `"Mode": "INLINE"` with a Distributed Map's `Label`.
        ("stacks__tools__batch_processor_state_machine_jsonata.json", &["ASL006"]),
        // Templates that a script fills in before deploying: Choice rules naming states it
        // adds, `"Choices": "DYNAMIC_ROUTING_CHOICES"`, `"Items": "TOOL_NAMES_LIST"`, an
        // empty Choice rule.
        ("step-functions__agent-with-tools-flow-template.json", &["ASL003", "ASL003", "ASL003"]),
        ("step-functions__dynamic-agent-template.json", &["ASL006", "ASL006"]),
        ("step-functions__dynamic-sql-agent-template.json", &["ASL006"]),
        ("step-functions__supervisor-agent-flow-template.json", &["ASL006", "ASL006"]),
        // `Arguments` on a Map state, which takes `Items` and `ItemSelector` instead.
        ("step-functions__supervisor-with-agentcore.json", &["ASL006"]),
    ];
    let expected: std::collections::BTreeMap<String, Vec<String>> =
        expected.iter().map(|(file, codes)| (file.to_string(), codes.iter().map(|c| c.to_string()).collect())).collect();
    assert_eq!(found, expected);
}

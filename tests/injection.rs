//! File content never reaches a text format raw: a state name or value holding a line
//! break, a Unicode line separator or a bidirectional control cannot start a line of its
//! own (a second finding, or a GitHub workflow command in a CI log) or reorder one.

mod common;

use common::{Rng, sfn_lint_in, stdout};

/// A definition whose state names and `Next` values carry what a log would read as syntax.
fn hostile(text: &str) -> String {
    let name = serde_json::to_string(text).unwrap();
    format!(
        r#"{{"StartAt": "A", "States": {{"A": {{"Type": "Pass", "Next": {name}}}, {name}: {{"Type": "Pass", "Next": "nowhere{}"}}}}}}"#,
        &name[1..name.len() - 1]
    )
}

const PAYLOADS: &[&str] = &[
    "x\n::error file=evil::pwned",
    "x\r::error file=evil::pwned",
    "x\u{2028}::error::line separator",
    "x\u{2029}::error::paragraph separator",
    "x\u{85}::error::next line",
    "x\u{202e}desrever",
    "x\u{2067}isolate\u{2069}",
    "x\u{200f}mark",
];

/// What each line of a text format may start with: a finding, a snippet's gutter or
/// label, a help line, the summary.
fn known_line(line: &str, format: &str) -> bool {
    match format {
        "concise" => line.starts_with("x.asl.json:") || line.contains(" in 1 file"),
        _ => {
            line.is_empty()
                || ["error[", "warning[", "note[", "info[", "  ", "x.asl.json:"].iter().any(|p| line.starts_with(p))
                || line.chars().next().is_some_and(|c| c.is_ascii_digit() || c == '=' || c == '│' || c == '·')
                || line.contains(" in 1 file")
        }
    }
}

#[test]
fn no_text_format_prints_a_line_break_or_bidi_control_from_the_file() {
    let dir = common::scratch("injection");
    for payload in PAYLOADS {
        let input = hostile(payload);
        for format in ["human", "concise"] {
            let args = ["check", "-", "--stdin-filename", "x.asl.json", "--format", format, "--color", "never"];
            let output = sfn_lint_in(&dir, &args, Some(input.as_bytes()));
            let text = stdout(&output);
            assert!(text.contains("ASL003"), "{payload:?} {format}: the bad `Next` is reported\n{text}");
            for line in text.strip_suffix('\n').unwrap_or(&text).split(['\n', '\r', '\u{2028}', '\u{2029}', '\u{85}']) {
                assert!(!line.starts_with("::"), "{payload:?} {format}: a line starts a workflow command:\n{text}");
                assert!(known_line(line, format), "{payload:?} {format}: unexpected line {line:?} in\n{text}");
            }
            let bidi = |c: char| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}');
            assert!(!text.chars().any(bidi), "{payload:?} {format}: a bidirectional control reaches the terminal\n{text}");
        }
        let output = sfn_lint_in(&dir, &["check", "-", "--stdin-filename", "x.asl.json", "--format", "github"], Some(input.as_bytes()));
        let text = stdout(&output);
        let findings = text.lines().filter(|l| l.starts_with("::")).count();
        assert!(findings >= 1, "{payload:?}: {text}");
        assert_eq!(text.lines().count(), findings, "{payload:?}: one workflow command per line, nothing else\n{text}");
        for other in ['\r', '\u{2028}', '\u{2029}', '\u{85}'] {
            assert!(!text.contains(other), "{payload:?}: github output holds {other:?}\n{text}");
        }
    }
}

/// A string of what logs and terminals read as syntax, and ordinary text.
fn random_hostile(rng: &mut Rng) -> String {
    const PIECES: &[&str] = &[
        "\n",
        "\r",
        "\r\n",
        "\t",
        "\u{0}",
        "\u{7}",
        "\u{1b}[31m",
        "\u{85}",
        "\u{2028}",
        "\u{2029}",
        "\u{202e}",
        "\u{2066}",
        "\u{2069}",
        "\u{200e}",
        "\u{200f}",
        "\u{61c}",
        "::",
        "::error file=x::",
        "::warning::",
        "%",
        "%0A",
        ",",
        ":",
        "\"",
        "\\",
        " ",
        "a",
        "é",
        "😀",
        "日本",
        "=",
        "##[error]",
    ];
    (0..1 + rng.below(8)).map(|_| rng.pick(PIECES)).collect()
}

#[test]
fn random_names_and_values_never_break_a_line_of_any_text_format() {
    use sfn_lint::lint::{self, Options, Stdin};
    use sfn_lint::output::{self, OutputFormat, Style};
    let mut rng = Rng(0x5eed_cafe_f00d_1234);
    for case in 0..300 {
        let (a, b, c) = (random_hostile(&mut rng), random_hostile(&mut rng), random_hostile(&mut rng));
        let json = |s: &str| serde_json::to_string(s).unwrap();
        // `A` goes to a missing state, `B` is unreachable, `C` has a value where a state
        // belongs: each a finding whose message holds the hostile text.
        let text = format!(
            r#"{{"StartAt": {a}, "States": {{{a}: {{"Type": "Pass", "Comment": {c}, "Next": {b}}}, {c}: {{"Type": "Wait", "Seconds": {b}, "End": true}}}}}}"#,
            a = json(&a),
            b = json(&format!("{b}!")),
            c = json(&format!("{c}?"))
        );
        let stdin = Stdin {
            name: Some(format!("{}.asl.json", random_hostile(&mut rng).replace(['/', '\0'], "_")).into()),
            bytes: text.into_bytes(),
        };
        let options = Options { excerpts: true, ..Options::default() };
        let report = lint::run(&Default::default(), Some(stdin), &[], &options);
        assert!(!report.findings.is_empty(), "case {case}: {a:?} {b:?} {c:?}");
        for format in [OutputFormat::Human, OutputFormat::Concise, OutputFormat::Github] {
            let mut out = Vec::new();
            let style = Style { color: rng.below(2) == 0, quiet: false, width: [None, Some(40)][rng.below(2)] };
            output::write(&report, format, &style, &mut out).unwrap();
            let rendered = String::from_utf8(out).unwrap();
            let lines: Vec<&str> =
                rendered.strip_suffix('\n').unwrap_or(&rendered).split(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}']).collect();
            let context = || format!("case {case} {format:?}: {a:?} {b:?} {c:?}\n{rendered}");
            match format {
                OutputFormat::Github => {
                    assert_eq!(lines.len(), report.findings.len(), "one line per finding: {}", context());
                    assert!(lines.iter().all(|l| l.starts_with("::error ") || l.starts_with("::warning ") || l.starts_with("::notice ")));
                    assert!(lines.iter().all(|l| l.matches("::").count() >= 2), "{}", context());
                }
                _ => {
                    for line in lines {
                        let plain =
                            line.trim_start_matches(|c: char| c == '\u{1b}' || c == '[' || c.is_ascii_digit() || c == ';' || c == 'm');
                        assert!(
                            !line.starts_with("::") && !plain.starts_with("::") && !plain.starts_with("##["),
                            "{line:?}: {}",
                            context()
                        );
                        let known = line.is_empty()
                            || line.starts_with(char::is_whitespace)
                            || line.starts_with(|c: char| c.is_ascii_digit())
                            || line.starts_with('\u{1b}')
                            || ["error[", "warning[", "note[", "no findings"].iter().any(|p| line.starts_with(p))
                            || (format == OutputFormat::Concise && line.contains(".asl.json:"));
                        assert!(known, "{line:?}: {}", context());
                    }
                }
            }
        }
    }
}

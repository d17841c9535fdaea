//! What every host target checks: linting any bytes under a file name never panics, and
//! the JSON report stays one valid document; the human format (drawn while linting) too.

use sfn_lint::discover::Files;
use sfn_lint::lint::{self, Options, Stdin};
use sfn_lint::output::{self, OutputFormat, Style};

pub fn lint_as(name: &str, bytes: &[u8]) {
    // The YAML parser's own panics are caught and become findings (as in the binary,
    // nothing is printed for them); any other panic still aborts the run.
    static FILTER: std::sync::Once = std::sync::Once::new();
    FILTER.call_once(|| {
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !sfn_lint::syntax::panic_in_yaml_parser(info) {
                abort(info);
            }
        }));
    });
    let stdin = Stdin { name: Some(name.into()), bytes: bytes.to_vec() };
    let options = Options { excerpts: true, ..Options::default() };
    let report = lint::run(&Files::default(), Some(stdin), &[], &options);
    let mut out = Vec::new();
    output::write(&report, OutputFormat::Human, &Style { color: true, quiet: false, width: None }, &mut out).expect("writing to memory");
    out.clear();
    output::write(&report, OutputFormat::Json, &Style { color: false, quiet: false, width: None }, &mut out).expect("writing to memory");
    if let Err(error) = serde_json::from_slice::<serde_json::Value>(&out) {
        panic!("the JSON report does not parse: {error}\n{}", String::from_utf8_lossy(&out));
    }
}

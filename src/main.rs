use std::process::ExitCode;

use clap::Parser;
use sfn_lint::cli::{Cli, Outcome, execute};

// A lint allocates many small, short-lived nodes and strings per file on every thread;
// mimalloc serves them in a fraction of the system allocator's instructions.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // The YAML parser's panics become findings on their file; any other panic is a bug
    // and is reported as usual.
    let report_panic = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !sfn_lint::syntax::panic_in_yaml_parser(info) {
            report_panic(info);
        }
    }));
    match execute(Cli::parse()) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(error) => {
            eprintln!("sfn-lint: error: {error}");
            ExitCode::from(2)
        }
    }
}

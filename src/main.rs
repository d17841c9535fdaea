use std::process::ExitCode;

use clap::Parser;
use sfn_lint::cli::{Cli, Outcome, execute};

// A lint allocates many small, short-lived nodes and strings per file on every thread;
// mimalloc serves them in a fraction of the system allocator's instructions.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match execute(Cli::parse()) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(message) => {
            eprintln!("sfn-lint: error: {message}");
            ExitCode::from(2)
        }
    }
}

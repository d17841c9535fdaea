use std::process::ExitCode;

use clap::Parser;
use sfn_lint::cli::{Cli, Outcome, execute};

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

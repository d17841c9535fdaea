//! sfn-lint: a linter for AWS Step Functions state machine definitions.
//!
//! Data flows one way: `discover` → `syntax` → `host` → `asl` → `rules` → `lint` → `report` →
//! `output`.

pub mod asl;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod fix;
pub mod host;
pub mod lint;
pub mod lsp;
pub mod output;
pub mod report;
pub mod rules;
pub mod suppress;
pub mod syntax;

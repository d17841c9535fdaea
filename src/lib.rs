//! sfn-lint: a linter for AWS Step Functions state machine definitions.
//!
//! Data flows one way: `discover` → `syntax` → `host` → `asl` → `rules` → `lint` → `report` →
//! `output`.
//!
//! As a library: `discover::candidates` finds the files, `lint::run` lints them into a
//! `report::Report` of `diagnostic::Finding`s, and `output::write` renders it; `syntax`,
//! `host` and `asl` parse and model one definition. `fix`, `lsp` and `suppress` serve the
//! command line and are not public.

pub mod asl;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub(crate) mod fix;
pub mod host;
pub mod lint;
pub(crate) mod lsp;
pub mod output;
pub mod report;
pub mod rules;
pub(crate) mod suppress;
pub mod syntax;

//! `sfn-lint lsp`: a language server over standard input and output. Diagnostics on open,
//! change and save for every file kind the linter reads, hover with the rule's
//! documentation and a state's at-least-once context and time budget, and quick fixes from
//! the fixes findings carry, plus a suppression for each. Synchronous: each message is
//! handled before the next is read.
//!
//! `server` receives messages and lints documents; `convert` turns findings, spans and
//! paths into the protocol's types; `hover` and `actions` answer their requests.

mod actions;
mod convert;
mod hover;
mod server;

pub use server::run;

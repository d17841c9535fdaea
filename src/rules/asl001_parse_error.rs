use super::{Context, Rule, RuleMeta, rule_doc};
use crate::diagnostic::{Finding, Severity};
use crate::syntax::{ParseError as SyntaxError, Span};

pub struct ParseError;

static META: RuleMeta = RuleMeta {
    code: "ASL001",
    name: "parse-error",
    summary: "The file is not valid JSON or YAML, or cannot be read as text",
    severity: Severity::Error,
    doc: rule_doc!("ASL001"),
};

impl Rule for ParseError {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    // A file that does not parse has no definition to visit: the linter reports it through
    // `parse_error` before any rule runs.
    fn check_definition(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}

/// The finding for a file that could not be read or parsed, with an optional help line.
pub fn parse_error(file: &str, error: &SyntaxError, help: Option<&str>) -> Finding {
    Finding { help: help.map(|h| h.to_string().into()), ..Finding::new(&META, file, Span::new(error.offset, error.offset), &error.message) }
}

use super::{Context, Rule, RuleMeta, rule_doc};
use crate::diagnostic::{Finding, Severity};
use crate::syntax::Span;

pub struct UnusedSuppression;

static META: RuleMeta = RuleMeta {
    code: "LINT001",
    name: "unused-suppression",
    summary: "A suppression matched no finding, or names an unknown code",
    severity: Severity::Warning,
    doc: rule_doc!("LINT001"),
};

impl Rule for UnusedSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    // Suppressions are checked once every other rule has run: `suppress::apply` reports
    // them through `unused_suppression`.
    fn check_definition(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}

/// The finding for a suppression code that silenced nothing or names no rule.
pub fn unused_suppression(file: &str, span: Span, message: String) -> Finding {
    Finding::new(&META, file, span, message).help("remove the code from the directive, or the directive")
}

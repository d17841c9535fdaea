use super::{Context, Rule, RuleMeta, Target, effect_label, rule_doc};
use crate::asl::context::{Cause, ambiguous_retry, enclosing};
use crate::asl::{State, StateKind};
use crate::diagnostic::{Finding, Severity};
use crate::syntax::push_token;

pub struct RetryRerunsSideEffects;

static META: RuleMeta = RuleMeta {
    code: "ALO006",
    name: "retry-reruns-side-effects",
    summary: "A Parallel or Map retries on an ambiguous error while its branches or iterations hold side effects that repeat",
    severity: Severity::Warning,
    doc: rule_doc!("ALO006"),
};

impl Rule for RetryRerunsSideEffects {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_state(&self, cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
        if !matches!(state.kind, StateKind::Parallel | StateKind::Map) {
            return;
        }
        let Some(Cause::Retry { pointer, error, transient, .. }) = ambiguous_retry(cx.machine, state) else { return };
        let mut effects = Vec::new();
        for inner in &cx.machine.states {
            if !enclosing(cx.machine, inner).any(|e| e.id == state.id) {
                continue;
            }
            if let Some(what) = cx.analysis.hazards(inner.id).iter().filter(|h| !h.whole_run_only).find_map(|h| effect_label(h.kind())) {
                effects.push((inner, what));
            }
        }
        let Some((first, _)) = effects.first() else { return };
        let (unit, others) = match state.kind {
            StateKind::Map => ("iteration", "the finished ones too"),
            _ => ("branch", "the finished ones too"),
        };
        let rest = match effects.len() {
            1 => String::new(),
            2 => " and 1 more state".into(),
            n => format!(" and {} more states", n - 1),
        };
        let mut finding = cx
            .finding(
                &META,
                &push_token(&pointer, "ErrorEquals"),
                Target::Value,
                format!(
                    "`{}` retries on `{error}`, and a retry runs every {unit} again, {others}: `{}`{rest} would repeat a side effect",
                    state.name, first.name
                ),
            )
            .help("retry the states inside that can fail instead of the whole state, or make their side effects idempotent");
        if transient {
            finding.severity = finding.severity.min(cx.transient_severity);
        }
        for (inner, what) in effects.iter().take(10) {
            finding = finding.label(cx.span(&inner.pointer, Target::Key), format!("`{}` {what}", inner.name));
        }
        out.push(finding);
    }
}

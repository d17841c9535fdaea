use super::{Context, Rule, RuleMeta, Target, effect_label, rule_doc};
use crate::diagnostic::{Finding, Severity};

pub struct UnknownWorkflowType;

static META: RuleMeta = RuleMeta {
    code: "ALO011",
    name: "unknown-workflow-type",
    summary: "Nothing declares whether the state machine is Express or Standard, and states with side effects would run more than once if it were Express",
    severity: Severity::Info,
    doc: rule_doc!("ALO011"),
};

/// The most states a finding labels.
const MAX_LABELS: usize = 10;

impl Rule for UnknownWorkflowType {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_definition(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let contexts = &cx.analysis.contexts();
        // States with side effects that only an Express workflow would run more than once:
        // those another cause already repeats are reported by their own rules.
        let states: Vec<_> = cx
            .machine
            .states
            .iter()
            .filter(|state| contexts.if_express(state) && cx.machine.graph.reachable[state.id])
            .filter(|state| contexts.of(state.id).iter().all(|cause| cause.is_transient()))
            .filter_map(|state| Some((state, cx.analysis.hazards(state.id).iter().find_map(|h| effect_label(h.kind()))?)))
            .collect();
        let Some((first, _)) = states.first() else { return };
        let (count, rest) = match states.len() {
            1 => ("1 state".to_string(), String::new()),
            2 => ("2 states".to_string(), " and 1 more".to_string()),
            n => (format!("{n} states"), format!(" and {} more", n - 1)),
        };
        let message = format!(
            "nothing declares whether this state machine is Express or Standard, and it uses nothing Express rejects: if it is Express, which runs at least once, {count} with side effects would run more than once (`{}`{rest})",
            first.name
        );
        let mut finding = cx.finding(&META, "/StartAt", Target::Key, message).help(
            "declare the type: lint the definition with the template that deploys it, or set it for the file in sfn-lint.toml (`[[overrides]]` with `files = [\"<path>\"]` and `workflow-type = \"standard\"` or `\"express\"`), or pass `--workflow-type standard`",
        );
        for (state, what) in states.iter().take(MAX_LABELS) {
            finding = finding.label(cx.span(&state.pointer, Target::Key), format!("`{}` {what}", state.name));
        }
        out.push(finding);
    }
}

use super::{Context, Rule, RuleMeta, Target, rule_doc};
use crate::asl::{State, StateKind};
use crate::diagnostic::{Applicability, Finding, Fix, Severity};

pub struct MissingNextOrEnd;

static META: RuleMeta = RuleMeta {
    code: "ASL005",
    name: "missing-next-or-end",
    summary: "A state has neither `Next` nor `\"End\": true`, or both; `End` on a Choice",
    severity: Severity::Error,
    doc: rule_doc!("ASL005"),
};

impl Rule for MissingNextOrEnd {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_state(&self, cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
        let has_next = state.field("Next").is_some();
        if state.kind == StateKind::Choice {
            if state.field("End").is_some() {
                out.push(
                    cx.finding(&META, &state.field_pointer("End"), Target::Key, format!("Choice state `{}` cannot have `End`", state.name))
                        .help("a Choice ends nowhere itself: route a rule or `Default` to a Succeed state"),
                );
            }
            return;
        }
        if !state.kind.needs_next_or_end() {
            return;
        }
        if has_next && state.end {
            out.push(
                cx.finding(
                    &META,
                    &state.field_pointer("End"),
                    Target::Key,
                    format!("`{}` has both `Next` and `\"End\": true`", state.name),
                )
                .help("keep `Next` to continue, or `\"End\": true` to finish here, not both"),
            );
        } else if !has_next && !state.end && state.field("End").is_none() {
            let mut finding = cx
                .finding(&META, &state.pointer, Target::Key, format!("`{}` has neither `Next` nor `\"End\": true`", state.name))
                .help("add `\"Next\": \"<state>\"` to continue, or `\"End\": true` to finish here");
            // Finishing here is what the state does as written, once AWS accepts it.
            finding.fix = cx.insert_literal(&state.pointer, "End", "true").map(|edit| Fix {
                title: format!("End the execution at `{}`", state.name),
                applicability: Applicability::Safe,
                edits: vec![edit],
            });
            out.push(finding);
        } else if !has_next && !state.end {
            out.push(
                cx.finding(&META, &state.pointer, Target::Key, format!("`{}` has neither `Next` nor `\"End\": true`", state.name))
                    .help("add `\"Next\": \"<state>\"` to continue, or `\"End\": true` to finish here"),
            );
        }
    }
}

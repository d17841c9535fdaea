use super::{Context, Rule, RuleMeta, Target, express_execution, rule_doc};
use crate::asl::ScopeKind;
use crate::asl::context::Execution;
use crate::asl::duration::{Cost, Detail, EXPRESS_LIMIT, Length, TaskBound, express_limit};
use crate::diagnostic::{Finding, Severity};

pub struct ExceedsExpressDuration;

static META: RuleMeta = RuleMeta {
    code: "EXP002",
    name: "exceeds-express-duration",
    summary: "Some path's definite worst-case time exceeds the 300 seconds an Express execution may run",
    severity: Severity::Error,
    doc: rule_doc!("EXP002"),
};

/// The most states of the slowest path that a finding labels.
const MAX_LABELS: usize = 12;

fn seconds(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 { format!("{}", value as i64) } else { format!("{value:.1}") }
}

impl Rule for ExceedsExpressDuration {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_definition(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (scope_id, scope) in cx.machine.scopes.iter().enumerate() {
            // An Express execution: the workflow itself, or a Distributed Map's Express children.
            let (limit, why) = match (scope.kind, scope.parent) {
                (ScopeKind::TopLevel, _) => {
                    let Some(start) = scope.states.clone().next().map(|id| &cx.machine.states[id]) else { continue };
                    let Some(why) = express_execution(cx, start) else { continue };
                    (express_limit(cx.definition.root), why)
                }
                (ScopeKind::ItemProcessor, Some(map)) if cx.machine.graph.reachable[map] => {
                    let Some(first) = scope.states.clone().next() else { continue };
                    if cx.analysis.contexts().execution(scope_id) != Execution::ExpressChildren(map) {
                        continue;
                    }
                    let Some(why) = express_execution(cx, &cx.machine.states[first]) else { continue };
                    (EXPRESS_LIMIT, why)
                }
                _ => continue,
            };
            // When the slowest path is unbounded (EXP003's), a path whose certain seconds
            // already exceed the limit is still this rule's.
            let durations = &cx.analysis.durations();
            let (bound, slowest) = match &durations.definite[scope_id] {
                Some(definite) => (definite, false),
                None => (&durations.scope[scope_id], true),
            };
            let Cost::Seconds { definite, open } = bound.cost else { continue };
            if definite <= limit {
                continue;
            }
            let Some(largest) =
                bound.trace.iter().max_by(|a, b| a.cost.definite().partial_cmp(&b.cost.definite()).unwrap_or(std::cmp::Ordering::Equal))
            else {
                continue;
            };
            let at_least = if open { "at least " } else { "" };
            let limit_text = if limit < EXPRESS_LIMIT {
                format!("its own `TimeoutSeconds` of {} s", seconds(limit))
            } else {
                "the 300 s an Express execution may run".into()
            };
            let path = if slowest { "the slowest path" } else { "a path" };
            let mut message = format!(
                "{path} from `StartAt` takes {at_least}{} s, more than {limit_text}, and {why}: the execution would fail with `States.Timeout`",
                seconds(definite)
            );
            // On a long path, the slowest steps say where the time goes; a label on every
            // state would bury them.
            let mut steps: Vec<_> = bound.trace.iter().enumerate().collect();
            if steps.len() > MAX_LABELS {
                message.push_str(&format!(" (the {MAX_LABELS} slowest of the {} states on the path are labelled)", steps.len()));
                steps.sort_by(|(_, a), (_, b)| b.cost.definite().partial_cmp(&a.cost.definite()).unwrap_or(std::cmp::Ordering::Equal));
                steps.truncate(MAX_LABELS);
                steps.sort_by_key(|&(i, _)| i);
            }
            let state = &cx.machine.states[largest.state];
            let mut finding = cx
                .finding(&META, &state.pointer, Target::Key, message)
                .help("lower the `TimeoutSeconds`, retries or waits on this path, or move the long work into a Standard workflow");
            for (_, step) in steps {
                let step_state = &cx.machine.states[step.state];
                let detail = durations.detail(cx.machine, step.state, cx.definition.resources.as_ref());
                let text = detail.as_ref().map(detail_text).unwrap_or_default();
                let text = match step.cost {
                    Cost::Seconds { definite, .. } if detail.is_some_and(|d| d.retries.is_some()) => {
                        format!("{text} = {} s", seconds(definite))
                    }
                    _ => text,
                };
                finding = finding.label(cx.span(&step_state.pointer, Target::Key), text);
                if let Some(function) = &cx.analysis.durations().timeout_source[step.state] {
                    let text = format!("`{}` times out after {} s", function.function, seconds(function.seconds));
                    finding = finding.label_in(function.file.clone(), function.span, text);
                }
            }
            out.push(finding);
        }
    }
}

/// How a state's worst case comes about: "Wait 120 s", "4 attempts × 60 s
/// (`TimeoutSeconds`) + back-off 3 s + 5 s + 5 s".
pub fn detail_text(detail: &Detail) -> String {
    let what = match &detail.length {
        Length::Wait(s) => format!("Wait {} s", seconds(*s)),
        Length::WaitsFor("Seconds") => "waits for a JSONata expression".into(),
        Length::WaitsFor(field) => format!("waits for `{field}`"),
        Length::WaitUnknown => "Wait of unknown length".into(),
        Length::Task { seconds: t, bound } => {
            let source = match bound {
                TaskBound::TimeoutSeconds => "`TimeoutSeconds`",
                TaskBound::HttpLimit => "the HTTP Task limit",
                TaskBound::FunctionTimeout => "the function's `Timeout`",
            };
            format!("{} s ({source})", seconds(*t))
        }
        Length::TaskUnbounded => "up to the remaining budget (no `TimeoutSeconds`)".into(),
        Length::MapIteration(t) => format!("one iteration {} s (the item count is unknown)", seconds(*t)),
        Length::SlowestBranch(t) => format!("the slowest branch {} s", seconds(*t)),
        Length::Unbounded => "unbounded".into(),
    };
    let Some(retries) = &detail.retries else { return what };
    let listed: Vec<String> = retries.shown.iter().map(|w| format!("{} s", seconds(*w))).collect();
    let more = retries.total.map(|total| format!(" + … ({} s in all)", seconds(total))).unwrap_or_default();
    let count = |n: f64, one: &str, many: &str| format!("{} {}", seconds(n), if n == 1.0 { one } else { many });
    let quick = if retries.quick > 0.0 {
        format!(" (and {} after errors that end a call at once)", count(retries.quick, "retry", "retries"))
    } else {
        String::new()
    };
    format!("{} × {what}{quick} + back-off {}{more}", count(retries.attempts, "attempt", "attempts"), listed.join(" + "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asl::duration::RetryDetail;

    #[test]
    fn details_read_as_sums() {
        let task = Length::Task { seconds: 60.0, bound: TaskBound::TimeoutSeconds };
        let retries = RetryDetail { attempts: 4.0, quick: 0.0, shown: vec![3.0, 5.0, 5.0], total: None };
        let detail = Detail { length: task, retries: Some(retries) };
        assert_eq!(detail_text(&detail), "4 attempts × 60 s (`TimeoutSeconds`) + back-off 3 s + 5 s + 5 s");
        let many = RetryDetail { attempts: 3.0, quick: 2.0, shown: vec![1.0, 2.0, 4.0, 8.0], total: Some(95.5) };
        let detail = Detail { length: Length::MapIteration(10.0), retries: Some(many) };
        assert_eq!(
            detail_text(&detail),
            "3 attempts × one iteration 10 s (the item count is unknown) (and 2 retries after errors that end a call at once) + back-off 1 s + 2 s + 4 s + 8 s + … (95.5 s in all)"
        );
        assert_eq!(detail_text(&Detail { length: Length::WaitsFor("Seconds"), retries: None }), "waits for a JSONata expression");
        // One attempt (a retrier only for errors that end a call at once), one such retry.
        let once = RetryDetail { attempts: 1.0, quick: 1.0, shown: vec![2.0], total: None };
        let detail = Detail { length: Length::Task { seconds: 300.0, bound: TaskBound::FunctionTimeout }, retries: Some(once) };
        assert_eq!(
            detail_text(&detail),
            "1 attempt × 300 s (the function's `Timeout`) (and 1 retry after errors that end a call at once) + back-off 2 s"
        );
    }
}

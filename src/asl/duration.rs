//! Worst-case duration: for each state an upper bound in seconds (or *unbounded*, with
//! the reason), and for each scope the slowest path from `StartAt` to an end, computed in
//! time linear in states and transitions. Express executions stop after 300 seconds.

use super::catalog::catalog;
use super::{Integration, Machine, Scope, ScopeId, State, StateId, StateKind};
use crate::host::Resources;
use crate::syntax::Node;
use crate::syntax::Span;

/// The Express limit.
pub const EXPRESS_LIMIT: f64 = 300.0;
/// The HTTP Task's hard cap on one attempt.
const HTTP_LIMIT: f64 = 60.0;
/// A Lambda function's `Timeout` when its template resource does not set one.
const LAMBDA_DEFAULT_TIMEOUT: f64 = 3.0;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cost {
    /// At most `definite` seconds, plus — when `open` — Tasks without `TimeoutSeconds` that
    /// may take whatever time is left.
    Seconds { definite: f64, open: bool },
    /// Why is listed in [`Durations::unbounded`].
    Unbounded,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Unbounded {
    /// A transition that closes a loop.
    Loop { pointer: String, from: StateId, to: StateId },
    /// A Wait whose length is only known at run time.
    DynamicWait { pointer: String, state: StateId },
}

impl Cost {
    const ZERO: Cost = Cost::Seconds { definite: 0.0, open: false };

    fn plus(&self, other: &Cost) -> Cost {
        match (self, other) {
            (Cost::Seconds { definite: a, open: x }, Cost::Seconds { definite: b, open: y }) => {
                Cost::Seconds { definite: a + b, open: *x || *y }
            }
            _ => Cost::Unbounded,
        }
    }

    /// An order for "slower": unbounded first, then more definite seconds, then open.
    fn rank(&self) -> (bool, f64, bool) {
        match self {
            Cost::Unbounded => (true, 0.0, false),
            Cost::Seconds { definite, open } => (false, *definite, *open),
        }
    }

    fn slower_than(&self, other: &Cost) -> bool {
        self.rank().partial_cmp(&other.rank()).is_some_and(|o| o.is_gt())
    }

    pub fn definite(&self) -> Option<f64> {
        match self {
            Cost::Seconds { definite, .. } => Some(*definite),
            Cost::Unbounded => None,
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Mark {
    New,
    Open,
    Done,
}

/// One state on the slowest path, with what it adds ([`Durations::detail`] says how).
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub state: StateId,
    pub cost: Cost,
}

/// The slowest path of a scope.
#[derive(Clone, Debug, PartialEq)]
pub struct PathBound {
    pub cost: Cost,
    pub trace: Vec<Step>,
}

pub struct Durations {
    /// Each state's own worst case for one visit, retries included.
    pub state: Vec<Cost>,
    /// Working space shared by all scopes (each state belongs to one scope).
    best: Vec<Option<(Cost, Option<StateId>)>>,
    mark: Vec<Mark>,
    /// Each scope's slowest path from `StartAt`.
    pub scope: Vec<PathBound>,
    /// For a scope whose slowest path is unbounded: its slowest path by the seconds that
    /// are certain (unbounded states counted as open), which may still be too long.
    pub definite: Vec<Option<PathBound>>,
    /// Every loop and dynamic wait on a reachable path, in the order found.
    pub unbounded: Vec<Unbounded>,
    /// Steps of work done, to show the analysis stays linear.
    pub work: usize,
    /// For a Task bounded by its function's `Timeout` in the template: that function.
    /// Boxed: most states have none.
    pub timeout_source: Vec<Option<Box<FunctionTimeout>>>,
}

impl Durations {
    pub fn new(machine: &Machine<'_>, resources: Option<&Resources<'_>>) -> Self {
        let n = machine.states.len();
        let mut durations = Durations {
            state: vec![Cost::ZERO; n],
            best: vec![None; n],
            mark: vec![Mark::New; n],
            scope: vec![PathBound { cost: Cost::ZERO, trace: Vec::new() }; machine.scopes.len()],
            definite: vec![None; machine.scopes.len()],
            unbounded: Vec::new(),
            work: 0,
            timeout_source: vec![None; n],
        };
        // Scopes are stored parents first, so walking them backwards computes a branch or
        // item processor before the Parallel or Map that owns it.
        for scope_id in (0..machine.scopes.len()).rev() {
            durations.scope_bound(machine, scope_id, resources);
        }
        durations
    }

    fn scope_bound(&mut self, machine: &Machine<'_>, scope_id: ScopeId, resources: Option<&Resources<'_>>) {
        let scope = &machine.scopes[scope_id];
        if scope.parent.is_some_and(|owner| !machine.graph.reachable[owner]) {
            return;
        }
        for id in scope.states.clone() {
            self.work += 1;
            self.state[id] = self.state_cost(&machine.states[id], resources);
        }
        let Some(start) = scope.start_at.and_then(|name| scope.state_named(name)) else { return };
        let order = self.depth_first(machine, scope, start);
        let bound = self.longest(machine, start, &order, false);
        if matches!(bound.cost, Cost::Unbounded) {
            self.definite[scope_id] = Some(self.longest(machine, start, &order, true));
        }
        self.scope[scope_id] = bound;
    }

    /// The slowest path from `start` over `order` (reverse topological). With `definite_only`,
    /// a state whose time is unbounded counts as open instead: the slowest path by the
    /// seconds that are certain.
    fn longest(&mut self, machine: &Machine<'_>, start: StateId, order: &[StateId], definite_only: bool) -> PathBound {
        let own_cost = |cost: &Cost| match cost {
            Cost::Unbounded if definite_only => Cost::Seconds { definite: 0.0, open: true },
            cost => *cost,
        };
        let mut best = std::mem::take(&mut self.best);
        for &id in order {
            let own = own_cost(&self.state[id]);
            let mut slowest: Option<(Cost, Option<StateId>)> = None;
            for &next in &machine.graph.successors[id] {
                self.work += 1;
                if let Some((cost, _)) = &best[next] {
                    if slowest.as_ref().is_none_or(|(s, _)| cost.slower_than(s)) {
                        slowest = Some((*cost, Some(next)));
                    }
                }
            }
            let total = match &slowest {
                Some((rest, _)) => own.plus(rest),
                None => own,
            };
            best[id] = Some((total, slowest.and_then(|(_, next)| next)));
        }
        let mut trace = Vec::new();
        let mut at = Some(start);
        let mut guard = 0;
        while let (Some(id), true) = (at, guard <= order.len()) {
            guard += 1;
            let cost = &self.state[id];
            if *cost != Cost::ZERO {
                trace.push(Step { state: id, cost: own_cost(cost) });
                // The slowest branch or iteration inside, in order.
                if let Some(child) = self.slowest_child(&machine.states[id]) {
                    trace.extend(self.scope[child].trace.iter().cloned());
                }
            }
            at = best[id].as_ref().and_then(|(_, next)| *next);
        }
        let cost = best[start].as_ref().map_or(Cost::ZERO, |(c, _)| *c);
        // Reset for the next walk: each state belongs to one scope, but a scope is walked
        // twice when it is unbounded.
        for &id in order {
            best[id] = None;
        }
        self.best = best;
        PathBound { cost, trace }
    }

    /// An iterative depth-first walk from `start`: records the loops it closes and returns
    /// the states in reverse topological order (every state after its successors).
    fn depth_first(&mut self, machine: &Machine<'_>, scope: &Scope<'_>, start: StateId) -> Vec<StateId> {
        let mut mark = std::mem::take(&mut self.mark);
        let mut order = Vec::with_capacity(scope.states.len());
        let mut stack = vec![(start, 0usize)];
        mark[start] = Mark::Open;
        while let Some(&mut (id, ref mut next_edge)) = stack.last_mut() {
            let successors = &machine.graph.successors[id];
            if let Some(&next) = successors.get(*next_edge) {
                *next_edge += 1;
                self.work += 1;
                match mark[next] {
                    Mark::New => {
                        mark[next] = Mark::Open;
                        stack.push((next, 0));
                    }
                    Mark::Open => {
                        let state = &machine.states[id];
                        let target = machine.states[next].name;
                        let pointer = machine
                            .transitions(state)
                            .iter()
                            .find(|t| t.target == target)
                            .map_or_else(|| state.pointer.to_string(), |t| t.pointer(state));
                        self.unbounded.push(Unbounded::Loop { pointer, from: id, to: next });
                    }
                    Mark::Done => {}
                }
            } else {
                mark[id] = Mark::Done;
                order.push(id);
                stack.pop();
            }
        }
        self.mark = mark;
        order
    }

    /// The child scope of a Parallel (its slowest branch) or a Map.
    fn slowest_child(&self, state: &State<'_>) -> Option<ScopeId> {
        let mut slowest: Option<ScopeId> = None;
        for child in state.children.clone() {
            if slowest.is_none_or(|s| self.scope[child].cost.slower_than(&self.scope[s].cost)) {
                slowest = Some(child);
            }
        }
        slowest
    }

    fn state_cost(&mut self, state: &State<'_>, resources: Option<&Resources<'_>>) -> Cost {
        match state.kind {
            StateKind::Wait => match wait_length(state) {
                WaitLength::Seconds(s) => Cost::Seconds { definite: s, open: false },
                WaitLength::Dynamic(field) => {
                    self.unbounded.push(Unbounded::DynamicWait { pointer: state.field_pointer(field), state: state.id });
                    Cost::Unbounded
                }
                WaitLength::Unknown => Cost::Seconds { definite: 0.0, open: true },
                WaitLength::None => Cost::ZERO,
            },
            StateKind::Task => {
                let attempt = match task_timeout(state, resources) {
                    Some((t, _, function)) => {
                        self.timeout_source[state.id] = function.map(Box::new);
                        Cost::Seconds { definite: t, open: false }
                    }
                    None => Cost::Seconds { definite: 0.0, open: true },
                };
                Retries::of(state).apply(&attempt)
            }
            StateKind::Parallel | StateKind::Map => match self.slowest_child(state) {
                Some(child) => Retries::of(state).apply(&self.scope[child].cost),
                None => Cost::ZERO,
            },
            _ => Cost::ZERO,
        }
    }

    /// How a state's worst case comes about (a Wait's seconds; a Task's timeout, its
    /// attempts and back-off), for the slowest steps of a path that is reported.
    pub fn detail(&self, machine: &Machine<'_>, id: StateId, resources: Option<&Resources<'_>>) -> Option<Detail> {
        let state = &machine.states[id];
        let length = match state.kind {
            StateKind::Wait => {
                let length = match wait_length(state) {
                    WaitLength::Seconds(s) => Length::Wait(s),
                    WaitLength::Dynamic(field) => Length::WaitsFor(field),
                    WaitLength::Unknown => Length::WaitUnknown,
                    WaitLength::None => return None,
                };
                return Some(Detail { length, retries: None });
            }
            StateKind::Task => match task_timeout(state, resources) {
                Some((seconds, bound, _)) => Length::Task { seconds, bound },
                None => Length::TaskUnbounded,
            },
            StateKind::Parallel | StateKind::Map => {
                let child = self.slowest_child(state)?;
                match (&self.scope[child].cost, state.kind) {
                    (Cost::Seconds { definite, .. }, StateKind::Map) => Length::MapIteration(*definite),
                    (Cost::Seconds { definite, .. }, _) => Length::SlowestBranch(*definite),
                    (Cost::Unbounded, _) => Length::Unbounded,
                }
            }
            _ => return None,
        };
        Some(Detail { length, retries: Retries::of(state).detail() })
    }
}

/// How a state's worst case comes about.
#[derive(Clone, Debug, PartialEq)]
pub struct Detail {
    pub length: Length,
    /// The retries that multiply it, when there are any.
    pub retries: Option<RetryDetail>,
}

/// One attempt of a state, or a Wait.
#[derive(Clone, Debug, PartialEq)]
pub enum Length {
    Wait(f64),
    /// A Wait whose length is known only at run time: the field that gives it (`Seconds`
    /// for a JSONata expression).
    WaitsFor(&'static str),
    /// A Wait whose length a deploy-time placeholder gives.
    WaitUnknown,
    Task {
        seconds: f64,
        bound: TaskBound,
    },
    /// A Task with no timeout: it may take whatever the budget leaves.
    TaskUnbounded,
    /// One iteration of a Map (the item count is unknown).
    MapIteration(f64),
    SlowestBranch(f64),
    Unbounded,
}

/// What bounds one attempt of a Task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskBound {
    TimeoutSeconds,
    HttpLimit,
    FunctionTimeout,
}

/// The attempts a state's retriers allow and the back-off between them.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryDetail {
    /// Attempts that may run their whole length.
    pub attempts: f64,
    /// Retries after errors that end a call at once.
    pub quick: f64,
    /// The first few waits.
    pub shown: Vec<f64>,
    /// All the waits, when there are more than `shown`.
    pub total: Option<f64>,
}

/// The function whose `Timeout` in the template bounds a Task.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionTimeout {
    /// The template's file (`None`: the finding's own).
    pub file: Option<String>,
    pub span: Span,
    pub function: String,
    pub seconds: f64,
}

/// How long a Wait state waits, as far as the definition tells.
enum WaitLength {
    Seconds(f64),
    /// Known only at run time: the field that gives it (`Seconds` for a JSONata expression).
    Dynamic(&'static str),
    /// A deploy-time placeholder: its value is not known here.
    Unknown,
    None,
}

fn wait_length(state: &State<'_>) -> WaitLength {
    for field in ["SecondsPath", "TimestampPath", "Timestamp"] {
        if state.field(field).is_some() {
            return WaitLength::Dynamic(field);
        }
    }
    match state.field("Seconds") {
        Some(node) => match (node.as_f64(), node.as_str()) {
            (Some(s), _) if s.is_finite() && s >= 0.0 => WaitLength::Seconds(s),
            (None, Some(text)) if text.starts_with("{%") => WaitLength::Dynamic("Seconds"),
            _ => WaitLength::Unknown,
        },
        None => WaitLength::None,
    }
}

/// What bounds one attempt of a Task: the seconds, where they come from, and the
/// template's function whose `Timeout` it is.
fn task_timeout(state: &State<'_>, resources: Option<&Resources<'_>>) -> Option<(f64, TaskBound, Option<FunctionTimeout>)> {
    let http = matches!(state.resource, Some(Ok(super::Integration::Http)));
    match state.field("TimeoutSeconds").and_then(Node::as_f64).filter(|t| t.is_finite() && *t >= 0.0) {
        Some(t) if http && t > HTTP_LIMIT => Some((HTTP_LIMIT, TaskBound::HttpLimit, None)),
        Some(t) => Some((t, TaskBound::TimeoutSeconds, None)),
        None if http => Some((HTTP_LIMIT, TaskBound::HttpLimit, None)),
        None => resources
            .and_then(|r| function_timeout(state, r))
            .map(|function| (function.seconds, TaskBound::FunctionTimeout, Some(function))),
    }
}

/// What every retrier of a state allows: the attempts and the back-off waits between them.
struct Retries {
    /// Attempts that may run their whole length: the first, and those after a retried error
    /// that may come late (a timeout, a task failure, a custom error).
    attempts: f64,
    /// Attempts after an error that ends a call at once (a refusal, a transient service
    /// error): they add their back-off, not a whole attempt.
    quick: f64,
    backoff_total: f64,
    /// The first few waits, for the detail.
    shown: Vec<f64>,
    waits: f64,
}

impl Retries {
    fn of(state: &State<'_>) -> Self {
        let mut retries = Retries { attempts: 1.0, quick: 0.0, backoff_total: 0.0, shown: Vec::new(), waits: 0.0 };
        for retrier in state.field("Retry").and_then(Node::as_array).unwrap_or_default() {
            let number = |field: &str, default: f64| retrier.get(field).map_or(Some(default), Node::as_f64);
            let (Some(max), Some(interval), Some(rate)) =
                (number("MaxAttempts", 3.0), number("IntervalSeconds", 1.0), number("BackoffRate", 2.0))
            else {
                continue;
            };
            let cap = retrier.get("MaxDelaySeconds").and_then(Node::as_f64).unwrap_or(f64::INFINITY);
            if max <= 0.0 || !max.is_finite() {
                continue;
            }
            let errors = retrier.get("ErrorEquals").and_then(Node::as_array).unwrap_or_default();
            let quick = !errors.is_empty()
                && errors.iter().filter_map(Node::as_str).all(|e| catalog().rejected_before_running(e) || catalog().is_transient(e));
            if quick {
                retries.quick += max;
            } else {
                retries.attempts += max;
            }
            retries.waits += max;
            retries.backoff_total += backoff(max, interval, rate, cap, &mut retries.shown);
        }
        retries
    }

    /// One attempt's cost times the attempts, plus the waits.
    fn apply(&self, attempt: &Cost) -> Cost {
        match attempt {
            Cost::Seconds { definite, open } => Cost::Seconds { definite: self.attempts * definite + self.backoff_total, open: *open },
            Cost::Unbounded => Cost::Unbounded,
        }
    }

    fn detail(self) -> Option<RetryDetail> {
        if self.attempts == 1.0 && self.quick == 0.0 {
            return None;
        }
        let total = (self.waits > self.shown.len() as f64).then_some(self.backoff_total);
        Some(RetryDetail { attempts: self.attempts, quick: self.quick, shown: self.shown, total })
    }
}

/// The sum of the waits before each retry, `min(interval × rate^(k-1), cap)` for
/// k = 1..max (jitter only shortens them); the first few go to `shown`. Once a wait reaches
/// the cap the rest are summed in closed form, so a `MaxAttempts` of 99999999 costs nothing.
fn backoff(max: f64, interval: f64, rate: f64, cap: f64, shown: &mut Vec<f64>) -> f64 {
    let mut total = 0.0;
    let mut wait = interval.max(0.0);
    let mut k = 0.0;
    while k < max {
        let this = wait.min(cap);
        // From here on every wait is `this`: capped, not growing, or past any limit.
        let grows = rate.partial_cmp(&1.0) == Some(std::cmp::Ordering::Greater);
        if this >= cap || total > 1e15 || this <= 0.0 || (!grows && k > 0.0) || !this.is_finite() {
            total += this * (max - k);
            while shown.len() < 4 && k < max {
                shown.push(this);
                k += 1.0;
            }
            return total;
        }
        total += this;
        if shown.len() < 4 {
            shown.push(this);
        }
        wait *= rate;
        k += 1.0;
    }
    total
}

/// A Lambda Task's function, when the template declares it: its `Timeout` (SAM's
/// `Globals`, else Lambda's default) bounds each attempt.
fn function_timeout(state: &State<'_>, resources: &Resources<'_>) -> Option<FunctionTimeout> {
    let function = match &state.resource {
        Some(Ok(integration)) if integration.is_lambda_invoke() => {
            ["Parameters", "Arguments"].iter().find_map(|field| state.field(field)?.get("FunctionName"))?
        }
        Some(Ok(Integration::Placeholder | Integration::LambdaFunction { .. })) => state.field("Resource")?,
        _ => return None,
    };
    let resource = resources.resolve(function).filter(|r| matches!(r.kind, "AWS::Lambda::Function" | "AWS::Serverless::Function"))?;
    let declared = resource.properties.and_then(|p| p.get("Timeout")).or_else(|| {
        (resource.kind == "AWS::Serverless::Function").then(|| resources.template.get("Globals")?.get("Function")?.get("Timeout")).flatten()
    });
    let seconds = match declared {
        Some(value) => value.as_f64().filter(|t| t.is_finite() && *t > 0.0)?,
        None => LAMBDA_DEFAULT_TIMEOUT,
    };
    Some(FunctionTimeout { file: resource.file.map(str::to_string), span: resource.span, function: resource.id.to_string(), seconds })
}

/// The limit an Express execution of this definition runs under: 300 s, or the top-level
/// `TimeoutSeconds` when smaller.
pub fn express_limit(root: &Node) -> f64 {
    root.get("TimeoutSeconds").and_then(Node::as_f64).filter(|t| *t > 0.0).map_or(EXPRESS_LIMIT, |t| t.min(EXPRESS_LIMIT))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{Format, parse};

    /// The top level's slowest path: its cost and the detail of each step.
    fn bound(text: &str) -> (Cost, Vec<Option<Detail>>) {
        let root = parse(text, Format::Json).unwrap();
        let machine = Machine::new(&root);
        let durations = Durations::new(&machine, None);
        let detail = durations.scope[0].trace.iter().map(|step| durations.detail(&machine, step.state, None)).collect();
        (durations.scope[0].cost, detail)
    }

    #[test]
    fn retries_backoff_and_caps() {
        let (cost, detail) = bound(
            r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "TimeoutSeconds": 60,
                "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 3, "MaxAttempts": 3, "BackoffRate": 2, "MaxDelaySeconds": 5}], "End": true}}}"#,
        );
        // 4 attempts × 60 s + waits 3 + 5 + 5.
        assert_eq!(cost, Cost::Seconds { definite: 253.0, open: false });
        let retries = RetryDetail { attempts: 4.0, quick: 0.0, shown: vec![3.0, 5.0, 5.0], total: None };
        let task = Length::Task { seconds: 60.0, bound: TaskBound::TimeoutSeconds };
        assert_eq!(detail[0], Some(Detail { length: task, retries: Some(retries) }));
        let mut shown = Vec::new();
        assert_eq!(backoff(18_446_744_073_709_551_616.0, 0.0, 2.0, f64::INFINITY, &mut Vec::new()), 0.0, "zero waits end at once");
        assert!(backoff(18_446_744_073_709_551_616.0, 1.0, 1.0, f64::INFINITY, &mut Vec::new()) > 1e18);
        assert_eq!(backoff(99_999_999.0, 1.0, 2.0, 10.0, &mut shown), 1.0 + 2.0 + 4.0 + 8.0 + 10.0 * (99_999_999.0 - 4.0));
        assert_eq!(shown, [1.0, 2.0, 4.0, 8.0]);
    }

    #[test]
    fn parallel_takes_the_slowest_branch_and_http_is_capped() {
        let (cost, detail) = bound(
            r#"{"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": 100, "End": true}}},
                {"StartAt": "H", "States": {"H": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke", "TimeoutSeconds": 500, "Next": "W"},
                                            "W": {"Type": "Wait", "Seconds": 50, "End": true}}}]}}}"#,
        );
        assert_eq!(cost, Cost::Seconds { definite: 110.0, open: false });
        let lengths: Vec<Length> = detail.into_iter().map(|d| d.unwrap().length).collect();
        let http = Length::Task { seconds: 60.0, bound: TaskBound::HttpLimit };
        assert_eq!(lengths, [Length::SlowestBranch(110.0), http, Length::Wait(50.0)]);
    }

    #[test]
    fn loops_and_dynamic_waits_are_unbounded() {
        let text = r#"{"StartAt": "W", "States": {
            "W": {"Type": "Wait", "Seconds": 5, "Next": "C"},
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.done", "BooleanEquals": false, "Next": "W"}], "Default": "D"},
            "D": {"Type": "Wait", "SecondsPath": "$.delay", "End": true}}}"#;
        let root = parse(text, Format::Json).unwrap();
        let machine = Machine::new(&root);
        let durations = Durations::new(&machine, None);
        assert!(matches!(durations.scope[0].cost, Cost::Unbounded));
        assert!(durations.unbounded.iter().any(|u| matches!(u, Unbounded::Loop { pointer, .. } if pointer == "/States/C/Choices/0/Next")));
        assert!(
            durations.unbounded.iter().any(|u| matches!(u, Unbounded::DynamicWait { pointer, .. } if pointer == "/States/D/SecondsPath"))
        );
    }

    /// A small deterministic generator (xorshift), so the property test needs no crate.
    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    /// Random acyclic machines: the computed bound equals the slowest of all paths,
    /// enumerated one by one, with each state's cost worked out independently. When a
    /// reachable Wait is dynamic the bound is unbounded, and the definite bound equals the
    /// slowest path by its certain seconds.
    #[test]
    fn bound_equals_brute_force_on_random_acyclic_machines() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..500 {
            let n = 2 + rng.below(8) as usize;
            let mut states = Vec::new();
            let mut costs = vec![0.0; n];
            let mut dynamic = vec![false; n];
            let mut edges: Vec<Vec<usize>> = vec![Vec::new(); n];
            for i in 0..n {
                let name = format!("S{i}");
                if i == n - 1 {
                    states.push(format!(r#""{name}": {{"Type": "Succeed"}}"#));
                    continue;
                }
                let next = i + 1 + rng.below((n - i - 1) as u64) as usize;
                edges[i].push(next);
                match rng.below(5) {
                    4 => {
                        dynamic[i] = true;
                        states.push(format!(r#""{name}": {{"Type": "Wait", "SecondsPath": "$.delay", "Next": "S{next}"}}"#));
                    }
                    0 => {
                        let s = rng.below(200);
                        costs[i] = s as f64;
                        states.push(format!(r#""{name}": {{"Type": "Wait", "Seconds": {s}, "Next": "S{next}"}}"#));
                    }
                    1 => {
                        let (t, a, interval, rate) = (1 + rng.below(90), rng.below(4), 1 + rng.below(5), 1 + rng.below(3));
                        let waits: f64 = (0..a).map(|k| (interval * rate.pow(k as u32)) as f64).sum();
                        costs[i] = (1 + a) as f64 * t as f64 + waits;
                        states.push(format!(
                            r#""{name}": {{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "TimeoutSeconds": {t},
                               "Retry": [{{"ErrorEquals": ["States.ALL"], "MaxAttempts": {a}, "IntervalSeconds": {interval}, "BackoffRate": {rate}}}], "Next": "S{next}"}}"#
                        ));
                    }
                    2 => {
                        let other = i + 1 + rng.below((n - i - 1) as u64) as usize;
                        edges[i].push(other);
                        states.push(format!(
                            r#""{name}": {{"Type": "Choice", "Choices": [{{"Variable": "$.x", "IsPresent": true, "Next": "S{other}"}}], "Default": "S{next}"}}"#
                        ));
                    }
                    _ => {
                        let (a, b) = (rng.below(150), rng.below(150));
                        costs[i] = a.max(b) as f64;
                        states.push(format!(
                            r#""{name}": {{"Type": "Parallel", "Next": "S{next}", "Branches": [
                                {{"StartAt": "A{i}", "States": {{"A{i}": {{"Type": "Wait", "Seconds": {a}, "End": true}}}}}},
                                {{"StartAt": "B{i}", "States": {{"B{i}": {{"Type": "Wait", "Seconds": {b}, "End": true}}}}}}]}}"#
                        ));
                    }
                }
            }
            let text = format!(r#"{{"StartAt": "S0", "States": {{{}}}}}"#, states.join(","));
            fn slowest(at: usize, edges: &[Vec<usize>], costs: &[f64]) -> f64 {
                costs[at] + edges[at].iter().map(|&next| slowest(next, edges, costs)).fold(0.0, f64::max)
            }
            fn reaches_dynamic(at: usize, edges: &[Vec<usize>], dynamic: &[bool]) -> bool {
                dynamic[at] || edges[at].iter().any(|&next| reaches_dynamic(next, edges, dynamic))
            }
            let expected = slowest(0, &edges, &costs);
            let root = parse(&text, Format::Json).unwrap();
            let machine = Machine::new(&root);
            let durations = Durations::new(&machine, None);
            let (cost, definite) = (&durations.scope[0].cost, &durations.definite[0]);
            let trace = if reaches_dynamic(0, &edges, &dynamic) {
                assert!(matches!(cost, Cost::Unbounded), "{text}");
                let definite = definite.as_ref().expect("an unbounded scope has a definite bound");
                assert_eq!(definite.cost.definite(), Some(expected), "{text}");
                &definite.trace
            } else {
                assert_eq!(*cost, Cost::Seconds { definite: expected, open: false }, "{text}");
                assert!(definite.is_none());
                &durations.scope[0].trace
            };
            let traced: f64 = trace.iter().filter(|s| s.state < n).map(|s| s.cost.definite().unwrap()).sum::<f64>();
            assert!(traced >= expected - 1e-9, "the trace explains the total: {text}");
        }
    }

    /// 10,000 states in a chain and in a ladder of Choices with Parallel and Map nesting:
    /// the work counted grows linearly with states + transitions.
    #[test]
    fn large_machines_take_linear_work() {
        let work = |text: &str| {
            let root = parse(text, Format::Json).unwrap();
            let machine = Machine::new(&root);
            let transitions: usize = machine.states.iter().map(|s| machine.transitions(s).len()).sum();
            (Durations::new(&machine, None).work, machine.states.len() + transitions)
        };
        let chain = |n: usize| {
            let states: Vec<String> = (0..n)
                .map(|i| {
                    if i + 1 == n {
                        format!(r#""S{i}": {{"Type": "Succeed"}}"#)
                    } else {
                        format!(r#""S{i}": {{"Type": "Wait", "Seconds": 1, "Next": "S{}"}}"#, i + 1)
                    }
                })
                .collect();
            format!(r#"{{"StartAt": "S0", "States": {{{}}}}}"#, states.join(","))
        };
        let ladder = |n: usize| {
            let mut states = Vec::new();
            for i in 0..n {
                let next = if i + 1 == n { "Done".to_string() } else { format!("C{}", i + 1) };
                states.push(format!(
                    r#""C{i}": {{"Type": "Choice", "Choices": [{{"Variable": "$.v", "NumericEquals": {i}, "Next": "P{i}"}}], "Default": "{next}"}}"#
                ));
                states.push(format!(
                    r#""P{i}": {{"Type": "Parallel", "Next": "{next}", "Branches": [{{"StartAt": "M{i}", "States": {{"M{i}": {{"Type": "Map",
                        "ItemProcessor": {{"StartAt": "T{i}", "States": {{"T{i}": {{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "TimeoutSeconds": 1, "End": true}}}}}}, "End": true}}}}}}]}}"#
                ));
            }
            states.push(r#""Done": {"Type": "Succeed"}"#.to_string());
            format!(r#"{{"StartAt": "C0", "States": {{{}}}}}"#, states.join(","))
        };
        for (small, large) in [(work(&chain(1_000)), work(&chain(10_000))), (work(&ladder(250)), work(&ladder(2_500)))] {
            let (w1, size1) = small;
            let (w10, size10) = large;
            assert!(w10 <= 4 * size10, "work {w10} for size {size10}");
            assert!(w10 as f64 / w1 as f64 <= 1.2 * size10 as f64 / size1 as f64, "{w1} → {w10}");
        }
    }
}

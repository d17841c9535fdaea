//! The execution context of each state (SPEC §3): which execution runs it, what type that
//! execution is and where the type comes from, and why the state may run more than once —
//! or why it runs at most once. Facts only: the rules word them.

use super::catalog::catalog;
use super::values::{Request, Value};
use super::{Integration, Machine, Pattern, ScopeId, State, StateId, StateKind};
use crate::host::{Definition, TypeOrigin, WorkflowType};
use crate::syntax::{Node, Span, push_token};

/// What a state uses that AWS rejects in an Express execution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rejected {
    Sync,
    Sync2,
    WaitForTaskToken,
    Activity,
    DistributedMap,
}

impl Rejected {
    /// What a state uses that Express rejects. `.sync` on an `aws-sdk:` integration is
    /// invalid in every workflow (an invalid resource), so it proves nothing about the type.
    pub fn of(state: &State<'_>) -> Option<Self> {
        match (state.kind, &state.resource) {
            (StateKind::Task, Some(Ok(Integration::Optimized { pattern, .. }))) => match pattern {
                Pattern::Request => None,
                Pattern::Sync => Some(Rejected::Sync),
                Pattern::Sync2 => Some(Rejected::Sync2),
                Pattern::WaitForTaskToken => Some(Rejected::WaitForTaskToken),
            },
            (StateKind::Task, Some(Ok(Integration::Sdk { pattern: Pattern::WaitForTaskToken, .. }))) => Some(Rejected::WaitForTaskToken),
            (StateKind::Task, Some(Ok(Integration::Activity { .. }))) => Some(Rejected::Activity),
            (StateKind::Map, _) if state.is_distributed_map() => Some(Rejected::DistributedMap),
            _ => None,
        }
    }
}

/// Which execution runs the states of a scope: the workflow's own, or the child executions
/// of a Distributed Map around it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Execution {
    Workflow,
    ExpressChildren(StateId),
    StandardChildren(StateId),
}

/// The workflow's own execution: its type after inference, and how it is started.
#[derive(Clone, Debug)]
pub struct Workflow {
    /// Express, Standard, or Unknown when nothing declares it and nothing proves it.
    pub kind: WorkflowType,
    pub origin: TypeOrigin,
    /// A Standard type inferred from the definition: the state that uses what Express
    /// rejects, outside any Express child executions.
    pub proof: Option<(StateId, Rejected)>,
    /// An Express workflow that its template starts only synchronously: where.
    pub synchronous: Option<(Option<String>, Span)>,
}

impl Workflow {
    fn new(machine: &Machine<'_>, definition: &Definition<'_>, executions: &[Execution]) -> Self {
        let mut workflow =
            Workflow { kind: definition.workflow_type, origin: definition.type_origin.clone(), proof: None, synchronous: None };
        match workflow.kind {
            WorkflowType::Unknown => {
                workflow.proof = machine
                    .states
                    .iter()
                    .filter(|s| !matches!(executions[s.scope], Execution::ExpressChildren(_)))
                    .find_map(|s| Some((s.id, Rejected::of(s)?)));
                if workflow.proof.is_some() {
                    workflow.kind = WorkflowType::Standard;
                }
            }
            WorkflowType::Express => workflow.synchronous = definition.starters.only_synchronous(),
            WorkflowType::Standard => {}
        }
        workflow
    }
}

/// One reason a state may run more than once.
#[derive(Clone, Debug, PartialEq)]
pub enum Cause {
    /// The workflow is Express and may be started asynchronously (declared where `origin` says).
    Express { origin: TypeOrigin },
    /// Inside a Distributed Map whose child executions are Express.
    ExpressChildren { map: StateId, pointer: String },
    /// A retrier matching an error that does not prove the request was rejected.
    Retry {
        /// The state that owns the `Retry`: the Task itself or an enclosing Parallel / Map.
        owner: StateId,
        /// The pointer of the retrier.
        pointer: String,
        /// The first matching error that leaves the outcome unknown.
        error: String,
        /// Every error it matches that can leave the outcome unknown is a transient service
        /// error (the retrier the console adds to every Lambda state): a re-run is rare.
        transient: bool,
    },
    /// A Lambda invoked with `InvocationType: Event`.
    AsyncInvoke { pointer: String },
}

impl Cause {
    pub fn is_transient(&self) -> bool {
        matches!(self, Cause::Retry { transient: true, .. })
    }
}

/// The execution context of every state of a definition.
pub struct Contexts {
    pub workflow: Workflow,
    /// By scope.
    executions: Vec<Execution>,
    causes: Vec<Cause>,
    /// State `i`'s causes are `causes[ends[i - 1]..ends[i]]`, the strongest first.
    ends: Vec<usize>,
}

impl Contexts {
    pub fn new(machine: &Machine<'_>, definition: &Definition<'_>) -> Self {
        let executions = executions(machine);
        let workflow = Workflow::new(machine, definition, &executions);
        let express = (workflow.kind == WorkflowType::Express && workflow.synchronous.is_none())
            .then(|| Cause::Express { origin: workflow.origin.clone() });
        let n = machine.states.len();
        let mut causes = Vec::with_capacity(if express.is_some() { n } else { 0 });
        let mut ends = Vec::with_capacity(n);
        // A Parallel's or Map's retrier re-runs every state inside it: each state's own is
        // worked out once.
        let retries: Vec<Option<Cause>> = machine.states.iter().map(|state| ambiguous_retry(machine, state)).collect();
        for state in &machine.states {
            match executions[state.scope] {
                Execution::Workflow => causes.extend(express.iter().cloned()),
                Execution::ExpressChildren(map) => causes.push(Cause::ExpressChildren {
                    map,
                    pointer: push_token(
                        &push_token(&machine.states[map].field_pointer("ItemProcessor"), "ProcessorConfig"),
                        "ExecutionType",
                    ),
                }),
                Execution::StandardChildren(_) => {}
            }
            let start = causes.len();
            causes.extend(std::iter::once(state).chain(enclosing(machine, state)).filter_map(|s| retries[s.id].clone()));
            // A retrier that may re-run the state after any failure outranks a transient one.
            causes[start..].sort_by_key(Cause::is_transient);
            causes.extend(async_invoke(state));
            ends.push(causes.len());
        }
        Contexts { workflow, executions, causes, ends }
    }

    pub fn of(&self, state: StateId) -> &[Cause] {
        let start = if state == 0 { 0 } else { self.ends[state - 1] };
        &self.causes[start..self.ends[state]]
    }

    pub fn execution(&self, scope: ScopeId) -> Execution {
        self.executions[scope]
    }

    /// Whether anything of the definition runs in an Express execution.
    pub fn any_express(&self) -> bool {
        self.executions.iter().any(|execution| match execution {
            Execution::Workflow => self.workflow.kind == WorkflowType::Express,
            Execution::ExpressChildren(_) => true,
            Execution::StandardChildren(_) => false,
        })
    }

    /// Whether a state runs in an Express execution: the workflow's own when it is
    /// Express (declared, or set by the configuration or the command line), or a
    /// Distributed Map's Express children.
    pub fn runs_in_express(&self, state: &State<'_>) -> bool {
        match self.executions[state.scope] {
            Execution::Workflow => self.workflow.kind == WorkflowType::Express,
            Execution::ExpressChildren(_) => true,
            Execution::StandardChildren(_) => false,
        }
    }

    /// Whether a state runs in the workflow's own execution and the workflow's type is
    /// unknown: it would run more than once if the workflow were Express.
    pub fn if_express(&self, state: &State<'_>) -> bool {
        self.workflow.kind == WorkflowType::Unknown && self.executions[state.scope] == Execution::Workflow
    }
}

/// Each scope's execution. Scopes are numbered after the state that owns them.
fn executions(machine: &Machine<'_>) -> Vec<Execution> {
    let mut out: Vec<Execution> = Vec::with_capacity(machine.scopes.len());
    for scope in &machine.scopes {
        let execution = match scope.parent {
            None => Execution::Workflow,
            Some(owner) => {
                let owner = &machine.states[owner];
                match owner.distributed_execution_type() {
                    Some("EXPRESS") => Execution::ExpressChildren(owner.id),
                    Some(_) => Execution::StandardChildren(owner.id),
                    None => out[owner.scope],
                }
            }
        };
        out.push(execution);
    }
    out
}

/// The Parallel and Map states around a state, innermost first.
pub fn enclosing<'m, 'a>(machine: &'m Machine<'a>, state: &State<'a>) -> impl Iterator<Item = &'m State<'a>> {
    let mut scope = state.scope;
    std::iter::from_fn(move || {
        let owner = machine.scopes[scope].parent?;
        scope = machine.states[owner].scope;
        Some(&machine.states[owner])
    })
}

/// The strongest retrier of a state that retries an error which leaves the outcome
/// unknown and which the state can raise: one that is not only transient if there is one.
pub fn ambiguous_retry(machine: &Machine<'_>, state: &State<'_>) -> Option<Cause> {
    if !matches!(state.kind, StateKind::Task | StateKind::Parallel | StateKind::Map) {
        return None;
    }
    let retriers = state.field("Retry").and_then(Node::as_array)?;
    let mut transient = None;
    for (i, retrier) in retriers.iter().enumerate() {
        let attempts = match retrier.get("MaxAttempts") {
            None => 3.0,
            Some(node) => match node.as_f64() {
                Some(attempts) => attempts,
                None => continue,
            },
        };
        if attempts <= 0.0 {
            continue;
        }
        let Some(errors) = retrier.get("ErrorEquals").and_then(Node::as_array) else { continue };
        let mut ambiguous = errors.iter().filter_map(Node::as_str).filter(|e| leaves_outcome_unknown(machine, state, e)).peekable();
        let Some(&first) = ambiguous.peek() else { continue };
        let is_transient = ambiguous.all(|e| catalog().is_transient(e));
        let cause = || Cause::Retry {
            owner: state.id,
            pointer: push_token(&state.field_pointer("Retry"), &i.to_string()),
            error: first.to_string(),
            transient: is_transient,
        };
        if !is_transient {
            return Some(cause());
        }
        transient = transient.or_else(|| Some(cause()));
    }
    transient
}

/// Whether an error a retrier matches may come from an attempt that did its work: it can
/// occur in this state, and it does not prove the request was rejected or the job failed.
fn leaves_outcome_unknown(machine: &Machine<'_>, state: &State<'_>, error: &str) -> bool {
    if catalog().rejected_before_running(error) || !catalog().retriable(error) {
        return false;
    }
    // A `.sync` job that failed is over: its outcome is known, and a retry starts a new one.
    if is_sync(state) && (error == "States.TaskFailed" || (error == "States.ALL" && !can_time_out(state))) {
        return false;
    }
    raised_here(machine, state, error)
}

fn is_sync(state: &State<'_>) -> bool {
    matches!(&state.resource, Some(Ok(Integration::Optimized { pattern: Pattern::Sync | Pattern::Sync2, .. })))
}

/// A Task times out only when it sets a timeout: a `.sync` job's default is a year.
fn can_time_out(state: &State<'_>) -> bool {
    ["TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath"].iter().any(|f| state.field(f).is_some())
}

/// Whether `state` (or, for a Parallel or Map, a state inside it) can raise `error`: an
/// error that only a Map field or a service raises needs a Map with that field or a Task
/// calling that service.
fn raised_here(machine: &Machine<'_>, state: &State<'_>, error: &str) -> bool {
    let (field, service) = (catalog().field_raising(error), catalog().service_raising(error));
    if field.is_none() && service.is_none() {
        return true;
    }
    let raises = |s: &State<'_>| match field {
        Some(field) => s.kind == StateKind::Map && s.field(field).is_some(),
        None => s.kind == StateKind::Task && service.is_some_and(|service| calls_service(s, service)),
    };
    raises(state)
        || (state.kind != StateKind::Task
            && machine.states.iter().any(|inner| enclosing(machine, inner).any(|e| e.id == state.id) && raises(inner)))
}

/// Whether a Task calls `service` (an SDK integration id), or may: a placeholder resource
/// could be anything.
fn calls_service(state: &State<'_>, service: &str) -> bool {
    match &state.resource {
        Some(Ok(Integration::Optimized { service: s, .. } | Integration::Sdk { service: s, .. })) => catalog().service_id(s) == service,
        Some(Ok(Integration::LambdaFunction { .. })) => service == "lambda",
        Some(Ok(Integration::Placeholder)) | None | Some(Err(_)) => true,
        Some(Ok(Integration::Http | Integration::Activity { .. })) => false,
    }
}

fn async_invoke(state: &State<'_>) -> Option<Cause> {
    if !matches!(&state.resource, Some(Ok(integration)) if integration.is_lambda_invoke()) {
        return None;
    }
    let (field, request) = Request::of(state)?;
    let (key, param) = request.get("InvocationType")?;
    let event = match param.value {
        Value::Static(node) => node.as_str() == Some("Event"),
        _ => false,
    };
    event.then(|| Cause::AsyncInvoke { pointer: push_token(&state.field_pointer(field), key) })
}

//! The at-least-once context of each state (SPEC §3): why a Task may run more than once.

use super::catalog::catalog;
use super::values::Request;
use super::{Machine, State, StateId, StateKind};
use crate::host::{Definition, TypeOrigin, WorkflowType};
use crate::syntax::{Node, push_token};

/// One reason a state may run more than once.
#[derive(Clone, Debug, PartialEq)]
pub enum Cause {
    /// The workflow is Express (declared where `origin` says).
    Express { origin: TypeOrigin },
    /// Nothing declares the workflow type, so it is linted as Express.
    UnknownType,
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
    },
    /// A Lambda invoked with `InvocationType: Event`.
    AsyncInvoke { pointer: String },
}

/// The causes of every state, first the strongest: one list, each state's a slice of it.
pub struct Contexts {
    causes: Vec<Cause>,
    /// State `i`'s causes are `causes[ends[i - 1]..ends[i]]`.
    ends: Vec<usize>,
}

impl Contexts {
    pub fn new(machine: &Machine<'_>, definition: &Definition<'_>) -> Self {
        let workflow = match definition.workflow_type {
            WorkflowType::Express => Some(Cause::Express { origin: definition.type_origin.clone() }),
            WorkflowType::Unknown => Some(Cause::UnknownType),
            WorkflowType::Standard => None,
        };
        let n = machine.states.len();
        let mut contexts = Contexts { causes: Vec::with_capacity(if workflow.is_some() { n } else { 0 }), ends: Vec::with_capacity(n) };
        for state in &machine.states {
            let causes = &mut contexts.causes;
            causes.extend(workflow.iter().cloned());
            causes.extend(express_children(machine, state));
            causes.extend(ambiguous_retry(state));
            causes.extend(enclosing(machine, state).filter_map(ambiguous_retry));
            causes.extend(async_invoke(state));
            contexts.ends.push(causes.len());
        }
        contexts
    }

    pub fn of(&self, state: StateId) -> &[Cause] {
        let start = if state == 0 { 0 } else { self.ends[state - 1] };
        &self.causes[start..self.ends[state]]
    }
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

fn express_children(machine: &Machine<'_>, state: &State<'_>) -> Option<Cause> {
    enclosing(machine, state).find_map(|map| {
        let config = map.field("ItemProcessor")?.get("ProcessorConfig")?;
        let express = config.get("Mode").and_then(Node::as_str) == Some("DISTRIBUTED")
            && config.get("ExecutionType").and_then(Node::as_str) == Some("EXPRESS");
        express.then(|| Cause::ExpressChildren {
            map: map.id,
            pointer: push_token(&push_token(&map.field_pointer("ItemProcessor"), "ProcessorConfig"), "ExecutionType"),
        })
    })
}

/// The first retrier of a state that retries an error which leaves the outcome unknown.
pub fn ambiguous_retry(state: &State<'_>) -> Option<Cause> {
    if !matches!(state.kind, StateKind::Task | StateKind::Parallel | StateKind::Map) {
        return None;
    }
    let retriers = state.field("Retry").and_then(Node::as_array)?;
    retriers.iter().enumerate().find_map(|(i, retrier)| {
        let attempts = match retrier.get("MaxAttempts") {
            None => 3.0,
            Some(node) => node.as_f64()?,
        };
        if attempts <= 0.0 {
            return None;
        }
        let errors = retrier.get("ErrorEquals")?.as_array()?;
        let error = errors.iter().filter_map(Node::as_str).find(|e| !catalog().rejected_before_running(e))?;
        Some(Cause::Retry { owner: state.id, pointer: push_token(&state.field_pointer("Retry"), &i.to_string()), error: error.to_string() })
    })
}

fn async_invoke(state: &State<'_>) -> Option<Cause> {
    let is_lambda = matches!(
        &state.resource,
        Some(Ok(super::Integration::Optimized { service: "lambda", action: "invoke", .. }
            | super::Integration::Sdk { service: "lambda", action: "invoke", .. }))
    );
    if !is_lambda {
        return None;
    }
    let (field, request) = Request::of(state)?;
    let (key, param) = request.get("InvocationType")?;
    let event = match param.value {
        super::values::Value::Static(node) => node.as_str() == Some("Event"),
        _ => false,
    };
    event.then(|| Cause::AsyncInvoke { pointer: push_token(&state.field_pointer(field), key) })
}

/// Which execution runs a state: the workflow's own, or the child executions of the
/// innermost Distributed Map around it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Execution {
    Workflow,
    ExpressChildren(StateId),
    StandardChildren(StateId),
}

pub fn execution_of(machine: &Machine<'_>, state: &State<'_>) -> Execution {
    for map in enclosing(machine, state) {
        let Some(config) = map.field("ItemProcessor").and_then(|p| p.get("ProcessorConfig")) else { continue };
        if config.get("Mode").and_then(Node::as_str) != Some("DISTRIBUTED") {
            continue;
        }
        return match config.get("ExecutionType").and_then(Node::as_str) {
            Some("EXPRESS") => Execution::ExpressChildren(map.id),
            _ => Execution::StandardChildren(map.id),
        };
    }
    Execution::Workflow
}

//! The rule engine: rule metadata, the `Rule` trait with its visitor hooks, the registry,
//! the context rules read from and the selection of rules by code, prefix or name.

mod alo001_non_idempotent_update;
mod alo002_duplicate_notification;
mod alo003_queue_send_without_dedup;
mod alo004_missing_idempotency_key;
mod alo005_unstable_idempotency_key;
mod alo006_retry_reruns_side_effects;
mod alo007_event_publish_without_id;
mod alo008_start_execution_not_idempotent;
mod alo009_async_lambda_invoke;
mod alo010_unhandled_duplicate_guard;
mod alo011_unknown_workflow_type;
mod asl001_parse_error;
mod asl002_invalid_structure;
mod asl003_unknown_transition_target;
mod asl004_unreachable_state;
mod asl005_missing_next_or_end;
mod asl006_invalid_state_field;
mod asl007_invalid_expression;
mod asl008_invalid_retry_or_catch;
mod asl009_duplicate_state_name;
mod asl010_duplicate_key;
mod asl011_no_terminal_path;
mod asl012_invalid_resource;
mod asl013_unassigned_variable;
mod exp001_unsupported_in_express;
mod exp002_exceeds_express_duration;
mod exp003_unbounded_express_duration;
mod lint001_unused_suppression;

use std::borrow::Cow;

use crate::asl::context::{Cause, Execution, Rejected};
use crate::asl::effects::{Action, Fact, Hazard, HazardKind, StableKey, WitnessFact};
use crate::asl::{Analysis, Machine, QueryLanguage, Scope, State};
use crate::diagnostic::{Edit, Finding, Fix, RuleMeta, Severity};
use crate::host::{Definition, TypeOrigin};
use crate::syntax::{Node, Span};

pub use asl001_parse_error::parse_error;
pub use exp002_exceeds_express_duration::detail_text;
pub use lint001_unused_suppression::unused_suppression;

/// A lint rule. Rules are stateless; the default `check_definition` visits every scope and
/// every state, nested Parallel branches and Map item processors included, so a rule
/// overrides only the level it needs.
pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;

    fn check_definition(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for scope in &cx.machine.scopes {
            self.check_scope(cx, scope, out);
        }
        for state in &cx.machine.states {
            self.check_state(cx, state, out);
        }
    }

    fn check_scope(&self, _cx: &Context<'_>, _scope: &Scope<'_>, _out: &mut Vec<Finding>) {}

    fn check_state(&self, _cx: &Context<'_>, _state: &State<'_>, _out: &mut Vec<Finding>) {}
}

/// Every rule, in run order.
pub static REGISTRY: &[&dyn Rule] = &[
    &asl001_parse_error::ParseError,
    &asl002_invalid_structure::InvalidStructure,
    &asl003_unknown_transition_target::UnknownTransitionTarget,
    &asl004_unreachable_state::UnreachableState,
    &asl005_missing_next_or_end::MissingNextOrEnd,
    &asl006_invalid_state_field::InvalidStateField,
    &asl007_invalid_expression::InvalidExpression,
    &asl008_invalid_retry_or_catch::InvalidRetryOrCatch,
    &asl009_duplicate_state_name::DuplicateStateName,
    &asl010_duplicate_key::DuplicateKey,
    &asl011_no_terminal_path::NoTerminalPath,
    &asl012_invalid_resource::InvalidResource,
    &asl013_unassigned_variable::UnassignedVariable,
    &alo001_non_idempotent_update::NonIdempotentUpdate,
    &alo002_duplicate_notification::DuplicateNotification,
    &alo003_queue_send_without_dedup::QueueSendWithoutDedup,
    &alo004_missing_idempotency_key::MissingIdempotencyKey,
    &alo005_unstable_idempotency_key::UnstableIdempotencyKey,
    &alo006_retry_reruns_side_effects::RetryRerunsSideEffects,
    &alo007_event_publish_without_id::EventPublishWithoutId,
    &alo008_start_execution_not_idempotent::StartExecutionNotIdempotent,
    &alo009_async_lambda_invoke::AsyncLambdaInvoke,
    &alo010_unhandled_duplicate_guard::UnhandledDuplicateGuard,
    &alo011_unknown_workflow_type::UnknownWorkflowType,
    &exp001_unsupported_in_express::UnsupportedInExpress,
    &exp002_exceeds_express_duration::ExceedsExpressDuration,
    &exp003_unbounded_express_duration::UnboundedExpressDuration,
    &lint001_unused_suppression::UnusedSuppression,
];

pub fn find(code_or_name: &str) -> Option<&'static RuleMeta> {
    let mut metas = REGISTRY.iter().map(|r| r.meta());
    // A finding's own code matches exactly: the cheap comparison first.
    metas
        .clone()
        .find(|m| m.code == code_or_name)
        .or_else(|| metas.find(|m| m.code.eq_ignore_ascii_case(code_or_name) || m.name == code_or_name))
}

/// Which part of the node a finding points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Value,
    /// The member's key, such as a state's name.
    Key,
    /// A byte range inside a string value (its decoded text).
    Range(usize, usize),
}

/// What a rule sees of one definition.
pub struct Context<'a> {
    /// The file as shown to the user.
    pub file: &'a str,
    /// The file's text, which the definition's spans index.
    pub text: &'a str,
    pub definition: &'a Definition<'a>,
    pub machine: &'a Machine<'a>,
    pub analysis: &'a Analysis<'a>,
    /// The severity of a hazard that only a retrier on transient service errors repeats.
    pub transient_severity: Severity,
    /// Whether the text defines a YAML anchor (`&name`), found once for all the
    /// definitions the text holds: only then may a finding's path pass through an alias.
    pub anchors: &'a std::cell::OnceCell<bool>,
}

impl Context<'_> {
    /// A finding at `pointer` (inside the definition) with the rule's default severity. The
    /// state is filled in from the pointer when it lies inside one.
    pub fn finding(&self, meta: &'static RuleMeta, pointer: &str, target: Target, message: impl Into<String>) -> Finding {
        self.finding_in(meta, self.machine.state_at(pointer), pointer, target, message)
    }

    /// A finding at `pointer`, which lies in `state` (and in none of its branches): the
    /// state is not searched for again.
    pub fn finding_in(
        &self,
        meta: &'static RuleMeta,
        state: Option<&State<'_>>,
        pointer: &str,
        target: Target,
        message: impl Into<String>,
    ) -> Finding {
        let mut message = message.into();
        if let Some(note) = self.definition.note.filter(|_| !self.definition.map.is_exact()) {
            message = format!("{message} ({note})");
        }
        // A YAML alias repeats its anchor's text: the finding stays on that text, and says
        // where the alias that brings it here is.
        let anchors = *self.anchors.get_or_init(|| memchr::memchr(b'&', self.text.as_bytes()).is_some());
        let alias = anchors.then(|| crate::syntax::alias_on_path(self.definition.root, self.text, pointer)).flatten();
        if let Some(alias) = alias {
            let line = memchr::memchr_iter(b'\n', &self.text.as_bytes()[..alias.start()]).count() + 1;
            message = format!("{message} (through the alias at line {line})");
        }
        let mut finding = Finding {
            definition: self.definition.name.clone(),
            state: state.map(|s| s.name.to_string()),
            pointer: [&self.definition.pointer_prefix, pointer].concat(),
            ..Finding::new(meta, self.file, self.map(self.span_from(state, pointer, target)), message)
        };
        if let Some(alias) = alias {
            finding = finding.label(self.map(alias), "the alias that repeats the anchored text here");
        }
        finding
    }

    /// The span of `pointer` in the file; an unresolvable pointer falls back to its nearest
    /// ancestor.
    pub fn span(&self, pointer: &str, target: Target) -> Span {
        self.map(self.span_from(self.machine.state_at(pointer), pointer, target))
    }

    /// An insertion of `key: value` (a string) into the object at `pointer`, in the file's
    /// layout; `None` where the definition's text is not the file's own (an escaped string).
    pub fn insert_member(&self, pointer: &str, key: &str, value: &str) -> Option<Edit> {
        self.edit_object(pointer, |text, object| crate::syntax::edit::insert_member(text, object, key, value))
    }

    /// An insertion of `key: literal` (`true`, a number) into the object at `pointer`.
    pub fn insert_literal(&self, pointer: &str, key: &str, literal: &str) -> Option<Edit> {
        self.edit_object(pointer, |text, object| crate::syntax::edit::insert_literal(text, object, key, literal))
    }

    fn edit_object(&self, pointer: &str, edit: impl FnOnce(&str, &Node) -> Option<Edit>) -> Option<Edit> {
        if !self.definition.map.is_verbatim() {
            return None;
        }
        let (object, _) = self.definition.root.lookup(pointer)?;
        let edit = edit(self.text, object.is_object().then_some(object)?)?;
        Some(Edit { span: self.map(edit.span), ..edit })
    }

    /// Carries a span of the definition's text to the file.
    pub fn map(&self, span: Span) -> Span {
        self.definition.map.map(span)
    }

    /// The span of `pointer` in the definition's text, given the state it lies in. Inside a
    /// state, the search starts from the state: the `States` object may be large.
    fn span_from(&self, state: Option<&State<'_>>, pointer: &str, target: Target) -> Span {
        let (base, mut pointer) = match state {
            Some(state) => (Some(state), &pointer[state.pointer.len()..]),
            None => (None, pointer),
        };
        loop {
            let found = match base {
                Some(state) if pointer.is_empty() => Some((state.node, Some(state.key_span))),
                Some(state) => state.node.lookup(pointer),
                None => self.definition.root.lookup(pointer),
            };
            if let Some((node, key_span)) = found {
                return match target {
                    Target::Key => key_span.unwrap_or(node.span),
                    Target::Value => node.span,
                    Target::Range(start, end) => self.string_range(node, start, end),
                };
            }
            match pointer.rfind('/') {
                Some(i) => pointer = &pointer[..i],
                None if base.is_some() => pointer = "",
                None => return self.definition.root.span,
            }
        }
    }

    /// A range inside a string's decoded text, mapped to the file when the string is written
    /// without escapes (so decoded and source text line up); otherwise the whole string.
    fn string_range(&self, node: &Node, start: usize, end: usize) -> Span {
        let mut node = node;
        while let Some((_, inner)) = node.tagged() {
            node = inner;
        }
        let (Some(value), Some(source)) = (node.as_str(), self.text.get(node.span.range())) else {
            return node.span;
        };
        let offset = if source == value {
            0
        } else if source.len() == value.len() + 2 && &source[1..source.len() - 1] == value {
            1
        } else {
            return node.span;
        };
        let start = node.span.start() + offset + start.min(value.len());
        let end = node.span.start() + offset + end.clamp(start - node.span.start() - offset, value.len());
        Span::new(start, end.max(start))
    }
}

/// Reports a Task's side effects of one kind when the Task may run more than once: the
/// message says what the state does and why it may run again, with the cause as a label.
/// `words` gives the rule's words for a hazard: what the state does, and the help; `fix`
/// the rule's fix for it, when it has one.
pub fn report_hazards(
    cx: &Context<'_>,
    meta: &'static RuleMeta,
    state: &State<'_>,
    kind: HazardKind,
    words: fn(&Fact) -> Option<Words>,
    fix: Option<fn(&Context<'_>, &Hazard) -> Option<Fix>>,
    out: &mut Vec<Finding>,
) {
    // A state that runs once has no hazard: a Standard workflow's side effects are not
    // even looked for. A state no path reaches never runs, once or twice.
    let causes = cx.analysis.contexts().of(state.id);
    let Some(primary) = causes.first().filter(|_| cx.machine.graph.reachable[state.id]) else { return };
    let hazards = cx.analysis.hazards(state.id);
    if !hazards.iter().any(|h| h.kind() == kind) {
        return;
    }
    // Only a retrier on transient service errors may run it again: rare, so said quietly.
    let severity = if primary.is_transient() { meta.severity.min(cx.transient_severity) } else { meta.severity };
    // A call nothing shows to change anything is a hazard only where the whole execution
    // may run again; a `Retry` alone re-runs it without evidence of harm.
    let whole_execution =
        causes.iter().any(|c| matches!(c, Cause::Express { .. } | Cause::ExpressChildren { .. } | Cause::AsyncInvoke { .. }));
    for hazard in hazards.iter().filter(|h| h.kind() == kind && (whole_execution || !h.whole_run_only)) {
        let Some(Words { what, help }) = words(&hazard.fact) else { continue };
        // Joined rather than formatted: a finding may come from every state of a large definition.
        let message = ["`", state.name, "` ", &what, "; ", &why(cx, state, primary)].concat();
        let mut finding = cx.finding_in(meta, Some(state), &hazard.pointer, Target::Value, message).help(help);
        finding.severity = severity;
        for cause in causes.iter().take(3) {
            if let Some((file, span, text)) = cause_label(cx, state, cause) {
                finding = finding.label_in(file, span, text);
            }
        }
        if let Some((proof, rejected)) = cx.analysis.contexts().workflow.proof {
            let proof = &cx.machine.states[proof];
            let text = ["`", proof.name, "` ", rejected_text(rejected), ", which Express rejects: this workflow is Standard"].concat();
            finding = finding.label(cx.span(&proof.pointer, Target::Key), text);
        }
        for witness in &hazard.witnesses {
            finding = finding.label_in(witness.file.clone(), witness.span, witness_text(&witness.fact));
        }
        finding.fix = fix.and_then(|fix| fix(cx, hazard));
        out.push(finding);
    }
}

/// A rule's words for a side effect: what the state does (completing "`State` ..."), and
/// the help line.
pub struct Words {
    pub what: Cow<'static, str>,
    pub help: Cow<'static, str>,
}

impl Words {
    pub fn new(what: impl Into<Cow<'static, str>>, help: impl Into<Cow<'static, str>>) -> Option<Self> {
        Some(Words { what: what.into(), help: help.into() })
    }
}

/// What a template resource shows, as a label.
fn witness_text(fact: &WitnessFact) -> String {
    match fact {
        WitnessFact::StandardTopic => "a standard topic (no `FifoTopic: true`)".into(),
        WitnessFact::StandardQueue => "a standard queue (no `FifoQueue: true`)".into(),
        WitnessFact::FifoQueueWithoutContentDedup => "a FIFO queue without `ContentBasedDeduplication: true`".into(),
        WitnessFact::ExpressStateMachine => "an Express state machine".into(),
        WitnessFact::Grant { function, grant } => ["`", function, "` is allowed `", grant, "`"].concat(),
    }
}

/// A member that passes the execution ID in `field`, as the query language writes it: for
/// a fix that keys a call on the execution.
pub fn execution_id_member(field: &str, language: QueryLanguage) -> (String, &'static str) {
    match language {
        QueryLanguage::JsonPath => (format!("{field}.$"), "$$.Execution.Id"),
        QueryLanguage::Jsonata => (field.to_string(), "{% $states.context.Execution.Id %}"),
    }
}

/// What a Task calls, as the object of a verb.
pub fn action_text(action: &Action) -> String {
    match action {
        Action::Function(name) => ["the Lambda function `", name, "`"].concat(),
        Action::FunctionResource(name) => format!("Lambda `{name}`"),
        Action::Api { service, action } => format!("{service}:{action}"),
        Action::Other => "it".into(),
    }
}

/// A field set to a key that is the same each time the state runs again and differs
/// between states (and between an inline Map's iterations): 32 hexadecimal characters,
/// which fit execution names and every idempotency token.
pub fn stable_field(stable: &StableKey) -> String {
    let field = &stable.field;
    match (stable.language, stable.inline_map) {
        (QueryLanguage::JsonPath, false) => {
            format!("`\"{field}.$\": \"States.Hash(States.Format('{{}}{{}}', $$.Execution.Id, $$.State.Name), 'MD5')\"`")
        }
        (QueryLanguage::JsonPath, true) => format!(
            "`\"{field}.$\": \"States.Hash(States.Format('{{}}{{}}{{}}', $$.Execution.Id, $$.State.Name, $.index), 'MD5')\"` (with `\"index.$\": \"$$.Map.Item.Index\"` in the Map's `ItemSelector`)"
        ),
        (QueryLanguage::Jsonata, false) => {
            format!("`\"{field}\": \"{{% $hash($states.context.Execution.Id & $states.context.State.Name, 'MD5') %}}\"`")
        }
        (QueryLanguage::Jsonata, true) => format!(
            "`\"{field}\": \"{{% $hash($states.context.Execution.Id & $states.context.State.Name & $states.input.index, 'MD5') %}}\"` (with `\"index\": \"{{% $states.context.Map.Item.Index %}}\"` in the Map's `ItemSelector`)"
        ),
    }
}

/// What a state uses that Express rejects, as a verb phrase.
pub fn rejected_text(rejected: Rejected) -> &'static str {
    match rejected {
        Rejected::Sync => "waits for its job with `.sync`",
        Rejected::Sync2 => "waits for its job with `.sync:2`",
        Rejected::WaitForTaskToken => "waits for a callback with `.waitForTaskToken`",
        Rejected::Activity => "runs an activity",
        Rejected::DistributedMap => "is a Distributed Map",
    }
}

/// What a side effect is, in a few words, for labels that list states.
pub fn effect_label(kind: HazardKind) -> Option<&'static str> {
    Some(match kind {
        HazardKind::GrowingUpdate => "grows a DynamoDB attribute",
        HazardKind::Notification => "messages a person",
        HazardKind::QueueSend => "sends an SQS message",
        HazardKind::MissingKey => "has no idempotency key",
        HazardKind::EventPublish => "publishes an event",
        HazardKind::StartExecution => "starts an execution",
        HazardKind::AsyncInvoke => "invokes Lambda asynchronously",
        HazardKind::UnstableKey | HazardKind::UnhandledGuard => return None,
    })
}

/// Why a state may run more than once, as the end of a sentence.
pub fn why(cx: &Context<'_>, state: &State<'_>, cause: &Cause) -> Cow<'static, str> {
    match cause {
        Cause::Express { origin: TypeOrigin::CommandLine } => {
            "this Express workflow (`--workflow-type express`) may run it more than once".into()
        }
        Cause::Express { origin: TypeOrigin::Config } => {
            "this Express workflow (`workflow-type = \"express\"` in sfn-lint.toml) may run it more than once".into()
        }
        Cause::Express { .. } => "this Express workflow may run it more than once".into(),
        Cause::ExpressChildren { map, .. } => {
            format!("child executions of the Distributed Map `{}` are Express and may run it more than once", cx.machine.states[*map].name)
                .into()
        }
        Cause::Retry { owner, error, transient: true, .. } if *owner == state.id => format!(
            "only its `Retry` on `{error}` runs it again, after a transient service error that may hide a finished attempt: rare, but the effect repeats"
        )
        .into(),
        Cause::Retry { owner, error, transient: true, .. } => format!(
            "only the `Retry` of `{}` on `{error}` runs it again, after a transient service error that may hide a finished attempt: rare, but the effect repeats",
            cx.machine.states[*owner].name
        )
        .into(),
        Cause::Retry { owner, error, .. } if *owner == state.id => {
            format!("its `Retry` on `{error}` runs it again after a failure whose outcome is unknown").into()
        }
        Cause::Retry { owner, error, .. } => {
            format!("the `Retry` of `{}` on `{error}` runs it again, finished or not", cx.machine.states[*owner].name).into()
        }
        Cause::AsyncInvoke { .. } => "Lambda may also deliver one asynchronous event more than once".into(),
    }
}

fn cause_label(cx: &Context<'_>, state: &State<'_>, cause: &Cause) -> Option<(Option<String>, Span, String)> {
    match cause {
        Cause::Express { origin: TypeOrigin::Declared { file, span } } => Some((file.clone(), *span, "declared Express here".into())),
        Cause::Express { .. } => None,
        Cause::ExpressChildren { pointer, .. } => Some((None, cx.span(pointer, Target::Value), "child executions are Express".into())),
        Cause::Retry { owner, pointer, error, .. } => {
            let whose = if *owner == state.id { String::new() } else { format!(" (on `{}`)", cx.machine.states[*owner].name) };
            Some((None, cx.span(pointer, Target::Value), format!("retries `{error}`{whose}")))
        }
        Cause::AsyncInvoke { pointer } => Some((None, cx.span(pointer, Target::Value), "asynchronous invocation".into())),
    }
}

/// Why a state runs in an Express execution, as a clause; `None` when it does not or when
/// nothing says so (an unknown type is not linted as Express).
pub fn express_execution(cx: &Context<'_>, state: &State<'_>) -> Option<Cow<'static, str>> {
    let contexts = &cx.analysis.contexts();
    if !contexts.runs_in_express(state) {
        return None;
    }
    Some(match contexts.execution(state.scope) {
        Execution::ExpressChildren(map) => {
            format!("the child executions of the Distributed Map `{}` are Express", cx.machine.states[map].name).into()
        }
        _ => match contexts.workflow.origin {
            TypeOrigin::CommandLine => "this is an Express workflow (`--workflow-type express`)".into(),
            TypeOrigin::Config => "this is an Express workflow (`workflow-type = \"express\"` in sfn-lint.toml)".into(),
            _ => "this is an Express workflow".into(),
        },
    })
}

/// Which rules run: `--select` and `--ignore` by code, code prefix or name.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

impl Selection {
    /// Checks that every selector names a rule, a code prefix of some rule, or `ALL`.
    pub fn validate(&self) -> Result<(), String> {
        for selector in self.select.iter().chain(&self.ignore) {
            if !REGISTRY.iter().any(|r| matches(selector, r.meta())) {
                return Err(format!("`{selector}` matches no rule code, code prefix or rule name"));
            }
        }
        Ok(())
    }

    /// No `--select` and no `--ignore`: every rule runs.
    pub fn is_everything(&self) -> bool {
        self.select.is_empty() && self.ignore.is_empty()
    }

    pub fn enabled(&self, meta: &RuleMeta) -> bool {
        let selected = self.select.is_empty() || self.select.iter().any(|s| matches(s, meta));
        selected && !self.ignore.iter().any(|s| matches(s, meta))
    }
}

/// Whether `selector` (a code, a code prefix, a rule name or `ALL`) names the rule.
pub fn matches(selector: &str, meta: &RuleMeta) -> bool {
    selector.eq_ignore_ascii_case("ALL")
        || selector == meta.name
        || (!selector.is_empty() && meta.code.len() >= selector.len() && meta.code[..selector.len()].eq_ignore_ascii_case(selector))
}

/// Names close to `name` among `candidates`, for "did you mean" help: the nearest within
/// a third of its length (at least one edit), the first in order among equals.
pub fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let name: Vec<char> = name.chars().collect();
    let limit = (name.len() / 3).max(1);
    // One row of the distance table, reused: a definition with thousands of unknown names
    // asks this for each of them.
    let mut row = Vec::with_capacity(name.len() + 1);
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        if let Some(distance) = distance_within(&name, candidate, limit, &mut row)
            && best.is_none_or(|nearest| (distance, candidate) < nearest)
        {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// The edit distance between `a` and `b` when it is at most `limit`. Gives up as soon as
/// every entry of a row exceeds the limit: the distance can only grow from there.
fn distance_within(a: &[char], b: &str, limit: usize, row: &mut Vec<usize>) -> Option<usize> {
    row.clear();
    row.extend(0..=a.len());
    for (j, cb) in b.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = j + 1;
        let mut smallest = row[0];
        for (i, &ca) in a.iter().enumerate() {
            let next = (diagonal + usize::from(ca != cb)).min(row[i] + 1).min(row[i + 1] + 1);
            diagonal = row[i + 1];
            row[i + 1] = next;
            smallest = smallest.min(next);
        }
        if smallest > limit {
            return None;
        }
    }
    Some(row[a.len()]).filter(|&distance| distance <= limit)
}

/// `rules/CODE.md` for a code, embedded at build time.
macro_rules! rule_doc {
    ($code:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/", $code, ".md"))
    };
}
pub(crate) use rule_doc;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_by_code_prefix_and_name() {
        let meta = find("ASL004").unwrap();
        let by = |select: &[&str], ignore: &[&str]| {
            Selection { select: select.iter().map(|s| s.to_string()).collect(), ignore: ignore.iter().map(|s| s.to_string()).collect() }
                .enabled(meta)
        };
        assert!(by(&[], &[]));
        assert!(by(&["ASL"], &[]));
        assert!(by(&["asl00"], &[]));
        assert!(by(&["unreachable-state"], &[]));
        assert!(!by(&["ASL003"], &[]));
        assert!(!by(&[], &["ASL004"]));
        assert!(!by(&["ASL"], &["unreachable-state"]));
        assert!(Selection { select: vec!["NOPE".into()], ignore: vec![] }.validate().is_err());
    }

    #[test]
    fn closest_names() {
        assert_eq!(closest("ChargCard", ["ChargeCard", "Refund"].into_iter()), Some("ChargeCard"));
        assert_eq!(closest("X", ["ChargeCard"].into_iter()), None);
        // The nearest wins, then the first in order; the limit is a third of the name.
        assert_eq!(closest("abcdef", ["abcxyz", "abdcef", "abcdeg", "abcde"].into_iter()), Some("abcde"));
        assert_eq!(closest("abcdef", ["abcdxy", "abxyef"].into_iter()), Some("abcdxy"));
        assert_eq!(closest("abcdef", ["axcxex"].into_iter()), None);
        assert_eq!(closest("\u{e9}x", ["ex"].into_iter()), Some("ex"), "characters are edited, not bytes");
        assert_eq!(closest("ab", ["", "abcd"].into_iter()), None);
    }
}

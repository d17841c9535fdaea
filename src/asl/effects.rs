//! The side effects of each Task that repeat when it runs again, found once per
//! definition from the catalogue, the request and the data flow. Rules report them when
//! the Task is in an at-least-once context.

use std::collections::BTreeSet;

use super::catalog::{Effect, catalog};
use super::dataflow::{DataFlow, Flow, finds_carried, finds_unstable_variable, reads_unstable_variable, template_carry};
use super::dynamodb::{self, Names, ValueType};
use super::values::{Param, Request, Value, find_unstable, holds_unstable, member};
use super::{Integration, Machine, QueryLanguage, State, StateKind};
use crate::host::{Grant, Resource, Resources};
use crate::syntax::Span;
use crate::syntax::{Node, has_placeholder, push_token};

/// The kinds of side effect that repeat when a Task runs again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum HazardKind {
    /// A DynamoDB write whose effect grows on replay.
    GrowingUpdate,
    /// A message to a person.
    Notification,
    /// An SQS send without deduplication.
    QueueSend,
    /// A state-changing call with no key from the execution.
    MissingKey,
    /// A token or key built from a value that is new on every attempt.
    UnstableKey,
    /// An event or stream record with no ID.
    EventPublish,
    /// A Step Functions execution started without a stable name.
    StartExecution,
    /// An asynchronous Lambda invocation.
    AsyncInvoke,
    /// A guarded write whose guard failure is not caught.
    UnhandledGuard,
}

/// One side effect of a Task that repeats when it runs again: where it is, what it is,
/// and what shows it. Rules word it.
#[derive(Clone, Debug, PartialEq)]
pub struct Hazard {
    pub pointer: String,
    pub fact: Fact,
    /// Template resources that decided the verdict (a queue that is not FIFO, ...).
    pub witnesses: Vec<Witness>,
    /// A hazard only where the whole execution may run again, not where a `Retry` re-runs
    /// the state alone: only a step's label shows that the call changes anything (a Lambda
    /// function called `Send Receipt` by its state), or the unstable value was set by an
    /// earlier state, which a retry of this one does not run again.
    pub whole_run_only: bool,
}

/// What a side effect is.
#[derive(Clone, Debug, PartialEq)]
pub enum Fact {
    /// An update that adds to, subtracts from or appends to `attribute` (and `more` others).
    GrowingUpdate { growth: dynamodb::GrowthKind, attribute: String, more: usize, partiql: bool },
    /// A service call that messages a person; `token` is the call's idempotency token field.
    MessagesPerson { action: Action, token: Option<&'static str> },
    /// An SNS publish to a phone number (SMS) or to a device (push).
    SnsToPerson { sms: bool },
    /// A publish to a topic that is, or may be, a standard topic.
    StandardTopic { topic: Named },
    /// An HTTP request to an API that messages people.
    MessagingHttp { method: String, host: String },
    /// A send to a FIFO queue without a deduplication ID; `queue` is the template's resource.
    FifoWithoutDedup { queue: Option<String> },
    /// A send to a queue that is, or may be, a standard queue.
    StandardQueue { queue: Named },
    /// A call to an action that takes no idempotency token.
    UntokenedCall { action: Action },
    /// A Lambda invocation whose payload carries no key.
    UnkeyedLambda { action: Action, language: QueryLanguage },
    /// A call that takes an idempotency token and is not given one.
    MissingToken { action: Action, token: &'static str, stable: StableKey },
    /// An HTTP request with a method that is not idempotent and no idempotency header.
    UnkeyedHttp { method: String },
    /// A key or token built from a value that is new on every attempt (or run).
    UnstableKey { role: KeyRole, source: Unstable, stable: StableKey },
    /// An event or record published without an ID; `language` is `None` when the state
    /// writes no request.
    EventWithoutId { action: Action, language: Option<QueryLanguage> },
    /// A start of the template's Express state machine `child`.
    StartsExpressChild { child: String },
    /// A start of an execution with no `Name` and no key in its input.
    StartsUnnamed { stable: StableKey },
    /// An asynchronous Lambda invocation; `callback` when the state waits for a task token.
    AsyncInvoke { callback: bool },
    /// A conditional write whose condition failing nothing catches; `sdk` when the error
    /// is named as the SDK integration names it (`DynamoDb.`).
    UnhandledGuard { sdk: bool },
}

/// What a Task calls.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// A Lambda function, by its name.
    Function(String),
    /// A Lambda function ARN as the Resource.
    FunctionResource(String),
    /// An integration's or SDK's `service:action`.
    Api {
        service: String,
        action: String,
    },
    Other,
}

/// A queue or topic: named (by the template's resource, or by its URL or ARN), or not known.
#[derive(Clone, Debug, PartialEq)]
pub enum Named {
    Known(String),
    Unknown,
}

/// The field an unstable value builds.
#[derive(Clone, Debug, PartialEq)]
pub enum KeyRole {
    /// A key field of a Lambda payload.
    IdempotencyKey(String),
    /// A request member: an idempotency token, `MessageDeduplicationId`.
    Member(String),
    /// The `Key` of an UpdateItem.
    ItemKey,
    /// A key attribute of the item a PutItem writes.
    PutKey(String),
    /// An attribute an `attribute_not_exists` guard checks.
    GuardedAttribute(String),
    /// An HTTP header.
    Header(String),
    /// A started execution's `Name`.
    ExecutionName,
}

/// Where a value that is new on every attempt comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum Unstable {
    /// An expression of this state (`$$.Execution.StartTime`, `States.UUID()`).
    Expression(&'static str),
    /// A variable set from a random or time value.
    Variable(String),
    /// A field an earlier state set from a random or time value.
    Carried(String),
}

impl Unstable {
    /// Whether the value is set by an earlier state: new on every run of the execution,
    /// the same on a retry of this state.
    pub fn earlier(&self) -> bool {
        !matches!(self, Unstable::Expression(_))
    }
}

/// The field to set to a key that is the same each time the state runs again, as the
/// state's query language and place (inside an inline Map or not) write it.
#[derive(Clone, Debug, PartialEq)]
pub struct StableKey {
    pub field: String,
    pub language: QueryLanguage,
    pub inline_map: bool,
}

/// A template resource that shows a hazard.
#[derive(Clone, Debug, PartialEq)]
pub struct Witness {
    /// The template's file (`None`: the finding's own).
    pub file: Option<String>,
    pub span: Span,
    pub fact: WitnessFact,
}

#[derive(Clone, Debug, PartialEq)]
pub enum WitnessFact {
    StandardTopic,
    StandardQueue,
    FifoQueueWithoutContentDedup,
    ExpressStateMachine,
    /// The function `function` is allowed the action `grant`.
    Grant {
        function: String,
        grant: String,
    },
}

impl Hazard {
    pub fn kind(&self) -> HazardKind {
        match self.fact {
            Fact::GrowingUpdate { .. } => HazardKind::GrowingUpdate,
            Fact::MessagesPerson { .. } | Fact::SnsToPerson { .. } | Fact::StandardTopic { .. } | Fact::MessagingHttp { .. } => {
                HazardKind::Notification
            }
            Fact::FifoWithoutDedup { .. } | Fact::StandardQueue { .. } => HazardKind::QueueSend,
            Fact::UntokenedCall { .. } | Fact::UnkeyedLambda { .. } | Fact::MissingToken { .. } | Fact::UnkeyedHttp { .. } => {
                HazardKind::MissingKey
            }
            Fact::UnstableKey { .. } => HazardKind::UnstableKey,
            Fact::EventWithoutId { .. } => HazardKind::EventPublish,
            Fact::StartsExpressChild { .. } | Fact::StartsUnnamed { .. } => HazardKind::StartExecution,
            Fact::AsyncInvoke { .. } => HazardKind::AsyncInvoke,
            Fact::UnhandledGuard { .. } => HazardKind::UnhandledGuard,
        }
    }
}

/// What shows that running a Lambda function again repeats something.
#[derive(Clone, Copy)]
enum Evidence<'a> {
    /// A grant of the function's template that repeats an effect.
    Grant(Resource<'a>, Grant<'a>),
    /// The function's own name, written out (`charge-card`).
    DeployedName,
    /// The state's name, or a name a template fills in: enough only where the whole
    /// execution may run again.
    Name,
    /// Nothing either way: no template says what the function may do, and no name says
    /// what it does.
    Silent,
}

/// The data flows at each state's input: the execution ID's, and, when the definition
/// has a source of them, the values that are new on every attempt.
#[derive(Clone, Copy)]
pub struct Flows<'f> {
    pub execution_id: &'f DataFlow,
    pub unstable: Option<&'f DataFlow>,
}

/// What the configuration adds: more key fields, and Lambda functions known to be
/// idempotent (globs over the function name or ARN).
#[derive(Clone, Copy, Default)]
pub struct Idempotency<'c> {
    pub key_fields: &'c [String],
    pub functions: Option<&'c globset::GlobSet>,
}

/// The side effects of one state that repeat when it runs again (a Task's; other states
/// have none of their own).
pub fn hazards_of<'a>(
    machine: &Machine<'a>,
    state: &State<'a>,
    flows: Flows<'_>,
    resources: Option<&Resources<'a>>,
    idempotency: &Idempotency<'_>,
) -> Vec<Hazard> {
    match (&state.kind, &state.resource) {
        (StateKind::Task, Some(Ok(integration))) => {
            let unstable = flows.unstable.map(|u| u.at(state.id));
            Scan::new(machine, state, integration, (flows.execution_id.at(state.id), unstable), resources, idempotency).hazards()
        }
        _ => Vec::new(),
    }
}

/// Reading one Task's request.
struct Scan<'s, 'a> {
    resources: Option<&'s Resources<'a>>,
    idempotency: &'s Idempotency<'s>,
    machine: &'s Machine<'a>,
    state: &'s State<'a>,
    integration: &'s Integration<'a>,
    flow: &'s Flow,
    /// Where values that are new on every attempt are in the state's input.
    unstable_flow: Option<&'s Flow>,
    request: Option<(String, Request<'a>)>,
    out: Vec<Hazard>,
}

impl<'s, 'a> Scan<'s, 'a> {
    fn new(
        machine: &'s Machine<'a>,
        state: &'s State<'a>,
        integration: &'s Integration<'a>,
        (flow, unstable_flow): (&'s Flow, Option<&'s Flow>),
        resources: Option<&'s Resources<'a>>,
        idempotency: &'s Idempotency<'s>,
    ) -> Self {
        let request = Request::of(state).map(|(field, request)| (state.field_pointer(field), request));
        Scan { resources, idempotency, machine, state, integration, flow, unstable_flow, request, out: Vec::new() }
    }

    fn is_key_field(&self, name: &str) -> bool {
        catalog().key_fields.iter().chain(self.idempotency.key_fields).any(|k| k == name)
    }

    fn language(&self) -> QueryLanguage {
        self.state.query_language
    }

    /// The request's parameter `name` and its pointer.
    fn param(&self, name: &str) -> Option<(String, Param<'a>)> {
        let (pointer, request) = self.request.as_ref()?;
        let (key, param) = request.get(name)?;
        Some((push_token(pointer, key), param))
    }

    /// The request's parameter `name`, when its place is not reported.
    fn value(&self, name: &str) -> Option<Param<'a>> {
        self.request.as_ref()?.1.get(name).map(|(_, param)| param)
    }

    fn push(&mut self, pointer: String, fact: Fact) {
        self.out.push(Hazard { pointer, fact, witnesses: Vec::new(), whole_run_only: false });
    }

    /// The template resource a parameter refers to, if the template declares it.
    fn resource(&self, param: &Param<'_>, kind: &str) -> Option<Resource<'a>> {
        self.resources?.resolve(param.node).filter(|r| r.kind == kind)
    }

    /// Attaches a template resource as a witness to the last hazard reported.
    fn witness_last(&mut self, resource: &Resource<'_>, fact: WitnessFact) {
        if let Some(hazard) = self.out.last_mut() {
            hazard.witnesses.push(Witness { file: resource.file.map(str::to_string), span: resource.span, fact });
        }
    }

    fn resource_pointer(&self) -> String {
        self.state.field_pointer("Resource")
    }

    /// The function a Lambda Task invokes, as written in `FunctionName` or the ARN.
    fn function_name(&self) -> Option<&'a str> {
        if let Integration::LambdaFunction { name } = *self.integration {
            return Some(name);
        }
        let param = self.value("FunctionName")?;
        match param.value {
            Value::Static(node) => node.as_str().map(|arn| {
                let name = crate::syntax::find(arn, ":function:").map_or(arn, |at| &arn[at + ":function:".len()..]);
                name.split(':').next().unwrap_or(name)
            }),
            Value::Placeholder => param.node.as_str().or_else(|| {
                let function = self.resources?.resolve(param.node)?;
                matches!(function.kind, "AWS::Lambda::Function" | "AWS::Serverless::Function" | crate::host::SERVERLESS_FUNCTION)
                    .then_some(function.id)
            }),
            _ => None,
        }
    }

    /// The function's name when the definition writes it out (`charge-card`, or in its
    /// ARN), rather than leaving it to a placeholder a template fills in.
    fn deployed_function(&self) -> Option<&'a str> {
        let written = match *self.integration {
            Integration::LambdaFunction { .. } => self.state.field("Resource")?.as_str()?,
            _ => match self.value("FunctionName")?.value {
                Value::Static(node) => node.as_str()?,
                _ => return None,
            },
        };
        (!has_placeholder(written)).then(|| self.function_name()).flatten()
    }

    fn action(&self) -> Action {
        if let Some(Effect::LambdaInvoke) = catalog().action(self.integration).and_then(|a| a.effect) {
            if let Some(name) = self.function_name() {
                return Action::Function(name.to_string());
            }
        }
        match *self.integration {
            Integration::Optimized { service, action, .. } | Integration::Sdk { service, action, .. } => {
                Action::Api { service: service.to_string(), action: action.to_string() }
            }
            Integration::LambdaFunction { name } => Action::FunctionResource(name.to_string()),
            _ => Action::Other,
        }
    }

    /// The field `field` to set to a key that is the same each time this state runs again
    /// and differs between states (and between an inline Map's iterations).
    fn stable_key(&self, field: &str) -> StableKey {
        let enclosing_map = super::context::enclosing(self.machine, self.state).find(|s| s.kind == StateKind::Map);
        let inline_map = enclosing_map.is_some_and(|map| !map.is_distributed_map());
        StableKey { field: field.to_string(), language: self.language(), inline_map }
    }

    /// Reports a parameter built from an unstable value; returns whether it was.
    /// `field` is the member to set to a stable key instead.
    fn unstable(&mut self, pointer: &str, param: Param<'a>, role: KeyRole, field: &str) -> bool {
        let dollar = matches!(param.value, Value::Path(_));
        let found =
            find_unstable(pointer, param.node, dollar, self.language()).map(|u| (u.pointer, Unstable::Expression(u.what))).or_else(|| {
                finds_unstable_variable(param.node, dollar, self.language(), self.flow)
                    .map(|var| (pointer.to_string(), Unstable::Variable(var.to_string())))
                    .or_else(|| {
                        let read = finds_carried(param.node, dollar, self.language(), self.unstable_flow?)?;
                        Some((pointer.to_string(), Unstable::Carried(read.to_string())))
                    })
            });
        let Some((at, source)) = found else { return false };
        let whole_run_only = source.earlier();
        self.push(at, Fact::UnstableKey { role, source, stable: self.stable_key(field) });
        if let Some(hazard) = self.out.last_mut() {
            hazard.whole_run_only = whole_run_only;
        }
        true
    }

    fn hazards(mut self) -> Vec<Hazard> {
        if let Integration::Http = self.integration {
            self.http();
            return self.out;
        }
        let Some(action) = catalog().action(self.integration) else { return self.out };
        match action.effect {
            Some(Effect::LambdaInvoke) => self.lambda(),
            Some(Effect::MessagesPerson) => self.message_person(action.token),
            Some(Effect::TopicPublish) => self.topic(),
            Some(Effect::QueueSend) => self.queue(),
            Some(Effect::EventPublish) => self.event(),
            Some(Effect::StartExecution) => self.start_execution(),
            Some(Effect::DynamodbUpdate) => self.update(),
            Some(Effect::DynamodbPut) => self.put(),
            Some(Effect::DynamodbBatchWrite) => self.batch_write(),
            Some(Effect::DynamodbTransact) => self.transaction(action.token),
            Some(Effect::DynamodbPartiql) => self.partiql(),
            Some(Effect::TokenWrite) => self.token_write(action.token.unwrap_or("ClientToken")),
            Some(Effect::UntokenedWrite) => self.push(self.resource_pointer(), Fact::UntokenedCall { action: self.action() }),
            None => {}
        }
        // Most states have one hazard at most; a large definition holds one list per state.
        self.out.shrink_to_fit();
        self.out
    }

    /// Whether a payload (or event) carries the execution ID, a key field, or an ID read from
    /// the input, whose value is the same on every attempt.
    fn keyed(&self, node: &Node, dollar: bool) -> bool {
        if !template_carry(node, dollar, self.language(), self.flow).is_empty() {
            return true;
        }
        let mut stack = vec![(node, 0)];
        while let Some((node, depth)) = stack.pop() {
            if depth > 6 {
                continue;
            }
            if let Some(items) = node.as_array() {
                stack.extend(items.iter().map(|item| (item, depth + 1)));
            }
            for member in node.members().unwrap_or_default() {
                let name = member.key.strip_suffix(".$").unwrap_or(&member.key);
                // A business ID taken from the input (`orderId`, `$.detail.transaction_id`, a
                // Map item's key) is as good a key as the execution's.
                let business_id = catalog().looks_like_id(name)
                    && matches!(
                        super::values::classify(&member.value, member.key.ends_with(".$"), self.language()),
                        Value::Path(_) | Value::Jsonata(_)
                    );
                if self.is_key_field(name) || business_id {
                    let dollar = member.key.ends_with(".$");
                    let value = super::values::classify(&member.value, dollar, self.language());
                    let unstable =
                        holds_unstable(&member.value, dollar, self.language()) || reads_unstable_variable(value, self.flow).is_some();
                    if !unstable {
                        return true;
                    }
                }
                stack.push((&member.value, depth + 1));
            }
        }
        false
    }

    fn lambda(&mut self) {
        let language = self.language();
        let asynchronous = self
            .param("InvocationType")
            .filter(|(_, param)| matches!(param.value, Value::Static(n) if n.as_str() == Some("Event")))
            .map(|(pointer, _)| pointer);
        // The payload: `Payload` of the integrations; for a function ARN, the whole request.
        let payload = match self.integration {
            Integration::LambdaFunction { .. } => self.request.as_ref().map(|(p, r)| (p.clone(), r.node, false)),
            _ => self.param("Payload").map(|(p, param)| (p, param.node, matches!(param.value, Value::Path(_)))),
        };
        let (pointer, keyed) = match payload {
            Some((pointer, node, dollar)) => {
                let mut checked = Vec::new();
                let fields: Vec<&String> = catalog().key_fields.iter().chain(self.idempotency.key_fields).collect();
                for field in fields {
                    if let Some((key, param)) = member(node, field, language) {
                        if !checked.contains(&key) {
                            checked.push(key);
                            let at = push_token(&pointer, key);
                            let name = key.trim_end_matches(".$");
                            self.unstable(&at, param, KeyRole::IdempotencyKey(name.to_string()), name);
                        }
                    }
                }
                (pointer, self.keyed(node, dollar))
            }
            // No payload written out: the function receives the state's input.
            None => (self.resource_pointer(), !self.flow.paths.is_empty()),
        };
        if asynchronous.is_none() && keyed {
            return;
        }
        // An asynchronous invocation is a hazard unless the function is shown harmless; a
        // missing key only when something shows that the function changes anything.
        let evidence = self.function_evidence();
        if let Some(at) = asynchronous.filter(|_| evidence.is_some()) {
            let callback = matches!(self.integration, Integration::Optimized { pattern: super::Pattern::WaitForTaskToken, .. });
            self.push(at, Fact::AsyncInvoke { callback });
            self.attach(evidence);
        }
        if !keyed && !matches!(evidence, None | Some(Evidence::Silent)) {
            let action = match self.function_name() {
                Some(name) => Action::Function(name.to_string()),
                None => self.action(),
            };
            self.push(pointer, Fact::UnkeyedLambda { action, language });
            self.attach(evidence);
        }
    }

    /// What shows that running the function again repeats something: a grant of its
    /// template that repeats an effect (`sns:Publish`); where the template does not say
    /// what the function may do, a name that says so (`charge-card`). A state's label or
    /// a placeholder's name (`Sell Stock`, `${ReserveFlightArn}`) describes the step, not
    /// what the function does: enough only where the whole execution may run again. A
    /// function named for reading or declared idempotent in the configuration is harmless
    /// (`None`); so is one whose grants only read or write (a `PutItem` overwrites as often
    /// as not).
    fn function_evidence(&self) -> Option<Evidence<'a>> {
        let function = self.function_name();
        let named = |test: fn(&super::catalog::Catalog, &str) -> bool| {
            test(catalog(), self.state.name) || function.is_some_and(|f| test(catalog(), f))
        };
        let declared = function.is_some_and(|f| {
            self.idempotency.functions.is_some_and(|set| set.is_match(f) || set.is_match(format!("arn:aws:lambda:*:*:function:{f}")))
        });
        if declared || named(super::catalog::Catalog::reads_by_name) {
            return None;
        }
        let resource = self.function_resource();
        match resource.and_then(|resource| Some((resource, self.resources?.function_grants(&resource)?))) {
            Some((resource, grants)) => {
                grants.into_iter().find(|grant| catalog().grant_repeats_effect(grant.name)).map(|grant| Evidence::Grant(resource, grant))
            }
            None if self.deployed_function().is_some_and(|f| catalog().names_side_effect(f)) => Some(Evidence::DeployedName),
            None if named(super::catalog::Catalog::names_side_effect) => Some(Evidence::Name),
            None => Some(Evidence::Silent),
        }
    }

    /// Records on the last hazard what shows it: the grant as a label, or that a name
    /// alone shows it.
    fn attach(&mut self, evidence: Option<Evidence<'a>>) {
        let Some(hazard) = self.out.last_mut() else { return };
        match evidence {
            Some(Evidence::Grant(resource, grant)) => hazard.witnesses.push(Witness {
                file: resource.file.map(str::to_string),
                span: grant.span,
                fact: WitnessFact::Grant { function: resource.id.to_string(), grant: grant.name.to_string() },
            }),
            Some(Evidence::Name) => hazard.whole_run_only = true,
            Some(Evidence::DeployedName | Evidence::Silent) | None => {}
        }
    }

    /// The template's function a Lambda Task invokes, when the template declares it.
    fn function_resource(&self) -> Option<Resource<'a>> {
        let node = match self.integration {
            Integration::LambdaFunction { .. } => self.state.field("Resource")?,
            _ => self.value("FunctionName")?.node,
        };
        let resource = self.resources?.resolve(node)?;
        matches!(resource.kind, "AWS::Lambda::Function" | "AWS::Serverless::Function" | crate::host::SERVERLESS_FUNCTION)
            .then_some(resource)
    }

    fn message_person(&mut self, token: Option<&'static str>) {
        if let Some(token) = token {
            if let Some((pointer, param)) = self.param(token) {
                if !self.unstable(&pointer, param, KeyRole::Member(token.to_string()), token) {
                    return; // a stable token makes the call idempotent
                }
            }
        }
        self.push(self.resource_pointer(), Fact::MessagesPerson { action: self.action(), token });
    }

    fn topic(&mut self) {
        for (field, sms) in [("PhoneNumber", true), ("TargetArn", false)] {
            if self.value(field).is_some() {
                self.push(self.resource_pointer(), Fact::SnsToPerson { sms });
                return;
            }
        }
        let Some((pointer, topic)) = self.param("TopicArn") else { return };
        if let Some((at, id)) = self.param("MessageDeduplicationId") {
            self.unstable(&at, id, KeyRole::Member("MessageDeduplicationId".into()), "MessageDeduplicationId");
        }
        if let Some(resource) = self.resource(&topic, "AWS::SNS::Topic") {
            if resource.flag("FifoTopic") {
                return;
            }
            self.push(pointer, Fact::StandardTopic { topic: Named::Known(resource.id.to_string()) });
            self.witness_last(&resource, WitnessFact::StandardTopic);
            return;
        }
        let topic = match topic.value {
            Value::Static(node) if node.as_str().is_some_and(|t| t.ends_with(".fifo")) => return,
            Value::Static(node) => Named::Known(tail(node.as_str().unwrap_or_default()).to_string()),
            _ => Named::Unknown,
        };
        self.push(pointer, Fact::StandardTopic { topic });
    }

    fn queue(&mut self) {
        let Some((pointer, url)) = self.param("QueueUrl") else { return };
        let batch = self.param("Entries");
        let deduplicated = match &batch {
            Some((entries_pointer, entries)) => match entries.node.as_array() {
                Some(items) => {
                    let mut all = !items.is_empty();
                    for (i, entry) in items.iter().enumerate() {
                        match member(entry, "MessageDeduplicationId", self.language()) {
                            Some((key, param)) => {
                                let at = push_token(&push_token(entries_pointer, &i.to_string()), key);
                                self.unstable(&at, param, KeyRole::Member("MessageDeduplicationId".into()), "MessageDeduplicationId");
                            }
                            None => all = false,
                        }
                    }
                    all
                }
                None => false,
            },
            None => match self.param("MessageDeduplicationId") {
                Some((at, param)) => {
                    self.unstable(&at, param, KeyRole::Member("MessageDeduplicationId".into()), "MessageDeduplicationId");
                    true
                }
                None => false,
            },
        };
        if let Some(queue) = self.resource(&url, "AWS::SQS::Queue") {
            let (fact, witness) = match (queue.flag("FifoQueue"), deduplicated || queue.flag("ContentBasedDeduplication")) {
                (true, true) => return,
                (true, false) => (Fact::FifoWithoutDedup { queue: Some(queue.id.to_string()) }, WitnessFact::FifoQueueWithoutContentDedup),
                (false, _) => (Fact::StandardQueue { queue: Named::Known(queue.id.to_string()) }, WitnessFact::StandardQueue),
            };
            self.push(pointer, fact);
            self.witness_last(&queue, witness);
            return;
        }
        let fact = match url.value {
            Value::Static(node) if node.as_str().is_some_and(|u| u.ends_with(".fifo")) => {
                if deduplicated {
                    return;
                }
                Fact::FifoWithoutDedup { queue: None }
            }
            Value::Static(node) => Fact::StandardQueue { queue: Named::Known(tail(node.as_str().unwrap_or_default()).to_string()) },
            _ => Fact::StandardQueue { queue: Named::Unknown },
        };
        self.push(pointer, fact);
    }

    fn event(&mut self) {
        let Some((pointer, request)) = &self.request else {
            self.push(self.resource_pointer(), Fact::EventWithoutId { action: self.action(), language: None });
            return;
        };
        let (pointer, node) = (pointer.clone(), request.node);
        // An event handed on whole from the input (`"Detail.$": "$.detail"`) carries
        // whatever ID the input has, and nothing here shows it has none.
        if self.keyed(node, false) || self.forwards_detail(node) {
            return;
        }
        self.push(pointer, Fact::EventWithoutId { action: self.action(), language: Some(self.language()) });
    }

    /// Whether an event's `Detail` or a record's `Data` (of the request or of an entry) is
    /// read whole from the input or a variable rather than written out.
    fn forwards_detail(&self, node: &Node) -> bool {
        let mut stack = vec![(node, 0)];
        while let Some((node, depth)) = stack.pop() {
            if depth > 3 {
                continue;
            }
            stack.extend(node.as_array().unwrap_or_default().iter().map(|item| (item, depth + 1)));
            for member in node.members().unwrap_or_default() {
                if matches!(member.key.strip_suffix(".$").unwrap_or(&member.key), "Detail" | "Data") {
                    let value = super::values::classify(&member.value, member.key.ends_with(".$"), self.language());
                    if super::values::is_reference(value) {
                        return true;
                    }
                } else {
                    stack.push((&member.value, depth + 1));
                }
            }
        }
        false
    }

    fn start_execution(&mut self) {
        if let Some((pointer, name)) = self.param("Name") {
            self.unstable(&pointer, name, KeyRole::ExecutionName, "Name");
        }
        // An input that carries the execution ID (or a key field) lets the child deduplicate.
        let input = self.value("Input");
        if input.is_some_and(|input| self.keyed(input.node, matches!(input.value, Value::Path(_)))) {
            return;
        }
        let child = self.value("StateMachineArn").and_then(|arn| {
            self.resource(&arn, "AWS::StepFunctions::StateMachine").or_else(|| self.resource(&arn, "AWS::Serverless::StateMachine"))
        });
        let express = child.filter(|c| c.text("StateMachineType").or_else(|| c.text("Type")) == Some("EXPRESS"));
        // A child the template defines is read: starting twice one that runs no Task does
        // nothing twice, and an Express child's side effects are its own findings.
        if let Some(runs_no_task) = child.and_then(|c| self.resources?.runs_no_task(&c)) {
            if runs_no_task || express.is_some() {
                return;
            }
        }
        if let Some(target) = express {
            self.push(self.resource_pointer(), Fact::StartsExpressChild { child: target.id.to_string() });
            self.witness_last(&target, WitnessFact::ExpressStateMachine);
            return;
        }
        if self.param("Name").is_none() {
            self.push(self.resource_pointer(), Fact::StartsUnnamed { stable: self.stable_key("Name") });
        }
    }

    fn token_write(&mut self, token: &'static str) {
        match self.param(token) {
            Some((pointer, param)) => {
                self.unstable(&pointer, param, KeyRole::Member(token.to_string()), token);
            }
            None => {
                let fact = Fact::MissingToken { action: self.action(), token, stable: self.stable_key(token) };
                self.push(self.resource_pointer(), fact);
            }
        }
    }

    fn http(&mut self) {
        let Some(method) = self.value("Method") else { return };
        let Value::Static(method) = method.value else { return };
        let Some(method) = method.as_str().map(str::to_ascii_uppercase) else { return };
        if !catalog().http.non_idempotent_methods.contains(&method) {
            return;
        }
        // A model inference request (`model` with `messages` or `prompt`) creates nothing:
        // a repeat costs again, and returns a new answer.
        let body = self.value("RequestBody").map(|b| b.node);
        let has = |field: &String| body.is_some_and(|b| member(b, field, self.language()).is_some());
        let inference = catalog().http.inference_fields.iter().all(|any| any.iter().any(has));
        if inference {
            return;
        }
        if let Some((headers_pointer, headers)) = self.param("Headers") {
            for header in &catalog().http.idempotency_headers {
                let found = headers
                    .node
                    .members()
                    .unwrap_or_default()
                    .iter()
                    .find(|m| m.key.strip_suffix(".$").unwrap_or(&m.key).eq_ignore_ascii_case(header));
                if let Some(member) = found {
                    let at = push_token(&headers_pointer, &member.key);
                    let param = Param {
                        node: &member.value,
                        value: super::values::classify(&member.value, member.key.ends_with(".$"), self.language()),
                    };
                    let name = member.key.trim_end_matches(".$");
                    self.unstable(&at, param, KeyRole::Header(member.key.to_string()), name);
                    return;
                }
            }
        }
        let host = self.value("ApiEndpoint").and_then(|p| match p.value {
            Value::Static(node) => node.as_str().map(host_of),
            _ => None,
        });
        let messaging =
            host.as_deref().is_some_and(|h| catalog().http.messaging_hosts.iter().any(|m| h == m || h.ends_with(&format!(".{m}"))));
        let pointer = self.resource_pointer();
        let fact = match host {
            Some(host) if messaging => Fact::MessagingHttp { method, host },
            _ => Fact::UnkeyedHttp { method },
        };
        self.push(pointer, fact);
    }

    /// `ExpressionAttributeNames` / `ExpressionAttributeValues` of a request object.
    fn names<'n>(&self, object: &'n Node<'n>) -> Names<'n> {
        let mut names = Names::default();
        if let Some((_, param)) = member(object, "ExpressionAttributeNames", self.language()) {
            for m in param.node.members().unwrap_or_default() {
                if let Some(value) = m.value.as_str() {
                    names.names.insert(&*m.key, value);
                }
            }
        }
        if let Some((_, param)) = member(object, "ExpressionAttributeValues", self.language()) {
            for m in param.node.members().unwrap_or_default() {
                let name = m.key.strip_suffix(".$").unwrap_or(&m.key);
                let ty = m.value.members().and_then(|typed| typed.first()).map_or(ValueType::Unknown, |t| {
                    match t.key.strip_suffix(".$").unwrap_or(&t.key) {
                        "N" => ValueType::Number,
                        "SS" | "NS" | "BS" => ValueType::Set,
                        _ => ValueType::Other,
                    }
                });
                names.values.insert(name, ty);
            }
        }
        names
    }

    fn static_text(&self, object: &'a Node<'a>, name: &str) -> Option<(&'a str, &'a str)> {
        let (key, param) = member(object, name, self.language())?;
        match param.value {
            Value::Static(node) => Some((key, node.as_str()?)),
            _ => None,
        }
    }

    /// An UpdateItem request (or a `TransactItems` `Update`): its growth, its guard, and
    /// the stability of its key. Returns whether the write is guarded.
    fn update_request(&mut self, pointer: &str, object: &'a Node<'a>, exempt: bool) {
        let language = self.language();
        if let Some((key, param)) = member(object, "Key", language) {
            self.unstable(&push_token(pointer, key), param, KeyRole::ItemKey, "S");
        }
        let Some((update_key, text)) = self.static_text(object, "UpdateExpression") else { return };
        let names = self.names(object);
        let Ok(update) = dynamodb::analyze_update(text, &names) else { return };
        let condition =
            self.static_text(object, "ConditionExpression").and_then(|(key, c)| Some((key, dynamodb::analyze_condition(c, &names).ok()?)));
        let keys: BTreeSet<String> = member(object, "Key", language)
            .and_then(|(_, p)| p.node.members())
            .map(|m| m.iter().map(|m| m.key.strip_suffix(".$").unwrap_or(&m.key).to_string()).collect())
            .unwrap_or_default();
        // A guard makes the second application fail: a version check on an attribute the
        // update changes, a marker it sets or checks, a claim it removes, a create-once key.
        let guarded = condition.as_ref().is_some_and(|(_, c)| {
            c.equal.iter().any(|p| update.written.contains(p))
                || c.exists.iter().any(|p| update.removed.contains(p))
                || c.not_exists.iter().any(|p| update.written.contains(p) || (p.len() == 1 && keys.contains(&p[0])))
                || c.not_contains.iter().any(|(p, value)| update.written.contains(p) && self.stable_value(object, value))
        });
        if let (true, Some((condition_key, _))) = (guarded, &condition) {
            self.unhandled_guard(&push_token(pointer, condition_key));
        }
        if guarded || exempt || update.growth.is_empty() {
            return;
        }
        let first = &update.growth[0];
        let fact = Fact::GrowingUpdate {
            growth: first.kind,
            attribute: first.attribute.to_string(),
            more: update.growth.len() - 1,
            partiql: false,
        };
        self.push(push_token(pointer, update_key), fact);
    }

    /// Whether a `:value` of `ExpressionAttributeValues` is the same on every attempt.
    fn stable_value(&self, object: &Node, value: &str) -> bool {
        let Some((_, values)) = member(object, "ExpressionAttributeValues", self.language()) else { return false };
        let Some((_, param)) = member(values.node, value, self.language()) else { return false };
        !holds_unstable(param.node, matches!(param.value, Value::Path(_)), self.language())
            && reads_unstable_variable(param.value, self.flow).is_none()
    }

    fn unhandled_guard(&mut self, condition_pointer: &str) {
        let catchers = self.state.field("Catch").and_then(Node::as_array).unwrap_or_default();
        let handled = catchers.iter().any(|catcher| {
            let errors: Vec<&str> =
                catcher.get("ErrorEquals").and_then(Node::as_array).unwrap_or_default().iter().filter_map(Node::as_str).collect();
            errors.iter().any(|e| matches!(*e, "DynamoDB.ConditionalCheckFailedException" | "DynamoDb.ConditionalCheckFailedException"))
                || (errors.iter().any(|e| matches!(*e, "States.ALL" | "States.TaskFailed"))
                    && !catcher_fails(self.machine, self.state, catcher))
        });
        if !handled {
            let sdk = matches!(self.integration, Integration::Sdk { .. });
            self.push(condition_pointer.to_string(), Fact::UnhandledGuard { sdk });
        }
    }

    fn update(&mut self) {
        if let Some((pointer, request)) = self.request.clone() {
            self.update_request(&pointer, request.node, false);
        }
    }

    fn put(&mut self) {
        if let Some((pointer, request)) = self.request.clone() {
            self.put_request(&pointer, request.node, false);
        }
    }

    /// A PutItem request (or a `TransactItems` `Put`, a `BatchWriteItem` `PutRequest`): a
    /// guard on an attribute that changes on every attempt guards nothing, and without a
    /// guard an item key that changes on every attempt writes a new item each time.
    fn put_request(&mut self, pointer: &str, object: &'a Node<'a>, exempt: bool) {
        let language = self.language();
        let Some((item_key, item)) = member(object, "Item", language) else { return };
        let item_pointer = push_token(pointer, item_key);
        let guard = self.static_text(object, "ConditionExpression").and_then(|(key, text)| {
            let condition = dynamodb::analyze_condition(text, &self.names(object)).ok()?;
            Some((key, condition)).filter(|(_, c)| !c.not_exists.is_empty())
        });
        let Some((condition_key, condition)) = guard else {
            if exempt {
                return;
            }
            let keys = self.table_keys(object);
            for attribute in item.node.members().unwrap_or_default() {
                let name = attribute.key.strip_suffix(".$").unwrap_or(&attribute.key);
                let is_key = match &keys {
                    Some(keys) => keys.contains(&name),
                    None => catalog().looks_like_item_key(name),
                };
                if let (true, Some((attribute_key, param))) = (is_key, member(item.node, name, language)) {
                    let at = push_token(&item_pointer, attribute_key);
                    if self.unstable(&at, param, KeyRole::PutKey(name.to_string()), "S") {
                        return;
                    }
                }
            }
            return;
        };
        for path in condition.not_exists.iter().filter(|p| p.len() == 1) {
            if let Some((attribute_key, param)) = member(item.node, &path[0], language) {
                let at = push_token(&item_pointer, attribute_key);
                self.unstable(&at, param, KeyRole::GuardedAttribute(path[0].to_string()), "S");
            }
        }
        self.unhandled_guard(&push_token(pointer, condition_key));
    }

    /// The key attributes of the table a request names, when the template declares it.
    fn table_keys(&self, object: &Node) -> Option<Vec<&'s str>> {
        let (_, table) = member(object, "TableName", self.language())?;
        let table =
            self.resources?.resolve(table.node).filter(|r| matches!(r.kind, "AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable"))?;
        let schema = table.properties?.get("KeySchema")?.as_array()?;
        Some(schema.iter().filter_map(|k| k.get("AttributeName")?.as_str()).collect())
    }

    /// `BatchWriteItem`: every `PutRequest` of every table.
    fn batch_write(&mut self) {
        let Some((pointer, request)) = self.request.clone() else { return };
        let Some((items_key, tables)) = member(request.node, "RequestItems", self.language()) else { return };
        let tables_pointer = push_token(&pointer, items_key);
        for table in tables.node.members().unwrap_or_default() {
            for (i, entry) in table.value.as_array().unwrap_or_default().iter().enumerate() {
                if let Some((put_key, put)) = member(entry, "PutRequest", self.language()) {
                    let at = push_token(&push_token(&push_token(&tables_pointer, &table.key), &i.to_string()), put_key);
                    // The table is the member's name: the request names it for the item.
                    self.put_request(&at, put.node, false);
                }
            }
        }
    }

    fn transaction(&mut self, token: Option<&str>) {
        let Some((pointer, request)) = self.request.clone() else { return };
        let mut exempt = false;
        if let Some(token) = token {
            if let Some((at, param)) = self.param(token) {
                exempt = !self.unstable(&at, param, KeyRole::Member(token.to_string()), token);
            }
        }
        let Some((items_key, items)) = member(request.node, "TransactItems", self.language()) else { return };
        for (i, item) in items.node.as_array().unwrap_or_default().iter().enumerate() {
            if let Some((update_key, update)) = member(item, "Update", self.language()) {
                let at = push_token(&push_token(&push_token(&pointer, items_key), &i.to_string()), update_key);
                self.update_request(&at, update.node, exempt);
            }
            if let Some((put_key, put)) = member(item, "Put", self.language()) {
                let at = push_token(&push_token(&push_token(&pointer, items_key), &i.to_string()), put_key);
                self.put_request(&at, put.node, exempt);
            }
        }
    }

    fn partiql(&mut self) {
        let Some((pointer, request)) = self.request.clone() else { return };
        if let Some((at, param)) = self.param("ClientRequestToken") {
            if !self.unstable(&at, param, KeyRole::Member("ClientRequestToken".into()), "ClientRequestToken") {
                return;
            }
        }
        let mut statements: Vec<(String, &Node)> = Vec::new();
        if let Some((key, param)) = member(request.node, "Statement", self.language()) {
            statements.push((push_token(&pointer, key), param.node));
        }
        for list in ["Statements", "TransactStatements"] {
            if let Some((key, param)) = member(request.node, list, self.language()) {
                for (i, entry) in param.node.as_array().unwrap_or_default().iter().enumerate() {
                    if let Some((statement_key, statement)) = member(entry, "Statement", self.language()) {
                        let at = push_token(&push_token(&push_token(&pointer, key), &i.to_string()), statement_key);
                        statements.push((at, statement.node));
                    }
                }
            }
        }
        for (at, node) in statements {
            let Some(text) = node.as_str() else { continue };
            if let Some(first) = dynamodb::partiql_growth(text).first() {
                let fact = Fact::GrowingUpdate { growth: first.kind, attribute: first.attribute.to_string(), more: 0, partiql: true };
                self.push(at, fact);
            }
        }
    }
}

/// A catcher that routes to a Fail state turns the duplicate into a failure all the same.
fn catcher_fails(machine: &Machine<'_>, state: &State<'_>, catcher: &Node) -> bool {
    let scope = &machine.scopes[state.scope];
    let target = catcher.get("Next").and_then(Node::as_str).and_then(|name| scope.state_named(name));
    target.is_some_and(|t| machine.states[t].kind == StateKind::Fail)
}

fn tail(arn_or_url: &str) -> &str {
    arn_or_url.rsplit(['/', ':']).next().unwrap_or(arn_or_url)
}

fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', ':', '?']).next().unwrap_or_default().to_ascii_lowercase()
}

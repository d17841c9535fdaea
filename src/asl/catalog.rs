//! The catalogue of AWS actions (`rules/catalog.toml`, embedded at build time): what each
//! action does, which take an idempotency token, which errors prove a request never ran.

use foldhash::{HashMap, HashSet};
use std::sync::LazyLock;

use serde::Deserialize;

use super::resource::Integration;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Effect {
    MessagesPerson,
    QueueSend,
    TopicPublish,
    EventPublish,
    StartExecution,
    LambdaInvoke,
    DynamodbUpdate,
    DynamodbPut,
    DynamodbBatchWrite,
    DynamodbTransact,
    DynamodbPartiql,
    TokenWrite,
    UntokenedWrite,
}

/// What the catalogue says about one action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    pub effect: Option<Effect>,
    /// The parameter that carries an idempotency token.
    pub token: Option<&'static str>,
    pub read_only: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct File {
    aliases: HashMap<String, String>,
    errors: Errors,
    read_only: ReadOnly,
    idempotency: Idempotency,
    action: Vec<Entry>,
    http: Http,
    placeholders: Placeholders,
    dynamodb: Dynamodb,
    permissions: Permissions,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Permissions {
    side_effect: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Dynamodb {
    item_key_names: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Errors {
    rejected_before_running: Vec<String>,
    transient: Vec<String>,
    predefined: Vec<String>,
    raised_only_with_field: HashMap<String, String>,
    raised_only_by_service: HashMap<String, String>,
}

/// What a placeholder's name says a `Resource` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NamedKind {
    Function,
    Activity,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Placeholders {
    function_words: Vec<String>,
    activity_words: Vec<String>,
    trailing_words: Vec<String>,
    function_prefixes: Vec<String>,
    activity_prefixes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReadOnly {
    prefixes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Idempotency {
    key_fields: Vec<String>,
    id_field_names: Vec<String>,
    read_only_verbs: Vec<String>,
    side_effect_words: Vec<String>,
    generic_words: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    service: String,
    effect: Effect,
    actions: Vec<String>,
    token: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Http {
    pub messaging_hosts: Vec<String>,
    pub non_idempotent_methods: Vec<String>,
    pub idempotency_headers: Vec<String>,
    /// A request body with a field of each group is a model inference request.
    pub inference_fields: Vec<Vec<String>>,
}

pub struct Catalog {
    aliases: HashMap<String, String>,
    /// Error-name patterns, each split at its `*`s.
    rejected: Vec<Vec<String>>,
    transient: Vec<Vec<String>>,
    /// The `States.` errors that Step Functions raises and retries.
    predefined: HashSet<String>,
    /// Error-name patterns and the Map field, or the service, without which they never occur.
    raised_only_with_field: Vec<(Vec<String>, String)>,
    raised_only_by_service: Vec<(Vec<String>, String)>,
    read_only_prefixes: Vec<String>,
    pub key_fields: Vec<String>,
    /// Lowercase, as the words of a name are looked up.
    read_only_verbs: HashSet<String>,
    side_effect_words: HashSet<String>,
    generic_words: HashSet<String>,
    side_effect_grants: Vec<Vec<String>>,
    /// By service, then action name (first letter lowercase): the effect and the token.
    actions: HashMap<String, HashMap<String, (Effect, Option<String>)>>,
    pub http: Http,
    placeholders: Placeholders,
    item_key_names: Vec<Vec<String>>,
    id_field_names: Vec<Vec<String>>,
}

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    let file: File = toml::from_str(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/catalog.toml")))
        .expect("rules/catalog.toml is valid (a unit test parses it)");
    let mut actions: HashMap<String, HashMap<_, _>> = HashMap::default();
    for entry in file.action {
        for action in entry.actions {
            actions.entry(entry.service.clone()).or_default().insert(lower_first(&action), (entry.effect, entry.token.clone()));
        }
    }
    Catalog {
        aliases: file.aliases,
        rejected: file.errors.rejected_before_running.iter().map(|p| split_pattern(p)).collect(),
        transient: file.errors.transient.iter().map(|p| split_pattern(p)).collect(),
        predefined: file.errors.predefined.into_iter().collect(),
        raised_only_with_field: file.errors.raised_only_with_field.iter().map(|(p, f)| (split_pattern(p), f.clone())).collect(),
        raised_only_by_service: file.errors.raised_only_by_service.iter().map(|(p, s)| (split_pattern(p), s.clone())).collect(),
        read_only_prefixes: file.read_only.prefixes.iter().map(|p| lower_first(p)).collect(),
        key_fields: file.idempotency.key_fields,
        read_only_verbs: file.idempotency.read_only_verbs.iter().map(|w| w.to_ascii_lowercase()).collect(),
        side_effect_words: file.idempotency.side_effect_words.iter().map(|w| w.to_ascii_lowercase()).collect(),
        side_effect_grants: file.permissions.side_effect.iter().map(|p| split_pattern(p)).collect(),
        generic_words: file.idempotency.generic_words.iter().map(|w| w.to_ascii_lowercase()).collect(),
        actions,
        http: file.http,
        placeholders: file.placeholders,
        item_key_names: file.dynamodb.item_key_names.iter().map(|p| split_pattern(p)).collect(),
        id_field_names: file.idempotency.id_field_names.iter().map(|p| split_pattern(p)).collect(),
    }
});

/// A pattern split at its `*`s; `[*]` stands for a literal `*`.
fn split_pattern(pattern: &str) -> Vec<String> {
    const LITERAL: char = '\u{1}';
    pattern.replace("[*]", &LITERAL.to_string()).split('*').map(|part| part.replace(LITERAL, "*")).collect()
}

pub fn catalog() -> &'static Catalog {
    &CATALOG
}

/// The words of a name, as written: `${GetOrderFn}` → Get, Order, Fn; `check-status` →
/// check, status. A word is a run of ASCII letters and digits; an uppercase letter after a
/// lowercase one or a digit starts a new one.
fn words(name: &str) -> impl Iterator<Item = &str> {
    let bytes = name.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < bytes.len() && !bytes[at].is_ascii_alphanumeric() {
            at += 1;
        }
        if at == bytes.len() {
            return None;
        }
        let start = at;
        let mut previous_lower = false;
        while at < bytes.len() && bytes[at].is_ascii_alphanumeric() {
            if bytes[at].is_ascii_uppercase() && previous_lower {
                break;
            }
            previous_lower = bytes[at].is_ascii_lowercase() || bytes[at].is_ascii_digit();
            at += 1;
        }
        Some(&name[start..at])
    })
}

/// Whether `set` holds `word` in lowercase; a short word is lowercased on the stack.
fn contains_lowercase(set: &HashSet<String>, word: &str) -> bool {
    let mut buffer = [0u8; 32];
    match buffer.get_mut(..word.len()) {
        Some(lower) => {
            lower.copy_from_slice(word.as_bytes());
            lower.make_ascii_lowercase();
            std::str::from_utf8(lower).is_ok_and(|lower| set.contains(lower))
        }
        None => set.contains(&word.to_ascii_lowercase()),
    }
}

fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

impl Catalog {
    /// The action a Task integration calls, with what the catalogue knows of it. Direct
    /// Lambda function ARNs are Lambda invokes.
    pub fn action(&'static self, integration: &Integration<'_>) -> Option<Action> {
        let (service, name) = match *integration {
            Integration::Optimized { service, action, .. } => (self.aliases.get(service).map_or(service, String::as_str), action),
            Integration::Sdk { service, action, .. } => (service, action),
            Integration::LambdaFunction { .. } => ("lambda", "invoke"),
            _ => return None,
        };
        // SDK actions are written `PutItem`, optimized ones `putItem`.
        let name: std::borrow::Cow<'_, str> =
            if name.starts_with(|c: char| c.is_ascii_uppercase()) { lower_first(name).into() } else { name.into() };
        let known = self.actions.get(service).and_then(|actions| actions.get(&*name));
        let read_only = known.is_none() && self.read_only_prefixes.iter().any(|p| name.starts_with(p.as_str()));
        Some(Action { effect: known.map(|(effect, _)| *effect), token: known.and_then(|(_, token)| token.as_deref()), read_only })
    }

    /// Whether a state or function name starts with a verb that only reads or computes
    /// (`GetOrder`, `validate-input`, `Lambda Invoke to Check Status`), after the words
    /// that say nothing about what is done (`Lambda`, `Invoke`, `Call`).
    pub fn reads_by_name(&self, name: &str) -> bool {
        words(name).find(|w| !contains_lowercase(&self.generic_words, w)).is_some_and(|w| contains_lowercase(&self.read_only_verbs, w))
    }

    /// What a `Resource` placeholder's name says it is: `ChargeFunctionArn`, `checkPriceFnArn`,
    /// `iterator_lambda_arn` name functions; `WorkerActivityArn` an activity. A Terraform
    /// address (`aws_lambda_function.worker.arn`) by its type; otherwise the last word that
    /// is not `Arn`, `Name` or the like decides.
    pub fn resource_kind_by_name(&self, name: &str) -> Option<NamedKind> {
        let placeholders = &self.placeholders;
        if placeholders.function_prefixes.iter().any(|p| name.starts_with(p.as_str())) {
            return Some(NamedKind::Function);
        }
        if placeholders.activity_prefixes.iter().any(|p| name.starts_with(p.as_str())) {
            return Some(NamedKind::Activity);
        }
        let last = words(name).filter(|w| !self.placeholders.trailing_words.iter().any(|t| t.eq_ignore_ascii_case(w))).last()?;
        let is = |list: &[String]| list.iter().any(|w| w.eq_ignore_ascii_case(last));
        if is(&self.placeholders.function_words) {
            Some(NamedKind::Function)
        } else if is(&self.placeholders.activity_words) {
            Some(NamedKind::Activity)
        } else {
            None
        }
    }

    /// Whether a payload or event field is named like an ID (`orderId`, `transaction_id`).
    pub fn looks_like_id(&self, name: &str) -> bool {
        self.id_field_names.iter().any(|parts| glob(parts, name))
    }

    /// Whether an attribute is named like a DynamoDB item key (`id`, `pk`, `orderId`), for
    /// a table whose key schema the template does not show.
    pub fn looks_like_item_key(&self, name: &str) -> bool {
        self.item_key_names.iter().any(|parts| glob(parts, name))
    }

    /// Whether a state or function name says it moves money, sends a message or starts
    /// work (`ChargeCard`, `send-receipt`, `Lambda Invoke to Notify`).
    pub fn names_side_effect(&self, name: &str) -> bool {
        words(name).filter(|w| !contains_lowercase(&self.generic_words, w)).any(|w| contains_lowercase(&self.side_effect_words, w))
    }

    /// Whether a grant of a function's template lets it repeat an effect when it runs
    /// again: send a message, publish an event, start an execution or a job.
    pub fn grant_repeats_effect(&self, grant: &str) -> bool {
        self.side_effect_grants.iter().any(|parts| glob(parts, grant))
    }

    /// Whether an error name proves the request was rejected before it ran.
    pub fn rejected_before_running(&self, error: &str) -> bool {
        self.error(error).rejected
    }

    /// Whether an error is a transient failure of the service itself, after which a re-run
    /// is possible but rare.
    pub fn is_transient(&self, error: &str) -> bool {
        self.error(error).transient
    }

    /// What the patterns say of an error name. A definition names a few errors in many
    /// retriers, and three analyses ask: each name is matched once per thread.
    fn error(&self, error: &str) -> ErrorFacts {
        thread_local! {
            static MATCHED: std::cell::RefCell<HashMap<Box<str>, ErrorFacts>> = Default::default();
        }
        MATCHED.with_borrow_mut(|matched| {
            if let Some(&facts) = matched.get(error) {
                return facts;
            }
            let facts = ErrorFacts {
                rejected: self.rejected.iter().any(|parts| glob(parts, error)),
                transient: self.transient.iter().any(|parts| glob(parts, error)),
            };
            // Names come from the files linted: a hostile run cannot grow this for ever.
            if matched.len() < 4096 {
                matched.insert(error.into(), facts);
            }
            facts
        })
    }

    /// Whether a retrier on the error can fire: any name but a `States.` one that Step
    /// Functions does not raise or never retries.
    pub fn retriable(&self, error: &str) -> bool {
        !error.starts_with("States.") || self.predefined.contains(error)
    }

    /// The Map field without which the error never occurs (`States.ItemReaderFailed`
    /// needs an `ItemReader`).
    pub fn field_raising(&self, error: &str) -> Option<&str> {
        self.raised_only_with_field.iter().find(|(parts, _)| glob(parts, error)).map(|(_, field)| field.as_str())
    }

    /// The service (SDK integration id) that alone raises the error (`Lambda.*` errors
    /// come from Lambda invocations).
    pub fn service_raising(&self, error: &str) -> Option<&str> {
        self.raised_only_by_service.iter().find(|(parts, _)| glob(parts, error)).map(|(_, service)| service.as_str())
    }

    /// The SDK integration id of a service as an optimized integration names it.
    pub fn service_id<'s>(&'s self, service: &'s str) -> &'s str {
        self.aliases.get(service).map_or(service, String::as_str)
    }
}

/// What the error patterns say of one error name.
#[derive(Clone, Copy)]
struct ErrorFacts {
    rejected: bool,
    transient: bool,
}

/// Whether `text` matches a pattern given as its parts between `*`s: a `*` matches any run
/// of characters, everything else matches itself.
fn glob(parts: &[String], text: &str) -> bool {
    let Some((first, rest)) = parts.split_first() else { return text.is_empty() };
    let Some(remaining) = text.strip_prefix(first.as_str()) else { return false };
    let Some((last, middle)) = rest.split_last() else { return remaining.is_empty() };
    // The two ends first: they reject most names without a search.
    let Some(mut remaining) = remaining.strip_suffix(last.as_str()) else { return false };
    for part in middle {
        match crate::syntax::find(remaining, part) {
            Some(at) => remaining = &remaining[at + part.len()..],
            // An empty part (`**`) matches where it stands.
            None if part.is_empty() => {}
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asl::resource::parse_arn;

    fn action(arn: &str) -> Action {
        catalog().action(&parse_arn(arn).unwrap()).unwrap()
    }

    #[test]
    fn optimized_and_sdk_forms_meet_in_one_entry() {
        assert_eq!(action("arn:aws:states:::events:putEvents").effect, Some(Effect::EventPublish));
        assert_eq!(action("arn:aws:states:::aws-sdk:eventbridge:putEvents").effect, Some(Effect::EventPublish));
        assert_eq!(action("arn:aws:states:::states:startExecution.sync:2").effect, Some(Effect::StartExecution));
        assert_eq!(action("arn:aws:states:::aws-sdk:sesv2:SendEmail").effect, Some(Effect::MessagesPerson));
        assert_eq!(action("arn:aws:lambda:us-east-1:123456789012:function:f").effect, Some(Effect::LambdaInvoke));
        let run = action("arn:aws:states:::ecs:runTask.sync");
        assert_eq!((run.effect, run.token), (Some(Effect::TokenWrite), Some("ClientToken")));
    }

    #[test]
    fn read_only_by_prefix() {
        assert!(action("arn:aws:states:::aws-sdk:s3:getObject").read_only);
        assert!(action("arn:aws:states:::dynamodb:getItem").read_only);
        assert!(action("arn:aws:states:::aws-sdk:dynamodb:Query").read_only);
        assert!(!action("arn:aws:states:::aws-sdk:s3:putObject").read_only);
        assert!(!action("arn:aws:states:::dynamodb:updateItem").read_only);
    }

    #[test]
    fn words_split_at_separators_and_case_changes() {
        let split = |name| words(name).collect::<Vec<_>>();
        assert_eq!(split("${GetOrderFn}"), ["Get", "Order", "Fn"]);
        assert_eq!(split("check-status"), ["check", "status"]);
        assert_eq!(split("ABCDef get2Order"), ["ABCDef", "get2", "Order"]);
        assert_eq!(split("été_Go"), ["t", "Go"]);
        assert!(split(" -- ").is_empty());
    }

    #[test]
    fn read_only_function_names() {
        let c = catalog();
        for name in [
            "GetOrderStatus",
            "get-order",
            "Validate input",
            "${CheckStatusFunctionArn}",
            "detectLabels",
            "Lambda Invoke to Check Status",
            "Bedrock Describe Assets",
        ] {
            assert!(c.reads_by_name(name), "{name}");
        }
        for name in ["ChargeCard", "Getaway", "SendEmail", "generate-report", "Process", "Call LLM", "Lambda Invoke", ""] {
            assert!(!c.reads_by_name(name), "{name}");
        }
    }

    #[test]
    fn resource_kinds_by_placeholder_name() {
        let c = catalog();
        for name in [
            "StockBuyerFunctionArn",
            "checkPriceFnArn",
            "iterator_lambda_arn",
            "SecondFunctionARN",
            "crawlerLambda",
            "IngestTextFunction",
            "aws_lambda_function.worker.arn",
            "ProcessFunctionName",
        ] {
            assert_eq!(c.resource_kind_by_name(name), Some(NamedKind::Function), "{name}");
        }
        assert_eq!(c.resource_kind_by_name("GlueRunnerActivityArn"), Some(NamedKind::Activity));
        for name in ["cleanerArn", "DDBPutItem", "SNSTopicPublishAction", "FunctionsTable", "Arn", ""] {
            assert_eq!(c.resource_kind_by_name(name), None, "{name}");
        }
    }

    #[test]
    fn grants_and_names_say_what_a_function_does() {
        let c = catalog();
        for grant in ["sqs:SendMessage", "SQSSendMessagePolicy", "arn:aws:iam::aws:policy/AmazonSNSFullAccess", "batch:SubmitJob", "sqs:*"]
        {
            assert!(c.grant_repeats_effect(grant), "{grant}");
        }
        for grant in
            ["s3:GetObject", "S3ReadPolicy", "logs:CreateLogStream", "dynamodb:PutItem", "DynamoDBCrudPolicy", "states:SendTaskSuccess"]
        {
            assert!(!c.grant_repeats_effect(grant), "{grant}");
        }
        assert!(c.names_side_effect("ChargeCard") && c.names_side_effect("send-receipt") && c.names_side_effect("Lambda Invoke to Notify"));
        assert!(!c.names_side_effect("Lambda Invoke") && !c.names_side_effect("Transform Data") && !c.names_side_effect("Sender"));
    }

    #[test]
    fn rejected_errors() {
        let c = catalog();
        assert!(c.rejected_before_running("Lambda.TooManyRequestsException"));
        assert!(c.rejected_before_running("DynamoDB.ProvisionedThroughputExceededException"));
        assert!(c.rejected_before_running("States.Permissions"));
        assert!(c.rejected_before_running("StepFunctions.ExecutionAlreadyExistsException"));
        assert!(!c.rejected_before_running("States.ALL"));
        assert!(!c.rejected_before_running("Lambda.ServiceException"));
        assert!(!c.rejected_before_running("MyCustomError"));
        let glob = |pattern: &str, text| glob(&pattern.split('*').map(str::to_string).collect::<Vec<_>>(), text);
        assert!(glob("a*b*c", "aXbYc") && !glob("a*b*c", "aXbY") && glob("*", "") && glob("x", "x") && !glob("x", "xy"));
        assert!(glob("*Throughput*", "DynamoDB.ProvisionedThroughputExceededException") && glob("a**b", "ab") && !glob("*.X", "X"));
    }
}

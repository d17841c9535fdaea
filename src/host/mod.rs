//! Where definitions live. A host finds the state machines in a parsed file and says what
//! it knows about each: its place in the file, its workflow type, and the template's
//! resources its references point to.

mod cloudformation;
mod serverless;
pub mod spanmap;
mod starters;
mod terraform;

use std::path::{Path, PathBuf};

use crate::syntax::{Kind, Node, Span};

pub use spanmap::SpanMap;
pub use terraform::parse_terraform;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WorkflowType {
    Express,
    Standard,
    Unknown,
}

impl WorkflowType {
    /// `EXPRESS` / `STANDARD` as templates write it.
    fn declared(node: &Node) -> Self {
        match node.as_str() {
            Some("EXPRESS") => WorkflowType::Express,
            Some("STANDARD") => WorkflowType::Standard,
            _ => WorkflowType::Unknown,
        }
    }
}

/// Where a definition's workflow type came from, for messages and labels.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeOrigin {
    /// Nothing declared it.
    Undeclared,
    /// `--workflow-type` on the command line.
    CommandLine,
    /// `workflow-type` in `sfn-lint.toml`.
    Config,
    /// A declaration in a file, such as a template's `Type: EXPRESS`; `file` is `None` for
    /// the definition's own file.
    Declared { file: Option<String>, span: Span },
}

/// What a template shows starting a state machine (SPEC §3): an Express workflow that only
/// synchronous starts (`StartSyncExecution`) run is at most once.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Starters {
    /// The first synchronous start, and its file when it is not the definition's own.
    pub synchronous: Option<(Option<String>, Span)>,
    /// Something else starts it, or may: an asynchronous start, an event rule or schedule,
    /// a resource that is given its ARN.
    pub other: bool,
}

impl Starters {
    /// Where the workflow is started synchronously, when that is the only way it is started.
    pub fn only_synchronous(&self) -> Option<(Option<String>, Span)> {
        if self.other { None } else { self.synchronous.clone() }
    }
}

/// What a file holds, once its kind is known.
pub enum Contents<'t> {
    /// A standalone state machine definition.
    Definition,
    /// A template with these state machines.
    Template(Vec<Hosted<'t>>),
    /// Nothing of ours.
    Nothing,
}

/// One state machine found in a template.
pub struct Hosted<'t> {
    /// The resource's logical ID, or the Serverless / Terraform name.
    pub name: String,
    pub pointer_prefix: String,
    pub body: Body<'t>,
    pub workflow_type: WorkflowType,
    /// The span of the type declaration (or of the resource, when the type is the default).
    pub type_span: Option<Span>,
    pub resources: Option<Resources<'t>>,
    pub starters: Starters,
    /// Codes the resource's `Metadata: {sfn-lint: {ignore: [...]}}` silences, with spans.
    pub ignore: Vec<(String, Span)>,
}

impl<'t> Hosted<'t> {
    /// The definition this state machine hosts, once its tree `root` is at hand: `text`
    /// is what `root`'s spans index, `map` carries them to the file.
    pub fn definition<'a>(&'a self, root: &'a Node<'a>, text: &'a str, map: &'a SpanMap, note: Option<&'static str>) -> Definition<'a> {
        Definition {
            name: Some(self.name.clone()),
            root,
            text,
            map,
            note,
            pointer_prefix: self.pointer_prefix.clone(),
            workflow_type: self.workflow_type,
            type_origin: match self.type_span {
                Some(span) => TypeOrigin::Declared { file: None, span },
                None => TypeOrigin::Undeclared,
            },
            resources: self.resources,
            starters: self.starters.clone(),
        }
    }
}

/// Where a hosted definition's text is.
pub enum Body<'t> {
    /// An object of the file's own tree.
    Tree(&'t Node<'t>),
    /// A tree built from the file (Terraform's `jsonencode`), with file spans.
    Built(Node<'static>),
    /// JSON text embedded in the file: a string, a block scalar, a heredoc. `note` says why
    /// positions are approximate when the map is not exact.
    Text { text: String, map: SpanMap, note: Option<&'static str> },
    /// A file of its own (`DefinitionUri`, `file(...)`, `templatefile(...)`); `span` is
    /// where the template names it. `certain`: the deploying tool looks for the file at
    /// `path` and nowhere else (a Terraform path without `path.module` is relative to the
    /// folder Terraform runs in, which may be another module's).
    File { path: PathBuf, span: Span, certain: bool },
    /// Out of reach: in S3, or computed (`var.definition`).
    Elsewhere,
}

/// The template around a definition, to resolve `Ref`, `GetAtt`, `${...}` and
/// `DefinitionSubstitutions` to the resources they name.
#[derive(Clone, Copy)]
pub struct Resources<'t> {
    pub template: &'t Node<'t>,
    pub substitutions: Option<&'t Node<'t>>,
    /// A Serverless service's `functions`, which `Fn::GetAtt` names by their keys.
    pub functions: Option<&'t Node<'t>>,
    /// The template's own path, which its `DefinitionUri`s are relative to.
    pub path: Option<&'t Path>,
    /// The template's file when it is not the definition's own.
    pub file: Option<&'t str>,
}

/// The kind of a Serverless Framework function (under `functions`), which is no
/// CloudFormation resource type: its properties are the Framework's own.
pub const SERVERLESS_FUNCTION: &str = "serverless:function";

/// A resource of the template that a value refers to.
#[derive(Clone, Copy)]
pub struct Resource<'t> {
    pub file: Option<&'t str>,
    pub id: &'t str,
    pub kind: &'t str,
    pub properties: Option<&'t Node<'t>>,
    /// The span of the resource's logical ID in the template.
    pub span: Span,
}

impl<'t> Resource<'t> {
    /// A boolean property, written as `true` or `"true"`.
    pub fn flag(&self, name: &str) -> bool {
        let value = self.properties.and_then(|p| p.get(name));
        value.is_some_and(|v| v.as_bool() == Some(true) || v.as_str().is_some_and(|s| s.eq_ignore_ascii_case("true")))
    }

    /// A string property.
    pub fn text(&self, name: &str) -> Option<&'t str> {
        self.properties.and_then(|p| p.get(name)).and_then(Node::as_str)
    }
}

impl<'t> Resources<'t> {
    pub fn new(template: &'t Node<'t>, substitutions: Option<&'t Node<'t>>) -> Self {
        Resources { template, substitutions, functions: None, path: None, file: None }
    }

    /// The resource a value names: `{"Ref": "Q"}`, `!Ref Q`, `!GetAtt Q.Arn`,
    /// `{"Fn::GetAtt": ["Q", "Arn"]}`, `!Sub "${Q}"`, or a whole `${Name}` placeholder
    /// resolved through `DefinitionSubstitutions` (or naming a resource directly).
    pub fn resolve(&self, value: &Node) -> Option<Resource<'t>> {
        let mut node = value;
        for _ in 0..8 {
            match reference(node)? {
                Reference::Resource(name) => return self.resource(name),
                // `${Name}`: a substitution, or a resource (`${Queue}`, `${Queue.Arn}`).
                Reference::Placeholder(name) => match self.substitutions.and_then(|s| s.member(name)) {
                    Some(member) => node = &member.value,
                    None => return self.resource(name.split('.').next()?),
                },
            }
        }
        None
    }

    /// What a whole `${Name}` placeholder stands for through `DefinitionSubstitutions`, when
    /// that is a value rather than a reference: `arn:${AWS::Partition}:states:::sqs:sendMessage`.
    pub fn substituted(&self, value: &Node) -> Option<&'t Node<'t>> {
        let mut found = None;
        let mut node = value;
        for _ in 0..8 {
            let Some(Reference::Placeholder(name)) = reference(node) else { break };
            let Some(member) = self.substitutions.and_then(|s| s.member(name)) else { break };
            node = &member.value;
            found = Some(&member.value);
        }
        found.filter(|node| reference(node).is_none())
    }

    /// Whether the state machine `machine`, a resource of this template, holds no Task
    /// (only Pass, Wait, Choice, Succeed and Fail states, perhaps inside Parallel and Map
    /// states), when its definition can be read: inline, a `DefinitionString`, or a local
    /// `DefinitionUri` / `DefinitionS3Location` file.
    pub fn runs_no_task(&self, machine: &Resource<'_>) -> Option<bool> {
        let properties = machine.properties?;
        if let Some(definition) = properties.get("Definition") {
            return Some(!has_task(definition, 0));
        }
        let text = match properties.get("DefinitionString") {
            Some(string) => cloudformation::sub_template(string)?.to_string(),
            None => {
                let uri = properties.get("DefinitionUri").or_else(|| properties.get("DefinitionS3Location"))?.as_str()?;
                std::fs::read_to_string(relative_to(self.path?, uri)).ok()?
            }
        };
        let format = if text.trim_start().starts_with('{') { crate::syntax::Format::JsonTemplate } else { crate::syntax::Format::Yaml };
        let root = crate::syntax::parse(&text, format).ok()?;
        Some(!has_task(&root, 0))
    }

    /// What a Lambda function of this template may do, as its template grants it: the
    /// actions of its role's statements, and the names of the managed policies and SAM
    /// policy templates it is given. `None` when the template does not show its
    /// permissions (a role defined elsewhere, a Serverless function).
    pub fn function_grants(&self, function: &Resource<'t>) -> Option<Vec<Grant<'t>>> {
        let properties = function.properties;
        let mut grants = Vec::new();
        match function.kind {
            "AWS::Serverless::Function" => match properties.and_then(|p| p.get("Role")) {
                Some(role) => self.role_grants(role, &mut grants)?,
                // SAM's own role: the basic execution role and the listed policies.
                None => {
                    let policies = properties.and_then(|p| p.get("Policies"));
                    let items: Vec<&Node> = match policies.map(|p| &p.kind) {
                        Some(Kind::Array(items)) => items.iter().collect(),
                        Some(_) => policies.into_iter().collect(),
                        None => Vec::new(),
                    };
                    for item in items {
                        match item.members() {
                            Some(_) if item.get("Statement").is_some() => statement_grants(item, &mut grants),
                            Some(members) => grants.extend(members.iter().map(|m| Grant { name: &m.key, span: m.key_span })),
                            None => grants.push(Grant { name: item.as_str()?, span: item.span }),
                        }
                    }
                }
            },
            "AWS::Lambda::Function" => self.role_grants(properties?.get("Role")?, &mut grants)?,
            _ => return None,
        }
        Some(grants)
    }

    /// The grants of an IAM role of this template: its inline policies, its managed
    /// policies, and the `AWS::IAM::Policy` / `ManagedPolicy` resources attached to it.
    fn role_grants(&self, role: &Node, grants: &mut Vec<Grant<'t>>) -> Option<()> {
        let role = self.resolve(role).filter(|r| r.kind == "AWS::IAM::Role")?;
        // A role that several resources assume (one role for the state machine and all its
        // functions) says what one of them may do, not what this function does.
        if self.role_users(role.id) > 1 {
            return None;
        }
        let properties = role.properties?;
        for policy in properties.get("Policies").and_then(Node::as_array).unwrap_or_default() {
            statement_grants(policy.get("PolicyDocument")?, grants);
        }
        for managed in properties.get("ManagedPolicyArns").and_then(Node::as_array).unwrap_or_default() {
            match managed.as_str() {
                Some(arn) => grants.push(Grant { name: arn, span: managed.span }),
                // A policy of this template (`!Ref Policy`) is read below when it names the role.
                None if self.resolve(managed).is_some_and(|r| r.kind == "AWS::IAM::ManagedPolicy") => {}
                None => return None,
            }
        }
        for member in self.template.get("Resources")?.members()? {
            let kind = member.value.get("Type").and_then(Node::as_str);
            if !matches!(kind, Some("AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy")) {
                continue;
            }
            let Some(policy) = member.value.get("Properties") else { continue };
            let attached = policy.get("Roles").and_then(Node::as_array).unwrap_or_default();
            if attached.iter().any(|r| self.resolve(r).is_some_and(|r| r.id == role.id)) {
                statement_grants(policy.get("PolicyDocument")?, grants);
            }
        }
        Some(())
    }

    /// How many resources of this template assume the role `id` (`Role`, `RoleArn`).
    fn role_users(&self, id: &str) -> usize {
        let Some(resources) = self.template.get("Resources").and_then(Node::members) else { return 0 };
        resources
            .iter()
            .filter_map(|member| member.value.get("Properties"))
            .filter_map(|properties| properties.get("Role").or_else(|| properties.get("RoleArn")))
            .filter(|role| self.resolve(role).is_some_and(|r| r.id == id))
            .count()
    }

    fn resource(&self, id: &str) -> Option<Resource<'t>> {
        let Some(member) = self.template.get("Resources").and_then(|r| r.member(id)) else {
            let function = self.functions?.member(id)?;
            return Some(Resource {
                file: self.file,
                id: &function.key,
                kind: SERVERLESS_FUNCTION,
                properties: Some(&function.value),
                span: function.key_span,
            });
        };
        Some(Resource {
            file: self.file,
            id: &member.key,
            kind: member.value.get("Type").and_then(Node::as_str).unwrap_or_default(),
            properties: member.value.get("Properties"),
            span: member.key_span,
        })
    }
}

/// Something a template lets a function do: an IAM action (`sqs:SendMessage`), a managed
/// policy (`arn:aws:iam::aws:policy/AmazonSNSFullAccess`) or a SAM policy template
/// (`SQSSendMessagePolicy`), where it is written.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Grant<'t> {
    pub name: &'t str,
    pub span: Span,
}

/// The actions a policy document's `Allow` statements grant.
fn statement_grants<'t>(document: &'t Node<'t>, grants: &mut Vec<Grant<'t>>) {
    let statements: Vec<&Node> = match document.get("Statement").map(|s| &s.kind) {
        Some(Kind::Array(items)) => items.iter().collect(),
        Some(_) => document.get("Statement").into_iter().collect(),
        None => Vec::new(),
    };
    for statement in statements.into_iter().filter(|s| s.get("Effect").and_then(Node::as_str) != Some("Deny")) {
        let Some(action) = statement.get("Action") else { continue };
        let actions: Vec<&Node> = match &action.kind {
            Kind::Array(items) => items.iter().collect(),
            _ => vec![action],
        };
        grants.extend(actions.into_iter().filter_map(|a| Some(Grant { name: a.as_str()?, span: a.span })));
    }
}

/// Whether a definition (or a branch, an item processor) holds a Task, or a state of no
/// known type.
fn has_task(definition: &Node, depth: usize) -> bool {
    let Some(states) = definition.get("States").and_then(Node::members) else { return true };
    depth > 16
        || states.iter().any(|state| match state.value.get("Type").and_then(Node::as_str) {
            Some("Pass" | "Wait" | "Choice" | "Succeed" | "Fail") => false,
            Some("Parallel") => {
                state.value.get("Branches").and_then(Node::as_array).is_none_or(|b| b.iter().any(|b| has_task(b, depth + 1)))
            }
            Some("Map") => state.value.get("ItemProcessor").or_else(|| state.value.get("Iterator")).is_none_or(|p| has_task(p, depth + 1)),
            _ => true,
        })
}

enum Reference<'a> {
    Resource(&'a str),
    Placeholder(&'a str),
}

/// What a template value refers to, if it is a reference.
fn reference<'a>(node: &'a Node<'a>) -> Option<Reference<'a>> {
    match &node.kind {
        Kind::String(text) => {
            let name = text.strip_prefix("${")?.strip_suffix('}')?;
            (!name.contains(['{', '}', '$'])).then_some(Reference::Placeholder(name))
        }
        Kind::Tagged(tagged) => match (&*tagged.tag, &tagged.node) {
            ("Ref", inner) => inner.as_str().map(Reference::Resource),
            ("GetAtt", inner) => match &inner.kind {
                Kind::String(text) => text.split('.').next().map(Reference::Resource),
                Kind::Array(items) => items.first().and_then(Node::as_str).map(Reference::Resource),
                _ => None,
            },
            ("Sub", inner) => reference(inner),
            _ => None,
        },
        Kind::Object(members) if members.len() == 1 => {
            let value = &members[0].value;
            match &*members[0].key {
                "Ref" => value.as_str().map(Reference::Resource),
                "Fn::GetAtt" => match &value.kind {
                    Kind::Array(items) => items.first().and_then(Node::as_str).map(Reference::Resource),
                    Kind::String(text) => text.split('.').next().map(Reference::Resource),
                    _ => None,
                },
                "Fn::Sub" => match &value.kind {
                    Kind::Array(items) => items.first().and_then(reference),
                    _ => reference(value),
                },
                _ => None,
            }
        }
        _ => None,
    }
}

/// One state machine definition inside a file.
pub struct Definition<'t> {
    /// The logical ID or name of the state machine inside a template; `None` when the whole
    /// file is the definition.
    pub name: Option<String>,
    /// The definition's top-level object.
    pub root: &'t Node<'t>,
    /// The text `root`'s spans index: the file's, or the embedded string's.
    pub text: &'t str,
    /// Carries `root`'s spans to the file.
    pub map: &'t SpanMap,
    /// Why positions are approximate, when they are.
    pub note: Option<&'static str>,
    /// The JSON Pointer of `root` inside the file ("" for a standalone definition).
    pub pointer_prefix: String,
    pub workflow_type: WorkflowType,
    pub type_origin: TypeOrigin,
    pub resources: Option<Resources<'t>>,
    pub starters: Starters,
}

pub static IDENTITY: SpanMap = SpanMap::Identity;

/// A standalone ASL file: the whole document is one definition.
pub fn standalone<'t>(root: &'t Node<'t>, text: &'t str, declared: Option<(WorkflowType, TypeOrigin)>) -> Definition<'t> {
    let (workflow_type, type_origin) = declared.unwrap_or((WorkflowType::Unknown, TypeOrigin::Undeclared));
    Definition {
        name: None,
        root,
        text,
        map: &IDENTITY,
        note: None,
        pointer_prefix: String::new(),
        workflow_type,
        type_origin,
        resources: None,
        starters: Starters::default(),
    }
}

/// Whether a parsed document is a state machine definition: an object with `StartAt` and
/// `States` at the top level.
pub fn looks_like_asl(root: &Node) -> bool {
    root.get("StartAt").is_some() && root.get("States").is_some()
}

/// Whether `text` may hold what [`contents`] finds: a definition has a `StartAt` key, a
/// CloudFormation or SAM template a `...::StateMachine` resource type, a Serverless service a
/// `stepFunctions` key. A file without any of these words is not worth parsing. A backslash
/// could spell one with escapes (`"\u0053tartAt"`), so a text with one may hold anything
/// (looked for last: a file that holds a state machine has a word near its start).
pub fn may_hold_state_machine(text: &str) -> bool {
    let bytes = text.as_bytes();
    ["StartAt", "::StateMachine", "stepFunctions"].iter().any(|word| memchr::memmem::find(bytes, word.as_bytes()).is_some())
        || memchr::memchr(b'\\', bytes).is_some()
}

/// What a parsed JSON or YAML file holds. A host that finds state machines by other words
/// adds them to [`may_hold_state_machine`], or the walk never parses its files.
pub fn contents<'t>(path: &'t Path, text: &'t str, root: &'t Node<'t>) -> Contents<'t> {
    if looks_like_asl(root) {
        return Contents::Definition;
    }
    if let Some(found) = cloudformation::find(path, text, root) {
        return Contents::Template(found);
    }
    if let Some(found) = serverless::find(path, root) {
        return Contents::Template(found);
    }
    Contents::Nothing
}

/// A path a template names, relative to the template's folder.
fn relative_to(template: &Path, reference: &str) -> PathBuf {
    let folder = template.parent().unwrap_or(Path::new(""));
    let joined = folder.join(reference.trim_start_matches("./"));
    // Keep it tidy: `a/./b` → `a/b`, and `dir/../x` folded where possible.
    let mut clean = PathBuf::new();
    for part in joined.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if clean.file_name().is_some() => {
                clean.pop();
            }
            other => clean.push(other),
        }
    }
    clean
}

//! Linting one file: read, parse, find the definitions, build the model, run the rules.

use std::path::{Path, PathBuf};
use std::sync::Arc;

mod project;
mod run;

pub use run::{Stdin, run};

use crate::asl::effects::Idempotency;
use crate::asl::{Analysis, Machine};
use crate::config::{Config, TypeSetting};
use crate::diagnostic::{Excerpt, Finding};
use crate::discover::{format_of, is_asl_name};
use crate::host::{self, Body, Contents, Definition, Hosted, SpanMap, TypeOrigin, WorkflowType};
use crate::rules::{self, Context, REGISTRY, Selection};
use crate::suppress;
use crate::syntax::{self, Format, LineIndex, Node, ParseError, Span};

/// Files larger than this are not parsed (SPEC §10). CloudFormation deploys templates of
/// 1 MB at most, but `cdk.out` holds assembled templates that can be many times that.
pub const MAX_FILE_SIZE: u64 = 50 * 1024 * 1024;

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The type of definitions that nothing else declares (`--workflow-type`, or the
    /// configuration's `workflow-type`).
    pub workflow_type: Option<WorkflowType>,
    /// `workflow_type` is `--workflow-type`'s: it wins over the configuration's top-level
    /// `workflow-type`, not over a per-path override (a path's own setting is more specific).
    pub workflow_type_from_cli: bool,
    pub selection: Selection,
    pub config: Arc<Config>,
    /// Keep the source lines of each finding (see [`Excerpt`]) for a format that draws
    /// them.
    pub excerpts: bool,
    /// What the command line set, over whichever configuration applies to a file.
    pub cli: CommandLine,
    /// The configurations of folders below the run's own: each file takes the closest.
    pub layers: Option<Arc<crate::config::Layers>>,
    /// List each file and what became of it in the report (`--show-files`).
    pub list_files: bool,
}

/// The settings the command line gives, which win over every configuration's.
#[derive(Clone, Debug, Default)]
pub struct CommandLine {
    pub workflow_type: Option<TypeSetting>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    /// Added to the selected and ignored sets, whichever gives them.
    pub extend_select: Vec<String>,
    pub extend_ignore: Vec<String>,
}

impl CommandLine {
    /// The rules that run under `config`: the command line's sets win over the
    /// configuration's; the `extend` sets add to either (nothing selected means every rule,
    /// which nothing extends).
    pub fn selection(&self, config: &Config) -> Selection {
        let mut selection = Selection {
            select: if self.select.is_empty() { config.select.clone().unwrap_or_default() } else { self.select.clone() },
            ignore: if self.ignore.is_empty() { config.ignore.clone().unwrap_or_default() } else { self.ignore.clone() },
        };
        if !selection.select.is_empty() {
            selection.select.extend(self.extend_select.iter().cloned());
        }
        selection.ignore.extend(self.extend_ignore.iter().cloned());
        selection
    }
}

impl Options {
    /// The options of files under `config`, with what the command line sets.
    pub fn new(config: Arc<Config>, cli: CommandLine, excerpts: bool) -> Options {
        let setting = cli.workflow_type.or(config.workflow_type).unwrap_or(TypeSetting::Auto);
        Options {
            workflow_type: workflow_type(setting),
            workflow_type_from_cli: cli.workflow_type.is_some(),
            selection: cli.selection(&config),
            config,
            excerpts,
            cli,
            layers: None,
            list_files: false,
        }
    }

    /// The options for one file: its folder's configuration when it has its own, with the
    /// `[[overrides]]` that match it applied.
    pub fn for_path(&self, path: &Path) -> Options {
        let mut options = match self.layers.as_ref().and_then(|layers| layers.for_file(path)) {
            Some(config) => Options { layers: self.layers.clone(), ..Options::new(config.clone(), self.cli.clone(), self.excerpts) },
            None => self.clone(),
        };
        let config = options.config.clone();
        for entry in config.overrides_for(path) {
            if let Some(setting) = entry.workflow_type {
                options.workflow_type = workflow_type(setting);
                options.workflow_type_from_cli = false;
            }
            if let Some(select) = &entry.select {
                options.selection.select = select.clone();
            }
            options.selection.ignore.extend(entry.ignore.iter().cloned());
        }
        options
    }

    /// The type a standalone definition takes when no template declares one, and whence.
    pub fn declared_type(&self) -> Option<(WorkflowType, TypeOrigin)> {
        let origin = if self.workflow_type_from_cli { TypeOrigin::CommandLine } else { TypeOrigin::Config };
        self.workflow_type.map(|t| (t, origin))
    }

    fn max_file_size(&self) -> u64 {
        // Spans hold 32-bit offsets: no larger limit can apply.
        self.config.max_file_size.unwrap_or(MAX_FILE_SIZE).min(syntax::MAX_TEXT_LEN as u64)
    }

    fn idempotency(&self) -> Idempotency<'_> {
        Idempotency { key_fields: &self.config.key_fields, functions: self.config.idempotent_functions.as_ref() }
    }
}

/// `auto` leaves the type to templates (and otherwise unknown).
pub fn workflow_type(setting: TypeSetting) -> Option<WorkflowType> {
    match setting {
        TypeSetting::Auto => None,
        TypeSetting::Express => Some(WorkflowType::Express),
        TypeSetting::Standard => Some(WorkflowType::Standard),
    }
}

/// A definition file that a template names, to be linted with the template's type.
#[derive(Clone, Debug)]
pub struct Binding {
    pub target: PathBuf,
    pub template: PathBuf,
    /// The resource's logical ID, or the Serverless / Terraform name.
    pub name: String,
    pub workflow_type: WorkflowType,
    pub type_span: Option<Span>,
}

/// What linting one file produced.
#[derive(Debug, Default)]
pub struct FileResult {
    pub findings: Vec<Finding>,
    pub definitions: usize,
    /// The file holds no state machine.
    pub skipped: bool,
    /// Why a file was passed over unread, when it was not for holding no state machine.
    pub unread: Option<Unread>,
    /// Definition files this file's templates name.
    pub bindings: Vec<Binding>,
    /// Findings silenced by suppressions.
    pub suppressed: usize,
    /// The file is a standalone definition, linted with no template's type.
    pub standalone: bool,
    /// With a run's [`Binder`], one entry per binding: the definition file linted with
    /// this template's tree at hand (its displayed path and result), or none when the run
    /// may not read it.
    pub(crate) bound: Vec<Option<(String, FileResult)>>,
}

/// How a run lints the definition files a template names while the template's tree is at
/// hand (rather than parsing the template again): those under `allowed`, with the run's
/// own options.
pub(crate) struct Binder<'r> {
    pub allowed: &'r [PathBuf],
    pub options: &'r Options,
}

impl Binder<'_> {
    /// The canonical path of `target` when the run may read it (see [`run::run`]).
    pub fn readable(&self, target: &Path) -> Option<PathBuf> {
        std::fs::canonicalize(target).ok().filter(|target| self.allows(target))
    }

    /// Whether the run may read a file, by its canonical path.
    pub fn allows(&self, canonical: &Path) -> bool {
        self.allowed.iter().any(|root| canonical.starts_with(root))
    }
}

/// Why a file that may hold a state machine was not read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unread {
    /// Larger than `max-file-size`.
    TooLarge,
    NotUtf8,
}

impl FileResult {
    fn skipped() -> Self {
        FileResult { skipped: true, ..FileResult::default() }
    }

    fn unread(why: Unread) -> Self {
        FileResult { skipped: true, unread: Some(why), ..FileResult::default() }
    }
}

/// How much of a file too large to lint is read to tell whether it is a template or a
/// definition.
const SNIFF_LEN: u64 = 256 * 1024;

/// Whether the start of a file shows a state machine definition or a template.
fn looks_like_infrastructure(path: &Path) -> bool {
    let Ok(file) = open(path) else { return false };
    let mut head = Vec::new();
    if std::io::Read::read_to_end(&mut std::io::Read::take(file, SNIFF_LEN), &mut head).is_err() {
        return false;
    }
    let head = String::from_utf8_lossy(&head);
    mentions_state_machine(&head) || head.contains("AWSTemplateFormatVersion") || head.contains("Transform: AWS::Serverless")
}

/// Reads a file, within the size limit. `Err` holds the result to report instead.
fn read(path: &Path, display: &str, report: bool, options: &Options) -> Result<Vec<u8>, FileResult> {
    let cannot = |error: std::io::Error| unreadable(display, report, &format!("cannot read the file: {error}"), options);
    let file = match open(path) {
        Ok(file) => file,
        // A socket or other special file that cannot be opened is not ours to report.
        Err(_) if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) => return Err(FileResult::skipped()),
        Err(error) => return Err(cannot(error)),
    };
    let metadata = file.metadata().map_err(cannot)?;
    if !metadata.is_file() {
        return Err(FileResult::skipped());
    }
    let limit = options.max_file_size();
    if metadata.len() > limit {
        // Named, or a template or definition by its first bytes: a finding, never a silent skip.
        if !(report || looks_like_infrastructure(path)) {
            return Err(FileResult::unread(Unread::TooLarge));
        }
        let message = format!(
            "the file is {} bytes, larger than the limit of {limit} bytes (raise `max-file-size` in sfn-lint.toml to lint it)",
            metadata.len()
        );
        return Err(unreadable_at(display, &message, options));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    // A file that grows while it is read stops at the limit.
    std::io::Read::read_to_end(&mut std::io::Read::take(file, limit), &mut bytes).map_err(cannot)?;
    Ok(bytes)
}

/// Opens a file for reading without blocking on a named pipe (FIFO): what a path names
/// is only known once it is open, and a FIFO with no writer would block the run.
fn open(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    options.open(path)
}

/// Reads and lints a file. `named` files (given on the command line) are always read.
/// With a `binder`, the definition files its templates name are linted too.
pub(crate) fn lint_path(path: &Path, display: &str, named: bool, options: &Options, binder: Option<&Binder<'_>>) -> FileResult {
    let options = &options.for_path(path);
    match read(path, display, is_asl_name(path) || named, options) {
        Ok(bytes) => lint_contents(path, display, &bytes, named, options, binder),
        Err(result) => result,
    }
}

/// Lints file contents; `path` gives the kind of file (its name and extension).
pub fn lint_bytes(path: &Path, display: &str, bytes: &[u8], named: bool, options: &Options) -> FileResult {
    lint_contents(path, display, bytes, named, options, None)
}

fn lint_contents(path: &Path, display: &str, bytes: &[u8], named: bool, options: &Options, binder: Option<&Binder<'_>>) -> FileResult {
    let asl_named = is_asl_name(path);
    if bytes.len() > syntax::MAX_TEXT_LEN {
        return unreadable_at(display, &format!("the file is {} bytes, larger than sfn-lint can read", bytes.len()), options);
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            if !(asl_named || named || mentions_state_machine(&String::from_utf8_lossy(bytes))) {
                return FileResult::unread(Unread::NotUtf8);
            }
            let message = if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
                "the file is UTF-16; save it as UTF-8".to_string()
            } else {
                format!("the file is not valid UTF-8 (byte {})", error.valid_up_to())
            };
            return unreadable_at(display, &message, options);
        }
    };
    if path.extension().is_some_and(|e| e == "tf") {
        return lint_terraform(path, display, text, named, options, binder);
    }
    let Some(format) = format_of(path, text) else { return FileResult::skipped() };
    // A file the walk found (a lock file, a CI workflow, an API schema) that cannot hold a
    // state machine is skipped unparsed, as its parse would skip it.
    if !named && !asl_named && !host::may_hold_state_machine(text) {
        return FileResult::skipped();
    }
    let root = match syntax::parse(text, format) {
        Ok(root) => root,
        Err(error) if asl_named || mentions_state_machine(text) || (named && broken_json(format, text)) => {
            let hint = template_hint(text);
            // A definition with placeholders is looked up in its project's templates, which
            // fill them in, as a standalone one is.
            let mut result = FileResult { standalone: hint.is_some(), ..FileResult::default() };
            result.findings.push(rules::parse_error(display, &error, hint));
            return finish(result, display, text, &[], options);
        }
        Err(_) => return FileResult::skipped(),
    };
    match host::contents(path, text, &root) {
        Contents::Definition => lint_standalone(display, text, &root, options),
        Contents::Template(hosted) => lint_template(path, display, text, hosted, options, binder),
        Contents::Nothing if asl_named => lint_standalone(display, text, &root, options),
        Contents::Nothing => FileResult::skipped(),
    }
}

fn lint_standalone(display: &str, text: &str, root: &Node, options: &Options) -> FileResult {
    let definition = host::standalone(root, text, options.declared_type());
    let mut result = FileResult { definitions: 1, standalone: true, ..FileResult::default() };
    result.suppressed = run_rules(display, &definition, options, &[], None, &Default::default(), &mut result.findings);
    finish(result, display, text, &[], options)
}

fn lint_terraform(path: &Path, display: &str, text: &str, named: bool, options: &Options, binder: Option<&Binder<'_>>) -> FileResult {
    if !text.contains("aws_sfn_state_machine") && !text.contains("step-functions") {
        return FileResult::skipped();
    }
    match host::parse_terraform(path, text) {
        Ok(hosted) if hosted.is_empty() => FileResult::skipped(),
        Ok(hosted) => lint_template(path, display, text, hosted, options, binder),
        Err(error) if named || text.contains("aws_sfn_state_machine") => {
            let mut result = FileResult::default();
            result.findings.push(rules::parse_error(display, &error, None));
            finish(result, display, text, &[], options)
        }
        Err(_) => FileResult::skipped(),
    }
}

/// The state machines of a template: inline and embedded definitions are linted here;
/// definition files it names become bindings, linted with this template's type (here, with
/// a `binder`).
fn lint_template(
    path: &Path,
    display: &str,
    text: &str,
    hosted: Vec<Hosted<'_>>,
    options: &Options,
    binder: Option<&Binder<'_>>,
) -> FileResult {
    let mut result = FileResult::default();
    // The template's machines share its text: it is searched for anchors once.
    let template_anchors = std::cell::OnceCell::new();
    for machine in &hosted {
        let (root, inner_text, map, note): (&Node, &str, &SpanMap, Option<&'static str>);
        let parsed;
        match &machine.body {
            Body::Tree(node) => (root, inner_text, map, note) = (*node, text, &host::IDENTITY, None),
            Body::Built(node) => (root, inner_text, map, note) = (node, text, &host::IDENTITY, None),
            Body::Text { text: inner, map: inner_map, note: inner_note } => {
                match syntax::parse(inner, Format::JsonTemplate) {
                    Ok(tree) => parsed = tree,
                    Err(error) => {
                        let at = inner_map.map(Span::new(error.offset, error.offset));
                        let message = format!("the definition of `{}` does not parse: {}", machine.name, error.message);
                        result.findings.push(unreadable_definition(display, &machine.name, at, message));
                        continue;
                    }
                }
                (root, inner_text, map, note) = (&parsed, inner.as_str(), inner_map, *inner_note);
            }
            Body::Elsewhere => continue,
            Body::File { path: target, span, certain } => {
                let bound = binding(path, machine);
                // Found only under other case: a case-insensitive file system (macOS,
                // Windows) finds it, a case-sensitive build does not.
                if let Some(on_disk) = bound.as_ref().map(|b| &b.target).filter(|found| *found != target) {
                    let message = format!(
                        "the definition of `{}` is the file `{}`, which exists only as `{}`: a case-sensitive file system (Linux, a build container) will not find it",
                        machine.name,
                        crate::discover::display_path(target),
                        crate::discover::display_path(on_disk)
                    );
                    let mut finding = unreadable_definition(display, &machine.name, *span, message);
                    finding.severity = crate::diagnostic::Severity::Warning;
                    finding.help = Some("write the path with the case the file has on disk".into());
                    result.findings.push(finding);
                } else if *certain && std::fs::metadata(target).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound) {
                    // A file that is not there cannot be linted: said where the template names it.
                    let message = format!(
                        "the definition of `{}` is the file `{}`, which does not exist",
                        machine.name,
                        crate::discover::display_path(target)
                    );
                    result.findings.push(unreadable_definition(display, &machine.name, *span, message));
                    continue;
                }
                if let Some(bound) = bound {
                    if let Some(binder) = binder {
                        let linted = binder.readable(&bound.target).map(|_| {
                            let target = crate::discover::display_path(&bound.target);
                            let found = hosted.iter().find(|h| h.name == bound.name);
                            let linted = read_bound(&bound, &target, binder.options, |bytes| {
                                lint_bound_hosted(&bound, &target, bytes, found, text, display, binder.options)
                            });
                            (target, linted)
                        });
                        result.bound.push(linted);
                    }
                    result.bindings.push(bound);
                }
                continue;
            }
        }
        let definition = machine.definition(root, inner_text, map, note);
        result.definitions += 1;
        let own_text = std::cell::OnceCell::new();
        let anchors = if std::ptr::eq(inner_text, text) { &template_anchors } else { &own_text };
        result.suppressed += run_rules(display, &definition, options, &machine.ignore, None, anchors, &mut result.findings);
    }
    finish(result, display, text, &[], options)
}

/// The binding of a state machine whose definition is a file of its own: the file as it is
/// on disk, when it exists only under other case.
fn binding(template: &Path, machine: &Hosted<'_>) -> Option<Binding> {
    let Body::File { path: target, .. } = &machine.body else { return None };
    let target = match std::fs::metadata(target) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => with_case_on_disk(target).unwrap_or_else(|| target.clone()),
        _ => target.clone(),
    };
    Some(Binding {
        target,
        template: template.to_path_buf(),
        name: machine.name.clone(),
        workflow_type: machine.workflow_type,
        type_span: machine.type_span,
    })
}

/// The file a path names on a file system that ignores case, when it exists only under
/// other case (`Statemachine/Order.asl.json` for `statemachine/order.asl.json`).
fn with_case_on_disk(path: &Path) -> Option<PathBuf> {
    let mut found = PathBuf::new();
    for component in path.components() {
        let std::path::Component::Normal(name) = component else {
            found.push(component);
            continue;
        };
        if !found.join(name).exists() {
            let folder = if found.as_os_str().is_empty() { Path::new(".") } else { found.as_path() };
            let wanted = name.to_string_lossy();
            let entry =
                std::fs::read_dir(folder).ok()?.flatten().find(|e| e.file_name().to_string_lossy().eq_ignore_ascii_case(&wanted))?;
            found.push(entry.file_name());
        } else {
            found.push(name);
        }
    }
    found.exists().then_some(found)
}

/// The definition files a template names, found without linting it: how a definition file
/// linted alone finds the template that gives it its type.
pub fn bindings_in(path: &Path, text: &str) -> Vec<Binding> {
    if path.extension().is_some_and(|e| e == "tf") {
        let hosted = host::parse_terraform(path, text).unwrap_or_default();
        return hosted.iter().filter_map(|machine| binding(path, machine)).collect();
    }
    let Some(root) = format_of(path, text).and_then(|format| syntax::parse(text, format).ok()) else { return Vec::new() };
    match host::contents(path, text, &root) {
        Contents::Template(hosted) => hosted.iter().filter_map(|machine| binding(path, machine)).collect(),
        _ => Vec::new(),
    }
}

/// Lints a definition file that a template names, with the template's type and resources.
pub fn lint_bound(binding: &Binding, display: &str, template: &BindingTemplate, template_display: &str, options: &Options) -> FileResult {
    read_bound(binding, display, options, |bytes| lint_bound_bytes(binding, display, bytes, template, template_display, options))
}

/// Reads a bound definition file (always: its template names it) and lints it with `lint`.
fn read_bound(binding: &Binding, display: &str, options: &Options, lint: impl FnOnce(&[u8]) -> FileResult) -> FileResult {
    match read(&binding.target, display, true, &options.for_path(&binding.target)) {
        Ok(bytes) => lint(&bytes),
        Err(result) => result,
    }
}

/// The template of a binding, read and parsed once for every definition it binds.
pub struct BindingTemplate {
    text: String,
    /// The parsed template; none for Terraform, which is read from its text, and for a
    /// template that does not parse.
    root: Option<Node<'static>>,
}

impl BindingTemplate {
    /// Reads the template at `path`; one that cannot be read or parsed resolves nothing.
    pub fn read(path: &Path) -> Self {
        Self::of_text(path, std::fs::read_to_string(path).unwrap_or_default())
    }

    /// The template at `path` as `text` holds it (an editor's unsaved buffer).
    pub fn of_text(path: &Path, text: String) -> Self {
        let root = format_of(path, &text).and_then(|format| syntax::parse(&text, format).ok()).map(Node::into_owned);
        BindingTemplate { text, root }
    }
}

/// [`lint_bound`] on the definition's contents at hand (an editor's unsaved buffer).
pub fn lint_bound_bytes(
    binding: &Binding,
    display: &str,
    bytes: &[u8],
    template: &BindingTemplate,
    template_display: &str,
    options: &Options,
) -> FileResult {
    // The template's resources and substitutions, to resolve references.
    let (template_text, template_root) = (&template.text, &template.root);
    let hosted = if binding.template.extension().is_some_and(|e| e == "tf") {
        host::parse_terraform(&binding.template, template_text).ok().and_then(|hosted| hosted.into_iter().find(|h| h.name == binding.name))
    } else {
        template_root.as_ref().and_then(|t| match host::contents(&binding.template, template_text, t) {
            Contents::Template(hosted) => hosted.into_iter().find(|h| h.name == binding.name),
            _ => None,
        })
    };
    lint_bound_hosted(binding, display, bytes, hosted.as_ref(), template_text, template_display, options)
}

/// [`lint_bound_bytes`] with the template's state machine at hand (none when the template
/// no longer holds it).
fn lint_bound_hosted(
    binding: &Binding,
    display: &str,
    bytes: &[u8],
    hosted: Option<&Hosted<'_>>,
    template_text: &str,
    template_display: &str,
    options: &Options,
) -> FileResult {
    let options = &options.for_path(&binding.target);
    let Ok(text) = std::str::from_utf8(bytes) else { return lint_bytes(&binding.target, display, bytes, true, options) };
    // The template fills in `${...}` placeholders, unquoted ones included.
    let format = match format_of(&binding.target, text) {
        Some(Format::Json | Format::JsonWithComments) | None => Format::JsonTemplate,
        Some(other) => other,
    };
    let root = match syntax::parse(text, format) {
        Ok(root) => root,
        Err(error) => {
            let mut result = FileResult::default();
            result.findings.push(rules::parse_error(display, &error, None));
            return finish(result, display, text, &[], options);
        }
    };
    let resources = hosted.as_ref().and_then(|h| h.resources).map(|r| host::Resources { file: Some(template_display), ..r });
    let type_origin = match binding.type_span {
        Some(span) => TypeOrigin::Declared { file: Some(template_display.to_string()), span },
        None => TypeOrigin::Undeclared,
    };
    let mut definition = Definition {
        // A binding from CDK code names no resource.
        name: (!binding.name.is_empty()).then(|| binding.name.clone()),
        root: &root,
        text,
        map: &host::IDENTITY,
        note: None,
        pointer_prefix: String::new(),
        workflow_type: binding.workflow_type,
        type_origin,
        resources,
        starters: hosted.as_ref().map(|h| h.starters.clone()).unwrap_or_default(),
    };
    // Positions of the template's starters are in the template's file.
    if let Some((file, _)) = &mut definition.starters.synchronous {
        *file = Some(template_display.to_string());
    }
    let mut result = FileResult { definitions: 1, ..FileResult::default() };
    // `Metadata` directives silence findings here; an unused one is the template's to report.
    let metadata = hosted.as_ref().map(|h| h.ignore.clone()).unwrap_or_default();
    // A `Metadata` code that silences nothing is reported where it is written: in the template.
    result.suppressed =
        run_rules(display, &definition, options, &metadata, Some(template_display), &Default::default(), &mut result.findings);
    finish(result, display, text, &[(template_display, template_text)], options)
}

/// Runs the selected rules on a definition and applies its `Comment` directives (and the
/// template's `Metadata` ones, written in `metadata_file` when not this file); returns how
/// many findings they silenced. `anchors` is shared by the definitions of one text (see
/// [`rules::Context::anchors`]).
fn run_rules(
    display: &str,
    definition: &Definition<'_>,
    options: &Options,
    metadata: &[(String, Span)],
    metadata_file: Option<&str>,
    anchors: &std::cell::OnceCell<bool>,
    findings: &mut Vec<Finding>,
) -> usize {
    let mut machine = Machine::new(definition.root);
    machine.resolve_resources(definition.resources.as_ref());
    let analysis = Analysis::new(&machine, definition, options.idempotency());
    let cx = Context {
        file: display,
        text: definition.text,
        definition,
        machine: &machine,
        analysis: &analysis,
        transient_severity: options.config.transient_retry_severity.unwrap_or(crate::diagnostic::Severity::Info),
        anchors,
    };
    let mut found = Vec::new();
    for rule in REGISTRY.iter().filter(|rule| options.selection.enabled(rule.meta())) {
        rule.check_definition(&cx, &mut found);
    }
    let mut directives = Vec::new();
    if !metadata.is_empty() {
        directives.push(suppress::Directive {
            scope: suppress::Scope::Definition,
            codes: metadata.to_vec(),
            state: None,
            file: metadata_file.map(str::to_string),
        });
    }
    let mut comment = |pointer: &str, node: &Node, scope: suppress::Scope, state: Option<&str>| {
        let Some(text) = node.get("Comment").and_then(Node::as_str) else { return };
        if let Some(codes) = suppress::parse_directive(text) {
            let codes =
                codes.into_iter().map(|(code, range)| (code, cx.span(pointer, rules::Target::Range(range.start, range.end)))).collect();
            directives.push(suppress::Directive { scope, codes, state: state.map(str::to_string), file: None });
        }
    };
    comment("/Comment", definition.root, suppress::Scope::Definition, None);
    for state in machine.states.iter().filter(|state| state.node.get("Comment").is_some()) {
        let pointer = format!("{}{}", definition.pointer_prefix, state.pointer);
        comment(&state.field_pointer("Comment"), state.node, suppress::Scope::State(pointer), Some(state.name));
    }
    // Definition and state directives need no line numbers: no text to index.
    let (suppressed, unused) = suppress::apply(&mut found, &directives, "", display, &options.selection);
    // The definition's expressions are not read again.
    syntax::jsonata::forget();
    // A file holds one definition more often than not: its findings move, not copied.
    if findings.is_empty() {
        *findings = found;
    } else {
        findings.append(&mut found);
    }
    findings.extend(unused.into_iter().map(|mut f| {
        f.definition = definition.name.clone();
        f
    }));
    suppressed
}

/// Keeps the selected findings and gives them lines and columns (and source excerpts)
/// while the file's text is at hand. `others` are the texts of other files that labels point into.
fn finish(mut result: FileResult, display: &str, text: &str, others: &[(&str, &str)], options: &Options) -> FileResult {
    // YAML `# sfn-lint: ignore[...]` comments silence findings on their line.
    if !display.ends_with(".json") && memchr::memmem::find(text.as_bytes(), b"sfn-lint: ignore[").is_some() {
        let directives = suppress::yaml_directives(text);
        let (suppressed, unused) = suppress::apply(&mut result.findings, &directives, text, display, &options.selection);
        result.suppressed += suppressed;
        result.findings.extend(unused);
    }
    if !options.selection.is_everything() {
        result.findings.retain(|f| rules::find(f.code).is_some_and(|meta| options.selection.enabled(meta)));
    }
    for finding in &mut result.findings {
        if let Some(&severity) = options.config.severity.get(finding.code) {
            finding.severity = severity;
        }
    }
    if !result.findings.is_empty() {
        locate(&mut result.findings, display, text, others, options.excerpts);
    }
    result.findings.sort_by(Finding::order);
    // The run keeps every file's result until the end: no spare capacity.
    result.findings.shrink_to_fit();
    result
}

/// Fills in the line and column of every span, and the excerpts if asked for.
fn locate(findings: &mut [Finding], display: &str, text: &str, others: &[(&str, &str)], excerpts: bool) {
    let texts: Vec<(&str, &str)> = std::iter::once((display, text)).chain(others.iter().copied()).collect();
    // Another file's text is indexed only when a span points into it.
    let indexes: Vec<std::cell::OnceCell<LineIndex>> = texts.iter().map(|_| std::cell::OnceCell::new()).collect();
    // A span in a file whose text is not at hand points at its start.
    let index_of = |i: usize| indexes[i].get_or_init(|| LineIndex::new(texts[i].1));
    let text_of = |file: &str| match texts.iter().position(|(name, _)| *name == file) {
        Some(i) => (texts[i].1, index_of(i)),
        None => ("", index_of(0)),
    };
    for finding in findings {
        let (own, index) = text_of(&finding.file);
        (finding.start, finding.end) = (index.position(own, finding.span.start()), index.position(own, finding.span.end()));
        for label in &mut finding.labels {
            let (text, index) = label.file.as_deref().map_or((own, index), text_of);
            (label.start, label.end) = (index.position(text, label.span.start()), index.position(text, label.span.end()));
        }
        if excerpts {
            finding.excerpts = excerpts_of(finding, &texts, index_of);
        }
    }
}

/// The lines that `finding` and its labels point into, one excerpt per file whose text is
/// at hand. A label in a file not at hand is drawn in the finding's own file.
fn excerpts_of<'i>(finding: &Finding, texts: &[(&str, &str)], index: impl Fn(usize) -> &'i LineIndex) -> Vec<Excerpt> {
    let Some(own) = texts.iter().position(|(name, _)| *name == finding.file) else { return Vec::new() };
    let file_of = |label: &crate::diagnostic::Label| {
        label.file.as_deref().and_then(|file| texts.iter().position(|(name, _)| *name == file)).unwrap_or(own)
    };
    let mut spans: Vec<(usize, Span)> = vec![(own, finding.span)];
    spans.extend(finding.labels.iter().map(|label| (file_of(label), label.span)));
    spans.sort_by_key(|&(file, _)| file);
    spans
        .chunk_by(|a, b| a.0 == b.0)
        .map(|group| {
            let (file, text) = texts[group[0].0];
            let index = index(group[0].0);
            let first = group.iter().map(|(_, span)| span.start()).min().unwrap_or(0).min(text.len());
            let last = group.iter().map(|(_, span)| span.end().max(span.start())).max().unwrap_or(0).min(text.len());
            let (lines_before, first_line) = index.line_of(first);
            let end = index.line_of(last).1.end;
            Excerpt { file: file.to_string(), offset: first_line.start, lines_before, text: text[first_line.start..end].to_string() }
        })
        .collect()
}

fn unreadable(display: &str, report: bool, message: &str, options: &Options) -> FileResult {
    if report { unreadable_at(display, message, options) } else { FileResult::skipped() }
}

/// ASL001 in a template, at `span`, for a state machine whose definition cannot be read.
fn unreadable_definition(display: &str, name: &str, span: Span, message: String) -> Finding {
    let mut finding = rules::parse_error(display, &ParseError { message, offset: span.start() }, None);
    finding.span = span;
    finding.definition = Some(name.to_string());
    finding
}

/// A file whose text cannot be shown (not UTF-8, too large, empty input) gets its ASL001
/// at its start, with no source to show.
fn unreadable_at(display: &str, message: &str, options: &Options) -> FileResult {
    let error = ParseError { message: message.to_string(), offset: 0 };
    let result = FileResult { findings: vec![rules::parse_error(display, &error, None)], ..FileResult::default() };
    finish(result, display, "", &[], options)
}

/// A file named on the command line that is not JSON even with comments allowed. (A JSON
/// file with comments, such as `tsconfig.json`, is somebody else's configuration; so is a
/// YAML file that only a template engine makes valid, such as a Helm chart.)
fn broken_json(format: Format, text: &str) -> bool {
    format == Format::Json && syntax::parse(text, Format::JsonWithComments).is_err()
}

/// A definition with `${...}` placeholders where values belong is a template's input.
fn template_hint(text: &str) -> Option<&'static str> {
    syntax::parse(text, Format::JsonTemplate)
        .is_ok()
        .then_some("this file has `${...}` placeholders that a template fills in; lint it together with the template that references it")
}

/// Whether text that failed to parse looks like it was meant to hold a state machine, so
/// that the failure is worth reporting (a broken `tsconfig.json` is not ours to judge).
fn mentions_state_machine(text: &str) -> bool {
    (text.contains("StartAt") && text.contains("States"))
        || text.contains("AWS::StepFunctions::StateMachine")
        || text.contains("AWS::Serverless::StateMachine")
}

//! The command line: `check` (the default), `rules`, `explain`.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use std::sync::Arc;

use crate::config::{self, Config, FailOn, TypeSetting};
use crate::diagnostic::rule_url;
use crate::discover;
use crate::fix;
use crate::lint::{self, Options, Stdin};
use crate::output::{self, OutputFormat, Style};
use crate::rules::{self, REGISTRY};
use crate::suppress::Baseline;

#[derive(Parser, Debug)]
#[command(
    name = "sfn-lint",
    version,
    about = "Finds side effects that run twice in AWS Step Functions state machines, and definitions AWS would reject",
    args_conflicts_with_subcommands = true,
    args_override_self = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Lint files and folders (the default command)
    #[command(args_override_self = true)]
    Check(Box<CheckArgs>),
    /// List every rule: code, name, default severity and summary
    Rules {
        #[arg(long, value_enum, default_value = "human")]
        format: RulesFormat,
    },
    /// Run the language server on standard input and output
    Lsp,
    /// Print the documentation of a rule
    Explain {
        /// A rule code (ASL003) or name (unknown-transition-target)
        code: String,
        /// `text` for a terminal, or the `markdown` source
        #[arg(long, value_enum, default_value = "text")]
        format: ExplainFormat,
    },
}

#[derive(Args, Debug, Default)]
pub struct CheckArgs {
    /// Files or folders to lint; `-` reads standard input
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The file name (and so the kind) of standard input
    #[arg(long, value_name = "NAME", help_heading = "File selection")]
    pub stdin_filename: Option<PathBuf>,
    /// Output format [default: human]
    #[arg(long, value_enum, visible_alias = "output-format", help_heading = "Output")]
    pub format: Option<OutputFormat>,
    /// Write the report to FILE instead of standard output
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub output: Option<PathBuf>,
    /// The workflow type of definitions whose type nothing declares [default: auto]
    #[arg(long, value_enum, help_heading = "Linting")]
    pub workflow_type: Option<TypeSetting>,
    /// Only these rules: codes, code prefixes (ALO, EXP00) or names, comma-separated
    #[arg(long, value_delimiter = ',', value_name = "CODES", help_heading = "Rule selection")]
    pub select: Vec<String>,
    /// Skip these rules: codes, code prefixes or names, comma-separated
    #[arg(long, value_delimiter = ',', value_name = "CODES", help_heading = "Rule selection")]
    pub ignore: Vec<String>,
    /// Add these rules to those selected (by `--select` or the configuration)
    #[arg(long, value_delimiter = ',', value_name = "CODES", help_heading = "Rule selection")]
    pub extend_select: Vec<String>,
    /// Add these rules to those ignored (by `--ignore` or the configuration)
    #[arg(long, value_delimiter = ',', value_name = "CODES", help_heading = "Rule selection")]
    pub extend_ignore: Vec<String>,
    /// The lowest severity that makes the exit code 1 [default: warning]
    #[arg(long, value_enum, help_heading = "Exit code")]
    pub fail_on: Option<FailOn>,
    /// Use this configuration file instead of looking for sfn-lint.toml
    #[arg(long, value_name = "FILE", conflicts_with = "no_config", help_heading = "Configuration")]
    pub config: Option<PathBuf>,
    /// Ignore configuration files
    #[arg(long, help_heading = "Configuration")]
    pub no_config: bool,
    /// Hide the findings recorded in FILE
    #[arg(long, value_name = "FILE", help_heading = "Baseline")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings in FILE and exit 0
    #[arg(long, value_name = "FILE", help_heading = "Baseline")]
    pub write_baseline: Option<PathBuf>,
    /// When to use colors (NO_COLOR is honoured)
    #[arg(long, value_enum, default_value = "auto", help_heading = "Output")]
    pub color: Option<ColorWhen>,
    /// Print findings only, without the summary
    #[arg(short, long, help_heading = "Output")]
    pub quiet: bool,
    /// List each file the run would read and what it found there (linted, or why skipped), not the findings
    #[arg(long, help_heading = "File selection")]
    pub show_files: bool,
    /// Print the settings that apply to each PATH (configuration file, rules, workflow type, ...)
    #[arg(long, help_heading = "Configuration")]
    pub show_settings: bool,
    /// Print how many findings each rule has, not the findings (human, concise or json)
    #[arg(long, help_heading = "Output")]
    pub statistics: bool,
    /// Apply the fixes that cannot change what a workflow does, then report what is left
    #[arg(long, help_heading = "Fixes")]
    pub fix: bool,
    /// With `--fix` or `--diff`, also the fixes that change what it does (review them)
    #[arg(long, help_heading = "Fixes")]
    pub unsafe_fixes: bool,
    /// Print the fixes as a unified diff instead of applying them; exit 1 if there are any
    #[arg(long, help_heading = "Fixes", conflicts_with = "fix")]
    pub diff: bool,
    /// Silence every current finding where it is: a `# sfn-lint: ignore[...]` comment on its
    /// YAML line, or its code in its JSON state's `Comment`; then exit 0
    #[arg(long, help_heading = "Fixes", conflicts_with_all = ["fix", "diff"])]
    pub add_suppressions: bool,
    /// Exit 0 even when there are findings (a failure of the run still exits 2)
    #[arg(long, help_heading = "Exit code")]
    pub exit_zero: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    Text,
    Markdown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

/// How a run ended, short of a failure of the run itself.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing at or above `--fail-on`.
    Clean,
    /// Findings at or above `--fail-on`.
    Findings,
}

/// Why a run failed (exit code 2), rather than what it found.
#[derive(Debug)]
pub enum RunError {
    /// Flags that contradict each other or name nothing, such as `--select X999`.
    Usage(String),
    /// A path given on the command line that cannot be read.
    Path { path: PathBuf, error: std::io::Error },
    /// A configuration file that cannot be read or is not valid.
    Config(config::ConfigError),
    /// A configuration file whose rule selection names no rule.
    Selection { config: PathBuf, message: String },
    /// A file sfn-lint must read or write to do what it was asked.
    File { path: String, action: FileAction, error: std::io::Error },
    /// A baseline file that is not one.
    Baseline { path: PathBuf, message: String },
    /// Standard input cannot be read, or standard output written.
    Stdio { reading: bool, error: std::io::Error },
    /// The language server's connection failed.
    Server(String),
}

/// What was being done to a file that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileAction {
    Read,
    ReadToFix,
    Write,
    WriteFixes,
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Usage(message) | RunError::Server(message) => f.write_str(message),
            RunError::Path { path, error } => write!(f, "{}: {error}", path.display()),
            RunError::Config(error) => f.write_str(&output::config_error(error)),
            RunError::Selection { config, message } => write!(f, "{}: {message}", config.display()),
            RunError::File { path, action, error } => match action {
                FileAction::Read => write!(f, "cannot read {path}: {error}"),
                FileAction::ReadToFix => write!(f, "cannot read {path} to fix it: {error}"),
                FileAction::Write => write!(f, "cannot write {path}: {error}"),
                FileAction::WriteFixes => write!(f, "cannot write the fixes of {path}: {error}"),
            },
            RunError::Baseline { path, message } => write!(f, "{}: {message}", path.display()),
            RunError::Stdio { reading: true, error } => write!(f, "cannot read standard input: {error}"),
            RunError::Stdio { reading: false, error } => write!(f, "cannot write the report: {error}"),
        }
    }
}

impl std::error::Error for RunError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RunError::Path { error, .. } | RunError::File { error, .. } | RunError::Stdio { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl RunError {
    fn file(path: impl std::fmt::Display, action: FileAction) -> impl FnOnce(std::io::Error) -> RunError {
        let path = path.to_string();
        move |error| RunError::File { path, action, error }
    }
}

/// Runs the command. An `Err` is a failure of the run itself (exit code 2).
pub fn execute(cli: Cli) -> Result<Outcome, RunError> {
    match cli.command {
        Some(Command::Check(args)) => check(*args),
        None => check(cli.check),
        Some(Command::Rules { format }) => list_rules(format),
        Some(Command::Explain { code, format }) => explain(&code, format),
        Some(Command::Lsp) => crate::lsp::run().map(|()| Outcome::Clean).map_err(RunError::Server),
    }
}

fn check(args: CheckArgs) -> Result<Outcome, RunError> {
    if args.unsafe_fixes && !(args.fix || args.diff) {
        return Err(RunError::Usage("--unsafe-fixes chooses which fixes --fix or --diff apply: give one of them too".into()));
    }
    // `--output json` means `--format json` far more often than a file named `json`.
    if let Some(file) = args.output.as_deref().and_then(|f| f.to_str()) {
        if OutputFormat::from_str(file, true).is_ok() {
            return Err(RunError::Usage(format!(
                "`--output {file}` would write the report to a file named `{file}`: use `--format {file}` to choose the format, or `--output ./{file}` to write that file"
            )));
        }
    }
    // The run's own configuration: `--config`'s, or the closest above the working folder.
    let config_path = match (&args.config, args.no_config) {
        (_, true) => None,
        (Some(path), _) => Some(path.clone()),
        (None, false) => std::env::current_dir().ok().and_then(|cwd| config::discover(&cwd)),
    };
    let config = match &config_path {
        Some(path) => config::load(path).map_err(RunError::Config)?,
        None => Config::default(),
    };
    // The command line wins over every configuration.
    let cli = lint::CommandLine {
        workflow_type: args.workflow_type,
        select: args.select,
        ignore: args.ignore,
        extend_select: args.extend_select,
        extend_ignore: args.extend_ignore,
    };
    cli.selection(&config).validate().map_err(RunError::Usage)?;
    let fail_on = args.fail_on.or(config.fail_on).unwrap_or(FailOn::Warning);
    let color = match args.color.unwrap_or(ColorWhen::Auto) {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            args.output.is_none() && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let width = if args.output.is_none() { terminal_width() } else { None };
    let style = Style { color, quiet: args.quiet, width };
    let format = args.format.unwrap_or(OutputFormat::Human);
    let config = Arc::new(config);
    let mut options = Options::new(config.clone(), cli, format == OutputFormat::Human);

    let mut paths = args.paths;
    // `--stdin-filename` with no path reads standard input, as `-` does.
    if paths.is_empty() {
        paths.push(PathBuf::from(if args.stdin_filename.is_some() { "-" } else { "." }));
    }
    let reads_stdin = paths.iter().any(|p| p.as_os_str() == "-");
    paths.retain(|p| p.as_os_str() != "-");
    if args.stdin_filename.is_some() && !reads_stdin {
        return Err(RunError::Usage("--stdin-filename names standard input: give `-` among the paths, or no path".into()));
    }
    let stdin = if reads_stdin {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes).map_err(|error| RunError::Stdio { reading: true, error })?;
        Some(Stdin { name: args.stdin_filename, bytes })
    } else {
        None
    };
    let mut files = discover::candidates(&paths, &config).map_err(|(path, error)| RunError::Path { path, error })?;
    // Without `--config`, a folder with its own configuration follows it.
    if args.config.is_none() && !args.no_config {
        let layers =
            config::Layers::load(files.candidates.iter().map(|c| c.path.as_path()), config_path.as_deref()).map_err(RunError::Config)?;
        for layer in layers.configs() {
            let path = layer.root.join("sfn-lint.toml");
            options.cli.selection(layer).validate().map_err(|message| RunError::Selection { config: path, message })?;
        }
        // A walked file its own configuration excludes is not linted.
        files.candidates.retain(|c| c.named || !layers.for_file(&c.path).is_some_and(|layer| layer.excluded(&c.path)));
        options.layers = Some(Arc::new(layers));
    }
    if args.show_settings {
        let targets: Vec<PathBuf> = if paths.is_empty() { vec![PathBuf::from(".")] } else { paths.clone() };
        let text: String = targets.iter().map(|path| settings(path, &options, config_path.as_deref(), fail_on)).collect();
        write_out(args.output.as_deref(), |out| out.write_all(text.as_bytes()))?;
        return Ok(Outcome::Clean);
    }
    options.list_files = args.show_files;
    let mut report = lint::run(&files, stdin.clone(), &paths, &options);
    if args.show_files {
        use crate::report::FileStatus;
        let text: String = report
            .files
            .iter()
            .map(|(file, status)| {
                let file = output::escape_control(file);
                match status {
                    FileStatus::Linted { definitions: 1 } => format!("{file}\n"),
                    FileStatus::Linted { definitions } => format!("{file}  ({definitions} definitions)\n"),
                    FileStatus::NoStateMachine => format!("{file}  (skipped: no state machine in it)\n"),
                    FileStatus::TooLarge => format!("{file}  (skipped: larger than `max-file-size`)\n"),
                    FileStatus::NotUtf8 => format!("{file}  (skipped: not UTF-8)\n"),
                }
            })
            .collect();
        write_out(args.output.as_deref(), |out| out.write_all(text.as_bytes()))?;
        return Ok(Outcome::Clean);
    }
    if args.add_suppressions {
        let (added, files) = add_suppressions(&report, stdin.as_ref())?;
        eprintln!("sfn-lint: added {added} suppressions in {files} files");
        return Ok(Outcome::Clean);
    }
    if args.fix || args.diff {
        let allowed = if args.unsafe_fixes { fix::Allowed::Unsafe } else { fix::Allowed::Safe };
        let changes = fixes(&report, allowed, stdin.as_ref())?;
        if args.diff {
            let diffs: String = changes.iter().map(|c| fix::diff(&c.file, &c.before, &c.after)).collect();
            write_out(args.output.as_deref(), |out| out.write_all(diffs.as_bytes()))?;
            let fixed: usize = changes.iter().map(|c| c.fixed).sum();
            if fixed > 0 {
                eprintln!("sfn-lint: {fixed} fixes would apply to {} files", changes.len());
            }
            return Ok(if fixed > 0 && !args.exit_zero { Outcome::Findings } else { Outcome::Clean });
        }
        for change in &changes {
            fix::write_atomically(std::path::Path::new(&change.file), &change.after)
                .map_err(RunError::file(&change.file, FileAction::WriteFixes))?;
        }
        if !changes.is_empty() {
            // What is left, as the files now are.
            report = lint::run(&files, stdin, &paths, &options);
            report.summary.fixed = changes.iter().map(|c| c.fixed).sum();
        }
    }

    if let Some(file) = &args.write_baseline {
        let baseline = Baseline::from_findings(&report.findings);
        std::fs::write(file, baseline.to_json()).map_err(RunError::file(file.display(), FileAction::Write))?;
        eprintln!("sfn-lint: recorded {} findings in {}", report.findings.len(), file.display());
        return Ok(Outcome::Clean);
    }
    if let Some(file) = &args.baseline {
        let text = std::fs::read_to_string(file).map_err(RunError::file(file.display(), FileAction::Read))?;
        let baseline = Baseline::parse(&text).map_err(|message| RunError::Baseline { path: file.clone(), message })?;
        let (hidden, unmatched) = baseline.apply(&mut report.findings);
        report.summary.suppressed += hidden;
        report.summary.baselined = hidden;
        report.summary.baseline_unmatched = Some(unmatched);
        report.recount();
    }

    if report.summary.definitions == 0 && report.findings.is_empty() && !args.quiet {
        eprintln!(
            "sfn-lint: warning: no state machine definition found (looked in {} files)",
            report.summary.files + report.summary.skipped
        );
    }

    if args.statistics {
        let text = statistics(&report, format)?;
        write_out(args.output.as_deref(), |out| out.write_all(text.as_bytes()))?;
        return Ok(if report.fails(fail_on.level()) && !args.exit_zero { Outcome::Findings } else { Outcome::Clean });
    }

    // Written as it is rendered, through a buffer: a large report is never held whole.
    write_out(args.output.as_deref(), |out| output::write(&report, format, &style, out))?;
    Ok(if report.fails(fail_on.level()) && !args.exit_zero { Outcome::Findings } else { Outcome::Clean })
}

fn write_stdout(bytes: &[u8]) -> Result<(), RunError> {
    write_out(None, |out| out.write_all(bytes))
}

fn stdout_result(written: std::io::Result<()>) -> Result<(), RunError> {
    match written {
        // A closed pipe (`sfn-lint | head`) is the reader's choice, not a failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|error| RunError::Stdio { reading: false, error }),
    }
}

fn list_rules(format: RulesFormat) -> Result<Outcome, RunError> {
    let metas: Vec<_> = REGISTRY.iter().map(|r| r.meta()).collect();
    let text = match format {
        RulesFormat::Json => {
            let rows: Vec<_> = metas
                .iter()
                .map(|m| serde_json::json!({"code": m.code, "name": m.name, "severity": m.severity, "summary": m.summary, "url": rule_url(m.code)}))
                .collect();
            serde_json::to_string_pretty(&rows).expect("plain values serialize") + "\n"
        }
        RulesFormat::Human => {
            let width = metas.iter().map(|m| m.name.len()).max().unwrap_or(0);
            metas.iter().map(|m| format!("{}  {:width$}  {:7}  {}\n", m.code, m.name, m.severity.as_str(), m.summary)).collect()
        }
    };
    write_stdout(text.as_bytes())?;
    Ok(Outcome::Clean)
}

fn explain(code: &str, format: ExplainFormat) -> Result<Outcome, RunError> {
    let meta =
        rules::find(code).ok_or_else(|| RunError::Usage(format!("`{code}` is not a rule code or name; `sfn-lint rules` lists them")))?;
    match format {
        ExplainFormat::Markdown => write_stdout(format!("{}\nDocumentation: <{}>\n", meta.doc, rule_url(meta.code)).as_bytes())?,
        ExplainFormat::Text => write_stdout(format!("{}\nDocumentation: {}\n", for_terminal(meta.doc), rule_url(meta.code)).as_bytes())?,
    }
    Ok(Outcome::Clean)
}

/// A rule's markdown as plain text for a terminal: headings underlined, code blocks
/// indented without their fences (and the fence's info string).
fn for_terminal(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() + 256);
    let mut in_code = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            out.push_str(if line.is_empty() { "" } else { "    " });
            out.push_str(line);
        } else if let Some(title) = line.strip_prefix("# ") {
            out.push_str(&format!("{title}\n{}", "=".repeat(title.chars().count())));
        } else if let Some(title) = line.strip_prefix("## ").or_else(|| line.strip_prefix("### ")) {
            out.push_str(&format!("{title}\n{}", "-".repeat(title.chars().count())));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// The width of the terminal standard output goes to, if it goes to one.
fn terminal_width() -> Option<usize> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    #[cfg(unix)]
    {
        // SAFETY: TIOCGWINSZ fills the `winsize` it is given and touches nothing else.
        let mut size: libc::winsize = unsafe { std::mem::zeroed() };
        if unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0 && size.ws_col > 0 {
            return Some(usize::from(size.ws_col));
        }
    }
    std::env::var("COLUMNS").ok()?.parse().ok()
}

/// The settings that apply to `path`, as `--show-settings` prints them.
fn settings(path: &std::path::Path, options: &Options, own: Option<&std::path::Path>, fail_on: FailOn) -> String {
    // A folder's settings are those of a file directly in it.
    let probe = if path.is_dir() { path.join("_") } else { path.to_path_buf() };
    let options = options.for_path(&probe);
    let config = &options.config;
    let source = match options.layers.as_ref().and_then(|l| l.for_file(&probe)) {
        Some(layer) => format!("{} (the closest above it)", discover::display_path(&layer.root.join("sfn-lint.toml"))),
        None => own.map_or_else(|| "none (defaults)".to_string(), discover::display_path),
    };
    let list = |codes: &[String]| {
        if codes.is_empty() {
            "[]".to_string()
        } else {
            format!("[{}]", codes.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", "))
        }
    };
    let enabled = REGISTRY.iter().filter(|r| options.selection.enabled(r.meta())).map(|r| r.meta().code).collect::<Vec<_>>();
    let workflow_type = match options.workflow_type {
        None => "auto",
        Some(crate::host::WorkflowType::Express) => "express",
        Some(crate::host::WorkflowType::Standard) => "standard",
        Some(crate::host::WorkflowType::Unknown) => "unknown",
    };
    let severity: Vec<String> = config.severity.iter().map(|(code, severity)| format!("{code} = \"{severity}\"")).collect();
    let mut text = format!("# {}\n", path.display());
    text += &format!("configuration = \"{source}\"\n");
    text += &format!("workflow-type = \"{workflow_type}\"\n");
    text += &format!("fail-on = \"{}\"\n", fail_on.to_possible_value().map_or_else(String::new, |v| v.get_name().to_string()));
    text += &format!("select = {}\n", list(&options.selection.select));
    text += &format!("ignore = {}\n", list(&options.selection.ignore));
    text += &format!(
        "rules = {}  # {} of {} enabled\n",
        list(&enabled.iter().map(|c| c.to_string()).collect::<Vec<_>>()),
        enabled.len(),
        REGISTRY.len()
    );
    text += &if severity.is_empty() { "severity = {}\n".to_string() } else { format!("severity = {{ {} }}\n", severity.join(", ")) };
    text += &format!("excluded = {}\n", config.excluded(path));
    text += &format!("max-file-size = {}\n", config.max_file_size.unwrap_or(lint::MAX_FILE_SIZE));
    text += &format!("idempotency.key-fields = {}\n", list(&config.key_fields));
    let transient = config.transient_retry_severity.unwrap_or(crate::diagnostic::Severity::Info);
    text += &format!("idempotency.transient-retry-severity = \"{transient}\"\n\n");
    text
}

/// A file's text before and after its fixes.
struct Change {
    file: String,
    before: String,
    after: String,
    fixed: usize,
}

/// The fixes `allowed` of each file's findings, applied to its text as it is on disk. A
/// file that does not parse (ASL001) is never changed, nor is standard input.
fn fixes(report: &crate::report::Report, allowed: fix::Allowed, stdin: Option<&Stdin>) -> Result<Vec<Change>, RunError> {
    let stdin_name = stdin.map(|s| s.name.as_ref().map_or_else(|| "<stdin>".to_string(), |n| discover::display_path(n)));
    let mut changes = Vec::new();
    // Findings come sorted by file.
    for findings in report.findings.chunk_by(|a, b| a.file == b.file) {
        let file = &findings[0].file;
        if findings.iter().any(|f| f.code == "ASL001") || stdin_name.as_deref() == Some(file.as_str()) {
            continue;
        }
        let chosen: Vec<&crate::diagnostic::Fix> = findings.iter().filter_map(|f| f.fix.as_ref()).filter(|f| allowed.allows(f)).collect();
        if chosen.is_empty() {
            continue;
        }
        let before = std::fs::read_to_string(file).map_err(RunError::file(file, FileAction::ReadToFix))?;
        let (after, fixed) = fix::apply(&before, &chosen);
        if fixed > 0 && after != before {
            changes.push(Change { file: file.clone(), before, after, fixed });
        }
    }
    Ok(changes)
}

/// Writes the suppressions of every finding into its file (not standard input, not a file
/// that does not parse); how many codes were added, in how many files.
fn add_suppressions(report: &crate::report::Report, stdin: Option<&Stdin>) -> Result<(usize, usize), RunError> {
    let stdin_name = stdin.map(|s| s.name.as_ref().map_or_else(|| "<stdin>".to_string(), |n| discover::display_path(n)));
    let (mut added, mut files) = (0, 0);
    for findings in report.findings.chunk_by(|a, b| a.file == b.file) {
        let file = &findings[0].file;
        if findings.iter().any(|f| f.code == "ASL001") || stdin_name.as_deref() == Some(file.as_str()) {
            continue;
        }
        // An unused suppression is not silenced by another.
        let silenced: Vec<&crate::diagnostic::Finding> = findings.iter().filter(|f| f.code != "LINT001").collect();
        let path = std::path::Path::new(file);
        let text = std::fs::read_to_string(path).map_err(RunError::file(file, FileAction::Read))?;
        let format = discover::format_of(path, &text);
        let root = format.and_then(|f| crate::syntax::parse(&text, f).ok());
        let yaml = format == Some(crate::syntax::Format::Yaml);
        let edits = crate::suppress::suppression_edits(&text, root.as_ref(), &silenced, yaml);
        if edits.is_empty() {
            continue;
        }
        let count = edits.len();
        let all = crate::diagnostic::Fix { title: String::new(), applicability: crate::diagnostic::Applicability::Safe, edits };
        let (after, _) = fix::apply(&text, &[&all]);
        fix::write_atomically(path, &after).map_err(RunError::file(file, FileAction::Write))?;
        added += count;
        files += 1;
    }
    Ok((added, files))
}

/// How many findings each rule has, the most first: ruff's `--statistics`.
fn statistics(report: &crate::report::Report, format: OutputFormat) -> Result<String, RunError> {
    let mut counts: Vec<(&str, &str, usize)> = Vec::new();
    for finding in &report.findings {
        match counts.iter_mut().find(|(code, ..)| *code == finding.code) {
            Some(entry) => entry.2 += 1,
            None => counts.push((finding.code, finding.name, 1)),
        }
    }
    counts.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
    match format {
        OutputFormat::Human | OutputFormat::Concise => {
            let width = counts.first().map_or(1, |(.., n)| n.to_string().len());
            Ok(counts.iter().map(|(code, name, n)| format!("{n:>width$}\t{code}\t{name}\n")).collect())
        }
        OutputFormat::Json => {
            let rows: Vec<serde_json::Value> =
                counts.iter().map(|(code, name, n)| serde_json::json!({"code": code, "name": name, "count": n})).collect();
            Ok(serde_json::to_string_pretty(&rows).expect("plain data serializes") + "\n")
        }
        other => Err(RunError::Usage(format!(
            "--statistics is written as human, concise or json, not {}",
            other.to_possible_value().map_or_else(String::new, |v| v.get_name().to_string())
        ))),
    }
}

/// Writes to `--output`'s file, or to standard output.
fn write_out(file: Option<&std::path::Path>, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), RunError> {
    match file {
        Some(file) => {
            let written = std::fs::File::create(file).and_then(|f| {
                let mut out = std::io::BufWriter::new(f);
                write(&mut out)?;
                out.flush()
            });
            written.map_err(RunError::file(file.display(), FileAction::Write))
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            stdout_result(write(&mut out).and_then(|()| out.flush()))
        }
    }
}

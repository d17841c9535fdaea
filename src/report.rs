//! A whole run: every file linted in parallel, then the definition files that templates
//! name linted with the templates' types; findings sorted, counts summed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::discover::{self, Candidate};
use crate::finding::{Finding, Severity};
use crate::lint::{self, Binding, FileResult, Options};

/// Standard input, with the name that gives its kind.
pub struct Stdin {
    pub name: Option<PathBuf>,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub files: usize,
    pub definitions: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub suppressed: usize,
    pub skipped: usize,
    /// With `--baseline`: recorded findings that no longer occur.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_unmatched: Option<usize>,
}

#[derive(Debug, Default)]
pub struct Report {
    /// Sorted by file, offset, code.
    pub findings: Vec<Finding>,
    pub summary: Summary,
}

impl Report {
    /// Whether any finding is at or above `level` (`None`: never fail).
    pub fn fails(&self, level: Option<Severity>) -> bool {
        level.is_some_and(|level| self.findings.iter().any(|f| f.severity >= level))
    }
}

/// Where a file's result came from.
enum Origin {
    /// The candidate at this index.
    Candidate(usize),
    /// Standard input, or a definition file linted with a template's type: its displayed path.
    Other(String),
}

/// Lints `candidates` (and standard input) in parallel. A definition file that a template
/// names is read only when it lies under `roots` (the linted paths) or the working folder.
pub fn run(candidates: &[Candidate], stdin: Option<Stdin>, roots: &[PathBuf], options: &Options) -> Report {
    // Only the candidate's index is kept per file: paths are displayed (and resolved) again
    // when needed, so that a run over many files holds little more than their findings.
    let mut results: Vec<(Origin, FileResult)> = candidates
        .par_iter()
        .enumerate()
        .map(|(i, candidate)| {
            let display = discover::display_path(&candidate.path);
            (Origin::Candidate(i), lint::lint_path(&candidate.path, &display, candidate.named, options))
        })
        .collect();
    if let Some(stdin) = stdin {
        let path = stdin.name.unwrap_or_else(|| PathBuf::from("-"));
        let display = if path == Path::new("-") { "<stdin>".to_string() } else { discover::display_path(&path) };
        let result = lint::lint_bytes(&path, &display, &stdin.bytes, true, options);
        results.push((Origin::Other(display), result));
    }

    // Definition files named by templates: linted once per workflow type that binds them,
    // in place of their linting as standalone files.
    let bindings: Vec<Binding> = results.iter_mut().flat_map(|(_, r)| std::mem::take(&mut r.bindings)).collect();
    let allowed: Vec<PathBuf> =
        roots.iter().chain(std::env::current_dir().ok().as_ref()).filter_map(|r| std::fs::canonicalize(r).ok()).collect();
    let mut bound: BTreeMap<PathBuf, Vec<Binding>> = BTreeMap::new();
    // A definition file linted without its template (a pre-commit hook passes only the
    // changed files) takes its type from the templates of its project that name it.
    let alone: Vec<&Path> = results
        .iter()
        .filter_map(|(origin, result)| match origin {
            Origin::Candidate(i) if result.standalone => Some(candidates[*i].path.as_path()),
            _ => None,
        })
        .collect();
    let bindings: Vec<Binding> = if alone.is_empty() {
        bindings
    } else {
        let found = templates_naming(&alone, &bindings, roots, &options.config);
        bindings.into_iter().chain(found).collect()
    };
    for binding in bindings {
        let Ok(target) = std::fs::canonicalize(&binding.target) else { continue };
        if allowed.iter().any(|root| target.starts_with(root)) {
            bound.entry(target).or_default().push(binding);
        }
    }
    if !bound.is_empty() {
        results.retain(|(origin, result)| match origin {
            Origin::Candidate(i) if !result.skipped => {
                std::fs::canonicalize(&candidates[*i].path).map_or(true, |path| !bound.contains_key(&path))
            }
            _ => true,
        });
    }
    let rebound: Vec<(Origin, FileResult)> = bound
        .par_iter()
        .flat_map_iter(|(_, group)| {
            let mut types = BTreeSet::new();
            group
                .iter()
                .filter(move |b| types.insert(b.workflow_type))
                .map(|binding| {
                    let display = discover::display_path(&binding.target);
                    let template = discover::display_path(&binding.template);
                    let result = lint::lint_bound(binding, &display, &template, options);
                    (Origin::Other(display), result)
                })
                .collect::<Vec<_>>()
        })
        .collect();
    results.extend(rebound);

    let mut report = Report::default();
    // A file linted with both workflow types (or read from standard input under a linted
    // file's name) counts once.
    let others: BTreeSet<&str> = results
        .iter()
        .filter_map(|(origin, result)| match origin {
            Origin::Other(display) if !result.skipped => Some(display.as_str()),
            _ => None,
        })
        .collect();
    report.summary.files = others.len()
        + results
            .iter()
            .filter(|(origin, result)| match origin {
                Origin::Candidate(i) => {
                    !result.skipped && (others.is_empty() || !others.contains(discover::display_path(&candidates[*i].path).as_str()))
                }
                Origin::Other(_) => false,
            })
            .count();
    for (_, result) in results {
        if result.skipped {
            report.summary.skipped += 1;
            continue;
        }
        report.summary.definitions += result.definitions;
        report.summary.suppressed += result.suppressed;
        report.findings.extend(result.findings);
    }
    // Each file's findings come sorted, and files mostly in order: sorting a few hundred
    // bytes per finding again is worth skipping.
    if !report.findings.is_sorted_by(|a, b| a.order(b).is_le()) {
        report.findings.sort_by(Finding::order);
    }
    // A file bound by templates of both types is linted twice; type-blind findings once.
    report.findings.dedup_by(|a, b| a.code == b.code && a.file == b.file && a.span == b.span && a.message == b.message);
    for finding in &report.findings {
        match finding.severity {
            Severity::Error => report.summary.errors += 1,
            Severity::Warning => report.summary.warnings += 1,
            Severity::Info => report.summary.infos += 1,
        }
    }
    report
}

/// The bindings of the templates, in the projects of `files`, that name one of them: each
/// project (see [`project_root`]) is searched once, unless the run already linted all of
/// it. Only templates that mention a file's name are parsed, and none is linted.
fn templates_naming(files: &[&Path], known: &[Binding], roots: &[PathBuf], config: &crate::config::Config) -> Vec<Binding> {
    let known: BTreeSet<PathBuf> = known.iter().filter_map(|b| std::fs::canonicalize(&b.target).ok()).collect();
    let linted: Vec<PathBuf> = roots.iter().filter(|r| r.is_dir()).filter_map(|r| std::fs::canonicalize(r).ok()).collect();
    // Per project: its files, and whether its templates are still to be searched (a run
    // that linted the whole project has read them; its CDK code is searched either way).
    let mut wanted: BTreeMap<PathBuf, (Vec<(PathBuf, String)>, bool)> = BTreeMap::new();
    // Files of one folder share a project: each folder's ancestors are looked at once.
    let mut roots_of: BTreeMap<PathBuf, Option<PathBuf>> = BTreeMap::new();
    for file in files {
        let Ok(file) = std::fs::canonicalize(file) else { continue };
        if known.contains(&file) {
            continue;
        }
        let covered = linted.iter().find(|root| file.starts_with(root));
        let folder = file.parent().unwrap_or(Path::new("")).to_path_buf();
        let root = roots_of.entry(folder).or_insert_with_key(|folder| project_root(folder)).clone();
        let Some(project) = root.or_else(|| covered.cloned()) else { continue };
        let searched = covered.is_some_and(|root| project.starts_with(root));
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let entry = wanted.entry(project).or_insert_with(|| (Vec::new(), searched));
        entry.0.push((file, name));
    }
    let mut found = Vec::new();
    for (project, (files, searched)) in wanted {
        let candidates =
            if searched { Vec::new() } else { discover::candidates(std::slice::from_ref(&project), config).unwrap_or_default() };
        let names = FileNames::new(files.iter().map(|(_, name)| name.as_str()));
        // A definition names no other file; nor do the files searched for.
        let definition = |path: &Path| discover::is_asl_name(path) || files.iter().any(|(file, _)| file == path);
        for candidate in candidates.iter().filter(|c| !definition(&c.path)) {
            let Ok(text) = std::fs::read_to_string(&candidate.path) else { continue };
            if !names.any_in(&text) {
                continue;
            }
            for binding in lint::bindings_in(&candidate.path, &text) {
                let target = std::fs::canonicalize(&binding.target);
                if target.is_ok_and(|target| files.iter().any(|(file, _)| *file == target)) {
                    found.push(binding);
                }
            }
        }
        let bound: BTreeSet<PathBuf> = found.iter().filter_map(|b| std::fs::canonicalize(&b.target).ok()).collect();
        let unbound: Vec<&(PathBuf, String)> = files.iter().filter(|(file, _)| !bound.contains(file)).collect();
        if !unbound.is_empty() {
            found.extend(cdk_bindings(&project, &unbound));
        }
    }
    found
}

/// File names to look for in templates, in any case (see `lint::with_case_on_disk`): a
/// template is read once whatever the number of names.
struct FileNames {
    /// Lowercased names that are one token of a template (no space, quote or slash).
    tokens: foldhash::HashSet<String>,
    /// Lowercased names that are not: searched for one by one.
    others: Vec<String>,
}

impl FileNames {
    /// What ends a file name in a template: quotes, separators, brackets, spaces.
    fn is_delimiter(byte: u8) -> bool {
        matches!(
            byte,
            b'"' | b'\'' | b'`' | b'/' | b'\\' | b'(' | b')' | b'[' | b']' | b'{' | b'}' | b'<' | b'>' | b',' | b'=' | b':' | b';'
        ) || byte.is_ascii_whitespace()
    }

    fn new<'n>(names: impl Iterator<Item = &'n str>) -> Self {
        let (mut tokens, mut others) = (foldhash::HashSet::default(), Vec::new());
        for name in names.map(str::to_ascii_lowercase) {
            if name.bytes().any(Self::is_delimiter) {
                others.push(name);
            } else {
                tokens.insert(name);
            }
        }
        FileNames { tokens, others }
    }

    fn any_in(&self, text: &str) -> bool {
        let lower = text.to_ascii_lowercase();
        lower
            .as_bytes()
            .split(|&b| Self::is_delimiter(b))
            .any(|token| !token.is_empty() && std::str::from_utf8(token).is_ok_and(|token| self.tokens.contains(token)))
            || self.others.iter().any(|name| memchr::memmem::find(lower.as_bytes(), name.as_bytes()).is_some())
    }
}

/// Definition files that AWS CDK code in the project reads into a state machine
/// (`DefinitionBody.fromFile('statemachine/order.asl.json')`, `open(...)`): Standard, the
/// CDK's default, unless the code that names the file mentions `EXPRESS`: Express when it
/// makes one state machine, else nothing certain, and the file stays of unknown type.
fn cdk_bindings(project: &Path, files: &[&(PathBuf, String)]) -> Vec<Binding> {
    const SOURCES: &[&str] = &["ts", "js", "mjs", "py", "java", "cs", "go"];
    use crate::host::WorkflowType;
    let mut verdicts: BTreeMap<&Path, Option<(PathBuf, WorkflowType)>> = BTreeMap::new();
    let walker = ignore::WalkBuilder::new(project)
        .require_git(false)
        .filter_entry(|e| !matches!(e.file_name().to_str(), Some("node_modules" | "cdk.out" | "target" | ".git")))
        .build();
    for entry in walker.flatten() {
        let path = entry.path();
        if !path.extension().and_then(|e| e.to_str()).is_some_and(|e| SOURCES.contains(&e)) {
            continue;
        }
        let Ok(code) = std::fs::read_to_string(path) else { continue };
        if !(code.contains("stepfunctions") || code.contains("StateMachine")) {
            continue;
        }
        for (file, name) in files {
            if memchr::memmem::find(code.as_bytes(), name.as_bytes()).is_none() {
                continue;
            }
            // Code that makes one state machine and says `EXPRESS` makes it Express; code
            // that makes several and says `EXPRESS` leaves each one's type uncertain.
            let express = code.contains("EXPRESS");
            let certain = !express || (code.matches("StateMachine(").count() == 1 && !code.contains("STANDARD"));
            let workflow_type = if express { WorkflowType::Express } else { WorkflowType::Standard };
            let verdict = verdicts.entry(file.as_path()).or_insert(Some((path.to_path_buf(), workflow_type)));
            if !certain || verdict.as_ref().is_some_and(|(_, known)| *known != workflow_type) {
                *verdict = None;
            }
        }
    }
    verdicts
        .into_iter()
        .filter_map(|(file, verdict)| {
            let (template, workflow_type) = verdict?;
            Some(Binding { target: file.to_path_buf(), template, name: String::new(), workflow_type, type_span: None })
        })
        .collect()
}

/// The folder the project of the files in `folder` lives in: the nearest one above it that holds an
/// `sfn-lint.toml` or a repository (`.git`); outside any, the nearest one that holds
/// infrastructure code (a SAM or Serverless template, `cdk.json`, Terraform files), as in
/// a copy of a project without its repository.
fn project_root(folder: &Path) -> Option<PathBuf> {
    let marked = |folder: &Path| crate::config::FILE_NAMES.iter().any(|name| folder.join(name).is_file()) || folder.join(".git").exists();
    if let Some(root) = folder.ancestors().find(|folder| marked(folder)) {
        return Some(root.to_path_buf());
    }
    folder.ancestors().find(|folder| holds_infrastructure(folder)).map(Path::to_path_buf)
}

/// Whether a folder holds a file that deploys state machines from other files.
fn holds_infrastructure(folder: &Path) -> bool {
    const NAMES: &[&str] =
        &["template.yaml", "template.yml", "template.json", "serverless.yml", "serverless.yaml", "cdk.json", "samconfig.toml"];
    if NAMES.iter().any(|name| folder.join(name).is_file()) {
        return true;
    }
    let Ok(entries) = std::fs::read_dir(folder) else { return false };
    entries.flatten().any(|entry| entry.path().extension().is_some_and(|e| e == "tf"))
}

//! A whole run: every file linted in parallel, then the definition files that templates
//! name linted with the templates' types; findings sorted, counts summed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{Binding, FileResult, Options};
use crate::diagnostic::Finding;
use crate::discover::{self, Files};
use crate::report::{FileStatus, Report};

/// Standard input, with the name that gives its kind.
#[derive(Clone)]
pub struct Stdin {
    pub name: Option<PathBuf>,
    pub bytes: Vec<u8>,
}

/// A definition file linted with its template: its displayed path and its result.
type Linted = (String, FileResult);

/// Where a file's result came from.
enum Origin {
    /// The candidate at this index.
    Candidate(usize),
    /// Standard input, or a definition file linted with a template's type: its displayed path.
    Other(String),
}

/// Lints `files` (and standard input) in parallel. A definition file that a template names
/// is read only when it lies under `roots` (the linted paths) or the working folder.
pub fn run(files: &Files, stdin: Option<Stdin>, roots: &[PathBuf], options: &Options) -> Report {
    let candidates = &files.candidates;
    let allowed: Vec<PathBuf> =
        roots.iter().chain(std::env::current_dir().ok().as_ref()).filter_map(|r| std::fs::canonicalize(r).ok()).collect();
    let binder = super::Binder { allowed: &allowed, options };
    // Only the candidate's index is kept per file: paths are displayed (and resolved) again
    // when needed, so that a run over many files holds little more than their findings.
    let mut results: Vec<(Origin, FileResult)> = candidates
        .par_iter()
        .enumerate()
        .map(|(i, candidate)| {
            let display = discover::display_path(&candidate.path);
            (Origin::Candidate(i), super::lint_path(&candidate.path, &display, candidate.named, options, Some(&binder)))
        })
        .collect();
    if let Some(stdin) = stdin {
        let path = stdin.name.unwrap_or_else(|| PathBuf::from("-"));
        let display = if path == Path::new("-") { "<stdin>".to_string() } else { discover::display_path(&path) };
        // Input piped in to be linted is never passed over: empty, it is an empty file.
        let result = if stdin.bytes.trim_ascii().is_empty() {
            super::unreadable_at(&display, "the file is empty", options)
        } else {
            super::lint_bytes(&path, &display, &stdin.bytes, true, options)
        };
        results.push((Origin::Other(display), result));
    }

    // Definition files named by templates: linted once per workflow type that binds them,
    // in place of their linting as standalone files. Those the run may read were linted
    // with their template.
    let mut bindings: Vec<(Binding, Option<Linted>)> = Vec::new();
    for (_, result) in &mut results {
        let linted = std::mem::take(&mut result.bound).into_iter().chain(std::iter::repeat_with(|| None));
        bindings.extend(std::mem::take(&mut result.bindings).into_iter().zip(linted));
    }
    // Each target resolved once, the targets side by side: the project search skips them,
    // and the run reads those under its roots.
    let mut targets: Vec<Option<PathBuf>> = bindings.par_iter().map(|(binding, _)| std::fs::canonicalize(&binding.target).ok()).collect();
    let mut bound: BTreeMap<PathBuf, Vec<(Binding, Option<Linted>)>> = BTreeMap::new();
    // A definition file linted without its template (a pre-commit hook passes only the
    // changed files) takes its type from the templates of its project that name it.
    let alone: Vec<(&Path, bool)> = results
        .iter()
        .filter_map(|(origin, result)| match origin {
            Origin::Candidate(i) if result.standalone => Some((candidates[*i].path.as_path(), candidates[*i].link)),
            _ => None,
        })
        .collect();
    if !alone.is_empty() {
        let known: BTreeSet<&Path> = targets.iter().flatten().map(PathBuf::as_path).collect();
        let found = super::project::templates_naming(&alone, &known, roots, files, &options.config);
        targets.par_extend(found.par_iter().map(|binding| std::fs::canonicalize(&binding.target).ok()));
        bindings.extend(found.into_iter().map(|binding| (binding, None)));
    }
    for ((binding, linted), target) in bindings.into_iter().zip(targets) {
        if let Some(target) = target.filter(|target| binder.allows(target)) {
            bound.entry(target).or_default().push((binding, linted));
        }
    }
    if !bound.is_empty() {
        // Only a file with a bound file's name (in any case, for file systems that ignore
        // it), or a link, can be one: the others are not resolved, a system call apiece.
        let lowercase = |name: &std::ffi::OsStr| name.to_string_lossy().to_lowercase();
        let names: BTreeSet<String> = bound.keys().filter_map(|target| target.file_name()).map(lowercase).collect();
        // The standalone results the bound lints replace, resolved side by side.
        let replaced: BTreeSet<usize> = results
            .par_iter()
            .filter_map(|(origin, result)| match origin {
                Origin::Candidate(i) if !result.skipped => {
                    let candidate = &candidates[*i];
                    let named = candidate.link || candidate.path.file_name().is_some_and(|name| names.contains(&lowercase(name)));
                    let is_bound = named && std::fs::canonicalize(&candidate.path).is_ok_and(|path| bound.contains_key(&path));
                    is_bound.then_some(*i)
                }
                _ => None,
            })
            .collect();
        results.retain(|(origin, _)| !matches!(origin, Origin::Candidate(i) if replaced.contains(i)));
    }
    // Each definition once per workflow type that binds it, by the first binding of that
    // type. Those not linted yet (found by the project search) are grouped by template, so
    // that a template binding several is parsed once.
    let chosen = bound.into_values().flat_map(|group| {
        let mut types = BTreeSet::new();
        group.into_iter().filter(move |(binding, _)| types.insert(binding.workflow_type))
    });
    let mut rebound: Vec<(usize, Origin, FileResult)> = Vec::new();
    let mut by_template: BTreeMap<PathBuf, Vec<(usize, Binding)>> = BTreeMap::new();
    for (order, (binding, linted)) in chosen.enumerate() {
        match linted {
            Some((display, result)) => rebound.push((order, Origin::Other(display), result)),
            None => by_template.entry(binding.template.clone()).or_default().push((order, binding)),
        }
    }
    rebound.par_extend(by_template.par_iter().flat_map_iter(|(template, bindings)| {
        let source = super::BindingTemplate::read(template);
        let template = discover::display_path(template);
        bindings
            .iter()
            .map(|(order, binding)| {
                let display = discover::display_path(&binding.target);
                let result = super::lint_bound(binding, &display, &source, &template, options);
                (*order, Origin::Other(display), result)
            })
            .collect::<Vec<_>>()
    }));
    // In the order of the definitions, as the report's list of files is deduplicated.
    rebound.sort_unstable_by_key(|(order, ..)| *order);
    let rebound = rebound.into_iter().map(|(_, origin, result)| (origin, result));
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
    if options.list_files {
        report.files = results
            .iter()
            .map(|(origin, result)| {
                let file = match origin {
                    Origin::Candidate(i) => discover::display_path(&candidates[*i].path),
                    Origin::Other(display) => display.clone(),
                };
                let status = match (result.skipped, result.unread) {
                    (false, _) => FileStatus::Linted { definitions: result.definitions },
                    (true, Some(super::Unread::TooLarge)) => FileStatus::TooLarge,
                    (true, Some(super::Unread::NotUtf8)) => FileStatus::NotUtf8,
                    (true, None) => FileStatus::NoStateMachine,
                };
                (file, status)
            })
            .collect();
        report.files.sort_by(|a, b| a.0.cmp(&b.0));
        report.files.dedup_by(|a, b| a.0 == b.0);
    }
    for (_, result) in results {
        if result.skipped {
            report.summary.skipped += 1;
            match result.unread {
                Some(super::Unread::TooLarge) => report.summary.skipped_too_large += 1,
                Some(super::Unread::NotUtf8) => report.summary.skipped_not_utf8 += 1,
                None => {}
            }
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
    report.recount();
    report
}

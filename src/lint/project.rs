//! The templates of a definition's project: a definition linted alone (a pre-commit hook
//! passes only the changed files) takes its workflow type from the templates that name it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use super::Binding;
use crate::discover;

/// The bindings of the templates, in the projects of `files`, that name one of them: each
/// project (see [`project_root`]) is searched once, unless the run already linted all of
/// it. Only templates that mention a file's name are parsed, and none is linted.
/// `files` say whether each is a symbolic link.
pub(super) fn templates_naming(
    files: &[(&Path, bool)],
    known: &[Binding],
    roots: &[PathBuf],
    config: &crate::config::Config,
) -> Vec<Binding> {
    let known: BTreeSet<PathBuf> = known.iter().filter_map(|b| std::fs::canonicalize(&b.target).ok()).collect();
    let linted: Vec<PathBuf> = roots.iter().filter(|r| r.is_dir()).filter_map(|r| std::fs::canonicalize(r).ok()).collect();
    // Per project: its files, and whether its templates are still to be searched (a run
    // that linted the whole project has read them; its CDK code is searched either way).
    let mut wanted: BTreeMap<PathBuf, (Vec<(PathBuf, String)>, bool)> = BTreeMap::new();
    // Files of one folder share a project, and folders share ancestors: each folder is
    // looked at once.
    let mut roots = ProjectRoots::default();
    let mut canonical = Canonical::default();
    // The files of a folder come one after another: the last folder's project and whether
    // it was searched are kept, so that paths are compared byte for byte, not component
    // by component in the maps.
    let mut last: Option<(PathBuf, Option<(PathBuf, bool)>)> = None;
    for &(file, link) in files {
        // A link is the file it leads to, whose name the templates use.
        let file = if link { std::fs::canonicalize(file).ok() } else { canonical.of(file) };
        let Some(file) = file else { continue };
        if known.contains(&file) {
            continue;
        }
        let folder = file.parent().unwrap_or(Path::new(""));
        let project = match &last {
            Some((last_folder, project)) if last_folder.as_os_str() == folder.as_os_str() => project.clone(),
            _ => {
                let covered = linted.iter().find(|root| folder.starts_with(root));
                let project = roots.of(folder).or_else(|| covered.cloned());
                let project = project.map(|project| {
                    let searched = covered.is_some_and(|root| project.starts_with(root));
                    (project, searched)
                });
                last = Some((folder.to_path_buf(), project.clone()));
                project
            }
        };
        let Some((project, searched)) = project else { continue };
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let entry = wanted.entry(project).or_insert_with(|| (Vec::new(), searched));
        entry.0.push((file, name));
    }
    let mut found = Vec::new();
    for (project, (files, searched)) in wanted {
        // A definition names no other file; nor do the files searched for.
        let searched_for: BTreeSet<&Path> = files.iter().map(|(file, _)| file.as_path()).collect();
        // One walk for the templates and the CDK code (searched even where the run has
        // read the templates).
        let (templates, sources) =
            discover::project_files(&project, config, |path| !searched && !discover::is_asl_name(path) && !searched_for.contains(path));
        let names = FileNames::new(files.iter().map(|(_, name)| name.as_str()));
        for template in &templates {
            let Ok(text) = std::fs::read_to_string(template) else { continue };
            if !names.any_in(&text) {
                continue;
            }
            for binding in super::bindings_in(template, &text) {
                let target = std::fs::canonicalize(&binding.target);
                if target.is_ok_and(|target| files.iter().any(|(file, _)| *file == target)) {
                    found.push(binding);
                }
            }
        }
        let bound: BTreeSet<PathBuf> = found.iter().filter_map(|b| std::fs::canonicalize(&b.target).ok()).collect();
        let unbound: Vec<&(PathBuf, String)> = files.iter().filter(|(file, _)| !bound.contains(file)).collect();
        if !unbound.is_empty() {
            found.extend(cdk_bindings(&sources, &unbound));
        }
    }
    found
}

/// Paths with each folder resolved once: a file's canonical folder joined with its name,
/// which is its canonical path unless the file itself is a link (the caller knows which:
/// one system call per file would cost more than all the rest of the search).
#[derive(Default)]
struct Canonical {
    folders: BTreeMap<PathBuf, Option<PathBuf>>,
    /// The folder asked for last, and its canonical path: files of a folder come together.
    last: Option<(PathBuf, Option<PathBuf>)>,
}

impl Canonical {
    fn of(&mut self, file: &Path) -> Option<PathBuf> {
        let (Some(folder), Some(name)) = (file.parent(), file.file_name()) else { return std::fs::canonicalize(file).ok() };
        let folder = if folder.as_os_str().is_empty() { Path::new(".") } else { folder };
        let canonical = match &self.last {
            Some((last, canonical)) if last.as_os_str() == folder.as_os_str() => canonical,
            _ => {
                let canonical = self.folders.entry(folder.to_path_buf()).or_insert_with(|| std::fs::canonicalize(folder).ok()).clone();
                &self.last.insert((folder.to_path_buf(), canonical)).1
            }
        };
        Some(canonical.as_ref()?.join(name))
    }
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
fn cdk_bindings(sources: &[PathBuf], files: &[&(PathBuf, String)]) -> Vec<Binding> {
    use crate::host::WorkflowType;
    let mut verdicts: BTreeMap<&Path, Option<(PathBuf, WorkflowType)>> = BTreeMap::new();
    for path in sources {
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

/// The project roots of folders, each folder's marks looked at once for a run.
#[derive(Default)]
struct ProjectRoots {
    roots: HashMap<PathBuf, Option<PathBuf>>,
    marked: HashMap<PathBuf, bool>,
    infrastructure: HashMap<PathBuf, bool>,
}

impl ProjectRoots {
    /// The folder the project of the files in `folder` lives in: the nearest one above it
    /// that holds an `sfn-lint.toml` or a repository (`.git`); outside any, the nearest one
    /// that holds infrastructure code (a SAM or Serverless template, `cdk.json`, Terraform
    /// files), as in a copy of a project without its repository.
    fn of(&mut self, folder: &Path) -> Option<PathBuf> {
        if let Some(root) = self.roots.get(folder) {
            return root.clone();
        }
        let marked =
            |folder: &Path| crate::config::FILE_NAMES.iter().any(|name| folder.join(name).is_file()) || folder.join(".git").exists();
        let root = (folder.ancestors().find(|f| *self.marked.entry(f.to_path_buf()).or_insert_with(|| marked(f))))
            .or_else(|| folder.ancestors().find(|f| *self.infrastructure.entry(f.to_path_buf()).or_insert_with(|| holds_infrastructure(f))))
            .map(Path::to_path_buf);
        self.roots.insert(folder.to_path_buf(), root.clone());
        root
    }
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

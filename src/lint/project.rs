//! The templates of a definition's project: a definition linted alone (a pre-commit hook
//! passes only the changed files) takes its workflow type from the templates that name it.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use rayon::prelude::*;

use super::Binding;
use crate::discover;

/// The bindings of the templates, in the projects of `files`, that name one of them: each
/// project (see [`ProjectRoots::of`]) is searched once, unless the run already linted all of
/// it. Only templates that mention a file's name are parsed, and none is linted.
/// `files` say whether each is a symbolic link; `known` holds the canonical paths of those
/// the run's templates bind, which are not searched for. A project inside a folder of
/// `walked` is not walked again for its CDK code.
pub(super) fn templates_naming(
    files: &[(&Path, bool)],
    known: &BTreeSet<&Path>,
    roots: &[PathBuf],
    walked: &discover::Files,
    config: &crate::config::Config,
) -> Vec<Binding> {
    // The linted folders. A pre-commit hook names each file: those are not folders, and
    // are known without asking the file system about each.
    let named: HashSet<&std::ffi::OsStr> = files.iter().map(|&(file, _)| file.as_os_str()).collect();
    let linted: Vec<PathBuf> = roots
        .iter()
        .filter(|r| !named.contains(r.strip_prefix("./").unwrap_or(r).as_os_str()) && r.is_dir())
        .filter_map(|r| std::fs::canonicalize(r).ok())
        .collect();
    // Each file as its folder and its name. A link is the file it leads to, whose name the
    // templates use; any other file's canonical path is its canonical folder joined with
    // its name (one system call per file would cost more than all the rest of the search).
    let placed: Vec<(PathBuf, OsString)> = files
        .iter()
        .filter_map(|&(file, link)| match (link, file.parent(), file.file_name()) {
            (false, Some(folder), Some(name)) => Some((folder.to_path_buf(), name.to_os_string())),
            _ => {
                let target = std::fs::canonicalize(file).ok()?;
                Some((target.parent()?.to_path_buf(), target.file_name()?.to_os_string()))
            }
        })
        .collect();
    // Each folder's canonical path and project, the folders looked at in parallel.
    let mut folders: Vec<&Path> = placed.iter().map(|(folder, _)| folder.as_path()).collect();
    folders.sort_unstable();
    folders.dedup();
    let projects = ProjectRoots::default();
    let located: HashMap<&Path, Option<Folder>> = folders
        .par_iter()
        .map(|&folder| {
            let as_given = if folder.as_os_str().is_empty() { Path::new(".") } else { folder };
            let located = std::fs::canonicalize(as_given).ok().map(|canonical| {
                let covered = linted.iter().find(|root| canonical.starts_with(root));
                let project = projects.of(&canonical).or_else(|| covered.cloned());
                // A run that linted the whole project has read its templates.
                let project = project.map(|project| {
                    let searched = covered.is_some_and(|root| project.starts_with(root));
                    (project, searched)
                });
                Folder { canonical, project }
            });
            (folder, located)
        })
        .collect();
    // Per project: its files, and whether its templates are still to be searched (its CDK
    // code is searched either way).
    let mut wanted: BTreeMap<PathBuf, (Vec<(PathBuf, String)>, bool)> = BTreeMap::new();
    for (folder, name) in &placed {
        let Some(Folder { canonical, project: Some((project, searched)) }) = &located[folder.as_path()] else { continue };
        let file = canonical.join(name);
        if known.contains(file.as_path()) {
            continue;
        }
        let entry = wanted.entry(project.clone()).or_insert_with(|| (Vec::new(), *searched));
        entry.0.push((file, name.to_string_lossy().into_owned()));
    }
    // Several projects (a folder of copied repositories) are searched side by side.
    let found: Vec<Vec<Binding>> = wanted
        .par_iter()
        .map(|(project, (files, searched))| {
            // A definition names no other file; nor do the files searched for.
            let searched_for: BTreeSet<&Path> = files.iter().map(|(file, _)| file.as_path()).collect();
            // One walk for the templates and the CDK code (searched even where the run has
            // read the templates), unless the run's walk has seen both.
            let (templates, sources) = if *searched && walked.folders.iter().any(|folder| project.starts_with(folder)) {
                // Sorted by components, so the project's files lie together.
                let first = walked.cdk_sources.partition_point(|source| source.as_path() < project.as_path());
                let under = walked.cdk_sources[first..].iter().take_while(|source| source.starts_with(project));
                (Vec::new(), under.cloned().collect())
            } else {
                discover::project_files(project, config, |path| !searched && !discover::is_asl_name(path) && !searched_for.contains(path))
            };
            let names = FileNames::new(files.iter().map(|(_, name)| name.as_str()));
            let bindings: Vec<Vec<Binding>> = templates
                .par_iter()
                .map(|template| {
                    let Ok(text) = std::fs::read_to_string(template) else { return Vec::new() };
                    if !names.any_in(&text) {
                        return Vec::new();
                    }
                    super::bindings_in(template, &text)
                        .into_iter()
                        .filter(|binding| {
                            let target = std::fs::canonicalize(&binding.target);
                            target.is_ok_and(|target| files.iter().any(|(file, _)| *file == target))
                        })
                        .collect()
                })
                .collect();
            let mut found: Vec<Binding> = bindings.into_iter().flatten().collect();
            let bound: BTreeSet<PathBuf> = found.iter().filter_map(|b| std::fs::canonicalize(&b.target).ok()).collect();
            let unbound: Vec<&(PathBuf, String)> = files.iter().filter(|(file, _)| !bound.contains(file)).collect();
            if !unbound.is_empty() {
                found.extend(cdk_bindings(&sources, &unbound));
            }
            found
        })
        .collect();
    found.into_iter().flatten().collect()
}

/// A folder of the files searched for, resolved.
struct Folder {
    /// Its canonical path: a file's is this joined with its name.
    canonical: PathBuf,
    /// The project it lies in, and whether the run has read that project's templates.
    project: Option<(PathBuf, bool)>,
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
        let bytes = lower.as_bytes();
        // A few names are each searched for with a vectorised search, which outruns cutting
        // the whole text into tokens; a name counts where no other name character touches it.
        let found = if self.tokens.len() <= FEW_NAMES {
            let bounded = |at: usize, len: usize| {
                (at == 0 || Self::is_delimiter(bytes[at - 1])) && bytes.get(at + len).is_none_or(|&b| Self::is_delimiter(b))
            };
            self.tokens.iter().any(|name| memchr::memmem::find_iter(bytes, name.as_bytes()).any(|at| bounded(at, name.len())))
        } else {
            bytes
                .split(|&b| Self::is_delimiter(b))
                .any(|token| !token.is_empty() && std::str::from_utf8(token).is_ok_and(|token| self.tokens.contains(token)))
        };
        found || self.others.iter().any(|name| memchr::memmem::find(bytes, name.as_bytes()).is_some())
    }
}

/// Up to this many names, each is searched for on its own (see [`FileNames::any_in`]).
const FEW_NAMES: usize = 8;

/// Definition files that AWS CDK code in the project reads into a state machine
/// (`DefinitionBody.fromFile('statemachine/order.asl.json')`, `open(...)`): Standard, the
/// CDK's default, unless the code that names the file mentions `EXPRESS`: Express when it
/// makes one state machine, else nothing certain, and the file stays of unknown type.
fn cdk_bindings(sources: &[PathBuf], files: &[&(PathBuf, String)]) -> Vec<Binding> {
    use crate::host::WorkflowType;
    // Each source read on any thread; the verdicts are drawn in the sources' order.
    let naming: Vec<(&PathBuf, WorkflowType, bool, Vec<&Path>)> = sources
        .par_iter()
        .filter_map(|path| {
            let code = std::fs::read_to_string(path).ok()?;
            if !(code.contains("stepfunctions") || code.contains("StateMachine")) {
                return None;
            }
            let named: Vec<&Path> = files
                .iter()
                .filter(|(_, name)| memchr::memmem::find(code.as_bytes(), name.as_bytes()).is_some())
                .map(|(file, _)| file.as_path())
                .collect();
            // Code that makes one state machine and says `EXPRESS` makes it Express; code
            // that makes several and says `EXPRESS` leaves each one's type uncertain.
            let express = code.contains("EXPRESS");
            let certain = !express || (code.matches("StateMachine(").count() == 1 && !code.contains("STANDARD"));
            let workflow_type = if express { WorkflowType::Express } else { WorkflowType::Standard };
            (!named.is_empty()).then_some((path, workflow_type, certain, named))
        })
        .collect();
    let mut verdicts: BTreeMap<&Path, Option<(PathBuf, WorkflowType)>> = BTreeMap::new();
    for (path, workflow_type, certain, named) in naming {
        for file in named {
            let verdict = verdicts.entry(file).or_insert(Some((path.to_path_buf(), workflow_type)));
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

/// The project roots of folders. Each folder is looked at once for a run, by whichever
/// thread first needs it: folders of one project share their ancestors.
#[derive(Default)]
struct ProjectRoots {
    /// Whether each folder looked at holds an `sfn-lint.toml` or a repository.
    roots: Mutex<HashMap<PathBuf, bool>>,
    /// Whether each folder looked at holds infrastructure code.
    infrastructure: Mutex<HashMap<PathBuf, bool>>,
}

impl ProjectRoots {
    /// The folder the project of the files in `folder` lives in: the nearest one above it
    /// that holds an `sfn-lint.toml` or a repository (`.git`); outside any, the nearest one
    /// that holds infrastructure code (a SAM or Serverless template, `cdk.json`, Terraform
    /// files), as in a copy of a project without its repository.
    fn of(&self, folder: &Path) -> Option<PathBuf> {
        (folder.ancestors().find(|f| remembered(&self.roots, f, is_project_root)))
            .or_else(|| folder.ancestors().find(|f| remembered(&self.infrastructure, f, holds_infrastructure)))
            .map(Path::to_path_buf)
    }
}

/// What `look` says of `folder`, asked once: looked at outside the lock, so that the
/// threads look at different folders at once.
fn remembered(memo: &Mutex<HashMap<PathBuf, bool>>, folder: &Path, look: fn(&Path) -> bool) -> bool {
    let known = memo.lock().unwrap_or_else(PoisonError::into_inner).get(folder).copied();
    known.unwrap_or_else(|| {
        let answer = look(folder);
        memo.lock().unwrap_or_else(PoisonError::into_inner).insert(folder.to_path_buf(), answer);
        answer
    })
}

/// Whether `folder` holds an `sfn-lint.toml` or a repository (`.git`), each looked for by
/// its name, as the configuration is: a folder of a thousand definitions is not listed.
fn is_project_root(folder: &Path) -> bool {
    folder.join(".git").exists() || crate::config::file_in(folder).is_some()
}

/// Whether `folder` holds a file that deploys state machines from other files, read from
/// one listing of it: Terraform files have no one name, and a test for each other name would
/// cost a system call apiece.
fn holds_infrastructure(folder: &Path) -> bool {
    const DEPLOYS: &[&str] =
        &["template.yaml", "template.yml", "template.json", "serverless.yml", "serverless.yaml", "cdk.json", "samconfig.toml"];
    let Ok(entries) = std::fs::read_dir(folder) else { return false };
    entries.flatten().any(|entry| {
        let name = entry.file_name();
        // A name counts as a file when it is one, or a link to one.
        let is_file = || match entry.file_type() {
            Ok(kind) if kind.is_symlink() => entry.path().is_file(),
            Ok(kind) => kind.is_file(),
            Err(_) => false,
        };
        (DEPLOYS.iter().any(|n| name == *n) && is_file()) || Path::new(&name).extension().is_some_and(|e| e == "tf")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A name is found where a template writes it whole, in any case: between quotes,
    /// slashes, spaces or the text's ends, not inside a longer name; searched for one by
    /// one (a few names) or by cutting the text into tokens (many), the answer is the same.
    #[test]
    fn a_file_name_is_found_only_whole() {
        let texts = [
            ("DefinitionUri: statemachine/Order.ASL.json\n", true),
            ("order.asl.json", true),
            ("x: [order.asl.json]", true),
            ("DefinitionUri: statemachine/myorder.asl.json", false),
            ("DefinitionUri: order.asl.json.bak", false),
            ("order.asl.jsonx order.asl.json", true),
            ("nothing here", false),
        ];
        let fillers: Vec<String> = (0..FEW_NAMES * 2).map(|i| format!("other-{i}.json")).collect();
        let few = FileNames::new(["order.asl.json"].into_iter());
        let many = FileNames::new(std::iter::once("order.asl.json").chain(fillers.iter().map(String::as_str)));
        assert!(many.tokens.len() > FEW_NAMES);
        for (text, expected) in texts {
            assert_eq!(few.any_in(text), expected, "{text:?}");
            assert_eq!(many.any_in(text), expected, "{text:?}");
        }
        let spaced = FileNames::new(["my flow.json"].into_iter());
        assert!(spaced.any_in("file('My Flow.json')"));
    }

    /// A config file (or a link to one) or a repository marks a project's root; a SAM,
    /// Serverless or CDK file, or Terraform code, marks infrastructure; a folder with a
    /// config file's or a template's name is neither.
    #[test]
    fn a_folder_is_marked_by_the_files_it_holds() {
        let dir = std::env::temp_dir().join(format!("sfn-lint-marks-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let folder = |name: &str, files: &[&str], folders: &[&str]| {
            let folder = dir.join(name);
            std::fs::create_dir_all(&folder).unwrap();
            files.iter().for_each(|file| std::fs::write(folder.join(file), "").unwrap());
            folders.iter().for_each(|sub| std::fs::create_dir(folder.join(sub)).unwrap());
            folder
        };
        let marks = |folder: &Path| (is_project_root(folder), holds_infrastructure(folder));
        assert_eq!(marks(&folder("plain", &["flow.asl.json", "notes.tf.bak"], &["sfn-lint.toml", "template.yaml"])), (false, false));
        assert_eq!(marks(&folder("configured", &[".sfn-lint.toml"], &[])), (true, false));
        assert_eq!(marks(&folder("repository", &["template.json"], &[".git"])), (true, true));
        assert_eq!(marks(&folder("worktree", &[".git"], &[])), (true, false));
        assert_eq!(marks(&folder("terraform", &["main.tf"], &[])), (false, true));
        assert_eq!(marks(&folder("serverless", &["serverless.yml"], &[])), (false, true));
        assert_eq!(marks(&folder("cdk", &["cdk.json"], &[])), (false, true));
        assert_eq!(marks(&dir.join("missing")), (false, false));
        #[cfg(unix)]
        {
            let linked = folder("linked", &[], &[]);
            std::os::unix::fs::symlink(dir.join("configured/.sfn-lint.toml"), linked.join("sfn-lint.toml")).unwrap();
            std::os::unix::fs::symlink(dir.join("missing/cdk.json"), linked.join("cdk.json")).unwrap();
            assert_eq!(marks(&linked), (true, false));
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

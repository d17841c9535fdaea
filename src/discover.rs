//! Which files to lint: paths from the command line, folders walked with `.gitignore`
//! honoured, and each file's kind by name.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::{Config, working_folder};
use crate::syntax::Format;

/// A file to lint.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    pub path: PathBuf,
    /// Named on the command line (always read) rather than found by walking.
    pub named: bool,
    /// A symbolic link (only a named file can be one: a walk does not follow links).
    pub link: bool,
}

/// Folders never walked into.
const SKIPPED_DIRS: &[&str] = &["node_modules", ".git", "target"];

/// What a run lints: its files, and what the walks of its folders saw besides them.
#[derive(Clone, Debug, Default)]
pub struct Files {
    pub candidates: Vec<Candidate>,
    /// The walked folders, canonical.
    pub folders: Vec<PathBuf>,
    /// Every source file of a CDK app under `folders` (as [`project_files`] finds them),
    /// canonical and sorted: a project inside a walked folder is not walked again for them.
    pub cdk_sources: Vec<PathBuf>,
}

impl Files {
    /// Files named one by one: no folder was walked.
    pub fn named(candidates: Vec<Candidate>) -> Self {
        Files { candidates, ..Files::default() }
    }
}

/// Expands the paths given on the command line into files, sorted and without repeats.
/// A path that does not exist is an error of the run, returned with the path.
/// Files found by walking skip the configuration's `exclude` globs; named files are
/// always read.
pub fn candidates(paths: &[PathBuf], config: &Config) -> Result<Files, (PathBuf, std::io::Error)> {
    enum Found {
        Lintable(Candidate),
        Source(PathBuf),
    }
    let mut files = Files::default();
    for path in paths {
        // What the path is, and whether it is a link, from one call when it is not one.
        let error = |e: std::io::Error| (path.clone(), e);
        let own = std::fs::symlink_metadata(path).map_err(error)?;
        let link = own.file_type().is_symlink();
        let metadata = if link { std::fs::metadata(path).map_err(error)? } else { own };
        if metadata.is_dir() {
            let canonical = std::fs::canonicalize(path).ok();
            let found = walk_files(path, |file| {
                if lintable_name(file) {
                    let file = clean(file);
                    return (!config.excluded(&file)).then_some(Found::Lintable(Candidate { path: file, named: false, link: false }));
                }
                // Where the folder's own walk would find it: under its canonical path.
                let source = canonical.as_ref()?.join(file.strip_prefix(path).ok()?);
                is_cdk_source(&source).then_some(Found::Source(source))
            });
            for found in found {
                match found {
                    Found::Lintable(candidate) => files.candidates.push(candidate),
                    Found::Source(source) => files.cdk_sources.push(source),
                }
            }
            files.folders.extend(canonical);
        } else {
            files.candidates.push(Candidate { path: clean(path), named: true, link });
        }
    }
    files.candidates.sort();
    files.candidates.dedup_by(|a, b| a.path == b.path);
    files.cdk_sources.sort();
    files.cdk_sources.dedup();
    Ok(files)
}

/// Source files of AWS CDK apps, which may read definition files into state machines.
const CDK_SOURCES: &[&str] = &["ts", "js", "mjs", "py", "java", "cs", "go"];

/// A source file of a CDK app, outside `cdk.out` (whose code the app wrote out).
fn is_cdk_source(path: &Path) -> bool {
    let extension = path.extension().map(|e| e.as_encoded_bytes()).unwrap_or_default();
    CDK_SOURCES.iter().any(|source| extension.eq_ignore_ascii_case(source.as_bytes()))
        && !path.components().any(|c| c.as_os_str() == "cdk.out")
}

/// One walk of a project: the files a walk would lint that the configuration does not
/// exclude and that `wanted` accepts (tested first: it is the cheaper test), and the source
/// files of CDK apps outside `cdk.out`; both sorted.
pub fn project_files(folder: &Path, config: &Config, wanted: impl Fn(&Path) -> bool + Sync) -> (Vec<PathBuf>, Vec<PathBuf>) {
    enum Found {
        Lintable(PathBuf),
        Source(PathBuf),
    }
    let found = walk_files(folder, |path| {
        if lintable_name(path) {
            (wanted(path) && !config.excluded(path)).then(|| Found::Lintable(clean(path)))
        } else if is_cdk_source(path) {
            Some(Found::Source(clean(path)))
        } else {
            None
        }
    });
    let (mut lintable, mut sources) = (Vec::new(), Vec::new());
    for file in found {
        match file {
            Found::Lintable(path) => lintable.push(path),
            Found::Source(path) => sources.push(path),
        }
    }
    lintable.sort();
    sources.sort();
    (lintable, sources)
}

/// The files of a walk of `root` that `keep` turns into something, in no order. Only regular
/// files count (never open a FIFO, a socket or a device); entries the walker cannot read
/// (permissions, races) are skipped, as ripgrep does.
///
/// A walk of a large repository mostly waits on the file system, listing folders and
/// looking for ignore files: the folders at the top are walked side by side on the lint's
/// threads, each as a walk of its own that reads the ignore files above it. (The walker's
/// own threads would cost a small project more than its whole walk: they poll for work.)
fn walk_files<T: Send>(root: &Path, keep: impl Fn(&Path) -> Option<T> + Sync) -> Vec<T> {
    let is_file = |entry: &ignore::DirEntry| entry.file_type().is_some_and(|t| t.is_file());
    // CDK's `cdk.out` is usually git-ignored; named on the command line, it is read whole,
    // with no ignore file (none above it may apply).
    if root.file_name().is_some_and(|n| n == "cdk.out") {
        return walker(root, false).build().flatten().filter(is_file).filter_map(|entry| keep(entry.path())).collect();
    }
    let mut found = Vec::new();
    let mut folders = Vec::new();
    for entry in walker(root, true).max_depth(Some(1)).build().flatten() {
        if entry.depth() == 0 {
            continue;
        }
        if is_file(&entry) {
            found.extend(keep(entry.path()));
        } else if entry.file_type().is_some_and(|t| t.is_dir()) {
            folders.push(entry.into_path());
        }
    }
    found.par_extend(folders.par_iter().flat_map_iter(|folder| {
        let files = walker(folder, true).build().flatten().filter(is_file);
        files.filter_map(|entry| keep(entry.path())).collect::<Vec<_>>()
    }));
    found
}

/// A walk of `root` that skips hidden folders and those of [`SKIPPED_DIRS`], and with
/// `ignores` honours `.gitignore` files, `root`'s and those above it included.
fn walker(root: &Path, ignores: bool) -> ignore::WalkBuilder {
    let mut builder = ignore::WalkBuilder::new(root);
    builder.hidden(true).parents(ignores).git_ignore(ignores).git_exclude(ignores).require_git(false).follow_links(false).filter_entry(
        |entry| !(entry.file_type().is_some_and(|t| t.is_dir()) && entry.file_name().to_str().is_some_and(|n| SKIPPED_DIRS.contains(&n))),
    );
    builder
}

fn clean(path: &Path) -> PathBuf {
    path.strip_prefix("./").unwrap_or(path).to_path_buf()
}

/// Files a folder walk picks up: the extensions that can hold a state machine.
fn lintable_name(path: &Path) -> bool {
    let extension = path.extension().map(|e| e.as_encoded_bytes()).unwrap_or_default();
    ["json", "yaml", "yml", "template", "tf"].iter().any(|lintable| extension.eq_ignore_ascii_case(lintable.as_bytes()))
}

fn extension(path: &Path) -> Option<String> {
    path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase)
}

/// `*.asl.json`, `*.asl.yaml`, `*.asl.yml`: named as a state machine definition.
pub fn is_asl_name(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().as_bytes();
    [".asl.json", ".asl.yaml", ".asl.yml"].iter().any(|suffix| ends_with_ignoring_case(name, suffix))
}

/// Whether `name` ends with `suffix` (ASCII), in any case.
fn ends_with_ignoring_case(name: &[u8], suffix: &str) -> bool {
    name.len() >= suffix.len() && name[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

/// The syntax of a file: by extension, or for others (`.template`, standard input) by its
/// first character, since JSON documents start with `{` or `[`. `None` for Terraform, whose
/// HCL this version does not read.
pub fn format_of(path: &Path, text: &str) -> Option<Format> {
    match extension(path).as_deref() {
        Some("json") => Some(Format::Json),
        Some("json5") => Some(Format::JsonWithComments),
        Some("yaml" | "yml") => Some(Format::Yaml),
        Some("tf") => None,
        _ => match text.trim_start_matches('\u{feff}').trim_start().chars().next() {
            Some('{' | '[') => Some(Format::Json),
            _ => Some(Format::Yaml),
        },
    }
}

/// The path as shown to the user: relative to the working folder when below it.
pub fn display_path(path: &Path) -> String {
    let shown = match working_folder() {
        Some(cwd) if path.is_absolute() => path.strip_prefix(cwd).unwrap_or(path),
        _ => path,
    };
    shown.to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_formats() {
        assert!(is_asl_name(Path::new("a/b/Order.ASL.json")));
        assert!(!is_asl_name(Path::new("a/asl.json")));
        assert_eq!(format_of(Path::new("x.template"), "\u{feff} {\"a\":1}"), Some(Format::Json));
        assert_eq!(format_of(Path::new("x.template"), "Resources:"), Some(Format::Yaml));
        assert_eq!(format_of(Path::new("x.yml"), "{}"), Some(Format::Yaml));
        assert_eq!(format_of(Path::new("main.tf"), "resource {}"), None);
        assert!(lintable_name(Path::new("x.YAML")));
        assert!(!lintable_name(Path::new("x.json5")));
    }

    /// A project's walk, its top folders walked side by side, finds what one walk of the
    /// whole finds: lintable files the caller wants, and CDK code outside `cdk.out`; never
    /// what a `.gitignore` (the top one's anchored patterns included), a hidden folder or
    /// `node_modules` hides, nor what the configuration excludes.
    #[test]
    fn a_project_walk_finds_what_one_walk_of_the_whole_finds() {
        let dir = std::env::temp_dir().join(format!("sfn-lint-walk-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let files = [
            "template.yaml",
            "infra/a.json",
            "infra/deep/b.yml",
            "infra/deep/flow.asl.json",
            "infra/deep/skip.json",
            "infra/deep/anchored.json",
            "infra/deep/local.json",
            "app/stack.ts",
            "infra/deep/handler.py",
            "built/gen.ts",
            "app/cdk.out/Stack.template.json",
            "app/cdk.out/asset.js",
            "cdk.out/Top.template.json",
            "cdk.out/old/Old.template.json",
            "built/out.json",
            "node_modules/pkg/package.json",
            ".hidden/c.json",
            "notes.txt",
        ];
        for file in files {
            std::fs::create_dir_all(dir.join(file).parent().unwrap()).unwrap();
            std::fs::write(dir.join(file), "").unwrap();
        }
        std::fs::write(dir.join(".gitignore"), "built/\n/infra/deep/anchored.json\n/cdk.out/old/\n").unwrap();
        std::fs::write(dir.join("infra/.gitignore"), "local.json\n").unwrap();
        std::fs::write(dir.join("sfn-lint.toml"), "exclude = [\"**/skip.json\"]\n").unwrap();
        let config = crate::config::load(&dir.join("sfn-lint.toml")).unwrap();
        let relative = |paths: &[PathBuf]| paths.iter().map(|p| p.strip_prefix(&dir).unwrap().to_string_lossy().into_owned()).collect();
        let (lintable, sources) = project_files(&dir, &config, |path| !is_asl_name(path));
        let expected: (Vec<String>, Vec<String>) = (
            vec![
                "app/cdk.out/Stack.template.json".into(),
                "cdk.out/Top.template.json".into(),
                "infra/a.json".into(),
                "infra/deep/b.yml".into(),
                "template.yaml".into(),
            ],
            vec!["app/stack.ts".into(), "infra/deep/handler.py".into()],
        );
        assert_eq!((relative(&lintable), relative(&sources)), expected);
        // A run's walk of the folder sees the same CDK code, as canonical paths.
        let canonical = std::fs::canonicalize(&dir).unwrap();
        let run = candidates(std::slice::from_ref(&dir), &config).unwrap();
        assert_eq!(run.folders, std::slice::from_ref(&canonical));
        assert_eq!(run.cdk_sources, sources.iter().map(|s| canonical.join(s.strip_prefix(&dir).unwrap())).collect::<Vec<_>>());
        // The same as one walk of the whole.
        let mut whole: Vec<PathBuf> = walker(&dir, true)
            .build()
            .flatten()
            .filter(|e| e.file_type().is_some_and(|t| t.is_file()) && lintable_name(e.path()) && !is_asl_name(e.path()))
            .map(|e| e.into_path())
            .filter(|path| !config.excluded(path))
            .collect();
        whole.sort();
        assert_eq!(lintable, whole);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

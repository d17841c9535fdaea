//! Which files to lint: paths from the command line, folders walked with `.gitignore`
//! honoured, and each file's kind by name.

use std::path::{Path, PathBuf};

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

/// Expands the paths given on the command line into files, sorted and without repeats.
/// A path that does not exist is an error of the run, returned with the path.
/// Files found by walking skip the configuration's `exclude` globs; named files are
/// always read.
pub fn candidates(paths: &[PathBuf], config: &Config) -> Result<Vec<Candidate>, (PathBuf, std::io::Error)> {
    let mut out = Vec::new();
    for path in paths {
        // What the path is, and whether it is a link, from one call when it is not one.
        let error = |e: std::io::Error| (path.clone(), e);
        let own = std::fs::symlink_metadata(path).map_err(error)?;
        let link = own.file_type().is_symlink();
        let metadata = if link { std::fs::metadata(path).map_err(error)? } else { own };
        if metadata.is_dir() {
            let before = out.len();
            walk(path, &mut out);
            let mut index = before;
            while index < out.len() {
                if config.excluded(&out[index].path) {
                    out.swap_remove(index);
                } else {
                    index += 1;
                }
            }
        } else {
            out.push(Candidate { path: clean(path), named: true, link });
        }
    }
    out.sort();
    out.dedup_by(|a, b| a.path == b.path);
    Ok(out)
}

/// Source files of AWS CDK apps, which may read definition files into state machines.
const CDK_SOURCES: &[&str] = &["ts", "js", "mjs", "py", "java", "cs", "go"];

/// One walk of a project: the files a walk would lint that the configuration does not
/// exclude and that `wanted` accepts (tested first: it is the cheaper test), and the source
/// files of CDK apps outside `cdk.out`; both sorted.
pub fn project_files(folder: &Path, config: &Config, wanted: impl Fn(&Path) -> bool) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let (mut lintable, mut sources) = (Vec::new(), Vec::new());
    for entry in walker(folder).flatten() {
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path();
        if lintable_name(path) {
            if wanted(path) && !config.excluded(path) {
                lintable.push(clean(path));
            }
        } else if extension(path).is_some_and(|e| CDK_SOURCES.contains(&e.as_str()))
            && !path.components().any(|c| c.as_os_str() == "cdk.out")
        {
            sources.push(clean(path));
        }
    }
    lintable.sort();
    sources.sort();
    (lintable, sources)
}

fn walk(root: &Path, out: &mut Vec<Candidate>) {
    // Entries the walker cannot read (permissions, races) are skipped, as ripgrep does.
    for entry in walker(root).flatten() {
        // Only regular files: never open a FIFO, a socket or a device.
        if entry.file_type().is_some_and(|t| t.is_file()) && lintable_name(entry.path()) {
            out.push(Candidate { path: clean(entry.path()), named: false, link: false });
        }
    }
}

/// A walk of `root` that honours `.gitignore` and skips hidden folders and those of
/// [`SKIPPED_DIRS`].
fn walker(root: &Path) -> ignore::Walk {
    // CDK's `cdk.out` is usually git-ignored; named on the command line, it is read.
    let cdk_out = root.file_name().is_some_and(|n| n == "cdk.out");
    ignore::WalkBuilder::new(root)
        .hidden(true)
        .parents(!cdk_out)
        .git_ignore(!cdk_out)
        .git_exclude(!cdk_out)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|entry| {
            !(entry.file_type().is_some_and(|t| t.is_dir()) && entry.file_name().to_str().is_some_and(|n| SKIPPED_DIRS.contains(&n)))
        })
        .build()
}

fn clean(path: &Path) -> PathBuf {
    path.strip_prefix("./").unwrap_or(path).to_path_buf()
}

/// Files a folder walk picks up: the extensions that can hold a state machine.
fn lintable_name(path: &Path) -> bool {
    matches!(extension(path).as_deref(), Some("json" | "yaml" | "yml" | "template" | "tf"))
}

fn extension(path: &Path) -> Option<String> {
    path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase)
}

/// `*.asl.json`, `*.asl.yaml`, `*.asl.yml`: named as a state machine definition.
pub fn is_asl_name(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_ascii_lowercase();
    [".asl.json", ".asl.yaml", ".asl.yml"].iter().any(|suffix| name.ends_with(suffix))
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
}

//! `sfn-lint.toml`: looked up from the working folder upward (`sfn-lint.toml`, then
//! `.sfn-lint.toml`), or named with `--config`. Unknown keys and bad values are errors
//! with the file's line and column.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::Severity;
use crate::rules::{self, Selection};

pub const FILE_NAMES: &[&str] = &["sfn-lint.toml", ".sfn-lint.toml"];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(try_from = "String")]
pub enum TypeSetting {
    Auto,
    Express,
    Standard,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(try_from = "String")]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

/// A setting written as one of a few words: the error for any other word lists them (a
/// derived enum would say `wanted string or table`, though no table is accepted).
fn one_of<T: clap::ValueEnum>(word: String) -> Result<T, String> {
    T::from_str(&word, false).map_err(|_| {
        let names: Vec<String> =
            T::value_variants().iter().filter_map(|v| Some(format!("`{}`", v.to_possible_value()?.get_name()))).collect();
        format!("`{word}` is not one of {}", names.join(", "))
    })
}

impl TryFrom<String> for TypeSetting {
    type Error = String;
    fn try_from(word: String) -> Result<Self, String> {
        one_of(word)
    }
}

impl TryFrom<String> for FailOn {
    type Error = String;
    fn try_from(word: String) -> Result<Self, String> {
        one_of(word)
    }
}

impl FailOn {
    pub fn level(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct File {
    workflow_type: Option<TypeSetting>,
    fail_on: Option<FailOn>,
    select: Option<Vec<Spanned<String>>>,
    ignore: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, Severity>,
    #[serde(default)]
    overrides: Vec<OverrideFile>,
    #[serde(default)]
    idempotency: IdempotencyFile,
    max_file_size: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct OverrideFile {
    files: Vec<Spanned<String>>,
    workflow_type: Option<TypeSetting>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    select: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct IdempotencyFile {
    #[serde(default)]
    key_fields: Vec<String>,
    #[serde(default)]
    idempotent_functions: Vec<Spanned<String>>,
    transient_retry_severity: Option<Severity>,
}

/// A configuration error: the file, its text, where, and what.
#[derive(Debug)]
pub struct ConfigError {
    pub path: PathBuf,
    pub text: String,
    pub span: std::ops::Range<usize>,
    pub message: String,
}

/// Settings for the files under one folder.
#[derive(Debug)]
pub struct Override {
    pub files: GlobSet,
    pub workflow_type: Option<TypeSetting>,
    pub ignore: Vec<String>,
    pub select: Option<Vec<String>>,
}

/// A loaded configuration.
#[derive(Debug, Default)]
pub struct Config {
    /// The folder globs are relative to.
    pub root: PathBuf,
    pub workflow_type: Option<TypeSetting>,
    pub fail_on: Option<FailOn>,
    pub select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    pub exclude: Option<GlobSet>,
    pub severity: BTreeMap<&'static str, Severity>,
    pub overrides: Vec<Override>,
    pub key_fields: Vec<String>,
    pub idempotent_functions: Option<GlobSet>,
    /// The severity of a hazard that only a retrier on transient service errors repeats
    /// (`info` when unset).
    pub transient_retry_severity: Option<Severity>,
    pub max_file_size: Option<u64>,
}

/// Finds the configuration for the working folder: the first `sfn-lint.toml` or
/// `.sfn-lint.toml` from `start` upward.
pub fn discover(start: &Path) -> Option<PathBuf> {
    discover_with(start, &mut HashMap::new())
}

/// [`discover`], remembering the answer for `start` and each folder above it looked at:
/// the folders of a large run share their ancestors, looked at once each.
/// The configuration file in `dir` itself (or a link to one), looked for by name.
pub fn file_in(dir: &Path) -> Option<PathBuf> {
    FILE_NAMES.iter().map(|name| dir.join(name)).find(|path| path.is_file())
}

fn discover_with(start: &Path, known: &mut HashMap<PathBuf, Option<PathBuf>>) -> Option<PathBuf> {
    let mut looked_at = Vec::new();
    let mut found = None;
    for dir in start.ancestors() {
        if let Some(answer) = known.get(dir) {
            found = answer.clone();
            break;
        }
        looked_at.push(dir);
        if let Some(path) = file_in(dir) {
            found = Some(path);
            break;
        }
    }
    for dir in looked_at {
        known.insert(dir.to_path_buf(), found.clone());
    }
    found
}

pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        path: path.to_path_buf(),
        text: String::new(),
        span: 0..0,
        message: format!("cannot read the configuration: {e}"),
    })?;
    let error = |span: std::ops::Range<usize>, message: String| ConfigError { path: path.to_path_buf(), text: text.clone(), span, message };
    let file: File = toml::from_str(&text).map_err(|e| error(e.span().unwrap_or(0..0), e.message().trim().to_string()))?;
    let root = path.parent().map(Path::to_path_buf).unwrap_or_default();

    let selectors = |list: &[Spanned<String>]| -> Result<Vec<String>, ConfigError> {
        let names: Vec<String> = list.iter().map(|s| s.get_ref().clone()).collect();
        for item in list {
            Selection { select: vec![item.get_ref().clone()], ignore: Vec::new() }
                .validate()
                .map_err(|message| error(item.span(), message))?;
        }
        Ok(names)
    };
    let globs = |list: &[Spanned<String>]| -> Result<GlobSet, ConfigError> {
        let mut builder = GlobSetBuilder::new();
        for pattern in list {
            builder.add(Glob::new(pattern.get_ref()).map_err(|e| error(pattern.span(), format!("not a glob: {e}")))?);
        }
        builder.build().map_err(|e| error(0..0, e.to_string()))
    };

    let mut severity = BTreeMap::new();
    for (code, level) in &file.severity {
        let meta =
            rules::find(code.get_ref()).ok_or_else(|| error(code.span(), format!("`{}` is not a rule code or name", code.get_ref())))?;
        severity.insert(meta.code, *level);
    }
    let mut overrides = Vec::new();
    for entry in &file.overrides {
        overrides.push(Override {
            files: globs(&entry.files)?,
            workflow_type: entry.workflow_type,
            ignore: selectors(&entry.ignore)?,
            select: entry.select.as_deref().map(selectors).transpose()?,
        });
    }
    Ok(Config {
        root,
        workflow_type: file.workflow_type,
        fail_on: file.fail_on,
        select: file.select.as_deref().map(selectors).transpose()?,
        ignore: file.ignore.as_deref().map(selectors).transpose()?,
        exclude: if file.exclude.is_empty() { None } else { Some(globs(&file.exclude)?) },
        severity,
        overrides,
        key_fields: file.idempotency.key_fields,
        idempotent_functions: if file.idempotency.idempotent_functions.is_empty() {
            None
        } else {
            Some(globs(&file.idempotency.idempotent_functions)?)
        },
        transient_retry_severity: file.idempotency.transient_retry_severity,
        max_file_size: file.max_file_size,
    })
}

impl Config {
    /// A path relative to the configuration's folder, for glob matching.
    pub fn relative<'p>(&self, path: &'p Path) -> std::borrow::Cow<'p, Path> {
        let cwd = working_folder().unwrap_or(Path::new(""));
        let absolute = if path.is_absolute() { path.to_path_buf() } else { cwd.join(path) };
        let root = if self.root.is_absolute() { self.root.clone() } else { cwd.join(&self.root) };
        match absolute.strip_prefix(&root) {
            Ok(relative) => relative.to_path_buf().into(),
            Err(_) => path.into(),
        }
    }

    pub fn excluded(&self, path: &Path) -> bool {
        self.exclude.as_ref().is_some_and(|set| set.is_match(self.relative(path)))
    }

    /// The overrides whose `files` match `path`.
    pub fn overrides_for<'c>(&'c self, path: &Path) -> impl Iterator<Item = &'c Override> {
        // Most configurations have no overrides: no path to work out then.
        let relative = if self.overrides.is_empty() { PathBuf::new() } else { self.relative(path).into_owned() };
        self.overrides.iter().filter(move |o| o.files.is_match(&relative))
    }
}
/// The configurations of the folders below the run's own: a monorepo can hold one per
/// service, and each file takes the closest `sfn-lint.toml` above it.
#[derive(Debug, Default)]
pub struct Layers {
    /// By folder, the closest configuration when it is not the run's own.
    by_folder: BTreeMap<PathBuf, Option<std::sync::Arc<Config>>>,
}

impl Layers {
    /// Loads, once each, the closest configuration of every folder that holds one of
    /// `files`; `own` is the run's, which those folders without one of their own keep.
    pub fn load<'f>(files: impl Iterator<Item = &'f Path>, own: Option<&Path>) -> Result<Layers, ConfigError> {
        let own = own.and_then(|p| std::fs::canonicalize(p).ok());
        let mut loaded: BTreeMap<PathBuf, std::sync::Arc<Config>> = BTreeMap::new();
        let mut by_folder = BTreeMap::new();
        let (mut known, mut canonical) = (HashMap::new(), HashMap::new());
        for file in files {
            let folder = file.parent().unwrap_or(Path::new("")).to_path_buf();
            if by_folder.contains_key(&folder) {
                continue;
            }
            let start = if folder.as_os_str().is_empty() { Path::new(".") } else { folder.as_path() };
            let found = discover_with(start, &mut known)
                .and_then(|p| canonical.entry(p).or_insert_with_key(|p| std::fs::canonicalize(p).ok()).clone())
                .filter(|p| Some(p) != own.as_ref());
            let config = match found {
                Some(path) => match loaded.get(&path) {
                    Some(config) => Some(config.clone()),
                    None => {
                        let config = std::sync::Arc::new(load(&path)?);
                        loaded.insert(path, config.clone());
                        Some(config)
                    }
                },
                None => None,
            };
            by_folder.insert(folder, config);
        }
        Ok(Layers { by_folder })
    }

    /// The configuration of `file`'s folder, when it is not the run's own.
    pub fn for_file(&self, file: &Path) -> Option<&std::sync::Arc<Config>> {
        self.by_folder.get(file.parent().unwrap_or(Path::new("")))?.as_ref()
    }

    /// Every configuration below the run's, once.
    pub fn configs(&self) -> Vec<&std::sync::Arc<Config>> {
        let mut configs: Vec<&std::sync::Arc<Config>> = Vec::new();
        for config in self.by_folder.values().flatten() {
            if !configs.iter().any(|seen| std::sync::Arc::ptr_eq(seen, config)) {
                configs.push(config);
            }
        }
        configs
    }
}

/// The working folder. It does not change during a run: asked once, not once per file.
pub fn working_folder() -> Option<&'static Path> {
    static WORKING_FOLDER: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    WORKING_FOLDER.get_or_init(|| std::env::current_dir().ok()).as_deref()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Remembered answers are the ones a fresh search gives, in whatever order the folders
    /// come: below a configuration, beside it, and outside any.
    #[test]
    fn a_remembered_search_finds_what_a_fresh_one_finds() {
        let dir = std::env::temp_dir().join(format!("sfn-lint-config-search-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for folder in ["top/a/deep", "top/b/deep", "top/c", "other/x"] {
            std::fs::create_dir_all(dir.join(folder)).unwrap();
        }
        std::fs::write(dir.join("top/sfn-lint.toml"), "").unwrap();
        std::fs::write(dir.join("top/b/.sfn-lint.toml"), "").unwrap();
        let folders = ["top/a/deep", "top/a", "top/b/deep", "top", "top/b", "top/c", "other/x", "other"];
        let mut known = HashMap::new();
        for folder in folders.iter().chain(folders.iter().rev()) {
            let start = dir.join(folder);
            assert_eq!(discover_with(&start, &mut known), discover(&start), "{folder}");
        }
        assert_eq!(discover(&dir.join("top/b/deep")), Some(dir.join("top/b/.sfn-lint.toml")));
        assert_eq!(discover(&dir.join("top/a/deep")), Some(dir.join("top/sfn-lint.toml")));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

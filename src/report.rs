//! What a run found: the findings, sorted, and their counts. Data only: the run that
//! makes it is `lint::run`, the formats that show it are in `output`.

use crate::diagnostic::{Finding, Severity};

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub files: usize,
    pub definitions: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Findings hidden by suppressions and by the baseline.
    pub suppressed: usize,
    /// Of `suppressed`, those the baseline hid.
    #[serde(skip)]
    pub baselined: usize,
    pub skipped: usize,
    /// With `--fix`: the fixes applied before this report was made.
    #[serde(skip)]
    pub fixed: usize,
    /// Of the skipped files, those larger than `max-file-size` and those not UTF-8, which
    /// might have held a state machine (by their first bytes, they did not).
    #[serde(skip)]
    pub skipped_too_large: usize,
    #[serde(skip)]
    pub skipped_not_utf8: usize,
    /// With `--baseline`: recorded findings that no longer occur.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_unmatched: Option<usize>,
}

#[derive(Debug, Default)]
pub struct Report {
    /// Sorted by file, offset, code.
    pub findings: Vec<Finding>,
    pub summary: Summary,
    /// Each file and what became of it, when the run was asked (`--show-files`).
    pub files: Vec<(String, FileStatus)>,
}

/// What became of one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileStatus {
    Linted {
        definitions: usize,
    },
    /// Read, and no state machine in it.
    NoStateMachine,
    /// Larger than `max-file-size`, and nothing at its start showed a state machine.
    TooLarge,
    NotUtf8,
}

impl Report {
    /// Counts the findings by severity again, after some were hidden.
    pub fn recount(&mut self) {
        let count = |severity| self.findings.iter().filter(|f| f.severity == severity).count();
        (self.summary.errors, self.summary.warnings, self.summary.infos) =
            (count(Severity::Error), count(Severity::Warning), count(Severity::Info));
    }

    /// Whether any finding is at or above `level` (`None`: never fail).
    pub fn fails(&self, level: Option<Severity>) -> bool {
        level.is_some_and(|level| self.findings.iter().any(|f| f.severity >= level))
    }
}

//! Where definitions live. A host finds the state machines in a parsed file and says what
//! it knows about each: its place in the file and its workflow type.

use crate::syntax::{Node, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WorkflowType {
    Express,
    Standard,
    Unknown,
}

/// Where a definition's workflow type came from, for messages and labels.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeOrigin {
    /// Nothing declared it.
    Undeclared,
    /// `--workflow-type` on the command line.
    CommandLine,
    /// A declaration in a file, such as a template's `Type: EXPRESS`.
    Declared { file: Option<String>, span: Span },
}

/// One state machine definition inside a file.
pub struct Definition<'t> {
    /// The logical ID or name of the state machine inside a template; `None` when the whole
    /// file is the definition.
    pub name: Option<String>,
    /// The definition's top-level object.
    pub root: &'t Node,
    /// The JSON Pointer of `root` inside the file ("" for a standalone definition).
    pub pointer_prefix: String,
    pub workflow_type: WorkflowType,
    pub type_origin: TypeOrigin,
}

/// A standalone ASL file: the whole document is one definition.
pub fn standalone(root: &Node, declared: Option<WorkflowType>) -> Definition<'_> {
    Definition {
        name: None,
        root,
        pointer_prefix: String::new(),
        workflow_type: declared.unwrap_or(WorkflowType::Unknown),
        type_origin: if declared.is_some() { TypeOrigin::CommandLine } else { TypeOrigin::Undeclared },
    }
}

/// Whether a parsed document is a state machine definition: an object with `StartAt` and
/// `States` at the top level.
pub fn looks_like_asl(root: &Node) -> bool {
    root.get("StartAt").is_some() && root.get("States").is_some()
}

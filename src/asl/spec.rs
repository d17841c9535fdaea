//! What Step Functions accepts in each object of a definition: the fields of the state
//! machine, of its scopes, of each state type and of the objects nested in them (a
//! Distributed Map's reader, batcher and writer); each field's type and range, the one query
//! language that allows it and what the other uses instead, the fields it excludes. The
//! structural rules read these tables; none spells a field list of its own.
//!
//! Sources: the Amazon States Language specification and the Step Functions developer
//! guide's pages on each state type, `ItemReader`, `ItemBatcher`, `ResultWriter` and JSONata.

use super::{QueryLanguage, StateKind};

/// The kind of value a field takes.
#[derive(Clone, Copy, Debug)]
pub enum Value {
    /// Any JSON value (`Parameters`, `Arguments`, `Result`, `Output`).
    Any,
    String,
    Bool,
    /// A path or null (`InputPath`, `OutputPath`, `ResultPath`); the path itself is checked with the expressions.
    PathOrNull,
    /// A reference path, such as the `*Path` twin of a number field.
    Path,
    /// An object; in JSONata also one `{% %}` expression that yields it.
    Object,
    /// An array of strings; in JSONata also an expression.
    Strings,
    /// A number from `min` to `max`, a whole one when `whole`; in JSONata also an expression.
    Number {
        min: f64,
        max: f64,
        whole: bool,
    },
    /// One of these strings; in JSONata also an expression.
    OneOf(&'static [&'static str]),
    /// An object with fields of its own.
    Nested(&'static Object),
    /// Checked by the rules' own code (`Type`, `Choices`, `Timestamp`, `Label`, `Resource`,
    /// `Retry`, `Catch`, ...).
    Own,
}

/// The largest count of seconds a timeout or a Wait takes.
pub const MAX_SECONDS: f64 = 99_999_999.0;

const SECONDS: Value = Value::Number { min: 1.0, max: MAX_SECONDS, whole: true };

/// One field of an object.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    pub name: &'static str,
    pub value: Value,
    /// The one query language that allows the field, and what the other uses instead.
    pub only_in: Option<(QueryLanguage, Instead)>,
    /// Allowed only in a Distributed Map (a Map state's field).
    pub distributed: bool,
}

const fn field(name: &'static str, value: Value) -> Field {
    Field { name, value, only_in: None, distributed: false }
}

/// A field of the JSONPath query language; `instead` says what a JSONata state uses.
const fn jsonpath(name: &'static str, value: Value, instead: Instead) -> Field {
    Field { name, value, only_in: Some((QueryLanguage::JsonPath, instead)), distributed: false }
}

/// A field of the JSONata query language; `instead` says what a JSONPath state uses.
const fn jsonata(name: &'static str, value: Value, instead: Instead) -> Field {
    Field { name, value, only_in: Some((QueryLanguage::Jsonata, instead)), distributed: false }
}

const fn distributed(field: Field) -> Field {
    Field { distributed: true, ..field }
}

/// What a state of the other query language uses for a field that its own lacks.
#[derive(Clone, Copy, Debug)]
pub enum Instead {
    /// These fields.
    Fields(&'static [&'static str]),
    /// This field, holding an expression (JSONata's answer to a `*Path` twin).
    Expression(&'static str),
    /// `$states.input`, read in these fields (in any expression when none is named).
    Input(&'static [&'static str]),
}

/// An object's fields and the rules between them.
#[derive(Debug)]
pub struct Object {
    /// How messages name it: "`ItemBatcher`", "a Parallel branch".
    pub what: &'static str,
    pub fields: &'static [Field],
    /// Pairs of fields that cannot appear together.
    pub exclusive: &'static [(&'static str, &'static str)],
    /// Each entry: the object needs at least one of these fields.
    pub one_of: &'static [&'static [&'static str]],
}

impl Object {
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|field| field.name == name)
    }
}

const TYPE: Field = field("Type", Value::Own);
const COMMENT: Field = field("Comment", Value::String);
const QUERY_LANGUAGE: Field = field("QueryLanguage", Value::Own);
const NEXT: Field = field("Next", Value::String);
const END: Field = field("End", Value::Bool);
const OUTPUT_PATH: Field = jsonpath("OutputPath", Value::PathOrNull, Instead::Fields(&["Output"]));
const RESULT_SELECTOR: Field = jsonpath("ResultSelector", Value::Object, Instead::Fields(&["Output"]));
const RESULT_PATH: Field = jsonpath("ResultPath", Value::PathOrNull, Instead::Fields(&["Output", "Assign"]));
const RETRY: Field = field("Retry", Value::Own);
const CATCH: Field = field("Catch", Value::Own);
const ASSIGN: Field = field("Assign", Value::Object);
/// `Output` of a state with a result (Task, Parallel, Map).
const RESULT_OUTPUT: Field = jsonata("Output", Value::Any, Instead::Fields(&["ResultSelector", "ResultPath", "OutputPath"]));
/// `Output` of a state without one (Choice, Wait, Succeed).
const PLAIN_OUTPUT: Field = jsonata("Output", Value::Any, Instead::Fields(&["OutputPath"]));

const fn input_path(instead: Instead) -> Field {
    jsonpath("InputPath", Value::PathOrNull, instead)
}

/// The fields of each state type.
pub fn state(kind: StateKind) -> &'static Object {
    match kind {
        StateKind::Task => &TASK,
        StateKind::Pass => &PASS,
        StateKind::Choice => &CHOICE,
        StateKind::Wait => &WAIT,
        StateKind::Succeed => &SUCCEED,
        StateKind::Fail => &FAIL,
        StateKind::Parallel => &PARALLEL,
        StateKind::Map => &MAP,
        StateKind::Unknown => &UNKNOWN,
    }
}

static UNKNOWN: Object = Object { what: "a state", fields: &[], exclusive: &[], one_of: &[] };

static TASK: Object = Object {
    what: "a Task state",
    fields: &[
        TYPE,
        COMMENT,
        QUERY_LANGUAGE,
        NEXT,
        END,
        input_path(Instead::Input(&["Arguments"])),
        OUTPUT_PATH,
        field("Resource", Value::Own),
        jsonpath("Parameters", Value::Any, Instead::Fields(&["Arguments"])),
        jsonata("Arguments", Value::Any, Instead::Fields(&["Parameters"])),
        field("Credentials", Value::Object),
        RESULT_SELECTOR,
        RESULT_PATH,
        field("TimeoutSeconds", SECONDS),
        jsonpath("TimeoutSecondsPath", Value::Path, Instead::Expression("TimeoutSeconds")),
        field("HeartbeatSeconds", SECONDS),
        jsonpath("HeartbeatSecondsPath", Value::Path, Instead::Expression("HeartbeatSeconds")),
        RETRY,
        CATCH,
        RESULT_OUTPUT,
        ASSIGN,
    ],
    exclusive: &[("TimeoutSeconds", "TimeoutSecondsPath"), ("HeartbeatSeconds", "HeartbeatSecondsPath")],
    one_of: &[],
};

static PASS: Object = Object {
    what: "a Pass state",
    fields: &[
        TYPE,
        COMMENT,
        QUERY_LANGUAGE,
        NEXT,
        END,
        input_path(Instead::Input(&["Output"])),
        OUTPUT_PATH,
        jsonpath("Result", Value::Any, Instead::Fields(&["Output"])),
        RESULT_PATH,
        jsonpath("Parameters", Value::Any, Instead::Fields(&["Output"])),
        jsonata("Output", Value::Any, Instead::Fields(&["Result", "Parameters"])),
        ASSIGN,
    ],
    exclusive: &[],
    one_of: &[],
};

static CHOICE: Object = Object {
    what: "a Choice state",
    fields: &[
        TYPE,
        COMMENT,
        QUERY_LANGUAGE,
        input_path(Instead::Input(&["Condition"])),
        OUTPUT_PATH,
        field("Choices", Value::Own),
        field("Default", Value::String),
        PLAIN_OUTPUT,
        ASSIGN,
    ],
    exclusive: &[],
    one_of: &[],
};

static WAIT: Object = Object {
    what: "a Wait state",
    fields: &[
        TYPE,
        COMMENT,
        QUERY_LANGUAGE,
        NEXT,
        END,
        input_path(Instead::Input(&[])),
        OUTPUT_PATH,
        field("Seconds", Value::Number { min: 0.0, max: MAX_SECONDS, whole: true }),
        field("Timestamp", Value::Own),
        jsonpath("SecondsPath", Value::Path, Instead::Expression("Seconds")),
        jsonpath("TimestampPath", Value::Path, Instead::Expression("Timestamp")),
        PLAIN_OUTPUT,
        ASSIGN,
    ],
    exclusive: &[],
    one_of: &[],
};

static SUCCEED: Object = Object {
    what: "a Succeed state",
    fields: &[TYPE, COMMENT, QUERY_LANGUAGE, input_path(Instead::Input(&["Output"])), OUTPUT_PATH, PLAIN_OUTPUT],
    exclusive: &[],
    one_of: &[],
};

static FAIL: Object = Object {
    what: "a Fail state",
    fields: &[
        TYPE,
        COMMENT,
        QUERY_LANGUAGE,
        field("Error", Value::String),
        jsonpath("ErrorPath", Value::Path, Instead::Expression("Error")),
        field("Cause", Value::String),
        jsonpath("CausePath", Value::Path, Instead::Expression("Cause")),
    ],
    exclusive: &[("Error", "ErrorPath"), ("Cause", "CausePath")],
    one_of: &[],
};

static PARALLEL: Object = Object {
    what: "a Parallel state",
    fields: &[
        TYPE,
        COMMENT,
        QUERY_LANGUAGE,
        NEXT,
        END,
        input_path(Instead::Input(&["Arguments"])),
        OUTPUT_PATH,
        field("Branches", Value::Own),
        jsonpath("Parameters", Value::Any, Instead::Fields(&["Arguments"])),
        jsonata("Arguments", Value::Any, Instead::Fields(&["Parameters"])),
        RESULT_SELECTOR,
        RESULT_PATH,
        RETRY,
        CATCH,
        RESULT_OUTPUT,
        ASSIGN,
    ],
    exclusive: &[],
    one_of: &[],
};

static MAP: Object = Object {
    what: "a Map state",
    fields: &[
        TYPE,
        COMMENT,
        QUERY_LANGUAGE,
        NEXT,
        END,
        input_path(Instead::Input(&["Items", "ItemSelector"])),
        OUTPUT_PATH,
        field("ItemProcessor", Value::Own),
        field("Iterator", Value::Own),
        jsonpath("ItemsPath", Value::Path, Instead::Fields(&["Items"])),
        jsonata("Items", Value::Own, Instead::Fields(&["ItemsPath"])),
        field("ItemSelector", Value::Object),
        // The older name of `ItemSelector`.
        jsonpath("Parameters", Value::Any, Instead::Fields(&["ItemSelector"])),
        field("MaxConcurrency", Value::Number { min: 0.0, max: f64::MAX, whole: true }),
        jsonpath("MaxConcurrencyPath", Value::Path, Instead::Expression("MaxConcurrency")),
        distributed(field("ItemReader", Value::Nested(&ITEM_READER))),
        distributed(field("ItemBatcher", Value::Nested(&ITEM_BATCHER))),
        distributed(field("ResultWriter", Value::Nested(&RESULT_WRITER))),
        distributed(field("ToleratedFailurePercentage", Value::Number { min: 0.0, max: 100.0, whole: false })),
        distributed(jsonpath("ToleratedFailurePercentagePath", Value::Path, Instead::Expression("ToleratedFailurePercentage"))),
        distributed(field("ToleratedFailureCount", Value::Number { min: 0.0, max: f64::MAX, whole: true })),
        distributed(jsonpath("ToleratedFailureCountPath", Value::Path, Instead::Expression("ToleratedFailureCount"))),
        distributed(field("Label", Value::Own)),
        RESULT_PATH,
        RESULT_SELECTOR,
        RETRY,
        CATCH,
        RESULT_OUTPUT,
        ASSIGN,
    ],
    exclusive: &[
        ("ItemProcessor", "Iterator"),
        ("ItemSelector", "Parameters"),
        ("MaxConcurrency", "MaxConcurrencyPath"),
        ("ToleratedFailurePercentage", "ToleratedFailurePercentagePath"),
        ("ToleratedFailureCount", "ToleratedFailureCountPath"),
    ],
    one_of: &[],
};

/// Where a Distributed Map reads its items.
pub static ITEM_READER: Object = Object {
    what: "`ItemReader`",
    fields: &[
        field("Resource", Value::Own),
        field("ReaderConfig", Value::Nested(&READER_CONFIG)),
        jsonpath("Parameters", Value::Object, Instead::Fields(&["Arguments"])),
        jsonata("Arguments", Value::Object, Instead::Fields(&["Parameters"])),
    ],
    exclusive: &[],
    one_of: &[&["Resource"]],
};

/// The S3 actions an `ItemReader` may name.
pub const READER_ACTIONS: &[&str] = &["s3:getObject", "s3:listObjectsV2"];

/// The S3 action a `ResultWriter` may name.
pub const WRITER_ACTIONS: &[&str] = &["s3:putObject"];

static READER_CONFIG: Object = Object {
    what: "`ReaderConfig`",
    fields: &[
        field("InputType", Value::OneOf(&["CSV", "JSON", "JSONL", "PARQUET", "MANIFEST"])),
        field("CSVHeaderLocation", Value::OneOf(&["FIRST_ROW", "GIVEN"])),
        field("CSVHeaders", Value::Strings),
        field("CSVDelimiter", Value::OneOf(&["COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB"])),
        field("MaxItems", Value::Number { min: 0.0, max: 100_000_000.0, whole: true }),
        jsonpath("MaxItemsPath", Value::Path, Instead::Expression("MaxItems")),
        field("ManifestType", Value::OneOf(&["ATHENA_DATA", "S3_INVENTORY"])),
        field("ItemsPointer", Value::String),
        field("Transformation", Value::OneOf(&["NONE", "LOAD_AND_FLATTEN"])),
    ],
    exclusive: &[("MaxItems", "MaxItemsPath")],
    one_of: &[],
};

/// The most bytes of input a batch may hold: 256 KiB, the payload limit.
const MAX_BATCH_BYTES: f64 = 262_144.0;

static ITEM_BATCHER: Object = Object {
    what: "`ItemBatcher`",
    fields: &[
        field("MaxItemsPerBatch", Value::Number { min: 1.0, max: f64::MAX, whole: true }),
        jsonpath("MaxItemsPerBatchPath", Value::Path, Instead::Expression("MaxItemsPerBatch")),
        field("MaxInputBytesPerBatch", Value::Number { min: 1.0, max: MAX_BATCH_BYTES, whole: true }),
        jsonpath("MaxInputBytesPerBatchPath", Value::Path, Instead::Expression("MaxInputBytesPerBatch")),
        field("BatchInput", Value::Object),
    ],
    exclusive: &[("MaxItemsPerBatch", "MaxItemsPerBatchPath"), ("MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath")],
    one_of: &[&["MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath"]],
};

static RESULT_WRITER: Object = Object {
    what: "`ResultWriter`",
    fields: &[
        field("Resource", Value::Own),
        jsonpath("Parameters", Value::Object, Instead::Fields(&["Arguments"])),
        jsonata("Arguments", Value::Object, Instead::Fields(&["Parameters"])),
        field("WriterConfig", Value::Nested(&WRITER_CONFIG)),
    ],
    exclusive: &[],
    // The rest (`Resource` with its bucket, or `WriterConfig` alone) is checked in code: it spans fields.
    one_of: &[],
};

static WRITER_CONFIG: Object = Object {
    what: "`WriterConfig`",
    fields: &[
        field("OutputType", Value::OneOf(&["JSON", "JSONL"])),
        field("Transformation", Value::OneOf(&["NONE", "COMPACT", "FLATTEN"])),
    ],
    exclusive: &[],
    one_of: &[],
};

/// How a Map's item processor runs.
pub static PROCESSOR_CONFIG: Object = Object {
    what: "`ProcessorConfig`",
    fields: &[field("Mode", Value::OneOf(&["INLINE", "DISTRIBUTED"])), field("ExecutionType", Value::OneOf(&["STANDARD", "EXPRESS"]))],
    exclusive: &[],
    one_of: &[],
};

/// The state machine itself.
pub static MACHINE: Object = Object {
    what: "a state machine",
    fields: &[
        COMMENT,
        field("StartAt", Value::Own),
        field("States", Value::Own),
        field("TimeoutSeconds", SECONDS),
        field("Version", Value::String),
        QUERY_LANGUAGE,
    ],
    exclusive: &[],
    one_of: &[],
};

/// A branch of a Parallel state.
pub static BRANCH: Object = Object {
    what: "a Parallel branch",
    fields: &[COMMENT, field("StartAt", Value::Own), field("States", Value::Own), QUERY_LANGUAGE],
    exclusive: &[],
    one_of: &[],
};

/// A Map state's `ItemProcessor` (or its older `Iterator`).
pub static ITEM_PROCESSOR: Object = Object {
    what: "a Map item processor",
    fields: &[
        COMMENT,
        field("StartAt", Value::Own),
        field("States", Value::Own),
        QUERY_LANGUAGE,
        field("ProcessorConfig", Value::Nested(&PROCESSOR_CONFIG)),
    ],
    exclusive: &[],
    one_of: &[],
};

/// A retrier: one entry of `Retry`.
pub static RETRIER: Object = Object {
    what: "a retrier",
    fields: &[
        field("ErrorEquals", Value::Own),
        field("IntervalSeconds", Value::Own),
        field("MaxAttempts", Value::Own),
        field("BackoffRate", Value::Own),
        field("MaxDelaySeconds", Value::Own),
        field("JitterStrategy", Value::Own),
        COMMENT,
    ],
    exclusive: &[],
    one_of: &[],
};

/// A catcher: one entry of `Catch`.
pub static CATCHER: Object = Object {
    what: "a catcher",
    fields: &[
        field("ErrorEquals", Value::Own),
        NEXT,
        jsonpath("ResultPath", Value::PathOrNull, Instead::Fields(&["Output"])),
        jsonata("Output", Value::Any, Instead::Fields(&["ResultPath"])),
        ASSIGN,
        COMMENT,
    ],
    exclusive: &[],
    one_of: &[],
};

/// The characters a Distributed Map's `Label` cannot hold (it becomes part of the Map Run's
/// ARN), besides whitespace and control characters.
pub const LABEL_FORBIDDEN: &str = "<>{}[]?*\"#%\\^|~`$&,;:/";

/// The largest definition Step Functions accepts, in bytes (the "maximum size of state
/// machine definition" quota, 1 MB).
pub const MAX_DEFINITION_BYTES: usize = 1 << 20;

/// The longest `Label`.
pub const MAX_LABEL: usize = 40;

#[cfg(test)]
mod tests {
    use super::*;

    /// Every name an `exclusive` or `one_of` entry gives is a field of its object, and no
    /// object lists a field twice.
    #[test]
    fn tables_are_consistent() {
        let objects: Vec<&Object> = [
            StateKind::Task,
            StateKind::Pass,
            StateKind::Choice,
            StateKind::Wait,
            StateKind::Succeed,
            StateKind::Fail,
            StateKind::Parallel,
            StateKind::Map,
        ]
        .into_iter()
        .map(state)
        .chain([
            &ITEM_READER,
            &READER_CONFIG,
            &ITEM_BATCHER,
            &RESULT_WRITER,
            &WRITER_CONFIG,
            &PROCESSOR_CONFIG,
            &MACHINE,
            &BRANCH,
            &ITEM_PROCESSOR,
            &RETRIER,
            &CATCHER,
        ])
        .collect();
        for object in objects {
            for (i, field) in object.fields.iter().enumerate() {
                assert!(object.fields[..i].iter().all(|other| other.name != field.name), "{} twice in {}", field.name, object.what);
            }
            let named =
                object.exclusive.iter().flat_map(|&(a, b)| [a, b]).chain(object.one_of.iter().flat_map(|names| names.iter().copied()));
            for name in named {
                assert!(object.field(name).is_some(), "{name} is not a field of {}", object.what);
            }
        }
    }
}

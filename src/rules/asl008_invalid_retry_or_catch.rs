use super::{Context, Rule, RuleMeta, Target, rule_doc};
use crate::asl::spec::{self, Object};
use crate::asl::{QueryLanguage, State, StateKind};
use crate::diagnostic::{Finding, Severity};
use crate::syntax::{Kind, Node, push_token};

pub struct InvalidRetryOrCatch;

static META: RuleMeta = RuleMeta {
    code: "ASL008",
    name: "invalid-retry-or-catch",
    summary: "A `Retry` or `Catch` entry that AWS rejects: misplaced `States.ALL`, empty `ErrorEquals`, out-of-range values",
    severity: Severity::Error,
    doc: rule_doc!("ASL008"),
};

impl Rule for InvalidRetryOrCatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_state(&self, cx: &Context<'_>, state: &State<'_>, out: &mut Vec<Finding>) {
        if !matches!(state.kind, StateKind::Task | StateKind::Parallel | StateKind::Map) {
            return; // a `Retry` elsewhere is a field the state does not have: ASL006
        }
        for field in ["Retry", "Catch"] {
            let Some(list) = state.field(field) else { continue };
            let pointer = state.field_pointer(field);
            let Some(entries) = list.as_array() else {
                if !list.is_placeholder() {
                    out.push(cx.finding(&META, &pointer, Target::Value, format!("`{field}` must be an array, not {}", list.type_name())));
                }
                continue;
            };
            for (i, entry) in entries.iter().enumerate() {
                let at = push_token(&pointer, &i.to_string());
                if !entry.is_object() {
                    out.push(cx.finding(
                        &META,
                        &at,
                        Target::Value,
                        format!("each `{field}` entry must be an object, not {}", entry.type_name()),
                    ));
                    continue;
                }
                error_equals(cx, &at, entry, i + 1 == entries.len(), field, out);
                if field == "Retry" {
                    retrier(cx, &at, entry, out);
                } else {
                    catcher(cx, &at, entry, state, out);
                }
            }
        }
    }
}

fn error_equals(cx: &Context<'_>, pointer: &str, entry: &Node, last: bool, field: &str, out: &mut Vec<Finding>) {
    let Some(value) = entry.get("ErrorEquals") else {
        out.push(
            cx.finding(&META, pointer, Target::Value, format!("a `{field}` entry has no `ErrorEquals`"))
                .help("add `\"ErrorEquals\": [\"States.ALL\"]` or the error names to match"),
        );
        return;
    };
    let at = push_token(pointer, "ErrorEquals");
    let Some(names) = value.as_array() else {
        out.push(cx.finding(
            &META,
            &at,
            Target::Value,
            format!("`ErrorEquals` must be an array of error names, not {}", value.type_name()),
        ));
        return;
    };
    if names.is_empty() {
        out.push(cx.finding(&META, &at, Target::Value, "`ErrorEquals` is empty, so it matches no error"));
    }
    for (i, name) in names.iter().enumerate() {
        let name_at = push_token(&at, &i.to_string());
        match name.as_str() {
            None if !name.is_placeholder() => {
                out.push(cx.finding(&META, &name_at, Target::Value, format!("an error name must be a string, not {}", name.type_name())))
            }
            Some("States.ALL") if names.len() > 1 => out.push(
                cx.finding(&META, &name_at, Target::Value, "`States.ALL` must appear alone in `ErrorEquals`")
                    .help("`States.ALL` already matches every error; remove the other names or move them to an earlier entry"),
            ),
            Some("States.ALL") if !last => out.push(
                cx.finding(&META, &name_at, Target::Value, format!("`States.ALL` must be in the last `{field}` entry"))
                    .help("entries are tried in order; move this one to the end so the specific ones can match"),
            ),
            _ => {}
        }
    }
}

fn retrier(cx: &Context<'_>, pointer: &str, entry: &Node, out: &mut Vec<Finding>) {
    unknown(cx, pointer, entry, &spec::RETRIER, out);
    let mut check = |field: &str, ok: fn(f64) -> bool, wanted: &str| {
        if let Some(value) = entry.get(field) {
            let valid = match value.kind {
                Kind::Number(n) => ok(n),
                _ => value.is_placeholder(),
            };
            if !valid {
                let shown = match value.kind {
                    Kind::Number(n) => format!("{n}"),
                    _ => value.type_name().to_string(),
                };
                out.push(cx.finding(&META, &push_token(pointer, field), Target::Value, format!("`{field}` must be {wanted}, not {shown}")));
            }
        }
    };
    check("MaxAttempts", |n| whole(n) && (0.0..=99_999_999.0).contains(&n), "an integer from 0 to 99999999");
    check("IntervalSeconds", |n| whole(n) && (1.0..=99_999_999.0).contains(&n), "an integer from 1 to 99999999");
    check("BackoffRate", |n| n.is_finite() && n >= 1.0, "a number of at least 1.0");
    check("MaxDelaySeconds", |n| whole(n) && (1.0..=31_622_400.0).contains(&n), "an integer from 1 to 31622400");
    if let Some(value) = entry.get("JitterStrategy") {
        if !matches!(value.as_str(), Some("FULL" | "NONE")) && !value.is_placeholder() {
            out.push(cx.finding(
                &META,
                &push_token(pointer, "JitterStrategy"),
                Target::Value,
                "`JitterStrategy` must be \"FULL\" or \"NONE\"",
            ));
        }
    }
}

fn catcher(cx: &Context<'_>, pointer: &str, entry: &Node, state: &State<'_>, out: &mut Vec<Finding>) {
    unknown(cx, pointer, entry, &spec::CATCHER, out);
    let language = state.query_language;
    for member in entry.members().unwrap_or_default() {
        let Some((only, _)) = spec::CATCHER.field(&member.key).and_then(|field| field.only_in).filter(|&(only, _)| only != language) else {
            continue;
        };
        let help = match only {
            QueryLanguage::JsonPath => "give the catcher an `Output`, which reads the error as `$states.errorOutput`",
            QueryLanguage::Jsonata => "use `ResultPath` to place the error in the input, or set `\"QueryLanguage\": \"JSONata\"`",
        };
        out.push(
            cx.finding(
                &META,
                &push_token(pointer, &member.key),
                Target::Key,
                format!("`{}` is a {} field of a catcher, but `{}` uses {}", member.key, only.name(), state.name, language.name()),
            )
            .help(help),
        );
    }
    let state = state.name;
    match entry.get("Next") {
        None => out.push(
            cx.finding(&META, pointer, Target::Value, format!("a `Catch` entry of `{state}` has no `Next`"))
                .help("name the state that handles the error"),
        ),
        Some(next) if next.as_str().is_none() && !next.is_placeholder() => out.push(cx.finding(
            &META,
            &push_token(pointer, "Next"),
            Target::Value,
            format!("`Next` must be a state name, not {}", next.type_name()),
        )),
        Some(_) => {}
    }
}

fn whole(n: f64) -> bool {
    n.is_finite() && n.fract() == 0.0
}

fn unknown(cx: &Context<'_>, pointer: &str, entry: &Node, object: &Object, out: &mut Vec<Finding>) {
    let what = object.what;
    for member in entry.members().unwrap_or_default() {
        if object.field(&member.key).is_none() {
            let allowed: Vec<&str> = object.fields.iter().map(|field| field.name).collect();
            out.push(
                cx.finding(&META, &push_token(pointer, &member.key), Target::Key, format!("`{}` is not a field of {what}", member.key))
                    .help(format!("the fields of {what} are {}", allowed.join(", "))),
            );
        }
    }
}

//! The expression dialects of ASL: JSONPath paths, reference paths, intrinsic functions
//! and `{% %}` JSONata strings. Each check returns what is wrong and the byte offset
//! inside the string where it went wrong.

#[derive(Debug, PartialEq, Eq)]
pub struct ExprError {
    pub message: String,
    pub at: usize,
}

fn error<T>(message: impl Into<String>, at: usize) -> Result<T, ExprError> {
    Err(ExprError { message: message.into(), at })
}

/// What an intrinsic function's parameter takes, or what a call returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    Any,
    String,
    Number,
    /// A whole number above 0.
    PositiveInteger,
    /// A whole number, 0 or more.
    Index,
    Boolean,
    Array,
}

/// An intrinsic function of the JSONPath query language: its parameters (the last one
/// repeated when `variadic`) and what it returns.
pub struct Signature {
    pub name: &'static str,
    pub parameters: &'static [Type],
    pub variadic: bool,
    pub returns: Type,
}

const fn sig(name: &'static str, parameters: &'static [Type], variadic: bool, returns: Type) -> Signature {
    Signature { name, parameters, variadic, returns }
}

/// The intrinsic functions, as the Step Functions developer guide defines them.
pub const INTRINSICS: &[Signature] = {
    use Type::*;
    &[
        sig("States.Array", &[Any], true, Array),
        sig("States.ArrayPartition", &[Array, PositiveInteger], false, Array),
        sig("States.ArrayContains", &[Array, Any], false, Boolean),
        sig("States.ArrayRange", &[Number, Number, Number], false, Array),
        sig("States.ArrayGetItem", &[Array, Index], false, Any),
        sig("States.ArrayLength", &[Array], false, Number),
        sig("States.ArrayUnique", &[Array], false, Array),
        sig("States.Base64Encode", &[String], false, String),
        sig("States.Base64Decode", &[String], false, String),
        sig("States.Hash", &[Any, String], false, String),
        sig("States.JsonMerge", &[Any, Any, Boolean], false, Any),
        sig("States.StringToJson", &[String], false, Any),
        sig("States.JsonToString", &[Any], false, String),
        sig("States.MathRandom", &[Number, Number, Number], false, Number),
        sig("States.MathAdd", &[Number, Number], false, Number),
        sig("States.StringSplit", &[String, String], false, Array),
        sig("States.UUID", &[], false, String),
        sig("States.Format", &[String, Any], true, String),
    ]
};

/// The algorithms `States.Hash` takes.
const HASH_ALGORITHMS: &[&str] = &["MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"];

/// Whether a string is a JSONata expression: `{%` at the start and `%}` at the end.
pub fn is_jsonata(text: &str) -> bool {
    text.starts_with("{%") && text.ends_with("%}") && text.len() >= 4
}

/// A path of a JSONPath state: JSONPath from `$` (the input), `$$` (the context object)
/// or `$name` (a variable). With `reference`, only plain member and index steps are
/// allowed, as `ResultPath`, `ItemsPath` and the `*Path` fields require.
pub fn check_path(text: &str, reference: bool) -> Result<(), ExprError> {
    let b = text.as_bytes();
    if b.first() != Some(&b'$') {
        return error("a path must start with `$`", 0);
    }
    let mut i = 1;
    if b.get(1) == Some(&b'$') {
        i = 2;
    } else {
        // `$name` is a variable reference.
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
            i += 1;
        }
    }
    while i < b.len() {
        match b[i] {
            b'.' => {
                i += 1;
                // `$.[0]` and `$.['a']`: a dot before a bracket is tolerated.
                if b.get(i) == Some(&b'[') {
                    continue;
                }
                if b.get(i) == Some(&b'.') {
                    if reference {
                        return error("a reference path cannot use `..`", i - 1);
                    }
                    i += 1;
                }
                let start = i;
                if b.get(i) == Some(&b'*') {
                    if reference {
                        return error("a reference path cannot use `*`", i);
                    }
                    i += 1;
                    continue;
                }
                while i < b.len() && !matches!(b[i], b'.' | b'[' | b']') {
                    i += 1;
                }
                if i == start {
                    return error("a field name is missing after `.`", start.saturating_sub(1));
                }
            }
            b'[' => i = bracket(text, i, reference)?,
            _ => return error(format!("unexpected `{}` in the path", char_at(text, i)), i),
        }
    }
    Ok(())
}

fn char_at(text: &str, i: usize) -> char {
    text[i..].chars().next().unwrap_or(' ')
}

/// One `[...]` step starting at `open`; returns the offset after its `]`.
fn bracket(text: &str, open: usize, reference: bool) -> Result<usize, ExprError> {
    let b = text.as_bytes();
    let mut i = open + 1;
    let mut depth = 1;
    let mut quote = None;
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(_) if c == b'\\' => i += 1,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                b'\'' | b'"' => quote = Some(c),
                b'[' => depth += 1,
                b']' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    if i >= b.len() {
        return error("`[` is never closed", open);
    }
    let inner = text[open + 1..i].trim();
    let is_index = !inner.is_empty() && inner.bytes().all(|c| c.is_ascii_digit());
    let is_name =
        inner.len() >= 2 && ((inner.starts_with('\'') && inner.ends_with('\'')) || (inner.starts_with('"') && inner.ends_with('"')));
    if inner.is_empty() {
        return error("an empty `[]` selects nothing", open);
    }
    if reference && !is_index && !is_name {
        return error("a reference path allows only `[n]` and `['name']` steps", open);
    }
    Ok(i + 1)
}

/// A value of a `.$` field in a JSONPath state: a path or an intrinsic function call.
pub fn check_dynamic_value(text: &str) -> Result<(), ExprError> {
    if text.starts_with('$') { check_path(text, false) } else { check_intrinsic(text) }
}

/// An intrinsic function call such as `States.Format('{}', $.name)`.
pub fn check_intrinsic(text: &str) -> Result<(), ExprError> {
    let mut parser = Intrinsic { text, pos: 0, depth: 0 };
    parser.call()?;
    parser.skip_ws();
    if parser.pos != text.len() {
        return error("unexpected text after the function call", parser.pos);
    }
    Ok(())
}

struct Intrinsic<'a> {
    text: &'a str,
    pos: usize,
    depth: usize,
}

/// One argument of a call: a literal of some type, or a path or call whose value is known
/// only at run time (`Any` unless the call's return type says otherwise).
#[derive(Clone, Copy)]
struct Argument<'a> {
    at: usize,
    value: Value<'a>,
}

#[derive(Clone, Copy)]
enum Value<'a> {
    /// A string literal, its text between the quotes (escapes kept).
    String(&'a str),
    Number(f64),
    Boolean(bool),
    Null,
    /// A path, or a call returning this type.
    Dynamic(Type),
}

impl Value<'_> {
    fn describe(&self) -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed(match self {
            Value::String(_) => "a string",
            Value::Number(n) => return format!("{n}").into(),
            Value::Boolean(_) => "a boolean",
            Value::Null => "null",
            Value::Dynamic(Type::String) => "a call returning a string",
            Value::Dynamic(Type::Number | Type::PositiveInteger | Type::Index) => "a call returning a number",
            Value::Dynamic(Type::Boolean) => "a call returning a boolean",
            Value::Dynamic(Type::Array) => "a call returning an array",
            Value::Dynamic(Type::Any) => "a value",
        })
    }

    /// Whether this argument can be of type `wanted`.
    fn fits(&self, wanted: Type) -> bool {
        match (wanted, self) {
            (Type::Any, _) | (_, Value::Dynamic(Type::Any)) => true,
            (Type::String, Value::String(_) | Value::Dynamic(Type::String)) => true,
            (Type::Number, Value::Number(_)) => true,
            (Type::PositiveInteger, Value::Number(n)) => n.fract() == 0.0 && *n > 0.0,
            (Type::Index, Value::Number(n)) => n.fract() == 0.0 && *n >= 0.0,
            (Type::Number | Type::PositiveInteger | Type::Index, Value::Dynamic(Type::Number)) => true,
            (Type::Boolean, Value::Boolean(_) | Value::Dynamic(Type::Boolean)) => true,
            (Type::Array, Value::Dynamic(Type::Array)) => true,
            _ => false,
        }
    }
}

fn type_name(wanted: Type) -> &'static str {
    match wanted {
        Type::Any => "a value",
        Type::String => "a string",
        Type::Number => "a number",
        Type::PositiveInteger => "a whole number above 0",
        Type::Index => "a whole number, 0 or more",
        Type::Boolean => "a boolean",
        Type::Array => "an array (a path or a call returning one)",
    }
}

/// The `{}` placeholders of a `States.Format` template (`\{` is a literal brace).
fn placeholders(template: &str) -> usize {
    let b = template.as_bytes();
    let mut count = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'{' if b.get(i + 1) == Some(&b'}') => {
                count += 1;
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    count
}

impl<'a> Intrinsic<'a> {
    fn skip_ws(&mut self) {
        while self.text[self.pos..].starts_with(' ') {
            self.pos += 1;
        }
    }

    fn call(&mut self) -> Result<Type, ExprError> {
        self.depth += 1;
        if self.depth > 10 {
            return error("intrinsic functions nest at most 10 deep", self.pos);
        }
        let start = self.pos;
        let rest = &self.text[start..];
        let name_len = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '.')).unwrap_or(rest.len());
        let name = &rest[..name_len];
        if !rest[name_len..].starts_with('(') {
            return error("expected a path starting with `$` or an intrinsic function such as `States.Format(...)`", start);
        }
        let Some(signature) = INTRINSICS.iter().find(|s| s.name == name) else {
            return error(format!("`{name}` is not an intrinsic function"), start);
        };
        self.pos += name_len + 1;
        self.skip_ws();
        let mut arguments = Vec::new();
        if self.text[self.pos..].starts_with(')') {
            self.pos += 1;
        } else {
            loop {
                self.skip_ws();
                arguments.push(self.argument()?);
                self.skip_ws();
                match self.text[self.pos..].chars().next() {
                    Some(',') => self.pos += 1,
                    Some(')') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return error("expected `,` or `)` in the argument list", self.pos),
                }
            }
        }
        self.depth -= 1;
        check_signature(signature, &arguments, start)?;
        Ok(signature.returns)
    }

    fn argument(&mut self) -> Result<Argument<'a>, ExprError> {
        let text = self.text;
        let rest = &text[self.pos..];
        let at = self.pos;
        let value = match rest.chars().next() {
            Some('\'') => {
                let mut escaped = false;
                let close = rest.char_indices().skip(1).find(|&(_, c)| match c {
                    _ if escaped => {
                        escaped = false;
                        false
                    }
                    '\\' => {
                        escaped = true;
                        false
                    }
                    c => c == '\'',
                });
                let Some((close, _)) = close else { return error("the string argument is never closed", at) };
                self.pos += close + 1;
                Value::String(&rest[1..close])
            }
            Some('$') => {
                let len = path_argument_len(rest);
                check_path(&rest[..len], false).map_err(|e| ExprError { at: e.at + at, ..e })?;
                self.pos += len;
                Value::Dynamic(Type::Any)
            }
            Some(c) if c == '-' || c.is_ascii_digit() => {
                let len = rest.find(|c: char| !(c.is_ascii_digit() || "+-.eE".contains(c))).unwrap_or(rest.len());
                let Ok(number) = rest[..len].parse::<f64>() else { return error("invalid number", at) };
                self.pos += len;
                Value::Number(number)
            }
            Some(_) if rest.starts_with("true") || rest.starts_with("false") => {
                let value = rest.starts_with("true");
                self.pos += if value { 4 } else { 5 };
                Value::Boolean(value)
            }
            Some(_) if rest.starts_with("null") => {
                self.pos += 4;
                Value::Null
            }
            Some(_) if rest.starts_with("States.") => Value::Dynamic(self.call()?),
            _ => return error("expected an argument: a 'string', a number, a path or an intrinsic function", at),
        };
        Ok(Argument { at, value })
    }
}

/// The arguments of a call against its signature: their number, the type of each literal
/// (and of each nested call's result), and what `States.Format` and `States.Hash` need.
fn check_signature(signature: &Signature, arguments: &[Argument<'_>], at: usize) -> Result<(), ExprError> {
    let name = signature.name;
    let parameters = signature.parameters;
    // `States.MathRandom` takes an optional seed.
    let minimum = if name == "States.MathRandom" {
        2
    } else if signature.variadic {
        parameters.len() - 1
    } else {
        parameters.len()
    };
    let count = arguments.len();
    if count < minimum || (!signature.variadic && count > parameters.len()) {
        let expected = match (signature.variadic, minimum == parameters.len()) {
            (true, _) => format!("at least {minimum}"),
            (false, true) => minimum.to_string(),
            (false, false) => format!("{minimum} or {}", parameters.len()),
        };
        let plural = if minimum == 1 && (signature.variadic || parameters.len() == 1) { "" } else { "s" };
        return error(format!("`{name}` takes {expected} argument{plural}, not {count}"), at);
    }
    for (i, argument) in arguments.iter().enumerate() {
        let wanted = parameters[i.min(parameters.len() - 1)];
        if !argument.value.fits(wanted) {
            return error(
                format!("argument {} of `{name}` must be {}, not {}", i + 1, type_name(wanted), argument.value.describe()),
                argument.at,
            );
        }
    }
    match (name, arguments) {
        ("States.Format", [template, rest @ ..]) => {
            if let Value::String(text) = template.value {
                let expected = placeholders(text);
                if expected != rest.len() {
                    return error(
                        format!("the template of `States.Format` has {expected} `{{}}`, but {} value(s) follow it", rest.len()),
                        template.at,
                    );
                }
            }
        }
        ("States.Hash", [_, algorithm]) => {
            if let Value::String(text) = algorithm.value
                && !HASH_ALGORITHMS.contains(&text)
            {
                return error(format!("`{text}` is not an algorithm of `States.Hash`: use {}", HASH_ALGORITHMS.join(", ")), algorithm.at);
            }
        }
        ("States.JsonMerge", [_, _, deep]) if matches!(deep.value, Value::Boolean(true)) => {
            return error("`States.JsonMerge` merges shallowly only: its third argument must be `false`", deep.at);
        }
        ("States.ArrayRange", [_, _, step]) if matches!(step.value, Value::Number(n) if n == 0.0) => {
            return error("the step of `States.ArrayRange` cannot be 0", step.at);
        }
        _ => {}
    }
    Ok(())
}

/// The length of a path used as an argument: up to a `,` or `)` outside brackets and quotes.
fn path_argument_len(rest: &str) -> usize {
    let mut depth = 0usize;
    let mut quote = None;
    for (i, c) in rest.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '\'' | '"' => quote = Some(c),
                '[' => depth += 1,
                ']' => depth = depth.saturating_sub(1),
                ',' | ')' | ' ' if depth == 0 => return i,
                _ => {}
            },
        }
    }
    rest.len()
}

/// An `InputPath` or `OutputPath`: a path, never an intrinsic function.
pub fn check_selection_path(text: &str) -> Result<(), ExprError> {
    if text.starts_with("States.") {
        return error("this field takes a path such as `$.body`; intrinsic functions work in `Parameters`", 0);
    }
    check_path(text, false)
}

/// A `ResultPath`: a reference path into the state's input, where the result is written;
/// the context object (`$$`) and variables (`$name`, which `Assign` sets) cannot be written.
pub fn check_result_path(text: &str) -> Result<(), ExprError> {
    check_path(text, true)?;
    let b = text.as_bytes();
    match b.get(1) {
        Some(b'$') => error("`ResultPath` cannot write into the context object `$$`; it must start with `$`", 0),
        Some(c) if c.is_ascii_alphanumeric() || *c == b'_' => {
            error("`ResultPath` cannot name a variable; it writes into the state's input (`$.field`), and `Assign` sets variables", 0)
        }
        _ => Ok(()),
    }
}

/// Parses a `{% %}` string and returns the variables its expression names, their offsets
/// counted from the start of the string.
pub fn jsonata_variables(text: &str) -> Result<Vec<super::jsonata::Variable<'_>>, ExprError> {
    if !text.starts_with("{%") || !text.ends_with("%}") || text.len() < 4 {
        return error("a JSONata expression that starts with `{%` must end with `%}`, with nothing after it", 0);
    }
    let body = &text[2..text.len() - 2];
    if body.trim().is_empty() {
        return error("the JSONata expression is empty", 0);
    }
    let mut variables = super::jsonata::variables(body).map_err(|e| ExprError { message: e.message, at: e.at + 2 })?;
    for variable in &mut variables {
        variable.at += 2;
    }
    Ok(variables)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        for ok in [
            "$",
            "$.[0]",
            "$.a.['b']",
            "$.a",
            "$.a-b.c[0]",
            "$$.Execution.Id",
            "$['x y'][2]",
            "$.a..b",
            "$.items[*].id",
            "$myVar.x",
            "$.a[?(@.b > 1)]",
        ] {
            assert_eq!(check_path(ok, false), Ok(()), "{ok}");
        }
        for (bad, at) in [("a.b", 0), ("$.", 1), ("$.a[0", 3), ("$.a]", 3), ("$.a[]", 3)] {
            assert_eq!(check_path(bad, false).unwrap_err().at, at, "{bad}");
        }
        assert!(check_path("$.a[*]", true).is_err());
        assert!(check_path("$.a..b", true).is_err());
        assert!(check_path("$.a['b'][1]", true).is_ok());
    }

    #[test]
    fn intrinsics() {
        for ok in [
            "States.Format('Hello {}', $.name)",
            "States.UUID()",
            "States.Hash(States.Format('{}-{}', $$.Execution.Id, $.id), 'SHA-256')",
            "States.MathAdd($.n, -1)",
            "States.Format('it\\'s {}', $.x)",
            "States.StringSplit($.csv, ',')",
        ] {
            assert_eq!(check_intrinsic(ok), Ok(()), "{ok}");
        }
        assert!(check_intrinsic("States.Nope(1)").unwrap_err().message.contains("not an intrinsic"));
        assert!(check_intrinsic("States.Format('x'").is_err());
        assert!(check_intrinsic("States.Format('x)").is_err());
        assert!(check_dynamic_value("hello").is_err());
    }

    #[test]
    fn intrinsic_signatures() {
        for ok in [
            "States.Array()",
            "States.Array($.a, 'b', 3, States.UUID())",
            "States.ArrayPartition($.items, 4)",
            "States.ArrayGetItem(States.Array(1, 2), 0)",
            "States.ArrayRange(1, 9, 2)",
            "States.MathRandom(1, 100)",
            "States.MathRandom(1, 100, $.seed)",
            "States.JsonMerge($.a, $.b, false)",
            "States.Format('\\{literal\\} {} and {}', $.a, States.UUID())",
            "States.Format($.template, $.a)",
            "States.Hash($.x, $.algorithm)",
            "States.MathAdd(States.ArrayLength($.items), 1)",
        ] {
            assert_eq!(check_intrinsic(ok), Ok(()), "{ok}");
        }
        let message = |text: &str| check_intrinsic(text).expect_err(text);
        assert_eq!(message("States.MathAdd(1,'-1')").message, "argument 2 of `States.MathAdd` must be a number, not a string");
        assert_eq!(message("States.MathAdd(1,'-1')").at, 17);
        assert_eq!(message("States.UUID($.x)").message, "`States.UUID` takes 0 arguments, not 1");
        assert_eq!(message("States.MathRandom(1)").message, "`States.MathRandom` takes 2 or 3 arguments, not 1");
        assert_eq!(message("States.Format()").message, "`States.Format` takes at least 1 argument, not 0");
        assert!(message("States.Format('{} {}', $.a)").message.contains("has 2 `{}`, but 1 value(s)"));
        assert!(message("States.Hash($.x, 'SHA256')").message.contains("is not an algorithm"));
        assert!(message("States.ArrayPartition($.items, 0)").message.contains("a whole number above 0"));
        assert!(message("States.ArrayPartition('abc', 2)").message.contains("must be an array"));
        assert!(message("States.ArrayGetItem($.a, 1.5)").message.contains("0 or more"));
        assert!(message("States.JsonMerge($.a, $.b, true)").message.contains("must be `false`"));
        assert!(message("States.ArrayRange(1, 5, 0)").message.contains("cannot be 0"));
        assert!(message("States.MathAdd(States.UUID(), 1)").message.contains("not a call returning a string"));
        assert!(message("States.Base64Encode(42)").message.contains("must be a string, not 42"));
        assert!(message("States.ArrayPartition($.items, 0)").message.ends_with("a whole number above 0, not 0"));
    }

    #[test]
    fn result_paths() {
        for ok in ["$", "$.result", "$.a.b[0]", "$['a b']"] {
            assert_eq!(check_result_path(ok), Ok(()), "{ok}");
        }
        for bad in ["$result", "$$.Execution", "$_x.y", "$.a[*]"] {
            assert!(check_result_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn jsonata() {
        let check_jsonata = |text| jsonata_variables(text).map(drop);
        assert_eq!(check_jsonata("{% $states.input.items[0] %}"), Ok(()));
        assert_eq!(check_jsonata("{% $x ? 'a)' : \"b]\" /* ( */ %}"), Ok(()));
        // Offsets count from the `{` of `{%`.
        let unclosed = check_jsonata("{% ($a + 1 %}").unwrap_err();
        assert_eq!((unclosed.at, unclosed.message.as_str()), (3, "`(` is never closed with `)`"));
        assert!(check_jsonata("{% %}").is_err());
        assert!(check_jsonata("{% $a] %}").is_err());
        assert!(check_jsonata(" {% 1 %}").is_err());
    }
}

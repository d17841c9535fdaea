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

/// The intrinsic functions of the JSONPath query language.
pub const INTRINSICS: &[&str] = &[
    "States.Array",
    "States.ArrayPartition",
    "States.ArrayContains",
    "States.ArrayRange",
    "States.ArrayGetItem",
    "States.ArrayLength",
    "States.ArrayUnique",
    "States.Base64Encode",
    "States.Base64Decode",
    "States.Hash",
    "States.JsonMerge",
    "States.StringToJson",
    "States.JsonToString",
    "States.MathRandom",
    "States.MathAdd",
    "States.StringSplit",
    "States.UUID",
    "States.Format",
];

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

impl Intrinsic<'_> {
    fn skip_ws(&mut self) {
        while self.text[self.pos..].starts_with(' ') {
            self.pos += 1;
        }
    }

    fn call(&mut self) -> Result<(), ExprError> {
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
        if !INTRINSICS.contains(&name) {
            return error(format!("`{name}` is not an intrinsic function"), start);
        }
        self.pos += name_len + 1;
        self.skip_ws();
        if self.text[self.pos..].starts_with(')') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            self.skip_ws();
            self.argument()?;
            self.skip_ws();
            match self.text[self.pos..].chars().next() {
                Some(',') => self.pos += 1,
                Some(')') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(());
                }
                _ => return error("expected `,` or `)` in the argument list", self.pos),
            }
        }
    }

    fn argument(&mut self) -> Result<(), ExprError> {
        let rest = &self.text[self.pos..];
        let start = self.pos;
        match rest.chars().next() {
            Some('\'') => {
                let mut escaped = false;
                for (i, c) in rest.char_indices().skip(1) {
                    match c {
                        _ if escaped => escaped = false,
                        '\\' => escaped = true,
                        '\'' => {
                            self.pos += i + 1;
                            return Ok(());
                        }
                        _ => {}
                    }
                }
                error("the string argument is never closed", start)
            }
            Some('$') => {
                let len = path_argument_len(rest);
                check_path(&rest[..len], false).map_err(|e| ExprError { at: e.at + start, ..e })?;
                self.pos += len;
                Ok(())
            }
            Some(c) if c == '-' || c.is_ascii_digit() => {
                let len = rest.find(|c: char| !(c.is_ascii_digit() || "+-.eE".contains(c))).unwrap_or(rest.len());
                if rest[..len].parse::<f64>().is_err() {
                    return error("invalid number", start);
                }
                self.pos += len;
                Ok(())
            }
            Some(_) if rest.starts_with("true") || rest.starts_with("false") || rest.starts_with("null") => {
                self.pos += if rest.starts_with("false") { 5 } else { 4 };
                Ok(())
            }
            Some(_) if rest.starts_with("States.") => self.call(),
            _ => error("expected an argument: a 'string', a number, a path or an intrinsic function", start),
        }
    }
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

/// A `{% ... %}` string: a JSONata expression, parsed with JSONata's own grammar.
pub fn check_jsonata(text: &str) -> Result<(), ExprError> {
    if !text.starts_with("{%") || !text.ends_with("%}") || text.len() < 4 {
        return error("a JSONata expression that starts with `{%` must end with `%}`, with nothing after it", 0);
    }
    let body = &text[2..text.len() - 2];
    if body.trim().is_empty() {
        return error("the JSONata expression is empty", 0);
    }
    super::jsonata::check(body).map_err(|e| ExprError { message: e.message, at: e.at + 2 })
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

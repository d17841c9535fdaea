//! A JSONata syntax checker: the grammar of JSONata 2.x as its reference implementation
//! parses it (a Pratt parser whose lexer reads `/` as a regular expression only where an
//! operand may start), including the checks that implementation makes while compiling
//! (a literal number or `true`/`false`/`null` as a path step, `:=` without a variable,
//! a lambda parameter or `@`/`#` binding that is not a variable). It builds no tree: it
//! reports the first error and the byte offset of the token at fault.
//!
//! `testdata/jsonata/oracle.json` holds expressions labelled by the reference
//! implementation; `tests/jsonata.rs` checks that this parser agrees with every one.

use std::cell::RefCell;

/// A syntax error: what is wrong, and the byte offset in the expression where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub at: usize,
}

/// Checks one JSONata expression (the text between `{%` and `%}`), parsing it every time.
pub fn check(source: &str) -> Result<(), SyntaxError> {
    parse(source).map(drop)
}

/// A variable an expression names: in `$states.result.id` it is `states`, read with the
/// field `result`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Variable<'a> {
    /// Its name without the `$`: empty for `$` (the context value), `$` for `$$` (the input).
    pub name: &'a str,
    /// The name of the step right after it (`input` in `$states.input`).
    pub field: Option<&'a str>,
    /// The variable and the plain name steps after it, as written
    /// (`$states.context.Execution.Id` in `$states.context.Execution.Id[0]`).
    pub path: &'a str,
    /// Called as a function, as in `$uuid()`.
    pub called: bool,
    /// Bound inside the expression (`$x := ...`, a lambda's parameter, `@$x`, `#$i`)
    /// rather than read from outside.
    pub bound: bool,
    /// The sole argument of `$exists`: the expression allows for it having no value.
    pub tested: bool,
    /// The byte offset of its `$`.
    pub at: usize,
}

/// The functions JSONata 2.x and Step Functions define: `$string` names a function, not a
/// variable, even where it is passed rather than called (`$map($ids, $string)`).
pub const FUNCTIONS: &[&str] = &[
    "abs",
    "append",
    "assert",
    "average",
    "base64decode",
    "base64encode",
    "boolean",
    "ceil",
    "clone",
    "contains",
    "count",
    "decodeUrl",
    "decodeUrlComponent",
    "distinct",
    "each",
    "encodeUrl",
    "encodeUrlComponent",
    "error",
    "eval",
    "exists",
    "filter",
    "floor",
    "formatBase",
    "formatInteger",
    "formatNumber",
    "fromMillis",
    "hash",
    "join",
    "keys",
    "length",
    "lookup",
    "lowercase",
    "map",
    "match",
    "max",
    "merge",
    "millis",
    "min",
    "not",
    "now",
    "number",
    "pad",
    "parse",
    "parseInteger",
    "partition",
    "power",
    "random",
    "range",
    "reduce",
    "replace",
    "reverse",
    "round",
    "shuffle",
    "sift",
    "single",
    "sort",
    "split",
    "spread",
    "sqrt",
    "string",
    "substring",
    "substringAfter",
    "substringBefore",
    "sum",
    "toMillis",
    "trim",
    "type",
    "uppercase",
    "uuid",
    "zip",
];

/// Parses one JSONata expression and returns the variables it names, in order.
///
/// Several rules and analyses read the same expression: the answer for a text is kept
/// until [`forget`], so that each text of a definition is parsed once.
pub fn variables(source: &str) -> Result<Vec<Variable<'_>>, SyntaxError> {
    PARSED.with_borrow_mut(|parsed| {
        if let Some(found) = parsed.get(source) {
            return found.clone().map(|found| found.iter().map(|f| f.variable(source)).collect());
        }
        let result = parse(source);
        if parsed.len() >= MAX_PARSED {
            parsed.clear();
        }
        let found = result.clone().map(|variables| variables.iter().map(|v| Found::of(v, source)).collect());
        parsed.insert(source.into(), found);
        result
    })
}

/// Drops the answers [`variables`] keeps (the lint calls it after each definition).
pub fn forget() {
    PARSED.with_borrow_mut(foldhash::HashMap::clear);
}

/// The most texts [`variables`] keeps answers for, whatever calls it.
const MAX_PARSED: usize = 4096;

/// The answers [`variables`] keeps, by text.
type Parsed = foldhash::HashMap<Box<str>, Result<Box<[Found]>, SyntaxError>>;

thread_local! {
    static PARSED: RefCell<Parsed> = RefCell::default();
}

/// A [`Variable`] with its texts as byte ranges of its expression, to be kept apart from it.
#[derive(Clone, Copy)]
struct Found {
    name: (usize, usize),
    field: Option<(usize, usize)>,
    path: (usize, usize),
    called: bool,
    bound: bool,
    tested: bool,
    at: usize,
}

impl Found {
    fn of(variable: &Variable<'_>, source: &str) -> Self {
        // Every text of a variable is a slice of its expression (an empty one may not be).
        let range = |text: &str| {
            if text.is_empty() {
                return (0, 0);
            }
            let start = text.as_ptr() as usize - source.as_ptr() as usize;
            (start, start + text.len())
        };
        Found {
            name: range(variable.name),
            field: variable.field.map(range),
            path: range(variable.path),
            called: variable.called,
            bound: variable.bound,
            tested: variable.tested,
            at: variable.at,
        }
    }

    fn variable<'a>(&self, source: &'a str) -> Variable<'a> {
        let text = |(start, end): (usize, usize)| &source[start..end];
        Variable {
            name: text(self.name),
            field: self.field.map(text),
            path: text(self.path),
            called: self.called,
            bound: self.bound,
            tested: self.tested,
            at: self.at,
        }
    }
}

fn parse(source: &str) -> Result<Vec<Variable<'_>>, SyntaxError> {
    let mut parser =
        Parser { lexer: Lexer { src: source, pos: 0 }, node: Token::end(source.len()), depth: 0, steps: 0, variables: Vec::new() };
    parser.advance(None, false)?;
    parser.expression(0)?;
    if parser.node.kind != Kind::End {
        return Err(parser.unexpected());
    }
    Ok(parser.variables)
}

/// Nesting deeper than this is refused rather than risk the stack: no real expression
/// comes near it.
const MAX_DEPTH: usize = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    End,
    /// An operator or punctuation, its text in `Token::text`.
    Operator,
    Name,
    Variable,
    String,
    Number,
    /// `true`, `false` or `null`.
    Value,
    Regex,
}

#[derive(Clone, Copy, Debug)]
struct Token<'a> {
    kind: Kind,
    text: &'a str,
    at: usize,
}

impl Token<'_> {
    fn end(at: usize) -> Token<'static> {
        Token { kind: Kind::End, text: "", at }
    }

    fn is(&self, operator: &str) -> bool {
        self.kind == Kind::Operator && self.text == operator
    }
}

/// What an operand turned out to be, as far as the compile-time checks need it.
#[derive(Clone, Copy, Debug)]
struct Operand {
    shape: Shape,
    /// A group-by `{...}` applies to it (one per path).
    grouped: bool,
    /// Its last step has a predicate `[...]`.
    filtered: bool,
    /// Its last step is an order-by `^(...)`.
    sorted: bool,
    /// A variable followed by plain name steps only: the variable's index.
    chain: Option<usize>,
}

impl From<Shape> for Operand {
    fn from(shape: Shape) -> Operand {
        Operand { shape, grouped: false, filtered: false, sorted: false, chain: None }
    }
}

#[derive(Clone, Copy, Debug)]
enum Shape {
    Name {
        lambda_keyword: bool,
    },
    Variable,
    /// A number, or `true`/`false`/`null`: not allowed as a path step. Its offset.
    Literal(usize),
    String,
    Path,
    Other,
}

fn error<T>(message: impl Into<String>, at: usize) -> Result<T, SyntaxError> {
    Err(SyntaxError { message: message.into(), at })
}

/// Characters that end a name, besides whitespace: the one-character operators.
const OPERATOR_CHARS: &[u8] = b".[]{}(),@#;:?+-*/%|=<>^&!~";

const SPACE: u8 = 1;
const OPERATOR: u8 = 2;

/// Each byte's class, looked up once per byte of a name.
const CLASSES: [u8; 256] = {
    let mut classes = [0u8; 256];
    let mut i = 0;
    while i < OPERATOR_CHARS.len() {
        classes[OPERATOR_CHARS[i] as usize] = OPERATOR;
        i += 1;
    }
    classes[b' ' as usize] = SPACE;
    classes[b'\t' as usize] = SPACE;
    classes[b'\n' as usize] = SPACE;
    classes[b'\r' as usize] = SPACE;
    classes[0x0b] = SPACE;
    classes
};

fn is_space(b: u8) -> bool {
    CLASSES[b as usize] == SPACE
}

/// The two-character operators: `..`, `:=`, `!=`, `>=`, `<=`, `**`, `~>`, `?:` and `??`.
fn is_two_char_operator(first: u8, second: Option<u8>) -> bool {
    matches!(
        (first, second),
        (b'.', Some(b'.')) | (b':' | b'!' | b'>' | b'<', Some(b'=')) | (b'*', Some(b'*')) | (b'~', Some(b'>')) | (b'?', Some(b':' | b'?'))
    )
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    /// The next token. Where an operand may start (`infix` false), `/` begins a regular
    /// expression; after an operand it is division.
    fn next(&mut self, infix: bool) -> Result<Token<'a>, SyntaxError> {
        let b = self.src.as_bytes();
        loop {
            while self.pos < b.len() && is_space(b[self.pos]) {
                self.pos += 1;
            }
            if b[self.pos..].starts_with(b"/*") {
                let start = self.pos;
                match self.src[self.pos + 2..].find("*/") {
                    Some(end) => self.pos += 2 + end + 2,
                    None => return error("this comment is never closed with `*/`", start),
                }
                continue;
            }
            break;
        }
        let start = self.pos;
        let Some(&c) = b.get(start) else { return Ok(Token::end(start)) };
        let token = |kind, end: usize| Token { kind, text: &self.src[start..end], at: start };
        if !infix && c == b'/' {
            let end = self.regex(start)?;
            self.pos = end;
            return Ok(token(Kind::Regex, end));
        }
        if is_two_char_operator(c, b.get(start + 1).copied()) {
            self.pos += 2;
            return Ok(token(Kind::Operator, self.pos));
        }
        if CLASSES[c as usize] == OPERATOR {
            self.pos += 1;
            return Ok(token(Kind::Operator, self.pos));
        }
        match c {
            b'"' | b'\'' => {
                let end = self.string(start, c)?;
                self.pos = end;
                Ok(token(Kind::String, end))
            }
            b'0'..=b'9' => {
                let end = number_end(b, start);
                let finite = self.src[start..end].parse::<f64>().is_ok_and(f64::is_finite);
                if !finite {
                    return error(format!("the number `{}` is too large", &self.src[start..end]), start);
                }
                self.pos = end;
                Ok(token(Kind::Number, end))
            }
            b'`' => match self.src[start + 1..].find('`') {
                Some(len) => {
                    self.pos = start + 1 + len + 1;
                    Ok(token(Kind::Name, self.pos))
                }
                None => error("this `` ` `` name is never closed", start),
            },
            _ => {
                let mut end = start;
                while end < b.len() && CLASSES[b[end] as usize] == 0 {
                    end += 1;
                }
                self.pos = end;
                if c == b'$' {
                    return Ok(token(Kind::Variable, end));
                }
                let kind = match &self.src[start..end] {
                    "and" | "or" | "in" => Kind::Operator,
                    "true" | "false" | "null" => Kind::Value,
                    _ => Kind::Name,
                };
                Ok(token(kind, end))
            }
        }
    }

    /// The end of a string literal that opens at `start`; only JSON's escapes are allowed.
    fn string(&self, start: usize, quote: u8) -> Result<usize, SyntaxError> {
        let b = self.src.as_bytes();
        let mut i = start + 1;
        while i < b.len() {
            match b[i] {
                b'\\' => {
                    match b.get(i + 1) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 2,
                        Some(b'u') => {
                            let hex = b.get(i + 2..i + 6).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
                            if !hex {
                                return error("`\\u` must be followed by four hexadecimal digits", i);
                            }
                            i += 6;
                        }
                        Some(_) => {
                            let escaped = self.src[i + 1..].chars().next().unwrap_or(' ');
                            return error(
                                format!("`\\{escaped}` is not an escape JSONata knows (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)"),
                                i,
                            );
                        }
                        None => break,
                    }
                    continue;
                }
                q if q == quote => return Ok(i + 1),
                _ => i += 1,
            }
        }
        error("this string is never closed", start)
    }

    /// The end of a regular expression literal `/pattern/flags` that opens at `start`: the
    /// closing `/` is one not escaped and outside any bracket, and the flags are `i` and `m`.
    fn regex(&self, start: usize) -> Result<usize, SyntaxError> {
        let b = self.src.as_bytes();
        let mut depth = 0i32;
        let mut i = start + 1;
        while i < b.len() {
            let escaped = b[start + 1..i].iter().rev().take_while(|&&c| c == b'\\').count() % 2 == 1;
            match b[i] {
                b'/' if depth == 0 && !escaped => {
                    if i == start + 1 {
                        return error("an empty regular expression `//`", start);
                    }
                    let mut end = i + 1;
                    while matches!(b.get(end), Some(b'i' | b'm')) {
                        end += 1;
                    }
                    return Ok(end);
                }
                b'(' | b'[' | b'{' if b[i - 1] != b'\\' => depth += 1,
                b')' | b']' | b'}' if b[i - 1] != b'\\' => depth -= 1,
                _ => {}
            }
            i += 1;
        }
        error("this regular expression is never closed with `/`", start)
    }
}

/// Where the number that starts at `start` ends: `0` or digits without a leading zero,
/// an optional fraction with digits, an optional exponent with digits.
fn number_end(b: &[u8], start: usize) -> usize {
    let digits = |from: usize| from + b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut end = if b[start] == b'0' { start + 1 } else { digits(start) };
    if b.get(end) == Some(&b'.') && b.get(end + 1).is_some_and(u8::is_ascii_digit) {
        end = digits(end + 1);
    }
    if matches!(b.get(end), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(b.get(end + 1), Some(b'+' | b'-')));
        if b.get(end + 1 + sign).is_some_and(u8::is_ascii_digit) {
            end = digits(end + 1 + sign);
        }
    }
    end
}

/// How tightly an operator binds its left operand; 0 ends an expression.
fn left_binding_power(token: &Token<'_>) -> u8 {
    if token.kind != Kind::Operator {
        return 0;
    }
    match token.text {
        "(" | "[" | "@" | "#" => 80,
        "." => 75,
        "{" => 70,
        "*" | "/" | "%" => 60,
        "+" | "-" | "&" => 50,
        "=" | "<" | ">" | "!=" | "<=" | ">=" | "^" | "in" | "~>" | "?:" | "??" => 40,
        "and" => 30,
        "or" => 25,
        "?" => 20,
        ":=" => 10,
        _ => 0,
    }
}

struct Parser<'a> {
    lexer: Lexer<'a>,
    /// The current token, the one the parser looks at.
    node: Token<'a>,
    depth: usize,
    /// How many steps enclose the current position, which `%` (the parent) needs.
    steps: usize,
    variables: Vec<Variable<'a>>,
}

impl<'a> Parser<'a> {
    /// Checks that the current token is `expected` (when given) and moves to the next one.
    fn advance(&mut self, expected: Option<&str>, infix: bool) -> Result<Token<'a>, SyntaxError> {
        if let Some(expected) = expected
            && !self.node.is(expected)
        {
            return match self.node.kind {
                Kind::End => error(format!("expected `{expected}` before the end of the expression"), self.node.at),
                _ => error(format!("expected `{expected}`, found `{}`", self.node.text), self.node.at),
            };
        }
        self.node = self.lexer.next(infix)?;
        if self.node.kind == Kind::Operator && matches!(self.node.text, "!" | "~") {
            return error(format!("`{}` is not an operator (did you mean `!=` or `~>`?)", self.node.text), self.node.at);
        }
        Ok(self.node)
    }

    /// Moves past the `closer` of a bracket that `opener` opened: an expression that ends
    /// before it is reported at the opening bracket, which is where it is missing from.
    fn close(&mut self, closer: &str, opener: Token<'a>, infix: bool) -> Result<Token<'a>, SyntaxError> {
        if self.node.kind == Kind::End {
            return error(format!("`{}` is never closed with `{closer}`", opener.text), opener.at);
        }
        self.advance(Some(closer), infix)
    }

    fn unexpected(&self) -> SyntaxError {
        match self.node.kind {
            Kind::End => SyntaxError { message: "the expression ends too early".into(), at: self.node.at },
            _ => SyntaxError {
                message: format!("unexpected `{}` where an operator or the end of the expression belongs", self.node.text),
                at: self.node.at,
            },
        }
    }

    fn expression(&mut self, rbp: u8) -> Result<Operand, SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return error("the expression is nested too deeply", self.node.at);
        }
        let token = self.node;
        self.advance(None, true)?;
        let mut left = self.prefix(token)?;
        while rbp < left_binding_power(&self.node) {
            let token = self.node;
            self.advance(None, false)?;
            left = self.infix(token, left)?;
        }
        self.depth -= 1;
        Ok(left)
    }

    /// An operand, or an operator that starts one (`token` has been consumed).
    fn prefix(&mut self, token: Token<'a>) -> Result<Operand, SyntaxError> {
        Ok(Operand::from(match (token.kind, token.text) {
            (Kind::Name, name) => Shape::Name { lambda_keyword: name == "function" || name == "λ" },
            (Kind::Variable, text) => {
                let variable =
                    Variable { name: &text[1..], field: None, path: text, called: false, bound: false, tested: false, at: token.at };
                self.variables.push(variable);
                let chain = Some(self.variables.len() - 1);
                return Ok(Operand { chain, ..Shape::Variable.into() });
            }
            (Kind::Number | Kind::Value, _) => Shape::Literal(token.at),
            (Kind::String, _) => Shape::String,
            (Kind::Regex, _) => Shape::Other,
            (Kind::End, _) => return error("the expression ends too early", token.at),
            // `and`, `or` and `in` are field names where an operand is expected.
            (_, "and" | "or" | "in") => Shape::Name { lambda_keyword: false },
            (_, "-") => match self.expression(70)?.shape {
                literal @ Shape::Literal(_) => literal,
                _ => Shape::Other,
            },
            (_, "%") if self.steps == 0 => {
                return error("`%` (the parent) needs a step before it, as in `a.b.%`", token.at);
            }
            (_, "*" | "**" | "%") => Shape::Other,
            (_, "(") => {
                while !self.node.is(")") {
                    self.expression(0)?;
                    if !self.node.is(";") {
                        break;
                    }
                    self.advance(Some(";"), false)?;
                }
                self.close(")", token, true)?;
                Shape::Other
            }
            (_, "[") => {
                if !self.node.is("]") {
                    self.comma_separated(|parser| {
                        parser.expression(0)?;
                        if parser.node.is("..") {
                            parser.advance(Some(".."), false)?;
                            parser.expression(0)?;
                        }
                        Ok(())
                    })?;
                }
                self.close("]", token, true)?;
                Shape::Other
            }
            (_, "{") => {
                self.object(token)?;
                Shape::Other
            }
            (_, "|") => {
                self.expression(0)?;
                self.advance(Some("|"), false)?;
                self.expression(0)?;
                if self.node.is(",") {
                    self.advance(Some(","), false)?;
                    self.expression(0)?;
                }
                self.advance(Some("|"), false)?;
                Shape::Other
            }
            (_, text) => return error(format!("`{text}` cannot start an expression"), token.at),
        }))
    }

    /// An operator after an operand (`token` has been consumed).
    fn infix(&mut self, token: Token<'a>, left: Operand) -> Result<Operand, SyntaxError> {
        let bp = left_binding_power(&token);
        let path_like = matches!(left.shape, Shape::Name { .. } | Shape::Path);
        Ok(match token.text {
            "." => {
                // A bare `left` variable is the one just read: nothing was parsed since.
                if let (Shape::Variable, Kind::Name, false) = (left.shape, self.node.kind, left.filtered)
                    && let Some(variable) = self.variables.last_mut()
                {
                    variable.field = Some(self.node.text);
                }
                let step = (self.node.kind == Kind::Name).then_some(self.node);
                self.steps += 1;
                let right = self.expression(bp)?;
                self.steps -= 1;
                for side in [left, right] {
                    if let Shape::Literal(at) = side.shape {
                        return error("a number, `true`, `false` or `null` cannot be a step of a path", at);
                    }
                }
                let plain = |operand: &Operand| !operand.filtered && !operand.grouped && !operand.sorted;
                let mut chain = None;
                if let (Some(index), Some(step), Shape::Name { .. }) = (left.chain.filter(|_| plain(&left)), step, right.shape) {
                    let variable = &mut self.variables[index];
                    variable.path = &self.lexer.src[variable.at..step.at + step.text.len()];
                    chain = plain(&right).then_some(index);
                }
                Operand { shape: Shape::Path, grouped: path_like && left.grouped, chain, ..right }
            }
            "(" => {
                let mut exists = false;
                if let (Shape::Variable, false, Some(variable)) = (left.shape, left.filtered, self.variables.last_mut()) {
                    variable.called = true;
                    exists = variable.name == "exists";
                }
                let first_parameter = self.variables.len();
                let mut parameters_are_variables = true;
                let mut arguments = 0;
                if !self.node.is(")") {
                    self.comma_separated(|parser| {
                        arguments += 1;
                        if parser.node.is("?") {
                            parameters_are_variables = false;
                            parser.advance(Some("?"), false)?;
                        } else {
                            let argument = parser.expression(0)?;
                            parameters_are_variables &= matches!(argument.shape, Shape::Variable);
                        }
                        Ok(())
                    })?;
                }
                self.close(")", token, true)?;
                // `$exists($v)`: the expression allows for `$v` having no value.
                if exists && arguments == 1 && parameters_are_variables && self.variables.len() == first_parameter + 1 {
                    self.variables[first_parameter].tested = true;
                }
                if let Shape::Name { lambda_keyword: true } = left.shape {
                    if !parameters_are_variables {
                        return error("the parameters of a function definition must be variables (`$name`)", token.at);
                    }
                    for parameter in &mut self.variables[first_parameter..] {
                        parameter.bound = true;
                    }
                    if self.node.is("<") {
                        self.signature()?;
                    }
                    let body = self.node;
                    self.advance(Some("{"), false)?;
                    self.expression(0)?;
                    self.close("}", body, false)?;
                }
                Shape::Other.into()
            }
            "[" => {
                if self.node.is("]") {
                    self.advance(Some("]"), false)?;
                    return Ok(left);
                }
                self.steps += 1;
                self.expression(0)?;
                self.steps -= 1;
                self.close("]", token, true)?;
                Operand { filtered: true, ..left }
            }
            "{" => {
                if left.grouped {
                    return error("a path can have only one group-by `{...}`", token.at);
                }
                self.steps += 1;
                self.object(token)?;
                self.steps -= 1;
                Operand { grouped: true, ..left }
            }
            "?" => {
                self.expression(0)?;
                if self.node.is(":") {
                    self.advance(Some(":"), false)?;
                    self.expression(0)?;
                }
                Shape::Other.into()
            }
            "@" | "#" => {
                if token.text == "@" && left.filtered {
                    return error("a context binding `@$name` must come before the step's predicates `[...]`", token.at);
                }
                if token.text == "@" && left.sorted {
                    return error("a context binding `@$name` must come before the step's order-by `^(...)`", token.at);
                }
                let at = self.node.at;
                if !matches!(self.expression(bp)?.shape, Shape::Variable) {
                    return error(format!("`{}` must be followed by a variable (`$name`)", token.text), at);
                }
                if let Some(variable) = self.variables.last_mut() {
                    variable.bound = true;
                }
                left
            }
            "^" => {
                self.advance(Some("("), false)?;
                self.comma_separated(|parser| {
                    if parser.node.is("<") || parser.node.is(">") {
                        let direction = parser.node.text;
                        parser.advance(Some(direction), false)?;
                    }
                    parser.expression(0).map(drop)
                })?;
                self.advance(Some(")"), false)?;
                Operand { shape: Shape::Path, grouped: path_like && left.grouped, filtered: false, sorted: true, chain: None }
            }
            ":=" => {
                if !matches!(left.shape, Shape::Variable) {
                    return error("only a variable (`$name`) can be assigned with `:=`", token.at);
                }
                if let Some(variable) = self.variables.last_mut() {
                    variable.bound = true;
                }
                self.expression(bp - 1)?;
                Shape::Other.into()
            }
            "?:" | "??" => {
                self.expression(0)?;
                Shape::Other.into()
            }
            _ => {
                self.expression(bp)?;
                Shape::Other.into()
            }
        })
    }

    /// `{ key: value, ... }`, after the `{` (`opener`).
    fn object(&mut self, opener: Token<'a>) -> Result<(), SyntaxError> {
        if !self.node.is("}") {
            self.comma_separated(|parser| {
                parser.expression(0)?;
                parser.advance(Some(":"), false)?;
                parser.expression(0).map(drop)
            })?;
        }
        self.close("}", opener, true)?;
        Ok(())
    }

    /// One or more `item`s separated by `,` (the list's brackets are the caller's).
    fn comma_separated(&mut self, mut item: impl FnMut(&mut Self) -> Result<(), SyntaxError>) -> Result<(), SyntaxError> {
        loop {
            item(self)?;
            if !self.node.is(",") {
                return Ok(());
            }
            self.advance(Some(","), false)?;
        }
    }

    /// A function signature `<...>` after a lambda's parameters, up to its `{`.
    fn signature(&mut self) -> Result<(), SyntaxError> {
        let mut depth = 1;
        while depth > 0 && !self.node.is("{") && self.node.kind != Kind::End {
            let token = self.advance(None, false)?;
            if token.is(">") {
                depth -= 1;
            } else if token.is("<") {
                depth += 1;
            }
        }
        self.advance(Some(">"), false)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(name, field, called, bound)` of each variable.
    fn named(source: &str) -> Vec<(&str, Option<&str>, bool, bool)> {
        variables(source).unwrap().iter().map(|v| (v.name, v.field, v.called, v.bound)).collect()
    }

    #[test]
    fn variables_are_listed_with_their_field_and_use() {
        assert_eq!(named("$states.result.Payload"), [("states", Some("result"), false, false)]);
        assert_eq!(named("$uuid() & $now()"), [("uuid", None, true, false), ("now", None, true, false)]);
        assert_eq!(named("($x := 1; $x + $total)"), [("x", None, false, true), ("x", None, false, false), ("total", None, false, false)]);
        assert_eq!(
            named("$map($items, function($v) { $v.id })"),
            [("map", None, true, false), ("items", None, false, false), ("v", None, false, true), ("v", Some("id"), false, false),]
        );
        assert_eq!(named("orders@$o.items#$i"), [("o", None, false, true), ("i", None, false, true)]);
        // A predicate's variable does not take the field that follows the predicate.
        assert_eq!(named("$list[$i].name"), [("list", None, false, false), ("i", None, false, false)]);
        assert_eq!(named("'$states.result' & $"), [("", None, false, false)]);
        let tested: Vec<bool> = variables("$exists($v) and $exists($w.x) and $v > 1").unwrap().iter().map(|v| v.tested).collect();
        assert_eq!(tested, [false, true, false, false, false]);
        assert_eq!(variables("$states.context.Execution.Id").unwrap()[0].at, 0);
        let paths = |source| variables(source).unwrap().iter().map(|v| v.path).collect::<Vec<_>>();
        assert_eq!(paths("$states.context.Execution.Id"), ["$states.context.Execution.Id"]);
        assert_eq!(paths("$states.input.items[0].id & $x.y($z)"), ["$states.input.items", "$x", "$z"]);
        assert_eq!(paths("$a.b{'k': $c}.d"), ["$a.b", "$c"]);
    }

    #[test]
    fn a_kept_answer_is_the_answer_a_parse_gives() {
        let sources = ["$states.input.items[0].id & $x.y($z)", "$map($items, function($v) { $v.id })", "$a.", "", "`a b`.$c", "$"];
        for source in sources {
            // The same text at another address: the answer is rebuilt on it.
            let copy = source.to_string();
            let first = variables(source);
            assert_eq!(variables(&copy), first, "{source}");
            assert_eq!(parse(&copy), first, "{source}");
            if let Ok(found) = variables(&copy) {
                assert!(found.iter().all(|v| v.path.as_ptr() >= copy.as_ptr() && copy[v.at..].starts_with(v.path)));
            }
        }
        forget();
        assert_eq!(variables("$x"), parse("$x"));
    }

    fn at(source: &str) -> usize {
        check(source).expect_err(source).at
    }

    #[test]
    fn valid() {
        for ok in [
            "$states.input.items[price > 10].name",
            "$replace($s, /\\(/, '')",
            "$match(s, /'/i)",
            "function($x){ $x + 1 }",
            "λ($x)<n:n>{ $x * 2 }",
            "( $a := 1; $a + 1 )",
            "a ? b : c",
            "a ?: b",
            "a ?? b",
            "a@$x#$i.b^(>x, <y)",
            "a{x: y}",
            "[1..5, 7]",
            "| a | {\"b\": 1}, [\"c\"] |",
            "/* comment */ `field name`.x",
            "\"a\".b",
            "{\"id\": $uuid(), \"at\": $now()} ~> $string()",
            "$f(?, 1)",
            "a[]",
            "**.x",
            "a.b.%.x",
            "1.5e3 - -2",
            "\"\\u00e9 \\n\"",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn invalid_with_the_offset_at_fault() {
        assert_eq!(at("10 + * 2"), 7); // `*` is the wildcard, then `2` follows an operand
        assert_eq!(at("$states.input."), 14);
        assert_eq!(at("$x and"), 6);
        assert_eq!(at("420."), 4);
        assert_eq!(at("$.orders[?(@.total > 1)]"), 9);
        assert_eq!(at("'it\\'s'"), 3);
        assert_eq!(at("(1 + 2"), 0);
        assert_eq!(at("(1 + 2]"), 6);
        assert_eq!(at("/* open"), 0);
        assert_eq!(at("$match(s, /ab)"), 10);
        assert_eq!(at("a.1"), 2);
        assert_eq!(at("1 := 2"), 2);
        assert_eq!(at("function(a){1}"), 8);
        assert_eq!(at("a @ b"), 4);
        assert_eq!(at("1e999"), 0);
        assert_eq!(at("a ! b"), 2);
        assert_eq!(at("%.x"), 0);
        assert_eq!(at("a{x: y}.b{z: w}"), 9);
        assert_eq!(at("$x[0]@$y"), 5);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "(".repeat(100_000);
        assert!(check(&deep).is_err());
        let deep = "-".repeat(100_000) + "1";
        assert!(check(&deep).is_err());
    }
}

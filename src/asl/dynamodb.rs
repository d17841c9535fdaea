//! DynamoDB expressions: `UpdateExpression` (SET / REMOVE / ADD / DELETE with `+`, `-`,
//! `if_not_exists`, `list_append`, nested paths and `[n]`) and `ConditionExpression`
//! (comparisons, BETWEEN, IN, AND / OR / NOT and the functions), with `#names` resolved
//! through `ExpressionAttributeNames` and `:values` typed through
//! `ExpressionAttributeValues`. Also a detector for PartiQL `UPDATE ... SET a = a + n`.

use foldhash::HashMap;

/// An attribute path with `#names` resolved: `["stats", "views"]`, `["items", "[0]"]`.
pub type AttrPath = Vec<String>;

/// The type of a `:value`, as far as the definition tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    Number,
    Set,
    Other,
    /// Dynamic, or missing from `ExpressionAttributeValues`.
    Unknown,
}

/// How the expressions' placeholders resolve.
#[derive(Default)]
pub struct Names<'a> {
    pub names: HashMap<&'a str, &'a str>,
    pub values: HashMap<&'a str, ValueType>,
}

/// An update whose effect grows each time it is applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Growth {
    /// The attribute, as a dotted name for messages.
    pub attribute: String,
    pub kind: GrowthKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrowthKind {
    /// `SET a = a + :v`, `:v + a`, `if_not_exists(a, :z) + :v`.
    Increment,
    /// `SET a = a - :v`.
    Decrement,
    /// `SET l = list_append(l, :v)`.
    Append,
    /// `ADD n :num`.
    AddNumber,
}

/// What an update expression does.
#[derive(Debug, Default)]
pub struct Update {
    pub growth: Vec<Growth>,
    /// Every attribute the expression writes with SET or ADD.
    pub written: Vec<AttrPath>,
    /// Every attribute the expression removes.
    pub removed: Vec<AttrPath>,
}

#[derive(Debug, PartialEq)]
pub struct SyntaxError(pub String);

// ---------------------------------------------------------------------------------------
// Tokens

#[derive(Clone, Copy, Debug, PartialEq)]
enum Token<'t> {
    Word(&'t str),
    /// `#name`, with the `#`.
    Name(&'t str),
    /// `:value`, with the `:`.
    Value(&'t str),
    Number(&'t str),
    Punct(&'static str),
}

fn tokenize(text: &str) -> Result<Vec<Token<'_>>, SyntaxError> {
    let mut tokens = Vec::new();
    // Where a run of name characters starting at `from` ends.
    let word_end = |from: usize| {
        text[from..].char_indices().find(|&(_, c)| !(c.is_alphanumeric() || c == '_' || c == '-')).map_or(text.len(), |(n, _)| from + n)
    };
    let mut i = 0;
    while let Some(c) = text[i..].chars().next() {
        match c {
            c if c.is_whitespace() => i += c.len_utf8(),
            '#' | ':' => {
                let end = word_end(i + 1);
                if end == i + 1 {
                    return Err(SyntaxError(format!("`{c}` must be followed by a name")));
                }
                tokens.push(if c == '#' { Token::Name(&text[i..end]) } else { Token::Value(&text[i..end]) });
                i = end;
            }
            c if c.is_ascii_digit() => {
                let end = text[i..].find(|c: char| !c.is_ascii_digit()).map_or(text.len(), |n| i + n);
                tokens.push(Token::Number(&text[i..end]));
                i = end;
            }
            c if c.is_alphabetic() || c == '_' => {
                let end = word_end(i);
                tokens.push(Token::Word(&text[i..end]));
                i = end;
            }
            _ => {
                if let Some(pair) = ["<>", "<=", ">="].into_iter().find(|pair| text[i..].starts_with(pair)) {
                    tokens.push(Token::Punct(pair));
                    i += 2;
                    continue;
                }
                let p = match c {
                    '=' => "=",
                    '<' => "<",
                    '>' => ">",
                    '+' => "+",
                    '-' => "-",
                    ',' => ",",
                    '(' => "(",
                    ')' => ")",
                    '[' => "[",
                    ']' => "]",
                    '.' => ".",
                    other => return Err(SyntaxError(format!("unexpected `{other}`"))),
                };
                tokens.push(Token::Punct(p));
                i += 1;
            }
        }
    }
    Ok(tokens)
}

struct Cursor<'t, 'n> {
    tokens: Vec<Token<'t>>,
    pos: usize,
    names: &'n Names<'n>,
}

impl<'t> Cursor<'t, '_> {
    fn peek(&self) -> Option<&Token<'t>> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Token<'t>> {
        let token = self.tokens.get(self.pos).copied();
        self.pos += 1;
        token
    }

    fn eat(&mut self, punct: &str) -> bool {
        if matches!(self.peek(), Some(Token::Punct(p)) if *p == punct) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, punct: &str) -> Result<(), SyntaxError> {
        if self.eat(punct) { Ok(()) } else { Err(SyntaxError(format!("expected `{punct}`"))) }
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn at_end(&self) -> bool {
        self.pos >= self.tokens.len()
    }

    /// `a.b[0].#c`
    fn path(&mut self) -> Result<AttrPath, SyntaxError> {
        let mut path = vec![self.segment()?];
        loop {
            if self.eat(".") {
                path.push(self.segment()?);
            } else if self.eat("[") {
                match self.next() {
                    Some(Token::Number(n)) => path.push(format!("[{n}]")),
                    _ => return Err(SyntaxError("expected a list index".into())),
                }
                self.expect("]")?;
            } else {
                return Ok(path);
            }
        }
    }

    fn segment(&mut self) -> Result<String, SyntaxError> {
        match self.next() {
            Some(Token::Word(w)) => Ok(w.to_string()),
            Some(Token::Name(n)) => Ok(self.names.names.get(n).copied().unwrap_or(n).to_string()),
            _ => Err(SyntaxError("expected an attribute name".into())),
        }
    }
}

// ---------------------------------------------------------------------------------------
// UpdateExpression

#[derive(Debug)]
enum Operand {
    Path(AttrPath),
    Value(String),
    Call(String, Vec<Operand>),
}

impl Operand {
    /// The attribute this operand reads, looking through `if_not_exists(a, ...)`.
    fn reads(&self) -> Option<&AttrPath> {
        match self {
            Operand::Path(path) => Some(path),
            Operand::Call(name, args) if name == "if_not_exists" => args.first().and_then(Operand::reads),
            _ => None,
        }
    }
}

fn operand(cursor: &mut Cursor<'_, '_>) -> Result<Operand, SyntaxError> {
    match cursor.peek().copied() {
        Some(Token::Value(v)) => {
            cursor.pos += 1;
            Ok(Operand::Value(v.to_string()))
        }
        Some(Token::Word(w)) if matches!(cursor.tokens.get(cursor.pos + 1), Some(Token::Punct("("))) => {
            cursor.pos += 2;
            let mut args = Vec::new();
            if !cursor.eat(")") {
                loop {
                    args.push(set_value(cursor)?.0);
                    if cursor.eat(")") {
                        break;
                    }
                    cursor.expect(",")?;
                }
            }
            Ok(Operand::Call(w.to_string(), args))
        }
        _ => Ok(Operand::Path(cursor.path()?)),
    }
}

/// A SET value: the first operand and, for `a + b` / `a - b`, the operator and the second.
type SetValue = (Operand, Option<(&'static str, Operand)>);

/// `operand [(+|-) operand]`
fn set_value(cursor: &mut Cursor<'_, '_>) -> Result<SetValue, SyntaxError> {
    let left = operand(cursor)?;
    for op in ["+", "-"] {
        if cursor.eat(op) {
            return Ok((left, Some((op, operand(cursor)?))));
        }
    }
    Ok((left, None))
}

const CLAUSES: &[&str] = &["SET", "REMOVE", "ADD", "DELETE"];

/// Parses an `UpdateExpression` and finds the actions whose effect grows on replay.
pub fn analyze_update(text: &str, names: &Names<'_>) -> Result<Update, SyntaxError> {
    let mut cursor = Cursor { tokens: tokenize(text)?, pos: 0, names };
    let mut update = Update::default();
    while !cursor.at_end() {
        let clause = match cursor.next() {
            Some(Token::Word(w)) if CLAUSES.iter().any(|c| c.eq_ignore_ascii_case(w)) => w.to_ascii_uppercase(),
            _ => return Err(SyntaxError("expected SET, REMOVE, ADD or DELETE".into())),
        };
        loop {
            let target = cursor.path()?;
            match clause.as_str() {
                "SET" => {
                    cursor.expect("=")?;
                    let (left, arithmetic) = set_value(&mut cursor)?;
                    let kind = match (&left, &arithmetic) {
                        (_, Some((op, right))) if left.reads() == Some(&target) || right.reads() == Some(&target) => {
                            Some(if *op == "+" { GrowthKind::Increment } else { GrowthKind::Decrement })
                        }
                        (Operand::Call(name, args), None) if name == "list_append" && args.iter().any(|a| a.reads() == Some(&target)) => {
                            Some(GrowthKind::Append)
                        }
                        _ => None,
                    };
                    if let Some(kind) = kind {
                        update.growth.push(Growth { attribute: target.join("."), kind });
                    }
                    update.written.push(target);
                }
                "ADD" => {
                    let value = match cursor.next() {
                        Some(Token::Value(v)) => v,
                        _ => return Err(SyntaxError("ADD takes a `:value`".into())),
                    };
                    // Re-adding the members of a set is a no-op; adding a number is not.
                    if names.values.get(value).copied().unwrap_or(ValueType::Unknown) != ValueType::Set {
                        update.growth.push(Growth { attribute: target.join("."), kind: GrowthKind::AddNumber });
                    }
                    update.written.push(target);
                }
                "DELETE" => {
                    if !matches!(cursor.next(), Some(Token::Value(_))) {
                        return Err(SyntaxError("DELETE takes a `:value`".into()));
                    }
                }
                _ => update.removed.push(target),
            }
            if !cursor.eat(",") {
                break;
            }
        }
    }
    Ok(update)
}

// ---------------------------------------------------------------------------------------
// ConditionExpression

/// The conditions that hold whenever the expression does: the members of its top-level
/// AND chain. (Anything under OR guarantees nothing on its own.)
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Condition {
    /// `a = :v` (either side).
    pub equal: Vec<AttrPath>,
    /// `attribute_not_exists(a)` or `NOT attribute_exists(a)`.
    pub not_exists: Vec<AttrPath>,
    /// `attribute_exists(a)` or `NOT attribute_not_exists(a)`.
    pub exists: Vec<AttrPath>,
    /// `NOT contains(a, :v)`: the attribute and the value.
    pub not_contains: Vec<(AttrPath, String)>,
}

pub fn analyze_condition(text: &str, names: &Names<'_>) -> Result<Condition, SyntaxError> {
    let mut cursor = Cursor { tokens: tokenize(text)?, pos: 0, names };
    let mut condition = Condition::default();
    or_expr(&mut cursor, &mut condition, true, false)?;
    if !cursor.at_end() {
        return Err(SyntaxError("unexpected text after the condition".into()));
    }
    Ok(condition)
}

/// `and (OR and)*`; facts are recorded only while `certain` (a top-level conjunct).
fn or_expr(cursor: &mut Cursor<'_, '_>, facts: &mut Condition, certain: bool, negated: bool) -> Result<(), SyntaxError> {
    let start = cursor.pos;
    let mut scratch = Condition::default();
    and_expr(cursor, &mut scratch, negated)?;
    let mut alternatives = false;
    while cursor.keyword("OR") {
        cursor.pos += 1;
        alternatives = true;
        and_expr(cursor, &mut Condition::default(), negated)?;
    }
    if certain && !alternatives {
        // Parse again recording: cheap, and keeps the grammar in one place.
        let end = cursor.pos;
        cursor.pos = start;
        and_expr(cursor, facts, negated)?;
        debug_assert_eq!(cursor.pos, end);
    }
    Ok(())
}

fn and_expr(cursor: &mut Cursor<'_, '_>, facts: &mut Condition, negated: bool) -> Result<(), SyntaxError> {
    unary(cursor, facts, negated)?;
    while cursor.keyword("AND") {
        cursor.pos += 1;
        unary(cursor, facts, negated)?;
    }
    Ok(())
}

fn unary(cursor: &mut Cursor<'_, '_>, facts: &mut Condition, negated: bool) -> Result<(), SyntaxError> {
    if cursor.keyword("NOT") {
        cursor.pos += 1;
        return unary(cursor, facts, !negated);
    }
    if cursor.eat("(") {
        // A parenthesised group: its facts hold only if it is a plain conjunction.
        let mut inner = Condition::default();
        or_expr(cursor, &mut inner, true, negated)?;
        cursor.expect(")")?;
        if !negated {
            facts.equal.extend(inner.equal);
            facts.not_exists.extend(inner.not_exists);
            facts.exists.extend(inner.exists);
            facts.not_contains.extend(inner.not_contains);
        }
        return Ok(());
    }
    let function = match (cursor.peek(), cursor.tokens.get(cursor.pos + 1)) {
        (Some(&Token::Word(w)), Some(Token::Punct("("))) => Some(w),
        _ => None,
    };
    if let Some(name) = function.filter(|n| *n != "size") {
        cursor.pos += 2;
        let mut args = Vec::new();
        loop {
            args.push(operand(cursor)?);
            if cursor.eat(")") {
                break;
            }
            cursor.expect(",")?;
        }
        let path = args.first().and_then(Operand::reads).cloned();
        match (name, negated, path) {
            ("attribute_not_exists", false, Some(path)) | ("attribute_exists", true, Some(path)) => facts.not_exists.push(path),
            ("attribute_exists", false, Some(path)) | ("attribute_not_exists", true, Some(path)) => facts.exists.push(path),
            ("contains", true, Some(path)) => {
                if let Some(Operand::Value(v)) = args.get(1) {
                    facts.not_contains.push((path, v.clone()));
                }
            }
            _ => {}
        }
        return Ok(());
    }
    let left = operand(cursor)?;
    if cursor.keyword("BETWEEN") {
        cursor.pos += 1;
        operand(cursor)?;
        if !cursor.keyword("AND") {
            return Err(SyntaxError("BETWEEN needs AND".into()));
        }
        cursor.pos += 1;
        operand(cursor)?;
        return Ok(());
    }
    if cursor.keyword("IN") {
        cursor.pos += 1;
        cursor.expect("(")?;
        loop {
            operand(cursor)?;
            if cursor.eat(")") {
                return Ok(());
            }
            cursor.expect(",")?;
        }
    }
    let comparator = match cursor.next() {
        Some(Token::Punct(p)) if ["=", "<>", "<", "<=", ">", ">="].contains(&p) => p,
        _ => return Err(SyntaxError("expected a comparison".into())),
    };
    let right = operand(cursor)?;
    if comparator == "=" && !negated {
        if let Some(path) = left.reads().or(right.reads()) {
            facts.equal.push(path.clone());
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// PartiQL

/// `UPDATE "t" SET a = a + 1, b = list_append(b, ?) WHERE ...`: the assignments that
/// grow on replay. Not a PartiQL parser: it reads the SET clause of an UPDATE.
pub fn partiql_growth(statement: &str) -> Vec<Growth> {
    let upper = statement.to_ascii_uppercase();
    if !upper.trim_start().starts_with("UPDATE") {
        return Vec::new();
    }
    let mut growth = Vec::new();
    let mut search = 0;
    while let Some(at) = find_word(&upper[search..], "SET").map(|i| i + search) {
        let body_start = at + 3;
        let body_end = ["WHERE", "REMOVE", "RETURNING", "SET"]
            .iter()
            .filter_map(|w| find_word(&upper[body_start..], w))
            .min()
            .map_or(statement.len(), |i| i + body_start);
        for assignment in split_top_level(&statement[body_start..body_end]) {
            let Some((left, right)) = assignment.split_once('=') else { continue };
            let target = left.trim().trim_matches('"');
            let reads_target =
                |text: &str| text.split(|c: char| !(c.is_alphanumeric() || "_.\"".contains(c))).any(|t| t.trim_matches('"') == target);
            let right = right.trim();
            let kind = if right.starts_with("list_append") && reads_target(right) {
                Some(GrowthKind::Append)
            } else if right.contains('+') && reads_target(right) {
                Some(GrowthKind::Increment)
            } else if right.contains('-') && reads_target(right) {
                Some(GrowthKind::Decrement)
            } else {
                None
            };
            if let (Some(kind), false) = (kind, target.is_empty()) {
                growth.push(Growth { attribute: target.to_string(), kind });
            }
        }
        search = body_end;
        if search >= upper.len() {
            break;
        }
    }
    growth
}

fn find_word(upper: &str, word: &str) -> Option<usize> {
    upper.match_indices(word).map(|(i, _)| i).find(|&i| {
        let before = upper[..i].chars().next_back().is_none_or(|c| !c.is_alphanumeric() && c != '_');
        let after = upper[i + word.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric() && c != '_');
        before && after
    })
}

fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start, mut quote) = (0i32, 0, None);
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names<'a>(pairs: &[(&'a str, &'a str)], values: &[(&'a str, ValueType)]) -> Names<'a> {
        Names { names: pairs.iter().copied().collect(), values: values.iter().copied().collect() }
    }

    fn growth(text: &str, n: &Names<'_>) -> Vec<(String, GrowthKind)> {
        analyze_update(text, n).unwrap().growth.into_iter().map(|g| (g.attribute, g.kind)).collect()
    }

    #[test]
    fn finds_every_growing_form() {
        let n = names(&[("#v", "views"), ("#s", "stats")], &[(":one", ValueType::Number), (":tags", ValueType::Set)]);
        assert_eq!(growth("ADD #v :one", &n), [("views".to_string(), GrowthKind::AddNumber)]);
        assert_eq!(growth("ADD tags :tags", &n), []);
        assert_eq!(growth("ADD n :unknown", &n), [("n".to_string(), GrowthKind::AddNumber)]);
        assert_eq!(growth("SET #v = #v + :one", &n), [("views".to_string(), GrowthKind::Increment)]);
        assert_eq!(growth("set #s.#v = :one + #s.#v", &n), [("stats.views".to_string(), GrowthKind::Increment)]);
        assert_eq!(growth("SET stock = stock - :one", &n), [("stock".to_string(), GrowthKind::Decrement)]);
        assert_eq!(growth("SET #v = if_not_exists(#v, :zero) + :one", &n), [("views".to_string(), GrowthKind::Increment)]);
        assert_eq!(growth("SET l = list_append(l, :new)", &n), [("l".to_string(), GrowthKind::Append)]);
        assert_eq!(growth("SET l = list_append(:new, l)", &n), [("l".to_string(), GrowthKind::Append)]);
        assert_eq!(growth("SET a = :x, b = if_not_exists(b, :y) REMOVE c DELETE s :set", &n), []);
        assert_eq!(analyze_update("SET a = a - :one REMOVE #owner", &n).unwrap().removed, [vec!["#owner".to_string()]]);
        assert_eq!(growth("SET total = price + tax", &n), [], "a sum of other attributes is absolute");
        assert_eq!(growth("SET items[0].qty = items[0].qty + :one", &n), [("items.[0].qty".to_string(), GrowthKind::Increment)]);
        assert!(analyze_update("SET = 1", &n).is_err());
        assert!(analyze_update("UPSERT a = 1", &n).is_err());
    }

    #[test]
    fn conditions_record_only_certain_facts() {
        let n = names(&[("#v", "version"), ("#a", "applied")], &[]);
        let c = analyze_condition("#v = :expected AND NOT contains(#a, :key) AND attribute_not_exists(pk)", &n).unwrap();
        assert_eq!(c.equal, [vec!["version".to_string()]]);
        assert_eq!(c.not_contains, [(vec!["applied".to_string()], ":key".to_string())]);
        assert_eq!(c.not_exists, [vec!["pk".to_string()]]);
        let c = analyze_condition("attribute_exists(#owner)", &names(&[], &[])).unwrap();
        assert_eq!(c.exists, [vec!["#owner".to_string()]], "a dynamic name stays as written");
        let c = analyze_condition("#v = :a OR attribute_not_exists(#v)", &n).unwrap();
        assert_eq!(c, Condition::default());
        let c = analyze_condition("NOT attribute_exists(pk) AND size(tags) < :n AND price BETWEEN :lo AND :hi", &n).unwrap();
        assert_eq!(c.not_exists, [vec!["pk".to_string()]]);
        let c = analyze_condition("(#v = :x AND a IN (:p, :q))", &n).unwrap();
        assert_eq!(c.equal, [vec!["version".to_string()]]);
        assert!(analyze_condition("a = ", &n).is_err());
    }

    #[test]
    fn partiql_updates() {
        assert_eq!(partiql_growth(r#"UPDATE "Counters" SET views = views + 1 WHERE pk = ?"#)[0].attribute, "views");
        assert_eq!(partiql_growth("update t set a = 5, b = list_append(b, ?) where pk = ?")[0].kind, GrowthKind::Append);
        assert!(partiql_growth("UPDATE t SET a = ? WHERE pk = ?").is_empty());
        assert!(partiql_growth("SELECT * FROM t WHERE a = a + 1").is_empty());
    }
}

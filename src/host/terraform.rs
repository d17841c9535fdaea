//! Terraform (`*.tf`, through hcl-edit): `resource "aws_sfn_state_machine"` and the
//! `terraform-aws-modules/step-functions` module, with `type` and a `definition` given as
//! `jsonencode({...})` (turned into a span tree), a heredoc or string (parsed with a map
//! back into the file), or `file(...)` / `templatefile(...)` (linted as its own file).

use std::collections::HashMap;
use std::path::Path;

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Block, Body as HclBody};

use super::spanmap::{SpanMap, first_indent, indented_block};
use super::{Body, Hosted, WorkflowType, relative_to};
use crate::syntax::{Kind, MAX_DEPTH, Member, Node, ParseError, Span, has_placeholder};

/// The state machines of a Terraform file.
pub fn parse_terraform(path: &Path, text: &str) -> Result<Vec<Hosted<'static>>, ParseError> {
    check_depth(text)?;
    let body =
        hcl_edit::parser::parse_body(text).map_err(|e| ParseError { message: e.message().to_string(), offset: e.location().offset() })?;
    Ok(machines(path, text, &body))
}

fn machines(path: &Path, text: &str, body: &HclBody) -> Vec<Hosted<'static>> {
    let mut found = Vec::new();
    let mentions = Mentions::new(text, body);
    for block in body.blocks() {
        let labels: Vec<&str> = block.labels.iter().map(|l| l.as_str()).collect();
        let name = match (block.ident.as_str(), labels.as_slice()) {
            ("resource", ["aws_sfn_state_machine", name]) => format!("aws_sfn_state_machine.{name}"),
            ("module", [name]) if is_step_functions_module(block) => format!("module.{name}"),
            _ => continue,
        };
        let starters = if name.starts_with("aws_sfn_state_machine.") { starters(path, text, &mentions, &name) } else { Default::default() };
        let body = match block.body.get_attribute("definition") {
            Some(definition) => definition_body(path, text, body, &definition.value).unwrap_or(Body::Elsewhere),
            None => Body::Elsewhere,
        };
        let (workflow_type, type_span) = match block.body.get_attribute("type") {
            Some(attribute) => match &attribute.value {
                Expression::String(value) => (declared(value.as_str()), span_of(&attribute.value)),
                other => (WorkflowType::Unknown, span_of(other)),
            },
            None => (WorkflowType::Standard, None),
        };
        let pointer_prefix = format!("/{}/definition", name.replace('.', "/"));
        found.push(Hosted { name, pointer_prefix, body, workflow_type, type_span, starters, resources: None, ignore: Vec::new() });
    }
    found
}

/// What starts the state machine `name` (`aws_sfn_state_machine.x`) among the file's other
/// blocks, read from their text: an API Gateway integration whose URI or subtype says
/// `StartSyncExecution` starts it synchronously; an IAM policy that names it grants a
/// synchronous start when `StartSyncExecution` is all it allows; anything else that names
/// it may start it otherwise. (SPEC §3; the CloudFormation reading is `starters.rs`.)
fn starters(path: &Path, text: &str, mentions: &Mentions<'_>, name: &str) -> super::Starters {
    let (mut synchronous, mut other, mut granted, mut granted_other) = (None, false, None, false);
    for block in mentions.of(text, name) {
        let Some(range) = block.span() else { continue };
        let Some(block_text) = text.get(range.clone()) else { continue };
        let kind = block.labels.first().map(|l| l.as_str()).unwrap_or_default();
        // A block that renders a file (an OpenAPI body through `templatefile`) starts the
        // machine as the file says.
        let rendered = included_files(path, block_text).filter_map(|file| std::fs::read_to_string(file).ok()).collect::<String>();
        let said = |needle: &str| block_text.contains(needle) || rendered.contains(needle);
        let sync = match block_text.find("StartSyncExecution") {
            Some(at) => Some(Span::new(range.start + at, range.start + at + "StartSyncExecution".len())),
            None => rendered.contains("StartSyncExecution").then(|| Span::new(range.start, range.start + block.ident.as_str().len())),
        };
        let starts = said("StartExecution\"") || said("states:*") || said("action/StartExecution") || said("StartExecution'");
        // A data source starts nothing: one that renders a file we cannot read (an OpenAPI
        // body) leaves the start to the grants.
        if block.ident.as_str() == "data" && !starts && sync.is_none() {
            continue;
        }
        if kind.starts_with("aws_iam_") {
            match (starts, sync) {
                (true, _) => granted_other = true,
                (false, Some(span)) => granted = granted.or(Some(span)),
                (false, None) => {}
            }
        } else {
            match (starts, sync) {
                (false, Some(span)) => synchronous = synchronous.or(Some(span)),
                _ => other = true,
            }
        }
    }
    let only = match (synchronous, other) {
        (_, true) => None,
        (Some(span), false) => Some(span),
        (None, false) => granted.filter(|_| !granted_other),
    };
    super::Starters { synchronous: only.map(|span| (None, span)), other: only.is_none() && (other || granted_other) }
}

/// The blocks of a file, other than state machines, that name each state machine
/// (`aws_sfn_state_machine.NAME.arn`): every block's text is searched once, not once per
/// machine.
struct Mentions<'b> {
    blocks: Vec<&'b Block>,
    /// Block indices, in file order, by the name that follows `aws_sfn_state_machine.`.
    by_name: HashMap<&'b str, Vec<usize>>,
}

const MACHINE_TYPE: &str = "aws_sfn_state_machine.";

impl<'b> Mentions<'b> {
    fn new(text: &'b str, body: &'b HclBody) -> Self {
        let blocks: Vec<&Block> =
            body.blocks().filter(|block| block.labels.first().map(|l| l.as_str()) != Some("aws_sfn_state_machine")).collect();
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, block) in blocks.iter().enumerate() {
            let Some(block_text) = block.span().and_then(|range| text.get(range)) else { continue };
            for (at, _) in block_text.match_indices(MACHINE_TYPE) {
                let rest = &block_text[at + MACHINE_TYPE.len()..];
                let name = &rest[..rest.find(|c: char| !is_identifier_char(c)).unwrap_or(rest.len())];
                if rest[name.len()..].starts_with('.') {
                    let listed = by_name.entry(name).or_default();
                    if listed.last() != Some(&i) {
                        listed.push(i);
                    }
                }
            }
        }
        Mentions { blocks, by_name }
    }

    /// The blocks that name `machine` (`aws_sfn_state_machine.NAME`), in file order.
    fn of<'m>(&'m self, text: &'m str, machine: &'m str) -> impl Iterator<Item = &'b Block> + 'm {
        let name = machine.strip_prefix(MACHINE_TYPE).unwrap_or(machine);
        // A name Terraform would not accept is looked for block by block.
        let indexed = name.chars().all(is_identifier_char).then(|| self.by_name.get(name).map_or(&[][..], Vec::as_slice));
        let searched = indexed.is_none().then(|| {
            let reference = format!("{machine}.");
            self.blocks.iter().filter(move |block| block.span().and_then(|range| text.get(range)).is_some_and(|t| t.contains(&reference)))
        });
        indexed.into_iter().flatten().map(|&i| self.blocks[i]).chain(searched.into_iter().flatten().copied())
    }
}

/// A character of a Terraform identifier (a resource name).
fn is_identifier_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// The files a block's `file(...)` and `templatefile(...)` calls name, relative to the
/// module (`${path.module}/api.yaml`) or the file's folder.
fn included_files<'t>(path: &'t Path, block_text: &'t str) -> impl Iterator<Item = std::path::PathBuf> + 't {
    block_text.match_indices("file(\"").filter_map(move |(at, call)| {
        let rest = &block_text[at + call.len()..];
        let file = &rest[..rest.find('"')?];
        let file = file.strip_prefix("${path.module}/").unwrap_or(file);
        (!has_placeholder(file)).then(|| relative_to(path, file))
    })
}

fn declared(value: &str) -> WorkflowType {
    match value {
        "EXPRESS" => WorkflowType::Express,
        "STANDARD" => WorkflowType::Standard,
        _ => WorkflowType::Unknown,
    }
}

fn is_step_functions_module(block: &Block) -> bool {
    matches!(block.body.get_attribute("source").map(|a| &a.value), Some(Expression::String(s)) if s.contains("step-functions"))
}

fn span_of(expr: &Expression) -> Option<Span> {
    expr.span().map(|r| Span::new(r.start, r.end))
}

fn definition_body(path: &Path, text: &str, file: &HclBody, expr: &Expression) -> Option<Body<'static>> {
    let span = span_of(expr)?;
    match expr {
        // `data.template_file.NAME.rendered`: the data source's `template`.
        Expression::Traversal(_) => {
            let source = text.get(span.range())?;
            let name = source.strip_prefix("data.template_file.")?.strip_suffix(".rendered")?;
            let data =
                file.blocks().find(|b| b.ident.as_str() == "data" && b.labels.iter().map(|l| l.as_str()).eq(["template_file", name]))?;
            definition_body(path, text, file, &data.body.get_attribute("template")?.value)
        }
        Expression::FuncCall(call) => {
            let function = call.name.name.as_str();
            let first = call.args.iter().next()?;
            match function {
                // `jsonencode(local.definition)`: computed, out of reach.
                "jsonencode" if matches!(first, Expression::Object(_)) => Some(Body::Built(to_node(text, first, 0))),
                "file" | "templatefile" => {
                    let (file, certain) = file_argument(path, text, first)?;
                    Some(Body::File { path: file, span: span_of(first)?, certain })
                }
                _ => None,
            }
        }
        Expression::HeredocTemplate(_) => heredoc(text, span),
        Expression::String(_) | Expression::StringTemplate(_) => {
            let source = text.get(span.range())?;
            let inner = source.strip_prefix('"')?.strip_suffix('"')?;
            if inner.contains('\\') {
                return Some(Body::Text {
                    text: inner.to_string(),
                    map: SpanMap::Whole(span),
                    note: Some("the definition is an escaped string, so the whole string is marked"),
                });
            }
            Some(Body::Text { text: inner.to_string(), map: SpanMap::Offset(span.start() + 1), note: None })
        }
        _ => None,
    }
}

/// `"${path.module}/definition.json"` → the file beside the `.tf` file, and whether that
/// is certainly where Terraform reads it: other paths are relative to the folder it runs in,
/// taken to be the `.tf` file's.
fn file_argument(path: &Path, text: &str, expr: &Expression) -> Option<(std::path::PathBuf, bool)> {
    let span = span_of(expr)?;
    let source = text.get(span.range())?.strip_prefix('"')?.strip_suffix('"')?;
    let relative = source.replace("${path.module}", ".").replace("${path.root}", ".");
    if has_placeholder(&relative) {
        return None;
    }
    Some((relative_to(path, relative.trim_start_matches('/')), source.starts_with("${path.module}/")))
}

/// `<<EOF` / `<<-EOF` heredocs: the lines between the opening line and the delimiter.
fn heredoc(text: &str, span: Span) -> Option<Body<'static>> {
    let source = text.get(span.range())?;
    let first_newline = source.find('\n')?;
    let last_newline = source.trim_end_matches(['\n', '\r', ' ']).rfind('\n')?;
    let start = span.start() + first_newline + 1;
    let end = span.start() + last_newline + 1;
    let indent = if source.starts_with("<<-") { first_indent(&text[start..end]) } else { 0 };
    let (content, map) = indented_block(text, start, end, indent)?;
    Some(Body::Text { text: content, map, note: None })
}

/// An HCL expression as a span-tree node: objects, arrays and literals as they are, and
/// anything computed (references, function calls, interpolations) as a `${...}`
/// placeholder holding its source text.
fn to_node(text: &str, expr: &Expression, depth: usize) -> Node<'static> {
    let span = span_of(expr).unwrap_or_default();
    let source = || text.get(span.range()).unwrap_or_default().to_string();
    let kind = match expr {
        _ if depth > MAX_DEPTH => Kind::String(format!("${{{}}}", source()).into()),
        Expression::Null(_) => Kind::Null,
        Expression::Bool(b) => Kind::Bool(*b.value()),
        Expression::Number(n) => Kind::Number(n.value().as_f64().unwrap_or(f64::NAN)),
        Expression::String(s) => Kind::String(s.value().as_str().to_string().into()),
        Expression::StringTemplate(_) => {
            let raw = source();
            let unquoted = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')).map(str::to_string);
            Kind::String(unquoted.unwrap_or(raw).into())
        }
        Expression::Array(items) => Kind::Array(items.iter().map(|item| to_node(text, item, depth + 1)).collect()),
        Expression::Object(object) => Kind::Object(
            object
                .iter()
                .map(|(key, value)| {
                    let (key, key_span) = match key {
                        ObjectKey::Ident(ident) => {
                            (ident.as_str().to_string(), ident.span().map(|r| Span::new(r.start, r.end)).unwrap_or_default())
                        }
                        ObjectKey::Expression(expr) => {
                            let key_span = span_of(expr).unwrap_or_default();
                            let key = match expr {
                                Expression::String(s) => s.value().to_string(),
                                _ => format!("${{{}}}", text.get(key_span.range()).unwrap_or_default()),
                            };
                            (key, key_span)
                        }
                    };
                    Member { key: key.into(), key_span, value: to_node(text, value.expr(), depth + 1) }
                })
                .collect(),
        ),
        Expression::Parenthesis(inner) => return to_node(text, inner.inner(), depth + 1),
        _ => Kind::String(format!("${{{}}}", source()).into()),
    };
    Node { kind, span }
}

/// hcl-edit parses recursively: refuse nesting past the limit before handing it the text.
fn check_depth(text: &str) -> Result<(), ParseError> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, b) in text.bytes().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' if in_string => escaped = true,
            b'"' => in_string = !in_string,
            b'\n' => in_string = false,
            b'{' | b'[' | b'(' if !in_string => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(ParseError { message: format!("nesting is deeper than {MAX_DEPTH} levels"), offset: i });
                }
            }
            b'}' | b']' | b')' if !in_string => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starters_of(extra: &str) -> super::super::Starters {
        let text = format!(
            "resource \"aws_sfn_state_machine\" \"sfn\" {{\n  type = \"EXPRESS\"\n  definition = file(\"flow.asl.json\")\n}}\n{extra}"
        );
        let machines = parse_terraform(Path::new("main.tf"), &text).unwrap();
        machines[0].starters.clone()
    }

    #[test]
    fn synchronous_starts_from_integrations_and_permissions() {
        let integration = "resource \"aws_apigatewayv2_integration\" \"i\" {\n  integration_subtype = \"StepFunctions-StartSyncExecution\"\n  request_parameters = { StateMachineArn = aws_sfn_state_machine.sfn.arn }\n}\n";
        assert!(starters_of(integration).only_synchronous().is_some());
        let policy = "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({Statement = [{Action = [\"states:StartSyncExecution\"], Resource = aws_sfn_state_machine.sfn.arn}]})\n}\n";
        assert!(starters_of(policy).only_synchronous().is_some());
        let asynchronous = "resource \"aws_api_gateway_integration\" \"i\" {\n  uri = \"arn:aws:apigateway:us-east-1:states:action/StartExecution\"\n  request_templates = { x = aws_sfn_state_machine.sfn.name }\n}\n";
        assert!(starters_of(&format!("{integration}{asynchronous}")).other);
        let rule = "resource \"aws_cloudwatch_event_target\" \"t\" {\n  arn = aws_sfn_state_machine.sfn.arn\n}\n";
        assert!(starters_of(&format!("{policy}{rule}")).other);
        // A data source that renders a file nobody can read starts nothing itself.
        let rendered = "data \"template_file\" \"api\" {\n  template = file(\"${path.module}/missing.yaml\")\n  vars = { arn = aws_sfn_state_machine.sfn.arn }\n}\n";
        assert!(starters_of(&format!("{policy}{rendered}")).only_synchronous().is_some());
        assert_eq!(starters_of(""), Default::default());
        // Another machine whose name begins with this one's starts only that one.
        let other_machine = "resource \"aws_cloudwatch_event_target\" \"t\" {\n  arn = aws_sfn_state_machine.sfn2.arn\n}\n";
        assert_eq!(starters_of(other_machine), Default::default());
    }

    #[test]
    fn a_name_terraform_would_refuse_is_looked_for_block_by_block() {
        let text = "resource \"aws_sfn_state_machine\" \"my.sfn\" {\n  type = \"EXPRESS\"\n}\nresource \"aws_cloudwatch_event_target\" \"t\" {\n  arn = aws_sfn_state_machine.my.sfn.arn\n}\n";
        let machines = parse_terraform(Path::new("main.tf"), text).unwrap();
        assert_eq!(machines[0].name, "aws_sfn_state_machine.my.sfn");
        assert!(machines[0].starters.other);
    }
}

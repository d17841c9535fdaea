//! CloudFormation and SAM templates, JSON and YAML: `AWS::StepFunctions::StateMachine`
//! and `AWS::Serverless::StateMachine` with `Definition`, `DefinitionString` (a string,
//! `Fn::Sub`, a `!Sub |` block scalar, `Fn::Join`), `DefinitionUri` or a local
//! `DefinitionS3Location`.

use std::path::Path;

use super::spanmap::{SpanMap, first_indent, indented_block, json_string};
use super::{Body, Hosted, Resources, WorkflowType, relative_to};
use crate::syntax::{Kind, Node, has_placeholder, push_token};

pub(super) fn find<'t>(path: &'t Path, text: &'t str, root: &'t Node<'t>) -> Option<Vec<Hosted<'t>>> {
    let resources = root.get("Resources")?.members()?;
    let mut found = Vec::new();
    let mut any = false;
    let kind = |member: &crate::syntax::Member| match member.value.get("Type").and_then(Node::as_str) {
        Some("AWS::StepFunctions::StateMachine") => Some(false),
        Some("AWS::Serverless::StateMachine") => Some(true),
        _ => None,
    };
    let machines: Vec<&str> = resources.iter().filter(|m| kind(m).is_some()).map(|m| &*m.key).collect();
    let mut starters = super::starters::all(resources, &machines).into_iter();
    for member in resources {
        let Some(sam) = kind(member) else { continue };
        any = true;
        let properties = member.value.get("Properties");
        let properties_pointer = push_token(&push_token("/Resources", &member.key), "Properties");
        let type_field = if sam { "Type" } else { "StateMachineType" };
        let (workflow_type, type_span) = match properties.and_then(|p| p.get(type_field)) {
            Some(node) => (WorkflowType::declared(node), Some(node.span)),
            // The default is STANDARD: no label needed for what nobody wrote.
            None => (WorkflowType::Standard, None),
        };
        let get = |name: &str| properties.and_then(|p| p.member(name));
        let (field, body) = if let Some(definition) = get("Definition") {
            ("Definition", Body::Tree(&definition.value))
        } else if let Some(string) = get("DefinitionString") {
            ("DefinitionString", definition_string(text, &string.value))
        } else if let Some(uri) = get("DefinitionUri").or_else(|| get("DefinitionS3Location")) {
            match uri.value.as_str().filter(|u| !u.starts_with("s3://") && !has_placeholder(u)) {
                Some(local) => (&*uri.key, Body::File { path: relative_to(path, local), span: uri.value.span, certain: true }),
                None => (&*uri.key, Body::Elsewhere),
            }
        } else {
            ("Properties", Body::Elsewhere)
        };
        let substitutions = get("DefinitionSubstitutions").map(|m| &m.value).or_else(|| sub_variables(get("DefinitionString")?));
        let ignore = member
            .value
            .get("Metadata")
            .and_then(|m| m.get("sfn-lint"))
            .and_then(|m| m.get("ignore"))
            .and_then(Node::as_array)
            .unwrap_or_default()
            .iter()
            .filter_map(|code| Some((code.as_str()?.to_string(), code.span)))
            .collect();
        found.push(Hosted {
            name: member.key.to_string(),
            pointer_prefix: push_token(&properties_pointer, field),
            body,
            workflow_type,
            type_span,
            resources: Some(Resources { path: Some(path), ..Resources::new(root, substitutions) }),
            starters: starters.next().unwrap_or_default(),
            ignore,
        });
    }
    any.then_some(found)
}

/// The template text of a `DefinitionString`: a string, or a `Fn::Sub`'s template.
pub(super) fn sub_template<'a>(node: &'a Node<'a>) -> Option<&'a str> {
    match &node.kind {
        Kind::String(text) => Some(text),
        Kind::Tagged(tagged) if &*tagged.tag == "Sub" => tagged.node.as_str().or_else(|| tagged.node.as_array()?.first()?.as_str()),
        Kind::Object(members) if members.len() == 1 && &*members[0].key == "Fn::Sub" => {
            members[0].value.as_str().or_else(|| members[0].value.as_array()?.first()?.as_str())
        }
        _ => None,
    }
}

/// The variable map of `Fn::Sub: [template, {vars}]`.
fn sub_variables<'a>(member: &'a crate::syntax::Member<'a>) -> Option<&'a Node<'a>> {
    let args = match (&member.value.kind, member.value.tagged()) {
        (_, Some(("Sub", inner))) => inner.as_array()?,
        (Kind::Object(_), _) => member.value.get("Fn::Sub")?.as_array()?,
        _ => return None,
    };
    args.get(1).filter(|vars| vars.is_object())
}

/// The text of a `DefinitionString` and where it lies in the template.
fn definition_string<'t>(text: &str, node: &'t Node<'t>) -> Body<'t> {
    match &node.kind {
        Kind::String(_) => scalar(text, node),
        Kind::Tagged(tagged) if &*tagged.tag == "Sub" => match &tagged.node.kind {
            Kind::Array(args) => args.first().map_or_else(|| whole(node), |first| scalar(text, first)),
            _ => scalar(text, &tagged.node),
        },
        Kind::Tagged(tagged) if &*tagged.tag == "Join" => join(node, &tagged.node),
        Kind::Object(members) if members.len() == 1 => match (&*members[0].key, &members[0].value.kind) {
            ("Fn::Sub", Kind::Array(args)) => args.first().map_or_else(|| whole(node), |first| scalar(text, first)),
            ("Fn::Sub", _) => scalar(text, &members[0].value),
            ("Fn::Join", _) => join(node, &members[0].value),
            _ => whole(node),
        },
        _ => whole(node),
    }
}

fn whole<'t>(node: &Node) -> Body<'t> {
    let text = node.as_str().unwrap_or_default().to_string();
    Body::Text {
        text,
        map: SpanMap::Whole(node.span),
        note: Some("the definition is built by a template function, so the whole expression is marked"),
    }
}

/// A string scalar of the template: exact positions for a JSON string (escapes mapped), a
/// plain or quoted YAML scalar without escapes, and a `|` block scalar.
fn scalar<'t>(text: &str, node: &Node) -> Body<'t> {
    let Some(value) = node.as_str() else { return whole(node) };
    let source = &text[node.span.start().min(text.len())..node.span.end().min(text.len())];
    if source.starts_with('"') {
        if let Some((decoded, map)) = json_string(text, node.span).filter(|(d, _)| d == value) {
            return Body::Text { text: decoded, map, note: None };
        }
    }
    if source == value {
        return Body::Text { text: value.to_string(), map: SpanMap::Offset(node.span.start()), note: None };
    }
    if source.len() == value.len() + 2 && &source[1..source.len() - 1] == value {
        return Body::Text { text: value.to_string(), map: SpanMap::Offset(node.span.start() + 1), note: None };
    }
    // A block scalar: a header line (`|`, `|-`, perhaps after a tag), then indented lines.
    if let Some(newline) = source.find('\n') {
        let header = source[..newline].trim();
        let header = if header.starts_with('!') { header.split_once(' ').map_or("", |(_, rest)| rest.trim()) } else { header };
        if header.starts_with('|') {
            let start = node.span.start() + newline + 1;
            let indent = first_indent(&text[start..node.span.end()]);
            if let Some((decoded, map)) = indented_block(text, start, node.span.end(), indent) {
                if decoded.trim_end() == value.trim_end() {
                    return Body::Text { text: value.to_string(), map, note: None };
                }
            }
        }
    }
    Body::Text {
        text: value.to_string(),
        map: SpanMap::Whole(node.span),
        note: Some("the definition is a folded or escaped string, so the whole string is marked"),
    }
}

/// `Fn::Join: [separator, [parts]]`: the parts joined, references written as `${Name}`.
fn join<'t>(node: &Node, args: &Node) -> Body<'t> {
    let note = Some("the definition is assembled by `Fn::Join`, so the whole expression is marked");
    let (Some(separator), Some(parts)) =
        (args.as_array().and_then(|a| a.first()).and_then(Node::as_str), args.as_array().and_then(|a| a.get(1)).and_then(Node::as_array))
    else {
        return Body::Text { text: String::new(), map: SpanMap::Whole(node.span), note };
    };
    let pieces: Vec<String> = parts
        .iter()
        .map(|part| match &part.kind {
            Kind::String(s) => s.to_string(),
            Kind::Tagged(tagged) if &*tagged.tag == "Ref" => format!("${{{}}}", tagged.node.as_str().unwrap_or("Ref")),
            Kind::Object(members) if members.len() == 1 && &*members[0].key == "Ref" => {
                format!("${{{}}}", members[0].value.as_str().unwrap_or("Ref"))
            }
            Kind::Object(members) if members.len() == 1 && &*members[0].key == "Fn::GetAtt" => {
                let names: Vec<&str> = members[0].value.as_array().unwrap_or_default().iter().filter_map(Node::as_str).collect();
                format!("${{{}}}", names.join("."))
            }
            _ => "${Value}".to_string(),
        })
        .collect();
    Body::Text { text: pieces.join(separator), map: SpanMap::Whole(node.span), note }
}

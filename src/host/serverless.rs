//! Serverless Framework (`serverless.yml` / `.yaml` / `.json`): the state machines under
//! `stepFunctions.stateMachines`, with an inline `definition` or `${file(...)}`.

use std::path::Path;

use super::{Body, Hosted, Resources, WorkflowType, relative_to};
use crate::syntax::{Node, push_token};

pub(super) fn find<'t>(path: &Path, root: &'t Node) -> Option<Vec<Hosted<'t>>> {
    let name = path.file_name()?.to_str()?;
    if !name.starts_with("serverless.") {
        return None;
    }
    let machines = root.get("stepFunctions")?.get("stateMachines")?.members()?;
    // The CloudFormation resources a Serverless service declares, for `!Ref` and `!GetAtt`.
    let resources = root.get("resources").filter(|r| r.get("Resources").is_some()).map(|template| Resources::new(template, None));
    let mut found = Vec::new();
    for machine in machines {
        let (workflow_type, type_span) = match machine.value.get("type") {
            Some(node) => (WorkflowType::declared(node), Some(node.span)),
            None => (WorkflowType::Standard, None),
        };
        let definition = machine.value.get("definition");
        let body = match (definition.and_then(Node::as_str), definition) {
            (Some(text), Some(node)) => match text.strip_prefix("${file(").and_then(|rest| rest.split_once(')')) {
                // `${file(./definition.json)}`; a `:key` suffix selects part of the file.
                Some((file, rest)) if !rest.starts_with(':') => {
                    Body::File { path: relative_to(path, file.trim()), span: node.span, certain: true }
                }
                _ => Body::Elsewhere(format!("the definition is `{text}`")),
            },
            (None, Some(node)) if node.is_object() => Body::Tree(node),
            _ => Body::Elsewhere("no definition".into()),
        };
        let machines_pointer = push_token(&push_token("/stepFunctions", "stateMachines"), &machine.key);
        found.push(Hosted {
            name: machine.key.to_string(),
            pointer_prefix: push_token(&machines_pointer, "definition"),
            body,
            workflow_type,
            type_span,
            resources,
            ignore: Vec::new(),
        });
    }
    Some(found)
}

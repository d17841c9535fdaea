//! Serverless Framework (`serverless.yml` / `.yaml` / `.json`, or any file with
//! `stepFunctions.stateMachines`): the state machines under
//! `stepFunctions.stateMachines`, with an inline `definition` or `${file(...)}`.

use std::path::Path;

use super::{Body, Hosted, Resources, Starters, WorkflowType, relative_to};
use crate::syntax::{Node, push_token};

/// A Serverless service by its name (`serverless.yml`) or, under any name (`sls.yml`,
/// `serverless-prod.yml`), by its `stepFunctions.stateMachines`.
pub(super) fn find<'t>(path: &Path, root: &'t Node<'t>) -> Option<Vec<Hosted<'t>>> {
    let named = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("serverless."));
    let state_machines = root.get("stepFunctions").and_then(|s| s.get("stateMachines"));
    if !named && state_machines.is_none() {
        return None;
    }
    let machines = state_machines?.members()?;
    // The CloudFormation resources a Serverless service declares, for `!Ref` and `!GetAtt`.
    // and its `functions`, which the Step Functions plugin lets `Fn::GetAtt` name directly.
    let template = root.get("resources").filter(|r| r.get("Resources").is_some()).unwrap_or(root);
    let resources = Some(Resources { functions: root.get("functions"), ..Resources::new(template, None) });
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
                _ => Body::Elsewhere,
            },
            (None, Some(node)) if node.is_object() => Body::Tree(node),
            _ => Body::Elsewhere,
        };
        let machines_pointer = push_token(&push_token("/stepFunctions", "stateMachines"), &machine.key);
        found.push(Hosted {
            name: machine.key.to_string(),
            pointer_prefix: push_token(&machines_pointer, "definition"),
            body,
            workflow_type,
            type_span,
            resources,
            // Its `events` (HTTP, schedules) start it; whether synchronously is not shown.
            starters: Starters { synchronous: None, other: machine.value.get("events").is_some() },
            ignore: Vec::new(),
        });
    }
    Some(found)
}

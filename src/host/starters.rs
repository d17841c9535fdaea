//! What starts a state machine, as its CloudFormation or SAM template shows it: API Gateway
//! and HTTP API integrations, EventBridge Pipes, event sources, other state machines and
//! anything else that is given its ARN. Only a start the template shows to be synchronous
//! (`StartSyncExecution`) counts as synchronous; every other reference may start it
//! asynchronously.

use super::Starters;
use crate::syntax::{Kind, Node};

/// Resources that name a state machine to watch it, never to start it.
const NOT_STARTERS: &[&str] = &["AWS::CloudWatch::Alarm", "AWS::CloudWatch::Dashboard"];

/// What the references to a state machine say, before they are weighed.
#[derive(Default)]
struct Evidence {
    /// A use that starts it synchronously (an integration, a Pipe), the first found.
    synchronous: Option<crate::syntax::Span>,
    /// A use that may start it otherwise.
    other: bool,
    /// IAM statements that let something start it: synchronously only, or otherwise.
    granted_synchronous: Option<crate::syntax::Span>,
    granted_other: bool,
}

/// The starters of the state machines `ids` in a template's `Resources`, found in one
/// walk of the template. The uses of a machine decide; where the template shows none (an
/// API defined in another file), the IAM permissions to start it do:
/// `states:StartSyncExecution` alone is a synchronous start.
pub(super) fn all(resources: &[crate::syntax::Member], ids: &[&str]) -> Vec<Starters> {
    let index: foldhash::HashMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut evidence: Vec<Evidence> = ids.iter().map(|_| Evidence::default()).collect();
    for resource in resources {
        let own = index.get(&*resource.key).copied();
        if let Some(own) = own {
            // SAM event sources (`Events:`) start it asynchronously.
            let events = resource.value.get("Properties").and_then(|p| p.get("Events"));
            evidence[own].other |= events.and_then(Node::members).is_some_and(|m| !m.is_empty());
        }
        let kind = resource.value.get("Type").and_then(Node::as_str).unwrap_or_default();
        if NOT_STARTERS.contains(&kind) || kind.starts_with("AWS::Logs::") {
            continue;
        }
        let mut walk = Walk { index: &index, own, pipe: kind == "AWS::Pipes::Pipe", ancestors: Vec::new(), evidence: &mut evidence };
        walk.visit(&resource.value, &resource.key);
    }
    evidence.into_iter().map(Evidence::weigh).collect()
}

impl Evidence {
    fn weigh(self) -> Starters {
        let synchronous = match (self.synchronous, self.other) {
            (_, true) => None,
            (Some(span), false) => Some(span),
            (None, false) => self.granted_synchronous.filter(|_| !self.granted_other),
        };
        Starters { synchronous: synchronous.map(|span| (None, span)), other: synchronous.is_none() && (self.other || self.granted_other) }
    }
}

/// A walk of one resource for references to the machines.
struct Walk<'w, 't> {
    index: &'w foldhash::HashMap<&'w str, usize>,
    /// The machine the resource is, whose references to itself start nothing.
    own: Option<usize>,
    pipe: bool,
    /// The objects around the node visited, outermost first.
    ancestors: Vec<&'t Node<'t>>,
    evidence: &'w mut [Evidence],
}

impl<'t> Walk<'_, 't> {
    /// Visits `node`, held by the member `key`.
    fn visit(&mut self, node: &'t Node<'t>, key: &str) {
        let mut referenced = false;
        match &node.kind {
            Kind::String(text) => {
                for id in mentioned(text) {
                    referenced |= self.record(id, node, key);
                }
            }
            _ => {
                if let Some(id) = referred(node) {
                    referenced |= self.record(id, node, key);
                }
            }
        }
        if referenced {
            return;
        }
        match &node.kind {
            Kind::Object(members) => {
                self.ancestors.push(node);
                for member in members {
                    self.visit(&member.value, &member.key);
                }
                self.ancestors.pop();
            }
            Kind::Array(items) => items.iter().for_each(|item| self.visit(item, key)),
            Kind::Tagged(tagged) => self.visit(&tagged.node, key),
            _ => {}
        }
    }

    /// Weighs a reference to `id` at `node`; whether `id` is one of the machines.
    fn record(&mut self, id: &str, node: &'t Node<'t>, key: &str) -> bool {
        let Some(&machine) = self.index.get(id).filter(|&&m| Some(m) != self.own) else { return false };
        let evidence = &mut self.evidence[machine];
        if let Some(grant) = granted(&self.ancestors) {
            match grant {
                Grant::Synchronous(action) => {
                    evidence.granted_synchronous.get_or_insert(action.span);
                }
                Grant::Other => evidence.granted_other = true,
                Grant::Nothing => {}
            }
            return true;
        }
        match synchronous_start(node, key, &self.ancestors, self.pipe) {
            Some(marker) => {
                evidence.synchronous.get_or_insert(marker.span);
            }
            None => evidence.other = true,
        }
        true
    }
}

/// What an IAM statement around a reference lets its holder do to the state machine.
enum Grant<'t> {
    /// Start it with `StartSyncExecution` only (the action, for a label).
    Synchronous(&'t Node<'t>),
    /// Start it otherwise (`StartExecution`, `states:*`), or be given it by a SAM policy
    /// template (`StepFunctionsExecutionPolicy`).
    Other,
    /// Nothing that starts it (`DescribeExecution`).
    Nothing,
}

/// The grant of the innermost IAM statement (an object with `Action`) or SAM policy
/// template around a reference, if it lies in one.
fn granted<'t>(ancestors: &[&'t Node<'t>]) -> Option<Grant<'t>> {
    for object in ancestors.iter().rev() {
        if object.get("StepFunctionsExecutionPolicy").is_some() {
            return Some(Grant::Other);
        }
        let Some(action) = object.get("Action") else { continue };
        let actions: Vec<&Node> = match &action.kind {
            Kind::Array(items) => items.iter().collect(),
            _ => vec![action],
        };
        let starts = |pattern: fn(&str) -> bool| actions.iter().copied().find(|a| a.as_str().is_some_and(pattern));
        if starts(|a| {
            let a = a.to_ascii_lowercase();
            matches!(a.as_str(), "states:startexecution" | "states:*" | "states:start*" | "*")
        })
        .is_some()
        {
            return Some(Grant::Other);
        }
        return Some(match starts(|a| a.eq_ignore_ascii_case("states:StartSyncExecution")) {
            Some(action) => Grant::Synchronous(action),
            None => Grant::Nothing,
        });
    }
    None
}

/// The marker that makes the innermost integration around a reference a synchronous start:
/// an API Gateway `StartSyncExecution` URI or subtype, a state machine's
/// `startSyncExecution` Task, a Pipe's enrichment or `REQUEST_RESPONSE` target.
fn synchronous_start<'t>(reference: &'t Node<'t>, key: &str, ancestors: &[&'t Node<'t>], pipe: bool) -> Option<&'t Node<'t>> {
    for object in ancestors.iter().rev() {
        for member in object.members().unwrap_or_default() {
            let text = text_of(&member.value);
            match member.key.to_ascii_lowercase().as_str() {
                "integrationsubtype" => return text.is_some_and(|t| t.ends_with("StartSyncExecution")).then_some(&member.value),
                "uri" | "integrationuri" | "resource" if text.is_some_and(|t| t.contains("states:")) => {
                    return text
                        .is_some_and(|t| t.contains("StartSyncExecution") || t.contains("startSyncExecution"))
                        .then_some(&member.value);
                }
                _ => {}
            }
        }
    }
    // A Pipe's `Properties`: the enrichment waits for the state machine, and so does a
    // target whose invocation type is `REQUEST_RESPONSE`.
    if !pipe || ancestors.len() != 2 {
        return None;
    }
    match key {
        "Enrichment" => Some(reference),
        "Target" => {
            let parameters = ancestors[1].get("TargetParameters")?.get("StepFunctionStateMachineParameters")?;
            parameters.get("InvocationType").filter(|t| t.as_str() == Some("REQUEST_RESPONSE"))
        }
        _ => None,
    }
}

/// The text of a string, or of the template of a `Fn::Sub`.
fn text_of<'a>(node: &'a Node<'a>) -> Option<&'a str> {
    match &node.kind {
        Kind::String(text) => Some(text),
        Kind::Tagged(tagged) if &*tagged.tag == "Sub" => match &tagged.node.kind {
            Kind::Array(items) => items.first().and_then(Node::as_str),
            _ => tagged.node.as_str(),
        },
        Kind::Object(members) if members.len() == 1 && &*members[0].key == "Fn::Sub" => match &members[0].value.kind {
            Kind::Array(items) => items.first().and_then(Node::as_str),
            _ => members[0].value.as_str(),
        },
        _ => None,
    }
}

/// The resource that `!Ref id`, `!GetAtt id.Arn`, `{"Ref": id}` or `{"Fn::GetAtt": [id, ...]}`
/// names.
fn referred<'a>(node: &'a Node<'a>) -> Option<&'a str> {
    let target = match &node.kind {
        Kind::Tagged(tagged) if matches!(&*tagged.tag, "Ref" | "GetAtt") => &tagged.node,
        Kind::Object(members) if members.len() == 1 && matches!(&*members[0].key, "Ref" | "Fn::GetAtt") => &members[0].value,
        _ => return None,
    };
    match &target.kind {
        Kind::String(text) => text.split('.').next(),
        Kind::Array(items) => items.first().and_then(Node::as_str),
        _ => None,
    }
}

/// The resources that `${id}` or `${id.Arn}` name in a `Fn::Sub` template.
fn mentioned(text: &str) -> impl Iterator<Item = &str> {
    text.split("${").skip(1).filter_map(|rest| {
        let end = rest.find(['}', '.'])?;
        Some(&rest[..end])
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{Format, parse};

    fn starters(yaml: &str) -> Starters {
        let root = parse(yaml, Format::Yaml).unwrap();
        all(root.get("Resources").unwrap().members().unwrap(), &["Machine"]).remove(0)
    }

    #[test]
    fn api_gateway_start_sync_execution_is_synchronous() {
        let found = starters(
            "Resources:
  Machine: {Type: AWS::Serverless::StateMachine, Properties: {Type: EXPRESS}}
  Role:
    Type: AWS::IAM::Role
    Properties: {Policies: [{PolicyDocument: {Statement: [{Action: states:StartExecution, Resource: !Ref Machine}]}}]}
  Integration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      IntegrationSubtype: StepFunctions-StartSyncExecution
      RequestParameters: {StateMachineArn: !Ref Machine}
",
        );
        assert!(found.synchronous.is_some());
        assert!(!found.other);
        assert!(found.only_synchronous().is_some());
    }

    #[test]
    fn rest_api_uri_and_openapi_bodies() {
        let sync = starters(
            "Resources:
  Machine: {Type: AWS::StepFunctions::StateMachine}
  Api:
    Type: AWS::Serverless::Api
    Properties:
      DefinitionBody:
        paths:
          /a:
            post:
              x-amazon-apigateway-integration:
                uri: !Sub arn:aws:apigateway:${AWS::Region}:states:action/StartSyncExecution
                requestTemplates:
                  application/json: !Sub '{\"stateMachineArn\": \"${Machine}\"}'
",
        );
        // `${Machine}` in a mapping template names the machine the integration starts.
        assert!(sync.only_synchronous().is_some());
        let method = starters(
            "Resources:
  Machine: {Type: AWS::StepFunctions::StateMachine}
  Method:
    Type: AWS::ApiGateway::Method
    Properties:
      Integration:
        Uri: !Sub arn:aws:apigateway:${AWS::Region}:states:action/StartExecution
        RequestTemplates: {application/json: {'Fn::Sub': ['{}', {arn: !Ref Machine}]}}
",
        );
        assert!(method.other && method.synchronous.is_none());
    }

    #[test]
    fn permissions_decide_when_no_use_is_shown() {
        let granted = |actions: &str| {
            starters(&format!(
                "Resources:
  Machine: {{Type: AWS::Serverless::StateMachine, Properties: {{Type: EXPRESS}}}}
  ApiRole:
    Type: AWS::IAM::Role
    Properties:
      Policies:
        - PolicyDocument:
            Statement:
              - Action: {actions}
                Resource: !GetAtt Machine.Arn
"
            ))
        };
        assert!(granted("states:StartSyncExecution").only_synchronous().is_some());
        assert!(granted("[states:StartExecution, states:StartSyncExecution]").other);
        assert_eq!(granted("states:DescribeExecution"), Starters::default());
        // A use the template shows outweighs a permission.
        let used = starters(
            "Resources:
  Machine: {Type: AWS::StepFunctions::StateMachine}
  Role:
    Type: AWS::IAM::Role
    Properties: {Policies: [{PolicyDocument: {Statement: [{Action: [states:StartExecution, states:StartSyncExecution], Resource: !Ref Machine}]}}]}
  Pipe: {Type: AWS::Pipes::Pipe, Properties: {Enrichment: !Ref Machine}}
",
        );
        assert!(used.only_synchronous().is_some());
        let sam_policy = starters(
            "Resources:
  Machine: {Type: AWS::StepFunctions::StateMachine}
  Fn: {Type: AWS::Serverless::Function, Properties: {Policies: [{StepFunctionsExecutionPolicy: {StateMachineName: !GetAtt Machine.Name}}]}}
",
        );
        assert!(sam_policy.other);
    }

    #[test]
    fn pipes_events_and_other_references() {
        let pipe = starters(
            "Resources:
  Machine: {Type: AWS::StepFunctions::StateMachine}
  Pipe:
    Type: AWS::Pipes::Pipe
    Properties:
      Enrichment: !GetAtt Machine.Arn
",
        );
        assert!(pipe.only_synchronous().is_some());
        let target = starters(
            "Resources:
  Machine: {Type: AWS::StepFunctions::StateMachine}
  Pipe:
    Type: AWS::Pipes::Pipe
    Properties:
      Target: !Ref Machine
      TargetParameters: {StepFunctionStateMachineParameters: {InvocationType: FIRE_AND_FORGET}}
",
        );
        assert!(target.other);
        let events = starters(
            "Resources:\n  Machine:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      Events: {Nightly: {Type: Schedule}}\n",
        );
        assert!(events.other);
        let function = starters(
            "Resources:
  Machine: {Type: AWS::StepFunctions::StateMachine}
  Fn: {Type: AWS::Serverless::Function, Properties: {Environment: {Variables: {ARN: !Ref Machine}}}}
",
        );
        assert!(function.other);
        assert_eq!(starters("Resources:\n  Machine: {Type: AWS::StepFunctions::StateMachine}\n"), Starters::default());
    }
}

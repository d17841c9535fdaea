//! A Task's `Resource`, parsed into the integration it calls.

use super::catalog::{NamedKind, catalog};
use crate::host::{Resources, SERVERLESS_FUNCTION};
use crate::syntax::{Kind, Node, has_placeholder};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pattern {
    /// Request-response: call and move on.
    Request,
    /// `.sync`: run a job and wait for it.
    Sync,
    /// `.sync:2`.
    Sync2,
    /// `.waitForTaskToken`: wait for a callback.
    WaitForTaskToken,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Integration<'a> {
    /// `arn:aws:states:::service:action[.pattern]`
    Optimized { service: &'a str, action: &'a str, pattern: Pattern },
    /// `arn:aws:states:::aws-sdk:service:action[.pattern]`
    Sdk { service: &'a str, action: &'a str, pattern: Pattern },
    /// `arn:aws:states:::http:invoke`
    Http,
    /// `arn:aws:lambda:region:account:function:name[:qualifier]`
    LambdaFunction { name: &'a str },
    /// `arn:aws:states:region:account:activity:name`
    Activity { name: &'a str },
    /// Filled in at deploy time: a `${...}` placeholder or a template intrinsic that hides
    /// the service.
    Placeholder,
}

/// Why a `Resource` is not one AWS accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResourceError<'a> {
    /// Not a string; the JSON type it is.
    NotString(&'static str),
    /// Does not start with `arn:`.
    NotArn(&'a str),
    /// An ARN of the wrong shape.
    Malformed(&'a str, Malformed<'a>),
    /// `.waitForTaskToken` on a Lambda function ARN.
    CallbackOnFunction,
    /// A `.suffix` that is not an integration pattern.
    UnknownPattern(&'a str),
    /// `.sync` on an AWS SDK integration.
    SyncOnSdk,
}

/// What is wrong with the shape of an ARN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Malformed<'a> {
    /// Not `arn:partition:service:region:account:resource`.
    Parts,
    Partition(&'a str),
    /// An activity ARN without a region, account or name.
    Activity,
    /// A Lambda ARN that names no `function:`.
    NoFunction,
    /// A Lambda ARN whose version or alias after `function:name:` is empty.
    EmptyQualifier,
    /// A function name or qualifier with characters names cannot have.
    FunctionName,
    /// A service that is neither `states` nor `lambda`.
    Service(&'a str),
    /// Not `service:action`.
    IntegrationParts,
    /// A service or action name with characters names cannot have.
    IntegrationName,
}

impl Integration<'_> {
    /// `lambda:invoke`, optimized or through the SDK: a function named by `FunctionName`.
    pub fn is_lambda_invoke(&self) -> bool {
        matches!(
            self,
            Integration::Optimized { service: "lambda", action: "invoke", .. }
                | Integration::Sdk { service: "lambda", action: "invoke", .. }
        )
    }
}

const PARTITIONS: &[&str] = &["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"];

/// Parses a `Resource` value.
pub fn parse<'a>(node: &'a Node<'a>) -> Result<Integration<'a>, ResourceError<'a>> {
    match node.as_str() {
        Some(text) => parse_arn(text),
        None if node.is_placeholder() => Ok(Integration::Placeholder),
        None => Err(ResourceError::NotString(node.type_name())),
    }
}

pub fn parse_arn(text: &str) -> Result<Integration<'_>, ResourceError<'_>> {
    let Some(rest) = text.strip_prefix("arn:") else {
        return if has_placeholder(text) { Ok(Integration::Placeholder) } else { Err(ResourceError::NotArn(text)) };
    };
    // Placeholders such as `${AWS::Partition}` hold colons: split around them.
    let Some([partition, service, region, _account, resource]) = split_arn(rest) else {
        return fallback(text, Malformed::Parts);
    };
    if !PARTITIONS.contains(&partition) && !has_placeholder(partition) {
        return fallback(text, Malformed::Partition(partition));
    }
    match service {
        "states" => match resource.strip_prefix("activity:") {
            Some(name) if !region.is_empty() && valid_name(name) => Ok(Integration::Activity { name }),
            Some(_) => fallback(text, Malformed::Activity),
            // Integrations are written with `:::`, but AWS also accepts them with a region
            // and account, as definitions exported from the console show.
            None => parse_integration(text, resource),
        },
        "lambda" => {
            let Some(function) = resource.strip_prefix("function:") else {
                return fallback(text, Malformed::NoFunction);
            };
            let (name, qualifier) = function.split_once(':').unwrap_or((function, ""));
            if function.ends_with(':') && !name.is_empty() {
                return fallback(text, Malformed::EmptyQualifier);
            }
            if name.contains(".waitForTaskToken") || qualifier.contains(".waitForTaskToken") {
                return Err(ResourceError::CallbackOnFunction);
            }
            if !valid_name(name)
                || qualifier.contains(':')
                || !qualifier.chars().all(|c| c.is_ascii_alphanumeric() || "-_$".contains(c) || has_placeholder(qualifier))
            {
                return fallback(text, Malformed::FunctionName);
            }
            Ok(Integration::LambdaFunction { name })
        }
        _ if has_placeholder(service) => Ok(Integration::Placeholder),
        other => fallback(text, Malformed::Service(other)),
    }
}

/// `service:action[.pattern]`, `aws-sdk:service:action[.pattern]` or `http:invoke`.
fn parse_integration<'a>(text: &'a str, resource: &'a str) -> Result<Integration<'a>, ResourceError<'a>> {
    let (sdk, rest) = match resource.strip_prefix("aws-sdk:") {
        Some(rest) => (true, rest),
        None => (false, resource),
    };
    let Some((service, action)) = rest.split_once(':') else {
        return fallback(text, Malformed::IntegrationParts);
    };
    let (action, pattern) = match action.split_once('.') {
        None => (action, Pattern::Request),
        Some((action, "sync")) => (action, Pattern::Sync),
        Some((action, "sync:2")) => (action, Pattern::Sync2),
        Some((action, "waitForTaskToken")) => (action, Pattern::WaitForTaskToken),
        Some((_, other)) => {
            return Err(ResourceError::UnknownPattern(other));
        }
    };
    let service_ok = !service.is_empty() && service.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    let action_ok = !action.is_empty() && action.chars().all(|c| c.is_ascii_alphanumeric());
    if !service_ok || !action_ok {
        return fallback(text, Malformed::IntegrationName);
    }
    if sdk {
        if matches!(pattern, Pattern::Sync | Pattern::Sync2) {
            return Err(ResourceError::SyncOnSdk);
        }
        return Ok(Integration::Sdk { service, action, pattern });
    }
    if service == "http" && action == "invoke" && pattern == Pattern::Request {
        return Ok(Integration::Http);
    }
    Ok(Integration::Optimized { service, action, pattern })
}

/// Splits the part after `arn:` on colons, never inside `${...}`; the resource part keeps
/// its own colons.
fn split_arn(rest: &str) -> Option<[&str; 5]> {
    let mut parts = [""; 5];
    let mut found = 0;
    let mut depth = 0usize;
    let mut start = 0;
    let bytes = rest.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'{' if i > 0 && bytes[i - 1] == b'$' => depth += 1,
            b'}' if depth > 0 => depth -= 1,
            b':' if depth == 0 => {
                parts[found] = &rest[start..i];
                found += 1;
                start = i + 1;
                if found == 4 {
                    break;
                }
            }
            _ => {}
        }
    }
    parts[4] = &rest[start..];
    (found == 4).then_some(parts)
}

/// What a placeholder `Resource` stands for: the template's Lambda function or activity it
/// refers to, the integration ARN a `DefinitionSubstitutions` entry spells out, or — with no
/// template to say — a Lambda function or activity by the placeholder's name
/// (`${ChargeFunctionArn}`, `${WorkerActivityArn}`).
pub fn resolve<'a>(node: &'a Node<'a>, resources: Option<&Resources<'a>>) -> Option<Integration<'a>> {
    if let Some(resources) = resources {
        if let Some(resource) = resources.resolve(node) {
            return match resource.kind {
                "AWS::Lambda::Function" | "AWS::Serverless::Function" | SERVERLESS_FUNCTION => {
                    let name = resource.text("FunctionName").filter(|n| !has_placeholder(n)).unwrap_or(resource.id);
                    Some(Integration::LambdaFunction { name })
                }
                "AWS::Lambda::Alias" | "AWS::Lambda::Version" => Some(Integration::LambdaFunction { name: resource.id }),
                "AWS::StepFunctions::Activity" => Some(Integration::Activity { name: resource.id }),
                _ => None,
            };
        }
        if let Some(text) = resources.substituted(node).and_then(sub_text) {
            return parse_arn(text).ok().filter(|integration| *integration != Integration::Placeholder);
        }
    }
    let text = node.as_str()?;
    // `${Name}`, perhaps with a qualifier after it (`${Name}:$LATEST`).
    let name = text.strip_prefix("${")?.split_once('}').filter(|(_, rest)| rest.is_empty() || rest.starts_with(':'))?.0;
    match catalog().resource_kind_by_name(name)? {
        NamedKind::Function => Some(Integration::LambdaFunction { name: text }),
        NamedKind::Activity => Some(Integration::Activity { name: text }),
    }
}

/// A string, or the template of a `Fn::Sub`.
fn sub_text<'a>(node: &'a Node<'a>) -> Option<&'a str> {
    match &node.kind {
        Kind::Tagged(tagged) if &*tagged.tag == "Sub" => tagged.node.as_str().or_else(|| tagged.node.as_array()?.first()?.as_str()),
        Kind::Object(members) if members.len() == 1 && &*members[0].key == "Fn::Sub" => {
            members[0].value.as_str().or_else(|| members[0].value.as_array()?.first()?.as_str())
        }
        _ => node.as_str(),
    }
}

/// An ARN whose shape is wrong is still accepted when a placeholder may hide the rest.
fn fallback<'a>(text: &'a str, malformed: Malformed<'a>) -> Result<Integration<'a>, ResourceError<'a>> {
    if has_placeholder(text) { Ok(Integration::Placeholder) } else { Err(ResourceError::Malformed(text, malformed)) }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty() && (has_placeholder(name) || name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_every_form() {
        use Integration::*;
        assert_eq!(
            parse_arn("arn:aws:states:::dynamodb:updateItem"),
            Ok(Optimized { service: "dynamodb", action: "updateItem", pattern: Pattern::Request })
        );
        assert_eq!(
            parse_arn("arn:aws:states:::states:startExecution.sync:2"),
            Ok(Optimized { service: "states", action: "startExecution", pattern: Pattern::Sync2 })
        );
        assert_eq!(
            parse_arn("arn:aws-cn:states:::aws-sdk:sesv2:sendEmail.waitForTaskToken"),
            Ok(Sdk { service: "sesv2", action: "sendEmail", pattern: Pattern::WaitForTaskToken })
        );
        assert_eq!(parse_arn("arn:aws:states:::http:invoke"), Ok(Http));
        assert_eq!(parse_arn("arn:aws:lambda:us-east-1:123456789012:function:Fn:live"), Ok(LambdaFunction { name: "Fn" }));
        assert_eq!(parse_arn("arn:aws:states:eu-west-1:123456789012:activity:Review"), Ok(Activity { name: "Review" }));
        assert_eq!(
            parse_arn("arn:${AWS::Partition}:states:::sqs:sendMessage"),
            Ok(Optimized { service: "sqs", action: "sendMessage", pattern: Pattern::Request })
        );
        assert_eq!(parse_arn("${ProcessFunctionArn}"), Ok(Placeholder));
        assert_eq!(
            parse_arn("arn:aws:states:us-east-1:123456789012:aws-sdk:s3:getObject"),
            Ok(Sdk { service: "s3", action: "getObject", pattern: Pattern::Request })
        );
        assert_eq!(parse_arn("arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:${Fn}"), Ok(LambdaFunction { name: "${Fn}" }));
    }

    #[test]
    fn rejects_what_aws_rejects() {
        assert_eq!(parse_arn("arn:aws:states:::aws-sdk:s3:putObject.sync"), Err(ResourceError::SyncOnSdk));
        assert_eq!(parse_arn("arn:aws:states:::lambda:invoke.wait"), Err(ResourceError::UnknownPattern("wait")));
        assert!(parse_arn("lambda:invoke").is_err());
        assert!(parse_arn("arn:aws:s3:::bucket").is_err());
        assert!(parse_arn("arn:azure:states:::lambda:invoke").is_err());
        assert!(parse_arn("arn:aws:lambda:us-east-1:1:function:Fn.waitForTaskToken").is_err());
        assert!(parse_arn("arn:aws:lambda:us-east-1:123456789012:function:Fn:").is_err());
    }
}

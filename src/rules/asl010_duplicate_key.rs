use std::collections::HashMap;

use super::{Context, Rule, RuleMeta, rule_doc};
use crate::finding::{Finding, Severity};
use crate::syntax::{Kind, Node, push_token};

pub struct DuplicateKey;

static META: RuleMeta = RuleMeta {
    code: "ASL010",
    name: "duplicate-key",
    summary: "An object has the same key twice; parsers silently keep the last",
    severity: Severity::Error,
    doc: rule_doc!("ASL010"),
};

impl Rule for DuplicateKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_definition(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let mut stack: Vec<(String, &Node)> = vec![(String::new(), cx.definition.root)];
        let mut seen: HashMap<&str, usize> = HashMap::new();
        while let Some((pointer, node)) = stack.pop() {
            match &node.kind {
                Kind::Object(members) => {
                    seen.clear();
                    for (i, member) in members.iter().enumerate() {
                        if let Some(&first) = seen.get(member.key.as_str()) {
                            let at = push_token(&pointer, &member.key);
                            let mut finding = cx.finding(
                                &META,
                                &at,
                                crate::rules::Target::Key,
                                format!("the key `{}` appears twice in this object; only the last one counts", member.key),
                            );
                            // The pointer names the last occurrence; this is the one at hand.
                            finding.span = member.key_span;
                            out.push(finding.label(members[first].key_span, "first occurrence").help("remove or rename one of them"));
                        } else {
                            seen.insert(&member.key, i);
                        }
                    }
                    for member in members.iter().rev() {
                        if matches!(member.value.kind, Kind::Object(_) | Kind::Array(_) | Kind::Tagged(..)) {
                            stack.push((push_token(&pointer, &member.key), &member.value));
                        }
                    }
                }
                Kind::Array(items) => {
                    for (i, item) in items.iter().enumerate().rev() {
                        stack.push((push_token(&pointer, &i.to_string()), item));
                    }
                }
                Kind::Tagged(_, inner) => stack.push((pointer, inner)),
                _ => {}
            }
        }
    }
}

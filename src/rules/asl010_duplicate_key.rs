use foldhash::{HashMap, HashSet};

use super::{Context, Rule, RuleMeta, Target, rule_doc};
use crate::diagnostic::{Finding, Severity};
use crate::syntax::{Kind, Node, Token, Trail, push_token};

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
        // Nearly every definition has no duplicate: a plain walk finds that out, and only a
        // definition with one is walked again, keeping the trail its pointers need.
        if !has_duplicate_key(cx.definition.root) {
            return;
        }
        let mut trail = Trail::new("");
        let mut stack: Vec<(usize, &Node)> = vec![(Trail::ROOT, cx.definition.root)];
        let mut seen: HashMap<&str, usize> = HashMap::default();
        while let Some((at, node)) = stack.pop() {
            match &node.kind {
                Kind::Object(members) => {
                    seen.clear();
                    // Most objects are small, and scanning them beats hashing every key; the
                    // map keeps an object with thousands of keys linear.
                    let small = members.len() <= SMALL_OBJECT;
                    for (i, member) in members.iter().enumerate() {
                        let field = field_name(&member.key);
                        let first =
                            if small { members[..i].iter().position(|m| field_name(&m.key) == field) } else { seen.get(field).copied() };
                        if let Some(first) = first {
                            let pointer = push_token(&trail.pointer(at), &member.key);
                            let message = if members[first].key == member.key {
                                format!("the key `{}` appears twice in this object; only the last one counts", member.key)
                            } else {
                                format!(
                                    "`{}` and `{}` both set the field `{field}` once Step Functions drops the `.$` suffix; only one of them counts",
                                    members[first].key, member.key
                                )
                            };
                            let mut finding = cx.finding(&META, &pointer, Target::Key, message);
                            // The pointer names the last occurrence; this is the one at hand.
                            finding.span = cx.map(member.key_span);
                            out.push(
                                finding.label(cx.map(members[first].key_span), "first occurrence").help("remove or rename one of them"),
                            );
                        } else if !small {
                            seen.insert(field, i);
                        }
                    }
                    for member in members.iter().rev() {
                        if is_container(&member.value) {
                            stack.push((trail.step(at, Token::Key(&member.key)), &member.value));
                        }
                    }
                }
                Kind::Array(items) => {
                    for (i, item) in items.iter().enumerate().rev() {
                        if is_container(item) {
                            stack.push((trail.step(at, Token::Index(i)), item));
                        }
                    }
                }
                Kind::Tagged(tagged) => stack.push((at, &tagged.node)),
                _ => {}
            }
        }
    }
}

/// The field a key sets: `name.$` sets `name` (to the value of a path or intrinsic).
fn field_name(key: &str) -> &str {
    key.strip_suffix(".$").unwrap_or(key)
}

/// Objects up to this many members are checked for duplicates without a map.
const SMALL_OBJECT: usize = 16;

/// Whether any object under `root` has a key twice.
fn has_duplicate_key(root: &Node) -> bool {
    let mut stack = vec![root];
    let mut seen: HashSet<&str> = HashSet::default();
    while let Some(node) = stack.pop() {
        match &node.kind {
            Kind::Object(members) => {
                let repeated = if members.len() <= SMALL_OBJECT {
                    members.iter().enumerate().any(|(i, member)| members[..i].iter().any(|m| field_name(&m.key) == field_name(&member.key)))
                } else {
                    seen.clear();
                    !members.iter().all(|member| seen.insert(field_name(&member.key)))
                };
                if repeated {
                    return true;
                }
                stack.extend(members.iter().map(|m| &m.value).filter(|v| is_container(v)));
            }
            Kind::Array(items) => stack.extend(items.iter().filter(|item| is_container(item))),
            Kind::Tagged(tagged) => stack.push(&tagged.node),
            _ => {}
        }
    }
    false
}

fn is_container(node: &Node) -> bool {
    matches!(node.kind, Kind::Object(_) | Kind::Array(_) | Kind::Tagged(..))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{Format, parse};

    #[test]
    fn duplicates_are_found_in_small_and_large_objects_at_any_depth() {
        let large: Vec<String> = (0..40).map(|i| format!("\"k{i}\": {i}")).collect();
        let has = |text: &str, format| has_duplicate_key(&parse(text, format).unwrap());
        assert!(!has(&format!("{{{}}}", large.join(", ")), Format::Json));
        assert!(has(&format!("{{{}, \"k7\": 0}}", large.join(", ")), Format::Json));
        assert!(has(r#"{"a": [1, {"b": {"c": 1, "c": 2}}]}"#, Format::Json));
        assert!(has("a: !Sub\n  - x\n  - {y: 1, y: 2}\n", Format::Yaml));
        assert!(!has(r#"{"a": {"b": 1}, "b": {"a": 1}}"#, Format::Json));
        assert!(has(r#"{"p": {"id": 1, "id.$": "$.id"}}"#, Format::Json));
        assert!(has(&format!("{{{}, \"k7.$\": \"$\"}}", large.join(", ")), Format::Json));
        assert!(!has(r#"{"id.$": "$.id", "ids.$": "$.ids", "id$": 1}"#, Format::Json));
    }
}

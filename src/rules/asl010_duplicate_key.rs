use foldhash::HashMap;

use super::{Context, Rule, RuleMeta, Target, rule_doc};
use crate::finding::{Finding, Severity};
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
        // Pointers are built only for the objects that hold a duplicate.
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
                        let first =
                            if small { members[..i].iter().position(|m| m.key == member.key) } else { seen.get(&*member.key).copied() };
                        if let Some(first) = first {
                            let pointer = push_token(&trail.pointer(at), &member.key);
                            let mut finding = cx.finding(
                                &META,
                                &pointer,
                                Target::Key,
                                format!("the key `{}` appears twice in this object; only the last one counts", member.key),
                            );
                            // The pointer names the last occurrence; this is the one at hand.
                            finding.span = cx.map(member.key_span);
                            out.push(
                                finding.label(cx.map(members[first].key_span), "first occurrence").help("remove or rename one of them"),
                            );
                        } else if !small {
                            seen.insert(&member.key, i);
                        }
                    }
                    for member in members.iter().rev() {
                        if matches!(member.value.kind, Kind::Object(_) | Kind::Array(_) | Kind::Tagged(..)) {
                            stack.push((trail.step(at, Token::Key(&member.key)), &member.value));
                        }
                    }
                }
                Kind::Array(items) => {
                    for (i, item) in items.iter().enumerate().rev() {
                        if matches!(item.kind, Kind::Object(_) | Kind::Array(_) | Kind::Tagged(..)) {
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

/// Objects up to this many members are checked for duplicates without a map.
const SMALL_OBJECT: usize = 16;

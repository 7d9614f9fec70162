//! `print` queries, evaluated like RouterOS does: each word pushes a
//! boolean on a stack or combines the top ones; at the end every value
//! left must be true (an empty stack matches everything).

use std::cmp::Ordering;

use headend_routeros::{Attributes, Query, Value};

/// Whether `item` matches `queries`. `Err` is the trap message for a
/// malformed query (a stack underflow, an unknown operation).
pub(crate) fn matches(item: &Attributes, queries: &[Query]) -> Result<bool, &'static str> {
    let mut stack: Vec<bool> = Vec::new();
    for query in queries {
        match query {
            Query::Has(name) => stack.push(item.contains(name)),
            Query::Lacks(name) => stack.push(!item.contains(name)),
            Query::Eq(name, value) => stack.push(match item.get(name) {
                Some(actual) => same(actual, value),
                None => value.is_empty(),
            }),
            Query::Lt(name, value) => {
                stack.push(item.get(name).map(|a| compare(a, value)) == Some(Ordering::Less));
            }
            Query::Gt(name, value) => {
                stack.push(item.get(name).map(|a| compare(a, value)) == Some(Ordering::Greater));
            }
            Query::Ops(ops) => {
                for &op in ops.as_bytes() {
                    apply(&mut stack, op)?;
                }
            }
        }
    }
    Ok(stack.iter().all(|&b| b))
}

fn apply(stack: &mut Vec<bool>, op: u8) -> Result<(), &'static str> {
    const UNDERFLOW: &str = "invalid query: stack underflow";
    match op {
        b'!' => {
            let top = stack.pop().ok_or(UNDERFLOW)?;
            stack.push(!top);
        }
        b'&' | b'|' => {
            let a = stack.pop().ok_or(UNDERFLOW)?;
            let b = stack.pop().ok_or(UNDERFLOW)?;
            stack.push(if op == b'&' { a && b } else { a || b });
        }
        b'.' => {
            let top = *stack.last().ok_or(UNDERFLOW)?;
            stack.push(top);
        }
        b'0'..=b'9' => {
            // A copy of the value at that index from the bottom.
            let at = usize::from(op - b'0');
            let value = *stack.get(at).ok_or(UNDERFLOW)?;
            stack.push(value);
        }
        _ => return Err("invalid query operation"),
    }
    Ok(())
}

/// Equality as RouterOS sees it: booleans in either spelling.
fn same(actual: &Value, wanted: &Value) -> bool {
    match (as_bool(actual.as_bytes()), as_bool(wanted.as_bytes())) {
        (Some(a), Some(b)) => a == b,
        _ => actual == wanted,
    }
}

pub(crate) fn as_bool(bytes: &[u8]) -> Option<bool> {
    match bytes {
        b"true" | b"yes" => Some(true),
        b"false" | b"no" => Some(false),
        _ => None,
    }
}

/// Numbers as numbers, anything else as bytes.
fn compare(actual: &Value, wanted: &Value) -> Ordering {
    let number = |v: &Value| v.to_str().and_then(|s| s.parse::<i128>().ok());
    match (number(actual), number(wanted)) {
        (Some(a), Some(b)) => a.cmp(&b),
        _ => actual.as_bytes().cmp(wanted.as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn item() -> Attributes {
        [(".id", "*1"), ("name", "alice"), ("disabled", "false"), ("mtu", "1500")].into_iter().collect()
    }

    fn eq(n: &str, v: &str) -> Query {
        Query::Eq(n.into(), v.into())
    }

    #[test]
    fn simple_queries() {
        let i = item();
        assert!(matches(&i, &[]).unwrap());
        assert!(matches(&i, &[eq("name", "alice")]).unwrap());
        assert!(!matches(&i, &[eq("name", "bob")]).unwrap());
        assert!(matches(&i, &[eq("disabled", "no")]).unwrap());
        assert!(matches(&i, &[eq(".id", "*1")]).unwrap());
        assert!(matches(&i, &[Query::Has("mtu".into())]).unwrap());
        assert!(matches(&i, &[Query::Lacks("comment".into())]).unwrap());
        assert!(matches(&i, &[Query::Lt("mtu".into(), "9000".into())]).unwrap());
        assert!(!matches(&i, &[Query::Gt("mtu".into(), "9000".into())]).unwrap());
    }

    #[test]
    fn stack_operations() {
        let i = item();
        let or = Query::Ops("|".into());
        assert!(matches(&i, &[eq("name", "bob"), eq("name", "alice"), or.clone()]).unwrap());
        assert!(!matches(&i, &[eq("name", "bob"), eq("name", "carol"), or]).unwrap());
        assert!(matches(&i, &[eq("name", "bob"), Query::Ops("!".into())]).unwrap());
        assert!(!matches(&i, &[eq("name", "alice"), eq("mtu", "1"), Query::Ops("&".into())]).unwrap());
        assert!(matches(&i, &[Query::Ops("|".into())]).is_err());
    }
}

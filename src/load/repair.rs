//! Finding every shape error of a YAML file, not only the first.
//!
//! serde stops at the first error. To find the next one, the text is read as a plain YAML tree
//! (`serde_yaml::Value`), repaired where the error is, and parsed again:
//! - an unknown field is removed;
//! - a missing field is added, and a wrong value replaced, with a stand-in: the same field of a
//!   sibling record when there is one (so the stand-in is a value the file itself uses), else a
//!   value of the expected type.
//!
//! Errors at or under a stand-in are consequences of the repair and are not reported. The loop
//! ends when the tree parses (the repaired value is returned, with the paths of the
//! stand-ins), or when an error cannot be repaired, or after `MAX_REPAIRS` rounds.

use serde::de::DeserializeOwned;
use serde_yaml::{Mapping, Value};
use std::collections::{BTreeSet, HashMap};

/// More shape errors than this in one file are not worth listing one by one.
const MAX_REPAIRS: usize = 200;
/// Each round parses the whole file again: the rounds stop once they have read this many bytes
/// (a few for a file of megabytes, `MAX_REPAIRS` for a hand-written one).
const MAX_BYTES_REPARSED: usize = 64 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
}

/// Calls `report` for each error after `first`, and returns the repaired value with the paths
/// of the stand-ins, when every error could be repaired.
pub fn all_errors<T: DeserializeOwned>(
    text: &str,
    first: &serde_yaml::Error,
    mut report: impl FnMut(&serde_yaml::Error),
) -> Option<(T, Vec<String>)> {
    let mut tree: Value = serde_yaml::from_str(text).ok()?;
    let mut state = State::default();
    let (mut path, mut message) = super::yaml::path_and_message(first);
    let mut seen = BTreeSet::new();
    seen.insert((path.clone(), message.clone()));
    let rounds = MAX_REPAIRS.min(MAX_BYTES_REPARSED / text.len().max(1));
    for _ in 0..rounds {
        if !state.repair(&mut tree, &path, &message) {
            return None;
        }
        let repaired = serde_yaml::to_string(&tree).ok()?;
        match serde_yaml::from_str::<T>(&repaired) {
            Ok(value) => return Some((value, state.stand_ins)),
            Err(err) => {
                (path, message) = super::yaml::path_and_message(&err);
                let at = affected(&path, &message);
                if !state.covers(&at) {
                    if !seen.insert((path.clone(), message.clone())) {
                        // The same error again: the repair did not take.
                        return None;
                    }
                    report(&err);
                }
            }
        }
    }
    None
}

/// The path an error is about: the field itself for unknown and missing fields, which serde
/// reports on their record.
fn affected(path: &str, message: &str) -> String {
    match first_name(message) {
        Some(name)
            if message.starts_with("unknown field") || message.starts_with("missing field") =>
        {
            child(path, name)
        }
        _ => path.to_string(),
    }
}

fn child(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn first_name(message: &str) -> Option<&str> {
    message.split('`').nth(1)
}

/// The field a misspelt one was meant to be, from "unknown field `untis`, expected one of
/// `id`, `unit`...": the closest name, if it is close.
fn meant(name: &str, message: &str) -> Option<String> {
    let (_, expected) = message.split_once("expected")?;
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|e| (strsim::jaro_winkler(name, e), e))
        .filter(|(score, _)| *score > 0.75)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, e)| e.to_string())
}

#[derive(Default)]
struct State {
    stand_ins: Vec<String>,
    /// The stand-ins already tried at each path.
    tried: HashMap<String, Vec<Value>>,
}

impl State {
    /// Whether `path` is at or under a stand-in.
    fn covers(&self, path: &str) -> bool {
        self.stand_ins.iter().any(|s| {
            path == s
                || (path.starts_with(s.as_str())
                    && matches!(path.as_bytes().get(s.len()), Some(b'.' | b'[')))
        })
    }

    fn repair(&mut self, tree: &mut Value, path: &str, message: &str) -> bool {
        let Some(segs) = segments(path) else {
            return false;
        };
        let name = first_name(message).map(str::to_string);
        if message.starts_with("unknown field") {
            let (Some(name), Some(Value::Mapping(map))) = (name, get_mut(tree, &segs)) else {
                return false;
            };
            let Some(value) = map.remove(Value::String(name.clone())) else {
                return false;
            };
            // A misspelt field (`untis`) is read as the field it was meant to be, so it is not
            // reported missing too; its value counts as a stand-in.
            if let Some(meant) = meant(&name, message) {
                if !map.contains_key(meant.as_str()) {
                    map.insert(Value::String(meant.clone()), value);
                    self.stand_ins.push(child(path, &meant));
                }
            }
            return true;
        }
        if message.starts_with("missing field") {
            let Some(name) = name else { return false };
            let target = child(path, &name);
            let mut target_segs = segs.clone();
            target_segs.push(Seg::Key(name.clone()));
            let Some(value) = self.next_stand_in(tree, &target, &target_segs, message) else {
                return false;
            };
            let Some(Value::Mapping(map)) = get_mut(tree, &segs) else {
                return false;
            };
            map.insert(Value::String(name), value);
            self.stand_ins.push(target);
            return true;
        }
        if message.starts_with("duplicate field") || segs.is_empty() {
            return false;
        }
        // A wrong type or value at `path`.
        let Some(value) = self.next_stand_in(tree, path, &segs, message) else {
            return false;
        };
        let Some(slot) = get_mut(tree, &segs) else {
            return false;
        };
        *slot = value;
        if !self.covers(path) {
            self.stand_ins.push(path.to_string());
        }
        true
    }

    /// The first stand-in for `path` not tried yet.
    fn next_stand_in(
        &mut self,
        tree: &Value,
        path: &str,
        segs: &[Seg],
        message: &str,
    ) -> Option<Value> {
        let mut candidates = Vec::new();
        // The same field of sibling records (any index in every list on the way).
        collect_like(tree, segs, &mut candidates);
        if message.starts_with("unknown variant") {
            if let Some((_, rest)) = message.split_once("expected") {
                if let Some(v) = rest.split('`').nth(1) {
                    candidates.push(Value::String(v.to_string()));
                }
            }
        }
        let expected = message.rsplit(", expected ").next().unwrap_or_default();
        let typed = match expected {
            "f64" | "f32" | "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32"
            | "i64" => Some(Value::Number(0.into())),
            "a string" | "a borrowed string" => Some(Value::String("x".into())),
            "a boolean" => Some(Value::Bool(false)),
            "a sequence" => Some(Value::Sequence(Vec::new())),
            "struct Text" => {
                let mut m = Mapping::new();
                m.insert("en".into(), "x".into());
                m.insert("zh".into(), "x".into());
                Some(Value::Mapping(m))
            }
            e if e.starts_with("struct ") || e.starts_with("a map") => {
                Some(Value::Mapping(Mapping::new()))
            }
            _ => None,
        };
        candidates.extend(typed);
        candidates.extend([
            Value::String("2000".into()),
            Value::Number(0.into()),
            Value::Mapping(Mapping::new()),
            Value::Sequence(Vec::new()),
            Value::Bool(false),
            Value::Null,
        ]);
        let tried = self.tried.entry(path.to_string()).or_default();
        let current = get(tree, segs);
        let pick = candidates
            .into_iter()
            .find(|c| !tried.contains(c) && Some(c) != current)?;
        tried.push(pick.clone());
        Some(pick)
    }
}

/// `targets[3].unit` → [Key(targets), Index(3), Key(unit)]; "" is the root.
fn segments(path: &str) -> Option<Vec<Seg>> {
    let mut out = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']')?;
            out.push(Seg::Index(after[..end].parse().ok()?));
            rest = &after[end + 1..];
        } else {
            let rest_key = rest.strip_prefix('.').unwrap_or(rest);
            let end = rest_key.find(['.', '[']).unwrap_or(rest_key.len());
            if end == 0 {
                return None;
            }
            out.push(Seg::Key(rest_key[..end].to_string()));
            rest = &rest_key[end..];
        }
    }
    Some(out)
}

fn untag(value: &Value) -> &Value {
    match value {
        Value::Tagged(t) => untag(&t.value),
        v => v,
    }
}

fn untag_mut(value: &mut Value) -> &mut Value {
    match value {
        Value::Tagged(t) => untag_mut(&mut t.value),
        v => v,
    }
}

fn get<'a>(value: &'a Value, segs: &[Seg]) -> Option<&'a Value> {
    let Some((first, rest)) = segs.split_first() else {
        return Some(value);
    };
    let next = match (untag(value), first) {
        (Value::Mapping(m), Seg::Key(k)) => m.get(k.as_str())?,
        (Value::Sequence(s), Seg::Index(i)) => s.get(*i)?,
        _ => return None,
    };
    get(next, rest)
}

fn get_mut<'a>(value: &'a mut Value, segs: &[Seg]) -> Option<&'a mut Value> {
    let Some((first, rest)) = segs.split_first() else {
        return Some(value);
    };
    let next = match (untag_mut(value), first) {
        (Value::Mapping(m), Seg::Key(k)) => m.get_mut(k.as_str())?,
        (Value::Sequence(s), Seg::Index(i)) => s.get_mut(*i)?,
        _ => return None,
    };
    get_mut(next, rest)
}

/// Every value at `segs` with any index in place of each index: the same field in sibling
/// records. At most a few.
fn collect_like(value: &Value, segs: &[Seg], out: &mut Vec<Value>) {
    if out.len() >= 3 {
        return;
    }
    let Some((first, rest)) = segs.split_first() else {
        if !out.contains(value) {
            out.push(value.clone());
        }
        return;
    };
    match (untag(value), first) {
        (Value::Mapping(m), Seg::Key(k)) => {
            if let Some(v) = m.get(k.as_str()) {
                collect_like(v, rest, out);
            }
        }
        (Value::Sequence(s), Seg::Index(_)) => {
            for v in s {
                collect_like(v, rest, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_keys_and_indices() {
        assert_eq!(
            segments("targets[3].unit").unwrap(),
            vec![
                Seg::Key("targets".into()),
                Seg::Index(3),
                Seg::Key("unit".into())
            ]
        );
        assert_eq!(segments("").unwrap(), vec![]);
        assert!(segments("a[x]").is_none());
    }
}

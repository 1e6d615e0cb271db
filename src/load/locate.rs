//! Maps field paths (`targets[3].deadline`) to the line and column where they are written.
//!
//! serde_yaml reports positions only for syntax and type errors. The semantic checks in
//! `validate` run on a fully built model and still have to name the line of a bad value, so we
//! run a second, event-only pass over the same text with yaml-rust2, which hands out a position
//! for every node. Aliases are not expanded here, so this pass costs one walk of the text.

use std::collections::HashMap;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

#[derive(Debug, Clone, Default)]
pub struct Locator {
    positions: HashMap<String, (usize, usize)>,
}

impl Locator {
    pub fn from_text(text: &str) -> Locator {
        let mut walker = Walker::default();
        let mut parser = Parser::new_from_str(text);
        // A syntax error has been reported by serde_yaml already; keep what was located.
        let _ = parser.load(&mut walker, false);
        Locator {
            positions: walker.positions,
        }
    }

    /// The 1-based line and column of `path`, or of its nearest located parent.
    pub fn locate(&self, path: &str) -> Option<(usize, usize)> {
        let mut path = path;
        loop {
            if let Some(pos) = self.positions.get(path) {
                return Some(*pos);
            }
            if path.is_empty() {
                return None;
            }
            let cut = path.rfind(['.', '[']).unwrap_or(0);
            path = &path[..cut];
        }
    }
}

enum Frame {
    Map { path: String, key: Option<String> },
    Seq { path: String, index: usize },
}

#[derive(Default)]
struct Walker {
    stack: Vec<Frame>,
    positions: HashMap<String, (usize, usize)>,
}

impl Walker {
    /// The path of the node about to start, or None when the node is a mapping key.
    fn next_path(&self) -> Option<String> {
        match self.stack.last() {
            None => Some(String::new()),
            Some(Frame::Map { key: None, .. }) => None,
            Some(Frame::Map { path, key: Some(k) }) => Some(if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            }),
            Some(Frame::Seq { path, index }) => Some(format!("{path}[{index}]")),
        }
    }

    /// A value node finished: the parent map waits for its next key, the sequence moves on.
    fn finish_value(&mut self) {
        match self.stack.last_mut() {
            Some(Frame::Map { key, .. }) => *key = None,
            Some(Frame::Seq { index, .. }) => *index += 1,
            None => {}
        }
    }
}

impl MarkedEventReceiver for Walker {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let pos = (mark.line(), mark.col() + 1);
        match ev {
            Event::Scalar(text, ..) => match self.next_path() {
                None => {
                    if let Some(Frame::Map { key, path }) = self.stack.last_mut() {
                        // Record the key's own position: "missing"/"unknown" errors point here.
                        let full = if path.is_empty() {
                            text.clone()
                        } else {
                            format!("{path}.{text}")
                        };
                        self.positions.entry(full).or_insert(pos);
                        *key = Some(text);
                    }
                }
                Some(path) => {
                    self.positions.insert(path, pos);
                    self.finish_value();
                }
            },
            Event::Alias(_) => {
                if let Some(path) = self.next_path() {
                    self.positions.insert(path, pos);
                    self.finish_value();
                }
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let path = self.next_path().unwrap_or_default();
                self.positions.entry(path.clone()).or_insert(pos);
                self.stack.push(if matches!(ev, Event::MappingStart(..)) {
                    Frame::Map { path, key: None }
                } else {
                    Frame::Seq { path, index: 0 }
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                self.finish_value();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_nested_fields_and_list_items() {
        let text = "id: x\ntargets:\n  - id: a\n    value: 1\n  - id: b\n    value: 2\n    note: {en: e, zh: z}\n";
        let loc = Locator::from_text(text);
        // A field's position is its value's, so errors about a value point at the value.
        assert_eq!(loc.locate("id"), Some((1, 5)));
        assert_eq!(loc.locate("targets[1].value"), Some((6, 12)));
        assert_eq!(loc.locate("targets[1].note.zh"), Some((7, 23)));
        // A field that is not written falls back to its record.
        assert_eq!(loc.locate("targets[1].deadline").map(|p| p.0), Some(5));
    }
}

//! Maps field paths (`targets[3].deadline`) to the line and column where they are written.
//!
//! serde_yaml reports positions only for syntax and type errors. The semantic checks in
//! `validate` run on a fully built model and still have to name the line of a bad value, so we
//! run a second, event-only pass over the same text with yaml-rust2, which hands out a position
//! for every node. Aliases are not expanded here, so this pass costs one walk of the text; it
//! also counts how many nodes the aliases *would* expand to, so a "billion laughs" file is
//! refused before anything expands it, and notes keys written twice in one mapping.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::Marker;

/// How many nodes aliases may add to a file when expanded. Hand-written content never comes
/// near this; a file that does is an alias bomb or a mistake.
pub const MAX_ALIAS_EXPANSION: u64 = 100_000;
/// How deeply lists and mappings may nest (serde_yaml's own limit is 128).
pub const MAX_DEPTH: usize = 100;

#[derive(Debug, Clone, Default)]
pub struct Locator {
    /// Path → position of its value (or, for a mapping, of its first key).
    positions: HashMap<String, (usize, usize)>,
    /// Path → position of its key.
    keys: HashMap<String, (usize, usize)>,
    /// Path → position of the key's second appearance in the same mapping.
    duplicates: HashMap<String, (usize, usize)>,
    /// Where the alias that pushed the expansion over `MAX_ALIAS_EXPANSION` is written.
    alias_bomb: Option<(usize, usize)>,
    /// Where nesting first goes deeper than `MAX_DEPTH`.
    too_deep: Option<(usize, usize)>,
    /// The first value (or key) holding a control character other than tab and line breaks.
    control: Option<(usize, usize, char)>,
    /// Where a second YAML document starts (after `---` or `...`).
    second_document: Option<(usize, usize)>,
    /// The first custom tag (`!foo`), and where it is.
    tag: Option<(usize, usize, String)>,
}

impl Locator {
    pub fn from_text(text: &str) -> Locator {
        let mut walker = Walker::default();
        let mut parser = Parser::new_from_str(text);
        // Syntax errors are reported from serde_yaml's parse; keep what was located. The one
        // kept from this parser is its nesting limit (255 open brackets), which it meets
        // before delivering events and long before serde_yaml would finish.
        if let Err(e) = parser.load(&mut walker, true) {
            if e.info().contains("recursion limit") && walker.too_deep.is_none() {
                walker.too_deep = Some((e.marker().line(), e.marker().col() + 1));
            }
        }
        Locator {
            positions: walker.positions,
            keys: walker.keys,
            duplicates: walker.duplicates,
            alias_bomb: walker.alias_bomb,
            too_deep: walker.too_deep,
            control: walker.control,
            second_document: walker.second_document,
            tag: walker.tag,
        }
    }

    /// The 1-based line and column of `path`'s value, or of its nearest located parent.
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

    /// Where the key of `path` is written (`targets[2].untis` → the `untis:`).
    pub fn key(&self, path: &str) -> Option<(usize, usize)> {
        self.keys.get(path).copied()
    }

    /// Moves every position down by `lines`: for YAML that starts below line 1 of its file
    /// (front matter).
    pub fn shift(&mut self, lines: usize) {
        let maps = [&mut self.positions, &mut self.keys, &mut self.duplicates];
        for map in maps {
            for pos in map.values_mut() {
                pos.0 += lines;
            }
        }
        for pos in [&mut self.alias_bomb, &mut self.too_deep]
            .into_iter()
            .flatten()
        {
            pos.0 += lines;
        }
    }

    /// Where a key is written a second time in the same mapping (`path` is the key's path).
    pub fn duplicate(&self, path: &str) -> Option<(usize, usize)> {
        self.duplicates.get(path).copied()
    }

    /// The position of the alias at which expanding the file's aliases would exceed
    /// `MAX_ALIAS_EXPANSION` nodes.
    pub fn alias_bomb(&self) -> Option<(usize, usize)> {
        self.alias_bomb
    }

    /// The first scalar holding a control character (other than tab, CR and LF), e.g. from
    /// an escape such as `"\0"`: its position and the character.
    pub fn control_character(&self) -> Option<(usize, usize, char)> {
        self.control
    }

    /// Where a second YAML document starts, if the text holds more than one.
    pub fn second_document(&self) -> Option<(usize, usize)> {
        self.second_document
    }

    /// The first tag other than YAML's own (`!!str`, `!!int`...): its position and text.
    pub fn custom_tag(&self) -> Option<(usize, usize, &str)> {
        self.tag.as_ref().map(|(l, c, t)| (*l, *c, t.as_str()))
    }

    /// Where lists and mappings first nest deeper than `MAX_DEPTH`.
    pub fn too_deep(&self) -> Option<(usize, usize)> {
        self.too_deep
    }
}

enum Frame {
    Map {
        path: String,
        key: Option<String>,
        anchor: usize,
        nodes: u64,
        first_key: bool,
    },
    Seq {
        path: String,
        index: usize,
        anchor: usize,
        nodes: u64,
    },
}

#[derive(Default)]
struct Walker {
    stack: Vec<Frame>,
    positions: HashMap<String, (usize, usize)>,
    keys: HashMap<String, (usize, usize)>,
    duplicates: HashMap<String, (usize, usize)>,
    /// Expanded node count of each anchored node, by anchor id.
    anchors: HashMap<usize, u64>,
    /// Nodes added by expanding aliases so far.
    expansion: u64,
    alias_bomb: Option<(usize, usize)>,
    too_deep: Option<(usize, usize)>,
    control: Option<(usize, usize, char)>,
    documents: usize,
    second_document: Option<(usize, usize)>,
    tag: Option<(usize, usize, String)>,
}

impl Walker {
    fn tag(&mut self, tag: &Option<Tag>, pos: (usize, usize)) {
        let Some(tag) = tag else { return };
        let core = matches!(tag.handle.as_str(), "!!" | "tag:yaml.org,2002:")
            && matches!(
                tag.suffix.as_str(),
                "str" | "int" | "float" | "bool" | "null" | "seq" | "map"
            );
        if !core && self.tag.is_none() {
            self.tag = Some((pos.0, pos.1, format!("{}{}", tag.handle, tag.suffix)));
        }
    }

    /// The path of the node about to start, or None when the node is a mapping key.
    fn next_path(&self) -> Option<String> {
        match self.stack.last() {
            None => Some(String::new()),
            Some(Frame::Map { key: None, .. }) => None,
            Some(Frame::Map {
                path, key: Some(k), ..
            }) => Some(if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            }),
            Some(Frame::Seq { path, index, .. }) => Some(format!("{path}[{index}]")),
        }
    }

    /// A value node of `nodes` expanded nodes finished: the parent map waits for its next key,
    /// the sequence moves on.
    fn finish_value(&mut self, nodes: u64) {
        match self.stack.last_mut() {
            Some(Frame::Map { key, nodes: n, .. }) => {
                *key = None;
                *n = n.saturating_add(nodes);
            }
            Some(Frame::Seq {
                index, nodes: n, ..
            }) => {
                *index += 1;
                *n = n.saturating_add(nodes);
            }
            None => {}
        }
    }

    fn anchor(&mut self, id: usize, nodes: u64) {
        if id != 0 {
            self.anchors.insert(id, nodes);
        }
    }

    /// A key scalar of the innermost mapping.
    fn key(&mut self, text: String, pos: (usize, usize)) {
        let Some(Frame::Map {
            key,
            path,
            nodes,
            first_key,
            ..
        }) = self.stack.last_mut()
        else {
            return;
        };
        // A mapping is located at its first key: "missing field" errors then point at the
        // record's first line, not past its end.
        if *first_key {
            *first_key = false;
            self.positions.insert(path.clone(), pos);
        }
        let full = if path.is_empty() {
            text.clone()
        } else {
            format!("{path}.{text}")
        };
        *nodes = nodes.saturating_add(1);
        match self.keys.entry(full) {
            Entry::Occupied(e) => {
                self.duplicates.entry(e.key().clone()).or_insert(pos);
            }
            Entry::Vacant(e) => {
                e.insert(pos);
            }
        }
        *key = Some(text);
    }
}

impl MarkedEventReceiver for Walker {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let pos = (mark.line(), mark.col() + 1);
        if self.documents > 1 {
            return;
        }
        match ev {
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents > 1 {
                    self.second_document = Some(pos);
                }
            }
            Event::Scalar(text, _, anchor, tag) => {
                self.tag(&tag, pos);
                if self.control.is_none() {
                    let bad = text
                        .chars()
                        .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'));
                    if let Some(c) = bad {
                        self.control = Some((pos.0, pos.1, c));
                    }
                }
                match self.next_path() {
                    None => self.key(text, pos),
                    Some(path) => {
                        self.positions.insert(path, pos);
                        self.anchor(anchor, 1);
                        self.finish_value(1);
                    }
                }
            }
            Event::Alias(id) => {
                let nodes = self.anchors.get(&id).copied().unwrap_or(1);
                self.expansion = self.expansion.saturating_add(nodes);
                if self.expansion > MAX_ALIAS_EXPANSION && self.alias_bomb.is_none() {
                    self.alias_bomb = Some(pos);
                }
                match self.next_path() {
                    Some(path) => {
                        self.positions.insert(path, pos);
                        self.finish_value(nodes);
                    }
                    // An alias used as a key.
                    None => self.key(format!("*{id}"), pos),
                }
            }
            Event::MappingStart(anchor, ref tag) | Event::SequenceStart(anchor, ref tag) => {
                self.tag(tag, pos);
                if self.stack.len() >= MAX_DEPTH && self.too_deep.is_none() {
                    self.too_deep = Some(pos);
                }
                let path = self.next_path().unwrap_or_default();
                self.positions.entry(path.clone()).or_insert(pos);
                self.stack.push(if matches!(ev, Event::MappingStart(..)) {
                    Frame::Map {
                        path,
                        key: None,
                        anchor,
                        nodes: 1,
                        first_key: true,
                    }
                } else {
                    Frame::Seq {
                        path,
                        index: 0,
                        anchor,
                        nodes: 1,
                    }
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let (anchor, nodes) = match self.stack.pop() {
                    Some(Frame::Map { anchor, nodes, .. } | Frame::Seq { anchor, nodes, .. }) => {
                        (anchor, nodes)
                    }
                    None => (0, 1),
                };
                self.anchor(anchor, nodes);
                self.finish_value(nodes);
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
        assert_eq!(loc.locate("id"), Some((1, 5)));
        assert_eq!(loc.key("id"), Some((1, 1)));
        assert_eq!(loc.locate("targets[1].value"), Some((6, 12)));
        assert_eq!(loc.key("targets[1].value"), Some((6, 5)));
        assert_eq!(loc.locate("targets[1].note.zh"), Some((7, 23)));
        // A field that is not written falls back to its record, located at its first key.
        assert_eq!(loc.locate("targets[1].deadline"), Some((5, 5)));
        assert_eq!(loc.locate("targets[1]"), Some((5, 5)));
    }

    #[test]
    fn notes_keys_written_twice() {
        let loc = Locator::from_text("id: a\nt:\n  x: 1\n  x: 2\nid: b\n");
        assert_eq!(loc.duplicate("id"), Some((5, 1)));
        assert_eq!(loc.duplicate("t.x"), Some((4, 3)));
        assert_eq!(loc.duplicate("t"), None);
    }

    #[test]
    fn measures_alias_expansion_without_expanding() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let names: Vec<char> = ('a'..='l').collect();
        for pair in names.windows(2) {
            let (prev, name) = (pair[0], pair[1]);
            let refs = vec![format!("*{prev}"); 10].join(", ");
            text.push_str(&format!("{name}: &{name} [{refs}]\n"));
        }
        let loc = Locator::from_text(&text);
        // Line 5 holds 10^5 nodes; its last alias pushes the total over the limit.
        assert_eq!(loc.alias_bomb().map(|p| p.0), Some(5));
        let fine = Locator::from_text("a: &a {en: x, zh: y}\nb: *a\nc: *a\n");
        assert_eq!(fine.alias_bomb(), None);
    }
}

//! The change report: what this build publishes differently from the previous output, read
//! from the previous `data/targets.json`. Printed after the build and published as a page, so
//! an editor sees what a data update changed before publishing it.

use crate::downloads::Row;
use crate::model::Lang;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FieldChange {
    pub field: String,
    pub old: String,
    pub new: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Changed {
    pub target_id: String,
    pub place: String,
    pub label: String,
    pub changes: Vec<FieldChange>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct ChangeReport {
    /// False when there was no previous output to compare with.
    pub compared: bool,
    pub added: Vec<Row>,
    pub removed: Vec<Row>,
    pub changed: Vec<Changed>,
}

#[derive(serde::Deserialize)]
struct Published {
    targets: Vec<Row>,
}

impl ChangeReport {
    /// Compares `new` with the rows published in `previous_output/data/targets.json`.
    pub fn against(previous_output: &Path, new: &[Row]) -> ChangeReport {
        let old: Option<Vec<Row>> =
            std::fs::read_to_string(previous_output.join("data/targets.json"))
                .ok()
                .and_then(|t| serde_json::from_str::<Published>(&t).ok())
                .map(|p| p.targets);
        match old {
            Some(old) => Self::between(&old, new),
            None => ChangeReport::default(),
        }
    }

    pub fn between(old: &[Row], new: &[Row]) -> ChangeReport {
        let old_by: BTreeMap<&str, &Row> = old.iter().map(|r| (r.target_id.as_str(), r)).collect();
        let new_by: BTreeMap<&str, &Row> = new.iter().map(|r| (r.target_id.as_str(), r)).collect();
        let added = new
            .iter()
            .filter(|r| !old_by.contains_key(r.target_id.as_str()))
            .cloned()
            .collect();
        let removed = old
            .iter()
            .filter(|r| !new_by.contains_key(r.target_id.as_str()))
            .cloned()
            .collect();
        let mut changed = Vec::new();
        for r in new {
            let Some(o) = old_by.get(r.target_id.as_str()) else {
                continue;
            };
            let a = serde_json::to_value(o).unwrap_or_default();
            let b = serde_json::to_value(r).unwrap_or_default();
            let mut changes = Vec::new();
            if let (Some(a), Some(b)) = (a.as_object(), b.as_object()) {
                for (field, new_value) in b {
                    // The permalink follows the base URL, which is not a change of the data.
                    if field == "permalink" {
                        continue;
                    }
                    let old_value = a.get(field).cloned().unwrap_or_default();
                    if &old_value != new_value {
                        changes.push(FieldChange {
                            field: field.clone(),
                            old: show(&old_value),
                            new: show(new_value),
                        });
                    }
                }
            }
            if !changes.is_empty() {
                changed.push(Changed {
                    target_id: r.target_id.clone(),
                    place: r.place_en.clone(),
                    label: r.label_en.clone(),
                    changes,
                });
            }
        }
        ChangeReport {
            compared: true,
            added,
            removed,
            changed,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }

    /// The report as printed after a build.
    pub fn text(&self) -> String {
        if !self.compared {
            return "Change report: no previous output to compare with (first build).\n".into();
        }
        if self.is_empty() {
            return "Change report: the published data is unchanged.\n".into();
        }
        let mut out = format!(
            "Change report: {} added, {} removed, {} changed\n",
            self.added.len(),
            self.removed.len(),
            self.changed.len()
        );
        for r in &self.added {
            out.push_str(&format!(
                "  + {} ({}, {}): {} {} {}\n",
                r.target_id,
                r.place_en,
                r.label_en,
                r.comparator,
                fmt(r.value),
                r.unit
            ));
        }
        for r in &self.removed {
            out.push_str(&format!(
                "  - {} ({}, {})\n",
                r.target_id, r.place_en, r.label_en
            ));
        }
        for c in &self.changed {
            out.push_str(&format!("  ~ {} ({}, {})\n", c.target_id, c.place, c.label));
            for f in &c.changes {
                out.push_str(&format!("      {}: {} → {}\n", f.field, f.old, f.new));
            }
        }
        out
    }

    pub fn view(&self, lang: Lang) -> serde_json::Value {
        let _ = lang;
        serde_json::to_value(self).unwrap_or_default()
    }
}

fn fmt(v: f64) -> String {
    show(&serde_json::json!(v))
}

fn show(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "(none)".into(),
        serde_json::Value::String(s) if s.is_empty() => "(none)".into(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

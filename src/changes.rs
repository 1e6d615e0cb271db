//! The change report: what this build publishes differently from the previous output, read
//! from the previous `data/targets.json`. Printed after the build and published as a page, so
//! an editor sees what a data update changed before publishing it.

use crate::downloads::Row;
use crate::load::read;
use crate::model::{Lang, Model, Programme, Target};
use crate::urls::{Page, Urls};
use serde::Serialize;
use serde_json::json;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::Path;

mod published;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FieldChange {
    pub field: String,
    pub old: String,
    pub new: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Changed {
    pub target_id: String,
    pub programme: String,
    /// Place and label in English (the printed report) …
    pub place: String,
    pub label: String,
    /// … and in Chinese (the published page in Chinese).
    pub place_zh: String,
    pub label_zh: String,
    pub changes: Vec<FieldChange>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct ChangeReport {
    /// False when there was no previous output to compare with.
    pub compared: bool,
    pub added: Vec<Row>,
    pub removed: Vec<Row>,
    pub changed: Vec<Changed>,
    /// True when the previous output held a `data/targets.json` that could not be read: the
    /// build warns, and the printed report does not call it a first build.
    #[serde(skip)]
    pub previous_unreadable: bool,
}

/// Where the site-wide data is published, relative to the output folder.
pub const PUBLISHED: &str = "data/targets.json";

/// The columns derived from observations (`progress`).
const PROGRESS_FIELDS: [&str; 4] = [
    "progress_status",
    "progress_ratio",
    "latest_value",
    "latest_as_of",
];

/// A figure whose progress status changed: "tianjin-skilled-share-2025: on track → limited".
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StatusChange {
    pub target_id: String,
    pub programme: String,
    pub from: String,
    pub to: String,
}

impl StatusChange {
    /// The sentence the report and the feed print, with the English labels.
    pub fn text(&self) -> String {
        let words = |id: &str| {
            crate::progress::status::Status::from_id(id)
                .map(|s| s.words().to_string())
                .unwrap_or_else(|| id.to_string())
        };
        format!(
            "{}: {} → {}",
            self.target_id,
            words(&self.from),
            words(&self.to)
        )
    }
}

impl ChangeReport {
    /// Compares `new` with the rows published in `previous_output/data/targets.json`. An
    /// output without one (a first build) gives a report that compared nothing; one that
    /// cannot be read or is not policydash's is an error, for the caller to warn about.
    pub fn against(
        previous_output: &Path,
        new: &(impl NewRows + ?Sized),
    ) -> Result<ChangeReport, String> {
        let file = previous_output.join(PUBLISHED);
        if fs::symlink_metadata(&file).is_err() {
            return Ok(ChangeReport::default());
        }
        Self::against_file(&file, new)
    }

    /// Compares `new` with the rows of a published `data/targets.json` (for example the one
    /// the live site serves, fetched before building). Unreadable files are an error. The file
    /// is read as any other (`load::read`: a regular file of bounded size), and the error
    /// never quotes it: it may be any file on the machine. Its rows are compared one by one
    /// as they are read: at 10,000 places the file is hundreds of MB as rows.
    pub fn against_file(
        previous: &Path,
        new: &(impl NewRows + ?Sized),
    ) -> Result<ChangeReport, String> {
        let file = read::open_file(previous, read::MAX_PREVIOUS_BYTES, &[])
            .map_err(|e| format!("cannot read {}: {e}", previous.display()))?;
        let mut diff = Diff::new(new);
        let mut json = serde_json::Deserializer::from_reader(std::io::BufReader::new(file));
        let read = serde::de::DeserializeSeed::deserialize(
            published::Published(&mut |row| diff.old(row)),
            &mut json,
        )
        .and_then(|()| json.end());
        read.map_err(|e| {
            // serde_json's own message may quote a value from the file: give only its kind.
            let what = match e.classify() {
                serde_json::error::Category::Syntax => "it is not valid JSON",
                serde_json::error::Category::Eof => "it ends before the JSON does",
                serde_json::error::Category::Data => {
                    "it is JSON, but not the list of targets policydash publishes"
                }
                serde_json::error::Category::Io => "it could not be read",
            };
            format!(
                "{} is not a targets.json that policydash published: {what} (line {}, column {})",
                previous.display(),
                e.line(),
                e.column()
            )
        })?;
        Ok(diff.finish())
    }

    pub fn between(old: &[Row], new: &[Row]) -> ChangeReport {
        let mut diff = Diff::new(new);
        for o in old {
            diff.old(o.clone());
        }
        diff.finish()
    }

    /// The figures whose progress status changed, in figure order.
    pub fn status_changes(&self) -> Vec<StatusChange> {
        self.changed
            .iter()
            .flat_map(|c| {
                c.changes
                    .iter()
                    .filter(|f| f.field == "progress_status")
                    .map(|f| StatusChange {
                        target_id: c.target_id.clone(),
                        programme: c.programme.clone(),
                        from: f.old.clone(),
                        to: f.new.clone(),
                    })
            })
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }

    /// The report as printed after a build.
    pub fn text(&self) -> String {
        if self.previous_unreadable {
            return "Change report: the previous output's data/targets.json could not be read, so nothing was compared.\n".into();
        }
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
        let status = self.status_changes();
        if !status.is_empty() {
            out.push_str("Status changes:\n");
            for s in status {
                out.push_str(&format!("  {}\n", s.text()));
            }
        }
        out
    }

    /// What the changes page shows, in `lang`: places and labels in that language, and links
    /// to the figures that still exist. Field names stay ids; the template names them.
    pub fn view(&self, lang: Lang, urls: &Urls) -> serde_json::Value {
        let zh = lang == Lang::Zh;
        let colon = if zh { "：" } else { ": " };
        let pick = |en: &str, zh_text: &str| {
            if zh && !zh_text.is_empty() {
                zh_text.to_string()
            } else {
                en.to_string()
            }
        };
        let href = |programme: &str, id: &str| {
            format!(
                "{}#t-{id}",
                urls.page(&Page::Programme(programme.to_string()), lang)
            )
        };
        // Added and removed figures read the same; only an added one still has a page to link.
        let row = |r: &Row, linked: bool| {
            let mut v = json!({
                "target_id": r.target_id,
                "place": pick(&r.place_en, &r.place_zh),
                "label": pick(&r.label_en, &r.label_zh),
                "value": format!("{} {}{} {}", r.comparator, fmt(r.value),
                    r.value_max.map(|m| format!("–{}", fmt(m))).unwrap_or_default(), r.unit),
            });
            if linked {
                v["href"] = json!(href(&r.programme, &r.target_id));
            }
            v
        };
        let added: Vec<_> = self.added.iter().map(|r| row(r, true)).collect();
        let removed: Vec<_> = self.removed.iter().map(|r| row(r, false)).collect();
        let changed: Vec<_> = self
            .changed
            .iter()
            .map(|c| {
                json!({
                    "target_id": c.target_id,
                    "place": pick(&c.place, &c.place_zh),
                    "label": pick(&c.label, &c.label_zh),
                    "href": href(&c.programme, &c.target_id),
                    "changes": c.changes,
                })
            })
            .collect();
        let status_changes: Vec<_> = self
            .status_changes()
            .into_iter()
            .map(|s| {
                json!({
                    "target_id": s.target_id,
                    "href": href(&s.programme, &s.target_id),
                    "from": s.from,
                    "to": s.to,
                })
            })
            .collect();
        json!({
            "status_changes": status_changes,
            "colon": colon,
            "compared": self.compared,
            "empty": self.is_empty(),
            "added": added,
            "removed": removed,
            "changed": changed,
        })
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

/// The rows a build publishes, as the change report reads them: each figure's id, and its
/// row when it is compared. The build makes each row from the model when it is asked for
/// (`ModelRows`): at 10,000 places every row at once is a quarter of a GB.
pub trait NewRows {
    fn count(&self) -> usize;
    /// The target id of row `i`.
    fn id(&self, i: usize) -> &str;
    fn row(&self, i: usize) -> Cow<'_, Row>;
}

impl NewRows for [Row] {
    fn count(&self) -> usize {
        self.len()
    }
    fn id(&self, i: usize) -> &str {
        &self[i].target_id
    }
    fn row(&self, i: usize) -> Cow<'_, Row> {
        Cow::Borrowed(&self[i])
    }
}

/// Every figure's row as `downloads::all_rows` makes them, in the same order, each made when
/// the report compares it and dropped after.
pub struct ModelRows<'a> {
    model: &'a Model,
    urls: &'a Urls,
    figures: Vec<(&'a Programme, &'a Target)>,
}

impl<'a> ModelRows<'a> {
    pub fn new(model: &'a Model, urls: &'a Urls) -> Self {
        ModelRows {
            model,
            urls,
            figures: model.targets().collect(),
        }
    }
}

impl NewRows for ModelRows<'_> {
    fn count(&self) -> usize {
        self.figures.len()
    }
    fn id(&self, i: usize) -> &str {
        &self.figures[i].1.id
    }
    fn row(&self, i: usize) -> Cow<'_, Row> {
        let (p, t) = self.figures[i];
        Cow::Owned(crate::downloads::row(self.model, self.urls, p, t))
    }
}

/// A comparison of new rows with old ones given one at a time (`between`, `against_file`).
struct Diff<'a, N: NewRows + ?Sized> {
    new: &'a N,
    /// Target id → the new rows with that id.
    new_by: HashMap<&'a str, Vec<usize>>,
    /// Whether an old row has the id of the new row.
    seen: Vec<bool>,
    removed: Vec<Row>,
    /// By new row: how it differs from the last old row with its id.
    changed: BTreeMap<usize, Changed>,
    columns: Vec<String>,
}

impl<'a, N: NewRows + ?Sized> Diff<'a, N> {
    fn new(new: &'a N) -> Self {
        let mut new_by: HashMap<&str, Vec<usize>> = HashMap::new();
        for i in 0..new.count() {
            new_by.entry(new.id(i)).or_default().push(i);
        }
        // The columns are those of any row (a `Row`'s fields); none when there is no row.
        let columns = match new.count() {
            0 => Vec::new(),
            _ => crate::downloads::csv_columns(&[new.row(0).into_owned()]),
        };
        Diff {
            new,
            new_by,
            seen: vec![false; new.count()],
            removed: Vec::new(),
            changed: BTreeMap::new(),
            columns,
        }
    }

    fn old(&mut self, o: Row) {
        let Some(same) = self.new_by.get(o.target_id.as_str()) else {
            self.removed.push(o);
            return;
        };
        for &i in same {
            self.seen[i] = true;
            match changed(&o, &self.new.row(i), &self.columns) {
                Some(c) => self.changed.insert(i, c),
                None => self.changed.remove(&i),
            };
        }
    }

    fn finish(self) -> ChangeReport {
        let added = (0..self.new.count())
            .filter(|i| !self.seen[*i])
            .map(|i| self.new.row(i).into_owned())
            .collect();
        ChangeReport {
            compared: true,
            added,
            removed: self.removed,
            changed: self.changed.into_values().collect(),
            previous_unreadable: false,
        }
    }
}

/// How `r` differs from `o`, the row of the same figure before, field by field.
fn changed(o: &Row, r: &Row, columns: &[String]) -> Option<Changed> {
    let a = serde_json::to_value(o).unwrap_or_default();
    let b = serde_json::to_value(r).unwrap_or_default();
    let mut changes = Vec::new();
    if let (Some(a), Some(b)) = (a.as_object(), b.as_object()) {
        // In the order of the CSV columns: the value before what is derived from it.
        // A file published before progress existed has no status to compare with.
        let no_progress = o.progress_status.is_empty();
        for field in columns.iter().map(String::as_str) {
            // The permalink follows the base URL, which is not a change of the data.
            if field == "permalink" || (no_progress && PROGRESS_FIELDS.contains(&field)) {
                continue;
            }
            let old_value = a.get(field).cloned().unwrap_or_default();
            let new_value = b.get(field).cloned().unwrap_or_default();
            if old_value != new_value {
                changes.push(FieldChange {
                    field: field.to_string(),
                    old: show(&old_value),
                    new: show(&new_value),
                });
            }
        }
    }
    (!changes.is_empty()).then(|| Changed {
        target_id: r.target_id.clone(),
        programme: r.programme.clone(),
        place: r.place_en.clone(),
        label: r.label_en.clone(),
        place_zh: r.place_zh.clone(),
        label_zh: r.label_zh.clone(),
        changes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The build's rows, made one at a time as they are compared, give the report that every
    /// row made up front gives: a changed value, a removed figure and an added one.
    #[test]
    fn rows_made_when_compared_give_the_same_report() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let model = crate::load::load(root).model.unwrap();
        let urls = Urls::with_lang("https://example.org/site/", model.site.default_lang()).unwrap();
        let all = crate::downloads::all_rows(&model, &urls);
        let mut old = all.clone();
        old[3].value += 1.0;
        old.remove(5);
        let mut gone = old[0].clone();
        gone.target_id = "a-figure-since-removed".into();
        old.push(gone);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("targets.json");
        fs::write(&file, crate::downloads::json_records("targets", &old)).unwrap();
        let made = ModelRows::new(&model, &urls);
        assert_eq!(made.count(), all.len());
        let lazy = ChangeReport::against_file(&file, &made).unwrap();
        let held = ChangeReport::against_file(&file, all.as_slice()).unwrap();
        assert_eq!(lazy, held);
        assert_eq!(lazy.changed.len(), 1);
        assert_eq!(lazy.changed[0].target_id, all[3].target_id);
        assert_eq!(lazy.added, vec![all[5].clone()]);
        assert_eq!(lazy.removed.len(), 1);
    }
}

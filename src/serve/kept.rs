//! What the last build made that the next rebuild reuses, so that an edit of one programme
//! costs about as much at 1,000 places as at five:
//!
//! - each programme's download rows, with each row as the CSV and JSON files publish it: the
//!   site-wide and per-metric files are spliced from those pieces (`csv_bytes` and
//!   `json_records` write each row on its own, so the splice is byte for byte what they give),
//!   and the change report compares only the rows of the programmes edited (the others are
//!   the same rows);
//! - each chart's resource in the data package (reading its CSV), made again only for the
//!   charts the edit redraws (`Scope::charts`);
//! - each page's template context as it was last rendered: a page whose context comes out the
//!   same is not rendered again (its file would come out the same, the templates being the same).
//!
//! Rows depend on their programme, the metrics, the context figures and the base URL; an edit
//! of anything but programmes, commentary and templates is a full build, which starts afresh.

use super::scope::Scope;
use crate::changes::ChangeReport;
use crate::chart::Charts;
use crate::downloads::{self, Downloads, ObservationRow, Row, OBSERVATIONS};
use crate::model::{Lang, Model, Programme};
use crate::output::OutputFile;
use crate::publish::datapackage;
use crate::render::memo::Memo;
use crate::urls::{Page, Urls};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// One programme's rows and observations, each with its CSV line and JSON record.
struct Pieces {
    rows: Vec<Row>,
    csv: Vec<Vec<u8>>,
    json: Vec<String>,
    observations: Vec<ObservationRow>,
    observation_csv: Vec<Vec<u8>>,
    observation_json: Vec<String>,
}

impl Pieces {
    fn of(model: &Model, urls: &Urls, p: &Programme) -> Pieces {
        let rows: Vec<Row> = p
            .targets
            .iter()
            .map(|t| downloads::row(model, urls, p, t))
            .collect();
        let observations = downloads::observation_rows_of(model, p);
        Pieces {
            csv: rows.iter().map(csv_line).collect(),
            json: rows.iter().map(json_line).collect(),
            observation_csv: observations.iter().map(csv_line).collect(),
            observation_json: observations.iter().map(json_line).collect(),
            rows,
            observations,
        }
    }
}

impl Pieces {
    /// Whether the files publish these pieces as they publish `other`.
    fn published_as(&self, other: &Pieces) -> bool {
        self.csv == other.csv
            && self.json == other.json
            && self.observation_csv == other.observation_csv
            && self.observation_json == other.observation_json
    }

    fn metrics(&self) -> impl Iterator<Item = &str> {
        self.rows.iter().map(|r| r.metric.as_str())
    }
}

/// What the files of the downloads publish differently from the last build's: the tables
/// of these programmes and metrics, the site-wide table when any, the observations when said.
#[derive(Debug, Default)]
pub struct Stale {
    programmes: BTreeSet<String>,
    metrics: BTreeSet<String>,
    observations: bool,
}

impl Stale {
    /// Whether the files of `page`'s table may differ from the last build's.
    fn table(&self, page: &Page) -> bool {
        match page {
            Page::Data => !self.programmes.is_empty(),
            Page::Programme(id) => self.programmes.contains(id),
            Page::Metric(m) => self.metrics.contains(m),
            _ => true,
        }
    }
}

/// The byte-order mark and header `csv_bytes` writes before rows like `row`, and the row.
fn split_csv<T: Serialize>(row: &T) -> (Vec<u8>, Vec<u8>) {
    let mut bytes = downloads::csv_bytes(std::slice::from_ref(row));
    let end = bytes
        .windows(2)
        .position(|w| w == b"\r\n")
        .map_or(bytes.len(), |i| i + 2);
    let line = bytes.split_off(end);
    (bytes, line)
}

fn csv_line<T: Serialize>(row: &T) -> Vec<u8> {
    split_csv(row).1
}

/// A record as `json_records` writes it.
fn json_line<T: Serialize>(row: &T) -> String {
    serde_json::to_string(row).unwrap_or_default()
}

/// `json_records(key, rows)` from the rows' records.
fn json_file<'a>(key: &str, records: impl ExactSizeIterator<Item = &'a str>) -> String {
    let mut text = format!("{{\"count\":{},\"{key}\":[", records.len());
    for (i, r) in records.enumerate() {
        text.push_str(if i == 0 { "\n" } else { ",\n" });
        text.push_str(r);
    }
    text.push_str("\n]}\n");
    text
}

/// `csv_bytes(rows)` from the rows' lines, `first` being the first row (none: no row).
fn csv_file<'a, T: Serialize>(first: Option<&T>, lines: impl Iterator<Item = &'a [u8]>) -> Vec<u8> {
    let Some(first) = first else {
        return downloads::csv_bytes::<T>(&[]);
    };
    let mut bytes = split_csv(first).0;
    for line in lines {
        bytes.extend_from_slice(line);
    }
    bytes
}

/// Puts the rows of programme `id` (`None`: it has none) in place of those `d` has: in the
/// site-wide table (rows in programme order, programmes in id order), its own table, and the
/// tables of the metrics its rows had or have; and its observations likewise.
fn patch(d: &mut Downloads, id: &str, pieces: Option<&Pieces>) {
    let (rows, observations) = match pieces {
        Some(p) => (p.rows.as_slice(), p.observations.as_slice()),
        None => (&[][..], &[][..]),
    };
    let range = |programmes: &mut dyn Iterator<Item = &str>| {
        let ids: Vec<&str> = programmes.collect();
        ids.partition_point(|p| *p < id)..ids.partition_point(|p| *p <= id)
    };
    d.replace_programme(id, rows);
    let was = range(&mut d.observations.iter().map(|o| o.programme.as_str()));
    d.observations.splice(was, observations.iter().cloned());
}

/// What a rebuild reuses from the last build (see the module's notes).
#[derive(Default)]
pub struct Kept {
    /// By programme id.
    programmes: HashMap<String, Arc<Pieces>>,
    /// By chart id, for the charts with a CSV of their own: its data package resource, printed.
    charts: HashMap<String, Arc<String>>,
    /// By page and language: the context the page in the output was rendered with.
    pub contexts: HashMap<(Page, Lang), tera::Context>,
    /// Parts of page contexts made for the last build, of the programmes not edited since.
    pub memo: Memo,
    /// The last build's downloads, when kept: the next is this with the edited programmes'
    /// rows replaced (copying 10,000 rows four times costs more than the rest of it).
    pub downloads: Option<Downloads>,
    /// What the downloads publish differently from the last build's (`None`: anything).
    stale: Option<Stale>,
}

impl Kept {
    /// Everything made afresh (after a full build), no page context known.
    pub fn new(model: &Model, urls: &Urls, charts: &Charts) -> Kept {
        let mut kept = Kept::default().next(model, urls, charts, None);
        kept.downloads = Some(kept.downloads(model, urls));
        kept
    }

    /// What the rebuild after an edit in `scope` reuses of this, and makes again: the
    /// programmes it edited, the charts it redraws (everything, without a scope). The page
    /// contexts are moved over as they are.
    pub fn next(
        &mut self,
        model: &Model,
        urls: &Urls,
        charts: &Charts,
        scope: Option<&Scope>,
    ) -> Kept {
        let programmes: HashMap<String, Arc<Pieces>> = model
            .programmes
            .par_iter()
            .map(|p| {
                let kept = self.programmes.get(&p.id);
                let pieces = match kept {
                    Some(k) if scope.is_some_and(|s| !s.programmes.contains(&p.id)) => k.clone(),
                    _ => Arc::new(Pieces::of(model, urls, p)),
                };
                (p.id.clone(), pieces)
            })
            .collect();
        let stale = scope.map(|scope| {
            let mut stale = Stale::default();
            for id in &scope.programmes {
                let (was, now) = (self.programmes.get(id), programmes.get(id));
                let same = match (was, now) {
                    (Some(a), Some(b)) => a.published_as(b),
                    _ => false,
                };
                if same {
                    continue;
                }
                stale.programmes.insert(id.clone());
                for p in [was, now].into_iter().flatten() {
                    stale.metrics.extend(p.metrics().map(str::to_string));
                    stale.observations |= !p.observations.is_empty();
                }
            }
            stale
        });
        let ids: Vec<&crate::chart::Spec> = charts.specs().collect();
        let charts = ids
            .par_iter()
            .filter_map(|spec| {
                let id = &spec.id;
                let kept = self.charts.get(id);
                let resource = match kept {
                    Some(k) if scope.is_some_and(|s| !s.charts.contains(id)) => k.clone(),
                    _ => {
                        let (path, bytes) = charts.csv_of(model, id)?;
                        let resource = datapackage::chart_resource(&path, &bytes);
                        Arc::new(datapackage::printed(&resource))
                    }
                };
                Some((id.clone(), resource))
            })
            .collect();
        let mut memo = std::mem::take(&mut self.memo);
        match scope {
            // What the edited programmes, and the metrics they had or have, show is made again.
            Some(scope) => {
                let edited = scope.programmes.iter();
                let pieces = edited.flat_map(|id| [self.programmes.get(id), programmes.get(id)]);
                let metrics = pieces
                    .flatten()
                    .flat_map(|p| p.metrics())
                    .map(str::to_string);
                memo.forget(&scope.programmes, &metrics.collect());
            }
            None => memo = Memo::default(),
        }
        let downloads = match scope {
            Some(scope) => self.downloads.take().map(|mut d| {
                for id in &scope.programmes {
                    patch(&mut d, id, programmes.get(id).map(|p| &**p));
                }
                d
            }),
            None => None,
        };
        Kept {
            programmes,
            charts,
            contexts: std::mem::take(&mut self.contexts),
            memo,
            downloads,
            stale,
        }
    }

    fn pieces<'a>(&'a self, model: &'a Model) -> impl Iterator<Item = &'a Pieces> {
        model
            .programmes
            .iter()
            .filter_map(|p| self.programmes.get(&p.id).map(|x| &**x))
    }

    /// The downloads of `model`: the last build's patched, else made from the rows kept.
    pub fn downloads(&mut self, model: &Model, urls: &Urls) -> Downloads {
        if let Some(d) = self.downloads.take() {
            return d;
        }
        let rows = self.pieces(model).flat_map(|p| p.rows.iter().cloned());
        let observations = self
            .pieces(model)
            .flat_map(|p| p.observations.iter().cloned());
        Downloads::from_rows(model, urls, rows.collect(), observations.collect())
    }

    /// The chart resources of the data package, printed, in the order of `Charts::csvs`.
    pub fn chart_resources(&self, charts: &Charts) -> Vec<String> {
        charts
            .specs()
            .filter_map(|s| self.charts.get(&s.id).map(|r| (**r).clone()))
            .collect()
    }

    /// The change report of an edit of `scope`'s programmes, `old` being the last build's:
    /// the rows of the other programmes are the same.
    pub fn changes(&self, old: &Kept, model: &Model, scope: &Scope) -> ChangeReport {
        let rows = |kept: &Kept| -> Vec<Row> {
            scope
                .programmes
                .iter()
                .filter_map(|id| kept.programmes.get(id))
                .flat_map(|p| p.rows.iter().cloned())
                .collect()
        };
        // (The programmes of `scope` are ids of `model`, in its order: both are sorted.)
        debug_assert!(scope
            .programmes
            .iter()
            .all(|id| model.programme(id).is_some()));
        ChangeReport::between(&rows(old), &rows(self))
    }

    /// The files of the downloads `wanted` picks, as `Downloads::files_for` makes them,
    /// spliced from the rows' pieces; those that publish the same rows as the last build's
    /// are left out (their files are as they were).
    pub fn download_files(
        &self,
        model: &Model,
        downloads: &Downloads,
        wanted: &dyn Fn(&Page) -> bool,
    ) -> Vec<OutputFile> {
        let stale = |page: &Page| self.stale.as_ref().is_none_or(|s| s.table(page));
        let observations = self.stale.as_ref().is_none_or(|s| s.observations);
        let wanted = |page: &Page| wanted(page) && stale(page);
        if !downloads.tables.iter().any(|t| wanted(&t.page)) {
            return Vec::new();
        }
        let by_id: HashMap<&str, (&[u8], &str)> = self
            .pieces(model)
            .flat_map(|p| {
                p.rows
                    .iter()
                    .zip(p.csv.iter().zip(&p.json))
                    .map(|(r, (c, j))| (r.target_id.as_str(), (c.as_slice(), j.as_str())))
            })
            .collect();
        let mut out = Vec::new();
        for t in downloads.tables.iter().filter(|t| wanted(&t.page)) {
            let pieces: Vec<(&[u8], &str)> = downloads
                .rows_of(t)
                .filter_map(|r| by_id.get(r.target_id.as_str()).copied())
                .collect();
            if pieces.len() != t.rows.len() {
                // Not a row of a kept programme (cannot happen): made as `build` makes it.
                if t.csv {
                    out.push(OutputFile::new(
                        format!("{}.csv", t.stem),
                        downloads::csv_bytes_of(downloads.rows_of(t)),
                    ));
                }
                out.push(OutputFile::new(
                    format!("{}.json", t.stem),
                    downloads::json_records_of("targets", t.rows.len(), downloads.rows_of(t)),
                ));
                continue;
            }
            if t.csv {
                let csv = csv_file(downloads.rows_of(t).next(), pieces.iter().map(|(c, _)| *c));
                out.push(OutputFile::new(format!("{}.csv", t.stem), csv));
            }
            let json = json_file("targets", pieces.iter().map(|(_, j)| *j));
            out.push(OutputFile::new(format!("{}.json", t.stem), json));
        }
        if !wanted(&Page::Data) || !observations {
            return out;
        }
        let observations: Vec<&Pieces> = self.pieces(model).collect();
        let first = observations.iter().find_map(|p| p.observations.first());
        let csv = match first {
            Some(first) => csv_file(
                Some(first),
                observations
                    .iter()
                    .flat_map(|p| p.observation_csv.iter().map(Vec::as_slice)),
            ),
            None => downloads::observations_csv(&[]),
        };
        out.push(OutputFile::new(format!("{OBSERVATIONS}.csv"), csv));
        let records: Vec<&str> = observations
            .iter()
            .flat_map(|p| p.observation_json.iter().map(String::as_str))
            .collect();
        out.push(OutputFile::new(
            format!("{OBSERVATIONS}.json"),
            json_file("observations", records.into_iter()),
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn spliced_downloads_are_the_downloads() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let checked = crate::check(&crate::BuildOptions::new(root)).unwrap();
        let (model, urls) = (&checked.model, &checked.urls);
        let mut kept = Kept::new(model, urls, &checked.charts);
        let built = Downloads::build(model, urls);
        let made = kept.downloads(model, urls);
        assert_eq!(made.all_rows(), built.all_rows());
        assert!(!made.observations.is_empty() || built.observations.is_empty());
        let files = |f: Vec<OutputFile>| -> Vec<(String, Vec<u8>)> {
            let mut v: Vec<_> = f.into_iter().map(|f| (f.path, f.bytes)).collect();
            v.sort();
            v
        };
        let spliced = files(kept.download_files(model, &made, &|_| true));
        assert_eq!(spliced, files(built.files()));
        assert!(spliced.len() > 4);
        let resources = kept.chart_resources(&checked.charts);
        let csvs = checked.charts.csvs(model);
        assert_eq!(resources.len(), csvs.len());
        for (r, (path, bytes)) in resources.iter().zip(&csvs) {
            let resource = datapackage::chart_resource(path, bytes);
            assert_eq!(*r, datapackage::printed(&resource));
        }
    }

    /// The downloads as `Downloads::build` makes them: every table's rows, the observations.
    fn tables(d: &Downloads) -> Vec<(String, Vec<Row>)> {
        d.tables
            .iter()
            .map(|t| (t.stem.clone(), d.rows_of(t).cloned().collect()))
            .collect()
    }

    #[test]
    fn patched_downloads_are_the_downloads_of_the_edited_model() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let checked = crate::check(&crate::BuildOptions::new(root)).unwrap();
        let (model, urls) = (&checked.model, &checked.urls);
        let mut kept = Kept::new(model, urls, &checked.charts);
        // Edits of one programme: a value, observations, a figure more, then edited, then
        // gone, and back.
        let id = model.programmes[1].id.clone();
        let observed = |p: &mut Programme, as_of: &str| {
            let source = p.targets[0].source.clone();
            p.targets[0].progress.push(crate::model::Observation {
                as_of: crate::model::PartialDate::parse(as_of).unwrap(),
                value: 12.0,
                source,
                note: None,
                quote: None,
                origin: Default::default(),
                row: None,
            });
        };
        type Edit = Box<dyn Fn(&mut Programme)>;
        let edits: Vec<Edit> = vec![
            Box::new(|p| p.targets[0].value += 1.0),
            Box::new(move |p| observed(p, "2023")),
            Box::new(move |p| observed(p, "2024-06")),
            Box::new(|p| {
                let mut extra = p.targets[0].clone();
                extra.id = format!("{}-extra", extra.id);
                p.targets.push(extra);
            }),
            Box::new(|p| p.targets.last_mut().unwrap().value = 7.0),
            Box::new(|p| drop(p.targets.pop())),
        ];
        let mut edited = model.clone();
        let scope = Scope {
            programmes: [id.clone()].into(),
            ..Scope::default()
        };
        let mut previous = model.clone();
        let (mut patches, mut observations) = (0, 0);
        let mut last: BTreeMap<String, Vec<u8>> = Downloads::build(model, urls)
            .files()
            .into_iter()
            .map(|f| (f.path, f.bytes))
            .collect();
        for edit in edits.iter().map(Some).chain([None]) {
            let mut next = model.clone();
            if let Some(edit) = edit {
                edit(edited.programmes.iter_mut().find(|p| p.id == id).unwrap());
                next = edited.clone().index();
            }
            let pages = crate::render::pages::all_pages;
            if pages(&next) != pages(&previous) {
                // A metric compared no more, or now: a full build (the preview checks).
                kept = Kept::new(&next, urls, &checked.charts);
                let built = Downloads::build(&next, urls).files();
                last = built.into_iter().map(|f| (f.path, f.bytes)).collect();
                previous = next;
                continue;
            }
            patches += 1;
            previous = next.clone();
            kept = kept.next(&next, urls, &checked.charts, Some(&scope));
            let patched = kept.downloads(&next, urls);
            let built = Downloads::build(&next, urls);
            let (a, b) = (tables(&patched), tables(&built));
            assert_eq!(a.len(), b.len());
            for (x, y) in a.iter().zip(&b) {
                let ids = |t: &(String, Vec<Row>)| -> Vec<String> {
                    t.1.iter().map(|r| r.target_id.clone()).collect()
                };
                assert_eq!(x.0, y.0);
                assert_eq!(ids(x), ids(y), "{}", x.0);
                assert_eq!(x.1, y.1, "{}", x.0);
            }
            assert_eq!(patched.observations, built.observations);
            observations = observations.max(built.observations.len());
            // The files made are the build's; those left out are as the last build made them.
            let made = kept.download_files(&next, &patched, &|_| true);
            let files: BTreeMap<String, Vec<u8>> = built
                .files()
                .into_iter()
                .map(|f| (f.path, f.bytes))
                .collect();
            for f in &made {
                assert_eq!(Some(&f.bytes), files.get(&f.path), "{}", f.path);
            }
            for (path, bytes) in &files {
                if !made.iter().any(|f| f.path == *path) {
                    assert_eq!(Some(bytes), last.get(path), "{path} left out");
                }
            }
            assert!(made.len() < files.len() || patches == 1, "{}", made.len());
            last = files;
            kept.downloads = Some(patched);
        }
        // (The figure added is a copy of one with two observations.)
        assert_eq!((patches, observations), (7, 4));
    }

    #[test]
    fn spliced_files_of_no_rows_are_the_files() {
        assert_eq!(
            csv_file::<Row>(None, std::iter::empty()),
            downloads::csv_bytes::<Row>(&[])
        );
        assert_eq!(
            json_file("targets", std::iter::empty()),
            downloads::json_records::<Row>("targets", &[])
        );
    }
}

//! Data downloads: every figure as CSV (UTF-8 with a byte-order mark, so spreadsheet programs
//! read Chinese correctly) and JSON, for the whole site, each programme and each shared metric.
//! A programme's or a metric's figures are a JSON file of their own (scripts may fetch it by
//! name); as CSV they are rows of the site-wide table, which their page links to, so that at
//! hundreds of places the rows are not written three times more. A comparison chart's CSV
//! (`chart::csv`) holds its numbers.

use crate::model::*;
use crate::output::OutputFile;
use crate::urls::{Page, Urls};
use rayon::prelude::*;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;

/// One figure, flattened for tables. Field order is the CSV column order.
#[derive(Serialize, Debug, Clone, PartialEq, serde::Deserialize)]
pub struct Row {
    pub target_id: String,
    pub programme: String,
    pub place_en: String,
    pub place_zh: String,
    pub metric: String,
    pub label_en: String,
    pub label_zh: String,
    pub kind: String,
    pub per: String,
    pub comparator: String,
    #[serde(serialize_with = "plain_number")]
    pub value: f64,
    #[serde(serialize_with = "plain_option")]
    pub value_max: Option<f64>,
    pub unit: String,
    pub deadline: String,
    pub as_of: String,
    pub tier: Option<u32>,
    pub source_id: String,
    pub source_title_zh: String,
    pub source_url: String,
    pub quote: String,
    pub quote_en: String,
    pub note_en: String,
    pub note_zh: String,
    #[serde(serialize_with = "plain_option")]
    pub per_100k_residents: Option<f64>,
    /// Progress (`progress::status`): a status id, actual ÷ needed progress, and the latest
    /// observation. Default when reading a file published before these columns existed.
    #[serde(default)]
    pub progress_status: String,
    #[serde(default, serialize_with = "plain_option")]
    pub progress_ratio: Option<f64>,
    #[serde(default, serialize_with = "plain_option")]
    pub latest_value: Option<f64>,
    #[serde(default)]
    pub latest_as_of: String,
    pub permalink: String,
}

/// One observation of a figure, as published in `data/observations.csv` and `.json`.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct ObservationRow {
    pub target_id: String,
    pub programme: String,
    pub as_of: String,
    #[serde(serialize_with = "plain_number")]
    pub value: f64,
    pub unit: String,
    pub source_id: String,
    pub source_title_zh: String,
    pub note: String,
    pub quote: String,
}

/// Every observation, by figure then date.
pub fn observation_rows(model: &Model) -> Vec<ObservationRow> {
    let mut out = Vec::new();
    for p in &model.programmes {
        out.extend(observation_rows_of(model, p));
    }
    out
}

/// The observations of one programme's figures, by figure then date.
pub fn observation_rows_of(model: &Model, p: &Programme) -> Vec<ObservationRow> {
    let mut out = Vec::new();
    for t in &p.targets {
        for o in crate::progress::progress(model, p, t).observations {
            out.push(ObservationRow {
                target_id: t.id.clone(),
                programme: p.id.clone(),
                as_of: o.as_of.to_string(),
                value: o.value,
                unit: t.unit.id().to_string(),
                source_id: o.source.clone(),
                source_title_zh: p
                    .source(&o.source)
                    .map(|s| s.title.zh.clone())
                    .unwrap_or_default(),
                note: o.note.clone().unwrap_or_default(),
                quote: o.quote.clone().unwrap_or_default(),
            });
        }
    }
    out
}

/// Where the observations are published, without extension.
pub const OBSERVATIONS: &str = "data/observations";

pub fn row(model: &Model, urls: &Urls, p: &Programme, t: &Target) -> Row {
    let source = p.source(&t.source);
    let page = urls.page_path(&Page::Programme(p.id.clone()), model.site.default_lang());
    let progress = crate::progress::progress(model, p, t);
    Row {
        target_id: t.id.clone(),
        programme: p.id.clone(),
        place_en: p.place.en.clone(),
        place_zh: p.place.zh.clone(),
        metric: t.metric.clone(),
        label_en: t.label.en.clone(),
        label_zh: t.label.zh.clone(),
        kind: format!("{:?}", t.kind).to_lowercase(),
        per: format!("{:?}", t.per).to_lowercase(),
        comparator: t.comparator.ascii().to_string(),
        value: t.value,
        value_max: t.value_max,
        unit: t.unit.id().to_string(),
        deadline: t
            .deadline
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        as_of: t
            .as_of
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        tier: t.tier,
        source_id: t.source.clone(),
        source_title_zh: source.map(|s| s.title.zh.clone()).unwrap_or_default(),
        source_url: source.and_then(|s| s.url.clone()).unwrap_or_default(),
        quote: t.quote.clone(),
        quote_en: t.quote_en.clone(),
        note_en: t.note.as_ref().map(|n| n.en.clone()).unwrap_or_default(),
        note_zh: t.note.as_ref().map(|n| n.zh.clone()).unwrap_or_default(),
        per_100k_residents: crate::view::per_100k_value(model, p, t)
            .map(|v| (v * 100.0).round() / 100.0),
        progress_status: progress.status().id().to_string(),
        progress_ratio: progress
            .assessment
            .ratio
            .map(|r| (r * 1000.0).round() / 1000.0),
        latest_value: progress.latest().map(|o| o.value),
        latest_as_of: progress
            .latest()
            .map(|o| o.as_of.to_string())
            .unwrap_or_default(),
        permalink: urls.absolute(&format!("{page}#t-{}", t.id)),
    }
}

/// A set of rows published under one name, e.g. `data/programmes/zhuhai`.
pub struct Table {
    pub page: Page,
    pub stem: String,
    /// Its rows, as indexes into `Downloads::all_rows` (each row is held once, not once per
    /// table it is published in).
    pub rows: Vec<usize>,
    /// Published as CSV as well as JSON.
    pub csv: bool,
}

impl Table {
    pub fn formats(&self) -> &'static [&'static str] {
        if self.csv {
            &["csv", "json"]
        } else {
            &["json"]
        }
    }
}

pub struct Downloads {
    /// Every figure's row, in `model.targets()` order: the site-wide table. Empty when the
    /// rows are made from the model as their files are written (`Downloads::unmade`).
    rows: Vec<Row>,
    pub tables: Vec<Table>,
    pub observations: Vec<ObservationRow>,
    urls: Urls,
}

/// Every figure's row, in `model.targets()` order: the site-wide table.
pub fn all_rows(model: &Model, urls: &Urls) -> Vec<Row> {
    model
        .targets()
        .map(|(p, t)| row(model, urls, p, t))
        .collect()
}

impl Downloads {
    pub fn build(model: &Model, urls: &Urls) -> Downloads {
        Downloads::from_rows(model, urls, all_rows(model, urls), observation_rows(model))
    }

    /// The tables (names, which figures, row counts) without their rows, which
    /// `par_write_made` makes from the model as it writes each file: what the build uses, as
    /// at 10,000 places the rows are a quarter of a GB.
    pub fn unmade(model: &Model, urls: &Urls) -> Downloads {
        let mut downloads = Downloads::tables(model, urls, Vec::new(), observation_rows(model));
        let keys = model
            .targets()
            .map(|(p, t)| (p.id.as_str(), t.metric.as_str()));
        downloads.index_by(keys);
        downloads
    }

    /// The downloads of `all`, every figure's row in `model.targets()` order, and of every
    /// observation: the preview passes the rows it kept of the programmes an edit left alone.
    pub fn from_rows(
        model: &Model,
        urls: &Urls,
        all: Vec<Row>,
        observations: Vec<ObservationRow>,
    ) -> Downloads {
        let mut downloads = Downloads::tables(model, urls, all, observations);
        downloads.index();
        downloads
    }

    /// The tables of the site, not yet indexed.
    fn tables(
        model: &Model,
        urls: &Urls,
        all: Vec<Row>,
        observations: Vec<ObservationRow>,
    ) -> Downloads {
        let table = |page: Page, stem: String, csv: bool| Table {
            page,
            stem,
            rows: Vec::new(),
            csv,
        };
        let mut tables = vec![table(Page::Data, "data/targets".into(), true)];
        for p in &model.programmes {
            let stem = crate::urls::programme_data(&p.id);
            tables.push(table(Page::Programme(p.id.clone()), stem, false));
        }
        for m in model.shared_metrics() {
            let stem = crate::urls::metric_data(&m.id);
            tables.push(table(Page::Metric(m.id.clone()), stem, false));
        }
        Downloads {
            rows: all,
            tables,
            observations,
            urls: urls.clone(),
        }
    }

    /// Gives each table the indexes of its rows: all of them for the site-wide table, those of
    /// its programme or its metric for the others.
    fn index(&mut self) {
        let rows = std::mem::take(&mut self.rows);
        self.index_by(
            rows.iter()
                .map(|r| (r.programme.as_str(), r.metric.as_str())),
        );
        self.rows = rows;
    }

    /// `index` from the (programme, metric) of every row, in order.
    fn index_by<'a>(&mut self, keys: impl Iterator<Item = (&'a str, &'a str)>) {
        // One pass over the rows, not one per table (10,000 rows × 1,000 programmes).
        let mut by_programme: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut by_metric: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut count = 0;
        for (i, (programme, metric)) in keys.enumerate() {
            by_programme.entry(programme).or_default().push(i);
            by_metric.entry(metric).or_default().push(i);
            count = i + 1;
        }
        for t in &mut self.tables {
            t.rows = match &t.page {
                Page::Programme(id) => by_programme.remove(id.as_str()).unwrap_or_default(),
                Page::Metric(id) => by_metric.get(id.as_str()).cloned().unwrap_or_default(),
                _ => (0..count).collect(),
            };
        }
    }

    /// Puts `rows` in the place of programme `id`'s rows (the site-wide rows are in programme
    /// id order): what the preview does after an edit of one programme.
    pub fn replace_programme(&mut self, id: &str, rows: &[Row]) {
        let was = self.rows.partition_point(|r| r.programme.as_str() < id)
            ..self.rows.partition_point(|r| r.programme.as_str() <= id);
        self.rows.splice(was, rows.iter().cloned());
        self.index();
    }

    /// The site-wide rows, as published in `data/targets.json` (none for `Downloads::unmade`).
    pub fn all_rows(&self) -> &[Row] {
        &self.rows
    }

    /// The rows of a table, in order (none for `Downloads::unmade`).
    pub fn rows_of<'a>(&'a self, table: &'a Table) -> impl Iterator<Item = &'a Row> + 'a {
        table.rows.iter().filter_map(|i| self.rows.get(*i))
    }

    /// Links for a page: its own tables, and on the data page every table. A programme's or a
    /// metric's page also links the site-wide CSV, which holds its rows (`every` marks it).
    pub fn for_page(&self, page: &Page) -> Vec<serde_json::Value> {
        let observations = ["csv", "json"].map(|ext| {
            serde_json::json!({
                "name": format!("observations.{ext}"),
                "format": ext,
                "href": self.urls.href(&format!("{OBSERVATIONS}.{ext}")),
                "rows": self.observations.len(),
                "scope": OBSERVATIONS,
            })
        });
        let observations = observations.into_iter().filter(|_| *page == Page::Data);
        let link = |t: &Table, ext: &str| {
            serde_json::json!({
                "name": format!("{}.{ext}", t.stem.rsplit('/').next().unwrap_or("")),
                "format": ext,
                "href": self.urls.href(&format!("{}.{ext}", t.stem)),
                "rows": t.rows.len(),
                "scope": t.stem,
            })
        };
        let own = self
            .tables
            .iter()
            .filter(|t| *page == Page::Data || t.page == *page)
            .flat_map(|t| t.formats().iter().map(move |ext| link(t, ext)));
        let every = self
            .tables
            .iter()
            .filter(|t| {
                matches!(page, Page::Programme(_) | Page::Metric(_)) && t.page == Page::Data
            })
            .map(|t| {
                let mut l = link(t, "csv");
                l["every"] = serde_json::Value::Bool(true);
                l
            });
        own.chain(every).chain(observations).collect()
    }

    pub fn files(&self) -> Vec<OutputFile> {
        self.files_for(&|_| true)
    }

    /// The files of the tables of the pages `wanted` picks (the observations go with the data
    /// page): what the preview writes after an edit that affects only those pages.
    pub fn files_for(&self, wanted: &dyn Fn(&Page) -> bool) -> Vec<OutputFile> {
        let mut out = Vec::new();
        self.each_file(wanted, &mut |f| out.push(f));
        out
    }

    /// `files_for`, handing each file to `put` as soon as it is made: a large site's downloads
    /// are never in memory all at once.
    pub fn each_file(&self, wanted: &dyn Fn(&Page) -> bool, put: &mut dyn FnMut(OutputFile)) {
        self.write_each(wanted, &mut |path, body| {
            let mut bytes = Vec::new();
            // Writing into memory cannot fail.
            let _ = body(&mut bytes);
            put(OutputFile::new(path, bytes));
        });
    }

    /// The files of `files_for` as their paths and how to write them, for `put` to write each
    /// straight to its file: the site-wide table is hundreds of MB at 10,000 places.
    pub fn write_each(&self, wanted: &dyn Fn(&Page) -> bool, put: &mut Put) {
        for (path, write) in self.writers(None, wanted) {
            put(path, &|w| write(w));
        }
    }

    /// Every file of the downloads, written by `put` in parallel, each table's rows made from
    /// `model` as its file is written and dropped after (the rows of `Downloads::unmade`; any
    /// held rows are used as they are). No row is held longer than its line takes to write.
    pub fn par_write_made(&self, model: &Model, put: &SyncPut) {
        let at: Vec<(&Programme, &Target)> = model.targets().collect();
        let writers = self.writers(Some((model, &at)), &|_| true);
        writers
            .into_par_iter()
            .for_each(|(path, write)| put(path, &|w| write(w)));
    }

    /// Each file of the tables `wanted` picks, as its path and what writes it, the rows made
    /// from `made` (the model and every figure in `model.targets()` order) when not held.
    fn writers<'a>(
        &'a self,
        made: Option<(&'a Model, &'a [(&'a Programme, &'a Target)])>,
        wanted: &dyn Fn(&Page) -> bool,
    ) -> Vec<(String, Writer<'a>)> {
        let rows = move |t: &'a Table| -> Box<dyn Iterator<Item = Cow<'a, Row>> + 'a> {
            match made.filter(|_| self.rows.is_empty()) {
                Some((model, at)) => Box::new(t.rows.iter().filter_map(move |i| {
                    let (p, f) = at.get(*i)?;
                    Some(Cow::Owned(row(model, &self.urls, p, f)))
                })),
                None => Box::new(self.rows_of(t).map(Cow::Borrowed)),
            }
        };
        let mut out: Vec<(String, Writer<'a>)> = Vec::new();
        for t in self.tables.iter().filter(|t| wanted(&t.page)) {
            if t.csv {
                let write = move |w: &mut dyn Write| write_csv(rows(t), w);
                out.push((format!("{}.csv", t.stem), Box::new(write)));
            }
            let write = move |w: &mut dyn Write| write_json("targets", t.rows.len(), rows(t), w);
            out.push((format!("{}.json", t.stem), Box::new(write)));
        }
        if !wanted(&Page::Data) {
            return out;
        }
        let observations = &self.observations;
        out.push((
            format!("{OBSERVATIONS}.csv"),
            Box::new(move |w| w.write_all(&observations_csv(observations))),
        ));
        out.push((
            format!("{OBSERVATIONS}.json"),
            Box::new(move |w| write_json("observations", observations.len(), observations, w)),
        ));
        out
    }
}

/// What writes one file of the downloads.
type Writer<'a> = Box<dyn Fn(&mut dyn Write) -> std::io::Result<()> + Send + Sync + 'a>;

/// How `Downloads::write_each` hands out a file: its path, and what writes it.
pub type Put<'a> = dyn FnMut(String, &dyn Fn(&mut dyn Write) -> std::io::Result<()>) + 'a;

/// `Put` for `Downloads::par_write_made`, called from several threads at once.
pub type SyncPut<'a> = dyn Fn(String, &dyn Fn(&mut dyn Write) -> std::io::Result<()>) + Sync + 'a;

/// `{"count":N,"KEY":[…]}` with one record per line, fields in CSV column order: no
/// indentation (about 15% smaller than pretty-printed JSON), yet a change to one figure is
/// one line in a diff.
pub fn json_records<T: Serialize>(key: &str, rows: &[T]) -> String {
    json_records_of(key, rows.len(), rows)
}

/// `json_records` of the `count` rows of `rows`.
pub fn json_records_of<T: Serialize>(
    key: &str,
    count: usize,
    rows: impl IntoIterator<Item = T>,
) -> String {
    let mut bytes = Vec::new();
    // Writing into memory cannot fail, and the records are valid UTF-8.
    let _ = write_json(key, count, rows, &mut bytes);
    String::from_utf8(bytes).unwrap_or_default()
}

/// Writes `json_records` of the `count` rows of `rows` to `w`.
pub fn write_json<T: Serialize>(
    key: &str,
    count: usize,
    rows: impl IntoIterator<Item = T>,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    write!(w, "{{\"count\":{count},\"{key}\":[")?;
    for (i, r) in rows.into_iter().enumerate() {
        w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        // Plain rows always serialise; a failure here is the writer's.
        serde_json::to_writer(&mut *w, &r).map_err(std::io::Error::other)?;
    }
    w.write_all(b"\n]}\n")
}

/// What the data package says of every CSV file (see `neutralise`).
pub const CSV_NOTE: &str = "Text cells that begin with =, +, -, @, a tab or a carriage return are written with an apostrophe (') in front, so that spreadsheet programs show them as text instead of running them as formulas; numbers and the comparator = are written as they are. The JSON files hold every text exactly as published.";

/// CSV with a UTF-8 byte-order mark and CRLF line ends, as spreadsheet programs expect, and
/// with text cells that a spreadsheet would run as a formula neutralised (`neutralise`).
pub fn csv_bytes<T: Serialize>(rows: &[T]) -> Vec<u8> {
    csv_bytes_of(rows)
}

/// `csv_bytes` of the rows `rows` gives, made row by row.
pub fn csv_bytes_of<T: Serialize>(rows: impl IntoIterator<Item = T>) -> Vec<u8> {
    let mut bytes = Vec::new();
    // Writing into memory cannot fail.
    let _ = write_csv(rows, &mut bytes);
    bytes
}

/// Writes `csv_bytes` of the rows `rows` gives to `w`, a batch of rows at a time.
pub fn write_csv<T: Serialize>(
    rows: impl IntoIterator<Item = T>,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    w.write_all("\u{feff}".as_bytes())?;
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(w);
    let mut plain = Vec::new();
    let mut rows = rows.into_iter().peekable();
    let mut first = true;
    while rows.peek().is_some() {
        // Rows are written a batch at a time (the first after the header), read back cell by
        // cell (serde gives no hook per text cell), and written again neutralised; the header
        // as it is. A batch, not a row: a CSV reader costs more to set up than a row to read.
        plain.clear();
        {
            let mut batch = csv::WriterBuilder::new()
                .has_headers(first)
                .flexible(true)
                .terminator(csv::Terminator::CRLF)
                .from_writer(&mut plain);
            for r in rows.by_ref().take(CSV_BATCH) {
                // Serialising plain rows into memory cannot fail.
                let _ = batch.serialize(r);
            }
            let _ = batch.flush();
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(plain.as_slice());
        for (j, record) in reader.records().flatten().enumerate() {
            let header = first && j == 0;
            let cells: Vec<String> = record
                .iter()
                .map(|cell| match header {
                    true => cell.to_string(),
                    false => neutralise(cell),
                })
                .collect();
            out.write_record(&cells).map_err(std::io::Error::other)?;
        }
        first = false;
    }
    out.flush()
}

/// How many rows `write_csv` reads back at a time.
const CSV_BATCH: usize = 256;

/// The CSV columns of a kind of row, in order (its fields' order), read from the header
/// `csv_bytes` writes for one row; empty when there is no row.
pub fn csv_columns<T: Serialize>(rows: &[T]) -> Vec<String> {
    let bytes = csv_bytes(&rows[..rows.len().min(1)]);
    let text = String::from_utf8_lossy(&bytes);
    let mut reader =
        csv::ReaderBuilder::new().from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    reader
        .headers()
        .map(|h| h.iter().map(str::to_string).collect())
        .unwrap_or_default()
}

/// A cell a spreadsheet would read as a formula (one that begins with =, +, -, @, a tab or a
/// carriage return, as OWASP lists) gets a `'` in front. A number (`-4`, `1.5e3`) is not a
/// formula and stays as it is, and so does a bare comparison sign (the comparator `=`).
pub fn neutralise(cell: &str) -> String {
    if cell.chars().all(|c| matches!(c, '=' | '<' | '>' | '~')) {
        return cell.to_string();
    }
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let number = !cell.is_empty()
        && cell
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
        && cell.parse::<f64>().is_ok_and(f64::is_finite);
    if risky && !number {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// The columns of `data/observations.csv`, written even when there is no observation yet.
pub const OBSERVATION_COLUMNS: [&str; 9] = [
    "target_id",
    "programme",
    "as_of",
    "value",
    "unit",
    "source_id",
    "source_title_zh",
    "note",
    "quote",
];

/// `data/observations.csv`: the header alone when there is no observation yet.
pub fn observations_csv(rows: &[ObservationRow]) -> Vec<u8> {
    if !rows.is_empty() {
        return csv_bytes(rows);
    }
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(OBSERVATION_COLUMNS.join(",").as_bytes());
    bytes.extend(b"\r\n");
    bytes
}

/// Whole numbers are written as `4500`, not `4500.0`: readers and spreadsheets expect that.
pub fn plain_number<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        s.serialize_i64(*v as i64)
    } else {
        s.serialize_f64(*v)
    }
}

pub fn plain_option<S: serde::Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => plain_number(v, s),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Cells {
        label: String,
        value: f64,
    }

    #[test]
    fn rows_made_while_writing_give_the_files_of_the_rows_held() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let checked = crate::check(&crate::BuildOptions::new(root)).unwrap();
        let (model, urls) = (&checked.model, &checked.urls);
        let held = Downloads::build(model, urls);
        let unmade = Downloads::unmade(model, urls);
        assert!(unmade.all_rows().is_empty(), "no row is held");
        assert!(!held.all_rows().is_empty());
        let counts = |d: &Downloads| -> Vec<(String, Vec<usize>)> {
            d.tables
                .iter()
                .map(|t| (t.stem.clone(), t.rows.clone()))
                .collect()
        };
        assert_eq!(
            counts(&unmade),
            counts(&held),
            "the same tables, the same rows"
        );
        for page in [Page::Data, Page::Programme(model.programmes[0].id.clone())] {
            assert_eq!(unmade.for_page(&page), held.for_page(&page));
        }
        let written = std::sync::Mutex::new(std::collections::BTreeMap::new());
        unmade.par_write_made(model, &|path, body| {
            let mut bytes = Vec::new();
            body(&mut bytes).unwrap();
            written.lock().unwrap().insert(path, bytes);
        });
        let written = written.into_inner().unwrap();
        let files = held.files();
        assert_eq!(written.len(), files.len());
        for f in files {
            assert!(written.get(&f.path) == Some(&f.bytes), "{} differs", f.path);
        }
    }

    #[test]
    fn json_downloads_have_one_record_per_line() {
        let rows = vec![
            Cells {
                label: "a \"quoted\"\nline".into(),
                value: 1.5,
            },
            Cells {
                label: "b".into(),
                value: 2.0,
            },
        ];
        let text = json_records("targets", &rows);
        assert_eq!(text.lines().count(), 4, "{text}");
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["count"], 2);
        assert_eq!(v["targets"][0]["label"], "a \"quoted\"\nline");
        assert_eq!(v["targets"][1]["value"], 2.0);
        assert!(!text.contains("  "), "indented: {text}");
        let empty: serde_json::Value =
            serde_json::from_str(&json_records::<Cells>("observations", &[])).unwrap();
        assert_eq!(empty["count"], 0);
        assert_eq!(empty["observations"].as_array().unwrap().len(), 0);
    }

    #[test]
    fn formula_cells_are_neutralised_and_numbers_kept() {
        let rows: Vec<Cells> = [
            ("=HYPERLINK(\"http://evil.example/\",\"x\")", 1.0),
            ("+cmd|' /C calc'!A0", -4.0),
            ("@SUM(A1:A2)", 2.5),
            ("\tx", 0.0),
            ("-1+2", -1e5),
            ("plain text, = inside", 3.0),
        ]
        .into_iter()
        .map(|(l, v)| Cells {
            label: l.to_string(),
            value: v,
        })
        .collect();
        let bytes = csv_bytes(&rows);
        let text = String::from_utf8(bytes).unwrap();
        let text = text.trim_start_matches('\u{feff}');
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let cells: Vec<(String, String)> = reader
            .records()
            .map(|r| {
                let r = r.unwrap();
                (r[0].to_string(), r[1].to_string())
            })
            .collect();
        assert_eq!(
            cells,
            vec![
                (
                    "'=HYPERLINK(\"http://evil.example/\",\"x\")".into(),
                    "1.0".into()
                ),
                ("'+cmd|' /C calc'!A0".into(), "-4.0".into()),
                ("'@SUM(A1:A2)".into(), "2.5".into()),
                ("'\tx".into(), "0.0".into()),
                ("'-1+2".into(), "-100000.0".into()),
                ("plain text, = inside".into(), "3.0".into()),
            ]
        );
        assert!(text.starts_with("label,value\r\n"), "{text}");
        assert_eq!(neutralise("-4"), "-4");
        assert_eq!(neutralise("1.5e3"), "1.5e3");
        assert_eq!(neutralise("-inf"), "'-inf");
        assert_eq!(neutralise(""), "");
        assert_eq!(neutralise("="), "=");
        assert_eq!(neutralise("=1+1"), "'=1+1");
    }
}

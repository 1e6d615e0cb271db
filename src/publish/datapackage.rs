//! `datapackage.json`: the downloads described as a Frictionless Tabular Data Package, so data
//! tools can load and check them: one resource per CSV table (the site-wide one), with the
//! Table Schema `data/targets.schema.json` whose fields are the CSV columns of
//! `downloads::Row`, in order; and one resource per chart's numbers (`data/charts/<id>.csv`),
//! whose schema is that one when the chart lists whole figure rows, or else given inline from
//! its header and values. Paths are relative to the package, so the
//! package stays valid wherever the site is published.

use crate::downloads::{Downloads, Table};
use crate::model::Model;
use crate::urls::{Page, Urls};
use serde_json::{json, Value};

/// Where the package is written, relative to the output folder.
pub const PATH: &str = crate::urls::DATAPACKAGE;
/// The shared Table Schema, relative to the output folder (and to the package).
pub const SCHEMA_PATH: &str = "data/targets.schema.json";

/// One column of the CSV: name, Table Schema type, title and description.
struct Column {
    name: &'static str,
    kind: &'static str,
    title: &'static str,
    description: &'static str,
    constraints: Option<Value>,
    format: Option<&'static str>,
}

const fn col(
    name: &'static str,
    kind: &'static str,
    title: &'static str,
    description: &'static str,
) -> Column {
    Column {
        name,
        kind,
        title,
        description,
        constraints: None,
        format: None,
    }
}

const DATE_PATTERN: &str = "[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?";

/// The columns of `downloads::Row`, in CSV order. A test checks them against the CSV header.
fn columns() -> Vec<Column> {
    let required = || Some(json!({"required": true}));
    let one_of = |values: &[&str]| Some(json!({"required": true, "enum": values}));
    let date = || Some(json!({"pattern": DATE_PATTERN}));
    vec![
        Column {
            constraints: Some(json!({"required": true, "unique": true})),
            ..col("target_id", "string", "Figure id", "Stable identifier of the figure; also the anchor of its permalink.")
        },
        Column { constraints: required(), ..col("programme", "string", "Programme id", "Identifier of the programme the figure belongs to.") },
        col("place_en", "string", "Place (English)", "The city or area of the programme, in English."),
        col("place_zh", "string", "Place (Chinese)", "The city or area of the programme, in Chinese."),
        Column { constraints: required(), ..col("metric", "string", "Metric id", "What the figure counts; figures with the same metric are comparable.") },
        col("label_en", "string", "Figure (English)", "What the figure is, in English."),
        col("label_zh", "string", "Figure (Chinese)", "What the figure is, in Chinese."),
        Column { constraints: one_of(&["target", "status"]), ..col("kind", "string", "Kind", "target: a goal for a deadline; status: a current figure as of a date.") },
        Column { constraints: one_of(&["total", "year"]), ..col("per", "string", "Per", "total: one figure for the period or deadline; year: a quota for every year.") },
        Column { constraints: one_of(&[">=", "=", "~", "<="]), ..col("comparator", "string", "Comparator", ">= at least, = exactly, ~ about, <= at most, as the source words it.") },
        Column { constraints: required(), ..col("value", "number", "Value", "The figure, in the unit given; the lower end of a range.") },
        col("value_max", "number", "Upper value", "The upper end when the source gives a range; empty otherwise."),
        Column { constraints: required(), ..col("unit", "string", "Unit", "Unit of value: persons, person-times, percent, yuan, …") },
        Column { constraints: date(), ..col("deadline", "string", "Deadline", "The date a target is due: YYYY, YYYY-MM or YYYY-MM-DD.") },
        Column { constraints: date(), ..col("as_of", "string", "As of", "The date a current figure is true of: YYYY, YYYY-MM or YYYY-MM-DD.") },
        col("tier", "integer", "Tier", "Rank within a tiered target (1 = highest), where the source sets tiers."),
        Column { constraints: required(), ..col("source_id", "string", "Source id", "Identifier of the source document, unique within the programme.") },
        col("source_title_zh", "string", "Source title", "Title of the source document, in Chinese."),
        Column { format: Some("uri"), ..col("source_url", "string", "Source address", "Where the source document was read; empty when it has no public address.") },
        Column { constraints: required(), ..col("quote", "string", "Quote", "The clause of the source the figure is quoted from, in the original Chinese.") },
        col("quote_en", "string", "Quote (English)", "An English translation of the quote."),
        col("note_en", "string", "Note (English)", "What a reader should know about the figure, in English."),
        col("note_zh", "string", "Note (Chinese)", "What a reader should know about the figure, in Chinese."),
        col("per_100k_residents", "number", "Per 100,000 residents", "Derived: value per 100,000 residents (2020 census), for counts of people; not in the sources."),
        Column { constraints: one_of(&crate::progress::status::Status::ALL.map(|s| s.id())), ..col("progress_status", "string", "Progress status", "achieved, on_track, moderate, limited, moving_away, missed or not_assessed, by the rule on the method page, as of the latest observation.") },
        col("progress_ratio", "number", "Progress ratio", "Actual ÷ needed progress by the latest observation's date; empty where the rule uses none."),
        col("latest_value", "number", "Latest observed value", "The latest observation, in the figure's unit; empty where there is none."),
        Column { constraints: date(), ..col("latest_as_of", "string", "Latest observation date", "The date of the latest observation: YYYY, YYYY-MM or YYYY-MM-DD.") },
        Column {
            format: Some("uri"),
            constraints: required(),
            ..col("permalink", "string", "Permalink", "The figure's permanent address on this site.")
        },
    ]
}

/// The Table Schema shared by every CSV download.
pub fn schema() -> Value {
    let fields: Vec<Value> = columns()
        .into_iter()
        .map(|c| {
            let mut f = json!({
                "name": c.name, "type": c.kind, "title": c.title, "description": c.description,
            });
            if let Some(format) = c.format {
                f["format"] = json!(format);
            }
            if let Some(constraints) = c.constraints {
                f["constraints"] = constraints;
            }
            f
        })
        .collect();
    json!({
        "fields": fields,
        "primaryKey": ["target_id"],
        "missingValues": [""],
    })
}

/// The CSV column names the schema describes, in order.
pub fn field_names() -> Vec<&'static str> {
    columns().into_iter().map(|c| c.name).collect()
}

/// A lower-case name of letters, digits and hyphens, as the Data Package spec asks.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn resource(model: &Model, table: &Table) -> Value {
    let (name, title) = match &table.page {
        Page::Programme(id) => (
            format!("programme-{id}"),
            model
                .programme(id)
                .map(|p| format!("{}: {}", p.place.en, p.title.en))
                .unwrap_or_else(|| id.clone()),
        ),
        Page::Metric(id) => (
            format!("metric-{id}"),
            model
                .metric(id)
                .map(|m| format!("Compared: {}", m.name.en))
                .unwrap_or_else(|| id.clone()),
        ),
        _ => (
            slug(table.stem.rsplit('/').next().unwrap_or("targets")),
            "Every figure on the site".to_string(),
        ),
    };
    json!({
        "name": name,
        "title": title,
        "path": format!("{}.csv", table.stem),
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "description": crate::downloads::CSV_NOTE,
        "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": true},
        "schema": SCHEMA_PATH,
    })
}

/// The schema of `data/observations.csv`, relative to the output folder.
pub const OBSERVATIONS_SCHEMA_PATH: &str = "data/observations.schema.json";

/// The observations resource; its schema is `observations_schema_file`.
fn observations_resource() -> Value {
    json!({
        "name": "observations",
        "title": "Observed values of the figures over time",
        "path": format!("{}.csv", crate::downloads::OBSERVATIONS),
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": true},
        "schema": OBSERVATIONS_SCHEMA_PATH,
    })
}

pub fn observations_schema_file() -> String {
    let f = |name: &str, kind: &str, description: &str| json!({"name": name, "type": kind, "description": description});
    pretty(&json!({
            "fields": [
                f("target_id", "string", "The figure observed (target_id of data/targets.csv)."),
                f("programme", "string", "Programme id."),
                json!({"name": "as_of", "type": "string", "description": "Date of the observation: YYYY, YYYY-MM or YYYY-MM-DD (a year means its end).", "constraints": {"required": true, "pattern": DATE_PATTERN}}),
                json!({"name": "value", "type": "number", "description": "Observed value, in the unit given.", "constraints": {"required": true}}),
                f("unit", "string", "Unit of value."),
                f("source_id", "string", "Source of the observation, unique within the programme."),
                f("source_title_zh", "string", "Title of the source, in Chinese."),
                f("note", "string", "Note on the observation."),
                f("quote", "string", "The clause of the source the value is quoted from."),
            ],
            "primaryKey": ["target_id", "as_of"],
            "missingValues": [""],
    }))
}

/// Every source document with its address, and the context figures' sources.
fn sources(model: &Model) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for p in &model.programmes {
        for s in &p.sources {
            let mut v =
                json!({"title": format!("{} ({}, {})", s.title.zh, p.place.en, s.publisher.en)});
            if let Some(url) = s.url.as_deref().filter(|u| !u.is_empty()) {
                v["path"] = json!(url);
            }
            out.push(v);
        }
    }
    for c in &model.context {
        let mut v = json!({"title": c.source.en});
        if let Some(url) = c.url.as_deref().filter(|u| !u.is_empty()) {
            v["path"] = json!(url);
        }
        out.push(v);
    }
    out.dedup();
    out
}

/// A chart's CSV as a resource: `chart-<id>`, with the shared schema when its columns are the
/// figure table's, else a schema read from its header (integer, number or string columns).
pub fn chart_resource(path: &str, bytes: &[u8]) -> Value {
    let id = path
        .rsplit('/')
        .next()
        .unwrap_or(path)
        .trim_end_matches(".csv");
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map(|h| h.iter().map(str::to_string).collect())
        .unwrap_or_default();
    let rows: Vec<csv::StringRecord> = reader.records().flatten().collect();
    let schema = if header.iter().map(String::as_str).eq(field_names()) {
        json!(SCHEMA_PATH)
    } else {
        let fields: Vec<Value> = header
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let values: Vec<&str> = rows
                    .iter()
                    .filter_map(|r| r.get(i))
                    .filter(|v| !v.is_empty())
                    .collect();
                let all =
                    |f: &dyn Fn(&str) -> bool| !values.is_empty() && values.iter().all(|v| f(v));
                let kind = if all(&|v| v.parse::<i64>().is_ok()) {
                    "integer"
                } else if all(&|v| v.parse::<f64>().is_ok()) {
                    "number"
                } else {
                    "string"
                };
                json!({"name": name, "type": kind})
            })
            .collect();
        json!({"fields": fields})
    };
    json!({
        "name": format!("chart-{}", slug(id)),
        "title": format!("Numbers of the chart {id}"),
        "path": path,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": true},
        "schema": schema,
    })
}

/// `datapackage.json` and the schema file it points to. `charts` are the chart CSVs as
/// (path, bytes).
pub fn datapackage(
    model: &Model,
    urls: &Urls,
    downloads: &Downloads,
    charts: &[(String, Vec<u8>)],
) -> String {
    let charts: Vec<String> = charts
        .iter()
        .map(|(path, bytes)| printed(&chart_resource(path, bytes)))
        .collect();
    datapackage_with(model, urls, downloads, &charts)
}

/// `datapackage`, given the charts' resources already printed (`printed(&chart_resource(…))`):
/// the preview keeps each chart's and makes again only those of the charts an edit redraws.
/// The package is printed without its resources, and they are put in, each as printed, as
/// `serde_json`'s pretty printer would have put them (a test checks).
pub fn datapackage_with(
    model: &Model,
    urls: &Urls,
    downloads: &Downloads,
    charts: &[String],
) -> String {
    let text = pretty(&package(model, urls, Vec::new()));
    let resources: Vec<String> = downloads
        .tables
        .iter()
        .filter(|t| t.csv)
        .map(|t| printed(&resource(model, t)))
        .chain(std::iter::once(printed(&observations_resource())))
        .collect();
    let all: Vec<&str> = resources.iter().chain(charts).map(String::as_str).collect();
    let mut list = String::from("[\n");
    for (i, r) in all.iter().enumerate() {
        if i > 0 {
            list.push_str(",\n");
        }
        list.push_str(r);
    }
    list.push_str("\n  ]");
    text.replacen(EMPTY_RESOURCES, &format!("\n  \"resources\": {list}"), 1)
}

/// How the package without resources prints them.
const EMPTY_RESOURCES: &str = "\n  \"resources\": []";

/// A resource as the package prints it in its list: pretty, four spaces in.
pub fn printed(resource: &Value) -> String {
    let text = serde_json::to_string_pretty(resource).unwrap_or_default();
    let mut out = String::with_capacity(text.len() + 64);
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str("    ");
        out.push_str(line);
    }
    out
}

/// The package, with `resources`.
fn package(model: &Model, urls: &Urls, resources: Vec<Value>) -> Value {
    let site = &model.site;
    let mut name = slug(&site.title.en);
    if name.is_empty() {
        name = "policydash-data".into();
    }
    let mut package = json!({
        "profile": "tabular-data-package",
        "name": name,
        "title": site.title.en,
        "description": site.description.en,
        "homepage": urls.absolute(""),
        "sources": sources(model),
        "resources": resources,
    });
    if let Some(l) = &site.licence {
        let mut licence = json!({"title": l.name, "path": l.url});
        // The spec wants an Open Definition id as `name`; other names go in the title only.
        if !l.name.is_empty()
            && l.name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c))
        {
            licence["name"] = json!(l.name);
        }
        package["licenses"] = json!([licence]);
    }
    package
}

pub fn schema_file() -> String {
    pretty(&schema())
}

fn pretty(v: &Value) -> String {
    let mut text = serde_json::to_string_pretty(v).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_package_with_its_resources_put_in_is_the_package_printed_whole() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let checked = crate::check(&crate::BuildOptions::new(root)).unwrap();
        let (model, urls) = (&checked.model, &checked.urls);
        let downloads = Downloads::build(model, urls);
        let csvs = checked.charts.csvs(model);
        let resources: Vec<Value> = downloads
            .tables
            .iter()
            .filter(|t| t.csv)
            .map(|t| resource(model, t))
            .chain(std::iter::once(observations_resource()))
            .chain(csvs.iter().map(|(p, b)| chart_resource(p, b)))
            .collect();
        let whole = pretty(&package(model, urls, resources));
        assert_eq!(datapackage(model, urls, &downloads, &csvs), whole);
        assert!(whole.contains("\"resources\": [\n    {\n      \""));
        assert!(whole.matches("\"tabular-data-resource\"").count() > csvs.len());
    }

    #[test]
    fn slugs_are_package_names() {
        assert_eq!(
            slug("Skilled-talent programmes compared"),
            "skilled-talent-programmes-compared"
        );
        assert_eq!(slug("  技能 "), "");
    }
}

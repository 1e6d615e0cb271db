//! The content model: one immutable value built by `load`, checked by `validate` and read by
//! every renderer. It knows nothing of HTML, URLs or templates.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The languages a site can be published in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }
    /// The BCP 47 tag used in `lang` and `hreflang` attributes.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-Hans",
        }
    }
}

/// Reader-facing text in both languages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub en: String,
    pub zh: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
        }
    }
}

/// Where a record was read from, for error messages and provenance.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Origin {
    /// Path relative to the site root, e.g. `content/programmes/zhuhai.yaml`.
    pub file: FilePath,
    /// Field path inside the file, e.g. `targets[3]`; empty for the whole file.
    pub path: String,
}

/// A file's path, shared by every record read from the file: a programme's figures and
/// commitments hold one allocation of it between them, not one each.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FilePath(Arc<Path>);

impl FilePath {
    pub fn as_path(&self) -> &Path {
        &self.0
    }
    /// Whether `other` shares this path's allocation (a test of the sharing).
    pub fn shares(&self, other: &FilePath) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Default for FilePath {
    fn default() -> Self {
        FilePath(Arc::from(Path::new("")))
    }
}

impl std::ops::Deref for FilePath {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for FilePath {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl From<PathBuf> for FilePath {
    fn from(p: PathBuf) -> Self {
        FilePath(Arc::from(p))
    }
}

impl From<&Path> for FilePath {
    fn from(p: &Path) -> Self {
        FilePath(Arc::from(p))
    }
}

impl From<&FilePath> for PathBuf {
    fn from(p: &FilePath) -> PathBuf {
        p.0.to_path_buf()
    }
}

impl PartialEq<PathBuf> for FilePath {
    fn eq(&self, other: &PathBuf) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Path> for FilePath {
    fn eq(&self, other: &Path) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&Path> for FilePath {
    fn eq(&self, other: &&Path) -> bool {
        *self.0 == **other
    }
}

impl Serialize for FilePath {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

/// A date with the precision the source gives: a year, a month or a day.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "String")]
pub struct PartialDate {
    pub year: i32,
    pub month: Option<u32>,
    pub day: Option<u32>,
}

impl PartialDate {
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("expected a date as YYYY, YYYY-MM or YYYY-MM-DD, found {text:?}");
        let parts: Vec<&str> = text.trim().split('-').collect();
        if parts.is_empty() || parts.len() > 3 || parts[0].len() != 4 {
            return Err(bad());
        }
        let year: i32 = parts[0].parse().map_err(|_| bad())?;
        let month = match parts.get(1) {
            Some(m) if m.len() == 2 => Some(m.parse::<u32>().map_err(|_| bad())?),
            Some(_) => return Err(bad()),
            None => None,
        };
        let day = match parts.get(2) {
            Some(d) if d.len() == 2 => Some(d.parse::<u32>().map_err(|_| bad())?),
            Some(_) => return Err(bad()),
            None => None,
        };
        if let Some(m) = month {
            if !(1..=12).contains(&m) {
                return Err(format!("{text:?} has month {m}; months run from 01 to 12"));
            }
        }
        if let (Some(m), Some(d)) = (month, day) {
            if d < 1 || d > days_in_month(year, m) {
                return Err(format!("{text:?} is not a day of the calendar"));
            }
        }
        Ok(PartialDate { year, month, day })
    }

    /// The last day this date can mean, as (year, month, day): "2025" ends on 2025-12-31.
    pub fn end(&self) -> (i32, u32, u32) {
        let month = self.month.unwrap_or(12);
        (
            self.year,
            month,
            self.day.unwrap_or(days_in_month(self.year, month)),
        )
    }
    /// The first day this date can mean.
    pub fn start(&self) -> (i32, u32, u32) {
        (self.year, self.month.unwrap_or(1), self.day.unwrap_or(1))
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

impl From<PartialDate> for String {
    fn from(d: PartialDate) -> String {
        d.to_string()
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Authors write `deadline: 2025` (a YAML integer) as often as `"2025"`: take both.
        // A visitor (not an untagged enum, which buffers the value) lets the parser place an
        // error at the date itself: `targets[3].deadline`, its line and column.
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = PartialDate;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date as YYYY, YYYY-MM or YYYY-MM-DD")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<PartialDate, E> {
                PartialDate::parse(v).map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<PartialDate, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<PartialDate, E> {
                self.visit_str(&v.to_string())
            }
        }
        d.deserialize_any(Visitor)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unit {
    Percent,
    Persons,
    PersonTimes,
    Institutions,
    Bases,
    Studios,
    Events,
    Teams,
    Enterprises,
    Projects,
    Programmes,
    Courses,
    Months,
    Grades,
    Yuan,
    #[serde(rename = "per-10k")]
    Per10k,
    Awards,
    Rank,
    Occupations,
}

impl Unit {
    pub fn id(self) -> &'static str {
        match self {
            Unit::Percent => "percent",
            Unit::Persons => "persons",
            Unit::PersonTimes => "person-times",
            Unit::Institutions => "institutions",
            Unit::Bases => "bases",
            Unit::Studios => "studios",
            Unit::Events => "events",
            Unit::Teams => "teams",
            Unit::Enterprises => "enterprises",
            Unit::Projects => "projects",
            Unit::Programmes => "programmes",
            Unit::Courses => "courses",
            Unit::Months => "months",
            Unit::Grades => "grades",
            Unit::Yuan => "yuan",
            Unit::Per10k => "per-10k",
            Unit::Awards => "awards",
            Unit::Rank => "rank",
            Unit::Occupations => "occupations",
        }
    }
    /// Counts of people (or people-times) can be shown per 100,000 residents.
    pub fn counts_people(self) -> bool {
        matches!(self, Unit::Persons | Unit::PersonTimes)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Comparator {
    #[serde(rename = ">=")]
    AtLeast,
    #[serde(rename = "=")]
    Exactly,
    #[serde(rename = "~")]
    About,
    #[serde(rename = "<=")]
    AtMost,
}

impl Comparator {
    pub fn symbol(self) -> &'static str {
        match self {
            Comparator::AtLeast => "≥",
            Comparator::Exactly => "=",
            Comparator::About => "~",
            Comparator::AtMost => "≤",
        }
    }
    pub fn ascii(self) -> &'static str {
        match self {
            Comparator::AtLeast => ">=",
            Comparator::Exactly => "=",
            Comparator::About => "~",
            Comparator::AtMost => "<=",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FigureKind {
    /// A goal for a future date.
    Target,
    /// A current figure, true as of a date.
    Status,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Per {
    Total,
    Year,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    OfficialText,
    NewsReport,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Workforce,
    Education,
    Training,
    Recognition,
    Competitions,
    Institutions,
    Funding,
}

impl Category {
    pub const ALL: [Category; 7] = [
        Category::Workforce,
        Category::Education,
        Category::Training,
        Category::Recognition,
        Category::Competitions,
        Category::Institutions,
        Category::Funding,
    ];
    pub fn id(self) -> &'static str {
        match self {
            Category::Workforce => "workforce",
            Category::Education => "education",
            Category::Training => "training",
            Category::Recognition => "recognition",
            Category::Competitions => "competitions",
            Category::Institutions => "institutions",
            Category::Funding => "funding",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Licence {
    pub name: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    pub title: Text,
    pub description: Text,
    pub base_url: String,
    pub languages: Vec<Lang>,
    #[serde(default = "default_theme")]
    pub theme: String,
    #[serde(default)]
    pub allow_raw_html: bool,
    #[serde(default)]
    pub licence: Option<Licence>,
    #[serde(default)]
    pub cname: Option<String>,
}

fn default_theme() -> String {
    "default".into()
}

impl Site {
    pub fn default_lang(&self) -> Lang {
        self.languages.first().copied().unwrap_or(Lang::En)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metric {
    pub id: String,
    pub name: Text,
    pub unit: Unit,
    pub category: Category,
    pub counts: Text,
    #[serde(default)]
    pub numerator: Option<Text>,
    #[serde(default)]
    pub denominator: Option<Text>,
    #[serde(default)]
    pub comparability: Option<Text>,
    /// The Chinese measure word shown after a number (`家` for employers and bodies) when the
    /// unit's default (`所` for institutions) does not fit what the metric counts.
    #[serde(default)]
    pub measure_word: Option<String>,
    /// A flow (people trained, bases built) whose observations add up over a period, rather
    /// than a level or share; decides which progress rule applies (`progress::status`).
    #[serde(default)]
    pub accumulates: bool,
    #[serde(skip_deserializing)]
    pub origin: Origin,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Place {
    pub en: String,
    pub zh: String,
    pub province_en: String,
    pub province_zh: String,
}

impl Place {
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    pub start: PartialDate,
    pub end: PartialDate,
    #[serde(default)]
    pub note: Option<Text>,
}

/// The script a source's Chinese text is written in; its quotes are tagged `zh-Hans` or
/// `zh-Hant` wherever they are shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Script {
    #[default]
    Hans,
    Hant,
}

/// Common characters that exist only in Traditional script (their Simplified forms differ).
/// Enough to tell a Traditional clause from a Simplified one; not a converter.
const TRADITIONAL_ONLY: &str = "數萬億與業個們來時會說國過這還進對開關實現發經頭電動員機構職練訓際產體學習應戰較點務輔導達計劃設議認證書級類區縣鄉農廣場隊總規範專鏈評價選獎勵濟聯繫網絡協調條質優鬥營運歷變舉嚴環護節續態標準辦緊貫徹傳統團結將術師課積極創採購資費層擴講讓響顯屬樣圍當後備";

impl Script {
    /// The first Traditional-only character of `text`, if it has one.
    pub fn first_traditional(text: &str) -> Option<char> {
        // Sorted once: every quote of a large site is looked through.
        static SORTED: std::sync::OnceLock<Vec<char>> = std::sync::OnceLock::new();
        let sorted = SORTED.get_or_init(|| {
            let mut v: Vec<char> = TRADITIONAL_ONLY.chars().collect();
            v.sort_unstable();
            v
        });
        text.chars().find(|c| sorted.binary_search(c).is_ok())
    }
    /// The script `text` is written in, as far as its characters tell.
    pub fn of(text: &str) -> Script {
        match Script::first_traditional(text) {
            Some(_) => Script::Hant,
            None => Script::Hans,
        }
    }
    /// The BCP 47 language tag of a quote in this script.
    pub fn tag(self) -> &'static str {
        match self {
            Script::Hans => "zh-Hans",
            Script::Hant => "zh-Hant",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub id: String,
    pub title: Text,
    pub publisher: Text,
    #[serde(default)]
    pub date: Option<PartialDate>,
    pub kind: SourceKind,
    #[serde(default)]
    pub url: Option<String>,
    /// The file in the seed collection the quotes were checked against.
    #[serde(default)]
    pub seed: Option<String>,
    /// `hans` (Simplified, the default) or `hant` (Traditional): the script of its quotes.
    #[serde(default)]
    pub script: Script,
    #[serde(default)]
    pub note: Option<Text>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub id: String,
    pub metric: String,
    pub label: Text,
    pub value: f64,
    #[serde(default)]
    pub value_max: Option<f64>,
    pub unit: Unit,
    pub comparator: Comparator,
    pub kind: FigureKind,
    pub per: Per,
    #[serde(default)]
    pub deadline: Option<PartialDate>,
    #[serde(default)]
    pub as_of: Option<PartialDate>,
    #[serde(default)]
    pub tier: Option<u32>,
    pub source: String,
    pub quote: String,
    pub quote_en: String,
    #[serde(default)]
    pub note: Option<Text>,
    /// How the value was read from a quote that does not state it as written (an OCR
    /// repair, a sum); required when the value is not in the quote.
    /// Boxed, as `baseline`: few figures have one, and every figure would carry its size.
    #[serde(default)]
    pub derivation: Option<Box<Text>>,
    /// The script of the quote, copied from its source by `Model::index`.
    #[serde(skip_deserializing)]
    pub script: Script,
    /// The metric's Chinese measure word, copied by `Model::index`.
    #[serde(skip)]
    pub measure_word: Option<String>,
    /// Where progress is measured from; without one, the earliest observation.
    #[serde(default)]
    pub baseline: Option<Box<Baseline>>,
    /// Observed values over time, from the `progress:` list and `content/progress/` tables.
    #[serde(default)]
    pub progress: Vec<Observation>,
    #[serde(skip_deserializing)]
    pub origin: Origin,
}

/// The value progress towards a target is measured from.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub as_of: PartialDate,
    pub value: f64,
    pub source: String,
}

/// One observed value of a target.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Observation {
    pub as_of: PartialDate,
    pub value: f64,
    pub source: String,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub quote: Option<String>,
    /// `targets[i].progress[j]` in a programme file, or the table file for a row of one.
    #[serde(skip_deserializing)]
    pub origin: Origin,
    /// For a row of a `content/progress/` table: its line and the columns of its cells.
    #[serde(skip)]
    pub row: Option<TableRow>,
}

/// Where a tabular observation was read: the row's line (1 = the header) and the 1-based
/// column of each cell, so errors can name row and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TableRow {
    pub line: usize,
    pub target: usize,
    pub as_of: usize,
    pub value: usize,
    pub source: usize,
}

impl Target {
    /// The date a figure refers to: the deadline of a target, the as-of date of a status.
    pub fn date(&self) -> Option<&PartialDate> {
        match self.kind {
            FigureKind::Target => self.deadline.as_ref().or(self.as_of.as_ref()),
            FigureKind::Status => self.as_of.as_ref().or(self.deadline.as_ref()),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Commitment {
    pub id: String,
    pub text: Text,
    pub source: String,
    pub quote: String,
    pub quote_en: String,
    #[serde(default)]
    pub deadline: Option<PartialDate>,
    /// Boxed: few commitments have one, and every commitment would carry its size.
    #[serde(default)]
    pub note: Option<Box<Text>>,
    /// The script of the quote, copied from its source by `Model::index`.
    #[serde(skip_deserializing)]
    pub script: Script,
    #[serde(skip_deserializing)]
    pub origin: Origin,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Programme {
    pub id: String,
    pub place: Place,
    pub title: Text,
    pub issuer: Text,
    #[serde(default)]
    pub published: Option<PartialDate>,
    pub period: Period,
    #[serde(default)]
    pub summary: Option<Text>,
    #[serde(default)]
    pub note: Option<Text>,
    pub sources: Vec<Source>,
    #[serde(default)]
    pub targets: Vec<Target>,
    #[serde(default)]
    pub commitments: Vec<Commitment>,
    #[serde(skip_deserializing)]
    pub origin: Origin,
}

impl Programme {
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }
}

/// A figure from outside the programmes (population) that makes fair comparison possible.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextFigure {
    pub id: String,
    pub programme: String,
    pub kind: ContextKind,
    pub value: f64,
    pub as_of: PartialDate,
    pub source: Text,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub note: Option<Text>,
    #[serde(skip_deserializing)]
    pub origin: Origin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContextKind {
    Population,
}

/// One dated entry of the data changelog (feeds the Atom feed).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeEntry {
    pub id: String,
    pub date: PartialDate,
    pub title: Text,
    pub text: Text,
    #[serde(default)]
    pub targets: Vec<String>,
}

/// A Markdown page written by the site's editors.
#[derive(Debug, Clone, Serialize)]
pub struct Commentary {
    /// The translation key: pages with the same key are one piece in several languages.
    pub key: String,
    pub lang: Lang,
    pub title: String,
    pub summary: String,
    pub date: Option<PartialDate>,
    pub programmes: Vec<String>,
    pub metrics: Vec<String>,
    /// Markdown source of the body, front matter removed.
    pub body: String,
    /// Line of the body's first line in the file, so body errors can name file lines.
    pub body_line: usize,
    pub origin: Origin,
}

/// Everything in `content/`, loaded once and shared read-only by every stage after `load`.
#[derive(Debug, Clone, Serialize)]
pub struct Model {
    pub site: Site,
    pub metrics: Vec<Metric>,
    pub programmes: Vec<Programme>,
    pub commentary: Vec<Commentary>,
    pub context: Vec<ContextFigure>,
    /// Notes on the context figures as a whole (e.g. why a place has no population figure).
    pub context_note: Option<Text>,
    pub changelog: Vec<ChangeEntry>,
    /// Metric id → indexes of the programmes with a figure of that metric. Built once by
    /// `Model::index`, because every page asks which figures are comparable.
    #[serde(skip)]
    pub metric_programmes: std::collections::BTreeMap<String, Vec<usize>>,
    /// Programme id → index, and programme id → index of its population figure: lookups that
    /// every figure makes, in constant time at 10,000 programmes. Built by `Model::index`.
    #[serde(skip)]
    pub lookup: Lookup,
}

#[derive(Debug, Clone, Default)]
pub struct Lookup {
    programmes: std::collections::HashMap<String, usize>,
    populations: std::collections::HashMap<String, usize>,
}

/// A value as authors write it in YAML: `92000`, `31.6`.
pub fn plain_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

impl Model {
    /// The changelog as readers see it: newest first, then by id.
    pub fn changelog_newest_first(&self) -> Vec<&ChangeEntry> {
        let mut entries: Vec<&ChangeEntry> = self.changelog.iter().collect();
        entries.sort_by(|a, b| (&b.date, &a.id).cmp(&(&a.date, &b.id)));
        entries
    }

    /// Fills the lookup tables; call once after the model is assembled.
    pub fn index(mut self) -> Self {
        let measure: std::collections::BTreeMap<String, Option<String>> = self
            .metrics
            .iter()
            .map(|m| (m.id.clone(), m.measure_word.clone()))
            .collect();
        for p in &mut self.programmes {
            let script = |id: &str| {
                p.sources
                    .iter()
                    .find(|s| s.id == id)
                    .map(|s| s.script)
                    .unwrap_or_default()
            };
            let scripts: Vec<Script> = p.targets.iter().map(|t| script(&t.source)).collect();
            let commitment_scripts: Vec<Script> =
                p.commitments.iter().map(|c| script(&c.source)).collect();
            for (t, s) in p.targets.iter_mut().zip(scripts) {
                t.script = s;
                t.measure_word = measure.get(&t.metric).cloned().flatten();
            }
            for (c, s) in p.commitments.iter_mut().zip(commitment_scripts) {
                c.script = s;
            }
        }
        let mut map: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
        for (i, p) in self.programmes.iter().enumerate() {
            for t in &p.targets {
                let v = map.entry(t.metric.clone()).or_default();
                if v.last() != Some(&i) {
                    v.push(i);
                }
            }
        }
        self.metric_programmes = map;
        let mut lookup = Lookup::default();
        for (i, p) in self.programmes.iter().enumerate() {
            lookup.programmes.entry(p.id.clone()).or_insert(i);
        }
        for (i, c) in self.context.iter().enumerate() {
            if c.kind == ContextKind::Population {
                lookup.populations.entry(c.programme.clone()).or_insert(i);
            }
        }
        self.lookup = lookup;
        self
    }

    pub fn metric(&self, id: &str) -> Option<&Metric> {
        self.metrics.iter().find(|m| m.id == id)
    }
    pub fn programme(&self, id: &str) -> Option<&Programme> {
        match self.lookup.programmes.get(id) {
            Some(i) => self.programmes.get(*i),
            None if self.lookup.programmes.is_empty() => {
                self.programmes.iter().find(|p| p.id == id)
            }
            None => None,
        }
    }
    /// Every target with its programme, in programme then file order.
    pub fn targets(&self) -> impl Iterator<Item = (&Programme, &Target)> {
        self.programmes
            .iter()
            .flat_map(|p| p.targets.iter().map(move |t| (p, t)))
    }
    /// The targets of a metric, grouped by programme in programme order.
    pub fn targets_of_metric<'a>(
        &'a self,
        metric: &'a str,
    ) -> impl Iterator<Item = (&'a Programme, &'a Target)> + 'a {
        self.targets().filter(move |(_, t)| t.metric == metric)
    }
    /// Metrics used by two or more programmes: the ones that get a comparison page.
    pub fn shared_metrics(&self) -> Vec<&Metric> {
        self.metrics
            .iter()
            .filter(|m| {
                self.metric_programmes
                    .get(&m.id)
                    .is_some_and(|v| v.len() >= 2)
            })
            .collect()
    }
    /// How many programmes have a figure of the metric.
    pub fn programme_count_with_metric(&self, metric: &str) -> usize {
        self.metric_programmes.get(metric).map_or(0, Vec::len)
    }
    /// Whether two or more programmes have a figure of the metric (it has a comparison page).
    pub fn metric_is_shared(&self, metric: &str) -> bool {
        self.metric_programmes
            .get(metric)
            .is_some_and(|v| v.len() >= 2)
    }
    pub fn programmes_with_metric(&self, metric: &str) -> Vec<&Programme> {
        self.metric_programmes
            .get(metric)
            .map(|v| v.iter().map(|i| &self.programmes[*i]).collect())
            .unwrap_or_default()
    }
    pub fn population(&self, programme: &str) -> Option<&ContextFigure> {
        if !self.lookup.programmes.is_empty() {
            return self
                .lookup
                .populations
                .get(programme)
                .and_then(|i| self.context.get(*i));
        }
        self.context
            .iter()
            .find(|c| c.programme == programme && c.kind == ContextKind::Population)
    }
    pub fn commentary_for(&self, lang: Lang) -> impl Iterator<Item = &Commentary> {
        self.commentary.iter().filter(move |c| c.lang == lang)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// At 10,000 programmes every byte a figure carries is 150 KB more: a file's path is held
    /// once for all its records, lists hold no spare room, and rare fields are boxed.
    #[test]
    fn figures_share_their_file_and_carry_no_spare_room() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let model = crate::load::load(root).model.unwrap();
        for p in &model.programmes {
            let file = &p.origin.file;
            assert!(
                file.ends_with(format!("{}.yaml", p.id)),
                "{}",
                file.display()
            );
            assert!(p.targets.iter().all(|t| t.origin.file.shares(file)));
            assert!(p.commitments.iter().all(|c| c.origin.file.shares(file)));
            assert_eq!(p.targets.capacity(), p.targets.len());
            assert_eq!(p.commitments.capacity(), p.commitments.len());
        }
        assert!(model.programmes.iter().any(|p| !p.targets.is_empty()));
        assert!(
            std::mem::size_of::<Target>() <= 400,
            "{}",
            std::mem::size_of::<Target>()
        );
        assert!(std::mem::size_of::<Commitment>() <= 232);
    }
}

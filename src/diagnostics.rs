//! Errors and warnings about content, all gathered before anything is reported, so an editor
//! sees every problem of a run at once. Printing goes through miette, which shows the
//! offending line with a marker under it.

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode, SourceSpan};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// A number as a message shows it: as written for ordinary sizes (`40`, `0.5`, `92000`), in
/// exponent form for very large or small ones (`1.7e308`, not 309 digits).
pub fn number(v: f64) -> String {
    let a = v.abs();
    if v.is_finite() && a != 0.0 && !(1e-6..1e15).contains(&a) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// A file name as messages show it. A name may hold a newline or another control character:
/// escaped (`\n`), it cannot break the one-line `file:line:col` form.
pub fn shown_path(file: &Path) -> String {
    let mut out = String::new();
    for c in file.display().to_string().chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem, located as precisely as the input allows.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Path relative to the site root, when the problem is in a file.
    pub file: Option<PathBuf>,
    /// 1-based line and column.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The field path, e.g. `targets[3].deadline`.
    pub field: Option<String>,
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: None,
            line: None,
            column: None,
            field: None,
            message: message.into(),
            help: None,
        }
    }
    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }
    pub fn in_file(mut self, file: impl AsRef<Path>) -> Self {
        self.file = Some(file.as_ref().to_path_buf());
        self
    }
    /// In `file`, unless a file is already named.
    pub fn in_file_if_none(self, file: impl AsRef<Path>) -> Self {
        match self.file {
            Some(_) => self,
            None => self.in_file(file),
        }
    }
    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }
    pub fn field(mut self, field: impl Into<String>) -> Self {
        let field = field.into();
        self.field = (!field.is_empty()).then_some(field);
        self
    }
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `content/x.yaml:12:5: targets[3].deadline: message`, the one-line form used in tests,
    /// logs and editors' "jump to error".
    pub fn headline(&self) -> String {
        let mut out = String::new();
        if let Some(file) = &self.file {
            out.push_str(&shown_path(file));
            if let Some(line) = self.line {
                out.push_str(&format!(":{line}"));
                if let Some(col) = self.column {
                    out.push_str(&format!(":{col}"));
                }
            }
            out.push_str(": ");
        }
        if let Some(field) = &self.field {
            out.push_str(field);
            out.push_str(": ");
        }
        out.push_str(&self.message);
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{kind}: {}", self.headline())?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// All the problems found in one run.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }
    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }
    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
    /// Sorted by file, line, then message, errors before warnings at the same place.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut v: Vec<&Diagnostic> = self.items.iter().collect();
        v.sort_by(|a, b| {
            (&a.file, a.line, a.column, a.severity, &a.message)
                .cmp(&(&b.file, b.line, b.column, b.severity, &b.message))
        });
        v.dedup();
        v
    }

    /// Renders every diagnostic with its source line, then a count.
    /// `sources` maps a diagnostic's file to its text so the offending line can be shown.
    pub fn render(&self, sources: &BTreeMap<PathBuf, String>) -> String {
        // The headline carries file:line:column (columns in characters, as editors count
        // them), so miette's own byte-based position is left out of the box.
        let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
            .with_width(100)
            .with_context_lines(1)
            .without_primary_span_start();
        let mut out = String::new();
        for d in self.sorted() {
            let report = Report::new(d, sources);
            let mut text = String::new();
            if handler.render_report(&mut text, &report).is_err() {
                text = format!("{d}\n");
            }
            out.push_str(&text);
            out.push('\n');
        }
        out.push_str(&self.summary());
        out.push('\n');
        out
    }

    pub fn summary(&self) -> String {
        let (e, w) = (self.error_count(), self.warning_count());
        format!(
            "{e} error{}, {w} warning{}",
            if e == 1 { "" } else { "s" },
            if w == 1 { "" } else { "s" }
        )
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Self {
        Diagnostics {
            items: iter.into_iter().collect(),
        }
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics { items: vec![d] }
    }
}

/// Adapter from our diagnostic to miette's, with an excerpt of the source around the line.
#[derive(Debug)]
struct Report {
    text: String,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<Excerpt>,
    span: Option<SourceSpan>,
}

/// Lines longer than this many characters are shown as a window around the column, so a
/// minified or pasted line of megabytes never floods the terminal.
const WINDOW: usize = 100;
/// Messages quote values from the input; an enormous value is shortened in the middle.
const MAX_MESSAGE: usize = 400;

impl Report {
    fn new(d: &Diagnostic, sources: &BTreeMap<PathBuf, String>) -> Self {
        let mut text = shorten(&d.headline(), MAX_MESSAGE);
        text.retain(|c| !c.is_control() || c == '\n');
        let mut source = None;
        let mut span = None;
        if let (Some(file), Some(line)) = (&d.file, d.line) {
            if let Some(content) = sources.get(file) {
                if let Some(excerpt) = Excerpt::new(file, content, line, d.column.unwrap_or(1)) {
                    span = Some(excerpt.span);
                    source = Some(excerpt);
                }
            }
        }
        Report {
            text,
            severity: match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            },
            help: d.help.as_ref().map(|h| shorten(h, MAX_MESSAGE)),
            source,
            span,
        }
    }
}

/// `text` cut to at most `max` characters, keeping its start and end.
fn shorten(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_string();
    }
    let head: String = text.chars().take(max * 2 / 3).collect();
    let tail: String = text.chars().skip(count - max / 3).collect();
    format!("{head} … {tail}")
}

/// The offending line with one line of context either side, each cut to a window around the
/// column and cleaned of control characters, numbered as in the file.
#[derive(Debug)]
struct Excerpt {
    name: String,
    text: String,
    /// 1-based line number of the excerpt's first line in the file.
    first_line: usize,
    span: SourceSpan,
}

impl Excerpt {
    fn new(file: &Path, content: &str, line: usize, column: usize) -> Option<Excerpt> {
        let mut lines: Vec<&str> = content.split('\n').collect();
        // The empty "line" after a final newline is not shown as context.
        if lines.len() > line && lines.last() == Some(&"") {
            lines.pop();
        }
        let target = lines.get(line.checked_sub(1)?)?;
        let first_line = line.saturating_sub(1).max(1);
        let last_line = (line + 1).min(lines.len());
        let column = column.max(1);
        // The window starts so the column sits about a third of the way in.
        let start = if target.chars().count() > WINDOW {
            column.saturating_sub(WINDOW / 3 + 1)
        } else {
            0
        };
        let mut text = String::new();
        let mut span = None;
        for n in first_line..=last_line {
            let raw = lines[n - 1].trim_end_matches('\r');
            let chars = raw.chars().count();
            // Context lines keep their start unless they too are long.
            let start = match (n == line, chars > WINDOW) {
                (true, _) => start,
                (false, true) => start.min(chars - WINDOW),
                (false, false) => 0,
            };
            let mut shown = String::new();
            if start > 0 && chars > 0 {
                shown.push('…');
            }
            let at_column = shown.len();
            let mut offset_in_line = None;
            for (i, c) in raw.chars().enumerate().skip(start).take(WINDOW) {
                if i + 1 == column {
                    offset_in_line = Some(shown.len());
                }
                shown.push(if c.is_control() && c != '\t' {
                    '\u{FFFD}'
                } else {
                    c
                });
            }
            if chars > start + WINDOW {
                shown.push('…');
            }
            if n == line {
                let from = offset_in_line.unwrap_or(if column > chars {
                    shown.len()
                } else {
                    at_column
                });
                // Mark the value at the column: up to the end of the line, at most 40
                // characters, and at least one.
                let len: usize = shown[from..]
                    .chars()
                    .take(40)
                    .map(char::len_utf8)
                    .sum::<usize>()
                    .max(1);
                span = Some(SourceSpan::from((text.len() + from, len)));
            }
            text.push_str(&shown);
            text.push('\n');
        }
        if content.trim().is_empty() {
            return None;
        }
        Some(Excerpt {
            name: shown_path(file),
            text,
            first_line,
            span: span?,
        })
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self.text.as_str().read_span(span, before, after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line - 1,
            inner.column(),
            inner.line_count(),
        )))
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h.as_str()) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some("here".into()),
            span,
        ))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_in_messages() {
        assert_eq!(number(1.7e308), "1.7e308");
        assert_eq!(number(1e-300), "1e-300");
        assert_eq!(number(40.0), "40");
        assert_eq!(number(0.5), "0.5");
        assert_eq!(number(800000000000000.0), "800000000000000");
        assert_eq!(number(f64::INFINITY), "inf");
    }

    #[test]
    fn headline_names_file_line_column_and_field() {
        let d = Diagnostic::error("expected a number")
            .in_file("content/programmes/x.yaml")
            .at(12, 5)
            .field("targets[3].value");
        assert_eq!(
            d.headline(),
            "content/programmes/x.yaml:12:5: targets[3].value: expected a number"
        );
    }

    #[test]
    fn a_file_name_with_a_newline_stays_on_one_line() {
        let d = Diagnostic::error("bad")
            .in_file("content/programmes/a\nb.yaml")
            .at(1, 1);
        assert_eq!(d.headline(), "content/programmes/a\\nb.yaml:1:1: bad");
        let d = Diagnostic::error("bad")
            .in_file("content/a\nb.yaml")
            .at(1, 1);
        assert!(!d.headline().contains('\n'), "{}", d.headline());
    }

    #[test]
    fn render_shows_the_offending_line_and_a_count() {
        let mut all = Diagnostics::new();
        all.push(
            Diagnostic::error("bad unit")
                .in_file("a.yaml")
                .at(2, 7)
                .help("use percent"),
        );
        all.push(Diagnostic::warning("odd").in_file("a.yaml").at(1, 1));
        let mut sources = BTreeMap::new();
        sources.insert(
            PathBuf::from("a.yaml"),
            "id: x\nunit: precent\n".to_string(),
        );
        let text = all.render(&sources);
        assert!(text.contains("unit: precent"), "{text}");
        assert!(text.contains("a.yaml:2:7"), "{text}");
        assert!(text.contains("use percent"), "{text}");
        assert!(text.ends_with("1 error, 1 warning\n"), "{text}");
    }

    #[test]
    fn excerpts_count_columns_in_characters() {
        let text = "标题: x\nb: 码y\nc: z\n";
        let e = Excerpt::new(Path::new("f"), text, 2, 5).unwrap();
        let at = e.span.offset();
        assert_eq!(&e.text[at..at + 1], "y");
        assert_eq!(e.first_line, 1);
    }

    #[test]
    fn long_lines_are_cut_to_a_window_with_right_line_numbers() {
        let long = format!("{}X{}", "a".repeat(5000), "b".repeat(5000));
        let text = format!("one\ntwo\nkey: {long}\nfour\n");
        let mut all = Diagnostics::new();
        all.push(Diagnostic::error("bad").in_file("f.yaml").at(3, 5006));
        let mut sources = BTreeMap::new();
        sources.insert(PathBuf::from("f.yaml"), text);
        let out = all.render(&sources);
        assert!(out.len() < 2000, "{out}");
        assert!(out.contains("aX"), "{out}");
        assert!(out.contains(" 3 │ …"), "{out}");
        assert!(out.contains(" 4 │ four"), "{out}");
    }

    #[test]
    fn huge_messages_are_shortened() {
        let d = Diagnostic::error(format!("unknown variant `{}`", "x".repeat(100_000)));
        let out = Diagnostics::from(d).render(&BTreeMap::new());
        assert!(out.len() < 1500, "{}", out.len());
    }
}

//! Errors and warnings about content, all gathered before anything is reported, so an editor
//! sees every problem of a run at once. Printing goes through miette, which shows the
//! offending line with a marker under it.

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

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
            out.push_str(&file.display().to_string());
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
        let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
            .with_width(100)
            .with_context_lines(1);
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

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics { items: vec![d] }
    }
}

/// Adapter from our diagnostic to miette's, with the source line attached when known.
#[derive(Debug)]
struct Report {
    text: String,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<NamedSource<String>>,
    span: Option<SourceSpan>,
}

impl Report {
    fn new(d: &Diagnostic, sources: &BTreeMap<PathBuf, String>) -> Self {
        let text = d.headline();
        let mut source = None;
        let mut span = None;
        if let (Some(file), Some(line)) = (&d.file, d.line) {
            if let Some(content) = sources.get(file) {
                if let Some(offset) = offset_of(content, line, d.column.unwrap_or(1)) {
                    let len = content[offset..]
                        .find('\n')
                        .unwrap_or(content.len() - offset)
                        .max(1);
                    span = Some(SourceSpan::from((offset, len.min(60))));
                    source = Some(NamedSource::new(
                        file.display().to_string(),
                        content.clone(),
                    ));
                }
            }
        }
        Report {
            text,
            severity: match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            },
            help: d.help.clone(),
            source,
            span,
        }
    }
}

/// Byte offset of a 1-based line and column (columns count characters).
fn offset_of(content: &str, line: usize, column: usize) -> Option<usize> {
    let mut start = 0;
    for _ in 1..line {
        start += content[start..].find('\n')? + 1;
    }
    let rest = &content[start..];
    let within = rest
        .char_indices()
        .nth(column.saturating_sub(1))
        .map(|(i, _)| i)
        .unwrap_or(0);
    let line_end = rest.find('\n').unwrap_or(rest.len());
    Some(start + within.min(line_end))
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
    fn offsets_count_characters_not_bytes() {
        let text = "标题: x\nb: 码y\n";
        let off = offset_of(text, 2, 5).unwrap();
        assert!(text[off..].starts_with('y'));
    }
}

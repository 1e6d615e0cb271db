//! The error overlay: what an editor sees in the browser when a save breaks the content. It
//! shows the same diagnostics the terminal prints (file, line, column, field, the message, an
//! excerpt of the file and the hint) over the last good page, with its labels in the page's
//! language where the theme has them (keys `preview_*` in the theme's strings.yaml).

use crate::diagnostics::{Diagnostic, Severity};
use crate::escape::esc;
use crate::Failure;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The element id the overlay carries; the reload script replaces or removes it by this id.
pub const ID: &str = "policydash-preview-error";

/// A failed build, kept for showing: its diagnostics, excerpts and the labels per language.
#[derive(Debug, Clone)]
pub struct Problem {
    diagnostics: Vec<Shown>,
    /// The terminal's report, word for word.
    pub terminal: String,
    /// Language code → key → text, from the theme.
    labels: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(Debug, Clone)]
struct Shown {
    diagnostic: Diagnostic,
    excerpt: Option<String>,
}

impl Problem {
    /// `root` is the site folder, for finding the theme's strings.
    pub fn new(failure: &Failure, root: &Path) -> Problem {
        let diagnostics = failure
            .diagnostics
            .sorted()
            .into_iter()
            .map(|d| Shown {
                excerpt: excerpt(d, &failure.sources),
                diagnostic: d.clone(),
            })
            .collect();
        Problem {
            diagnostics,
            terminal: failure.render(),
            labels: theme_labels(root),
        }
    }

    /// The files named by the diagnostics.
    pub fn files(&self) -> Vec<&Path> {
        let mut v: Vec<&Path> = self
            .diagnostics
            .iter()
            .filter_map(|s| s.diagnostic.file.as_deref())
            .collect();
        v.dedup();
        v
    }

    fn label<'a>(&'a self, lang: &str, key: &str) -> &'a str {
        self.labels
            .get(lang)
            .and_then(|m| m.get(key))
            .map(String::as_str)
            .unwrap_or_else(|| english(key))
    }

    /// The overlay, in `lang` (`en`, `zh`, …) where the theme has the labels, else English.
    pub fn html(&self, lang: &str) -> String {
        let l = |key: &str| esc(self.label(lang, key));
        let mut out = format!(
            "<div id=\"{ID}\" role=\"alert\" lang=\"{tag}\" style=\"position:fixed;inset:auto 0 0 0;max-height:70vh;overflow:auto;z-index:2147483647;background:#fff;color:#111;border-top:4px solid #b00020;box-shadow:0 -4px 16px rgba(0,0,0,.3);padding:1rem 1.25rem;font:15px/1.45 system-ui,sans-serif\">\
             <h2 style=\"margin:0 0 .5rem;font-size:1.2rem;color:#b00020\">{title}</h2><p style=\"margin:0 0 .75rem\">{intro}</p>",
            tag = esc(lang),
            title = l("preview_error_title"),
            intro = l("preview_error_intro"),
        );
        for s in &self.diagnostics {
            let d = &s.diagnostic;
            let kind = match d.severity {
                Severity::Error => l("preview_error"),
                Severity::Warning => l("preview_warning"),
            };
            out.push_str("<section style=\"border-top:1px solid #ccc;padding:.5rem 0\">");
            out.push_str(&format!(
                "<p style=\"margin:0 0 .25rem\"><strong>{kind}</strong>{colon}{}</p><dl style=\"margin:0;display:grid;grid-template-columns:max-content 1fr;gap:0 1rem\">",
                esc(&d.message),
                colon = l("colon"),
            ));
            let mut row = |key: &str, value: String| {
                out.push_str(&format!(
                    "<dt>{}</dt><dd style=\"margin:0\"><code>{}</code></dd>",
                    l(key),
                    esc(&value)
                ));
            };
            if let Some(file) = &d.file {
                row("preview_file", file.display().to_string());
            }
            if let Some(line) = d.line {
                row("preview_line", line.to_string());
            }
            if let Some(col) = d.column {
                row("preview_column", col.to_string());
            }
            if let Some(field) = &d.field {
                row("preview_field", field.clone());
            }
            out.push_str("</dl>");
            if let Some(ex) = &s.excerpt {
                out.push_str(&format!(
                    "<pre style=\"background:#f4f4f4;padding:.5rem;overflow:auto;margin:.5rem 0\">{}</pre>",
                    esc(ex)
                ));
            }
            if let Some(help) = &d.help {
                out.push_str(&format!(
                    "<p style=\"margin:0\"><strong>{}</strong>{}{}</p>",
                    l("preview_hint"),
                    l("colon"),
                    esc(help)
                ));
            }
            out.push_str("</section>");
        }
        out.push_str(&format!(
            "<details><summary>{}</summary><pre style=\"overflow:auto\">{}</pre></details></div>",
            l("preview_terminal"),
            esc(&self.terminal)
        ));
        out
    }
}

/// Built-in English labels, for themes without the `preview_*` strings.
fn english(key: &str) -> &'static str {
    match key {
        "preview_error_title" => "This change could not be built",
        "preview_error_intro" => "The page below is the last version that built. Fix the problem and save: this message goes away and the page reloads.",
        "preview_error" => "Error",
        "preview_warning" => "Warning",
        "preview_file" => "File",
        "preview_line" => "Line",
        "preview_column" => "Column",
        "preview_field" => "Field",
        "preview_hint" => "How to fix it",
        "preview_terminal" => "As printed in the terminal",
        "colon" => ": ",
        _ => "",
    }
}

/// The offending line with one line either side, numbered, and a marker under the column.
fn excerpt(d: &Diagnostic, sources: &BTreeMap<PathBuf, String>) -> Option<String> {
    let text = sources.get(d.file.as_ref()?)?;
    let line = d.line?;
    let lines: Vec<&str> = text.lines().collect();
    if line == 0 || line > lines.len() {
        return None;
    }
    let first = line.saturating_sub(1).max(1);
    let last = (line + 1).min(lines.len());
    let width = last.to_string().len();
    let mut out = String::new();
    for n in first..=last {
        let shown: String = lines[n - 1]
            .chars()
            .filter(|c| !c.is_control() || *c == '\t')
            .take(160)
            .collect();
        out.push_str(&format!("{n:>width$} | {shown}\n"));
        if n == line {
            if let Some(col) = d.column.filter(|c| *c <= 160) {
                out.push_str(&format!("{:>width$} | {}^\n", "", " ".repeat(col - 1)));
            }
        }
    }
    Some(out)
}

/// The theme's interface strings, read directly: when the content is broken, the build has
/// not loaded the theme. The theme is the one site.yaml names, or `default`.
fn theme_labels(root: &Path) -> BTreeMap<String, BTreeMap<String, String>> {
    let name = std::fs::read_to_string(root.join("content/site.yaml"))
        .ok()
        .and_then(|t| serde_yaml::from_str::<serde_yaml::Value>(&t).ok())
        .and_then(|v| v.get("theme")?.as_str().map(str::to_string))
        .unwrap_or_else(|| "default".into());
    crate::render::theme::theme_dir(root, &name)
        .or_else(|| crate::render::theme::theme_dir(root, "default"))
        .and_then(|dir| std::fs::read_to_string(dir.join("strings.yaml")).ok())
        .and_then(|t| serde_yaml::from_str(&t).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Diagnostics;

    fn failure() -> Failure {
        let mut diagnostics = Diagnostics::new();
        diagnostics.push(
            Diagnostic::error("expected a number, found \"<b>\"")
                .in_file("content/programmes/x.yaml")
                .at(2, 9)
                .field("targets[0].value")
                .help("write a number such as 40"),
        );
        let mut sources = BTreeMap::new();
        sources.insert(
            PathBuf::from("content/programmes/x.yaml"),
            "id: x\nvalue: <b>\nend: 1\n".to_string(),
        );
        Failure {
            diagnostics,
            sources,
        }
    }

    #[test]
    fn the_overlay_names_file_line_column_field_excerpt_and_hint_escaped() {
        let p = Problem::new(&failure(), Path::new(env!("CARGO_MANIFEST_DIR")));
        let html = p.html("en");
        for part in [
            "content/programmes/x.yaml",
            "<code>2</code>",
            "<code>9</code>",
            "targets[0].value",
            "write a number such as 40",
            "2 | value: &lt;b&gt;",
            "  |         ^",
        ] {
            assert!(html.contains(part), "{part} missing from {html}");
        }
        assert!(!html.contains("<b>"), "data must be escaped");
        assert_eq!(p.files(), vec![Path::new("content/programmes/x.yaml")]);
    }

    #[test]
    fn labels_come_from_the_theme_in_the_page_language() {
        let p = Problem::new(&failure(), Path::new(env!("CARGO_MANIFEST_DIR")));
        let zh = p.html("zh");
        let zh_title = p.label("zh", "preview_error_title");
        assert!(zh.contains(zh_title));
        assert!(p.html("fr").contains("This change could not be built"));
    }
}

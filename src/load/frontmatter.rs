//! Commentary files: YAML front matter between `---` lines, then a Markdown body.

use super::yaml::{self, Parsed};
use crate::diagnostics::Diagnostic;
use crate::model::{Commentary, Lang, Origin, PartialDate};
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    date: Option<PartialDate>,
    language: Lang,
    #[serde(default)]
    translation: Option<String>,
    #[serde(default)]
    programmes: Vec<String>,
    #[serde(default)]
    metrics: Vec<String>,
}

/// The page, where its front matter is (to locate its fields in the whole file), and every
/// error in the front matter.
pub fn parse(file: &Path, text: &str) -> Parsed<Commentary> {
    match split(file, text) {
        Ok(page) => page,
        Err(d) => Parsed {
            value: None,
            located: None,
            errors: vec![d],
        },
    }
}

fn split(file: &Path, text: &str) -> Result<Parsed<Commentary>, Diagnostic> {
    let missing = || {
        Diagnostic::error("the file has no front matter")
            .in_file(file)
            .at(1, 1)
            .help("start the file with a line `---`, then title:, language: (en or zh) and the other fields, then another `---`")
    };
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().ok_or_else(missing)?;
    if first.trim_end() != "---" {
        return Err(missing());
    }
    // The front matter is the lines between the two `---`: `text[first.len()..yaml_end]`.
    let mut yaml_end = first.len();
    let mut consumed = first.len();
    let mut closed = false;
    let mut line_no = 1;
    for line in lines {
        consumed += line.len();
        line_no += 1;
        if line.trim_end() == "---" {
            closed = true;
            break;
        }
        yaml_end = consumed;
    }
    let yaml_range = first.len()..yaml_end;
    let yaml_text = &text[yaml_range.clone()];
    if !closed {
        return Err(Diagnostic::error("the front matter is never closed")
            .in_file(file)
            .at(1, 1)
            .help("end the front matter with a line holding only `---`"));
    }
    if yaml_text.trim().is_empty() {
        return Err(Diagnostic::error("the front matter is empty")
            .in_file(file)
            .at(2, 1)
            .help("give at least title: and language:"));
    }
    // The body's control characters (other than tab and line breaks) would be published as
    // they are: refused where they are.
    let body = &text[consumed..];
    if let Some((n, line)) = body
        .split('\n')
        .enumerate()
        .find(|(_, l)| l.chars().any(is_bad_control))
    {
        let (col, c) = line
            .chars()
            .enumerate()
            .find(|(_, c)| is_bad_control(*c))
            .unwrap_or((0, '\0'));
        return Err(Diagnostic::error(format!(
            "this line holds the control character U+{:04X}, which would be published as it is",
            c as u32
        ))
        .in_file(file)
        .at(line_no + 1 + n, col + 1)
        .help("delete it: text may hold tabs and line breaks, but no other control character"));
    }
    let parsed: Parsed<FrontMatter> = yaml::parse_all(file, yaml_text, 2);
    // Located in the file's text, not in the front matter's.
    let located = parsed.located.map(|l| yaml::Located {
        range: yaml_range,
        ..l
    });
    let Some(fm) = parsed.value else {
        return Ok(Parsed {
            value: None,
            located,
            errors: parsed.errors,
        });
    };
    let stem = file
        .file_name()
        .and_then(|s| s.to_str())
        .unwrap_or("")
        .trim_end_matches(".md");
    // `overview.en.md` and `overview.zh.md` are one piece in two languages.
    let base = stem
        .strip_suffix(&format!(".{}", fm.language.code()))
        .unwrap_or(stem);
    let page = Commentary {
        key: fm.translation.unwrap_or_else(|| base.to_string()),
        lang: fm.language,
        title: fm.title,
        summary: fm.summary,
        date: fm.date,
        programmes: fm.programmes,
        metrics: fm.metrics,
        body: text[consumed..].to_string(),
        body_line: line_no + 1,
        origin: Origin {
            file: file.into(),
            path: String::new(),
        },
    };
    Ok(Parsed {
        value: Some(page),
        located,
        errors: parsed.errors,
    })
}

fn is_bad_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(file: &str, text: &str) -> (Commentary, super::super::Locator) {
        let p = parse(Path::new(file), text);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        (p.value.unwrap(), p.located.unwrap().locator(text))
    }

    fn err(file: &str, text: &str) -> Diagnostic {
        parse(Path::new(file), text).errors.remove(0)
    }

    #[test]
    fn splits_front_matter_and_body_with_crlf() {
        let text = "---\r\ntitle: T\r\nlanguage: zh\r\n---\r\n# 正文\r\n";
        let (c, _) = ok("content/commentary/overview.zh.md", text);
        assert_eq!(c.key, "overview");
        assert_eq!(c.lang, Lang::Zh);
        assert_eq!(c.body, "# 正文\r\n");
        assert_eq!(c.body_line, 5);
    }

    #[test]
    fn control_characters_in_the_body_are_refused_at_their_line() {
        let text = "---\ntitle: T\nlanguage: en\n---\nfine\r\nthen \u{1b}[31m red\n";
        let d = err("c.md", text);
        assert_eq!((d.line, d.column), (Some(6), Some(6)), "{d:?}");
        assert!(d.message.contains("U+001B"), "{}", d.message);
    }

    #[test]
    fn bad_front_matter_names_its_line() {
        let text = "---\ntitle: T\nlanguage: fr\n---\nbody\n";
        let d = err("c.md", text);
        assert_eq!(d.line, Some(3), "{d:?}");
        assert!(d.message.contains("unknown variant"), "{}", d.message);
    }

    #[test]
    fn front_matter_fields_are_located_in_the_file() {
        let text = "---\ntitle: T\nlanguage: en\nprogrammes: [a, b]\n---\nbody\n";
        let (_, loc) = ok("c.md", text);
        assert_eq!(loc.locate("programmes"), Some((4, 13)));
    }
}

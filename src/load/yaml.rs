//! The one place that parses YAML into typed values (serde_yaml), so the parser can be
//! swapped without touching the rest. Turns serde_yaml's errors into diagnostics that name
//! the file, line, column and field, with a "did you mean" for misspelt names.

use super::locate::Locator;
use crate::diagnostics::Diagnostic;
use serde::de::DeserializeOwned;
use std::path::Path;

/// Parses `text` (from `file`) into `T`, returning the value and a locator for its fields.
pub fn parse<T: DeserializeOwned>(file: &Path, text: &str) -> Result<(T, Locator), Diagnostic> {
    if text.trim().is_empty() {
        return Err(Diagnostic::error("the file is empty")
            .in_file(file)
            .at(1, 1)
            .help("fill it in as described in docs/content-format.md, or delete it"));
    }
    match serde_yaml::from_str::<T>(text) {
        Ok(value) => Ok((value, Locator::from_text(text))),
        Err(err) => Err(to_diagnostic(file, text, &err)),
    }
}

/// Parses a value for a front-matter block that starts at `first_line` of `file`.
pub fn parse_at<T: DeserializeOwned>(
    file: &Path,
    text: &str,
    first_line: usize,
) -> Result<T, Diagnostic> {
    serde_yaml::from_str::<T>(text).map_err(|err| {
        let mut d = to_diagnostic(file, text, &err);
        if let Some(line) = d.line.as_mut() {
            *line += first_line - 1;
        }
        d
    })
}

fn to_diagnostic(file: &Path, text: &str, err: &serde_yaml::Error) -> Diagnostic {
    let raw = err.to_string();
    // serde_yaml appends " at line L column C"; we carry the position separately.
    let without_pos = match raw.rfind(" at line ") {
        Some(i) => raw[..i].to_string(),
        None => raw.clone(),
    };
    let (field, message) = split_field(&without_pos);
    let mut d = Diagnostic::error(message.clone()).in_file(file);
    if let Some(field) = field {
        d = d.field(field.clone());
        // serde puts "missing field" on the mapping; point at the record's first line instead
        // of wherever the parser stopped.
        if let Some((line, col)) = Locator::from_text(text).locate(&field) {
            if message.starts_with("missing field") {
                d = d.at(line, col);
            }
        }
    }
    if d.line.is_none() {
        if let Some(loc) = err.location() {
            d = d.at(loc.line(), loc.column());
        }
    }
    if let Some(help) = suggestion(&message) {
        d = d.help(help);
    } else if message.contains("repetition limit") || message.contains("recursion limit") {
        d = d.help("the file expands to too much data (YAML aliases nested too deep or repeated too often); write the values out instead of using anchors");
    } else if message.starts_with("did not find expected")
        || message.contains("mapping values are not allowed")
    {
        d = d.help("check the indentation, and put text that contains ': ' or starts with a special character in quotes");
    }
    d
}

/// Splits `targets[3].unit: unknown variant ...` into the path and the message.
fn split_field(text: &str) -> (Option<String>, String) {
    if let Some(i) = text.find(": ") {
        let head = &text[..i];
        let looks_like_path = !head.is_empty()
            && head
                .chars()
                .all(|c| c.is_alphanumeric() || "_-[].".contains(c));
        if looks_like_path {
            return (Some(head.to_string()), text[i + 2..].to_string());
        }
    }
    (None, text.to_string())
}

/// For "unknown field `untis`, expected one of `unit`, ..." suggests the closest name.
fn suggestion(message: &str) -> Option<String> {
    let what = if message.starts_with("unknown field") {
        "field"
    } else if message.starts_with("unknown variant") {
        "value"
    } else {
        return None;
    };
    let got = between_backticks(message).next()?;
    let expected: Vec<&str> = message
        .split_once("expected")
        .map(|(_, rest)| between_backticks(rest).collect())
        .unwrap_or_default();
    let best = expected
        .iter()
        .map(|e| (strsim::jaro_winkler(got, e), *e))
        .filter(|(score, _)| *score > 0.75)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    Some(match best {
        Some((_, name)) => format!("did you mean `{name}`?"),
        None if expected.is_empty() => format!("remove the {what} `{got}`"),
        None => format!("use one of: {}", expected.join(", ")),
    })
}

fn between_backticks(text: &str) -> impl Iterator<Item = &str> {
    text.split('`').skip(1).step_by(2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        id: String,
        unit: String,
    }
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        items: Vec<Item>,
    }

    #[test]
    fn unknown_field_names_path_line_and_suggests() {
        let text = "items:\n  - id: a\n    unit: x\n  - id: b\n    untis: y\n";
        let d = parse::<Doc>(Path::new("f.yaml"), text).unwrap_err();
        assert_eq!(d.field.as_deref(), Some("items[1]"));
        assert_eq!(d.line, Some(5));
        assert!(d.message.contains("unknown field `untis`"), "{}", d.message);
        assert_eq!(d.help.as_deref(), Some("did you mean `unit`?"));
    }

    #[test]
    fn syntax_error_has_line_and_column() {
        let text = "items:\n  - id: a\n    unit: [x\n";
        let d = parse::<Doc>(Path::new("f.yaml"), text).unwrap_err();
        assert!(d.line.is_some() && d.column.is_some(), "{d:?}");
    }

    #[test]
    fn empty_file_is_a_clear_error() {
        let d = parse::<Doc>(Path::new("f.yaml"), " \n").unwrap_err();
        assert!(d.message.contains("empty"));
    }
}

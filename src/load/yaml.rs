//! The one place that parses YAML into typed values (serde_yaml), so the parser can be
//! swapped without touching the rest. Turns serde_yaml's errors into diagnostics that name
//! the file, line, column and field, with a "did you mean" for misspelt names.
//!
//! A file is read in three passes: an event walk that locates every field and measures what
//! its aliases would expand to (refusing alias bombs before anything expands them), a syntax
//! pass (so a syntax error is reported as such, not as whatever field it made look wrong), and
//! the typed parse.

use super::locate::{Locator, MAX_ALIAS_EXPANSION, MAX_DEPTH};
use crate::diagnostics::Diagnostic;
use serde::de::{DeserializeOwned, IgnoredAny};
use std::path::Path;

/// Parses `text` (from `file`) into `T`, returning the value and a locator for its fields.
pub fn parse<T: DeserializeOwned>(file: &Path, text: &str) -> Result<(T, Locator), Diagnostic> {
    if text.trim().is_empty() {
        return Err(Diagnostic::error("the file is empty")
            .in_file(file)
            .at(1, 1)
            .help("fill it in as described in docs/content-format.md, or delete it"));
    }
    let locator = Locator::from_text(text);
    typed(file, text, &locator).map(|value| (value, locator))
}

/// Parses a value for a front-matter block that starts at `first_line` of `file`; positions,
/// in the diagnostic or the locator, are lines of the whole file.
pub fn parse_at<T: DeserializeOwned>(
    file: &Path,
    text: &str,
    first_line: usize,
) -> Result<(T, Locator), Diagnostic> {
    let mut locator = Locator::from_text(text);
    let result = typed(file, text, &locator);
    locator.shift(first_line - 1);
    match result {
        Ok(value) => Ok((value, locator)),
        Err(mut d) => {
            if let Some(line) = d.line.as_mut() {
                *line += first_line - 1;
            }
            Err(d)
        }
    }
}

fn typed<T: DeserializeOwned>(file: &Path, text: &str, locator: &Locator) -> Result<T, Diagnostic> {
    if let Some((line, col)) = locator.alias_bomb() {
        return Err(Diagnostic::error(format!(
            "the YAML aliases in this file expand to more than {MAX_ALIAS_EXPANSION} values"
        ))
        .in_file(file)
        .at(line, col)
        .help("write the values out instead of repeating anchors (&name) with aliases (*name)"));
    }
    if let Some((line, col)) = locator.too_deep() {
        return Err(Diagnostic::error(format!(
            "lists and mappings are nested more than {MAX_DEPTH} levels deep here"
        ))
        .in_file(file)
        .at(line, col)
        .help("check for an unclosed [ or {, or for indentation that keeps growing"));
    }
    if let Err(err) = serde_yaml::from_str::<IgnoredAny>(text) {
        return Err(syntax_diagnostic(file, text, locator, &err));
    }
    serde_yaml::from_str::<T>(text).map_err(|err| to_diagnostic(file, locator, &err))
}

/// A syntax error. The commonest one in hand-edited files, a quote left open, is reported by
/// the parser lines later, where the runaway value finally clashes with something; so when a
/// line at or before the error opens a quote it does not close, the error is moved there.
fn syntax_diagnostic(
    file: &Path,
    text: &str,
    locator: &Locator,
    err: &serde_yaml::Error,
) -> Diagnostic {
    let mut d = to_diagnostic(file, locator, err);
    let Some(error_line) = d.line else {
        return d;
    };
    let open = text
        .lines()
        .take(error_line)
        .enumerate()
        .find_map(|(i, line)| unclosed_quote(line).map(|col| (i + 1, col)));
    if let Some((line, column)) = open {
        let found = d.message.split(" (while").next().unwrap_or_default();
        d.message = if line == error_line {
            format!("a quote opened on this line is not closed ({found})")
        } else {
            format!("a quote opened on this line is not closed; the parser stopped at line {error_line}: {found}")
        };
        d.line = Some(line);
        d.column = Some(column);
        d.field = None;
        d.help = Some("close the quote on the same line: YAML reads everything up to the next quote mark as one value".into());
    }
    d
}

/// The 1-based column of a quote that opens a value on `line` and is not closed on it.
/// Quote marks inside plain text (`Tianjin's`, `he said "x"`) do not open a value.
fn unclosed_quote(line: &str) -> Option<usize> {
    let chars: Vec<char> = line.chars().collect();
    // A value can start at the line's start, and after `- `, `: `, `[`, `{` and `,`.
    let mut value_start = true;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if value_start && (c == '"' || c == '\'') {
            let open = i;
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Some(open + 1),
                    Some('\\') if c == '"' => i += 2,
                    Some(&q) if q == c && c == '\'' && chars.get(i + 1) == Some(&'\'') => i += 2,
                    Some(&q) if q == c => break,
                    Some(_) => i += 1,
                }
            }
            value_start = false;
        } else if c == '#' && (i == 0 || chars[i - 1].is_whitespace()) {
            return None;
        } else if matches!(c, '[' | '{' | ',')
            || (matches!(c, ':' | '-') && next.is_none_or(char::is_whitespace))
        {
            value_start = true;
        } else if !c.is_whitespace() {
            value_start = false;
        }
        i += 1;
    }
    None
}

fn to_diagnostic(file: &Path, locator: &Locator, err: &serde_yaml::Error) -> Diagnostic {
    let without_pos = strip_position(&err.to_string());
    let (parent, message) = split_field(&without_pos);
    let parent = parent.unwrap_or_default();
    let child = |name: &str| {
        if parent.is_empty() {
            name.to_string()
        } else {
            format!("{parent}.{name}")
        }
    };
    let named = between_backticks(&message).next().map(str::to_string);
    let mut d = Diagnostic::error(humanize(&message)).in_file(file);
    // "unknown field `untis`, expected one of ..." : the names go to the help, as a "did you
    // mean" or as the list to choose from.
    if message.starts_with("unknown field") || message.starts_with("unknown variant") {
        d.message = message
            .split(", expected")
            .next()
            .unwrap_or_default()
            .to_string();
    }
    let mut at = None;
    let mut field = parent.clone();
    if let Some(name) = &named {
        if message.starts_with("missing field") {
            // serde puts this on the end of the mapping; point at the record's first line.
            field = child(name);
            at = locator.locate(&parent);
        } else if message.starts_with("unknown field") {
            field = child(name);
            at = locator.key(&field);
        } else if message.starts_with("duplicate field") {
            field = child(name);
            at = locator.duplicate(&field);
        }
    }
    d = d.field(field);
    match (at, err.location()) {
        (Some((line, col)), _) => d = d.at(line, col),
        (None, Some(loc)) => d = d.at(loc.line(), loc.column()),
        (None, None) => {}
    }
    if let Some(help) = suggestion(&message) {
        d = d.help(help);
    } else if message.contains("repetition limit") {
        d = d.help("the file expands to too much data through YAML aliases; write the values out instead of using anchors (&name) and aliases (*name)");
    } else if message.contains("recursion limit") {
        d = d.help(
            "the values are nested too deeply (more than 128 levels); check for unclosed [ or {",
        );
    } else if message.contains("cannot start any token") {
        d = d.help("YAML does not allow tabs for indentation, and some characters (@, `) cannot begin a value: indent with spaces and put such text in quotes");
    } else if message.starts_with("did not find expected")
        || message.contains("mapping values are not allowed")
        || message.contains("could not find expected")
    {
        d = d.help("check the indentation, and put text that contains ': ' or starts with a special character in quotes");
    } else if message.starts_with("duplicate field") {
        d = d.help("each field may appear once; remove one of the two");
    } else if message.starts_with("missing field") {
        d = d.help(format!(
            "add {}: to this record (see docs/content-format.md)",
            named.unwrap_or_default()
        ));
    }
    d
}

/// Rewords serde's type errors for people who edit YAML, not Rust: "invalid type: string
/// "forty", expected f64" becomes "expected a number, found the text "forty"".
fn humanize(message: &str) -> String {
    let Some(rest) = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))
    else {
        return message.to_string();
    };
    let Some((found, expected)) = rest.rsplit_once(", expected ") else {
        return message.to_string();
    };
    let expected = match expected {
        "f64" | "f32" => "a number".to_string(),
        "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64" => {
            "a whole number".to_string()
        }
        "a string" | "a borrowed string" => {
            "text (put it in quotes if it looks like a number or a date)".to_string()
        }
        "a boolean" => "true or false".to_string(),
        "a sequence" => "a list (lines starting with `- `, or [a, b])".to_string(),
        "struct Text" => "text in both languages: {en: \"...\", zh: \"...\"}".to_string(),
        other => match other.strip_prefix("struct ") {
            Some(name) => format!("a {} record (lines of field: value)", name.to_lowercase()),
            None => other.to_string(),
        },
    };
    let found = if let Some(s) = found.strip_prefix("string ") {
        format!("the text {s}")
    } else if let Some(n) = found
        .strip_prefix("integer ")
        .or_else(|| found.strip_prefix("floating point "))
    {
        format!("the number {}", n.trim_matches('`'))
    } else {
        match found {
            "sequence" => "a list".to_string(),
            "map" => "a mapping (field: value lines)".to_string(),
            "unit value" => "nothing (the value is empty)".to_string(),
            other => other.replace('`', ""),
        }
    };
    format!("expected {expected}, found {found}")
}

/// serde_yaml writes " at line L column C" into its messages (at the end, or before
/// ", while parsing ..."); we carry the position separately.
fn strip_position(raw: &str) -> String {
    let Some(i) = raw.find(" at line ") else {
        return raw.to_string();
    };
    let rest = &raw[i + " at line ".len()..];
    let after_numbers = rest
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .strip_prefix(" column ")
        .map(|r| r.trim_start_matches(|c: char| c.is_ascii_digit()))
        .unwrap_or(rest);
    match after_numbers.strip_prefix(", ") {
        Some(context) => format!("{} ({context})", &raw[..i]),
        None => format!("{}{after_numbers}", &raw[..i]),
    }
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
    if what == "value" && got.contains(": ") {
        return Some("a quote on this line seems to be unclosed: close it, or check that the value is on one line".into());
    }
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
        #[serde(default)]
        value: Option<f64>,
    }
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        items: Vec<Item>,
    }

    fn err(text: &str) -> Diagnostic {
        parse::<Doc>(Path::new("f.yaml"), text).unwrap_err()
    }

    #[test]
    fn unknown_field_names_path_line_and_suggests() {
        let d = err("items:\n  - id: a\n    unit: x\n  - id: b\n    untis: y\n");
        assert_eq!(d.field.as_deref(), Some("items[1].untis"));
        assert_eq!((d.line, d.column), (Some(5), Some(5)));
        assert!(d.message.contains("unknown field `untis`"), "{}", d.message);
        assert_eq!(d.help.as_deref(), Some("did you mean `unit`?"));
    }

    #[test]
    fn missing_field_points_at_the_record() {
        let d = err("items:\n  - id: a\n    unit: x\n  - id: b\n    value: 3\n");
        assert_eq!(d.field.as_deref(), Some("items[1].unit"));
        assert_eq!((d.line, d.column), (Some(4), Some(5)));
        assert!(d.message.contains("missing field `unit`"), "{}", d.message);
    }

    #[test]
    fn duplicate_field_points_at_the_second_one() {
        let d = err("items:\n  - id: a\n    unit: x\n    id: b\n");
        assert_eq!(d.field.as_deref(), Some("items[0].id"));
        assert_eq!(d.line, Some(4));
    }

    #[test]
    fn wrong_type_is_worded_for_editors() {
        let d = err("items:\n  - id: a\n    unit: x\n    value: forty\n");
        assert_eq!(d.field.as_deref(), Some("items[0].value"));
        assert_eq!((d.line, d.column), (Some(4), Some(12)));
        assert_eq!(d.message, "expected a number, found the text \"forty\"");
    }

    #[test]
    fn syntax_error_wins_over_a_field_error_before_it() {
        let d = err("items:\n  - id: a\n    untis: x\n    unit: [x\n");
        assert!(!d.message.contains("unknown field"), "{}", d.message);
        assert!(d.line.is_some() && d.column.is_some(), "{d:?}");
    }

    #[test]
    fn alias_bombs_are_refused_before_expanding() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let names: Vec<char> = ('a'..='z').collect();
        for pair in names.windows(2) {
            let (prev, name) = (pair[0], pair[1]);
            let refs = vec![format!("*{prev}"); 10].join(", ");
            text.push_str(&format!("{name}: &{name} [{refs}]\n"));
        }
        let d = err(&text);
        assert!(d.message.contains("aliases"), "{}", d.message);
        assert_eq!(d.line, Some(5));
    }

    #[test]
    fn deep_nesting_is_a_clear_error() {
        let d = err(&"[".repeat(100_000));
        assert!(d.message.contains("nested"), "{d:?}");
        assert_eq!(d.line, Some(1));
    }

    #[test]
    fn an_unclosed_quote_is_blamed_not_the_line_where_parsing_failed() {
        let d = err("items:\n  - id: \"a\n    unit: x\n    value: \"3\"\n");
        assert_eq!((d.line, d.column), (Some(2), Some(9)), "{d:?}");
        assert!(
            d.message
                .contains("quote opened on this line is not closed"),
            "{}",
            d.message
        );
        assert_eq!(
            unclosed_quote("  note: Tianjin's plan, \"quoted\" text"),
            None
        );
        assert_eq!(unclosed_quote("  label: {en: \"a\", zh: \"b}"), Some(24));
        assert_eq!(unclosed_quote("  q: 'it''s'  # it's"), None);
        assert_eq!(unclosed_quote("  - 'open"), Some(5));
    }

    #[test]
    fn positions_are_taken_out_of_messages() {
        assert_eq!(
            strip_position("did not find expected ',' or ']' at line 29 column 9, while parsing a flow sequence"),
            "did not find expected ',' or ']' (while parsing a flow sequence)"
        );
        assert_eq!(
            strip_position("unknown field `a` at line 3 column 1"),
            "unknown field `a`"
        );
        assert_eq!(strip_position("no position"), "no position");
    }

    #[test]
    fn empty_file_is_a_clear_error() {
        let d = parse::<Doc>(Path::new("f.yaml"), " \n").unwrap_err();
        assert!(d.message.contains("empty"));
    }
}

//! Observation tables: `content/progress/*.csv` and `*.xlsx`, one observation per row under a
//! header `target,as_of,value,source,note`. Reading turns each row into an `Observation`
//! remembering its row and columns; which target it belongs to, and whether its source and
//! value make sense, is checked once the programmes are loaded (`progress::check`).

use crate::diagnostics::Diagnostic;
use crate::model::{Observation, Origin, PartialDate, TableRow};
use std::path::Path;

/// The columns of an observation table, in the order the documented example uses.
pub const COLUMNS: [&str; 5] = ["target", "as_of", "value", "source", "note"];
const REQUIRED: [&str; 4] = ["target", "as_of", "value", "source"];

/// A cell as read: spreadsheets keep numbers and dates typed, CSV gives text.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// An Excel date cell, as its serial day number (days since 1899-12-30).
    Date(f64),
}

/// A table as read: each row's number (1 = the first) and its cells.
pub type Rows = Vec<(usize, Vec<Cell>)>;

/// One row of a table, with the target id it names.
#[derive(Debug, Clone)]
pub struct TableObservation {
    pub target: String,
    pub observation: Observation,
}

/// `A`, `B`, … `AA`: how spreadsheets name a 1-based column.
pub fn column_letter(mut n: usize) -> String {
    let mut s = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        s.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// `row 3, column C (value)`: the field part of a table error.
pub fn cell_name(row: usize, col: usize, name: &str) -> String {
    format!("row {row}, column {} ({name})", column_letter(col))
}

/// Where a cell of a CSV file starts in its text, as (line, character column), so the
/// printed error can show the line; `None` for spreadsheets.
pub fn cell_position(text: &str, row: usize, col: usize) -> Option<(usize, usize)> {
    let line = text.lines().nth(row.checked_sub(1)?)?;
    let mut chars = 1;
    let mut quoted = false;
    let mut field = 1;
    for c in line.chars() {
        if field == col {
            return Some((row, chars));
        }
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => field += 1,
            _ => {}
        }
        chars += 1;
    }
    Some((row, chars))
}

/// A table error at a cell: `file`, `row 3, column C (value)`, and the position in the text.
pub fn cell_error(
    text: Option<&str>,
    d: Diagnostic,
    file: &Path,
    row: usize,
    col: usize,
    name: &str,
) -> Diagnostic {
    let d = d.in_file(file).field(cell_name(row, col, name));
    match text.and_then(|t| cell_position(t, row, col)) {
        Some((line, column)) => d.at(line, column),
        None => d,
    }
}

/// Reads the rows of a table; `rows` are (row number, cells), the header first; `text` is the
/// file's text for a CSV file.
pub fn read(
    file: &Path,
    text: Option<&str>,
    rows: Rows,
) -> (Vec<TableObservation>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let err = |row: usize, col: usize, name: &str, msg: String, help: &str| {
        cell_error(
            text,
            Diagnostic::error(msg).help(help.to_string()),
            file,
            row,
            col,
            name,
        )
    };
    let mut rows = rows.into_iter();
    let Some((header_row, header)) = rows.next() else {
        errors.push(
            Diagnostic::error("the table is empty: it has no header row")
                .in_file(file)
                .help(format!("start it with the header {}", COLUMNS.join(","))),
        );
        return (out, errors);
    };
    // Column of each known name (1-based).
    let mut at = [0usize; 5];
    for (i, cell) in header.iter().enumerate() {
        let name = match cell {
            Cell::Text(t) => t.trim().to_ascii_lowercase(),
            Cell::Empty => continue,
            other => format!("{other:?}"),
        };
        match COLUMNS.iter().position(|c| *c == name) {
            Some(k) if at[k] == 0 => at[k] = i + 1,
            Some(_) => errors.push(err(
                header_row,
                i + 1,
                &name,
                format!("the column {name:?} appears twice in the header"),
                "keep one column of each name",
            )),
            None => {
                let guess = COLUMNS
                    .iter()
                    .map(|c| (strsim::jaro_winkler(&name, c), *c))
                    .filter(|(s, _)| *s > 0.7)
                    .max_by(|a, b| a.0.total_cmp(&b.0));
                let help = match guess {
                    Some((_, c)) => {
                        format!("did you mean {c:?}? The header is {}", COLUMNS.join(","))
                    }
                    None => format!("the header is {}", COLUMNS.join(",")),
                };
                errors.push(err(
                    header_row,
                    i + 1,
                    &name,
                    format!("{name:?} is not a column of an observation table"),
                    &help,
                ));
            }
        }
    }
    for (k, name) in COLUMNS.iter().enumerate() {
        if REQUIRED.contains(name) && at[k] == 0 {
            let col = header.len() + 1;
            errors.push(err(
                header_row,
                col,
                name,
                format!("the header has no {name:?} column"),
                &format!("the header is {}", COLUMNS.join(",")),
            ));
        }
    }
    if !errors.is_empty() {
        return (out, errors);
    }
    for (row, cells) in rows {
        let get = |k: usize| cells.get(at[k] - 1).cloned().unwrap_or(Cell::Empty);
        let note = if at[4] > 0 { get(4) } else { Cell::Empty };
        if [get(0), get(1), get(2), get(3), note.clone()]
            .iter()
            .all(|c| *c == Cell::Empty)
        {
            continue; // blank lines between blocks of rows are harmless
        }
        let mut ok = true;
        let text = |k: usize| -> String {
            match get(k) {
                Cell::Text(t) => t.trim().to_string(),
                Cell::Number(n) if n.fract() == 0.0 => format!("{}", n as i64),
                Cell::Number(n) => n.to_string(),
                Cell::Date(d) => serial_to_date(d).to_string(),
                Cell::Empty => String::new(),
            }
        };
        let target = text(0);
        let source = text(3);
        for (k, v) in [(0, &target), (3, &source)] {
            if v.is_empty() {
                errors.push(err(
                    row,
                    at[k],
                    COLUMNS[k],
                    format!("the {} cell is empty", COLUMNS[k]),
                    if k == 0 {
                        "write the id of the target, as in its programme file"
                    } else {
                        "write the id of a source listed in the target's programme file"
                    },
                ));
                ok = false;
            }
        }
        let as_of = match get(1) {
            Cell::Date(d) => Ok(serial_to_date(d)),
            Cell::Number(n) if n.fract() == 0.0 => PartialDate::parse(&format!("{n}")),
            Cell::Text(t) => PartialDate::parse(&t),
            Cell::Empty => Err("the as_of cell is empty".into()),
            Cell::Number(n) => Err(format!("{n} is not a date")),
        };
        let as_of = match as_of {
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(err(
                    row,
                    at[1],
                    "as_of",
                    e,
                    "write a year (2024), a year and month (2024-06) or a date (2024-06-30)",
                ));
                ok = false;
                None
            }
        };
        let value = match get(2) {
            Cell::Number(n) => Some(n),
            Cell::Text(t) => t.trim().parse::<f64>().ok().filter(|v| v.is_finite()),
            _ => None,
        };
        if value.is_none() {
            let shown = match get(2) {
                Cell::Text(t) => format!("{t:?} is not a number"),
                Cell::Empty => "the value cell is empty".into(),
                _ => "a date is not a value".into(),
            };
            errors.push(err(
                row,
                at[2],
                "value",
                shown,
                "write the number alone, with a dot for decimals and no thousands separators or unit (12000, 37.5)",
            ));
            ok = false;
        }
        let note = match note {
            Cell::Empty => None,
            _ => Some(text(4)).filter(|s| !s.is_empty()),
        };
        if let (true, Some(as_of), Some(value)) = (ok, as_of, value) {
            out.push(TableObservation {
                target,
                observation: Observation {
                    as_of,
                    value,
                    source,
                    note,
                    quote: None,
                    origin: Origin {
                        file: file.into(),
                        path: format!("row {row}"),
                    },
                    row: Some(TableRow {
                        line: row,
                        target: at[0],
                        as_of: at[1],
                        value: at[2],
                        source: at[3],
                    }),
                },
            });
        }
    }
    (out, errors)
}

/// The rows of a CSV file (UTF-8; the caller has removed a byte-order mark). Every cell is text.
pub fn csv_rows(text: &str) -> Result<Rows, (usize, String)> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
            (line, e.to_string())
        })?;
        let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
        let cells = record
            .iter()
            .map(|c| {
                if c.trim().is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(c.to_string())
                }
            })
            .collect();
        rows.push((line, cells));
    }
    Ok(rows)
}

/// The rows of the first worksheet of an `.xlsx` file, numbered as the spreadsheet numbers
/// them. Date cells keep their type, so a date formatted as a date reads as that date.
pub fn xlsx_rows(bytes: Vec<u8>) -> Result<Rows, String> {
    use calamine::{Data, Reader};
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| e.to_string())?;
    let range = book
        .worksheet_range_at(0)
        .ok_or("the workbook has no worksheet")?
        .map_err(|e| e.to_string())?;
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let mut rows = Vec::new();
    for (i, r) in range.rows().enumerate() {
        // Leading empty columns keep their letters: pad them.
        let mut cells = vec![Cell::Empty; first_col as usize];
        for c in r {
            cells.push(match c {
                Data::Empty => Cell::Empty,
                Data::String(s) if s.trim().is_empty() => Cell::Empty,
                Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
                    Cell::Text(s.clone())
                }
                Data::Float(f) => Cell::Number(*f),
                Data::Int(n) => Cell::Number(*n as f64),
                Data::Bool(b) => Cell::Text(b.to_string()),
                Data::DateTime(d) => Cell::Date(d.as_f64()),
                Data::Error(e) => Cell::Text(format!("{e:?}")),
            });
        }
        rows.push((first_row as usize + i + 1, cells));
    }
    Ok(rows)
}

/// An Excel serial day number as a calendar date (the 1900 system, as .xlsx files use).
pub fn serial_to_date(serial: f64) -> PartialDate {
    // Day 0 is 1899-12-30, which absorbs Excel's phantom 1900-02-29 for every later date.
    let days = serial.floor() as i64 - 25569; // days from 1970-01-01
    let (y, m, d) = civil_from_days(days);
    PartialDate {
        year: y,
        month: Some(m),
        day: Some(d),
    }
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
pub fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_serials_are_calendar_dates() {
        assert_eq!(serial_to_date(45657.0).to_string(), "2024-12-31");
        assert_eq!(serial_to_date(45292.0).to_string(), "2024-01-01");
        assert_eq!(serial_to_date(45351.5).to_string(), "2024-02-29");
        assert_eq!(serial_to_date(25569.0).to_string(), "1970-01-01");
    }

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(1), "A");
        assert_eq!(column_letter(3), "C");
        assert_eq!(column_letter(27), "AA");
    }

    #[test]
    fn a_misspelt_header_names_row_and_column() {
        let rows = csv_rows("target,as_at,value,source\nx,2024,1,s\n").unwrap();
        let (_, errs) = read(Path::new("p.csv"), None, rows);
        let heads: Vec<String> = errs.iter().map(|d| d.headline()).collect();
        assert!(
            heads.iter().any(|h| h.contains("row 1, column B (as_at)")),
            "{heads:?}"
        );
        assert!(
            heads.iter().any(|h| h.contains("no \"as_of\" column")),
            "{heads:?}"
        );
    }

    #[test]
    fn a_word_for_a_value_names_its_cell() {
        let rows = csv_rows("target,as_of,value,source\nx,2024,lots,s\n").unwrap();
        let (ok, errs) = read(Path::new("p.csv"), None, rows);
        assert!(ok.is_empty());
        assert!(
            errs[0].headline().contains("row 2, column C (value)"),
            "{}",
            errs[0]
        );
    }
}

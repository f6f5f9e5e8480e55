//! CSV (RFC 4180): written with spreadsheet formula injection defused, and read
//! back record by record with the line each record starts on, so an import can
//! name the line at fault.

/// One cell of an export.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
    /// Nothing.
    Empty,
}

impl Cell {
    /// The cell as CSV/plain text.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Number(n) => format_number(*n),
            Cell::Empty => String::new(),
        }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}
impl From<Option<f64>> for Cell {
    fn from(n: Option<f64>) -> Self {
        n.map_or(Cell::Empty, Cell::Number)
    }
}

/// A number as CSV and XLSX write it: whole numbers without a decimal point.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Neutralises spreadsheet formula injection (CWE-1236): a text cell starting
/// with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with a single
/// quote so spreadsheet software shows it as text instead of evaluating it.
/// Numbers are never touched (a negative number stays a number).
pub fn defuse(cell: &Cell) -> String {
    let t = cell.text();
    match cell {
        Cell::Text(_) if t.starts_with(['=', '+', '-', '@', '\t', '\r']) => format!("'{t}"),
        _ => t,
    }
}

/// RFC 4180 CSV: CRLF line ends, fields quoted when they hold `,`, `"`, CR or LF;
/// text that a spreadsheet would read as a formula is defused (see [`defuse`]).
pub fn csv(rows: &[Vec<Cell>]) -> String {
    csv_with(rows, ',', false)
}

/// The CSV French Excel opens as columns: `;` between fields and a decimal
/// comma in numbers (`4,5`); otherwise as [`csv`].
pub fn csv_french(rows: &[Vec<Cell>]) -> String {
    csv_with(rows, ';', true)
}

fn csv_with(rows: &[Vec<Cell>], separator: char, decimal_comma: bool) -> String {
    let mut out = String::new();
    for row in rows {
        let line: Vec<String> = row
            .iter()
            .map(|c| {
                let t = match c {
                    Cell::Number(_) if decimal_comma => c.text().replace('.', ","),
                    _ => defuse(c),
                };
                if t.contains([separator, '"', '\n', '\r']) {
                    format!("\"{}\"", t.replace('"', "\"\""))
                } else {
                    t
                }
            })
            .collect();
        out.push_str(&line.join(&separator.to_string()));
        out.push_str("\r\n");
    }
    out
}

/// One record read from a CSV text: its fields and the line it starts on (1-based).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The line the record starts on (1 is the first line).
    pub line: usize,
    /// Its fields, unquoted.
    pub fields: Vec<String>,
}

/// Why a CSV text cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct CsvError {
    /// The line at fault (1-based).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Reads an RFC 4180 text separated by `,` (or by `;` when its first line has
/// more `;` than `,`, as French spreadsheets write it): quoted fields may hold
/// separators, doubled quotes and line breaks; CRLF or LF line ends; blank lines
/// are skipped; a byte-order mark is ignored.
pub fn parse(text: &str) -> Result<Vec<Record>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().next().unwrap_or_default();
    let separator = if first.matches(';').count() > first.matches(',').count() {
        ';'
    } else {
        ','
    };
    let mut records = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let (mut line, mut start) = (1, 1);
    let (mut quoted, mut was_quoted) = (false, false);
    let mut chars = text.chars().peekable();
    let mut end_record = |fields: &mut Vec<String>, field: &mut String, start: usize| {
        fields.push(std::mem::take(field));
        let done = std::mem::take(fields);
        if !(done.len() == 1 && done[0].trim().is_empty()) {
            records.push(Record {
                line: start,
                fields: done,
            });
        }
    };
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push('\n');
                }
                c => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() && !was_quoted => {
                quoted = true;
                was_quoted = true;
            }
            '"' => {
                return Err(CsvError {
                    line,
                    message: "a quote inside an unquoted field".into(),
                });
            }
            c if c == separator => {
                fields.push(std::mem::take(&mut field));
                was_quoted = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                end_record(&mut fields, &mut field, start);
                was_quoted = false;
                line += 1;
                start = line;
            }
            c if was_quoted => {
                return Err(CsvError {
                    line,
                    message: format!("{c:?} after a closing quote"),
                });
            }
            c => field.push(c),
        }
    }
    if quoted {
        return Err(CsvError {
            line: start,
            message: "a quoted field is never closed".into(),
        });
    }
    if !field.is_empty() || !fields.is_empty() {
        end_record(&mut fields, &mut field, start);
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_it_must() {
        let rows = vec![
            vec![Cell::from("a"), Cell::from("b,c"), Cell::from("say \"hi\"")],
            vec![Cell::Number(4.5), Cell::Number(3.0), Cell::Empty],
        ];
        assert_eq!(csv(&rows), "a,\"b,c\",\"say \"\"hi\"\"\"\r\n4.5,3,\r\n");
    }

    #[test]
    fn french_csv_uses_semicolons_and_decimal_commas() {
        let rows = vec![vec![
            Cell::from("a;b"),
            Cell::from("1,5"),
            Cell::Number(4.5),
            Cell::Number(3.0),
            Cell::from("-x"),
        ]];
        assert_eq!(csv_french(&rows), "\"a;b\";1,5;4,5;3;'-x\r\n");
    }

    #[test]
    fn csv_defuses_formulas() {
        let rows = vec![vec![
            Cell::from("=HYPERLINK(\"http://x\",\"y\")"),
            Cell::from("+33 1 23"),
            Cell::from("-2+3"),
            Cell::from("@SUM(A1)"),
            Cell::from("\tcmd"),
            Cell::from("a=b"),
            Cell::Number(-4.0),
        ]];
        assert_eq!(
            csv(&rows),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",'+33 1 23,'-2+3,'@SUM(A1),'\tcmd,a=b,-4\r\n"
        );
        assert_eq!(defuse(&Cell::from("plain")), "plain");
        assert_eq!(defuse(&Cell::Empty), "");
    }

    fn fields(text: &str) -> Vec<(usize, Vec<&'static str>)> {
        parse(text)
            .unwrap()
            .into_iter()
            .map(|r| {
                let f = r.fields.into_iter().map(|s| &*s.leak()).collect();
                (r.line, f)
            })
            .collect()
    }

    #[test]
    fn reads_back_what_it_writes() {
        let rows = vec![
            vec![Cell::from("a"), Cell::from("b,c"), Cell::from("say \"hi\"")],
            vec![Cell::from("two\nlines"), Cell::Number(4.5), Cell::Empty],
        ];
        let back = parse(&csv(&rows)).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].fields, ["a", "b,c", "say \"hi\""]);
        assert_eq!(back[1].fields, ["two\nlines", "4.5", ""]);
        assert_eq!((back[0].line, back[1].line), (1, 2));
    }

    #[test]
    fn numbers_lines_across_quoted_breaks_and_blank_lines() {
        assert_eq!(
            fields("h1,h2\n\n\"x\ny\",1\r\nz,2"),
            vec![
                (1, vec!["h1", "h2"]),
                (3, vec!["x\ny", "1"]),
                (5, vec!["z", "2"])
            ]
        );
    }

    #[test]
    fn reads_french_semicolons() {
        assert_eq!(
            fields("a;b\n1,5;2"),
            vec![(1, vec!["a", "b"]), (2, vec!["1,5", "2"])]
        );
    }

    #[test]
    fn names_the_line_of_broken_quoting() {
        assert_eq!(parse("a,b\nx\"y,2").unwrap_err().line, 2);
        assert_eq!(parse("a,b\n\"open,2\n3,4").unwrap_err().line, 2);
        assert_eq!(parse("a\n\"q\"x,1").unwrap_err().line, 2);
    }
}

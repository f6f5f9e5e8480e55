//! A CSV of measurements, read whole before anything is written: the columns
//! of the export (`indicator,date,value,comment,source`), the indicator named
//! by its id or its name, the date a day, the value a number (a decimal comma
//! is read as a point). Every line at fault is named; one bad line refuses all.

use std::collections::HashMap;

use qmi_api::experiments::{Day, MEASUREMENT_COLUMNS, MeasurementInput};
use qmi_kit::FieldError;

/// One line to write: the indicator's id and the measurement.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// The indicator's id.
    pub indicator: String,
    /// The measurement.
    pub measurement: MeasurementInput,
}

/// Reads `text` against the experiment's indicators (`(id, name)` pairs):
/// every line, or the errors, each naming its line (`line 3`) and what is wrong;
/// at most `max_lines` lines.
pub fn read(
    text: &str,
    indicators: &[(String, String)],
    max_lines: usize,
) -> Result<Vec<Line>, Vec<FieldError>> {
    let records = qmi_kit::csv::parse(text)
        .map_err(|e| vec![FieldError::new(format!("line {}", e.line), e.message)])?;
    let Some((header, rows)) = records.split_first() else {
        return Err(vec![FieldError::new(
            "line 1",
            format!(
                "the file is empty: its first line names the columns {}",
                MEASUREMENT_COLUMNS.join(",")
            ),
        )]);
    };
    let names: Vec<String> = header
        .fields
        .iter()
        .map(|f| f.trim().to_lowercase())
        .collect();
    if names != MEASUREMENT_COLUMNS {
        return Err(vec![FieldError::new(
            "line 1",
            format!("the columns must be {}", MEASUREMENT_COLUMNS.join(",")),
        )]);
    }
    if rows.len() > max_lines {
        return Err(vec![FieldError::new(
            format!("line {}", rows[max_lines].line),
            format!("one import takes {max_lines} lines at most"),
        )]);
    }
    let by_id: HashMap<&str, &str> = indicators
        .iter()
        .map(|(i, _)| (i.as_str(), i.as_str()))
        .collect();
    let by_name: HashMap<String, &str> = indicators
        .iter()
        .map(|(i, n)| (n.trim().to_lowercase(), i.as_str()))
        .collect();
    let mut lines = Vec::with_capacity(rows.len());
    let mut errors = Vec::new();
    let mut seen: HashMap<(String, i64), usize> = HashMap::new();
    for r in rows {
        let at = format!("line {}", r.line);
        let f = &r.fields;
        if f.len() != MEASUREMENT_COLUMNS.len() {
            errors.push(FieldError::new(
                at,
                format!(
                    "{} fields where {} are expected",
                    f.len(),
                    MEASUREMENT_COLUMNS.len()
                ),
            ));
            continue;
        }
        let key = f[0].trim();
        let indicator = by_id
            .get(key)
            .copied()
            .or_else(|| by_name.get(&key.to_lowercase()).copied());
        let Some(indicator) = indicator else {
            errors.push(FieldError::new(
                at,
                format!("no indicator {key:?} in this experiment"),
            ));
            continue;
        };
        let on: Day = match f[1].trim().parse() {
            Ok(d) => d,
            Err(e) => {
                errors.push(FieldError::new(at, format!("date: {e}")));
                continue;
            }
        };
        let value = match f[2].trim().replace(',', ".").parse::<f64>() {
            Ok(v) if v.is_finite() => v,
            _ => {
                errors.push(FieldError::new(
                    at,
                    format!("value: {:?} is not a number", f[2]),
                ));
                continue;
            }
        };
        if let Some(first) = seen.insert((indicator.to_owned(), on.days()), r.line) {
            errors.push(FieldError::new(
                at,
                format!("{key} is already measured on {on} at line {first}"),
            ));
            continue;
        }
        lines.push(Line {
            indicator: indicator.to_owned(),
            measurement: MeasurementInput {
                on,
                value,
                comment: f[3].trim().to_owned(),
                source: f[4].trim().to_owned(),
            },
        });
    }
    if errors.is_empty() {
        Ok(lines)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test")]

    use super::*;

    fn indicators() -> Vec<(String, String)> {
        vec![
            ("i1".into(), "Fréquentation".into()),
            ("i2".into(), "CO2".into()),
        ]
    }

    #[test]
    fn reads_every_line_by_name_or_id() {
        let text = "indicator,date,value,comment,source\r\nfréquentation,2026-01-31,\"1 200,5\",janvier,comptage\ni2,2026-01-31,3,,\n";
        let text = text.replace("1 200,5", "1200,5");
        let lines = read(&text, &indicators(), 10).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].indicator, "i1");
        assert_eq!(lines[0].measurement.value, 1200.5);
        assert_eq!(lines[0].measurement.source, "comptage");
        assert_eq!(lines[1].indicator, "i2");
    }

    #[test]
    fn one_bad_line_refuses_all_and_is_named() {
        let text = "indicator,date,value,comment,source\nCO2,2026-01-31,3,,\nCO2,2026-02-30,4,,\nCO2,2026-03-31,x,,\nNOx,2026-03-31,1,,\n";
        let errors = read(text, &indicators(), 10).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["line 3", "line 4", "line 5"]);
        assert!(errors[0].message.contains("date"), "{errors:?}");
    }

    #[test]
    fn refuses_other_columns_duplicates_and_too_many_lines() {
        assert_eq!(
            read("a,b\n1,2", &indicators(), 10).unwrap_err()[0].field,
            "line 1"
        );
        assert_eq!(read("", &indicators(), 10).unwrap_err()[0].field, "line 1");
        let dup = "indicator,date,value,comment,source\nCO2,2026-01-31,3,,\ni2,2026-01-31,4,,\n";
        assert_eq!(read(dup, &indicators(), 10).unwrap_err()[0].field, "line 3");
        let many = "indicator,date,value,comment,source\nCO2,2026-01-01,1,,\nCO2,2026-01-02,1,,\n";
        assert_eq!(read(many, &indicators(), 1).unwrap_err()[0].field, "line 3");
    }
}

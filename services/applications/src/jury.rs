//! The jury's work as whoever runs a call reads it: a declared conflict's
//! reason (required), the applications an automatic assignment could not give
//! as many reviews as asked, and every reviewer's per-criterion scores and
//! comments as columns of the exports.

use std::collections::BTreeMap;

use qmi_api::applications::{Criterion, Score};

use crate::export::Cell;
use crate::scoring;

/// Longest reason for a declared conflict of interest, in characters.
pub const MAX_REASON: usize = 2000;

/// The reason of a declared conflict, trimmed; the message for the `reason`
/// field when it is blank or too long.
pub fn conflict_reason(text: &str) -> Result<String, &'static str> {
    let reason = text.trim();
    if reason.is_empty() {
        return Err("say why you declare a conflict of interest");
    }
    if reason.chars().count() > MAX_REASON {
        return Err("at most 2000 characters");
    }
    Ok(reason.to_owned())
}

/// The applications of `applications` that have fewer than `n` active
/// (not recused) reviewers among `assignments` (application, reviewer,
/// conflict), with how many they have.
pub fn shortfall(
    applications: &[String],
    assignments: &[(String, String, bool)],
    n: usize,
) -> Vec<(String, usize)> {
    applications
        .iter()
        .filter_map(|app| {
            let have = assignments
                .iter()
                .filter(|(a, _, conflict)| a == app && !conflict)
                .count();
            (have < n).then(|| (app.clone(), have))
        })
        .collect()
}

/// The `QMI-Shortfall` header's value: how many applications got fewer than
/// `n` reviews, and the ids with their count (`2 of 3 applications have fewer
/// than 2 reviews: a1=1, a2=0`). ASCII only.
pub fn shortfall_header(short: &[(String, usize)], of: usize, n: usize) -> String {
    let list: Vec<String> = short.iter().map(|(a, k)| format!("{a}={k}")).collect();
    format!(
        "{} of {of} applications have fewer than {n} reviews (the reviewers who may review them are too few): {}",
        short.len(),
        list.join(", ")
    )
}

/// One reviewer's review of one application, as the exports show it.
#[derive(Clone, Debug, PartialEq)]
pub struct Sheet {
    /// The reviewer's name (or account id when identity names nobody).
    pub reviewer: String,
    /// Their scores and comments, one per criterion scored.
    pub scores: Vec<Score>,
}

/// The header of the reviews' columns: for each of `slots` reviewers, their
/// name, then per criterion the score and the comment, then their weighted total.
pub fn header(criteria: &[Criterion], slots: usize) -> Vec<Cell> {
    let mut out = Vec::new();
    for k in 1..=slots {
        out.push(Cell::Text(format!("reviewer_{k}")));
        for c in criteria {
            out.push(Cell::Text(format!("reviewer_{k}_{}_score", c.id)));
            out.push(Cell::Text(format!("reviewer_{k}_{}_comment", c.id)));
        }
        out.push(Cell::Text(format!("reviewer_{k}_total")));
    }
    out
}

/// The cells of one application's reviews under [`header`]: `slots` reviewers
/// (empty cells past its own reviews), their scores, comments and totals.
pub fn cells(criteria: &[Criterion], sheets: &[Sheet], slots: usize) -> Vec<Cell> {
    let mut out = Vec::new();
    for k in 0..slots {
        let Some(sheet) = sheets.get(k) else {
            out.extend(std::iter::repeat_n(Cell::Empty, 2 + 2 * criteria.len()));
            continue;
        };
        out.push(Cell::Text(sheet.reviewer.clone()));
        let by: BTreeMap<&str, &Score> = sheet
            .scores
            .iter()
            .map(|s| (s.criterion.as_str(), s))
            .collect();
        for c in criteria {
            match by.get(c.id.as_str()) {
                Some(s) => {
                    out.push(Cell::Number(f64::from(s.score)));
                    out.push(Cell::Text(s.comment.clone()));
                }
                None => out.extend([Cell::Empty, Cell::Empty]),
            }
        }
        let map = sheet
            .scores
            .iter()
            .map(|s| (s.criterion.clone(), s.score))
            .collect();
        out.push(Cell::from(scoring::reviewer_total(criteria, &map)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: &str, weight: f64) -> Criterion {
        Criterion {
            id: id.into(),
            name: id.into(),
            description: String::new(),
            weight,
        }
    }

    fn s(criterion: &str, score: u8, comment: &str) -> Score {
        Score {
            criterion: criterion.into(),
            score,
            comment: comment.into(),
        }
    }

    #[test]
    fn a_conflict_needs_a_reason() {
        assert!(conflict_reason("  ").is_err());
        assert!(conflict_reason(&"x".repeat(MAX_REASON + 1)).is_err());
        assert_eq!(
            conflict_reason(" ancien associé ").as_deref(),
            Ok("ancien associé")
        );
    }

    #[test]
    fn shortfall_counts_active_reviewers() {
        let apps = ["a1".to_owned(), "a2".to_owned()];
        let given = [
            ("a1".to_owned(), "r1".to_owned(), false),
            ("a1".to_owned(), "r2".to_owned(), false),
            ("a2".to_owned(), "r1".to_owned(), false),
            ("a2".to_owned(), "r2".to_owned(), true),
        ];
        assert_eq!(shortfall(&apps, &given, 2), vec![("a2".to_owned(), 1)]);
        assert!(shortfall(&apps, &given, 1).is_empty());
        let h = shortfall_header(&shortfall(&apps, &given, 2), 2, 2);
        assert!(h.starts_with("1 of 2 applications"), "{h}");
        assert!(h.ends_with("a2=1"), "{h}");
        assert!(h.is_ascii());
    }

    #[test]
    fn review_columns_line_up() {
        let criteria = [c("impact", 3.0), c("cost", 1.0)];
        let head = header(&criteria, 2);
        assert_eq!(head.len(), 2 * (2 + 2 * 2));
        assert_eq!(head[1], Cell::from("reviewer_1_impact_score"));
        let sheets = [Sheet {
            reviewer: "Ada".into(),
            scores: vec![s("impact", 5, "Fort"), s("cost", 1, "")],
        }];
        let row = cells(&criteria, &sheets, 2);
        assert_eq!(row.len(), head.len());
        assert_eq!(row[0], Cell::from("Ada"));
        assert_eq!(row[1], Cell::Number(5.0));
        assert_eq!(row[2], Cell::from("Fort"));
        assert_eq!(row[5], Cell::Number(4.0));
        assert!(row[6..].iter().all(|c| *c == Cell::Empty));
    }
}

//! Weighted scores: each reviewer's total is Σ weight × score / Σ weight over the
//! call's criteria (0–5); an application's score is the mean of its complete
//! reviews, and its spread the largest minus the smallest total.

use std::collections::HashMap;

use qmi_api::applications::Criterion;

/// A reviewer's weighted total, if they scored every criterion.
pub fn reviewer_total(criteria: &[Criterion], scores: &HashMap<String, u8>) -> Option<f64> {
    if criteria.is_empty() {
        return None;
    }
    let mut sum = 0.0;
    let mut weights = 0.0;
    for c in criteria {
        sum += c.weight * f64::from(*scores.get(&c.id)?);
        weights += c.weight;
    }
    Some(round(sum / weights))
}

/// Mean and spread of reviewers' totals (`None` without any).
pub fn aggregate(totals: &[f64]) -> Option<(f64, f64)> {
    if totals.is_empty() {
        return None;
    }
    let mean = totals.iter().sum::<f64>() / totals.len() as f64;
    let max = totals.iter().copied().fold(f64::MIN, f64::max);
    let min = totals.iter().copied().fold(f64::MAX, f64::min);
    Some((round(mean), round(max - min)))
}

/// Rounds to 4 decimals (stable output).
pub fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
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

    #[test]
    fn weighted_totals() {
        let criteria = [c("impact", 3.0), c("feasibility", 1.0)];
        let s: HashMap<String, u8> = [("impact".into(), 5), ("feasibility".into(), 1)].into();
        assert_eq!(reviewer_total(&criteria, &s), Some(4.0));
        let partial: HashMap<String, u8> = [("impact".into(), 5)].into();
        assert_eq!(reviewer_total(&criteria, &partial), None);
        assert_eq!(aggregate(&[4.0, 2.5]), Some((3.25, 1.5)));
        assert_eq!(aggregate(&[]), None);
    }
}

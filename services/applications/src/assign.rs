//! Automatic reviewer assignment: each application gets `n` reviewers who have
//! no conflict with it and may review it, choosing the least-loaded reviewer
//! first (ties in the order given), so the load stays balanced.

use std::collections::{HashMap, HashSet};

/// An existing assignment: (application, reviewer, conflict declared).
pub type Existing<'a> = (&'a str, &'a str, bool);

/// The new (application, reviewer) pairs that bring every application to `n`
/// active reviewers (fewer when the pool is too small). `may_review(app,
/// reviewer)` says whether a reviewer may be given an application at all (a
/// reviewer of its district, without a conflict of interest).
pub fn auto_assign(
    applications: &[String],
    reviewers: &[String],
    existing: &[Existing<'_>],
    n: usize,
    may_review: impl Fn(&str, &str) -> bool,
) -> Vec<(String, String)> {
    let mut load: HashMap<&str, usize> = reviewers.iter().map(|r| (r.as_str(), 0)).collect();
    let mut taken: HashSet<(&str, &str)> = HashSet::new();
    let mut active: HashMap<&str, usize> = HashMap::new();
    for (app, reviewer, conflict) in existing {
        taken.insert((app, reviewer));
        if !conflict {
            *active.entry(app).or_default() += 1;
            if let Some(l) = load.get_mut(reviewer) {
                *l += 1;
            }
        }
    }
    let mut out = Vec::new();
    for app in applications {
        let mut have = active.get(app.as_str()).copied().unwrap_or(0);
        while have < n {
            let pick = reviewers
                .iter()
                .filter(|r| !taken.contains(&(app.as_str(), r.as_str())) && may_review(app, r))
                .min_by_key(|r| load.get(r.as_str()).copied().unwrap_or(0));
            let Some(r) = pick else { break };
            taken.insert((app.as_str(), r.as_str()));
            *load.entry(r.as_str()).or_default() += 1;
            out.push((app.clone(), r.clone()));
            have += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balanced_and_skips_conflicts() {
        let apps: Vec<String> = (0..9).map(|i| format!("a{i}")).collect();
        let pool: Vec<String> = ["r1", "r2", "r3"].map(String::from).to_vec();
        let pairs = auto_assign(&apps, &pool, &[], 2, |_, _| true);
        assert_eq!(pairs.len(), 18);
        for r in &pool {
            assert_eq!(pairs.iter().filter(|(_, x)| x == r).count(), 6);
        }
        // A recused reviewer is replaced by another, never reassigned.
        let existing = [("a0", "r1", true), ("a0", "r2", false)];
        let more = auto_assign(&apps[..1], &pool, &existing, 2, |_, _| true);
        assert_eq!(more, vec![("a0".to_owned(), "r3".to_owned())]);
        // A pool too small stops short.
        assert_eq!(
            auto_assign(&apps[..1], &pool[..1], &[], 2, |_, _| true).len(),
            1
        );
    }

    #[test]
    fn never_gives_a_reviewer_what_they_may_not_review() {
        let apps: Vec<String> = (0..4).map(|i| format!("a{i}")).collect();
        let pool: Vec<String> = ["r1", "r2", "r3"].map(String::from).to_vec();
        // r1 may review nothing (a competitor), r3 only the even applications.
        let may = |a: &str, r: &str| r == "r2" || (r == "r3" && a.ends_with(['0', '2']));
        let pairs = auto_assign(&apps, &pool, &[], 2, may);
        assert!(pairs.iter().all(|(a, r)| may(a, r)), "{pairs:?}");
        assert_eq!(pairs.len(), 6, "{pairs:?}");
    }
}

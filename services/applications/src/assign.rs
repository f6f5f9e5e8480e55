//! Automatic reviewer assignment: each application gets `n` reviewers who have
//! no conflict with it, choosing the least-loaded reviewer first (ties in the
//! order given), so the load stays balanced.

use std::collections::{HashMap, HashSet};

/// An existing assignment: (application, reviewer, conflict declared).
pub type Existing<'a> = (&'a str, &'a str, bool);

/// The new (application, reviewer) pairs that bring every application to `n`
/// active reviewers (fewer when the pool is too small).
pub fn auto_assign(applications: &[String], reviewers: &[String], existing: &[Existing<'_>], n: usize) -> Vec<(String, String)> {
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
                .filter(|r| !taken.contains(&(app.as_str(), r.as_str())))
                .min_by_key(|r| load[r.as_str()]);
            let Some(r) = pick else { break };
            taken.insert((app.as_str(), r.as_str()));
            *load.get_mut(r.as_str()).expect("reviewer in pool") += 1;
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
        let pairs = auto_assign(&apps, &pool, &[], 2);
        assert_eq!(pairs.len(), 18);
        for r in &pool {
            assert_eq!(pairs.iter().filter(|(_, x)| x == r).count(), 6);
        }
        // A recused reviewer is replaced by another, never reassigned.
        let existing = [("a0", "r1", true), ("a0", "r2", false)];
        let more = auto_assign(&apps[..1], &pool, &existing, 2);
        assert_eq!(more, vec![("a0".to_owned(), "r3".to_owned())]);
        // A pool too small stops short.
        assert_eq!(auto_assign(&apps[..1], &pool[..1], &[], 2).len(), 1);
    }
}

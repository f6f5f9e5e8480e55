//! Requests per commune: one atomic counter per syntactically valid INSEE
//! code, held in a flat array indexed by the code itself (départements 01–99,
//! 2A, 2B, then three digits: 102,000 slots, 816 KB, allocated only with
//! metrics on). Counting is an index computation and one relaxed increment,
//! never a lock nor an allocation, and the label set is bounded by
//! construction: anything else a header might carry is not counted.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Départements 00–99 (00 never valid), then 2A and 2B.
const DEPARTEMENTS: usize = 102;

/// One counter per code.
pub struct TenantCounters {
    slots: Box<[AtomicU64]>,
}

impl Default for TenantCounters {
    fn default() -> Self {
        Self {
            slots: (0..DEPARTEMENTS * 1000)
                .map(|_| AtomicU64::new(0))
                .collect(),
        }
    }
}

impl TenantCounters {
    /// Counts a request forwarded for the commune `code`, if it is a valid
    /// INSEE code (the gateway's rule: five characters, two digits other than
    /// `00` or `2A`/`2B`, then three digits); anything else is ignored.
    pub fn count(&self, code: &[u8]) {
        if let Some(slot) = index(code).and_then(|i| self.slots.get(i)) {
            slot.fetch_add(1, Relaxed);
        }
    }

    /// The communes counted at least once, with their counts (départements
    /// 01–99, then 2A and 2B).
    pub fn counted(&self) -> Vec<(String, u64)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, slot)| match slot.load(Relaxed) {
                0 => None,
                n => Some((code(i), n)),
            })
            .collect()
    }
}

/// The slot of a valid INSEE code.
fn index(code: &[u8]) -> Option<usize> {
    let [a, b, c, d, e] = *code else {
        return None;
    };
    let departement = match (a, b) {
        (b'0', b'0') => return None,
        (b'0'..=b'9', b'0'..=b'9') => usize::from(a - b'0') * 10 + usize::from(b - b'0'),
        (b'2', b'A') => 100,
        (b'2', b'B') => 101,
        _ => return None,
    };
    let mut commune = 0;
    for digit in [c, d, e] {
        if !digit.is_ascii_digit() {
            return None;
        }
        commune = commune * 10 + usize::from(digit - b'0');
    }
    Some(departement * 1000 + commune)
}

/// The code of a slot.
fn code(index: usize) -> String {
    let (departement, commune) = (index / 1000, index % 1000);
    match departement {
        100 => format!("2A{commune:03}"),
        101 => format!("2B{commune:03}"),
        d => format!("{d:02}{commune:03}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_codes_are_those_the_gateway_accepts() {
        let candidates = [
            "93048", "75056", "2A004", "2B033", "01001", "97411", "00001", "2C004", "2a004",
            "9304", "930480", "93O48", "A2004", "", "93 48",
        ];
        for candidate in candidates {
            let gateway = candidate.parse::<qmi_api::Insee>().is_ok();
            assert_eq!(
                index(candidate.as_bytes()).is_some(),
                gateway,
                "{candidate}"
            );
            if let Some(i) = index(candidate.as_bytes()) {
                assert_eq!(code(i), candidate);
            }
        }
    }

    #[test]
    fn counts_only_valid_codes() {
        let counters = TenantCounters::default();
        for code in ["93048", "93048", "2B033", "x", "93048 ", "00000"] {
            counters.count(code.as_bytes());
        }
        assert_eq!(
            counters.counted(),
            vec![("93048".to_owned(), 2), ("2B033".to_owned(), 1)]
        );
    }
}

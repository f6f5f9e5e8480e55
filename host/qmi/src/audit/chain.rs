//! Recomputing one audit chain: its entries in `seq` order, each checked
//! against its own content (its hash), against the entry before it (its
//! `prev_hash`, its `seq`) and, for the first one, against the genesis hash.
//! Pure: the readers ([`super::sqlite`], [`super::postgres`]) bring the rows.

use std::collections::BTreeMap;
use std::fmt;

use qmi_api::accountability::{AuditEntry, GENESIS_HASH, entry_hash_input};
use sha2::{Digest as _, Sha256};

/// The two tables every audited service keeps its chains in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Table {
    /// `audit`: one chain per commune.
    Audit,
    /// `platform_audit`: the platform's chain (`insee` = '').
    PlatformAudit,
}

impl Table {
    /// Both, in the order they are reported.
    pub const ALL: [Table; 2] = [Table::Audit, Table::PlatformAudit];

    /// The table's name, in every service's database.
    pub fn name(self) -> &'static str {
        match self {
            Table::Audit => "audit",
            Table::PlatformAudit => "platform_audit",
        }
    }
}

/// Why an entry breaks its chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Why {
    /// The stored hash is not the hash of the entry's fields: the entry was
    /// changed after it was written.
    Hash,
    /// The entry's `prev_hash` is not the hash the entry before it holds.
    PrevHash {
        /// The previous entry's seq.
        previous: i64,
    },
    /// Entries are missing before this one (`seq` does not follow on).
    Gap {
        /// The seq that should have come here.
        expected: i64,
    },
    /// Another entry holds the same seq.
    Duplicate,
    /// A seq that cannot follow the previous one (below it, or below 1).
    OutOfOrder {
        /// The seq that should have come here.
        expected: i64,
    },
    /// The chain's first entry (seq 1) does not start from the genesis hash.
    Genesis,
}

impl fmt::Display for Why {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Why::Hash => f.write_str("hash does not match the entry's content"),
            Why::PrevHash { previous } => write!(
                f,
                "prev_hash does not match the previous entry (seq {previous})"
            ),
            Why::Gap { expected } => write!(f, "seq gap: seq {expected} expected"),
            Why::Duplicate => f.write_str("seq duplicate: another entry holds this seq"),
            Why::OutOfOrder { expected } => {
                write!(f, "seq out of order: seq {expected} expected")
            }
            Why::Genesis => f.write_str("first entry not chained to genesis"),
        }
    }
}

/// One break: the entry (by seq) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Break {
    /// The entry's seq.
    pub seq: i64,
    /// Why it breaks the chain.
    pub why: Why,
}

/// One chain, recomputed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chain {
    /// The service whose database holds it.
    pub service: String,
    /// Its table.
    pub table: Table,
    /// The commune's INSEE code ('' for the platform's chain).
    pub insee: String,
    /// How many entries it holds.
    pub entries: usize,
    /// Its breaks, in seq order; none: intact.
    pub breaks: Vec<Break>,
}

impl Chain {
    /// Whether nothing breaks it.
    pub fn intact(&self) -> bool {
        self.breaks.is_empty()
    }

    /// The commune as printed: its INSEE code, or `platform`.
    pub fn commune(&self) -> &str {
        if self.insee.is_empty() {
            "platform"
        } else {
            &self.insee
        }
    }
}

/// The SHA-256 (lowercase hex) of an entry, as the kit computes it when it
/// appends the entry (`qmi_kit::audit::hash`).
pub fn hash(entry: &AuditEntry) -> String {
    hex::encode(Sha256::digest(entry_hash_input(entry)))
}

/// Splits a table's rows into their chains (by `insee`) and checks each.
pub fn verify_table(service: &str, table: Table, rows: Vec<AuditEntry>) -> Vec<Chain> {
    let mut chains: BTreeMap<String, Vec<AuditEntry>> = BTreeMap::new();
    for row in rows {
        chains.entry(row.insee.clone()).or_default().push(row);
    }
    chains
        .into_iter()
        .map(|(insee, entries)| verify(service, table, insee, entries))
        .collect()
}

/// Checks one chain's entries (in any order: they are sorted by seq).
pub fn verify(service: &str, table: Table, insee: String, mut entries: Vec<AuditEntry>) -> Chain {
    entries.sort_by_key(|e| e.seq);
    let mut breaks = Vec::new();
    let mut previous: Option<&AuditEntry> = None;
    for entry in &entries {
        let expected = previous.map_or(1, |p| p.seq + 1);
        let mut linked = true;
        if entry.seq != expected {
            linked = false;
            let why = match previous {
                Some(p) if p.seq == entry.seq => Why::Duplicate,
                _ if entry.seq > expected => Why::Gap { expected },
                _ => Why::OutOfOrder { expected },
            };
            breaks.push(Break {
                seq: entry.seq,
                why,
            });
        }
        // Where entries are missing, the link to the one before cannot be checked.
        if linked {
            match previous {
                None if entry.prev_hash != GENESIS_HASH => breaks.push(Break {
                    seq: entry.seq,
                    why: Why::Genesis,
                }),
                Some(p) if entry.prev_hash != p.hash => breaks.push(Break {
                    seq: entry.seq,
                    why: Why::PrevHash { previous: p.seq },
                }),
                _ => {}
            }
        }
        if hash(entry) != entry.hash {
            breaks.push(Break {
                seq: entry.seq,
                why: Why::Hash,
            });
        }
        previous = Some(entry);
    }
    Chain {
        service: service.to_owned(),
        table,
        insee,
        entries: entries.len(),
        breaks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chain of `n` entries of commune 31555, hashed as the kit hashes them.
    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut out: Vec<AuditEntry> = Vec::new();
        for seq in 1..=n {
            let mut e = AuditEntry {
                service: "applications".into(),
                insee: "31555".into(),
                seq,
                at: format!("2025-01-0{seq}T10:00:00Z"),
                account_id: "acc-1".into(),
                role: "admin".into(),
                action: "call-create".into(),
                record_kind: "calls".into(),
                record_id: format!("call-{seq}"),
                request_id: format!("req-{seq}"),
                prev_hash: out
                    .last()
                    .map_or(GENESIS_HASH.to_owned(), |p| p.hash.clone()),
                hash: String::new(),
            };
            e.hash = hash(&e);
            out.push(e);
        }
        out
    }

    fn breaks(entries: Vec<AuditEntry>) -> Vec<(i64, Why)> {
        verify("applications", Table::Audit, "31555".into(), entries)
            .breaks
            .into_iter()
            .map(|b| (b.seq, b.why))
            .collect()
    }

    #[test]
    fn an_untouched_chain_is_intact() {
        let report = verify("applications", Table::Audit, "31555".into(), chain(4));
        assert!(report.intact(), "{report:?}");
        assert_eq!(report.entries, 4);
        assert!(breaks(Vec::new()).is_empty());
    }

    #[test]
    fn the_hash_is_the_kits() {
        // The same input, hashed by hand: `<len>:<bytes>` for each field.
        let e = &chain(1)[0];
        let input = format!(
            "64:{GENESIS_HASH}5:315551:120:2025-01-01T10:00:00Z5:acc-15:admin11:call-create5:calls6:call-15:req-1"
        );
        assert_eq!(e.hash, hex::encode(Sha256::digest(input.as_bytes())));
    }

    #[test]
    fn a_changed_field_breaks_its_entry_only() {
        let mut entries = chain(3);
        entries[1].account_id = "someone-else".into();
        assert_eq!(breaks(entries), vec![(2, Why::Hash)]);
    }

    #[test]
    fn a_rehashed_entry_breaks_the_next_link() {
        let mut entries = chain(3);
        entries[1].account_id = "someone-else".into();
        entries[1].hash = hash(&entries[1]);
        assert_eq!(breaks(entries), vec![(3, Why::PrevHash { previous: 2 })]);
    }

    #[test]
    fn missing_and_repeated_entries_are_named() {
        let mut entries = chain(4);
        entries.remove(1);
        assert_eq!(breaks(entries), vec![(3, Why::Gap { expected: 2 })]);

        let mut entries = chain(3);
        entries.remove(0);
        assert_eq!(breaks(entries), vec![(2, Why::Gap { expected: 1 })]);

        let mut entries = chain(2);
        entries.push(entries[1].clone());
        assert_eq!(breaks(entries), vec![(2, Why::Duplicate)]);

        let mut entries = chain(1);
        entries[0].seq = 0;
        entries[0].hash = hash(&entries[0]);
        assert_eq!(breaks(entries), vec![(0, Why::OutOfOrder { expected: 1 })]);
    }

    #[test]
    fn the_first_entry_starts_from_genesis() {
        let mut entries = chain(2);
        entries[0].prev_hash = "f".repeat(64);
        entries[0].hash = hash(&entries[0]);
        entries[1].prev_hash = entries[0].hash.clone();
        entries[1].hash = hash(&entries[1]);
        assert_eq!(breaks(entries), vec![(1, Why::Genesis)]);
    }

    #[test]
    fn tables_split_into_chains_by_commune() {
        let mut rows = chain(2);
        let mut other = chain(1);
        other[0].insee = "06088".into();
        other[0].hash = hash(&other[0]);
        rows.extend(other);
        let chains = verify_table("applications", Table::Audit, rows);
        let shape: Vec<(&str, usize, bool)> = chains
            .iter()
            .map(|c| (c.commune(), c.entries, c.intact()))
            .collect();
        assert_eq!(shape, vec![("06088", 1, true), ("31555", 2, true)]);
    }
}

//! What `qmi audit verify` prints: one line per chain (`identity  31555  12
//! entries  intact`), each break on its own line under its chain, a summary;
//! and the error it ends with when anything breaks.

use anyhow::{Result, bail};

use super::chain::Chain;

/// The lines for `services`' chains (each service with its chains, in order).
pub fn lines(services: &[(String, Vec<Chain>)]) -> Vec<String> {
    let width = services.iter().map(|(s, _)| s.len()).max().unwrap_or(0);
    let mut out = Vec::new();
    for (service, chains) in services {
        if chains.is_empty() {
            out.push(format!("{service:<width$}  {:<8}  no entries", "-"));
            continue;
        }
        for chain in chains {
            let entries = match chain.entries {
                1 => "1 entry".to_owned(),
                n => format!("{n} entries"),
            };
            let status = match chain.breaks.len() {
                0 => "intact".to_owned(),
                1 => "BROKEN (1 break)".to_owned(),
                n => format!("BROKEN ({n} breaks)"),
            };
            out.push(format!(
                "{service:<width$}  {:<8}  {entries:>12}  {status}",
                chain.commune()
            ));
            for line in breaks(chain) {
                out.push(format!("    {line}"));
            }
        }
    }
    let chains: Vec<&Chain> = services.iter().flat_map(|(_, c)| c).collect();
    let entries: usize = chains.iter().map(|c| c.entries).sum();
    let broken = chains.iter().filter(|c| !c.intact()).count();
    out.push(format!(
        "{} service(s), {} chain(s), {entries} entries: {}",
        services.len(),
        chains.len(),
        match broken {
            0 => "every chain intact".to_owned(),
            n => format!("{n} chain(s) broken"),
        }
    ));
    out
}

/// Each break of `chain`, named: service, table, commune, seq and why.
pub fn breaks(chain: &Chain) -> Vec<String> {
    chain
        .breaks
        .iter()
        .map(|b| {
            format!(
                "break: {} {}, commune {}, seq {}: {}",
                chain.service,
                chain.table.name(),
                chain.commune(),
                b.seq,
                b.why
            )
        })
        .collect()
}

/// Fails, listing every break, when any chain is broken.
pub fn outcome(services: &[(String, Vec<Chain>)]) -> Result<()> {
    let all: Vec<String> = services
        .iter()
        .flat_map(|(_, chains)| chains)
        .flat_map(breaks)
        .collect();
    if all.is_empty() {
        return Ok(());
    }
    bail!(
        "the audit trail is broken ({} break(s)):\n  {}",
        all.len(),
        all.join("\n  ")
    )
}

#[cfg(test)]
mod tests {
    use super::super::chain::{Break, Table, Why};
    use super::*;

    fn chain(insee: &str, entries: usize, breaks: Vec<Break>) -> Chain {
        Chain {
            service: "applications".into(),
            table: if insee.is_empty() {
                Table::PlatformAudit
            } else {
                Table::Audit
            },
            insee: insee.into(),
            entries,
            breaks,
        }
    }

    #[test]
    fn intact_chains_print_one_line_each_and_pass() {
        let services = vec![
            (
                "applications".to_owned(),
                vec![chain("31555", 12, vec![]), chain("", 1, vec![])],
            ),
            ("districts".to_owned(), vec![]),
        ];
        let lines = lines(&services);
        assert_eq!(lines[0], "applications  31555       12 entries  intact");
        assert_eq!(lines[1], "applications  platform       1 entry  intact");
        assert_eq!(lines[2], "districts     -         no entries");
        assert!(lines[3].ends_with("every chain intact"), "{lines:?}");
        assert!(outcome(&services).is_ok());
    }

    #[test]
    fn a_break_is_named_and_fails() {
        let services = vec![(
            "applications".to_owned(),
            vec![chain(
                "31555",
                3,
                vec![Break {
                    seq: 2,
                    why: Why::Hash,
                }],
            )],
        )];
        let lines = lines(&services);
        assert!(lines[0].ends_with("BROKEN (1 break)"), "{lines:?}");
        assert_eq!(
            lines[1],
            "    break: applications audit, commune 31555, seq 2: hash does not match the entry's content"
        );
        let error = outcome(&services).expect_err("a break fails").to_string();
        assert!(
            error.contains("applications audit, commune 31555, seq 2"),
            "{error}"
        );
    }
}

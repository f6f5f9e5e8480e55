//! The audit trail (issue 18, docs/design/accountability.md): every change to a
//! commune's content leaves one entry in that commune's chain, written by the store
//! in the change's own transaction (`crate::store::Db`), never by handlers. An entry
//! names who (an account id and their role), what (the policy action and the
//! record), when (the request's clock) and from which request; it carries the hash
//! of the previous entry of its chain, so that a row changed behind the API breaks
//! the chain (`qmi audit verify`).
//!
//! Each service keeps its chains in its own database: the tenant table `audit`
//! (one chain per commune) and the platform table `platform_audit` (one chain:
//! sign-ins, operator actions on no commune). Both are append-only: triggers refuse
//! UPDATE and DELETE, and on PostgreSQL the service's role has neither privilege.
//!
//! Here: what an entry is made of, its hash, the role a principal acts in, and
//! the reading filters; the store writes and reads them.

use qmi_api::accountability::{AuditEntry, GENESIS_HASH, entry_hash_input};
use qmi_api::{Insee, MembershipRole, PlatformRole, Principal};
use sha2::{Digest, Sha256};

use crate::sql::TenantTable;

/// The tenant table of the communes' chains, in every service's schema.
pub const AUDIT: TenantTable = TenantTable::new("audit");
/// The platform table of the platform's chain, in every service's schema.
pub const PLATFORM_AUDIT: &str = "platform_audit";

/// The columns of both tables, in this order.
pub const COLUMNS: [&str; 11] = [
    "insee",
    "seq",
    "at",
    "account_id",
    "role",
    "action",
    "record_kind",
    "record_id",
    "request_id",
    "prev_hash",
    "hash",
];

/// Who acts, as an entry names them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Actor {
    /// The account id (empty: anonymous, or the platform itself).
    pub account_id: String,
    /// The principal, to say their role in each commune.
    pub principal: Option<Principal>,
    /// Whether the platform acts (an internal route or a scheduled job, no person).
    pub platform: bool,
}

impl Actor {
    /// The role the actor acts in for commune `insee` (none: the platform's chain).
    pub fn role(&self, insee: Option<&Insee>) -> &'static str {
        let Some(p) = &self.principal else {
            return if self.platform {
                "platform"
            } else if self.account_id.is_empty() {
                "anonymous"
            } else {
                "account"
            };
        };
        if let Some(role) = insee.and_then(|i| p.role_in(i)) {
            return match role {
                MembershipRole::Admin => "admin",
                MembershipRole::Agent => "agent",
                MembershipRole::Reviewer => "reviewer",
            };
        }
        if p.ops.contains(&PlatformRole::Programme) {
            "programme"
        } else if p.ops.contains(&PlatformRole::Hosting) {
            "hosting"
        } else if p.org.is_some() {
            "organisation"
        } else {
            "account"
        }
    }
}

/// A change waiting for its entry: the first write of an action in a commune
/// names the record (later writes of the same action and commune belong to it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    /// The commune (none: the platform's chain).
    pub insee: Option<Insee>,
    /// The action.
    pub action: String,
    /// The record's kind (its table).
    pub record_kind: String,
    /// The record's id.
    pub record_id: String,
    /// Who, when it is not the request's actor (a refusal the gateway left).
    pub by: Option<String>,
    /// When, when it is not now (a refusal the gateway left).
    pub at: Option<String>,
    /// The request, when it is not this one.
    pub request_id: Option<String>,
}

/// The SHA-256 (hex) of an entry, over [`entry_hash_input`].
pub fn hash(entry: &AuditEntry) -> String {
    let digest = Sha256::digest(entry_hash_input(entry));
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// The next entry of a chain whose head is `head` (`(seq, hash)`; none: empty).
pub fn next_entry(
    service: &str,
    head: Option<(i64, String)>,
    mark: &Mark,
    actor: &Actor,
    at: String,
    request_id: &str,
) -> AuditEntry {
    let (seq, prev_hash) = match head {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS_HASH.to_owned()),
    };
    let (account_id, role) = match &mark.by {
        Some(by) => (by.clone(), "account"),
        None => (actor.account_id.clone(), actor.role(mark.insee.as_ref())),
    };
    let mut entry = AuditEntry {
        service: service.to_owned(),
        insee: mark
            .insee
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        seq,
        at: mark.at.clone().unwrap_or(at),
        account_id,
        role: role.to_owned(),
        action: mark.action.clone(),
        record_kind: mark.record_kind.clone(),
        record_id: mark.record_id.clone(),
        request_id: mark
            .request_id
            .clone()
            .unwrap_or_else(|| request_id.to_owned()),
        prev_hash,
        hash: String::new(),
    };
    entry.hash = hash(&entry);
    entry
}

/// A PostgreSQL advisory lock key for a chain (the service's label and the
/// commune): two transactions appending to one chain take turns.
pub fn lock_key(label: &str, insee: &str) -> i64 {
    let digest = Sha256::digest(format!("audit:{label}:{insee}").as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}

/// How a reader narrows a chain (the internal route's query).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only this account's entries.
    pub account: Option<String>,
    /// Only this record's (its id).
    pub record: Option<String>,
    /// Only this action's.
    pub action: Option<String>,
    /// From this day (`YYYY-MM-DD`, inclusive).
    pub from: Option<String>,
    /// To this day (`YYYY-MM-DD`, inclusive).
    pub to: Option<String>,
    /// Only entries before this position (`seq`), for the next page.
    pub before: Option<i64>,
    /// At most this many.
    pub limit: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark() -> Mark {
        Mark {
            insee: Some("93048".parse().expect("an INSEE code")),
            action: "call-create".into(),
            record_kind: "calls".into(),
            record_id: "c1".into(),
            by: None,
            at: None,
            request_id: None,
        }
    }

    #[test]
    fn entries_chain_by_hash() {
        let actor = Actor {
            account_id: "a1".into(),
            ..Actor::default()
        };
        let first = next_entry("applications", None, &mark(), &actor, "t".into(), "r1");
        assert_eq!(first.seq, 1);
        assert_eq!(first.prev_hash, GENESIS_HASH);
        assert_eq!(first.hash, hash(&first));
        let second = next_entry(
            "applications",
            Some((first.seq, first.hash.clone())),
            &mark(),
            &actor,
            "t".into(),
            "r2",
        );
        assert_eq!(second.seq, 2);
        assert_eq!(second.prev_hash, first.hash);
        let mut forged = second.clone();
        forged.account_id = "a2".into();
        assert_ne!(hash(&forged), second.hash, "any field changes the hash");
    }

    #[test]
    fn roles_follow_the_commune() {
        let insee: Insee = "93048".parse().expect("an INSEE code");
        let mut p = Principal {
            sub: "a1".into(),
            name: "A".into(),
            lang: "fr".into(),
            ops: Vec::new(),
            org: None,
            mem: Default::default(),
        };
        p.mem.insert(insee.clone(), MembershipRole::Admin);
        let actor = Actor {
            account_id: "a1".into(),
            principal: Some(p),
            platform: false,
        };
        assert_eq!(actor.role(Some(&insee)), "admin");
        assert_eq!(actor.role(None), "account");
        assert_eq!(Actor::default().role(None), "anonymous");
    }
}

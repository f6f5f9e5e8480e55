//! The policy's refusals as problem+json: the one mapping every service uses
//! (through [`crate::policy::decide`]) from a refusal code and its reason to the
//! [`Problem`] the client gets.
//!
//! | code | status | `type` slug | title |
//! |---|---|---|---|
//! | `unauthenticated` | 401 (`WWW-Authenticate: Bearer`) | `unauthenticated` | Authentication required |
//! | `not-published` | 404 | `not-found` (a hidden record answers as a missing one) | Not found |
//! | `incomplete-facts` | 500 (the asking service's bug: logged, not sent) | `internal` | Internal error |
//! | `tenant-suspended` | 403 | `tenant-suspended` | Commune suspended |
//! | `conflict-of-interest` | 403 | `conflict-of-interest` | Recused |
//! | any other code | 403 | the code (`not-member`, `insufficient-role`…) | Forbidden |
//!
//! The `detail` is the policy's reason (English; the web app translates it).

pub use qmi_api::authz::RefusalCode;

use crate::problem::Problem;

/// The policy's refusal: a code and a human reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// What went wrong, for programs.
    pub code: RefusalCode,
    /// What went wrong, for people.
    pub reason: String,
}

impl Refusal {
    /// A refusal.
    pub fn new(code: RefusalCode, reason: impl Into<String>) -> Self {
        Self {
            code,
            reason: reason.into(),
        }
    }

    /// The problem+json sent for this refusal (see the module's table).
    pub fn problem(&self) -> Problem {
        problem(self.code, &self.reason)
    }
}

impl From<Refusal> for Problem {
    fn from(r: Refusal) -> Self {
        r.problem()
    }
}

/// The problem+json sent for a refusal with `code` and `reason` (see the module's table).
pub fn problem(code: RefusalCode, reason: &str) -> Problem {
    match code {
        RefusalCode::IncompleteFacts => {
            Problem::internal(format!("policy refused {}: {reason}", code.wit_name()))
        }
        RefusalCode::Unauthenticated => {
            let mut p =
                Problem::new(401, code.wit_name(), "Authentication required").detail(reason);
            p.www_authenticate = Some("Bearer".to_owned());
            p
        }
        RefusalCode::NotPublished => Problem::not_found(reason),
        RefusalCode::TenantSuspended => {
            Problem::new(403, code.wit_name(), "Commune suspended").detail(reason)
        }
        RefusalCode::ConflictOfInterest => {
            Problem::new(403, code.wit_name(), "Recused").detail(reason)
        }
        RefusalCode::HostingOperator
        | RefusalCode::NotMember
        | RefusalCode::InsufficientRole
        | RefusalCode::NotOrganisationMember
        | RefusalCode::AlreadyInOrganisation
        | RefusalCode::NotAssigned
        | RefusalCode::EmailUnconfirmed => {
            Problem::new(403, code.wit_name(), "Forbidden").detail(reason)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::PROBLEM_BASE;

    fn slug(p: &Problem) -> &str {
        p.type_uri.strip_prefix(PROBLEM_BASE).unwrap_or("")
    }

    #[test]
    fn every_code_has_the_status_its_vocabulary_gives() {
        for code in RefusalCode::ALL {
            let p = problem(code, "because");
            assert_eq!(p.status, code.status(), "{code:?}");
            assert!(!p.title.is_empty(), "{code:?}");
        }
    }

    #[test]
    fn refusals_name_their_code_and_reason() {
        for code in RefusalCode::ALL {
            let p = problem(code, "because");
            match code {
                RefusalCode::IncompleteFacts => {
                    // The asking service's bug: a plain 500, the reason not sent.
                    assert_eq!((p.status, slug(&p)), (500, "internal"));
                    assert_ne!(p.detail.as_deref(), Some("because"));
                }
                RefusalCode::NotPublished => {
                    // A hidden record answers as a missing one.
                    assert_eq!(
                        (p.status, slug(&p), p.title.as_str()),
                        (404, "not-found", "Not found")
                    );
                    assert_eq!(p.detail.as_deref(), Some("because"));
                }
                _ => {
                    assert_eq!(slug(&p), code.wit_name(), "{code:?}");
                    assert_eq!(p.detail.as_deref(), Some("because"), "{code:?}");
                }
            }
        }
    }

    #[test]
    fn titles_and_challenges() {
        let p = problem(RefusalCode::Unauthenticated, "sign in");
        assert_eq!(
            (p.status, p.title.as_str()),
            (401, "Authentication required")
        );
        assert_eq!(p.www_authenticate.as_deref(), Some("Bearer"));
        let p = problem(RefusalCode::TenantSuspended, "suspended");
        assert_eq!((p.status, p.title.as_str()), (403, "Commune suspended"));
        assert_eq!(p.www_authenticate, None);
        assert_eq!(
            problem(RefusalCode::ConflictOfInterest, "x").title,
            "Recused"
        );
        for code in [
            RefusalCode::HostingOperator,
            RefusalCode::NotMember,
            RefusalCode::InsufficientRole,
            RefusalCode::NotOrganisationMember,
            RefusalCode::AlreadyInOrganisation,
            RefusalCode::NotAssigned,
            RefusalCode::EmailUnconfirmed,
        ] {
            let p = Problem::from(Refusal::new(code, "x"));
            assert_eq!((p.status, p.title.as_str()), (403, "Forbidden"), "{code:?}");
        }
    }
}

//! The proof that the policy allowed an action: [`Allowed`]. Only
//! [`crate::policy`] makes one (when `decide` answers allowed), so holding an
//! `Allowed` means the decision was taken; the store asks for it before it hands
//! out a handle on tenant tables (`Db::tenant`, `Db::across`).

use qmi_api::Insee;

/// The policy allowed an action, for one commune (`tenant`) or for none
/// (public listings, "my applications", open data).
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct Allowed {
    tenant: Option<Insee>,
    /// What was allowed: the policy action's name, or the standing decision's
    /// record; the audit entry of a change made under it names it.
    action: &'static str,
}

impl Allowed {
    /// Made by the policy client only, from an allowed decision.
    #[allow(dead_code, reason = "made by crate::policy on wasm32 only")]
    pub(crate) fn new(tenant: Option<Insee>, action: &'static str) -> Self {
        Self { tenant, action }
    }

    /// A decision for tests (native unit tests and test helpers); never call it on a
    /// request path.
    #[doc(hidden)]
    pub fn for_tests(tenant: Option<Insee>) -> Self {
        Self {
            tenant,
            action: "test",
        }
    }

    /// A decision taken earlier and stored with the record it allowed, acted on
    /// now without a principal to ask about: a commune invitation (sent after the
    /// inviter's `member-manage` decision) accepted through its link; a draft
    /// (saved under its organisation's decision) reminded by the platform's
    /// sweep. `record` names it for the reader; grep `Allowed::standing` to audit
    /// every use.
    pub fn standing(tenant: Insee, record: &'static str) -> Self {
        Self {
            tenant: Some(tenant),
            action: record,
        }
    }

    /// What was allowed (the action's name, or a standing decision's record).
    pub fn action(&self) -> &'static str {
        self.action
    }

    /// The commune the decision was taken for, if any.
    pub fn tenant(&self) -> Option<&Insee> {
        self.tenant.as_ref()
    }
}

//! The authorization rules, in plain Rust (no WIT types): who may do what to which
//! record. [`decide`] is a pure function of the principal, the action and the facts
//! the calling service states about the record; [`gate::admit`] is the gateway's
//! coarser question about a route, answered from [`decide`].
//!
//! Principles, in the order they apply:
//! 1. Public reads: the registry, and published campaigns, calls, tenant content and
//!    open data, are readable by anyone, anonymous included.
//! 2. Everything else needs a principal (`unauthenticated`).
//! 3. A principal holding the hosting role never touches tenant content
//!    (`hosting-operator`), whatever other roles they hold: separation of duties.
//!    Likewise a suspended commune's content is frozen (`tenant-suspended`) for
//!    everyone but programme operators; what it published stays public.
//! 4. A rule that needs a fact the caller did not give refuses (`incomplete-facts`):
//!    nothing is guessed.
//! 5. A declared conflict of interest recuses the principal from an application's
//!    content, reviews and decisions (not from its title), unless it is their own
//!    organisation's application.
//! 6. Then each action's own rule; see [`decide`].

/// A role held across the whole platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PlatformRole {
    /// Programme operator.
    Programme,
    /// Hosting operator.
    Hosting,
}

/// A role held in one commune.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CommuneRole {
    /// Commune admin.
    Admin,
    /// Commune agent.
    Agent,
    /// Reviewer.
    Reviewer,
}

/// A role in one commune.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Membership {
    /// The commune's INSEE code.
    pub insee: String,
    /// The role held there.
    pub role: CommuneRole,
}

/// An authenticated account.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Principal {
    /// Account id.
    pub sub: String,
    /// Platform roles.
    pub platform_roles: Vec<PlatformRole>,
    /// The organisation the account is a partner member of.
    pub organisation: Option<String>,
    /// Commune memberships.
    pub memberships: Vec<Membership>,
}

impl Principal {
    /// Whether the principal holds a platform role.
    pub fn has(&self, role: PlatformRole) -> bool {
        self.platform_roles.contains(&role)
    }

    /// The principal's role in commune `insee`, if any.
    pub fn role_in(&self, insee: &str) -> Option<CommuneRole> {
        self.memberships
            .iter()
            .find(|m| m.insee == insee)
            .map(|m| m.role)
    }

    /// Whether the principal is a partner member of organisation `org`.
    pub fn belongs_to(&self, org: &str) -> bool {
        self.organisation.as_deref() == Some(org)
    }
}

/// What the calling service knows about the record an action touches.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// The commune (INSEE code) the record belongs to.
    pub tenant: Option<String>,
    /// The organisation owning the record (e.g. the applicant).
    pub organisation: Option<String>,
    /// Whether the principal is an assigned reviewer of this application.
    pub assigned_reviewer: bool,
    /// Whether the principal declared a conflict of interest on this application.
    pub conflict_declared: bool,
    /// Whether the record belongs to a programme call.
    pub programme_call: bool,
    /// Whether the record is published.
    pub published: bool,
    /// Whether the record's commune is suspended.
    pub tenant_suspended: bool,
    /// Whether the asking account has not confirmed its e-mail address yet.
    pub account_unconfirmed: bool,
}

/// Defines [`Action`] from one list of variants and WIT names: the enum,
/// [`Action::ALL`] in WIT order and [`Action::name`] cannot disagree.
macro_rules! actions {
    ($($variant:ident => $name:literal,)*) => {
        /// Everything a principal may ask to do; mirrors the WIT enum `authz.action`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[allow(missing_docs)] // Each variant is documented in wit/platform.wit.
        pub enum Action {
            $($variant,)*
        }

        impl Action {
            /// Every action, in WIT order.
            pub const ALL: [Action; [$($name),*].len()] = [$(Action::$variant),*];

            /// The WIT name, e.g. `"call-read"`.
            pub fn name(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)*
                }
            }
        }
    };
}

actions! {
    RegistryRead => "registry-read",
    TenantCreate => "tenant-create",
    TenantSuspend => "tenant-suspend",
    TenantResume => "tenant-resume",
    TenantContentRead => "tenant-content-read",
    MemberList => "member-list",
    MemberManage => "member-manage",
    OrganisationCreate => "organisation-create",
    OrganisationRead => "organisation-read",
    OrganisationUpdate => "organisation-update",
    CampaignRead => "campaign-read",
    CampaignOpen => "campaign-open",
    CampaignReview => "campaign-review",
    CampaignSelect => "campaign-select",
    CandidacyDraft => "candidacy-draft",
    CandidacySubmit => "candidacy-submit",
    CandidacyRead => "candidacy-read",
    CallCreate => "call-create",
    CallUpdate => "call-update",
    CallPublish => "call-publish",
    CallRead => "call-read",
    ApplicationDraft => "application-draft",
    ApplicationSubmit => "application-submit",
    ApplicationWithdraw => "application-withdraw",
    ApplicationRead => "application-read",
    ApplicationReadTitle => "application-read-title",
    ReviewAssign => "review-assign",
    ReviewScore => "review-score",
    ReviewDeclareConflict => "review-declare-conflict",
    ReviewRead => "review-read",
    DecisionDecide => "decision-decide",
    DecisionPublish => "decision-publish",
    DecisionRead => "decision-read",
    ExportApplications => "export-applications",
    ExportOpenData => "export-open-data",
    DistrictUpdate => "district-update",
    NotificationRead => "notification-read",
    TeamManage => "team-manage",
    OrganisationJoin => "organisation-join",
    JobsRun => "jobs-run",
    ReviewFollow => "review-follow",
    ExperimentCreate => "experiment-create",
    ExperimentRead => "experiment-read",
    ExperimentManage => "experiment-manage",
    ExperimentReport => "experiment-report",
    FeedbackGive => "feedback-give",
    FeedbackModerate => "feedback-moderate",
    ExperimentEvaluate => "experiment-evaluate",
    ExperimentFigures => "experiment-figures",
    PartnerRead => "partner-read",
    PartnerContacts => "partner-contacts",
    PartnerCurate => "partner-curate",
    NoteRead => "note-read",
    NoteWrite => "note-write",
    AuditRead => "audit-read",
    UsageRead => "usage-read",
    PersonalDataExport => "personal-data-export",
    AccountErase => "account-erase",
}

impl Action {
    /// The action named `name` (its WIT name).
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }

    /// Whether the action touches a commune's content (as opposed to the registry,
    /// tenant lifecycle, organisations, campaigns and open data).
    pub fn is_tenant_content(self) -> bool {
        use Action::*;
        !matches!(
            self,
            RegistryRead
                | TenantCreate
                | TenantSuspend
                | TenantResume
                | OrganisationCreate
                | OrganisationRead
                | OrganisationUpdate
                | NotificationRead
                | OrganisationJoin
                | TeamManage
                | JobsRun
                | CampaignRead
                | CampaignOpen
                | CampaignReview
                | CampaignSelect
                | ExportOpenData
                | PartnerRead
                | PartnerContacts
                | PartnerCurate
                | UsageRead
                | PersonalDataExport
                | AccountErase
        )
    }

    /// Whether the action only reads.
    pub fn is_read(self) -> bool {
        use Action::*;
        matches!(
            self,
            RegistryRead
                | TenantContentRead
                | MemberList
                | OrganisationRead
                | CampaignRead
                | CandidacyRead
                | CallRead
                | ApplicationRead
                | ApplicationReadTitle
                | ReviewRead
                | ReviewFollow
                | DecisionRead
                | ExportApplications
                | ExportOpenData
                | ExperimentRead
                | ExperimentFigures
                | PartnerRead
                | PartnerContacts
                | NoteRead
                | AuditRead
                | UsageRead
                | PersonalDataExport
        )
    }

    /// Whether anyone may do this to a record with these facts (public reads).
    fn is_public(self, facts: &Facts) -> bool {
        use Action::*;
        match self {
            RegistryRead => true,
            TenantContentRead | CampaignRead | CallRead | ExportOpenData | ExperimentRead
            | PartnerRead => facts.published,
            // The one public write: a resident's feedback, while the commune is not
            // frozen by a suspension.
            FeedbackGive => facts.published && !facts.tenant_suspended,
            _ => false,
        }
    }
}

/// Why an action was refused (the shared vocabulary of `qmi-api`, the WIT enum
/// `authz.refusal-code`).
pub use qmi_api::authz::RefusalCode;

mod check;
pub mod gate;

/// A refusal: a machine code and a human reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// What went wrong, for programs.
    pub code: RefusalCode,
    /// What went wrong, for people.
    pub reason: String,
}

/// The answer to a question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// The action may proceed.
    Allowed,
    /// The action must not proceed.
    Refused(Refusal),
}

impl Decision {
    /// Whether the action may proceed.
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allowed)
    }

    /// The refusal code, if refused.
    pub fn code(&self) -> Option<RefusalCode> {
        match self {
            Decision::Allowed => None,
            Decision::Refused(r) => Some(r.code),
        }
    }
}

/// Shorthand for a refusal.
fn refuse(code: RefusalCode, reason: impl Into<String>) -> Refusal {
    Refusal {
        code,
        reason: reason.into(),
    }
}

/// Decides whether `principal` (`None` = anonymous) may perform `action` on the record
/// described by `facts`.
///
/// Per action (after the principles in the module documentation):
/// - `registry-read`: anyone. `tenant-create|suspend|resume`: programme or hosting operators.
/// - `tenant-content-read`: published → anyone; else programme operators and any member
///   of the tenant.
/// - `member-list`: programme operators, the tenant's admins and agents (commune staff;
///   reviewers, possibly from outside the commune, do not get its staff directory).
///   `member-manage`, `district-update`: programme operators, the tenant's admins.
/// - `organisation-create`: programme operators, accounts without an organisation.
///   `organisation-read|update`: programme operators, the organisation's members.
///   `organisation-join` (asking to join the organisation of the facts): accounts
///   without an organisation. An account that has not confirmed its e-mail address
///   (`account_unconfirmed`) may neither create nor join one (`email-unconfirmed`).
/// - `team-manage`: programme operators.
/// - `review-follow` (a call's review progress, read only): whoever runs the call,
///   and for a commune's call its agents too.
/// - `jobs-run` (a scheduled job run now; it answers counts only): programme or
///   hosting operators.
/// - `notification-read`: any signed-in principal (their own notices and preferences);
///   a notice carrying a commune's content (`tenant` given): not a hosting operator,
///   and only programme operators while the commune is suspended.
/// - `campaign-read`: published → anyone; else programme operators.
///   `campaign-open|review|select`: programme operators.
/// - `candidacy-draft|submit`: the tenant's admins only. `candidacy-read`: programme
///   operators, the tenant's admins and agents.
/// - Running a call (`call-create|update|publish`, `review-assign`,
///   `decision-decide|publish`, `export-applications`): programme calls → programme
///   operators; commune calls → programme operators and the tenant's admins.
/// - `call-read`: published → anyone; else programme operators, and for a commune call
///   the tenant's admins and agents.
/// - `application-draft|submit|withdraw`: members of the applicant organisation.
/// - `application-read`: the applicant organisation, programme operators, the tenant's
///   admins and agents, assigned reviewers; `application-read-title` likewise, recused
///   reviewers included.
/// - `review-score`: assigned reviewers. `review-declare-conflict`: assigned reviewers.
///   `review-read`: whoever runs the call, assigned reviewers.
/// - `decision-read`: programme operators, the tenant's admins and agents, and the
///   applicant organisation once published.
/// - `export-open-data`: published → anyone.
/// - Experiments (the facts name the commune and, when the caller's organisation
///   is in the consortium, that organisation): `experiment-read`: published →
///   anyone; else programme operators, the tenant's admins and agents, the
///   consortium's members. `experiment-create|manage`: programme operators, the
///   tenant's admins. `experiment-report`: the consortium's members, the tenant's
///   admins. `feedback-give`: published → anyone. `feedback-moderate`: the tenant's
///   admins and agents. `experiment-evaluate`: the programme's column
///   (`programme_call`) → programme operators; the commune's → its admins.
///   `experiment-figures`: a commune's → programme operators, its admins and
///   agents; the programme's (no tenant) → programme operators.
pub fn decide(principal: Option<&Principal>, action: Action, facts: &Facts) -> Decision {
    match check::check(principal, action, facts) {
        Ok(()) => Decision::Allowed,
        Err(refusal) => Decision::Refused(refusal),
    }
}

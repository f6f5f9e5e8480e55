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
        )
    }

    /// Whether anyone may do this to a record with these facts (public reads).
    fn is_public(self, facts: &Facts) -> bool {
        use Action::*;
        match self {
            RegistryRead => true,
            TenantContentRead | CampaignRead | CallRead | ExportOpenData => facts.published,
            _ => false,
        }
    }
}

/// Why an action was refused (the shared vocabulary of `qmi-api`, the WIT enum
/// `authz.refusal-code`).
pub use qmi_api::authz::RefusalCode;

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
pub fn decide(principal: Option<&Principal>, action: Action, facts: &Facts) -> Decision {
    match check(principal, action, facts) {
        Ok(()) => Decision::Allowed,
        Err(refusal) => Decision::Refused(refusal),
    }
}

/// [`decide`] as a `Result`.
fn check(principal: Option<&Principal>, action: Action, facts: &Facts) -> Result<(), Refusal> {
    use Action::*;
    use RefusalCode as C;

    if action.is_public(facts) {
        return Ok(());
    }
    if action == ExportOpenData {
        return Err(refuse(
            C::NotPublished,
            "only published records are open data",
        ));
    }
    let Some(p) = principal else {
        return Err(refuse(
            C::Unauthenticated,
            format!("{} needs a signed-in account", action.name()),
        ));
    };
    if action.is_tenant_content() && p.has(PlatformRole::Hosting) {
        return Err(refuse(
            C::HostingOperator,
            "hosting operators manage tenants but never see tenant content",
        ));
    }
    let programme = p.has(PlatformRole::Programme);
    if action.is_tenant_content() && facts.tenant_suspended && !programme {
        return Err(refuse(
            C::TenantSuspended,
            match facts.tenant.as_deref() {
                Some(t) => format!("commune {t} is suspended"),
                None => "the record's commune is suspended".to_owned(),
            },
        ));
    }

    match action {
        RegistryRead | ExportOpenData => Ok(()),
        TenantCreate | TenantSuspend | TenantResume => {
            if programme || p.has(PlatformRole::Hosting) {
                Ok(())
            } else {
                Err(refuse(C::InsufficientRole, "only operators manage tenants"))
            }
        }
        TenantContentRead => {
            let t = tenant(facts)?;
            if programme || p.role_in(t).is_some() {
                Ok(())
            } else {
                Err(no_standing(p, t))
            }
        }
        MemberList => {
            let t = tenant(facts)?;
            if programme || is_staff(p, t) {
                Ok(())
            } else {
                Err(lacks_role(
                    p,
                    t,
                    "only the commune's admins and agents and programme operators list its members",
                ))
            }
        }
        DistrictUpdate => {
            let t = tenant(facts)?;
            if programme || is_admin(p, t) {
                Ok(())
            } else {
                Err(lacks_role(
                    p,
                    t,
                    "only the commune's admins and programme operators complete its district",
                ))
            }
        }
        MemberManage => {
            let t = tenant(facts)?;
            if programme || is_admin(p, t) {
                Ok(())
            } else {
                Err(lacks_role(
                    p,
                    t,
                    "only the commune's admins and programme operators manage its members",
                ))
            }
        }
        OrganisationCreate => {
            if facts.account_unconfirmed && !programme {
                return Err(unconfirmed());
            }
            if programme || p.organisation.is_none() {
                Ok(())
            } else {
                Err(refuse(
                    C::AlreadyInOrganisation,
                    "an account belongs to at most one organisation",
                ))
            }
        }
        OrganisationJoin => {
            organisation(facts)?;
            if facts.account_unconfirmed {
                Err(unconfirmed())
            } else if p.organisation.is_none() {
                Ok(())
            } else {
                Err(refuse(
                    C::AlreadyInOrganisation,
                    "an account belongs to at most one organisation",
                ))
            }
        }
        JobsRun => {
            if programme || p.has(PlatformRole::Hosting) {
                Ok(())
            } else {
                Err(refuse(
                    C::InsufficientRole,
                    "only platform operators run scheduled jobs",
                ))
            }
        }
        TeamManage => {
            if programme {
                Ok(())
            } else {
                Err(refuse(
                    C::InsufficientRole,
                    "only programme operators manage the programme team",
                ))
            }
        }
        // Notices belong to the account that asks: services select them by the
        // principal's account, so another person's notice is simply not found. A
        // notice carrying a commune's content (the facts name it) is that content:
        // never a hosting operator's, frozen while the commune is suspended.
        NotificationRead => match facts.tenant.as_deref() {
            None => Ok(()),
            Some(_) if p.has(PlatformRole::Hosting) => Err(refuse(
                C::HostingOperator,
                "hosting operators manage tenants but never see tenant content",
            )),
            Some(t) if facts.tenant_suspended && !programme => Err(refuse(
                C::TenantSuspended,
                format!("commune {t} is suspended"),
            )),
            Some(_) => Ok(()),
        },
        OrganisationRead | OrganisationUpdate => {
            let o = organisation(facts)?;
            if programme || p.belongs_to(o) {
                Ok(())
            } else {
                Err(refuse(
                    C::NotOrganisationMember,
                    "only the organisation's members and programme operators",
                ))
            }
        }
        CampaignRead | CampaignOpen | CampaignReview | CampaignSelect => {
            if programme {
                Ok(())
            } else {
                Err(refuse(
                    C::InsufficientRole,
                    "only programme operators run calls for communes",
                ))
            }
        }
        CandidacyDraft | CandidacySubmit => {
            let t = tenant(facts)?;
            if is_admin(p, t) {
                Ok(())
            } else {
                Err(lacks_role(
                    p,
                    t,
                    "only the commune's admins prepare its candidacy",
                ))
            }
        }
        CandidacyRead => {
            let t = tenant(facts)?;
            if programme || is_staff(p, t) {
                Ok(())
            } else {
                Err(lacks_role(
                    p,
                    t,
                    "only the commune's admins and agents and programme operators",
                ))
            }
        }
        CallCreate | CallUpdate | CallPublish | ExportApplications => runs_call(p, facts),
        // Read only: the call's runners, and the commune's agents who follow it.
        ReviewFollow => {
            if !facts.programme_call && staff_of_tenant(p, facts) {
                Ok(())
            } else {
                runs_call(p, facts)
            }
        }
        ReviewAssign | DecisionDecide | DecisionPublish => {
            not_recused(facts)?;
            runs_call(p, facts)
        }
        CallRead => {
            if facts.programme_call {
                return if programme {
                    Ok(())
                } else {
                    Err(refuse(
                        C::InsufficientRole,
                        "an unpublished programme call is for programme operators",
                    ))
                };
            }
            let t = tenant(facts)?;
            if programme || is_staff(p, t) {
                Ok(())
            } else {
                Err(lacks_role(
                    p,
                    t,
                    "an unpublished call is for the commune's admins and agents",
                ))
            }
        }
        ApplicationDraft | ApplicationSubmit | ApplicationWithdraw => {
            let o = organisation(facts)?;
            if p.belongs_to(o) {
                Ok(())
            } else {
                Err(refuse(
                    C::NotOrganisationMember,
                    "only the applicant organisation's members act on its application",
                ))
            }
        }
        ApplicationRead | ApplicationReadTitle => {
            let o = organisation(facts)?;
            if p.belongs_to(o) {
                return Ok(());
            }
            if action == ApplicationRead {
                not_recused(facts)?;
            }
            if programme || staff_of_tenant(p, facts) || facts.assigned_reviewer {
                Ok(())
            } else {
                Err(application_outsider(p, facts))
            }
        }
        ReviewScore => {
            not_recused(facts)?;
            assigned(facts)
        }
        ReviewDeclareConflict => assigned(facts),
        ReviewRead => {
            not_recused(facts)?;
            match runs_call(p, facts) {
                Ok(()) => Ok(()),
                Err(_) if facts.assigned_reviewer => Ok(()),
                Err(refusal) => Err(refusal),
            }
        }
        DecisionRead => {
            let o = organisation(facts)?;
            if p.belongs_to(o) {
                return if facts.published {
                    Ok(())
                } else {
                    Err(refuse(
                        C::NotPublished,
                        "the decision is not published to the applicant yet",
                    ))
                };
            }
            not_recused(facts)?;
            if programme || staff_of_tenant(p, facts) {
                Ok(())
            } else {
                Err(application_outsider(p, facts))
            }
        }
    }
}

/// The refusal for an account whose e-mail address is not confirmed yet.
fn unconfirmed() -> Refusal {
    refuse(
        RefusalCode::EmailUnconfirmed,
        "confirm your e-mail address first (follow the link sent when you signed up)",
    )
}

/// The record's tenant, or `incomplete-facts`.
fn tenant(facts: &Facts) -> Result<&str, Refusal> {
    facts.tenant.as_deref().ok_or_else(|| {
        refuse(
            RefusalCode::IncompleteFacts,
            "this rule needs the record's commune",
        )
    })
}

/// The record's organisation, or `incomplete-facts`.
fn organisation(facts: &Facts) -> Result<&str, Refusal> {
    facts.organisation.as_deref().ok_or_else(|| {
        refuse(
            RefusalCode::IncompleteFacts,
            "this rule needs the record's organisation",
        )
    })
}

/// Whether `p` is an admin of commune `t`.
fn is_admin(p: &Principal, t: &str) -> bool {
    p.role_in(t) == Some(CommuneRole::Admin)
}

/// Whether `p` is an admin or agent of commune `t`.
fn is_staff(p: &Principal, t: &str) -> bool {
    matches!(p.role_in(t), Some(CommuneRole::Admin | CommuneRole::Agent))
}

/// Whether `p` is an admin or agent of the record's commune (false when it has none).
fn staff_of_tenant(p: &Principal, facts: &Facts) -> bool {
    facts.tenant.as_deref().is_some_and(|t| is_staff(p, t))
}

/// Refuses a principal recused by a declared conflict of interest.
fn not_recused(facts: &Facts) -> Result<(), Refusal> {
    if facts.conflict_declared {
        Err(refuse(
            RefusalCode::ConflictOfInterest,
            "recused by a declared conflict of interest: only the title remains visible",
        ))
    } else {
        Ok(())
    }
}

/// Allows assigned reviewers only.
fn assigned(facts: &Facts) -> Result<(), Refusal> {
    if facts.assigned_reviewer {
        Ok(())
    } else {
        Err(refuse(
            RefusalCode::NotAssigned,
            "only reviewers assigned to this application",
        ))
    }
}

/// Whether `p` runs the call the record belongs to: programme operators always;
/// for a commune's own call, also that commune's admins.
fn runs_call(p: &Principal, facts: &Facts) -> Result<(), Refusal> {
    let programme = p.has(PlatformRole::Programme);
    if facts.programme_call {
        return if programme {
            Ok(())
        } else {
            Err(refuse(
                RefusalCode::InsufficientRole,
                "programme calls are run by programme operators",
            ))
        };
    }
    let t = tenant(facts)?;
    if programme || is_admin(p, t) {
        Ok(())
    } else {
        Err(lacks_role(
            p,
            t,
            "a commune's call is run by its admins and programme operators",
        ))
    }
}

/// The refusal for a principal without the needed role in commune `t`.
fn lacks_role(p: &Principal, t: &str, reason: &str) -> Refusal {
    if p.role_in(t).is_some() || p.has(PlatformRole::Programme) {
        refuse(RefusalCode::InsufficientRole, reason)
    } else {
        no_standing(p, t)
    }
}

/// The refusal for a principal with no membership in commune `t`.
fn no_standing(_p: &Principal, t: &str) -> Refusal {
    refuse(
        RefusalCode::NotMember,
        format!("no membership in commune {t}"),
    )
}

/// The refusal for a principal with no relation to an application.
fn application_outsider(p: &Principal, facts: &Facts) -> Refusal {
    match facts.tenant.as_deref() {
        Some(t) if p.role_in(t).is_some() => refuse(
            RefusalCode::NotAssigned,
            "only reviewers assigned to this application",
        ),
        Some(t) => no_standing(p, t),
        None => refuse(
            RefusalCode::NotOrganisationMember,
            "only the applicant organisation, the call's runners and assigned reviewers",
        ),
    }
}

//! The rules of [`decide`](crate::decide), action by action, and the refusals
//! they share.

use crate::{Action, CommuneRole, Facts, PlatformRole, Principal, Refusal, RefusalCode, refuse};

/// [`decide`] as a `Result`.
pub(crate) fn check(
    principal: Option<&Principal>,
    action: Action,
    facts: &Facts,
) -> Result<(), Refusal> {
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
    if action == FeedbackGive {
        // Anyone may leave feedback on a published experiment of a commune that is
        // not suspended (`is_public`); otherwise the refusal says why not.
        let has = |role| principal.is_some_and(|p| p.has(role));
        return if has(PlatformRole::Programme) && facts.published {
            // A suspension freezes nothing for programme operators.
            Ok(())
        } else if has(PlatformRole::Hosting) && !facts.published {
            Err(refuse(
                C::HostingOperator,
                "hosting operators manage tenants but never see tenant content",
            ))
        } else if facts.tenant_suspended && !has(PlatformRole::Programme) {
            Err(refuse(
                C::TenantSuspended,
                "the experiment's commune is suspended",
            ))
        } else {
            Err(refuse(
                C::NotPublished,
                "feedback is left on published experiments only",
            ))
        };
    }
    if action == PartnerRead && principal.is_none() {
        // A profile that is not public answers as a missing one: anonymous
        // callers cannot tell that it exists.
        return Err(refuse(
            C::NotPublished,
            "this organisation's profile is not public",
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
        RegistryRead | ExportOpenData | FeedbackGive => Ok(()),
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
        ExperimentCreate | ExperimentManage => {
            let t = tenant(facts)?;
            if programme || is_admin(p, t) {
                Ok(())
            } else {
                Err(lacks_role(
                    p,
                    t,
                    "an experiment is run by its commune's admins and programme operators",
                ))
            }
        }
        // Unpublished: whoever follows it (the public case returned above).
        ExperimentRead => {
            let t = tenant(facts)?;
            if programme || is_staff(p, t) || in_consortium(p, facts) {
                Ok(())
            } else {
                Err(experiment_outsider(p, t))
            }
        }
        ExperimentReport => {
            let t = tenant(facts)?;
            if is_admin(p, t) || in_consortium(p, facts) {
                Ok(())
            } else {
                Err(experiment_outsider(p, t))
            }
        }
        FeedbackModerate => {
            let t = tenant(facts)?;
            if is_staff(p, t) {
                Ok(())
            } else {
                Err(lacks_role(
                    p,
                    t,
                    "residents' feedback is moderated by the commune's admins and agents",
                ))
            }
        }
        // The grid has two columns: the programme's (a programme record) and the commune's.
        ExperimentEvaluate => {
            if facts.programme_call {
                return if programme {
                    Ok(())
                } else {
                    Err(refuse(
                        C::InsufficientRole,
                        "the programme's column of the grid is the programme team's",
                    ))
                };
            }
            let t = tenant(facts)?;
            if is_admin(p, t) {
                Ok(())
            } else {
                Err(lacks_role(
                    p,
                    t,
                    "the commune's column of the grid is its admins'",
                ))
            }
        }
        ExperimentFigures => match facts.tenant.as_deref() {
            None if programme => Ok(()),
            None => Err(refuse(
                C::InsufficientRole,
                "the programme's dashboard is the programme team's",
            )),
            Some(t) if programme || is_staff(p, t) => Ok(()),
            Some(t) => Err(lacks_role(
                p,
                t,
                "a commune's dashboard is its admins' and agents'",
            )),
        },
        // A profile that is not public: the people who work with organisations.
        PartnerRead | PartnerContacts => {
            let o = organisation(facts)?;
            if programme || p.belongs_to(o) || !p.memberships.is_empty() {
                Ok(())
            } else if action == PartnerContacts && facts.published {
                Err(refuse(
                    C::InsufficientRole,
                    "an organisation's contacts are shown to commune staff, programme operators and its members",
                ))
            } else {
                Err(refuse(
                    C::NotPublished,
                    "this organisation's profile is not public",
                ))
            }
        }
        PartnerCurate => {
            if programme {
                Ok(())
            } else {
                Err(refuse(
                    C::InsufficientRole,
                    "the directory is curated by the programme team",
                ))
            }
        }
        // A commune's notes are its admins' and agents' alone, programme operators
        // included out; the programme's notes are the programme team's.
        NoteRead | NoteWrite => match facts.tenant.as_deref() {
            None if programme => Ok(()),
            None => Err(refuse(
                C::InsufficientRole,
                "the programme's notes are the programme team's",
            )),
            Some(t) if is_staff(p, t) => Ok(()),
            Some(t) => Err(lacks_role(
                p,
                t,
                "a commune's notes on organisations are its admins' and agents' alone",
            )),
        },
        // A commune's trail: its admins' and the programme's; the platform's
        // chains (sign-ins, operator actions): the programme's.
        AuditRead => match facts.tenant.as_deref() {
            None if programme => Ok(()),
            None => Err(refuse(
                C::InsufficientRole,
                "the platform's audit trail is the programme team's",
            )),
            Some(t) if programme || is_admin(p, t) => Ok(()),
            Some(t) => Err(lacks_role(
                p,
                t,
                "a commune's audit trail is read by its admins and programme operators",
            )),
        },
        // Counts only, never content.
        UsageRead => {
            if programme || p.has(PlatformRole::Hosting) {
                Ok(())
            } else {
                Err(refuse(
                    C::InsufficientRole,
                    "usage counts are the operators'",
                ))
            }
        }
        // One's own data: the services select it by the principal's account.
        PersonalDataExport | AccountErase => Ok(()),
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

/// Whether `p` is a member of the consortium organisation the facts name.
fn in_consortium(p: &Principal, facts: &Facts) -> bool {
    facts
        .organisation
        .as_deref()
        .is_some_and(|o| p.belongs_to(o))
}

/// The refusal for a principal with no relation to an experiment of commune `t`.
fn experiment_outsider(p: &Principal, t: &str) -> Refusal {
    if p.role_in(t).is_some() || p.has(PlatformRole::Programme) {
        refuse(
            RefusalCode::InsufficientRole,
            "only the experiment's partners, its commune's staff and programme operators",
        )
    } else if p.organisation.is_some() {
        refuse(
            RefusalCode::NotOrganisationMember,
            "only members of the experiment's partner organisations",
        )
    } else {
        no_standing(p, t)
    }
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

//! Property-style checks over every combination of principal shape, action and facts
//! (97 principals × every action × 288 fact sets), plus the refusal codes of
//! representative cases.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: a failed unwrap is a failed test, helpers included"
)]

use qmi_policy::rules::{
    Action, CommuneRole, Facts, Membership, PlatformRole, Principal, RefusalCode, decide,
};

/// Every principal shape: platform roles × role in A × role in B × organisation.
fn principals() -> Vec<Option<Principal>> {
    let platform = [
        vec![],
        vec![PlatformRole::Programme],
        vec![PlatformRole::Hosting],
        vec![PlatformRole::Programme, PlatformRole::Hosting],
    ];
    let roles = [
        None,
        Some(CommuneRole::Admin),
        Some(CommuneRole::Agent),
        Some(CommuneRole::Reviewer),
    ];
    let mut all = vec![None];
    for ops in &platform {
        for in_a in roles {
            for in_b in [None, Some(CommuneRole::Admin)] {
                for org in [None, Some("X"), Some("Y")] {
                    let memberships = [("A", in_a), ("B", in_b)]
                        .into_iter()
                        .filter_map(|(insee, role)| {
                            Some(Membership {
                                insee: insee.into(),
                                role: role?,
                            })
                        })
                        .collect();
                    all.push(Some(Principal {
                        sub: "s".into(),
                        platform_roles: ops.clone(),
                        organisation: org.map(Into::into),
                        memberships,
                    }));
                }
            }
        }
    }
    all
}

/// Every fact set: tenant × organisation × assigned × conflict × programme × published
/// × suspended.
fn fact_sets() -> Vec<Facts> {
    let mut all = Vec::new();
    for tenant in [None, Some("A"), Some("B")] {
        for org in [None, Some("X"), Some("Y")] {
            for bits in 0..32u8 {
                all.push(Facts {
                    tenant: tenant.map(Into::into),
                    organisation: org.map(Into::into),
                    assigned_reviewer: bits & 1 != 0,
                    conflict_declared: bits & 2 != 0,
                    programme_call: bits & 4 != 0,
                    published: bits & 8 != 0,
                    tenant_suspended: tenant.is_some() && bits & 16 != 0,
                    account_unconfirmed: false,
                });
            }
        }
    }
    all
}

/// Calls `check` on every (principal, action, facts) and returns how many it saw.
fn for_all(mut check: impl FnMut(Option<&Principal>, Action, &Facts)) -> usize {
    let (ps, fs) = (principals(), fact_sets());
    let mut n = 0;
    for p in &ps {
        for a in Action::ALL {
            for f in &fs {
                check(p.as_ref(), a, f);
                n += 1;
            }
        }
    }
    n
}

fn is(p: Option<&Principal>, role: PlatformRole) -> bool {
    p.is_some_and(|p| p.has(role))
}

#[test]
fn the_space_is_what_the_docs_say() {
    assert_eq!(principals().len(), 97);
    assert_eq!(fact_sets().len(), 288);
    assert_eq!(for_all(|_, _, _| {}), 97 * Action::ALL.len() * 288);
}

/// A suspended commune's content is frozen for everyone but programme operators:
/// nothing but a public read of a published record is allowed to anyone else, and
/// the same question about the same commune unsuspended never allows less.
#[test]
fn a_suspended_commune_is_frozen_for_all_but_programme_operators() {
    let mut refused = 0;
    for_all(|p, a, f| {
        if !f.tenant_suspended || !a.is_tenant_content() {
            return;
        }
        let d = decide(p, a, f);
        if d.is_allowed() && !is(p, PlatformRole::Programme) {
            assert!(
                f.published && a.is_read(),
                "{p:?} may {a:?} on {f:?} while suspended"
            );
        }
        if !d.is_allowed() && d.code() == Some(RefusalCode::TenantSuspended) {
            refused += 1;
            assert!(!is(p, PlatformRole::Programme));
        }
        if is(p, PlatformRole::Programme) {
            let thawed = Facts {
                tenant_suspended: false,
                ..f.clone()
            };
            assert_eq!(
                d,
                decide(p, a, &thawed),
                "suspension changes nothing for programme operators"
            );
        }
    });
    assert!(refused > 0);
}

#[test]
fn hosting_operators_never_touch_unpublished_tenant_content() {
    for_all(|p, a, f| {
        if is(p, PlatformRole::Hosting) && a.is_tenant_content() && !f.published {
            let d = decide(p, a, f);
            assert_eq!(
                d.code(),
                Some(RefusalCode::HostingOperator),
                "{} {f:?} {p:?}",
                a.name()
            );
        }
    });
}

#[test]
fn outside_a_only_operators_the_organisation_and_assigned_reviewers_read_a_unpublished() {
    for_all(|p, a, f| {
        // A profile in the partner directory is no commune's record: every commune's
        // people read the profiles that are not public (their own rule).
        if f.tenant.as_deref() != Some("A")
            || f.published
            || !a.is_read()
            || a == Action::RegistryRead
            || matches!(a, Action::PartnerRead | Action::PartnerContacts)
            // One's own data and the operators' counts are no commune's record:
            // the services select them by the asking account, or count them.
            || matches!(a, Action::PersonalDataExport | Action::UsageRead)
        {
            return;
        }
        let Some(p) = p else {
            assert!(
                !decide(None, a, f).is_allowed(),
                "anonymous reads {} of A: {f:?}",
                a.name()
            );
            return;
        };
        if p.role_in("A").is_some() || !decide(Some(p), a, f).is_allowed() {
            return;
        }
        let involved = p.has(PlatformRole::Programme)
            || f.organisation.as_deref().is_some_and(|o| p.belongs_to(o))
            || f.assigned_reviewer;
        assert!(involved, "outsider {p:?} may {} on {f:?}", a.name());
    });
}

#[test]
fn anonymous_principals_only_read_public_records() {
    for_all(|p, a, f| {
        if p.is_none() && decide(None, a, f).is_allowed() {
            assert!(
                a == Action::RegistryRead || f.published,
                "{} {f:?}",
                a.name()
            );
            // The one public write: a resident's feedback on a published experiment.
            assert!(
                a.is_read() || a == Action::FeedbackGive,
                "anonymous may {}",
                a.name()
            );
        }
    });
}

#[test]
fn only_the_applicant_organisation_acts_on_an_application() {
    use Action::*;
    for_all(|p, a, f| {
        if matches!(
            a,
            ApplicationDraft | ApplicationSubmit | ApplicationWithdraw
        ) && decide(p, a, f).is_allowed()
        {
            let p = p.expect("a principal");
            assert!(
                f.organisation.as_deref().is_some_and(|o| p.belongs_to(o)),
                "{p:?} {f:?}"
            );
        }
    });
}

#[test]
fn a_declared_conflict_leaves_only_the_title() {
    use Action::*;
    for_all(|p, a, f| {
        if !f.conflict_declared
            || !matches!(
                a,
                ApplicationRead
                    | ReviewScore
                    | ReviewRead
                    | ReviewAssign
                    | DecisionDecide
                    | DecisionPublish
            )
        {
            return;
        }
        let own = p.is_some_and(|p| f.organisation.as_deref().is_some_and(|o| p.belongs_to(o)));
        if !own {
            assert!(
                !decide(p, a, f).is_allowed(),
                "recused {p:?} may {} on {f:?}",
                a.name()
            );
        }
    });
}

#[test]
fn only_runners_of_the_call_decide_and_programme_calls_belong_to_programme_operators() {
    use Action::*;
    for_all(|p, a, f| {
        if !matches!(
            a,
            CallCreate
                | CallUpdate
                | CallPublish
                | ReviewAssign
                | DecisionDecide
                | DecisionPublish
                | ExportApplications
        ) {
            return;
        }
        if decide(p, a, f).is_allowed() {
            let p = p.expect("a principal");
            let admin = f
                .tenant
                .as_deref()
                .is_some_and(|t| p.role_in(t) == Some(CommuneRole::Admin));
            assert!(
                p.has(PlatformRole::Programme) || (admin && !f.programme_call),
                "{p:?} may {} on {f:?}",
                a.name()
            );
        }
    });
}

#[test]
fn every_refusal_explains_itself() {
    for_all(|p, a, f| {
        if let qmi_policy::rules::Decision::Refused(r) = decide(p, a, f) {
            assert!(
                r.reason.len() > 10,
                "{} {:?}: {:?}",
                a.name(),
                r.code,
                r.reason
            );
        }
    });
}

#[test]
fn action_names_round_trip_and_are_unique() {
    for a in Action::ALL {
        assert_eq!(Action::from_name(a.name()), Some(a));
    }
    let mut names: Vec<_> = Action::ALL.iter().map(|a| a.name()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), Action::ALL.len());
}

/// The WIT enum lists exactly the actions of the rules, in the same order.
#[test]
fn the_wit_action_enum_matches_the_rules() {
    let wit = include_str!("../../../wit/platform.wit");
    let body = wit
        .split("enum action {")
        .nth(1)
        .unwrap()
        .split('}')
        .next()
        .unwrap();
    let names: Vec<&str> = body
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .map(|l| l.trim_end_matches(','))
        .collect();
    let ours: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
    assert_eq!(names, ours);
}

/// Representative refusals carry the code services map to HTTP statuses.
#[test]
fn refusal_codes() {
    use Action::*;
    use RefusalCode as C;
    let admin_a = Principal {
        sub: "d".into(),
        memberships: vec![Membership {
            insee: "A".into(),
            role: CommuneRole::Admin,
        }],
        ..Principal::default()
    };
    let reviewer_a = Principal {
        memberships: vec![Membership {
            insee: "A".into(),
            role: CommuneRole::Reviewer,
        }],
        ..admin_a.clone()
    };
    let partner_x = Principal {
        sub: "m".into(),
        organisation: Some("X".into()),
        ..Principal::default()
    };
    let at = |t: &str| Facts {
        tenant: Some(t.into()),
        ..Facts::default()
    };
    let app = |org: &str| Facts {
        organisation: Some(org.into()),
        ..at("A")
    };
    let cases: Vec<(Option<&Principal>, Action, Facts, C)> = vec![
        (None, MemberList, at("A"), C::Unauthenticated),
        (None, ExportOpenData, at("A"), C::NotPublished),
        (
            Some(&admin_a),
            MemberList,
            Facts::default(),
            C::IncompleteFacts,
        ),
        (Some(&admin_a), MemberList, at("B"), C::NotMember),
        (
            Some(&reviewer_a),
            MemberManage,
            at("A"),
            C::InsufficientRole,
        ),
        (Some(&reviewer_a), MemberList, at("A"), C::InsufficientRole),
        (
            Some(&partner_x),
            OrganisationUpdate,
            app("Y"),
            C::NotOrganisationMember,
        ),
        (
            Some(&partner_x),
            OrganisationCreate,
            Facts::default(),
            C::AlreadyInOrganisation,
        ),
        (Some(&reviewer_a), ApplicationRead, app("Y"), C::NotAssigned),
        (Some(&reviewer_a), ReviewScore, app("Y"), C::NotAssigned),
        (
            Some(&reviewer_a),
            ReviewScore,
            Facts {
                assigned_reviewer: true,
                conflict_declared: true,
                ..app("Y")
            },
            C::ConflictOfInterest,
        ),
        (Some(&partner_x), DecisionRead, app("X"), C::NotPublished),
        (
            Some(&admin_a),
            CallCreate,
            Facts {
                programme_call: true,
                ..at("A")
            },
            C::InsufficientRole,
        ),
    ];
    for (p, a, f, code) in cases {
        assert_eq!(
            decide(p, a, &f).code(),
            Some(code),
            "{} {p:?} {f:?}",
            a.name()
        );
    }
}

/// An account that has not confirmed its e-mail address neither creates nor joins an
/// organisation (so cannot apply); confirmed, it does both; operators of the programme
/// still create organisations on behalf of partners.
#[test]
fn unconfirmed_accounts_neither_create_nor_join_organisations() {
    let newcomer = Principal {
        sub: "n".into(),
        ..Principal::default()
    };
    let programme = Principal {
        sub: "p".into(),
        platform_roles: vec![PlatformRole::Programme],
        ..Principal::default()
    };
    let target = |unconfirmed| Facts {
        organisation: Some("X".into()),
        account_unconfirmed: unconfirmed,
        ..Facts::default()
    };
    for action in [Action::OrganisationCreate, Action::OrganisationJoin] {
        assert_eq!(
            decide(Some(&newcomer), action, &target(true)).code(),
            Some(RefusalCode::EmailUnconfirmed),
            "{action:?}"
        );
        assert!(decide(Some(&newcomer), action, &target(false)).is_allowed());
    }
    assert!(decide(Some(&programme), Action::OrganisationCreate, &target(true)).is_allowed());
    let member = Principal {
        organisation: Some("Y".into()),
        ..newcomer.clone()
    };
    assert_eq!(
        decide(Some(&member), Action::OrganisationJoin, &target(false)).code(),
        Some(RefusalCode::AlreadyInOrganisation)
    );
    assert_eq!(
        decide(Some(&newcomer), Action::OrganisationJoin, &Facts::default()).code(),
        Some(RefusalCode::IncompleteFacts)
    );
    assert_eq!(
        decide(Some(&newcomer), Action::TeamManage, &Facts::default()).code(),
        Some(RefusalCode::InsufficientRole)
    );
    assert!(decide(Some(&programme), Action::TeamManage, &Facts::default()).is_allowed());
}

/// A notice is its addressee's own, whoever they are; one carrying a commune's content
/// is that content: never a hosting operator's, and frozen with the commune for all
/// but programme operators.
#[test]
fn a_notice_of_a_suspended_commune_is_frozen_with_it() {
    for_all(|p, a, f| {
        if a != Action::NotificationRead {
            return;
        }
        let d = decide(p, a, f);
        let Some(p) = p else {
            assert_eq!(d.code(), Some(RefusalCode::Unauthenticated));
            return;
        };
        let expected = match f.tenant {
            None => None,
            Some(_) if is(Some(p), PlatformRole::Hosting) => Some(RefusalCode::HostingOperator),
            Some(_) if f.tenant_suspended && !is(Some(p), PlatformRole::Programme) => {
                Some(RefusalCode::TenantSuspended)
            }
            Some(_) => None,
        };
        assert_eq!(d.code(), expected, "{p:?} {f:?}");
    });
}

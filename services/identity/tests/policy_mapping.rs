//! Identity's questions against the policy's real rules (`qmi_policy::rules`, the code
//! the `policy` component exports), natively: the names identity sends exist in
//! `wit/platform.wit`, and each identity operation is allowed or refused, with the
//! expected HTTP status, for the roles the issue names.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: a failed unwrap is a failed test, helpers included"
)]

use qmi_api::{Insee, MembershipRole, PlatformRole, Principal};
use qmi_identity::authz::{Action, Operation};
use qmi_kit::refusal::RefusalCode;
use qmi_policy::rules;

/// The cases of WIT enum `name` in `wit/platform.wit`.
fn wit_enum(name: &str) -> Vec<String> {
    let wit = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../wit/platform.wit"
    ))
    .expect("wit/platform.wit");
    let start = wit
        .find(&format!("enum {name} {{"))
        .unwrap_or_else(|| panic!("enum {name} in platform.wit"));
    let body = &wit[start..];
    let body = &body[body.find('{').unwrap() + 1..body.find('}').unwrap()];
    body.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .map(|l| l.trim_end_matches(',').to_owned())
        .collect()
}

#[test]
fn identity_sends_only_names_the_wit_declares() {
    let actions = wit_enum("action");
    // The actions the kit sends are the rules' own: every one a WIT action, in order.
    let ours: Vec<_> = Action::ALL.iter().map(|a| a.name().to_owned()).collect();
    assert_eq!(
        ours, actions,
        "qmi_rules::Action mirrors WIT action, in order"
    );
    let codes = wit_enum("refusal-code");
    let ours: Vec<_> = RefusalCode::ALL
        .iter()
        .map(|c| c.wit_name().to_owned())
        .collect();
    assert_eq!(
        ours, codes,
        "RefusalCode mirrors WIT refusal-code, in order"
    );
}

fn who(ops: &[PlatformRole], org: Option<&str>, mem: &[(&str, MembershipRole)]) -> Principal {
    Principal {
        sub: "s".into(),
        name: "n".into(),
        lang: "fr".into(),
        ops: ops.to_vec(),
        org: org.map(str::to_owned),
        mem: mem.iter().map(|(i, r)| (i.parse().unwrap(), *r)).collect(),
    }
}

/// Converts as `qmi_kit::policy::wit_principal` does on wasm32 (`ops`, `org`, `mem`).
fn to_rules(p: &Principal) -> rules::Principal {
    rules::Principal {
        sub: p.sub.clone(),
        platform_roles: p
            .ops
            .iter()
            .map(|r| match r {
                PlatformRole::Programme => rules::PlatformRole::Programme,
                PlatformRole::Hosting => rules::PlatformRole::Hosting,
            })
            .collect(),
        organisation: p.org.clone(),
        memberships: p
            .mem
            .iter()
            .map(|(i, r)| rules::Membership {
                insee: i.to_string(),
                role: match r {
                    MembershipRole::Admin => rules::CommuneRole::Admin,
                    MembershipRole::Agent => rules::CommuneRole::Agent,
                    MembershipRole::Reviewer => rules::CommuneRole::Reviewer,
                },
            })
            .collect(),
    }
}

/// The HTTP status identity answers `op` with, as far as authorization goes
/// (200 = allowed): the policy's rules decide, `qmi_kit::refusal` maps.
fn status(p: Option<&Principal>, op: Operation<'_>) -> u16 {
    let q = op.question();
    match rules::decide(p.map(to_rules).as_ref(), q.action, &q.facts.rules(false)) {
        rules::Decision::Allowed => 200,
        rules::Decision::Refused(r) => qmi_kit::refusal::problem(r.code, &r.reason).status,
    }
}

#[test]
fn identity_operations_by_role() {
    let a: Insee = "93066".parse().unwrap();
    let b: Insee = "93048".parse().unwrap();
    let programme = who(&[PlatformRole::Programme], None, &[]);
    let hosting = who(&[PlatformRole::Hosting], None, &[]);
    let admin_a = who(&[], None, &[("93066", MembershipRole::Admin)]);
    let agent_a = who(&[], None, &[("93066", MembershipRole::Agent)]);
    let reviewer_a = who(&[], None, &[("93066", MembershipRole::Reviewer)]);
    let partner = who(&[], Some("o1"), &[]);
    let nobody = who(&[], None, &[]);
    use Operation::*;
    // (operation, [anonymous, programme, hosting, admin A, agent A, reviewer A, partner o1, no role])
    let table: Vec<(Operation<'_>, [u16; 8])> = vec![
        (ReadRegistry, [200, 200, 200, 200, 200, 200, 200, 200]),
        (CreateCommune, [401, 200, 200, 403, 403, 403, 403, 403]),
        (SuspendCommune(&a), [401, 200, 200, 403, 403, 403, 403, 403]),
        (ResumeCommune(&a), [401, 200, 200, 403, 403, 403, 403, 403]),
        (
            SetCommuneStatus(&a),
            [401, 200, 403, 403, 403, 403, 403, 403],
        ),
        (ListMembers(&a), [401, 200, 403, 200, 200, 403, 403, 403]),
        (ListMembers(&b), [401, 200, 403, 403, 403, 403, 403, 403]),
        (ManageMembers(&a), [401, 200, 403, 200, 403, 403, 403, 403]),
        (ManageMembers(&b), [401, 200, 403, 403, 403, 403, 403, 403]),
        (
            CreateOrganisation { unconfirmed: false },
            [401, 200, 200, 200, 200, 200, 403, 200],
        ),
        (
            CreateOrganisation { unconfirmed: true },
            [401, 200, 403, 403, 403, 403, 403, 403],
        ),
        (
            JoinOrganisation {
                org: "o2",
                unconfirmed: false,
            },
            [401, 200, 200, 200, 200, 200, 403, 200],
        ),
        (
            JoinOrganisation {
                org: "o2",
                unconfirmed: true,
            },
            [401, 403, 403, 403, 403, 403, 403, 403],
        ),
        (ManageTeam, [401, 200, 403, 403, 403, 403, 403, 403]),
        (
            ReadOrganisation("o1"),
            [401, 200, 403, 403, 403, 403, 200, 403],
        ),
        (
            ReadOrganisation("o2"),
            [401, 200, 403, 403, 403, 403, 403, 403],
        ),
        (
            UpdateOrganisation("o1"),
            [401, 200, 403, 403, 403, 403, 200, 403],
        ),
        (
            UpdateOrganisation("o2"),
            [401, 200, 403, 403, 403, 403, 403, 403],
        ),
    ];
    let principals = [
        None,
        Some(&programme),
        Some(&hosting),
        Some(&admin_a),
        Some(&agent_a),
        Some(&reviewer_a),
        Some(&partner),
        Some(&nobody),
    ];
    let mut wrong = Vec::new();
    for (op, expected) in &table {
        let got: Vec<u16> = principals.iter().map(|p| status(*p, *op)).collect();
        if got != expected {
            wrong.push(format!("{op:?}: expected {expected:?}, got {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

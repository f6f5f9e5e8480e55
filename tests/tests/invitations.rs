//! Invitations over HTTP (issue 12), under `qmi up` with the development mailbox (and
//! the manual clock where time passes): a commune admin, a programme operator or an
//! organisation's member invites; the link e-mailed (single use, 7 days, stored hashed)
//! is previewed and accepted — a newcomer chooses name, password and language, an
//! existing account consents with its password — and the person is signed in. Pending
//! invitations are listed, resent (the old link dies) and revoked; the answers are the
//! same whether or not the address has an account.

#[path = "support/people.rs"]
mod support;

use qmi_tests::QmiServer;
use qmi_tests::app;
use serde_json::{Value, json};
use support::{Api, links_received, next_link_token, without};

const DEMO: &str = "invitations-tests-password";
const PASSWORD: &str = "un mot de passe bien long";
const SAINT_DENIS: &str = "93066";

fn server() -> QmiServer {
    app::up(&["identity", "notifications"], DEMO)
        .manual_clock()
        .start()
}

fn invite(api: &Api, admin: &str, insee: &str, email: &str, role: &str) -> (u16, Value) {
    let r = api.post(
        &format!("/api/communes/{insee}/members"),
        Some(admin),
        &json!({ "email": email, "role": role, "name": "Camille Nouvelle" }),
    );
    (r.status, r.body)
}

fn member_roles(api: &Api, token: &str, insee: &str) -> Vec<(String, String)> {
    let r = api.get(
        &format!("/api/communes/{insee}/members?limit=500"),
        Some(token),
    );
    assert_eq!(r.status, 200, "{r:?}");
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["email"].as_str().unwrap().to_owned(),
                m["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_commune_admin_invites_a_newcomer_who_accepts_and_signs_in() {
    let server = server();
    let api = Api::new(&server, DEMO);
    let admin = api.token("admin.saint-denis@qmi.example");
    let email = "camille.nouvelle@example.org";

    let (status, summary) = invite(&api, &admin, SAINT_DENIS, email, "agent");
    assert_eq!(status, 202, "{summary}");
    assert_eq!(summary["email"], email);
    assert_eq!(summary["joining"]["kind"], "commune");
    assert_eq!(summary["joining"]["insee"], SAINT_DENIS);
    assert_eq!(summary["joining"]["role"], "agent");
    assert_eq!(summary["invited_by"], "Inès Haddad");
    // Not a member until accepted; listed as pending.
    assert!(
        !member_roles(&api, &admin, SAINT_DENIS)
            .iter()
            .any(|(e, _)| e == email)
    );
    let pending = api.get(
        &format!("/api/communes/{SAINT_DENIS}/invitations"),
        Some(&admin),
    );
    assert_eq!(pending.status, 200, "{pending:?}");
    assert_eq!(pending.body.as_array().unwrap().len(), 1, "{pending:?}");
    assert_eq!(pending.body[0]["id"], summary["id"]);

    let token = next_link_token(&server, email, "/invitation/", 0);
    let preview = api.get(&format!("/api/auth/invitations/{token}"), None);
    assert_eq!(preview.status, 200, "{preview:?}");
    assert_eq!(preview.body["email"], email);
    assert_eq!(preview.body["account_exists"], false);
    assert_eq!(preview.body["name"], "Camille Nouvelle");
    assert_eq!(preview.body["joining"]["name"], "Saint-Denis");
    assert_eq!(preview.body["invited_by"], "Inès Haddad");
    assert_eq!(preview.body["expires_at"], summary["expires_at"]);

    let accepted = api.post(
        &format!("/api/auth/invitations/{token}/accept"),
        None,
        &json!({ "name": "Camille Martin-Nouvelle", "password": PASSWORD, "lang": "en" }),
    );
    assert_eq!(accepted.status, 200, "{accepted:?}");
    let me = api.me(accepted.body["access_token"].as_str().unwrap());
    assert_eq!(me["name"], "Camille Martin-Nouvelle");
    assert_eq!(me["lang"], "en");
    assert_eq!(
        me["memberships"],
        json!([{ "insee": SAINT_DENIS, "name": "Saint-Denis", "role": "agent" }])
    );
    assert!(
        member_roles(&api, &admin, SAINT_DENIS).contains(&(email.to_owned(), "agent".to_owned()))
    );

    // The person signs in with the password chosen.
    let signed = api.sign_in_with(email, PASSWORD);
    assert_eq!(signed.status, 200, "{signed:?}");
    // Single use: the link is dead, and the invitation no longer pending.
    for r in [
        api.get(&format!("/api/auth/invitations/{token}"), None),
        api.post(
            &format!("/api/auth/invitations/{token}/accept"),
            None,
            &json!({ "name": "Autre", "password": PASSWORD }),
        ),
    ] {
        assert_eq!((r.status, r.problem()), (410, "link-unavailable"), "{r:?}");
    }
    let pending = api.get(
        &format!("/api/communes/{SAINT_DENIS}/invitations"),
        Some(&admin),
    );
    assert_eq!(pending.body, json!([]));

    // A member's role changes at once, as before (200 and the member).
    let (status, member) = invite(&api, &admin, SAINT_DENIS, email, "reviewer");
    assert_eq!(status, 200, "{member}");
    assert_eq!(member["role"], "reviewer");
}

#[test]
fn an_existing_account_joins_only_by_accepting_with_its_password() {
    let server = server();
    let api = Api::new(&server, DEMO);
    let admin = api.token("admin.saint-denis@qmi.example");
    let email = "reviewer.montreuil@qmi.example";
    let (status, _) = invite(&api, &admin, SAINT_DENIS, email, "reviewer");
    assert_eq!(status, 202);
    // Not added silently.
    assert!(
        !member_roles(&api, &admin, SAINT_DENIS)
            .iter()
            .any(|(e, _)| e == email)
    );
    let token = next_link_token(&server, email, "/invitation/", 0);
    let preview = api.get(&format!("/api/auth/invitations/{token}"), None);
    assert_eq!(preview.body["account_exists"], true, "{preview:?}");

    // A wrong password is refused and counted; the link stays usable.
    let wrong = api.post(
        &format!("/api/auth/invitations/{token}/accept"),
        None,
        &json!({ "password": "pas le bon mot de passe" }),
    );
    assert_eq!(
        (wrong.status, wrong.problem()),
        (401, "invalid-credentials"),
        "{wrong:?}"
    );
    assert!(
        !member_roles(&api, &admin, SAINT_DENIS)
            .iter()
            .any(|(e, _)| e == email)
    );

    let ok = api.post(
        &format!("/api/auth/invitations/{token}/accept"),
        None,
        &json!({ "password": DEMO }),
    );
    assert_eq!(ok.status, 200, "{ok:?}");
    let me = api.me(ok.body["access_token"].as_str().unwrap());
    // Its name and its other commune are untouched.
    assert_eq!(me["name"], "Julie Moreau");
    let mut communes: Vec<&str> = me["memberships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["insee"].as_str().unwrap())
        .collect();
    communes.sort();
    assert_eq!(communes, ["93048", SAINT_DENIS]);
}

#[test]
fn links_expire_after_seven_days_and_resending_or_revoking_kills_the_old_one() {
    let server = server();
    let api = Api::new(&server, DEMO);
    let mailbox = server.mailbox();
    let admin = api.token("admin.saint-denis@qmi.example");
    let email = "dominique.tardive@example.org";
    let (status, summary) = invite(&api, &admin, SAINT_DENIS, email, "agent");
    assert_eq!(status, 202);
    let first = next_link_token(&server, email, "/invitation/", 0);

    // 7 days and a second later, the link is gone.
    mailbox.advance_clock(7 * 24 * 3600 + 1);
    let r = api.get(&format!("/api/auth/invitations/{first}"), None);
    assert_eq!((r.status, r.problem()), (410, "link-unavailable"), "{r:?}");
    let r = api.post(
        &format!("/api/auth/invitations/{first}/accept"),
        None,
        &json!({ "name": "Dominique", "password": PASSWORD }),
    );
    assert_eq!(r.status, 410, "{r:?}");

    // Still pending, it is resent: a new link, valid 7 days from now.
    let admin = api.token("admin.saint-denis@qmi.example");
    let id = summary["id"].as_str().unwrap();
    let resent = api.post(
        &format!("/api/communes/{SAINT_DENIS}/invitations/{id}/resend"),
        Some(&admin),
        &json!({}),
    );
    assert_eq!(resent.status, 200, "{resent:?}");
    assert_eq!(resent.body["id"], id);
    assert!(resent.body["expires_at"].as_str() > summary["expires_at"].as_str());
    let second = next_link_token(&server, email, "/invitation/", 1);
    assert_ne!(first, second);
    assert_eq!(
        api.get(&format!("/api/auth/invitations/{second}"), None)
            .status,
        200
    );

    // Resent again: the second link dies too.
    let again = api.post(
        &format!("/api/communes/{SAINT_DENIS}/invitations/{id}/resend"),
        Some(&admin),
        &json!({}),
    );
    assert_eq!(again.status, 200, "{again:?}");
    let third = next_link_token(&server, email, "/invitation/", 2);
    assert_eq!(
        api.get(&format!("/api/auth/invitations/{second}"), None)
            .status,
        410
    );

    // Revoked: the live link dies, the invitation leaves the list, and it cannot be
    // resent or revoked again.
    let revoked = api.delete(
        &format!("/api/communes/{SAINT_DENIS}/invitations/{id}"),
        Some(&admin),
    );
    assert_eq!(revoked.status, 204, "{revoked:?}");
    assert_eq!(
        api.get(&format!("/api/auth/invitations/{third}"), None)
            .status,
        410
    );
    assert_eq!(
        api.get(
            &format!("/api/communes/{SAINT_DENIS}/invitations"),
            Some(&admin)
        )
        .body,
        json!([])
    );
    for r in [
        api.post(
            &format!("/api/communes/{SAINT_DENIS}/invitations/{id}/resend"),
            Some(&admin),
            &json!({}),
        ),
        api.delete(
            &format!("/api/communes/{SAINT_DENIS}/invitations/{id}"),
            Some(&admin),
        ),
    ] {
        assert_eq!(r.status, 404, "{r:?}");
    }
    assert_eq!(links_received(&server, email, "/invitation/"), 3);
}

#[test]
fn answers_are_the_same_whether_or_not_the_address_has_an_account() {
    let server = server();
    let api = Api::new(&server, DEMO);
    let admin = api.token("admin.saint-denis@qmi.example");
    let programme = api.token("programme@qmi.example");
    let strip = |v: &Value| without(v, &["id", "email", "sent_at", "expires_at"]);

    let (known_status, known) = invite(
        &api,
        &admin,
        SAINT_DENIS,
        "agent.paris@qmi.example",
        "agent",
    );
    let (unknown_status, unknown) =
        invite(&api, &admin, SAINT_DENIS, "personne@example.org", "agent");
    assert_eq!((known_status, unknown_status), (202, 202));
    assert_eq!(strip(&known), strip(&unknown));
    assert_eq!(
        known.as_object().unwrap().keys().collect::<Vec<_>>(),
        unknown.as_object().unwrap().keys().collect::<Vec<_>>()
    );

    let team = |email: &str| {
        api.post(
            "/api/admin/invitations",
            Some(&programme),
            &json!({ "email": email }),
        )
    };
    let (known, unknown) = (
        team("admin.paris@qmi.example"),
        team("quelquun@example.org"),
    );
    assert_eq!((known.status, unknown.status), (202, 202));
    assert_eq!(strip(&known.body), strip(&unknown.body));

    let partner = api.token("partner@solaire-urbain.example");
    let org = api.me(&partner)["organisation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let join = |email: &str| {
        api.post(
            &format!("/api/organisations/{org}/members"),
            Some(&partner),
            &json!({ "email": email }),
        )
    };
    let (known, unknown) = (
        join("partner@gruene-wege.example"),
        join("nouveau@example.org"),
    );
    assert_eq!((known.status, unknown.status), (202, 202));
    assert_eq!(strip(&known.body), strip(&unknown.body));
}

#[test]
fn the_programme_team_and_organisations_invite_by_link() {
    let server = server();
    let api = Api::new(&server, DEMO);
    let programme = api.token("programme@qmi.example");
    let hosting = api.token("hosting@qmi.example");

    // The programme team: programme operators only.
    let refused = api.post(
        "/api/admin/invitations",
        Some(&hosting),
        &json!({ "email": "x@example.org" }),
    );
    assert_eq!(refused.status, 403, "{refused:?}");
    let email = "alex.equipe@example.org";
    let joined =
        qmi_tests::invite::to_programme(&server, &programme, email, Some("Alex Équipe"), PASSWORD);
    let me = api.me(joined.access_token.as_deref().unwrap());
    assert_eq!(me["platform_roles"], json!(["programme"]));
    assert_eq!(me["name"], "Alex Équipe");
    assert_eq!(
        api.get("/api/admin/invitations", Some(&programme)).body,
        json!([])
    );

    // An organisation: a member invites a newcomer, who joins through the link.
    let partner = api.token("partner@solaire-urbain.example");
    let org = api.me(&partner)["organisation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let email = "sam.solaire@example.org";
    let r = api.post(
        &format!("/api/organisations/{org}/members"),
        Some(&partner),
        &json!({ "email": email }),
    );
    assert_eq!(r.status, 202, "{r:?}");
    let listed = api.get(
        &format!("/api/organisations/{org}/invitations"),
        Some(&partner),
    );
    assert_eq!(listed.status, 200, "{listed:?}");
    assert_eq!(listed.body[0]["joining"]["kind"], "organisation");
    assert_eq!(listed.body[0]["joining"]["name"], "Solaire Urbain");
    let token = next_link_token(&server, email, "/invitation/", 0);
    let accepted = api.post(
        &format!("/api/auth/invitations/{token}/accept"),
        None,
        &json!({ "name": "Sam Solaire", "password": PASSWORD }),
    );
    assert_eq!(accepted.status, 200, "{accepted:?}");
    let me = api.me(accepted.body["access_token"].as_str().unwrap());
    assert_eq!(me["organisation"]["id"], org.as_str());
    let members = api.get(&format!("/api/organisations/{org}/members"), Some(&partner));
    assert!(
        members
            .body
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["email"] == email),
        "{members:?}"
    );

    // Another organisation's member neither lists nor revokes them.
    let gruene = api.token("partner@gruene-wege.example");
    assert_eq!(
        api.get(
            &format!("/api/organisations/{org}/invitations"),
            Some(&gruene)
        )
        .status,
        403
    );
}

#[test]
fn bad_input_names_the_field() {
    let server = server();
    let api = Api::new(&server, DEMO);
    let admin = api.token("admin.saint-denis@qmi.example");
    let r = api.post(
        &format!("/api/communes/{SAINT_DENIS}/members"),
        Some(&admin),
        &json!({ "email": "pas une adresse", "role": "agent" }),
    );
    // A value that does not parse is refused as the body is read (400), naming it.
    assert!(matches!(r.status, 400 | 422), "{r:?}");
    assert_eq!(r.fields(), ["email"], "{r:?}");
    let r = api.post(
        &format!("/api/communes/{SAINT_DENIS}/members"),
        Some(&admin),
        &json!({ "email": "a@example.org", "role": "agent", "name": "x\u{0}" }),
    );
    assert_eq!(
        (r.status, r.fields()),
        (422, vec!["name".to_owned()]),
        "{r:?}"
    );

    let email = "court@example.org";
    let r = api.post(
        &format!("/api/communes/{SAINT_DENIS}/members"),
        Some(&admin),
        &json!({ "email": email, "role": "agent" }),
    );
    assert_eq!(r.status, 202);
    let token = next_link_token(&server, email, "/invitation/", 0);
    let accept = |body: Value| {
        api.post(
            &format!("/api/auth/invitations/{token}/accept"),
            None,
            &body,
        )
    };
    let r = accept(json!({ "name": "Court", "password": "court" }));
    assert_eq!(
        (r.status, r.fields()),
        (422, vec!["password".to_owned()]),
        "{r:?}"
    );
    let r = accept(json!({ "password": PASSWORD }));
    assert_eq!(
        (r.status, r.fields()),
        (422, vec!["name".to_owned()]),
        "{r:?}"
    );
    let r = accept(json!({ "name": "Court", "password": PASSWORD, "lang": "de" }));
    assert!(matches!(r.status, 400 | 422), "{r:?}");
    assert_eq!(r.fields(), ["lang"], "{r:?}");
    // Refused input used nothing up.
    assert_eq!(
        accept(json!({ "name": "Court", "password": PASSWORD })).status,
        200
    );
}

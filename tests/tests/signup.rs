//! Partner sign-up over HTTP (issue 12), under `qmi up` with the development mailbox
//! and the manual clock: an account is created with the same answer whether or not
//! the address is taken, confirmed by a single-use link (24 hours) before it may create
//! or join an organisation, then finds an organisation by name or SIRET and asks to
//! join it; a member approves or refuses.

#[path = "support/people.rs"]
mod support;

use qmi_tests::QmiServer;
use qmi_tests::app;
use serde_json::{Value, json};
use support::{Api, links_received, next_link_token, without};

const DEMO: &str = "signup-tests-password";
const PASSWORD: &str = "un mot de passe bien long";

fn server() -> QmiServer {
    app::up(&["identity", "notifications"], DEMO)
        .manual_clock()
        .start()
}

fn sign_up(api: &Api, email: &str, name: &str) -> (u16, Value) {
    let r = api.post(
        "/api/auth/sign-up",
        None,
        &json!({ "email": email, "name": name, "password": PASSWORD, "lang": "fr" }),
    );
    (r.status, r.body)
}

fn confirm(api: &Api, token: &str) -> support::Res {
    api.post("/api/auth/confirm-email", None, &json!({ "token": token }))
}

/// A confirmed partner account without an organisation; its access token.
fn confirmed(api: &Api, email: &str, name: &str) -> String {
    let before = links_received(api.server, email, "/confirmer/");
    let (status, _) = sign_up(api, email, name);
    assert_eq!(status, 202);
    let token = next_link_token(api.server, email, "/confirmer/", before);
    let r = confirm(api, &token);
    assert_eq!(r.status, 200, "{r:?}");
    r.body["access_token"].as_str().unwrap().to_owned()
}

const NEW_ORG: fn(&str) -> Value =
    |name| json!({ "name": name, "kind": "startup", "country": "FR", "siret": "12002701600357" });

#[test]
fn a_partner_signs_up_confirms_and_only_then_creates_its_organisation() {
    let server = server();
    let api = Api::new(&server, DEMO);
    let email = "lea.startup@example.org";
    let (status, answer) = sign_up(&api, email, "Léa Startup");
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer, json!({ "email": email, "expires_in": 86400 }));

    // Signed in before confirming: no organisation yet (the policy's answer).
    let early = api.sign_in_with(email, PASSWORD);
    assert_eq!(early.status, 200, "{early:?}");
    let early = early.body["access_token"].as_str().unwrap().to_owned();
    let refused = api.post("/api/organisations", Some(&early), &NEW_ORG("Toits Verts"));
    assert_eq!(
        (refused.status, refused.problem()),
        (403, "email-unconfirmed"),
        "{refused:?}"
    );

    let token = next_link_token(&server, email, "/confirmer/", 0);
    let confirmed = confirm(&api, &token);
    assert_eq!(confirmed.status, 200, "{confirmed:?}");
    let access = confirmed.body["access_token"].as_str().unwrap();
    let me = api.me(access);
    assert_eq!(
        (me["name"].as_str(), me["lang"].as_str()),
        (Some("Léa Startup"), Some("fr"))
    );
    // Single use.
    let again = confirm(&api, &token);
    assert_eq!(
        (again.status, again.problem()),
        (410, "link-unavailable"),
        "{again:?}"
    );

    let org = api.post("/api/organisations", Some(access), &NEW_ORG("Toits Verts"));
    assert_eq!(org.status, 201, "{org:?}");
    // The new token says so.
    let fresh = api.token_with(email, PASSWORD);
    assert_eq!(api.me(&fresh)["organisation"]["name"], "Toits Verts");
}

#[test]
fn the_answer_is_the_same_whether_or_not_the_address_is_taken() {
    let server = server();
    let api = Api::new(&server, DEMO);
    let (taken_status, taken) = sign_up(&api, "partner@solaire-urbain.example", "Quelqu'un");
    let (free_status, free) = sign_up(&api, "libre@example.org", "Quelqu'un");
    assert_eq!((taken_status, free_status), (202, 202));
    assert_eq!(without(&taken, &["email"]), without(&free, &["email"]));
    // The owner of the taken address gets a password reset link instead (it may have
    // forgotten its account); its password is unchanged.
    server
        .mailbox()
        .wait_for("partner@solaire-urbain.example", |m| {
            m.link("/reinitialiser/").is_some()
        });
    assert_eq!(
        links_received(&server, "partner@solaire-urbain.example", "/confirmer/"),
        0
    );
    assert_eq!(
        api.sign_in_with("partner@solaire-urbain.example", PASSWORD)
            .status,
        401
    );
    assert_eq!(
        api.sign_in_with("partner@solaire-urbain.example", DEMO)
            .status,
        200
    );
}

#[test]
fn confirmation_links_expire_after_a_day_and_the_link_followed_sets_the_password() {
    let server = server();
    let api = Api::new(&server, DEMO);
    let email = "tardif@example.org";
    let (status, _) = sign_up(&api, email, "Premier");
    assert_eq!(status, 202);
    let first = next_link_token(&server, email, "/confirmer/", 0);
    server.mailbox().advance_clock(24 * 3600 + 1);
    let r = confirm(&api, &first);
    assert_eq!((r.status, r.problem()), (410, "link-unavailable"), "{r:?}");

    // Signing up again sends a new link, carrying this attempt's password and name.
    let r = api.post(
        "/api/auth/sign-up",
        None,
        &json!({ "email": email, "name": "Second", "password": "un autre mot de passe long" }),
    );
    assert_eq!(r.status, 202);
    let second = next_link_token(&server, email, "/confirmer/", 1);
    let r = confirm(&api, &second);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        api.me(r.body["access_token"].as_str().unwrap())["name"],
        "Second"
    );
    assert_eq!(
        api.sign_in_with(email, "un autre mot de passe long").status,
        200
    );
    assert_eq!(api.sign_in_with(email, PASSWORD).status, 401);
}

#[test]
fn a_partner_finds_an_organisation_and_asks_to_join_it() {
    let server = server();
    let api = Api::new(&server, DEMO);
    let member = api.token("partner@solaire-urbain.example");
    let org = api.me(&member)["organisation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Unconfirmed: finds what the public finds in the directory (issue 16), and
    // cannot ask.
    let (status, _) = sign_up(&api, "pas.confirme@example.org", "Pas Confirmé");
    assert_eq!(status, 202);
    let unconfirmed = api.token_with("pas.confirme@example.org", PASSWORD);
    let found = api.get("/api/organisations?q=solaire", Some(&unconfirmed));
    let public = api.get("/api/organisations?q=solaire", None);
    assert_eq!(found.body["items"], public.body["items"], "{found:?}");
    let r = api.post(
        &format!("/api/organisations/{org}/join-requests"),
        Some(&unconfirmed),
        &json!({}),
    );
    assert_eq!((r.status, r.problem()), (403, "email-unconfirmed"), "{r:?}");

    // Confirmed: found by name (accents and case aside) or SIRET.
    let sam = confirmed(&api, "sam.rejoint@example.org", "Sam Rejoint");
    for query in ["q=SOLAIRE%20urb", "siret=81234567800013"] {
        let found = api.get(&format!("/api/organisations?{query}"), Some(&sam));
        assert_eq!(found.status, 200, "{found:?}");
        let ids: Vec<&str> = found.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap())
            .collect();
        // The name match first (other profiles may mention the words).
        assert_eq!(ids.first(), Some(&org.as_str()), "{query}: {found:?}");
    }
    // Without a search, the public directory: no profile that is not public.
    let listed = api.get("/api/organisations?limit=100", Some(&sam));
    assert_eq!(listed.status, 200, "{listed:?}");
    let items = listed.body["items"].as_array().unwrap();
    assert!(!items.is_empty(), "{listed:?}");
    assert!(items.iter().all(|o| o["public"] == true), "{listed:?}");

    let asked = api.post(
        &format!("/api/organisations/{org}/join-requests"),
        Some(&sam),
        &json!({}),
    );
    assert_eq!(asked.status, 202, "{asked:?}");
    assert_eq!(asked.body["status"], "pending");
    // Asking again answers the same request.
    let again = api.post(
        &format!("/api/organisations/{org}/join-requests"),
        Some(&sam),
        &json!({}),
    );
    assert_eq!(again.body["id"], asked.body["id"]);
    let listed = api.get(
        &format!("/api/organisations/{org}/join-requests"),
        Some(&member),
    );
    assert_eq!(listed.status, 200, "{listed:?}");
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    assert_eq!(listed.body[0]["email"], "sam.rejoint@example.org");
    // Another organisation's member neither lists nor answers it.
    let gruene = api.token("partner@gruene-wege.example");
    let id = asked.body["id"].as_str().unwrap();
    assert_eq!(
        api.get(
            &format!("/api/organisations/{org}/join-requests"),
            Some(&gruene)
        )
        .status,
        403
    );
    assert_eq!(
        api.post(
            &format!("/api/organisations/{org}/join-requests/{id}/approve"),
            Some(&gruene),
            &json!({})
        )
        .status,
        403
    );

    let approved = api.post(
        &format!("/api/organisations/{org}/join-requests/{id}/approve"),
        Some(&member),
        &json!({}),
    );
    assert_eq!(approved.status, 200, "{approved:?}");
    assert_eq!(approved.body["status"], "approved");
    // The old token is refused (rights version raised); a new one says so.
    assert_eq!(api.get("/api/me", Some(&sam)).status, 401);
    let sam = api.token_with("sam.rejoint@example.org", PASSWORD);
    assert_eq!(api.me(&sam)["organisation"]["id"], org.as_str());
    // Answered once.
    let twice = api.post(
        &format!("/api/organisations/{org}/join-requests/{id}/refuse"),
        Some(&member),
        &json!({}),
    );
    assert_eq!(twice.status, 404, "{twice:?}");

    // A refusal leaves the requester without an organisation.
    let kim = confirmed(&api, "kim.refuse@example.org", "Kim Refusé");
    let asked = api.post(
        &format!("/api/organisations/{org}/join-requests"),
        Some(&kim),
        &json!({}),
    );
    let id = asked.body["id"].as_str().unwrap();
    let refused = api.post(
        &format!("/api/organisations/{org}/join-requests/{id}/refuse"),
        Some(&member),
        &json!({}),
    );
    assert_eq!(
        (refused.status, refused.body["status"].as_str()),
        (200, Some("refused"))
    );
    assert!(api.me(&kim)["organisation"].is_null());
    // The person who asked is told, in the app and by e-mail.
    let told = server
        .mailbox()
        .wait_for("kim.refuse@example.org", |m| m.subject.contains("refusée"));
    assert!(told.text.contains("/espace/organisation"), "{}", told.text);
    assert_eq!(
        api.get(
            &format!("/api/organisations/{org}/join-requests"),
            Some(&member)
        )
        .body,
        json!([])
    );
}

#[test]
fn bad_input_names_the_field() {
    let server = server();
    let api = Api::new(&server, DEMO);
    let r = api.post(
        "/api/auth/sign-up",
        None,
        &json!({ "email": "x@example.org", "name": "X", "password": "court" }),
    );
    assert_eq!(
        (r.status, r.fields()),
        (422, vec!["password".to_owned()]),
        "{r:?}"
    );
    let r = api.post(
        "/api/auth/sign-up",
        None,
        &json!({ "email": "x@example.org", "name": " ", "password": PASSWORD }),
    );
    assert_eq!(
        (r.status, r.fields()),
        (422, vec!["name".to_owned()]),
        "{r:?}"
    );
    let r = api.post(
        "/api/auth/sign-up",
        None,
        &json!({ "email": "pas une adresse", "name": "X", "password": PASSWORD }),
    );
    assert!(matches!(r.status, 400 | 422), "{r:?}");
    assert_eq!(r.fields(), ["email"], "{r:?}");
    let sam = confirmed(&api, "champs@example.org", "Champs");
    let long = format!("q={}", "mot ".repeat(60));
    for (query, field) in [
        (long.as_str(), "q"),
        ("siret=123", "siret"),
        ("kind=banque", "kind"),
    ] {
        let r = api.get(&format!("/api/organisations?{query}"), Some(&sam));
        assert!(matches!(r.status, 400 | 422), "{r:?}");
        assert_eq!(r.fields(), vec![field.to_owned()], "{r:?}");
    }
    assert_eq!(links_received(&server, "x@example.org", "/confirmer/"), 0);
}

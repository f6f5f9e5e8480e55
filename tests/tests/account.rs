//! The account page over HTTP (issue 12), under `qmi up` with the manual clock
//! and the development mailbox: name and language, a change of e-mail applied
//! only once the link sent to the new address is followed, and the signed-in
//! sessions, listed and signed out one by one (another account's: 404). People
//! sign up through the API; no demo account is used.

#[path = "support/accounts.rs"]
mod support;

use serde_json::json;
use support::{Api, Tokens, next_mail, seen, server, token_of, unique_email};

const PASSWORD: &str = "un mot de passe solide";

#[test]
fn name_and_language_change_and_bad_input_names_the_field() {
    let server = server();
    let api = Api::new(&server);
    let mailbox = server.mailbox();
    let jo = api.sign_up(&mailbox, "Jo Profil", PASSWORD);
    let access = jo.tokens.access.as_str();
    let patch =
        |body: serde_json::Value| api.send("PATCH", "/api/me", Some(access), Some(&body), &[]);

    let r = patch(json!({ "name": "  Jo Nouveau Nom  ", "lang": "en" }));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["name"], "Jo Nouveau Nom");
    assert_eq!(r.body["lang"], "en");
    assert_eq!(r.body["email"], jo.email.as_str());
    let me = api.get("/api/me", Some(access));
    assert_eq!(
        (me.body["name"].clone(), me.body["lang"].clone()),
        (json!("Jo Nouveau Nom"), json!("en"))
    );

    // Only what is given changes.
    let r = patch(json!({ "lang": "fr" }));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        (r.body["name"].clone(), r.body["lang"].clone()),
        (json!("Jo Nouveau Nom"), json!("fr"))
    );

    for (body, field) in [
        (json!({ "name": "Jo\u{0}Nul" }), "name"),
        (json!({ "name": "ligne\ncassée" }), "name"),
        (json!({ "name": "   " }), "name"),
        (json!({ "name": "x".repeat(201) }), "name"),
    ] {
        let r = patch(body.clone());
        assert_eq!(r.status, 422, "{body}: {r:?}");
        assert!(r.names(field), "{body}: {r:?}");
    }
    for (body, field) in [
        (json!({ "lang": "de" }), "lang"),
        (json!({ "email": "autre@example.org" }), ""),
    ] {
        let r = patch(body.clone());
        assert!(r.status == 400 || r.status == 422, "{body}: {r:?}");
        if !field.is_empty() {
            assert!(r.names(field), "{body}: {r:?}");
        }
    }
    assert_eq!(
        api.get("/api/me", Some(access)).body["name"],
        "Jo Nouveau Nom"
    );
    // Without a token: 401.
    assert_eq!(
        api.send(
            "PATCH",
            "/api/me",
            None,
            Some(&json!({ "lang": "en" })),
            &[]
        )
        .status,
        401
    );
}

#[test]
fn a_new_email_applies_only_once_confirmed_by_the_link_sent_to_it() {
    let server = server();
    let api = Api::new(&server);
    let mailbox = server.mailbox();
    let kim = api.sign_up(&mailbox, "Kim Adresse", PASSWORD);
    let taken = api.sign_up(&mailbox, "Lou Occupe", PASSWORD);
    let access = kim.tokens.access.as_str();
    let change = |email: &str, password: &str| {
        api.post(
            "/api/me/email",
            Some(access),
            &json!({ "email": email, "password": password }),
        )
    };
    let new_email = unique_email("kim nouvelle");

    // Bad input and a wrong password name their field.
    let r = change("pas une adresse", PASSWORD);
    assert_eq!(r.status, 422, "{r:?}");
    assert!(r.names("email"), "{r:?}");
    let r = change(&new_email, "pas le bon mot de passe");
    assert_eq!(r.status, 403, "{r:?}");
    assert!(r.names("password"), "{r:?}");
    let r = change(&kim.email, PASSWORD);
    assert_eq!(r.status, 422, "{r:?}");
    assert!(r.names("email"), "{r:?}");

    // Another account's address: the same answer, and nothing is sent there.
    let taken_before = seen(&mailbox, &taken.email);
    let r = change(&taken.email, PASSWORD);
    assert_eq!(r.status, 202, "{r:?}");
    assert_eq!(r.body, json!({ "email": taken.email, "expires_in": 86400 }));

    let r = change(&new_email.to_uppercase(), PASSWORD);
    assert_eq!(r.status, 202, "{r:?}");
    assert_eq!(r.body, json!({ "email": new_email, "expires_in": 86400 }));
    let mail = next_mail(&mailbox, &new_email, &[], |m| {
        m.link("/confirmer/").is_some()
    });
    let token = token_of(&mailbox.link_in(&mail, "/confirmer/"));
    assert_eq!(
        seen(&mailbox, &taken.email),
        taken_before,
        "nothing goes to a taken address"
    );

    // Not applied yet.
    assert_eq!(
        api.get("/api/me", Some(access)).body["email"],
        kim.email.as_str()
    );
    assert_eq!(api.sign_in(&new_email, PASSWORD).status, 401);
    assert_eq!(api.sign_in(&kim.email, PASSWORD).status, 200);

    // Confirmed: the address changes, the person is signed in, older tokens renew.
    let r = api.post("/api/auth/confirm-email", None, &json!({ "token": token }));
    assert_eq!(r.status, 200, "{r:?}");
    let confirmed = Tokens::of(&r);
    let me = api.get("/api/me", Some(&confirmed.access));
    assert_eq!(me.body["email"], new_email.as_str(), "{me:?}");
    assert_eq!(
        api.get("/api/me", Some(access)).status,
        401,
        "the rights version was raised"
    );
    let renewed = api.refresh(&kim.tokens.refresh);
    assert_eq!(renewed.status, 200, "{renewed:?}");
    assert_eq!(api.sign_in(&new_email, PASSWORD).status, 200);
    assert_eq!(api.sign_in(&kim.email, PASSWORD).status, 401);

    // Single use.
    let r = api.post("/api/auth/confirm-email", None, &json!({ "token": token }));
    assert_eq!(r.status, 410, "{r:?}");
}

#[test]
fn an_email_change_link_expires_after_24_hours_and_a_new_request_replaces_it() {
    let server = server();
    let api = Api::new(&server);
    let mailbox = server.mailbox();
    let max = api.sign_up(&mailbox, "Max Delai", PASSWORD);
    let first_address = unique_email("max premiere");
    let second_address = unique_email("max seconde");
    let change = |access: &str, email: &str| {
        let r = api.post(
            "/api/me/email",
            Some(access),
            &json!({ "email": email, "password": PASSWORD }),
        );
        assert_eq!(r.status, 202, "{r:?}");
        let mail = next_mail(&mailbox, email, &[], |m| m.link("/confirmer/").is_some());
        token_of(&mailbox.link_in(&mail, "/confirmer/"))
    };
    let confirm =
        |token: &str| api.post("/api/auth/confirm-email", None, &json!({ "token": token }));

    let first = change(&max.tokens.access, &first_address);
    let second = change(&max.tokens.access, &second_address);
    assert_eq!(confirm(&first).status, 410, "the newer request replaced it");

    mailbox.advance_clock(24 * 3600 + 1);
    assert_eq!(confirm(&second).status, 410, "expired");
    assert_eq!(api.sign_in(&max.email, PASSWORD).status, 200);
    assert_eq!(api.sign_in(&second_address, PASSWORD).status, 401);
}

#[test]
fn sessions_are_listed_and_signed_out_one_by_one() {
    let server = server();
    let api = Api::new(&server);
    let mailbox = server.mailbox();
    let noa = api.sign_up(&mailbox, "Noa Sessions", PASSWORD);
    let other = api.sign_up(&mailbox, "Oli Voisin", PASSWORD);
    let sign_in_with = |agent: &str| {
        let r = api.send(
            "POST",
            "/api/auth/token",
            None,
            Some(&json!({ "email": noa.email, "password": PASSWORD })),
            &[("user-agent", agent)],
        );
        assert_eq!(r.status, 200, "{r:?}");
        Tokens::of(&r)
    };
    let laptop = sign_in_with("Firefox on the laptop");
    let phone = sign_in_with("Safari on the phone");
    let list = |tokens: &Tokens| {
        let r = api.send(
            "GET",
            "/api/me/sessions",
            Some(&tokens.access),
            None,
            &[("qmi-session", tokens.session.as_str())],
        );
        assert_eq!(r.status, 200, "{r:?}");
        r.body.as_array().cloned().unwrap_or_default()
    };

    let sessions = list(&laptop);
    let ids: Vec<&str> = sessions.iter().filter_map(|s| s["id"].as_str()).collect();
    for s in [&noa.tokens.session, &laptop.session, &phone.session] {
        assert!(ids.contains(&s.as_str()), "{s} in {sessions:?}");
    }
    assert_eq!(sessions.len(), 3, "{sessions:?}");
    assert!(!ids.contains(&other.tokens.session.as_str()));
    let current: Vec<&str> = sessions
        .iter()
        .filter(|s| s["current"] == true)
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert_eq!(current, [laptop.session.as_str()]);
    let agent_of = |id: &str| {
        sessions
            .iter()
            .find(|s| s["id"] == id)
            .map(|s| s["user_agent"].clone())
            .unwrap_or_default()
    };
    assert_eq!(agent_of(&laptop.session), "Firefox on the laptop");
    assert_eq!(agent_of(&phone.session), "Safari on the phone");
    for s in &sessions {
        assert!(
            s["started_at"].as_str().is_some_and(|t| t.ends_with('Z')),
            "{s}"
        );
        assert!(
            s["last_used_at"].as_str().is_some_and(|t| t.ends_with('Z')),
            "{s}"
        );
    }

    // A renewal keeps its session.
    let r = api.refresh(&phone.refresh);
    assert_eq!(r.status, 200, "{r:?}");
    let phone = Tokens::of(&r);
    assert_eq!(list(&phone).len(), 3);

    // Another account's session, or one that does not exist: 404, and it lives on.
    let delete = |tokens: &Tokens, id: &str| {
        api.send(
            "DELETE",
            &format!("/api/me/sessions/{id}"),
            Some(&tokens.access),
            None,
            &[],
        )
    };
    assert_eq!(delete(&laptop, &other.tokens.session).status, 404);
    assert_eq!(
        delete(&laptop, "01900000-0000-7000-8000-000000000000").status,
        404
    );
    let r = api.refresh(&other.tokens.refresh);
    assert_eq!(
        r.status, 200,
        "another account's session still works: {r:?}"
    );

    // The phone is signed out from the laptop.
    assert_eq!(delete(&laptop, &phone.session).status, 204);
    assert_eq!(api.refresh(&phone.refresh).status, 401);
    let left: Vec<String> = list(&laptop)
        .iter()
        .filter_map(|s| s["id"].as_str().map(str::to_owned))
        .collect();
    assert!(!left.contains(&phone.session), "{left:?}");
    assert_eq!(left.len(), 2, "{left:?}");
    assert_eq!(
        delete(&laptop, &phone.session).status,
        404,
        "already signed out"
    );
    // The laptop itself still works.
    assert_eq!(api.refresh(&laptop.refresh).status, 200);
    // Without a token: 401.
    assert_eq!(api.get("/api/me/sessions", None).status, 401);
}

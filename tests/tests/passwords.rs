//! Passwords over HTTP (issue 12), under `qmi up` with the manual clock and the
//! development mailbox: a reset link e-mailed to the account (1 hour, single use,
//! superseded by a newer one), the same answer for an address with no account,
//! every session signed out by a new password, the change from the account page
//! (current password required, throttled as sign-in, other sessions signed out).
//! People sign up through the API; no demo account is used.

#[path = "support/accounts.rs"]
mod support;

use serde_json::json;
use support::{Api, next_mail, seen, server, token_of, unique_email};

const PASSWORD: &str = "un mot de passe solide";
const NEW_PASSWORD: &str = "un autre mot de passe, neuf";

fn request_reset(api: &Api, email: &str) -> support::Res {
    api.post("/api/auth/password-reset", None, &json!({ "email": email }))
}

fn confirm_reset(api: &Api, token: &str, password: &str) -> support::Res {
    api.post(
        "/api/auth/password-reset/confirm",
        None,
        &json!({ "token": token, "password": password }),
    )
}

#[test]
fn a_reset_link_sets_a_new_password_once_and_signs_every_session_out() {
    let server = server();
    let api = Api::new(&server);
    let mailbox = server.mailbox();
    let camille = api.sign_up(&mailbox, "Camille Reset", PASSWORD);
    let other_session = api.session(&camille.email, PASSWORD);

    let before = seen(&mailbox, &camille.email);
    let r = request_reset(&api, &camille.email.to_uppercase());
    assert_eq!(r.status, 202, "{r:?}");
    assert_eq!(
        r.body,
        json!({ "email": camille.email, "expires_in": 3600 })
    );
    let mail = next_mail(&mailbox, &camille.email, &before, |m| {
        m.link("/reinitialiser/").is_some()
    });
    let token = token_of(&mailbox.link_in(&mail, "/reinitialiser/"));
    assert_eq!(token.len(), 43, "256 bits, base64url: {token}");

    // A short password is refused, naming the field; the link still works after.
    let r = confirm_reset(&api, &token, "court");
    assert_eq!(r.status, 422, "{r:?}");
    assert!(r.names("password"), "{r:?}");
    assert!(
        r.content_type.starts_with("application/problem+json"),
        "{r:?}"
    );

    let before = seen(&mailbox, &camille.email);
    let r = confirm_reset(&api, &token, NEW_PASSWORD);
    assert_eq!(r.status, 204, "{r:?}");

    // Single use.
    let r = confirm_reset(&api, &token, "encore un autre mot de passe");
    assert_eq!(r.status, 410, "{r:?}");
    assert_eq!(r.problem(), "link-unavailable", "{r:?}");

    // Every session is signed out: refresh tokens are dead, and so are access tokens.
    for tokens in [&camille.tokens, &other_session] {
        assert_eq!(api.refresh(&tokens.refresh).status, 401);
        assert_eq!(api.get("/api/me", Some(&tokens.access)).status, 401);
    }
    // The old password no longer signs in; the new one does.
    assert_eq!(api.sign_in(&camille.email, PASSWORD).status, 401);
    let fresh = api.session(&camille.email, NEW_PASSWORD);
    assert_eq!(api.get("/api/me", Some(&fresh.access)).status, 200);

    // The person is told their password changed.
    next_mail(&mailbox, &camille.email, &before, |m| {
        m.link("/reinitialiser/").is_none()
    });
}

#[test]
fn a_reset_link_expires_after_an_hour() {
    let server = server();
    let api = Api::new(&server);
    let mailbox = server.mailbox();
    let dominique = api.sign_up(&mailbox, "Dominique Expire", PASSWORD);

    let before = seen(&mailbox, &dominique.email);
    assert_eq!(request_reset(&api, &dominique.email).status, 202);
    let mail = next_mail(&mailbox, &dominique.email, &before, |m| {
        m.link("/reinitialiser/").is_some()
    });
    let token = token_of(&mailbox.link_in(&mail, "/reinitialiser/"));

    mailbox.advance_clock(3600 + 1);
    let r = confirm_reset(&api, &token, NEW_PASSWORD);
    assert_eq!(r.status, 410, "{r:?}");
    assert_eq!(r.problem(), "link-unavailable", "{r:?}");
    assert_eq!(api.sign_in(&dominique.email, PASSWORD).status, 200);
    assert_eq!(api.sign_in(&dominique.email, NEW_PASSWORD).status, 401);
}

#[test]
fn a_second_request_kills_the_first_link() {
    let server = server();
    let api = Api::new(&server);
    let mailbox = server.mailbox();
    let eden = api.sign_up(&mailbox, "Eden Deux Liens", PASSWORD);

    let before = seen(&mailbox, &eden.email);
    assert_eq!(request_reset(&api, &eden.email).status, 202);
    let first = next_mail(&mailbox, &eden.email, &before, |m| {
        m.link("/reinitialiser/").is_some()
    });
    let first = token_of(&mailbox.link_in(&first, "/reinitialiser/"));
    let before = seen(&mailbox, &eden.email);
    assert_eq!(request_reset(&api, &eden.email).status, 202);
    let second = next_mail(&mailbox, &eden.email, &before, |m| {
        m.link("/reinitialiser/").is_some()
    });
    let second = token_of(&mailbox.link_in(&second, "/reinitialiser/"));
    assert_ne!(first, second);

    assert_eq!(confirm_reset(&api, &first, NEW_PASSWORD).status, 410);
    assert_eq!(confirm_reset(&api, &second, NEW_PASSWORD).status, 204);
    assert_eq!(api.sign_in(&eden.email, NEW_PASSWORD).status, 200);
    // Unknown tokens answer as used ones.
    let r = confirm_reset(
        &api,
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        NEW_PASSWORD,
    );
    assert_eq!(r.status, 410, "{r:?}");
}

#[test]
fn the_answer_is_the_same_whether_or_not_an_account_has_the_email() {
    let server = server();
    let api = Api::new(&server);
    let mailbox = server.mailbox();
    let known = api.sign_up(&mailbox, "Frede Connue", PASSWORD);
    let unknown = unique_email("personne");

    let before = seen(&mailbox, &known.email);
    let a = request_reset(&api, &known.email);
    let b = request_reset(&api, &unknown);
    assert_eq!((a.status, b.status), (202, 202), "{a:?} {b:?}");
    assert_eq!(a.content_type, b.content_type);
    // The same body, but for the address it repeats.
    assert_eq!(a.body, json!({ "email": known.email, "expires_in": 3600 }));
    assert_eq!(b.body, json!({ "email": unknown, "expires_in": 3600 }));
    // The known address gets its link; the unknown one nothing.
    next_mail(&mailbox, &known.email, &before, |m| {
        m.link("/reinitialiser/").is_some()
    });
    assert!(mailbox.messages_to(&unknown).is_empty());

    // Bad input: 422 naming the field, whoever asks.
    let r = request_reset(&api, "pas une adresse");
    assert_eq!(r.status, 422, "{r:?}");
    assert!(r.names("email"), "{r:?}");
    let r = api.post("/api/auth/password-reset", None, &json!({}));
    assert!(r.status == 400 || r.status == 422, "{r:?}");
    assert!(r.names("email"), "{r:?}");
}

#[test]
fn reset_requests_are_throttled_per_address_whether_or_not_it_has_an_account() {
    let server = server();
    let api = Api::new(&server);
    let mailbox = server.mailbox();
    let known = api.sign_up(&mailbox, "Gael Presse", PASSWORD);
    let unknown = unique_email("inconnu");
    for email in [&known.email, &unknown] {
        let statuses: Vec<u16> = (0..5).map(|_| request_reset(&api, email).status).collect();
        // Three free requests, then the address waits (the clock does not move).
        assert_eq!(statuses, [202, 202, 202, 202, 429], "{email}");
        let r = request_reset(&api, email);
        assert_eq!(r.status, 429);
        assert!(r.retry_after.is_some(), "{r:?}");
    }
    // Time passes: asking again works.
    mailbox.advance_clock(5);
    assert_eq!(request_reset(&api, &known.email).status, 202);
}

#[test]
fn changing_the_password_needs_the_current_one_and_signs_the_other_sessions_out() {
    let server = server();
    let api = Api::new(&server);
    let mailbox = server.mailbox();
    let hana = api.sign_up(&mailbox, "Hana Change", PASSWORD);
    let laptop = api.session(&hana.email, PASSWORD);
    let change = |access: &str, current: &str, new: &str| {
        api.post(
            "/api/me/password",
            Some(access),
            &json!({ "current_password": current, "new_password": new }),
        )
    };

    // Bad input names the field.
    let r = change(&hana.tokens.access, PASSWORD, "court");
    assert_eq!(r.status, 422, "{r:?}");
    assert!(r.names("new_password"), "{r:?}");
    let r = change(&hana.tokens.access, "pas le bon mot de passe", NEW_PASSWORD);
    assert_eq!(r.status, 403, "{r:?}");
    assert!(r.names("current_password"), "{r:?}");
    assert_eq!(api.sign_in(&hana.email, PASSWORD).status, 200);
    let phone = api.session(&hana.email, PASSWORD);

    let before = seen(&mailbox, &hana.email);
    let r = change(&phone.access, PASSWORD, NEW_PASSWORD);
    assert_eq!(r.status, 200, "{r:?}");
    let mine = support::Tokens::of(&r);
    assert_ne!(mine.session, phone.session);

    // The caller's new session works; every other one (the caller's old tokens too) is out.
    assert_eq!(api.get("/api/me", Some(&mine.access)).status, 200);
    assert_eq!(api.refresh(&mine.refresh).status, 200);
    for other in [&hana.tokens, &laptop, &phone] {
        assert_eq!(api.refresh(&other.refresh).status, 401);
        assert_eq!(api.get("/api/me", Some(&other.access)).status, 401);
    }
    assert_eq!(api.sign_in(&hana.email, PASSWORD).status, 401);
    assert_eq!(api.sign_in(&hana.email, NEW_PASSWORD).status, 200);
    next_mail(&mailbox, &hana.email, &before, |_| true);
}

#[test]
fn wrong_current_passwords_are_throttled_as_sign_in() {
    let server = server();
    let api = Api::new(&server);
    let mailbox = server.mailbox();
    let ines = api.sign_up(&mailbox, "Ines Essais", PASSWORD);
    let access = ines.tokens.access.clone();
    let change = |current: &str| {
        api.post(
            "/api/me/password",
            Some(&access),
            &json!({ "current_password": current, "new_password": NEW_PASSWORD }),
        )
    };
    let statuses: Vec<u16> = (0..5)
        .map(|i| change(&format!("mauvais essai {i}")).status)
        .collect();
    assert_eq!(statuses, [403, 403, 403, 403, 429]);
    // While blocked, even the right password waits, and so does sign-in.
    let r = change(PASSWORD);
    assert_eq!(r.status, 429, "{r:?}");
    assert!(r.retry_after.is_some(), "{r:?}");
    assert_eq!(api.sign_in(&ines.email, PASSWORD).status, 429);
    // Once the delay is over, the right password is taken.
    mailbox.advance_clock(5);
    assert_eq!(change(PASSWORD).status, 200);
}

//! A person's data rights over HTTP (issue 18, RGPD), under `qmi up` of the real
//! application with the manual clock: the export of everything QMI holds about
//! an account, and nothing of anyone else's; the erasure of an account, after
//! which its owner cannot sign in, its token stops at once, the ranking its
//! scores entered is unchanged, and its e-mail address is in no database file,
//! byte for byte; the last admin of a commune who must hand over first; a
//! resident's feedback erased by a moderator. Everything is built through the
//! API; the demo accounts only bootstrap (operators).

#[path = "support/personal.rs"]
mod support;

use qmi_tests::app;
use qmi_tests::http::{Body, Client};
use qmi_tests::invite;
use serde_json::{Value, json};
use support::*;

#[test]
fn an_export_holds_what_names_the_account_and_nothing_of_anyone_else() {
    let server = server();
    let w = build(&server, "44109");
    review(&server, &w);
    let api = Client::new(&server);

    assert_eq!(api.get("/api/me/export", None).status, 401);
    let (r, data) = export(&api, &w.p);
    let disposition = r.header("content-disposition").unwrap_or_default();
    assert!(
        disposition.starts_with("attachment; filename=\"qmi-mes-donnees-")
            && disposition.ends_with(".json\""),
        "{disposition}"
    );
    assert!(r.content_type.starts_with("application/json"), "{r:?}");
    assert_eq!(data["format"], "qmi-personal-data/1");
    assert_eq!(data["account_id"], w.p.id.as_str());
    let services: Vec<&str> = data["services"]
        .as_object()
        .expect("services")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        services,
        [
            "applications",
            "districts",
            "experiments",
            "identity",
            "notifications",
            "partners"
        ]
    );
    let identity = &data["services"]["identity"]["records"];
    assert_eq!(identity["account"][0]["email"], w.p.email.as_str());
    assert_eq!(identity["account"][0]["name"], w.p.name.as_str());
    assert_eq!(identity["organisation"][0]["id"], w.org.as_str());
    assert!(
        !ids(&identity["sessions"], "family_id").is_empty(),
        "{identity}"
    );
    // P invited Q: the invitation is listed, Q's address and name are not.
    assert_eq!(
        identity["invitations_sent"].as_array().map(Vec::len),
        Some(1)
    );
    let applications = &data["services"]["applications"]["records"];
    assert_eq!(ids(&applications["applications"], "id"), [w.app_p.as_str()]);
    assert_eq!(
        applications["applications"][0]["answers"]
            .as_str()
            .map(|a| a.contains("des arbres")),
        Some(true)
    );
    // The audit entries naming P: their application's, and their sign-ins.
    let audit = applications["audit"].as_array().expect("audit entries");
    assert!(
        audit.iter().any(|e| e["record_id"] == w.app_p.as_str()),
        "{audit:?}"
    );
    assert!(
        data["services"]["identity"]["records"]["audit"]
            .as_array()
            .is_some_and(|a| a.iter().any(|e| e["action"] == "sign-in")),
        "{data}"
    );
    let notifications = &data["services"]["notifications"]["records"];
    assert_eq!(notifications["directory"][0]["email"], w.p.email.as_str());
    // Nobody else's address or name, anywhere in the file.
    for other in [&w.q, &w.admin, &w.reviewer, &w.second_reviewer] {
        for text in [other.email.as_str(), other.name.as_str()] {
            assert!(!r.text.contains(text), "P's export holds {text:?}");
        }
    }
    assert!(!r.text.contains("password_hash") && !r.text.contains("token_hash"));

    // A reviewer's export: assignments and scores, by application id only.
    let (r, data) = export(&api, &w.reviewer);
    let applications = &data["services"]["applications"]["records"];
    assert_eq!(applications["scores"].as_array().map(Vec::len), Some(4));
    let mut assigned = ids(&applications["assignments"], "application_id");
    assigned.sort();
    let mut expected = vec![w.app_p.clone(), w.app_q.clone()];
    expected.sort();
    assert_eq!(assigned, expected);
    assert_eq!(
        ids(
            &data["services"]["identity"]["records"]["memberships"],
            "insee"
        ),
        [w.insee]
    );
    for other in [&w.p, &w.q, &w.admin, &w.second_reviewer] {
        assert!(!r.text.contains(&other.email), "{}", other.email);
        assert!(!r.text.contains(&other.name), "{}", other.name);
    }
}

#[test]
fn an_erased_reviewer_is_gone_but_their_scores_still_rank_and_a_last_admin_hands_over_first() {
    let server = server();
    let w = build(&server, "35238");
    review(&server, &w);
    let api = Client::new(&server);
    let ranking = format!("/api/calls/{}/ranking", w.call);
    let before = ok(api.get(&ranking, Some(&w.admin.token)), "ranking");
    let erase = |who: &Person, body: Option<Value>| {
        let body = body.as_ref();
        api.request(
            "DELETE",
            "/api/me",
            Some(&who.token),
            body.map_or(Body::None, Body::Json),
            &[],
        )
    };

    // Bad input: the password is named; nothing happens.
    for body in [None, Some(json!({})), Some(json!({ "password": "" }))] {
        let r = erase(&w.reviewer, body.clone());
        assert!((400..500).contains(&r.status), "{body:?}: {r:?}");
        assert!(r.names("password"), "{body:?}: {r:?}");
    }
    let r = erase(&w.reviewer, Some(json!({ "password": "not the password" })));
    assert_eq!(r.status, 403, "{r:?}");
    assert!(r.names("password"), "{r:?}");
    let r = api.request(
        "DELETE",
        "/api/me",
        None,
        Body::Json(&json!({ "password": PASSWORD })),
        &[],
    );
    assert_eq!(r.status, 401, "{r:?}");
    assert_eq!(api.get("/api/me", Some(&w.reviewer.token)).status, 200);

    // The positive control: before the erasure, the scan finds the address.
    if on_sqlite() {
        let mut files = Vec::new();
        database_files(server.work_dir(), &mut files);
        assert!(
            files.iter().any(|(_, b)| contains(b, &w.reviewer.email)),
            "the scan does not see the address before the erasure"
        );
    }

    // The erasure.
    let r = erase(&w.reviewer, Some(json!({ "password": PASSWORD })));
    assert_eq!(r.status, 204, "{r:?}");
    let r = sign_in(&api, &w.reviewer.email);
    assert_eq!(r.status, 401, "sign-in after erasure: {r:?}");
    assert_eq!(
        api.get("/api/me", Some(&w.reviewer.token)).status,
        401,
        "the access token it held stops at once"
    );
    let r = api.post(
        "/api/auth/refresh",
        None,
        &json!({ "refresh_token": w.reviewer.refresh }),
    );
    assert_eq!(r.status, 401, "{r:?}");

    // The ranking: the same applications, scores and order; the reviewer's
    // progress under an anonymous id.
    let after = ok(api.get(&ranking, Some(&w.admin.token)), "ranking");
    assert_eq!(after["applications"], before["applications"]);
    assert!(
        before["applications"][0]["weighted_score"].is_number(),
        "{before}"
    );
    let progress = |v: &Value| -> Vec<Value> {
        let mut p: Vec<Value> = v["reviewers"]
            .as_array()
            .expect("reviewers")
            .iter()
            .map(|r| json!([r["assigned"], r["done"], r["recused"]]))
            .collect();
        p.sort_by_key(|x| x.to_string());
        p
    };
    assert_eq!(progress(&after), progress(&before));
    let text = after.to_string();
    assert!(!text.contains(&w.reviewer.id), "{text}");
    assert!(text.contains("compte-supprime-"), "{text}");
    // The application's reviews keep both sheets.
    let reviews = ok(
        api.get(
            &format!("/api/applications/{}/reviews", w.app_p),
            Some(&w.admin.token),
        ),
        "reviews",
    );
    assert_eq!(reviews.as_array().map(Vec::len), Some(2), "{reviews}");

    // The address is in no database file, in any case, in no log.
    if on_sqlite() {
        let mut files = Vec::new();
        database_files(server.work_dir(), &mut files);
        assert!(
            files.iter().any(|(n, _)| n.ends_with("identity.db")),
            "no database found under {}",
            server.work_dir().display()
        );
        assert_ne!(w.reviewer.typed, w.reviewer.email);
        for (name, bytes) in &files {
            for form in [w.reviewer.email.as_str(), w.reviewer.typed.as_str()] {
                assert!(!contains(bytes, form), "{form} is still in {name}");
            }
        }
    }

    // The commune's last admin: refused, the commune named, until another admin
    // takes over.
    let r = erase(&w.admin, Some(json!({ "password": PASSWORD })));
    assert_eq!(r.status, 409, "{r:?}");
    let detail = r.body["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains(w.insee) && detail.contains(&w.commune) && detail.contains("hand"),
        "{detail}"
    );
    assert_eq!(sign_in(&api, &w.admin.email).status, 200, "nothing erased");
    invite::to_commune(
        &server,
        &w.programme,
        w.insee,
        &format!("relay.{}", w.admin.email),
        "admin",
        Some("Relève"),
        PASSWORD,
    );
    let r = erase(&w.admin, Some(json!({ "password": PASSWORD })));
    assert_eq!(r.status, 204, "{r:?}");
    assert_eq!(sign_in(&api, &w.admin.email).status, 401);
    // The call it created stays the commune's, its ranking the same.
    let again = ok(api.get(&ranking, Some(&w.programme)), "ranking");
    assert_eq!(again["applications"], before["applications"]);

    // The retention pass runs beside the server, on the same files, and keeps
    // what is still due (the ranking reads the same).
    if on_sqlite() {
        let out = std::process::Command::new(qmi_tests::qmi_bin())
            .current_dir(server.work_dir())
            .arg("maintenance")
            .arg("-f")
            .arg(app::root_manifest())
            .args(["--runtime-config-file", "runtime-config.toml", "--data-dir"])
            .arg(server.data_dir())
            .output()
            .expect("qmi maintenance runs");
        let printed = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{printed}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            printed.contains("identity: ") && printed.contains("expired refresh tokens"),
            "{printed}"
        );
        assert!(printed.contains("notifications: "), "{printed}");
        let again = ok(api.get(&ranking, Some(&w.programme)), "ranking");
        assert_eq!(again["applications"], before["applications"]);
    }
}

#[test]
fn a_moderator_erases_a_residents_feedback_on_request() {
    let server = server();
    let w = build(&server, "21231");
    let api = Client::new(&server);
    let agent = {
        let email = format!("agent.{}", w.admin.email);
        let joined = invite::to_commune(
            &server,
            &w.programme,
            w.insee,
            &email,
            "agent",
            Some("Agent"),
            PASSWORD,
        );
        person(&api, &email, "Agent", joined.account_id)
    };
    // P's application selected, the decisions published, the experiment made
    // and published.
    let step = |to: &str| {
        ok(
            api.post(
                &format!("/api/applications/{}/transitions", w.app_p),
                Some(&w.admin.token),
                &json!({ "to": to, "reason": "Retenue" }),
            ),
            to,
        );
    };
    step("shortlisted");
    ok(
        api.post(
            &format!("/api/calls/{}/close", w.call),
            Some(&w.admin.token),
            &json!({ "reason": "Décider" }),
        ),
        "close",
    );
    step("selected");
    ok(
        api.post(
            &format!("/api/calls/{}/decisions/publish", w.call),
            Some(&w.admin.token),
            &json!({}),
        ),
        "publish decisions",
    );
    let experiment = ok(
        api.post(
            &format!("/api/experiments/communes/{}", w.insee),
            Some(&w.admin.token),
            &json!({ "application_id": w.app_p, "starts_on": "2026-01-15" }),
        ),
        "create experiment",
    );
    let id = experiment["id"].as_str().expect("id").to_owned();
    let path = format!("/api/experiments/{id}");
    let mut details = experiment.clone();
    for k in [
        "id",
        "insee",
        "commune_name",
        "district",
        "application_id",
        "call_id",
        "partners",
        "status",
        "next",
        "outcome",
        "spread_from",
        "spread_to",
        "history",
        "created_at",
    ] {
        details.as_object_mut().expect("object").remove(k);
    }
    details["published"] = json!(true);
    ok(
        api.send("PUT", &path, Some(&w.admin.token), Some(&details)),
        "publish",
    );

    let resident = format!("resident.{}@riverains.example", run_tag());
    let feedback = format!("{path}/feedback");
    let r = api.post(
        &feedback,
        None,
        &json!({ "text": "Effacez-moi, s'il vous plaît", "rating": 4, "first_name": "Léa",
                 "email": resident, "consent": true }),
    );
    assert_eq!(r.status, 202, "{r:?}");
    let r = api.post(&feedback, None, &json!({ "text": "Je reste", "rating": 5 }));
    assert_eq!(r.status, 202, "{r:?}");
    let listed = ok(api.get(&feedback, Some(&agent.token)), "moderation list");
    let entry = listed
        .as_array()
        .expect("feedback")
        .iter()
        .find(|f| f["email"] == resident.as_str())
        .expect("the resident's feedback")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let one = format!("{feedback}/{entry}");

    // Who may not: anonymous, a reviewer, the holder's partner; an unknown one.
    assert_eq!(api.delete(&one, None).status, 401);
    for who in [&w.reviewer, &w.p] {
        let r = api.delete(&one, Some(&who.token));
        assert!(matches!(r.status, 403 | 404), "{r:?}");
    }
    let r = api.delete(&format!("{feedback}/no-such-feedback"), Some(&agent.token));
    assert_eq!(r.status, 404, "{r:?}");
    assert_eq!(
        api.delete(
            &format!("/api/experiments/no-such-experiment/feedback/{entry}"),
            Some(&agent.token)
        )
        .status,
        404
    );

    if on_sqlite() {
        let mut files = Vec::new();
        database_files(server.work_dir(), &mut files);
        assert!(
            files.iter().any(|(_, b)| contains(b, &resident)),
            "the scan does not see the address before the erasure"
        );
    }

    // The moderator erases it: gone from the list, its text and address from
    // the files; the other feedback stays.
    let r = api.delete(&one, Some(&agent.token));
    assert_eq!(r.status, 204, "{r:?}");
    assert_eq!(api.delete(&one, Some(&agent.token)).status, 404, "once");
    let listed = ok(api.get(&feedback, Some(&agent.token)), "moderation list");
    let texts: Vec<&str> = listed
        .as_array()
        .expect("feedback")
        .iter()
        .filter_map(|f| f["text"].as_str())
        .collect();
    assert_eq!(texts, ["Je reste"]);
    if on_sqlite() {
        let mut files = Vec::new();
        database_files(server.work_dir(), &mut files);
        for (name, bytes) in files.iter().filter(|(n, _)| n.contains("experiments")) {
            assert!(
                !contains(bytes, &resident),
                "the address is still in {name}"
            );
            assert!(
                !contains(bytes, "Effacez-moi, s'il vous plaît"),
                "the text is still in {name}"
            );
        }
    }
}

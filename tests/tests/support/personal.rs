//! What `tests/tests/personal_data.rs` builds its worlds with: a commune with
//! its admin and two reviewers, an organisation with two members, an open call
//! they applied to (through the API only), and the scan of the database files.

use std::path::Path;

use qmi_tests::http::{Client, Res};
use qmi_tests::{QmiServer, app, invite};
use serde_json::{Value, json};

/// Every account's password, the demo accounts' included.
pub const PASSWORD: &str = "personal-data-tests-password";

/// Whether the services keep their data in SQLite files (the files are then
/// read byte by byte); on PostgreSQL they are the server's (`VACUUM` by
/// `qmi maintenance --database-url`).
pub fn on_sqlite() -> bool {
    !qmi_tests::postgres::backend_is_postgres()
}

pub fn server() -> QmiServer {
    app::up(
        &["identity", "applications", "districts", "experiments"],
        PASSWORD,
    )
    .manual_clock()
    .start()
}

pub fn ok(r: Res, what: &str) -> Value {
    assert!(
        (200..300).contains(&r.status),
        "{what}: {} {}",
        r.status,
        r.text
    );
    r.body
}

/// A tag unique to the run, for addresses and names.
pub fn run_tag() -> String {
    let mut random = [0u8; 4];
    getrandom::fill(&mut random).expect("random");
    random.iter().map(|b| format!("{b:02x}")).collect()
}

/// The people and records every test starts from: commune `insee` with its
/// admin and two reviewers, organisation Y with two members (P and Q), and an
/// open call of the commune to which P and Q each applied.
pub struct World {
    pub insee: &'static str,
    pub commune: String,
    pub programme: String,
    pub admin: Person,
    pub reviewer: Person,
    pub second_reviewer: Person,
    pub p: Person,
    pub q: Person,
    pub org: String,
    pub call: String,
    pub app_p: String,
    pub app_q: String,
}

#[derive(Clone, Debug)]
pub struct Person {
    pub id: String,
    /// The address as it was typed.
    pub typed: String,
    /// As QMI stores it (lower-cased).
    pub email: String,
    pub name: String,
    pub token: String,
    pub refresh: String,
}

pub fn sign_in(api: &Client, email: &str) -> Res {
    api.post(
        "/api/auth/token",
        None,
        &json!({ "email": email, "password": PASSWORD }),
    )
}

pub fn person(api: &Client, email: &str, name: &str, id: String) -> Person {
    let r = sign_in(api, email);
    assert_eq!(r.status, 200, "sign-in of {email}: {r:?}");
    Person {
        id,
        typed: email.to_owned(),
        email: email.to_lowercase(),
        name: name.to_owned(),
        token: r.str("access_token"),
        refresh: r.str("refresh_token"),
    }
}

pub fn build(server: &QmiServer, insee: &'static str) -> World {
    let api = Client::new(server);
    let run = run_tag();
    let token = |email: &str| sign_in(&api, email).str("access_token");
    let programme = token("programme@qmi.example");
    let hosting = token("hosting@qmi.example");
    let commune = format!("Donnéesville {run}");
    ok(
        api.post(
            "/api/admin/communes",
            Some(&hosting),
            &json!({ "insee": insee, "name": commune, "population": 1000, "status": "member" }),
        ),
        "create commune",
    );
    let org = ok(
        api.post(
            "/api/organisations",
            Some(&programme),
            &json!({ "name": format!("Solutions {run}"), "kind": "startup", "country": "DE" }),
        ),
        "create organisation",
    )["id"]
        .as_str()
        .expect("org id")
        .to_owned();
    let join_commune = |email: &str, role: &str, name: &str| {
        let joined =
            invite::to_commune(server, &programme, insee, email, role, Some(name), PASSWORD);
        person(&api, email, name, joined.account_id)
    };
    let admin = join_commune(
        &format!("admin.{run}@personal.example"),
        "admin",
        &format!("Adèle Admin {run}"),
    );
    // Mixed case: the address is stored lower-cased; neither form may remain.
    let reviewer = join_commune(
        &format!("Reviewer.Erased.{run}@Personal.Example"),
        "reviewer",
        &format!("Rémi Relecteur {run}"),
    );
    let second_reviewer = join_commune(
        &format!("second.{run}@personal.example"),
        "reviewer",
        &format!("Sacha Second {run}"),
    );
    let p_email = format!("p.{run}@personal.example");
    let p_name = format!("Paule Partenaire {run}");
    let joined =
        invite::to_organisation(server, &programme, &org, &p_email, Some(&p_name), PASSWORD);
    let p = person(&api, &p_email, &p_name, joined.account_id);
    // P invites a colleague: Q's address and name are Q's, never in P's export.
    let q_email = format!("q.{run}@personal.example");
    let q_name = format!("Quentin Collègue {run}");
    let joined = invite::to_organisation(server, &p.token, &org, &q_email, Some(&q_name), PASSWORD);
    let q = person(&api, &q_email, &q_name, joined.account_id);

    let now = qmi_kit::time::now().0;
    let call = ok(
        api.post(
            "/api/calls",
            Some(&admin.token),
            &json!({
                "insee": insee, "title": format!("Appel {run}"), "description": "Des cours plus fraîches",
                "themes": ["Climat"], "opens_at": qmi_kit::time::Instant(now - 3600).to_string(),
                "closes_at": "2099-12-31T23:59",
                "form": [{ "id": "pitch", "label": "Votre solution", "kind": "long_text", "required": true, "max_length": 2000 }],
                "criteria": [
                    { "id": "impact", "name": "Impact", "weight": 3 },
                    { "id": "faisabilite", "name": "Faisabilité", "weight": 1 }
                ],
                "published": true
            }),
        ),
        "create call",
    )["id"]
        .as_str()
        .expect("call id")
        .to_owned();
    let apply = |who: &Person, title: &str| {
        let id = ok(
            api.post(
                &format!("/api/calls/{call}/applications"),
                Some(&who.token),
                &json!({ "title": title, "answers": { "pitch": format!("{title}: des arbres") }, "submit": true }),
            ),
            "apply",
        )["id"]
            .as_str()
            .expect("application id")
            .to_owned();
        for to in ["eligible", "in_review"] {
            ok(
                api.post(
                    &format!("/api/applications/{id}/transitions"),
                    Some(&admin.token),
                    &json!({ "to": to }),
                ),
                "transition",
            );
        }
        id
    };
    let app_p = apply(&p, &format!("Cours Oasis {run}"));
    let app_q = apply(&q, &format!("Cours Brume {run}"));
    World {
        insee,
        commune,
        programme,
        admin,
        reviewer,
        second_reviewer,
        p,
        q,
        org,
        call,
        app_p,
        app_q,
    }
}

/// Both reviewers assigned to both applications, and their scores.
pub fn review(server: &QmiServer, w: &World) {
    let api = Client::new(server);
    ok(
        api.post(
            &format!("/api/calls/{}/assignments", w.call),
            Some(&w.admin.token),
            &json!({ "reviewers": [w.reviewer.id, w.second_reviewer.id], "per_application": 2 }),
        ),
        "assign",
    );
    for (who, app, impact, faisabilite) in [
        (&w.reviewer, &w.app_p, 5, 4),
        (&w.reviewer, &w.app_q, 1, 2),
        (&w.second_reviewer, &w.app_p, 4, 4),
        (&w.second_reviewer, &w.app_q, 3, 1),
    ] {
        ok(
            api.send(
                "PUT",
                &format!("/api/applications/{app}/review"),
                Some(&who.token),
                Some(&json!({ "scores": [
                    { "criterion": "impact", "score": impact, "comment": "Solide" },
                    { "criterion": "faisabilite", "score": faisabilite, "comment": "À suivre" }
                ] })),
            ),
            "score",
        );
    }
}

pub fn export(api: &Client, who: &Person) -> (Res, Value) {
    let r = api.get("/api/me/export", Some(&who.token));
    assert_eq!(r.status, 200, "export: {r:?}");
    let body = r.body.clone();
    (r, body)
}

pub fn ids(records: &Value, key: &str) -> Vec<String> {
    records
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|r| r[key].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Every database file under `dir` (SQLite files and their logs, the key-value
/// store's), read whole. The development mailbox (`mailbox.jsonl`) is the
/// outside world's mail server, not QMI's data.
pub fn database_files(dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            database_files(&path, out);
            continue;
        }
        let name = path.to_string_lossy().into_owned();
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let sqlite = bytes.starts_with(b"SQLite format 3\0")
            || [".db", ".sqlite", "-wal", "-shm", "-journal"]
                .iter()
                .any(|s| name.ends_with(s))
            || name.contains(".sqlite");
        if sqlite {
            out.push((name, bytes));
        }
    }
}

pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

//! The audit trail over HTTP (issue 18): every change to a commune's content
//! leaves exactly one entry in that commune's chain, in the service that made
//! it, written in the change's own transaction (a failed change leaves none);
//! refusals and sign-ins are recorded; a commune's admins and programme
//! operators read and export their commune's trail, nobody else does.
//!
//! The test builds its own world through the API: two new communes (A, B), an
//! admin each, an organisation and its partner, a call, an application.

use std::collections::BTreeMap;

use qmi_tests::http::{Client, Res};
use qmi_tests::{QmiServer, app, invite};
use serde_json::{Value, json};

const PW: &str = "audit-tests-password";
/// Commune A: Toulouse (outside the Métropole du Grand Paris, not in the demo data).
const A: &str = "31555";
/// Commune B: Nice.
const B: &str = "06088";

fn server() -> QmiServer {
    app::serve(
        &[
            "identity",
            "applications",
            "districts",
            "partners",
            "experiments",
        ],
        PW,
    )
}

struct Api<'a> {
    client: Client<'a>,
}

impl Api<'_> {
    fn send(&self, method: &str, path: &str, token: &str, body: Option<&Value>) -> Res {
        self.client.send(method, path, Some(token), body)
    }

    fn ok(&self, method: &str, path: &str, token: &str, body: Option<&Value>) -> Value {
        let r = self.send(method, path, token, body);
        assert!(
            (200..300).contains(&r.status),
            "{method} {path}: {} {}",
            r.status,
            r.text
        );
        r.body
    }

    fn sign_in(&self, email: &str, password: &str) -> String {
        let r = self.client.post(
            "/api/auth/token",
            None,
            &json!({ "email": email, "password": password }),
        );
        assert_eq!(r.status, 200, "sign-in of {email}: {}", r.text);
        r.body["access_token"]
            .as_str()
            .expect("access token")
            .to_owned()
    }

    /// Every entry of a commune's trail, newest first, following the cursor.
    fn trail(&self, token: &str, insee: &str, query: &str) -> Vec<Value> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut path = format!("/api/communes/{insee}/audit?limit=7{query}");
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let page = self.ok("GET", &path, token, None);
            items.extend(page["items"].as_array().expect("items").iter().cloned());
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => return items,
            }
        }
    }
}

/// Entries counted by (service, action).
fn kinds(entries: &[Value]) -> BTreeMap<(String, String), usize> {
    let mut out = BTreeMap::new();
    for e in entries {
        let key = (
            e["service"].as_str().unwrap_or("").to_owned(),
            e["action"].as_str().unwrap_or("").to_owned(),
        );
        *out.entry(key).or_default() += 1;
    }
    out
}

/// What `after` holds that `before` did not, by (service, action).
fn added(before: &[Value], after: &[Value]) -> BTreeMap<(String, String), usize> {
    let (b, mut a) = (kinds(before), kinds(after));
    for (k, n) in b {
        let left = a.get(&k).copied().unwrap_or(0);
        assert!(left >= n, "{k:?}: entries disappeared ({n} → {left})");
        if left == n {
            a.remove(&k);
        } else {
            a.insert(k, left - n);
        }
    }
    a
}

fn one(service: &str, action: &str) -> BTreeMap<(String, String), usize> {
    BTreeMap::from([((service.to_owned(), action.to_owned()), 1)])
}

/// Each service's entries of one chain are numbered 1, 2, … and linked by hash.
fn assert_chained(entries: &[Value]) {
    let mut by_service: BTreeMap<&str, Vec<&Value>> = BTreeMap::new();
    for e in entries {
        by_service
            .entry(e["service"].as_str().expect("service"))
            .or_default()
            .push(e);
    }
    for (service, mut chain) in by_service {
        chain.sort_by_key(|e| e["seq"].as_i64());
        for (i, e) in chain.iter().enumerate() {
            assert_eq!(e["seq"].as_i64(), Some(i as i64 + 1), "{service}: {e}");
            if i > 0 {
                assert_eq!(e["prev_hash"], chain[i - 1]["hash"], "{service}: {e}");
            }
        }
    }
}

fn call_body(insee: &str, title: &str) -> Value {
    json!({
        "insee": insee,
        "title": title,
        "description": "Un appel pour suivre le journal",
        "themes": ["Climat"],
        "challenges": ["Réduire la chaleur urbaine"],
        "eligibility": { "kinds": ["startup", "association", "sme"], "countries": [] },
        "opens_at": "2020-01-01T00:00:00Z",
        "closes_at": "2099-01-31T18:00",
        "target_selections": 1,
        "form": [{ "id": "pitch", "label": "Votre solution", "kind": "long_text", "required": true, "max_length": 500 }],
        "criteria": [{ "id": "impact", "name": "Impact", "weight": 1 }],
        "published": true
    })
}

#[test]
fn every_change_leaves_one_entry_in_its_communes_chain_and_only_its_people_read_it() {
    let server = server();
    let api = Api {
        client: Client::new(&server),
    };
    let programme = api.sign_in("programme@qmi.example", PW);
    let hosting = api.sign_in("hosting@qmi.example", PW);

    // Two communes, added by the hosting operator (the platform's chain).
    for (insee, name) in [(A, "Toulouse"), (B, "Nice")] {
        api.ok(
            "POST",
            "/api/admin/communes",
            &hosting,
            Some(&json!({ "insee": insee, "name": name, "population": 1000, "status": "member" })),
        );
    }
    let a_admin = invite::to_commune(
        &server,
        &programme,
        A,
        "admin.a@audit.example",
        "admin",
        Some("Admin A"),
        PW,
    );
    let b_admin = invite::to_commune(
        &server,
        &programme,
        B,
        "admin.b@audit.example",
        "admin",
        Some("Admin B"),
        PW,
    );
    let a = api.sign_in("admin.a@audit.example", PW);
    let b = api.sign_in("admin.b@audit.example", PW);
    let start = api.trail(&a, A, "");
    assert!(
        start
            .iter()
            .any(|e| e["service"] == "identity" && e["record_kind"] == "memberships"),
        "A's admin joining is in A's chain: {start:?}"
    );

    // A change: one entry, naming who, what, which record and the request.
    let call = api.ok("POST", "/api/calls", &a, Some(&call_body(A, "Journal")));
    let call_id = call["id"].as_str().expect("call id").to_owned();
    let after_call = api.trail(&a, A, "");
    assert_eq!(
        added(&start, &after_call),
        one("applications", "call-create")
    );
    let entry = after_call
        .iter()
        .find(|e| e["action"] == "call-create")
        .expect("the call's entry");
    assert_eq!(entry["account_id"], a_admin.account_id.as_str());
    assert_eq!(entry["role"], "admin");
    assert_eq!(entry["insee"], A);
    assert_eq!(entry["record_id"], call_id.as_str());
    assert!(
        entry["request_id"].as_str().is_some_and(|r| !r.is_empty()),
        "{entry}"
    );

    // A failed change leaves none; a refused one leaves its refusal.
    let mut bad = call_body(A, "");
    bad["title"] = json!("");
    let r = api.send("POST", "/api/calls", &a, Some(&bad));
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(added(&after_call, &api.trail(&a, A, "")), BTreeMap::new());
    let r = api.send("POST", "/api/calls", &b, Some(&call_body(A, "Intrus")));
    assert_eq!(r.status, 403, "{}", r.text);
    let after_refusal = api.trail(&a, A, "");
    assert_eq!(
        added(&after_call, &after_refusal),
        one("applications", "refusal:call-create")
    );
    let refusal = after_refusal
        .iter()
        .find(|e| e["action"] == "refusal:call-create")
        .expect("the refusal");
    assert_eq!(refusal["account_id"], b_admin.account_id.as_str());

    // A refusal the gateway answers itself (B's admin on a route of A) is in A's
    // chain too, once the trail is read; the operators' routes refused to a commune
    // admin, in the platform's.
    let r = api.send("GET", &format!("/api/communes/{A}/members"), &b, None);
    assert_eq!(r.status, 403, "{}", r.text);
    let r = api.send("GET", "/api/admin/communes", &a, None);
    assert!(r.status == 403 || r.status == 405, "{}", r.text);
    let r = api.send("POST", "/api/admin/communes", &a, Some(&json!({})));
    assert_eq!(r.status, 403, "{}", r.text);
    let after_gateway = api.trail(&a, A, "");
    assert_eq!(
        added(&after_refusal, &after_gateway),
        one("identity", "refusal:forbidden")
    );
    let gateway_refusal = &after_gateway[0];
    assert_eq!(gateway_refusal["account_id"], b_admin.account_id.as_str());
    assert_eq!(
        gateway_refusal["record_id"],
        format!("GET /api/communes/{A}/members").as_str()
    );

    // Another service's change: the district (created by the programme, completed
    // by A's admin), one entry each.
    api.ok(
        "POST",
        "/api/districts",
        &programme,
        Some(&json!({
            "insee": A, "name": "Quartier A",
            "perimeter": {"type":"Polygon","coordinates":[[[1.43,43.60],[1.45,43.60],[1.45,43.61],[1.43,43.61],[1.43,43.60]]]},
            "description": "Des rues apaisées",
        })),
    );
    let before_update = api.trail(&a, A, "");
    api.ok(
        "PUT",
        &format!("/api/districts/{A}"),
        &a,
        Some(&json!({
            "insee": A, "name": "Quartier A bis",
            "perimeter": {"type":"Polygon","coordinates":[[[1.43,43.60],[1.45,43.60],[1.45,43.61],[1.43,43.61],[1.43,43.60]]]},
            "description": "Des rues apaisées",
        })),
    );
    assert_eq!(
        added(&before_update, &api.trail(&a, A, "")),
        one("districts", "district-update")
    );

    // An organisation applies; A's admin moves the application: one entry per move.
    let org = api.ok(
        "POST",
        "/api/organisations",
        &programme,
        Some(&json!({
            "name": "Jardins Audités", "kind": "startup", "country": "DE", "public": true,
            "contacts": [{ "name": "Contact", "email": "contact@audit.example" }],
        })),
    )["id"]
        .as_str()
        .expect("org id")
        .to_owned();
    invite::to_organisation(
        &server,
        &programme,
        &org,
        "partner@audit.example",
        Some("Partenaire"),
        PW,
    );
    let partner = api.sign_in("partner@audit.example", PW);
    let before_apply = api.trail(&a, A, "");
    let application = api.ok(
        "POST",
        &format!("/api/calls/{call_id}/applications"),
        &partner,
        Some(
            &json!({ "title": "Des arbres", "answers": { "pitch": "Des arbres" }, "submit": true }),
        ),
    )["id"]
        .as_str()
        .expect("application id")
        .to_owned();
    let after_apply = api.trail(&a, A, "");
    let applied = added(&before_apply, &after_apply);
    assert_eq!(
        applied.values().sum::<usize>(),
        1,
        "one entry for one submitted application: {applied:?}"
    );
    api.ok(
        "POST",
        &format!("/api/applications/{application}/transitions"),
        &a,
        Some(&json!({ "to": "eligible" })),
    );
    let after_move = api.trail(&a, A, "");
    let moved = added(&after_apply, &after_move);
    assert_eq!(moved.values().sum::<usize>(), 1, "{moved:?}");
    let entry = &after_move[0];
    assert_eq!(entry["record_id"], application.as_str(), "{entry}");

    // The partner directory: A's private note on the organisation, then its edit
    // (the note and its kept version: one entry per change).
    let note = api.ok(
        "POST",
        &format!("/api/organisations/{org}/notes/{A}"),
        &a,
        Some(&json!({ "text": "Rencontrés au salon" })),
    )["id"]
        .as_str()
        .expect("note id")
        .to_owned();
    let after_note = api.trail(&a, A, "");
    assert_eq!(
        added(&after_move, &after_note),
        one("partners", "note-write")
    );
    api.ok(
        "PATCH",
        &format!("/api/organisations/{org}/notes/{A}/{note}"),
        &a,
        Some(&json!({ "text": "Rencontrés au salon, à revoir" })),
    );
    let after_edit = api.trail(&a, A, "");
    assert_eq!(
        added(&after_note, &after_edit),
        one("partners", "note-write")
    );
    assert_eq!(
        after_edit[0]["record_id"],
        note.as_str(),
        "{}",
        after_edit[0]
    );
    let after_move = after_edit;

    // Nothing of this is in B's chain; every chain is numbered and linked.
    let b_trail = api.trail(&b, B, "");
    assert!(
        b_trail.iter().all(|e| e["insee"] == B),
        "B's trail holds B's entries only: {b_trail:?}"
    );
    assert!(
        !b_trail.iter().any(|e| e["record_id"] == call_id.as_str()),
        "{b_trail:?}"
    );
    assert_chained(&after_move);
    assert_chained(&b_trail);

    // Readers: A's admins and programme operators; never B's admin, the hosting
    // operator or the applicant.
    assert_eq!(api.trail(&programme, A, "").len(), after_move.len());
    for (who, token) in [
        ("B's admin", &b),
        ("hosting", &hosting),
        ("partner", &partner),
    ] {
        let r = api.send("GET", &format!("/api/communes/{A}/audit"), token, None);
        assert_eq!(r.status, 403, "{who}: {}", r.text);
        let r = api.send("GET", &format!("/api/communes/{A}/audit.csv"), token, None);
        assert_eq!(r.status, 403, "{who}: {}", r.text);
    }

    // Filters and the CSV export.
    let only_calls = api.trail(&a, A, "&action=call-create");
    assert_eq!(only_calls.len(), 1, "{only_calls:?}");
    let by_b = api.trail(&a, A, &format!("&account={}", b_admin.account_id));
    assert!(
        !by_b.is_empty()
            && by_b
                .iter()
                .all(|e| e["account_id"] == b_admin.account_id.as_str()),
        "{by_b:?}"
    );
    let of_record = api.trail(&a, A, &format!("&record={application}"));
    let of_record: Vec<Value> = of_record
        .into_iter()
        .filter(|e| e["service"] == "applications")
        .collect();
    assert_eq!(of_record.len(), 2, "submitted, then moved: {of_record:?}");
    assert!(api.trail(&a, A, "&to=2000-01-01").is_empty());
    for (query, field) in [
        ("from=yesterday", "from"),
        ("limit=100000", "limit"),
        ("cursor=nope", "cursor"),
    ] {
        let r = api.send("GET", &format!("/api/communes/{A}/audit?{query}"), &a, None);
        assert_eq!(r.status, 422, "{query}: {}", r.text);
        assert!(r.names(field), "{query}: {}", r.text);
    }
    let csv = api.send(
        "GET",
        &format!("/api/communes/{A}/audit.csv?action=call-create"),
        &a,
        None,
    );
    assert_eq!(csv.status, 200, "{}", csv.text);
    assert!(
        csv.header("content-type")
            .is_some_and(|t| t.starts_with("text/csv")),
        "{csv:?}"
    );
    let lines: Vec<&str> = csv.text.lines().collect();
    assert_eq!(
        lines.len(),
        2,
        "a header and the call's entry: {}",
        csv.text
    );
    assert!(lines[1].contains(&call_id), "{}", csv.text);

    // The platform's chain: sign-ins and operator actions, for programme operators.
    let platform = api.ok(
        "GET",
        &format!(
            "/api/admin/audit?action=sign-in&account={}",
            a_admin.account_id
        ),
        &programme,
        None,
    );
    let sign_ins = platform["items"].as_array().expect("items");
    assert!(!sign_ins.is_empty(), "{platform}");
    assert!(sign_ins.iter().all(|e| e["insee"] == ""), "{platform}");
    let created = api.ok(
        "GET",
        "/api/admin/audit?action=tenant-create",
        &programme,
        None,
    );
    let created: Vec<&str> = created["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["record_id"].as_str())
        .collect();
    assert!(created.contains(&A) && created.contains(&B), "{created:?}");
    let r = api.send("GET", "/api/admin/audit", &hosting, None);
    assert_eq!(r.status, 403, "{}", r.text);

    // The hosting operator's usage: counts per commune, never content.
    let usage = api.send("GET", "/api/admin/usage", &hosting, None);
    assert_eq!(usage.status, 200, "{}", usage.text);
    let of_a = usage.body["communes"]
        .as_array()
        .expect("communes")
        .iter()
        .find(|c| c["insee"] == A)
        .unwrap_or_else(|| panic!("A's usage: {}", usage.text))
        .clone();
    assert_eq!(of_a["name"], "Toulouse");
    assert_eq!(of_a["accounts"], 1, "A's admin: {of_a}");
    assert!(
        of_a["records"].as_u64().is_some_and(|n| n >= 6)
            && of_a["bytes"].as_u64().is_some_and(|n| n > 0),
        "the call, the application, the note, the district, the membership and their entries: {of_a}"
    );
    for content in [
        "Journal",
        "Des arbres",
        "Rencontrés",
        "Quartier A",
        "admin.a@audit.example",
    ] {
        assert!(!usage.text.contains(content), "{content} in {}", usage.text);
    }
    for (who, token) in [("A's admin", &a), ("partner", &partner)] {
        let r = api.send("GET", "/api/admin/usage", token, None);
        assert_eq!(r.status, 403, "{who}: {}", r.text);
    }
    let runtime = api.send("GET", "/api/admin/runtime", &hosting, None);
    assert_eq!(runtime.status, 200, "{}", runtime.text);
    let refused = api.ok(
        "GET",
        &format!(
            "/api/admin/audit?action=refusal:forbidden&account={}",
            a_admin.account_id
        ),
        &programme,
        None,
    );
    assert!(
        refused["items"].as_array().is_some_and(|items| items
            .iter()
            .any(|e| e["record_id"] == "POST /api/admin/communes")),
        "{refused}"
    );
}

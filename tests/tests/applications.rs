//! Calls, applications, reviews and decisions over HTTP through `qmi up` with the
//! root `spin.toml` (gateway, policy, identity, applications, districts): the whole
//! story of issue 4, isolation refusals, and 500 concurrent submissions retried
//! under idempotency keys.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use qmi_tests::http::{Body, Client, Res};
use qmi_tests::{QmiServer, app};
use serde_json::{Value, json};

const DEMO_PASSWORD: &str = "applications-tests-password";
const SAINT_DENIS: &str = "93066";

/// The application on the manual clock: a deadline passes when the test moves the
/// clock, never while it waits.
fn server() -> QmiServer {
    app::up(&["identity", "applications", "districts"], DEMO_PASSWORD)
        .manual_clock()
        .start()
}

/// The shared JSON client (a 5xx fails the test), with this file's shorthands.
struct Api<'a> {
    client: Client<'a>,
}

impl<'a> Api<'a> {
    fn new(server: &'a QmiServer) -> Self {
        Self {
            client: Client::new(server),
        }
    }

    fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Res {
        self.client
            .request(method, path, token, body.into(), headers)
    }

    /// The server's (manual) clock in Unix seconds: times are set from it, never
    /// from the test's own clock.
    fn now(&self) -> u64 {
        self.client.server.mailbox().clock_unix() as u64
    }

    /// Raw bytes, sent without a content type (attachments are judged by content).
    fn upload(&self, path: &str, token: &str, bytes: Vec<u8>) -> Res {
        self.client
            .request("POST", path, Some(token), Body::Bytes("", bytes), &[])
    }

    fn get(&self, path: &str, token: Option<&str>) -> Res {
        self.send("GET", path, token, None, &[])
    }
    fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Res {
        self.send("POST", path, token, Some(body), &[])
    }
    fn put(&self, path: &str, token: Option<&str>, body: &Value) -> Res {
        self.send("PUT", path, token, Some(body), &[])
    }

    fn ok(&self, method: &str, path: &str, token: Option<&str>, body: Option<&Value>) -> Value {
        let r = self.send(method, path, token, body, &[]);
        assert!((200..300).contains(&r.status), "{method} {path}: {r:?}");
        r.body
    }

    /// The account id of whoever holds `token` (`GET /api/me`), so that no test
    /// spells a demo account's id.
    fn account_id(&self, token: &str) -> String {
        self.ok("GET", "/api/me", Some(token), None)["id"]
            .as_str()
            .expect("GET /api/me has the account's id")
            .to_owned()
    }

    fn token(&self, email: &str) -> String {
        let r = self.post(
            "/api/auth/token",
            None,
            &json!({ "email": email, "password": DEMO_PASSWORD }),
        );
        assert_eq!(r.status, 200, "sign-in of {email}: {r:?}");
        r.body["access_token"].as_str().unwrap().to_owned()
    }
}

fn problem(r: &Res, status: u16) {
    assert_eq!(r.status, status, "{r:?}");
    assert!(
        r.content_type.starts_with("application/problem+json"),
        "{r:?}"
    );
}

fn rfc3339(t: u64) -> String {
    qmi_kit::time::Instant(t as i64).to_string()
}

fn polygon() -> Value {
    json!({"type":"Polygon","coordinates":[[[2.35,48.93],[2.37,48.93],[2.37,48.94],[2.35,48.94],[2.35,48.93]]]})
}

/// Accounts for `emails`, signed up through the API and confirmed by the e-mailed
/// link (issue 12), each with the demo password.
fn add_accounts(server: &QmiServer, emails: &[String]) {
    let api = Api::new(server);
    let mailbox = server.mailbox();
    for (i, email) in emails.iter().enumerate() {
        let r = api.post(
            "/api/auth/sign-up",
            None,
            &json!({ "email": email, "name": format!("Partner {i}"), "password": DEMO_PASSWORD }),
        );
        assert_eq!(r.status, 202, "sign-up of {email}: {r:?}");
        let mail = mailbox.wait_for(email, |m| m.link("/confirmer/").is_some());
        let token = qmi_tests::invite::token_of(&mailbox.link_in(&mail, "/confirmer/"));
        api.ok(
            "POST",
            "/api/auth/confirm-email",
            None,
            Some(&json!({ "token": token })),
        );
    }
}

/// Makes the account of `email` a member of organisation `org`: invited by
/// `inviter`, it accepts the invitation (an organisation enrols nobody without
/// consent); a direct enrolment (200) needs no acceptance.
fn join(api: &Api, inviter: &str, org: &str, email: &str) {
    let r = api.post(
        &format!("/api/organisations/{org}/members"),
        Some(inviter),
        &json!({ "email": email }),
    );
    assert!((200..=202).contains(&r.status), "inviting {email}: {r:?}");
    if r.status != 202 {
        return;
    }
    let me = api.token(email);
    let invitations = api.ok("GET", "/api/me/invitations", Some(&me), None);
    let id = invitations
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["organisation"]["id"] == org)
        .unwrap_or_else(|| panic!("no invitation for {email}: {invitations}"))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    api.ok(
        "POST",
        &format!("/api/me/invitations/{id}/accept"),
        Some(&me),
        None,
    );
}

/// A Saint-Denis call opened an hour before `now` (the server's clock).
fn call_body(now: u64, closes_at: &str) -> Value {
    json!({
        "insee": SAINT_DENIS,
        "title": "Énergie et mobilité à Saint-Denis",
        "description": "Tester des solutions dans le quartier Pleyel",
        "themes": ["Énergie", "Mobilité"],
        "challenges": ["Réduire la chaleur urbaine"],
        "eligibility": { "kinds": ["startup", "association", "sme"], "countries": [] },
        "opens_at": rfc3339(now - 3600),
        "closes_at": closes_at,
        "target_selections": 3,
        "form": [
            { "id": "pitch", "label": "Votre solution", "kind": "long_text", "required": true, "max_length": 500 },
            { "id": "budget", "label": "Budget (€)", "kind": "number", "required": true, "min": 0, "max": 100000 },
            { "id": "theme", "label": "Thème", "kind": "single_choice", "required": true, "options": ["energie", "mobilite"] },
            { "id": "start", "label": "Début souhaité", "kind": "date" },
            { "id": "deck", "label": "Présentation", "kind": "file" }
        ],
        "criteria": [
            { "id": "impact", "name": "Impact", "weight": 3 },
            { "id": "feasibility", "name": "Faisabilité", "weight": 1 }
        ],
        "letter_template": "{{title}} : {{decision}}. Motif : {{reason}}. Note : {{score}}.",
        "published": true
    })
}

/// Scores `reviewer` gives application number `i` (`disagreeing` scores
/// application 0 higher than the others).
fn scores_for(i: usize, reviewer: &str, disagreeing: &str) -> (u8, u8) {
    let impact = ((i * 7) % 6) as u8;
    let feasibility = ((i * 5) % 6) as u8;
    // One reviewer disagrees on application 0, so its spread is not zero.
    if i == 0 && reviewer == disagreeing {
        (impact.saturating_sub(0) + 2, feasibility)
    } else {
        (impact, feasibility)
    }
}

#[test]
fn the_whole_story_from_a_call_for_communes_to_published_decisions() {
    let server = server();
    let api = Api::new(&server);
    let programme = api.token("programme@qmi.example");
    let admin = api.token("admin.saint-denis@qmi.example");
    let admin_montreuil = api.token("admin.montreuil@qmi.example");
    let agent = api.token("agent.saint-denis@qmi.example");

    // 1. The call for communes: open, candidacy, selection.
    let campaign = api.ok(
        "POST",
        "/api/campaigns",
        Some(&programme),
        Some(&json!({ "title": "AMI Quartiers d'innovation", "text": "Accueillez un quartier", "opens_at": rfc3339(api.now() - 60), "closes_at": "2099-01-31T18:00", "published": true,
            "questions": [{ "id": "why", "label": "Pourquoi ?", "kind": "long_text", "required": true }] })),
    );
    let cid = campaign["id"].as_str().unwrap();
    // The deadline reads as written (Paris time), beside its UTC instant.
    assert_eq!(
        (
            campaign["closes_at_paris"].as_str(),
            campaign["closes_at"].as_str()
        ),
        (
            Some("2099-01-31T18:00:00+01:00"),
            Some("2099-01-31T17:00:00Z")
        ),
        "{campaign}"
    );
    problem(&api.post("/api/campaigns", Some(&admin), &json!({ "title": "x", "opens_at": "2026-01-01T00:00", "closes_at": "2026-02-01T00:00" })), 403);
    // A candidacy has no attachments: a file question is refused, by name.
    let with_file = api.post(
        "/api/campaigns",
        Some(&programme),
        &json!({ "title": "x", "opens_at": "2026-01-01T00:00", "closes_at": "2099-02-01T00:00",
            "questions": [{ "id": "plan", "label": "Plan", "kind": "file", "required": false }] }),
    );
    problem(&with_file, 422);
    assert_eq!(
        with_file.body["errors"][0]["field"], "questions[0].kind",
        "{with_file:?}"
    );
    let cand = json!({ "district_name": "Pleyel", "perimeter": polygon(), "challenges": [{ "theme": "énergie", "text": "îlots de chaleur" }], "partners": ["Plaine Commune"], "means": "2 agents", "answers": {} });
    let path = format!("/api/campaigns/{cid}/candidacies/{SAINT_DENIS}");
    problem(&api.put(&path, Some(&admin_montreuil), &cand), 403);
    let bad = api.put(
        &path,
        Some(&admin),
        &json!({ "district_name": "", "perimeter": { "type": "Point" } }),
    );
    // A perimeter that is no polygon is refused as the body is read (typed `Perimeter`).
    problem(&bad, 400);
    assert_eq!(bad.body["errors"][0]["field"], "perimeter", "{bad:?}");
    api.ok("PUT", &path, Some(&admin), Some(&cand));
    api.ok("PUT", &path, Some(&admin), Some(&cand)); // autosave is idempotent
    // The commune's candidacies across campaigns, drafts included, for its staff
    // and the programme; not for another commune, nor anonymously.
    let mine = format!("/api/candidacies/{SAINT_DENIS}");
    for token in [&admin, &agent, &programme] {
        let listed = api.ok("GET", &mine, Some(token), None);
        let items = listed["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{listed}");
        assert_eq!(
            (
                items[0]["campaign_id"].as_str(),
                items[0]["status"].as_str()
            ),
            (Some(cid), Some("draft"))
        );
    }
    problem(&api.get(&mine, Some(&admin_montreuil)), 403);
    problem(&api.get(&mine, None), 401);
    assert_eq!(
        api.ok(
            "GET",
            "/api/candidacies/93048",
            Some(&admin_montreuil),
            None
        )["items"],
        json!([])
    );
    let bad_limit = api.get(&format!("{mine}?limit=0"), Some(&admin));
    problem(&bad_limit, 400);
    problem(&api.get("/api/candidacies/9x066", Some(&programme)), 404);
    let missing = api.post(&format!("{path}/submit"), Some(&admin), &json!({}));
    problem(&missing, 422);
    assert_eq!(missing.body["errors"][0]["field"], "answers.why");
    let mut with_answer = cand.clone();
    with_answer["answers"] = json!({ "why": "Un quartier en mutation" });
    api.ok("PUT", &path, Some(&admin), Some(&with_answer));
    assert_eq!(
        api.ok("POST", &format!("{path}/submit"), Some(&admin), None)["status"],
        "submitted"
    );
    problem(
        &api.get(&format!("/api/campaigns/{cid}/candidacies"), Some(&admin)),
        403,
    );
    let listed = api.ok(
        "GET",
        &format!("/api/campaigns/{cid}/candidacies"),
        Some(&programme),
        None,
    );
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    problem(
        &api.post(
            &format!("{path}/decision"),
            Some(&admin),
            &json!({ "selected": true }),
        ),
        403,
    );
    let decided = api.ok(
        "POST",
        &format!("{path}/decision"),
        Some(&programme),
        Some(&json!({ "selected": true, "reason": "Projet solide" })),
    );
    assert_eq!(decided["status"], "selected");
    assert_eq!(
        api.get(&format!("/api/communes/{SAINT_DENIS}"), None).body["status"],
        "district"
    );
    let district = api.get(&format!("/api/districts/{SAINT_DENIS}"), None);
    assert_eq!(
        (district.status, district.body["name"].as_str()),
        (200, Some("Pleyel")),
        "{district:?}"
    );
    // Its admin completes it; another commune's admin may not.
    let mut d = district.body.clone();
    d.as_object_mut().unwrap().remove("created_at");
    d["description"] = json!("Le quartier Pleyel");
    problem(
        &api.put(
            &format!("/api/districts/{SAINT_DENIS}"),
            Some(&admin_montreuil),
            &d,
        ),
        403,
    );
    assert_eq!(
        api.ok(
            "PUT",
            &format!("/api/districts/{SAINT_DENIS}"),
            Some(&admin),
            Some(&d)
        )["description"],
        "Le quartier Pleyel"
    );

    // 2. Twenty organisations, made by the operator through the identity API.
    let emails: Vec<String> = (0..20)
        .map(|i| format!("partner{i}@story.example"))
        .collect();
    add_accounts(&server, &emails);
    let mut orgs = Vec::new();
    for (i, email) in emails.iter().enumerate() {
        let org = api.ok(
            "POST",
            "/api/organisations",
            Some(&programme),
            Some(&json!({ "name": format!("Org {i}"), "kind": "startup", "country": "DE" })),
        );
        let id = org["id"].as_str().unwrap().to_owned();
        join(&api, &programme, &id, email);
        orgs.push(id);
    }
    let partners: Vec<String> = emails.iter().map(|e| api.token(e)).collect();

    // Reviewers from other communes join Saint-Denis's jury.
    let mut joined = Vec::new();
    for email in [
        "reviewer.montreuil@qmi.example",
        "reviewer.paris@qmi.example",
    ] {
        // An invitation, accepted with the account's password (issue 12).
        let j = qmi_tests::invite::to_commune(
            &server,
            &admin,
            SAINT_DENIS,
            email,
            "reviewer",
            None,
            DEMO_PASSWORD,
        );
        joined.push(j.account_id);
    }
    let reviewer_sd = api.account_id(&api.token("reviewer.saint-denis@qmi.example"));
    let [reviewer_montreuil, reviewer_paris] =
        <[String; 2]>::try_from(joined).expect("two reviewers joined");

    // 3. The call for solutions, closing in an hour of the server's (manual) clock.
    let deadline = api.now() + 3600;
    let mut body = call_body(api.now(), &rfc3339(deadline));
    problem(&api.post("/api/calls", Some(&admin_montreuil), &body), 403);
    problem(&api.post("/api/calls", Some(&agent), &body), 403);
    let mut broken = body.clone();
    broken["criteria"][0]["weight"] = json!(0);
    broken["form"][2]["options"] = json!(["one"]);
    let r = api.post("/api/calls", Some(&admin), &broken);
    problem(&r, 422);
    assert_eq!(r.body["errors"].as_array().unwrap().len(), 2, "{r:?}");
    body["published"] = json!(false);
    let call = api.ok("POST", "/api/calls", Some(&admin), Some(&body));
    let call_id = call["id"].as_str().unwrap().to_owned();
    assert_eq!(call["workflow"]["states"].as_array().unwrap().len(), 9);
    problem(&api.get(&format!("/api/calls/{call_id}"), None), 404);
    api.ok(
        "POST",
        &format!("/api/calls/{call_id}/publish"),
        Some(&admin),
        None,
    );
    let public = api.get(
        &format!("/api/calls?commune={SAINT_DENIS}&theme=mobilit%C3%A9&status=open"),
        None,
    );
    assert!(
        public.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == call_id.as_str()),
        "{public:?}"
    );
    assert_eq!(
        api.get("/api/calls?commune=93048", None).body["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        api.get(&format!("/api/calls/{call_id}"), None).body["closes_at"],
        rfc3339(deadline)
    );

    let answers = |i: usize| json!({ "pitch": format!("Solution {i}"), "budget": 1000 * i, "theme": "energie", "start": "2026-09-01" });
    let mut app_ids: Vec<String> = Vec::new();
    for (i, partner) in partners.iter().enumerate() {
        let path = format!("/api/calls/{call_id}/applications");
        let key = format!("story-{i}");
        let valid = !(16..=17).contains(&i) && i != 19;
        let content = if valid {
            json!({ "title": format!("Solution {i}"), "answers": answers(i), "submit": true })
        } else {
            json!({ "title": format!("Solution {i}"), "answers": { "budget": 5 } })
        };
        let r = api.send(
            "POST",
            &path,
            Some(partner),
            Some(&content),
            &[("idempotency-key", &key)],
        );
        assert_eq!(r.status, 201, "{r:?}");
        // A retry under the same key finds the same application.
        let again = api.send(
            "POST",
            &path,
            Some(partner),
            Some(&content),
            &[("idempotency-key", &key)],
        );
        assert_eq!((again.status, &again.body["id"]), (200, &r.body["id"]));
        // The organisation's name is kept with the application.
        assert_eq!(r.body["organisation_name"], format!("Org {i}"), "{r:?}");
        let id = r.body["id"].as_str().unwrap().to_owned();
        if (16..=17).contains(&i) {
            // Invalid: every problem is listed.
            let mut bad = json!({ "title": format!("Solution {i}"), "answers": { "budget": 500000, "theme": "water", "start": "2026-02-30" } });
            assert_eq!(
                api.put(&format!("/api/applications/{id}"), Some(partner), &bad)
                    .status,
                200
            );
            let sub = api.post(
                &format!("/api/applications/{id}/submit"),
                Some(partner),
                &json!({}),
            );
            problem(&sub, 422);
            let fields: BTreeSet<&str> = sub.body["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["field"].as_str().unwrap())
                .collect();
            assert_eq!(
                fields,
                BTreeSet::from([
                    "answers.pitch",
                    "answers.budget",
                    "answers.theme",
                    "answers.start"
                ]),
                "{sub:?}"
            );
            bad["answers"]["nope"] = json!(1);
            assert_eq!(
                api.put(&format!("/api/applications/{id}"), Some(partner), &bad)
                    .body["errors"][0]["field"],
                "answers.nope"
            );
        }
        app_ids.push(id);
    }
    // A partner cannot touch another organisation's application.
    problem(
        &api.get(
            &format!("/api/applications/{}", app_ids[1]),
            Some(&partners[0]),
        ),
        404,
    );
    problem(
        &api.post(
            &format!("/api/applications/{}/withdraw", app_ids[1]),
            Some(&partners[0]),
            &json!({}),
        ),
        404,
    );
    // Attachments: by their whole content, on drafts.
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let attachments = format!("/api/applications/{}/attachments", app_ids[19]);
    let up = api.upload(&attachments, &partners[19], pdf.clone());
    assert_eq!(up.status, 201, "{up:?}");
    let att = up.body.clone();
    let exe = api.upload(&attachments, &partners[19], b"MZ\x90\x00not a pdf".to_vec());
    assert_eq!(exe.status, 415, "{exe:?}");
    let big = api.upload(&attachments, &partners[19], vec![b'%'; 3 * 1024 * 1024]);
    assert_eq!(
        big.status, 415,
        "3 MiB passes the gateway (10 MiB cap on this route) and is refused by content"
    );
    let got = api.get(
        &format!(
            "/api/applications/{}/attachments/{}",
            app_ids[19],
            att["id"].as_str().unwrap()
        ),
        Some(&partners[19]),
    );
    assert_eq!((got.status, got.bytes.clone()), (200, pdf));
    // Withdrawn: number 18.
    let w = api.ok(
        "POST",
        &format!("/api/applications/{}/withdraw", app_ids[18]),
        Some(&partners[18]),
        None,
    );
    assert_eq!(w["status"], "withdrawn");
    let statuses: Vec<&str> = w["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["draft", "submitted", "withdrawn"]);
    // Late: number 19 fills everything in after the deadline (the clock moves past it).
    server.mailbox().advance_clock(3601);
    // The tokens signed before the clock moved have expired: everyone signs in again.
    let partners: Vec<String> = emails.iter().map(|e| api.token(e)).collect();
    let admin = api.token("admin.saint-denis@qmi.example");
    let admin_montreuil = api.token("admin.montreuil@qmi.example");
    let agent = api.token("agent.saint-denis@qmi.example");
    let reviewers: HashMap<String, String> = [
        (&reviewer_sd, "reviewer.saint-denis@qmi.example"),
        (&reviewer_montreuil, "reviewer.montreuil@qmi.example"),
        (&reviewer_paris, "reviewer.paris@qmi.example"),
    ]
    .into_iter()
    .map(|(id, email)| (id.clone(), api.token(email)))
    .collect();
    let mut late = json!({ "title": "Solution 19", "answers": answers(19) });
    late["answers"]["deck"] = att["id"].clone();
    api.ok(
        "PUT",
        &format!("/api/applications/{}", app_ids[19]),
        Some(&partners[19]),
        Some(&late),
    );
    let r = api.post(
        &format!("/api/applications/{}/submit", app_ids[19]),
        Some(&partners[19]),
        &json!({}),
    );
    problem(&r, 409);
    assert!(
        r.body["type"]
            .as_str()
            .unwrap()
            .ends_with("deadline-passed"),
        "{r:?}"
    );
    // Each partner sees their own applications across communes, and only them.
    let mine = api.ok("GET", "/api/applications", Some(&partners[3]), None);
    assert_eq!(
        mine["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap())
            .collect::<Vec<_>>(),
        [app_ids[3].as_str()]
    );

    // 4. Eligibility, review, ranking.
    let valid: Vec<usize> = (0..16).collect();
    for &i in &valid {
        api.ok(
            "POST",
            &format!("/api/applications/{}/transitions", app_ids[i]),
            Some(&admin),
            Some(&json!({ "to": "eligible" })),
        );
        api.ok(
            "POST",
            &format!("/api/applications/{}/transitions", app_ids[i]),
            Some(&admin),
            Some(&json!({ "to": "in_review" })),
        );
    }
    problem(
        &api.post(
            &format!("/api/applications/{}/transitions", app_ids[0]),
            Some(&admin),
            &json!({ "to": "selected", "reason": "x" }),
        ),
        409,
    );
    problem(
        &api.post(
            &format!("/api/applications/{}/transitions", app_ids[0]),
            Some(&agent),
            &json!({ "to": "shortlisted" }),
        ),
        403,
    );
    let pool = [&reviewer_sd, &reviewer_montreuil, &reviewer_paris];
    let assigned = api.ok(
        "POST",
        &format!("/api/calls/{call_id}/assignments"),
        Some(&admin),
        Some(&json!({ "reviewers": pool, "per_application": 2 })),
    );
    let assigned = assigned.as_array().unwrap();
    assert_eq!(assigned.len(), 32);
    let mut load: BTreeMap<&str, usize> = BTreeMap::new();
    for a in assigned {
        *load.entry(a["reviewer"].as_str().unwrap()).or_default() += 1;
    }
    assert!(
        load.values().max().unwrap() - load.values().min().unwrap() <= 1,
        "{load:?}"
    );
    // Reviewer Paris declares a conflict on their first application: recused.
    let paris = &reviewers[&reviewer_paris];
    let mine: Vec<Value> = api
        .ok("GET", "/api/reviews", Some(paris), None)
        .as_array()
        .unwrap()
        .clone();
    let conflicted = mine[0]["application"].as_str().unwrap().to_owned();
    problem(
        &api.get(
            &format!("/api/applications/{}", app_ids[0].clone() + "x"),
            Some(paris),
        ),
        404,
    );
    let full = api.ok(
        "GET",
        &format!("/api/applications/{conflicted}"),
        Some(paris),
        None,
    );
    assert!(full.get("answers").is_some());
    api.ok(
        "POST",
        &format!("/api/applications/{conflicted}/conflict"),
        Some(paris),
        Some(&json!({ "reason": "ancien associé" })),
    );
    let title_only = api.ok(
        "GET",
        &format!("/api/applications/{conflicted}"),
        Some(paris),
        None,
    );
    assert_eq!(title_only["recused"], true);
    assert!(title_only.get("answers").is_none(), "{title_only}");
    problem(
        &api.put(
            &format!("/api/applications/{conflicted}/review"),
            Some(paris),
            &json!({ "scores": [] }),
        ),
        403,
    );
    problem(
        &api.get(
            &format!("/api/applications/{conflicted}/reviews"),
            Some(paris),
        ),
        403,
    );
    // Auto-assignment tops the recused application up with another reviewer.
    let again = api.ok(
        "POST",
        &format!("/api/calls/{call_id}/assignments"),
        Some(&admin),
        Some(&json!({ "reviewers": pool, "per_application": 2 })),
    );
    assert_eq!(again.as_array().unwrap().len(), 33);
    // An unassigned reviewer sees nothing of an application.
    let now_assigned = again.as_array().unwrap();
    let outsider_app = now_assigned
        .iter()
        .find(|a| {
            !now_assigned.iter().any(|b| {
                b["application"] == a["application"] && b["reviewer"] == reviewer_montreuil.as_str()
            })
        })
        .unwrap()["application"]
        .as_str()
        .unwrap()
        .to_owned();
    problem(
        &api.get(
            &format!("/api/applications/{outsider_app}"),
            Some(&reviewers[&reviewer_montreuil]),
        ),
        404,
    );
    // Everyone scores what they are assigned to.
    let index: HashMap<String, usize> = app_ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.clone(), i))
        .collect();
    for (sub, token) in &reviewers {
        for a in api
            .ok("GET", "/api/reviews", Some(token), None)
            .as_array()
            .unwrap()
        {
            if a["conflict"] == true {
                continue;
            }
            let app = a["application"].as_str().unwrap();
            // The demo data assigns other calls' applications too.
            let Some(&i) = index.get(app) else { continue };
            let (impact, feasibility) = scores_for(i, sub, &reviewer_sd);
            let r = api.ok("PUT", &format!("/api/applications/{app}/review"), Some(token), Some(&json!({ "scores": [
                { "criterion": "impact", "score": impact, "comment": "ok" }, { "criterion": "feasibility", "score": feasibility } ] })));
            assert_eq!(
                r["weighted"].as_f64().unwrap(),
                (3.0 * f64::from(impact) + f64::from(feasibility)) / 4.0
            );
        }
    }
    problem(
        &api.put(
            &format!("/api/applications/{}/review", app_ids[1]),
            Some(&reviewers[&reviewer_sd]),
            &json!({ "scores": [{ "criterion": "impact", "score": 6 }] }),
        ),
        422,
    );
    let ranking = api.ok(
        "GET",
        &format!("/api/calls/{call_id}/ranking"),
        Some(&admin),
        None,
    );
    let ranked = ranking["applications"].as_array().unwrap();
    let final_assignments = api.ok(
        "GET",
        &format!("/api/calls/{call_id}/assignments"),
        Some(&admin),
        None,
    );
    let mut expected: Vec<(String, f64, f64)> = valid
        .iter()
        .map(|&i| {
            let totals: Vec<f64> = final_assignments
                .as_array()
                .unwrap()
                .iter()
                .filter(|a| a["application"] == app_ids[i].as_str() && a["conflict"] == false)
                .map(|a| {
                    let (imp, fea) = scores_for(i, a["reviewer"].as_str().unwrap(), &reviewer_sd);
                    (3.0 * f64::from(imp) + f64::from(fea)) / 4.0
                })
                .collect();
            let mean = totals.iter().sum::<f64>() / totals.len() as f64;
            let spread = totals.iter().cloned().fold(f64::MIN, f64::max)
                - totals.iter().cloned().fold(f64::MAX, f64::min);
            (app_ids[i].clone(), mean, spread)
        })
        .collect();
    expected.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let got: Vec<(String, f64, f64)> = ranked
        .iter()
        .filter(|r| r["weighted_score"].is_number())
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_owned(),
                r["weighted_score"].as_f64().unwrap(),
                r["spread"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got.len(), 16);
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!(
            g.0, e.0,
            "ranking order: got {got:?}\nexpected {expected:?}"
        );
        assert!(
            (g.1 - e.1).abs() < 1e-3 && (g.2 - e.2).abs() < 1e-3,
            "{g:?} vs {e:?}"
        );
    }
    assert!(got.iter().any(|g| g.2 > 0.0), "some spread");
    for r in ranked.iter().filter(|r| r["weighted_score"].is_number()) {
        assert_eq!(
            (r["reviews_done"].as_u64(), r["reviews_expected"].as_u64()),
            (Some(2), Some(2)),
            "{r}"
        );
    }
    assert_eq!(
        ranked
            .iter()
            .find(|r| r["id"] == conflicted.as_str())
            .unwrap()["recused"],
        1
    );
    for p in ranking["reviewers"].as_array().unwrap() {
        assert_eq!(p["assigned"], p["done"], "{p}");
    }
    problem(
        &api.get(&format!("/api/calls/{call_id}/ranking"), Some(&agent)),
        403,
    );

    // 5. Decisions: the top three selected, the others rejected, each with a reason.
    let top: Vec<String> = expected.iter().take(3).map(|e| e.0.clone()).collect();
    for (id, _, _) in &expected {
        if top.contains(id) {
            api.ok(
                "POST",
                &format!("/api/applications/{id}/transitions"),
                Some(&admin),
                Some(&json!({ "to": "shortlisted" })),
            );
            problem(
                &api.post(
                    &format!("/api/applications/{id}/transitions"),
                    Some(&admin),
                    &json!({ "to": "selected" }),
                ),
                422,
            );
            api.ok(
                "POST",
                &format!("/api/applications/{id}/transitions"),
                Some(&admin),
                Some(&json!({ "to": "selected", "reason": "Meilleure note" })),
            );
        } else {
            api.ok(
                "POST",
                &format!("/api/applications/{id}/transitions"),
                Some(&admin),
                Some(&json!({ "to": "rejected", "reason": "Note insuffisante" })),
            );
        }
    }
    let first = index[&top[0]];
    problem(
        &api.get(
            &format!("/api/applications/{}/letter", top[0]),
            Some(&partners[first]),
        ),
        404,
    );
    problem(
        &api.post(
            &format!("/api/applications/{}/withdraw", top[0]),
            Some(&partners[first]),
            &json!({}),
        ),
        409,
    );
    api.ok(
        "POST",
        &format!("/api/calls/{call_id}/decisions/publish"),
        Some(&admin),
        None,
    );
    for &i in &valid {
        let letter = api.ok(
            "GET",
            &format!("/api/applications/{}/letter", app_ids[i]),
            Some(&partners[i]),
            None,
        );
        let text = letter["text"].as_str().unwrap();
        // The letterhead (sender, date) comes first, then the decision, the signature
        // and the means of appeal.
        assert!(text.contains(&format!("\nSolution {i} : ")), "{text}");
        assert!(text.contains("Voies et délais de recours"), "{text}");
        let expect = if top.contains(&app_ids[i]) {
            "Retenue / Selected. Motif : Meilleure note"
        } else {
            "Non retenue / Rejected. Motif : Note insuffisante"
        };
        assert!(text.contains(expect), "{text}");
        // Nobody else's letter.
        let other = app_ids[(i + 1) % 16].clone();
        problem(
            &api.get(
                &format!("/api/applications/{other}/letter"),
                Some(&partners[i]),
            ),
            404,
        );
    }

    // Decided or withdrawn, this call's applications no longer await reviews;
    // the demo's submitted one still does.
    let reviews = api.ok("GET", "/api/reviews", Some(&reviewers[&reviewer_sd]), None);
    let (ours, others): (Vec<&Value>, Vec<&Value>) = reviews
        .as_array()
        .unwrap()
        .iter()
        .partition(|a| app_ids.iter().any(|id| a["application"] == id.as_str()));
    assert!(
        !ours.is_empty() && ours.iter().all(|a| a["open"] == false),
        "{reviews}"
    );
    assert!(others.iter().all(|a| a["open"] == true), "{reviews}");

    // 6. Exports: exactly the submitted applications (16 decided + 1 withdrawn).
    let csv = api.get(&format!("/api/calls/{call_id}/export.csv"), Some(&admin));
    assert_eq!(csv.status, 200);
    assert!(csv.content_type.starts_with("text/csv"));
    let text = String::from_utf8(csv.bytes.clone()).unwrap();
    // A byte-order mark first, so spreadsheet software reads UTF-8.
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark");
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(lines[0].starts_with("id,title,organisation,organisation_name,status,submitted_at,weighted_score,spread,reviews,reason,pitch,budget,theme,start,deck"), "{}", lines[0]);
    // The organisation is named (as identity named it when the application was made).
    assert!(lines[1..].iter().all(|l| l.contains(",Org ")), "{text}");
    let exported: BTreeSet<&str> = lines[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap())
        .collect();
    let mut want: BTreeSet<&str> = valid.iter().map(|&i| app_ids[i].as_str()).collect();
    want.insert(app_ids[18].as_str());
    assert_eq!(exported, want);
    assert_eq!(lines.len(), 18);
    let xlsx = api.get(&format!("/api/calls/{call_id}/export.xlsx"), Some(&admin));
    assert_eq!(xlsx.status, 200);
    assert!(xlsx.bytes.starts_with(b"PK\x03\x04"));
    let sheet = String::from_utf8_lossy(&xlsx.bytes);
    for id in &want {
        assert!(sheet.contains(id), "{id} missing from the XLSX");
    }
    assert_eq!(sheet.matches("<row ").count(), 18);
    problem(
        &api.get(&format!("/api/calls/{call_id}/export.csv"), Some(&agent)),
        403,
    );
    problem(
        &api.get(
            &format!("/api/calls/{call_id}/export.csv"),
            Some(&admin_montreuil),
        ),
        403,
    );
    problem(
        &api.get(&format!("/api/calls/{call_id}/export.csv"), None),
        401,
    );
    // Open data: the published call and its 16 decisions, anonymously.
    let od = api.get("/api/open-data/decisions.csv", None);
    assert_eq!(od.status, 200, "{od:?}");
    let od_text = String::from_utf8(od.bytes).unwrap();
    assert_eq!(od_text.split("\r\n").filter(|l| !l.is_empty()).count(), 17);
    assert_eq!(od_text.matches(",selected\r\n").count(), 3);
    let calls = api.get("/api/open-data/calls.json", None);
    assert!(
        calls.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == call_id.as_str())
    );

    // 7. Isolation: another commune's people, anonymous callers, partners.
    problem(
        &api.get(
            &format!("/api/calls/{call_id}/applications"),
            Some(&admin_montreuil),
        ),
        403,
    );
    problem(
        &api.get(&format!("/api/calls/{call_id}/applications"), None),
        401,
    );
    problem(
        &api.get(
            &format!("/api/calls/{call_id}/applications"),
            Some(&partners[0]),
        ),
        403,
    );
    problem(
        &api.get(
            &format!("/api/applications/{}", app_ids[0]),
            Some(&admin_montreuil),
        ),
        404,
    );
    problem(
        &api.post(
            &format!("/api/calls/{call_id}/assignments"),
            Some(&admin_montreuil),
            &json!({ "reviewers": pool, "per_application": 1 }),
        ),
        403,
    );
    problem(
        &api.post(
            &format!("/api/calls/{call_id}/decisions/publish"),
            Some(&reviewers[&reviewer_sd]),
            &json!({}),
        ),
        403,
    );
    problem(
        &api.get(
            &format!("/api/calls/{call_id}/applications"),
            Some(&reviewers[&reviewer_sd]),
        ),
        403,
    );
    let listed = api.ok(
        "GET",
        &format!("/api/calls/{call_id}/applications?limit=500"),
        Some(&admin),
        None,
    );
    assert_eq!(listed["items"].as_array().unwrap().len(), 20);
}

#[test]
fn five_hundred_concurrent_submissions_with_retries_make_exactly_five_hundred() {
    let server = server();
    let api = Api::new(&server);
    let admin = api.token("admin.saint-denis@qmi.example");
    let partner = api.token("partner@solaire-urbain.example");
    let call = api.ok(
        "POST",
        "/api/calls",
        Some(&admin),
        Some(&call_body(api.now(), "2099-12-31T23:59")),
    );
    let call_id = call["id"].as_str().unwrap().to_owned();
    // Each submission is sent twice (a client retrying after a lost answer); a 409
    // (the same key still in flight) is asked again, a 5xx fails the test.
    let submit = |n: usize| -> String {
        let key = format!("load-{n}");
        let body = json!({ "title": format!("Load {n}"), "answers": { "pitch": "x", "budget": n, "theme": "mobilite" }, "submit": true });
        let mut seen = Vec::new();
        for _ in 0..2 {
            let mut conflicts = 0;
            loop {
                let r = api.send(
                    "POST",
                    &format!("/api/calls/{call_id}/applications"),
                    Some(&partner),
                    Some(&body),
                    &[("idempotency-key", &key)],
                );
                if r.status == 200 || r.status == 201 {
                    assert_eq!(r.body["status"], "submitted");
                    seen.push(r.body["id"].as_str().unwrap().to_owned());
                    break;
                }
                assert_eq!(r.status, 409, "{r:?}");
                conflicts += 1;
                assert!(
                    conflicts < 100,
                    "still 409 after {conflicts} attempts: {r:?}"
                );
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        }
        assert_eq!(
            seen[0], seen[1],
            "a retry under the same key made a second application"
        );
        seen.remove(0)
    };
    let ids: BTreeSet<String> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..50)
            .map(|t| scope.spawn(move || (0..10).map(|k| submit(t * 10 + k)).collect::<Vec<_>>()))
            .collect();
        threads
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect()
    });
    assert_eq!(ids.len(), 500);
    let mut stored = BTreeSet::new();
    let mut cursor = String::new();
    loop {
        let page = api.ok(
            "GET",
            &format!("/api/calls/{call_id}/applications?limit=200&status=submitted{cursor}"),
            Some(&admin),
            None,
        );
        for a in page["items"].as_array().unwrap() {
            assert!(
                stored.insert(a["id"].as_str().unwrap().to_owned()),
                "listed twice"
            );
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(stored, ids);
}

#[test]
fn a_programme_call_covers_several_districts_and_enforces_eligibility() {
    const MONTREUIL: &str = "93048";
    const PARIS: &str = "75056";
    let server = server();
    let api = Api::new(&server);
    let programme = api.token("programme@qmi.example");
    let admin_montreuil = api.token("admin.montreuil@qmi.example");
    let admin_saint_denis = api.token("admin.saint-denis@qmi.example");
    let solaire = api.token("partner@solaire-urbain.example"); // startup, FR
    let gruene = api.token("partner@gruene-wege.example"); // sme, DE

    let mut body = call_body(api.now(), "2099-12-31T23:59");
    let obj = body.as_object_mut().unwrap();
    obj.remove("insee");
    obj.insert("districts".into(), json!([MONTREUIL, PARIS]));
    obj.insert("title".into(), json!("Programme : îlots de fraîcheur"));
    obj.insert(
        "eligibility".into(),
        json!({ "kinds": ["startup", "sme"], "countries": ["FR", "DE"] }),
    );

    // Only programme operators open a programme call; its districts must be districts.
    problem(&api.post("/api/calls", Some(&admin_montreuil), &body), 403);
    let mut not_district = body.clone();
    not_district["districts"] = json!([MONTREUIL, "93001"]);
    let r = api.post("/api/calls", Some(&programme), &not_district);
    problem(&r, 422);
    assert_eq!(r.body["errors"][0]["field"], "districts[1]", "{r:?}");
    let mut both = body.clone();
    both["insee"] = json!(MONTREUIL);
    problem(&api.post("/api/calls", Some(&programme), &both), 422);
    let mut bad_rule = body.clone();
    bad_rule["eligibility"] = json!({ "kinds": ["unicorn"], "countries": [] });
    // Kinds and countries are typed: an unknown one is refused as the body is read
    // (400 naming the first field at fault).
    let r = api.post("/api/calls", Some(&programme), &bad_rule);
    problem(&r, 400);
    assert_eq!(
        r.body["errors"][0]["field"], "eligibility.kinds[0]",
        "{r:?}"
    );
    bad_rule["eligibility"] = json!({ "kinds": [], "countries": ["france"] });
    let r = api.post("/api/calls", Some(&programme), &bad_rule);
    problem(&r, 400);
    assert_eq!(
        r.body["errors"][0]["field"], "eligibility.countries[0]",
        "{r:?}"
    );

    let call = api.ok("POST", "/api/calls", Some(&programme), Some(&body));
    let call_id = call["id"].as_str().unwrap().to_owned();
    assert_eq!(
        (call["programme"].as_bool(), &call["districts"]),
        (Some(true), &json!([MONTREUIL, PARIS])),
        "{call}"
    );

    // The public listing filtered by either district shows it; another commune's does not.
    for commune in [MONTREUIL, PARIS] {
        let listed = api.get(&format!("/api/calls?commune={commune}"), None);
        assert!(
            listed.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["id"] == call_id.as_str()),
            "{commune}: {listed:?}"
        );
    }
    assert!(
        !api.get(&format!("/api/calls?commune={SAINT_DENIS}"), None)
            .body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == call_id.as_str())
    );

    // Applications pick one of the call's districts.
    let path = format!("/api/calls/{call_id}/applications");
    let answers = json!({ "pitch": "Toitures végétalisées", "budget": 5000, "theme": "energie" });
    let r = api.post(
        &path,
        Some(&solaire),
        &json!({ "title": "Sans district", "answers": answers }),
    );
    problem(&r, 422);
    assert_eq!(r.body["errors"][0]["field"], "district");
    problem(
        &api.post(
            &path,
            Some(&solaire),
            &json!({ "title": "Ailleurs", "answers": answers, "district": SAINT_DENIS }),
        ),
        422,
    );
    let in_montreuil = api.ok("POST", &path, Some(&solaire), Some(&json!({ "title": "Toits frais", "answers": answers, "district": MONTREUIL, "submit": true })));
    assert_eq!(
        (
            in_montreuil["insee"].as_str(),
            in_montreuil["status"].as_str()
        ),
        (Some(MONTREUIL), Some("submitted")),
        "{in_montreuil}"
    );
    let in_paris = api.ok("POST", &path, Some(&gruene), Some(&json!({ "title": "Grüne Höfe", "answers": answers, "district": PARIS, "submit": true })));
    assert_eq!(in_paris["insee"], PARIS);
    let montreuil_app = in_montreuil["id"].as_str().unwrap().to_owned();
    let paris_app = in_paris["id"].as_str().unwrap().to_owned();
    // A draft cannot move to another district.
    problem(
        &api.put(
            &format!("/api/applications/{montreuil_app}"),
            Some(&solaire),
            &json!({ "title": "x", "answers": answers, "district": PARIS }),
        ),
        422,
    );

    // Eligibility is checked against identity's organisation: a research body from Belgium is refused.
    add_accounts(&server, &["chercheuse@labo.example".to_owned()]);
    let labo = api.ok(
        "POST",
        "/api/organisations",
        Some(&programme),
        Some(&json!({ "name": "Labo BE", "kind": "research", "country": "BE" })),
    );
    join(
        &api,
        &programme,
        labo["id"].as_str().unwrap(),
        "chercheuse@labo.example",
    );
    let labo_token = api.token("chercheuse@labo.example");
    let r = api.post(
        &path,
        Some(&labo_token),
        &json!({ "title": "Capteurs", "answers": answers, "district": PARIS }),
    );
    problem(&r, 422);
    let fields: BTreeSet<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        BTreeSet::from(["organisation.kind", "organisation.country"]),
        "{r:?}"
    );
    assert!(
        api.get("/api/applications", Some(&labo_token)).body["items"]
            .as_array()
            .unwrap()
            .is_empty(),
        "nothing was stored"
    );

    // A district's admin reads their own district's application, not the other one.
    let seen = api.ok(
        "GET",
        &format!("/api/applications/{montreuil_app}"),
        Some(&admin_montreuil),
        None,
    );
    assert!(seen.get("answers").is_some(), "{seen}");
    problem(
        &api.get(
            &format!("/api/applications/{paris_app}"),
            Some(&admin_montreuil),
        ),
        404,
    );
    problem(
        &api.get(
            &format!("/api/applications/{montreuil_app}"),
            Some(&admin_saint_denis),
        ),
        404,
    );
    // …but the programme call is run by programme operators: no decision, listing, ranking or export for them.
    problem(
        &api.post(
            &format!("/api/applications/{montreuil_app}/transitions"),
            Some(&admin_montreuil),
            &json!({ "to": "eligible" }),
        ),
        403,
    );
    problem(
        &api.get(
            &format!("/api/calls/{call_id}/applications"),
            Some(&admin_montreuil),
        ),
        403,
    );
    problem(
        &api.get(
            &format!("/api/calls/{call_id}/ranking"),
            Some(&admin_montreuil),
        ),
        403,
    );
    problem(
        &api.get(
            &format!("/api/calls/{call_id}/export.csv"),
            Some(&admin_montreuil),
        ),
        403,
    );
    problem(
        &api.post(
            &format!("/api/calls/{call_id}/decisions/publish"),
            Some(&admin_montreuil),
            &json!({}),
        ),
        403,
    );
    let mut changed = body.clone();
    changed["title"] = json!("Repris par Montreuil");
    problem(
        &api.put(
            &format!("/api/calls/{call_id}"),
            Some(&admin_montreuil),
            &changed,
        ),
        403,
    );

    // The operator sees both districts' applications and runs the eligibility step.
    let listed = api.ok(
        "GET",
        &format!("/api/calls/{call_id}/applications"),
        Some(&programme),
        None,
    );
    let ids: BTreeSet<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        BTreeSet::from([montreuil_app.as_str(), paris_app.as_str()])
    );
    api.ok(
        "POST",
        &format!("/api/applications/{montreuil_app}/transitions"),
        Some(&programme),
        Some(&json!({ "to": "eligible" })),
    );
    problem(
        &api.post(
            &format!("/api/applications/{paris_app}/transitions"),
            Some(&programme),
            &json!({ "to": "ineligible" }),
        ),
        422,
    );
    // Decisions follow the call's close (issue 13): closed early, with its reason.
    api.ok(
        "POST",
        &format!("/api/calls/{call_id}/close"),
        Some(&programme),
        Some(&json!({ "reason": "Les deux quartiers ont leurs candidatures" })),
    );
    let out = api.ok(
        "POST",
        &format!("/api/applications/{paris_app}/transitions"),
        Some(&programme),
        Some(&json!({ "to": "ineligible", "reason": "Hors périmètre" })),
    );
    assert_eq!(out["status"], "ineligible");
    // Ineligible is a decision: final.
    problem(
        &api.post(
            &format!("/api/applications/{paris_app}/transitions"),
            Some(&programme),
            &json!({ "to": "eligible" }),
        ),
        409,
    );
    let seen_by_applicant = api.ok(
        "GET",
        &format!("/api/applications/{montreuil_app}"),
        Some(&solaire),
        None,
    );
    let history: Vec<&str> = seen_by_applicant["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status"].as_str().unwrap())
        .collect();
    assert_eq!(history, ["draft", "submitted", "eligible"]);

    // Reviews across districts: only the eligible application is reviewable; the
    // assignment lives in its district and the reviewer sees it.
    let montreuil_token = api.token("reviewer.montreuil@qmi.example");
    let paris_token = api.token("reviewer.paris@qmi.example");
    let (reviewer_montreuil, reviewer_paris) = (
        api.account_id(&montreuil_token),
        api.account_id(&paris_token),
    );
    let assigned = api.ok(
        "POST",
        &format!("/api/calls/{call_id}/assignments"),
        Some(&programme),
        Some(&json!({ "reviewers": [reviewer_montreuil, reviewer_paris], "per_application": 1 })),
    );
    assert_eq!(assigned.as_array().unwrap().len(), 1, "{assigned}");
    assert_eq!(assigned[0]["application"], montreuil_app.as_str());
    let reviewer = assigned[0]["reviewer"].as_str().unwrap();
    let reviewer_token = if reviewer == reviewer_montreuil {
        montreuil_token.as_str()
    } else {
        paris_token.as_str()
    };
    let mine = api.ok("GET", "/api/reviews", Some(reviewer_token), None);
    assert_eq!(mine[0]["application"], montreuil_app.as_str());
    api.ok("PUT", &format!("/api/applications/{montreuil_app}/review"), Some(reviewer_token), Some(&json!({ "scores": [{ "criterion": "impact", "score": 4 }, { "criterion": "feasibility", "score": 2 }] })));
    let ranking = api.ok(
        "GET",
        &format!("/api/calls/{call_id}/ranking"),
        Some(&programme),
        None,
    );
    let top = &ranking["applications"][0];
    assert_eq!(
        (top["id"].as_str(), top["weighted_score"].as_f64()),
        (Some(montreuil_app.as_str()), Some(3.5)),
        "{ranking}"
    );
    assert_eq!(
        api.ok("GET", "/api/reviews", Some(reviewer_token), None)[0]["done"],
        true
    );

    // The export holds both districts' applications.
    let csv = api.get(
        &format!("/api/calls/{call_id}/export.csv"),
        Some(&programme),
    );
    assert_eq!(csv.status, 200, "{csv:?}");
    let text = String::from_utf8(csv.bytes).unwrap();
    let exported: BTreeSet<&str> = text
        .trim_start_matches('\u{feff}')
        .split("\r\n")
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(
        exported,
        BTreeSet::from([montreuil_app.as_str(), paris_app.as_str()])
    );
}

/// `GET /api/calls?managed=true`: the calls the caller runs, published or not —
/// every call for a programme operator, a commune admin's own communes' calls
/// (not the programme calls covering them), nothing for anyone else.
#[test]
fn managed_calls_list_the_unpublished_calls_of_whoever_runs_them() {
    let server = server();
    let api = Api::new(&server);
    let programme = api.token("programme@qmi.example");
    let admin_saint_denis = api.token("admin.saint-denis@qmi.example");
    let admin_montreuil = api.token("admin.montreuil@qmi.example");
    let agent = api.token("agent.saint-denis@qmi.example");
    let partner = api.token("partner@solaire-urbain.example");

    let mut draft = call_body(api.now(), "2099-12-31T23:59");
    draft["published"] = json!(false);
    draft["title"] = json!("Brouillon de Saint-Denis");
    let commune_call = api.ok("POST", "/api/calls", Some(&admin_saint_denis), Some(&draft))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut programme_body = draft.clone();
    let obj = programme_body.as_object_mut().unwrap();
    obj.remove("insee");
    obj.insert("districts".into(), json!(["93048", "75056"]));
    obj.insert("title".into(), json!("Brouillon du programme"));
    let programme_call = api.ok(
        "POST",
        "/api/calls",
        Some(&programme),
        Some(&programme_body),
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let ids = |token: &str, query: &str| -> Vec<String> {
        let r = api.get(&format!("/api/calls?{query}"), Some(token));
        assert_eq!(r.status, 200, "{r:?}");
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    };
    // The public listing shows neither draft.
    let public = ids(&programme, "limit=500");
    assert!(
        !public.contains(&commune_call) && !public.contains(&programme_call),
        "{public:?}"
    );
    let all = ids(&programme, "managed=true");
    assert!(
        all.contains(&commune_call) && all.contains(&programme_call),
        "{all:?}"
    );
    let mine = ids(&admin_saint_denis, "managed=true");
    assert!(
        mine.contains(&commune_call) && !mine.contains(&programme_call),
        "{mine:?}"
    );
    // Montreuil's admin does not run the programme call covering Montreuil.
    let montreuil = ids(&admin_montreuil, "managed=true");
    assert!(
        !montreuil.contains(&programme_call) && !montreuil.contains(&commune_call),
        "{montreuil:?}"
    );
    assert!(ids(&agent, "managed=true").is_empty());
    assert!(ids(&partner, "managed=true").is_empty());
    // Other filters still apply; a token is needed; the value is checked.
    let paris = ids(&programme, "managed=true&commune=75056");
    assert!(
        paris.contains(&programme_call) && !paris.contains(&commune_call),
        "{paris:?}"
    );
    problem(&api.get("/api/calls?managed=true", None), 401);
    problem(&api.get("/api/calls?managed=yes", Some(&programme)), 400);
}

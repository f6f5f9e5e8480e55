//! Experiments over HTTP through `qmi up` (issue 15): a selected application
//! becomes an experiment of its commune, moves through its lifecycle with a
//! history, is followed (sites, milestones, indicators, measurements by CSV,
//! reports), opened to residents' feedback under moderation, evaluated on the
//! common grid, concluded with an outcome and spread to another commune; the
//! figures and the open data count it. Every step is also refused to whoever
//! the policy refuses it: another commune's staff and another organisation's
//! members get 403/404 and never see its records.
//!
//! The test builds its own world through the API: two new communes (B, the
//! experiment's, and A, where it spreads), their people, two organisations (Y,
//! the holder; X, an outsider) and a call of B with Y's application selected.

use qmi_tests::http::{Body, Client, Res};
use qmi_tests::{QmiServer, app, invite};
use serde_json::{Value, json};

const PASSWORD: &str = "experiments-tests-password";
/// The experiment's commune.
const B: &str = "31555";
/// Another commune (where the experiment spreads).
const A: &str = "33063";

/// The people of the world, by token.
struct World {
    programme: String,
    hosting: String,
    b_admin: String,
    b_agent: String,
    b_reviewer: String,
    a_admin: String,
    y_member: String,
    x_member: String,
    x_org: String,
    /// Y's selected application to B's call.
    selected: String,
    /// Y's application still in review.
    in_review: String,
}

fn token_of(r: &Res) -> String {
    r.body["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

fn ok(r: Res, what: &str) -> Value {
    assert!(
        (200..300).contains(&r.status),
        "{what}: {} {}",
        r.status,
        r.body
    );
    r.body
}

fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {text}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n").into_bytes()
}

fn build(server: &QmiServer) -> World {
    let api = Client::new(server);
    let sign_in = |email: &str, password: &str| {
        token_of(&api.post(
            "/api/auth/token",
            None,
            &json!({ "email": email, "password": password }),
        ))
    };
    let programme = sign_in("programme@qmi.example", PASSWORD);
    let hosting = sign_in("hosting@qmi.example", PASSWORD);
    for (insee, name) in [(B, "Expéville"), (A, "Essaimville")] {
        ok(
            api.post(
                "/api/admin/communes",
                Some(&hosting),
                &json!({ "insee": insee, "name": name, "population": 1000, "status": "member" }),
            ),
            "create commune",
        );
    }
    let org = |name: &str| {
        ok(
            api.post(
                "/api/organisations",
                Some(&programme),
                &json!({ "name": name, "kind": "startup", "country": "DE" }),
            ),
            "create organisation",
        )["id"]
            .as_str()
            .expect("org id")
            .to_owned()
    };
    let y_org = org("Solutions Y");
    let x_org = org("Autre X");
    for (org, email) in [(&y_org, "y@exp.example"), (&x_org, "x@exp.example")] {
        invite::to_organisation(server, &programme, org, email, Some("Partenaire"), PASSWORD);
    }
    for (insee, email, role) in [
        (B, "b-admin@exp.example", "admin"),
        (B, "b-agent@exp.example", "agent"),
        (B, "b-reviewer@exp.example", "reviewer"),
        (A, "a-admin@exp.example", "admin"),
    ] {
        invite::to_commune(
            server,
            &programme,
            insee,
            email,
            role,
            Some("Agent"),
            PASSWORD,
        );
    }
    let b_admin = sign_in("b-admin@exp.example", PASSWORD);
    let y_member = sign_in("y@exp.example", PASSWORD);

    // B's call, Y's two applications, one selected after the call closes.
    let now = qmi_kit::time::now().0;
    let call = ok(
        api.post(
            "/api/calls",
            Some(&b_admin),
            &json!({
                "insee": B, "title": "Rafraîchir les cours", "description": "Îlots de fraîcheur",
                "themes": ["Climat", "Écoles"], "opens_at": qmi_kit::time::Instant(now - 3600).to_string(),
                "closes_at": "2099-12-31T23:59",
                "form": [{ "id": "pitch", "label": "Votre solution", "kind": "long_text", "required": true, "max_length": 2000 }],
                "criteria": [{ "id": "impact", "name": "Impact", "weight": 1 }],
                "signatory": { "name": "Marie Dupont", "role": "Maire adjointe" },
                "published": true
            }),
        ),
        "create call",
    )["id"]
        .as_str()
        .expect("call id")
        .to_owned();
    let apply = |title: &str| {
        let id = ok(
            api.post(
                &format!("/api/calls/{call}/applications"),
                Some(&y_member),
                &json!({ "title": title, "answers": { "pitch": "Des arbres" } }),
            ),
            "apply",
        )["id"]
            .as_str()
            .expect("application id")
            .to_owned();
        ok(
            api.send(
                "PUT",
                &format!("/api/applications/{id}"),
                Some(&y_member),
                Some(&json!({ "title": title, "answers": { "pitch": "Des arbres" }, "submit": true })),
            ),
            "submit",
        );
        id
    };
    let selected = apply("Cours Oasis");
    let in_review = apply("Cours Brume");
    let step = |id: &str, to: &str| {
        ok(
            api.post(
                &format!("/api/applications/{id}/transitions"),
                Some(&b_admin),
                &json!({ "to": to, "reason": "Retenue par le jury" }),
            ),
            "transition",
        );
    };
    for id in [&selected, &in_review] {
        step(id, "eligible");
        step(id, "in_review");
    }
    step(&selected, "shortlisted");
    ok(
        api.post(
            &format!("/api/calls/{call}/close"),
            Some(&b_admin),
            &json!({ "reason": "Décider" }),
        ),
        "close",
    );
    step(&selected, "selected");
    // Until the decisions are published, the selection is not an experiment yet.
    let early = api.post(
        &format!("/api/experiments/communes/{B}"),
        Some(&b_admin),
        &json!({ "application_id": selected }),
    );
    assert_eq!(early.status, 422, "{}", early.body);
    assert!(early.names("application_id"), "{}", early.body);
    ok(
        api.post(
            &format!("/api/calls/{call}/decisions/publish"),
            Some(&b_admin),
            &json!({}),
        ),
        "publish decisions",
    );
    World {
        b_agent: sign_in("b-agent@exp.example", PASSWORD),
        b_reviewer: sign_in("b-reviewer@exp.example", PASSWORD),
        a_admin: sign_in("a-admin@exp.example", PASSWORD),
        x_member: sign_in("x@exp.example", PASSWORD),
        programme,
        hosting,
        b_admin,
        y_member,
        x_org,
        selected,
        in_review,
    }
}

/// The app with its clock held still (`--clock manual`): what is due or late is
/// counted on one day however long the test runs.
fn server() -> QmiServer {
    app::up(
        &["identity", "applications", "districts", "experiments"],
        PASSWORD,
    )
    .manual_clock()
    .start()
}

#[test]
fn an_experiment_lives_from_selection_to_spread_for_those_the_policy_lets_in() {
    let server = server();
    let w = build(&server);
    let api = Client::new(&server);
    let create = |token: &str, insee: &str, app: &str| {
        api.post(
            &format!("/api/experiments/communes/{insee}"),
            Some(token),
            &json!({ "application_id": app, "starts_on": "2026-01-15" }),
        )
    };

    let before = ok(
        api.get("/api/experiments/programme/figures", Some(&w.programme)),
        "programme figures",
    );
    let public_before = ok(api.get("/api/experiments/figures", None), "public figures");

    // Creation: the commune's admin, from a selected application, once.
    let r = create(&w.b_agent, B, &w.selected);
    assert_eq!(r.status, 403, "an agent does not create: {}", r.body);
    let r = create(&w.a_admin, B, &w.selected);
    assert_eq!(r.status, 403, "another commune's admin: {}", r.body);
    let r = create(&w.b_admin, B, &w.in_review);
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.names("application_id"), "{}", r.body);
    // An id that is not one is named, never sent on to another service.
    for bad in ["a b?c", "../calls", ""] {
        let r = create(&w.b_admin, B, bad);
        assert_eq!(r.status, 422, "{bad:?}: {}", r.body);
        assert!(r.names("application_id"), "{}", r.body);
    }
    let first = ok(create(&w.b_admin, B, &w.selected), "create");
    let again = create(&w.b_admin, B, &w.selected);
    assert_eq!(again.status, 200, "idempotent: {}", again.body);
    let id = first["id"].as_str().expect("id").to_owned();
    assert_eq!(again.body["id"], first["id"]);
    assert_eq!(first["status"], "preparing");
    assert_eq!(first["title"], "Cours Oasis");
    assert_eq!(first["ends_on"], "2027-07-15", "start + 18 months");
    assert_eq!(first["themes"], json!(["Climat", "Écoles"]));
    assert_eq!(first["partners"][0]["holder"], true);
    assert_eq!(first["next"], json!(["running", "suspended", "stopped"]));
    let path = format!("/api/experiments/{id}");

    // Who reads it: its commune's staff, its partner, programme operators; others
    // get 404 (or 401/403 before any record is read), and never its title.
    for (who, token) in [
        ("B's admin", Some(&w.b_admin)),
        ("B's agent", Some(&w.b_agent)),
        ("Y's member", Some(&w.y_member)),
        ("programme", Some(&w.programme)),
    ] {
        let r = api.get(&path, token.map(String::as_str));
        assert_eq!(r.status, 200, "{who}: {}", r.body);
    }
    for (who, token, status) in [
        ("anonymous", None, 401),
        ("A's admin", Some(&w.a_admin), 404),
        ("X's member", Some(&w.x_member), 404),
        ("B's reviewer", Some(&w.b_reviewer), 404),
        ("hosting", Some(&w.hosting), 404),
    ] {
        let r = api.get(&path, token.map(String::as_str));
        assert_eq!(r.status, status, "{who}: {}", r.body);
        assert!(!r.text.contains("Cours Oasis"), "{who} saw the title");
    }
    let mine = ok(api.get("/api/experiments/mine", Some(&w.y_member)), "mine");
    assert_eq!(mine.as_array().map(Vec::len), Some(1), "{mine}");
    let theirs = ok(api.get("/api/experiments/mine", Some(&w.x_member)), "mine");
    assert_eq!(theirs, json!([]));
    let list = ok(
        api.get(&format!("/api/experiments/communes/{B}"), Some(&w.b_agent)),
        "commune list",
    );
    assert_eq!(list["items"][0]["id"], id.as_str());
    for token in [&w.a_admin, &w.x_member, &w.b_reviewer] {
        let r = api.get(&format!("/api/experiments/communes/{B}"), Some(token));
        assert_eq!(r.status, 403, "{}", r.body);
    }

    // The lifecycle: a refused move names the allowed ones; suspending needs a
    // reason; a suspended experiment resumes where it was; the history keeps all.
    let moves = format!("{path}/moves");
    let r = api.post(&moves, Some(&w.b_admin), &json!({ "to": "concluded" }));
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.text.contains("running, suspended, stopped"), "{}", r.body);
    let r = api.post(&moves, Some(&w.y_member), &json!({ "to": "running" }));
    assert_eq!(r.status, 403, "the partner does not move it: {}", r.body);
    ok(
        api.post(&moves, Some(&w.b_admin), &json!({ "to": "running" })),
        "run",
    );
    let r = api.post(&moves, Some(&w.b_admin), &json!({ "to": "suspended" }));
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.names("reason"), "{}", r.body);
    let suspended = ok(
        api.post(
            &moves,
            Some(&w.b_admin),
            &json!({ "to": "suspended", "reason": "Travaux dans la cour" }),
        ),
        "suspend",
    );
    assert_eq!(suspended["next"], json!(["running", "stopped"]));
    let resumed = ok(
        api.post(&moves, Some(&w.programme), &json!({ "to": "running" })),
        "resume",
    );
    let history: Vec<(String, String)> = resumed["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|m| {
            (
                m["to"].as_str().unwrap_or("").to_owned(),
                m["reason"].to_string(),
            )
        })
        .collect();
    assert_eq!(history.len(), 3, "{history:?}");
    assert_eq!(history[1].0, "suspended");
    assert!(history[1].1.contains("Travaux"), "{history:?}");
    assert!(
        resumed["history"][0]["by"]
            .as_str()
            .is_some_and(|b| !b.is_empty())
    );

    // Follow-up: sites, a late milestone, indicators, measurements.
    let r = api.post(
        &format!("{path}/partners"),
        Some(&w.programme),
        &json!({ "organisation_id": "x y#z" }),
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.names("organisation_id"), "{}", r.body);
    let site = ok(
        api.post(
            &format!("{path}/sites"),
            Some(&w.b_admin),
            &json!({ "name": "Cour de l'école Jaurès", "point": { "lon": 1.44, "lat": 43.6 } }),
        ),
        "site",
    );
    assert_eq!(site["point"]["lon"], 1.44);
    let r = api.post(
        &format!("{path}/sites"),
        Some(&w.b_admin),
        &json!({ "name": "Nulle part" }),
    );
    assert_eq!(r.status, 422, "a site is a point or an area: {}", r.body);
    let r = api.post(
        &format!("{path}/sites"),
        Some(&w.y_member),
        &json!({ "name": "Ailleurs", "point": { "lon": 1.0, "lat": 43.0 } }),
    );
    assert_eq!(r.status, 403, "{}", r.body);
    let late = ok(
        api.post(
            &format!("{path}/milestones"),
            Some(&w.b_admin),
            &json!({ "title": "Plantation", "planned_on": "2026-03-01" }),
        ),
        "milestone",
    );
    assert_eq!(late["late"], true, "{late}");
    let later = ok(
        api.post(
            &format!("{path}/milestones"),
            Some(&w.b_admin),
            &json!({ "title": "Bilan", "planned_on": "2099-01-01" }),
        ),
        "milestone",
    );
    assert_eq!(later["late"], false);
    let done = ok(
        api.send(
            "PUT",
            &format!("{path}/milestones/{}", late["id"].as_str().unwrap_or("")),
            Some(&w.y_member),
            Some(&json!({ "done_on": "2026-03-10", "evidence": "Photos" })),
        ),
        "milestone done by the holder",
    );
    assert_eq!(done["late"], false);
    let indicator = |name: &str, public: bool| {
        ok(
            api.post(
                &format!("{path}/indicators"),
                Some(&w.b_admin),
                &json!({ "name": name, "unit": "°C", "baseline": 35.0, "target": 30.0, "direction": "lower", "public": public }),
            ),
            "indicator",
        )["id"]
            .as_str()
            .expect("indicator id")
            .to_owned()
    };
    let heat = indicator("Température au sol", true);
    let _secret = indicator("Coût interne", false);
    let measured = ok(
        api.post(
            &format!("{path}/indicators/{heat}/measurements"),
            Some(&w.y_member),
            &json!({ "on": "2026-02-28", "value": 33.5, "source": "capteur" }),
        ),
        "measurement",
    );
    assert_eq!(measured["on_target"], false);
    let csv = format!("{path}/measurements.csv");
    let bad = "indicator,date,value,comment,source\nTempérature au sol,2026-03-31,31,,capteur\nTempérature au sol,2026-04-31,30,,capteur\n";
    let r = api.request(
        "POST",
        &csv,
        Some(&w.y_member),
        Body::Bytes("text/csv", bad.as_bytes().to_vec()),
        &[],
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.names("line 3"), "the bad line is named: {}", r.body);
    let exported = api.get(&csv, Some(&w.y_member));
    assert_eq!(exported.status, 200);
    assert_eq!(
        exported.text.lines().count(),
        2,
        "nothing half-imported: {}",
        exported.text
    );
    let good = "indicator,date,value,comment,source\nTempérature au sol,2026-03-31,31,,capteur\nCoût interne,2026-03-31,\"1200,5\",mars,compta\nTempérature au sol,2026-04-30,29.5,,capteur\n";
    let imported = ok(
        api.request(
            "POST",
            &csv,
            Some(&w.y_member),
            Body::Bytes("text/csv", good.as_bytes().to_vec()),
            &[],
        ),
        "import",
    );
    assert_eq!(imported["imported"], 3);
    let exported = api.get(&csv, Some(&w.b_agent)).text;
    assert!(
        exported.starts_with("indicator,date,value,comment,source"),
        "{exported}"
    );
    assert!(
        exported.contains("Coût interne,2026-03-31,1200.5,mars,compta"),
        "{exported}"
    );
    let r = api.request(
        "POST",
        &csv,
        Some(&w.x_member),
        Body::Bytes("text/csv", good.as_bytes().to_vec()),
        &[],
    );
    assert_eq!(r.status, 404, "{}", r.body);

    // Documents: checked by content.
    let doc = ok(
        api.request(
            "POST",
            &format!("{path}/documents?kind=agreement&name=convention.pdf"),
            Some(&w.b_admin),
            Body::Bytes("application/pdf", pdf("Convention")),
            &[],
        ),
        "agreement",
    );
    assert_eq!(doc["content_type"], "application/pdf");
    let r = api.request(
        "POST",
        &format!("{path}/documents?kind=report"),
        Some(&w.y_member),
        Body::Bytes("application/pdf", b"<html>not a pdf</html>".to_vec()),
        &[],
    );
    assert_eq!(r.status, 415, "{}", r.body);
    let file = api.get(
        &format!("{path}/documents/{}", doc["id"].as_str().unwrap_or("")),
        Some(&w.y_member),
    );
    assert_eq!(file.status, 200);
    assert!(file.text.starts_with("%PDF-1.4"));

    // Reports on a monthly rhythm: due and overdue, visible to both sides.
    let mut details = first.clone();
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
    details["report_every_months"] = json!(1);
    ok(
        api.send("PUT", &path, Some(&w.b_admin), Some(&details)),
        "monthly reports",
    );
    let followed = ok(
        api.get(&format!("{path}/followed"), Some(&w.y_member)),
        "followed",
    );
    let reports = followed["reports"].as_array().expect("reports");
    assert!(reports.len() >= 2, "{followed}");
    assert_eq!(reports[0]["period"], "2026-01-15");
    assert_eq!(reports[0]["state"], "overdue");
    ok(
        api.send(
            "PUT",
            &format!("{path}/reports/2026-01-15"),
            Some(&w.y_member),
            Some(&json!({ "text": "Premier mois : chantier lancé" })),
        ),
        "report",
    );
    let r = api.send(
        "PUT",
        &format!("{path}/reports/2026-01-16"),
        Some(&w.y_member),
        Some(&json!({ "text": "Pas une période" })),
    );
    assert_eq!(r.status, 422, "{}", r.body);
    let followed = ok(
        api.get(&format!("{path}/followed"), Some(&w.b_agent)),
        "followed",
    );
    assert_eq!(followed["reports"][0]["state"], "sent");
    // The programme's count of overdue reports, kept with the writes, agrees with
    // the experiment's own periods.
    let overdue = followed["reports"]
        .as_array()
        .expect("reports")
        .iter()
        .filter(|r| r["state"] == "overdue")
        .count() as u64;
    assert!(overdue >= 1, "{followed}");
    let now = ok(
        api.get("/api/experiments/programme/figures", Some(&w.programme)),
        "programme figures",
    );
    assert_eq!(
        now["reports_overdue"].as_u64(),
        before["reports_overdue"].as_u64().map(|b| b + overdue),
        "{now}"
    );
    assert_eq!(followed["milestones"][0]["done_on"], "2026-03-10");

    // Residents' feedback: only on a published experiment, waiting for moderation,
    // limited per client; unpublished feedback and private indicators never public.
    let feedback = format!("{path}/feedback");
    let say = |text: &str| {
        api.post(
            &feedback,
            None,
            &json!({ "text": text, "rating": 4, "first_name": "Léa", "neighbourhood": "Bonnefoy" }),
        )
    };
    assert_eq!(say("Trop tôt").status, 404, "not published yet");
    assert_eq!(
        api.get(&format!("{path}/public"), None).status,
        404,
        "no public page before publication"
    );
    details["published"] = json!(true);
    ok(
        api.send("PUT", &path, Some(&w.b_admin), Some(&details)),
        "publish",
    );
    let r = api.post(&feedback, None, &json!({ "text": "x", "rating": 9 }));
    assert_eq!(r.status, 422);
    assert!(r.names("rating"), "{}", r.body);
    let r = api.post(
        &feedback,
        None,
        &json!({ "text": "x", "rating": 3, "email": "lea@example.org" }),
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let r = say("<script>alert(1)</script> Enfin de l'ombre !");
    assert_eq!(r.status, 202, "{}", r.body);
    let public = ok(api.get(&format!("{path}/public"), None), "public page");
    assert_eq!(public["feedback"], json!([]), "nothing before moderation");
    let names: Vec<&str> = public["indicators"]
        .as_array()
        .expect("indicators")
        .iter()
        .filter_map(|i| i["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["Température au sol"],
        "private indicators stay private"
    );
    assert!(!public.to_string().contains("Coût interne"));
    let waiting = ok(api.get(&feedback, Some(&w.b_agent)), "moderation list");
    let items = waiting.as_array().expect("feedback");
    assert_eq!(items.len(), 2);
    assert!(
        items.iter().all(|f| f["email"].is_null()),
        "no address without consent"
    );
    let r = api.get(&feedback, Some(&w.y_member));
    assert_eq!(r.status, 403, "the holder does not moderate: {}", r.body);
    let script = items
        .iter()
        .find(|f| f["text"].as_str().is_some_and(|t| t.contains("ombre")))
        .expect("feedback");
    let other = items.iter().find(|f| f["text"] == "x").expect("feedback");
    let moderate = |fid: &Value, body: Value| {
        api.post(
            &format!("{feedback}/{}/moderation", fid.as_str().unwrap_or("")),
            Some(&w.b_agent),
            &body,
        )
    };
    let r = moderate(&other["id"], json!({ "publish": false }));
    assert_eq!(r.status, 422, "a rejection needs a reason");
    ok(
        moderate(
            &other["id"],
            json!({ "publish": false, "reason": "Hors sujet" }),
        ),
        "reject",
    );
    ok(
        moderate(&script["id"], json!({ "publish": true })),
        "publish",
    );
    let public = ok(api.get(&format!("{path}/public"), None), "public page");
    assert_eq!(public["feedback"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        public["feedback"][0]["text"], "<script>alert(1)</script> Enfin de l'ombre !",
        "kept as typed (the app renders it as text)"
    );
    let mut limited = 0;
    for i in 0..6 {
        if say(&format!("Encore {i}")).status == 429 {
            limited += 1;
        }
    }
    assert!(limited >= 1, "a client is rate-limited");

    // The grid: once evaluating, each side its column, side by side.
    let grid = |side: &str, token: &str, score: u8| {
        let scores: Vec<Value> = ["efficiency", "feasibility", "sustainability", "scalability"]
            .iter()
            .map(|a| json!({ "axis": a, "score": score, "comment": format!("{side} {a}") }))
            .collect();
        api.send(
            "PUT",
            &format!("{path}/grid/{side}"),
            Some(token),
            Some(&json!({ "scores": scores })),
        )
    };
    assert_eq!(
        grid("commune", &w.b_admin, 4).status,
        409,
        "not before evaluating"
    );
    ok(
        api.post(&moves, Some(&w.b_admin), &json!({ "to": "evaluating" })),
        "evaluate",
    );
    assert_eq!(grid("programme", &w.b_admin, 4).status, 403);
    assert_eq!(grid("commune", &w.b_agent, 4).status, 403);
    ok(grid("commune", &w.b_admin, 4), "commune grid");
    let evaluation = ok(grid("programme", &w.programme, 3), "programme grid");
    assert_eq!(evaluation["commune"][0]["score"], 4);
    assert_eq!(evaluation["programme"][0]["score"], 3);
    ok(
        api.send(
            "PUT",
            &format!("{path}/holder-evaluation"),
            Some(&w.y_member),
            Some(&json!({ "protocol": "Mesures mensuelles", "final_report": "Deux degrés de moins" })),
        ),
        "holder evaluation",
    );

    // Outcome and spread: concluded, spread to A by the programme, linked both ways.
    let outcome = json!({ "outcome": "spread", "reason": "Efficace et peu coûteux", "lessons": "Associer les parents" });
    let r = api.send(
        "PUT",
        &format!("{path}/outcome"),
        Some(&w.b_admin),
        Some(&outcome),
    );
    assert_eq!(r.status, 409, "not before it concludes");
    ok(
        api.post(&moves, Some(&w.b_admin), &json!({ "to": "concluded" })),
        "conclude",
    );
    ok(
        api.send(
            "PUT",
            &format!("{path}/outcome"),
            Some(&w.b_admin),
            Some(&outcome),
        ),
        "outcome",
    );
    let r = api.post(
        &format!("{path}/spreads"),
        Some(&w.b_admin),
        &json!({ "insee": A }),
    );
    assert_eq!(r.status, 403, "B's admin does not create in A: {}", r.body);
    let spread = ok(
        api.post(
            &format!("{path}/spreads"),
            Some(&w.programme),
            &json!({ "insee": A }),
        ),
        "spread",
    );
    assert_eq!(spread["insee"], A);
    assert_eq!(spread["spread_from"]["id"], id.as_str());
    assert_eq!(spread["status"], "preparing");
    let again = api.post(
        &format!("{path}/spreads"),
        Some(&w.programme),
        &json!({ "insee": A }),
    );
    assert_eq!(again.status, 200, "idempotent");
    assert_eq!(again.body["id"], spread["id"]);
    let origin = ok(api.get(&path, Some(&w.b_admin)), "origin");
    assert_eq!(origin["spread_to"][0]["id"], spread["id"]);
    assert_eq!(origin["outcome"]["outcome"], "spread");
    let spread_path = format!("/api/experiments/{}", spread["id"].as_str().unwrap_or(""));
    assert_eq!(api.get(&spread_path, Some(&w.a_admin)).status, 200);
    assert_eq!(api.get(&spread_path, Some(&w.b_agent)).status, 404);
    assert_eq!(
        api.get(&spread_path, Some(&w.y_member)).status,
        200,
        "the holder follows it there too"
    );

    // The timeline, from the application to the spread.
    let timeline = ok(
        api.get(&format!("{path}/timeline"), Some(&w.y_member)),
        "timeline",
    );
    let kinds: Vec<&str> = timeline["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    for kind in [
        "application",
        "created",
        "moved",
        "milestone_done",
        "report_sent",
        "evaluated",
        "outcome_recorded",
        "spread_to",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    assert_eq!(
        kinds[0], "application",
        "the application comes first: {kinds:?}"
    );
    let of_app = ok(
        api.get(
            &format!("/api/experiments/applications/{}/timeline", w.selected),
            Some(&w.b_agent),
        ),
        "application timeline",
    );
    assert_eq!(of_app["experiment"]["id"], id.as_str());
    let r = api.get(
        &format!("/api/experiments/applications/{}/timeline", w.selected),
        Some(&w.x_member),
    );
    assert_eq!(r.status, 404, "{}", r.body);

    // Figures and open data.
    let figures = ok(
        api.get(
            &format!("/api/experiments/communes/{B}/figures"),
            Some(&w.b_agent),
        ),
        "commune figures",
    );
    assert_eq!(
        figures["by_status"],
        json!([{ "key": "concluded", "count": 1 }])
    );
    // 29.5 °C reaches its target (30, lower is better); 1,200.5 misses its 30.
    assert_eq!(figures["indicators_on_target"], 1, "{figures}");
    assert_eq!(figures["indicators_off_target"], 1, "{figures}");
    assert_eq!(
        api.get(
            &format!("/api/experiments/communes/{B}/figures"),
            Some(&w.a_admin)
        )
        .status,
        403
    );
    let programme = ok(
        api.get("/api/experiments/programme/figures", Some(&w.programme)),
        "programme figures",
    );
    let n = |v: &Value, k: &str| v[k].as_u64().unwrap_or(0);
    assert_eq!(
        n(&programme, "total"),
        n(&before, "total") + 2,
        "{programme}"
    );
    assert_eq!(n(&programme, "spread"), n(&before, "spread") + 1);
    assert_eq!(
        n(&programme, "spread_communes"),
        n(&before, "spread_communes") + 1
    );
    for (commune, count) in [(B, 1), (A, 1)] {
        assert!(
            programme["by_commune"]
                .as_array()
                .is_some_and(|c| c.contains(&json!({ "key": commune, "count": count }))),
            "{programme}"
        );
    }
    assert!(programme["grid"][0]["commune"].is_number(), "{programme}");
    for token in [&w.b_admin, &w.hosting] {
        assert_eq!(
            api.get("/api/experiments/programme/figures", Some(token))
                .status,
            403
        );
    }
    let public = ok(api.get("/api/experiments/figures", None), "public figures");
    assert_eq!(
        n(&public, "total"),
        n(&public_before, "total") + 1,
        "the spread one is not published: {public}"
    );
    let open = ok(
        api.get("/api/open-data/experiments.json", None),
        "open data",
    );
    let ours: Vec<&Value> = open
        .as_array()
        .expect("rows")
        .iter()
        .filter(|e| e["insee"] == B || e["insee"] == A)
        .collect();
    assert_eq!(ours.len(), 1, "only the published one: {open}");
    assert_eq!(ours[0]["outcome"], "spread");
    let open_csv = api.get("/api/open-data/experiments.csv", None);
    assert_eq!(open_csv.status, 200);
    assert!(
        open_csv.text.contains("Efficace et peu coûteux"),
        "{}",
        open_csv.text
    );
    let listed = ok(
        api.get("/api/experiments?theme=Climat", None),
        "public list",
    );
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1));
    let none = ok(
        api.get(
            &format!("/api/experiments?commune={B}&status=running"),
            None,
        ),
        "public list",
    );
    assert_eq!(none["items"], json!([]));
    let _ = &w.x_org;
}

//! Browser tests of issue 13's walk through the roles (findings 6 and 7): a
//! suspension asks first and records why, and the suspended commune's people
//! are told plainly, in French, instead of meeting its menus and an English
//! refusal. The web app under `qmi up` in headless Chromium (harness:
//! `qmi_tests::browser`), axe-core on every page visited; the commune and its
//! admin are made through the API (the admin invited and accepting).

use std::future::Future;
use std::pin::Pin;

use qmi_tests::browser::*;
use qmi_tests::ensure;
use qmi_tests::invite;
use serde_json::{Value, json};

/// The commune these tests add (not a demo one).
const INSEE: &str = "69385";
const ADMIN: &str = "admin.lyon5@example.org";
const REASON: &str = "Convention avec la métropole non renouvelée";

/// A JSON call for a check, answering its status and body.
fn call_get(server: &qmi_tests::QmiServer, path: &str, token: &str) -> (u16, Value) {
    call(server, path, token)
}

fn call(server: &qmi_tests::QmiServer, path: &str, token: &str) -> (u16, Value) {
    std::thread::scope(|s| {
        s.spawn(|| {
            // The shared client: a 5xx fails the test.
            let res = qmi_tests::http::Client::new(server).get(path, Some(token));
            (res.status, res.body)
        })
        .join()
        .expect("a blocking helper panicked")
    })
}

fn suspension(b: &Ctx) -> Pin<Box<dyn Future<Output = Outcome> + '_>> {
    Box::pin(async move {
        let hosting = std::thread::scope(|s| {
            s.spawn(|| token(&b.server, "hosting@qmi.example"))
                .join()
                .expect("token")
        });
        b.sign_in("hosting@qmi.example").await?;
        b.goto("/espace/locataires").await?;
        b.fill("#registre-filtre", INSEE).await?;
        b.click("#registre-chercher").await?;
        wait_count(b, "#table-registre tbody tr", 1).await?;
        let row = format!("tr[data-insee='{INSEE}']");
        b.click(&format!("{row} button")).await?;
        // Asked first: what a suspension does, and why (required).
        b.wait_text("#suspension", "Motif de la suspension").await?;
        let (_, commune) = call(&b.server, &format!("/api/communes/{INSEE}"), &hosting);
        ensure!(
            commune["status"] == "member",
            "one click suspended the commune: {commune}"
        );
        b.axe("tenants, suspension asked").await?;
        b.click("#suspension-confirmer").await?;
        b.wait_text("#suspension-motif-erreur", "un motif est obligatoire")
            .await?;
        b.fill("#suspension-motif", REASON).await?;
        b.click("#suspension-confirmer").await?;
        b.wait_text(&row, "Suspendue").await?;
        // The reason is kept with the commune's status history.
        let (status, history) = call(
            &b.server,
            &format!("/api/admin/communes/{INSEE}/history"),
            &hosting,
        );
        ensure!(
            status == 200 && history[0]["status"] == "suspended" && history[0]["reason"] == REASON,
            "the suspension's reason is not in the history: {status} {history}"
        );

        // The commune's admin is told plainly, in French, without its menus.
        b.js("sessionStorage.clear(); localStorage.clear();", vec![])
            .await?;
        b.goto("/connexion").await?;
        b.fill("#connexion-email", ADMIN).await?;
        b.fill("#connexion-mot-de-passe", DEMO_PASSWORD).await?;
        b.click("#connexion-valider").await?;
        let card = format!("section.membership-suspended[data-insee='{INSEE}']");
        b.wait_text(&card, "Lyon 5e").await?;
        b.wait_text(&card, "Cette commune est suspendue").await?;
        let menus = b
            .js(
                &format!(
                    "return document.querySelectorAll(\"a[href^='/espace/communes/{INSEE}'], a[href^='/espace/quartiers/{INSEE}']\").length;"
                ),
                vec![],
            )
            .await?;
        ensure!(
            menus == json!(0),
            "the suspended commune's menus are still offered ({menus})"
        );
        b.axe("my space, commune suspended").await?;
        // Its pages, opened directly, say so in French (no English refusal).
        b.goto(&format!("/espace/communes/{INSEE}")).await?;
        b.wait_text(".commune-suspendue", "Cette commune est suspendue")
            .await?;
        let text = b
            .js("return document.querySelector('main').innerText;", vec![])
            .await?;
        let text = text.as_str().unwrap_or_default();
        ensure!(
            !text.contains("is suspended") && !text.contains("Accès refusé"),
            "the suspended commune's page shows: {text}"
        );
        b.axe("commune members, commune suspended").await?;
        Ok(())
    })
}

/// Finding 6: suspending a commune asks first and records why; its people are
/// told plainly, in French, and its menus are gone.
#[test]
fn a_suspension_asks_why_and_its_people_are_told_in_french() {
    let server = server();
    let programme = token(&server, "programme@qmi.example");
    let hosting = token(&server, "hosting@qmi.example");
    api(
        &server,
        "POST",
        "/api/admin/communes",
        Some(&hosting),
        Some(&json!({ "insee": INSEE, "name": "Lyon 5e", "population": 48000 })),
    );
    invite::to_commune(
        &server,
        &programme,
        INSEE,
        ADMIN,
        "admin",
        Some("Camille Lyon"),
        DEMO_PASSWORD,
    );
    run_on(
        "a_suspension_asks_why_and_its_people_are_told_in_french",
        server,
        suspension,
    );
}

/// The commune of the role test (not a demo one), its reviewer and its agent.
const INSEE_ROLES: &str = "69386";
const REVIEWER: &str = "evaluatrice.lyon6@example.org";
const AGENT: &str = "agent.lyon6@example.org";

/// Signs in as `email` (an account of these tests), leaving any session first.
async fn sign_in_as(b: &Ctx, email: &str) -> Outcome {
    b.goto("/").await?;
    b.js("sessionStorage.clear(); localStorage.clear();", vec![])
        .await?;
    b.goto("/connexion").await?;
    b.fill("#connexion-email", email).await?;
    b.fill("#connexion-mot-de-passe", DEMO_PASSWORD).await?;
    b.click("#connexion-valider").await?;
    b.wait_text("#mon-email", email).await.map(drop)
}

/// `path` is not for the signed-in role: a plain page says so, with no form.
async fn not_for_my_role(b: &Ctx, path: &str) -> Outcome {
    b.goto(path).await?;
    b.wait_text("#pas-pour-votre-role", "n'est pas pour votre rôle")
        .await?;
    let fields = b
        .js(
            "return document.querySelectorAll('main input, main textarea, main select, main form').length;",
            vec![],
        )
        .await?;
    let text = b
        .js("return document.querySelector('main').innerText;", vec![])
        .await?;
    ensure!(
        fields == json!(0) && !text.as_str().unwrap_or_default().contains("Accès refusé"),
        "{path}: a page not for this role still shows {fields} form fields: {text}"
    );
    b.axe(&format!("{path}, not for this role")).await
}

fn roles(b: &Ctx) -> Pin<Box<dyn Future<Output = Outcome> + '_>> {
    Box::pin(async move {
        sign_in_as(b, REVIEWER).await?;
        not_for_my_role(b, &format!("/espace/communes/{INSEE_ROLES}")).await?;
        not_for_my_role(b, "/espace/appels").await?;
        not_for_my_role(b, "/espace/locataires").await?;
        sign_in_as(b, AGENT).await?;
        not_for_my_role(b, "/espace/appels").await?;
        not_for_my_role(b, "/espace/campagnes").await?;
        // The agent's work: the review follow-up of the commune's calls, read only.
        b.goto("/espace").await?;
        b.click(&format!(
            "a[href='/espace/communes/{INSEE_ROLES}#suivi-evaluations']"
        ))
        .await?;
        b.wait_text("#suivi-evaluations", "Suivi à Lyon 6e").await?;
        b.wait_text("#suivi-evaluations", "Aucune évaluation confiée")
            .await?;
        b.wait_text("main", AGENT).await?;
        b.axe("commune members and review follow-up, agent").await?;
        let agent = std::thread::scope(|s| {
            s.spawn(|| {
                let r = api(
                    &b.server,
                    "POST",
                    "/api/auth/token",
                    None,
                    Some(&json!({ "email": AGENT, "password": DEMO_PASSWORD })),
                );
                r["access_token"].as_str().unwrap_or_default().to_owned()
            })
            .join()
            .expect("token")
        });
        let (status, body) = call_get(&b.server, "/api/calls?status=open&commune=69386", &agent);
        let id = body["items"][0]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let (status2, _) = call_get(&b.server, &format!("/api/calls/{id}/assignments"), &agent);
        ensure!(
            status == 200 && status2 == 200,
            "the agent cannot follow the call's reviews: {status} {status2}"
        );
        Ok(())
    })
}

/// Finding 10: pages a role may not use say so plainly instead of showing
/// forms among "Accès refusé" blocks; the commune's agent has work: the
/// review follow-up of its calls (read only, the policy's `review-follow`).
#[test]
fn pages_not_for_a_role_say_so_plainly() {
    let server = server_with(&["applications"]);
    let programme = token(&server, "programme@qmi.example");
    let hosting = token(&server, "hosting@qmi.example");
    api(
        &server,
        "POST",
        "/api/admin/communes",
        Some(&hosting),
        Some(&json!({ "insee": INSEE_ROLES, "name": "Lyon 6e", "population": 51000 })),
    );
    for (email, role, name) in [
        (REVIEWER, "reviewer", "Dominique Évaluation"),
        (AGENT, "agent", "Sacha Agent"),
    ] {
        invite::to_commune(
            &server,
            &programme,
            INSEE_ROLES,
            email,
            role,
            Some(name),
            DEMO_PASSWORD,
        );
    }
    // A published call of the commune, run by the programme team.
    api(
        &server,
        "POST",
        "/api/calls",
        Some(&programme),
        Some(&json!({
            "insee": INSEE_ROLES,
            "title": "Suivi à Lyon 6e",
            "description": "Des solutions pour le quartier",
            "themes": ["Climat"],
            "challenges": [],
            "eligibility": { "kinds": [], "countries": [] },
            "opens_at": "2020-01-01T00:00:00Z",
            "closes_at": "2099-12-31T23:59",
            "target_selections": 1,
            "form": [{ "id": "pitch", "label": "Votre solution", "kind": "long_text", "required": true, "max_length": 500 }],
            "criteria": [{ "id": "impact", "name": "Impact", "weight": 1 }],
            "published": true
        })),
    );
    run_on("pages_not_for_a_role_say_so_plainly", server, roles);
}

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
fn call(server: &qmi_tests::QmiServer, path: &str, token: &str) -> (u16, Value) {
    std::thread::scope(|s| {
        s.spawn(|| {
            let res = reqwest::blocking::Client::new()
                .get(server.url(path))
                .header("authorization", format!("Bearer {token}"))
                .send()
                .expect("GET");
            let status = res.status().as_u16();
            let text = res.text().unwrap_or_default();
            (status, serde_json::from_str(&text).unwrap_or(Value::Null))
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
        b.wait_text("#commune-suspendue", "Cette commune est suspendue")
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

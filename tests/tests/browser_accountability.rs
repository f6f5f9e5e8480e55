//! Browser tests of issue 18 (accountability), in the web app under `qmi up`
//! (harness: `qmi_tests::browser`), axe-core on every page visited, at 1280
//! and at 360 px. "Mes données" offers the export of one's data and the
//! deletion of one's account; a commune admin reads the commune's audit trail
//! after a change made through the API, filters it and gets its CSV link with
//! the filters; the programme team reads it too, and the platform's trail; a
//! person deletes their account (a wrong password refused beside the field,
//! the last admin of a commune told which); the hosting operator reads the
//! usage per commune and the runtime's figures (or that there are none).
//!
//! Every test but the first needs the accountability routes
//! (`/api/communes/{insee}/audit`, `/api/admin/audit`, `DELETE /api/me`,
//! `/api/admin/usage`, `/api/admin/runtime`): they serve every component of
//! the application, whichever of them answers those routes.

use std::time::{Duration, Instant};

use qmi_tests::QmiServer;
use qmi_tests::browser::*;
use qmi_tests::ensure;
use serde_json::json;

/// The components `build_app` builds already (besides `web` and `identity`).
const BUILT: &[&str] = &[
    "gateway",
    "applications",
    "districts",
    "experiments",
    "partners",
    "notifications",
];

/// Every component of the application with its own routes: the accountability
/// routes gather what each service holds, whichever component serves them.
fn every_service() -> Vec<String> {
    let manifest = qmi_manifest::load(&root_manifest()).expect("load spin.toml");
    let services: Vec<String> = manifest
        .components
        .keys()
        .filter(|c| !matches!(c.as_str(), "web" | "identity" | "gateway" | "policy"))
        .cloned()
        .collect();
    // Build what `build_app` does not (a component added since).
    let extra: Vec<&str> = services
        .iter()
        .map(String::as_str)
        .filter(|c| !BUILT.contains(c))
        .collect();
    if !extra.is_empty() {
        qmi_tests::app::build(&extra);
    }
    services
}

/// [`server_with`] every service.
fn full_server() -> QmiServer {
    let services = every_service();
    let names: Vec<&str> = services.iter().map(String::as_str).collect();
    server_with(&names)
}

/// The path of the page shown.
async fn path(b: &Ctx) -> Result<String, String> {
    let v = b.js("return location.pathname;", vec![]).await?;
    Ok(v.as_str().unwrap_or_default().to_owned())
}

/// Waits until the page shown is `want`.
async fn wait_path(b: &Ctx, want: &str) -> Outcome {
    let deadline = Instant::now() + WAIT;
    loop {
        let got = path(b).await?;
        if got == want {
            return Ok(());
        }
        ensure!(Instant::now() < deadline, "the page is {got}, not {want}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the attribute `name` of `css` satisfies `ok`; its value.
async fn wait_attr(
    b: &Ctx,
    css: &str,
    name: &str,
    ok: impl Fn(&str) -> bool,
) -> Result<String, String> {
    let deadline = Instant::now() + WAIT;
    loop {
        let got = b.el(css).await?.attr(name).await.ctx(name)?;
        if let Some(v) = got.as_deref().filter(|v| ok(v)) {
            return Ok(v.to_owned());
        }
        ensure!(
            Instant::now() < deadline,
            "{css} has {name}={got:?}, never the one awaited"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the text content of `css` is `want` (as written, whatever the
/// style sheet does to it: capitals, say).
async fn wait_content(b: &Ctx, css: &str, want: &str) -> Outcome {
    let deadline = Instant::now() + WAIT;
    loop {
        let got = b
            .js(
                "const e = document.querySelector(arguments[0]); return e && e.textContent;",
                vec![json!(css)],
            )
            .await?;
        if got == json!(want) {
            return Ok(());
        }
        ensure!(Instant::now() < deadline, "{css} says {got}, not {want:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Axe at 360 px, then back; the page neither scrolls sideways nor leaves a
/// control out of the window there.
async fn narrow(b: &Ctx, page: &str) -> Outcome {
    resize(b, 360, 800).await?;
    b.axe(&format!("{page} at 360 px")).await?;
    resize(b, 1280, 900).await?;
    fits_360(b, page).await
}

/// Signs out through the header.
async fn sign_out(b: &Ctx) -> Outcome {
    b.click("#deconnexion").await?;
    b.wait_text("nav", "Connexion").await.map(drop)
}

/// "Mes données": reached from "Mon espace" and from "Mon compte", in the
/// account's lazily loaded module; the export's link and the deletion's form
/// (a password required before anything is sent), axe-clean at 360 px.
#[test]
fn my_data_page_offers_the_export_and_the_deletion() {
    run("my_data_page", |b| {
        Box::pin(async move {
            b.sign_in("partner@solaire-urbain.example").await?;
            b.click("a[href='/espace/compte/donnees']").await?;
            b.wait_text("main h1", "Mes données").await?;
            ensure!(
                b.wasm_fetched()
                    .await?
                    .iter()
                    .any(|(p, _)| p.starts_with("/qmi-compte-")),
                "\"Mes données\" came without the account's module"
            );
            b.wait_text("#donnees-email", "partner@solaire-urbain.example")
                .await?;
            // The export: a link to the API's file, named as a download.
            let export = b.el("a#donnees-telecharger").await?;
            ensure!(
                export.attr("href").await.ctx("href")?.as_deref() == Some("/api/me/export"),
                "the export link does not point at /api/me/export"
            );
            ensure!(
                export.text().await.ctx("text")? == "Télécharger mes données",
                "the export link does not say what it does"
            );
            // The deletion says what goes and what stays.
            let goes = b.wait_text("#suppression-efface", "mot de passe").await?;
            ensure!(
                goes.contains("nom") && goes.contains("adresse électronique"),
                "the name and e-mail address are not said to go:\n{goes}"
            );
            let stays = b.wait_text("#suppression-reste", "reste").await?;
            ensure!(
                stays.contains("identifiant anonyme"),
                "what stays is not said to stay unnamed:\n{stays}"
            );
            b.axe("Mes données").await?;
            b.snapshot("mes-donnees").await?;
            // No password: refused beside the field, nothing sent.
            b.click("#suppression-confirmer").await?;
            b.wait_text(
                "#suppression-mot-de-passe-erreur",
                "Saisissez votre mot de passe",
            )
            .await?;
            let invalid = b
                .el("#suppression-mot-de-passe")
                .await?
                .attr("aria-invalid")
                .await
                .ctx("aria-invalid")?;
            ensure!(
                invalid.as_deref() == Some("true"),
                "the password field is not marked invalid"
            );
            b.axe("Mes données, a field refused").await?;
            narrow(b, "Mes données").await?;
            // In English too.
            b.click("#langue").await?;
            b.wait_text("main h1", "My data").await?;
            b.wait_text("a#donnees-telecharger", "Download my data")
                .await?;
            b.click("#langue").await?;
            // Reached from "Mon compte" as well.
            b.goto("/espace/compte").await?;
            b.click("#lien-mes-donnees").await?;
            wait_path(b, "/espace/compte/donnees").await?;
            b.wait_text("main h1", "Mes données").await.map(drop)
        })
    });
}

/// The admin of Saint-Denis invites a colleague through the API; the
/// commune's audit trail, opened from "Mon espace", shows the change with the
/// admin's account id, newest first; filtered by that id, the table keeps it
/// and the CSV link carries the filter. The programme team opens the same
/// trail from the registry, and the platform's trail lists the sign-ins.
#[test]
fn commune_admin_reads_the_audit_trail_after_a_change() {
    const ADMIN: &str = "admin.saint-denis@qmi.example";
    let server = full_server();
    let admin_id = account_id(&server, ADMIN);
    let admin = token(&server, ADMIN);
    api(
        &server,
        "POST",
        "/api/communes/93066/members",
        Some(&admin),
        Some(&json!({
            "email": "journal.agente@saint-denis.example",
            "role": "agent",
            "name": "Jeanne Journal"
        })),
    );
    run_on("audit_trail", server, move |b| {
        Box::pin(async move {
            b.sign_in(ADMIN).await?;
            b.click(".membership[data-insee='93066'] a[href='/espace/communes/93066/journal']")
                .await?;
            b.wait_text("main h1", "Journal d'audit").await?;
            wait_content(b, "main .eyebrow", "Saint-Denis").await?;
            // At least one entry, naming the admin by account id.
            let table = b.wait_text("#table-journal", &admin_id).await?;
            ensure!(
                !table.contains(ADMIN),
                "the trail names a person by e-mail:\n{table}"
            );
            b.el("#table-journal tbody tr .audit-action").await?;
            let total = b.wait_text("#journal-total", "affichée").await?;
            ensure!(!total.starts_with("0 "), "the count says no entry: {total}");
            // The CSV export, with no filter yet.
            wait_attr(b, "a#journal-export", "href", |h| {
                h == "/api/communes/93066/audit.csv"
            })
            .await?;
            b.axe("the commune's audit trail").await?;
            b.snapshot("journal-audit").await?;

            // Filtered by the admin's id: the entry stays, the link follows.
            b.fill("#journal-personne", &admin_id).await?;
            b.click("#journal-filtrer").await?;
            let want = format!("/api/communes/93066/audit.csv?account={admin_id}");
            wait_attr(b, "a#journal-export", "href", |h| h == want).await?;
            b.wait_text("#table-journal", &admin_id).await?;
            // An end before the start is refused beside the field.
            b.choose("#journal-du", "2026-12-31").await?;
            b.choose("#journal-au", "2026-01-01").await?;
            b.click("#journal-filtrer").await?;
            b.wait_text("#journal-au-erreur", "précède").await?;
            b.click("#journal-tout").await?;
            wait_attr(b, "a#journal-export", "href", |h| {
                h == "/api/communes/93066/audit.csv"
            })
            .await?;
            b.wait_text("#table-journal", &admin_id).await?;
            narrow(b, "the commune's audit trail").await?;

            // The programme team: the commune's trail from the registry, and
            // the platform's, where the sign-ins are.
            sign_out(b).await?;
            b.sign_in("programme@qmi.example").await?;
            b.goto("/espace/registre").await?;
            b.fill("#registre-filtre", "93066").await?;
            b.click("#registre-chercher").await?;
            // The search re-renders the table: a link found just before it is
            // replaced may go stale once, then the new one is clicked.
            let journal =
                "#table-registre tr[data-insee='93066'] a[href='/espace/communes/93066/journal']";
            if b.click(journal).await.is_err() {
                b.click(journal).await?;
            }
            b.wait_text("#table-journal", &admin_id).await?;
            b.goto("/espace").await?;
            b.click("a[href='/espace/journal']").await?;
            b.wait_text("main h1", "Journal de la plateforme").await?;
            b.wait_text("#table-journal", "Connexion").await?;
            b.axe("the platform's trail").await?;
            narrow(b, "the platform's trail").await
        })
    });
}

/// A partner member deletes their account: a wrong password is refused beside
/// the field; the right one signs them out and brings them home, and the
/// account can no longer sign in. The last admin of Montreuil is refused,
/// told which commune first needs another admin.
#[test]
fn a_person_deletes_their_account() {
    const PARTNER: &str = "cto@solaire-urbain.example";
    const LAST_ADMIN: &str = "admin.montreuil@qmi.example";
    run_on("account_deletion", full_server(), |b| {
        Box::pin(async move {
            b.sign_in(LAST_ADMIN).await?;
            b.goto("/espace/compte/donnees").await?;
            b.fill("#suppression-mot-de-passe", DEMO_PASSWORD).await?;
            b.click("#suppression-confirmer").await?;
            b.c.accept_alert().await.ctx("confirming the deletion")?;
            let refused = b
                .wait_text("#suppression-dernier-admin", "dernier administrateur")
                .await?;
            ensure!(
                refused.contains("Montreuil") || refused.contains("93048"),
                "the commune is not named:\n{refused}"
            );
            b.axe("the last admin refused").await?;
            sign_out(b).await?;

            b.sign_in(PARTNER).await?;
            b.goto("/espace/compte/donnees").await?;
            b.fill("#suppression-mot-de-passe", "not the password at all")
                .await?;
            b.click("#suppression-confirmer").await?;
            b.c.accept_alert().await.ctx("confirming the deletion")?;
            b.wait_text("#suppression-mot-de-passe-erreur", "Mot de passe incorrect")
                .await?;
            b.axe("a wrong password refused").await?;
            b.fill("#suppression-mot-de-passe", DEMO_PASSWORD).await?;
            b.click("#suppression-confirmer").await?;
            b.c.accept_alert().await.ctx("confirming the deletion")?;
            wait_path(b, "/").await?;
            b.wait_text("nav", "Connexion").await?;
            // Gone: signing in is refused.
            b.goto("/connexion").await?;
            b.fill("#connexion-email", PARTNER).await?;
            b.fill("#connexion-mot-de-passe", DEMO_PASSWORD).await?;
            b.click("#connexion-valider").await?;
            b.wait_text("#connexion-erreur", "mot de passe incorrect")
                .await
                .map(drop)
        })
    });
}

/// The hosting operator opens "Exploitation" from "Mon espace": the usage per
/// commune (Saint-Denis has its accounts), sorted, with its chart; the
/// runtime's figures, or plainly that there are none.
#[test]
fn hosting_operator_reads_the_usage_and_the_runtime() {
    run_on("operations_page", full_server(), |b| {
        Box::pin(async move {
            b.sign_in("hosting@qmi.example").await?;
            b.click("a[href='/espace/exploitation']").await?;
            b.wait_text("main h1", "Exploitation").await?;
            b.wait_text("#table-usage", "Saint-Denis").await?;
            b.el("#usage svg[aria-labelledby='graphe-usage'] rect")
                .await?;
            // Sorted by requests at first, by name on request.
            wait_attr(b, "#table-usage th[aria-sort]", "aria-sort", |v| {
                v == "descending"
            })
            .await?;
            b.choose("#usage-tri", "name").await?;
            wait_attr(b, "#table-usage th[aria-sort]", "aria-sort", |v| {
                v == "ascending"
            })
            .await?;
            // The runtime: its figures, or plainly none.
            let deadline = Instant::now() + WAIT;
            loop {
                let figures = b
                    .js(
                        "return !!document.querySelector('#table-composants, #runtime-indisponible');",
                        vec![],
                    )
                    .await?;
                if figures == json!(true) {
                    break;
                }
                ensure!(
                    Instant::now() < deadline,
                    "neither the runtime's figures nor their absence are shown"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            b.axe("Exploitation").await?;
            b.snapshot("exploitation").await?;
            narrow(b, "Exploitation").await
        })
    });
}

//! Browser tests for the walk's findings on forms (issue 13): a number field
//! keeps what is typed or says why it cannot (1), a loaded draft says it is
//! saved, and a file already sent is named beside its question (12).

use std::time::{Duration, Instant};

use qmi_tests::browser::*;
use qmi_tests::{QmiServer, ensure};
use serde_json::{Value, json};

const PARTNER: &str = "partner@solaire-urbain.example";

/// Creates and publishes, as Saint-Denis's admin, an open call whose form asks a
/// budget (a number from 0 to 100 000), a required pitch and an optional file;
/// its id.
fn open_call(server: &QmiServer) -> String {
    let admin = token(server, "admin.saint-denis@qmi.example");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let opens = qmi_kit::time::Instant((now - 3600) as i64).to_string();
    let call = api(
        server,
        "POST",
        "/api/calls",
        Some(&admin),
        Some(&json!({
            "insee": "93066",
            "title": "Cours d'école ombragées",
            "description": "Ombrager les cours d'école du quartier Pleyel",
            "themes": ["Climat"],
            "challenges": ["Réduire la chaleur urbaine"],
            "eligibility": { "kinds": ["startup", "association", "sme"], "countries": [] },
            "opens_at": opens,
            "closes_at": "2099-01-31T18:00",
            "target_selections": 2,
            "form": [
                { "id": "pitch", "label": "Votre solution", "kind": "long_text", "required": true, "max_length": 500 },
                { "id": "budget", "label": "Budget (€)", "kind": "number", "required": true, "min": 0, "max": 100000 },
                { "id": "plan", "label": "Plan du projet", "kind": "file", "required": false }
            ],
            "criteria": [{ "id": "impact", "name": "Impact", "weight": 1 }],
            "published": true
        })),
    );
    call["id"].as_str().expect("call id").to_owned()
}

/// The partner's application to `call` as the API has it (`Null` if none).
async fn stored(b: &Ctx, call: &str) -> Value {
    let mine = api_now(
        &b.server,
        "GET",
        "/api/applications?limit=500",
        PARTNER,
        None,
    );
    mine["items"]
        .as_array()
        .and_then(|items| items.iter().find(|a| a["call_id"] == call).cloned())
        .unwrap_or(Value::Null)
}

/// Waits until the saved draft's budget is `want`.
async fn wait_budget(b: &Ctx, call: &str, want: Value) -> Outcome {
    let deadline = Instant::now() + WAIT;
    loop {
        let app = stored(b, call).await;
        if app["answers"]["budget"] == want {
            return Ok(());
        }
        ensure!(
            Instant::now() < deadline,
            "the draft's budget is {}, not {want}: {app}",
            app["answers"]["budget"]
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Typed key by key, a decimal budget is shown and stored as typed (it was
/// stored as 51500); a negative one stays in the field and is refused beside
/// it in French (it became 5); a word is refused the same way and never
/// blocks the rest of the draft; a decimal comma is read as a point; a
/// refused value is still refused when the application is submitted.
#[test]
fn a_number_answer_keeps_what_is_typed_or_says_why() {
    let server = server_with(&["applications", "districts"]);
    let call = open_call(&server);
    run_on("number_answer_as_typed", server, move |b| {
        Box::pin(async move {
            b.sign_in(PARTNER).await?;
            b.goto(&format!("/appels/{call}/candidature")).await?;
            b.el("#q-pitch").await?;
            b.fill("#q-title", "Voiles d'ombrage").await?;
            b.fill("#q-budget", "1500.5").await?;
            wait_value(b, "#q-budget", "1500.5").await?;
            wait_budget(b, &call, json!(1500.5)).await?;
            wait_count(b, "#q-budget-erreur", 0).await?;

            // Below the minimum: kept as typed, refused beside the field, in French.
            b.fill("#q-budget", "-5").await?;
            wait_value(b, "#q-budget", "-5").await?;
            b.wait_text("#q-budget-erreur", "Au moins 0").await?;
            b.axe("application form with a refused number").await?;

            // Not a number: said, and the rest of the draft is still saved.
            b.fill("#q-budget", "mille").await?;
            wait_value(b, "#q-budget", "mille").await?;
            b.wait_text("#q-budget-erreur", "Saisissez un nombre")
                .await?;
            b.fill("#q-pitch", "Des voiles au-dessus des cours").await?;
            let deadline = Instant::now() + WAIT;
            loop {
                let app = stored(b, &call).await;
                if app["answers"]["pitch"] == "Des voiles au-dessus des cours" {
                    break;
                }
                ensure!(
                    Instant::now() < deadline,
                    "the draft was not saved beside a refused number: {app}"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            // Submitting keeps the refusal beside the field; nothing is submitted.
            b.click("#candidature-deposer").await?;
            b.wait_text("#q-budget-erreur", "Saisissez un nombre")
                .await?;
            wait_value(b, "#q-budget", "mille").await?;
            ensure!(
                stored(b, &call).await["status"] == "draft",
                "an application with a refused budget was submitted"
            );

            // A decimal comma, as French is written: kept as typed, stored as a number.
            b.fill("#q-budget", "2 500,75").await?;
            wait_value(b, "#q-budget", "2 500,75").await?;
            wait_count(b, "#q-budget-erreur", 0).await?;
            wait_budget(b, &call, json!(2500.75)).await?;
            b.click("#candidature-deposer").await?;
            b.wait_text("#candidature-deposee", "Candidature déposée")
                .await?;
            let app = stored(b, &call).await;
            ensure!(
                app["status"] == "submitted" && app["answers"]["budget"] == json!(2500.75),
                "the application as submitted: {app}"
            );
            Ok(())
        })
    });
}

/// The fields of a call's editor and of the jury's assignment that want a whole
/// number keep a decimal as typed and refuse it beside themselves, in French,
/// before anything is sent (it was read as 0, or lost keys).
#[test]
fn whole_number_fields_keep_what_is_typed_and_refuse_decimals() {
    let server = server_with(&["applications", "districts"]);
    let call = open_call(&server);
    run_on("whole_number_fields", server, move |b| {
        Box::pin(async move {
            b.sign_in("admin.saint-denis@qmi.example").await?;
            b.goto("/espace/appels").await?;
            b.el("#appel-titre").await?;
            b.fill("#appel-titre", "Toitures végétalisées").await?;
            b.choose("#appel-ouverture", "2026-01-01T09:00").await?;
            b.choose("#appel-cloture", "2099-03-31T18:00").await?;
            b.fill("#critere-1-nom", "Impact").await?;
            b.fill("#critere-1-poids", "2").await?;
            b.fill("#question-0-libelle", "Votre solution").await?;
            b.fill("#appel-selections", "2.5").await?;
            wait_value(b, "#appel-selections", "2.5").await?;
            b.click("#appel-creer").await?;
            b.wait_text("#appel-selections-erreur", "nombre entier")
                .await?;
            wait_value(b, "#appel-selections", "2.5").await?;
            b.axe("new call with a decimal number of selections")
                .await?;
            let calls = api_now(
                &b.server,
                "GET",
                "/api/calls?managed=true&limit=500",
                "admin.saint-denis@qmi.example",
                None,
            );
            ensure!(
                !calls.to_string().contains("Toitures végétalisées"),
                "a call was created with a refused number: {calls}"
            );

            // The jury's reviews per application.
            b.goto(&format!("/espace/appels/{call}")).await?;
            b.wait_text("#titre-selection", "Cours d'école ombragées")
                .await?;
            b.el("#par-candidature").await?;
            b.fill("#par-candidature", "1.5").await?;
            wait_value(b, "#par-candidature", "1.5").await?;
            b.click("#affecter").await?;
            b.wait_text("#par-candidature-erreur", "nombre entier")
                .await?;
            wait_value(b, "#par-candidature", "1.5").await?;
            b.axe("assignment with a decimal number of reviews").await?;
            Ok(())
        })
    });
}

/// A draft opened again says it is saved, with its time; the file already
/// sent is named beside its question, which offers to replace it.
#[test]
fn a_reopened_draft_says_it_is_saved_and_names_its_file() {
    let server = server_with(&["applications", "districts"]);
    let call = open_call(&server);
    run_on("reopened_draft", server, move |b| {
        Box::pin(async move {
            b.sign_in(PARTNER).await?;
            b.goto(&format!("/appels/{call}/candidature")).await?;
            b.el("#q-pitch").await?;
            b.fill("#q-title", "Voiles d'ombrage").await?;
            let files = tempfile::tempdir().ctx("a folder for the files")?;
            let pdf = files.path().join("plan-des-voiles.pdf");
            std::fs::write(&pdf, b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n").ctx("writing the PDF")?;
            b.el("#q-plan")
                .await?
                .send_keys(&pdf.to_string_lossy())
                .await
                .ctx("choosing the PDF")?;
            b.wait_text("#q-plan-aide", "plan-des-voiles.pdf").await?;
            b.wait_text("#autosave", "Brouillon enregistré").await?;
            let deadline = Instant::now() + WAIT;
            while !stored(b, &call).await["answers"]["plan"].is_string() {
                ensure!(
                    Instant::now() < deadline,
                    "the file never reached the draft"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }

            b.c.refresh().await.ctx("reloading")?;
            wait_value(b, "#q-title", "Voiles d'ombrage").await?;
            b.wait_text("#autosave", "Brouillon enregistré").await?;
            let plan = b.wait_text("#q-plan-aide", "plan-des-voiles.pdf").await?;
            ensure!(
                plan.contains("remplacer"),
                "the file's question does not offer to replace it: {plan}"
            );
            b.axe("reopened draft").await?;
            Ok(())
        })
    });
}

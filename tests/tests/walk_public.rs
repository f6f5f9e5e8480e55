//! Browser tests of issue 13 on the public site and the way to apply, under
//! `qmi up` in headless Chromium (harness: `qmi_tests::browser`), axe-core on
//! every page visited. Each test builds its own calls and applications through
//! the API and fails on the code before the fix.
//!
//! - finding 2: a call's page says who may apply, its challenges, how many
//!   solutions it will choose and what each criterion means; an ineligible
//!   organisation is told why instead of "Candidater", and the form shows the
//!   API's refusal, named;
//! - finding 8: the programme call's district picker names its communes;
//! - finding 11: closed calls stay listed with their published results, the
//!   communes are found by INSEE code with the search kept in the address, and
//!   the open data names its licence.

use qmi_tests::browser::*;
use qmi_tests::{Qmi, QmiServer, app, ensure};
use serde_json::json;

/// `qmi up` as [`server_with`] does, with the guests' clock moved by the test.
fn server_with_manual_clock(more: &[&str]) -> QmiServer {
    build_app();
    let mut up = Qmi::up()
        .manifest(root_manifest())
        .without_runtime_config()
        .work_file("runtime-config.toml", app::runtime_config())
        .flag("--runtime-config-file", "runtime-config.toml")
        .manual_clock();
    let components: Vec<&str> = ["web", "identity"]
        .into_iter()
        .chain(more.iter().copied())
        .collect();
    for id in app::locked_ids(&components) {
        up = up.flag("--component-id", &id);
    }
    up.env("QMI_DEMO_PASSWORD", DEMO_PASSWORD).start()
}

/// A call of Saint-Denis, open now and closing at `closes`, accepting only
/// associations and research organisations from France (the demo partner
/// Solaire Urbain is a French startup); its id.
fn restricted_call(server: &QmiServer, title: &str, closes: &str) -> String {
    let admin = token(server, "admin.saint-denis@qmi.example");
    let call = api(
        server,
        "POST",
        "/api/calls",
        Some(&admin),
        Some(&json!({
            "insee": "93066",
            "title": title,
            "description": "Rafraîchir les cours d'école du quartier Pleyel",
            "themes": ["Climat"],
            "challenges": ["Réduire la chaleur urbaine", "Créer des îlots de fraîcheur"],
            "eligibility": { "kinds": ["association", "research"], "countries": ["FR"] },
            "opens_at": "2020-01-01T00:00",
            "closes_at": closes,
            "target_selections": 3,
            "form": [{ "id": "pitch", "label": "Votre solution", "kind": "long_text", "required": true, "max_length": 500 }],
            "criteria": [
                { "id": "impact", "name": "Impact", "description": "L'effet mesurable sur la chaleur ressentie", "weight": 3 },
                { "id": "faisabilite", "name": "Faisabilité", "weight": 1 }
            ],
            "published": true
        })),
    );
    call["id"].as_str().expect("call id").to_owned()
}

#[test]
fn an_ineligible_organisation_is_told_why_and_the_call_says_who_may_apply() {
    let server = server_with(&["applications", "districts"]);
    let call = restricted_call(&server, "Cours oasis à Saint-Denis", "2099-01-31T18:00");
    run_on("ineligible_organisation", server, move |b| {
        let call = call.clone();
        Box::pin(async move {
            // A visitor reads who may apply, the challenges, how many solutions
            // will be chosen and what each criterion means.
            b.goto(&format!("/appels/{call}")).await?;
            b.wait_text("#eligibilite", "Association").await?;
            b.wait_text("#eligibilite", "Recherche").await?;
            b.wait_text("#eligibilite", "France").await?;
            b.wait_text("#defis-appel", "Créer des îlots de fraîcheur")
                .await?;
            b.wait_text("#nombre-retenues", "3 solutions au plus")
                .await?;
            b.wait_text("#criteres", "L'effet mesurable sur la chaleur ressentie")
                .await?;
            b.axe("call page (visitor)").await?;

            // A startup's member is told why it may not apply, and gets no "Candidater".
            b.sign_in("partner@solaire-urbain.example").await?;
            b.goto(&format!("/appels/{call}")).await?;
            b.wait_text("#non-eligible", "ne peut pas candidater")
                .await?;
            b.wait_text("#non-eligible", "Startup").await?;
            wait_count(b, "#candidater", 0).await?;
            b.axe("call page (ineligible organisation)").await?;

            // Reaching the form anyway, "Déposer" shows the API's refusal, named.
            b.goto(&format!("/appels/{call}/candidature")).await?;
            b.fill("#q-title", "Ombrières solaires").await?;
            b.fill("#q-pitch", "Des ombrières sur les cours").await?;
            b.click("#candidature-deposer").await?;
            b.wait_text("#candidature-problemes", "Type d'organisation")
                .await?;
            b.axe("application form refused").await?;
            Ok(())
        })
    });
}

#[test]
fn the_programme_call_form_names_its_districts() {
    let server = server_with(&["applications", "districts"]);
    let operator = token(&server, "programme@qmi.example");
    let call = api(
        &server,
        "POST",
        "/api/calls",
        Some(&operator),
        Some(&json!({
            "districts": ["93048", "75056"],
            "title": "Rues apaisées, Montreuil et Paris",
            "description": "Un appel du programme pour deux quartiers",
            "themes": ["Mobilité"],
            "challenges": ["Apaiser les rues"],
            "eligibility": { "kinds": [], "countries": [] },
            "opens_at": "2020-01-01T00:00",
            "closes_at": "2099-01-31T18:00",
            "target_selections": 2,
            "form": [{ "id": "pitch", "label": "Votre solution", "kind": "long_text", "required": true, "max_length": 500 }],
            "criteria": [{ "id": "impact", "name": "Impact", "weight": 1 }],
            "published": true
        })),
    );
    let call = call["id"].as_str().expect("call id").to_owned();
    run_on("programme_call_districts_named", server, move |b| {
        let call = call.clone();
        Box::pin(async move {
            b.sign_in("partner@solaire-urbain.example").await?;
            b.goto(&format!("/appels/{call}/candidature")).await?;
            b.wait_text("#q-district", "Montreuil").await?;
            b.wait_text("#q-district", "Paris").await?;
            wait_value(b, "#q-district", "93048").await?;
            b.axe("programme call form").await?;
            Ok(())
        })
    });
}

#[test]
fn closed_calls_keep_their_results_and_searches_can_be_shared() {
    let server = server_with_manual_clock(&["applications", "districts"]);
    let closes = qmi_kit::time::Instant(server.mailbox().clock_unix() + 3600).to_string();
    let admin = token(&server, "admin.saint-denis@qmi.example");
    let call = api(
        &server,
        "POST",
        "/api/calls",
        Some(&admin),
        Some(&json!({
            "insee": "93066",
            "title": "Cours oasis, lauréats publiés",
            "description": "Un appel clos dont les résultats sont publics",
            "themes": ["Climat"],
            "opens_at": "2020-01-01T00:00",
            "closes_at": closes,
            "target_selections": 1,
            "form": [{ "id": "pitch", "label": "Votre solution", "kind": "long_text", "required": true }],
            "criteria": [{ "id": "impact", "name": "Impact", "weight": 1 }],
            "published": true
        })),
    );
    let call = call["id"].as_str().expect("call id").to_owned();
    let apply = |email: &str, title: &str| {
        let a = api(
            &server,
            "POST",
            &format!("/api/calls/{call}/applications"),
            Some(&token(&server, email)),
            Some(&json!({ "title": title, "answers": { "pitch": "Des arbres" }, "submit": true })),
        );
        a["id"].as_str().expect("application id").to_owned()
    };
    let chosen = apply("partner@solaire-urbain.example", "Ombrières solaires");
    let other = apply("partner@gruene-wege.example", "Grüne Höfe");
    server.mailbox().advance_clock(2 * 3600);
    let admin = token(&server, "admin.saint-denis@qmi.example");
    for (id, last) in [(&chosen, "selected"), (&other, "rejected")] {
        for to in ["eligible", "in_review", "shortlisted", last] {
            api(
                &server,
                "POST",
                &format!("/api/applications/{id}/transitions"),
                Some(&admin),
                Some(&json!({ "to": to, "reason": "Avis du jury" })),
            );
        }
    }
    api(
        &server,
        "POST",
        &format!("/api/calls/{call}/decisions/publish"),
        Some(&admin),
        None,
    );
    run_on("closed_calls_and_shared_searches", server, move |b| {
        Box::pin(async move {
            // The closed call stays listed; its page shows the selected solution only.
            b.goto("/appels").await?;
            b.wait_text("#appels-clos", "Cours oasis, lauréats publiés")
                .await?;
            b.wait_text("#licence", "Licence Ouverte 2.0").await?;
            b.axe("calls with the archive").await?;
            b.click("#appels-clos a").await?;
            let results = b
                .wait_text("#solutions-retenues", "Ombrières solaires")
                .await?;
            ensure!(
                results.contains("Solaire Urbain") && !results.contains("Grüne Höfe"),
                "the results show more or less than the selected solution:\n{results}"
            );
            b.axe("closed call with its results").await?;

            // A commune is found by its INSEE code, and the search is in the address.
            b.goto("/communes").await?;
            b.fill("#recherche", "93066").await?;
            b.click("form[role='search'] button[type='submit']").await?;
            b.wait_text("#liste-communes", "Saint-Denis").await?;
            wait_count(b, "#liste-communes > li", 1).await?;
            b.choose("#filtre-departement", "93").await?;
            let mut url = String::new();
            for _ in 0..100 {
                url =
                    b.c.current_url()
                        .await
                        .map_err(|e| e.to_string())?
                        .to_string();
                if url.contains("q=93066") && url.contains("departement=93") {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            ensure!(
                url.contains("q=93066") && url.contains("departement=93"),
                "the search is not kept in the address: {url}"
            );
            // The address shared, the same search comes back.
            b.goto("/communes?q=93066&departement=93").await?;
            wait_value(b, "#recherche", "93066").await?;
            wait_value(b, "#filtre-departement", "93").await?;
            b.wait_text("#liste-communes", "Saint-Denis").await?;
            wait_count(b, "#liste-communes > li", 1).await?;
            b.axe("shared commune search").await?;
            Ok(())
        })
    });
}

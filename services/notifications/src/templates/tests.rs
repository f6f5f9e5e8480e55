//! The messages render in both languages; secrets stay in the e-mail.

use super::*;
use qmi_api::notifications::Recipient;

const PUBLIC: &str = "https://qmi.example";

fn to() -> Recipient {
    Recipient::Account {
        account_id: "a1".into(),
    }
}

fn every_event() -> Vec<Event> {
    let link = || format!("{PUBLIC}/espace/candidatures/x");
    vec![
        Event::Invitation {
            recipient: to(),
            inviter: "Camille".into(),
            joining: "Commune de Montreuil — agent".into(),
            link: format!("{PUBLIC}/invitation/SECRET"),
            expires_at: "2026-05-08T10:00:00Z".into(),
        },
        Event::EmailConfirmation {
            recipient: to(),
            link: format!("{PUBLIC}/confirmer/SECRET"),
            expires_at: "2026-05-02T10:00:00Z".into(),
        },
        Event::PasswordReset {
            recipient: to(),
            link: format!("{PUBLIC}/reinitialiser/SECRET"),
            expires_at: "2026-05-01T11:00:00Z".into(),
        },
        Event::PasswordChanged { recipient: to() },
        Event::JoinRequest {
            recipient: to(),
            requester: "Dominique <d@x.fr>".into(),
            organisation: "Solaire Urbain".into(),
            link: format!("{PUBLIC}/espace/organisation"),
        },
        Event::JoinRefused {
            recipient: to(),
            organisation: "Solaire Urbain".into(),
        },
        Event::Membership {
            recipient: to(),
            person: "Dominique".into(),
            place: "Montreuil".into(),
            commune: None,
            role: Some(qmi_api::MembershipRole::Agent),
            added: true,
        },
        Event::ApplicationReceived {
            recipient: to(),
            call: "Îlots de fraîcheur".into(),
            answers: vec![("Projet".into(), "<b>Toits verts</b>".into())],
            link: link(),
        },
        Event::ReviewAssigned {
            recipient: to(),
            call: "Îlots".into(),
            application: "Toits verts".into(),
            link: format!("{PUBLIC}/espace/evaluations/x"),
        },
        Event::CallClosing {
            recipient: to(),
            call: "Îlots".into(),
            closes_at: "2026-06-30T21:59:00Z".into(),
            link: link(),
        },
        Event::DecisionPublished {
            recipient: to(),
            call: "Îlots".into(),
            selected: true,
            letter: "Madame, Monsieur,\nFélicitations.".into(),
            link: link(),
        },
    ]
}

#[test]
fn every_message_renders_in_both_languages_and_secrets_stay_in_the_email() {
    for event in every_event() {
        for lang in [Lang::Fr, Lang::En] {
            let m = render(&event, lang, Some("Alex"), PUBLIC).unwrap();
            assert!(!m.subject.is_empty());
            let text = m.text(lang);
            let html = m.html(lang);
            assert!(text.contains("Alex"), "{text}");
            assert!(!m.summary.contains("SECRET"));
            if let Some(link) = &m.notice_link {
                assert!(!link.contains("SECRET"));
            }
            let secret = matches!(
                event,
                Event::Invitation { .. }
                    | Event::EmailConfirmation { .. }
                    | Event::PasswordReset { .. }
            );
            assert_eq!(text.contains("SECRET"), secret, "{text}");
            assert_eq!(
                m.notice_link.is_none(),
                secret || matches!(event, Event::PasswordChanged { .. })
            );
            assert!(!html.contains("<b>"), "escaped: {html}");
            assert_eq!(
                text.contains(PREFERENCES_PATH),
                event.topic().is_some(),
                "{text}"
            );
        }
    }
    assert!(
        render(
            &Event::Account {
                account_id: "a".into(),
                email: "a@b.fr".parse().unwrap(),
                name: "A".into(),
                lang: Lang::Fr,
                organisation_id: None,
            },
            Lang::Fr,
            None,
            PUBLIC
        )
        .is_none()
    );
}

#[test]
fn french_and_english_differ_and_dates_are_paris_time() {
    let event = &every_event()[0];
    let fr = render(event, Lang::Fr, None, PUBLIC).unwrap();
    let en = render(event, Lang::En, None, PUBLIC).unwrap();
    assert!(fr.subject.starts_with("Invitation à rejoindre"));
    assert!(en.subject.starts_with("Invitation to join"));
    assert!(
        fr.text(Lang::Fr).contains("8 mai 2026 à 12:00"),
        "{}",
        fr.text(Lang::Fr)
    );
    assert!(
        en.text(Lang::En).contains("8 May 2026, 12:00"),
        "{}",
        en.text(Lang::En)
    );
    assert!(fr.text(Lang::Fr).starts_with("Bonjour,"));
}

#[test]
fn app_paths_drop_the_origin() {
    assert_eq!(
        app_path("https://qmi.example/espace/x?y=1"),
        "/espace/x?y=1"
    );
    assert_eq!(app_path("http://localhost:3000"), "/");
    assert_eq!(app_path("/espace"), "/espace");
}

//! What each message says, in French and in English: the e-mail (subject, plain
//! text, simple HTML) and the in-app notice (title, a few lines, a path). The
//! single-use links of invitations, confirmations and password resets appear in
//! the e-mail only: a notice never carries a secret.

use qmi_api::identity::Lang;
use qmi_api::notifications::Event;

use crate::when::paris;

mod email;
#[cfg(test)]
mod tests;

pub use email::escape;

/// Where a person chooses the e-mails they receive (a web app path).
pub const PREFERENCES_PATH: &str = "/espace/notifications";

/// One part of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// A paragraph.
    Para(String),
    /// A link with its label.
    Link(String, String),
    /// Label and value pairs (a copy of the answers).
    Fields(Vec<(String, String)>),
    /// Quoted text kept as written (a decision letter).
    Quote(String),
}

/// A message rendered for one recipient.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// E-mail subject, also the notice's title.
    pub subject: String,
    /// The e-mail's body.
    pub blocks: Vec<Block>,
    /// The notice's few lines (no secret link).
    pub summary: String,
    /// The notice's link (an absolute URL, turned into a path by [`app_path`]);
    /// `None` for secret links.
    pub notice_link: Option<String>,
}

fn t(lang: Lang, fr: &str, en: &str) -> String {
    match lang {
        Lang::Fr => fr.to_owned(),
        Lang::En => en.to_owned(),
    }
}

fn greeting(lang: Lang, name: Option<&str>) -> Block {
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    Block::Para(match (lang, name) {
        (Lang::Fr, Some(n)) => format!("Bonjour {n},"),
        (Lang::Fr, None) => "Bonjour,".to_owned(),
        (Lang::En, Some(n)) => format!("Hello {n},"),
        (Lang::En, None) => "Hello,".to_owned(),
    })
}

/// Renders `event` for a recipient called `name`, in `lang`; `public_url` builds
/// the preferences link of the messages one may opt out of. `None` for an event
/// that is not a message ([`Event::Account`]).
pub fn render(event: &Event, lang: Lang, name: Option<&str>, public_url: &str) -> Option<Message> {
    let fr = lang == Lang::Fr;
    let mut blocks = vec![greeting(lang, name)];
    let (subject, summary, notice_link) = match event {
        Event::Account { .. } => return None,
        Event::Invitation {
            inviter,
            joining,
            link,
            expires_at,
            ..
        } => {
            let until = paris(expires_at, lang);
            blocks.push(Block::Para(if fr {
                format!("{inviter} vous invite à rejoindre {joining} sur QMI (Quartiers Métropolitains d'Innovation).")
            } else {
                format!("{inviter} invites you to join {joining} on QMI (Quartiers Métropolitains d'Innovation).")
            }));
            blocks.push(Block::Para(if fr {
                format!("Pour accepter, suivez ce lien personnel : il est valable jusqu'au {until} et ne sert qu'une fois.")
            } else {
                format!("To accept, follow this personal link: it is valid until {until} and works once.")
            }));
            blocks.push(Block::Link(
                t(lang, "Accepter l'invitation", "Accept the invitation"),
                link.clone(),
            ));
            blocks.push(Block::Para(t(
                lang,
                "Si vous n'attendiez pas cette invitation, ignorez ce message.",
                "If you did not expect this invitation, ignore this message.",
            )));
            (
                if fr {
                    format!("Invitation à rejoindre {joining} sur QMI")
                } else {
                    format!("Invitation to join {joining} on QMI")
                },
                if fr {
                    format!(
                        "{inviter} vous invite à rejoindre {joining}. Le lien vous a été envoyé par e-mail."
                    )
                } else {
                    format!(
                        "{inviter} invites you to join {joining}. The link was sent to you by e-mail."
                    )
                },
                None,
            )
        }
        Event::EmailConfirmation {
            link, expires_at, ..
        } => {
            let until = paris(expires_at, lang);
            blocks.push(Block::Para(if fr {
                format!(
                    "Confirmez votre adresse e-mail en suivant ce lien, valable jusqu'au {until} :"
                )
            } else {
                format!("Confirm your e-mail address by following this link, valid until {until}:")
            }));
            blocks.push(Block::Link(
                t(lang, "Confirmer mon adresse", "Confirm my address"),
                link.clone(),
            ));
            blocks.push(Block::Para(t(
                lang,
                "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.",
                "If you did not ask for this, ignore this message.",
            )));
            (
                t(
                    lang,
                    "Confirmez votre adresse e-mail",
                    "Confirm your e-mail address",
                ),
                t(
                    lang,
                    "Un lien de confirmation vous a été envoyé par e-mail.",
                    "A confirmation link was sent to you by e-mail.",
                ),
                None,
            )
        }
        Event::PasswordReset {
            link, expires_at, ..
        } => {
            let until = paris(expires_at, lang);
            blocks.push(Block::Para(if fr {
                format!("Une réinitialisation de votre mot de passe QMI a été demandée. Pour choisir un nouveau mot de passe, suivez ce lien, valable jusqu'au {until} et utilisable une seule fois :")
            } else {
                format!("A reset of your QMI password was requested. To choose a new password, follow this link, valid until {until} and usable once:")
            }));
            blocks.push(Block::Link(
                t(
                    lang,
                    "Choisir un nouveau mot de passe",
                    "Choose a new password",
                ),
                link.clone(),
            ));
            blocks.push(Block::Para(t(
                lang,
                "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe reste inchangé.",
                "If you did not ask for this, ignore this message: your password stays as it is.",
            )));
            (
                t(
                    lang,
                    "Réinitialisation de votre mot de passe",
                    "Reset your password",
                ),
                t(
                    lang,
                    "Une réinitialisation du mot de passe a été demandée ; le lien a été envoyé par e-mail.",
                    "A password reset was requested; the link was sent by e-mail.",
                ),
                None,
            )
        }
        Event::PasswordChanged { .. } => {
            blocks.push(Block::Para(t(
                lang,
                "Le mot de passe de votre compte QMI vient d'être modifié, et vos autres sessions ont été fermées.",
                "The password of your QMI account was just changed, and your other sessions were signed out.",
            )));
            blocks.push(Block::Para(t(
                lang,
                "Si vous n'êtes pas à l'origine de ce changement, réinitialisez votre mot de passe sans attendre et prévenez l'équipe du programme.",
                "If you did not make this change, reset your password at once and tell the programme team.",
            )));
            (
                t(
                    lang,
                    "Votre mot de passe a été modifié",
                    "Your password was changed",
                ),
                t(
                    lang,
                    "Le mot de passe de votre compte a été modifié.",
                    "Your account's password was changed.",
                ),
                None,
            )
        }
        Event::JoinRequest {
            requester,
            organisation,
            link,
            ..
        } => {
            blocks.push(Block::Para(if fr {
                format!("{requester} demande à rejoindre {organisation} sur QMI. Un membre de l'organisation peut accepter ou refuser cette demande.")
            } else {
                format!("{requester} asks to join {organisation} on QMI. A member of the organisation may approve or refuse the request.")
            }));
            blocks.push(Block::Link(
                t(lang, "Répondre à la demande", "Answer the request"),
                link.clone(),
            ));
            (
                if fr {
                    format!("Demande pour rejoindre {organisation}")
                } else {
                    format!("Request to join {organisation}")
                },
                if fr {
                    format!("{requester} demande à rejoindre {organisation}.")
                } else {
                    format!("{requester} asks to join {organisation}.")
                },
                Some(link.clone()),
            )
        }
        Event::JoinRefused { organisation, .. } => {
            let line = if fr {
                format!(
                    "Votre demande pour rejoindre {organisation} sur QMI a été refusée par un membre de l'organisation. Vous pouvez créer votre propre organisation ou demander à en rejoindre une autre."
                )
            } else {
                format!(
                    "Your request to join {organisation} on QMI was refused by a member of the organisation. You may create your own organisation or ask to join another one."
                )
            };
            blocks.push(Block::Para(line.clone()));
            let link = join(public_url, "/espace/organisation");
            blocks.push(Block::Link(
                t(lang, "Mon organisation", "My organisation"),
                link.clone(),
            ));
            (
                if fr {
                    format!("Demande refusée : {organisation}")
                } else {
                    format!("Request refused: {organisation}")
                },
                line,
                Some(link),
            )
        }
        Event::Membership {
            person,
            place,
            role,
            added,
            ..
        } => {
            let role = role.map(|r| match (lang, r) {
                (Lang::Fr, qmi_api::MembershipRole::Admin) => "administrateur ou administratrice",
                (Lang::Fr, qmi_api::MembershipRole::Agent) => "agent",
                (Lang::Fr, qmi_api::MembershipRole::Reviewer) => "évaluateur ou évaluatrice",
                (Lang::En, qmi_api::MembershipRole::Admin) => "admin",
                (Lang::En, qmi_api::MembershipRole::Agent) => "agent",
                (Lang::En, qmi_api::MembershipRole::Reviewer) => "reviewer",
            });
            let line = match (fr, added, role) {
                (true, true, Some(r)) => format!("{person} a été ajouté(e) à {place} ({r})."),
                (true, true, None) => format!("{person} a été ajouté(e) à {place}."),
                (true, false, _) => format!("{person} a été retiré(e) de {place}."),
                (false, true, Some(r)) => format!("{person} was added to {place} ({r})."),
                (false, true, None) => format!("{person} was added to {place}."),
                (false, false, _) => format!("{person} was removed from {place}."),
            };
            blocks.push(Block::Para(line.clone()));
            (
                match (fr, added) {
                    (true, true) => format!("Nouveau membre : {place}"),
                    (true, false) => format!("Membre retiré : {place}"),
                    (false, true) => format!("New member: {place}"),
                    (false, false) => format!("Member removed: {place}"),
                },
                line,
                Some(join(public_url, "/espace")),
            )
        }
        Event::ApplicationReceived {
            call,
            answers,
            link,
            ..
        } => {
            blocks.push(Block::Para(if fr {
                format!(
                    "Votre candidature à l'appel « {call} » a bien été reçue. En voici une copie :"
                )
            } else {
                format!("Your application to the call “{call}” was received. Here is a copy:")
            }));
            blocks.push(Block::Fields(answers.clone()));
            blocks.push(Block::Link(
                t(lang, "Suivre ma candidature", "Follow my application"),
                link.clone(),
            ));
            (
                if fr {
                    format!("Candidature reçue : {call}")
                } else {
                    format!("Application received: {call}")
                },
                if fr {
                    format!("Votre candidature à « {call} » a bien été reçue.")
                } else {
                    format!("Your application to “{call}” was received.")
                },
                Some(link.clone()),
            )
        }
        Event::ReviewAssigned {
            call,
            application,
            link,
            ..
        } => {
            blocks.push(Block::Para(if fr {
                format!("Une candidature vous a été confiée pour évaluation : « {application} », appel « {call} ».")
            } else {
                format!("An application was assigned to you for review: “{application}”, call “{call}”.")
            }));
            blocks.push(Block::Link(t(lang, "Évaluer", "Review"), link.clone()));
            (
                if fr {
                    format!("Évaluation à faire : {application}")
                } else {
                    format!("To review: {application}")
                },
                if fr {
                    format!(
                        "« {application} » (appel « {call} ») vous a été confiée pour évaluation."
                    )
                } else {
                    format!("“{application}” (call “{call}”) was assigned to you for review.")
                },
                Some(link.clone()),
            )
        }
        Event::CallClosing {
            call,
            closes_at,
            link,
            ..
        } => {
            let when = paris(closes_at, lang);
            blocks.push(Block::Para(if fr {
                format!("L'appel « {call} » se clôt le {when} et votre candidature est encore un brouillon. Pensez à la déposer avant la clôture.")
            } else {
                format!("The call “{call}” closes on {when} and your application is still a draft. Remember to submit it before then.")
            }));
            blocks.push(Block::Link(
                t(lang, "Terminer ma candidature", "Finish my application"),
                link.clone(),
            ));
            (
                if fr {
                    format!("Clôture proche : {call}")
                } else {
                    format!("Closing soon: {call}")
                },
                if fr {
                    format!("« {call} » se clôt le {when} ; votre brouillon n'est pas déposé.")
                } else {
                    format!("“{call}” closes on {when}; your draft is not submitted.")
                },
                Some(link.clone()),
            )
        }
        Event::DecisionPublished {
            call,
            selected,
            letter,
            link,
            ..
        } => {
            blocks.push(Block::Para(match (fr, selected) {
                (true, true) => format!("Bonne nouvelle : votre candidature à l'appel « {call} » a été retenue."),
                (true, false) => format!("La décision sur votre candidature à l'appel « {call} » est publiée : elle n'a pas été retenue."),
                (false, true) => format!("Good news: your application to the call “{call}” was selected."),
                (false, false) => format!("The decision on your application to the call “{call}” is published: it was not selected."),
            }));
            blocks.push(Block::Quote(letter.clone()));
            blocks.push(Block::Link(
                t(lang, "Lire la décision", "Read the decision"),
                link.clone(),
            ));
            (
                if fr {
                    format!("Décision publiée : {call}")
                } else {
                    format!("Decision published: {call}")
                },
                if fr {
                    format!("La décision sur votre candidature à « {call} » est publiée.")
                } else {
                    format!("The decision on your application to “{call}” is published.")
                },
                Some(link.clone()),
            )
        }
    };
    if event.topic().is_some() {
        blocks.push(Block::Para(t(
            lang,
            "Vous pouvez choisir les e-mails que vous recevez de QMI :",
            "You can choose which e-mails you receive from QMI:",
        )));
        blocks.push(Block::Link(
            t(lang, "Mes préférences", "My preferences"),
            join(public_url, PREFERENCES_PATH),
        ));
    }
    Some(Message {
        subject,
        blocks,
        summary,
        notice_link,
    })
}

/// `public_url` + `path`.
pub fn join(public_url: &str, path: &str) -> String {
    qmi_kit::outbox::join_link(public_url, path)
}

/// The path (with query) of an absolute URL, for an in-app link; a link that is
/// already a path stays as it is.
pub fn app_path(link: &str) -> String {
    if link.starts_with('/') {
        return link.to_owned();
    }
    match link.split_once("://") {
        Some((_, rest)) => match rest.find('/') {
            Some(i) => rest[i..].to_owned(),
            None => "/".to_owned(),
        },
        None => format!("/{link}"),
    }
}

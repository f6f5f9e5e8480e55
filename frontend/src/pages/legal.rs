//! What every French public site carries: the legal notice, the privacy
//! notice, the terms of use and the accessibility statement. Their text is
//! data (French and English side by side), drawn by one renderer; the French
//! text is the reference. Values that depend on the deployment (the hosting
//! operator, the contact addresses) are marked "à compléter" on the page
//! until whoever deploys QMI fills them in here.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::use_i18n;
use crate::t;

/// A text in French and in English.
type Text = (&'static str, &'static str);

/// A value in a list of facts.
#[derive(Clone, Copy)]
enum Value {
    /// A known value.
    T(Text),
    /// A value each deployment fills in (shown marked until it is).
    Fill(Text),
}

/// A piece of a page.
#[derive(Clone, Copy)]
enum Block {
    /// A paragraph.
    P(Text),
    /// A bulleted list.
    List(&'static [Text]),
    /// Label and value pairs.
    Facts(&'static [(Text, Value)]),
    /// A table: its caption, then rows of three cells (the first row heads the columns).
    Table(Text, &'static [[Text; 3]]),
    /// A paragraph ending with a link to another site: text, link text, address.
    Link(Text, Text, &'static str),
    /// A paragraph ending with a link to a page of QMI: text, link text, path.
    Page(Text, Text, &'static str),
}

/// A section: its heading and blocks.
type Section = (Text, &'static [Block]);

/// A whole page.
struct Doc {
    /// The `id` of its heading.
    id: &'static str,
    /// Its title.
    title: Text,
    /// Its lead paragraph.
    lead: Text,
    /// Its sections.
    sections: &'static [Section],
}

/// When these texts last changed.
const UPDATED: Text = (
    "Dernière mise à jour : 2 décembre 2026.",
    "Last updated: 2 December 2026. The French version is the reference.",
);

/// What a deployment fills in: shown as such until it is.
const HOST_NAME: Value = Value::Fill((
    "à compléter : raison sociale de l'hébergeur",
    "to fill in: the hosting operator's company name",
));
const HOST_ADDRESS: Value = Value::Fill((
    "à compléter : adresse postale de l'hébergeur",
    "to fill in: the hosting operator's postal address",
));
const HOST_PHONE: Value = Value::Fill((
    "à compléter : téléphone de l'hébergeur",
    "to fill in: the hosting operator's telephone",
));
const HOST_LOCATION: Value = Value::Fill((
    "à compléter : pays des centres de données (dans l'Union européenne)",
    "to fill in: country of the data centres (in the European Union)",
));
const CONTACT: Value = Value::Fill((
    "à compléter : adresse électronique de contact du programme",
    "to fill in: the programme's contact e-mail address",
));
const DPO: Value = Value::Fill((
    "à compléter : adresse électronique du délégué à la protection des données de l'éditeur",
    "to fill in: e-mail address of the publisher's data protection officer",
));
const ACCESSIBILITY_CONTACT: Value = Value::Fill((
    "à compléter : adresse électronique pour signaler un défaut d'accessibilité",
    "to fill in: e-mail address to report an accessibility issue",
));

const PUBLISHER: Value = Value::T((
    "Métropole du Grand Paris, établissement public de coopération intercommunale, porteur du programme « Quartiers Métropolitains d'Innovation »",
    "Métropole du Grand Paris (Greater Paris Metropolis), a public inter-municipal body, owner of the \"Quartiers Métropolitains d'Innovation\" programme",
));

/// `/mentions-legales`.
const LEGAL_NOTICE: Doc = Doc {
    id: "titre-mentions",
    title: ("Mentions légales", "Legal notice"),
    lead: (
        "La plateforme des Quartiers Métropolitains d'Innovation (QMI) accompagne le programme d'innovation urbaine de la Métropole du Grand Paris et de ses communes.",
        "The Metropolitan Innovation Districts (QMI) platform supports the urban innovation programme of the Greater Paris Metropolis and its communes.",
    ),
    sections: &[
        (
            ("Éditeur", "Publisher"),
            &[Block::Facts(&[
                (("Éditeur", "Publisher"), PUBLISHER),
                (
                    ("Adresse", "Address"),
                    Value::T((
                        "15-19 avenue Pierre Mendès-France, 75013 Paris",
                        "15-19 avenue Pierre Mendès-France, 75013 Paris, France",
                    )),
                ),
                (("Contact", "Contact"), CONTACT),
                (
                    ("Directeur de la publication", "Director of publication"),
                    Value::T((
                        "le président de la Métropole du Grand Paris",
                        "the President of the Greater Paris Metropolis",
                    )),
                ),
            ])],
        ),
        (
            ("Hébergement", "Hosting"),
            &[
                Block::P((
                    "La plateforme est hébergée par l'opérateur d'hébergement retenu pour ce déploiement. Les champs ci-dessous sont propres à chaque déploiement ; tant qu'ils portent la mention « à compléter », ils n'ont pas été renseignés.",
                    "The platform is hosted by the hosting operator chosen for this deployment. The fields below belong to each deployment; as long as they read \"to fill in\", they have not been filled in.",
                )),
                Block::Facts(&[
                    (("Hébergeur", "Hosting operator"), HOST_NAME),
                    (("Adresse", "Address"), HOST_ADDRESS),
                    (("Téléphone", "Telephone"), HOST_PHONE),
                    (
                        ("Localisation des données", "Where the data is kept"),
                        HOST_LOCATION,
                    ),
                ]),
            ],
        ),
        (
            ("Propriété intellectuelle", "Intellectual property"),
            &[
                Block::P((
                    "Les données publiées par le programme (communes, quartiers d'innovation, appels, décisions publiées) sont des données publiques réutilisables dans les conditions de la Licence Ouverte d'Etalab 2.0, en citant leur source. Les contenus déposés par les candidats restent leur propriété (voir les conditions d'utilisation).",
                    "The data the programme publishes (communes, innovation districts, calls, published decisions) is public data, reusable under the Etalab Open Licence 2.0 with its source credited. What applicants submit remains theirs (see the terms of use).",
                )),
                Block::Link(
                    ("Le texte de la licence :", "The text of the licence:"),
                    ("Licence Ouverte 2.0", "Open Licence 2.0"),
                    "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
                ),
            ],
        ),
        (
            (
                "Données personnelles et accessibilité",
                "Personal data and accessibility",
            ),
            &[
                Block::Page(
                    (
                        "Ce que la plateforme conserve, pourquoi et combien de temps, et comment exercer vos droits :",
                        "What the platform keeps, why and for how long, and how to exercise your rights:",
                    ),
                    ("politique de confidentialité", "privacy notice"),
                    "/confidentialite",
                ),
                Block::Page(
                    (
                        "Le niveau d'accessibilité de la plateforme et les recours :",
                        "How accessible the platform is, and the remedies:",
                    ),
                    ("déclaration d'accessibilité", "accessibility statement"),
                    "/accessibilite",
                ),
                Block::P((
                    "La plateforme ne dépose aucun cookie et ne mesure pas l'audience. Elle garde dans votre navigateur la langue choisie (stockage local) et, le temps de l'onglet ouvert, votre session (stockage de session) : ces deux informations sont nécessaires au service et ne demandent pas de consentement.",
                    "The platform sets no cookie and does not measure its audience. It keeps in your browser the language chosen (local storage) and, while the tab is open, your session (session storage): both are needed for the service and need no consent.",
                )),
            ],
        ),
    ],
};

/// `/confidentialite`.
const PRIVACY: Doc = Doc {
    id: "titre-confidentialite",
    title: ("Politique de confidentialité", "Privacy notice"),
    lead: (
        "Cette page dit quelles données personnelles la plateforme QMI conserve, pourquoi, combien de temps, qui les voit, et comment exercer vos droits (règlement général sur la protection des données, RGPD, et loi Informatique et Libertés).",
        "This page says which personal data the QMI platform keeps, why, for how long, who sees it, and how to exercise your rights (General Data Protection Regulation, GDPR, and the French Data Protection Act).",
    ),
    sections: &[
        (
            ("Responsable du traitement", "Controller"),
            &[Block::Facts(&[
                (("Responsable", "Controller"), PUBLISHER),
                (
                    (
                        "Délégué à la protection des données",
                        "Data protection officer",
                    ),
                    DPO,
                ),
            ])],
        ),
        (
            ("Ce que la plateforme conserve", "What the platform keeps"),
            &[Block::List(&[
                (
                    "Les comptes : nom, adresse électronique, langue, empreinte du mot de passe (jamais le mot de passe lui-même, haché avec argon2id), rôles et dates de connexion.",
                    "Accounts: name, e-mail address, language, password hash (never the password itself, hashed with argon2id), roles and sign-in dates.",
                ),
                (
                    "Les rattachements : à quelles communes (et avec quel rôle) et à quelle organisation un compte appartient, les invitations et les demandes pour rejoindre une organisation.",
                    "Memberships: which communes (and with which role) and which organisation an account belongs to, the invitations and the requests to join an organisation.",
                ),
                (
                    "Les organisations partenaires : nom, type, pays, SIRET.",
                    "Partner organisations: name, kind, country, SIRET.",
                ),
                (
                    "Les candidatures : réponses aux questions de l'appel, pièces jointes, historique des étapes, décisions et lettres de décision.",
                    "Applications: answers to the call's questions, attachments, history of their steps, decisions and decision letters.",
                ),
                (
                    "Les évaluations : notes, commentaires et conflits d'intérêts déclarés par les évaluateurs.",
                    "Reviews: scores, comments and conflicts of interest declared by reviewers.",
                ),
                (
                    "Les notifications affichées dans la plateforme, vos préférences d'e-mails, et les e-mails envoyés (destinataire, objet, contenu, date, état de l'envoi).",
                    "The notifications shown in the platform, your e-mail preferences, and the e-mails sent (recipient, subject, content, date, delivery state).",
                ),
                (
                    "Les liens à usage unique (invitation, confirmation d'adresse, nouveau mot de passe) : seule leur empreinte est conservée, jamais le lien.",
                    "Single-use links (invitation, address confirmation, new password): only their hash is kept, never the link.",
                ),
                (
                    "Les sessions ouvertes (appareil, date de début et de dernière utilisation) et les journaux techniques (date, adresse IP, requête, résultat).",
                    "Open sessions (device, start and last-use dates) and technical logs (date, IP address, request, outcome).",
                ),
            ])],
        ),
        (
            (
                "Pourquoi : les finalités et leurs bases légales",
                "Why: purposes and legal bases",
            ),
            &[
                Block::List(&[
                    (
                        "Mener le programme (appels, candidatures, évaluations, sélection, suivi des quartiers d'innovation) et gérer les comptes qui y prennent part : mission d'intérêt public dont la Métropole est investie (article 6.1.e du RGPD).",
                        "Running the programme (calls, applications, reviews, selection, follow-up of the innovation districts) and managing the accounts taking part: a task carried out in the public interest vested in the Metropolis (GDPR article 6.1.e).",
                    ),
                    (
                        "Vous informer de ce qui vous concerne (accusés de réception, évaluations confiées, rappels, décisions, invitations, sécurité du compte) : même mission d'intérêt public (article 6.1.e). Vous choisissez les e-mails que vous recevez, sauf ceux qui touchent à la sécurité de votre compte.",
                        "Telling you what concerns you (receipts, reviews assigned, reminders, decisions, invitations, account security): the same public-interest task (article 6.1.e). You choose which e-mails you receive, except those about your account's security.",
                    ),
                    (
                        "Conserver les journaux techniques et sécuriser le service : obligation légale (article 6.1.c ; loi pour la confiance dans l'économie numérique et son décret d'application n° 2021-1362).",
                        "Keeping technical logs and securing the service: legal obligation (article 6.1.c; French law on confidence in the digital economy and its decree no. 2021-1362).",
                    ),
                    (
                        "Conserver les candidatures et les décisions le temps des contrôles et des recours : obligation légale liée aux aides et marchés publics et aux archives publiques (article 6.1.c).",
                        "Keeping applications and decisions for the time of audits and appeals: legal obligation tied to public funding, procurement and public archives (article 6.1.c).",
                    ),
                ]),
                Block::P((
                    "Aucune donnée n'est vendue, ni utilisée pour de la publicité ou du profilage. Aucune décision n'est prise par un traitement automatisé : les notes guident le jury, qui décide et motive par écrit.",
                    "No data is sold, nor used for advertising or profiling. No decision is made by automated processing: scores guide the jury, which decides and gives written reasons.",
                )),
            ],
        ),
        (
            ("Combien de temps", "For how long"),
            &[Block::Table(
                ("Durées de conservation", "Retention periods"),
                &[
                    [
                        ("Données", "Data"),
                        ("Durée", "Period"),
                        ("Ensuite", "Then"),
                    ],
                    [
                        ("Compte", "Account"),
                        (
                            "Tant qu'il sert ; un compte sans connexion pendant un an est supprimé, après un avertissement par e-mail un mois avant",
                            "As long as it is used; an account with no sign-in for one year is deleted, after a warning by e-mail one month before",
                        ),
                        ("Supprimé", "Deleted"),
                    ],
                    [
                        (
                            "Rattachements à une commune ou une organisation",
                            "Memberships of a commune or an organisation",
                        ),
                        (
                            "Jusqu'au retrait de la personne ou la suppression du compte",
                            "Until the person is removed or the account is deleted",
                        ),
                        ("Supprimés", "Deleted"),
                    ],
                    [
                        (
                            "Invitations et demandes pour rejoindre une organisation",
                            "Invitations and requests to join an organisation",
                        ),
                        (
                            "Jusqu'à leur réponse ou leur expiration, puis 3 mois",
                            "Until answered or expired, then 3 months",
                        ),
                        ("Supprimées", "Deleted"),
                    ],
                    [
                        (
                            "Candidatures, pièces jointes, évaluations et décisions",
                            "Applications, attachments, reviews and decisions",
                        ),
                        (
                            "5 ans après la clôture de l'appel",
                            "5 years after the call closes",
                        ),
                        (
                            "Supprimées, ou versées aux archives publiques pour les décisions",
                            "Deleted, or transferred to the public archives for the decisions",
                        ),
                    ],
                    [
                        (
                            "Notifications dans la plateforme",
                            "Notifications in the platform",
                        ),
                        ("1 an", "1 year"),
                        ("Supprimées", "Deleted"),
                    ],
                    [
                        ("E-mails envoyés", "E-mails sent"),
                        ("1 an après l'envoi", "1 year after sending"),
                        ("Supprimés", "Deleted"),
                    ],
                    [
                        ("Liens à usage unique", "Single-use links"),
                        (
                            "Jusqu'à leur utilisation ou leur expiration : invitation 7 jours, confirmation d'adresse 24 heures, nouveau mot de passe 1 heure",
                            "Until used or expired: invitation 7 days, address confirmation 24 hours, new password 1 hour",
                        ),
                        ("Inutilisables, puis supprimés", "Unusable, then deleted"),
                    ],
                    [
                        ("Sessions", "Sessions"),
                        (
                            "Jusqu'à la déconnexion ou leur expiration",
                            "Until signed out or expired",
                        ),
                        ("Supprimées", "Deleted"),
                    ],
                    [
                        ("Journaux techniques", "Technical logs"),
                        ("1 an", "1 year"),
                        ("Supprimés", "Deleted"),
                    ],
                ],
            )],
        ),
        (
            ("Qui voit vos données", "Who sees your data"),
            &[Block::List(&[
                (
                    "Les données d'une commune (ses appels, les candidatures reçues, les évaluations) ne sont vues que par les personnes de cette commune, l'équipe du programme, et les partenaires directement concernés par un dossier.",
                    "A commune's data (its calls, the applications received, the reviews) is seen only by that commune's people, the programme team, and the partners directly involved in a record.",
                ),
                (
                    "Une candidature est vue par l'organisation candidate, les responsables de l'appel et les évaluateurs qui lui sont affectés.",
                    "An application is seen by the applicant organisation, the call's runners and the reviewers assigned to it.",
                ),
                (
                    "L'hébergeur administre les serveurs sans accès au contenu des communes. Les e-mails passent par un service d'envoi, sous-traitant au sens du RGPD.",
                    "The hosting operator runs the servers without access to the communes' content. E-mails go through a sending service, a processor in the GDPR's sense.",
                ),
                (
                    "Les données sont hébergées dans l'Union européenne, au lieu que les mentions légales indiquent pour ce déploiement ; aucun transfert hors de l'Union n'est prévu.",
                    "The data is hosted in the European Union, where the legal notice says for this deployment; no transfer out of the Union is planned.",
                ),
            ])],
        ),
        (
            ("Vos droits", "Your rights"),
            &[
                Block::P((
                    "Vous avez le droit d'accéder à vos données, de les faire rectifier ou effacer, d'en demander la limitation et de vous opposer à leur traitement (articles 15 à 18 et 21 du RGPD), dans les limites que fixent les obligations légales ci-dessus. Vous pouvez aussi donner des directives sur le sort de vos données après votre décès.",
                    "You have the right to access your data, to have it corrected or erased, to ask for its restriction and to object to its processing (GDPR articles 15 to 18 and 21), within the limits set by the legal obligations above. You may also give instructions on what becomes of your data after your death.",
                )),
                Block::Page(
                    (
                        "Vous corrigez vous-même votre nom, votre langue, votre adresse électronique et vos préférences d'e-mails, et fermez vos sessions, depuis votre compte :",
                        "You correct your name, language, e-mail address and e-mail preferences yourself, and close your sessions, from your account:",
                    ),
                    ("Mon compte", "My account"),
                    "/espace/compte",
                ),
                Block::Facts(&[(
                    (
                        "Pour toute autre demande, écrivez au délégué à la protection des données",
                        "For any other request, write to the data protection officer",
                    ),
                    DPO,
                )]),
                Block::P((
                    "Une réponse vous est donnée dans un délai d'un mois. Si elle ne vous satisfait pas, vous pouvez adresser une réclamation à la Commission nationale de l'informatique et des libertés (CNIL), 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07.",
                    "You get an answer within one month. If it does not satisfy you, you may lodge a complaint with the French data protection authority (CNIL), 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07, France.",
                )),
                Block::Link(
                    ("Réclamation en ligne :", "Online complaint:"),
                    (
                        "cnil.fr, adresser une plainte",
                        "cnil.fr, lodge a complaint",
                    ),
                    "https://www.cnil.fr/fr/plaintes",
                ),
            ],
        ),
    ],
};

/// `/conditions`.
const TERMS: Doc = Doc {
    id: "titre-conditions",
    title: ("Conditions d'utilisation", "Terms of use"),
    lead: (
        "Ces conditions régissent l'usage de la plateforme QMI. Créer un compte ou accepter une invitation vaut acceptation de ces conditions.",
        "These terms govern the use of the QMI platform. Creating an account or accepting an invitation means accepting these terms.",
    ),
    sections: &[
        (
            ("Objet", "Purpose"),
            &[Block::P((
                "La plateforme sert le programme des Quartiers Métropolitains d'Innovation : les communes y présentent leurs quartiers d'innovation et leurs appels, les organisations partenaires y candidatent, les jurys y évaluent, et chacun suit ce qui le concerne. Elle est gratuite.",
                "The platform serves the Metropolitan Innovation Districts programme: communes present their innovation districts and calls, partner organisations apply, juries review, and everyone follows what concerns them. It is free.",
            ))],
        ),
        (
            ("Accès et comptes", "Access and accounts"),
            &[Block::List(&[
                (
                    "Les pages publiques (communes, quartiers, appels ouverts) sont accessibles à tous sans compte.",
                    "The public pages (communes, districts, open calls) are open to everyone without an account.",
                ),
                (
                    "Les personnes des communes, les évaluateurs et l'équipe du programme rejoignent la plateforme sur invitation. Les organisations partenaires créent leur compte elles-mêmes, confirment leur adresse électronique, puis créent leur organisation ou demandent à en rejoindre une.",
                    "Commune staff, reviewers and the programme team join the platform by invitation. Partner organisations create their account themselves, confirm their e-mail address, then create their organisation or ask to join one.",
                ),
                (
                    "Un compte est personnel. Vous donnez des informations exactes, gardez votre mot de passe secret (12 caractères au moins) et signalez tout usage que vous n'avez pas fait ; vous pouvez fermer à tout moment vos sessions ouvertes depuis votre compte.",
                    "An account is personal. You give accurate information, keep your password secret (12 characters at least) and report any use you did not make; you may close your open sessions at any time from your account.",
                ),
                (
                    "Personne ne devient membre d'une organisation sans l'avoir accepté, et un membre de l'organisation approuve chaque demande pour la rejoindre.",
                    "Nobody becomes a member of an organisation without accepting it, and a member of the organisation approves every request to join it.",
                ),
            ])],
        ),
        (
            ("Usage du service", "Use of the service"),
            &[Block::List(&[
                (
                    "Vous n'y déposez que des contenus licites, exacts et dont vous avez les droits, et des fichiers sains (PDF, PNG ou JPEG).",
                    "You submit only lawful, accurate content you hold the rights to, and clean files (PDF, PNG or JPEG).",
                ),
                (
                    "Vous n'essayez pas d'accéder à des données qui ne vous sont pas ouvertes, ni de perturber le service.",
                    "You do not try to reach data not open to you, nor to disrupt the service.",
                ),
                (
                    "Les évaluateurs déclarent leurs conflits d'intérêts et gardent confidentielles les candidatures qu'ils évaluent.",
                    "Reviewers declare their conflicts of interest and keep the applications they review confidential.",
                ),
                (
                    "Un compte qui enfreint ces règles peut être suspendu, après information de la personne sauf urgence.",
                    "An account breaking these rules may be suspended, after the person is told except in an emergency.",
                ),
            ])],
        ),
        (
            ("Contenus des candidats", "Applicants' content"),
            &[Block::P((
                "Les candidats restent propriétaires de ce qu'ils déposent. Ils autorisent la commune ou le programme qui mène l'appel, et les évaluateurs désignés, à l'utiliser pour instruire, évaluer et suivre leur candidature. Seules les décisions et les informations que l'appel annonce comme publiques sont publiées.",
                "Applicants keep ownership of what they submit. They allow the commune or the programme running the call, and the reviewers appointed, to use it to examine, review and follow their application. Only the decisions and the information the call announces as public are published.",
            ))],
        ),
        (
            (
                "Disponibilité et responsabilité",
                "Availability and liability",
            ),
            &[Block::P((
                "La Métropole fait ce qui est raisonnable pour que la plateforme soit disponible et sûre, sans pouvoir le garantir à tout instant : une maintenance ou un incident peut l'interrompre. Avant une date limite, déposez votre candidature sans attendre la dernière minute ; un brouillon est enregistré au fil de la saisie.",
                "The Metropolis does what is reasonable to keep the platform available and safe, without being able to guarantee it at every moment: maintenance or an incident may interrupt it. Before a deadline, submit your application without waiting for the last minute; a draft is saved as you type.",
            ))],
        ),
        (
            ("Données personnelles", "Personal data"),
            &[Block::Page(
                (
                    "Le traitement de vos données est décrit dans la",
                    "How your data is processed is described in the",
                ),
                ("politique de confidentialité", "privacy notice"),
                "/confidentialite",
            )],
        ),
        (
            ("Évolution et droit applicable", "Changes and governing law"),
            &[Block::P((
                "Ces conditions peuvent évoluer ; la date de mise à jour en tête de page change alors, et une évolution importante est annoncée aux titulaires d'un compte. Elles sont régies par le droit français ; un litige relève, à défaut d'accord amiable, du tribunal administratif de Paris.",
                "These terms may change; the date at the top of the page then changes, and a significant change is announced to account holders. They are governed by French law; a dispute falls, failing an amicable settlement, to the administrative court of Paris.",
            ))],
        ),
    ],
};

/// `/accessibilite`.
const ACCESSIBILITY: Doc = Doc {
    id: "titre-accessibilite",
    title: ("Déclaration d'accessibilité", "Accessibility statement"),
    lead: (
        "La Métropole du Grand Paris s'engage à rendre ses services numériques accessibles, conformément à l'article 47 de la loi n° 2005-102 du 11 février 2005. Cette déclaration s'applique à la plateforme QMI.",
        "The Greater Paris Metropolis is committed to making its digital services accessible, under article 47 of French law no. 2005-102 of 11 February 2005. This statement applies to the QMI platform.",
    ),
    sections: &[
        (
            ("État de conformité", "Compliance status"),
            &[
                Block::P((
                    "La plateforme QMI est partiellement conforme avec le référentiel général d'amélioration de l'accessibilité (RGAA), version 4.1.",
                    "The QMI platform is partially compliant with the French accessibility framework (RGAA), version 4.1.",
                )),
                Block::P((
                    "Cet état repose sur une auto-évaluation, pas encore sur un audit complet du RGAA par un organisme indépendant : le taux de conformité aux 106 critères n'a donc pas été mesuré. Un audit est prévu ; cette déclaration sera mise à jour avec son résultat.",
                    "This status rests on a self-assessment, not yet on a full RGAA audit by an independent body: the rate of compliance with the 106 criteria has therefore not been measured. An audit is planned; this statement will be updated with its result.",
                )),
            ],
        ),
        (
            ("Ce qui est vérifié", "What is checked"),
            &[
                Block::P((
                    "À chaque modification de la plateforme, des tests automatisés la parcourent dans un navigateur (Chromium) comme le ferait une personne, et passent chaque page visitée — les pages publiques, les formulaires, l'espace personnel, et ces pages d'information — à l'outil axe-core, qui applique les règles automatisables des WCAG 2.1 niveaux A et AA. Toute anomalie d'impact « grave » ou « critique » fait échouer les tests.",
                    "At every change of the platform, automated tests walk through it in a browser (Chromium) as a person would, and run every page visited — the public pages, the forms, the personal space, and these information pages — through the axe-core tool, which applies the automatable rules of WCAG 2.1 levels A and AA. Any issue of \"serious\" or \"critical\" impact fails the tests.",
                )),
                Block::P((
                    "Les mêmes tests vérifient aussi : le lien d'évitement vers le contenu, la langue de la page (français ou anglais), des champs de formulaire tous étiquetés, les erreurs annoncées et reliées à leur champ, le focus placé sur le formulaire après une erreur de connexion, et l'affichage sans défilement horizontal sur un écran de 360 pixels de large.",
                    "The same tests also check: the skip link to the content, the page language (French or English), form fields all labelled, errors announced and tied to their field, the focus kept on the form after a failed sign-in, and the display without horizontal scrolling on a screen 360 pixels wide.",
                )),
                Block::P((
                    "Les outils automatiques ne détectent qu'une partie des défauts d'accessibilité : la pertinence des alternatives textuelles, l'ordre de lecture ou l'usage réel avec un lecteur d'écran demandent une vérification humaine, qui n'a pas encore été faite de façon systématique.",
                    "Automated tools find only part of the accessibility issues: whether text alternatives are relevant, the reading order or the actual use with a screen reader need human checking, which has not yet been done systematically.",
                )),
            ],
        ),
        (
            ("Contenus non accessibles", "Content that is not accessible"),
            &[Block::List(&[
                (
                    "Le tracé du périmètre d'un quartier d'innovation est une image dont l'alternative nomme le quartier sans décrire son contour ; la description écrite du quartier en tient lieu.",
                    "The outline of an innovation district's perimeter is an image whose alternative names the district without describing its shape; the district's written description stands in for it.",
                ),
                (
                    "Les pièces jointes déposées par les candidats (PDF, images) sont des contenus de tiers que la plateforme ne contrôle pas et qui peuvent ne pas être accessibles.",
                    "The attachments applicants submit (PDF, images) are third-party content the platform does not control and may not be accessible.",
                ),
            ])],
        ),
        (
            (
                "Établissement de cette déclaration",
                "How this statement was made",
            ),
            &[Block::Facts(&[
                (
                    ("Date", "Date"),
                    Value::T(("2 décembre 2026", "2 December 2026")),
                ),
                (
                    ("Technologies utilisées", "Technologies used"),
                    Value::T((
                        "HTML, CSS, WAI-ARIA, WebAssembly",
                        "HTML, CSS, WAI-ARIA, WebAssembly",
                    )),
                ),
                (
                    ("Outils de vérification", "Testing tools"),
                    Value::T((
                        "axe-core dans Chromium, piloté par les tests automatisés ; navigation au clavier",
                        "axe-core in Chromium, driven by the automated tests; keyboard navigation",
                    )),
                ),
            ])],
        ),
        (
            ("Retour d'information et contact", "Feedback and contact"),
            &[
                Block::P((
                    "Si vous n'arrivez pas à accéder à un contenu ou à un service, écrivez-nous : nous vous indiquerons une autre façon d'y accéder ou vous transmettrons le contenu sous une autre forme.",
                    "If you cannot reach a content or a service, write to us: we will tell you another way to reach it or send you the content in another form.",
                )),
                Block::Facts(&[(("Contact", "Contact"), ACCESSIBILITY_CONTACT)]),
            ],
        ),
        (
            ("Voies de recours", "Remedies"),
            &[
                Block::P((
                    "Si vous nous avez signalé un défaut d'accessibilité qui vous empêche d'accéder à un contenu ou à un service et que vous n'avez pas obtenu de réponse satisfaisante, vous pouvez saisir le Défenseur des droits : par le formulaire en ligne, en contactant le délégué du Défenseur des droits de votre région, par téléphone au 09 69 39 00 00, ou par courrier (gratuit, sans timbre) : Défenseur des droits, Libre réponse 71120, 75342 Paris Cedex 07.",
                    "If you reported an accessibility issue that keeps you from a content or a service and did not get a satisfying answer, you may refer the matter to the Défenseur des droits (the French rights ombudsman): through the online form, by contacting the Défenseur des droits' delegate in your region, by telephone on +33 9 69 39 00 00, or by post (free, no stamp needed): Défenseur des droits, Libre réponse 71120, 75342 Paris Cedex 07, France.",
                )),
                Block::Link(
                    ("Formulaire en ligne :", "Online form:"),
                    (
                        "saisir le Défenseur des droits",
                        "refer to the Défenseur des droits",
                    ),
                    "https://formulaire.defenseurdesdroits.fr/",
                ),
            ],
        ),
    ],
};

/// `/mentions-legales`, `/confidentialite`, `/conditions` and
/// `/accessibilite`, picked by the path.
#[component]
pub fn LegalPage() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    move || match location.pathname.get().trim_end_matches('/') {
        "/confidentialite" => page(&PRIVACY),
        "/conditions" => page(&TERMS),
        "/accessibilite" => page(&ACCESSIBILITY),
        _ => page(&LEGAL_NOTICE),
    }
}

/// One legal page: title, date, lead, then its sections.
fn page(doc: &'static Doc) -> AnyView {
    let i = use_i18n();
    let tr = move |(fr, en): Text| t!(i, fr, en);
    view! {
        <article class="legal" aria-labelledby=doc.id>
            <section>
                <p class="eyebrow">{t!(i, "Informations légales", "Legal information")}</p>
                <h1 id=doc.id>{tr(doc.title)}</h1>
                <p class="muted small">{tr(UPDATED)}</p>
                <p class="lead">{tr(doc.lead)}</p>
            </section>
            {doc.sections.iter().enumerate().map(|(n, (heading, blocks))| {
                let id = format!("{}-{}", doc.id, n + 1);
                let heading_id = id.clone();
                view! {
                    <section aria-labelledby=id>
                        <h2 id=heading_id>{tr(*heading)}</h2>
                        {blocks.iter().map(|b| block(*b)).collect_view()}
                    </section>
                }
            }).collect_view()}
        </article>
    }
    .into_any()
}

/// One block of a page.
fn block(b: Block) -> AnyView {
    let i = use_i18n();
    let tr = move |(fr, en): Text| t!(i, fr, en);
    match b {
        Block::P(text) => view! { <p>{tr(text)}</p> }.into_any(),
        Block::List(items) => view! {
            <ul>{items.iter().map(|item| view! { <li>{tr(*item)}</li> }).collect_view()}</ul>
        }
        .into_any(),
        Block::Facts(items) => view! {
            <dl class="facts legal-facts">
                {items.iter().map(|(label, value)| view! {
                    <div><dt>{tr(*label)}</dt><dd>{value_view(*value)}</dd></div>
                }).collect_view()}
            </dl>
        }
        .into_any(),
        Block::Table(caption, rows) => {
            let (head, body) = rows
                .split_first()
                .map_or((None, &rows[..0]), |(h, b)| (Some(h), b));
            view! {
                <div class="table-wrap">
                    <table class="table legal-table">
                        <caption class="visually-hidden">{tr(caption)}</caption>
                        <thead><tr>{head.map(|h| h.iter().map(|c| view! { <th scope="col">{tr(*c)}</th> }).collect_view())}</tr></thead>
                        <tbody>
                            {body.iter().map(|[first, second, third]| view! {
                                <tr><th scope="row">{tr(*first)}</th><td>{tr(*second)}</td><td>{tr(*third)}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }
            .into_any()
        }
        Block::Link(text, label, href) => view! {
            <p>{tr(text)}" "<a href=href rel="noopener">{tr(label)}</a></p>
        }
        .into_any(),
        Block::Page(text, label, path) => view! {
            <p>{tr(text)}" "<A href=path>{tr(label)}</A>"."</p>
        }
        .into_any(),
    }
}

/// A fact's value, a value still to fill in marked as such.
fn value_view(v: Value) -> AnyView {
    let i = use_i18n();
    match v {
        Value::T((fr, en)) => t!(i, fr, en).into_any(),
        Value::Fill((fr, en)) => view! {
            <span class="to-fill">"["{t!(i, fr, en)}"]"</span>
        }
        .into_any(),
    }
}

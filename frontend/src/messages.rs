//! The API's messages (field messages and problem details) in the interface
//! language. The services answer in English (one vocabulary for every client
//! and for the logs); the web app shows them in French when the interface is
//! French. A message it does not know is never shown in English there: it
//! reads as a French sentence (tests/tests/french_messages.rs walks the
//! services' messages against this table).

use qmi_api::identity::Lang;

// The experiments service's messages (issue 15), in a table of their own.
#[path = "messages_experiments.rs"]
mod experiments;
// The partner directory's messages (issue 16), in a table of their own.
#[path = "messages_partners.rs"]
mod partners;
// A person's data rights' messages (issue 18), in a table of their own.
#[path = "messages_personal.rs"]
mod personal;

/// `message` in the interface language of the moment (`<html lang>`; outside
/// a browser, as written).
pub fn localise(message: &str) -> String {
    if interface_lang() == Lang::Fr {
        to_french(message)
    } else {
        message.to_owned()
    }
}

#[cfg(target_arch = "wasm32")]
fn interface_lang() -> Lang {
    let lang = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.get_attribute("lang"));
    if lang.as_deref() == Some(Lang::En.as_str()) {
        Lang::En
    } else {
        Lang::Fr
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn interface_lang() -> Lang {
    Lang::En
}

/// The French text of an API message. A message the table does not know is
/// never shown in English: it reads as a French sentence saying the request
/// was not accepted (the field or the status tell which).
pub fn to_french(message: &str) -> String {
    french(message).unwrap_or_else(|| UNKNOWN_FR.to_owned())
}

/// What a message the table does not know reads in French.
pub const UNKNOWN_FR: &str = "la demande n'a pas été acceptée";

/// The French text of an API message the table knows.
pub fn french(message: &str) -> Option<String> {
    let fr = table(message)?;
    (fr != message).then_some(fr)
}

fn table(message: &str) -> Option<String> {
    if let Some(fr) = exact(message) {
        return Some(fr.to_owned());
    }
    if let Some(fr) = experiments::french(message) {
        return Some(fr);
    }
    if let Some(fr) = partners::french(message) {
        return Some(fr);
    }
    if let Some(fr) = personal::french(message) {
        return Some(fr);
    }
    if let Some(fr) = with_values(message) {
        return Some(fr);
    }
    let number = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
    };
    if let Some(rest) = message.strip_prefix("at most ") {
        let n = rest.split(' ').next().unwrap_or_default();
        if number(n) && rest[n.len()..].starts_with(" characters") {
            return Some(format!("{n} caractères au plus{}", got(&rest[n.len()..])));
        }
    }
    if let Some(n) = message
        .strip_prefix("must be at least ")
        .filter(|n| number(n))
    {
        return Some(format!("doit valoir au moins {n}"));
    }
    if let Some(n) = message
        .strip_prefix("must be at most ")
        .filter(|n| number(n))
    {
        return Some(format!("doit valoir au plus {n}"));
    }
    if let Some(rest) = message.strip_prefix("expected ") {
        let what = match rest {
            "text" => "un texte",
            "a number" => "un nombre",
            "a date YYYY-MM-DD" => "une date AAAA-MM-JJ",
            "one of the options" => "l'une des options",
            "a list of options" => "une liste d'options",
            "the id of an attachment of this application" => {
                "une pièce jointe de cette candidature"
            }
            _ => return None,
        };
        return Some(format!("attendu : {what}"));
    }
    with_value(message)
}

/// Messages with one or more values (`{}`), English then French; the values
/// go into the French in the same order. The first match wins.
const WITH_VALUES: &[(&str, &str)] = &[
    (
        "decisions are taken once the call has closed (deadline {}); to decide sooner, close the call early with a reason",
        "les décisions se prennent après la clôture de l'appel (date limite : {}) ; pour décider plus tôt, clôturez l'appel avec un motif",
    ),
    (
        "{} is not an INSEE commune code (five characters, e.g. 75056 or 2A004)",
        "{} n'est pas un code INSEE de commune (cinq caractères, par exemple 75056 ou 2A004)",
    ),
    (
        "{} hosts no innovation district (status {})",
        "{} n'accueille pas de quartier d'innovation (statut : {})",
    ),
    (
        "{} is not a commune of the registry",
        "{} n'est pas une commune du registre",
    ),
    (
        "one of this call's districts: {}",
        "l'un des quartiers de cet appel : {}",
    ),
    ("{} answered {}: {}", "{} a répondu {} : {}"),
    (
        "no candidacy of {} to campaign {}",
        "aucune candidature de {} à l'appel à candidatures {}",
    ),
    (
        "only a submitted candidacy can be decided (this one is {})",
        "seule une candidature déposée peut être décidée (celle-ci : {})",
    ),
    (
        "the candidacy was {} meanwhile",
        "la candidature a changé entre-temps ({})",
    ),
    (
        "unknown placeholder {}; use {}",
        "variable inconnue {} ; utilisez {}",
    ),
    (
        "unknown kind `{}`; one of {}",
        "type inconnu `{}` ; l'un de {}",
    ),
    (
        "this call accepts organisations from {}; the organisation is from `{}`",
        "cet appel accepte les organisations de : {} ; l'organisation est de `{}`",
    ),
    (
        "this call accepts {}; the organisation is `{}`",
        "cet appel accepte : {} ; l'organisation est de type `{}`",
    ),
    (
        "{} is not a tenant status (member, candidate, district, suspended)",
        "{} n'est pas un statut de commune (member, candidate, district, suspended)",
    ),
    (
        "the bearer token is not valid: {}",
        "votre session n'est plus valable : reconnectez-vous",
    ),
    (
        "the Authorization header must be `Bearer <token>`: {}",
        "connectez-vous d'abord",
    ),
    ("there is no commune {}", "la commune {} n'existe pas"),
    (
        "la commune {} est suspendue : seuls les opérateurs du programme y ont accès (commune {} is suspended)",
        "la commune {} est suspendue : seule l'équipe du programme y a accès",
    ),
    (
        "the request body is over the limit of {} bytes",
        "le contenu dépasse la limite de {} octets",
    ),
    ("no session {}", "session introuvable ({})"),
    (
        "{} is not a member of organisation {}",
        "{} n'est pas membre de l'organisation {}",
    ),
    ("{} is not a member of {}", "{} n'est pas membre de {}"),
    ("at most {} codes", "{} codes au plus"),
    (
        "no pending invitation {}",
        "aucune invitation en attente ({})",
    ),
    (
        "no pending request {} to join {}",
        "aucune demande en attente ({}) pour rejoindre {}",
    ),
    ("no route {}", "adresse inconnue ({})"),
    (
        "unknown query parameter `{}`: {}",
        "paramètre inconnu `{}` : {}",
    ),
    (
        "limit must be an integer from 1 to {}",
        "la limite est un nombre entier de 1 à {}",
    ),
    (
        "must be between 1 and {}, got {}",
        "doit être entre 1 et {} ({} saisi)",
    ),
    ("{} is not allowed here", "{} n'est pas permis ici"),
    ("no notice {}", "avis introuvable ({})"),
    (
        "{} needs a signed-in account",
        "{} : connectez-vous d'abord",
    ),
    (
        "`{}` is not a date-time ({}); use 2026-05-01T12:00 (Paris) or RFC 3339",
        "la date et l'heure attendues sont de la forme 2026-05-01T12:00 (heure de Paris)",
    ),
];

/// The French of a message of [`WITH_VALUES`].
fn with_values(message: &str) -> Option<String> {
    fill(WITH_VALUES, message)
}

/// The French of `message` by the first `(English, French)` pair of `table`
/// whose English matches it, its values put in the French's `{}` in order.
fn fill(table: &[(&str, &str)], message: &str) -> Option<String> {
    table.iter().find_map(|(en, fr)| {
        let values = captures(en, message)?;
        let mut out = String::new();
        let mut values = values.into_iter();
        let mut parts = fr.split("{}").peekable();
        while let Some(part) = parts.next() {
            out.push_str(part);
            if parts.peek().is_some() {
                out.push_str(values.next().unwrap_or_default());
            }
        }
        Some(out)
    })
}

/// The values of `message` in the places of `pattern`'s `{}`, if it matches.
fn captures<'m>(pattern: &str, message: &'m str) -> Option<Vec<&'m str>> {
    let parts: Vec<&str> = pattern.split("{}").collect();
    let (first, rest) = parts.split_first()?;
    let mut tail = message.strip_prefix(first)?;
    let mut values = Vec::new();
    for (i, part) in rest.iter().enumerate() {
        let at = if i + 1 == rest.len() {
            if !tail.ends_with(part) {
                return None;
            }
            tail.len() - part.len()
        } else if part.is_empty() {
            return None;
        } else {
            tail.find(part)?
        };
        values.push(&tail[..at]);
        tail = &tail[at + part.len()..];
    }
    tail.is_empty().then_some(values)
}

/// Messages that carry a value (an id, a date, a state, a choice): the English
/// text around the value, then the French text around it. The first match
/// wins, so a longer prefix comes before a shorter one it starts with.
const WITH_VALUE: &[(&str, &str, &str, &str)] = &[
    (
        "",
        " is not one of the options",
        "",
        " ne fait pas partie des options",
    ),
    ("", " is chosen twice", "", " est choisi deux fois"),
    ("", " is used twice", "", " est utilisé deux fois"),
    ("the state ", " is required", "l'étape ", " est obligatoire"),
    ("no state ", "", "aucune étape ", ""),
    ("no application ", "", "candidature introuvable (", ")"),
    ("no call ", "", "appel introuvable (", ")"),
    (
        "no campaign ",
        "",
        "appel à candidatures introuvable (",
        ")",
    ),
    ("no organisation ", "", "organisation introuvable (", ")"),
    (
        "no commune ",
        " in the registry",
        "la commune ",
        " n'est pas dans le registre",
    ),
    ("no district in ", "", "pas de quartier d'innovation à ", ""),
    (
        "no membership in commune ",
        "",
        "vous n'êtes pas membre de la commune ",
        "",
    ),
    (
        "ring ",
        " needs at least 4 positions",
        "le contour ",
        " demande au moins 4 points",
    ),
    (
        "ring ",
        " is not closed (first and last positions differ)",
        "le contour ",
        " n'est pas fermé (le premier et le dernier point diffèrent)",
    ),
    (
        "the last admin of ",
        " can be neither removed nor given another role: make another member admin first",
        "le dernier compte administrateur de la commune ",
        " ne peut être ni retiré ni changer de rôle : nommez d'abord un autre membre administrateur",
    ),
    (
        "commune ",
        " is suspended; resume it first",
        "la commune ",
        " est suspendue : réactivez-la d'abord",
    ),
    (
        "commune ",
        " is already in the registry",
        "la commune ",
        " est déjà dans le registre",
    ),
    (
        "the deadline was ",
        " (Europe/Paris)",
        "la date limite était le ",
        " (heure de Paris)",
    ),
    ("the call opens at ", "", "l'appel ouvre le ", ""),
    (
        "only a draft can change; this application is ",
        "",
        "seul un brouillon peut changer ; cette candidature est « ",
        " »",
    ),
    (
        "an application that is ",
        " can no longer be withdrawn",
        "une candidature « ",
        " » ne peut plus être retirée",
    ),
    (
        "an application that is ",
        " is not reviewed",
        "une candidature « ",
        " » n'est pas évaluée",
    ),
    ("the application is ", "", "la candidature est « ", " »"),
    (
        "the candidacy is already ",
        "",
        "la candidature est déjà « ",
        " »",
    ),
    ("", " field(s) are invalid", "", " champ(s) à corriger"),
    (
        "",
        " is not in this call's workflow",
        "",
        " : cette étape n'est pas prévue par l'appel",
    ),
    ("", " is listed twice", "", " figure deux fois"),
    (
        "conflict of interest: organisation ",
        " applied to this call",
        "conflit d'intérêts : l'organisation ",
        " a candidaté à cet appel",
    ),
    (
        "not a reviewer of ",
        ": a commune admin adds jury members first",
        "ce compte n'est pas évaluateur de ",
        " : un administrateur de la commune l'ajoute d'abord au jury",
    ),
    (
        "not a reviewer of ",
        "",
        "ce compte n'est pas évaluateur de ",
        "",
    ),
    ("commune ", " is suspended", "la commune ", " est suspendue"),
    (
        "the internal routes are closed: the variable ",
        " is not set",
        "les routes internes sont fermées : la variable ",
        " n'est pas définie",
    ),
    ("no internal route ", "", "aucune route interne ", ""),
];

/// The French of a message of [`WITH_VALUE`], the value kept as it is.
fn with_value(message: &str) -> Option<String> {
    WITH_VALUE
        .iter()
        .find_map(|(prefix, suffix, before, after)| {
            let value = message.strip_prefix(prefix)?.strip_suffix(suffix)?;
            Some(format!("{before}{value}{after}"))
        })
}

/// ` (got 12)` → ` (12 saisis)`.
fn got(tail: &str) -> String {
    tail.split_once("(got ")
        .and_then(|(_, n)| n.strip_suffix(')'))
        .map(|n| format!(" ({n} saisis)"))
        .unwrap_or_default()
}

/// The messages the services write as they are.
fn exact(message: &str) -> Option<&'static str> {
    Some(match message {
        "must not be empty" => "ne doit pas être vide",
        "an internal route needs the internal token" => {
            "une route interne demande le jeton interne"
        }
        // Issue 13: campaigns edited then published, calls closed early, reopening.
        "a published call for communes can no longer be edited" => {
            "un appel à communes publié ne peut plus être modifié"
        }
        "say why the call closes before its deadline" => {
            "dites pourquoi l'appel est clôturé avant sa date limite"
        }
        "the call is already closed" => "l'appel est déjà clôturé",
        "The call is still open" => "L'appel est encore ouvert",
        "only a withdrawn application can be reopened" => {
            "seule une candidature retirée peut être rouverte"
        }
        "the call is closed: a withdrawn application can no longer be reopened" => {
            "l'appel est clôturé : une candidature retirée ne peut plus être rouverte"
        }
        "a deadline cannot be moved into the past: to close the call now, close it early with a reason" => {
            "la date limite ne peut pas être placée dans le passé : pour clôturer l'appel maintenant, clôturez-le avec un motif"
        }
        "must be a GeoJSON object with \"type\": \"Polygon\"" => {
            "doit être un objet GeoJSON de type « Polygon »"
        }
        "a GeoJSON Polygon" => "un polygone GeoJSON",
        "a polygon needs an exterior ring" => "un polygone a besoin d'un contour extérieur",
        "required" => "obligatoire",
        "an answer is required" => "une réponse est obligatoire",
        "already registered" => "déjà enregistré",
        "must be at least 1" => "doit valoir au moins 1",
        "must be after opens_at" => "doit suivre l'ouverture",
        "a name of 1 to 200 characters" => "un nom de 1 à 200 caractères",
        "1 to 64 characters among a-z, 0-9 and _" => "1 à 64 caractères parmi a-z, 0-9 et _",
        "true or false" => "vrai ou faux (true, false)",
        "required to invite a person who has no account yet" => {
            "obligatoire pour inviter une personne qui n'a pas encore de compte"
        }
        "required for a French organisation" => "obligatoire pour une organisation française",
        "options must be distinct" => "les options doivent être distinctes",
        "only choice questions have options" => "seules les questions à choix ont des options",
        "not an email" => "adresse électronique invalide",
        "not a PDF, PNG or JPEG file" => "ce n'est pas un fichier PDF, PNG ou JPEG",
        "no such question in this call's form" => {
            "cette question n'existe pas dans le formulaire de l'appel"
        }
        "no such criterion in this call" => "ce critère n'existe pas dans l'appel",
        "no such application in this call" => "cette candidature n'appartient pas à l'appel",
        "no account has this e-mail" => "aucun compte n'a cette adresse",
        "min is greater than max" => "le minimum dépasse le maximum",
        "from 1 to 20" => "de 1 à 20",
        "from 0 to 5" => "de 0 à 5",
        "empty body" => "le contenu est vide",
        "listed twice" => "figure deux fois",
        "scored twice in this sheet" => "noté deux fois dans cette grille",
        "the application is under review and can no longer be withdrawn" => {
            "la candidature est en cours d'examen et ne peut plus être retirée"
        }
        "only a draft can change; this application was submitted" => {
            "seul un brouillon peut changer : cette candidature a été déposée"
        }
        "draft, submitted and withdrawn cannot be decisions" => {
            "brouillon, déposée et retirée ne peuvent pas être des décisions"
        }
        "at least one reviewer" => "au moins un évaluateur",
        "say why you declare a conflict of interest" => {
            "indiquez pourquoi vous déclarez un conflit d'intérêts"
        }
        "comma or semicolon" => "comma (virgule) ou semicolon (point-virgule)",
        "an ISO 3166-1 alpha-2 code in capitals (FR, DE…)" => {
            "un code pays ISO 3166-1 en capitales (FR, DE…)"
        }
        "an INSEE code" => "un code INSEE",
        "the `next_cursor` of a previous page" => "le `next_cursor` d'une page précédente",
        "a date: YYYY-MM-DD" => "une date : AAAA-MM-JJ",
        "required with everywhere" => "requis avec everywhere",
        "a whole number from 1" => "un nombre entier, à partir de 1",
        "a whole number from 1 to 500" => "un nombre entier de 1 à 500",
        "the platform's audit trail is the programme team's" => {
            "le journal d'audit de la plateforme est celui de l'équipe du programme"
        }
        "a commune's audit trail is read by its admins and programme operators" => {
            "le journal d'audit d'une commune se lit par ses administrateurs et les opérateurs du programme"
        }
        "usage counts are the operators'" => "les chiffres d'usage sont ceux des opérateurs",
        "already a member of another organisation" => "déjà membre d'une autre organisation",
        "a weight greater than 0 and at most 100" => "un poids supérieur à 0 et au plus 100",
        "a unique key of a-z, 0-9 and _" => "une clé unique faite de a-z, 0-9 et _",
        "a programme call needs the district applied to" => {
            "un appel du programme demande le quartier visé"
        }
        "a programme call keeps its districts" => "un appel du programme garde ses quartiers",
        "a call cannot move to another commune" => "un appel ne change pas de commune",
        "a new commune cannot start suspended" => {
            "une nouvelle commune ne peut pas commencer suspendue"
        }
        "a decision needs a written reason" => "une décision demande un motif écrit",
        "a decision is final" => "une décision est définitive",
        "a short text is one line" => "un texte court tient sur une ligne",
        "give per_application (automatic) or applications (by hand)" => {
            "indiquez un nombre par candidature (automatique) ou des candidatures (à la main)"
        }
        "give the commune (a commune's call) or `districts` (a programme call)" => {
            "indiquez la commune (appel d'une commune) ou les quartiers (appel du programme)"
        }
        "use the suspend route to suspend a commune" => {
            "utilisez la suspension pour suspendre une commune"
        }
        "must match the path" => "doit correspondre à l'adresse",
        "draft → submitted must be allowed" => {
            "le passage de brouillon à déposée doit être permis"
        }
        "a candidacy takes no files: ask for a link instead" => {
            "une candidature ne prend pas de fichier : demandez plutôt un lien"
        }
        "at least 12 characters" => "12 caractères au moins",
        "required: the name to show" => "obligatoire : le nom à afficher",
        "wrong password" | "not the current password" | "the current password is not this one" => {
            "mot de passe incorrect"
        }
        "this link is unknown, was already used or revoked, or has expired: ask for a new one" => {
            "ce lien est inconnu, a déjà servi, a été révoqué ou a expiré : demandez-en un nouveau"
        }
        "confirm your e-mail address first (follow the link sent when you signed up)" => {
            "confirmez d'abord votre adresse électronique (suivez le lien reçu à l'inscription)"
        }
        "managed is true or false" => "« managed » vaut true ou false",
        "unknown status" => "statut inconnu",
        "one of open, upcoming, closed" => "l'un de open, upcoming, closed (ouvert, à venir, clos)",
        "the application was submitted already and can no longer be submitted" => {
            "la candidature a déjà été déposée"
        }
        "Idempotency-Key is too long" => "la clé d'idempotence est trop longue",
        "only the applicant submits or withdraws" => {
            "seule l'organisation candidate dépose ou retire sa candidature"
        }
        "recused from this application meanwhile" => "récusé entre-temps pour cette candidature",
        "open data files: calls.json, calls.csv, decisions.json, decisions.csv" => {
            "fichiers de données ouvertes : calls.json, calls.csv, decisions.json, decisions.csv"
        }
        "a commune's call has `insee` only; a programme call has `districts` only" => {
            "l'appel d'une commune n'a que sa commune ; un appel du programme n'a que ses quartiers"
        }
        "a choice needs at least two options" => "un choix demande au moins deux options",
        "this route needs a bearer token in the Authorization header"
        | "this route needs a signed-in account" => "connectez-vous d'abord",
        "the bearer token is not valid: rights changed, refresh the token" => {
            "vos droits ont changé : reconnectez-vous"
        }
        "another account has this address now" => "un autre compte a désormais cette adresse",
        "an e-mail address" => "une adresse électronique",
        "this is already the account's address" => "c'est déjà l'adresse du compte",
        "an account belongs to at most one organisation: this one already has its own" => {
            "un compte appartient à une seule organisation : celui-ci a déjà la sienne"
        }
        "an account belongs to at most one organisation: leave yours before joining another" => {
            "un compte appartient à une seule organisation : quittez la vôtre avant d'en rejoindre une autre"
        }
        "one of member, candidate, district, suspended" => {
            "l'un de member, candidate, district, suspended (membre, candidate, quartier, suspendue)"
        }
        "five characters: a département (01–95, 2A, 2B, 97x) then digits" => {
            "cinq caractères : un département (01 à 95, 2A, 2B, 97x) puis des chiffres"
        }
        "invalid departement" => "département invalide",
        "a département code such as 75, 2A or 974" => "un code de département comme 75, 2A ou 974",
        "invalid territory" => "territoire invalide",
        "a territory (EPT) SIREN such as 200057867" => {
            "le SIREN d'un territoire (EPT), comme 200057867"
        }
        "invalid insee" => "code INSEE invalide",
        "INSEE codes separated by commas, e.g. 93048,93066" => {
            "des codes INSEE séparés par des virgules, par exemple 93048,93066"
        }
        "too many codes" => "trop de codes",
        "q is too long" => "la recherche est trop longue",
        "the account's current password" => "le mot de passe actuel du compte",
        "an account with this e-mail was created meanwhile: open the link again and give its password" => {
            "un compte a été créé entre-temps avec cette adresse : rouvrez le lien et donnez son mot de passe"
        }
        "3 to 100 characters" => "3 à 100 caractères",
        "invalid cursor" => "suite de liste invalide",
        "one of receipts, reviews, deadlines, decisions, memberships" => {
            "l'un de receipts, reviews, deadlines, decisions, memberships (accusés de réception, évaluations, échéances, décisions, adhésions)"
        }
        "only platform operators run scheduled jobs" => {
            "seuls les opérateurs de la plateforme lancent les tâches planifiées"
        }
        "only programme operators manage the programme team" => {
            "seule l'équipe du programme gère l'équipe du programme"
        }
        "the decision is not published to the applicant yet" => {
            "la décision n'est pas encore publiée à l'organisation candidate"
        }
        "this rule needs the record's commune" => "cette règle demande la commune concernée",
        "this rule needs the record's organisation" => {
            "cette règle demande l'organisation concernée"
        }
        "a reason is required: say why the commune is suspended" => {
            "un motif est obligatoire : dites pourquoi la commune est suspendue"
        }
        "a short reason, 3 to 500 characters" => "un motif court, de 3 à 500 caractères",
        // Problem titles.
        "Commune suspended" => "Commune suspendue",
        "Method not allowed" => "Méthode non permise",
        "Upstream failure" => "Échec d'un service",
        "Invalid refresh token" => "Session expirée",
        "Bad request" => "Demande incorrecte",
        "Link no longer valid" => "Lien plus valable",
        "Wrong password" => "Mot de passe incorrect",
        "Invalid fields" => "Champs invalides",
        "Authentication required" => "Connexion requise",
        "Forbidden" => "Accès refusé",
        "Not found" => "Introuvable",
        "Conflict" => "Conflit",
        "Unsupported media type" => "Type de contenu non pris en charge",
        "Payload too large" => "Contenu trop volumineux",
        "Too many requests" => "Trop de demandes",
        "Service unavailable" => "Service indisponible",
        "Internal error" => "Erreur interne",
        "Invalid credentials" => "Identifiants incorrects",
        "Recused" => "Récusé",
        "Call not open" => "Appel non ouvert",
        "Deadline passed" => "Date limite dépassée",
        "Transition not allowed" => "Étape non permise",
        // Problem details.
        "one or more fields are invalid" => "un ou plusieurs champs sont à corriger",
        "an unexpected error occurred" => "une erreur inattendue est survenue",
        "sign in first" => "connectez-vous d'abord",
        "this route needs a bearer token" => "connectez-vous d'abord",
        "unknown e-mail or wrong password" => "adresse inconnue ou mot de passe erroné",
        "the account no longer exists" => "le compte n'existe plus",
        "the request body is empty; a JSON document is expected" => "la demande est vide",
        "an account belongs to at most one organisation" => {
            "un compte appartient à une seule organisation"
        }
        "an organisation with this SIRET exists" => "une organisation a déjà ce SIRET",
        "an attachment is 10 MiB at most" => "une pièce jointe fait 10 Mo au plus",
        "attachments are PDF, PNG or JPEG files (checked by content)" => {
            "les pièces jointes sont des fichiers PDF, PNG ou JPEG (vérifiés d'après leur contenu)"
        }
        "files are added to drafts only" => "les fichiers s'ajoutent aux brouillons seulement",
        "no such attachment" => "pièce jointe introuvable",
        "no decision yet" => "pas encore de décision",
        "the campaign is closed" => "l'appel à candidatures est clos",
        "the organisation is not eligible to this call" => {
            "l'organisation n'est pas éligible à cet appel"
        }
        "the application changed meanwhile; reload it" => {
            "la candidature a changé entre-temps : rechargez la page"
        }
        "applications were submitted: the form, criteria and workflow can no longer change" => {
            "des candidatures ont été déposées : le formulaire, les critères et les étapes ne peuvent plus changer"
        }
        "a request with this Idempotency-Key is in progress; retry" => {
            "la même demande est en cours : réessayez"
        }
        "the cursor is not valid; use next_cursor from a previous page" => {
            "la suite de la liste n'est plus valide : rechargez la page"
        }
        "only partner members apply, on behalf of their organisation" => {
            "seuls les membres d'une organisation partenaire candidatent, au nom de leur organisation"
        }
        "only programme operators create districts (by selecting a candidacy)" => {
            "seule l'équipe du programme crée les quartiers (en retenant une candidature)"
        }
        "only the commune's admins and programme operators complete its district" => {
            "seuls les administrateurs de la commune et l'équipe du programme complètent son quartier"
        }
        // The policy's reasons.
        "a commune's call is run by its admins and programme operators" => {
            "l'appel d'une commune est mené par ses administrateurs et l'équipe du programme"
        }
        "an unpublished call is for the commune's admins and agents" => {
            "un appel non publié est réservé aux administrateurs et agents de la commune"
        }
        "an unpublished programme call is for programme operators" => {
            "un appel du programme non publié est réservé à l'équipe du programme"
        }
        "hosting operators manage tenants but never see tenant content" => {
            "l'hébergeur gère les communes sans jamais voir leur contenu"
        }
        "only operators manage tenants" => "seuls les opérateurs gèrent les communes",
        "only programme operators run calls for communes" => {
            "seule l'équipe du programme mène les appels aux communes"
        }
        "only published records are open data" => "seules les données publiées sont ouvertes",
        "only reviewers assigned to this application" => {
            "seuls les évaluateurs affectés à cette candidature"
        }
        "only the applicant organisation's members act on its application" => {
            "seuls les membres de l'organisation candidate agissent sur sa candidature"
        }
        "only the applicant organisation, the call's runners and assigned reviewers" => {
            "seuls l'organisation candidate, les responsables de l'appel et les évaluateurs affectés"
        }
        "only the commune's admins and agents and programme operators list its members" => {
            "seuls les administrateurs et agents de la commune et l'équipe du programme voient ses membres"
        }
        "only the commune's admins and agents and programme operators" => {
            "seuls les administrateurs et agents de la commune et l'équipe du programme"
        }
        "only the commune's admins and programme operators manage its members" => {
            "seuls les administrateurs de la commune et l'équipe du programme gèrent ses membres"
        }
        "only the commune's admins prepare its candidacy" => {
            "seuls les administrateurs de la commune préparent sa candidature"
        }
        "only the organisation's members and programme operators" => {
            "seuls les membres de l'organisation et l'équipe du programme"
        }
        "programme calls are run by programme operators" => {
            "les appels du programme sont menés par l'équipe du programme"
        }
        "recused by a declared conflict of interest: only the title remains visible" => {
            "récusé pour conflit d'intérêts déclaré : seul le titre reste visible"
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::to_french;

    #[test]
    fn api_messages_read_in_french() {
        assert_eq!(to_french("must not be empty"), "ne doit pas être vide");
        assert_eq!(
            to_french("must be a GeoJSON object with \"type\": \"Polygon\""),
            "doit être un objet GeoJSON de type « Polygon »"
        );
        assert_eq!(
            to_french("ring 0 is not closed (first and last positions differ)"),
            "le contour 0 n'est pas fermé (le premier et le dernier point diffèrent)"
        );
        assert_eq!(
            to_french(
                "the last admin of 93066 can be neither removed nor given another role: make another member admin first"
            ),
            "le dernier compte administrateur de la commune 93066 ne peut être ni retiré ni changer de rôle : nommez d'abord un autre membre administrateur"
        );
        assert_eq!(
            to_french("at most 200 characters (got 214)"),
            "200 caractères au plus (214 saisis)"
        );
        assert_eq!(
            to_french("at most 300 characters"),
            "300 caractères au plus"
        );
        assert_eq!(to_french("must be at least 5"), "doit valoir au moins 5");
        assert_eq!(to_french("expected a number"), "attendu : un nombre");
        assert_eq!(
            to_french("`x` is not one of the options"),
            "`x` ne fait pas partie des options"
        );
        // Problem details, with and without a value.
        assert_eq!(
            to_french("the deadline was 31/01/2099 18:00 (Europe/Paris)"),
            "la date limite était le 31/01/2099 18:00 (heure de Paris)"
        );
        assert_eq!(to_french("no call 0190abc"), "appel introuvable (0190abc)");
        assert_eq!(to_french("3 field(s) are invalid"), "3 champ(s) à corriger");
        assert_eq!(
            to_french("files are added to drafts only"),
            "les fichiers s'ajoutent aux brouillons seulement"
        );
        assert_eq!(to_french("Not found"), "Introuvable");
        assert_eq!(
            to_french("93066 is not a member of organisation 0190ab"),
            "93066 n'est pas membre de l'organisation 0190ab"
        );
        assert_eq!(
            to_french("no pending request r1 to join o2"),
            "aucune demande en attente (r1) pour rejoindre o2"
        );
        // Unknown: a French sentence, never the English.
        assert_eq!(to_french("something new"), super::UNKNOWN_FR);
        assert_eq!(to_french("expected a unicorn"), super::UNKNOWN_FR);
    }
}

//! The API's messages (field messages and problem details) in the interface
//! language. The services answer in English (one vocabulary for every client
//! and for the logs); the web app shows them in French when the interface is
//! French. A message it does not know is shown as the API wrote it.

use qmi_api::identity::Lang;

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

/// The French text of an API message, or the message itself.
pub fn to_french(message: &str) -> String {
    if let Some(fr) = exact(message) {
        return fr.to_owned();
    }
    let number = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
    };
    if let Some(rest) = message.strip_prefix("at most ") {
        let n = rest.split(' ').next().unwrap_or_default();
        if number(n) && rest[n.len()..].starts_with(" characters") {
            return format!("{n} caractères au plus{}", got(&rest[n.len()..]));
        }
    }
    if let Some(n) = message
        .strip_prefix("must be at least ")
        .filter(|n| number(n))
    {
        return format!("doit valoir au moins {n}");
    }
    if let Some(n) = message
        .strip_prefix("must be at most ")
        .filter(|n| number(n))
    {
        return format!("doit valoir au plus {n}");
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
            _ => return message.to_owned(),
        };
        return format!("attendu : {what}");
    }
    with_value(message).unwrap_or_else(|| message.to_owned())
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
        "an ISO 3166-1 alpha-2 code in capitals (FR, DE…)" => {
            "un code pays ISO 3166-1 en capitales (FR, DE…)"
        }
        "an INSEE code" => "un code INSEE",
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
        // Problem titles.
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
        // Unknown: as the API wrote it.
        assert_eq!(to_french("something new"), "something new");
        assert_eq!(to_french("expected a unicorn"), "expected a unicorn");
    }
}

//! The API's field messages in the interface language. The services answer in
//! English (one vocabulary for every client and for the logs); the web app
//! shows them in French when the interface is French. A message it does not
//! know is shown as the API wrote it.

use qmi_api::identity::Lang;

/// `message` in the interface language of the moment (`<html lang>`; outside
/// a browser, as written).
pub fn localise(message: &str) -> String {
    if interface_lang() == Lang::Fr { to_french(message) } else { message.to_owned() }
}

#[cfg(target_arch = "wasm32")]
fn interface_lang() -> Lang {
    let lang = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.get_attribute("lang"));
    if lang.as_deref() == Some(Lang::En.as_str()) { Lang::En } else { Lang::Fr }
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
    let number = |s: &str| s.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-');
    if let Some(rest) = message.strip_prefix("at most ") {
        let n = rest.split(' ').next().unwrap_or_default();
        if number(n) && rest[n.len()..].starts_with(" characters") {
            return format!("{n} caractères au plus{}", got(&rest[n.len()..]));
        }
    }
    if let Some(n) = message.strip_prefix("must be at least ").filter(|n| number(n)) {
        return format!("doit valoir au moins {n}");
    }
    if let Some(n) = message.strip_prefix("must be at most ").filter(|n| number(n)) {
        return format!("doit valoir au plus {n}");
    }
    if let Some(rest) = message.strip_prefix("expected ") {
        let what = match rest {
            "text" => "un texte",
            "a number" => "un nombre",
            "a date YYYY-MM-DD" => "une date AAAA-MM-JJ",
            "one of the options" => "l'une des options",
            "a list of options" => "une liste d'options",
            "the id of an attachment of this application" => "une pièce jointe de cette candidature",
            _ => return message.to_owned(),
        };
        return format!("attendu : {what}");
    }
    if let Some(choice) = message.strip_suffix(" is not one of the options") {
        return format!("{choice} ne fait pas partie des options");
    }
    if let Some(choice) = message.strip_suffix(" is chosen twice") {
        return format!("{choice} est choisi deux fois");
    }
    message.to_owned()
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
        "required" => "obligatoire",
        "an answer is required" => "une réponse est obligatoire",
        "already registered" => "déjà enregistré",
        "must be at least 1" => "doit valoir au moins 1",
        "must be after opens_at" => "doit suivre l'ouverture",
        "a name of 1 to 200 characters" => "un nom de 1 à 200 caractères",
        "1 to 64 characters among a-z, 0-9 and _" => "1 à 64 caractères parmi a-z, 0-9 et _",
        "true or false" => "vrai ou faux (true, false)",
        "required to invite a person who has no account yet" => "obligatoire pour inviter une personne qui n'a pas encore de compte",
        "required for a French organisation" => "obligatoire pour une organisation française",
        "options must be distinct" => "les options doivent être distinctes",
        "only choice questions have options" => "seules les questions à choix ont des options",
        "not an email" => "adresse électronique invalide",
        "not a PDF, PNG or JPEG file" => "ce n'est pas un fichier PDF, PNG ou JPEG",
        "no such question in this call's form" => "cette question n'existe pas dans le formulaire de l'appel",
        "no such criterion in this call" => "ce critère n'existe pas dans l'appel",
        "no such application in this call" => "cette candidature n'appartient pas à l'appel",
        "no account has this e-mail" => "aucun compte n'a cette adresse",
        "min is greater than max" => "le minimum dépasse le maximum",
        "from 1 to 20" => "de 1 à 20",
        "from 0 to 5" => "de 0 à 5",
        "empty body" => "le contenu est vide",
        "draft, submitted and withdrawn cannot be decisions" => "brouillon, déposée et retirée ne peuvent pas être des décisions",
        "at least one reviewer" => "au moins un évaluateur",
        "an ISO 3166-1 alpha-2 code in capitals (FR, DE…)" => "un code pays ISO 3166-1 en capitales (FR, DE…)",
        "an INSEE code" => "un code INSEE",
        "already a member of another organisation" => "déjà membre d'une autre organisation",
        "a weight greater than 0 and at most 100" => "un poids supérieur à 0 et au plus 100",
        "a unique key of a-z, 0-9 and _" => "une clé unique faite de a-z, 0-9 et _",
        "a programme call needs the district applied to" => "un appel du programme demande le quartier visé",
        "a programme call keeps its districts" => "un appel du programme garde ses quartiers",
        "a call cannot move to another commune" => "un appel ne change pas de commune",
        "a new commune cannot start suspended" => "une nouvelle commune ne peut pas commencer suspendue",
        "a decision needs a written reason" => "une décision demande un motif écrit",
        "a decision is final" => "une décision est définitive",
        "a short text is one line" => "un texte court tient sur une ligne",
        "give per_application (automatic) or applications (by hand)" => "indiquez un nombre par candidature (automatique) ou des candidatures (à la main)",
        "give the commune (a commune's call) or `districts` (a programme call)" => "indiquez la commune (appel d'une commune) ou les quartiers (appel du programme)",
        "use the suspend route to suspend a commune" => "utilisez la suspension pour suspendre une commune",
        "must match the path" => "doit correspondre à l'adresse",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::to_french;

    #[test]
    fn api_messages_read_in_french() {
        assert_eq!(to_french("must not be empty"), "ne doit pas être vide");
        assert_eq!(to_french("at most 200 characters (got 214)"), "200 caractères au plus (214 saisis)");
        assert_eq!(to_french("at most 300 characters"), "300 caractères au plus");
        assert_eq!(to_french("must be at least 5"), "doit valoir au moins 5");
        assert_eq!(to_french("expected a number"), "attendu : un nombre");
        assert_eq!(to_french("`x` is not one of the options"), "`x` ne fait pas partie des options");
        // Unknown: as the API wrote it.
        assert_eq!(to_french("something new"), "something new");
        assert_eq!(to_french("expected a unicorn"), "expected a unicorn");
    }
}

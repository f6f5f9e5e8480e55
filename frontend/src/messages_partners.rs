//! The partner directory's messages in French (issue 16: the `partners`
//! service, the rules it asks, identity's and the other services' parts of a
//! merge), beside the main table of [`super`]: exact messages, then messages
//! with values (`{}`).

/// The French of a partner directory message, if it is one.
pub(super) fn french(message: &str) -> Option<String> {
    if let Some(fr) = exact(message) {
        return Some(fr.to_owned());
    }
    super::fill(WITH_VALUES, message)
}

fn exact(message: &str) -> Option<&'static str> {
    Some(match message {
        "a PNG or JPEG image (checked by its content)" => {
            "une image PNG ou JPEG (vérifiée d'après son contenu)"
        }
        "a commune's notes on organisations are its admins' and agents' alone" => {
            "les notes d'une commune sur les organisations sont réservées à ses administrateurs et à ses agents"
        }
        "a theme: letters, digits and dashes" => "un thème : lettres, chiffres et tirets",
        "a theme: letters, digits, spaces and dashes" => {
            "un thème : lettres, chiffres, espaces et tirets"
        }
        "an address starting with https:// or http://" => {
            "une adresse qui commence par https:// ou http://"
        }
        "an id: letters, digits and dashes" => "un identifiant : lettres, chiffres et tirets",
        "an organisation with this SIRET is in the directory" => {
            "une organisation de l'annuaire a déjà ce SIRET"
        }
        "an organisation's contacts are shown to commune staff, programme operators and its members" => {
            "les contacts d'une organisation ne sont montrés qu'aux équipes des communes, à l'équipe du programme et à ses membres"
        }
        "another organisation than the one kept" => {
            "une autre organisation que celle qui est gardée"
        }
        "at most 10 contacts" => "10 contacts au plus",
        "no control characters" => "sans caractère de contrôle",
        "no control characters but line breaks and tabs" => {
            "sans caractère de contrôle, hormis les retours à la ligne et les tabulations"
        }
        "at most 10,000 characters" => "10 000 caractères au plus",
        "at most 12 themes" => "12 thèmes au plus",
        "at most 2,000 characters" => "2 000 caractères au plus",
        "at most 20 offers" => "20 offres au plus",
        "at most 512 KiB" => "512 Kio au plus",
        "digits, spaces and + . - ( ), at most 30" => "chiffres, espaces et + . - ( ), 30 au plus",
        "letters, digits, spaces, dashes, dots or slashes, at most 40" => {
            "lettres, chiffres, espaces, tirets, points ou barres obliques, 40 au plus"
        }
        "Logo too large" => "logo trop lourd",
        "no organisation in the directory has this id" => {
            "aucune organisation de l'annuaire n'a cet identifiant"
        }
        "no profile in the partner directory has this id" => {
            "aucune fiche de l'annuaire des partenaires n'a cet identifiant"
        }
        "only French organisations have a SIRET; give a VAT or registry number" => {
            "seule une organisation française a un SIRET ; indiquez un numéro de TVA ou d'immatriculation"
        }
        "q is too long" => "la recherche est trop longue",
        "required outside France (a VAT or company-registry number)" => {
            "obligatoire hors de France (un numéro de TVA ou d'immatriculation)"
        }
        "required, at most 200 characters" => "obligatoire, 200 caractères au plus",
        "the cursor is not valid" => {
            "la suite de la liste n'est plus disponible : relancez la recherche"
        }
        "the directory is curated by the programme team" => {
            "l'annuaire est tenu par l'équipe du programme"
        }
        "the programme's notes are the programme team's" => {
            "les notes du programme sont réservées à l'équipe du programme"
        }
        "this organisation is already registered" => "cette organisation est déjà enregistrée",
        "this organisation's profile is not public" => {
            "la fiche de cette organisation n'est pas publique"
        }
        _ => return None,
    })
}

const WITH_VALUES: &[(&str, &str)] = &[
    ("no note {}", "note introuvable ({})"),
    (
        "organisation {} has no logo",
        "l'organisation {} n'a pas de logo",
    ),
    (
        "organisation {} was merged into {}",
        "l'organisation {} a été fusionnée dans {}",
    ),
    (
        "a logo is at most {} bytes; this one is {}",
        "un logo fait {} octets au plus ; celui-ci en fait {}",
    ),
    ("not a valid {}: {}", "valeur non valable pour {} : {}"),
    ("{} is not valid", "le filtre {} n'est pas valable"),
    ("no private route {} {}", "adresse privée inconnue ({} {})"),
    (
        "partners cards: {}",
        "l'annuaire des partenaires n'a pas répondu ({})",
    ),
];

#[cfg(test)]
mod tests {
    use super::french;

    #[test]
    fn partner_directory_messages_read_in_french() {
        assert_eq!(
            french("no note 0192").as_deref(),
            Some("note introuvable (0192)")
        );
        assert_eq!(
            french("organisation a was merged into b").as_deref(),
            Some("l'organisation a a été fusionnée dans b")
        );
        assert_eq!(
            french("no organisation in the directory has this id").as_deref(),
            Some("aucune organisation de l'annuaire n'a cet identifiant")
        );
        assert_eq!(french("not in the table"), None);
    }
}

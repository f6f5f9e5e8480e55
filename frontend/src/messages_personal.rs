//! A person's data rights' messages in French (issue 18: the export, the
//! erasure of an account, the internal routes that carry them), beside the main
//! table of [`super`]: exact messages, then messages with values (`{}`).

/// The French of a personal-data message, if it is one.
pub(super) fn french(message: &str) -> Option<String> {
    if let Some(fr) = exact(message) {
        return Some(fr.to_owned());
    }
    super::fill(WITH_VALUES, message)
}

fn exact(message: &str) -> Option<&'static str> {
    Some(match message {
        "required: the account's current password" => {
            "obligatoire : le mot de passe actuel du compte"
        }
        "a membership was added during the erasure: erase the account again" => {
            "un rôle a été donné au compte pendant son effacement : effacez-le à nouveau"
        }
        "an account id" => "un identifiant de compte",
        "an organisation id" => "un identifiant d'organisation",
        "a tombstone id" => "un identifiant de compte supprimé",
        _ => return None,
    })
}

const WITH_VALUES: &[(&str, &str)] = &[(
    "the account is the last admin of {}: hand each over to another admin first, then erase the account",
    "le compte est le dernier administrateur de {} : confiez d'abord chacune à un autre administrateur, puis effacez le compte",
)];

#[cfg(test)]
mod tests {
    use super::french;

    #[test]
    fn personal_data_messages_read_in_french() {
        assert_eq!(
            french("the account is the last admin of 93066 Saint-Denis: hand each over to another admin first, then erase the account").as_deref(),
            Some("le compte est le dernier administrateur de 93066 Saint-Denis : confiez d'abord chacune à un autre administrateur, puis effacez le compte")
        );
        assert_eq!(
            french("required: the account's current password").as_deref(),
            Some("obligatoire : le mot de passe actuel du compte")
        );
        assert_eq!(french("not in the table"), None);
    }
}

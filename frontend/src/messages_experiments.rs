//! The experiments service's messages in French (issue 15), beside the main
//! table of [`super`]: exact messages, then messages with values (`{}`).

/// The French of an experiments message, if it is one.
pub(super) fn french(message: &str) -> Option<String> {
    if let Some(fr) = exact(message) {
        return Some(fr.to_owned());
    }
    super::fill(WITH_VALUES, message)
}

fn exact(message: &str) -> Option<&'static str> {
    Some(match message {
        "0 to 12" => "de 0 à 12",
        "0 to 5" => "de 0 à 5",
        "1 to 5" => "de 1 à 5",
        "20 themes of 80 characters at most" => "20 thèmes de 80 caractères au plus",
        "2000 characters at most" => "2000 caractères au plus",
        "50 places of 200 characters at most" => "50 lieux de 200 caractères au plus",
        "a document is 10 MiB at most" => "un document fait 10 Mio au plus",
        "a milestone is not done in the future" => "un jalon n'est pas atteint dans le futur",
        "a site is a point or an area" => "un site est un point ou une zone",
        "a stopped experiment's outcome is stopped" => {
            "l'issue d'une expérimentation arrêtée est l'arrêt"
        }
        "agreement, report, protocol, final_report, evidence or other" => {
            "convention, rapport, protocole, rapport final, preuve ou autre"
        }
        "another commune than the experiment's" => {
            "une autre commune que celle de l'expérimentation"
        }
        "commune or programme" => "commune ou programme",
        "documents are PDF, PNG or JPEG files (checked by content)" => {
            "les documents sont des fichiers PDF, PNG ou JPEG (vérifiés d'après leur contenu)"
        }
        "give an address, or untick the consent" => {
            "indiquez une adresse, ou décochez le consentement"
        }
        "must be a number" => "doit être un nombre",
        "must be after starts_on" => "doit suivre la date de début",
        "no comma or quote (it names the CSV column value)" => {
            "ni virgule ni guillemet (le nom sert de valeur dans le CSV)"
        }
        "no organisation with this id in the directory you can read" => {
            "aucune organisation de l'annuaire que vous pouvez consulter ne porte cet identifiant"
        }
        "no such application" => "candidature introuvable",
        "no such commune" => "commune introuvable",
        "not a PDF, PNG or JPEG file" => "ce n'est pas un fichier PDF, PNG ou JPEG",
        "not a member of the commune" => "cette personne n'est pas membre de la commune",
        "not a report document of this experiment" => {
            "ce n'est pas un document de rapport de cette expérimentation"
        }
        "not an id" => "ce n'est pas un identifiant",
        "not the first day of a reporting period begun" => {
            "ce n'est pas le premier jour d'une période de rapport commencée"
        }
        "only a selected application becomes an experiment" => {
            "seule une candidature retenue devient une expérimentation"
        }
        "outside WGS 84 bounds" => "hors des limites WGS 84",
        "preparing, running, evaluating, concluded, suspended or stopped" => {
            "en préparation, en cours, en évaluation, terminée, suspendue ou arrêtée"
        }
        "the CSV must be UTF-8 text" => "le CSV doit être un texte UTF-8",
        "the call's decisions are not published yet" => {
            "les décisions de l'appel ne sont pas encore publiées"
        }
        "the commune's people cannot be read" => {
            "la liste des personnes de la commune ne peut pas être lue"
        }
        "the holder stays in its experiment's consortium" => {
            "le porteur reste dans le consortium de son expérimentation"
        }
        "this experiment already has an indicator by this name" => {
            "cette expérimentation a déjà un indicateur de ce nom"
        }
        "too much feedback from this address; try again later" => {
            "trop d'avis depuis cette adresse ; réessayez plus tard"
        }
        // The policy's reasons.
        "feedback is left on published experiments only" => {
            "les avis se donnent sur les expérimentations publiées seulement"
        }
        "the experiment's commune is suspended" => "la commune de l'expérimentation est suspendue",
        "an experiment is run by its commune's admins and programme operators" => {
            "une expérimentation est conduite par les administrateurs de sa commune et l'équipe du programme"
        }
        "only the experiment's partners, its commune's staff and programme operators" => {
            "seuls les partenaires de l'expérimentation, les agents de sa commune et l'équipe du programme"
        }
        "only members of the experiment's partner organisations" => {
            "seuls les membres des organisations partenaires de l'expérimentation"
        }
        "residents' feedback is moderated by the commune's admins and agents" => {
            "les avis des habitants sont modérés par les administrateurs et agents de la commune"
        }
        "the programme's column of the grid is the programme team's" => {
            "la colonne du programme de la grille revient à l'équipe du programme"
        }
        "the commune's column of the grid is its admins'" => {
            "la colonne de la commune de la grille revient à ses administrateurs"
        }
        "the programme's dashboard is the programme team's" => {
            "le tableau de bord du programme est réservé à l'équipe du programme"
        }
        "a commune's dashboard is its admins' and agents'" => {
            "le tableau de bord d'une commune est réservé à ses administrateurs et agents"
        }
        _ => return None,
    })
}

/// English with `{}` for each value, then French.
const WITH_VALUES: &[(&str, &str)] = &[
    (
        "a concluded experiment spreads (this one is {})",
        "seule une expérimentation terminée essaime (celle-ci : {})",
    ),
    ("allowed: {}", "possibles : {}"),
    (
        "an experiment {} may move to {}",
        "une expérimentation à l'état {} peut passer à : {}",
    ),
    (
        "an outcome is recorded once the experiment is concluded or stopped (it is {})",
        "l'issue s'enregistre une fois l'expérimentation terminée ou arrêtée (état : {})",
    ),
    ("date: {}", "date : {}"),
    ("no experiment {}", "expérimentation introuvable ({})"),
    ("no document {}", "document introuvable ({})"),
    ("no feedback {}", "avis introuvable ({})"),
    (
        "no indicator {} in this experiment",
        "aucun indicateur {} dans cette expérimentation",
    ),
    ("no indicator {}", "indicateur introuvable ({})"),
    ("no milestone {}", "jalon introuvable ({})"),
    ("no site {}", "site introuvable ({})"),
    (
        "one import takes {} lines at most",
        "un import compte {} lignes au plus",
    ),
    (
        "the application is for commune {}",
        "la candidature est pour la commune {}",
    ),
    ("the columns must be {}", "les colonnes doivent être {}"),
    (
        "the file is empty: its first line names the columns {}",
        "le fichier est vide : sa première ligne nomme les colonnes {}",
    ),
    (
        "the grid is filled once the experiment is evaluating (it is {})",
        "la grille se remplit une fois l'expérimentation en évaluation (état : {})",
    ),
    (
        "value: {} is not a number",
        "valeur : {} n'est pas un nombre",
    ),
    ("{} once (given {} times)", "{} une fois (donné {} fois)"),
    (
        "{} is already measured on {} at line {}",
        "{} est déjà mesuré le {} à la ligne {}",
    ),
    ("{} characters at most", "{} caractères au plus"),
    (
        "{} fields where {} are expected",
        "{} champs au lieu des {} attendus",
    ),
    (
        "{} line(s) refused; nothing was imported",
        "{} ligne(s) refusée(s) ; rien n'a été importé",
    ),
    (
        "{} is not a day (YYYY-MM-DD between 1900 and 2999)",
        "{} n'est pas une date (AAAA-MM-JJ entre 1900 et 2999)",
    ),
    ("line {}: {}", "ligne {} : {}"),
    (
        "a quote inside an unquoted field",
        "un guillemet dans un champ sans guillemets",
    ),
    (
        "a quoted field is never closed",
        "un champ entre guillemets n'est jamais fermé",
    ),
    ("{} after a closing quote", "{} après un guillemet fermant"),
];

#[cfg(test)]
mod tests {
    use super::french;

    #[test]
    fn experiments_messages_read_in_french() {
        assert_eq!(
            french("an experiment running may move to evaluating, suspended, stopped").as_deref(),
            Some(
                "une expérimentation à l'état running peut passer à : evaluating, suspended, stopped"
            )
        );
        assert_eq!(french("1 to 5").as_deref(), Some("de 1 à 5"));
        assert_eq!(french("not in the table"), None);
    }
}

//! What every decision letter carries whatever its call's template says: who
//! sends it, its date, the signature line and the means and time limits of
//! appeal (voies et délais de recours), in French then English.

use qmi_api::applications::Signatory;

/// The programme, as the sender of a programme call's letters.
pub const PROGRAMME: &str = "Programme Quartiers Métropolitains d'Innovation";

/// The means and time limits of appeal, in French (articles L. 411-2 of the
/// code des relations entre le public et l'administration and R. 421-1 of the
/// code de justice administrative).
pub const APPEAL_FR: &str = "Voies et délais de recours : la présente décision peut faire l'objet, dans un délai de deux mois à compter de sa notification, d'un recours gracieux auprès de son auteur, ou d'un recours contentieux devant le tribunal administratif territorialement compétent. Le tribunal administratif peut être saisi par l'application « Télérecours citoyens » accessible sur le site www.telerecours.fr. Un recours gracieux prolonge le délai du recours contentieux, qui court à nouveau à compter de la réponse (le silence gardé pendant deux mois valant rejet).";

/// The means and time limits of appeal, in English.
pub const APPEAL_EN: &str = "Means and time limits of appeal: within two months of its notification, this decision may be challenged by an informal appeal (recours gracieux) to its author, or by a legal appeal (recours contentieux) before the competent administrative court. The court may be seized online through \"Télérecours citoyens\" at www.telerecours.fr. An informal appeal extends the time limit of the legal appeal, which runs again from the answer (two months of silence count as a refusal).";

/// Who sends a letter, who signs it and when it is dated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Letterhead {
    /// The commune (`Commune de Montreuil`) or the programme ([`PROGRAMME`]).
    pub sender: String,
    /// Who signs (none: the sender signs, without a name).
    pub signatory: Option<Signatory>,
    /// The date of the decision, `YYYY-MM-DD` (Europe/Paris).
    pub date: String,
}

/// The sender of a commune's letters: its name when known, with its INSEE code.
pub fn commune_sender(name: Option<&str>, insee: &str) -> String {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => format!("Commune de {n} (INSEE {insee})"),
        None => format!("Commune (INSEE {insee})"),
    }
}

/// `YYYY-MM-DD…` as `DD/MM/YYYY` (as given when it does not look like a date).
pub fn french_date(iso: &str) -> String {
    match (iso.get(0..4), iso.get(5..7), iso.get(8..10)) {
        (Some(y), Some(m), Some(d)) => format!("{d}/{m}/{y}"),
        _ => iso.to_owned(),
    }
}

impl Letterhead {
    /// The lines above the letter's body: sender and date.
    pub fn head(&self) -> String {
        format!(
            "{sender}\nLe {date} / Date: {iso}\n\n",
            sender = self.sender,
            date = french_date(&self.date),
            iso = self.date.get(0..10).unwrap_or(&self.date),
        )
    }

    /// The lines below the letter's body: signature, then the means of appeal.
    pub fn foot(&self) -> String {
        let signature = match &self.signatory {
            Some(s) if !s.name.trim().is_empty() => {
                format!("{}, {}", s.name.trim(), s.role.trim())
            }
            _ => self.sender.clone(),
        };
        format!(
            "\nPour {sender} / For {sender},\n{signature}\n(signé / signed)\n\n{APPEAL_FR}\n\n{APPEAL_EN}\n",
            sender = self.sender,
        )
    }

    /// `body` between the head and the foot.
    pub fn wrap(&self, body: &str) -> String {
        let mut out = self.head();
        out.push_str(body.trim_end());
        out.push('\n');
        out.push_str(&self.foot());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_letter_names_its_sender_date_signatory_and_appeal() {
        let h = Letterhead {
            sender: commune_sender(Some("Montreuil"), "93048"),
            signatory: Some(Signatory {
                name: "Marie Dupont".into(),
                role: "Maire adjointe".into(),
            }),
            date: "2026-07-14T10:00:00+02:00".into(),
        };
        let text = h.wrap("Décision : Retenue.");
        assert!(text.starts_with("Commune de Montreuil (INSEE 93048)\nLe 14/07/2026 / Date: 2026-07-14\n\nDécision : Retenue.\n"));
        assert!(text.contains("Marie Dupont, Maire adjointe"));
        assert!(text.contains("recours gracieux"));
        assert!(text.contains("Télérecours citoyens"));
        assert!(text.contains("Means and time limits of appeal"));
        assert_eq!(commune_sender(None, "93048"), "Commune (INSEE 93048)");
    }
}

//! Decision letters: a per-call template with `{{name}}` placeholders.

/// The default letter: French, then English, each with the decision in its own
/// language (the reason is shown beside the letter, once).
pub const DEFAULT_TEMPLATE: &str = "Objet : votre candidature « {{title}} » à l'appel « {{call}} »\nDécision : {{decision_fr}}.\n\nSubject: your application \"{{title}}\" to \"{{call}}\"\nDecision: {{decision_en}}.\n";

/// The placeholders a template may use: `decision` is the step's label as the
/// call writes it (`Retenue / Selected`), `decision_fr` and `decision_en` its
/// two parts.
pub const PLACEHOLDERS: &[&str] = &[
    "title",
    "call",
    "decision",
    "decision_fr",
    "decision_en",
    "reason",
    "score",
];

/// Placeholders of `template` that are not known (to refuse a template at once).
pub fn unknown_placeholders(template: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some((_, after)) = rest.split_once("{{") {
        let Some((name, next)) = after.split_once("}}") else {
            break;
        };
        let name = name.trim();
        if !PLACEHOLDERS.contains(&name) {
            out.push(name.to_owned());
        }
        rest = next;
    }
    out
}

/// Fills `{{name}}` placeholders with `values` (unknown ones are left as written).
pub fn render(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some((before, after)) = rest.split_once("{{") {
        out.push_str(before);
        let Some((name, next)) = after.split_once("}}") else {
            out.push_str("{{");
            out.push_str(after);
            return out;
        };
        match values.iter().find(|(k, _)| *k == name.trim()) {
            Some((_, v)) => out.push_str(v),
            None => {
                out.push_str("{{");
                out.push_str(name);
                out.push_str("}}");
            }
        }
        rest = next;
    }
    out.push_str(rest);
    out
}

/// The letter of an application's decision, as the applicant reads it and as
/// it is e-mailed: the call's template (else [`DEFAULT_TEMPLATE`]) filled with
/// the application's title, the call's title, the decision's label (`Retenue /
/// Selected`, and each part), the reason and the weighted score (`—` if none),
/// between the letterhead's sender and date and its signature and means of
/// appeal (see [`crate::letterhead`]).
pub fn compose(
    head: &crate::letterhead::Letterhead,
    template: Option<&str>,
    title: &str,
    call: &str,
    decision: &str,
    reason: &str,
    score: Option<f64>,
) -> String {
    head.wrap(&body(template, title, call, decision, reason, score))
}

/// The body of a letter: the template filled (see [`compose`]).
pub fn body(
    template: Option<&str>,
    title: &str,
    call: &str,
    decision: &str,
    reason: &str,
    score: Option<f64>,
) -> String {
    let score = score.map_or_else(|| "—".to_owned(), |s| format!("{s:.2}"));
    let (decision_fr, decision_en) = qmi_api::applications::label_parts(decision);
    render(
        template.unwrap_or(DEFAULT_TEMPLATE),
        &[
            ("title", title),
            ("call", call),
            ("decision", decision),
            ("decision_fr", decision_fr),
            ("decision_en", decision_en),
            ("reason", reason),
            ("score", &score),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use qmi_api::applications::label_parts;

    #[test]
    fn fills_placeholders() {
        let t = "Dear {{ title }}: {{decision}} ({{reason}}) {{other}} {{";
        assert_eq!(
            render(
                t,
                &[
                    ("title", "Solar"),
                    ("decision", "selected"),
                    ("reason", "good")
                ]
            ),
            "Dear Solar: selected (good) {{other}} {{"
        );
        assert_eq!(unknown_placeholders(t), vec!["other"]);
        assert!(unknown_placeholders(DEFAULT_TEMPLATE).is_empty());
    }

    #[test]
    fn the_default_letter_speaks_each_language_once() {
        let (fr, en) = label_parts("Retenue / Selected");
        let text = render(
            DEFAULT_TEMPLATE,
            &[
                ("title", "Cours Oasis"),
                ("call", "Îlots"),
                ("decision_fr", fr),
                ("decision_en", en),
            ],
        );
        assert_eq!(
            text,
            "Objet : votre candidature « Cours Oasis » à l'appel « Îlots »\nDécision : Retenue.\n\nSubject: your application \"Cours Oasis\" to \"Îlots\"\nDecision: Selected.\n"
        );
        assert_eq!(label_parts("Jury"), ("Jury", "Jury"));
        assert_eq!(
            body(None, "Cours Oasis", "Îlots", "Retenue / Selected", "", None),
            text
        );
        assert_eq!(
            body(
                Some("{{score}} {{reason}}"),
                "t",
                "c",
                "d",
                "ok",
                Some(3.456)
            ),
            "3.46 ok"
        );
    }
}

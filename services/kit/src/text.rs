//! Text normalisation for accent- and case-insensitive search.

use unicode_normalization::UnicodeNormalization as _;
use unicode_normalization::char::is_combining_mark;

/// Folds a name for search: decomposes (NFKD), drops combining marks,
/// lower-cases, spells out `œ`/`æ`/`ß`, turns every other non-alphanumeric
/// run into one space, trims. `"L'Haÿ-les-Roses"` → `"l hay les roses"`.
/// `scripts/communes/derive.py` implements the same folding for the data file.
pub fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
    {
        let folded: &str = match c {
            'œ' => "oe",
            'æ' => "ae",
            'ß' => "ss",
            _ => "",
        };
        if !folded.is_empty() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push_str(folded);
        } else if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        } else {
            space = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn folds_accents_case_and_punctuation() {
        assert_eq!(normalise("L'Haÿ-les-Roses"), "l hay les roses");
        assert_eq!(
            normalise("  Saint-Maur-des-Fossés "),
            "saint maur des fosses"
        );
        assert_eq!(normalise("Œuvre ÉLÈVE"), "oeuvre eleve");
        assert_eq!(normalise("--"), "");
    }
}

//! What a person types into the directory's search, folded into an FTS5 query:
//! lower case without accents (the kit's `normalise`, as FTS5's `unicode61`
//! tokenizer with `remove_diacritics 2` folds the indexed text), elisions
//! dropped (`l'énergie` → `energie`), a plural's final `s` or `x` dropped on
//! words of four letters or more (`douces` → `douce`, `réseaux` → `reseau`), and
//! every word a prefix: `douce*` finds "douce" and "douces", `velo*` "vélos".

/// Elided articles and pronouns, as they appear before an apostrophe.
const ELISIONS: &[&str] = &[
    "l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu",
];

/// The folded words of `text`, in order.
pub fn words(text: &str) -> Vec<String> {
    // Apostrophes (straight and typographic) separate an elision from its word.
    let spaced: String = text
        .chars()
        .map(|c| {
            if matches!(c, '\'' | '’' | 'ʼ') {
                ' '
            } else {
                c
            }
        })
        .collect();
    let plain = qmi_kit::text::normalise(&spaced);
    let raw: Vec<&str> = plain.split(' ').filter(|w| !w.is_empty()).collect();
    let mut out = Vec::with_capacity(raw.len());
    for (i, w) in raw.iter().enumerate() {
        // An elision is a one- or few-letter word directly followed by another.
        if ELISIONS.contains(w) && i + 1 < raw.len() && text_had_apostrophe(text, i) {
            continue;
        }
        out.push(stem(w));
    }
    out
}

/// Whether the `i`-th word of `text` was followed by an apostrophe (so a lone
/// `d` or `l` is an elision, not a word such as the letter in "plan B").
fn text_had_apostrophe(text: &str, i: usize) -> bool {
    let mut n = 0;
    let mut in_word = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            in_word = true;
        } else {
            if in_word {
                if n == i {
                    return matches!(c, '\'' | '’' | 'ʼ');
                }
                n += 1;
            }
            in_word = false;
        }
    }
    false
}

/// One folded word with its plural mark dropped.
fn stem(word: &str) -> String {
    let long = word.chars().count() >= 4;
    let all_letters = word.chars().all(|c| c.is_alphabetic());
    if long && all_letters && (word.ends_with('s') || word.ends_with('x')) && !word.ends_with("ss")
    {
        word[..word.len() - 1].to_owned()
    } else {
        word.to_owned()
    }
}

/// `text` folded, words joined by spaces: what the index holds.
pub fn fold(text: &str) -> String {
    words(text).join(" ")
}

/// The FTS5 query for what a person typed: every folded word must match as a
/// prefix (`mobilite douces` finds "Mobilité douce"). `None` when nothing
/// searchable is left. Words are quoted (folded words are letters and digits
/// only), so no FTS5 syntax gets through; at most 12 words are kept.
pub fn match_query(typed: &str) -> Option<String> {
    let terms: Vec<String> = words(typed)
        .iter()
        .take(12)
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_case_and_plurals_fold_alike() {
        assert_eq!(fold("Mobilité douce"), fold("mobilite DOUCES"));
        assert_eq!(fold("réseaux"), "reseau");
        assert_eq!(fold("vélos cargos"), "velo cargo");
        // Short words and words ending in "ss" keep their last letter.
        assert_eq!(fold("les bus express"), "les bus express");
    }

    #[test]
    fn elisions_are_dropped_but_lone_letters_are_words() {
        assert_eq!(fold("l'énergie d’économie"), "energie economie");
        assert_eq!(fold("plan d B"), "plan d b");
        assert_eq!(fold("aujourd'hui"), "aujourd hui");
    }

    #[test]
    fn the_query_quotes_every_word_as_a_prefix() {
        assert_eq!(
            match_query("Mobilité DOUCES").as_deref(),
            Some("\"mobilite\"* \"douce\"*")
        );
        assert_eq!(match_query("  ' - ").as_deref(), None);
        // FTS5 operators typed by someone are plain words once folded.
        assert_eq!(
            match_query("NEAR(a OR \"b\")").as_deref(),
            Some("\"near\"* \"a\"* \"or\"* \"b\"*")
        );
    }
}

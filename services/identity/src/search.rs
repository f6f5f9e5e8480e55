//! The registry's search (`GET /api/communes?q=`): what a query asks, read once
//! into a [`Search`], and the search key that orders the name index
//! (`commune_names`, migration 0016) as the registry is ordered.
//!
//! A name fragment of three characters or more is found anywhere in a name
//! (`ain` finds "Saint-Denis"); one of one or two characters, at the start of
//! one of the name's words (`sa` finds "Saint-Denis" and "Rosny-sous-Bois" is
//! not found by `os`): a two-letter substring is noise in a search box, and
//! the word start is what the trigram index can answer, since it holds each
//! name after a space.

use qmi_api::Insee;
use qmi_kit::Problem;

/// The longest query the registry accepts, in characters.
pub const MAX_QUERY: usize = 100;

/// The shortest name fragment the trigram index can answer: FTS5's `trigram`
/// tokenizer and `pg_trgm` both index runs of three characters.
pub const TRIGRAM: usize = 3;

/// What `?q=` asks of the registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Search {
    /// The start of an INSEE code (`93`, `9306`, `2A004`): the communes whose
    /// code lies between `from` and `to`, both included (a range of the key).
    Code { from: String, to: String },
    /// A fragment of a name.
    Name(Fragment),
}

/// A fragment of a name, normalised (`qmi_kit::text::normalise`): accents,
/// case and punctuation folded, so `L'ÎLE saint-denis` finds
/// "L'Île-Saint-Denis". Only letters, digits and single spaces: never a `LIKE`
/// wildcard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fragment(String);

impl Fragment {
    /// The `LIKE` pattern the name index answers, if it can: the fragment
    /// anywhere, or, shorter than a trigram, after a space — at a word's start,
    /// the index holding each name after a space. `None` for one character.
    pub fn index_pattern(&self) -> Option<String> {
        match self.0.chars().count() {
            n if n >= TRIGRAM => Some(format!("%{}%", self.0)),
            2 => Some(format!("% {}%", self.0)),
            _ => None,
        }
    }

    /// The same search as a condition on the registry's own `c.name_norm`
    /// (through a filter's index, or for one character), with its parameters.
    pub fn registry_condition(&self) -> (&'static str, [Option<String>; 2]) {
        if self.0.chars().count() >= TRIGRAM {
            ("c.name_norm LIKE ?", [Some(format!("%{}%", self.0)), None])
        } else {
            (
                "(c.name_norm LIKE ? OR c.name_norm LIKE ?)",
                [Some(format!("{}%", self.0)), Some(format!("% {}%", self.0))],
            )
        }
    }
}

impl Search {
    /// Reads `q`: `None` when there is nothing to search for; 400 naming `q`
    /// when it is too long. A query shaped like the start of an INSEE code
    /// searches codes (no commune's name holds a digit); anything else, names.
    pub fn parse(q: &str) -> Result<Option<Self>, Problem> {
        if q.chars().count() > MAX_QUERY {
            return Err(Problem::bad_request("q is too long")
                .field("q", format!("at most {MAX_QUERY} characters")));
        }
        let code = q.trim().to_ascii_uppercase();
        if is_code_start(&code) {
            let to = format!("{code}{}", "Z".repeat(5 - code.len()));
            return Ok(Some(Self::Code { from: code, to }));
        }
        let name = qmi_kit::text::normalise(q);
        Ok((!name.is_empty()).then_some(Self::Name(Fragment(name))))
    }
}

/// Whether `s` is the start of some INSEE code: one to five characters, the
/// first a digit, the second a digit (or `A`/`B` after `2`, Corsica), the rest
/// digits.
fn is_code_start(s: &str) -> bool {
    let b = s.as_bytes();
    (1..=5).contains(&b.len())
        && b[0].is_ascii_digit()
        && b.get(1)
            .is_none_or(|c| c.is_ascii_digit() || (b[0] == b'2' && matches!(c, b'A' | b'B')))
        && b.iter().skip(2).all(u8::is_ascii_digit)
}

/// A commune's place in the name index: its five-character code read as a
/// base-256 number, so the index's rowid order is the registry's code order.
/// The migrations compute the same number in SQL (`unicode(substr(insee, i, 1))`
/// on SQLite, `commune_search_key` on PostgreSQL).
pub fn search_key(insee: &Insee) -> i64 {
    insee
        .as_str()
        .bytes()
        .fold(0i64, |key, byte| key * 256 + i64::from(byte))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &str) -> Option<Search> {
        Search::parse(q).expect("a valid query")
    }

    #[test]
    fn code_starts_search_codes_and_names_search_names() {
        let code = |from: &str, to: &str| {
            Some(Search::Code {
                from: from.into(),
                to: to.into(),
            })
        };
        assert_eq!(parse("93066"), code("93066", "93066"));
        assert_eq!(parse(" 9306 "), code("9306", "9306Z"));
        assert_eq!(parse("9"), code("9", "9ZZZZ"));
        assert_eq!(parse("2a"), code("2A", "2AZZZ"));
        assert_eq!(parse("2B03"), code("2B03", "2B03Z"));
        for name in ["saint", "a", "3A", "2C", "930666", "9a3", "93 0"] {
            assert!(
                matches!(parse(name), Some(Search::Name(_))),
                "{name:?} is a name"
            );
        }
        assert_eq!(
            parse("L'ÎLE saint-denis"),
            Some(Search::Name(Fragment("l ile saint denis".into())))
        );
        assert_eq!(parse("  "), None);
        assert_eq!(parse("'-"), None);
    }

    #[test]
    fn a_range_holds_exactly_the_codes_that_start_so() {
        let Some(Search::Code { from, to }) = parse("930") else {
            panic!("930 is a code start");
        };
        for (insee, inside) in [
            ("93000", true),
            ("93066", true),
            ("93099", true),
            ("92999", false),
            ("93100", false),
            ("2A004", false),
        ] {
            assert_eq!(
                (from.as_str()..=to.as_str()).contains(&insee),
                inside,
                "{insee}"
            );
        }
    }

    #[test]
    fn fragments_are_found_anywhere_from_three_characters_else_at_a_word_start() {
        let fragment = |q: &str| match parse(q) {
            Some(Search::Name(f)) => f,
            other => panic!("{q:?} is not a name: {other:?}"),
        };
        assert_eq!(fragment("sai").index_pattern().as_deref(), Some("%sai%"));
        assert_eq!(fragment("Île").index_pattern().as_deref(), Some("%ile%"));
        assert_eq!(
            fragment("l'île").index_pattern().as_deref(),
            Some("%l ile%")
        );
        assert_eq!(fragment("SA").index_pattern().as_deref(), Some("% sa%"));
        assert_eq!(fragment("é").index_pattern(), None);
        assert_eq!(
            fragment("sai").registry_condition(),
            ("c.name_norm LIKE ?", [Some("%sai%".into()), None])
        );
        assert_eq!(
            fragment("é").registry_condition().1,
            [Some("e%".into()), Some("% e%".into())]
        );
    }

    #[test]
    fn search_keys_keep_the_order_of_codes() {
        let mut codes: Vec<Insee> = [
            "01001", "2A004", "2B033", "29019", "75056", "93066", "97411",
        ]
        .iter()
        .map(|c| c.parse().expect("a code"))
        .collect();
        codes.sort();
        let keys: Vec<i64> = codes.iter().map(search_key).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:?}");
        assert_eq!(
            search_key(&"93066".parse().expect("a code")),
            0x39_33_30_36_36
        );
    }

    #[test]
    fn long_queries_are_refused_naming_q() {
        let problem = Search::parse(&"a".repeat(MAX_QUERY + 1)).expect_err("too long");
        assert_eq!(problem.status, 400);
    }
}

//! Configurable forms: checking a form definition, and checking answers against
//! it (every problem listed, each naming its field `answers.<question>`).

use std::collections::{BTreeMap, HashSet};

use qmi_api::applications::{Question, QuestionKind};
use qmi_kit::FieldError;
use serde_json::Value;

/// Largest text answer when the form sets no limit.
pub const DEFAULT_MAX_TEXT: usize = 20_000;

/// Whether `id` is a valid key: 1–64 characters of `[a-z0-9_]`.
pub fn valid_key(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Problems of a form definition, fields named `{prefix}[i].…`.
pub fn check_form(prefix: &str, questions: &[Question]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    for (i, q) in questions.iter().enumerate() {
        let f = |name: &str| format!("{prefix}[{i}].{name}");
        if !valid_key(&q.id) {
            errors.push(FieldError::new(
                f("id"),
                "1 to 64 characters among a-z, 0-9 and _",
            ));
        } else if !seen.insert(q.id.as_str()) {
            errors.push(FieldError::new(
                f("id"),
                format!("`{}` is used twice", q.id),
            ));
        }
        if q.label.trim().is_empty() {
            errors.push(FieldError::new(f("label"), "must not be empty"));
        }
        let choice = matches!(
            q.kind,
            QuestionKind::SingleChoice | QuestionKind::MultipleChoice
        );
        if choice && q.options.len() < 2 {
            errors.push(FieldError::new(
                f("options"),
                "a choice needs at least two options",
            ));
        }
        if !choice && !q.options.is_empty() {
            errors.push(FieldError::new(
                f("options"),
                "only choice questions have options",
            ));
        }
        let distinct: HashSet<_> = q.options.iter().collect();
        if distinct.len() != q.options.len() {
            errors.push(FieldError::new(f("options"), "options must be distinct"));
        }
        if let (Some(min), Some(max)) = (q.min, q.max)
            && min > max
        {
            errors.push(FieldError::new(f("min"), "min is greater than max"));
        }
        if q.max_length == Some(0) {
            errors.push(FieldError::new(f("max_length"), "must be at least 1"));
        }
        if q.max_choices == Some(0) {
            errors.push(FieldError::new(f("max_choices"), "must be at least 1"));
        }
    }
    errors
}

/// Problems of answers saved as a draft: only unknown questions and values of
/// the wrong JSON type are refused (a draft may be incomplete).
pub fn check_draft(questions: &[Question], answers: &BTreeMap<String, Value>) -> Vec<FieldError> {
    let mut errors = unknown(questions, answers);
    for q in questions {
        if let Some(v) = answers.get(&q.id).filter(|v| !v.is_null()) {
            let ok = match q.kind {
                QuestionKind::ShortText
                | QuestionKind::LongText
                | QuestionKind::Date
                | QuestionKind::SingleChoice
                | QuestionKind::File => v.is_string(),
                QuestionKind::Number => v.is_number(),
                QuestionKind::MultipleChoice => {
                    v.as_array().is_some_and(|a| a.iter().all(Value::is_string))
                }
            };
            if !ok {
                errors.push(FieldError::new(
                    format!("answers.{}", q.id),
                    format!("expected {}", expected(q.kind)),
                ));
            }
        }
    }
    errors
}

fn unknown(questions: &[Question], answers: &BTreeMap<String, Value>) -> Vec<FieldError> {
    answers
        .keys()
        .filter(|k| !questions.iter().any(|q| &q.id == *k))
        .map(|k| {
            FieldError::new(
                format!("answers.{k}"),
                "no such question in this call's form",
            )
        })
        .collect()
}

fn expected(kind: QuestionKind) -> &'static str {
    match kind {
        QuestionKind::ShortText | QuestionKind::LongText => "text",
        QuestionKind::Number => "a number",
        QuestionKind::Date => "a date YYYY-MM-DD",
        QuestionKind::SingleChoice => "one of the options",
        QuestionKind::MultipleChoice => "a list of options",
        QuestionKind::File => "the id of an attachment of this application",
    }
}

/// Every problem of the answers for submission. `has_attachment(id)` says whether
/// an attachment id belongs to the application.
pub fn check_submission(
    questions: &[Question],
    answers: &BTreeMap<String, Value>,
    has_attachment: &dyn Fn(&str) -> bool,
) -> Vec<FieldError> {
    let mut errors = unknown(questions, answers);
    for q in questions {
        let field = format!("answers.{}", q.id);
        let value = answers.get(&q.id).filter(|v| !is_empty(v));
        let Some(v) = value else {
            if q.required {
                errors.push(FieldError::new(field, "an answer is required"));
            }
            continue;
        };
        if let Err(message) = check_value(q, v, has_attachment) {
            errors.push(FieldError::new(field, message));
        }
    }
    errors
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn check_value(
    q: &Question,
    v: &Value,
    has_attachment: &dyn Fn(&str) -> bool,
) -> Result<(), String> {
    let wrong = || Err(format!("expected {}", expected(q.kind)));
    match q.kind {
        QuestionKind::ShortText | QuestionKind::LongText => {
            let Some(s) = v.as_str() else { return wrong() };
            let max =
                q.max_length
                    .map(|m| m as usize)
                    .unwrap_or(if q.kind == QuestionKind::ShortText {
                        200
                    } else {
                        DEFAULT_MAX_TEXT
                    });
            let n = s.chars().count();
            if n > max {
                return Err(format!("at most {max} characters (got {n})"));
            }
            if q.kind == QuestionKind::ShortText && s.contains('\n') {
                return Err("a short text is one line".into());
            }
            Ok(())
        }
        QuestionKind::Number => {
            let Some(n) = v.as_f64() else { return wrong() };
            if let Some(min) = q.min.filter(|m| n < *m) {
                return Err(format!("must be at least {min}"));
            }
            if let Some(max) = q.max.filter(|m| n > *m) {
                return Err(format!("must be at most {max}"));
            }
            Ok(())
        }
        QuestionKind::Date => {
            let Some(s) = v.as_str() else { return wrong() };
            crate::paris::parse_date(s).map(|_| ()).map_err(|e| e.0)
        }
        QuestionKind::SingleChoice => match v.as_str() {
            Some(s) if q.options.iter().any(|o| o == s) => Ok(()),
            Some(s) => Err(format!("`{s}` is not one of the options")),
            None => wrong(),
        },
        QuestionKind::MultipleChoice => {
            let Some(items) = v.as_array() else {
                return wrong();
            };
            let mut seen = HashSet::new();
            for item in items {
                match item.as_str() {
                    Some(s) if !q.options.iter().any(|o| o == s) => {
                        return Err(format!("`{s}` is not one of the options"));
                    }
                    Some(s) if !seen.insert(s) => return Err(format!("`{s}` is chosen twice")),
                    Some(_) => {}
                    None => return wrong(),
                }
            }
            match q.max_choices {
                Some(max) if items.len() > max as usize => Err(format!("at most {max} choices")),
                _ => Ok(()),
            }
        }
        QuestionKind::File => match v.as_str() {
            Some(id) if has_attachment(id) => Ok(()),
            Some(_) => Err("no such attachment on this application; upload it first".into()),
            None => wrong(),
        },
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn q(id: &str, kind: QuestionKind, required: bool) -> Question {
        Question {
            id: id.into(),
            label: id.into(),
            kind,
            required,
            max_length: None,
            min: None,
            max: None,
            options: vec![],
            max_choices: None,
        }
    }

    fn form() -> Vec<Question> {
        let mut budget = q("budget", QuestionKind::Number, true);
        budget.min = Some(0.0);
        budget.max = Some(100_000.0);
        let mut pitch = q("pitch", QuestionKind::LongText, true);
        pitch.max_length = Some(10);
        let mut theme = q("theme", QuestionKind::SingleChoice, true);
        theme.options = vec!["energy".into(), "mobility".into()];
        let mut tags = q("tags", QuestionKind::MultipleChoice, false);
        tags.options = vec!["a".into(), "b".into(), "c".into()];
        tags.max_choices = Some(2);
        vec![
            q("name", QuestionKind::ShortText, true),
            pitch,
            budget,
            q("start", QuestionKind::Date, false),
            theme,
            tags,
            q("deck", QuestionKind::File, false),
        ]
    }

    fn answers(v: serde_json::Value) -> BTreeMap<String, Value> {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn a_good_submission_passes() {
        let a = answers(
            json!({"name":"Sol","pitch":"short","budget":5000,"start":"2026-09-01","theme":"energy","tags":["a","c"],"deck":"att1"}),
        );
        assert!(check_submission(&form(), &a, &|id| id == "att1").is_empty());
    }

    #[test]
    fn every_problem_is_listed() {
        let a = answers(
            json!({"pitch":"far too long a pitch","budget":-1,"start":"2026-02-30","theme":"water","tags":["a","b","c"],"deck":"nope","extra":1}),
        );
        let errors = check_submission(&form(), &a, &|_| false);
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "answers.extra",
                "answers.name",
                "answers.pitch",
                "answers.budget",
                "answers.start",
                "answers.theme",
                "answers.tags",
                "answers.deck"
            ]
        );
    }

    #[test]
    fn drafts_only_check_types() {
        assert!(check_draft(&form(), &answers(json!({"budget": 3}))).is_empty());
        assert_eq!(
            check_draft(&form(), &answers(json!({"budget": "3"})))[0].field,
            "answers.budget"
        );
    }

    #[test]
    fn form_definitions() {
        let mut bad = form();
        bad[1].id = "name".into();
        bad[4].options = vec!["x".into()];
        bad[2].min = Some(5.0);
        bad[2].max = Some(1.0);
        let fields: Vec<_> = check_form("form", &bad)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["form[1].id", "form[2].min", "form[4].options"]);
        assert!(check_form("form", &form()).is_empty());
    }
}

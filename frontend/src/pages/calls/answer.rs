//! One question of a form: its control ([`QuestionField`]), the typed number it
//! reads and the client-side check of its answer ([`check_answer`]).

use super::*;

/// A typed number as JSON: an integer stays an integer (`12000`, not
/// `12000.0`); a decimal comma is read as a point. `None` when it is not a number.
fn parse_number(text: &str) -> Option<serde_json::Number> {
    // Spaces may group thousands ("1 500,5"); letters and exponents are no number.
    let text = text
        .trim()
        .replace([' ', '\u{a0}', '\u{202f}'], "")
        .replace(',', ".");
    if text.is_empty()
        || !text
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return None;
    }
    match text.parse::<i64>() {
        Ok(n) => Some(n.into()),
        Err(_) => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64),
    }
}

/// The client-side check of one answer against its question: the message, if wrong.
pub fn check_answer(q: &Question, v: Option<&Value>, fr: bool) -> Option<String> {
    let empty = match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        _ => false,
    };
    if empty {
        return q.required.then(|| {
            if fr {
                "Réponse obligatoire.".into()
            } else {
                "An answer is required.".into()
            }
        });
    }
    match (q.kind, v?) {
        (QuestionKind::ShortText | QuestionKind::LongText, Value::String(s)) => {
            let max = q.max_length? as usize;
            (s.chars().count() > max).then(|| {
                if fr {
                    format!("{max} caractères au plus.")
                } else {
                    format!("At most {max} characters.")
                }
            })
        }
        (QuestionKind::Number, Value::Number(n)) => {
            let x = n.as_f64()?;
            // The limit as a person writes it (a decimal comma in French).
            let decimal = |m: f64| {
                let m = m.to_string();
                if fr { m.replace('.', ",") } else { m }
            };
            if let Some(m) = q.min.filter(|m| x < *m) {
                let m = decimal(m);
                return Some(if fr {
                    format!("Au moins {m}.")
                } else {
                    format!("At least {m}.")
                });
            }
            let m = q.max.filter(|m| x > *m)?;
            let m = decimal(m);
            Some(if fr {
                format!("Au plus {m}.")
            } else {
                format!("At most {m}.")
            })
        }
        (QuestionKind::Number, _) => Some(if fr {
            "Saisissez un nombre, par exemple 1500,5.".into()
        } else {
            "Enter a number, for example 1500.5.".into()
        }),
        (QuestionKind::MultipleChoice, Value::Array(a)) => {
            let max = q.max_choices? as usize;
            (a.len() > max).then(|| {
                if fr {
                    format!("{max} choix au plus.")
                } else {
                    format!("At most {max} choices.")
                }
            })
        }
        _ => None,
    }
}

/// What a file question needs from the form it is in.
#[derive(Clone, Copy)]
pub struct Attach {
    /// Uploads the file chosen for a question (its key) and sets the answer.
    pub upload: Callback<(String, web_sys::File)>,
    /// The questions whose file is on its way.
    pub pending: RwSignal<BTreeSet<String>>,
    /// The application the files belong to, once saved.
    pub application: RwSignal<Option<String>>,
    /// The names of the files sent, by attachment id.
    pub names: RwSignal<BTreeMap<String, String>>,
}

/// One question of a form, its control chosen by its kind. A file question
/// needs `attach`; without it (a candidacy) it says files are not taken.
#[component]
pub fn QuestionField(
    q: Question,
    answers: RwSignal<BTreeMap<String, Value>>,
    errors: RwSignal<BTreeMap<String, String>>,
    changed: impl Fn() + Clone + Send + Sync + 'static,
    /// Whether the answer can no longer change (tracked: a submitted application).
    #[prop(into)]
    disabled: Signal<bool>,
    #[prop(optional)] attach: Option<Attach>,
) -> impl IntoView {
    let i = use_i18n();
    let id = format!("q-{}", q.id);
    let err_id = format!("{id}-erreur");
    let key = q.id.clone();
    let has_error = {
        let key = key.clone();
        move || errors.with(|e| e.contains_key(&key))
    };
    let error_text = {
        let key = key.clone();
        move || errors.with(|e| e.get(&key).cloned())
    };
    let set = {
        let key = key.clone();
        move |v: Value| {
            answers.update(|a| {
                a.insert(key.clone(), v);
            });
            // An answer being changed is no longer the one the error was about.
            if errors.with_untracked(|e| e.contains_key(&key)) {
                errors.update(|e| {
                    e.remove(&key);
                });
            }
            changed();
        }
    };
    let text_value = {
        let key = key.clone();
        move || {
            answers.with(|a| match a.get(&key) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => String::new(),
            })
        }
    };
    let described = {
        let err_id = err_id.clone();
        let has_error = has_error.clone();
        move || has_error().then(|| err_id.clone())
    };
    let invalid = {
        let has_error = has_error.clone();
        move || has_error().then_some("true")
    };
    let label = format!("{}{}", q.label, if q.required { " *" } else { "" });
    let control = match q.kind {
        QuestionKind::LongText => {
            let set = set.clone();
            view! { <textarea id=id.clone() disabled=disabled prop:value=text_value aria-invalid=invalid aria-describedby=described
                on:input=move |ev| set(Value::String(event_target_value(&ev)))></textarea> }.into_any()
        }
        QuestionKind::Number => {
            let set = set.clone();
            // The field shows what the person types; only the answer is parsed
            // (writing the parsed number back would turn "12" into "1.02").
            let typed = RwSignal::new(String::new());
            let restored = text_value.clone();
            Effect::new(move |_| {
                let stored = restored();
                if typed.with_untracked(|t| parse_number(t) != parse_number(&stored)) {
                    typed.set(stored);
                }
            });
            // A text field, not `type="number"`: the browser reads "1500." or "-"
            // (half-typed) as no value at all, and writing that back lost
            // keys ("1500.5" became 51500). What cannot be read stays as
            // typed, its error said at once (the draft keeps no answer for it).
            let question = q.clone();
            let errors_at = key.clone();
            view! { <input id=id.clone() type="text" inputmode="decimal" autocomplete="off" disabled=disabled prop:value=typed
                aria-invalid=invalid aria-describedby=described
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    typed.set(v.clone());
                    let answer = if v.trim().is_empty() {
                        Value::Null
                    } else {
                        parse_number(&v).map_or(Value::String(v), Value::Number)
                    };
                    let refused = check_answer(&question, Some(&answer), i.lang() == qmi_api::identity::Lang::Fr);
                    set(answer);
                    if let Some(m) = refused {
                        errors.update(|e| {
                            e.insert(errors_at.clone(), m);
                        });
                    }
                } /> }.into_any()
        }
        QuestionKind::Date => {
            let set = set.clone();
            view! { <input id=id.clone() type="date" disabled=disabled prop:value=text_value aria-invalid=invalid aria-describedby=described
                on:input=move |ev| set(Value::String(event_target_value(&ev))) /> }.into_any()
        }
        QuestionKind::SingleChoice => {
            let set = set.clone();
            view! { <select id=id.clone() disabled=disabled prop:value=text_value aria-invalid=invalid aria-describedby=described
                on:change=move |ev| set(Value::String(event_target_value(&ev)))>
                <option value="">"—"</option>
                {q.options.iter().map(|o| view! { <option value=o.clone()>{o.clone()}</option> }).collect_view()}
            </select> }.into_any()
        }
        QuestionKind::MultipleChoice => {
            let boxes = q.options.iter().enumerate().map(|(n, o)| {
                let option = o.clone();
                let key = key.clone();
                let set = set.clone();
                let checked = {
                    let option = option.clone();
                    let key = key.clone();
                    move || answers.with(|a| matches!(a.get(&key), Some(Value::Array(v)) if v.iter().any(|x| x.as_str() == Some(&option))))
                };
                view! {
                    <label class="choice"><input type="checkbox" id=format!("{id}-{n}") disabled=disabled prop:checked=checked
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            let mut list: Vec<Value> = answers.with_untracked(|a| match a.get(&key) { Some(Value::Array(v)) => v.clone(), _ => Vec::new() });
                            list.retain(|x| x.as_str() != Some(&option));
                            if on { list.push(Value::String(option.clone())); }
                            set(Value::Array(list));
                        } />" "{o.clone()}</label>
                }
            }).collect_view();
            view! { <fieldset id=id.clone() aria-describedby=described><legend>{label.clone()}</legend>{boxes}</fieldset> }.into_any()
        }
        QuestionKind::File => match attach {
            Some(attach) => {
                let hint_id = format!("{id}-aide");
                let pending = {
                    let key = key.clone();
                    move || attach.pending.with(|p| p.contains(&key))
                };
                let attached = {
                    let key = key.clone();
                    move || answers.with(|a| a.get(&key).and_then(Value::as_str).map(str::to_owned))
                };
                let described = {
                    let (err_id, hint_id, has_error) = (err_id.clone(), hint_id.clone(), has_error.clone());
                    move || if has_error() { format!("{hint_id} {err_id}") } else { hint_id.clone() }
                };
                let key = key.clone();
                let busy = pending.clone();
                let hint = {
                    let attached = attached.clone();
                    move || {
                        if pending() {
                            i.t("Envoi du fichier…", "Sending the file…").to_owned()
                        } else if let Some(id) = attached() {
                            // The file already sent, by its name when it came with one.
                            match attach.names.with(|n| n.get(&id).cloned()) {
                                Some(name) => format!("{} {name}. {}",
                                    i.t("Pièce jointe déposée :", "File attached:"),
                                    i.t("Choisissez un autre fichier pour la remplacer.", "Choose another file to replace it.")),
                                None => i.t("Pièce jointe déposée. Choisissez un autre fichier pour la remplacer.", "File attached. Choose another file to replace it.").to_owned(),
                            }
                        } else {
                            i.t("PDF, PNG ou JPEG, 10 Mo au plus.", "PDF, PNG or JPEG, 10 MB at most.").to_owned()
                        }
                    }
                };
                let download = move || {
                    let (application, attachment) = (attach.application.get()?, attached()?);
                    let name = attach.names.with(|n| n.get(&attachment).cloned()).unwrap_or_else(|| format!("piece-jointe-{}", q.id));
                    Some(view! { <DownloadAttachment application attachment name /> })
                };
                view! {
                    <input id=id.clone() type="file" accept="application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg"
                        disabled=move || disabled.get() || busy() aria-invalid=invalid aria-describedby=described
                        on:change=move |ev| {
                            let input = event_target::<web_sys::HtmlInputElement>(&ev);
                            if let Some(file) = input.files().and_then(|files| files.get(0)) {
                                attach.upload.run((key.clone(), file));
                            }
                            input.set_value("");
                        } />
                    <p class="hint muted small" id=hint_id.clone() aria-live="polite">{hint}</p>
                    {download}
                }.into_any()
            }
            None => view! {
                <p class="hint muted small" id=id.clone()>{t!(i, "Ce formulaire ne prend pas de fichier.", "This form takes no files.")}</p>
            }.into_any(),
        },
        QuestionKind::ShortText => {
            let set = set.clone();
            view! { <input id=id.clone() type="text" disabled=disabled prop:value=text_value aria-invalid=invalid aria-describedby=described
                on:input=move |ev| set(Value::String(event_target_value(&ev))) /> }.into_any()
        }
    };
    let is_group = q.kind == QuestionKind::MultipleChoice;
    view! {
        <div class="field" class:field-invalid=has_error>
            {(!is_group).then(|| view! { <label for=id.clone()>{label.clone()}</label> })}
            {control}
            {move || error_text().map(|m| view! { <p class="field-error" id=err_id.clone()>{m}</p> })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question(kind: QuestionKind, required: bool) -> Question {
        Question {
            id: "q".into(),
            label: "Q".into(),
            kind,
            required,
            max_length: Some(5),
            min: Some(0.0),
            max: Some(10.0),
            options: vec!["a".into(), "b".into()],
            max_choices: Some(1),
        }
    }

    #[test]
    fn typed_numbers_keep_their_form() {
        assert_eq!(
            parse_number("12000").map(|n| n.to_string()),
            Some("12000".to_owned())
        );
        assert_eq!(
            parse_number(" -500 ").map(|n| n.to_string()),
            Some("-500".to_owned())
        );
        assert_eq!(
            parse_number("45000,50").map(|n| n.to_string()),
            Some("45000.5".to_owned())
        );
        assert_eq!(parse_number("1."), parse_number("1.0"));
        assert_eq!(parse_number("douze"), None);
        assert_eq!(parse_number(""), None);
    }

    #[test]
    fn answers_are_checked_against_their_question() {
        use serde_json::json;
        let text = question(QuestionKind::ShortText, true);
        assert_eq!(
            check_answer(&text, None, true).as_deref(),
            Some("Réponse obligatoire.")
        );
        assert_eq!(
            check_answer(&text, Some(&json!("  ")), false).as_deref(),
            Some("An answer is required.")
        );
        assert_eq!(
            check_answer(&text, Some(&json!("abcdef")), true).as_deref(),
            Some("5 caractères au plus.")
        );
        assert_eq!(check_answer(&text, Some(&json!("abc")), true), None);
        assert_eq!(
            check_answer(&question(QuestionKind::ShortText, false), None, true),
            None
        );
        let number = question(QuestionKind::Number, true);
        assert_eq!(
            check_answer(&number, Some(&json!(11)), true).as_deref(),
            Some("Au plus 10.")
        );
        assert_eq!(
            check_answer(&number, Some(&json!(-0.5)), true).as_deref(),
            Some("Au moins 0.")
        );
        assert_eq!(
            check_answer(&number, Some(&json!(11)), false).as_deref(),
            Some("At most 10.")
        );
        assert_eq!(
            check_answer(&number, Some(&json!("x")), true).as_deref(),
            Some("Saisissez un nombre, par exemple 1500,5.")
        );
        assert_eq!(parse_number("1 500,5"), parse_number("1500.5"));
        assert_eq!(parse_number("1e5"), None);
        assert_eq!(check_answer(&number, Some(&json!(10)), true), None);
        let many = question(QuestionKind::MultipleChoice, true);
        assert_eq!(
            check_answer(&many, Some(&json!([])), true).as_deref(),
            Some("Réponse obligatoire.")
        );
        assert_eq!(
            check_answer(&many, Some(&json!(["a", "b"])), true).as_deref(),
            Some("1 choix au plus.")
        );
    }
}

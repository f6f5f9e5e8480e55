//! The private notes kept on an organisation: a commune's (its admins and
//! agents only: neither the organisation, nor the other communes, nor the
//! public read them) and the programme team's. Each note keeps its history:
//! every edit is a new version, the earlier texts stay readable.

use leptos::prelude::*;
use leptos::task::spawn_local;
use qmi_api::partners::{NOTE_MAX, Note, NoteInput, NoteVersion};

use crate::api::{self, ApiError};
use crate::i18n::{I18n, use_i18n};
use crate::pages::access::{field_error, show_failure};
use crate::t;
use crate::ui::{ErrorNotice, FieldErrors, Loading, TextField, error_of, when};

/// Whose notes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// A commune's: its code and name.
    Commune(String, String),
    /// The programme team's.
    Programme,
}

/// The notes of the communes where the person is an admin or an agent: one
/// commune at a time, chosen when there are several.
#[component]
pub fn CommuneNotes(org: String, communes: Vec<(String, String)>) -> impl IntoView {
    let i = use_i18n();
    let chosen = RwSignal::new(communes.first().map(|c| c.0.clone()).unwrap_or_default());
    let several = communes.len() > 1;
    let options = communes.clone();
    view! {
        {several.then(|| view! {
            <div class="field notes-choice">
                <label for="notes-commune">{t!(i, "Notes de la commune", "Notes of the commune")}</label>
                <select id="notes-commune" bind:value=chosen>
                    {options.into_iter().map(|(insee, name)| view! { <option value=insee.clone()>{name}</option> }).collect_view()}
                </select>
            </div>
        })}
        {move || {
            let insee = chosen.get();
            let name = communes
                .iter()
                .find(|(c, _)| *c == insee)
                .map(|(_, n)| n.clone())
                .unwrap_or_else(|| insee.clone());
            view! { <NotesPanel org=org.clone() scope=Scope::Commune(insee, name) /> }
        }}
    }
}

/// Notes are checked before they are sent: some text, at most [`NOTE_MAX`]
/// characters. `Err` holds the message's French and English.
fn check(text: &str) -> Result<String, (&'static str, &'static str)> {
    let text = text.trim();
    if text.is_empty() {
        Err(("Écrivez le texte de la note.", "Write the note's text."))
    } else if text.chars().count() > NOTE_MAX {
        Err((
            "Une note compte 10 000 caractères au plus.",
            "A note has at most 10,000 characters.",
        ))
    } else {
        Ok(text.to_owned())
    }
}

/// One scope's notes: listed newest first as the API gives them, written,
/// edited, each one's history.
#[component]
pub fn NotesPanel(org: String, scope: Scope) -> impl IntoView {
    let i = use_i18n();
    let (base, key) = match &scope {
        Scope::Commune(insee, _) => (
            format!(
                "/api/organisations/{}/notes/{}",
                api::encode(&org),
                api::encode(insee)
            ),
            insee.clone(),
        ),
        Scope::Programme => (
            format!("/api/organisations/{}/programme-notes", api::encode(&org)),
            "programme".to_owned(),
        ),
    };
    let (title, private) = match &scope {
        Scope::Commune(_, name) => (
            Signal::derive({
                let name = name.clone();
                move || format!("{} {name}", i.t("Notes de", "Notes of"))
            }),
            Signal::derive({
                let name = name.clone();
                move || {
                    format!(
                        "{} {name}{}",
                        i.t(
                            "Notes privées : seules les administratrices, les administrateurs et les agents de",
                            "Private notes: only the administrators and agents of"
                        ),
                        i.t(
                            " les lisent. Ni l'organisation, ni les autres communes, ni le public ne les voient.",
                            " read them. Neither the organisation, nor the other communes, nor the public see them."
                        )
                    )
                }
            }),
        ),
        Scope::Programme => (
            Signal::derive(move || i.t("Notes du programme", "Programme notes").to_owned()),
            Signal::derive(move || {
                i.t(
                    "Notes privées de l'équipe du programme : ni l'organisation, ni les communes, ni le public ne les voient.",
                    "The programme team's private notes: neither the organisation, nor the communes, nor the public see them.",
                )
                .to_owned()
            }),
        ),
    };
    let tick = RwSignal::new(0u32);
    let list = {
        let base = base.clone();
        api::load(move || {
            tick.track();
            Some(base.clone())
        })
    };
    let text = RwSignal::new(String::new());
    let errors: FieldErrors = RwSignal::new(Default::default());
    let failure = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(None::<(&'static str, &'static str)>);
    let busy = RwSignal::new(false);
    let add = {
        let base = base.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            done.set(None);
            failure.set(None);
            errors.set(Default::default());
            let body = match check(&text.get_untracked()) {
                Ok(t) => t,
                Err((fr, en)) => {
                    field_error(errors, "text", i.t(fr, en));
                    crate::ui::focus_first_invalid();
                    return;
                }
            };
            let base = base.clone();
            busy.set(true);
            spawn_local(async move {
                let result = api::post::<Note>(&base, &NoteInput { text: body }).await;
                busy.set(false);
                match result {
                    Ok(_) => {
                        text.set(String::new());
                        done.set(Some(("Note ajoutée.", "Note added.")));
                        tick.update(|t| *t = t.wrapping_add(1));
                    }
                    Err(e) => show_failure(i, errors, failure, e, &[]),
                }
            });
        }
    };
    let heading = format!("titre-notes-{key}");
    let labelled = heading.clone();
    let field = format!("note-{key}-texte");
    let add_id = format!("note-{key}-ajouter");
    let section = format!("notes-{key}");
    let stored = StoredValue::new(base);
    view! {
        <section aria-labelledby=labelled id=section class="notes-panel" data-scope=key.clone()>
            <h2 id=heading>{title}</h2>
            <p class="notice notes-private">{private}</p>
            {move || match api::read::<Vec<Note>>(&list) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(notes)) if notes.is_empty() => view! {
                    <p class="muted notes-empty">{t!(i, "Aucune note pour l'instant.", "No note yet.")}</p>
                }.into_any(),
                Some(Ok(notes)) => view! {
                    <ul class="note-list">
                        {notes.into_iter().map(|n| view! { <NoteItem note=n base=stored.get_value() tick done /> }).collect_view()}
                    </ul>
                }.into_any(),
            }}
            {move || done.get().map(|(fr, en)| view! { <p class="notice notice-ok" role="status">{move || i.t(fr, en)}</p> })}
            <form on:submit=add novalidate class="form-grid note-form">
                <TextField id=field label=t!(i, "Nouvelle note", "New note") value=text
                    error=error_of(errors, "text") multiline=true />
                <p><button type="submit" class="button" id=add_id disabled=move || busy.get()>{t!(i, "Ajouter la note", "Add the note")}</button></p>
                {move || failure.get().map(|e| view! { <ErrorNotice error=e /> })}
            </form>
        </section>
    }
}

/// Who wrote a note and when; who changed it last, if anyone did.
fn written(i: I18n, n: &Note) -> AnyView {
    let edited = n.versions > 1;
    let versions = n.versions;
    let (author, created) = (n.author.clone(), n.created_at.clone());
    let (editor, updated) = (n.edited_by.clone(), n.updated_at.clone());
    view! {
        <p class="muted small note-meta">
            {t!(i, "Écrite par", "Written by")}" "{author}", "{when(created)}
            {edited.then(|| view! {
                " — "{t!(i, "modifiée par", "changed by")}" "{editor}", "{when(updated)}
                " ("{move || crate::fmt::count(u64::from(versions), i.lang(), ("version", "versions"), ("version", "versions"))}")"
            })}
        </p>
    }
    .into_any()
}

/// One note: its text, who wrote it, its edit form, its history.
#[component]
fn NoteItem(
    note: Note,
    base: String,
    tick: RwSignal<u32>,
    done: RwSignal<Option<(&'static str, &'static str)>>,
) -> impl IntoView {
    let i = use_i18n();
    let path = format!("{base}/{}", api::encode(&note.id));
    let editing = RwSignal::new(false);
    let text = RwSignal::new(note.text.clone());
    let errors: FieldErrors = RwSignal::new(Default::default());
    let failure = RwSignal::new(None::<ApiError>);
    let history_open = RwSignal::new(false);
    let history = {
        let path = format!("{path}/history");
        api::load(move || history_open.get().then(|| path.clone()))
    };
    let save = {
        let path = path.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            failure.set(None);
            errors.set(Default::default());
            let body = match check(&text.get_untracked()) {
                Ok(t) => t,
                Err((fr, en)) => {
                    field_error(errors, "text", i.t(fr, en));
                    crate::ui::focus_first_invalid();
                    return;
                }
            };
            let path = path.clone();
            spawn_local(async move {
                match api::patch::<Note>(&path, &NoteInput { text: body }).await {
                    Ok(_) => {
                        done.set(Some(("Note modifiée.", "Note changed.")));
                        tick.update(|t| *t = t.wrapping_add(1));
                    }
                    Err(e) => show_failure(i, errors, failure, e, &[]),
                }
            });
        }
    };
    let field = format!("note-{}-edition", note.id);
    let meta = written(i, &note);
    let body = note.text.clone();
    view! {
        <li class="card note" data-id=note.id.clone()>
            <p class="xp-text note-text">{body}</p>
            {meta}
            <Show when=move || !editing.get()>
                <p><button type="button" class="button button-small button-secondary note-modifier"
                    on:click=move |_| editing.set(true)>{t!(i, "Modifier", "Edit")}</button></p>
            </Show>
            <Show when=move || editing.get()>
                <form on:submit=save.clone() novalidate class="note-form">
                    <TextField id=field.clone() label=t!(i, "Texte de la note", "The note's text") value=text
                        error=error_of(errors, "text") multiline=true />
                    <p class="actions">
                        <button type="submit" class="button button-small note-enregistrer">{t!(i, "Enregistrer la modification", "Save the change")}</button>
                        <button type="button" class="button button-small button-secondary" on:click=move |_| editing.set(false)>{t!(i, "Annuler", "Cancel")}</button>
                    </p>
                    {move || failure.get().map(|e| view! { <ErrorNotice error=e /> })}
                </form>
            </Show>
            {(note.versions > 1).then(|| view! {
                <details class="answers-details note-history" on:toggle=move |_| history_open.set(true)>
                    <summary>{t!(i, "Historique des versions", "Version history")}</summary>
                    {move || history_open.get().then(|| match api::read::<Vec<NoteVersion>>(&history) {
                        None => view! { <Loading /> }.into_any(),
                        Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                        Some(Ok(versions)) => view! {
                            <ol class="timeline">
                                {versions.into_iter().map(|v| view! {
                                    <li data-version=v.version>
                                        <p class="muted small">{t!(i, "Version", "Version")}" "{v.version}" — "{v.author}", "{when(v.written_at)}</p>
                                        <p class="xp-text">{v.text}</p>
                                    </li>
                                }).collect_view()}
                            </ol>
                        }.into_any(),
                    })}
                </details>
            })}
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_checked_before_they_leave() {
        assert_eq!(
            check("  Rencontrée le 3 mars  "),
            Ok("Rencontrée le 3 mars".into())
        );
        assert!(check("   ").is_err());
        assert!(check(&"é".repeat(NOTE_MAX + 1)).is_err());
        assert!(check(&"é".repeat(NOTE_MAX)).is_ok());
    }
}

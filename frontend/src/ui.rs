//! Small shared pieces of interface: the bar chart, status badges, loading and
//! error notices, labelled form fields.

use leptos::prelude::*;
use leptos::tachys::view::any_view::AnyView;
use leptos_router::components::A;
use qmi_api::identity::{CommuneStatus, Lang};

use crate::api::ApiError;
use crate::fmt;
use crate::i18n::{I18n, use_i18n};
use crate::t;

/// A horizontal bar chart drawn in SVG, with its figures as an accessible
/// table for screen readers (the SVG itself is labelled as one image).
///
/// The SVG has no `viewBox`: it is drawn in CSS pixels at the width of its
/// container, so its text keeps the page's size on a phone as on a desktop.
/// Each bar takes two lines (its label and figure, then the bar, whose length
/// is a percentage of the widest), so long labels never squeeze the bars.
#[component]
pub fn BarChart(
    /// Id of the element that names the chart (its heading).
    labelled_by: &'static str,
    /// The bars: label and value, in display order.
    bars: Vec<(String, u64)>,
) -> impl IntoView {
    let i = use_i18n();
    let max = bars.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    /// Height of one bar's two lines, in CSS pixels.
    const ROW_H: usize = 44;
    let height = ROW_H * bars.len();
    let rows = bars
        .iter()
        .enumerate()
        .map(|(n, (label, value))| {
            let top = n * ROW_H;
            // In tenths of a per cent (integers only: no float formatting code in
            // the first download); a zero still shows as a sliver.
            let tenths = (value * 1000 / max).max(5);
            let width = format!("{}.{}%", tenths / 10, tenths % 10);
            let label = label.clone();
            let value = *value;
            view! {
                <g>
                    <text x="0" y=top + 16 class="chart-label">{label}</text>
                    <text x="100%" y=top + 16 text-anchor="end" class="chart-value">{move || fmt::integer(value, i.lang())}</text>
                    <rect x="0" y=top + 23 width=width height="12" rx="3" class="chart-bar"></rect>
                </g>
            }
        })
        .collect_view();
    let table_rows = bars
        .into_iter()
        .map(|(label, value)| view! { <tr><th scope="row">{label}</th><td>{move || fmt::integer(value, i.lang())}</td></tr> })
        .collect_view();
    view! {
        <figure class="chart">
            <svg width="100%" height=height role="img" aria-labelledby=labelled_by>
                {rows}
            </svg>
            <table class="visually-hidden" aria-labelledby=labelled_by>
                <tbody>{table_rows}</tbody>
            </table>
        </figure>
    }
}

/// The label of a commune status.
pub fn status_label(i: I18n, s: CommuneStatus) -> &'static str {
    match s {
        CommuneStatus::Member => i.t("Membre", "Member"),
        CommuneStatus::Candidate => i.t("Candidate", "Candidate"),
        CommuneStatus::District => i.t("Quartier d'innovation", "Innovation district"),
        CommuneStatus::Suspended => i.t("Suspendue", "Suspended"),
    }
}

/// A coloured badge for a commune status.
#[component]
pub fn StatusBadge(status: CommuneStatus) -> impl IntoView {
    let i = use_i18n();
    view! { <span class=format!("badge badge-{}", status.as_str())>{move || status_label(i, status)}</span> }
}

/// "Chargement…" while something loads.
#[component]
pub fn Loading() -> impl IntoView {
    let i = use_i18n();
    view! { <p class="notice" role="status">{crate::t!(i, "Chargement…", "Loading…")}</p> }
}

/// What the people of a suspended commune meet instead of its pages: plainly,
/// in the interface language (issue 13).
pub fn suspended_notice(i: crate::i18n::I18n) -> impl IntoView {
    view! {
        <div class="notice notice-error commune-suspendue" role="alert">
            <p><strong>{t!(i, "Cette commune est suspendue.", "This commune is suspended.")}</strong></p>
            <p>{t!(i,
                "Tant que la suspension dure, ses membres n'ont plus accès à ses pages ni à ses contenus, qui sont gelés. Rien n'est perdu : tout revient quand la commune est réactivée. Pour en savoir plus, contactez l'équipe du programme.",
                "While the suspension lasts, its members can no longer open its pages or content, which are frozen. Nothing is lost: everything comes back when the commune is resumed. To learn more, contact the programme team.")}</p>
            <p><A href="/espace">{t!(i, "Retour à mon espace", "Back to my space")}</A></p>
        </div>
    }
}

/// An API error for people, with a hint for the usual statuses.
#[component]
pub fn ErrorNotice(error: ApiError) -> impl IntoView {
    let i = use_i18n();
    if error.is("tenant-suspended") {
        return suspended_notice(i).into_any();
    }
    let status = error.status;
    let message = error.message();
    let detail = move || {
        sentence(match i.lang() {
            Lang::Fr => crate::messages::to_french(&message),
            Lang::En => message.clone(),
        })
    };
    view! {
        <div class="notice notice-error" role="alert">
            <p>
                {move || match status {
                    0 => i.t("Le serveur est injoignable.", "The server cannot be reached."),
                    401 => i.t("Veuillez vous connecter.", "Please sign in."),
                    403 => i.t("Accès refusé : cette page ne vous est pas ouverte.", "Access denied: this page is not open to you."),
                    404 => i.t("Introuvable.", "Not found."),
                    429 => i.t("Trop de tentatives : réessayez dans un moment.", "Too many attempts: try again in a moment."),
                    _ => i.t("La demande a échoué.", "The request failed."),
                }}
            </p>
            <p class="muted small">{detail}</p>
            {(status == 401).then(|| view! {
                <p><A href=crate::pages::signin::sign_in_here()>{t!(i, "Se connecter", "Sign in")}</A></p>
            })}
        </div>
    }
    .into_any()
}

/// A labelled text input bound to `value`, with its error message (from the
/// client-side parse or the API's problem) announced and linked.
#[component]
pub fn TextField(
    /// Element id (also used to build the error's id).
    #[prop(into)]
    id: String,
    /// The visible label.
    #[prop(into)]
    label: Signal<&'static str>,
    /// The value.
    value: RwSignal<String>,
    /// The error, if any.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// `type` attribute.
    #[prop(default = "text")]
    kind: &'static str,
    /// `autocomplete` attribute.
    #[prop(default = "off")]
    autocomplete: &'static str,
    /// Whether the field is required.
    #[prop(default = false)]
    required: bool,
    /// A hint under the label.
    #[prop(optional, into)]
    hint: Option<Signal<&'static str>>,
    /// A `<textarea>` rather than an `<input>`.
    #[prop(default = false)]
    multiline: bool,
) -> impl IntoView {
    let error_id = format!("{id}-erreur");
    let hint_id = format!("{id}-aide");
    let has_hint = hint.is_some();
    let described = {
        let error_id = error_id.clone();
        let hint_id = hint_id.clone();
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:field-invalid=move || error.get().is_some()>
            <label for=id.clone()>{label}{required.then_some(" *")}</label>
            {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
            {if multiline {
                view! { <textarea id=id.clone() name=id.clone() required=required bind:value=value
                    aria-invalid=move || error.get().is_some().then_some("true") aria-describedby=described.clone()></textarea> }.into_any()
            } else {
                // A number is typed as text: the browser's number field reads a
                // half-typed "2." or "-" as nothing, and writing that back loses keys.
                let (kind, mode) = if kind == "number" { ("text", Some("numeric")) } else { (kind, None) };
                view! { <input id=id.clone() name=id.clone() type=kind inputmode=mode autocomplete=autocomplete required=required bind:value=value
                    aria-invalid=move || error.get().is_some().then_some("true") aria-describedby=described /> }.into_any()
            }}
            {move || error.get().map(|e| view! { <p class="field-error" id=error_id.clone()>{e}</p> })}
        </div>
    }
}

/// The API's per-field messages of a form, keyed by the top field of each
/// problem (`criteria[1].weight` is shown beside `criteria`, its path kept in
/// the message).
pub type FieldErrors = RwSignal<std::collections::BTreeMap<String, String>>;

/// A perimeter (GeoJSON polygon) drawn as an outlined figure whose longer side
/// is `size`, labelled for screen readers, with an optional caption; `None`
/// when it has no extent.
pub fn perimeter_map(
    perimeter: &qmi_api::geo::Perimeter,
    size: f64,
    label: String,
    caption: Option<Signal<&'static str>>,
) -> Option<AnyView> {
    let o = crate::geo::outline(perimeter, size)?;
    Some(
        view! {
            <figure class="district-map">
                <svg viewBox=format!("-4 -4 {:.0} {:.0}", o.width + 8.0, o.height + 8.0) role="img" aria-label=label>
                    <path class="district-outline" d=o.path />
                </svg>
                {caption.map(|c| view! { <figcaption class="muted small">{c}</figcaption> })}
            </figure>
        }
        .into_any(),
    )
}

/// Asks the browser's confirmation for an action that cannot be undone.
pub fn confirm(question: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(question).ok())
        .unwrap_or(false)
}

/// A server's detail as a sentence: capital first letter, final full stop.
pub fn sentence(detail: String) -> String {
    let mut chars = detail.trim().chars();
    let Some(first) = chars.next() else {
        return detail;
    };
    // The letters a server's detail can start with, without the whole Unicode
    // case table in the first download.
    let capital = match first {
        'a'..='z' => first.to_ascii_uppercase(),
        'à' => 'À',
        'â' => 'Â',
        'é' => 'É',
        'è' => 'È',
        'ê' => 'Ê',
        'î' => 'Î',
        'ô' => 'Ô',
        'ç' => 'Ç',
        other => other,
    };
    let mut out: String = std::iter::once(capital).chain(chars).collect();
    if !out.ends_with(['.', '!', '?', '…']) {
        out.push('.');
    }
    out
}

/// Moves the focus to the first field marked invalid (after the view updates).
pub fn focus_first_invalid() {
    focus("[aria-invalid=true]");
}

/// Moves the focus to the first element matching `css` (after the view updates).
pub fn focus(css: &'static str) {
    leptos::prelude::request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector(css).ok().flatten())
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    });
}

/// Fills `errors` from a problem's `errors` (cleared first).
pub fn set_errors(errors: FieldErrors, e: &ApiError) {
    errors.set(error_map(e));
    if !e.errors.is_empty() {
        focus_first_invalid();
    }
}

/// A problem's field messages by top field (see [`FieldErrors`]).
pub fn error_map(e: &ApiError) -> std::collections::BTreeMap<String, String> {
    let mut map = std::collections::BTreeMap::<String, String>::new();
    for f in &e.errors {
        let key = f
            .field
            .split(['[', '.', '/'])
            .next()
            .unwrap_or_default()
            .to_owned();
        let text = crate::messages::localise(&f.message);
        let message = if key == f.field {
            text
        } else {
            format!("{} : {text}", f.field)
        };
        map.entry(key)
            .and_modify(|m| {
                m.push_str(" ; ");
                m.push_str(&message);
            })
            .or_insert(message);
    }
    map
}

/// The message for `field` in `errors` (tracked), for [`TextField`]'s `error`.
pub fn error_of(errors: FieldErrors, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || errors.with(|e| e.get(field).cloned()))
}

/// An instant from the API (RFC 3339) for people, following the language.
/// One function for every page: one closure type, compiled once.
pub fn when(iso: String) -> AnyView {
    let i = use_i18n();
    (move || fmt::datetime(&iso, i.lang())).into_any()
}

/// The route parameter `name` of the page being shown (`id`, `insee`…), read
/// once: the page is built again when the route changes.
pub fn route_param(name: &str) -> String {
    leptos_router::hooks::use_params_map()
        .read_untracked()
        .get(name)
        .unwrap_or_default()
}

/// "Charger plus" under a list read a page at a time, while a page follows
/// (disabled while one is on its way).
pub fn load_more(
    id: &'static str,
    done: RwSignal<bool>,
    loading: RwSignal<bool>,
    more: impl Fn() + Copy + Send + Sync + 'static,
) -> AnyView {
    let i = use_i18n();
    view! {
        <Show when=move || !done.get()>
            <p class="center"><button type="button" class="button button-secondary" id=id disabled=move || loading.get()
                on:click=move |_| more()>{t!(i, "Charger plus", "Load more")}</button></p>
        </Show>
    }
    .into_any()
}

/// Plain text as a cell or a fact.
pub fn text(s: impl Into<String>) -> AnyView {
    s.into().into_any()
}

/// A table of records: a caption for screen readers, the column heads, and
/// rows (their `data-title`, their cells; the first cell heads the row). Every
/// table goes through here, so the table code is compiled once.
pub fn table(
    id: &'static str,
    caption: Signal<&'static str>,
    heads: Vec<Signal<&'static str>>,
    rows: Vec<(String, Vec<AnyView>)>,
) -> AnyView {
    // On a phone the rows become cards; each cell then shows its column's head.
    let head_row = heads.clone();
    let label = move |n: usize| heads.get(n).copied();
    view! {
        <div class="table-wrap">
            <table class="table table-stack" id=id>
                <caption class="visually-hidden">{caption}</caption>
                <thead><tr>{head_row.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {rows.into_iter().map(|(title, cells)| view! {
                        <tr data-title=title>
                            {cells.into_iter().enumerate().map(|(n, c)| if n == 0 {
                                view! { <th scope="row">{c}</th> }.into_any()
                            } else {
                                view! { <td data-label=label(n)>{c}</td> }.into_any()
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// A description list of facts: label, class of the value (for styling and
/// tests), value.
pub fn facts(items: Vec<(Signal<&'static str>, &'static str, AnyView)>) -> AnyView {
    view! {
        <dl class="facts">
            {items.into_iter().map(|(label, class, value)| view! { <div><dt>{label}</dt><dd class=class>{value}</dd></div> }).collect_view()}
        </dl>
    }
    .into_any()
}

/// The message of `errors` for `key` as a field error with id `id`, for
/// controls that are not a [`TextField`] (fieldsets, selects).
pub fn error_line(errors: FieldErrors, key: &'static str, id: &'static str) -> AnyView {
    (move || {
        errors
            .with(|e| e.get(key).cloned())
            .map(|m| view! { <p class="field-error" id=id>{m}</p> })
    })
    .into_any()
}

/// `aria-describedby` pointing at [`error_line`]'s message while there is one.
pub fn described_by(
    errors: FieldErrors,
    key: &'static str,
    id: &'static str,
) -> Signal<Option<&'static str>> {
    Signal::derive(move || errors.with(|e| e.contains_key(key)).then_some(id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::FieldError;

    #[test]
    fn details_read_as_sentences() {
        assert_eq!(
            sentence("la commune 99999 n'est pas dans le registre".into()),
            "La commune 99999 n'est pas dans le registre."
        );
        assert_eq!(
            sentence("Already a sentence.".into()),
            "Already a sentence."
        );
        assert_eq!(sentence("élan ?".into()), "Élan ?");
        assert_eq!(sentence(String::new()), "");
    }

    #[test]
    fn field_errors_go_to_their_top_field() {
        let f = |field: &str, message: &str| FieldError {
            field: field.into(),
            message: message.into(),
        };
        let e = ApiError {
            status: 422,
            title: "invalid".into(),
            detail: None,
            errors: vec![
                f("title", "must not be empty"),
                f("criteria[0].weight", "too light"),
                f("criteria[2].id", "twice"),
            ],
            code: None,
            kind: None,
        };
        let map = error_map(&e);
        assert_eq!(map["title"], "must not be empty");
        assert_eq!(
            map["criteria"],
            "criteria[0].weight : too light ; criteria[2].id : twice"
        );
        assert_eq!(map.len(), 2);
    }
}

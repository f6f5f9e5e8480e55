//! The reviewer's assignments and the answers as reviewers read them.

use super::*;

/// `/espace/evaluations`: the reviewer's assignments.
#[component]
pub fn Reviews() -> impl IntoView {
    let i = use_i18n();
    view! {
        <SignedIn page=move |_me: Me| {
            let list = api::load(|| Some("/api/reviews".into()));
            view! {
                <section aria-labelledby="titre-evaluations">
                    <p><A href="/espace">{t!(i, "← Mon espace", "← My space")}</A></p>
                    <h1 id="titre-evaluations">{t!(i, "Mes évaluations", "My reviews")}</h1>
                    {move || match api::read::<Vec<Assignment>>(&list) {
                        None => view! { <Loading /> }.into_any(),
                        Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                        Some(Ok(items)) => view! {
                            <ul class="card-list" id="liste-evaluations">
                                {items.into_iter().map(|a| view! {
                                    <li class="card">
                                        <h2 class="card-title"><A href=format!("/espace/evaluations/{}", a.application)>{a.title.clone()}</A></h2>
                                        <p class="small">{move || if a.conflict { i.t("Conflit déclaré (récusé)", "Conflict declared (recused)") }
                                            else if a.done { i.t("Évaluation complète", "Review complete") }
                                            else if !a.open { i.t("Plus à évaluer : candidature retirée ou décidée", "No longer to review: application withdrawn or decided") }
                                            else { i.t("À évaluer", "To review") }}</p>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }}
                </section>
            }
        } />
    }
}

/// An answer as text: choices joined, numbers in the reader's format, dates long,
/// `—` when there is none.
pub fn answer_text(q: &Question, v: Option<&Value>, lang: Lang) -> String {
    match (q.kind, v) {
        (_, None | Some(Value::Null)) => "—".to_owned(),
        (QuestionKind::Date, Some(Value::String(s))) => fmt::date(s, lang),
        (QuestionKind::File, Some(Value::String(_))) => match lang {
            Lang::Fr => "Pièce jointe déposée".to_owned(),
            Lang::En => "File attached".to_owned(),
        },
        (_, Some(Value::String(s))) if s.trim().is_empty() => "—".to_owned(),
        (_, Some(Value::String(s))) => s.clone(),
        (_, Some(Value::Number(n))) => n.as_f64().map_or_else(
            || n.to_string(),
            |x| fmt::decimal(x, if x.fract() == 0.0 { 0 } else { 2 }, lang),
        ),
        (_, Some(Value::Array(items))) if items.is_empty() => "—".to_owned(),
        (_, Some(Value::Array(items))) => items
            .iter()
            .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned))
            .collect::<Vec<_>>()
            .join(", "),
        (_, Some(other)) => other.to_string(),
    }
}

/// An application's answers under the call's questions: what reviewers score and
/// decision makers decide on.
#[component]
pub fn AnswersView(
    questions: Vec<Question>,
    answers: BTreeMap<String, Value>,
    /// The application, to download its files.
    #[prop(optional, into)]
    application: Option<String>,
) -> impl IntoView {
    let i = use_i18n();
    let rows = questions
        .into_iter()
        .map(|q| {
            let value = answers.get(&q.id).cloned();
            let id = q.id.clone();
            let file = match (q.kind, &value, &application) {
                (QuestionKind::File, Some(Value::String(attachment)), Some(application)) => Some(view! {
                    <DownloadAttachment application=application.clone() attachment=attachment.clone() name=format!("piece-jointe-{id}") />
                }),
                _ => None,
            };
            view! {
                <div data-question=id.clone()>
                    <dt>{q.label.clone()}</dt>
                    <dd class="answer">{move || answer_text(&q, value.as_ref(), i.lang())}" "{file}</dd>
                </div>
            }
        })
        .collect_view();
    view! { <dl class="facts answers">{rows}</dl> }
}

/// A button that downloads one of an application's files (with the token: a
/// plain link would carry none).
#[component]
pub(super) fn DownloadAttachment(
    application: String,
    attachment: String,
    name: String,
) -> impl IntoView {
    let i = use_i18n();
    let failed = RwSignal::new(None::<ApiError>);
    let path = format!(
        "/api/applications/{}/attachments/{}",
        api::encode(&application),
        api::encode(&attachment)
    );
    view! {
        <button type="button" class="button button-small button-secondary download-attachment"
            on:click=move |_| {
                let (path, name) = (path.clone(), name.clone());
                spawn_local(async move { failed.set(api::download(&path, &name).await.err()) });
            }>
            {t!(i, "Télécharger le fichier", "Download the file")}
        </button>
        {move || failed.get().map(|e| view! { <ErrorNotice error=e /> })}
    }
}

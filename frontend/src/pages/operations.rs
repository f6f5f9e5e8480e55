//! "Exploitation" (`/espace/exploitation`, issue 18): the hosting operator's
//! figures, counts only — never a commune's content. Per commune: requests,
//! accounts, records and their bytes (`GET /api/admin/usage`), sorted, with
//! bars; the runtime's figures per component and per database
//! (`GET /api/admin/runtime`), or plainly that the runtime gives none. The
//! charts are inline SVG drawn here (no chart library), each with its figures
//! as a table for screen readers.

use leptos::prelude::*;
use leptos_router::components::A;
use qmi_api::PlatformRole;
use qmi_api::accountability::{RuntimeFigures, TenantUsage, Usage};
use qmi_api::identity::{Lang, Me};

use crate::api;
use crate::fmt;
use crate::i18n::{I18n, use_i18n};
use crate::pages::space::SignedInFor;
use crate::t;
use crate::ui::{ErrorNotice, Loading};

/// Communes shown in a usage chart.
const CHART_TOP: usize = 10;
/// Rows of the usage table shown at first, and added by "Afficher plus".
const ROWS_STEP: usize = 50;

/// `/espace/exploitation`: hosting operators and the programme team (both
/// read usage counts).
#[component]
pub fn Operations() -> impl IntoView {
    let allowed = |me: &Me| {
        me.platform_roles
            .iter()
            .any(|r| matches!(r, PlatformRole::Hosting | PlatformRole::Programme))
    };
    view! { <SignedInFor allowed page=|_: Me| view! { <OperationsPage /> } /> }
}

#[component]
fn OperationsPage() -> impl IntoView {
    let i = use_i18n();
    let usage = api::load(|| Some("/api/admin/usage".to_owned()));
    let runtime = api::load(|| Some("/api/admin/runtime".to_owned()));
    view! {
        <section aria-labelledby="titre-exploitation">
            <p><A href="/espace">{t!(i, "← Mon espace", "← My space")}</A></p>
            <h1 id="titre-exploitation">{t!(i, "Exploitation", "Operations")}</h1>
            <p class="muted">{t!(i,
                "Des chiffres seulement : l'usage de chaque commune et la marche du runtime. Aucun contenu des communes n'apparaît ici.",
                "Figures only: each commune's usage and how the runtime is doing. No commune content appears here.")}</p>
            <p><A href="/espace/locataires">{t!(i, "Locataires (ajouter, suspendre, réactiver)", "Tenants (add, suspend, resume)")}</A></p>
        </section>
        <section aria-labelledby="titre-usage" id="usage">
            <h2 id="titre-usage">{t!(i, "Usage par commune", "Usage per commune")}</h2>
            {move || match api::read::<Usage>(&usage) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(u)) => view! { <UsageView usage=u /> }.into_any(),
            }}
        </section>
        <section aria-labelledby="titre-runtime" id="runtime">
            <h2 id="titre-runtime">{t!(i, "Runtime", "Runtime")}</h2>
            {move || {
                // Drawn again when the language changes (its bars' figures are text).
                let _ = i.lang();
                match api::read::<RuntimeFigures>(&runtime) {
                    None => view! { <Loading /> }.into_any(),
                    Some(Err(e)) => view! {
                        <p class="notice notice-error" id="runtime-indisponible">{t!(i,
                            "Les chiffres du runtime sont indisponibles : la demande a échoué.",
                            "The runtime's figures are unavailable: the request failed.")}</p>
                        <ErrorNotice error=e />
                    }.into_any(),
                    Some(Ok(r)) if !r.available => view! {
                        <p class="notice" id="runtime-indisponible">{t!(i,
                            "Les chiffres du runtime sont indisponibles : le runtime n'expose pas ses métriques (adresse de métriques non configurée, ou injoignable). L'usage par commune ci-dessus reste exact.",
                            "The runtime's figures are unavailable: the runtime exposes no metrics (no metrics address configured, or it cannot be reached). The usage per commune above stays accurate.")}</p>
                    }.into_any(),
                    Some(Ok(r)) => view! { <RuntimeView figures=r /> }.into_any(),
                }
            }}
        </section>
    }
}

/// What the usage table is sorted by (largest first; names alphabetically).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SortBy {
    Requests,
    Accounts,
    Records,
    Bytes,
    Name,
}

impl SortBy {
    const ALL: [SortBy; 5] = [
        SortBy::Requests,
        SortBy::Accounts,
        SortBy::Records,
        SortBy::Bytes,
        SortBy::Name,
    ];

    fn key(self) -> &'static str {
        match self {
            SortBy::Requests => "requests",
            SortBy::Accounts => "accounts",
            SortBy::Records => "records",
            SortBy::Bytes => "bytes",
            SortBy::Name => "name",
        }
    }

    fn parse(key: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|s| s.key() == key)
            .unwrap_or(SortBy::Requests)
    }

    fn label(self, i: I18n) -> &'static str {
        match self {
            SortBy::Requests => i.t("Requêtes", "Requests"),
            SortBy::Accounts => i.t("Comptes", "Accounts"),
            SortBy::Records => i.t("Enregistrements", "Records"),
            SortBy::Bytes => i.t("Volume", "Volume"),
            SortBy::Name => i.t("Commune", "Commune"),
        }
    }

    fn value(self, u: &TenantUsage) -> u64 {
        match self {
            SortBy::Requests | SortBy::Name => u.requests,
            SortBy::Accounts => u.accounts,
            SortBy::Records => u.records,
            SortBy::Bytes => u.bytes,
        }
    }
}

/// `communes` sorted by `by`: largest first, ties (and names) by name.
fn sorted(mut communes: Vec<TenantUsage>, by: SortBy) -> Vec<TenantUsage> {
    communes.sort_by(|a, b| {
        let by_name = a.name.cmp(&b.name).then_with(|| a.insee.cmp(&b.insee));
        if by == SortBy::Name {
            by_name
        } else {
            by.value(b).cmp(&by.value(a)).then(by_name)
        }
    });
    communes
}

/// A figure in the unit of `by` (bytes humanised).
fn figure(by: SortBy, n: u64, lang: Lang) -> String {
    if by == SortBy::Bytes {
        bytes(n, lang)
    } else {
        fmt::integer(n, lang)
    }
}

/// A size for people: `512 o`, `1,5 Kio`, `12,0 Mio` (fr) or `512 B`,
/// `1.5 KiB`, `12.0 MiB` (en).
pub fn bytes(n: u64, lang: Lang) -> String {
    const UNITS: [(&str, &str); 4] = [
        ("Kio", "KiB"),
        ("Mio", "MiB"),
        ("Gio", "GiB"),
        ("Tio", "TiB"),
    ];
    if n < 1024 {
        return format!(
            "{} {}",
            fmt::integer(n, lang),
            if lang == Lang::Fr { "o" } else { "B" }
        );
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    let (fr, en) = UNITS[unit];
    format!(
        "{} {}",
        fmt::decimal(value, 1, lang),
        if lang == Lang::Fr { fr } else { en }
    )
}

#[component]
fn UsageView(usage: Usage) -> impl IntoView {
    let i = use_i18n();
    let sort = RwSignal::new(SortBy::Requests.key().to_owned());
    let shown = RwSignal::new(ROWS_STEP);
    let communes = StoredValue::new(usage.communes);
    let total = usage.total;
    let rows = Memo::new(move |_| {
        let by = SortBy::parse(&sort.get());
        communes.with_value(|c| sorted(c.clone(), by))
    });
    let count = communes.with_value(Vec::len);
    let kpi = move |fr: &'static str,
                    en: &'static str,
                    class: &'static str,
                    text: Box<dyn Fn() -> String + Send + Sync>| {
        view! { <div class="kpi"><dt>{t!(i, fr, en)}</dt><dd class=class>{move || text()}</dd></div> }
    };
    let n = move |v: u64| -> Box<dyn Fn() -> String + Send + Sync> {
        Box::new(move || fmt::integer(v, i.lang()))
    };
    view! {
        <dl class="kpis" id="usage-totaux">
            {kpi("Communes", "Communes", "communes", n(count as u64))}
            {kpi("Requêtes", "Requests", "requests", n(total.requests))}
            {kpi("Comptes", "Accounts", "accounts", n(total.accounts))}
            {kpi("Enregistrements", "Records", "records", n(total.records))}
            {kpi("Volume", "Volume", "bytes", Box::new(move || bytes(total.bytes, i.lang())))}
        </dl>
        <p class="hint">{t!(i,
            "Les requêtes sont comptées depuis le dernier démarrage du runtime ; les comptes sont les membres de la commune ; les enregistrements et leur volume couvrent toutes ses données, tous services confondus.",
            "Requests are counted since the runtime last started; accounts are the commune's members; records and their volume cover all its data, across every service.")}</p>
        {if count == 0 {
            view! { <p class="notice" id="usage-vide">{t!(i, "Aucune commune n'a encore d'usage.", "No commune has any usage yet.")}</p> }.into_any()
        } else {
            view! {
                <div class="field sort-field">
                    <label for="usage-tri">{t!(i, "Trier par", "Sort by")}</label>
                    <select id="usage-tri" bind:value=sort>
                        {SortBy::ALL.into_iter().map(|s| view! { <option value=s.key()>{move || s.label(i)}</option> }).collect_view()}
                    </select>
                </div>
                {move || {
                    let by = SortBy::parse(&sort.get());
                    let chart_by = if by == SortBy::Name { SortBy::Requests } else { by };
                    let lang = i.lang();
                    let top = sorted(rows.get(), chart_by);
                    let bars_list = top
                        .iter()
                        .take(CHART_TOP)
                        .map(|u| (u.name.clone(), chart_by.value(u), figure(chart_by, chart_by.value(u), lang)))
                        .collect();
                    view! {
                        <h3 id="graphe-usage">{move || match i.lang() {
                            Lang::Fr => format!("{} : les communes en tête", chart_by.label(i)),
                            Lang::En => format!("{}: the leading communes", chart_by.label(i)),
                        }}</h3>
                        {bars("graphe-usage", bars_list)}
                    }
                }}
                <div class="table-wrap">
                    <table class="table table-stack" id="table-usage">
                        <caption class="visually-hidden">{t!(i, "Usage par commune", "Usage per commune")}</caption>
                        <thead><tr>
                            {[SortBy::Name, SortBy::Requests, SortBy::Accounts, SortBy::Records, SortBy::Bytes].into_iter().map(|s| view! {
                                <th scope="col" aria-sort=move || (SortBy::parse(&sort.get()) == s).then(|| if s == SortBy::Name { "ascending" } else { "descending" })>
                                    {move || s.label(i)}
                                </th>
                            }).collect_view()}
                        </tr></thead>
                        <tbody>
                            {move || {
                                let lang = i.lang();
                                rows.get().into_iter().take(shown.get()).map(|u| {
                                    let cell = |s: SortBy| view! { <td data-label=move || s.label(i)>{figure(s, s.value(&u), lang)}</td> };
                                    view! {
                                        <tr data-insee=u.insee.clone()>
                                            <th scope="row">{u.name.clone()}" "<span class="muted small">"("{u.insee.clone()}")"</span></th>
                                            {cell(SortBy::Requests)}
                                            {cell(SortBy::Accounts)}
                                            {cell(SortBy::Records)}
                                            {cell(SortBy::Bytes)}
                                        </tr>
                                    }
                                }).collect_view()
                            }}
                        </tbody>
                    </table>
                </div>
                <Show when=move || { shown.get() < count }>
                    <p class="center"><button type="button" class="button button-secondary" id="usage-plus"
                        on:click=move |_| shown.update(|n| *n += ROWS_STEP)>{t!(i, "Afficher plus de communes", "Show more communes")}</button></p>
                </Show>
            }.into_any()
        }}
    }
}

#[component]
fn RuntimeView(figures: RuntimeFigures) -> impl IntoView {
    let i = use_i18n();
    let lang_now = i.lang();
    let mut components = figures.components;
    components.sort_by(|a, b| {
        b.requests
            .cmp(&a.requests)
            .then_with(|| a.component.cmp(&b.component))
    });
    let mut databases = figures.databases;
    databases.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.label.cmp(&b.label)));
    let requests = components
        .iter()
        .map(|c| {
            let text = format!(
                "{} (4xx : {}, 5xx : {})",
                fmt::integer(c.requests, lang_now),
                fmt::integer(c.client_errors, lang_now),
                fmt::integer(c.server_errors, lang_now)
            );
            (c.component.clone(), c.requests, text)
        })
        .collect();
    let memory = components
        .iter()
        .map(|c| {
            (
                c.component.clone(),
                c.memory_bytes,
                bytes(c.memory_bytes, lang_now),
            )
        })
        .collect();
    let sizes = databases
        .iter()
        .map(|d| (d.label.clone(), d.bytes, bytes(d.bytes, lang_now)))
        .collect();
    let component_rows = components
        .into_iter()
        .map(|c| {
            let p50 = c.p50_seconds.map(|s| s * 1000.0);
            let cells = vec![
                crate::ui::text(c.component.clone()),
                num(i, c.requests),
                num(i, c.client_errors),
                num(i, c.server_errors),
                (move || {
                    p50.map_or_else(
                        || "—".to_owned(),
                        |ms| format!("{} ms", fmt::decimal(ms, 1, i.lang())),
                    )
                })
                .into_any(),
                num(i, c.instances),
                (move || bytes(c.memory_bytes, i.lang())).into_any(),
                num(i, c.traps),
            ];
            (c.component, cells)
        })
        .collect();
    let database_rows = databases
        .into_iter()
        .map(|d| {
            let cells = vec![
                crate::ui::text(d.label.clone()),
                (move || bytes(d.bytes, i.lang())).into_any(),
                num(i, d.statements),
            ];
            (d.label, cells)
        })
        .collect();
    view! {
        <p class="muted">{t!(i, "Depuis le dernier démarrage du runtime. Médiane : la moitié des requêtes ont été servies plus vite.", "Since the runtime last started. Median: half the requests were served faster.")}</p>
        <div class="charts">
            <div>
                <h3 id="graphe-requetes">{t!(i, "Requêtes par composant", "Requests per component")}</h3>
                {bars("graphe-requetes", requests)}
            </div>
            <div>
                <h3 id="graphe-memoire">{t!(i, "Mémoire par composant", "Memory per component")}</h3>
                {bars("graphe-memoire", memory)}
            </div>
        </div>
        <h3 id="titre-composants">{t!(i, "Composants", "Components")}</h3>
        {crate::ui::table(
            "table-composants",
            t!(i, "Chiffres par composant", "Figures per component"),
            vec![
                t!(i, "Composant", "Component"),
                t!(i, "Requêtes", "Requests"),
                t!(i, "Erreurs 4xx", "4xx errors"),
                t!(i, "Erreurs 5xx", "5xx errors"),
                t!(i, "Médiane (p50)", "Median (p50)"),
                t!(i, "Instances", "Instances"),
                t!(i, "Mémoire", "Memory"),
                t!(i, "Plantages (traps)", "Traps"),
            ],
            component_rows,
        )}
        <h3 id="graphe-bases">{t!(i, "Bases de données : taille", "Databases: size")}</h3>
        {bars("graphe-bases", sizes)}
        {crate::ui::table(
            "table-bases",
            t!(i, "Chiffres par base de données", "Figures per database"),
            vec![
                t!(i, "Base", "Database"),
                t!(i, "Taille", "Size"),
                t!(i, "Requêtes SQL", "SQL statements"),
            ],
            database_rows,
        )}
    }
}

/// A count as a table cell, following the language.
fn num(i: I18n, n: u64) -> AnyView {
    (move || fmt::integer(n, i.lang())).into_any()
}

/// Horizontal bars in SVG (label and figure on one line, the bar under it,
/// its length a share of the largest), labelled by the heading
/// `labelled_by`, with the figures as a table for screen readers.
fn bars(labelled_by: &'static str, bars: Vec<(String, u64, String)>) -> AnyView {
    const ROW_H: usize = 44;
    if bars.is_empty() {
        let i = use_i18n();
        return view! { <p class="muted">{t!(i, "Aucun chiffre pour l'instant.", "No figure yet.")}</p> }.into_any();
    }
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let height = ROW_H * bars.len();
    let rows = bars
        .iter()
        .enumerate()
        .map(|(n, (label, value, text))| {
            let top = n * ROW_H;
            // Tenths of a per cent; a zero still shows as a sliver.
            let tenths = (value.saturating_mul(1000) / max).max(5);
            let width = format!("{}.{}%", tenths / 10, tenths % 10);
            view! {
                <g>
                    <text x="0" y=top + 16 class="chart-label">{label.clone()}</text>
                    <text x="100%" y=top + 16 text-anchor="end" class="chart-value">{text.clone()}</text>
                    <rect x="0" y=top + 23 width=width height="12" rx="3" class="chart-bar"></rect>
                </g>
            }
        })
        .collect_view();
    let table_rows = bars
        .into_iter()
        .map(|(label, _, text)| view! { <tr><th scope="row">{label}</th><td>{text}</td></tr> })
        .collect_view();
    view! {
        <figure class="chart">
            <svg width="100%" height=height role="img" aria-labelledby=labelled_by>{rows}</svg>
            <table class="visually-hidden" aria-labelledby=labelled_by>
                <tbody>{table_rows}</tbody>
            </table>
        </figure>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(name: &str, requests: u64, bytes: u64) -> TenantUsage {
        TenantUsage {
            insee: name.to_owned(),
            name: name.to_owned(),
            requests,
            bytes,
            ..TenantUsage::default()
        }
    }

    #[test]
    fn sizes_read_in_binary_units() {
        assert_eq!(bytes(0, Lang::Fr), "0 o");
        assert_eq!(bytes(1023, Lang::En), "1,023 B");
        assert_eq!(bytes(1536, Lang::Fr), "1,5 Kio");
        assert_eq!(bytes(12 * 1024 * 1024, Lang::En), "12.0 MiB");
        assert_eq!(bytes(3 * 1024 * 1024 * 1024, Lang::Fr), "3,0 Gio");
    }

    #[test]
    fn usage_sorts_largest_first_then_by_name() {
        let list = vec![usage("b", 5, 1), usage("a", 5, 9), usage("c", 7, 0)];
        let names = |v: Vec<TenantUsage>| v.into_iter().map(|u| u.name).collect::<Vec<_>>();
        assert_eq!(
            names(sorted(list.clone(), SortBy::Requests)),
            ["c", "a", "b"]
        );
        assert_eq!(names(sorted(list.clone(), SortBy::Bytes)), ["a", "b", "c"]);
        assert_eq!(names(sorted(list, SortBy::Name)), ["a", "b", "c"]);
    }
}

//! The interface language: French by default, English on request, remembered
//! in `localStorage` and mirrored on `<html lang>`.

use leptos::prelude::*;
use qmi_api::identity::Lang;

/// `localStorage` key of the chosen language.
const STORAGE_KEY: &str = "qmi.lang";

/// The current language, shared through the Leptos context.
#[derive(Clone, Copy)]
pub struct I18n {
    lang: RwSignal<Lang>,
}

impl I18n {
    /// The current language (tracked).
    pub fn lang(&self) -> Lang {
        self.lang.get()
    }

    /// Switches language, remembers it and updates `<html lang>`.
    pub fn set(&self, lang: Lang) {
        self.lang.set(lang);
        if let Some(storage) = local_storage() {
            let _ = storage.set_item(STORAGE_KEY, lang.as_str());
        }
        apply_document_lang(lang);
    }

    /// Picks the French or English text (tracked).
    pub fn t(&self, fr: &'static str, en: &'static str) -> &'static str {
        match self.lang.get() {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }
}

/// Reads the remembered language, provides [`I18n`] to the app, and sets `<html lang>`.
pub fn provide() -> I18n {
    let lang = local_storage()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .map_or(Lang::Fr, |v| if v == "en" { Lang::En } else { Lang::Fr });
    apply_document_lang(lang);
    let i18n = I18n {
        lang: RwSignal::new(lang),
    };
    provide_context(i18n);
    i18n
}

/// The app's [`I18n`].
pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn apply_document_lang(lang: Lang) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", lang.as_str());
    }
}

/// A reactive text in both languages: `t!(i18n, "Bonjour", "Hello")`. A
/// `Signal` rather than a closure, so every text shares one rendering code path
/// (a closure type per text would each get their own, and the module would grow).
#[macro_export]
macro_rules! t {
    ($i:expr, $fr:expr, $en:expr) => {
        $crate::i18n::text($i, $fr, $en)
    };
}

/// What [`t!`] expands to: a function, so there is one derived-signal closure
/// type (and one copy of its code) for every text of the app.
pub fn text(i: I18n, fr: &'static str, en: &'static str) -> Signal<&'static str> {
    Signal::derive(move || i.t(fr, en))
}

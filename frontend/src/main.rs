//! QMI web app entry point: mounts the Leptos application on `<body>`.

mod api;
mod app;
mod fmt;
mod geo;
mod health;
mod i18n;
mod map;
mod messages;
mod paged;
mod pages;
mod registry;
mod session;
mod ui;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
    // The first view (with its <h1>) is in the document now: mark it, for the
    // time-to-first-render measure of the browser tests.
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark("qmi-first-render");
    }
}

//! QMI web app entry point: mounts the Leptos application on `<body>`.

mod app;
mod health;
mod pages;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}

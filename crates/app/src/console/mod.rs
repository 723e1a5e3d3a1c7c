//! The operator console at `/admin/`: server-rendered pages over the same domain services as
//! the API (see `docs/console.md`). Its own sessions, CSRF tokens and audit log.

// Handlers return the page to show on refusal as their `Err` (an `HttpResponse`).
#![allow(clippy::result_large_err)]

mod actions;
mod assets;
pub mod audit;
mod cells;
mod charts;
mod dashboard;
mod detail;
mod edit;
mod export;
mod lists;
mod login;
mod page;
mod second_factor;
mod session;
mod title;

use actix_web::web;

/// Mounts the console under `/admin`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/admin")
            .route("/", web::get().to(dashboard::page))
            .route("/dashboard.csv", web::get().to(dashboard::csv))
            .route("/charts/{name}.svg", web::get().to(dashboard::chart))
            .route("/login/", web::get().to(login::form))
            .route("/login/", web::post().to(login::submit))
            .route("/login/code/", web::post().to(second_factor::submit))
            .route("/logout/", web::post().to(login::logout))
            .route("/static/{file}", web::get().to(assets::file))
            .route("/audit/", web::get().to(audit::page))
            .route("/{entity}/", web::get().to(lists::page))
            .route("/{entity}/export.csv", web::get().to(export::csv))
            .route("/{entity}/action/", web::post().to(actions::run))
            .route("/{entity}/{id}/", web::get().to(detail::page))
            .route("/{entity}/{id}/edit/", web::get().to(edit::form))
            .route("/{entity}/{id}/edit/", web::post().to(edit::save))
            .default_service(web::to(page::not_found)),
    );
}

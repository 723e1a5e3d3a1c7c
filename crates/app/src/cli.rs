//! The `madeinpk` command line: serve (default), worker, migrate, seed, create-admin.

use clap::{Parser, Subcommand};
use madeinpk_domain::account::ports::{PasswordHasher as _, UserRepository as _};
use madeinpk_domain::account::rules::{check_email, check_password, normalize_email};
use madeinpk_domain::validation::FieldErrors;
use madeinpk_postgres::{db, migrate};
use rand::Rng;
use secrecy::{ExposeSecret, SecretString};

use crate::config::Config;
use crate::password::Argon2Hasher;
use crate::startup::{self, Application, StartError};

/// MadeInPK marketplace backend.
#[derive(Debug, Parser)]
#[command(name = "madeinpk", version, about)]
pub struct Cli {
    /// What to run; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate, seed, then serve HTTP (and run the job worker unless SERVE_RUNS_WORKERS=false).
    Serve,
    /// Run only the job worker.
    Worker,
    /// Create the database if needed and apply pending migrations.
    Migrate,
    /// Insert missing reference data (provinces, cities, categories).
    Seed {
        /// Also make sure this many demo listings exist (sellers `demo_seller_N`, password
        /// `demo-password`), for trying the catalogue and for load tests.
        #[arg(long, value_name = "N")]
        demo: Option<i64>,
    },
    /// Create an admin account, or promote the account with this email to admin.
    CreateAdmin {
        /// The admin's email (login name).
        #[arg(long)]
        email: String,
        /// Username for a new account (default: the email's local part).
        #[arg(long)]
        username: Option<String>,
        /// Password; else MADEINPK_ADMIN_PASSWORD; else a random one is generated and printed.
        #[arg(long, env = "MADEINPK_ADMIN_PASSWORD", hide_env_values = true)]
        password: Option<SecretString>,
    },
    /// Import a Django MadeInPK database (only read) into this one, ids kept; safe to run again
    /// (docs/cutover.md).
    ImportDjango {
        /// The old service's database, e.g. `postgres://postgres@127.0.0.1/old_db`.
        #[arg(long)]
        source: String,
        /// Report what would be imported and every row that would be refused; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// The old service's MEDIA_ROOT: its files that imported rows name are copied into
        /// MEDIA_DIR under the same paths (missing ones are reported).
        #[arg(long, value_name = "DIR")]
        media_from: Option<std::path::PathBuf>,
    },
}

/// A failed command, with the message the user sees.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Start-up failed.
    #[error(transparent)]
    Start(#[from] StartError),
    /// Bad configuration.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// Bad arguments.
    #[error("{0}")]
    Invalid(String),
    /// I/O failure.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = async { if let Some(t) = term.as_mut() { t.recv().await; } else { std::future::pending::<()>().await } } => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> Result<(), CliError> {
    let config = Config::from_env()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = Application::build(config.clone(), None).await?;
            tracing::info!(addr = %config.http.bind_addr, port = app.port(), "serving; docs at /api/docs/");
            app.run_until_stopped().await?;
        }
        Command::Worker => {
            crate::time::set_zone(config.time_zone);
            let db = madeinpk_postgres::Db::connect(
                config.database.url.expose_secret(),
                config.database.pool_size.min(config.jobs.concurrency + 2),
            )
            .await
            .map_err(StartError::from)?;
            let mailer = startup::mailer(&config, None)?;
            let gateway = crate::state::gateway(&config, &db)
                .await
                .map_err(StartError::Payments)?;
            let worker = startup::start_worker(
                &db,
                &config,
                mailer,
                madeinpk_domain::clock::ShiftedClock::default(),
                gateway,
            );
            shutdown_signal().await;
            tracing::info!("stopping worker");
            worker.stop().await;
        }
        Command::Migrate => {
            db::ensure_database(config.database.url.expose_secret())
                .await
                .map_err(StartError::from)?;
            let applied = migrate::run(config.database.url.expose_secret())
                .await
                .map_err(StartError::from)?;
            println!("{applied} migration(s) applied");
        }
        Command::Seed { demo } => {
            let db = startup::prepare_database(&Config {
                database: crate::config::DatabaseConfig {
                    auto_migrate: true,
                    ..config.database.clone()
                },
                ..config
            })
            .await?;
            let seeded = db
                .seed_reference_data()
                .await
                .map_err(|e| StartError::Seed(e.to_string()))?;
            println!(
                "reference data present ({} provinces, {} cities, {} categories added now)",
                seeded.provinces, seeded.cities, seeded.categories
            );
            if let Some(n) = demo {
                let hash = Argon2Hasher
                    .hash("demo-password".into())
                    .await
                    .map_err(|e| CliError::Invalid(e.to_string()))?;
                let added = db
                    .seed_demo(n, &hash)
                    .await
                    .map_err(|e| StartError::Seed(e.to_string()))?;
                println!("demo listings: {added} added, at least {n} present");
            }
        }
        Command::CreateAdmin {
            email,
            username,
            password,
        } => create_admin(config, &email, username, password).await?,
        Command::ImportDjango {
            source,
            dry_run,
            media_from,
        } => {
            let db = startup::prepare_database(&config).await?;
            let progress: madeinpk_postgres::cutover::Progress =
                Box::new(|entity, done, total| eprintln!("{entity}: {done}/{total}"));
            let import = madeinpk_postgres::cutover::Import::open(
                &source,
                config.database.url.expose_secret(),
                madeinpk_postgres::cutover::ImportOptions { dry_run },
                progress,
            )
            .await
            .map_err(|e| CliError::Invalid(format!("import-django: {e}")))?;
            let mut report = import
                .run()
                .await
                .map_err(|e| CliError::Invalid(format!("import-django: {e}")))?;
            if let (Some(from), false) = (media_from, dry_run) {
                let media = crate::cutover_media::copy_media(&db, &from, &config.media.dir)
                    .await
                    .map_err(|e| CliError::Invalid(format!("import-django: media: {e}")))?;
                report.entities.push(media);
            }
            print!("{}", report.render());
        }
    }
    Ok(())
}

async fn create_admin(
    config: Config,
    email: &str,
    username: Option<String>,
    password: Option<SecretString>,
) -> Result<(), CliError> {
    let email = normalize_email(email);
    let mut errors = FieldErrors::new();
    check_email(&mut errors, &email);
    let username =
        username.unwrap_or_else(|| email.split('@').next().unwrap_or("admin").to_owned());
    let generated = password.is_none();
    let password = password.map_or_else(
        || hex::encode(rand::rng().random::<[u8; 12]>()),
        |p| p.expose_secret().to_owned(),
    );
    check_password(&mut errors, &password, &username, &email);
    if !errors.is_empty() {
        return Err(CliError::Invalid(errors.to_string()));
    }
    let db = startup::prepare_database(&config).await?;
    let hash = Argon2Hasher
        .hash(password.clone())
        .await
        .map_err(|e| CliError::Invalid(e.to_string()))?;
    let user = db
        .upsert_admin(email.clone(), username, hash)
        .await
        .map_err(|e| CliError::Invalid(format!("could not create the admin: {e}")))?;
    println!("admin {} ({}) is ready", user.username, user.email);
    if generated {
        println!("generated password (shown once): {password}");
    }
    Ok(())
}

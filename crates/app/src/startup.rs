//! Building the application: database preparation, wiring, the HTTP server and the worker.

use secrecy::ExposeSecret;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_cors::Cors;
use actix_files::Files;
use actix_web::dev::Server;
use actix_web::middleware::{Next, from_fn};
use actix_web::{App, HttpMessage, HttpServer, web};
use madeinpk_domain::clock::ShiftedClock;
use madeinpk_domain::job::runner::JobRunner;
use madeinpk_domain::order::reservation_service::Reservations;
use madeinpk_mail::{LettreMailer, MailTransport};
use madeinpk_postgres::{Db, DbError, db, migrate};
use tracing_actix_web::{RequestId, TracingLogger};
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::body::UploadLimits;
use crate::config::Config;
use crate::openapi::ApiDoc;
use crate::routes;
use crate::state::AppState;
use crate::worker::{self, JobDriver, WorkerHandle, WorkerSettings};

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Database problems (unreachable, migration).
    #[error(transparent)]
    Db(#[from] DbError),
    /// Mail configuration.
    #[error("mail setup failed: {0}")]
    Mail(String),
    /// Binding the port.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
    /// The media directory cannot be created.
    #[error("media directory unusable: {0}")]
    Media(String),
    /// Seeding failed.
    #[error("seeding reference data failed: {0}")]
    Seed(String),
    /// The payment provider cannot be set up (a bad `STRIPE_API_BASE`, say).
    #[error("payment setup failed: {0}")]
    Payments(String),
}

/// Creates the database if missing, migrates and seeds it (when `AUTO_MIGRATE`), then connects.
pub async fn prepare_database(config: &Config) -> Result<Db, StartError> {
    if config.database.auto_migrate {
        db::ensure_database(config.database.url.expose_secret()).await?;
        let applied = migrate::run(config.database.url.expose_secret()).await?;
        if applied > 0 {
            tracing::info!(applied, "migrations applied");
        }
    }
    let db = Db::connect(
        config.database.url.expose_secret(),
        config.database.pool_size,
    )
    .await?;
    if config.database.auto_migrate {
        let seeded = db
            .seed_reference_data()
            .await
            .map_err(|e| StartError::Seed(e.to_string()))?;
        if seeded.provinces + seeded.cities + seeded.categories > 0 {
            tracing::info!(?seeded, "reference data seeded");
        }
    }
    Ok(db)
}

/// The mailer: SMTP when `SMTP_URL` is set, else `.eml` files in `MAIL_DIR`; tests pass their own.
pub fn mailer(
    config: &Config,
    transport: Option<MailTransport>,
) -> Result<LettreMailer, StartError> {
    let transport = match transport {
        Some(t) => t,
        None => match &config.mail.smtp_url {
            Some(url) => MailTransport::smtp(url.expose_secret())
                .map_err(|e| StartError::Mail(e.to_string()))?,
            None => MailTransport::directory(&config.mail.dir)
                .map_err(|e| StartError::Mail(e.to_string()))?,
        },
    };
    tracing::info!(transport = %transport.describe(), "mail transport");
    LettreMailer::new(transport, &config.mail.from, &config.http.public_base_url)
        .map_err(|e| StartError::Mail(e.to_string()))
}

/// The worker settings of a config.
pub fn worker_settings(config: &Config) -> WorkerSettings {
    WorkerSettings {
        concurrency: config.jobs.concurrency,
        poll: config.jobs.poll,
        lease: config.jobs.lease,
        grace: Duration::from_secs(20),
        database_url: config.database.url.expose_secret().to_owned(),
        token_idle: config.auth.token_idle,
        sweep: config.jobs.sweep_interval,
    }
}

/// The job runner wired to real adapters.
pub fn job_runner(
    db: &Db,
    config: &Config,
    mailer: LettreMailer,
    clock: ShiftedClock,
    gateway: madeinpk_stripe::Gateway,
) -> worker::Runner {
    let auctions = madeinpk_domain::auction::bidding_service::AuctionLife::new(
        db.clone(),
        db.clone(),
        gateway.clone(),
        db.clone(),
        clock.clone(),
        config.end_settings(),
    );
    JobRunner::new(
        mailer,
        db.clone(),
        clock,
        madeinpk_domain::job::runner::PayoutPorts {
            transfers: db.clone(),
            refunds: db.clone(),
            gateway,
            hold_unverified_sellers: config.auth.sellers_must_verify_email,
        },
        auctions,
    )
}

/// Starts the job worker (and the periodic stock sweep) on `clock`.
pub fn start_worker(
    db: &Db,
    config: &Config,
    mailer: LettreMailer,
    clock: ShiftedClock,
    gateway: madeinpk_stripe::Gateway,
) -> WorkerHandle {
    let (runner, sweeper) = job_parts(db, config, mailer, clock, gateway);
    worker::spawn(db.clone(), runner, sweeper, worker_settings(config))
}

/// What runs queued jobs on demand, wired like the worker.
pub fn job_driver(
    db: &Db,
    config: &Config,
    mailer: LettreMailer,
    clock: ShiftedClock,
    gateway: madeinpk_stripe::Gateway,
) -> JobDriver {
    let (runner, sweeper) = job_parts(db, config, mailer, clock, gateway);
    JobDriver::new(db.clone(), runner, sweeper)
}

fn job_parts(
    db: &Db,
    config: &Config,
    mailer: LettreMailer,
    clock: ShiftedClock,
    gateway: madeinpk_stripe::Gateway,
) -> (Arc<worker::Runner>, Arc<worker::Sweeper>) {
    let runner = Arc::new(job_runner(db, config, mailer, clock.clone(), gateway));
    let sweeper = Arc::new(Reservations::new(
        db.clone(),
        db.clone(),
        clock,
        config.reservation_settings(),
    ));
    (runner, sweeper)
}

fn cors(config: &Config) -> Cors {
    let cors = Cors::default()
        .allow_any_method()
        .allow_any_header()
        .expose_headers(["x-request-id"])
        .max_age(3600);
    if config.http.cors_origins.iter().any(|o| o == "*") {
        cors.allow_any_origin()
    } else {
        config
            .http
            .cors_origins
            .iter()
            .fold(cors, |c, o| c.allowed_origin(o))
    }
}

/// Rewrites `/api/x` to `/api/x/` (clients may omit the slash) and HEAD to GET (HEAD works
/// wherever GET does; the server drops the body).
async fn normalize(
    mut req: actix_web::dev::ServiceRequest,
    next: Next<actix_web::body::BoxBody>,
) -> Result<actix_web::dev::ServiceResponse, actix_web::Error> {
    if req.method() == actix_web::http::Method::HEAD {
        req.head_mut().method = actix_web::http::Method::GET;
    }
    let path = req.path();
    if path.starts_with("/api/")
        && !path.ends_with('/')
        && !path.starts_with("/api/docs/")
        && path != "/api/openapi.json"
    {
        let pq = match req.query_string() {
            "" => format!("{path}/"),
            q => format!("{path}/?{q}"),
        };
        if let Ok(uri) = pq.parse::<actix_web::http::Uri>() {
            req.match_info_mut().get_mut().update(&uri);
            req.head_mut().uri = uri;
        }
    }
    next.call(req).await
}

/// Echoes the request id so clients can quote it in bug reports.
async fn request_id_header<B: actix_web::body::MessageBody>(
    req: actix_web::dev::ServiceRequest,
    next: Next<B>,
) -> Result<actix_web::dev::ServiceResponse<B>, actix_web::Error> {
    let id = req.extensions().get::<RequestId>().map(ToString::to_string);
    let mut res = next.call(req).await?;
    if let Some(value) = id.and_then(|id| actix_web::http::header::HeaderValue::from_str(&id).ok())
    {
        res.headers_mut().insert(
            actix_web::http::header::HeaderName::from_static("x-request-id"),
            value,
        );
    }
    Ok(res)
}

/// The HTTP server over a bound listener.
pub fn http_server(
    listener: TcpListener,
    state: web::Data<AppState>,
    hub: web::Data<crate::routes::auction::live::Hub>,
) -> std::io::Result<Server> {
    let config = state.config.clone();
    let max_body = config.http.max_body_bytes;
    let max_upload = config.media.max_upload_bytes;
    let media_root = state.uploads.root().to_path_buf();
    let max_upload_total = config.media.max_upload_total;
    // Beside the media, on the same disk; never served (the file service skips hidden paths).
    let spool_dir = media_root.join(".incoming");
    let workers = config.http.workers;
    let linger = config.http.linger;
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(hub.clone())
            .app_data(web::PayloadConfig::new(max_body))
            .app_data(UploadLimits {
                max_file_bytes: max_upload,
                max_upload_total,
                max_body_bytes: max_body,
                max_parts: 32,
                spool_dir: spool_dir.clone(),
            })
            // Before the `/api` scope, which would otherwise claim these paths.
            .service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/openapi.json", ApiDoc::openapi()))
            .service(
                web::scope("/api")
                    .wrap(from_fn(crate::auth::resolve_token))
                    // Outside the token check: cached pages are anonymous by construction.
                    .wrap(from_fn(crate::cached_pages::serve))
                    .configure(routes::configure)
                    .default_service(web::to(routes::not_found)),
            )
            .configure(crate::console::configure)
            .service(Files::new("/media", &media_root))
            .route(
                "/ws/auction/{id}/",
                web::get().to(crate::routes::auction::live::socket),
            )
            .route("/healthz", web::get().to(routes::health::healthz))
            .route("/readyz", web::get().to(routes::health::readyz))
            .route("/metrics", web::get().to(routes::health::metrics))
            .default_service(web::to(routes::not_found))
            .wrap(from_fn(normalize))
            .wrap(from_fn(crate::headers::secure))
            .wrap(cors(&config))
            .wrap(from_fn(crate::metrics::track))
            .wrap(from_fn(request_id_header))
            .wrap(TracingLogger::default())
    })
    .shutdown_timeout(20)
    // How long a connection whose request body was left unread (a refused upload, a closed
    // WebSocket) is read and drained before it is closed: actix's 1 s by default. It holds a
    // closed socket's TCP connection for that long after both sides said Close; 100 ms was
    // tried, and then a Close was sometimes never answered, so the default stays.
    .client_disconnect_timeout(linger);
    if workers > 0 {
        server = server.workers(workers);
    }
    Ok(server.listen(listener)?.run())
}

/// A built application: the server, and the worker when this process runs one.
pub struct Application {
    port: u16,
    server: Server,
    worker: Option<WorkerHandle>,
    /// Without an in-process worker, what runs queued jobs on demand.
    driver: Option<Arc<JobDriver>>,
    state: web::Data<AppState>,
}

impl Application {
    /// Prepares the database, wires everything and binds `BIND_ADDR` (port 0 picks a free one).
    pub async fn build(config: Config, mail: Option<MailTransport>) -> Result<Self, StartError> {
        crate::time::set_zone(config.time_zone);
        let db = prepare_database(&config).await?;
        let mailer = mailer(&config, mail)?;
        // Served at /media/; created up front so the file service starts on a real directory.
        std::fs::create_dir_all(&config.media.dir)
            .map_err(|e| StartError::Media(format!("{}: {e}", config.media.dir.display())))?;
        let listener =
            TcpListener::bind(&config.http.bind_addr).map_err(|source| StartError::Bind {
                addr: config.http.bind_addr.clone(),
                source,
            })?;
        let port = listener
            .local_addr()
            .map_err(|source| StartError::Bind {
                addr: config.http.bind_addr.clone(),
                source,
            })?
            .port();
        // One clock for requests, jobs and the sweep; tests move it forward.
        let clock = ShiftedClock::default();
        let gateway = crate::state::gateway(&config, &db)
            .await
            .map_err(StartError::Payments)?;
        if !gateway.is_dev() && config.stripe.webhook_secret.is_none() {
            tracing::warn!(
                "STRIPE_SECRET_KEY is set but STRIPE_WEBHOOK_SECRET is not: Stripe's events will be refused"
            );
        }
        // The worker gets its own pool: connections belong to the runtime that opened them,
        // and the HTTP workers' runtimes stop first at shutdown, while jobs still finish.
        let (worker, driver) = if config.jobs.serve_runs_workers {
            let pool = config.jobs.concurrency + 2;
            let worker_db = Db::connect(config.database.url.expose_secret(), pool).await?;
            let worker = start_worker(&worker_db, &config, mailer, clock.clone(), gateway.clone());
            (Some(worker), None)
        } else {
            let driver = job_driver(&db, &config, mailer, clock.clone(), gateway.clone());
            (None, Some(Arc::new(driver)))
        };
        let state = web::Data::new(AppState::new(
            db,
            Arc::new(config),
            crate::metrics::handle(),
            clock,
            gateway,
        ));
        let hub = web::Data::new(crate::routes::auction::live::Hub::new(
            state.config.ws.queue,
        ));
        // Bids and endings from every instance reach this instance's sockets.
        tokio::spawn(crate::routes::auction::live::listen(
            state.clone(),
            hub.clone().into_inner(),
        ));
        let server =
            http_server(listener, state.clone(), hub).map_err(|source| StartError::Bind {
                addr: state.config.http.bind_addr.clone(),
                source,
            })?;
        Ok(Self {
            port,
            server,
            worker,
            driver,
            state,
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The shared state (tests inspect the database through it).
    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// Runs queued jobs on demand; present when `serve` runs no worker.
    pub fn job_driver(&self) -> Option<Arc<JobDriver>> {
        self.driver.clone()
    }

    /// A handle that stops the HTTP server gracefully.
    pub fn server_handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until the server stops (SIGINT/SIGTERM or a handle), then stops the worker.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        if let Some(worker) = self.worker {
            worker.stop().await;
        }
        result
    }
}

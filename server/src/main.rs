//! `server [serve|migrate|seed-demo|ledger-check]`: serve Moa (the default),
//! only run the migrations, run them and load the demo data, or check that
//! every won is accounted for.

use std::process::ExitCode;

use app::clock::Clock;
use server::{config::Config, startup::StartupError};
use tracing_subscriber::EnvFilter;

enum Command {
    Serve,
    Migrate,
    SeedDemo,
    LedgerCheck,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .init();

    let command = match std::env::args().nth(1).as_deref() {
        None | Some("serve") => Command::Serve,
        Some("migrate") => Command::Migrate,
        Some("seed-demo") => Command::SeedDemo,
        Some("ledger-check") => Command::LedgerCheck,
        Some(other) => {
            eprintln!(
                "moa: unknown command {other:?} (expected serve, migrate, seed-demo or ledger-check)"
            );
            return ExitCode::from(2);
        }
    };

    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("moa: configuration error: {error}");
            return ExitCode::from(2);
        }
    };

    // Demo accounts have a published password: never on a public site.
    if matches!(command, Command::SeedDemo)
        && (config.environment == server::config::Environment::Production
            || config
                .public_origin
                .as_ref()
                .is_some_and(|origin| origin.is_https()))
    {
        eprintln!(
            "moa: seed-demo refuses to run with MOA_ENV=production or an https MOA_PUBLIC_ORIGIN (demo accounts have a published password)"
        );
        return ExitCode::from(2);
    }

    match run(command, config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("moa: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: Config) -> Result<(), StartupError> {
    let db = server::connect_database(&config).await?;
    server::migrate(&db).await?;
    let state = server::build_state(&config, db, Clock::System);

    match command {
        Command::Migrate => Ok(()),
        Command::SeedDemo => server::demo::load(&state.db, state.today()).await,
        Command::LedgerCheck => server::ledger_check::run(&state.db).await,
        Command::Serve => {
            let listener = tokio::net::TcpListener::bind(config.addr)
                .await
                .map_err(|source| StartupError::Bind {
                    addr: config.addr,
                    source,
                })?;
            println!("Moa is serving at http://{}", config.addr);
            server::serve(
                listener,
                server::router(state, config.request_timeout),
                config.header_read_timeout,
                shutdown_signal(),
            )
            .await
            .map_err(StartupError::Serve)
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

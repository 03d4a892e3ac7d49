//! `server [serve|migrate|seed-demo|ledger-check|settle]`: serve Moa (the
//! default), only run the migrations, run them and load the demo data,
//! check that every won is accounted for, or run (or dry-run) one
//! settlement pass.

use std::{process::ExitCode, sync::Arc, time::Duration};

use app::clock::Clock;
use server::{config::Config, settle::SettleArgs, startup::StartupError};
use tokio::sync::watch;

/// See `mimalloc` in Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

enum Command {
    Serve,
    Migrate,
    SeedDemo,
    LedgerCheck,
    Settle(SettleArgs),
}

/// How long the settlement task gets to finish the project it is on.
const SETTLEMENT_STOP_TIMEOUT: Duration = Duration::from_secs(10);

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match args.first().map(String::as_str) {
        None | Some("serve") => Command::Serve,
        Some("migrate") => Command::Migrate,
        Some("seed-demo") => Command::SeedDemo,
        Some("ledger-check") => Command::LedgerCheck,
        Some("settle") => match SettleArgs::parse(&args[1..]) {
            Ok(settle) => Command::Settle(settle),
            Err(problem) => {
                eprintln!(
                    "moa: settle: {problem} (usage: server settle [--dry-run [--date YYYY-MM-DD]])"
                );
                return ExitCode::from(2);
            }
        },
        Some(other) => {
            eprintln!(
                "moa: unknown command {other:?} (expected serve, migrate, seed-demo, ledger-check or settle)"
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
    server::observability::logging::init(config.environment);

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
    let clock = match config.clock_offset_days {
        0 => Clock::System,
        days => {
            tracing::warn!(
                days,
                "this server's clock runs ahead of the real one (MOA_CLOCK_OFFSET_DAYS)"
            );
            let offset = chrono::Duration::days(i64::from(days));
            Clock::Custom(Arc::new(move || chrono::Utc::now() + offset))
        }
    };
    let state = server::build_state(&config, db, clock);

    match command {
        Command::Migrate => Ok(()),
        Command::SeedDemo => server::demo::load(&state.db, state.today()).await,
        Command::LedgerCheck => server::ledger_check::run(&state.db).await,
        Command::Settle(args) => server::settle::run(&state, args).await,
        Command::Serve => {
            let listener = tokio::net::TcpListener::bind(config.addr)
                .await
                .map_err(|source| StartupError::Bind {
                    addr: config.addr,
                    source,
                })?;
            // Logged, not printed: in production standard output is JSON lines.
            tracing::info!("Moa is serving at http://{}", config.addr);
            if let Some(addr) = config.metrics_addr {
                let started = server::observability::metrics::start(
                    addr,
                    state.clone(),
                    config.header_read_timeout,
                )
                .await;
                match started {
                    Ok(bound) => tracing::info!("metrics at http://{bound}/metrics"),
                    Err(error) if config.metrics_addr_is_default => tracing::warn!(
                        %error,
                        "serving without metrics: the default metrics address is taken (another Moa on this machine?); set MOA_METRICS_ADDR"
                    ),
                    Err(error) => return Err(error),
                }
            }
            let (stop, stopped) = watch::channel(false);
            server::live::spawn_listener(state.clone());
            tokio::spawn(app::service::replica::watch(state.clone()));
            let live = state.live.clone();
            let settlement =
                server::settlement_task::spawn(state.clone(), config.settlement_interval, stopped);
            let served = server::serve(
                listener,
                server::router(state, server::Limits::of(&config)),
                config.header_read_timeout,
                async move {
                    shutdown_signal().await;
                    // Between projects, never inside one.
                    let _ = stop.send(true);
                    // Open live streams end, so the drain does not wait on them.
                    live.close();
                },
            )
            .await
            .map_err(StartupError::Serve);
            if tokio::time::timeout(SETTLEMENT_STOP_TIMEOUT, settlement)
                .await
                .is_err()
            {
                tracing::warn!(
                    "the settlement task did not stop in time; its open transaction rolls back"
                );
            }
            served
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

//! Configuration from environment variables (documented in `.env.example`).
//! Anything missing or invalid stops start-up with one line naming the cause.

use std::{
    fmt,
    net::{IpAddr, SocketAddr},
    time::Duration,
};

use chrono_tz::Tz;

pub const MIN_JWT_SECRET_BYTES: usize = 32;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

/// The key that signs session tokens. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct JwtSecret(Vec<u8>);

impl JwtSecret {
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for JwtSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JwtSecret(..)")
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    /// A PostgreSQL streaming replica of `database_url` for public reads
    /// (`DATABASE_READ_URL`; unset: every read goes to the primary).
    pub database_read_url: Option<String>,
    /// How far behind the primary the replica may fall before public reads
    /// leave it for the primary (`MOA_READ_REPLICA_MAX_LAG_MS`).
    pub read_replica_max_lag: Duration,
    pub redis_url: String,
    pub addr: SocketAddr,
    pub environment: Environment,
    pub jwt_secret: JwtSecret,
    pub timezone: Tz,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// Where browsers reach Moa (`https://moa.example`): state-changing
    /// requests must come from it, and its scheme decides `Secure` cookies
    /// and HSTS. Required in production; in development, unset means "the
    /// request's own Host".
    pub public_origin: Option<PublicOrigin>,
    /// PostgreSQL connections in the pool.
    pub db_pool_size: u32,
    /// The longest one SQL statement may run, and the longest a connection
    /// may sit idle inside a transaction.
    pub db_statement_timeout: Duration,
    /// The longest a request may take to produce its response (streams
    /// then run on their own).
    pub request_timeout: Duration,
    /// The longest a client may take to send a request's headers.
    pub header_read_timeout: Duration,
    /// Requests worked on at once; more are refused with 503 `OVERLOADED`.
    pub max_requests_in_flight: usize,
    /// Sign-ups one client may make in an hour.
    pub sign_ups_per_hour: u64,
    /// How often the settlement task looks for projects whose end date
    /// passed.
    pub settlement_interval: Duration,
    /// Days this server's clock runs ahead of the real one: for end-to-end
    /// tests of what happens after an end date. Refused in production.
    pub clock_offset_days: u32,
    /// Where `GET /metrics` is served, apart from the public listener
    /// (loopback by default); `None` when `MOA_METRICS_ADDR=off`.
    pub metrics_addr: Option<SocketAddr>,
    /// `MOA_METRICS_ADDR` was left unset: a taken default port is worth a
    /// warning, not a refusal to start (two `make run`s on one machine).
    pub metrics_addr_is_default: bool,
}

/// An origin: scheme, host and port, as browsers send it in `Origin`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicOrigin(String);

impl PublicOrigin {
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim().trim_end_matches('/');
        let (scheme, host) = text.split_once("://")?;
        let valid_host = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
        (matches!(scheme, "http" | "https") && valid_host)
            .then(|| PublicOrigin(text.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
    }
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/moa)")]
    MissingDatabaseUrl,
    #[error("DATABASE_URL must start with postgres:// or postgresql://")]
    InvalidDatabaseUrl,
    #[error("DATABASE_READ_URL must start with postgres:// or postgresql://")]
    InvalidDatabaseReadUrl,
    #[error("REDIS_URL must start with redis:// or rediss://")]
    InvalidRedisUrl,
    #[error("MOA_ADDR {0:?} is not a socket address such as 127.0.0.1:3000")]
    InvalidAddr(String),
    #[error("MOA_METRICS_ADDR {0:?} is not a socket address such as 127.0.0.1:9464, nor \"off\"")]
    InvalidMetricsAddr(String),
    #[error(
        "MOA_CLOCK_OFFSET_DAYS moves the clock for tests; it is refused with MOA_ENV=production"
    )]
    ClockOffsetInProduction,
    #[error("MOA_ENV {0:?} must be \"development\" or \"production\"")]
    InvalidEnvironment(String),
    #[error("MOA_JWT_SECRET is required when MOA_ENV=production")]
    MissingJwtSecret,
    #[error("MOA_JWT_SECRET is {0} bytes; it must be at least {MIN_JWT_SECRET_BYTES}")]
    ShortJwtSecret(usize),
    #[error("MOA_TIMEZONE {0:?} is not an IANA time zone such as Asia/Seoul")]
    InvalidTimezone(String),
    #[error("MOA_TRUSTED_PROXIES entry {0:?} is not an IP address such as 127.0.0.1")]
    InvalidTrustedProxy(String),
    #[error("could not generate a development JWT secret: {0}")]
    NoRandomness(String),
    #[error("MOA_PUBLIC_ORIGIN {0:?} is not an origin such as https://moa.example")]
    InvalidPublicOrigin(String),
    #[error("MOA_PUBLIC_ORIGIN is required when MOA_ENV=production, and must be https://…")]
    ProductionNeedsHttpsOrigin,
    #[error("{name} {value:?} must be a whole number from {min} to {max}")]
    OutOfRange {
        name: &'static str,
        value: String,
        min: u64,
        max: u64,
    },
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|key| {
            std::env::var(key)
                .ok()
                .filter(|value| !value.trim().is_empty())
        })
    }

    /// `lookup` returns a variable's value, or `None` when it is unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let database_url = lookup("DATABASE_URL").ok_or(ConfigError::MissingDatabaseUrl)?;
        if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            return Err(ConfigError::InvalidDatabaseUrl);
        }

        let database_read_url = lookup("DATABASE_READ_URL");
        if database_read_url.as_deref().is_some_and(|url| {
            !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        }) {
            return Err(ConfigError::InvalidDatabaseReadUrl);
        }

        let redis_url = lookup("REDIS_URL").unwrap_or_else(|| "redis://127.0.0.1:6379".to_owned());
        if !(redis_url.starts_with("redis://") || redis_url.starts_with("rediss://")) {
            return Err(ConfigError::InvalidRedisUrl);
        }

        let addr_text = lookup("MOA_ADDR").unwrap_or_else(|| "127.0.0.1:3000".to_owned());
        let addr = addr_text
            .parse()
            .map_err(|_| ConfigError::InvalidAddr(addr_text))?;

        let metrics_addr_is_default = lookup("MOA_METRICS_ADDR").is_none();
        let metrics_addr = match lookup("MOA_METRICS_ADDR") {
            None => Some(SocketAddr::from(([127, 0, 0, 1], 9464))),
            Some(text) if text.trim().eq_ignore_ascii_case("off") => None,
            Some(text) => Some(
                text.trim()
                    .parse()
                    .map_err(|_| ConfigError::InvalidMetricsAddr(text))?,
            ),
        };

        let environment = match lookup("MOA_ENV").as_deref() {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => return Err(ConfigError::InvalidEnvironment(other.to_owned())),
        };

        let jwt_secret = match (lookup("MOA_JWT_SECRET"), environment) {
            (Some(secret), _) if secret.len() < MIN_JWT_SECRET_BYTES => {
                return Err(ConfigError::ShortJwtSecret(secret.len()));
            }
            (Some(secret), _) => JwtSecret(secret.into_bytes()),
            (None, Environment::Production) => return Err(ConfigError::MissingJwtSecret),
            // Development without a secret: a fresh random one per process.
            // Sessions end on restart, which is fine on a laptop.
            (None, Environment::Development) => JwtSecret(random_bytes(MIN_JWT_SECRET_BYTES)?),
        };

        let timezone_name = lookup("MOA_TIMEZONE").unwrap_or_else(|| "Asia/Seoul".to_owned());
        let timezone = timezone_name
            .parse::<Tz>()
            .map_err(|_| ConfigError::InvalidTimezone(timezone_name))?;

        let trusted_proxies = lookup("MOA_TRUSTED_PROXIES")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpAddr>()
                    .map_err(|_| ConfigError::InvalidTrustedProxy(entry.to_owned()))
            })
            .collect::<Result<Vec<_>, _>>()?;

        let public_origin = lookup("MOA_PUBLIC_ORIGIN")
            .map(|text| PublicOrigin::parse(&text).ok_or(ConfigError::InvalidPublicOrigin(text)))
            .transpose()?;
        if environment == Environment::Production
            && !public_origin.as_ref().is_some_and(PublicOrigin::is_https)
        {
            return Err(ConfigError::ProductionNeedsHttpsOrigin);
        }
        let number = |name: &'static str, default: u64, min: u64, max: u64| match lookup(name) {
            None => Ok(default),
            Some(value) => match value.trim().parse::<u64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(n),
                _ => Err(ConfigError::OutOfRange {
                    name,
                    value,
                    min,
                    max,
                }),
            },
        };
        let db_pool_size = u32::try_from(number("MOA_DB_POOL_SIZE", 20, 1, 1000)?).unwrap_or(20);
        let db_statement_timeout =
            Duration::from_millis(number("MOA_DB_STATEMENT_TIMEOUT_MS", 10_000, 100, 600_000)?);
        let request_timeout =
            Duration::from_secs(number("MOA_REQUEST_TIMEOUT_SECONDS", 30, 1, 600)?);
        let header_read_timeout =
            Duration::from_secs(number("MOA_HEADER_READ_TIMEOUT_SECONDS", 10, 1, 300)?);
        let max_requests_in_flight =
            usize::try_from(number("MOA_MAX_REQUESTS_IN_FLIGHT", 1024, 1, 1_000_000)?)
                .unwrap_or(1024);
        let sign_ups_per_hour = number("MOA_SIGNUPS_PER_HOUR", 20, 1, 1_000_000)?;
        let settlement_interval =
            Duration::from_secs(number("MOA_SETTLEMENT_INTERVAL_SECONDS", 60, 1, 86_400)?);
        let read_replica_max_lag =
            Duration::from_millis(number("MOA_READ_REPLICA_MAX_LAG_MS", 5_000, 100, 600_000)?);
        let clock_offset_days =
            u32::try_from(number("MOA_CLOCK_OFFSET_DAYS", 0, 0, 3_650)?).unwrap_or_default();
        if clock_offset_days > 0 && environment == Environment::Production {
            return Err(ConfigError::ClockOffsetInProduction);
        }

        Ok(Config {
            database_url,
            database_read_url,
            read_replica_max_lag,
            redis_url,
            addr,
            environment,
            jwt_secret,
            timezone,
            trusted_proxies,
            public_origin,
            db_pool_size,
            db_statement_timeout,
            request_timeout,
            header_read_timeout,
            max_requests_in_flight,
            sign_ups_per_hour,
            settlement_interval,
            clock_offset_days,
            metrics_addr,
            metrics_addr_is_default,
        })
    }

    /// The database name, used to keep this instance's cache keys apart from
    /// other databases sharing the same Redis.
    pub fn database_name(&self) -> &str {
        let without_query = self.database_url.split('?').next().unwrap_or_default();
        without_query.rsplit('/').next().unwrap_or("moa")
    }

    /// The database URL with any password hidden, for messages.
    pub fn redacted_database_url(&self) -> String {
        redact_password(&self.database_url)
    }

    /// The replica's URL with any password hidden, for messages.
    pub fn redacted_database_read_url(&self) -> Option<String> {
        self.database_read_url.as_deref().map(redact_password)
    }
}

fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((credentials, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match credentials.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

fn random_bytes(count: usize) -> Result<Vec<u8>, ConfigError> {
    use std::io::Read;
    let mut bytes = vec![0u8; count];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut source| source.read_exact(&mut bytes))
        .map_err(|error| ConfigError::NoRandomness(error.to_string()))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::{Config, ConfigError, Environment};

    const DB: &str = "postgres://postgres@127.0.0.1:5432/moa";

    fn load(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|key| vars.get(key).cloned())
    }

    #[test]
    fn defaults_apply_when_only_the_database_is_given() {
        let config = load(&[("DATABASE_URL", DB)]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(config.redis_url, "redis://127.0.0.1:6379");
        assert_eq!(config.environment, Environment::Development);
        assert_eq!(config.timezone, chrono_tz::Asia::Seoul);
        assert_eq!(config.jwt_secret.as_bytes().len(), 32);
        assert_eq!(config.database_name(), "moa");
    }

    #[test]
    fn trusted_proxies_are_a_list_of_addresses() {
        let config = load(&[
            ("DATABASE_URL", DB),
            ("MOA_TRUSTED_PROXIES", "127.0.0.1, ::1,10.0.0.2"),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.trusted_proxies.len(), 3);
        assert!(load(&[("DATABASE_URL", DB)]).is_ok_and(|c| c.trusted_proxies.is_empty()));
        assert_eq!(
            load(&[("DATABASE_URL", DB), ("MOA_TRUSTED_PROXIES", "10.0.0.0/8")]).err(),
            Some(ConfigError::InvalidTrustedProxy("10.0.0.0/8".into()))
        );
    }

    #[test]
    fn database_url_is_required_and_checked() {
        assert_eq!(load(&[]).err(), Some(ConfigError::MissingDatabaseUrl));
        assert_eq!(
            load(&[("DATABASE_URL", "mysql://x")]).err(),
            Some(ConfigError::InvalidDatabaseUrl)
        );
    }

    #[test]
    fn a_read_replica_is_optional_and_checked() {
        let primary_only = load(&[("DATABASE_URL", DB)]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(primary_only.database_read_url, None);
        assert_eq!(primary_only.read_replica_max_lag.as_millis(), 5_000);
        let with_replica = load(&[
            ("DATABASE_URL", DB),
            ("DATABASE_READ_URL", "postgres://moa:pw@replica:5432/moa"),
            ("MOA_READ_REPLICA_MAX_LAG_MS", "2500"),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            with_replica.redacted_database_read_url().as_deref(),
            Some("postgres://moa:***@replica:5432/moa")
        );
        assert_eq!(with_replica.read_replica_max_lag.as_millis(), 2_500);
        assert_eq!(
            load(&[("DATABASE_URL", DB), ("DATABASE_READ_URL", "replica:5432")]).err(),
            Some(ConfigError::InvalidDatabaseReadUrl)
        );
    }

    #[test]
    fn a_moved_clock_is_for_tests_only() {
        let moved = [("DATABASE_URL", DB), ("MOA_CLOCK_OFFSET_DAYS", "40")];
        let config = load(&moved).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.clock_offset_days, 40);
        assert_eq!(
            load(&[("DATABASE_URL", DB)]).map(|c| c.clock_offset_days),
            Ok(0)
        );
        let secret = "x".repeat(32);
        let production = [
            ("DATABASE_URL", DB),
            ("MOA_ENV", "production"),
            ("MOA_JWT_SECRET", secret.as_str()),
            ("MOA_PUBLIC_ORIGIN", "https://moa.example"),
            ("MOA_CLOCK_OFFSET_DAYS", "1"),
        ];
        assert_eq!(
            load(&production).err(),
            Some(ConfigError::ClockOffsetInProduction)
        );
    }

    #[test]
    fn production_requires_a_long_secret() {
        let prod = [("DATABASE_URL", DB), ("MOA_ENV", "production")];
        assert_eq!(load(&prod).err(), Some(ConfigError::MissingJwtSecret));
        let short = [
            ("DATABASE_URL", DB),
            ("MOA_ENV", "production"),
            ("MOA_JWT_SECRET", "too-short"),
        ];
        assert_eq!(load(&short).err(), Some(ConfigError::ShortJwtSecret(9)));
        let good_secret = "x".repeat(32);
        let no_origin = [
            ("DATABASE_URL", DB),
            ("MOA_ENV", "production"),
            ("MOA_JWT_SECRET", good_secret.as_str()),
        ];
        assert_eq!(
            load(&no_origin).err(),
            Some(ConfigError::ProductionNeedsHttpsOrigin)
        );
        let plain_http = [
            ("DATABASE_URL", DB),
            ("MOA_ENV", "production"),
            ("MOA_JWT_SECRET", good_secret.as_str()),
            ("MOA_PUBLIC_ORIGIN", "http://moa.example"),
        ];
        assert_eq!(
            load(&plain_http).err(),
            Some(ConfigError::ProductionNeedsHttpsOrigin)
        );
        let good = [
            ("DATABASE_URL", DB),
            ("MOA_ENV", "production"),
            ("MOA_JWT_SECRET", good_secret.as_str()),
            ("MOA_PUBLIC_ORIGIN", "https://Moa.example/"),
        ];
        let config = load(&good).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            config
                .public_origin
                .as_ref()
                .map(super::PublicOrigin::as_str),
            Some("https://moa.example")
        );
    }

    #[test]
    fn limits_are_numbers_within_bounds() {
        let config = load(&[("DATABASE_URL", DB), ("MOA_DB_POOL_SIZE", "5")])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.db_pool_size, 5);
        assert_eq!(config.sign_ups_per_hour, 20);
        assert!(matches!(
            load(&[("DATABASE_URL", DB), ("MOA_DB_POOL_SIZE", "0")]),
            Err(ConfigError::OutOfRange {
                name: "MOA_DB_POOL_SIZE",
                ..
            })
        ));
        assert!(matches!(
            load(&[("DATABASE_URL", DB), ("MOA_PUBLIC_ORIGIN", "moa.example")]),
            Err(ConfigError::InvalidPublicOrigin(_))
        ));
    }

    #[test]
    fn metrics_listen_on_loopback_unless_told_otherwise() {
        let default = load(&[("DATABASE_URL", DB)]).map(|c| c.metrics_addr);
        assert_eq!(default, Ok(Some(([127, 0, 0, 1], 9464).into())));
        let moved = load(&[("DATABASE_URL", DB), ("MOA_METRICS_ADDR", "0.0.0.0:9100")]);
        assert_eq!(
            moved.map(|c| c.metrics_addr),
            Ok(Some(([0, 0, 0, 0], 9100).into()))
        );
        let off = load(&[("DATABASE_URL", DB), ("MOA_METRICS_ADDR", "off")]);
        assert_eq!(off.map(|c| c.metrics_addr), Ok(None));
        let bad = load(&[("DATABASE_URL", DB), ("MOA_METRICS_ADDR", "9464")]);
        assert_eq!(
            bad.err(),
            Some(ConfigError::InvalidMetricsAddr("9464".into()))
        );
        assert!(
            ConfigError::InvalidMetricsAddr(String::new())
                .to_string()
                .contains("MOA_METRICS_ADDR")
        );
    }

    #[test]
    fn a_short_secret_is_refused_in_development_too() {
        let short = [("DATABASE_URL", DB), ("MOA_JWT_SECRET", "short")];
        assert_eq!(load(&short).err(), Some(ConfigError::ShortJwtSecret(5)));
    }

    #[test]
    fn invalid_values_name_the_variable() {
        let bad_addr = load(&[("DATABASE_URL", DB), ("MOA_ADDR", "localhost")]);
        assert_eq!(
            bad_addr.err(),
            Some(ConfigError::InvalidAddr("localhost".into()))
        );
        let bad_tz = load(&[("DATABASE_URL", DB), ("MOA_TIMEZONE", "Mars/Olympus")]);
        assert!(matches!(bad_tz, Err(ConfigError::InvalidTimezone(_))));
        let bad_env = load(&[("DATABASE_URL", DB), ("MOA_ENV", "staging")]);
        assert!(matches!(bad_env, Err(ConfigError::InvalidEnvironment(_))));
        assert!(
            ConfigError::MissingJwtSecret
                .to_string()
                .contains("MOA_JWT_SECRET")
        );
    }

    #[test]
    fn passwords_never_appear_in_messages() {
        let config = load(&[(
            "DATABASE_URL",
            "postgres://moa:s3cret@db:5432/moa?sslmode=disable",
        )])
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            config.redacted_database_url(),
            "postgres://moa:***@db:5432/moa?sslmode=disable"
        );
        assert_eq!(config.database_name(), "moa");
    }
}

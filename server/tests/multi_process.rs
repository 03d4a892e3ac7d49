//! Several processes (issue #14): two real Moa server processes (the
//! binary, each on its own loopback port) over one PostgreSQL database and
//! the shared Redis (keys under the database's name), with Debian's nginx
//! in front as deploy/nginx.conf has it. A write through one is seen at
//! once through the other, settlement runs in both and settles each
//! project once, log-in limits count across both, and behind nginx the
//! origin check, the client's address and the live stream hold.
//! Slow: `make test-faults` runs them (`-- --ignored --test-threads=1`).

mod common;
#[path = "common/nginx.rs"]
mod nginx;

use std::{
    net::IpAddr,
    path::PathBuf,
    process::{Child, Command},
    time::{Duration, Instant},
};

use app::domain::Role;
use chrono::{Days, NaiveDate, Utc};
use common::{
    Client, NewPost, TestApp, account, assert_ledger_holds, insert_post, insert_publisher,
};
use nginx::Nginx;
use reqwest::{Method, header};
use serde_json::{Value, json};

/// Days the processes' clocks run ahead: past the end dates of the
/// projects due for settlement, before those of the others.
const OFFSET_DAYS: u64 = 60;
const PASSWORD_TRIES: usize = 5; // login_throttle::PER_USERNAME

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

/// The real date (the processes' clock runs on it, moved by OFFSET_DAYS).
fn real_today() -> NaiveDate {
    Utc::now().date_naive()
}

/// The test's own server with the processes' moved clock, so that the
/// sessions it starts for test accounts are current in the processes.
async fn app_on_the_moved_clock() -> TestApp {
    TestApp::spawn_with(common::Options {
        now: Utc::now() + Days::new(OFFSET_DAYS),
        ..common::Options::default()
    })
    .await
}

/// Ends after the moved clock's today: still open in the processes.
fn open_end_date() -> NaiveDate {
    real_today() + Days::new(OFFSET_DAYS + 60)
}

/// Ends before the moved clock's today: due for settlement there.
fn due_end_date() -> NaiveDate {
    real_today() + Days::new(10)
}

static LOG_COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// One `server serve` process, killed when dropped.
struct Moa {
    port: u16,
    child: Child,
    log: PathBuf,
}

impl Moa {
    fn start(database_url: &str, port: u16, public_origin: &str) -> Moa {
        let log = std::env::temp_dir().join(format!(
            "moa-multi-{}-{port}-{}.log",
            std::process::id(),
            LOG_COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        ));
        let log_file =
            std::fs::File::create(&log).unwrap_or_else(|e| panic!("cannot create {log:?}: {e}"));
        let child = Command::new(env!("CARGO_BIN_EXE_server"))
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", database_url)
            .env("REDIS_URL", common::redis_url())
            .env("MOA_ADDR", format!("127.0.0.1:{port}"))
            .env("MOA_METRICS_ADDR", "off")
            .env("MOA_JWT_SECRET", "test-secret-test-secret-test-secret!")
            .env("MOA_PUBLIC_ORIGIN", public_origin)
            .env("MOA_TRUSTED_PROXIES", "127.0.0.1")
            .env("MOA_CLOCK_OFFSET_DAYS", OFFSET_DAYS.to_string())
            .env("MOA_SETTLEMENT_INTERVAL_SECONDS", "1")
            .env("RUST_LOG", "warn,server::settlement_task=info")
            .stderr(
                log_file
                    .try_clone()
                    .unwrap_or_else(|e| panic!("{log:?}: {e}")),
            )
            .stdout(log_file)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start the server binary: {e}"));
        let moa = Moa { port, child, log };
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "the server on {port} did not start: {}",
                std::fs::read_to_string(&moa.log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        moa
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Moa {
    /// Its settlement task's log lines saying it settled projects.
    fn settlement_passes_that_settled(&self) -> usize {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter(|line| line.contains("settled projects whose end date passed"))
            .count()
    }

    /// SIGKILL, and waits until it is gone.
    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Moa {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// Two Moa processes over `app`'s database, nginx in front of both.
struct Deployment {
    a: Moa,
    b: Moa,
    nginx: Nginx,
    database_url: String,
}

impl Deployment {
    fn start(app: &TestApp) -> Deployment {
        let database_url = app.database_url();
        let (a_port, b_port, nginx_port) = (free_port(), free_port(), free_port());
        let origin = format!("http://127.0.0.1:{nginx_port}");
        let a = Moa::start(&database_url, a_port, &origin);
        let b = Moa::start(&database_url, b_port, &origin);
        let nginx = Nginx::start(nginx_port, &[a_port, b_port]);
        Deployment {
            a,
            b,
            nginx,
            database_url,
        }
    }

    /// Where to reach Moa: A, B and nginx, by name.
    fn entrances(&self) -> [(&'static str, String); 3] {
        [
            ("A", self.a.url()),
            ("B", self.b.url()),
            ("nginx", self.nginx.origin()),
        ]
    }
}

/// A client whose connections come from `source` (127.0.0.x: each is a
/// different client address, all on this machine).
fn http_from(source: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::from(source))
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn call(
    http: &reqwest::Client,
    method: Method,
    url: String,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = http.request(method, &url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn text(http: &reqwest::Client, url: String) -> String {
    let response = http
        .get(&url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    assert_eq!(response.status().as_u16(), 200, "{url}");
    response.text().await.unwrap_or_default()
}

async fn open_project(app: &TestApp, publisher: i64, title: &str) -> i64 {
    insert_post(
        &app.db,
        publisher,
        NewPost {
            title,
            end_date: open_end_date(),
            ..NewPost::default()
        },
    )
    .await
}

async fn back(client: &Client<'_>, base: &str, post: i64) -> (u16, Value) {
    call(
        &client.app.client,
        Method::POST,
        format!("{base}/api/v1/posts/{post}/backings"),
        Some(&client.token),
        None,
    )
    .await
}

#[tokio::test]
#[ignore = "several processes: make test-faults"]
async fn a_write_through_one_process_shows_at_once_through_the_other_and_nginx() {
    let app = app_on_the_moved_clock().await;
    let studio = insert_publisher(&app.db, "studio_multi").await;
    let lamp = open_project(&app, studio, "Paper lamp").await;
    let publisher = account(&app, "publisher_multi", Role::Publisher, 0).await;
    let backer = account(&app, "backer_multi", Role::Backer, 1_000_000).await;
    let deployment = Deployment::start(&app);
    let http = &app.client;
    let [(_, a), (_, b), (_, edge)] = deployment.entrances();

    // Everything read (and kept) through B and nginx first.
    for base in [&b, &edge] {
        let list = text(http, format!("{base}/api/v1/posts")).await;
        assert!(list.contains("Paper lamp") && !list.contains("Brass bell"));
        let home = text(http, format!("{base}/")).await;
        assert!(home.contains("Paper lamp") && !home.contains("Brass bell"));
        let (_, detail) = call(
            http,
            Method::GET,
            format!("{base}/api/v1/posts/{lamp}"),
            None,
            None,
        )
        .await;
        assert_eq!(detail["backer_count"], 0, "{detail}");
    }

    // A project published through A.
    let final_date = (real_today() + Days::new(OFFSET_DAYS + 30)).to_string();
    let (status, body) = call(
        http,
        Method::POST,
        format!("{a}/api/v1/posts"),
        Some(&publisher.token),
        Some(json!({
            "title": "Brass bell",
            "publisher_name": "Studio Han",
            "content": "Cast by hand.",
            "target_amount": 1_000_000,
            "price": 15_000,
            "final_date": final_date,
        })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    for base in [&b, &edge] {
        let list = text(http, format!("{base}/api/v1/posts")).await;
        assert!(
            list.contains("Brass bell"),
            "the list through {base} is fresh"
        );
        let home = text(http, format!("{base}/")).await;
        assert!(
            home.contains("Brass bell"),
            "the home page through {base} is fresh"
        );
    }

    // A backing through A.
    let (status, body) = back(&backer, &a, lamp).await;
    assert_eq!(status, 201, "{body}");
    for base in [&b, &edge] {
        let (_, detail) = call(
            http,
            Method::GET,
            format!("{base}/api/v1/posts/{lamp}"),
            None,
            None,
        )
        .await;
        assert_eq!(
            detail["backer_count"], 1,
            "the project through {base} is fresh: {detail}"
        );
        assert_eq!(detail["total_amount"], 10_000, "{detail}");
    }
    // And one through B, seen through A.
    let (_, detail) = call(
        http,
        Method::GET,
        format!("{a}/api/v1/posts/{lamp}"),
        None,
        None,
    )
    .await;
    assert_eq!(detail["backer_count"], 1, "{detail}");
    let other = account(&app, "backer_multi_2", Role::Backer, 1_000_000).await;
    let (status, body) = back(&other, &b, lamp).await;
    assert_eq!(status, 201, "{body}");
    let (_, detail) = call(
        http,
        Method::GET,
        format!("{a}/api/v1/posts/{lamp}"),
        None,
        None,
    )
    .await;
    assert_eq!(
        detail["backer_count"], 2,
        "the project through A is fresh: {detail}"
    );
    assert_ledger_holds(&app.db).await;
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Waits until no project is left to settle.
async fn settled(app: &TestApp, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let due = count(
            app,
            "SELECT count(*) FROM posts WHERE status = 'FUNDING' AND title LIKE 'Due%'",
        )
        .await;
        if due == 0 {
            return;
        }
        assert!(Instant::now() < deadline, "{due} projects still unsettled");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn due_project(app: &TestApp, publisher: i64, title: &str, target: i64) -> i64 {
    insert_post(
        &app.db,
        publisher,
        NewPost {
            title,
            target_amount: target,
            end_date: due_end_date(),
            ..NewPost::default()
        },
    )
    .await
}

#[tokio::test]
#[ignore = "several processes: make test-faults"]
async fn settlement_runs_in_both_and_settles_each_project_once() {
    const PROJECTS: i64 = 30;
    let app = TestApp::spawn().await;
    // The publisher is paid into a pocket.
    account(&app, "studio_due", Role::Publisher, 0).await;
    let studio: i64 = sqlx::query_scalar("SELECT id FROM accounts WHERE username = 'studio_due'")
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let backers = [
        account(&app, "due_backer_1", Role::Backer, 10_000_000).await,
        account(&app, "due_backer_2", Role::Backer, 10_000_000).await,
    ];
    // Backed through the test's own server (its clock is before the end
    // dates); half reach their target (SUCCESS), half do not (CANCEL).
    for n in 0..PROJECTS {
        let target = if n % 2 == 0 { 20_000 } else { 1_000_000 };
        let post = due_project(&app, studio, &format!("Due {n}"), target).await;
        for backer in &backers {
            let (status, body) = back(backer, &app.base_url, post).await;
            assert_eq!(status, 201, "{body}");
        }
    }

    // Both processes start with their clocks past every end date.
    let mut deployment = Deployment::start(&app);
    settled(&app, Duration::from_secs(30)).await;
    // A few more passes in each settle nothing again.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let transitions = count(&app, "SELECT count(*) FROM post_transitions").await;
    let once = count(
        &app,
        "SELECT count(*) FROM (SELECT post_id FROM post_transitions GROUP BY post_id HAVING count(*) = 1) t",
    )
    .await;
    assert_eq!(
        (transitions, once),
        (PROJECTS, PROJECTS),
        "one transition per project"
    );
    assert_eq!(
        count(&app, "SELECT count(*) FROM posts WHERE status = 'SUCCESS'").await,
        PROJECTS / 2
    );
    assert_eq!(
        count(&app, "SELECT count(*) FROM posts WHERE status = 'CANCEL'").await,
        PROJECTS / 2
    );
    assert_eq!(
        count(&app, "SELECT count(*) FROM ledger_violations()").await,
        0
    );
    assert_ledger_holds(&app.db).await;
    println!(
        "passes that settled projects: {} in A, {} in B",
        deployment.a.settlement_passes_that_settled(),
        deployment.b.settlement_passes_that_settled()
    );

    // Each process settles by itself: with B stopped, A settles a project
    // that falls due; with A stopped (and B back), B does.
    let origin = deployment.nginx.origin();
    deployment.b.stop();
    due_project(&app, studio, "Due alone in A", 1_000_000).await;
    settled(&app, Duration::from_secs(10)).await;
    deployment.b = Moa::start(&deployment.database_url, deployment.b.port, &origin);
    deployment.a.stop();
    due_project(&app, studio, "Due alone in B", 1_000_000).await;
    settled(&app, Duration::from_secs(10)).await;
    assert_eq!(
        count(&app, "SELECT count(*) FROM post_transitions").await,
        PROJECTS + 2
    );
    assert_eq!(
        count(&app, "SELECT count(*) FROM ledger_violations()").await,
        0
    );
}

async fn log_in(http: &reqwest::Client, base: &str, username: &str, forged: Option<&str>) -> u16 {
    let mut request = http
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({ "username": username, "password": "not the password" }));
    if let Some(address) = forged {
        request = request.header("x-forwarded-for", address);
    }
    request
        .send()
        .await
        .map(|response| response.status().as_u16())
        .unwrap_or_else(|e| panic!("log in through {base}: {e}"))
}

#[tokio::test]
#[ignore = "several processes: make test-faults"]
async fn log_in_limits_count_across_both_processes_and_key_on_the_address_nginx_saw() {
    let app = TestApp::spawn().await;
    for name in ["lena", "mara"] {
        account(&app, name, Role::Backer, 0).await;
    }
    let deployment = Deployment::start(&app);
    let [(_, a), (_, b), (_, edge)] = deployment.entrances();

    // Against one server: 5 wrong passwords, then 429.
    let alone = http_from([127, 0, 0, 4]);
    for n in 1..=PASSWORD_TRIES {
        assert_eq!(log_in(&alone, &a, "mara", None).await, 401, "try {n} at A");
    }
    assert_eq!(log_in(&alone, &a, "mara", None).await, 429);

    // Alternating between A, B and nginx: the same count.
    let guesser = http_from([127, 0, 0, 2]);
    let rotation = [&a, &b, &edge];
    for n in 1..=PASSWORD_TRIES {
        let base = rotation[n % rotation.len()];
        assert_eq!(
            log_in(&guesser, base, "lena", None).await,
            401,
            "try {n} through {base}"
        );
    }
    for base in rotation {
        assert_eq!(
            log_in(&guesser, base, "lena", None).await,
            429,
            "through {base}"
        );
    }
    // A forged X-Forwarded-For through nginx does not help: nginx writes
    // the address it saw over it.
    assert_eq!(
        log_in(&guesser, &edge, "lena", Some("198.51.100.7")).await,
        429,
        "a forged X-Forwarded-For through nginx"
    );
    // Nor does a chosen request id: nginx names the request itself.
    let named = guesser
        .get(format!("{edge}/healthz"))
        .header("x-request-id", "chosen-by-the-client")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let id = named
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        id.len() == 32 && id.bytes().all(|byte| byte.is_ascii_hexdigit()),
        "the id through nginx is nginx's $request_id, not the client's: {id:?}"
    );
    // (Straight to Moa from the trusted proxy's own address, the same
    // header is believed: only nginx may reach Moa's port.)
    let proxy_address = http_from([127, 0, 0, 1]);
    assert_eq!(
        log_in(&proxy_address, &a, "lena", Some("198.51.100.7")).await,
        401
    );

    // Another client through nginx is counted as itself, not as nginx:
    // with "lena" under attack it gets one try, then 429.
    let other = http_from([127, 0, 0, 3]);
    assert_eq!(
        log_in(&other, &edge, "lena", None).await,
        401,
        "another client's one try"
    );
    assert_eq!(log_in(&other, &edge, "lena", None).await, 429);
}

#[tokio::test]
#[ignore = "several processes: make test-faults"]
async fn behind_nginx_the_origin_check_holds_and_live_figures_arrive_at_once() {
    let app = app_on_the_moved_clock().await;
    let studio = insert_publisher(&app.db, "studio_live").await;
    let post = open_project(&app, studio, "Live lamp").await;
    let first = account(&app, "live_backer_1", Role::Backer, 1_000_000).await;
    let second = account(&app, "live_backer_2", Role::Backer, 1_000_000).await;
    let deployment = Deployment::start(&app);
    let [(_, a), (_, b), (_, edge)] = deployment.entrances();
    let http = &app.client;

    // A server function (log in) from Moa's public origin is taken; from
    // another origin, or from a replica's own address, it is refused.
    let server_function = |base: &str, origin: &str| {
        http.post(format!("{base}/api/log_in"))
            .header(header::ORIGIN, origin.to_owned())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body("username=origin_probe&password=not+the+password")
            .send()
    };
    let check = |response: Result<reqwest::Response, reqwest::Error>| async move {
        let response = response.unwrap_or_else(|e| panic!("{e}"));
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    };
    let (status, body) = check(server_function(&edge, &edge).await).await;
    assert_ne!(status, 403, "from the public origin: {body}");
    assert!(!body.contains("CSRF_REJECTED"), "{body}");
    for (base, origin) in [
        (&edge, "http://evil.example"),
        (&a, &a),
        (&b, &edge.replace("127.0.0.1", "localhost")),
    ] {
        let (status, body) = check(server_function(base, origin).await).await;
        assert_eq!(status, 403, "{origin} through {base}: {body}");
        assert!(body.contains("CSRF_REJECTED"), "{body}");
    }

    // The live stream through nginx: each backing, through either process,
    // arrives at once (nginx buffers nothing).
    let mut stream = http
        .get(format!("{edge}/api/v1/posts/{post}/events"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stream.status().as_u16(), 200);
    let mut received = String::new();
    let mut wait_for = async |wanted: String| {
        let started = Instant::now();
        while !received.contains(&wanted) {
            let left = Duration::from_secs(3).saturating_sub(started.elapsed());
            match tokio::time::timeout(left, stream.chunk()).await {
                Ok(Ok(Some(bytes))) => received.push_str(&String::from_utf8_lossy(&bytes)),
                other => panic!("no {wanted} within 3 s ({other:?}): {received}"),
            }
        }
        started.elapsed()
    };
    wait_for("\"backer_count\":0,".to_owned()).await;
    let (status, body) = back(&first, &a, post).await;
    assert_eq!(status, 201, "{body}");
    let through_a = wait_for("\"backer_count\":1,".to_owned()).await;
    let (status, body) = back(&second, &b, post).await;
    assert_eq!(status, 201, "{body}");
    let through_b = wait_for("\"backer_count\":2,".to_owned()).await;
    println!(
        "live figures through nginx: {through_a:?} after a backing in A, {through_b:?} after one in B"
    );
    assert!(through_a < Duration::from_secs(1) && through_b < Duration::from_secs(1));
}

//! Stopping the real binary with SIGTERM (what `docker stop`, systemd and
//! Kubernetes send) or SIGINT (Ctrl-C): it stops accepting connections,
//! ends live-figure streams, lets a request in flight finish, and exits 0,
//! well within its 10 s drain.

mod common;

use std::{
    net::SocketAddr,
    process::{Child, Command, ExitStatus, Stdio},
    time::{Duration, Instant},
};

use common::{NewPost, create_database, insert_post, insert_publisher, redis_url};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

/// The real `server serve` process, killed if a test fails midway.
struct Running {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

/// A migrated database with one funding project, and its id.
async fn database_with_a_project() -> (String, i64) {
    let database_url = create_database().await;
    let config = common::config_for(&database_url, &redis_url());
    let db = server::connect_database(&config)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    server::migrate(&db).await.unwrap_or_else(|e| panic!("{e}"));
    let publisher = insert_publisher(&db, "stopping_studio").await;
    let post = insert_post(&db, publisher, NewPost::default()).await;
    (database_url, post)
}

async fn start(database_url: &str) -> Running {
    let addr: SocketAddr = ([127, 0, 0, 1], free_port()).into();
    let child = Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", database_url)
        .env("REDIS_URL", redis_url())
        .env("MOA_ADDR", addr.to_string())
        .env("MOA_METRICS_ADDR", "off")
        .env("MOA_JWT_SECRET", "test-secret-test-secret-test-secret!")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start the server binary: {e}"));
    let running = Running { child, addr };
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(addr).await.is_err() {
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    running
}

fn signal(running: &Running, name: &str) {
    let status = Command::new("kill")
        .args([format!("-{name}"), running.child.id().to_string()])
        .status()
        .unwrap_or_else(|e| panic!("kill: {e}"));
    assert!(status.success(), "kill -{name}");
}

/// Waits for the process to exit, for at most `limit`.
async fn exit_within(running: &mut Running, limit: Duration) -> ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = running.child.try_wait().unwrap_or(None) {
            return status;
        }
        assert!(Instant::now() < deadline, "still running after {limit:?}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Reads until the server closes the connection (or `limit` passes).
async fn read_to_end(stream: &mut TcpStream, limit: Duration) -> String {
    let mut received = Vec::new();
    let read = tokio::time::timeout(limit, stream.read_to_end(&mut received)).await;
    assert!(
        read.is_ok(),
        "the connection was still open after {limit:?}"
    );
    String::from_utf8_lossy(&received).into_owned()
}

async fn open_live_stream(addr: SocketAddr, post: i64) -> TcpStream {
    let mut stream = TcpStream::connect(addr)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let request = format!("GET /api/v1/posts/{post}/events HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // The first event (the figures now) proves the stream is open.
    let mut first = [0_u8; 512];
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut first)).await;
    let text = match read {
        Ok(Ok(length)) => String::from_utf8_lossy(&first[..length]).into_owned(),
        other => panic!("no answer from the live stream: {other:?}"),
    };
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    stream
}

#[tokio::test]
async fn sigterm_ends_streams_finishes_requests_in_flight_and_exits_0() {
    let (database_url, post) = database_with_a_project().await;
    let mut running = start(&database_url).await;
    let addr = running.addr;
    let mut live = open_live_stream(addr, post).await;

    // A request in flight: its head is sent, half its body is not.
    let body = br#"{"username":"nobody_here","password":"not the password"}"#;
    let (first_half, second_half) = body.split_at(body.len() / 2);
    let mut in_flight = TcpStream::connect(addr)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let head = format!(
        "POST /api/v1/auth/token HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    in_flight
        .write_all(head.as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    in_flight
        .write_all(first_half)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    tokio::time::sleep(Duration::from_millis(200)).await;

    let stopped_at = Instant::now();
    signal(&running, "TERM");

    // The live stream ends at once rather than holding the drain.
    read_to_end(&mut live, Duration::from_secs(3)).await;

    // No new connections are taken.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let refused = tokio::time::timeout(Duration::from_secs(2), async {
        let mut late = TcpStream::connect(addr).await.ok()?;
        let request = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\n\r\n");
        late.write_all(request.as_bytes()).await.ok()?;
        let mut answer = [0_u8; 64];
        match late.read(&mut answer).await {
            Ok(length) if length > 0 => {
                Some(String::from_utf8_lossy(&answer[..length]).into_owned())
            }
            _ => None,
        }
    })
    .await;
    assert!(
        matches!(refused, Ok(None)),
        "a connection after SIGTERM is not served: {refused:?}"
    );

    // The request in flight still gets its answer.
    in_flight
        .write_all(second_half)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let answer = read_to_end(&mut in_flight, Duration::from_secs(5)).await;
    assert!(
        answer.starts_with("HTTP/1.1 401"),
        "the log-in attempt in flight is answered: {answer}"
    );

    let status = exit_within(&mut running, Duration::from_secs(10)).await;
    assert_eq!(status.code(), Some(0), "a clean stop exits 0");
    assert!(
        stopped_at.elapsed() < Duration::from_secs(8),
        "nothing waited for the full drain: {:?}",
        stopped_at.elapsed()
    );
}

#[tokio::test]
async fn ctrl_c_stops_it_the_same_way() {
    let (database_url, post) = database_with_a_project().await;
    let mut running = start(&database_url).await;
    let mut live = open_live_stream(running.addr, post).await;
    signal(&running, "INT");
    read_to_end(&mut live, Duration::from_secs(3)).await;
    let status = exit_within(&mut running, Duration::from_secs(10)).await;
    assert_eq!(status.code(), Some(0));
}

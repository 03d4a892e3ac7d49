//! Private PostgreSQL clusters and Redis servers for the fault tests: each
//! runs on its own loopback port out of its own temporary directory, so a
//! test may stop, kill or restart it without touching the shared servers.
//! Dropping one stops it and deletes its directory, also when a test fails.
#![allow(dead_code)] // Each test binary uses a different part of this module.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::atomic::{AtomicUsize, Ordering},
    time::{Duration, Instant},
};

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";
const REDIS_SERVER: &str = "/usr/bin/redis-server";

static DIRECTORY_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A loopback port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

fn scratch_directory(kind: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "moa-faults-{kind}-{}-{}",
        std::process::id(),
        DIRECTORY_COUNTER.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {dir:?}: {e}"));
    dir
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Waits until something accepts connections on `port`.
fn wait_for_port(port: u16, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// A redis-server child process on its own port, without persistence.
pub struct PrivateRedis {
    pub port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl PrivateRedis {
    pub fn start() -> PrivateRedis {
        let mut redis = PrivateRedis {
            port: free_port(),
            dir: scratch_directory("redis"),
            child: None,
        };
        redis.restart();
        redis
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts it again on the same port (empty: nothing was saved).
    pub fn restart(&mut self) {
        self.stop();
        let port = self.port.to_string();
        let child = Command::new(REDIS_SERVER)
            .args([
                "--port",
                &port,
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
            ])
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {REDIS_SERVER}: {e}"));
        self.child = Some(child);
        assert!(
            wait_for_port(self.port, Duration::from_secs(10)),
            "redis-server did not listen on {}",
            self.port
        );
    }

    /// Kills it (SIGKILL: as if it crashed) and waits until it is gone.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A PostgreSQL 15 cluster of its own (initdb, pg_ctl), trust
/// authentication, fsync off, on a loopback port and a private socket
/// directory. Run as the `postgres` OS user when the tests run as root.
pub struct PrivatePostgres {
    pub port: u16,
    dir: PathBuf,
    running: bool,
}

impl PrivatePostgres {
    pub fn start() -> PrivatePostgres {
        let dir = scratch_directory("pg");
        let as_root = is_root();
        if as_root {
            run(Command::new("chown").arg("-R").arg("postgres").arg(&dir));
        }
        let mut cluster = PrivatePostgres {
            port: free_port(),
            dir,
            running: false,
        };
        let data = cluster.data();
        run(cluster.command("initdb").arg("-D").arg(&data).args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
        ]));
        cluster.pg_ctl(&["start"]);
        cluster.running = true;
        cluster
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// A program from the PostgreSQL binaries, as the `postgres` user if
    /// we are root (initdb and postgres refuse root).
    fn command(&self, program: &str) -> Command {
        let program = Path::new(PG_BIN).join(program);
        if is_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }

    fn pg_ctl(&self, action: &[&str]) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=100",
            self.port,
            self.dir.display()
        );
        run(self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .arg("-l")
            .arg(self.dir.join("log"))
            .args(["-o", &options, "-w", "-t", "60"])
            .args(action));
    }

    /// `postgres://postgres@127.0.0.1:PORT`, without a database.
    pub fn server_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}", self.port)
    }

    /// `pg_ctl restart -m fast`: every session is cut off, the server
    /// comes back on the same port.
    pub fn restart_fast(&self) {
        self.pg_ctl(&["restart", "-m", "fast"]);
    }

    /// A hot-standby streaming replica of this cluster, as production has
    /// one: `pg_basebackup -R` (which writes the standby settings) into a
    /// directory of its own, started on its own loopback port.
    pub fn start_replica(&self) -> PrivatePostgres {
        let dir = scratch_directory("pg-replica");
        if is_root() {
            run(Command::new("chown").arg("-R").arg("postgres").arg(&dir));
        }
        let mut replica = PrivatePostgres {
            port: free_port(),
            dir,
            running: false,
        };
        let primary_port = self.port.to_string();
        run(replica
            .command("pg_basebackup")
            .arg("-D")
            .arg(replica.data())
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &primary_port,
                "-U",
                "postgres",
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
                "--no-sync",
            ]));
        replica.pg_ctl(&["start"]);
        replica.running = true;
        replica
    }

    /// Every process of the cluster: the postmaster and its children.
    fn processes(&self) -> Vec<String> {
        let pid_file = self.data().join("postmaster.pid");
        let postmaster = std::fs::read_to_string(&pid_file)
            .unwrap_or_else(|e| panic!("cannot read {pid_file:?}: {e}"))
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned();
        let children = Command::new("pgrep")
            .args(["-P", &postmaster])
            .output()
            .unwrap_or_else(|e| panic!("cannot run pgrep: {e}"));
        std::iter::once(postmaster)
            .chain(
                String::from_utf8_lossy(&children.stdout)
                    .split_whitespace()
                    .map(str::to_owned),
            )
            .collect()
    }

    /// Stops every process of it (SIGSTOP): connections are accepted by
    /// the kernel and nothing answers, as with a hung machine.
    pub fn freeze(&self) {
        run(Command::new("kill").arg("-STOP").args(self.processes()));
    }

    /// Lets a frozen cluster run again (SIGCONT).
    pub fn thaw(&self) {
        run(Command::new("kill").arg("-CONT").args(self.processes()));
    }

    /// Stops it at once (`-m immediate`: as if the machine went away).
    pub fn stop(&mut self) {
        if self.running {
            self.pg_ctl(&["stop", "-m", "immediate"]);
            self.running = false;
        }
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        if self.running {
            let _ = self
                .command("pg_ctl")
                .arg("-D")
                .arg(self.data())
                .args(["-m", "immediate", "-w", "stop"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn run(command: &mut Command) {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(
        out.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

//! Debian's nginx (`make setup` installs it) in front of several Moa
//! processes, as deploy/nginx.conf puts it in front of the compose
//! replicas: the same proxy settings, without TLS, on a loopback port,
//! out of a temporary directory (configuration, pid, logs and temporary
//! files), as a child process in the foreground. Dropping it stops it and
//! deletes the directory.

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

pub const NGINX: &str = "/usr/sbin/nginx";

pub struct Nginx {
    pub port: u16,
    dir: PathBuf,
    child: Child,
}

/// The `http` block: deploy/nginx.conf's proxy settings, upstream =
/// `upstreams` (loopback ports).
fn configuration(dir: &std::path::Path, port: u16, upstreams: &[u16]) -> String {
    let dir = dir.display();
    let servers: String = upstreams
        .iter()
        .map(|upstream| {
            format!("        server 127.0.0.1:{upstream} max_fails=1 fail_timeout=10s;\n")
        })
        .collect();
    format!(
        r#"worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log notice;

events {{
    worker_connections 256;
}}

http {{
    default_type application/octet-stream;
    server_tokens off;
    access_log {dir}/access.log;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    gzip off;
    tcp_nodelay on;
    keepalive_timeout 65s;
    client_header_timeout 10s;
    client_body_timeout 10s;
    client_max_body_size 64k;

    upstream moa {{
{servers}        keepalive 32;
    }}

    server {{
        listen 127.0.0.1:{port};
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $remote_addr;
        proxy_set_header X-Request-Id $request_id;
        proxy_connect_timeout 2s;
        proxy_read_timeout 60s;
        proxy_send_timeout 60s;
        proxy_next_upstream error timeout;
        proxy_next_upstream_tries 2;

        location / {{
            proxy_pass http://moa;
        }}

        location ~ ^/api/v1/posts/[0-9]+/events$ {{
            proxy_pass http://moa;
            proxy_buffering off;
            proxy_cache off;
            proxy_read_timeout 1h;
            proxy_send_timeout 1h;
        }}
    }}
}}
"#
    )
}

impl Nginx {
    /// nginx on `port` in front of the Moa processes on `upstreams`. Fails
    /// when nginx is missing: `make setup` installs it.
    pub fn start(port: u16, upstreams: &[u16]) -> Nginx {
        assert!(
            std::path::Path::new(NGINX).exists(),
            "{NGINX} is missing: run `make setup` (it installs Debian's nginx-light)"
        );
        let dir = std::env::temp_dir().join(format!("moa-nginx-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {dir:?}: {e}"));
        let file = dir.join("nginx.conf");
        std::fs::write(&file, configuration(&dir, port, upstreams))
            .unwrap_or_else(|e| panic!("cannot write {file:?}: {e}"));
        let child = Command::new(NGINX)
            .arg("-p")
            .arg(&dir)
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-c")
            .arg(&file)
            .args(["-g", "daemon off;"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {NGINX}: {e}"));
        let mut nginx = Nginx { port, dir, child };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            let exited = nginx.child.try_wait().ok().flatten();
            assert!(
                exited.is_none() && Instant::now() < deadline,
                "nginx did not start ({exited:?}): {}",
                nginx.error_log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        nginx
    }

    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("error.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM, not SIGKILL: the master then stops its workers too.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#!/usr/bin/env bash
# Static checks of the deployment files (Dockerfile, compose.yaml,
# deploy/nginx.conf), which Docker cannot run on the development and CI
# machines: the environment variables compose passes to Moa are ones Moa
# reads; the image builds with the tool versions of scripts/setup-tools.sh;
# nginx streams the live figures unbuffered and trusts-and-is-trusted as
# configured. bash and python3's standard library only (PyYAML when it is
# importable, otherwise a small indentation parser; MOA_DEPLOY_CHECK_NO_YAML=1
# forces the latter). Exits non-zero on any failure.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
cd "$MOA_ROOT"

export MOA_CHECK_CARGO_LEPTOS_VERSION="$CARGO_LEPTOS_VERSION"
MOA_CHECK_WASM_BINDGEN_VERSION="$(locked_wasm_bindgen_version)"
export MOA_CHECK_WASM_BINDGEN_VERSION

python3 - <<'PY'
import json
import os
import re
import sys

failures = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        failures.append(what)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


dockerfile = read("Dockerfile")
compose_text = read("compose.yaml")
nginx = read("deploy/nginx.conf")
config_rs = read("server/src/config.rs")
startup_rs = read("server/src/startup.rs")
env_example = read(".env.example")
setup_tools = read("scripts/setup-tools.sh")
lib_sh = read("scripts/lib.sh")
cargo_toml = read("Cargo.toml")


# --- compose.yaml ----------------------------------------------------------

def indentation_parse(text):
    """A minimal reader for compose.yaml's own shape: returns, for every
    mapping key, its path of parent keys, and every list item's path.
    Enough to find environment keys, env_file entries and addresses."""
    keys, items, stack = [], [], []  # stack: (indent, key)
    for raw in text.splitlines():
        line = raw.split(" #")[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        body = line.strip()
        while stack and stack[-1][0] >= indent:
            stack.pop()
        path = [k for _, k in stack]
        if body.startswith("- "):
            items.append((path, body[2:].strip().strip('"')))
            continue
        m = re.match(r"""^("?)([^":]+)\1:(?:\s+(.*))?$""", body)
        if not m:
            continue
        key, value = m.group(2), (m.group(3) or "").strip()
        keys.append((path, key, value.strip('"')))
        stack.append((indent, key))
    return keys, items


def moa_env_from_yaml(text):
    import yaml  # noqa: PLC0415

    doc = yaml.safe_load(text)
    services = doc["services"]
    moa = {
        name: s
        for name, s in services.items()
        if "build" in s or "moa" in str(s.get("image", "")).split("/")[-1].split(":")[0].lower()
    }
    names, env_files, values = set(), set(), {}
    for name, s in moa.items():
        env = s.get("environment") or {}
        if isinstance(env, list):
            env = dict(e.split("=", 1) if "=" in e else (e, "") for e in env)
        names.update(env)
        for key, value in env.items():
            values.setdefault(key, set()).add(str(value))
        files = s.get("env_file") or []
        env_files.update([files] if isinstance(files, str) else
                         [f if isinstance(f, str) else f["path"] for f in files])
    addresses = {
        name: (s.get("networks") or {}).get("backend", {}).get("ipv4_address")
        for name, s in services.items()
        if isinstance(s.get("networks"), dict)
    }
    published = {name for name, s in moa.items() if s.get("ports")}
    return sorted(moa), names, env_files, values, addresses, published


def moa_env_from_text(text):
    keys, items = indentation_parse(text)
    services = {k for p, k, v in keys if p == ["services"]}
    merged = {p[1] for p, k, v in keys if len(p) == 2 and p[0] == "services" and k == "<<" and v == "*moa"}
    moa = sorted(s for s in services if s in merged)
    names, values = set(), {}
    for p, k, v in keys:
        in_block = p == ["x-moa-environment"] or (
            len(p) == 3 and p[0] == "services" and p[1] in moa and p[2] == "environment")
        if in_block and re.fullmatch(r"[A-Z][A-Z0-9_]*", k):
            names.add(k)
            values.setdefault(k, set()).add(v)
    env_files = {v for p, v in items if p and p[-1] == "env_file" and (p[0] == "x-moa" or p[1:2] and p[1] in moa)}
    addresses = {}
    for p, k, v in keys:
        if k == "ipv4_address" and len(p) >= 4 and p[0] == "services" and p[-1] == "backend":
            addresses[p[1]] = v
    published = {p[1] for p, k, v in keys if k == "ports" and len(p) == 2 and p[0] == "services" and p[1] in moa}
    if any(p == ["x-moa"] and k == "ports" for p, k, v in keys):
        published |= set(moa)
    return moa, names, env_files, values, addresses, published


use_yaml = os.environ.get("MOA_DEPLOY_CHECK_NO_YAML") != "1"
if use_yaml:
    try:
        import yaml  # noqa: F401
    except ImportError:
        use_yaml = False
print(f"(compose.yaml read with {'PyYAML' if use_yaml else 'the indentation parser'})")
moa_services, env_names, env_files, env_values, addresses, published = (
    moa_env_from_yaml if use_yaml else moa_env_from_text)(compose_text)

check(set(moa_services) >= {"moa-1", "moa-2", "migrate"},
      f"compose runs Moa as migrate, moa-1 and moa-2 (found {', '.join(moa_services) or 'none'})")

# The env file itself holds secrets and is not in git: its example is.
file_names = set()
for path in sorted(env_files):
    example = path + ".example"
    check(os.path.isfile(example), f"{example} exists (the committed example of env_file {path})")
    if os.path.isfile(example):
        for line in read(example).splitlines():
            m = re.match(r"^([A-Z][A-Z0-9_]*)=(.*)$", line)
            if m:
                file_names.add(m.group(1))
                if m.group(1) == "MOA_JWT_SECRET":
                    check(m.group(2) == "", f"{example} leaves MOA_JWT_SECRET empty")


def moa_reads(name):
    return f'"{name}"' in config_rs or re.search(rf"^{name}=", env_example, re.M) is not None

for name in sorted(env_names | file_names):
    check(moa_reads(name), f"{name}, passed to Moa by compose, is read in server/src/config.rs or listed in .env.example")

for name in ("DATABASE_URL", "MOA_JWT_SECRET", "POSTGRES_PASSWORD"):
    check(name not in env_names and not re.search(rf"^\s+{name}:", compose_text, re.M),
          f"{name} is not written into compose.yaml (it comes from an env file or a secret)")
for name in ("DATABASE_URL", "MOA_JWT_SECRET", "MOA_PUBLIC_ORIGIN"):
    check(name in file_names, f"{name} reaches Moa through the env file")

check(env_values.get("MOA_ENV") == {"production"}, "every Moa container runs with MOA_ENV=production")
proxies = env_values.get("MOA_TRUSTED_PROXIES", set())
nginx_address = addresses.get("nginx")
check(nginx_address is not None and proxies == {nginx_address},
      f"MOA_TRUSTED_PROXIES ({', '.join(sorted(proxies)) or 'unset'}) is nginx's fixed address ({nginx_address})")
check(all(re.fullmatch(r"[0-9.]+|[0-9a-fA-F:]+", p) for p in ",".join(proxies).split(",") if p.strip()),
      "MOA_TRUSTED_PROXIES lists single addresses (config.rs takes no ranges)")
metrics = env_values.get("MOA_METRICS_ADDR", set())
check(not published,
      f"no Moa container publishes a port: nginx is the way in, /metrics ({', '.join(sorted(metrics))}) stays inside"
      + (f" (published: {', '.join(sorted(published))})" if published else ""))

# --- Dockerfile -------------------------------------------------------------


def arg(name):
    m = re.search(rf"^ARG {name}=(\S+)$", dockerfile, re.M)
    return m.group(1) if m else None

rust_version = re.search(r'^rust-version = "([^"]+)"', cargo_toml, re.M).group(1)
check(arg("RUST_VERSION") == rust_version and "FROM rust:${RUST_VERSION}-bookworm" in dockerfile,
      f"the builder is rust:{arg('RUST_VERSION')}-bookworm; Cargo.toml's rust-version is {rust_version}")

leptos_version = os.environ["MOA_CHECK_CARGO_LEPTOS_VERSION"]
check(arg("CARGO_LEPTOS_VERSION") == leptos_version,
      f"cargo-leptos {arg('CARGO_LEPTOS_VERSION')} in the Dockerfile, {leptos_version} in scripts/lib.sh")
flags = re.search(r"cargo install cargo-leptos (.*)", setup_tools).group(1)
wanted = [f for f in ("--locked", "--features no_downloads") if f in flags]
install = re.search(r"cargo install cargo-leptos (.*)", dockerfile)
check(install is not None and all(f in install.group(1) for f in wanted),
      f"the Dockerfile installs cargo-leptos with setup-tools.sh's flags ({' '.join(wanted)})")

bindgen_version = os.environ["MOA_CHECK_WASM_BINDGEN_VERSION"]
check(arg("WASM_BINDGEN_VERSION") == bindgen_version,
      f"wasm-bindgen-cli {arg('WASM_BINDGEN_VERSION')} in the Dockerfile, {bindgen_version} in Cargo.lock")
check("cargo install wasm-bindgen-cli" in dockerfile
      and "--locked" not in re.search(r"cargo install wasm-bindgen-cli.*", dockerfile).group(0),
      "wasm-bindgen-cli is installed without --locked, as in setup-tools.sh")

wasm_opt_setup = re.search(r'wasm-opt --version \| grep -q "version (\d+)"', setup_tools)
wasm_opt_docker = re.search(r'wasm-opt --version\)" == \*"version (\d+)"\*', dockerfile)
lock = json.loads(read("end2end/package-lock.json"))
binaryen = lock["packages"].get("node_modules/binaryen", {}).get("version", "")
check(wasm_opt_setup and wasm_opt_docker and wasm_opt_setup.group(1) == wasm_opt_docker.group(1)
      and binaryen.split(".")[0] == wasm_opt_setup.group(1),
      f"wasm-opt is binaryen {wasm_opt_setup and wasm_opt_setup.group(1)} in setup-tools.sh, "
      f"{wasm_opt_docker and wasm_opt_docker.group(1)} in the Dockerfile, {binaryen} in package-lock.json")
check("npm ci" in dockerfile and "end2end/package-lock.json" in dockerfile,
      "the npm packages come from end2end/package-lock.json (npm ci)")
check("rustup target add wasm32-unknown-unknown" in dockerfile and "wasm32-unknown-unknown" in setup_tools,
      "the wasm32-unknown-unknown target is added")
check("cargo leptos build --release --precompress --split" in lib_sh
      and re.search(r"source scripts/lib\.sh[\s\S]*use_build_tools[\s\S]*release_build", dockerfile) is not None,
      "the image runs lib.sh's release_build (cargo leptos build --release --precompress --split)")
check("target/release/hash.txt" in dockerfile and "target/site" in dockerfile,
      "the image takes the binary, hash.txt beside it and target/site")

env_block = re.search(r"^ENV ((?:.*\\\n)*.*)$", dockerfile, re.M)
image_env = dict(re.findall(r"([A-Z][A-Z0-9_]*)=(\S+)", env_block.group(1) if env_block else ""))
for name in sorted(image_env):
    if name == "PATH":
        continue
    known = f'"{name}"' in startup_rs if name.startswith("LEPTOS_") else moa_reads(name)
    check(known, f"the image's {name} is read by Moa ({'startup.rs' if name.startswith('LEPTOS_') else 'config.rs or .env.example'})")
port = image_env.get("MOA_ADDR", "").rsplit(":", 1)[-1]
check(re.search(rf"^EXPOSE {port}$", dockerfile, re.M) is not None, f"the image exposes MOA_ADDR's port {port}")
check(re.search(r"^HEALTHCHECK[\s\S]*?/healthz", dockerfile, re.M) is not None and " curl" in dockerfile.split("HEALTHCHECK")[0],
      "HEALTHCHECK asks /healthz with curl, which the image installs")
check(re.search(r'^CMD \["server", "serve"\]$', dockerfile, re.M) is not None
      and re.search(r"^STOPSIGNAL SIGTERM$", dockerfile, re.M) is not None, "CMD server serve, STOPSIGNAL SIGTERM")
check(re.search(r"^USER (?!root|0\b)\S+", dockerfile, re.M) is not None, "the image runs as a non-root user")

# --- deploy/nginx.conf -------------------------------------------------------

def blocks(text, opener):
    """Every `opener ... { ... }` block: (header, body), braces balanced."""
    found = []
    for m in re.finditer(opener, text, re.M):
        start = text.index("{", m.end() - 1)
        depth, i = 0, start
        while i < len(text):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            if depth == 0:
                break
            i += 1
        found.append((m.group(0), text[start + 1:i]))
    return found

code = "\n".join(line.split("#")[0] for line in nginx.splitlines())
locations = blocks(code, r"^\s*location\s+([^{]*)\{")
sse_path = "/api/v1/posts/42/events"


def serves(header, path):
    """Whether a location header (`location ~ ^/a/[0-9]+$ {`) takes `path`:
    regular expressions as Python reads them, prefixes as prefixes."""
    spec = header.strip()[len("location"):].strip().rstrip("{").strip()
    modifier, _, pattern = spec.partition(" ") if spec[:1] in "~=^" else ("", "", spec)
    if modifier in ("~", "~*"):
        return re.search(pattern.strip(), path, re.I if modifier == "~*" else 0) is not None
    if modifier == "=":
        return pattern.strip() == path
    return path.startswith(pattern.strip()) and pattern.strip() != "/"


sse = [body for header, body in locations if serves(header, sse_path)]
check(len(sse) == 1, f"one location of nginx.conf serves {sse_path}")
sse_body = sse[0] if sse else ""
check(re.search(r"proxy_buffering\s+off;", sse_body) is not None, "the SSE location has proxy_buffering off")
timeout = re.search(r"proxy_read_timeout\s+(\d+)([smh]?);", sse_body)
seconds = int(timeout.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[timeout.group(2)] if timeout else 60
check(seconds >= 600, f"the SSE location waits {seconds} s between reads (Moa sends a comment every 15 s)")
check(not re.search(r"proxy_set_header", sse_body), "the SSE location keeps the server's proxy_set_header lines")
check(re.search(r"proxy_http_version\s+1\.1;", code) and re.search(r'proxy_set_header\s+Connection\s+"";', code),
      "upstream connections are HTTP/1.1 with Connection \"\"")
check(re.search(r"proxy_set_header\s+X-Request-Id\s+\$request_id;", code),
      "nginx names each request (X-Request-Id): Moa believes the header from it, so the client's must not pass")
check(re.search(r"proxy_set_header\s+X-Forwarded-For\s+\$", code) and re.search(r"proxy_set_header\s+Host\s+\$host;", code),
      "nginx sets X-Forwarded-For and Host")
upstream = blocks(code, r"^\s*upstream\s+\S+\s*\{")
servers = re.findall(r"server\s+([\w.-]+):(\d+)", upstream[0][1]) if upstream else []
hosts = {h for h, _ in servers}
check(hosts >= {"moa-1", "moa-2"} and hosts <= set(moa_services) and {p for _, p in servers} == {port},
      f"the upstream is compose's Moa replicas on port {port} ({', '.join(':'.join(s) for s in servers)})")
for name in sorted(hosts):
    check(addresses.get(name) is not None, f"{name} has a fixed address, so the name nginx resolved at start stays right")
check(re.search(r"^\s*gzip\s+off;", code, re.M) is not None, "nginx does not compress again")
sizes = re.findall(r"client_max_body_size\s+(\d+)k;", code)
check(sizes and min(map(int, sizes)) == 64 and max(map(int, sizes)) >= 240,
      f"request bodies: 64k, and room for a 20,000-character description where projects are written ({', '.join(s + 'k' for s in sizes)})")

# --- ignore files ------------------------------------------------------------

gitignore = read(".gitignore")
check("/deploy/moa.env" in gitignore and "/deploy/secrets" in gitignore, "git ignores deploy/moa.env and deploy/secrets")
dockerignore = read(".dockerignore").split()
check(all(p in dockerignore for p in (".git", "**/target", "**/node_modules", "deploy")),
      ".dockerignore keeps .git, target, node_modules and the secrets out of the build context")

if failures:
    print(f"\n{len(failures)} deployment check(s) failed", file=sys.stderr)
    sys.exit(1)
print("\nthe deployment files agree with Moa and its build")
PY

"""Prints the benchmark table from the rows scripts/bench/lib.sh recorded
(one tab-separated line per measurement) and, with --json, writes the
figures with a description of the machine (bench/results.json).

Every row is also a ratio to GET /hello measured in the same run (what this
machine serves at all through Moa's middleware), and the HTML rows to the
cached list at the same size. The issue's targets are checked at the end."""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys

FIELDS = ["key", "route", "projects", "redis", "visitor", "rps", "p50_ms", "p99_ms",
          "requests", "errors", "compare"]


def read_rows(path):
    rows = []
    if not os.path.exists(path):
        return rows
    with open(path, encoding="utf-8") as f:
        for line in f:
            values = line.rstrip("\n").split("\t")
            row = dict(zip(FIELDS, values))
            row["projects"] = int(row["projects"])
            row["rps"] = float(row["rps"])
            row["p50_ms"] = float(row["p50_ms"])
            row["p99_ms"] = float(row["p99_ms"])
            row["requests"] = int(row["requests"])
            row["errors"] = int(row["errors"])
            rows.append(row)
    return rows


def read_explain(path):
    plans = []
    if not os.path.exists(path):
        return plans
    with open(path, encoding="utf-8") as f:
        for line in f:
            projects, query, ms = line.rstrip("\n").split("\t")
            plans.append({"projects": int(projects), "query": query, "execution_ms": float(ms)})
    return plans


def command(*args):
    try:
        out = subprocess.run(args, capture_output=True, text=True, check=False)
        return (out.stdout or out.stderr).strip()
    except OSError:
        return ""


def machine():
    cpu = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory_gb = None
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    wrk = command("wrk", "-v").splitlines()
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": memory_gb,
        "kernel": platform.release(),
        "postgres": os.environ.get("BENCH_PG_VERSION", ""),
        "redis": os.environ.get("BENCH_REDIS_VERSION", ""),
        "wrk": wrk[0].split(" [")[0] if wrk else "",
        "load_average_before": float(os.environ["BENCH_LOAD_BEFORE"])
        if os.environ.get("BENCH_LOAD_BEFORE") else None,
    }


def code():
    root = os.environ.get("MOA_ROOT", ".")
    server = os.environ.get("BENCH_SERVER", "")
    built = None
    if server and os.path.exists(server):
        built = datetime.datetime.fromtimestamp(os.path.getmtime(server), datetime.timezone.utc)
        built = built.isoformat(timespec="seconds").replace("+00:00", "Z")
    commit = command("git", "-C", root, "rev-parse", "HEAD")
    # A binary from another checkout (MOA_BENCH_SERVER): that checkout's commit.
    server_commit, server_dirty = None, None
    if server and os.path.exists(server):
        folder = os.path.dirname(os.path.realpath(server))
        server_commit = command("git", "-C", folder, "rev-parse", "HEAD")
        if len(server_commit) == 40:
            server_dirty = bool(command("git", "-C", folder, "status", "--porcelain", "--untracked-files=no"))
        else:
            server_commit = None
    return {
        "git_commit": commit,
        "git_dirty": bool(command("git", "-C", root, "status", "--porcelain", "--untracked-files=no")),
        "server_binary": os.path.relpath(server, root) if server else "",
        "server_built_at": built,
        # The checkout the binary sits in (the same one unless MOA_BENCH_SERVER).
        "server_checkout_commit": server_commit,
        "server_checkout_dirty": server_dirty,
    }


def settings():
    def number(name, default):
        try:
            return int(os.environ.get(name, default))
        except ValueError:
            return default
    return {
        "seconds_per_row": number("BENCH_SECONDS", 10),
        "warmup_seconds": number("BENCH_WARMUP", 2),
        "connections": number("BENCH_CONNECTIONS", 32),
        "threads": number("BENCH_THREADS", 2),
        "load_generator": "wrk, on the same machine as the server",
        "redis_unreachable": "REDIS_URL=redis://127.0.0.1:1 (every request reaches PostgreSQL)",
    }


def add_ratios(rows):
    by_key = {row["key"]: row for row in rows}
    hello = by_key.get("hello")
    for row in rows:
        row["ratio_to_hello"] = round(row["rps"] / hello["rps"], 3) if hello and hello["rps"] else None
        compared = by_key.get(row["compare"]) if row["compare"] else None
        row["ratio_to"] = compared["key"] if compared else None
        row["ratio_to_compared"] = (
            round(row["rps"] / compared["rps"], 3) if compared and compared["rps"] else None
        )
    return by_key


def targets(by_key):
    """The issue's figures, checked on this run's rows where both are here."""
    checks = []

    def at_least(name, key, floor, floor_text):
        row = by_key.get(key)
        if row and floor is not None:
            checks.append({"target": name, "measured_rps": row["rps"], "needed_rps": round(floor, 1),
                           "met": row["rps"] >= floor, "needed": floor_text})

    cached = by_key.get("list_cached_1k")
    if cached:
        half = cached["rps"] / 2
        for key, route in [("html_home_anonymous", "GET / (HTML, anonymous)"),
                           ("html_detail_anonymous", "GET /posts/{id} (HTML, anonymous)")]:
            at_least(f"{route} ≥ ½ × GET /api/v1/posts cached", key, half,
                     "half the cached list's req/s, same run")
    at_least("GET /api/v1/posts, Redis unreachable, 1,000 projects ≥ 8,000 req/s",
             "list_uncached_1k", 8000.0, "8,000 req/s")
    # The issue asks this of the list; a search at 100,000 projects only has
    # to avoid counting every match (its figure is in the table).
    for route, small, large in [("GET /api/v1/posts", "list_uncached_1k", "list_uncached_100k")]:
        if by_key.get(small):
            at_least(f"{route}, Redis unreachable, 100,000 projects no more than 1.5× slower than at 1,000",
                     large, by_key[small]["rps"] / 1.5, "the 1,000-project req/s ÷ 1.5")
    return checks


def number(value, digits=0):
    return f"{value:,.{digits}f}"


def print_table(rows, checks, plans):
    if plans:
        print()
        print("Query plans (EXPLAIN ANALYZE execution time, ms)")
        sizes = sorted({p["projects"] for p in plans})
        queries = list(dict.fromkeys(p["query"] for p in plans))
        width = max(len(q) for q in queries)
        print("  " + "query".ljust(width) + "".join(f"{number(s) + ' projects':>18}" for s in sizes))
        for query in queries:
            cells = []
            for size in sizes:
                found = [p for p in plans if p["query"] == query and p["projects"] == size]
                cells.append(f"{found[0]['execution_ms']:>18.3f}" if found else " " * 18)
            print("  " + query.ljust(width) + "".join(cells))
    if not rows:
        return
    print()
    head = ["route", "visitor", "projects", "Redis", "req/s", "p50 ms", "p99 ms", "× hello", "× list"]
    table = []
    for row in rows:
        table.append([
            row["route"], row["visitor"], number(row["projects"]), row["redis"],
            number(row["rps"]), f"{row['p50_ms']:.2f}", f"{row['p99_ms']:.2f}",
            f"{row['ratio_to_hello']:.2f}" if row["ratio_to_hello"] is not None else "",
            f"{row['ratio_to_compared']:.2f}" if row["ratio_to_compared"] is not None else "",
        ] + ([f"{row['errors']} errors"] if row["errors"] else []))
    # Ratio columns only when this run has what they compare with.
    shown = [i for i in range(len(head)) if i < 7 or any(r[i] for r in table)]
    extra = len(head)
    table = [[r[i] for i in shown] + r[extra:] for r in table]
    head = [head[i] for i in shown]
    widths = [max(len(str(r[i])) for r in table + [head]) for i in range(len(head))]
    left = {0, 1, 3}

    def line(cells):
        out = []
        for i, cell in enumerate(cells[:len(head)]):
            out.append(str(cell).ljust(widths[i]) if i in left else str(cell).rjust(widths[i]))
        return "  ".join(out) + ("  " + " ".join(cells[len(head):]) if len(cells) > len(head) else "")

    print(line(head))
    print("  ".join("-" * w for w in widths))
    for cells in table:
        print(line(cells))
    if len(head) > 7:
        print()
        print("× hello: req/s as a share of GET /hello in this run; × list: of GET /api/v1/posts "
              "(cached, same projects) in this run.")
    if checks:
        print()
        print("The issue's targets")
        for check in checks:
            mark = "met   " if check["met"] else "MISSED"
            print(f"  {mark} {check['target']}: {number(check['measured_rps'])} req/s "
                  f"(needs {number(check['needed_rps'])})")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", required=True)
    parser.add_argument("--explain")
    parser.add_argument("--json", help="where to write the figures (bench/results.json)")
    args = parser.parse_args()

    rows = read_rows(args.rows)
    plans = read_explain(args.explain) if args.explain else []
    by_key = add_ratios(rows)
    checks = targets(by_key)
    print_table(rows, checks, plans)

    if args.json:
        result = {
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
            .replace("+00:00", "Z"),
            "machine": machine(),
            "code": code(),
            "settings": settings(),
            "rows": [
                {
                    "key": row["key"], "label": f"{row['route']}, {row['visitor']}", "route": row["route"],
                    "visitor": row["visitor"], "projects": row["projects"], "redis": row["redis"],
                    "rps": row["rps"], "p50_ms": row["p50_ms"], "p99_ms": row["p99_ms"],
                    "requests": row["requests"], "errors": row["errors"],
                    "ratio_to_hello": row["ratio_to_hello"],
                    "ratio_to": row["ratio_to"], "ratio_to_compared": row["ratio_to_compared"],
                }
                for row in rows
            ],
            "targets": checks,
            "query_plans": plans,
        }
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=2, ensure_ascii=False)
            f.write("\n")
        print()
        print(f"written to {os.path.relpath(args.json)}")
    if any(row["errors"] for row in rows):
        print("moa: some requests failed (see the errors column)", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

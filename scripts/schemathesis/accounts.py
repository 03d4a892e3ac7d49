"""Makes the accounts a schemathesis run acts as, through the REST API of a
running Moa: a publisher with a pocket and one funding project, and a backer
with a pocket, money in it and a backing of that project (so lists, ledgers
and backer pages have rows whose shape gets checked).

    python3 accounts.py http://127.0.0.1:PORT

Prints shell assignments (PUBLISHER_TOKEN=…, BACKER_TOKEN=…, POST_ID=…) and
exits non-zero, naming the step, if any request is not answered as expected.
Standard library only: it runs before and without the tools' virtualenv.
"""

import datetime
import json
import sys
import urllib.error
import urllib.request

PASSWORD = "schemathesis-password"


def call(base, method, path, body=None, token=None, expect=(200,)):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    if status not in expect:
        sys.exit(f"accounts.py: {method} {path} answered {status}: {text[:500]}")
    return json.loads(text) if text else None


def account(base, username, role):
    call(
        base,
        "POST",
        "/api/v1/accounts",
        {
            "username": username,
            "email": f"{username}@example.com",
            "password": PASSWORD,
            "role": role,
        },
        expect=(201,),
    )
    token = call(
        base, "POST", "/api/v1/auth/token", {"username": username, "password": PASSWORD}
    )["access_token"]
    call(
        base,
        "PUT",
        "/api/v1/me/pocket",
        {"bank": "KB", "account_number": "110-123-456789"},
        token,
    )
    return token


def main():
    base = sys.argv[1].rstrip("/")
    publisher = account(base, "st_publisher", "publisher")
    backer = account(base, "st_backer", "backer")
    call(base, "POST", "/api/v1/me/pocket/deposits", {"amount": 5_000_000}, backer, (201,))
    # Moa's own time zone is Seoul; a date a month ahead is valid in any.
    final_date = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    post = call(
        base,
        "POST",
        "/api/v1/posts",
        {
            "title": "Schemathesis lantern",
            "publisher_name": "Studio Schema",
            "content": "A project the API fuzzer can find.",
            "target_amount": 1_000_000,
            "price": 15_000,
            "final_date": final_date,
        },
        publisher,
        (201,),
    )
    call(base, "POST", f"/api/v1/posts/{post['id']}/backings", {}, backer, (201,))
    print(f"PUBLISHER_TOKEN={publisher}")
    print(f"BACKER_TOKEN={backer}")
    print(f"POST_ID={post['id']}")


if __name__ == "__main__":
    main()

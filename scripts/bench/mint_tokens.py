"""Prints one Moa bearer token (HS256 JWT, as app::service::auth issues them)
per "account_id session_id" line on stdin, signed with $MOA_JWT_SECRET.
Benchmarks only: it lets a load test act as thousands of backers without
thousands of argon2 log-ins."""
import base64
import hashlib
import hmac
import json
import os
import sys
import time


def b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


secret = os.environ["MOA_JWT_SECRET"].encode()
header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
now = int(time.time())
for line in sys.stdin:
    account_id, session_id = line.split()
    claims = {"sub": account_id, "sid": session_id, "iat": now, "nbf": now, "exp": now + 3600}
    signing_input = header + b"." + b64(json.dumps(claims).encode())
    signature = b64(hmac.new(secret, signing_input, hashlib.sha256).digest())
    sys.stdout.write((signing_input + b"." + signature).decode() + "\n")

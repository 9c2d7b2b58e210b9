#!/usr/bin/env python3
"""Verify tokens with PyJWT, as a second opinion next to tollgate's verdicts.

Reads one JSON document on stdin:
    {"issuer": "...", "audience": "...",
     "tokens": [{"alg": "RS256", "jwk": {...public JWK...}, "token": "..."}, ...]}
and prints one JSON array on stdout, in the same order:
    [{"ok": true, "claims": {...}} | {"ok": false, "error": "InvalidSignatureError"}, ...]

PyJWT's checks are configured like tollgate's verifier in interop.test.mjs: the
algorithm bound to the key, issuer, audience, and exp/iat/iss/aud/sub required.
No network; run by interop.test.mjs with tests/interop/.venv/bin/python.
"""

from __future__ import annotations

import json
import sys

import jwt


def main() -> int:
    request = json.load(sys.stdin)
    issuer, audience = request["issuer"], request["audience"]
    keys: dict[str, jwt.PyJWK] = {}
    verdicts = []
    for item in request["tokens"]:
        alg = item["alg"]
        cache_key = alg + json.dumps(item["jwk"], sort_keys=True)
        if cache_key not in keys:
            keys[cache_key] = jwt.PyJWK(item["jwk"], alg)
        try:
            claims = jwt.decode(
                item["token"],
                keys[cache_key],
                algorithms=[alg],
                audience=audience,
                issuer=issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except Exception as err:  # noqa: BLE001 - every rejection is a verdict here
            verdicts.append({"ok": False, "error": type(err).__name__})
        else:
            verdicts.append({"ok": True, "claims": claims})
    json.dump(verdicts, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

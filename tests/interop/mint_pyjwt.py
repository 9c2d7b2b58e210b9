#!/usr/bin/env python3
"""Mint access tokens with PyJWT (keys from `cryptography`) for tollgate's interop test.

For every algorithm tollgate supports this generates a fresh key (RSA 2048, P-256,
P-384, Ed25519, or an HMAC secret of the hash size), signs one token with a `kid`
header and one without, exports the public key as a JWK (PyJWT's `to_jwk`) and as
SPKI PEM (plus PKCS#1 "RSA PUBLIC KEY" for RSA), checks that PyJWT verifies its own
token through both exports, and prints everything as one JSON document on stdout.

Keys are random on every run; everything else is fixed by `--iat` (default: now), so
a failure is reproducible from the claims and the printed versions. No network.

Run by tests/interop/interop.test.mjs with the venv's interpreter:
    tests/interop/.venv/bin/python tests/interop/mint_pyjwt.py [--iat SECONDS]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import time
from importlib.metadata import version

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, HMACAlgorithm, OKPAlgorithm, RSAAlgorithm

# Shared with interop.test.mjs (it reads them back from the output).
ISSUER = "https://issuer.example.com/"
AUDIENCE = "https://api.example.com"
SUBJECT = "user-123"
SCOPE = "read:messages write:messages"
# PyJWT writes JSON with ensure_ascii: this becomes \u00eb and a \ud83d\ude80 surrogate
# pair on the wire, which tollgate's own JSON parser must turn back into the same text.
NAME = "Zo\u00eb \U0001f680"

HMAC_SIZES = {"HS256": 32, "HS384": 48, "HS512": 64}
EC_CURVES = {"ES256": ec.SECP256R1, "ES384": ec.SECP384R1}
ALGS = [
    "HS256", "HS384", "HS512",
    "RS256", "RS384", "RS512",
    "PS256", "PS384", "PS512",
    "ES256", "ES384",
    "EdDSA",
]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def generate(alg: str):
    """Returns (signing key, public key or None, exported public JWK, secret or None)."""
    if alg in HMAC_SIZES:
        secret = os.urandom(HMAC_SIZES[alg])
        return secret, None, HMACAlgorithm.to_jwk(secret, as_dict=True), secret
    if alg[:2] in ("RS", "PS"):
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return private, private.public_key(), RSAAlgorithm.to_jwk(private.public_key(), as_dict=True), None
    if alg in EC_CURVES:
        private = ec.generate_private_key(EC_CURVES[alg]())
        return private, private.public_key(), ECAlgorithm.to_jwk(private.public_key(), as_dict=True), None
    if alg == "EdDSA":
        private = ed25519.Ed25519PrivateKey.generate()
        return private, private.public_key(), OKPAlgorithm.to_jwk(private.public_key(), as_dict=True), None
    raise ValueError(f"unknown algorithm {alg}")


def self_check(token: str, alg: str, keys: list, claims: dict) -> None:
    """PyJWT must accept its own token through every exported form of the key."""
    for key in keys:
        decoded = jwt.decode(
            token,
            key,
            algorithms=[alg],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
        if decoded != claims:
            raise AssertionError(f"{alg}: PyJWT decoded {decoded!r}, minted {claims!r}")


def mint(alg: str, iat: int) -> dict:
    kid = f"pyjwt-{alg.lower()}"
    signing_key, public_key, jwk, secret = generate(alg)
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": SUBJECT,
        "iat": iat,
        "exp": iat + 3600,
        "scope": SCOPE,
        "name": NAME,
    }
    token = jwt.encode(claims, signing_key, algorithm=alg, headers={"kid": kid})
    token_no_kid = jwt.encode(claims, signing_key, algorithm=alg)

    case = {
        "alg": alg,
        "kid": kid,
        "claims": claims,
        "token": token,
        "token_no_kid": token_no_kid,
        "jwk": jwk,  # as PyJWT exports it: no "alg", no "kid"
        "pem": None,
        "pem_pkcs1": None,
        "secret": None,
    }
    if secret is not None:
        case["secret"] = b64url(secret)
        self_check(token, alg, [secret, jwt.PyJWK(jwk, alg)], claims)
    else:
        spki = public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")
        case["pem"] = spki
        keys = [public_key, jwt.PyJWK(jwk, alg), spki]
        if alg[:2] in ("RS", "PS"):
            case["pem_pkcs1"] = public_key.public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.PKCS1
            ).decode("ascii")
        self_check(token, alg, keys, claims)
    return case


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iat", type=int, default=None, help="issued-at, in seconds (default: now)")
    args = parser.parse_args()
    iat = args.iat if args.iat is not None else int(time.time())
    document = {
        "minter": "PyJWT",
        "versions": {name: version(name) for name in ("PyJWT", "cryptography", "cffi", "pycparser")},
        "issuer": ISSUER,
        "audience": AUDIENCE,
        "iat": iat,
        "cases": [mint(alg, iat) for alg in ALGS],
    }
    json.dump(document, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

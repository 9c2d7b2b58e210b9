//! The attacks that have broken JOSE libraries, one named test each, every
//! one asserting the error code tollgate answers with.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::Arc;

use ring::hmac;
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use tollgate::b64::encode as b64;
use tollgate::options::verify_options;
use tollgate::{Algorithm, CallOptions, KeySet, Verifier};

const NOW: i64 = 1_700_000_000;
const CLAIMS: &str =
    r#"{"iss":"https://idp","aud":"api","exp":1700000600,"scope":"read:messages"}"#;
const OPTIONS: &str = r#"{"issuer":"https://idp","audience":"api"}"#;
const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

// RFC 7515 A.2's RSA public key, bound to RS256.
const RSA_JWK: &str = r#"{"kty":"RSA","alg":"RS256","kid":"rsa","n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ","e":"AQAB"}"#;

fn input(header: &str, payload: &str) -> String {
    format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()))
}

fn hs256(header: &str, payload: &str, secret: &[u8]) -> String {
    let input = input(header, payload);
    let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, secret), input.as_bytes());
    format!("{input}.{}", b64(tag.as_ref()))
}

fn hmac_keys() -> Arc<KeySet> {
    Arc::new(KeySet::from_secret(SECRET, Algorithm::HS256, Some("k1".into())).unwrap())
}

fn code_with(token: &str, keys: Arc<KeySet>, options: &str) -> &'static str {
    let verifier = Verifier::new(keys, verify_options(options).unwrap()).unwrap();
    match verifier.verify(token, &CallOptions::default(), NOW) {
        Ok(_) => "ok",
        Err(e) => {
            // No error ever echoes the token's signature or payload.
            let text = e.to_string();
            for part in token.split('.').filter(|p| p.len() >= 12) {
                assert!(
                    !text.contains(part),
                    "error message echoes the token: {text}"
                );
            }
            e.code()
        }
    }
}

fn code(token: &str) -> &'static str {
    code_with(token, hmac_keys(), OPTIONS)
}

struct Ec {
    pair: EcdsaKeyPair,
    keys: Arc<KeySet>,
}

fn new_ec() -> Ec {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let pair =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
    let point = pair.public_key().as_ref();
    let jwk = format!(
        r#"{{"kty":"EC","crv":"P-256","alg":"ES256","kid":"ec","x":"{}","y":"{}"}}"#,
        b64(&point[1..33]),
        b64(&point[33..65])
    );
    Ec {
        pair,
        keys: Arc::new(KeySet::from_jwk(jwk.as_bytes(), None).unwrap()),
    }
}

impl Ec {
    fn sign(&self, header: &str, payload: &str) -> (String, Vec<u8>) {
        let input = input(header, payload);
        let sig = self
            .pair
            .sign(&SystemRandom::new(), input.as_bytes())
            .unwrap();
        (input, sig.as_ref().to_vec())
    }

    fn code(&self, token: &str) -> &'static str {
        code_with(token, Arc::clone(&self.keys), OPTIONS)
    }
}

// ---------------------------------------------------------------- algorithms

#[test]
fn alg_none_in_every_case_is_never_accepted() {
    for alg in ["none", "None", "NONE", "nOnE"] {
        let header = format!(r#"{{"alg":"{alg}"}}"#);
        let unsigned = format!("{}.", input(&header, CLAIMS));
        assert_eq!(
            code(&unsigned),
            "ERR_JOSE_ALG_NOT_ALLOWED",
            "{alg}, empty signature"
        );
        assert_eq!(
            code(&hs256(&header, CLAIMS, SECRET)),
            "ERR_JOSE_ALG_NOT_ALLOWED",
            "{alg}, with a MAC"
        );
    }
}

#[test]
fn hs256_signed_with_the_rsa_public_key_as_secret() {
    let keys = Arc::new(KeySet::from_jwk(RSA_JWK.as_bytes(), None).unwrap());
    let pem = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAofgWCuLjybRlzo0tZWJj\n-----END PUBLIC KEY-----\n";
    let der = [0x30u8, 0x82, 0x01, 0x22, 0x30, 0x0d];
    for secret in [RSA_JWK.as_bytes(), pem.as_bytes(), &der[..]] {
        for header in [r#"{"alg":"HS256"}"#, r#"{"alg":"HS256","kid":"rsa"}"#] {
            let token = hs256(header, CLAIMS, secret);
            // The key set has no HS256-bound key: the header cannot pick HMAC.
            assert_eq!(
                code_with(&token, Arc::clone(&keys), OPTIONS),
                "ERR_JOSE_ALG_NOT_ALLOWED",
                "{header}"
            );
            // Even when the caller's allow-list names HS256 too.
            let listed =
                r#"{"issuer":"https://idp","audience":"api","algorithms":["RS256","HS256"]}"#;
            let want = if header.contains("kid") {
                "ERR_JOSE_ALG_NOT_ALLOWED"
            } else {
                "ERR_JWKS_NO_MATCHING_KEY"
            };
            assert_eq!(
                code_with(&token, Arc::clone(&keys), listed),
                want,
                "{header} with HS256 listed"
            );
        }
    }
}

#[test]
fn hs256_signed_with_the_ec_public_key_as_secret() {
    let ec = new_ec();
    let point = ec.pair.public_key().as_ref().to_vec();
    let token = hs256(r#"{"alg":"HS256","kid":"ec"}"#, CLAIMS, &point);
    assert_eq!(ec.code(&token), "ERR_JOSE_ALG_NOT_ALLOWED");
}

#[test]
fn a_jwk_whose_alg_differs_from_the_token() {
    let ec = new_ec();
    // Same kid, header asks for ES384: the key is bound to ES256.
    let (input, sig) = ec.sign(r#"{"alg":"ES384","kid":"ec"}"#, CLAIMS);
    let token = format!("{input}.{}", b64(&sig));
    let listed = r#"{"issuer":"https://idp","audience":"api","algorithms":["ES256","ES384"]}"#;
    assert_eq!(
        code_with(&token, Arc::clone(&ec.keys), listed),
        "ERR_JOSE_ALG_NOT_ALLOWED"
    );
}

#[test]
fn unsupported_algorithms_say_so() {
    for alg in ["Ed448", "RS1", "HS1", "dir", "RSA-OAEP", "ES521"] {
        let token = hs256(&format!(r#"{{"alg":"{alg}"}}"#), CLAIMS, SECRET);
        assert_eq!(code(&token), "ERR_JOSE_NOT_SUPPORTED", "{alg}");
    }
    // The curves of cargo features: not supported in a build without them, else
    // refused by the allow-list (the keys here are HS256).
    for (alg, built) in [
        ("ES512", cfg!(feature = "es512")),
        ("ES256K", cfg!(feature = "es256k")),
    ] {
        let token = hs256(&format!(r#"{{"alg":"{alg}"}}"#), CLAIMS, SECRET);
        let want = if built {
            "ERR_JOSE_ALG_NOT_ALLOWED"
        } else {
            "ERR_JOSE_NOT_SUPPORTED"
        };
        assert_eq!(code(&token), want, "{alg}");
    }
}

// ---------------------------------------------------------------- ECDSA

#[test]
fn ecdsa_psychic_signatures_r_or_s_zero_cve_2022_21449() {
    let ec = new_ec();
    let (input, _) = ec.sign(r#"{"alg":"ES256"}"#, CLAIMS);
    for sig in [
        [0u8; 64],
        {
            let mut s = [0u8; 64];
            s[31] = 1; // r = 1, s = 0
            s
        },
        {
            let mut s = [0u8; 64];
            s[63] = 1; // r = 0, s = 1
            s
        },
    ] {
        assert_eq!(
            ec.code(&format!("{input}.{}", b64(&sig))),
            "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
        );
    }
}

#[test]
fn ecdsa_r_or_s_at_or_above_the_group_order() {
    // n of P-256.
    const N: [u8; 32] = [
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63,
        0x25, 0x51,
    ];
    let ec = new_ec();
    let (input, sig) = ec.sign(r#"{"alg":"ES256"}"#, CLAIMS);
    assert_eq!(ec.code(&format!("{input}.{}", b64(&sig))), "ok");
    // r + n and s + n would be the same values mod n: a lax verifier accepts them.
    let add_n = |x: &[u8]| -> Vec<u8> {
        let mut out = [0u8; 32];
        let mut carry = 0u16;
        for i in (0..32).rev() {
            let v = u16::from(x[i]) + u16::from(N[i]) + carry;
            out[i] = v as u8;
            carry = v >> 8;
        }
        out.to_vec()
    };
    let (r, s) = sig.split_at(32);
    for forged in [
        [add_n(r), s.to_vec()].concat(),
        [r.to_vec(), add_n(s)].concat(),
        [N.to_vec(), s.to_vec()].concat(),
    ] {
        assert_eq!(
            ec.code(&format!("{input}.{}", b64(&forged))),
            "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
        );
    }
}

#[test]
fn ecdsa_der_encoded_and_wrong_length_signatures() {
    let ec = new_ec();
    let (input, sig) = ec.sign(r#"{"alg":"ES256"}"#, CLAIMS);
    // The same (r, s) in ASN.1 DER, as some libraries wrongly emit for JWS.
    let int = |x: &[u8]| {
        let mut v: Vec<u8> = x.iter().copied().skip_while(|b| *b == 0).collect();
        if v.first().is_some_and(|b| *b >= 0x80) {
            v.insert(0, 0);
        }
        [vec![0x02, v.len() as u8], v].concat()
    };
    let body = [int(&sig[..32]), int(&sig[32..])].concat();
    let der = [vec![0x30, body.len() as u8], body].concat();
    for bad in [
        der,
        sig[..63].to_vec(),
        [sig.clone(), vec![0]].concat(),
        Vec::new(),
    ] {
        assert_eq!(
            ec.code(&format!("{input}.{}", b64(&bad))),
            "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
        );
    }
}

// ---------------------------------------------------------------- header

#[test]
fn keys_named_or_embedded_in_the_header_are_ignored() {
    let ec = new_ec();
    let attacker = ec.pair.public_key().as_ref();
    let jwk = format!(
        r#"{{"kty":"EC","crv":"P-256","x":"{}","y":"{}"}}"#,
        b64(&attacker[1..33]),
        b64(&attacker[33..])
    );
    // The victim trusts a different EC key; the attacker signs with theirs and ships it.
    let victim = new_ec();
    for header in [
        format!(r#"{{"alg":"ES256","jwk":{jwk}}}"#),
        r#"{"alg":"ES256","jku":"https://attacker.example/jwks.json"}"#.to_owned(),
        r#"{"alg":"ES256","x5u":"https://attacker.example/cert.pem"}"#.to_owned(),
        r#"{"alg":"ES256","x5c":["MIIBszCCAVmgAwIBAgIU"]}"#.to_owned(),
    ] {
        let (input, sig) = ec.sign(&header, CLAIMS);
        assert_eq!(
            victim.code(&format!("{input}.{}", b64(&sig))),
            "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
            "{header}"
        );
    }
}

#[test]
fn kid_path_traversal_and_huge_kid() {
    for kid in [
        "../../../../etc/passwd".to_owned(),
        "k1/../k1".to_owned(),
        "k1\u{0}".to_owned(),
        "x".repeat(10 * 1024),
    ] {
        let header = format!(
            r#"{{"alg":"HS256","kid":"{}"}}"#,
            kid.replace('\u{0}', "\\u0000")
        );
        assert_eq!(
            code(&hs256(&header, CLAIMS, SECRET)),
            "ERR_JWKS_NO_MATCHING_KEY",
            "{:.30}",
            kid
        );
    }
}

#[test]
fn crit_unknown_empty_or_duplicated() {
    for header in [
        r#"{"alg":"HS256","crit":["exp"],"exp":1}"#,
        r#"{"alg":"HS256","crit":[]}"#,
        r#"{"alg":"HS256","crit":["b64","b64"],"b64":true}"#,
        r#"{"alg":"HS256","crit":"exp"}"#,
    ] {
        assert_eq!(
            code(&hs256(header, CLAIMS, SECRET)),
            "ERR_JWS_INVALID",
            "{header}"
        );
    }
}

#[test]
fn unencoded_payload_b64_false() {
    for header in [
        r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#,
        r#"{"alg":"HS256","b64":false}"#,
    ] {
        assert_eq!(
            code(&hs256(header, CLAIMS, SECRET)),
            "ERR_JWS_INVALID",
            "{header}"
        );
    }
}

#[test]
fn jwe_and_json_serialization_are_not_compact_jws() {
    let jwe = format!(
        "{}.a2V5.aXY.Y2lwaGVy.dGFn",
        b64(br#"{"alg":"RSA-OAEP","enc":"A256GCM"}"#)
    );
    assert_eq!(code(&jwe), "ERR_JWS_INVALID");
    let token = hs256(r#"{"alg":"HS256"}"#, CLAIMS, SECRET);
    let parts: Vec<&str> = token.split('.').collect();
    let json = format!(
        r#"{{"payload":"{}","protected":"{}","signature":"{}"}}"#,
        parts[1], parts[0], parts[2]
    );
    assert_eq!(code(&json), "ERR_JWS_INVALID");
    // A JWE header on a three-part token.
    assert_eq!(
        code(&hs256(r#"{"alg":"HS256","enc":"A256GCM"}"#, CLAIMS, SECRET)),
        "ERR_JWS_INVALID"
    );
}

#[test]
fn nested_jwt_cty_is_refused() {
    let inner = hs256(r#"{"alg":"HS256"}"#, CLAIMS, SECRET);
    let outer = hs256(
        r#"{"alg":"HS256","cty":"JWT"}"#,
        &format!("\"{inner}\""),
        SECRET,
    );
    assert_eq!(code(&outer), "ERR_JWS_INVALID");
}

// ---------------------------------------------------------------- payload

#[test]
fn duplicate_claim_names() {
    let payload = r#"{"iss":"https://evil","aud":"api","exp":1700000600,"iss":"https://idp"}"#;
    assert_eq!(
        code(&hs256(r#"{"alg":"HS256"}"#, payload, SECRET)),
        "ERR_JWT_INVALID"
    );
    let header = r#"{"alg":"none","alg":"HS256"}"#;
    assert_eq!(code(&hs256(header, CLAIMS, SECRET)), "ERR_JWS_INVALID");
}

#[test]
fn payload_that_is_not_an_object() {
    for payload in ["[1,2]", "\"claims\"", "42", "null", "true"] {
        assert_eq!(
            code(&hs256(r#"{"alg":"HS256"}"#, payload, SECRET)),
            "ERR_JWT_INVALID",
            "{payload}"
        );
    }
}

#[test]
fn invalid_utf8_in_payload_and_header() {
    let payload_bytes = b"{\"iss\":\"https://idp\xff\",\"aud\":\"api\",\"exp\":1700000600}";
    let input = format!("{}.{}", b64(br#"{"alg":"HS256"}"#), b64(payload_bytes));
    let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, SECRET), input.as_bytes());
    assert_eq!(
        code(&format!("{input}.{}", b64(tag.as_ref()))),
        "ERR_JWT_INVALID"
    );
    let input = format!(
        "{}.{}",
        b64(b"{\"alg\":\"HS256\xc0\xaf\"}"),
        b64(CLAIMS.as_bytes())
    );
    assert_eq!(code(&format!("{input}.AAAA")), "ERR_JWS_INVALID");
    // A lone surrogate escape has no UTF-8 form.
    let payload = r#"{"iss":"https://idp","aud":"api","exp":1700000600,"sub":"\ud800"}"#;
    assert_eq!(
        code(&hs256(r#"{"alg":"HS256"}"#, payload, SECRET)),
        "ERR_JWT_INVALID"
    );
}

#[test]
fn non_canonical_base64url() {
    let token = hs256(r#"{"alg":"HS256"}"#, CLAIMS, SECRET);
    assert_eq!(code(&token), "ok");
    let parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let with = |i: usize, f: &dyn Fn(&str) -> String| {
        let mut p = parts.clone();
        p[i] = f(&p[i]);
        p.join(".")
    };
    for i in 0..3 {
        for (what, variant) in [
            ("padding", with(i, &|s| format!("{s}="))),
            (
                "whitespace",
                with(i, &|s| format!("{} {}", &s[..4], &s[4..])),
            ),
            ("newline", with(i, &|s| format!("{}\n{}", &s[..4], &s[4..]))),
            (
                "plus",
                with(i, &|s| {
                    s.replacen(|c: char| c.is_ascii_alphanumeric(), "+", 1)
                }),
            ),
            (
                "slash",
                with(i, &|s| {
                    s.replacen(|c: char| c.is_ascii_alphanumeric(), "/", 1)
                }),
            ),
        ] {
            assert_eq!(code(&variant), "ERR_JWS_INVALID", "segment {i}: {what}");
        }
    }
    // Non-zero trailing bits: the signature (32 bytes: 43 chars, 2 spare bits).
    let sig = &parts[2];
    let last = sig.chars().last().unwrap();
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let index = alphabet.find(last).unwrap();
    let sibling = alphabet.chars().nth(index ^ 1).unwrap();
    let variant = format!(
        "{}.{}.{}{}",
        parts[0],
        parts[1],
        &sig[..sig.len() - 1],
        sibling
    );
    assert_eq!(code(&variant), "ERR_JWS_INVALID", "trailing bits");
}

// ---------------------------------------------------------------- claims

fn claims_code(payload: &str) -> (&'static str, Option<String>) {
    let token = hs256(r#"{"alg":"HS256"}"#, payload, SECRET);
    let verifier = Verifier::new(hmac_keys(), verify_options(OPTIONS).unwrap()).unwrap();
    match verifier.verify(&token, &CallOptions::default(), NOW) {
        Ok(_) => ("ok", None),
        Err(e) => (e.code(), e.claim().map(str::to_owned)),
    }
}

#[test]
fn time_claims_of_the_wrong_type_or_range() {
    for claim in ["exp", "nbf", "iat"] {
        for (value, want) in [
            ("\"1700000600\"", "ERR_JWT_INVALID"),
            ("null", "ERR_JWT_INVALID"),
            ("1e400", "ERR_JWT_INVALID"),
            ("-1", "ERR_JWT_INVALID"),
            ("9007199254740992", "ERR_JWT_INVALID"),
            ("1e300", "ERR_JWT_INVALID"),
            ("true", "ERR_JWT_INVALID"),
            ("{}", "ERR_JWT_INVALID"),
        ] {
            let mut fields = vec![
                r#""iss":"https://idp""#.to_owned(),
                r#""aud":"api""#.to_owned(),
            ];
            if claim != "exp" {
                fields.push(r#""exp":1700000600"#.to_owned());
            }
            fields.push(format!(r#""{claim}":{value}"#));
            let payload = format!("{{{}}}", fields.join(","));
            let got = claims_code(&payload);
            // 1e400 is not even a valid JSON number for an f64: the payload is refused whole.
            let want_claim = if value == "1e400" {
                None
            } else {
                Some(claim.to_owned())
            };
            assert_eq!(got, (want, want_claim), "{claim} = {value}");
        }
    }
    // Fractional NumericDates are valid (RFC 7519 section 2).
    assert_eq!(
        claims_code(r#"{"iss":"https://idp","aud":"api","exp":1700000000.5}"#).0,
        "ok"
    );
    assert_eq!(
        claims_code(r#"{"iss":"https://idp","aud":"api","exp":1699999999.5}"#).0,
        "ERR_JWT_EXPIRED"
    );
}

#[test]
fn audience_tricks() {
    assert_eq!(
        claims_code(r#"{"iss":"https://idp","aud":[],"exp":1700000600}"#),
        ("ERR_JWT_CLAIM_VALIDATION_FAILED", Some("aud".into()))
    );
    assert_eq!(
        claims_code(r#"{"iss":"https://idp","aud":["api",7],"exp":1700000600}"#),
        ("ERR_JWT_INVALID", Some("aud".into()))
    );
    assert_eq!(
        claims_code(r#"{"iss":"https://idp","aud":[["api"]],"exp":1700000600}"#),
        ("ERR_JWT_INVALID", Some("aud".into()))
    );
    assert_eq!(
        claims_code(r#"{"iss":"https://idp","aud":"API","exp":1700000600}"#).0,
        "ERR_JWT_CLAIM_VALIDATION_FAILED"
    );
}

#[test]
fn issuer_trailing_slash_and_case() {
    for iss in [
        "https://idp/",
        "HTTPS://IDP",
        "https://IDP",
        "https://idp ",
        " https://idp",
    ] {
        let payload = format!(r#"{{"iss":"{iss}","aud":"api","exp":1700000600}}"#);
        assert_eq!(
            claims_code(&payload),
            ("ERR_JWT_CLAIM_VALIDATION_FAILED", Some("iss".into())),
            "{iss:?}"
        );
    }
}

#[test]
fn scope_tricks() {
    let verify_scopes = |scope: &str| {
        let payload =
            format!(r#"{{"iss":"https://idp","aud":"api","exp":1700000600,"scope":{scope}}}"#);
        let token = hs256(r#"{"alg":"HS256"}"#, &payload, SECRET);
        let options =
            r#"{"issuer":"https://idp","audience":"api","requiredScopes":["read:messages"]}"#;
        code_with(&token, hmac_keys(), options)
    };
    assert_eq!(verify_scopes(r#""read:messages""#), "ok");
    for near_miss in [
        r#""read:messagesX""#,
        r#""read""#,
        r#""READ:MESSAGES""#,
        r#""read:messages,write""#,
        r#""""#,
    ] {
        assert_eq!(
            verify_scopes(near_miss),
            "ERR_JWT_INSUFFICIENT_SCOPE",
            "{near_miss}"
        );
    }
    for malformed in [
        r#"{"read:messages":true}"#,
        "1",
        "null",
        r#"["read:messages",1]"#,
    ] {
        assert_eq!(verify_scopes(malformed), "ERR_JWT_INVALID", "{malformed}");
    }
}

// ---------------------------------------------------------------- sizes

#[test]
fn oversized_and_degenerate_inputs() {
    assert_eq!(code(&"a".repeat(1 << 20)), "ERR_JWS_INVALID");
    assert_eq!(code(&".".repeat(10_000)), "ERR_JWS_INVALID");
    assert_eq!(code(""), "ERR_JWS_INVALID");
    let deep = format!(
        r#"{{"iss":"https://idp","aud":"api","exp":1700000600,"x":{}1{}}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let big = Arc::new(KeySet::from_secret(SECRET, Algorithm::HS256, None).unwrap());
    let roomy = r#"{"issuer":"https://idp","audience":"api","maxTokenLength":4194304}"#;
    assert_eq!(
        code_with(
            &hs256(r#"{"alg":"HS256"}"#, &deep, SECRET),
            Arc::clone(&big),
            roomy
        ),
        "ERR_JWT_INVALID"
    );
    let deep_header = format!(
        r#"{{"alg":"HS256","x":{}1{}}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert_eq!(
        code_with(
            &hs256(&deep_header, CLAIMS, SECRET),
            Arc::clone(&big),
            roomy
        ),
        "ERR_JWS_INVALID"
    );
}

#[test]
fn a_hundred_thousand_claims() {
    let mut payload = String::from(r#"{"iss":"https://idp","aud":"api","exp":1700000600"#);
    // Short distinct names (base 62) so that 100 000 claims fit in 1 MiB.
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let name = |mut i: usize| {
        let mut s = String::new();
        loop {
            s.push(char::from(DIGITS[i % 62]));
            i /= 62;
            if i == 0 {
                return s;
            }
        }
    };
    let names: Vec<String> = (0..)
        .map(name)
        .filter(|n| {
            ![
                "iss", "aud", "exp", "nbf", "iat", "sub", "jti", "scp", "cnf",
            ]
            .contains(&n.as_str())
        }) // registered names have types
        .take(100_000)
        .collect();
    for n in &names {
        payload.push_str(&format!(r#","{n}":0"#));
    }
    payload.push('}');
    let token = hs256(r#"{"alg":"HS256"}"#, &payload, SECRET);
    // Over the default 16 KiB bound.
    assert_eq!(code(&token), "ERR_JWS_INVALID");
    // Within a raised bound it is parsed in one pass (no quadratic blow-up).
    let roomy = r#"{"issuer":"https://idp","audience":"api","maxTokenLength":4194304}"#;
    assert!(token.len() > 1 << 20 && token.len() < 4 << 20);
    assert_eq!(code_with(&token, hmac_keys(), roomy), "ok");
    // ... and a duplicate among them is still found.
    let dup = payload.replacen(&format!(r#""{}":0"#, names[99_999]), r#""7":0"#, 1);
    assert_eq!(
        code_with(
            &hs256(r#"{"alg":"HS256"}"#, &dup, SECRET),
            hmac_keys(),
            roomy
        ),
        "ERR_JWT_INVALID"
    );
}

// ---------------------------------------------------------------- keys

fn rsa_jwk(n: &[u8], e: &[u8]) -> String {
    format!(
        r#"{{"kty":"RSA","alg":"RS256","kid":"r","n":"{}","e":"{}"}}"#,
        b64(n),
        b64(e)
    )
}

#[test]
fn weak_rsa_keys_in_a_jwks_are_skipped() {
    let n2048: Vec<u8> = [vec![0xc1u8], vec![0x55; 254], vec![0x01]].concat();
    let n1024: Vec<u8> = [vec![0xc1u8], vec![0x55; 126], vec![0x01]].concat();
    for (n, e, what) in [
        (&n2048, &[1u8][..], "e = 1"),
        (&n2048, &[3u8][..], "e = 3"),
        (&n1024, &[1u8, 0, 1][..], "1024 bits"),
    ] {
        let jwks = format!(r#"{{"keys":[{},{RSA_JWK}]}}"#, rsa_jwk(n, e));
        let set = KeySet::from_jwks(jwks.as_bytes(), &[]).unwrap();
        assert_eq!(set.keys().len(), 1, "{what}");
        assert_eq!(set.skipped().len(), 1, "{what}");
        assert_eq!(
            KeySet::from_jwk(rsa_jwk(n, e).as_bytes(), None)
                .unwrap_err()
                .code(),
            "ERR_JWK_INVALID",
            "{what}"
        );
    }
}

#[test]
fn hmac_secrets_shorter_than_the_hash() {
    for (alg, len) in [
        (Algorithm::HS256, 31),
        (Algorithm::HS384, 47),
        (Algorithm::HS512, 63),
    ] {
        assert_eq!(
            KeySet::from_secret(&vec![7u8; len], alg, None)
                .unwrap_err()
                .code(),
            "ERR_JWK_INVALID"
        );
        let jwk = format!(
            r#"{{"kty":"oct","alg":"{}","k":"{}"}}"#,
            alg.name(),
            b64(&vec![7u8; len])
        );
        assert_eq!(
            KeySet::from_jwk(jwk.as_bytes(), None).unwrap_err().code(),
            "ERR_JWK_INVALID"
        );
    }
}

#[test]
fn duplicate_kids_with_different_algorithms() {
    // One kid names an HS256 secret and an RS256 key: the token's alg picks
    // among keys bound to it, never the other way round.
    let hs = format!(
        r#"{{"kty":"oct","alg":"HS256","kid":"rsa","k":"{}"}}"#,
        b64(SECRET)
    );
    let jwks = format!(r#"{{"keys":[{RSA_JWK},{hs}]}}"#);
    let keys = Arc::new(KeySet::from_jwks(jwks.as_bytes(), &[]).unwrap());
    assert_eq!(keys.keys().len(), 2);
    let good = hs256(r#"{"alg":"HS256","kid":"rsa"}"#, CLAIMS, SECRET);
    assert_eq!(code_with(&good, Arc::clone(&keys), OPTIONS), "ok");
    // HS256 signed with the RSA key's public bytes under the shared kid: wrong secret.
    let forged = hs256(r#"{"alg":"HS256","kid":"rsa"}"#, CLAIMS, RSA_JWK.as_bytes());
    assert_eq!(
        code_with(&forged, Arc::clone(&keys), OPTIONS),
        "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
    );
    // RS256 under the kid: only the RSA key is tried.
    let rs = format!(
        "{}.{}",
        input(r#"{"alg":"RS256","kid":"rsa"}"#, CLAIMS),
        b64(&[1u8; 256])
    );
    assert_eq!(
        code_with(&rs, keys, OPTIONS),
        "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
    );
}

#[test]
fn a_jwks_with_encryption_keys_and_unsupported_curves_still_imports() {
    let jwks = format!(
        r#"{{"keys":[{{"kty":"RSA","use":"enc","alg":"RSA-OAEP","n":"AQAB","e":"AQAB","kid":"enc"}},
        {{"kty":"OKP","crv":"Ed448","x":"AAAA","kid":"ed448"}},
        {{"kty":"EC","crv":"P-521","x":"AAAA","y":"AAAA","kid":"p521"}},
        {RSA_JWK}]}}"#
    );
    let set = KeySet::from_jwks(jwks.as_bytes(), &[]).unwrap();
    assert_eq!(set.keys().len(), 1);
    let kids: Vec<_> = set
        .skipped()
        .iter()
        .map(|s| s.kid.clone().unwrap())
        .collect();
    assert_eq!(kids, ["enc", "ed448", "p521"]);
}

#[test]
fn signature_checks_are_not_fooled_by_a_valid_signature_for_another_message() {
    // The signature of the RFC 7515 A.2 payload does not verify a modified header.
    let rfc: serde_json::Value =
        serde_json::from_str(include_str!("vectors/rfc/rfc_vectors.json")).unwrap();
    let a2 = rfc["rfc7515_appendix_a"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["alg"] == "RS256")
        .unwrap();
    let token = a2["compact"].as_str().unwrap();
    let keys = Arc::new(KeySet::from_jwk(RSA_JWK.as_bytes(), None).unwrap());
    let parts: Vec<&str> = token.split('.').collect();
    let forged = format!(
        "{}.{}.{}",
        b64(br#"{"alg":"RS256","kid":"rsa"}"#),
        parts[1],
        parts[2]
    );
    let any = r#"{"issuer":"joe","dangerouslySkipAudienceCheck":true,"now":1300819379}"#;
    assert_eq!(code_with(token, Arc::clone(&keys), any), "ok");
    assert_eq!(
        code_with(&forged, keys, any),
        "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
    );
}

#[test]
fn sender_constrained_tokens_presented_as_bearer() {
    // A stolen DPoP- or certificate-bound token must not work as a plain
    // bearer token (RFC 9449 §7.2, RFC 8705 §3): a valid signature, a valid
    // issuer and audience, and still 401 without the proof.
    let with_cnf = |cnf: &str| {
        hs256(
            r#"{"alg":"HS256","kid":"k1"}"#,
            &format!(
                r#"{{"iss":"https://idp","aud":"api","exp":1700000600,"scope":"read:messages","cnf":{cnf}}}"#
            ),
            SECRET,
        )
    };
    let dpop = with_cnf(r#"{"jkt":"0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}"#);
    let mtls = with_cnf(r#"{"x5t#S256":"bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}"#);
    let jwk = with_cnf(r#"{"jwk":{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}}"#);
    for token in [&dpop, &mtls, &jwk] {
        assert_eq!(code(token), "ERR_JWT_SENDER_CONSTRAINED");
    }
    // Malformed confirmations cannot pass as "no binding".
    for cnf in ["{}", "null", r#""jkt""#, r#"{"jkt":["a"]}"#] {
        assert_eq!(code(&with_cnf(cnf)), "ERR_JWT_INVALID", "{cnf}");
    }
    // Only a server that checks the binding itself may waive it, by name.
    let waived =
        r#"{"issuer":"https://idp","audience":"api","dangerouslyIgnoreTokenBinding":true}"#;
    assert_eq!(code_with(&dpop, hmac_keys(), waived), "ok");
    assert_eq!(code_with(&mtls, hmac_keys(), waived), "ok");
    // The waiver is a boolean, not any truthy value.
    let sloppy =
        r#"{"issuer":"https://idp","audience":"api","dangerouslyIgnoreTokenBinding":"yes"}"#;
    assert!(verify_options(sloppy).is_err());
}

//! DPoP (RFC 9449) and certificate-bound (RFC 8705) tokens through the
//! verifier: every attack on a proof, one named test each, asserting the code.
//! Every case runs on both paths: whole in the core (`verify_presented`, the
//! wasm path) and in two halves with the signatures checked between them
//! (`begin_presented`/`resume_presented`, the native-crypto path; here `ring`
//! checks them, through `Key::verify_signature`), which must answer the same;
//! and with an HS256 access token (checked in the first half) and an EdDSA
//! one (left to the caller, as the proof is).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::cell::Cell;
use std::sync::Arc;

use ring::hmac;
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, Ed25519KeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use tollgate::b64::encode as b64;
use tollgate::dpop::{self, Config, Credential, Presentation, Proven};
use tollgate::options::verify_options;
use tollgate::verify::Begun;
use tollgate::{Algorithm, CallOptions, Error, KeySet, Verified, Verifier};

const NOW: i64 = 1_700_000_000;
const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
const URL: &str = "https://api.example/messages";

/// How the access tokens of a test are signed: HS256 (the core checks it in
/// the first half) or EdDSA (left to the caller with the proof).
#[derive(Clone, Copy, Debug)]
enum Issuer {
    Hs256,
    EdDsa,
}

thread_local! {
    static ISSUER: Cell<Issuer> = const { Cell::new(Issuer::Hs256) };
}

/// Runs `case` with HS256 access tokens, then with EdDSA ones.
fn each_issuer(case: impl Fn()) {
    for issuer in [Issuer::Hs256, Issuer::EdDsa] {
        ISSUER.with(|i| i.set(issuer));
        case();
    }
}

/// The issuer's Ed25519 key (a fixed seed: the same in every test).
fn issuer_key() -> Ed25519KeyPair {
    Ed25519KeyPair::from_seed_unchecked(&[7; 32]).unwrap()
}

/// An access token with `payload`, signed as the running case's issuer signs.
fn hs256(payload: &str) -> String {
    let issuer = ISSUER.with(Cell::get);
    let header: &[u8] = match issuer {
        Issuer::Hs256 => br#"{"alg":"HS256","typ":"at+jwt"}"#,
        Issuer::EdDsa => br#"{"alg":"EdDSA","typ":"at+jwt"}"#,
    };
    let sign = |input: &[u8]| match issuer {
        Issuer::Hs256 => {
            let key = hmac::Key::new(hmac::HMAC_SHA256, SECRET);
            hmac::sign(&key, input).as_ref().to_vec()
        }
        Issuer::EdDsa => issuer_key().sign(input).as_ref().to_vec(),
    };
    let input = format!("{}.{}", b64(header), b64(payload.as_bytes()));
    format!("{input}.{}", b64(&sign(input.as_bytes())))
}

/// A client's DPoP key.
struct Client {
    key: Ed25519KeyPair,
}

impl Client {
    fn new() -> Client {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
        Client {
            key: Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap(),
        }
    }

    fn jwk(&self) -> String {
        format!(
            r#"{{"kty":"OKP","crv":"Ed25519","x":"{}"}}"#,
            b64(self.key.public_key().as_ref())
        )
    }

    fn jkt(&self) -> String {
        let canonical = format!(
            r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#,
            b64(self.key.public_key().as_ref())
        );
        b64(ring::digest::digest(&ring::digest::SHA256, canonical.as_bytes()).as_ref())
    }

    fn sign(&self, header: &str, claims: &str) -> String {
        let input = format!("{}.{}", b64(header.as_bytes()), b64(claims.as_bytes()));
        let sig = self.key.sign(input.as_bytes());
        format!("{input}.{}", b64(sig.as_ref()))
    }

    fn header(&self) -> String {
        format!(r#"{{"typ":"dpop+jwt","alg":"EdDSA","jwk":{}}}"#, self.jwk())
    }

    /// A good proof for `token` on `GET URL`, with `extra` claims.
    fn proof(&self, token: &str, extra: &str) -> String {
        self.sign(&self.header(), &claims(token, extra))
    }
}

fn ath(token: &str) -> String {
    b64(ring::digest::digest(&ring::digest::SHA256, token.as_bytes()).as_ref())
}

fn claims(token: &str, extra: &str) -> String {
    format!(
        r#"{{"jti":"j-{}","htm":"GET","htu":"{URL}","iat":{NOW},"ath":"{}"{extra}}}"#,
        rand_id(),
        ath(token)
    )
}

fn rand_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

fn token_bound_to(jkt: &str) -> String {
    hs256(&format!(
        r#"{{"iss":"https://idp","aud":"api","exp":1700000600,"sub":"u1","cnf":{{"jkt":"{jkt}"}}}}"#
    ))
}

fn verifier() -> Verifier {
    let keys = match ISSUER.with(Cell::get) {
        Issuer::Hs256 => KeySet::from_secret(SECRET, Algorithm::HS256, None).unwrap(),
        Issuer::EdDsa => {
            let x = b64(issuer_key().public_key().as_ref());
            let jwk = format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{x}","alg":"EdDSA"}}"#);
            KeySet::from_jwk(jwk.as_bytes(), None).unwrap()
        }
    };
    let keys = Arc::new(keys);
    let options = verify_options(r#"{"issuer":"https://idp","audience":"api"}"#).unwrap();
    Verifier::new(keys, options).unwrap()
}

fn config() -> Config {
    Config::new("", 60.0, None, false, 300.0).unwrap()
}

fn present<'a>(config: &'a Config, proof: Option<&'a str>) -> Presentation<'a> {
    Presentation {
        config: Some(config),
        dpop: true,
        proof,
        method: "GET",
        url: URL,
        certificate: None,
    }
}

/// The request on both paths, which must agree: whole in the core, and in
/// two halves with the signatures checked between them, by `ring` and by
/// the core's second half (verdicts left `None`).
fn presented(token: &str, p: &Presentation<'_>) -> Result<(Verified, Proven), Error> {
    let verifier = verifier();
    let call = CallOptions::default();
    let whole = verifier.verify_presented(token, &call, NOW, None, p);
    let checked_between = halves(&verifier, token, p, true);
    assert_eq!(
        checked_between, whole,
        "the native path answers as the wasm path"
    );
    let checked_after = halves(&verifier, token, p, false);
    assert_eq!(
        checked_after, whole,
        "the second half checks what is left to it"
    );
    whole
}

/// The native-crypto path: the first half, the signatures it leaves checked
/// by the caller (`between`: here, by `ring`; else by the second half), the
/// second half. The first half answers alone only when it left nothing.
fn halves(
    verifier: &Verifier,
    token: &str,
    p: &Presentation<'_>,
    between: bool,
) -> Result<(Verified, Proven), Error> {
    let call = CallOptions::default();
    let pending = match verifier.begin_presented(token, &call, NOW, None, p)? {
        Begun::Verified(done) => return Ok(done),
        Begun::Pending(pending) => pending,
    };
    assert!(pending.has_signatures());
    // An EdDSA token is the caller's to check; an HS256 one never leaves the core.
    let asymmetric = matches!(ISSUER.with(Cell::get), Issuer::EdDsa);
    assert_eq!(pending.token().is_some(), asymmetric);
    let (token_ok, proof_ok) = if between {
        let token_ok = pending.token().map(|t| {
            let (input, signature) = t.split();
            t.candidates
                .iter()
                .any(|&i| verifier.keys().keys()[i].verify_signature(input, signature))
        });
        let proof_ok = pending
            .proof()
            .map(|o| o.key().verify_signature(o.signing_input(), o.signature()));
        (token_ok, proof_ok)
    } else {
        (None, None)
    };
    verifier.resume_presented(pending, &call, NOW, None, p, token_ok, proof_ok)
}

fn run(token: &str, p: &Presentation<'_>) -> Result<Proven, &'static str> {
    presented(token, p).map(|(_, proven)| proven).map_err(|e| {
        // No error echoes the token or the proof.
        let text = e.to_string();
        for part in token
            .split('.')
            .chain(p.proof.unwrap_or_default().split('.'))
        {
            assert!(part.len() < 12 || !text.contains(part), "echoes: {text}");
        }
        e.code()
    })
}

fn code(token: &str, p: &Presentation<'_>) -> &'static str {
    run(token, p).err().unwrap_or("ok")
}

/// The refusal's message: to tell which check refused.
fn message(token: &str, p: &Presentation<'_>) -> String {
    presented(token, p).map_or_else(|e| e.to_string(), |_| "ok".into())
}

#[test]
fn a_good_proof_binds_the_token_and_returns_its_jti() {
    each_issuer(|| {
        let client = Client::new();
        let token = token_bound_to(&client.jkt());
        let config = config();
        let proof = client.proof(&token, "");
        let proven = run(&token, &present(&config, Some(&proof))).unwrap();
        assert_eq!(proven.credential, Credential::Dpop(client.jkt()));
        let p = proven.proof.unwrap();
        assert!(p.jti.starts_with("j-"));
        assert_eq!(p.expires_at, NOW + 60);
        assert_eq!(p.nonce, None);
    });
}

#[test]
fn the_rfc_9449_example_proof_verifies_and_has_its_thumbprint() {
    each_issuer(|| {
        let text = include_str!("vectors/rfc/rfc_vectors.json");
        let doc: serde_json::Value = serde_json::from_str(text).unwrap();
        let vector = &doc["rfc9449_dpop"];
        let proof = vector["compact"].as_str().unwrap();
        // A token-endpoint proof (no ath): it passes every check but the last.
        let config = Config::new("ES256", 60.0, None, false, 300.0).unwrap();
        let now = 1_562_262_616;
        let result = dpop::check_proof(
            &config,
            proof,
            "POST",
            "https://server.example.com/token",
            "any",
            now,
        );
        assert_eq!(
            result.map_err(|e| e.to_string()),
            Err("the DPoP proof has no ath (the access token's hash)".into())
        );
        // Its key's thumbprint is Figure 9's jkt: a token bound to it and this proof
        // fail only on ath, not on the key.
        let jkt = vector["jkt"].as_str().unwrap();
        let token = token_bound_to(jkt);
        let p = Presentation {
            method: "POST",
            url: "https://server.example.com/token",
            ..present(&config, Some(proof))
        };
        // The proof is from 2019: stale here.
        assert_eq!(code(&token, &p), "ERR_DPOP_PROOF_INVALID");
    });
}

#[test]
fn wrong_typ() {
    each_issuer(|| {
        let client = Client::new();
        let token = token_bound_to(&client.jkt());
        let config = config();
        for typ in ["JWT", "at+jwt", "dpop"] {
            let header = format!(r#"{{"typ":"{typ}","alg":"EdDSA","jwk":{}}}"#, client.jwk());
            let proof = client.sign(&header, &claims(&token, ""));
            assert_eq!(
                code(&token, &present(&config, Some(&proof))),
                "ERR_DPOP_PROOF_INVALID"
            );
        }
        let header = format!(r#"{{"alg":"EdDSA","jwk":{}}}"#, client.jwk());
        let proof = client.sign(&header, &claims(&token, ""));
        assert_eq!(
            code(&token, &present(&config, Some(&proof))),
            "ERR_DPOP_PROOF_INVALID"
        );
        // The media type's case and prefix do not matter (RFC 7515 §4.1.9).
        let header = format!(
            r#"{{"typ":"application/DPoP+JWT","alg":"EdDSA","jwk":{}}}"#,
            client.jwk()
        );
        let proof = client.sign(&header, &claims(&token, ""));
        assert_eq!(code(&token, &present(&config, Some(&proof))), "ok");
    });
}

#[test]
fn alg_none() {
    each_issuer(|| {
        let client = Client::new();
        let token = token_bound_to(&client.jkt());
        let config = config();
        let header = format!(
            r#"{{"typ":"dpop+jwt","alg":"none","jwk":{}}}"#,
            client.jwk()
        );
        let proof = format!(
            "{}.{}.",
            b64(header.as_bytes()),
            b64(claims(&token, "").as_bytes())
        );
        assert_eq!(
            code(&token, &present(&config, Some(&proof))),
            "ERR_DPOP_PROOF_INVALID"
        );
    });
}

#[test]
fn hs256_proof_with_a_symmetric_jwk() {
    each_issuer(|| {
        let client = Client::new();
        let config = config();
        let k = b64(SECRET);
        let jwk = format!(r#"{{"kty":"oct","k":"{k}"}}"#);
        let token = token_bound_to(&client.jkt());
        let input = format!(
            "{}.{}",
            b64(format!(r#"{{"typ":"dpop+jwt","alg":"HS256","jwk":{jwk}}}"#).as_bytes()),
            b64(claims(&token, "").as_bytes())
        );
        let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, SECRET), input.as_bytes());
        let proof = format!("{input}.{}", b64(tag.as_ref()));
        assert_eq!(
            code(&token, &present(&config, Some(&proof))),
            "ERR_DPOP_PROOF_INVALID"
        );
    });
}

#[test]
fn alg_outside_the_allow_list() {
    each_issuer(|| {
        let client = Client::new();
        let token = token_bound_to(&client.jkt());
        let only_es256 = Config::new("ES256", 60.0, None, false, 300.0).unwrap();
        let proof = client.proof(&token, "");
        assert_eq!(
            code(&token, &present(&only_es256, Some(&proof))),
            "ERR_DPOP_PROOF_INVALID"
        );
    });
}

#[test]
fn private_key_in_the_header() {
    each_issuer(|| {
        let client = Client::new();
        let token = token_bound_to(&client.jkt());
        let config = config();
        let leaked = client.jwk().replace('}', r#","d":"AAAA"}"#);
        let header = format!(r#"{{"typ":"dpop+jwt","alg":"EdDSA","jwk":{leaked}}}"#);
        let proof = client.sign(&header, &claims(&token, ""));
        assert_eq!(
            code(&token, &present(&config, Some(&proof))),
            "ERR_DPOP_PROOF_INVALID"
        );
    });
}

#[test]
fn signature_by_another_key_than_the_header_jwk() {
    each_issuer(|| {
        let client = Client::new();
        let other = Client::new();
        let token = token_bound_to(&client.jkt());
        let config = config();
        let proof = other.sign(&client.header(), &claims(&token, ""));
        assert_eq!(
            code(&token, &present(&config, Some(&proof))),
            "ERR_DPOP_PROOF_INVALID"
        );
    });
}

#[test]
fn htm_and_htu_mismatch_including_query() {
    each_issuer(|| {
        let client = Client::new();
        let token = token_bound_to(&client.jkt());
        let config = config();
        let proof = client.proof(&token, "");
        let post = Presentation {
            method: "POST",
            ..present(&config, Some(&proof))
        };
        assert_eq!(code(&token, &post), "ERR_DPOP_PROOF_INVALID");
        for url in [
            "https://api.example/other",
            "http://api.example/messages",
            "https://api.example:8443/messages",
            "https://evil.example/messages",
        ] {
            let p = Presentation {
                url,
                ..present(&config, Some(&proof))
            };
            assert_eq!(code(&token, &p), "ERR_DPOP_PROOF_INVALID", "{url}");
        }
        // The request's query and fragment are not compared...
        let p = Presentation {
            url: "https://API.example:443/messages?page=2",
            ..present(&config, Some(&proof))
        };
        assert_eq!(code(&token, &p), "ok");
        // ...and an htu with a query is compared without it.
        let with_query = client.sign(
            &client.header(),
            &claims(&token, "").replace(URL, "https://api.example/messages?x=1"),
        );
        assert_eq!(code(&token, &present(&config, Some(&with_query))), "ok");
    });
}

#[test]
fn stale_or_future_iat() {
    each_issuer(|| {
        let client = Client::new();
        let token = token_bound_to(&client.jkt());
        let config = config();
        for (iat, expected) in [
            (NOW - 61, "ERR_DPOP_PROOF_INVALID"),
            (NOW - 60, "ok"),
            (NOW + 60, "ok"),
            (NOW + 61, "ERR_DPOP_PROOF_INVALID"),
        ] {
            let proof = client.sign(
                &client.header(),
                &claims(&token, "").replace(&format!("\"iat\":{NOW}"), &format!("\"iat\":{iat}")),
            );
            assert_eq!(
                code(&token, &present(&config, Some(&proof))),
                expected,
                "{iat}"
            );
        }
    });
}

#[test]
fn wrong_ath_a_proof_for_another_token() {
    each_issuer(|| {
        let client = Client::new();
        let token = token_bound_to(&client.jkt());
        let other_token = hs256(&format!(
            r#"{{"iss":"https://idp","aud":"api","exp":1700000600,"sub":"u2","cnf":{{"jkt":"{}"}}}}"#,
            client.jkt()
        ));
        let config = config();
        let proof = client.proof(&other_token, "");
        assert_eq!(
            code(&token, &present(&config, Some(&proof))),
            "ERR_DPOP_PROOF_INVALID"
        );
        assert!(message(&token, &present(&config, Some(&proof))).contains("ath is not the hash"));
        let no_ath = client.sign(
            &client.header(),
            &format!(r#"{{"jti":"x","htm":"GET","htu":"{URL}","iat":{NOW}}}"#),
        );
        assert_eq!(
            code(&token, &present(&config, Some(&no_ath))),
            "ERR_DPOP_PROOF_INVALID"
        );
    });
}

#[test]
fn wrong_jkt_a_proof_by_another_key() {
    each_issuer(|| {
        let client = Client::new();
        let thief = Client::new();
        let token = token_bound_to(&client.jkt());
        let config = config();
        // The thief signs a perfect proof for the stolen token with their own key.
        let proof = thief.proof(&token, "");
        assert_eq!(
            code(&token, &present(&config, Some(&proof))),
            "ERR_DPOP_PROOF_INVALID"
        );
        assert!(message(&token, &present(&config, Some(&proof))).contains("cnf.jkt"));
    });
}

#[test]
fn missing_jti_or_proof() {
    each_issuer(|| {
        let client = Client::new();
        let token = token_bound_to(&client.jkt());
        let config = config();
        let no_jti = client.sign(
            &client.header(),
            &format!(
                r#"{{"htm":"GET","htu":"{URL}","iat":{NOW},"ath":"{}"}}"#,
                ath(&token)
            ),
        );
        assert_eq!(
            code(&token, &present(&config, Some(&no_jti))),
            "ERR_DPOP_PROOF_INVALID"
        );
        assert_eq!(
            code(&token, &present(&config, None)),
            "ERR_DPOP_PROOF_INVALID"
        );
        let long = format!(r#","jti":"{}""#, "x".repeat(257));
        let long_jti = client.sign(
            &client.header(),
            &format!(
                r#"{{"htm":"GET","htu":"{URL}","iat":{NOW},"ath":"{}"{long}}}"#,
                ath(&token)
            ),
        );
        assert_eq!(
            code(&token, &present(&config, Some(&long_jti))),
            "ERR_DPOP_PROOF_INVALID"
        );
    });
}

#[test]
fn missing_or_stale_nonce() {
    each_issuer(|| {
        let client = Client::new();
        let token = token_bound_to(&client.jkt());
        let config = Config::new("", 60.0, Some(&[9; 32]), true, 300.0).unwrap();
        let proof = client.proof(&token, "");
        let e = presented(&token, &present(&config, Some(&proof))).unwrap_err();
        assert_eq!(
            (e.code(), e.status(), e.oauth_error()),
            ("ERR_DPOP_NONCE_REQUIRED", Some(401), Some("use_dpop_nonce"))
        );
        let tollgate::Error::DpopNonceRequired { nonce } = &e else {
            panic!()
        };
        assert_eq!(Some(nonce.clone()), config.nonce(NOW));
        // With the nonce, accepted.
        let with = client.proof(&token, &format!(r#","nonce":"{nonce}""#));
        assert_eq!(code(&token, &present(&config, Some(&with))), "ok");
        // A nonce of another server, or a made-up one: a fresh nonce again.
        let other = Config::new("", 60.0, Some(&[1; 32]), true, 300.0).unwrap();
        let foreign = client.proof(
            &token,
            &format!(r#","nonce":"{}""#, other.nonce(NOW).unwrap()),
        );
        assert_eq!(
            code(&token, &present(&config, Some(&foreign))),
            "ERR_DPOP_NONCE_REQUIRED"
        );
        // The previous bucket's nonce is accepted, and a fresh one is handed back.
        let old = config.nonce(NOW - 300).unwrap();
        let proof = client.proof(&token, &format!(r#","nonce":"{old}""#));
        let proven = run(&token, &present(&config, Some(&proof))).unwrap();
        assert_eq!(proven.proof.unwrap().nonce, config.nonce(NOW));
        // Two buckets back: stale.
        let older = config.nonce(NOW - 600).unwrap();
        let proof = client.proof(&token, &format!(r#","nonce":"{older}""#));
        assert_eq!(
            code(&token, &present(&config, Some(&proof))),
            "ERR_DPOP_NONCE_REQUIRED"
        );
    });
}

#[test]
fn a_dpop_bound_token_sent_as_bearer() {
    each_issuer(|| {
        let client = Client::new();
        let token = token_bound_to(&client.jkt());
        let config = config();
        let bearer = Presentation {
            dpop: false,
            ..present(&config, None)
        };
        let e = presented(&token, &bearer).unwrap_err();
        assert_eq!(e.code(), "ERR_JWT_SENDER_CONSTRAINED");
        // Even with a valid proof in the DPoP header: the scheme says bearer.
        let proof = client.proof(&token, "");
        let bearer_with_proof = Presentation {
            dpop: false,
            ..present(&config, Some(&proof))
        };
        assert_eq!(
            code(&token, &bearer_with_proof),
            "ERR_JWT_SENDER_CONSTRAINED"
        );
    });
}

#[test]
fn an_unbound_token_under_the_dpop_scheme() {
    each_issuer(|| {
        let client = Client::new();
        let token = hs256(r#"{"iss":"https://idp","aud":"api","exp":1700000600}"#);
        let config = config();
        let proof = client.proof(&token, "");
        let e = presented(&token, &present(&config, Some(&proof))).unwrap_err();
        assert_eq!(
            (e.code(), e.claim()),
            ("ERR_JWT_CLAIM_VALIDATION_FAILED", Some("cnf"))
        );
        // As a bearer token it is fine.
        let bearer = Presentation {
            dpop: false,
            ..present(&config, None)
        };
        assert_eq!(run(&token, &bearer).unwrap().credential, Credential::Bearer);
    });
}

#[test]
fn the_token_is_checked_before_the_proof() {
    each_issuer(|| {
        let client = Client::new();
        let expired = hs256(&format!(
            r#"{{"iss":"https://idp","aud":"api","exp":1600000000,"cnf":{{"jkt":"{}"}}}}"#,
            client.jkt()
        ));
        let config = config();
        assert_eq!(
            code(&expired, &present(&config, Some("garbage"))),
            "ERR_JWT_EXPIRED"
        );
    });
}

#[test]
fn an_es256_proof() {
    each_issuer(|| {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        let point = key.public_key().as_ref();
        let (x, y) = (b64(&point[1..33]), b64(&point[33..65]));
        let jkt = b64(ring::digest::digest(
            &ring::digest::SHA256,
            format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#).as_bytes(),
        )
        .as_ref());
        let token = token_bound_to(&jkt);
        let header = format!(
            r#"{{"typ":"dpop+jwt","alg":"ES256","jwk":{{"kty":"EC","crv":"P-256","x":"{x}","y":"{y}"}}}}"#
        );
        let input = format!(
            "{}.{}",
            b64(header.as_bytes()),
            b64(claims(&token, "").as_bytes())
        );
        let sig = key.sign(&rng, input.as_bytes()).unwrap();
        let proof = format!("{input}.{}", b64(sig.as_ref()));
        let config = config();
        assert_eq!(
            run(&token, &present(&config, Some(&proof)))
                .unwrap()
                .credential,
            Credential::Dpop(jkt)
        );
    });
}

#[test]
fn certificate_bound_tokens() {
    each_issuer(|| {
        let x5t = "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2";
        let token = hs256(&format!(
            r#"{{"iss":"https://idp","aud":"api","exp":1700000600,"cnf":{{"x5t#S256":"{x5t}"}}}}"#
        ));
        let with = |certificate| Presentation {
            config: None,
            dpop: false,
            proof: None,
            method: "GET",
            url: URL,
            certificate,
        };
        assert_eq!(
            run(&token, &with(Some(x5t))).unwrap().credential,
            Credential::Mtls(x5t.into())
        );
        assert_eq!(code(&token, &with(None)), "ERR_JWT_SENDER_CONSTRAINED");
        assert_eq!(
            code(
                &token,
                &with(Some("A0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2bwc"))
            ),
            "ERR_MTLS_CERT_MISMATCH"
        );
        // A certificate with an unbound token: a bearer token, as before.
        let unbound = hs256(r#"{"iss":"https://idp","aud":"api","exp":1700000600}"#);
        assert_eq!(
            run(&unbound, &with(Some(x5t))).unwrap().credential,
            Credential::Bearer
        );
    });
}

#[test]
fn the_callers_verdicts_decide_and_no_payload_is_read_before_them() {
    each_issuer(|| {
        let client = Client::new();
        let token = token_bound_to(&client.jkt());
        let config = config();
        let proof = client.proof(&token, "");
        let p = present(&config, Some(&proof));
        let verifier = verifier();
        let call = CallOptions::default();
        let verdicts = |token_ok, proof_ok| {
            let Begun::Pending(pending) = verifier
                .begin_presented(&token, &call, NOW, None, &p)
                .unwrap()
            else {
                panic!("a good proof's signature is the caller's")
            };
            let token_ok = pending.token().map(|_| token_ok);
            verifier
                .resume_presented(pending, &call, NOW, None, &p, token_ok, Some(proof_ok))
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        assert_eq!(verdicts(true, true), Ok(()));
        assert_eq!(
            verdicts(true, false),
            Err("the DPoP proof's signature does not verify".into())
        );
        if matches!(ISSUER.with(Cell::get), Issuer::EdDsa) {
            assert_eq!(
                verdicts(false, true).map_err(|_| "refused"),
                Err("refused"),
                "a false verdict on the token is final"
            );
        }
        // A payload that is not JSON under a signature that does not verify: the signature's error.
        let good = client.sign(&client.header(), "not json");
        let forged = format!(
            "{}.{}",
            &good[..good.rfind('.').unwrap()],
            proof.rsplit('.').next().unwrap()
        );
        assert_eq!(
            message(&token, &present(&config, Some(&forged))),
            "the DPoP proof's signature does not verify"
        );
        assert_eq!(
            message(&token, &present(&config, Some(&good))),
            "the DPoP proof's payload is not a JSON object"
        );
    });
}

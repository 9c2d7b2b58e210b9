//! The facts the JS package needs, written out from the tables that define
//! them (codes in `error`, algorithms in `alg`, claim names in `scopes` and
//! `roles`, option names and durations in `options`) as `pkg/facts.js` and
//! `pkg/facts.d.ts`. `make facts` writes them; `tests/facts.rs` fails when the
//! committed files differ from what this module writes.

use crate::alg::{self, Algorithm, Curve, KeyKind, Scheme};
use crate::error::{Code, Origin};
use crate::json::write_str;
use crate::options::{CALL_FIELDS, DURATION_MAX_DIGITS, DURATION_UNITS, VERIFY_FIELDS};
use crate::policy::KINDS as CONSTRAINT_KINDS;
use crate::{roles, scopes};

const HEADER: &str =
    "// GENERATED from the Rust crate by `make facts` (src/facts.rs): do not edit.\n";

fn str_list<'a>(out: &mut String, items: impl IntoIterator<Item = &'a str>) {
    out.push('[');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_str(out, item);
    }
    out.push(']');
}

fn frozen_list<'a>(
    out: &mut String,
    name: &str,
    doc: &str,
    items: impl IntoIterator<Item = &'a str>,
) {
    out.push_str("\n/** ");
    out.push_str(doc);
    out.push_str(" */\nexport const ");
    out.push_str(name);
    out.push_str(" = Object.freeze(");
    str_list(out, items);
    out.push_str(");\n");
}

fn codes_of(origin: Origin) -> impl Iterator<Item = &'static str> {
    Code::ALL
        .iter()
        .filter(move |c| c.origin() == origin)
        .map(|c| c.as_str())
}

fn opt_num(n: Option<impl ToString>) -> String {
    n.map_or_else(|| "null".to_owned(), |n| n.to_string())
}

fn opt_str(s: Option<&str>) -> String {
    let mut out = String::new();
    match s {
        Some(s) => write_str(&mut out, s),
        None => out.push_str("null"),
    }
    out
}

/// WebCrypto's `importKey` and `verify` algorithm objects for `alg`, as a
/// `{ import, verify }` literal; `null` for HMAC, whose secret stays in the
/// core, and for secp256k1, which WebCrypto does not name (checked in the core).
fn webcrypto(alg: Algorithm) -> String {
    let q = |s: &str| opt_str(Some(s));
    let (import, verify) = match alg.scheme() {
        Scheme::Hmac(_) | Scheme::Ecdsa(Curve::Secp256k1, _) => return "null".to_owned(),
        Scheme::RsaPkcs1(h) => (
            format!("{{ name: \"RSASSA-PKCS1-v1_5\", hash: {} }}", q(h.name())),
            "{ name: \"RSASSA-PKCS1-v1_5\" }".to_owned(),
        ),
        Scheme::RsaPss(h) => (
            format!("{{ name: \"RSA-PSS\", hash: {} }}", q(h.name())),
            format!("{{ name: \"RSA-PSS\", saltLength: {} }}", h.output_len()),
        ),
        Scheme::Ecdsa(curve, h) => (
            format!("{{ name: \"ECDSA\", namedCurve: {} }}", q(curve.name())),
            format!("{{ name: \"ECDSA\", hash: {} }}", q(h.name())),
        ),
        Scheme::Ed25519 => (
            "{ name: \"Ed25519\" }".to_owned(),
            "{ name: \"Ed25519\" }".to_owned(),
        ),
    };
    format!("{{ import: {import}, verify: {verify} }}")
}

/// node:crypto's `verify` digest and key options for `alg` (`padding` is
/// named, node-crypto.js maps it to its constant); `null` for HMAC.
fn node(alg: Algorithm) -> String {
    if let Scheme::Hmac(_) = alg.scheme() {
        return "null".to_owned();
    }
    let digest = alg
        .hash()
        .map(|h| h.name().replace('-', "").to_ascii_lowercase());
    let options = match alg.scheme() {
        Scheme::RsaPss(h) => format!("{{ padding: \"pss\", saltLength: {} }}", h.output_len()),
        Scheme::Ecdsa(..) => "{ dsaEncoding: \"ieee-p1363\" }".to_owned(),
        _ => "{}".to_owned(),
    };
    format!(
        "{{ digest: {}, options: {options} }}",
        opt_str(digest.as_deref())
    )
}

/// `pkg/facts.js`.
pub fn js() -> String {
    let mut out = String::from(HEADER);
    out.push_str("// Each fact is defined once, in Rust; the package reads it from here.\n");

    out.push_str("\n/** Every code: its HTTP status, RFC 6750 error and origin. */\nexport const CODES = Object.freeze({\n");
    for code in Code::ALL {
        let origin = match code.origin() {
            Origin::Core => "core",
            Origin::Decision => "decision",
            Origin::Edge => "edge",
        };
        out.push_str("  ");
        out.push_str(code.as_str());
        out.push_str(": Object.freeze({ status: ");
        out.push_str(&opt_num(code.status()));
        out.push_str(", error: ");
        out.push_str(&opt_str(code.oauth_error()));
        out.push_str(", origin: \"");
        out.push_str(origin);
        out.push_str("\" }),\n");
    }
    out.push_str("});\n");
    frozen_list(
        &mut out,
        "ERROR_CODES",
        "Codes the core throws.",
        codes_of(Origin::Core),
    );
    frozen_list(
        &mut out,
        "DECISION_CODES",
        "Codes that only appear in decisions (policy, guard).",
        codes_of(Origin::Decision),
    );
    frozen_list(
        &mut out,
        "EDGE_ERROR_CODES",
        "Codes the edge layer (key sets and introspection over HTTP) throws.",
        codes_of(Origin::Edge),
    );

    out.push_str("\n/** Every algorithm: key type, curve, the runtime crypto parameters (null for HMAC: the secret stays in the core) and the cargo feature that builds it. */\nexport const ALGORITHMS = Object.freeze({\n");
    for alg in alg::ALL {
        let kind = alg.key_kind();
        out.push_str("  ");
        out.push_str(alg.name());
        out.push_str(": Object.freeze({\n    kty: ");
        out.push_str(&opt_str(Some(kind.kty())));
        out.push_str(",\n    crv: ");
        out.push_str(&opt_str(kind.crv()));
        out.push_str(",\n    coordinateLength: ");
        out.push_str(&opt_num(match kind {
            KeyKind::Ec(curve) => Some(curve.coordinate_len()),
            _ => None,
        }));
        out.push_str(",\n    webCrypto: ");
        out.push_str(&webcrypto(alg));
        out.push_str(",\n    node: ");
        out.push_str(&node(alg));
        out.push_str(",\n    feature: ");
        out.push_str(&opt_str(alg.feature()));
        out.push_str(",\n  }),\n");
    }
    out.push_str("});\n");

    out.push_str("\n/** WebCrypto's names of the table's hashes (token digests, thumbprints). */\nexport const DIGESTS = Object.freeze({");
    for (i, hash) in [alg::Hash::Sha256, alg::Hash::Sha384, alg::Hash::Sha512]
        .into_iter()
        .enumerate()
    {
        out.push_str(if i > 0 { ", " } else { " " });
        out.push_str(&hash.name().replace('-', ""));
        out.push_str(": ");
        write_str(&mut out, hash.name());
    }
    out.push_str(" });\n");

    frozen_list(
        &mut out,
        "SCOPE_CLAIMS",
        "The claims scopes are read from by default.",
        scopes::DEFAULT_CLAIMS,
    );
    frozen_list(
        &mut out,
        "CONSTRAINT_KINDS",
        "Every kind of policy constraint.",
        CONSTRAINT_KINDS.iter().map(|k| k.name),
    );
    out.push_str("\n/** The claim paths roles are read from by default. */\nexport const ROLE_CLAIMS = Object.freeze([");
    for (i, path) in roles::DEFAULT_PATHS.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str("Object.freeze(");
        str_list(&mut out, path.iter().copied());
        out.push(')');
    }
    out.push_str("]);\n");

    frozen_list(
        &mut out,
        "VERIFY_OPTIONS",
        "The option names the core reads for a verifier.",
        VERIFY_FIELDS.iter().copied(),
    );
    frozen_list(
        &mut out,
        "CALL_OPTIONS",
        "The option names the core reads for one call of a verifier.",
        CALL_FIELDS.iter().copied(),
    );

    out.push_str("\n/** Duration units and their seconds (\"30s\", \"5 minutes\", \"1.5h\"). */\nexport const DURATION_UNITS = Object.freeze({\n");
    for (names, seconds) in DURATION_UNITS {
        out.push(' ');
        for name in names {
            out.push(' ');
            out.push_str(name);
            out.push_str(": ");
            out.push_str(&seconds.to_string());
            out.push(',');
        }
        out.push('\n');
    }
    out.push_str("});\n");
    out.push_str("\n/** The default `maxTokenLength`, in bytes. */\nexport const DEFAULT_MAX_TOKEN_LENGTH = ");
    out.push_str(&crate::jws::DEFAULT_MAX_TOKEN_LENGTH.to_string());
    out.push_str(";\n");
    out.push_str("\n/** The most digits a duration's number may have. */\nexport const DURATION_MAX_DIGITS = ");
    out.push_str(&DURATION_MAX_DIGITS.to_string());
    out.push_str(";\n");
    out
}

fn union<'a>(out: &mut String, name: &str, doc: &str, items: impl IntoIterator<Item = &'a str>) {
    out.push_str("\n/** ");
    out.push_str(doc);
    out.push_str(" */\nexport type ");
    out.push_str(name);
    out.push_str(" =");
    for item in items {
        out.push_str("\n  | ");
        write_str(out, item);
    }
    out.push_str(";\n");
}

/// `docs/errors.md`: every code, its HTTP answer and when it is given.
pub fn errors_md() -> String {
    let mut out = String::from(
        "<!-- GENERATED from the Rust crate by `make facts` (src/facts.rs): do not edit. -->\n\
# Error codes\n\n\
Every code tollgate answers with, from the one table in `src/error.rs`: the HTTP status a\n\
resource server answers with, the RFC 6750 error of its `WWW-Authenticate` (DPoP codes: RFC\n\
9449), and who gives it — thrown by the core (a `TollgateError`; a `TypeError` for\n\
`ERR_INVALID_ARG`), only in decisions and guard answers, or thrown by the edge layer (keys\n\
and introspection over HTTP; a guard answers 503). A status of — is the caller's or the\n\
server's own mistake: no HTTP answer.\n\n\
| code | status | error | given by | when |\n|---|---|---|---|---|\n",
    );
    for code in Code::ALL {
        let status = code.status().map_or("—".to_owned(), |s| s.to_string());
        let origin = match code.origin() {
            Origin::Core => "core",
            Origin::Decision => "decision",
            Origin::Edge => "edge",
        };
        out.push_str(&format!(
            "| `{}` | {status} | {} | {origin} | {} |\n",
            code.as_str(),
            code.oauth_error()
                .map_or("—".to_owned(), |e| format!("`{e}`")),
            code.doc().trim().replace('|', "\\|"),
        ));
    }
    out
}

/// `pkg/facts.d.ts`.
pub fn dts() -> String {
    let mut out = String::from(HEADER);
    union(
        &mut out,
        "ErrorCode",
        "Every code the core throws.",
        codes_of(Origin::Core),
    );
    union(
        &mut out,
        "DecisionCode",
        "Codes that only appear in decisions and guard answers (never thrown).",
        codes_of(Origin::Decision),
    );
    union(
        &mut out,
        "EdgeErrorCode",
        "Codes the edge layer (key sets and introspection over HTTP) throws; the guard answers them with 503.",
        codes_of(Origin::Edge),
    );
    union(
        &mut out,
        "Algorithm",
        "A JWS algorithm of tollgate's table (ES512 and ES256K only in builds with their cargo features).",
        alg::ALL.map(Algorithm::name),
    );
    union(
        &mut out,
        "ConstraintName",
        "A kind of policy constraint (a decision's `constraint`).",
        CONSTRAINT_KINDS.iter().map(|k| k.name),
    );
    out.push_str("\n/** Constraints on a scope or a rule, as a policy document gives them. */\nexport interface PolicyConstraints {\n");
    for kind in CONSTRAINT_KINDS.iter().filter(|k| k.in_constraints) {
        out.push_str(&format!(
            "  /** {} */\n  {}?: {};\n",
            kind.doc, kind.name, kind.document_type
        ));
    }
    out.push_str("}\n\n/** Constraints as the policy compiled them (`describe()`); empty lists constrain nothing. */\nexport interface CompiledConstraints {\n");
    for kind in CONSTRAINT_KINDS {
        out.push_str(&format!(
            "  /** {} */\n  {}: {};\n",
            kind.doc, kind.name, kind.compiled_type
        ));
    }
    out.push_str("  /** All of them in one line, for catalogs; empty when there are none. */\n  summary: string;\n}\n");
    out.push_str(
        "
/** Every code: its HTTP status, RFC 6750 error and origin. */
export declare const CODES: Readonly<Record<ErrorCode | DecisionCode | EdgeErrorCode, Readonly<{
  status: 400 | 401 | 403 | 503 | null;
  error: \"invalid_token\" | \"insufficient_scope\" | \"invalid_request\" | null;
  origin: \"core\" | \"decision\" | \"edge\";
}>>>;
/** Codes the core throws. */
export declare const ERROR_CODES: readonly ErrorCode[];
/** Codes that only appear in decisions (policy, guard). */
export declare const DECISION_CODES: readonly DecisionCode[];
/** Codes the edge layer throws. */
export declare const EDGE_ERROR_CODES: readonly EdgeErrorCode[];
/** Every algorithm: key type, curve, and the runtime crypto parameters (null for HMAC). */
export declare const ALGORITHMS: Readonly<Record<Algorithm, Readonly<{
  kty: \"oct\" | \"RSA\" | \"EC\" | \"OKP\";
  crv: string | null;
  coordinateLength: number | null;
  webCrypto: { import: Record<string, string>; verify: Record<string, string | number> } | null;
  node: { digest: string | null; options: Record<string, string | number> } | null;
  /** The cargo feature that builds it (ES512, ES256K), null when always built. */
  feature: string | null;
}>>>;
/** WebCrypto's names of the table's hashes (token digests, thumbprints). */
export declare const DIGESTS: Readonly<{ SHA256: \"SHA-256\"; SHA384: \"SHA-384\"; SHA512: \"SHA-512\" }>;
/** The claims scopes are read from by default. */
export declare const SCOPE_CLAIMS: readonly string[];
/** Every kind of policy constraint. */
export declare const CONSTRAINT_KINDS: readonly ConstraintName[];
/** The claim paths roles are read from by default. */
export declare const ROLE_CLAIMS: readonly (readonly string[])[];
/** The option names the core reads for a verifier. */
export declare const VERIFY_OPTIONS: readonly string[];
/** The option names the core reads for one call of a verifier. */
export declare const CALL_OPTIONS: readonly string[];
/** Duration units and their seconds. */
export declare const DURATION_UNITS: Readonly<Record<string, number>>;
/** The default `maxTokenLength`, in bytes. */
export declare const DEFAULT_MAX_TOKEN_LENGTH: number;
/** The most digits a duration's number may have. */
export declare const DURATION_MAX_DIGITS: number;
",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_and_algorithm_is_written() {
        let js = js();
        for code in Code::ALL {
            assert!(js.contains(&format!("  {}: Object.freeze", code.as_str())));
        }
        for alg in alg::ALL {
            assert!(js.contains(&format!("  {}: Object.freeze", alg.name())));
        }
        assert!(js.contains("PS384: Object.freeze({\n    kty: \"RSA\""));
        assert!(js.contains("verify: { name: \"RSA-PSS\", saltLength: 48 }"));
        assert!(js.contains(
            "node: { digest: \"sha384\", options: { padding: \"pss\", saltLength: 48 } }"
        ));
        assert!(dts().contains("  | \"ERR_JWT_SENDER_CONSTRAINED\""));
    }
}

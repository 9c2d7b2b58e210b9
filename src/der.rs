//! Just enough DER to read a PEM `PUBLIC KEY` (X.509 SubjectPublicKeyInfo,
//! RFC 5280 §4.1.2.7) or `RSA PUBLIC KEY` (PKCS #1, RFC 8017 §A.1.1). Lengths
//! must be minimal and every structure must be consumed exactly.

use crate::alg::Curve;
use crate::b64;
use crate::error::{jwk_invalid, Error};

/// A public key read from PEM, before it is bound to an algorithm.
#[derive(Debug, PartialEq, Eq)]
pub enum PublicKey {
    /// RSA modulus and exponent, big-endian, leading zeros removed.
    Rsa {
        /// Modulus.
        n: Vec<u8>,
        /// Public exponent.
        e: Vec<u8>,
    },
    /// An EC point as found in the key (SEC1 encoding) on a named curve.
    Ec(Curve, Vec<u8>),
    /// A raw Ed25519 public key.
    Ed25519(Vec<u8>),
}

const TAG_INTEGER: u8 = 0x02;
const TAG_BIT_STRING: u8 = 0x03;
const TAG_NULL: u8 = 0x05;
const TAG_OID: u8 = 0x06;
const TAG_SEQUENCE: u8 = 0x30;

// DER contents of the OIDs we recognise.
const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]; // 1.2.840.113549.1.1.1
const OID_EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]; // 1.2.840.10045.2.1
const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70]; // 1.3.101.112

/// Reads one PEM-armoured public key.
pub fn parse_pem(pem: &str) -> Result<PublicKey, Error> {
    let text = pem.trim();
    let (label, body) = unarmor(text)?;
    let body: Vec<u8> = body.iter().flat_map(|l| l.bytes()).collect();
    let der = b64::decode_padded_standard(&body)
        .ok_or_else(|| jwk_invalid("PEM body is not valid base64"))?;
    match label {
        "PUBLIC KEY" => parse_spki(&der),
        "RSA PUBLIC KEY" => parse_pkcs1(&der),
        l if l.ends_with("PRIVATE KEY") => Err(jwk_invalid(
            "PEM holds a private key: pass the public key (SPKI \"PUBLIC KEY\")",
        )),
        "CERTIFICATE" => Err(jwk_invalid(
            "PEM holds a certificate: export its public key as SPKI (\"PUBLIC KEY\")",
        )),
        _ => Err(jwk_invalid("PEM must be a \"PUBLIC KEY\" (SPKI) block")),
    }
}

/// Reads one PEM-armoured PKCS #8 private key (`PRIVATE KEY`, RFC 5958 §5)
/// and returns its DER, for signing (ring parses the document itself).
#[cfg(feature = "sign")]
pub fn parse_private_pem(pem: &str) -> Result<Vec<u8>, Error> {
    let (label, body) = unarmor(pem.trim())?;
    match label {
        "PRIVATE KEY" => {}
        "RSA PRIVATE KEY" | "EC PRIVATE KEY" => {
            return Err(jwk_invalid(
                "PEM holds a PKCS #1 or SEC 1 private key: convert it to PKCS #8 \
                 (\"PRIVATE KEY\", e.g. openssl pkcs8 -topk8 -nocrypt)",
            ))
        }
        "ENCRYPTED PRIVATE KEY" => {
            return Err(jwk_invalid(
                "PEM holds an encrypted private key: decrypt it to PKCS #8 (\"PRIVATE KEY\")",
            ))
        }
        l if l.ends_with("PUBLIC KEY") || l == "CERTIFICATE" => {
            return Err(jwk_invalid(
                "PEM holds a public key: signing needs the private key (PKCS #8 \"PRIVATE KEY\")",
            ))
        }
        _ => return Err(jwk_invalid("PEM must be a PKCS #8 \"PRIVATE KEY\" block")),
    }
    let body: Vec<u8> = body.iter().flat_map(|l| l.bytes()).collect();
    b64::decode_padded_standard(&body).ok_or_else(|| jwk_invalid("PEM body is not valid base64"))
}

fn unarmor(text: &str) -> Result<(&str, Vec<&str>), Error> {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("");
    let label = first
        .strip_prefix("-----BEGIN ")
        .and_then(|l| l.strip_suffix("-----"))
        .ok_or_else(|| jwk_invalid("not a PEM block (missing -----BEGIN ...-----)"))?;
    let mut body = Vec::new();
    for line in lines {
        if let Some(end) = line
            .strip_prefix("-----END ")
            .and_then(|l| l.strip_suffix("-----"))
        {
            if end != label {
                return Err(jwk_invalid("PEM END label does not match BEGIN"));
            }
            return Ok((label, body));
        }
        body.push(line);
    }
    Err(jwk_invalid(
        "PEM block has no matching -----END ...----- line",
    ))
}

/// SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
fn parse_spki(der: &[u8]) -> Result<PublicKey, Error> {
    let bad = || jwk_invalid("malformed SubjectPublicKeyInfo");
    let mut outer = Reader::new(der);
    let mut spki = Reader::new(outer.expect(TAG_SEQUENCE).ok_or_else(bad)?);
    outer.finish().ok_or_else(bad)?;
    let mut algid = Reader::new(spki.expect(TAG_SEQUENCE).ok_or_else(bad)?);
    let bits = spki.expect(TAG_BIT_STRING).ok_or_else(bad)?;
    spki.finish().ok_or_else(bad)?;
    // BIT STRING: first octet is the number of unused bits, which must be 0 for a key.
    let key = match bits.split_first() {
        Some((0, rest)) => rest,
        _ => return Err(bad()),
    };
    let oid = algid.expect(TAG_OID).ok_or_else(bad)?;
    if oid == OID_RSA {
        // Parameters MUST be NULL (RFC 3279 §2.3.1); tolerate their absence.
        if !algid.is_empty() {
            let null = algid.expect(TAG_NULL).ok_or_else(bad)?;
            if !null.is_empty() {
                return Err(bad());
            }
        }
        algid.finish().ok_or_else(bad)?;
        parse_pkcs1(key)
    } else if oid == OID_EC {
        let curve_oid = algid.expect(TAG_OID).ok_or_else(bad)?;
        algid.finish().ok_or_else(bad)?;
        let curve = Curve::from_oid(curve_oid).ok_or_else(|| {
            jwk_invalid("unsupported EC curve: P-256 and P-384 are supported (P-521 and secp256k1 with the es512 and es256k features)")
        })?;
        Ok(PublicKey::Ec(curve, key.to_vec()))
    } else if oid == OID_ED25519 {
        algid.finish().ok_or_else(bad)?;
        Ok(PublicKey::Ed25519(key.to_vec()))
    } else {
        Err(jwk_invalid(
            "unsupported key type: RSA, EC P-256/P-384 and Ed25519 are supported",
        ))
    }
}

/// RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
fn parse_pkcs1(der: &[u8]) -> Result<PublicKey, Error> {
    let bad = || jwk_invalid("malformed RSA public key");
    let mut outer = Reader::new(der);
    let mut seq = Reader::new(outer.expect(TAG_SEQUENCE).ok_or_else(bad)?);
    outer.finish().ok_or_else(bad)?;
    let n = unsigned(seq.expect(TAG_INTEGER).ok_or_else(bad)?).ok_or_else(bad)?;
    let e = unsigned(seq.expect(TAG_INTEGER).ok_or_else(bad)?).ok_or_else(bad)?;
    seq.finish().ok_or_else(bad)?;
    Ok(PublicKey::Rsa {
        n: n.to_vec(),
        e: e.to_vec(),
    })
}

/// A DER INTEGER's content as a positive big-endian magnitude: minimal
/// encoding, non-negative, non-zero.
fn unsigned(content: &[u8]) -> Option<&[u8]> {
    match content {
        [] => None,
        [0] => None,
        [0, next, ..] if *next < 0x80 => None, // non-minimal
        [0, rest @ ..] => Some(rest),
        [first, ..] if *first >= 0x80 => None, // negative
        all => Some(all),
    }
}

struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(data: &'a [u8]) -> Self {
        Reader { data }
    }

    fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    fn finish(&self) -> Option<()> {
        self.data.is_empty().then_some(())
    }

    /// Reads one TLV with the given tag and returns its content.
    fn expect(&mut self, tag: u8) -> Option<&'a [u8]> {
        let (&t, rest) = self.data.split_first()?;
        if t != tag {
            return None;
        }
        let (&first, rest) = rest.split_first()?;
        let (len, rest) = if first < 0x80 {
            (usize::from(first), rest)
        } else {
            // Long form: 1 or 2 length octets are plenty for keys up to 8192 bits,
            // and DER requires the shortest form.
            let count = usize::from(first & 0x7f);
            if count == 0 || count > 2 {
                return None;
            }
            let (len_bytes, rest) = rest.split_at_checked(count)?;
            let len = len_bytes
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            if len < 0x80 || (count == 2 && len < 0x100) {
                return None;
            }
            (len, rest)
        };
        let (content, rest) = rest.split_at_checked(len)?;
        self.data = rest;
        Some(content)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 8410 §10.1 example Ed25519 SPKI.
    const ED25519_PEM: &str = "-----BEGIN PUBLIC KEY-----\n\
        MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n\
        -----END PUBLIC KEY-----\n";

    #[test]
    fn reads_an_ed25519_spki() {
        let key = parse_pem(ED25519_PEM);
        assert!(
            matches!(key, Ok(PublicKey::Ed25519(ref k)) if k.len() == 32 && k.first() == Some(&0x19))
        );
    }

    #[test]
    fn rejects_other_blocks_with_a_clear_error() {
        for (pem, needle) in [
            (
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
                "private key",
            ),
            (
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
                "certificate",
            ),
            ("MCowBQYDK2VwAyEAGb9E", "not a PEM block"),
            ("-----BEGIN PUBLIC KEY-----\nMCow\n", "no matching"),
            (
                "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----",
                "base64",
            ),
            (
                "-----BEGIN PUBLIC KEY-----\nMAA=\n-----END PUBLIC KEY-----",
                "malformed",
            ),
        ] {
            match parse_pem(pem) {
                Err(e) => {
                    assert_eq!(e.code(), "ERR_JWK_INVALID");
                    assert!(
                        e.to_string().contains(needle),
                        "{e} should mention {needle}"
                    );
                }
                Ok(k) => panic!("accepted {k:?}"),
            }
        }
    }

    #[test]
    fn integers_must_be_minimal_and_positive() {
        assert_eq!(unsigned(&[0x01]), Some(&[0x01][..]));
        assert_eq!(unsigned(&[0x00, 0x80]), Some(&[0x80][..]));
        assert_eq!(unsigned(&[0x00, 0x01]), None);
        assert_eq!(unsigned(&[0x80]), None);
        assert_eq!(unsigned(&[]), None);
    }

    #[test]
    fn lengths_must_be_minimal() {
        assert_eq!(
            Reader::new(&[0x02, 0x81, 0x01, 0x05]).expect(TAG_INTEGER),
            None
        );
        assert_eq!(
            Reader::new(&[0x02, 0x01, 0x05]).expect(TAG_INTEGER),
            Some(&[0x05][..])
        );
        assert_eq!(Reader::new(&[0x02, 0x05, 0x05]).expect(TAG_INTEGER), None);
    }
}

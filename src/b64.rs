//! Strict base64url (RFC 7515 §2): the URL-safe alphabet, no padding, no
//! whitespace, and canonical trailing bits, so that every byte string has
//! exactly one accepted encoding (a second encoding of a signed token would be
//! a second token with the same signature). Also the padded standard alphabet
//! for PEM bodies. The `base64` crate's engines: their decoders refuse
//! non-zero trailing bits, and padding where none is configured.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;

/// Decodes strict base64url, or `None` for any deviation.
pub fn decode(input: &[u8]) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(input).ok()
}

/// Decodes standard base64 with `=` padding to a multiple of four (PEM bodies).
pub fn decode_padded_standard(input: &[u8]) -> Option<Vec<u8>> {
    STANDARD.decode(input).ok()
}

/// Encodes base64url without padding.
pub fn encode(input: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_the_canonical_form() {
        assert_eq!(decode(b"eyJhIjoxfQ").as_deref(), Some(&b"{\"a\":1}"[..]));
        assert_eq!(decode(b"").as_deref(), Some(&b""[..]));
        assert_eq!(decode(b"-_8"), Some(vec![0xfb, 0xff]));
        for bad in [
            &b"eyJhIjoxfQ=="[..], // padding
            b"eyJhIjoxfQ=",
            b"+/8",        // standard alphabet
            b"eyJh Ijox",  // whitespace
            b"eyJhIjoxfR", // non-zero trailing bits (R = 0b010001)
            b"AB",         // 'B' leaves a non-zero bit
            b"AAB",
            b"e", // impossible length
            b"eyJ\nhIjoxfQ",
            b"\xc3\xa9AA",
        ] {
            assert_eq!(decode(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn standard_padded_for_pem() {
        assert_eq!(decode_padded_standard(b"+/8="), Some(vec![0xfb, 0xff]));
        assert_eq!(decode_padded_standard(b"QQ=="), Some(vec![b'A']));
        assert_eq!(decode_padded_standard(b"QQ="), None);
        assert_eq!(decode_padded_standard(b"-_8="), None);
        assert_eq!(decode_padded_standard(b"Q==="), None);
    }

    #[test]
    fn round_trips_and_matches_rfc_4648() {
        // RFC 4648 §10 test vectors, unpadded.
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes()), enc);
            assert_eq!(decode(enc.as_bytes()).as_deref(), Some(plain.as_bytes()));
        }
        for len in 0..70u8 {
            let data: Vec<u8> = (0..len)
                .map(|i| i.wrapping_mul(37).wrapping_add(200))
                .collect();
            assert_eq!(decode(encode(&data).as_bytes()), Some(data));
        }
    }
}

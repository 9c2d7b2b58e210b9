//! Strict base64url (RFC 7515 §2): the URL-safe alphabet, no padding, no
//! whitespace, and canonical trailing bits, so that every byte string has
//! exactly one accepted encoding (a second encoding of a signed token would be
//! a second token with the same signature). Also the padded standard alphabet
//! for PEM bodies. Small and our own: this is on the hot path and in the wasm.

const URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn sextet(c: u8, url_safe: bool) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' if url_safe => 62,
        b'_' if url_safe => 63,
        b'+' if !url_safe => 62,
        b'/' if !url_safe => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

fn decode_with(input: &[u8], url_safe: bool) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len() / 4 * 3 + 2);
    let mut chunks = input.chunks_exact(4);
    for chunk in chunks.by_ref() {
        let mut n = 0u32;
        for &c in chunk {
            n = (n << 6) | sextet(c, url_safe)?;
        }
        let [_, a, b, c] = n.to_be_bytes();
        out.extend_from_slice(&[a, b, c]);
    }
    let rest = chunks.remainder();
    let mut n = 0u32;
    for &c in rest {
        n = (n << 6) | sextet(c, url_safe)?;
    }
    // 2 characters carry 12 bits for 1 byte, 3 carry 18 for 2: the spare low
    // bits must be zero, or the same bytes would have several encodings.
    match rest.len() {
        0 => {}
        2 if n & 0xf == 0 => out.push((n >> 4) as u8),
        3 if n & 0x3 == 0 => out.extend_from_slice(&((n >> 2) as u16).to_be_bytes()),
        _ => return None,
    }
    Some(out)
}

/// Decodes strict base64url, or `None` for any deviation.
pub fn decode(input: &[u8]) -> Option<Vec<u8>> {
    decode_with(input, true)
}

/// Decodes standard base64 with `=` padding to a multiple of four (PEM bodies).
pub fn decode_padded_standard(input: &[u8]) -> Option<Vec<u8>> {
    if input.len() % 4 != 0 {
        return None;
    }
    let unpadded = match input {
        [rest @ .., b'=', b'='] | [rest @ .., b'='] => rest,
        all => all,
    };
    decode_with(unpadded, false)
}

/// Encodes base64url without padding.
pub fn encode(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let mut buf = [0u8; 3];
        buf.iter_mut().zip(chunk).for_each(|(b, c)| *b = *c);
        let n = (u32::from(buf[0]) << 16) | (u32::from(buf[1]) << 8) | u32::from(buf[2]);
        for i in 0..=chunk.len() {
            let index = (n >> (18 - 6 * i)) & 63;
            out.push(char::from(URL.get(index as usize).copied().unwrap_or(b'A')));
        }
    }
    out
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

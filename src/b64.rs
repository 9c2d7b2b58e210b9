//! Strict base64url (RFC 7515 §2): the URL-safe alphabet, no padding, no
//! whitespace, and canonical trailing bits, so that every byte string has
//! exactly one accepted encoding (a second encoding of a signed token would be
//! a second token with the same signature). Also the padded standard alphabet
//! for PEM bodies. Small and our own: this is on the hot path and in the wasm.

const URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The value of each byte in an alphabet, 0xFF where it is not a digit.
#[allow(clippy::indexing_slicing)] // const-evaluated: an index out of range is a compile error
const fn table(url_safe: bool) -> [u8; 256] {
    let mut t = [0xFF_u8; 256];
    let mut i = 0;
    while i < 26 {
        t[b'A' as usize + i] = i as u8;
        t[b'a' as usize + i] = 26 + i as u8;
        i += 1;
    }
    let mut d = 0;
    while d < 10 {
        t[b'0' as usize + d] = 52 + d as u8;
        d += 1;
    }
    if url_safe {
        t[b'-' as usize] = 62;
        t[b'_' as usize] = 63;
    } else {
        t[b'+' as usize] = 62;
        t[b'/' as usize] = 63;
    }
    t
}

static URL_TABLE: [u8; 256] = table(true);
static STD_TABLE: [u8; 256] = table(false);

fn decode_with(input: &[u8], url_safe: bool) -> Option<Vec<u8>> {
    let table = if url_safe { &URL_TABLE } else { &STD_TABLE };
    // A u8 always indexes a 256-entry table; `get` keeps the no-panic lint set happy.
    let value = |c: u8| u32::from(table.get(usize::from(c)).copied().unwrap_or(0xFF));
    let full = input.len() / 4;
    let tail_len = match input.len() % 4 {
        0 => 0,
        2 => 1,
        3 => 2,
        _ => return None,
    };
    // Written in place, four characters to three bytes at a time: the hot path
    // of every token (the signature alone is 342 characters for RS256).
    let mut out = vec![0u8; full * 3 + tail_len];
    let (body, tail) = out.split_at_mut_checked(full * 3)?;
    let mut chunks = input.chunks_exact(4);
    for (src, dst) in chunks.by_ref().zip(body.chunks_exact_mut(3)) {
        let &[a, b, c, d] = src else { return None };
        let (a, b, c, d) = (value(a), value(b), value(c), value(d));
        // Any invalid character has bits above the low six.
        if (a | b | c | d) > 63 {
            return None;
        }
        let n = (a << 18) | (b << 12) | (c << 6) | d;
        if let [x, y, z] = dst {
            *x = (n >> 16) as u8;
            *y = (n >> 8) as u8;
            *z = n as u8;
        }
    }
    let mut n = 0u32;
    for &c in chunks.remainder() {
        let v = value(c);
        if v > 63 {
            return None;
        }
        n = (n << 6) | v;
    }
    // 2 characters carry 12 bits for 1 byte, 3 carry 18 for 2: the spare low
    // bits must be zero, or the same bytes would have several encodings.
    match tail {
        [] => {}
        [x] if n & 0xf == 0 => *x = (n >> 4) as u8,
        [x, y] if n & 0x3 == 0 => {
            *x = (n >> 10) as u8;
            *y = (n >> 2) as u8;
        }
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

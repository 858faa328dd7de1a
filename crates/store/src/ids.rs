//! Secret tokens and their hashes.

use sha2::{Digest, Sha256};

/// A new random secret of 32 bytes from the operating system, hex-encoded.
/// There is no fallback: a guessable secret would be worse than an error.
pub fn new_token() -> Result<String, crate::StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| crate::StoreError::Internal(format!("random source: {e}")))?;
    Ok(hex(&bytes))
}

/// SHA-256 of a text, hex-encoded: how tokens are stored.
pub fn sha256_hex(s: &str) -> String {
    hex(&Sha256::digest(s.as_bytes()))
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const D: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(D[(b >> 4) as usize] as char);
        s.push(D[(b & 15) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_distinct_and_hashed() {
        let a = super::new_token().expect("random");
        assert_eq!(a.len(), 64);
        assert_ne!(a, super::new_token().expect("random"));
        assert_eq!(
            super::sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}

//! Property tests: no input, however broken, makes any parser panic.

use proptest::prelude::*;

use crate::encoding::{base64_decode, base64_encode, pem_blocks, pem_encode};
use crate::{
    SshKeyPolicy, SshPublicKey, parse_certificate, parse_certificate_chain,
    parse_signing_certificate, validate_server_certificate,
};

const RSA_CRT: &str = include_str!("../testdata/rsa2048.crt");
const RSA_KEY_PKCS1: &str = include_str!("../testdata/rsa2048.pkcs1.key");
const EC256_CRT: &str = include_str!("../testdata/ec256.crt");
const EC256_SEC1: &str = include_str!("../testdata/ec256.sec1.key");
const EC256_PKCS8: &str = include_str!("../testdata/ec256.pkcs8.key");
const SSH_RSA: &str = include_str!("../testdata/ssh_rsa2048.pub");
const SSH_ED25519: &str = include_str!("../testdata/ssh_ed25519.pub");
const NOW: i64 = 1_798_761_600;

const LABELS: &[&str] = &[
    "CERTIFICATE",
    "PRIVATE KEY",
    "RSA PRIVATE KEY",
    "EC PRIVATE KEY",
    "EC PARAMETERS",
    "PUBLIC KEY",
    "RSA PUBLIC KEY",
];

const LENIENT: SshKeyPolicy = SshKeyPolicy {
    min_rsa_bits: 0,
    allow_ed25519: true,
};

/// Runs every public parser on `text`; only panics matter, results are dropped.
fn run_all(text: &str) {
    let _ = parse_certificate(text);
    let _ = parse_signing_certificate(text, NOW);
    let _ = parse_certificate_chain(text);
    let _ = validate_server_certificate(text, None, RSA_KEY_PKCS1, NOW);
    let _ = validate_server_certificate(RSA_CRT, Some(text), RSA_KEY_PKCS1, NOW);
    let _ = validate_server_certificate(RSA_CRT, None, text, NOW);
    let _ = validate_server_certificate(EC256_CRT, None, text, NOW);
    if let Ok(key) = SshPublicKey::parse_with(text, LENIENT) {
        // Whatever parses must re-encode and parse back to the same key.
        let again = SshPublicKey::parse_with(&key.to_pem(), LENIENT);
        assert_eq!(again.as_ref().map(SshPublicKey::blob), Ok(key.blob()));
        let _ = key.fingerprint_md5();
    }
    let _ = SshPublicKey::parse(text);
}

/// The DER inside a fixture's first PEM block.
fn der_of(pem: &str) -> Vec<u8> {
    pem_blocks(pem)
        .ok()
        .and_then(|mut b| b.drain(..).next())
        .map(|b| b.der)
        .unwrap_or_default()
}

fn ssh_blob(line: &str) -> Vec<u8> {
    line.split_whitespace()
        .nth(1)
        .and_then(base64_decode)
        .unwrap_or_default()
}

/// `bytes` with the byte at `at` xor-ed with `with` and cut to at most `len` bytes.
fn mutate(mut bytes: Vec<u8>, at: usize, with: u8, len: usize) -> Vec<u8> {
    if !bytes.is_empty() {
        let i = at % bytes.len();
        bytes[i] ^= with;
    }
    bytes.truncate(len);
    bytes
}

proptest! {
    #[test]
    fn arbitrary_text(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        run_all(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn arbitrary_der_in_pem(
        bytes in proptest::collection::vec(any::<u8>(), 0..1024),
        label in proptest::sample::select(LABELS),
    ) {
        run_all(&pem_encode(label, &bytes));
    }

    #[test]
    fn arbitrary_ssh_blobs(
        bytes in proptest::collection::vec(any::<u8>(), 0..1024),
        rsa in any::<bool>(),
    ) {
        let kind = if rsa { "ssh-rsa" } else { "ssh-ed25519" };
        run_all(&format!("{kind} {} comment", base64_encode(&bytes)));
    }

    #[test]
    fn mutated_fixtures(
        which in 0usize..6,
        at in any::<usize>(),
        with in 1u8..=255,
        len in 0usize..4096,
    ) {
        let (label, der) = match which {
            0 => ("CERTIFICATE", der_of(RSA_CRT)),
            1 => ("RSA PRIVATE KEY", der_of(RSA_KEY_PKCS1)),
            2 => ("PRIVATE KEY", der_of(EC256_PKCS8)),
            3 => ("EC PRIVATE KEY", der_of(EC256_SEC1.split("-----END EC PARAMETERS-----").nth(1).unwrap_or_default())),
            4 => ("ssh-rsa", ssh_blob(SSH_RSA)),
            _ => ("ssh-ed25519", ssh_blob(SSH_ED25519)),
        };
        let bytes = mutate(der, at, with, len);
        if label.starts_with("ssh-") {
            run_all(&format!("{label} {}", base64_encode(&bytes)));
        } else {
            run_all(&pem_encode(label, &bytes));
        }
    }

    #[test]
    fn cut_fixture_text(cut in 0usize..2000, which in 0usize..4) {
        let text = [RSA_CRT, RSA_KEY_PKCS1, EC256_SEC1, SSH_RSA][which];
        let cut = cut.min(text.len());
        if let Some(prefix) = text.get(..cut) {
            run_all(prefix);
        }
    }
}

//! Signing a sheet and checking a signature with the real `ssh-keygen -Y` (OpenSSH's SSHSIG):
//! no cryptography of attache's own. The namespace ties a signature to handover sheets, so one
//! made for anything else does not pass for one.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub const NAMESPACE: &str = "attache-handover";

/// Where `ssh-keygen -Y sign` writes the signature of `sheet`: `SHEET.sig`.
pub fn signature_path(sheet: &Path) -> PathBuf {
    let mut name = sheet.as_os_str().to_owned();
    name.push(".sig");
    PathBuf::from(name)
}

/// What ssh-keygen said on stderr, on one line.
fn said(stderr: &[u8]) -> String {
    let text = crate::text::one_line(&String::from_utf8_lossy(stderr));
    if text.is_empty() { "it said nothing".to_string() } else { text }
}

/// Signs `sheet` with the private key `key`, writing `SHEET.sig`. With no terminal to ask on, a
/// key with a passphrase (and no agent holding it) cannot sign: that is an error like any other.
pub fn sign(sheet: &Path, key: &Path) -> Result<PathBuf, String> {
    let out = Command::new("ssh-keygen")
        .args(["-q", "-Y", "sign", "-n", NAMESPACE, "-f"])
        .arg(key)
        .arg(sheet)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run ssh-keygen to sign with the key {}: {e}", key.display()))?;
    let sig = signature_path(sheet);
    if !out.status.success() || !sig.is_file() {
        let _ = std::fs::remove_file(&sig);
        return Err(format!(
            "ssh-keygen could not sign with the key {} ({}): {}",
            key.display(),
            out.status,
            said(&out.stderr)
        ));
    }
    crate::desk_files::adopt(&sig)
        .map_err(|e| format!("cannot give {} the desk's mode: {e}", sig.display()))?;
    Ok(sig)
}

/// Checks that `signature` is a good signature of `sheet`'s bytes in the handover namespace
/// (`ssh-keygen -Y check-novalidate`: by whichever key made it, which the signature names; a
/// reader who knows the desk's keys uses `-Y verify` with an allowed_signers file). Returns the
/// key as ssh-keygen names it (`ED25519 key SHA256:…`), so a reader sees which key signed.
pub fn check(sheet: &Path, signature: &Path) -> Result<String, String> {
    let input = std::fs::File::open(sheet).map_err(|e| format!("cannot read {}: {e}", sheet.display()))?;
    let out = Command::new("ssh-keygen")
        .args(["-Y", "check-novalidate", "-n", NAMESPACE, "-s"])
        .arg(signature)
        .stdin(input)
        .output()
        .map_err(|e| format!("cannot run ssh-keygen to check {}: {e}", signature.display()))?;
    if out.status.success() {
        Ok(signer(&out.stdout))
    } else {
        Err(format!("the signature {} does not match the sheet: {}", signature.display(), said(&out.stderr)))
    }
}

/// The signing key from `check-novalidate`'s `Good "NAMESPACE" signature with TYPE key FINGERPRINT`;
/// whatever it said, on one line, when it words it otherwise.
fn signer(stdout: &[u8]) -> String {
    let text = crate::text::one_line(&String::from_utf8_lossy(stdout));
    match text.split_once(" signature with ") {
        Some((_, key)) if !key.is_empty() => key.to_string(),
        _ if text.is_empty() => "key ssh-keygen did not name".to_string(),
        _ => format!("key of which ssh-keygen said: {text}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_signer_is_the_key_ssh_keygen_names() {
        let good = b"Good \"attache-handover\" signature with ED25519 key SHA256:7oUfurQh5sGuq54KVnjjXFafypHqnquHnvqe9vG3JqI\n";
        assert_eq!(super::signer(good), "ED25519 key SHA256:7oUfurQh5sGuq54KVnjjXFafypHqnquHnvqe9vG3JqI");
        assert_eq!(super::signer(b"Signature fine\n"), "key of which ssh-keygen said: Signature fine");
        assert_eq!(super::signer(b""), "key ssh-keygen did not name");
    }
}

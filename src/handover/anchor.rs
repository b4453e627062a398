//! `attache journal verify --anchor SHEET`: the journal still holds the record a handover sheet
//! anchors, with the sum the sheet names, and the sheet is as it was signed. A journal truncated
//! before the anchor, or rewritten and chained afresh (which its own checks cannot tell from the
//! original), fails here.

use std::path::{Path, PathBuf};

use super::sheet::{Anchor, read_anchor};

/// A sheet and what its anchor line says.
pub struct Sheet {
    pub path: PathBuf,
    pub anchor: Anchor,
}

/// Reads `path`'s anchor; why not (a usage error: the sheet is unreadable or has no anchor).
pub fn read(path: &Path) -> Result<Sheet, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the sheet {}: {e}", path.display()))?;
    let anchor = read_anchor(&text).map_err(|why| format!("{}: {why}", path.display()))?;
    Ok(Sheet { path: path.to_path_buf(), anchor })
}

/// Checks one sheet against the journal in `dir`: what holds, or what does not.
pub fn check(dir: &Path, sheet: &Sheet) -> Result<String, String> {
    let Anchor { seq, sum, .. } = &sheet.anchor;
    let failed = |why: String| format!("anchor {} (#{seq}): {why}", sheet.path.display());
    if *seq > 0 {
        match crate::journal::head::record_at(dir, *seq) {
            Ok(Some((found, _, _))) if found == sum.as_bytes() => {}
            Ok(Some((found, path, offset))) => {
                return Err(failed(format!(
                    "the journal's record #{seq} ({} byte {offset}) has sum {}, not the anchored {sum}: the \
                     journal was rewritten from there or before",
                    path.display(),
                    String::from_utf8_lossy(&found)
                )));
            }
            Ok(None) => {
                return Err(failed(format!("the journal no longer holds record #{seq}: it was cut short")));
            }
            Err(e) => return Err(failed(format!("record #{seq} cannot be read: {e}"))),
        }
    }
    let signature = super::ssh::signature_path(&sheet.path);
    let signed = match signature.exists() {
        true => {
            super::ssh::check(&sheet.path, &signature).map_err(failed)?;
            format!("; signature {} good", signature.display())
        }
        false => "; not signed".to_string(),
    };
    Ok(format!("anchor {}: the journal holds #{seq} with sum {sum}{signed}", sheet.path.display()))
}

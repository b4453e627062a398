//! `attache journal verify --anchor SHEET`: the journal still holds the record a handover sheet
//! anchors, with the sum the sheet names, and the sheet is as it was signed. A journal truncated
//! before the anchor, or rewritten and chained afresh (which its own checks cannot tell from the
//! original), fails here.

use std::path::{Path, PathBuf};

use super::sheet::{Anchor, read_anchor};
use crate::event::{Event, Record};

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
    // The record made with this sheet, when one names its file; else any anchored at its head.
    let recorded = handovers_at(dir, &sheet.anchor).map_err(failed)?;
    let named: Vec<&Handed> = recorded.iter().filter(|h| h.names(&sheet.path)).collect();
    let records = if named.is_empty() { recorded.iter().collect() } else { named };
    // The handover is journaled after its anchor: a journal holding the anchor without it
    // was cut after the anchor (its head rewritten to match), which the anchor alone passes.
    let journaled = match records.first() {
        Some(h) => format!("; journaled as handover #{} by {}", h.seq, crate::text::one_line(&h.by)),
        None => {
            return Err(failed(format!(
                "the journal holds record #{seq} but no handover anchored at it: the records after #{seq} were \
                 removed (or the handover was never journaled)"
            )));
        }
    };
    let signature = super::ssh::signature_path(&sheet.path);
    let signed = match (signature.exists(), records.iter().find(|h| h.signature.is_some())) {
        (true, _) => {
            let signer = super::ssh::check(&sheet.path, &signature).map_err(failed)?;
            format!("; signature {} good, made with the {signer}", signature.display())
        }
        (false, Some(h)) => {
            return Err(failed(format!(
                "there is no signature {}, but the journal's handover #{} records the sheet as signed ({}): \
                 the signature was removed",
                signature.display(),
                h.seq,
                h.signature.as_deref().map(crate::text::one_line).unwrap_or_default()
            )));
        }
        (false, None) => "; not signed".to_string(),
    };
    Ok(format!("anchor {}: the journal holds #{seq} with sum {sum}{journaled}{signed}", sheet.path.display()))
}

/// A `handover` record, as far as checking a sheet needs it.
struct Handed {
    seq: u64,
    by: String,
    sheet: String,
    signature: Option<String>,
}

impl Handed {
    /// Whether this record's sheet has `path`'s file name (the sheet may have been moved since).
    fn names(&self, path: &Path) -> bool {
        Path::new(&self.sheet).file_name().is_some_and(|name| Some(name) == path.file_name())
    }
}

/// The `handover` records whose head is the anchored one. They come after it, so the journal is
/// read from there on; only lines of that kind are parsed.
fn handovers_at(dir: &Path, anchor: &Anchor) -> Result<Vec<Handed>, String> {
    let mut found = Vec::new();
    let mut follower = crate::journal::Follower::from_seq(dir, anchor.seq.saturating_add(1))
        .map_err(|e| format!("the journal cannot be read after #{}: {e}", anchor.seq))?;
    let mut unread = None;
    follower
        .poll_lines(|raw, _| {
            if crate::journal::format::kind_of(raw.bytes) != Some("handover") {
                return true;
            }
            match crate::event::read_record(raw.bytes) {
                Ok(Record { seq, by, event: Event::Handover { head, sheet, signature, .. }, .. })
                    if head.seq == anchor.seq && head.sum == anchor.sum =>
                {
                    found.push(Handed { seq, by, sheet, signature });
                }
                Ok(_) => {}
                Err(e) => unread = Some(format!("handover #{} cannot be read: {e}", raw.seq)),
            }
            unread.is_none()
        })
        .map_err(|e| format!("the journal cannot be read after #{}: {e}", anchor.seq))?;
    match unread {
        Some(why) => Err(why),
        None => Ok(found),
    }
}

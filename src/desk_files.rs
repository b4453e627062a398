//! Every file and directory of the desk (journal segments and indexes, locks, checkpoints,
//! digests, briefs, review notes) is created here, so that all of them are the desk group's and
//! nobody else's: files 0660, directories 2770 (setgid, so what is created inside inherits the
//! group), set explicitly after creating because the umask can only take bits away.

use std::fs::{self, File, OpenOptions, Permissions};
use std::io;
use std::os::unix::fs::{DirBuilderExt as _, MetadataExt as _, OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub const FILE_MODE: u32 = 0o660;
pub const DIR_MODE: u32 = 0o2770;
/// Any permission for users outside the owner and the group.
const OTHERS: u32 = 0o007;

/// The desk group's id when the desk names one; unset: the process's own group.
static GROUP: OnceLock<u32> = OnceLock::new();

/// Makes what this process creates from now on belong to group `gid` (resolved by
/// `resolve_group`). Set once, when the configuration is read.
pub fn use_group(gid: u32) {
    let _ = GROUP.set(gid);
}

/// The group id called `name`, when this user may give files to it; otherwise one sentence
/// naming the group and why not.
pub fn resolve_group(name: &str) -> Result<u32, String> {
    let gid = group_id(name).ok_or_else(|| format!("there is no group `{name}` on this host"))?;
    // SAFETY: getegid and geteuid only read the process's credentials.
    let (egid, euid) = unsafe { (libc::getegid(), libc::geteuid()) };
    if gid == egid || euid == 0 || supplementary_groups().contains(&gid) {
        Ok(gid)
    } else {
        Err(format!(
            "this user is not a member of the desk group `{name}` (ask for it, or log in again after being added)"
        ))
    }
}

fn group_id(name: &str) -> Option<u32> {
    let name = std::ffi::CString::new(name).ok()?;
    let mut buf = vec![0u8; 4096];
    loop {
        // SAFETY: every pointer is valid for the call; `buf` outlives the use of `group`.
        let mut group: libc::group = unsafe { std::mem::zeroed() };
        let mut found: *mut libc::group = std::ptr::null_mut();
        let rc = unsafe {
            libc::getgrnam_r(name.as_ptr(), &mut group, buf.as_mut_ptr().cast(), buf.len(), &mut found)
        };
        if rc == libc::ERANGE && buf.len() < 1 << 20 {
            buf.resize(buf.len() * 2, 0);
            continue;
        }
        return (rc == 0 && !found.is_null()).then_some(group.gr_gid);
    }
}

fn supplementary_groups() -> Vec<u32> {
    // SAFETY: a zero-length call asks for the count; the second fills a buffer of that size.
    let count = unsafe { libc::getgroups(0, std::ptr::null_mut()) };
    if count <= 0 {
        return Vec::new();
    }
    let mut groups = vec![0; count as usize];
    let got = unsafe { libc::getgroups(count, groups.as_mut_ptr()) };
    groups.truncate(got.max(0) as usize);
    groups
}

/// Gives a just-created file or directory to the desk group and its desk mode.
fn settle(file: &File, mode: u32) -> io::Result<()> {
    if let Some(&gid) = GROUP.get()
        && file.metadata()?.gid() != gid
    {
        std::os::unix::fs::fchown(file, None, Some(gid))?;
    }
    // After the chown: changing the group clears the setgid bit.
    file.set_permissions(Permissions::from_mode(mode))
}

/// Creates `dir` (its missing parents as the system would) as a desk directory. An existing
/// directory is left as it is.
pub fn create_dir_all(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)?;
    }
    match fs::DirBuilder::new().mode(DIR_MODE).create(dir) {
        Ok(()) => settle(&File::open(dir)?, DIR_MODE),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) => Err(e),
    }
}

/// Opens `path` with `options` (no create flags), creating it as a desk file first if it is
/// not there.
pub fn open_or_create(path: &Path, options: &mut OpenOptions) -> io::Result<File> {
    loop {
        match options.clone().create_new(true).mode(FILE_MODE).open(path) {
            Ok(file) => {
                settle(&file, FILE_MODE)?;
                return Ok(file);
            }
            Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(e),
            Err(_) => {}
        }
        match options.open(path) {
            // Removed between the two opens: create it after all.
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            opened => return opened,
        }
    }
}

/// Makes a file another program created (a signature `ssh-keygen` wrote) a desk file: the
/// desk group's, mode 0660, whatever that program's umask made it.
pub fn adopt(path: &Path) -> io::Result<()> {
    settle(&File::open(path)?, FILE_MODE)
}

/// Creates `path` as a new desk file for writing; fails if it exists.
pub fn create_new(path: &Path) -> io::Result<File> {
    let file = OpenOptions::new().write(true).create_new(true).mode(FILE_MODE).open(path)?;
    settle(&file, FILE_MODE)?;
    Ok(file)
}

/// Writes `bytes` as the whole of `path`, a desk file.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write as _;
    let mut file = open_or_create(path, OpenOptions::new().write(true).truncate(true))?;
    file.write_all(bytes)
}

/// Writes `path` through a temporary file of this process's (two consoles may save the same
/// record's state at once: each writes its own), renamed into place once whole: a crash never
/// leaves half a file under a real name. Checkpoints and briefings are written so; `remove_abandoned` clears what a stopped writer left.
pub fn write_atomically(path: &Path, write: impl FnOnce(File) -> io::Result<()>) -> Result<(), String> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let written = create_new(&temporary).and_then(write).and_then(|()| fs::rename(&temporary, path));
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    written.map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// How old a temporary file must be before it is taken for one a writer stopped mid-write left
/// (killed, or a console quitting without waiting for a long briefing): writing one of the
/// desk's files takes seconds at most.
const ABANDONED_AFTER: std::time::Duration = std::time::Duration::from_secs(600);

/// Removes the temporary files (`.NAME.PID.tmp`, as `write_atomically` names them) in `dir`
/// that a writer stopped mid-write left behind; other files, whatever their names, stay.
pub fn remove_abandoned(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let abandoned = entry.file_name().to_str().is_some_and(is_temporary_name)
            && entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > ABANDONED_AFTER));
        if abandoned {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether `name` is one `write_atomically` gives a temporary file: `.NAME.PID.tmp`.
fn is_temporary_name(name: &str) -> bool {
    let Some(rest) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else { return false };
    rest.rsplit_once('.').is_some_and(|(named, pid)| {
        !named.is_empty() && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())
    })
}

/// The files and directories under `dir` (and `dir` itself) that users outside the owner and
/// the group may read, write or enter, with their modes.
pub fn open_to_others(dir: &Path) -> Vec<(PathBuf, u32)> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(path) = pending.pop() {
        let Ok(meta) = fs::symlink_metadata(&path) else { continue };
        let mode = meta.mode() & 0o7777;
        if mode & OTHERS != 0 && !meta.file_type().is_symlink() {
            found.push((path.clone(), mode));
        }
        if meta.is_dir()
            && let Ok(entries) = fs::read_dir(&path)
        {
            pending.extend(entries.flatten().map(|e| e.path()));
        }
    }
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    #[test]
    fn abandoned_temporary_files_go_and_writes_under_way_stay() {
        let dir = tempfile::tempdir().unwrap();
        let hour_ago = SystemTime::now() - Duration::from_secs(3600);
        let make = |name: &str, modified: SystemTime| {
            let path = dir.path().join(name);
            File::create(&path).unwrap().set_modified(modified).unwrap();
            path
        };
        let stopped = make(".sitrep-20261208T060000Z.md.4194305.tmp", hour_ago);
        let under_way = make(".sitrep-20261208T070000Z.md.4194306.tmp", SystemTime::now());
        let not_temporary = make("sitrep-20261208T050000Z.md", hour_ago);
        let someone_elses = make("notes.tmp", hour_ago);
        let hidden = make(".draft.tmp", hour_ago);
        remove_abandoned(dir.path());
        assert!(!stopped.exists(), "a stopped writer's file is removed");
        assert!(under_way.exists() && not_temporary.exists() && someone_elses.exists() && hidden.exists());
    }
}

//! Who is at the console and where: recorded with every operator action and session.

use std::os::unix::fs::MetadataExt;

/// The operator's login name: from the environment an SSH session sets, else the account that
/// owns this process (cron, `env -i` and some service managers set neither variable).
pub fn login_name() -> String {
    ["LOGNAME", "USER"]
        .iter()
        .filter_map(|var| std::env::var(var).ok())
        .map(|name| crate::text::one_line(&name))
        .find(|name| !name.is_empty())
        .or_else(account_name)
        .unwrap_or_else(|| "unknown".to_string())
}

/// The name `/etc/passwd` gives the process's user id (`uid-N` when it has none).
fn account_name() -> Option<String> {
    let uid = std::fs::metadata("/proc/self").ok()?.uid();
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let name = passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        (fields.nth(1)?.parse::<u32>().ok()? == uid).then(|| crate::text::one_line(name))
    });
    Some(name.unwrap_or_else(|| format!("uid-{uid}")))
}

pub fn host_name() -> String {
    crate::text::one_line(&gethostname::gethostname().to_string_lossy())
}

pub fn terminal() -> String {
    std::env::var("TERM").map(|t| crate::text::one_line(&t)).unwrap_or_default()
}

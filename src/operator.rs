//! Who is at the console and where: recorded with every operator action and session.

/// Who is acting, as journaled with every record they cause: the account of the process's real
/// user id, which no environment variable can change (`LOGNAME=col.reyes attache note` run as
/// root is still root). Under sudo, root's own name says little, so who ran sudo is kept with
/// it: `root (sudo from reyes)`, still one plain string for the journal's `by` and operator
/// fields. `SUDO_USER` is believed only when the real user is root, who could claim any name
/// anyway; anyone else can set it.
pub fn operator() -> String {
    let uid = nix::unistd::getuid();
    let name = account_name(uid);
    match std::env::var("SUDO_USER").map(|s| crate::text::one_line(&s)) {
        Ok(sudo_user) if uid.is_root() && !sudo_user.is_empty() && sudo_user != name => {
            format!("{name} (sudo from {sudo_user})")
        }
        _ => name,
    }
}

/// The name the session declares (`LOGNAME`, `USER`), else the real user's: what a briefing is
/// signed with, which is printed, not journaled.
pub fn login_name() -> String {
    ["LOGNAME", "USER"]
        .iter()
        .filter_map(|var| std::env::var(var).ok())
        .map(|name| crate::text::one_line(&name))
        .find(|name| !name.is_empty())
        .unwrap_or_else(operator)
}

/// The passwd entry's name for `uid` (through NSS, so directory accounts count), `uid-N` when
/// it has none.
fn account_name(uid: nix::unistd::Uid) -> String {
    nix::unistd::User::from_uid(uid)
        .ok()
        .flatten()
        .map(|user| crate::text::one_line(&user.name))
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| format!("uid-{uid}"))
}

pub fn host_name() -> String {
    crate::text::one_line(&gethostname::gethostname().to_string_lossy())
}

pub fn terminal() -> String {
    std::env::var("TERM").map(|t| crate::text::one_line(&t)).unwrap_or_default()
}

//! Who is at the console and where: recorded with every operator action and session.

/// The operator's login name, from the environment the SSH session sets.
pub fn login_name() -> String {
    ["LOGNAME", "USER"]
        .iter()
        .filter_map(|var| std::env::var(var).ok())
        .map(|name| crate::text::one_line(&name))
        .find(|name| !name.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

pub fn host_name() -> String {
    crate::text::one_line(&gethostname::gethostname().to_string_lossy())
}

pub fn terminal() -> String {
    std::env::var("TERM").map(|t| crate::text::one_line(&t)).unwrap_or_default()
}

//! A feed URL as it may be shown or journaled: credentials written into it (a `user:pass@`, a
//! query parameter named like a key or token) replaced by `***`, everything else as written.

/// The URL with its userinfo and the values of secret-looking query parameters replaced by
/// `***`. Text that is not a URL loses everything after `?` and before an `@`, to be safe.
pub fn redacted_url(url: &str) -> String {
    let (head, fragment) = match url.split_once('#') {
        Some((head, fragment)) => (head, Some(fragment)),
        None => (url, None),
    };
    let (base, query) = match head.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (head, None),
    };
    let mut shown = without_userinfo(base);
    if let Some(query) = query {
        shown.push('?');
        let pairs: Vec<String> = query.split('&').map(redacted_pair).collect();
        shown.push_str(&pairs.join("&"));
    }
    if let Some(fragment) = fragment {
        shown.push('#');
        shown.push_str(fragment);
    }
    shown
}

/// `scheme://user:pass@host/path` as `scheme://***@host/path`.
fn without_userinfo(base: &str) -> String {
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let authority_end = base[authority_start..].find('/').map_or(base.len(), |i| authority_start + i);
    match base[authority_start..authority_end].rfind('@') {
        Some(at) => format!("{}***{}", &base[..authority_start], &base[authority_start + at..]),
        None => base.to_string(),
    }
}

fn redacted_pair(pair: &str) -> String {
    match pair.split_once('=') {
        Some((name, value)) if secret_name(name) && !value.is_empty() => format!("{name}=***"),
        _ => pair.to_string(),
    }
}

/// Whether a query parameter's name says its value is a credential: `key`, `apikey`,
/// `api_key`, `token`, `access_token`, `secret`, `password`, `sig`, `signature`, and names that
/// end in one of those (`subscription-key`, `client_secret`).
fn secret_name(name: &str) -> bool {
    let name: String =
        decoded(name).chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect();
    const EXACT: [&str; 6] = ["sig", "auth", "pass", "passwd", "pwd", "credentials"];
    const ENDINGS: [&str; 5] = ["key", "token", "secret", "password", "signature"];
    EXACT.contains(&name.as_str()) || ENDINGS.iter().any(|e| name.ends_with(e))
}

/// A parameter name with its %XX escapes decoded, so `api%5Fkey` is seen as `api_key`.
fn decoded(name: &str) -> String {
    let bytes = name.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(hi), Some(lo)) =
                (bytes.get(i + 1).and_then(|b| hex(*b)), bytes.get(i + 2).and_then(|b| hex(*b)))
        {
            out.push((hi * 16 + lo) as u8);
            i += 3;
            continue;
        }
        out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::redacted_url;

    #[test]
    fn credentials_in_the_query_are_hidden_and_the_rest_kept() {
        assert_eq!(
            redacted_url("https://api.example.org/v1/alerts?apikey=abc123&region=eu&format=json"),
            "https://api.example.org/v1/alerts?apikey=***&region=eu&format=json"
        );
        for name in [
            "key",
            "apikey",
            "api_key",
            "API-Key",
            "token",
            "access_token",
            "secret",
            "client_secret",
            "password",
            "sig",
            "signature",
            "subscription-key",
            "api%5Fkey",
        ] {
            let shown = redacted_url(&format!("https://h/p?a=1&{name}=s3cret&b=2"));
            assert_eq!(shown, format!("https://h/p?a=1&{name}=***&b=2"), "{name}");
        }
        assert_eq!(redacted_url("https://h/p?q=earthquake&page=2"), "https://h/p?q=earthquake&page=2");
    }

    #[test]
    fn userinfo_is_hidden() {
        assert_eq!(
            redacted_url("https://watch:hunter2@feeds.example.org/cap"),
            "https://***@feeds.example.org/cap"
        );
        assert_eq!(
            redacted_url("http://only-user@h:8080/x?token=t#frag"),
            "http://***@h:8080/x?token=***#frag"
        );
        assert_eq!(redacted_url("https://h/path@not-userinfo"), "https://h/path@not-userinfo");
    }

    #[test]
    fn text_that_is_no_url_still_loses_its_secrets() {
        assert_eq!(redacted_url("user:pw@host?token=x"), "***@host?token=***");
    }
}

//! Hostile documents shared by the parser tests: each parser must answer every one of them with
//! a clear error or a skipped entry, never a panic and never a fetch.

#![allow(dead_code)] // each test binary uses the part it needs

/// "Billion laughs": ten levels of ten-fold entity expansion, 10^9 copies of "lol" if expanded.
pub fn billion_laughs(root: &str) -> Vec<u8> {
    let mut dtd = String::from("<!ENTITY lol \"lol\">\n");
    for level in 1..=9 {
        let prev = if level == 1 { "lol".to_string() } else { format!("lol{}", level - 1) };
        let refs = format!("&{prev};").repeat(10);
        dtd.push_str(&format!("<!ENTITY lol{level} \"{refs}\">\n"));
    }
    format!("<?xml version=\"1.0\"?>\n<!DOCTYPE {root} [\n{dtd}]>\n<{root}>&lol9;</{root}>").into_bytes()
}

/// A document whose text would be the contents of a local file if the parser fetched entities.
pub fn external_entity(root: &str, inner: &str) -> Vec<u8> {
    let inner = inner.replace("XXE", "&xxe;");
    format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE {root} [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n{inner}"
    )
    .into_bytes()
}

/// An HTML error page, as a proxy or captive portal returns with status 200.
pub const HTML_PAGE: &[u8] =
    b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>";

/// Bytes that are not UTF-8 in a document that says it is.
pub const INVALID_UTF8: &[u8] = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss>\xff\xfe\xc3\x28</rss>";

/// The first `n` bytes of a real document: a read cut short.
pub fn truncated(body: &[u8], n: usize) -> &[u8] {
    &body[..n.min(body.len())]
}

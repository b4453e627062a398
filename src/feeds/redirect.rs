//! Which redirects a feed follows, and what it sends where. Redirects are followed by hand
//! (reqwest's own policy can stop a redirect but not strip a custom header from it): the feed's
//! configured headers go only to the feed's own origin, never down from https to http, and
//! never to a loopback, link-local or private address unless the feed's own URL is one.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use reqwest::Url;

/// What kind of network an address is on, as far as a redirect is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    Public,
    Loopback,
    /// 0.0.0.0 and ::, which reach this host.
    Unspecified,
    LinkLocal,
    Private,
}

impl Reach {
    pub fn words(self) -> &'static str {
        match self {
            Reach::Public => "a public address",
            Reach::Loopback => "a loopback address",
            Reach::Unspecified => "an unspecified address (this host)",
            Reach::LinkLocal => "a link-local address",
            Reach::Private => "a private address",
        }
    }
}

/// Same scheme, host and port: the feed's headers may go there.
pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme() && a.host() == b.host() && a.port_or_known_default() == b.port_or_known_default()
}

/// Why a redirect from `from` to `to`, for a feed whose own URL is `feed`, is not followed; or
/// None when it may be. Only literal addresses and `localhost` are judged by their host here;
/// the fetcher judges a name by the addresses it resolves to (`http::Fetcher`).
pub fn refusal(feed: &Url, from: &Url, to: &Url) -> Option<String> {
    match (from.scheme(), to.scheme()) {
        ("https", "http") => return Some("from https down to http".into()),
        (_, "http" | "https") => {}
        (_, other) => return Some(format!("scheme `{other}` is not http or https")),
    }
    let target = reach(to);
    (target != Reach::Public && target != reach(feed)).then(|| target.words().to_string())
}

/// The reach of a URL's host: literal addresses by their range, `localhost` (and names under
/// it) as loopback, any other name as public.
pub fn reach(url: &Url) -> Reach {
    let Some(host) = url.host_str() else { return Reach::Public };
    let literal = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    if let Ok(ip) = literal.parse::<IpAddr>() {
        return ip_reach(ip);
    }
    let name = host.trim_end_matches('.').to_ascii_lowercase();
    if name == "localhost" || name.ends_with(".localhost") { Reach::Loopback } else { Reach::Public }
}

pub fn ip_reach(ip: IpAddr) -> Reach {
    match ip {
        IpAddr::V4(v4) => v4_reach(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4_reach(v4),
            None => v6_reach(v6),
        },
    }
}

fn v4_reach(ip: Ipv4Addr) -> Reach {
    let [a, b, ..] = ip.octets();
    if ip.is_unspecified() {
        Reach::Unspecified
    } else if ip.is_loopback() {
        Reach::Loopback
    } else if ip.is_link_local() {
        Reach::LinkLocal
    } else if ip.is_private() || (a == 100 && (64..128).contains(&b)) {
        // 100.64.0.0/10 is carrier-grade NAT: inside someone's network, not the Internet.
        Reach::Private
    } else {
        Reach::Public
    }
}

fn v6_reach(ip: Ipv6Addr) -> Reach {
    let first = ip.segments()[0];
    if ip.is_unspecified() {
        Reach::Unspecified
    } else if ip.is_loopback() {
        Reach::Loopback
    } else if first & 0xffc0 == 0xfe80 {
        Reach::LinkLocal
    } else if first & 0xfe00 == 0xfc00 || first & 0xffc0 == 0xfec0 {
        // Unique local (fc00::/7) and the old site-local (fec0::/10).
        Reach::Private
    } else {
        Reach::Public
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    fn refused(feed: &str, to: &str) -> Option<String> {
        refusal(&url(feed), &url(feed), &url(to))
    }

    #[test]
    fn a_public_feed_is_not_sent_to_local_or_private_addresses() {
        let feed = "https://feeds.example.org/cap.xml";
        for (to, why) in [
            ("https://169.254.169.254/latest/meta-data", "a link-local address"),
            ("https://127.0.0.1:8080/", "a loopback address"),
            ("https://localhost/admin", "a loopback address"),
            ("https://api.localhost./x", "a loopback address"),
            ("https://10.0.0.1/", "a private address"),
            ("https://172.16.4.2/", "a private address"),
            ("https://192.168.1.1/", "a private address"),
            ("https://100.64.0.1/", "a private address"),
            ("https://0.0.0.0:9000/", "an unspecified address (this host)"),
            ("https://[::1]/", "a loopback address"),
            ("https://[::]/", "an unspecified address (this host)"),
            ("https://[fe80::1]/", "a link-local address"),
            ("https://[fd00:ec2::254]/", "a private address"),
            ("https://[::ffff:169.254.169.254]/", "a link-local address"),
            ("https://[::ffff:127.0.0.1]/", "a loopback address"),
            ("https://[::ffff:10.1.2.3]/", "a private address"),
        ] {
            assert_eq!(refused(feed, to).as_deref(), Some(why), "{to}");
        }
        assert_eq!(refused(feed, "https://cdn.example.net/cap.xml"), None);
        assert_eq!(refused(feed, "https://93.184.216.34/cap.xml"), None);
        assert_eq!(refused(feed, "https://[2606:4700::1111]/"), None);
    }

    #[test]
    fn a_feed_on_a_local_address_may_stay_on_that_kind_of_address_only() {
        assert_eq!(refused("http://127.0.0.1:8080/feed", "http://localhost:9090/feed"), None);
        assert_eq!(refused("http://10.0.0.5/feed", "http://192.168.0.9/feed"), None);
        assert_eq!(
            refused("http://127.0.0.1:8080/feed", "http://169.254.169.254/latest").as_deref(),
            Some("a link-local address")
        );
        assert_eq!(
            refused("http://127.0.0.1:8080/feed", "http://10.0.0.1/").as_deref(),
            Some("a private address")
        );
        assert_eq!(refused("http://127.0.0.1:8080/feed", "https://feeds.example.org/"), None);
    }

    #[test]
    fn https_is_never_left_for_http_or_another_scheme() {
        let feed = "https://feeds.example.org/a";
        assert_eq!(refused(feed, "http://feeds.example.org/a").as_deref(), Some("from https down to http"));
        assert_eq!(
            refused(feed, "ftp://feeds.example.org/a").as_deref(),
            Some("scheme `ftp` is not http or https")
        );
        assert_eq!(
            refused(feed, "file:///etc/passwd").as_deref(),
            Some("scheme `file` is not http or https")
        );
        assert_eq!(refused("http://feeds.example.org/a", "https://feeds.example.org/a"), None);
    }

    #[test]
    fn origin_is_scheme_host_and_port() {
        let a = url("https://feeds.example.org/a?x=1");
        assert!(same_origin(&a, &url("https://feeds.example.org:443/b")));
        assert!(!same_origin(&a, &url("http://feeds.example.org/a")));
        assert!(!same_origin(&a, &url("https://feeds.example.org:8443/a")));
        assert!(!same_origin(&a, &url("https://evil.example.net/a")));
        assert!(!same_origin(&url("http://127.0.0.1:80/"), &url("http://localhost:80/")));
    }
}

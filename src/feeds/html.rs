//! HTML in feed text: RSS descriptions, Atom summaries and some CAP descriptions (NSW RFS writes
//! `&lt;br /&gt;` between its fields) carry markup meant for a browser. The desk wants the words:
//! tags are dropped, block-level tags become line breaks, and entities are decoded. Only `<`
//! followed by a letter, `/`, `!` or `?` starts a tag, so "winds < 50 km/h" survives.

/// The text of an HTML fragment: tags removed, entities decoded, whitespace left for
/// `FeedItem::cleaned` to fold. Script and style contents are dropped with their tags.
pub fn to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&decode_entities(&rest[..lt]));
        let after = &rest[lt + 1..];
        let starts_tag = after.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || "/!?".contains(c));
        let Some(gt) = after.find('>').filter(|_| starts_tag) else {
            out.push('<');
            rest = after;
            continue;
        };
        let tag = &after[..gt];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        rest = &after[gt + 1..];
        if (name == "script" || name == "style") && !tag.starts_with('/') {
            // Skip to the closing tag; an unclosed script swallows the rest, as a browser would.
            let close = format!("</{name}");
            rest = find_ci(rest, &close).map_or("", |at| &rest[at..]);
            continue;
        }
        if is_block(&name) {
            out.push('\n');
        } else if !name.is_empty() && !is_inline(&name) {
            out.push(' ');
        }
    }
    out.push_str(&decode_entities(rest));
    out
}

/// Tags that break a line where they stand.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "br" | "p"
            | "div"
            | "li"
            | "ul"
            | "ol"
            | "tr"
            | "table"
            | "dl"
            | "dt"
            | "dd"
            | "hr"
            | "figure"
            | "blockquote"
            | "pre"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
    )
}

/// Tags inside a run of text, which must not split a word: `<q>bullseye</q>`, `<b>II</b>`.
fn is_inline(name: &str) -> bool {
    matches!(
        name,
        "a" | "b"
            | "i"
            | "q"
            | "u"
            | "em"
            | "strong"
            | "span"
            | "small"
            | "sub"
            | "sup"
            | "abbr"
            | "code"
            | "font"
            | "mark"
            | "s"
            | "cite"
    )
}

fn find_ci(haystack: &str, needle: &str) -> Option<usize> {
    haystack.to_ascii_lowercase().find(&needle.to_ascii_lowercase())
}

/// Decodes numeric character references and the named entities feeds actually use. Unknown
/// names are kept as written, so nothing is lost.
pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after.find(';').filter(|n| *n <= 10);
        match end.and_then(|n| entity(&after[..n]).map(|c| (n, c))) {
            Some((n, c)) => {
                out.push(c);
                rest = &after[n + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code);
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "ndash" => '–',
        "mdash" => '—',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "hellip" => '…',
        "laquo" => '«',
        "raquo" => '»',
        "deg" => '°',
        "eacute" => 'é',
        "egrave" => 'è',
        "agrave" => 'à',
        "ograve" => 'ò',
        "ugrave" => 'ù',
        "igrave" => 'ì',
        "ccedil" => 'ç',
        "euro" => '€',
        "copy" => '©',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_go_and_entities_decode() {
        let got = to_text("<p>Hail &amp; wind</p><br/>LOCATION: <b>Cox&nbsp;St</b> &#8217;&#x41;");
        assert_eq!(got, "\nHail & wind\n\nLOCATION: Cox\u{a0}St \u{2019}A");
    }

    #[test]
    fn a_lone_less_than_is_text() {
        assert_eq!(to_text("winds < 50 km/h & rising"), "winds < 50 km/h & rising");
        assert_eq!(to_text("a <"), "a <");
    }

    #[test]
    fn scripts_vanish_with_their_contents() {
        assert_eq!(to_text("a<script>alert(1)</script>b<style>x{}</STYLE>c"), "a b c");
        assert_eq!(to_text("a<script>never closed"), "a");
    }

    #[test]
    fn unknown_and_broken_entities_are_kept() {
        assert_eq!(decode_entities("&bogus; &#xZZ; & &#1114112;"), "&bogus; &#xZZ; & &#1114112;");
    }
}

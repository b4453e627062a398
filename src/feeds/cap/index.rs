//! Atom and RSS indexes of CAP alerts. An index carries part of each alert in `cap:` elements
//! beside the entry's own title, summary and links; the items are made from what the index
//! carries, and [`alert_links`] lists the full alerts for a poller configured to follow them.
//!
//! Publishers differ: NWS uses the CAP 1.1 namespace, an empty `<cap:polygon/>`, and several
//! valueName/value pairs in one unprefixed `<cap:geocode>`; MeteoAlarm writes `cap:message_type`
//! for msgType and publishes one entry per area of one alert, so entries sharing a
//! `cap:identifier` are merged into one item with all their areas; Krisinformation has neither
//! status nor msgType (taken as an Actual Alert: it is a public real-world service) and nests
//! `cap:area` blocks. An index carries no `references`, so an Update there keeps its own
//! identifier; following the link gives the full alert with its references.

use chrono::{DateTime, Utc};
use roxmltree::{Document, Node};

use super::{Areas, InfoFields, references, summary, traffic};
use crate::domain::{FeedItem, Traffic};
use crate::event::WithdrawReason;
use crate::feeds::xml::{child, child_text, children, parse_date, position, text_of, with_document};
use crate::feeds::{ParseError, Parsed, html};

const CAP_NS_PREFIX: &str = "urn:oasis:names:tc:emergency:cap";
const CAP_MIME: &str = "application/cap+xml";

/// One index entry, or several merged because they share an identifier.
struct Entry {
    id: String,
    title: String,
    link: Option<String>,
    published: Option<DateTime<Utc>>,
    updated: Option<DateTime<Utc>>,
    fields: InfoFields,
    traffic: Traffic,
    /// For a Cancel: the ids it withdraws.
    cancels: Option<Vec<String>>,
    areas: Areas,
}

fn entries<'a, 'i>(doc: &'a Document<'i>) -> Result<(bool, Vec<Node<'a, 'i>>), ParseError> {
    let root = doc.root_element();
    if root.tag_name().name() == "feed" {
        return Ok((true, children(root, "entry").collect()));
    }
    let channel = child(root, "channel").ok_or_else(|| ParseError::new("RSS document has no <channel>"))?;
    Ok((false, children(channel, "item").collect()))
}

pub(super) fn parse(feed: &str, doc: &Document<'_>) -> Result<Parsed, ParseError> {
    let (atom, nodes) = entries(doc)?;
    let any_cap =
        doc.descendants().any(|n| n.tag_name().namespace().is_some_and(|ns| ns.starts_with(CAP_NS_PREFIX)));
    if !nodes.is_empty() && !any_cap {
        return Err(ParseError::new(
            "an index without any cap: fields (is this a plain news feed configured as CAP?)",
        ));
    }
    let mut parsed = Parsed::default();
    let mut merged: Vec<Entry> = Vec::new();
    for (n, node) in nodes.into_iter().enumerate() {
        match entry(node, atom) {
            Ok(e) => match merged.iter_mut().find(|m| m.id == e.id) {
                Some(first) => first.areas.merge(e.areas),
                None => merged.push(e),
            },
            Err(why) => parsed.skipped.push(format!("entry {n} ({}): {why}", position(doc, node))),
        }
    }
    for e in merged {
        if let Some(ids) = e.cancels {
            parsed.withdrawn.extend(ids.into_iter().map(|id| (id, WithdrawReason::Cancelled)));
            continue;
        }
        let fields = e.fields;
        parsed.items.push(FeedItem {
            feed: feed.to_string(),
            id: e.id,
            title: e.title,
            summary: summary(&fields, &e.areas),
            link: e.link,
            published: e.published,
            updated: e.updated,
            severity: fields.severity,
            severity_raw: fields.severity_raw,
            category: fields.event,
            magnitude: None,
            location: e.areas.location(),
            expires: fields.expires,
            traffic: e.traffic,
        });
    }
    Ok(parsed)
}

/// The text of a child in a CAP namespace (so RSS `<description>` is not `cap:description`).
fn cap_text(node: Node<'_, '_>, local: &str) -> Option<String> {
    node.children()
        .find(|c| {
            c.tag_name().name() == local
                && c.tag_name().namespace().is_some_and(|ns| ns.starts_with(CAP_NS_PREFIX))
        })
        .and_then(text_of)
}

/// The text of a child in no namespace or the Atom namespace: the index's own fields.
fn own_text(node: Node<'_, '_>, local: &str) -> Option<String> {
    node.children()
        .find(|c| {
            c.tag_name().name() == local
                && !c.tag_name().namespace().is_some_and(|ns| ns.starts_with(CAP_NS_PREFIX))
        })
        .and_then(text_of)
}

fn entry(node: Node<'_, '_>, atom: bool) -> Result<Entry, String> {
    let link = page_link(node, atom);
    let own_id = if atom { own_text(node, "id") } else { own_text(node, "guid") };
    let identifier = cap_text(node, "identifier");
    let date =
        |name: &str| own_text(node, name).map(|v| parse_date(&v).map_err(|e| format!("<{name}>: {e}")));
    let (published, updated) = if atom {
        (date("published").transpose()?, date("updated").transpose()?)
    } else {
        (date("pubDate").transpose()?, None)
    };
    let status = cap_text(node, "status");
    let traffic = status.as_deref().map_or(Ok(Traffic::Real), traffic)?;
    let msg_type = cap_text(node, "msgType").or_else(|| cap_text(node, "message_type"));
    let refs = references(cap_text(node, "references").as_deref());
    let id = match (msg_type.as_deref(), refs.first()) {
        (Some("Update"), Some(original)) => original.identifier.clone(),
        _ => identifier.or(own_id).or_else(|| link.clone()).ok_or("no cap:identifier, id or link")?,
    };
    let cancels = (msg_type.as_deref() == Some("Cancel")).then(|| {
        if refs.is_empty() { vec![id.clone()] } else { refs.iter().map(|r| r.identifier.clone()).collect() }
    });
    let mut fields = InfoFields::read_cap(node)?;
    let own_summary = if atom { own_text(node, "summary") } else { own_text(node, "description") };
    // The index's own summary stands for the alert's description (they are the same text).
    let own_summary = own_summary.map(|s| html::to_text(&s).trim().to_string()).filter(|s| !s.is_empty());
    if own_summary.is_some() {
        fields.description = own_summary;
    }
    let title = own_text(node, "title")
        .map(|t| html::to_text(&t).trim().to_string())
        .filter(|t| !t.is_empty())
        .or_else(|| fields.headline.clone())
        .or_else(|| fields.event.clone())
        .unwrap_or_else(|| id.clone());
    let mut areas = Areas::default();
    areas.add(node);
    for area in children(node, "area") {
        areas.add(area);
    }
    Ok(Entry { id, title, link, published, updated, fields, traffic, cancels, areas })
}

impl InfoFields {
    /// The info fields of an index entry: only elements in a CAP namespace count.
    fn read_cap(node: Node<'_, '_>) -> Result<Self, String> {
        let date = |name: &str| {
            cap_text(node, name).map(|v| parse_date(&v).map_err(|e| format!("cap:{name}: {e}"))).transpose()
        };
        let severity_raw = cap_text(node, "severity");
        Ok(InfoFields {
            event: cap_text(node, "event"),
            headline: cap_text(node, "headline"),
            description: cap_text(node, "description").map(|d| html::to_text(&d)),
            instruction: cap_text(node, "instruction").map(|d| html::to_text(&d)),
            urgency: cap_text(node, "urgency"),
            certainty: cap_text(node, "certainty"),
            severity: super::severity(severity_raw.as_deref()),
            severity_raw,
            effective: date("effective")?,
            onset: date("onset")?,
            expires: date("expires")?,
        })
    }
}

/// The link a person would open: an Atom alternate (or untyped) link that is not the CAP
/// document itself, else the CAP document; in RSS, `<link>`.
fn page_link(node: Node<'_, '_>, atom: bool) -> Option<String> {
    if !atom {
        return child_text(node, "link");
    }
    let links: Vec<_> = children(node, "link").collect();
    let is_page = |l: &&Node<'_, '_>| {
        l.attribute("rel").is_none_or(|r| r == "alternate") && l.attribute("type") != Some(CAP_MIME)
    };
    links.iter().find(is_page).or_else(|| links.first()).and_then(|l| l.attribute("href")).map(str::to_string)
}

/// The full CAP alerts an index links to, in document order without repeats: Atom links typed
/// `application/cap+xml`, else the entry's alternate (or untyped) link, which NWS and
/// Krisinformation point at the alert; in RSS, an `application/cap+xml` enclosure, else
/// `<link>`. A single `<alert>` document links to nothing.
pub fn alert_links(body: &[u8]) -> Result<Vec<String>, ParseError> {
    with_document(body, |doc| {
        if doc.root_element().tag_name().name() == "alert" {
            return Ok(Vec::new());
        }
        if !matches!(doc.root_element().tag_name().name(), "feed" | "rss") {
            return Err(ParseError::new("not a CAP index: the root element is neither <feed> nor <rss>"));
        }
        let (atom, nodes) = entries(doc)?;
        let mut links: Vec<String> = Vec::new();
        for node in nodes {
            let typed: Vec<_> = if atom {
                children(node, "link")
                    .filter(|l| l.attribute("type") == Some(CAP_MIME))
                    .filter_map(|l| l.attribute("href"))
                    .collect()
            } else {
                children(node, "enclosure")
                    .filter(|l| l.attribute("type") == Some(CAP_MIME))
                    .filter_map(|l| l.attribute("url"))
                    .collect()
            };
            let chosen: Vec<String> = if typed.is_empty() {
                let fallback = if atom {
                    children(node, "link")
                        .find(|l| l.attribute("rel").is_none_or(|r| r == "alternate"))
                        .and_then(|l| l.attribute("href"))
                        .map(str::to_string)
                } else {
                    child_text(node, "link")
                };
                fallback.into_iter().collect()
            } else {
                typed.into_iter().map(str::to_string).collect()
            };
            for link in chosen {
                if !links.contains(&link) {
                    links.push(link);
                }
            }
        }
        Ok(links)
    })
}

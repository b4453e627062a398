//! Cursor-on-Target events from real TAK traffic (tests/fixtures/cot, sources in SOURCES.md),
//! the TCP stream framer, and hostile input.

mod hostile;

use attache::domain::{FeedItem, Location, Severity, Traffic};
use attache::event::WithdrawReason;
use attache::feeds::Parsed;
use attache::feeds::cot::{self, CotFramer, Framed};
use chrono::{DateTime, Utc};
use proptest::prelude::*;

fn at(t: &str) -> DateTime<Utc> {
    t.parse().unwrap()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("tests/fixtures/cot/{name}")).unwrap()
}

fn parse(name: &str, now: &str) -> Parsed {
    let parsed = cot::parse("tak", &fixture(name), at(now)).unwrap();
    assert!(parsed.skipped.is_empty(), "{name}: {:?}", parsed.skipped);
    parsed
}

fn item(name: &str, now: &str) -> FeedItem {
    let mut parsed = parse(name, now);
    assert_eq!(parsed.items.len(), 1, "{name}: {parsed:?}");
    parsed.items.remove(0)
}

#[test]
fn a_friendly_self_report() {
    let pli = item("fts-atak-civ-pli-friendly-a-f-G-U-C-h-e.xml", "2020-02-08T18:10:50Z");
    assert_eq!(pli.id, "ANDROID-R52JB0CDC4E");
    assert_eq!(pli.title, "corvTab");
    assert_eq!(pli.category.as_deref(), Some("friend"));
    assert_eq!(pli.severity, Severity::Info);
    assert_eq!(pli.severity_raw.as_deref(), Some("a-f-G-U-C"));
    assert_eq!(pli.traffic, Traffic::Real);
    assert_eq!(pli.published, Some(at("2020-02-08T18:10:46.207Z")));
    assert_eq!(pli.expires, Some(at("2020-02-08T18:11:13.207Z")));
    assert_eq!(
        pli.location,
        Some(Location::Point { lat: -0.004287826538927404, lon: -0.0076812372022802555 })
    );
    assert_eq!(pli.summary.as_deref(), Some("type a-f-G-U-C, how h-e"), "9999999 is unknown, not a height");

    let jenny = item("taky-atak-civ-pli-friendly-a-f-G-U-C-m-g.xml", "2021-02-27T20:33:00Z");
    assert_eq!(jenny.title, "JENNY");
    assert_eq!(jenny.summary.as_deref(), Some("type a-f-G-U-C, how m-g, height -25.7 m, ce 9.9 m"));
}

#[test]
fn hostile_marker_with_an_escaped_callsign() {
    let marker = item("fts-atak-hostile-marker-a-h-G-ampersand-callsign.xml", "2020-02-09T00:00:00Z");
    assert_eq!(marker.title, "Command & Control Team");
    assert_eq!(marker.category.as_deref(), Some("hostile"));
    assert_eq!(marker.severity, Severity::Severe);
    assert_eq!(marker.location, Some(Location::Point { lat: 44.2202054, lon: -66.1405296 }));
}

#[test]
fn uppercase_affiliation_and_attribute_order() {
    let marker = item("nodecot-takaware-a-U-G-uppercase-affiliation-flowtags.xml", "2025-09-07T16:30:00Z");
    assert_eq!(marker.category.as_deref(), Some("unknown"));
    assert_eq!(marker.severity, Severity::Minor);
    assert_eq!(marker.title, "No Path");
    assert_eq!(marker.location, Some(Location::Point { lat: 39.0, lon: -108.0 }));
    let air = item("fts-atak-unknown-air-a-u-A-M-F.xml", "2020-02-08T18:12:00Z");
    assert_eq!((air.title.as_str(), air.severity), ("ISR2 2", Severity::Minor));
}

#[test]
fn point_after_detail_and_start_after_time() {
    let marker = item("fts-atak-neutral-marker-a-n-G-point-after-detail.xml", "2020-10-01T00:00:00Z");
    assert_eq!(marker.title, "N.11.143136");
    assert_eq!(marker.category.as_deref(), Some("neutral"));
    assert_eq!(marker.published, Some(at("2020-07-18T13:38:31.220Z")));
    assert_eq!(marker.location, Some(Location::Point { lat: -11.005735933018565, lon: -61.137312737751884 }));
    assert!(marker.summary.unwrap().starts_with("DEFAULT\n"));
    let empty_remarks = item("fts-atak-unknown-marker-a-u-G-custom-icon.xml", "2020-02-08T18:12:00Z");
    assert_eq!(
        empty_remarks.summary.as_deref(),
        Some("type a-u-G, how h-g-i-g-o, height 1.3043101147506455 m")
    );
}

#[test]
fn an_emergency_is_critical_and_its_callsign_folds_to_one_line() {
    let alert = item("nodecot-wearos-emergency-b-a-o-newline-callsign.xml", "2026-02-04T13:41:00Z");
    assert_eq!(alert.severity, Severity::Critical);
    assert_eq!(alert.category.as_deref(), Some("emergency"));
    assert_eq!(alert.title, "SP-Dev\nManual Alert: Gunshot", "kept as published");
    assert_eq!(alert.cleaned().title, "SP-Dev Manual Alert: Gunshot");
}

#[test]
fn chat_and_images() {
    let chat = item("fts-atak-geochat-b-t-f-remarks.xml", "2020-02-08T18:12:00Z");
    assert_eq!(chat.title, "corvTab", "the sender, from __chat");
    assert_eq!(chat.category.as_deref(), Some("chat"));
    assert!(chat.summary.unwrap().starts_with("need supoort\n"));
    let chat = item("taky-atak-geochat-b-t-f-direct-marti-dest.xml", "2021-02-23T22:30:00Z");
    assert!(chat.summary.unwrap().starts_with("test\n"));
    let pic = item("nodecot-datapackage-quickpic-b-i-x-i.xml", "2024-07-03T03:00:00Z");
    assert_eq!((pic.title.as_str(), pic.category.as_deref()), ("DFPC Ingalls.2.144535", Some("image")));
}

#[test]
fn pings_make_no_item() {
    let parsed = parse("rubytak-atak-ping-t-x-c-t.xml", "2023-02-09T05:34:10Z");
    assert!(parsed.items.is_empty() && parsed.withdrawn.is_empty());
}

#[test]
fn stale_before_time_keeps_the_senders_stale() {
    let name = "takserver-relayed-sensor-a-f-G-U-C-stale-before-time.xml";
    let sensor = item(name, "2024-11-20T00:38:00Z");
    assert_eq!(sensor.id, "IOTAI_SB05F");
    assert_eq!(sensor.published, Some(at("2024-11-20T00:37:46.843Z")), "start, not the server's time");
    assert_eq!(sensor.expires, Some(at("2024-11-20T00:39:26.843Z")));
    assert!(sensor.summary.unwrap().contains("relayed after it went stale"));
    // As relayed, at the server's time, the report is already stale: it withdraws its track.
    let relayed = parse(name, "2024-11-20T00:50:03Z");
    assert!(relayed.items.is_empty());
    assert_eq!(relayed.withdrawn, vec![("IOTAI_SB05F".to_string(), WithdrawReason::Stale)]);
}

/// ATAK's delete, in the form its developer guide gives ("Delete a Remote Map Item"): a uid of
/// its own, the marker named in `<link uid>` with relation and type `none`, `<__forcedelete/>`,
/// the point after the detail, and times long past. The marker it names is withdrawn at once
/// (cancelled by its sender), and the delete makes no item of its own.
#[test]
fn a_delete_withdraws_the_marker_it_names() {
    let delete = br#"<?xml version="1.0" standalone="yes"?>
<event start="2026-12-01T08:00:00Z" time="2026-12-01T08:00:00Z" stale="2026-12-01T08:00:20Z" how="m-g" type="t-x-d-d" uid="delete-8f2c41" version="2.0">
    <detail>
        <link uid="ANDROID-589520ccfcd20f01.hostile-1" relation="none" type="none"/>
        <__forcedelete/>
    </detail>
    <point ce="9999999" le="9999999" lat="14.5995" lon="120.9842" hae="0"/>
</event>"#;
    for now in ["2026-12-01T08:00:05Z", "2026-12-02T00:00:00Z"] {
        let parsed = cot::parse("tak", delete, at(now)).unwrap();
        assert!(parsed.items.is_empty() && parsed.skipped.is_empty(), "{parsed:?}");
        let marker = "ANDROID-589520ccfcd20f01.hostile-1".to_string();
        assert_eq!(parsed.withdrawn, vec![(marker, WithdrawReason::Cancelled)], "at {now}");
    }
    // Senders that give the delete the marker's own uid and no link, in any case.
    let bare = br#"<event version="2.0" uid="tms-42" type="T-X-D-D" how="m-g" time="2026-12-01T08:00:00Z" start="2026-12-01T08:00:00Z" stale="2026-12-01T08:00:00Z"><point lat="0" lon="0" hae="0" ce="9999999" le="9999999"/><detail/></event>"#;
    let parsed = cot::parse("tak", bare, at("2026-12-01T08:00:01Z")).unwrap();
    assert_eq!(parsed.withdrawn, vec![("tms-42".to_string(), WithdrawReason::Cancelled)]);
    assert!(parsed.items.is_empty());
    // An empty link names nothing: the delete's own uid. A type that only begins like a delete
    // is not one (a withdrawal resolves alerts): it is a report like any other.
    let empty_link = String::from_utf8_lossy(delete).replace("ANDROID-589520ccfcd20f01.hostile-1", " ");
    let parsed = cot::parse("tak", empty_link.as_bytes(), at("2026-12-01T08:00:05Z")).unwrap();
    assert_eq!(parsed.withdrawn, vec![("delete-8f2c41".to_string(), WithdrawReason::Cancelled)]);
    let longer = String::from_utf8_lossy(delete).replace("t-x-d-d", "t-x-d-d-x");
    let parsed = cot::parse("tak", longer.as_bytes(), at("2026-12-01T08:00:05Z")).unwrap();
    assert!(parsed.withdrawn.is_empty() && parsed.items.len() == 1, "{parsed:?}");
}

#[test]
fn the_framer_cuts_a_real_stream_and_holds_the_partial_event() {
    let stream = fixture("stream-fts-welcome-geochat-3-events-trailing-partial.cotstream");
    let mut framer = CotFramer::default();
    let frames = framer.push(&stream);
    assert_eq!(frames.len(), 2, "{frames:?}");
    assert!(framer.pending() > 0, "the third event is held");
    for frame in &frames {
        let Framed::Event(event) = frame else { panic!("{frame:?}") };
        let parsed = cot::parse("tak", event, at("2021-11-13T13:13:00Z")).unwrap();
        let chat = &parsed.items[0];
        assert_eq!(chat.id, "GeoChat.SERVER-UID.HUEY.5c97a2e2-4483-11ec-8b80-39af8bf37572");
        assert!(chat.summary.as_deref().unwrap().contains("It\u{2019}s just resting"));
        assert_eq!(chat.location, None, "0,0 is the server's no-position");
    }
    // The rest of the third event arrives in the next read.
    let rest = br#"9999999.0" ce="9999999.0" hae="9999999.0" lon="0" lat="0" /></event>"#;
    let frames = framer.push(rest);
    assert!(matches!(frames.as_slice(), [Framed::Event(_)]), "{frames:?}");
    assert_eq!(framer.pending(), 0);
}

#[test]
fn the_framer_handles_every_split_and_declarations() {
    let one = fixture("fts-atak-civ-pli-friendly-a-f-G-U-C-h-e.xml");
    let two = fixture("taky-atak-civ-pli-friendly-a-f-G-U-C-m-g.xml");
    let mut stream = one.clone();
    stream.extend_from_slice(b"\n\t");
    stream.extend_from_slice(&two);
    stream.extend_from_slice(b"<event uid='x' type='a-f-G' time='t' stale='s'/>");
    for split in 0..stream.len() {
        let mut framer = CotFramer::default();
        let mut frames = framer.push(&stream[..split]);
        frames.extend(framer.push(&stream[split..]));
        let events: Vec<_> = frames
            .iter()
            .map(|f| match f {
                Framed::Event(e) => e.clone(),
                Framed::Dropped(why) => panic!("split {split}: {why}"),
            })
            .collect();
        assert_eq!(events.len(), 3, "split {split}");
        assert!(events[0].starts_with(b"<event version='2.0'"));
        assert!(events[0].ends_with(b"</event>"));
        assert_eq!(events[1], two);
        assert_eq!(framer.pending(), 0);
    }
}

#[test]
fn the_framer_resynchronises_after_junk_and_runaway_events() {
    let mut framer = CotFramer::new(1024);
    let frames = framer.push(b"GET / HTTP/1.1\r\n\r\n<event uid='a'><detail></detail></event>");
    assert!(matches!(&frames[0], Framed::Dropped(why) if why.contains("not an event")), "{frames:?}");
    assert!(matches!(&frames[1], Framed::Event(_)));
    // A sender that never closes its event is cut off at the limit, then heard again.
    let mut frames = framer.push(b"<event uid='b' ");
    for _ in 0..200 {
        frames.extend(framer.push(b"x='yyyyyyyyyy' "));
        assert!(framer.pending() <= 1024 + 15);
    }
    assert!(
        frames.iter().any(|f| matches!(f, Framed::Dropped(why) if why.contains("longer than 1024 bytes")))
    );
    let frames = framer.push(b" <event uid='c'></event>");
    assert!(
        matches!(frames.last(), Some(Framed::Event(e)) if e.starts_with(b"<event uid='c'")),
        "{frames:?}"
    );
    // An event cut off by the start of the next costs only itself.
    let frames = framer.push(b"<event uid='d'><detail><event uid='e'></event>");
    assert!(matches!(&frames[0], Framed::Dropped(why) if why.contains("cut off")));
    assert!(matches!(&frames[1], Framed::Event(e) if e.starts_with(b"<event uid='e'")));
    // Junk without any event is not held.
    framer.push(&vec![b'z'; 100_000]);
    assert_eq!(framer.pending(), 0);
}

/// The GeoChat fixture with its message replaced by `message`.
fn geochat_saying(message: &str) -> Vec<u8> {
    let chat = String::from_utf8(fixture("fts-atak-geochat-b-t-f-remarks.xml")).unwrap();
    assert!(chat.contains(">need supoort</remarks>"));
    chat.replace(">need supoort</remarks>", &format!(">{message}</remarks>")).into_bytes()
}

const FORGERY: &str = r#"</event><event uid="forged" type="a-h-G" time="2020-02-08T18:11:03Z" start="2020-02-08T18:11:03Z" stale="2030-01-01T00:00:00Z"><point lat="1" lon="1" hae="0" ce="0" le="0"/></event>"#;

/// A stream of a chat whose CDATA message carries a forged event, a chat with the same text in
/// a comment and a quoted attribute (`>` is allowed there unescaped), then a friendly PLI.
fn stream_with_forgeries() -> (Vec<u8>, Vec<Vec<u8>>) {
    let cdata = geochat_saying(&format!("<![CDATA[look: {FORGERY} ]]]]]>"));
    let commented = geochat_saying(&format!("ok<!-- {FORGERY} -->"));
    let attribute = String::from_utf8(geochat_saying("ok"))
        .unwrap()
        .replace("chatroom='Eliopoli HQ'", "chatroom='Eliopoli HQ &lt;/event> /> -->'")
        .into_bytes();
    let pli = fixture("taky-atak-civ-pli-friendly-a-f-G-U-C-m-g.xml");
    let events = vec![cdata, commented, attribute, pli];
    (events.concat(), events)
}

fn frames_of(framer: &mut CotFramer, reads: &[&[u8]]) -> Vec<Vec<u8>> {
    let mut events = Vec::new();
    for read in reads {
        for frame in framer.push(read) {
            match frame {
                Framed::Event(e) => events.push(e),
                Framed::Dropped(why) => panic!("dropped: {why}"),
            }
        }
    }
    events
}

#[test]
fn an_event_inside_a_chat_message_is_text_not_an_event() {
    let (stream, sent) = stream_with_forgeries();
    let mut framer = CotFramer::default();
    let events = frames_of(&mut framer, &[&stream]);
    let strip = |e: &[u8]| {
        let text = String::from_utf8_lossy(e).into_owned();
        text.as_bytes()[text.find("<event").unwrap()..].to_vec()
    };
    assert_eq!(
        events.len(),
        4,
        "{:?}",
        events.iter().map(|e| String::from_utf8_lossy(e)).collect::<Vec<_>>()
    );
    for (got, want) in events.iter().zip(&sent) {
        assert_eq!(got, &strip(want));
    }
    assert_eq!(framer.pending(), 0);
    let now = at("2020-02-08T18:12:00Z");
    let chat = cot::parse("tak", &events[0], now).unwrap();
    assert_eq!(chat.items.len(), 1, "{chat:?}");
    assert_eq!(chat.items[0].title, "corvTab");
    assert!(chat.items[0].summary.as_deref().unwrap().contains(&format!("look: {FORGERY} ]]]")));
    for event in &events {
        let parsed = cot::parse("tak", event, now).unwrap();
        assert!(parsed.items.iter().all(|i| !i.id.contains("forged")), "{parsed:?}");
    }
}

#[test]
fn a_chat_carrying_an_event_frames_the_same_at_every_split() {
    let (stream, _) = stream_with_forgeries();
    let whole = frames_of(&mut CotFramer::default(), &[&stream]);
    for split in 0..=stream.len() {
        let mut framer = CotFramer::default();
        assert_eq!(frames_of(&mut framer, &[&stream[..split], &stream[split..]]), whole, "split at {split}");
        assert_eq!(framer.pending(), 0);
    }
}

#[test]
fn bad_events_are_skipped_with_the_reason() {
    let now = at("2020-02-08T18:10:50Z");
    let skip = |body: &str| {
        let parsed = cot::parse("tak", body.as_bytes(), now).unwrap();
        assert!(parsed.items.is_empty(), "{body}");
        parsed.skipped.join("")
    };
    let ok = "time='2020-02-08T18:10:46Z' stale='2020-02-08T18:11:13Z'";
    assert!(skip(&format!("<event type='a-f-G' {ok}/>")).contains("no uid attribute"));
    assert!(skip(&format!("<event uid='u' type='a-f-G' {ok} opex='q-x'/>")).contains("opex \"q-x\""));
    let e = skip("<event uid='u' type='a-f-G' time='08/02/2020 18:10' stale='2020-02-08T18:11:13Z'/>");
    assert!(e.starts_with("event uid=\"u\" (line 1 column 1): time:"), "{e}");
    assert!(
        skip("<event uid='u' type='a-f-G' time='2020-02-08T18:10:46' stale='x'/>").contains("no time zone")
    );
    let parsed = cot::parse(
        "tak",
        format!("<event uid='u' type='a-h-G' {ok} opex='e-drill'><point lat='200' lon='NaN'/></event>")
            .as_bytes(),
        now,
    )
    .unwrap();
    assert_eq!(parsed.items[0].traffic, Traffic::Exercise);
    assert_eq!(parsed.items[0].location, None);
    let parsed = cot::parse(
        "tak",
        format!("<event uid='u' type='a-h-G' {ok} opex='s'><point lat='1e400' lon='3'/></event>").as_bytes(),
        now,
    )
    .unwrap();
    assert_eq!((parsed.items[0].traffic, &parsed.items[0].location), (Traffic::Test, &None));
}

#[test]
fn hostile_documents_give_clear_errors() {
    let err = |body: &[u8]| cot::parse("tak", body, at("2020-01-01T00:00:00Z")).unwrap_err().to_string();
    assert!(err(hostile::HTML_PAGE).contains("root element is <html>"));
    assert!(err(hostile::INVALID_UTF8).contains("invalid UTF-8"));
    let full = fixture("fts-atak-civ-pli-friendly-a-f-G-U-C-h-e.xml");
    assert!(err(hostile::truncated(&full, 300)).contains("bad XML"));
    assert!(err(&hostile::billion_laughs("event")).contains("entity"));
    let xxe = hostile::external_entity("event", "<event uid='XXE' type='a-f-G'/>");
    assert!(err(&xxe).contains("bad XML"), "{}", err(&xxe));
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = cot::parse("tak", &body, at("2020-01-01T00:00:00Z"));
    }

    #[test]
    fn a_chat_carrying_an_event_frames_the_same_however_the_reads_fall(
        cuts in proptest::collection::btree_set(0usize..4096, 0..40)
    ) {
        let (stream, _) = stream_with_forgeries();
        let whole = frames_of(&mut CotFramer::default(), &[&stream]);
        prop_assert_eq!(whole.len(), 4);
        let mut at = 0;
        let mut reads: Vec<&[u8]> = Vec::new();
        for cut in cuts.into_iter().map(|c| c % (stream.len() + 1)) {
            if cut > at {
                reads.push(&stream[at..cut]);
                at = cut;
            }
        }
        reads.push(&stream[at..]);
        let mut framer = CotFramer::default();
        prop_assert_eq!(frames_of(&mut framer, &reads), whole);
        prop_assert_eq!(framer.pending(), 0);
    }

    #[test]
    fn the_framer_never_panics_and_stays_bounded(
        reads in proptest::collection::vec(
            prop_oneof![
                proptest::collection::vec(any::<u8>(), 0..64),
                Just(b"<event uid='p' type='a-f-G'>".to_vec()),
                Just(b"</event>".to_vec()),
                Just(b"<?xml version='1.0'?>".to_vec()),
            ],
            0..64,
        )
    ) {
        let mut framer = CotFramer::new(512);
        for read in reads {
            for frame in framer.push(&read) {
                if let Framed::Event(e) = frame {
                    prop_assert!(e.starts_with(b"<event"));
                    let _ = cot::parse("tak", &e, at("2020-01-01T00:00:00Z"));
                }
            }
            prop_assert!(framer.pending() <= 512 + 64);
        }
    }
}

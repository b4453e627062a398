//! Alert rules key by key, as tables: each case an item, a rule, and whether it matches.

use std::time::Duration;

use attache::alerts::{Rule, escalations};
use attache::domain::{
    Area, Contact, ContactRole, FeedItem, LatLon, Location, Mission, MissionKind, MissionStatus, Severity,
    Traffic, Workdays, WorkingHours,
};
use attache::event::{Event, Record};
use attache::state::DeskState;

fn rule() -> Rule {
    Rule::new("r", Severity::Moderate)
}

fn item(lat: f64, lon: f64) -> FeedItem {
    FeedItem {
        feed: "quakes".into(),
        id: "q1".into(),
        title: "M 5.2 - Luzon, Philippines".into(),
        summary: Some("depth 10 km".into()),
        link: None,
        published: None,
        updated: None,
        severity: Severity::Moderate,
        severity_raw: None,
        category: None,
        magnitude: Some(5.2),
        location: Some(Location::Point { lat, lon }),
        expires: None,
        traffic: Traffic::Real,
    }
}

fn mission(id: &str, status: MissionStatus, area: Area) -> Mission {
    Mission {
        id: id.into(),
        name: id.into(),
        kind: MissionKind::Peacekeeping,
        status,
        country: "XX".into(),
        area,
        lead: None,
        partners: vec![],
        start: None,
        end: None,
    }
}

fn missions() -> Vec<Mission> {
    vec![
        // Cagayan Valley relief: a 150 km circle.
        mission("HADR", MissionStatus::Active, Area::Circle { lat: 17.6, lon: 121.7, radius_km: 150.0 }),
        // Kosovo: a rough polygon.
        mission(
            "KFOR",
            MissionStatus::Active,
            Area::Polygon { polygon: vec![[43.2, 20.0], [43.2, 21.8], [41.9, 21.8], [41.9, 20.0]] },
        ),
        mission("PLANNED", MissionStatus::Planned, Area::Circle { lat: 15.4, lon: 120.6, radius_km: 250.0 }),
    ]
}

fn contact_at(lat: f64, lon: f64) -> Contact {
    Contact {
        id: None,
        name: "Col. Ana Reyes".into(),
        role: ContactRole::DefenseAttache,
        rank: None,
        post: "Embassy Manila".into(),
        country: "PH".into(),
        tz: chrono_tz::Asia::Manila,
        languages: vec![],
        channels: vec![],
        hours: WorkingHours::parse("08:00-17:00").unwrap(),
        workdays: Workdays::default(),
        check_in_every: Duration::from_secs(86_400),
        last_contact: None,
        post_location: Some(LatLon { lat, lon }),
        missions: vec![],
    }
}

#[test]
fn each_rule_key_filters_as_documented() {
    let luzon = item(16.8088, 121.0701); // 5 km NW of Baguinge, inside HADR's circle
    let north = item(19.5, 121.7); // 211 km north of HADR's centre: 61 km outside its circle
    let exercise = FeedItem { traffic: Traffic::Exercise, ..luzon.clone() };
    let quiet = FeedItem { severity: Severity::Minor, magnitude: Some(4.4), ..luzon.clone() };
    let no_magnitude = FeedItem { magnitude: None, ..luzon.clone() };
    let pristina = item(42.66, 21.17);
    let clark = item(15.4, 120.6);
    let cases: Vec<(&str, Rule, &FeedItem, bool)> = vec![
        ("no conditions", rule(), &luzon, true),
        ("feeds: listed", Rule { feeds: Some(vec!["quakes".into()]), ..rule() }, &luzon, true),
        ("feeds: not listed", Rule { feeds: Some(vec!["gdacs".into()]), ..rule() }, &luzon, false),
        ("min_severity met", Rule { min_severity: Some(Severity::Moderate), ..rule() }, &luzon, true),
        ("min_severity not met", Rule { min_severity: Some(Severity::Severe), ..rule() }, &luzon, false),
        (
            "min_severity, lower item",
            Rule { min_severity: Some(Severity::Moderate), ..rule() },
            &quiet,
            false,
        ),
        ("min_magnitude met", Rule { min_magnitude: Some(5.0), ..rule() }, &luzon, true),
        ("min_magnitude not met", Rule { min_magnitude: Some(5.0), ..rule() }, &quiet, false),
        ("min_magnitude, no magnitude", Rule { min_magnitude: Some(1.0), ..rule() }, &no_magnitude, false),
        ("keyword in title, any case", Rule { keywords: vec!["luzon".into()], ..rule() }, &luzon, true),
        ("keyword in summary", Rule { keywords: vec!["depth".into()], ..rule() }, &luzon, true),
        ("no keyword", Rule { keywords: vec!["tsunami".into(), "flood".into()], ..rule() }, &luzon, false),
        ("exercise left out", rule(), &exercise, false),
        ("exercise asked for", Rule { include_exercise: true, ..rule() }, &exercise, true),
        ("inside a circle", Rule { near_mission_km: Some(0.0), ..rule() }, &luzon, true),
        ("near a circle's edge", Rule { near_mission_km: Some(70.0), ..rule() }, &north, true),
        ("too far from the circle", Rule { near_mission_km: Some(50.0), ..rule() }, &north, false),
        ("inside a polygon", Rule { near_mission_km: Some(0.0), ..rule() }, &pristina, true),
        ("near a planned mission only", Rule { near_mission_km: Some(10.0), ..rule() }, &clark, false),
        ("near a contact's post", Rule { near_contact_km: Some(300.0), ..rule() }, &luzon, true),
        ("far from every post", Rule { near_contact_km: Some(100.0), ..rule() }, &luzon, false),
    ];
    let contacts = [contact_at(14.5995, 120.9842)]; // Manila, about 246 km from the quake
    for (name, rule, item, expected) in cases {
        assert_eq!(rule.matches(item, &missions(), &contacts).is_some(), expected, "{name}");
    }
}

#[test]
fn invisible_characters_cannot_hide_a_keyword_from_a_rule() {
    let rule = Rule { keywords: vec!["tsunami".into()], ..rule() };
    let hidden =
        ["tsu\u{200B}nami", "TSU\u{00AD}NAMI", "ts\u{2060}u\u{200D}na\u{FEFF}mi", "tsu\u{9b}nami warning"];
    for title in hidden {
        let item = FeedItem { title: title.into(), summary: None, ..item(16.8, 121.0) };
        assert!(rule.matches(&item, &missions(), &[]).is_some(), "{title:?}");
    }
    // A word the screen shows apart stays apart.
    let apart = FeedItem { title: "tsu nami".into(), summary: None, ..item(16.8, 121.0) };
    assert!(rule.matches(&apart, &missions(), &[]).is_none());
}

#[test]
fn a_match_names_the_active_missions_within_reach() {
    let found = Rule { near_mission_km: Some(100.0), ..rule() }
        .matches(&item(16.0, 121.0), &missions(), &[])
        .unwrap();
    assert_eq!(found.missions, ["HADR"], "the planned exercise nearby is not active");
}

#[test]
fn a_cap_polygon_overlapping_an_area_matches_though_its_centre_is_far() {
    // A long warning polygon whose centre is 300+ km from KFOR but whose end reaches into it.
    let warning = FeedItem {
        location: Some(Location::Polygon {
            points: vec![[42.5, 21.0], [42.5, 29.0], [42.0, 29.0], [42.0, 21.0]],
        }),
        ..item(0.0, 0.0)
    };
    let centre = warning.location.as_ref().unwrap().centre().unwrap();
    let kfor = LatLon { lat: 42.66, lon: 21.17 };
    assert!(attache::domain::distance_km(centre, kfor) > 300.0);
    let found = Rule { near_mission_km: Some(0.0), ..rule() }.matches(&warning, &missions(), &[]).unwrap();
    assert_eq!(found.missions, ["KFOR"]);
}

#[test]
fn escalate_after_counts_from_raise_or_unacknowledge() {
    let rules = [Rule { escalate_after: Some(Duration::from_secs(15 * 60)), ..rule() }];
    let at = |m: i64| {
        "2026-11-25T00:00:00Z".parse::<chrono::DateTime<chrono::Utc>>().unwrap()
            + chrono::Duration::minutes(m)
    };
    let mut state = DeskState::default();
    let record = |seq, minute, event| Record { seq, ts: at(minute), by: "t".into(), event };
    state.apply(&record(
        1,
        0,
        Event::AlertRaised {
            alert: "r|quakes|q1".into(),
            rule: "r".into(),
            feed: "quakes".into(),
            item: "q1".into(),
            severity: Severity::Moderate,
            title: "t".into(),
            missions: vec![],
            traffic: Traffic::Real,
        },
    ));
    assert!(escalations(&rules, &state, at(14)).is_empty());
    assert_eq!(escalations(&rules, &state, at(15)).len(), 1);
    state.apply(&record(
        2,
        5,
        Event::AlertAcknowledged { alert: "r|quakes|q1".into(), operator: "o".into(), note: None },
    ));
    assert!(escalations(&rules, &state, at(60)).is_empty(), "acknowledged alerts do not escalate");
    state.apply(&record(
        3,
        50,
        Event::AlertUnacknowledged { alert: "r|quakes|q1".into(), operator: "o".into() },
    ));
    assert!(escalations(&rules, &state, at(64)).is_empty());
    assert_eq!(escalations(&rules, &state, at(65)).len(), 1, "15 minutes after it began waiting again");
    let no_rule = [rule()];
    assert!(escalations(&no_rule, &state, at(600)).is_empty(), "no escalate_after, no escalation");
}

/// The alerts `derive` raises for one item seen at `now` under `rules`.
fn raised_for(rules: &[Rule], item: FeedItem, now: chrono::DateTime<chrono::Utc>) -> Vec<Event> {
    let mut state = DeskState::default();
    let seen = Event::ItemSeen { item };
    state.apply(&Record { seq: 1, ts: now, by: "feed:quakes".into(), event: seen.clone() });
    attache::alerts::derive(rules, &missions(), &[], &state, &[seen], now)
        .into_iter()
        .filter(|e| matches!(e, Event::AlertRaised { .. }))
        .collect()
}

#[test]
fn an_item_older_than_max_age_raises_nothing() {
    let now: chrono::DateTime<chrono::Utc> = "2026-11-25T12:00:00Z".parse().unwrap();
    let hours_ago = |h: i64| Some(now - chrono::Duration::hours(h));
    let at = |published, updated| FeedItem { published, updated, ..item(16.8, 121.07) };
    let default = [rule()];
    assert_eq!(default[0].max_age, Duration::from_secs(24 * 3600), "24 hours unless the rule says");
    assert_eq!(raised_for(&default, at(hours_ago(1), None), now).len(), 1, "an hour old");
    assert_eq!(raised_for(&default, at(hours_ago(23), None), now).len(), 1, "23 hours old");
    assert!(raised_for(&default, at(hours_ago(25), None), now).is_empty(), "25 hours old");
    // A quake of 2014 whose record USGS revised today is still a quake of 2014.
    let archive = "2014-03-10T05:18:13Z".parse().ok();
    assert!(raised_for(&default, at(archive, hours_ago(0)), now).is_empty(), "revised today, old event");
    assert_eq!(raised_for(&default, at(None, hours_ago(2)), now).len(), 1, "only an update time: by it");
    assert_eq!(raised_for(&default, at(None, None), now).len(), 1, "no time of its own: not known old");
    let week = [Rule { max_age: Duration::from_secs(7 * 86_400), ..rule() }];
    assert_eq!(raised_for(&week, at(hours_ago(25), None), now).len(), 1, "max_age = 7d");
    assert!(raised_for(&week, at(hours_ago(8 * 24), None), now).is_empty(), "eight days, max_age = 7d");
}

#[test]
fn an_old_item_keeps_its_open_alert_up_to_date() {
    // Raised while fresh; the item's later update (a day on) still updates the alert.
    let t0: chrono::DateTime<chrono::Utc> = "2026-11-25T00:00:00Z".parse().unwrap();
    let later = t0 + chrono::Duration::hours(30);
    let fresh = FeedItem { published: Some(t0), ..item(16.8, 121.07) };
    let rules = [rule()];
    let mut state = DeskState::default();
    let mut seq = 0;
    let mut append = |state: &mut DeskState, ts, events: Vec<Event>| {
        for event in events {
            seq += 1;
            state.apply(&Record { seq, ts, by: "t".into(), event });
        }
    };
    let seen = vec![Event::ItemSeen { item: fresh.clone() }];
    append(&mut state, t0, seen.clone());
    let raised = attache::alerts::derive(&rules, &missions(), &[], &state, &seen, t0);
    append(&mut state, t0, raised);
    let revised = FeedItem { title: "M 5.9 - Luzon, Philippines".into(), ..fresh };
    let updated = vec![Event::ItemUpdated { item: revised }];
    append(&mut state, later, updated.clone());
    let follow = attache::alerts::derive(&rules, &missions(), &[], &state, &updated, later);
    assert!(matches!(follow.as_slice(), [Event::AlertUpdated { .. }]), "{follow:?}");
}

#[test]
fn the_demo_archive_feed_raises_nothing_and_its_items_stay_in_view() {
    // The demo desk reads USGS's significant quakes of March 2014 from disk.
    let config =
        attache::config::Config::load(std::path::Path::new("config/attache.toml")).expect("demo desk");
    let feed = config.feeds.iter().find(|f| f.name == "usgs-significant").unwrap();
    let attache::config::FeedSource::File(path) = &feed.source else { panic!("read from disk") };
    let now = chrono::Utc::now();
    let parsed =
        attache::feeds::parse(feed.kind, &feed.name, None, &std::fs::read(path).unwrap(), now).unwrap();
    assert!(parsed.items.iter().any(|i| i.magnitude.is_some_and(|m| m >= 6.5)), "strong quakes in it");
    let events: Vec<Event> = parsed.items.into_iter().map(|item| Event::ItemSeen { item }).collect();
    let mut state = DeskState::default();
    for (n, event) in events.iter().enumerate() {
        state.apply(&Record {
            seq: n as u64 + 1,
            ts: now,
            by: "feed:usgs-significant".into(),
            event: event.clone(),
        });
    }
    let alerts =
        attache::alerts::derive(&config.rules, &config.missions, &config.contacts, &state, &events, now);
    assert!(alerts.is_empty(), "quakes of 2014 raise no alert now: {alerts:?}");
    assert_eq!(state.active_items(now).len(), events.len(), "the archive's items are all in view");
}

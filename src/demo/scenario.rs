//! The demo's script: real documents replayed as if they were happening now. USGS features
//! appear over the first minutes, one is revised upward, and the oldest fall out of the window;
//! a PAGASA typhoon alert sent as CAP `Test` traffic is in effect for four minutes, then
//! expires. A console on the demo desk shows new, updated, withdrawn and expired items, and
//! test traffic marked as such, within two minutes.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

const QUAKES: &[u8] = include_bytes!("../../config/demo/usgs-4.5_day-2024-02-06-13features.geojson");
const TYPHOON: &str = include_str!("../../config/demo/cap-pagasa-typhoon-status-test-polygon-signed.xml");
/// How long the typhoon alert is in effect from the scenario's start.
const TYPHOON_LIFE: i64 = 240;
/// The quake near the desk's missions (Luzon); it arrives first and is later revised upward.
const NEAR_DESK: &str = "us7000lx97";
/// Features listed from the start; the rest arrive one every `ARRIVAL` seconds.
const LISTED_AT_START: usize = 8;
const ARRIVAL: i64 = 15;
/// When the Luzon quake's magnitude is revised, and when the oldest two leave the window.
const REVISION_AT: i64 = 60;
const ROLL_OFF_AT: i64 = 150;

/// The USGS "4.5_day" document as it stands `elapsed` into the scenario that began at `start`,
/// with a version string that changes exactly when the document does (for the ETag).
pub fn usgs(start: DateTime<Utc>, elapsed: Duration) -> (String, Vec<u8>) {
    let doc: Value = serde_json::from_slice(QUAKES).expect("the bundled demo document is JSON");
    let mut features: Vec<Value> = doc["features"].as_array().cloned().unwrap_or_default();
    features.sort_by_key(|f| f["properties"]["time"].as_i64());
    let near = features.iter().position(|f| f["id"] == NEAR_DESK).map(|i| features.remove(i));
    if let Some(near) = near {
        features.insert(LISTED_AT_START, near);
    }
    let t = elapsed.num_seconds().max(0);
    let arrived = (LISTED_AT_START + (t / ARRIVAL) as usize).min(features.len());
    let revised = t >= REVISION_AT;
    let rolled_off = if t >= ROLL_OFF_AT { 2 } else { 0 };

    let mut listed = Vec::new();
    for (k, mut feature) in features.into_iter().enumerate().take(arrived).skip(rolled_off) {
        let time = if k < LISTED_AT_START {
            start - Duration::minutes(15 * (LISTED_AT_START - k) as i64)
        } else {
            // Arrivals were detected a minute and a half before they are listed.
            start + Duration::seconds(ARRIVAL * (k - LISTED_AT_START + 1) as i64 - 90)
        };
        let props = &mut feature["properties"];
        props["time"] = json!(time.timestamp_millis());
        props["updated"] = json!((time + Duration::minutes(4)).timestamp_millis());
        if feature["id"] == NEAR_DESK && revised {
            let props = &mut feature["properties"];
            props["mag"] = json!(5.7);
            props["alert"] = json!("yellow");
            props["title"] = json!("M 5.7 - 5 km NW of Baguinge, Philippines");
            props["updated"] = json!((start + Duration::seconds(REVISION_AT)).timestamp_millis());
        }
        listed.push(feature);
    }
    let version = format!("usgs-{arrived}-{}-{rolled_off}", u8::from(revised));
    let body = json!({
        "type": "FeatureCollection",
        "metadata": {
            "generated": (start + elapsed).timestamp_millis(),
            "title": "USGS Magnitude 4.5+ Earthquakes, Past Day (attache demo replay)",
            "status": 200,
            "count": listed.len(),
        },
        "features": listed,
    });
    (version, serde_json::to_vec(&body).expect("JSON values serialize"))
}

/// The PAGASA alert (status Test) sent at the scenario's start and expiring `TYPHOON_LIFE`
/// seconds later. Its times are rewritten, which breaks its XML signature: attache does not
/// check signatures, and the demo says so nowhere else.
pub fn typhoon(start: DateTime<Utc>) -> (String, Vec<u8>) {
    let local = |t: DateTime<Utc>| {
        t.with_timezone(&chrono_tz::Asia::Manila).format("%Y-%m-%dT%H:%M:%S%:z").to_string()
    };
    let body = TYPHOON
        .replace("<sent>2014-11-03T14:57:33+08:00</sent>", &format!("<sent>{}</sent>", local(start)))
        .replace(
            "<expires>2014-11-04T03:57:28+08:00</expires>",
            &format!("<expires>{}</expires>", local(start + Duration::seconds(TYPHOON_LIFE))),
        );
    (format!("typhoon-{}", start.timestamp()), body.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::FeedKind;

    fn items(elapsed: i64) -> Vec<crate::domain::FeedItem> {
        let start = "2026-11-25T00:00:00Z".parse().unwrap();
        let (_, body) = usgs(start, Duration::seconds(elapsed));
        crate::feeds::parse(FeedKind::UsgsGeojson, "demo", None, &body, start).unwrap().items
    }

    #[test]
    fn items_arrive_are_revised_and_roll_off() {
        assert_eq!(items(0).len(), 8);
        assert_eq!(items(15).len(), 9);
        let near =
            |items: &[crate::domain::FeedItem]| items.iter().find(|i| i.id == NEAR_DESK).cloned().unwrap();
        assert_eq!(near(&items(15)).magnitude, Some(4.6));
        assert_eq!(near(&items(61)).magnitude, Some(5.7));
        assert_eq!(items(100).len(), 13);
        assert_eq!(items(151).len(), 11);
    }

    #[test]
    fn the_typhoon_alert_is_test_traffic_that_expires() {
        let start: DateTime<Utc> = "2026-11-25T00:00:00Z".parse().unwrap();
        let (_, body) = typhoon(start);
        let parsed = crate::feeds::parse(FeedKind::Cap, "demo", None, &body, start).unwrap();
        let alert = &parsed.items[0];
        assert_eq!(alert.traffic, crate::domain::Traffic::Test);
        assert_eq!(alert.expires, Some(start + Duration::seconds(TYPHOON_LIFE)));
        let later =
            crate::feeds::parse(FeedKind::Cap, "demo", None, &body, start + Duration::seconds(300)).unwrap();
        assert!(later.items.is_empty() || later.items[0].expires.unwrap() < start + Duration::seconds(300));
    }

    #[test]
    fn the_version_changes_exactly_when_the_document_does() {
        let start = "2026-11-25T00:00:00Z".parse().unwrap();
        let at = |s| usgs(start, Duration::seconds(s)).0;
        assert_eq!(at(1), at(14));
        assert_ne!(at(14), at(15));
        assert_ne!(at(59), at(60));
    }
}

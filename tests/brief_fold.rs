//! One fold: a briefing's facts at the end of its period are what the console's state holds
//! after folding the journal up to that record. For random periods of the fixture journals and
//! of random journals (alerts raised, updated, taken, escalated and resolved; feeds failing
//! and recovering; check-ins; some of them another desk's, held as `remote` records; with checkpoints at random records and the period read in halves
//! split anywhere), and of a journal shaped like a busy desk's (`examples/support`, as
//! `gen-journal` writes them), the briefing's open alerts, acknowledgements, feed health and
//! overdue contacts equal the state's.

#[path = "../examples/support/desk_record.rs"]
mod desk_record;

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use std::path::Path;
use std::sync::Arc;

use attache::brief::collect::{Facts, Near, collect_split_at};
use attache::config::Config;
use attache::domain::{Location, Severity, Traffic};
use attache::event::{Event, Record};
use attache::journal::{Follower, Writer};
use attache::state::{Alert, DeskState};

const CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config/attache.toml");

fn near_all(_: &Location) -> Near {
    [(0, 0)].into_iter().collect()
}

fn config() -> Config {
    Config::load(Path::new(CONFIG)).unwrap()
}

/// The open alerts of a map of alerts, as the facts and the state both hold them; an alert's
/// item's own time is the state's alone (it keeps the items, a briefing does not).
fn open(alerts: &std::collections::BTreeMap<String, Arc<Alert>>) -> Vec<Alert> {
    alerts
        .values()
        .filter(|a| a.resolved_at.is_none())
        .map(|a| Alert { event_time: None, ..Alert::clone(a) })
        .collect()
}

/// The contacts overdue at `at`, by name, as the console counts them from `check_ins`.
fn overdue(
    config: &Config,
    check_ins: &std::collections::HashMap<String, DateTime<Utc>>,
    at: DateTime<Utc>,
) -> Vec<String> {
    let mut names: Vec<String> = config
        .contacts
        .iter()
        .filter(|c| c.status_at(at, attache::state::last_contact(check_ins, c)).overdue_by.is_some())
        .map(|c| c.name.clone())
        .collect();
    names.sort();
    names
}

/// Checks the facts of `[from, to]` against the state folded up to `to`, with the period's
/// second half read from `middle` and checkpoints at `checkpoints` (records' seqs).
fn agree(dir: &Path, records: &[Record], (from, to): (DateTime<Utc>, DateTime<Utc>), middle: Option<u64>) {
    let facts: Facts = collect_split_at(dir, from, to, &near_all, middle).unwrap();
    assert!(facts.damage.is_empty(), "{:?}", facts.damage);
    let mut state = DeskState::default();
    state.apply_all(records.iter().take_while(|r| r.ts <= to));
    let what =
        format!("period {from} to {to}, second half from {middle:?}, resumed at {:?}", facts.resumed_at);
    assert_eq!(open(&facts.alerts), open(state.alerts()), "open alerts: {what}");
    // Every alert the state still holds (resolved ones for a day) is as the facts hold it.
    for (id, alert) in state.alerts() {
        let fact = facts.alerts.get(id).map(|a| Alert { event_time: None, ..Alert::clone(a) });
        assert_eq!(fact, Some(Alert { event_time: None, ..Alert::clone(alert) }), "alert {id}: {what}");
    }
    let acks = |alerts: Vec<Alert>| {
        alerts.into_iter().filter_map(|a| a.acknowledged.map(|k| (a.id, k))).collect::<Vec<_>>()
    };
    assert_eq!(acks(open(&facts.alerts)), acks(open(state.alerts())), "acknowledgements: {what}");
    assert_eq!(&facts.check_ins, state.check_ins(), "check-ins: {what}");
    let config = config();
    let overdue_in_brief: Vec<String> = {
        let request = attache::brief::Request {
            from,
            to,
            missions: Vec::new(),
            desks: Default::default(),
            generated_at: to,
            operator: "reyes".into(),
        };
        let brief = attache::brief::build(&config, dir, &request).unwrap();
        let mut names: Vec<String> = brief.contacts.overdue.iter().map(|o| o.name.clone()).collect();
        names.sort();
        names
    };
    assert_eq!(overdue_in_brief, overdue(&config, state.check_ins(), to), "overdue contacts: {what}");
    // Covering every desk: the other desks' real alerts open at the end are the state's.
    let request = attache::brief::Request {
        from,
        to,
        missions: Vec::new(),
        desks: attache::sync::settings::Follow::All,
        generated_at: to,
        operator: "reyes".into(),
    };
    let brief = attache::brief::build(&config, dir, &request).unwrap();
    let mut in_brief: Vec<String> =
        brief.other_desks.iter().flat_map(|d| d.open_at_end.iter().map(|a| a.id.clone())).collect();
    in_brief.sort();
    let mut in_state: Vec<String> = state
        .open_alerts()
        .filter(|a| a.desk.is_some() && a.traffic.is_real())
        .map(|a| a.id.clone())
        .collect();
    in_state.sort();
    assert_eq!(in_brief, in_state, "other desks' open alerts: {what}");
    // Feed health but for the count of active items (the state's, which has an entry for a
    // feed whose items it holds; a briefing keeps no items).
    let health = |feeds: &std::collections::BTreeMap<String, attache::state::FeedHealth>| {
        feeds
            .iter()
            .map(|(f, h)| (f.clone(), h.last_ok, h.failing_since, h.last_error.clone()))
            .filter(|(_, ok, failing, error)| ok.is_some() || failing.is_some() || error.is_some())
            .collect::<Vec<_>>()
    };
    assert_eq!(health(&facts.feeds), health(state.feeds()), "feed health: {what}");
    let mut down: Vec<&str> =
        facts.outages.iter().filter(|o| o.end.is_none()).map(|o| o.feed.as_str()).collect();
    down.sort();
    let failing: Vec<&str> =
        state.feeds().iter().filter(|(_, h)| h.failing_since.is_some()).map(|(f, _)| f.as_str()).collect();
    assert_eq!(down, failing, "feeds down at the end: {what}");
}

/// The journal's records, as a console folds them.
fn records(dir: &Path) -> Vec<Record> {
    Follower::new(dir).poll().unwrap().0
}

/// Times to cut periods at: each record's, and a second after it.
fn cuts(records: &[Record]) -> Vec<DateTime<Utc>> {
    let mut cuts: Vec<DateTime<Utc>> =
        records.iter().flat_map(|r| [r.ts, r.ts + Duration::seconds(1)]).collect();
    cuts.sort();
    cuts.dedup();
    cuts
}

/// Saves a checkpoint of the state folded up to each of `at` (record seqs).
fn checkpoints(dir: &Path, records: &[Record], at: &[u64]) {
    for &seq in at {
        let mut state = DeskState::default();
        state.apply_all(records.iter().take_while(|r| r.seq <= seq));
        if state.last_seq() > 0 {
            attache::checkpoint::save(dir, &state).unwrap();
        }
    }
}

/// A fixture journey's events, written through the writer at their own times.
fn journey(dir: &Path, name: &str) {
    let text = std::fs::read_to_string(format!("tests/fixtures/journeys/{name}")).unwrap();
    let mut w = Writer::open(dir).unwrap();
    for line in text.lines() {
        let record: Record = serde_json::from_str(line).unwrap();
        w.append(&record.by, record.ts, vec![record.event]).unwrap();
    }
}

#[test]
fn every_period_of_the_fixture_journeys_agrees_with_the_state() {
    for name in ["watch-2026-11-25.jsonl", "readme-watch.jsonl", "items-for-alerts.jsonl"] {
        let dir = tempfile::tempdir().unwrap();
        journey(dir.path(), name);
        let records = records(dir.path());
        let cuts = cuts(&records);
        for (i, from) in cuts.iter().enumerate() {
            for to in &cuts[i..] {
                agree(dir.path(), &records, (*from, *to), None);
            }
        }
        // From a checkpoint, read in halves.
        checkpoints(dir.path(), &records, &[3, 8]);
        let last = records.last().unwrap();
        for from in cuts.iter().filter(|t| **t <= last.ts) {
            for middle in [None, Some(5), Some(12)] {
                agree(dir.path(), &records, (*from, last.ts), middle);
            }
        }
    }
}

/// A busy desk's three days (alerts raised and let go, feeds failing, check-ins), with
/// checkpoints at two records: random periods, each also read in halves split at random.
#[test]
fn random_periods_of_a_generated_desk_journal_agree_with_the_state() {
    let dir = tempfile::tempdir().unwrap();
    let until: DateTime<Utc> = "2026-11-25T00:00:00Z".parse().unwrap();
    desk_record::write(dir.path(), 3000, 3, 7, until).unwrap();
    let records = records(dir.path());
    assert_eq!(records.len(), 3000);
    let mut rng = fastrand::Rng::with_seed(18);
    checkpoints(dir.path(), &records, &[rng.u64(1..1500), rng.u64(1500..3000)]);
    let cuts = cuts(&records);
    for _ in 0..12 {
        let (a, b) = (cuts[rng.usize(..cuts.len())], cuts[rng.usize(..cuts.len())]);
        let middle = rng.bool().then(|| rng.u64(1..3001));
        agree(dir.path(), &records, (a.min(b), a.max(b)), middle);
    }
}

/// One step of a random desk's record.
#[derive(Clone, Debug)]
enum Step {
    Raise(u8, Severity, bool),
    Update(u8, Severity),
    Ack(u8, bool),
    Unack(u8),
    Escalate(u8),
    Resolve(u8),
    CheckIn(u8),
    Failed(u8),
    Polled(u8),
    Recovered(u8),
    Note,
    Item(Severity),
}

fn severity() -> impl Strategy<Value = Severity> {
    prop_oneof![
        Just(Severity::Info),
        Just(Severity::Moderate),
        Just(Severity::Severe),
        Just(Severity::Critical)
    ]
}

fn step() -> impl Strategy<Value = Step> {
    let alert = 0u8..5;
    prop_oneof![
        3 => (alert.clone(), severity(), any::<bool>()).prop_map(|(a, s, real)| Step::Raise(a, s, real)),
        1 => (alert.clone(), severity()).prop_map(|(a, s)| Step::Update(a, s)),
        2 => (alert.clone(), any::<bool>()).prop_map(|(a, n)| Step::Ack(a, n)),
        1 => alert.clone().prop_map(Step::Unack),
        2 => alert.clone().prop_map(Step::Escalate),
        2 => alert.prop_map(Step::Resolve),
        2 => (0u8..4).prop_map(Step::CheckIn),
        1 => (0u8..3).prop_map(Step::Failed),
        1 => (0u8..3).prop_map(Step::Polled),
        1 => (0u8..3).prop_map(Step::Recovered),
        1 => Just(Step::Note),
        1 => severity().prop_map(Step::Item),
    ]
}

/// Writes `steps`, each `gaps` minutes after the one before (a zero gap: the same time); a step
/// marked as another desk's is written at that desk's own journal and appended here as the
/// `remote` record holding its line.
fn write(dir: &Path, config: &Config, steps: &[(Step, u16, bool)]) {
    let mut w = Writer::open(dir).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let mut pristina = Writer::open(elsewhere.path()).unwrap();
    let mut late = Vec::new();
    let mut at: DateTime<Utc> = "2026-11-20T00:00:00Z".parse().unwrap();
    let contacts: Vec<String> = config.contacts.iter().map(|c| c.name.clone()).collect();
    let alert = |n: &u8| format!("A{n}");
    let feed = |n: &u8| ["usgs-quakes", "pagasa-cap", "gdacs"][usize::from(*n) % 3].to_string();
    let operator = || "reyes".to_string();
    for (i, (step, gap, remote)) in steps.iter().enumerate() {
        at += Duration::minutes(i64::from(*gap));
        let event = match step {
            Step::Raise(n, severity, real) => Event::AlertRaised {
                alert: alert(n),
                rule: "quake near a mission".into(),
                feed: feed(n),
                item: format!("i{n}"),
                severity: *severity,
                title: format!("alert {n} #{i}"),
                missions: vec!["KFOR".into()],
                traffic: if *real { Traffic::Real } else { Traffic::Exercise },
            },
            Step::Update(n, severity) => Event::AlertUpdated {
                alert: alert(n),
                severity: *severity,
                title: format!("alert {n} now #{i}"),
            },
            Step::Ack(n, note) => Event::AlertAcknowledged {
                alert: alert(n),
                operator: operator(),
                note: note.then(|| format!("on it #{i}")),
            },
            Step::Unack(n) => Event::AlertUnacknowledged { alert: alert(n), operator: operator() },
            Step::Escalate(n) => Event::AlertEscalated { alert: alert(n) },
            Step::Resolve(n) => {
                Event::AlertResolved { alert: alert(n), operator: operator(), reason: format!("done #{i}") }
            }
            Step::CheckIn(n) => Event::ContactCheckedIn {
                contact: contacts[usize::from(*n) % contacts.len()].clone(),
                operator: operator(),
                channel: None,
                note: None,
            },
            Step::Failed(n) => Event::FeedFailed { feed: feed(n), error: format!("HTTP 503 #{i}") },
            Step::Polled(n) => Event::FeedPolled {
                feed: feed(n),
                items: 1,
                new: 0,
                updated: 0,
                withdrawn: 0,
                ms: 40,
                skipped: 0,
                incomplete: 0,
                problem: None,
            },
            Step::Recovered(n) => Event::FeedRecovered { feed: feed(n) },
            Step::Note => Event::Note {
                operator: operator(),
                text: format!("note #{i}"),
                mission: None,
                alert: None,
                contact: None,
            },
            Step::Item(severity) => {
                let item = serde_json::from_value(serde_json::json!({
                    "feed": "usgs-quakes", "id": format!("q{}", i % 4), "title": format!("quake #{i}"),
                    "severity": severity, "location": {"type": "point", "lat": 42.66, "lon": 21.17},
                }))
                .unwrap();
                Event::ItemSeen { item }
            }
        };
        if *remote {
            let seq = pristina.append("kovac", at, vec![event]).unwrap()[0].seq;
            let mut line = Vec::new();
            Follower::from_seq(elsewhere.path(), seq)
                .unwrap()
                .poll_lines(|raw, _| {
                    line = raw.bytes.to_vec();
                    false
                })
                .unwrap();
            let record = String::from_utf8(line).unwrap();
            // Held back until this desk's next record: it arrives here late, as over a link
            // that was down, and a briefing counts it when it arrived.
            late.push(Event::Remote {
                desk: "pristina".into(),
                record,
                after_seq: 0,
                after_sum: String::new(),
                stream_seq: None,
            });
            continue;
        }
        w.append("reyes", at, vec![event]).unwrap();
        for envelope in late.drain(..) {
            w.append("sync", at, vec![envelope]).unwrap();
        }
    }
    for envelope in late {
        w.append("sync", at, vec![envelope]).unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Random journals, cut into random periods, with checkpoints at random records and the
    /// period's second half read from a random record.
    #[test]
    fn random_periods_of_random_journals_agree_with_the_state(
        steps in prop::collection::vec(
            (step(), prop_oneof![Just(0u16), 1u16..600, 600u16..3000], prop::bool::weighted(0.25)),
            1..80,
        ),
        periods in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>()), 1..6),
        at in prop::collection::vec(1u64..80, 0..3),
        middle in prop::option::of(1u64..90),
    ) {
        let config = config();
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &config, &steps);
        let records = records(dir.path());
        checkpoints(dir.path(), &records, &at);
        let cuts = cuts(&records);
        for (a, b) in &periods {
            let (a, b) = (a.get(&cuts), b.get(&cuts));
            agree(dir.path(), &records, (*a.min(b), *a.max(b)), middle);
        }
    }
}

//! The configuration as an operator meets it: the shipped desk checks out, and each kind of
//! mistake (one fixture per kind under tests/invalid_configs/) gets its exact message on stderr,
//! exit status 2.

use assert_cmd::Command;
use std::path::Path;

fn attache() -> Command {
    Command::cargo_bin("attache").expect("the attache binary is built")
}

#[test]
fn shipped_config_parses_and_checks() {
    let config =
        attache::config::Config::load(Path::new("config/attache.toml")).expect("shipped config loads");
    assert!(config.missions.iter().any(|m| m.id == "KFOR"));
    assert!(config.missions.iter().any(|m| m.id == "MINUSCA"));
    assert!(config.missions.iter().any(|m| m.id == "EDCA-PH"));
    assert!(!config.contacts.is_empty() && !config.feeds.is_empty());
    let out = attache().args(["--config", "config/attache.toml", "check"]).assert().success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(stdout.contains("ok (3 feeds, 7 missions, 6 contacts"), "{stdout}");
}

#[test]
fn config_is_found_through_the_environment() {
    let desk = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/attache.toml");
    attache().env("ATTACHE_CONFIG", &desk).current_dir("/").arg("check").assert().success();
}

#[test]
fn missing_config_says_where_it_looked() {
    let dir = tempfile::tempdir().unwrap();
    let out = attache()
        .current_dir(dir.path())
        .env_remove("ATTACHE_CONFIG")
        .env("XDG_CONFIG_HOME", dir.path())
        .env("HOME", dir.path())
        .arg("check")
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("no configuration found") && stderr.contains("ATTACHE_CONFIG"), "{stderr}");
}

#[test]
fn every_invalid_fixture_gives_its_exact_message() {
    let root = Path::new("tests/invalid_configs");
    let mut cases = 0;
    for entry in std::fs::read_dir(root).unwrap() {
        let dir = entry.unwrap().path();
        let desk = dir.join("attache.toml");
        if !desk.is_file() {
            continue; // `common` holds files the cases share
        }
        cases += 1;
        // Git keeps no file modes but the executable bit: set the one a case is about.
        let token = dir.join("token");
        if token.exists() {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        let expected = std::fs::read_to_string(dir.join("expected.txt")).unwrap();
        let out = attache().arg("--config").arg(&desk).arg("check").assert().code(2);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        pretty_assertions::assert_eq!(stderr, expected, "case {}", dir.display());
    }
    assert!(cases >= 10, "only {cases} invalid-config fixtures found");
}

#[test]
fn a_broken_config_never_opens_the_console_or_touches_the_journal() {
    let journal = tempfile::tempdir().unwrap();
    attache()
        .args(["--config", "tests/invalid_configs/bad_zone/attache.toml", "--journal"])
        .arg(journal.path())
        .assert()
        .code(2);
    assert_eq!(std::fs::read_dir(journal.path()).unwrap().count(), 0);
}

#[test]
fn rules_take_max_age_with_a_day_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let shipped = std::fs::read_to_string("config/attache.toml").unwrap();
    let desk = shipped.replace("max_age = \"24h\"", "max_age = \"7d\"");
    assert_ne!(desk, shipped, "the shipped desk has the rule this test edits");
    for file in ["missions.toml", "contacts.toml"] {
        std::fs::copy(Path::new("config").join(file), dir.path().join(file)).unwrap();
    }
    std::fs::create_dir(dir.path().join("demo")).unwrap();
    std::fs::write(dir.path().join("attache.toml"), desk).unwrap();
    let config = attache::config::Config::load(&dir.path().join("attache.toml")).unwrap();
    let max_age = |name: &str| config.rules.iter().find(|r| r.name == name).unwrap().max_age.as_secs();
    assert_eq!(max_age("strong quake anywhere"), 7 * 86_400);
    assert_eq!(max_age("quake near a mission"), 86_400);
}

#[test]
fn the_bell_is_a_severity_or_off() {
    use attache::domain::Severity;
    let dir = tempfile::tempdir().unwrap();
    for file in ["missions.toml", "contacts.toml"] {
        std::fs::copy(Path::new("config").join(file), dir.path().join(file)).unwrap();
    }
    let shipped = std::fs::read_to_string("config/attache.toml").unwrap();
    let bell = |setting: &str| {
        let desk = shipped.replace("[ui]\n", &format!("[ui]\n{setting}\n"));
        std::fs::write(dir.path().join("attache.toml"), desk).unwrap();
        attache::config::Config::load(&dir.path().join("attache.toml")).unwrap().bell
    };
    assert_eq!(bell(""), Some(Severity::Severe), "severe unless the desk says");
    assert_eq!(bell("bell = \"critical\""), Some(Severity::Critical));
    assert_eq!(bell("bell = \"off\""), None);
    assert_eq!(bell("bell = false"), None);
    assert_eq!(bell("bell = true"), Some(Severity::Severe));
}

#[test]
fn notify_entries_take_their_defaults_and_names() {
    use attache::notify::Trigger;
    let dir = tempfile::tempdir().unwrap();
    for file in ["missions.toml", "contacts.toml"] {
        std::fs::copy(Path::new("config").join(file), dir.path().join(file)).unwrap();
    }
    let shipped = std::fs::read_to_string("config/attache.toml").unwrap();
    let desk = format!(
        "{shipped}\n[[notify]]\non = [\"alert.raised>=severe\", \"alert.escalated\", \"rollcall.overdue\", \"feed.down>30m\"]\n\
         command = [\"/usr/local/bin/page-duty-officer\", \"--desk\", \"manila\"]\ntimeout = \"10s\"\nenv = [\"PAGER_TOKEN\"]\n\n\
         [[notify]]\nname = \"mail\"\non = [\"alert.raised\"]\ncommand = [\"mail-desk\"]\nretries = 5\n"
    );
    std::fs::write(dir.path().join("attache.toml"), desk).unwrap();
    let config = attache::config::Config::load(&dir.path().join("attache.toml")).unwrap();
    let [pager, mail] = &config.notify[..] else { panic!("{:?}", config.notify) };
    assert_eq!(pager.name, "notify[0]", "named by its place when it has no name");
    assert_eq!(pager.on.len(), 4);
    assert_eq!(pager.on[3], Trigger::FeedDown { longer_than: std::time::Duration::from_secs(1800) });
    assert_eq!(pager.command, ["/usr/local/bin/page-duty-officer", "--desk", "manila"]);
    assert_eq!((pager.timeout.as_secs(), pager.retries), (10, attache::notify::DEFAULT_RETRIES));
    assert_eq!(pager.env, ["PAGER_TOKEN"]);
    assert_eq!(
        (mail.name.as_str(), mail.retries, mail.timeout),
        ("mail", 5, attache::notify::DEFAULT_TIMEOUT)
    );
}

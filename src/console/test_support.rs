//! What the console's unit tests share: a clock, the bundled demo desk, a key pressed.

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{App, Effect};
use crate::config::Config;

pub fn now() -> DateTime<Utc> {
    "2026-12-07T01:05:30Z".parse().unwrap()
}

/// The bundled demo desk's configuration.
pub fn config() -> Config {
    Config::load(std::path::Path::new("config/attache.toml")).unwrap()
}

pub fn press(app: &mut App, code: KeyCode) -> Option<Effect> {
    app.handle_key(&KeyEvent::new(code, KeyModifiers::NONE))
}

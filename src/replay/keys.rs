//! The replay's keys, as data in the style of `console::keymap`: the help overlay and the
//! README table come from this list. Keys not listed here go to the console's panes (focus,
//! selection, detail, filter), except those that would write to the journal.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::console::keymap::{Key, label};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    PlayPause,
    Faster,
    Slower,
    ToggleIdle,
    StepBack,
    StepForward,
    PrevAlert,
    NextAlert,
    PrevAction,
    NextAction,
    GoTo,
    Start,
    End,
    Note,
    Help,
    Quit,
}

pub struct Binding {
    pub keys: &'static [Key],
    pub control: Control,
    pub help: &'static str,
}

const fn key(code: KeyCode) -> Key {
    Key { code, mods: KeyModifiers::NONE }
}

const fn ch(c: char) -> Key {
    key(KeyCode::Char(c))
}

pub const BINDINGS: &[Binding] = &[
    Binding { keys: &[ch(' ')], control: Control::PlayPause, help: "play / pause" },
    Binding { keys: &[ch('+'), ch('=')], control: Control::Faster, help: "faster (up to 1000x)" },
    Binding { keys: &[ch('-')], control: Control::Slower, help: "slower (down to 0.25x)" },
    Binding { keys: &[ch('i')], control: Control::ToggleIdle, help: "skip idle gaps on / off" },
    Binding { keys: &[key(KeyCode::Left)], control: Control::StepBack, help: "step one event back" },
    Binding { keys: &[key(KeyCode::Right)], control: Control::StepForward, help: "step one event forward" },
    Binding { keys: &[ch('[')], control: Control::PrevAlert, help: "previous alert raised" },
    Binding { keys: &[ch(']')], control: Control::NextAlert, help: "next alert raised" },
    Binding { keys: &[ch('{')], control: Control::PrevAction, help: "previous operator action" },
    Binding { keys: &[ch('}')], control: Control::NextAction, help: "next operator action" },
    Binding { keys: &[ch('g')], control: Control::GoTo, help: "go to a time: RFC 3339, 14:05 or -2h" },
    Binding { keys: &[key(KeyCode::Home)], control: Control::Start, help: "start of the range" },
    Binding { keys: &[key(KeyCode::End)], control: Control::End, help: "end of the range" },
    Binding {
        keys: &[ch('n')],
        control: Control::Note,
        help: "review note at this time (to review.jsonl, not the journal)",
    },
    Binding { keys: &[ch('?')], control: Control::Help, help: "show this help" },
    Binding {
        keys: &[ch('q'), Key { code: KeyCode::Char('c'), mods: KeyModifiers::CONTROL }],
        control: Control::Quit,
        help: "quit the replay",
    },
];

pub fn control_for(event: &KeyEvent) -> Option<Control> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    // Shifted symbols (`+`, `{`, `}`) arrive with SHIFT on some terminals and not on others.
    let mods = match event.code {
        KeyCode::Char(_) => event.modifiers - KeyModifiers::SHIFT,
        _ => event.modifiers,
    };
    BINDINGS.iter().find(|b| b.keys.iter().any(|k| k.code == event.code && k.mods == mods)).map(|b| b.control)
}

/// How a key is written in help and the README: as the console writes it, plus the keys only
/// the replay binds.
pub fn key_label(key: &Key) -> String {
    match key.code {
        KeyCode::Char(' ') => "Space".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        _ => label(key),
    }
}

/// Help lines: keys and what they do, from the table.
pub fn help_lines() -> Vec<(String, &'static str)> {
    BINDINGS
        .iter()
        .map(|b| {
            let keys: Vec<_> = b
                .keys
                .iter()
                .map(|k| if k.code == KeyCode::Char(' ') { "Space".into() } else { label(k) })
                .collect();
            (keys.join(" "), b.help)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_to_controls() {
        let press = |c| KeyEvent::new(c, KeyModifiers::NONE);
        assert_eq!(control_for(&press(KeyCode::Char(' '))), Some(Control::PlayPause));
        assert_eq!(
            control_for(&KeyEvent::new(KeyCode::Char('}'), KeyModifiers::SHIFT)),
            Some(Control::NextAction)
        );
        assert_eq!(control_for(&press(KeyCode::Left)), Some(Control::StepBack));
        assert_eq!(control_for(&press(KeyCode::Tab)), None, "pane keys go to the console");
    }

    #[test]
    fn no_key_is_bound_twice_and_help_lists_all() {
        let all: Vec<_> = BINDINGS.iter().flat_map(|b| b.keys.iter().map(|k| (k.code, k.mods))).collect();
        for (i, k) in all.iter().enumerate() {
            assert!(!all[i + 1..].contains(k), "{k:?} bound twice");
        }
        assert_eq!(help_lines().len(), BINDINGS.len());
        assert_eq!(help_lines()[0].0, "Space");
    }
}

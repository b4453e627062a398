//! Keys are data: every binding is a row here with the action it runs and the words for help.
//! The help screen and the key hints are generated from this table, so they cannot drift from
//! what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::prompt::Edit;

/// What the console can be asked to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Quit; the console that polls the desk's feeds asks first.
    Quit,
    /// Quit without asking.
    QuitNow,
    Help,
    FocusNext,
    FocusPrev,
    FocusPane(usize),
    Down,
    Up,
    PageDown,
    PageUp,
    Top,
    Bottom,
    Open,
    Filter,
    Note,
    Close,
    Submit,
    Acknowledge,
    AcknowledgeWithNote,
    Unacknowledge,
    Resolve,
    /// Write a briefing for the current watch.
    Brief,
    /// Edit the text of a prompt.
    Edit(Edit),
    /// Select the next / previous row matching the focused pane's filter.
    NextMatch,
    PreviousMatch,
    /// Show the Event log's times in the desk's zone, or back in UTC.
    ToggleLogZone,
    /// Record a check-in with the selected contact.
    CheckIn,
    /// Set the selected mission's status and status line.
    MissionStatus,
    /// In a mission's detail: choose the next / previous of its contacts.
    NextContact,
    PreviousContact,
    /// Load the configuration file again and, if it checks out, journal it as in force.
    Reload,
    /// Open a roll-call of the selected mission's contacts, or show the one open.
    Rollcall,
    /// In a roll-call: the contact chosen answered so.
    Answer(crate::domain::Answer),
    /// In a roll-call: the contact chosen answered so, with a note typed first.
    AnswerWithNote(crate::domain::Answer),
    /// In a roll-call: close it (asks for an optional reason first).
    CloseRollcall,
}

/// Which keys apply: the panes, or an overlay on top of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    Panes,
    Overlay,
    /// A one-line prompt (note, filter): printable keys are typed into it.
    Prompt,
    /// The Alerts pane has focus: its own keys come before the panes' keys.
    AlertsPane,
    /// Asked whether to quit: these keys quit, any other stays.
    ConfirmQuit,
}

#[derive(Clone, Copy, Debug)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

const fn key(code: KeyCode) -> Key {
    Key { code, mods: KeyModifiers::NONE }
}

const fn ch(c: char) -> Key {
    key(KeyCode::Char(c))
}

const fn ctrl(c: char) -> Key {
    Key { code: KeyCode::Char(c), mods: KeyModifiers::CONTROL }
}

pub struct Binding {
    pub context: Context,
    pub keys: &'static [Key],
    pub action: Action,
    pub help: &'static str,
}

pub const BINDINGS: &[Binding] = &[
    Binding {
        context: Context::AlertsPane,
        keys: &[ch('a')],
        action: Action::Acknowledge,
        help: "acknowledge the selected alert",
    },
    Binding {
        context: Context::AlertsPane,
        keys: &[ch('A')],
        action: Action::AcknowledgeWithNote,
        help: "acknowledge the selected alert with a note",
    },
    Binding {
        context: Context::AlertsPane,
        keys: &[ch('u')],
        action: Action::Unacknowledge,
        help: "unacknowledge the selected alert",
    },
    Binding {
        context: Context::AlertsPane,
        keys: &[ch('r')],
        action: Action::Resolve,
        help: "resolve the selected alert, giving a reason",
    },
    Binding {
        context: Context::Panes,
        keys: &[key(KeyCode::Tab)],
        action: Action::FocusNext,
        help: "focus the next pane",
    },
    Binding {
        context: Context::Panes,
        keys: &[key(KeyCode::BackTab)],
        action: Action::FocusPrev,
        help: "focus the previous pane",
    },
    Binding {
        context: Context::Panes,
        keys: &[ch('1')],
        action: Action::FocusPane(0),
        help: "focus Missions",
    },
    Binding {
        context: Context::Panes,
        keys: &[ch('2')],
        action: Action::FocusPane(1),
        help: "focus Contacts",
    },
    Binding { context: Context::Panes, keys: &[ch('3')], action: Action::FocusPane(2), help: "focus Alerts" },
    Binding {
        context: Context::Panes,
        keys: &[ch('4')],
        action: Action::FocusPane(3),
        help: "focus Event log",
    },
    Binding { context: Context::Panes, keys: &[ch('5')], action: Action::FocusPane(4), help: "focus Feeds" },
    Binding { context: Context::Panes, keys: &[ch('6')], action: Action::FocusPane(5), help: "focus Map" },
    Binding {
        context: Context::Panes,
        keys: &[ch('j'), key(KeyCode::Down)],
        action: Action::Down,
        help: "select the next line",
    },
    Binding {
        context: Context::Panes,
        keys: &[ch('k'), key(KeyCode::Up)],
        action: Action::Up,
        help: "select the previous line",
    },
    Binding {
        context: Context::Panes,
        keys: &[key(KeyCode::PageDown)],
        action: Action::PageDown,
        help: "move down a page",
    },
    Binding {
        context: Context::Panes,
        keys: &[key(KeyCode::PageUp)],
        action: Action::PageUp,
        help: "move up a page",
    },
    Binding {
        context: Context::Panes,
        keys: &[ch('g'), key(KeyCode::Home)],
        action: Action::Top,
        help: "select the first line",
    },
    Binding {
        context: Context::Panes,
        keys: &[ch('G'), key(KeyCode::End)],
        action: Action::Bottom,
        help: "select the last line",
    },
    Binding {
        context: Context::Panes,
        keys: &[key(KeyCode::Enter)],
        action: Action::Open,
        help: "open the selection's detail",
    },
    Binding {
        context: Context::Panes,
        keys: &[ch('/')],
        action: Action::Filter,
        help: "filter the focused pane (Esc clears)",
    },
    Binding {
        context: Context::Panes,
        keys: &[ctrl('n')],
        action: Action::NextMatch,
        help: "select the next line matching the filter (wraps)",
    },
    Binding {
        context: Context::Panes,
        keys: &[ctrl('p')],
        action: Action::PreviousMatch,
        help: "select the previous line matching the filter (wraps)",
    },
    Binding {
        context: Context::Panes,
        keys: &[ch('n')],
        action: Action::Note,
        help: "add an operator note to the journal",
    },
    Binding {
        context: Context::Panes,
        keys: &[ch('c')],
        action: Action::CheckIn,
        help: "Contacts: record a check-in with the selected contact (channel, optional note)",
    },
    Binding {
        context: Context::Panes,
        keys: &[ch('m')],
        action: Action::MissionStatus,
        help: "Missions: set the selected mission's status (↑↓) and a short status line",
    },
    Binding {
        context: Context::Panes,
        keys: &[ch('R')],
        action: Action::Rollcall,
        help: "Missions: open a roll-call of the selected mission's contacts (or show its open one); Alerts: the roll-call the alert opened; elsewhere: the latest open roll-call",
    },
    Binding {
        context: Context::Panes,
        keys: &[ch('b')],
        action: Action::Brief,
        help: "write a briefing to the briefs directory: of this watch (since the console started), or since the time or age typed",
    },
    Binding {
        context: Context::Panes,
        keys: &[ch('L')],
        action: Action::Reload,
        help: "reload the configuration file (checked first; refused, the running one is kept)",
    },
    Binding {
        context: Context::Panes,
        keys: &[ch('z')],
        action: Action::ToggleLogZone,
        help: "show the Event log's times in the desk's zone, or in UTC again",
    },
    Binding { context: Context::Panes, keys: &[ch('?')], action: Action::Help, help: "show this help" },
    Binding {
        context: Context::Panes,
        keys: &[key(KeyCode::Esc)],
        action: Action::Close,
        help: "clear the focused pane's filter",
    },
    Binding {
        context: Context::Panes,
        keys: &[ch('q')],
        action: Action::Quit,
        help: "quit (asks first in the console that polls the desk's feeds)",
    },
    Binding {
        context: Context::Panes,
        keys: &[ctrl('c')],
        action: Action::QuitNow,
        help: "quit at once (the journal stays consistent)",
    },
    Binding {
        context: Context::Overlay,
        keys: &[ch('j'), key(KeyCode::Down)],
        action: Action::Down,
        help: "scroll down (in a roll-call: choose the next contact)",
    },
    Binding {
        context: Context::Overlay,
        keys: &[ch('k'), key(KeyCode::Up)],
        action: Action::Up,
        help: "scroll up (in a roll-call: choose the previous contact)",
    },
    Binding {
        context: Context::Overlay,
        keys: &[key(KeyCode::PageDown)],
        action: Action::PageDown,
        help: "scroll down a page",
    },
    Binding {
        context: Context::Overlay,
        keys: &[key(KeyCode::PageUp)],
        action: Action::PageUp,
        help: "scroll up a page",
    },
    Binding {
        context: Context::Overlay,
        keys: &[key(KeyCode::Esc), ch('q'), ch('?'), key(KeyCode::Enter)],
        action: Action::Close,
        help: "close the overlay",
    },
    Binding {
        context: Context::Overlay,
        keys: &[ch('m')],
        action: Action::MissionStatus,
        help: "in a mission's detail: set its status and a short status line",
    },
    Binding {
        context: Context::Overlay,
        keys: &[key(KeyCode::Tab)],
        action: Action::NextContact,
        help: "in a mission's detail: choose the next of its contacts",
    },
    Binding {
        context: Context::Overlay,
        keys: &[key(KeyCode::BackTab)],
        action: Action::PreviousContact,
        help: "in a mission's detail: choose the previous of its contacts",
    },
    Binding {
        context: Context::Overlay,
        keys: &[ch('c')],
        action: Action::CheckIn,
        help: "in a mission's detail: record a check-in with the contact chosen",
    },
    Binding {
        context: Context::Overlay,
        keys: &[ch('n')],
        action: Action::Note,
        help: "in a mission's detail: add a note tied to the mission",
    },
    Binding {
        context: Context::Overlay,
        keys: &[ch('R')],
        action: Action::Rollcall,
        help: "in a mission's detail: open a roll-call of its contacts, or show its open one",
    },
    Binding {
        context: Context::Overlay,
        keys: &[ch('s')],
        action: Action::Answer(crate::domain::Answer::Safe),
        help: "in a roll-call: the contact chosen was reached and is safe",
    },
    Binding {
        context: Context::Overlay,
        keys: &[ch('h')],
        action: Action::Answer(crate::domain::Answer::NeedsHelp),
        help: "in a roll-call: the contact chosen was reached and needs help",
    },
    Binding {
        context: Context::Overlay,
        keys: &[ch('x')],
        action: Action::Answer(crate::domain::Answer::NotReached),
        help: "in a roll-call: the contact chosen was tried and not reached",
    },
    Binding {
        context: Context::Overlay,
        keys: &[ch('S')],
        action: Action::AnswerWithNote(crate::domain::Answer::Safe),
        help: "in a roll-call: safe, with a note",
    },
    Binding {
        context: Context::Overlay,
        keys: &[ch('H')],
        action: Action::AnswerWithNote(crate::domain::Answer::NeedsHelp),
        help: "in a roll-call: needs help, with a note",
    },
    Binding {
        context: Context::Overlay,
        keys: &[ch('X')],
        action: Action::AnswerWithNote(crate::domain::Answer::NotReached),
        help: "in a roll-call: not reached, with a note",
    },
    Binding {
        context: Context::Overlay,
        keys: &[ch('C')],
        action: Action::CloseRollcall,
        help: "in a roll-call: close it, with an optional reason",
    },
    Binding { context: Context::Overlay, keys: &[ctrl('c')], action: Action::QuitNow, help: "quit" },
    Binding {
        context: Context::Prompt,
        keys: &[key(KeyCode::Enter)],
        action: Action::Submit,
        help: "save the note, keep the filter, acknowledge, resolve, check in, set the status, open or close a roll-call",
    },
    Binding {
        context: Context::Prompt,
        keys: &[key(KeyCode::Esc)],
        action: Action::Close,
        help: "cancel (nothing is saved; a filter is cleared)",
    },
    Binding {
        context: Context::Prompt,
        keys: &[ctrl('n'), key(KeyCode::Down)],
        action: Action::NextMatch,
        help: "filtering: select the next matching line; checking in: the next channel; status: the next",
    },
    Binding {
        context: Context::Prompt,
        keys: &[ctrl('p'), key(KeyCode::Up)],
        action: Action::PreviousMatch,
        help: "filtering: the previous matching line; checking in: the previous channel; status: the previous",
    },
    Binding {
        context: Context::Prompt,
        keys: &[key(KeyCode::Left)],
        action: Action::Edit(Edit::Left),
        help: "move the cursor back a character",
    },
    Binding {
        context: Context::Prompt,
        keys: &[key(KeyCode::Right)],
        action: Action::Edit(Edit::Right),
        help: "move the cursor on a character",
    },
    Binding {
        context: Context::Prompt,
        keys: &[key(KeyCode::Home), ctrl('a')],
        action: Action::Edit(Edit::Start),
        help: "move the cursor to the start",
    },
    Binding {
        context: Context::Prompt,
        keys: &[key(KeyCode::End), ctrl('e')],
        action: Action::Edit(Edit::End),
        help: "move the cursor to the end",
    },
    Binding {
        context: Context::Prompt,
        keys: &[key(KeyCode::Backspace)],
        action: Action::Edit(Edit::DeleteBack),
        help: "delete the character before the cursor",
    },
    Binding {
        context: Context::Prompt,
        keys: &[key(KeyCode::Delete)],
        action: Action::Edit(Edit::DeleteForward),
        help: "delete the character under the cursor",
    },
    Binding {
        context: Context::Prompt,
        keys: &[ctrl('u')],
        action: Action::Edit(Edit::ClearToStart),
        help: "delete everything before the cursor",
    },
    Binding {
        context: Context::Prompt,
        keys: &[ctrl('w')],
        action: Action::Edit(Edit::DeleteWordBack),
        help: "delete the word before the cursor",
    },
    Binding { context: Context::Prompt, keys: &[ctrl('c')], action: Action::QuitNow, help: "quit" },
    Binding {
        context: Context::ConfirmQuit,
        keys: &[ch('q'), ch('y'), ctrl('c')],
        action: Action::QuitNow,
        help: "quit (any other key stays)",
    },
];

/// The action bound to `event` in `context`, if any. Key releases and repeats of release-less
/// terminals are ignored; only presses act.
pub fn action_for(context: Context, event: &KeyEvent) -> Option<Action> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    let mods = normalized_mods(event);
    BINDINGS
        .iter()
        .filter(|b| b.context == context)
        .find(|b| b.keys.iter().any(|k| k.code == event.code && k.mods == mods))
        .map(|b| b.action)
}

/// The key an event stands for, as the table writes keys; None for what is not a key the
/// operator meant: a release, or a modifier or lock key pressed alone.
pub fn pressed(event: &KeyEvent) -> Option<Key> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    match event.code {
        KeyCode::Modifier(_)
        | KeyCode::CapsLock
        | KeyCode::NumLock
        | KeyCode::ScrollLock
        | KeyCode::Null
        | KeyCode::Media(_) => None,
        code => Some(Key { code, mods: normalized_mods(event) }),
    }
}

/// Shifted letters arrive with SHIFT set on some terminals and not on others.
fn normalized_mods(event: &KeyEvent) -> KeyModifiers {
    match event.code {
        KeyCode::Char(_) | KeyCode::BackTab => event.modifiers - KeyModifiers::SHIFT,
        _ => event.modifiers,
    }
}

/// The keys bound to `action` in `context`, as help writes them.
pub fn keys_for(context: Context, action: Action) -> Option<String> {
    let binding = BINDINGS.iter().find(|b| b.context == context && b.action == action)?;
    Some(binding.keys.iter().map(label).collect::<Vec<_>>().join(" "))
}

/// How a key is written in help: `Tab`, `S-Tab`, `C-c`, `↓`, `j`.
pub fn label(key: &Key) -> String {
    let base = match key.code {
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "S-Tab".into(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::Backspace => "Bksp".into(),
        KeyCode::Delete => "Del".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        KeyCode::F(n) => format!("F{n}"),
        KeyCode::Insert => "Ins".into(),
        other => format!("{other:?}"),
    };
    let alt = if key.mods.contains(KeyModifiers::ALT) { "M-" } else { "" };
    let ctrl = if key.mods.contains(KeyModifiers::CONTROL) { "C-" } else { "" };
    format!("{ctrl}{alt}{base}")
}

/// The help screen's lines: one per binding, grouped by context.
pub fn help_lines() -> Vec<(String, &'static str, &'static str)> {
    BINDINGS
        .iter()
        .map(|b| {
            let keys: Vec<_> = b.keys.iter().map(label).collect();
            let section = match b.context {
                Context::Panes => "Panes",
                Context::Overlay => "Detail and help views",
                Context::Prompt => {
                    "Typing in a prompt (note, filter, acknowledgement note, reason, check-in, status)"
                }
                Context::AlertsPane => "Alerts pane (one alert at a time; nothing acts on many)",
                Context::ConfirmQuit => "Asked to quit the console that polls",
            };
            (keys.join(" "), b.help, section)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn keys_map_to_actions_by_context() {
        assert_eq!(
            action_for(Context::Panes, &press(KeyCode::Char('j'), KeyModifiers::NONE)),
            Some(Action::Down)
        );
        assert_eq!(
            action_for(Context::Panes, &press(KeyCode::Tab, KeyModifiers::NONE)),
            Some(Action::FocusNext)
        );
        assert_eq!(
            action_for(Context::Panes, &press(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(Action::FocusPrev)
        );
        assert_eq!(
            action_for(Context::Panes, &press(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Bottom)
        );
        assert_eq!(
            action_for(Context::Overlay, &press(KeyCode::Char('q'), KeyModifiers::NONE)),
            Some(Action::Close)
        );
        assert_eq!(
            action_for(Context::Panes, &press(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::QuitNow)
        );
        assert_eq!(
            action_for(Context::Panes, &press(KeyCode::Char('q'), KeyModifiers::NONE)),
            Some(Action::Quit)
        );
        assert_eq!(action_for(Context::Panes, &press(KeyCode::Char('x'), KeyModifiers::NONE)), None);
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        for (i, a) in BINDINGS.iter().enumerate() {
            for b in &BINDINGS[i + 1..] {
                if a.context != b.context {
                    continue;
                }
                for ka in a.keys {
                    assert!(
                        !b.keys.iter().any(|kb| kb.code == ka.code && kb.mods == ka.mods),
                        "{} bound to both {:?} and {:?}",
                        label(ka),
                        a.action,
                        b.action
                    );
                }
            }
        }
    }

    #[test]
    fn help_lists_every_binding() {
        let help = help_lines();
        assert_eq!(help.len(), BINDINGS.len());
        assert!(help.iter().any(|(keys, what, _)| keys == "n" && what.contains("note")));
    }
}

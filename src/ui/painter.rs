//! Putting the console on the terminal with as little work as the change needs: a tick of the
//! clock rewrites only the status bar's changed cells; anything else draws a whole frame.

use ratatui::backend::Backend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::{Frame, Terminal};

use super::Redraw;
use super::status;
use super::theme::Theme;
use crate::console::{App, Overlay};

/// Draws the console and keeps the picture on the screen, so that when only the status bar
/// changed (the clock, every second) only its changed cells are compared and written: a quiet
/// console's CPU is then its clock's few cells, not a screen copied and compared each second.
#[derive(Default)]
pub struct Painter {
    /// The picture on the terminal, and how many lines its status area has.
    screen: Option<(Buffer, u16)>,
    /// Status bars were written past the terminal's own record of its last frame, which its
    /// next frame is compared with: it must learn the screen first.
    terminal_behind: bool,
}

impl Painter {
    pub fn draw<B: Backend>(
        &mut self,
        terminal: &mut Terminal<B>,
        app: &App,
        theme: &Theme,
        redraw: Redraw,
    ) -> Result<(), B::Error> {
        if redraw == Redraw::StatusBar && matches!(app.overlay, Overlay::None) {
            let area = Rect::from((ratatui::layout::Position::ORIGIN, terminal.size()?));
            let lines = status::lines(app, area.width, theme);
            let height = lines.len() as u16;
            // A status area taller than the terminal is clipped by the layout: a whole frame.
            if let Some((screen, screen_height)) = self.screen.as_mut()
                && screen.area == area
                && *screen_height == height
                && height <= area.height
            {
                let bar = Rect { y: area.bottom().saturating_sub(height), height, ..area };
                let mut fresh = Buffer::empty(bar);
                status::render(&mut fresh, bar, lines);
                let rows = bar.y as usize * area.width as usize..area.area() as usize;
                let shown = Buffer { area: bar, content: screen.content[rows.clone()].to_vec() };
                let changes = shown.diff(&fresh);
                if !changes.is_empty() {
                    terminal.backend_mut().draw(changes.into_iter())?;
                    terminal.backend_mut().flush()?;
                    screen.content[rows].clone_from_slice(&fresh.content);
                    self.terminal_behind = true;
                }
                return Ok(());
            }
        }
        if self.terminal_behind
            && let Some((screen, _)) = &self.screen
            && terminal.size()? == screen.area.as_size()
        {
            terminal.current_buffer_mut().content.clone_from_slice(&screen.content);
            terminal.swap_buffers();
        }
        self.terminal_behind = false;
        let mut height = 0;
        let completed = terminal.draw(|frame: &mut Frame| {
            let lines = status::lines(app, frame.area().width, theme);
            height = lines.len() as u16;
            super::render_with_status(frame, frame.area(), app, theme, lines);
        })?;
        match self.screen.as_mut() {
            Some((screen, kept)) if screen.area == completed.area => {
                screen.content.clone_from_slice(&completed.buffer.content);
                *kept = height;
            }
            _ => self.screen = Some((completed.buffer.clone(), height)),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use crate::console::App;
    use crate::console::test_support::{config, now};

    fn app() -> App {
        App::new(config(), "reyes".into(), now())
    }

    /// What one draw of `painter` leaves on the terminal's screen.
    fn painted(
        painter: &mut crate::ui::Painter,
        terminal: &mut ratatui::Terminal<ratatui::backend::TestBackend>,
        app: &App,
        redraw: crate::ui::Redraw,
    ) -> ratatui::buffer::Buffer {
        let theme = crate::ui::theme::Theme { color: true };
        painter.draw(terminal, app, &theme, redraw).unwrap();
        terminal.backend().buffer().clone()
    }

    #[test]
    fn a_tick_of_the_clock_repaints_the_status_bar_to_the_picture_a_whole_frame_draws() {
        let mut app = app();
        let mut painter = crate::ui::Painter::default();
        let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
        painted(&mut painter, &mut terminal, &app, crate::ui::Redraw::All);
        // Within the minute only the clock moves; the feeds have never answered, so no age moves.
        let moved = app.set_now(now() + Duration::seconds(1));
        assert_eq!(moved, crate::console::Moved::Clock);
        let repainted = painted(&mut painter, &mut terminal, &app, crate::ui::Redraw::StatusBar);
        let mut whole = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
        let theme = crate::ui::theme::Theme { color: true };
        whole.draw(|frame| crate::ui::render(frame, &app, &theme)).unwrap();
        assert_eq!(&repainted, whole.backend().buffer());
        assert!(
            format!("{repainted:?}")
                .contains(&(now() + Duration::seconds(1)).format("%H:%M:%SZ").to_string())
        );
    }

    /// A whole frame after status bars written past the terminal's own record of its screen: the
    /// status bar goes back to what the terminal last drew itself, which a frame compared with that
    /// record alone would leave unwritten.
    #[test]
    fn a_whole_frame_after_ticks_of_the_clock_draws_what_a_fresh_terminal_shows() {
        let mut app = app();
        let mut painter = crate::ui::Painter::default();
        let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
        painted(&mut painter, &mut terminal, &app, crate::ui::Redraw::All);
        app.set_now(now() + Duration::seconds(1));
        painted(&mut painter, &mut terminal, &app, crate::ui::Redraw::StatusBar);
        app.set_now(now() + Duration::seconds(2));
        painted(&mut painter, &mut terminal, &app, crate::ui::Redraw::StatusBar);
        app.set_now(now());
        let redrawn = painted(&mut painter, &mut terminal, &app, crate::ui::Redraw::All);
        let mut fresh = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
        let theme = crate::ui::theme::Theme { color: true };
        fresh.draw(|frame| crate::ui::render(frame, &app, &theme)).unwrap();
        assert_eq!(&redrawn, fresh.backend().buffer());
    }

    /// A terminal shorter than the status area (a squashed pane, a long message wrapped): the
    /// tick of the clock draws a whole frame, clipped, and never reaches past the screen.
    #[test]
    fn a_tick_on_a_terminal_shorter_than_the_status_area_draws_a_whole_frame() {
        let mut app = app();
        app.flash = Some("a message long enough to wrap the status bar of a narrow terminal ".repeat(3));
        let mut painter = crate::ui::Painter::default();
        let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(40, 2)).unwrap();
        painted(&mut painter, &mut terminal, &app, crate::ui::Redraw::All);
        app.set_now(now() + Duration::seconds(1));
        let ticked = painted(&mut painter, &mut terminal, &app, crate::ui::Redraw::StatusBar);
        let mut fresh = ratatui::Terminal::new(ratatui::backend::TestBackend::new(40, 2)).unwrap();
        let theme = crate::ui::theme::Theme { color: true };
        fresh.draw(|frame| crate::ui::render(frame, &app, &theme)).unwrap();
        assert_eq!(&ticked, fresh.backend().buffer());
    }

    #[test]
    fn at_low_bandwidth_the_clock_moves_the_screen_only_by_the_minute() {
        let mut app = app();
        app.set_low_bandwidth(true);
        let start = now();
        assert_eq!(app.set_now(start + Duration::seconds(1)), crate::console::Moved::Nothing);
        assert_eq!(app.set_now(start + Duration::seconds(60)), crate::console::Moved::Panes);
        let mut painter = crate::ui::Painter::default();
        let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
        let screen = format!("{:?}", painted(&mut painter, &mut terminal, &app, crate::ui::Redraw::All));
        let shown = app.now.format("%H:%MZ").to_string();
        assert!(screen.contains(&format!(" {shown} ")), "the clock by the minute: {screen}");
        assert!(!screen.contains(&app.now.format("%H:%M:%SZ").to_string()), "{screen}");
    }
}

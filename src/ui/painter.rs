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

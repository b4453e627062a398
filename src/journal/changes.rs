//! Word that the journal directory may have changed (a record appended, a segment begun), so a
//! follower reads when there is something to read instead of looking four times a second on a
//! quiet desk. inotify on Linux, with a slow look now and then in case a change went unseen;
//! where the directory cannot be watched (another system, some network file systems), a look
//! every quarter second as before.

use std::path::Path;
use std::time::Duration;
use tokio::time::{Interval, MissedTickBehavior, interval};

/// How often to look without being told, while the directory is watched.
const WATCHED_LOOK_EVERY: Duration = Duration::from_secs(5);
/// How often to look where the directory cannot be watched.
const UNWATCHED_LOOK_EVERY: Duration = Duration::from_millis(250);

pub struct Changes {
    watch: Option<watch::Watch>,
    look: Interval,
}

impl Changes {
    pub fn watch(dir: &Path) -> Self {
        let watch = watch::Watch::new(dir).ok();
        let mut look = interval(if watch.is_some() { WATCHED_LOOK_EVERY } else { UNWATCHED_LOOK_EVERY });
        look.set_missed_tick_behavior(MissedTickBehavior::Skip);
        Changes { watch, look }
    }

    /// Whether the directory is watched (else it is looked at every quarter second).
    pub fn watched(&self) -> bool {
        self.watch.is_some()
    }

    /// Returns when the directory may have changed.
    pub async fn next(&mut self) {
        let Some(watch) = self.watch.as_ref() else {
            self.look.tick().await;
            return;
        };
        tokio::select! {
            failed = watch.changed() => if failed.is_err() {
                // Watching no longer works (the queue overflowed, the directory went): look often.
                self.watch = None;
                self.look = interval(UNWATCHED_LOOK_EVERY);
                self.look.set_missed_tick_behavior(MissedTickBehavior::Skip);
            },
            _ = self.look.tick() => {}
        }
    }
}

#[cfg(target_os = "linux")]
mod watch {
    use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify};
    use std::path::Path;
    use std::sync::Arc;
    use tokio::sync::{Notify, watch};

    /// A thread blocked reading inotify says each change; it wakes for nothing else.
    pub struct Watch {
        changed: Arc<Notify>,
        failed: watch::Receiver<bool>,
    }

    impl Watch {
        pub fn new(dir: &Path) -> std::io::Result<Self> {
            let inotify = Inotify::init(InitFlags::IN_CLOEXEC)?;
            let flags = AddWatchFlags::IN_MODIFY | AddWatchFlags::IN_CREATE | AddWatchFlags::IN_MOVED_TO;
            inotify.add_watch(dir, flags)?;
            let changed = Arc::new(Notify::new());
            let (failing, failed) = watch::channel(false);
            let told = changed.clone();
            std::thread::Builder::new().name("journal-changes".into()).spawn(move || {
                // Ends when its reader has gone (after the next change) or reading fails.
                while inotify.read_events().is_ok() {
                    if Arc::strong_count(&told) == 1 {
                        return;
                    }
                    // Changes not yet taken are one change: the follower reads them all.
                    told.notify_one();
                }
                let _ = failing.send(true);
            })?;
            Ok(Watch { changed, failed })
        }

        /// Waits for the next change; Err once watching no longer works.
        pub async fn changed(&self) -> std::io::Result<()> {
            let mut failed = self.failed.clone();
            tokio::select! {
                () = self.changed.notified() => Ok(()),
                _ = failed.wait_for(|failed| *failed) => Err(std::io::ErrorKind::BrokenPipe.into()),
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod watch {
    use std::path::Path;

    pub struct Watch;

    impl Watch {
        pub fn new(_dir: &Path) -> std::io::Result<Self> {
            Err(std::io::ErrorKind::Unsupported.into())
        }

        pub async fn changed(&self) -> std::io::Result<()> {
            std::future::pending().await
        }
    }
}

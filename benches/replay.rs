//! Replay benchmarks, with the figures the replay issue sets targets for. On a journal written
//! by `gen-journal` (see BENCHMARKS.md for the exact commands):
//! `cargo bench --bench replay -- --journal DIR`. It measures, in this process, as the terminal
//! loop does its work (the console drawn into a 160x48 `TestBackend` instead of a terminal):
//! the first frame from start; seeks to random times, forwards and backwards, drawn; playing at
//! 1000x in 40 ms frames, while the indexer runs and after; the indexer's total time; quitting;
//! peak memory.
//! Plain `std::time` measurements: the figures are large enough that a harness adds nothing.

use attache::config::Config;
use attache::replay::{self, Options, session::Replay, widget};
use attache::ui::theme::Theme;
use chrono::Duration;
use ratatui::{Terminal, backend::TestBackend};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn summary(mut ms: Vec<f64>) -> String {
    ms.sort_by(f64::total_cmp);
    format!(
        "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} samples)",
        percentile(&ms, 0.5),
        percentile(&ms, 0.99),
        ms[ms.len() - 1],
        ms.len()
    )
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

struct Screen(Terminal<TestBackend>, Theme);

impl Screen {
    fn draw(&mut self, replay: &Replay) {
        let theme = self.1;
        self.0.draw(|f| widget::render(f, replay, &theme)).unwrap();
    }
}

fn open(dir: &Path, options: &Options) -> Replay {
    let config = Config::load(Path::new("config/attache.toml")).expect("the demo desk loads");
    replay::open(config, dir, options, "bench".into()).expect("the journal opens")
}

/// Plays at 1000x for `frames` frames; returns each frame's work (tick, fold, draw) in ms.
fn play(replay: &mut Replay, screen: &mut Screen, frames: usize) -> Vec<f64> {
    while replay.clock.speed() < 1000.0 {
        replay.clock.faster();
    }
    replay.clock.playing = true;
    (0..frames)
        .map(|_| {
            let started = Instant::now();
            replay.absorb();
            replay.tick(replay::FRAME_EVERY).unwrap();
            screen.draw(replay);
            replay.tidy();
            started.elapsed().as_secs_f64() * 1e3
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let Some(dir) = flag("--journal").map(PathBuf::from) else {
        eprintln!("usage: cargo bench --bench replay -- --journal DIR (a journal from gen-journal)");
        std::process::exit(2);
    };
    // `--from TIME`: a replay of the journal's end only (as `attache replay --from`).
    let whole = Options { from: flag("--from"), ..Options::default() };
    let mut screen = Screen(Terminal::new(TestBackend::new(160, 48)).unwrap(), Theme { color: true });
    // The checkpoints the consoles that wrote the journal would have left along it (one every
    // 10,000 records); a generated journal has none until they are made.
    if attache::checkpoint::taken_at(&dir).len() < 2 {
        let started = Instant::now();
        let built = attache::checkpoint::build(&dir, |_| {}).unwrap();
        println!("made {} checkpoints on disk in {:.1} s", built.written, started.elapsed().as_secs_f64());
    }

    // First frame: open (span, indexer started, state at the start) and draw.
    let started = Instant::now();
    let mut replay = open(&dir, &whole);
    screen.draw(&replay);
    println!("first frame, from the start of the range: {:.1} ms", started.elapsed().as_secs_f64() * 1e3);

    // Playing at 1000x while the indexer reads the journal in its thread.
    let during = play(&mut replay, &mut screen, 100);
    println!("play at 1000x, 40 ms frames, while indexing: frame work {}", summary(during));

    while !replay.engine.indexed {
        std::thread::sleep(std::time::Duration::from_millis(20));
        replay.absorb();
    }
    println!(
        "indexed {} records, {} checkpoints, {:.1} s after start; peak RSS {:.0} MiB",
        replay.engine.timeline.len(),
        replay.engine.checkpoints(),
        started.elapsed().as_secs_f64(),
        peak_rss_mib()
    );

    // Seeks to random times over the span, in both directions, each drawn.
    let (start, end) = (replay.clock.start, replay.clock.end);
    let span = (end - start).num_seconds();
    let mut rng = 7u64;
    let (mut seeks, mut tidies) = (Vec::new(), Vec::new());
    for _ in 0..60 {
        rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let t = start + Duration::seconds((rng >> 33) as i64 % span.max(1));
        let began = Instant::now();
        replay.seek(t).unwrap();
        screen.draw(&replay);
        seeks.push(began.elapsed().as_secs_f64() * 1e3);
        // As the replay's loop does once the frame is out, before it waits for the next key.
        let drawn = Instant::now();
        replay.tidy();
        tidies.push(drawn.elapsed().as_secs_f64() * 1e3);
    }
    println!("seek to a random time (either direction) and draw: {}", summary(seeks));
    println!("then freeing what the seek replaced, before the next key: {}", summary(tidies));

    // Playing at 1000x from the middle, after indexing.
    replay.seek(start + Duration::seconds(span / 2)).unwrap();
    let after = play(&mut replay, &mut screen, 100);
    println!("play at 1000x, 40 ms frames, indexed: frame work {}", summary(after));

    // Quitting: what `attache replay` does once its loop ends, the terminal restored.
    let began = Instant::now();
    replay::close(replay);
    println!(
        "quit: {:.1} ms; peak RSS so far {:.0} MiB",
        began.elapsed().as_secs_f64() * 1e3,
        peak_rss_mib()
    );

    // Opening at a time in the middle: from the checkpoint on disk before it, then folding the
    // records between.
    let started = Instant::now();
    let middle = (start + Duration::seconds(span / 2)).to_rfc3339();
    let replay = open(&dir, &Options { at: Some(middle), ..whole.clone() });
    screen.draw(&replay);
    println!("first frame with --at the middle of the span: {:.1} ms", started.elapsed().as_secs_f64() * 1e3);
    replay::close(replay);
}

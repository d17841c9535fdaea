//! Memory on one large definition: the peak of a whole lint of a 100,000-state chain against
//! its file size, and the live bytes each stage leaves (the text, the tree, the model, the
//! analyses). Counted by the allocator, so the numbers are the same on every machine.
//!
//! `cargo bench --bench memory`

use std::alloc::{GlobalAlloc, Layout};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

mod common;

use common::chain;
use sfn_lint::discover::{Candidate, Files};
use sfn_lint::lint::Options;

/// mimalloc, as the binary uses, counting the bytes live and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn mb(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / 1_048_576.0)
}

fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}

fn main() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("memory-inputs");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("sfn-lint.toml"), "").unwrap();
    let path = dir.join("chain.asl.json");
    std::fs::write(&path, chain(100_000)).unwrap();
    let size = std::fs::metadata(&path).unwrap().len() as usize;

    // The whole lint, as `sfn-lint check` runs it (one file, one thread's worth of work).
    let candidates = vec![Candidate { path: path.clone(), named: true, link: false }];
    let before = live();
    PEAK.store(before, Ordering::Relaxed);
    let findings = sfn_lint::lint::run(&Files::named(candidates), None, &[], &Options::default()).findings.len();
    let peak = PEAK.load(Ordering::Relaxed) - before;
    println!("chain of 100,000 states: {} file, {} peak over the lint ({findings} findings)", mb(size), mb(peak));
    println!("peak / file size: {:.1}× (target: 3×)", peak as f64 / size as f64);

    // What each stage keeps alive, in the order the lint builds them.
    let base = live();
    let text = std::fs::read_to_string(&path).unwrap();
    let after_text = live();
    let root = sfn_lint::syntax::parse(&text, sfn_lint::syntax::Format::Json).unwrap();
    let after_tree = live();
    let mut machine = sfn_lint::asl::Machine::new(&root);
    machine.resolve_resources(None);
    let after_model = live();
    let definition = sfn_lint::host::standalone(&root, &text, None);
    let analysis = sfn_lint::asl::Analysis::new(&machine, &definition, Default::default());
    let _ = analysis.contexts();
    for state in 0..machine.states.len() {
        let _ = analysis.hazards(state);
    }
    let _ = analysis.durations();
    let after_analyses = live();
    println!(
        "live after each stage: text {}, tree {}, model {}, analyses {}",
        mb(after_text - base),
        mb(after_tree - after_text),
        mb(after_model - after_tree),
        mb(after_analyses - after_model)
    );
}

//! Demo seeding on one CPU. The demo writes hundreds of thousands of
//! statements in one transaction, each handed from the async task to the
//! SQLite connection's own thread and back. With the two threads on two
//! CPUs every hand-off wakes the other CPU, and on the virtual machines we
//! run on that costs more than the statement: the default demo took 27 s
//! across two CPUs and 3.4 s on one (BENCHMARKS.md, "Demo data"). Serving is
//! not pinned: requests run in parallel and gain from both CPUs.

/// While held, every thread of the process runs on one CPU; dropping it
/// gives them back the CPUs they had.
pub struct OneCpu {
    #[cfg(target_os = "linux")]
    original: nix::sched::CpuSet,
}

impl OneCpu {
    /// Pins every thread to the first CPU the process may use; `None` where
    /// that cannot be done (then nothing changed).
    #[cfg(target_os = "linux")]
    pub fn pin() -> Option<OneCpu> {
        use nix::sched::{CpuSet, sched_getaffinity};
        use nix::unistd::Pid;
        let original = sched_getaffinity(Pid::from_raw(0)).ok()?;
        let first = (0..CpuSet::count()).find(|&i| original.is_set(i).unwrap_or(false))?;
        let mut one = CpuSet::new();
        one.set(first).ok()?;
        set_all(&one);
        Some(OneCpu { original })
    }

    #[cfg(not(target_os = "linux"))]
    pub fn pin() -> Option<OneCpu> {
        None
    }
}

/// Sets the CPUs of every thread of the process (threads started later
/// inherit them from the thread that starts them).
#[cfg(target_os = "linux")]
fn set_all(set: &nix::sched::CpuSet) {
    use nix::unistd::Pid;
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return;
    };
    for task in tasks.flatten() {
        if let Some(tid) = task
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<i32>().ok())
        {
            let _ = nix::sched::sched_setaffinity(Pid::from_raw(tid), set);
        }
    }
}

impl Drop for OneCpu {
    fn drop(&mut self) {
        #[cfg(target_os = "linux")]
        set_all(&self.original);
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn every_thread_is_pinned_and_given_back() {
        use nix::sched::sched_getaffinity;
        use nix::unistd::Pid;
        let before = sched_getaffinity(Pid::from_raw(0)).expect("affinity");
        let cpus = |s: &nix::sched::CpuSet| {
            (0..nix::sched::CpuSet::count())
                .filter(|&i| s.is_set(i).unwrap_or(false))
                .count()
        };
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let (seen_tx, seen_rx) = std::sync::mpsc::channel();
        // A thread that already runs when the pin is taken is pinned too.
        let other = std::thread::spawn(move || {
            let _ = rx.recv();
            let _ = seen_tx.send(cpus(
                &sched_getaffinity(Pid::from_raw(0)).expect("affinity"),
            ));
        });
        {
            let Some(_one) = OneCpu::pin() else {
                println!("skipped: affinity cannot be set here");
                let _ = tx.send(());
                let _ = other.join();
                return;
            };
            assert_eq!(
                cpus(&sched_getaffinity(Pid::from_raw(0)).expect("affinity")),
                1
            );
            let _ = tx.send(());
            assert_eq!(seen_rx.recv().expect("seen"), 1);
        }
        let _ = other.join();
        assert_eq!(
            cpus(&sched_getaffinity(Pid::from_raw(0)).expect("affinity")),
            cpus(&before),
            "given back"
        );
    }
}

//! What the benchmark reads about its machine and processes from Linux's `/proc`: CPU
//! time, resident set, load average, and the machine's description. Best effort: a figure
//! the kernel does not give is 0 (or "unknown"), never an error.

use std::path::Path;

use serde::Serialize;

/// The machine a run measured on.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub memory_gb: f64,
    pub kernel: String,
    /// 1-minute load average when the run started and when it ended: other work on the
    /// machine slows every wall-clock figure.
    pub load_before: f64,
    pub load_after: f64,
}

/// User + system CPU seconds of this process (all threads), from /proc/self/stat.
pub(crate) fn process_cpu_secs() -> f64 {
    proc_cpu_secs("self").unwrap_or(0.0)
}

/// CPU seconds (user + system) of a process (`self` or a pid), from `/proc/…/stat`.
pub(crate) fn proc_cpu_secs(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces):
    // state is field 3, utime 14, stime 15, in USER_HZ ticks (100 on Linux).
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
    Some((tick(11)? + tick(12)?) / 100.0)
}

pub(crate) fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|l| l.parse().ok()))
        .unwrap_or(0.0)
}

pub(crate) fn dir_size(dir: &Path) -> std::io::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        total += if meta.is_dir() {
            dir_size(&entry.path())?
        } else {
            meta.len()
        };
    }
    Ok(total)
}

pub(crate) fn status_field_kb(status: &str, field: &str) -> Option<u64> {
    status
        .lines()
        .find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
}

pub(crate) fn proc_status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status_field_kb(&status, field)
}

/// Resets VmHWM to the current RSS (Linux: write 5 to clear_refs). Best effort: without
/// it the peak covers the whole process so far, which the table says.
pub(crate) fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

pub(crate) fn machine() -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map_or_else(|| "unknown".to_string(), |s| s.trim().to_string());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory_gb = status_field_kb(&meminfo, "MemTotal").unwrap_or(0) as f64 / 1024.0 / 1024.0;
    Machine {
        cpu,
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        memory_gb,
        kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .unwrap_or_default()
            .trim()
            .to_string(),
        load_before: 0.0,
        load_after: 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_proc_status_fields() {
        let status = "Name:\txxgk\nVmHWM:\t  123456 kB\nVmRSS:\t  1000 kB\n";
        assert_eq!(status_field_kb(status, "VmHWM"), Some(123_456));
        assert_eq!(status_field_kb(status, "VmRSS"), Some(1000));
        assert_eq!(status_field_kb(status, "VmSwap"), None);
        assert!(proc_status_kb("VmRSS").is_some_and(|kb| kb > 0));
    }
}

//! Shared pieces of the macro benchmark: the deterministic PRNG, the value vocabularies of
//! the generated `Perf` table and the `Computers` dimension table.

/// The workspace's SplitMix64 (`kql_functions::rng`), with the benchmark's own `below` and
/// `unit`; the same seed gives the same data on every platform.
pub struct Rng(kql_functions::rng::SplitMix64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(kql_functions::rng::SplitMix64::new(seed))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in `0..n` (multiply-shift; the bias is negligible for small `n`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() >> 32) * n) >> 32
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

pub const SEED: u64 = 0x4B51_4C5F_4245_4E43; // "KQL_BENC"

/// 2024-01-01T00:00:00Z in Unix nanoseconds.
pub const START_NS: i64 = 1_704_067_200_000_000_000;
/// The generated time range: 30 days.
pub const SPAN_NS: i64 = 30 * 86_400 * 1_000_000_000;

pub const COMPUTERS: usize = 500;

pub fn computer(i: usize) -> String {
    format!("host-{i:03}.contoso.com")
}

/// (ObjectName, CounterName, min value, max value)
pub const COUNTERS: [(&str, &str, f64, f64); 10] = [
    ("Processor", "% Processor Time", 0.0, 100.0),
    ("Processor", "% Privileged Time", 0.0, 40.0),
    ("System", "Processor Queue Length", 0.0, 20.0),
    ("Memory", "Available MBytes", 256.0, 65_536.0),
    ("Memory", "% Committed Bytes In Use", 5.0, 98.0),
    ("LogicalDisk", "% Free Space", 1.0, 99.0),
    ("LogicalDisk", "Disk Reads/sec", 0.0, 2_000.0),
    ("LogicalDisk", "Disk Writes/sec", 0.0, 1_500.0),
    ("Network Adapter", "Bytes Received/sec", 0.0, 1.0e7),
    ("Network Adapter", "Bytes Sent/sec", 0.0, 5.0e6),
];

pub const REGIONS: [&str; 8] = [
    "westeurope",
    "northeurope",
    "eastus",
    "eastus2",
    "westus2",
    "southeastasia",
    "japaneast",
    "australiaeast",
];

pub const ENVIRONMENTS: [&str; 3] = ["prod", "staging", "dev"];
pub const OS: [&str; 2] = ["Windows", "Linux"];

/// The dimension row of computer `i`: (Region, Environment, OSType); deterministic.
pub fn computer_info(i: usize) -> (&'static str, &'static str, &'static str) {
    let mut r = Rng::new(SEED ^ (i as u64).wrapping_mul(0x1000_0001));
    (
        REGIONS[r.below(REGIONS.len() as u64) as usize],
        ENVIRONMENTS[r.below(ENVIRONMENTS.len() as u64) as usize],
        OS[r.below(OS.len() as u64) as usize],
    )
}

/// Message vocabulary. No word contains another word that the queries search for, so
/// `has "timeout"` (term match) and `ILIKE '%timeout%'` (substring) agree.
pub const SUBJECTS: [&str; 8] = [
    "request", "query", "heartbeat", "backup", "agent", "upload", "session", "job",
];
pub const VERBS: [&str; 8] = [
    "completed", "started", "retried", "queued", "failed", "throttled", "cancelled", "resumed",
];
pub const DETAILS: [&str; 10] = [
    "after", "with", "on", "for", "by", "from", "via", "during", "before", "under",
];
/// Rare words: each appears in ~1–3% of messages.
pub const RARE: [&str; 4] = ["timeout", "deadlock", "oom", "refused"];

/// Days since 1970-01-01 → (year, month, day) (proleptic Gregorian; H. Hinnant's algorithm).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Unix nanoseconds → `2024-01-01T00:00:00.123Z` (milliseconds, always printed).
pub fn iso8601(ns: i64) -> String {
    let secs = ns.div_euclid(1_000_000_000);
    let ms = ns.rem_euclid(1_000_000_000) / 1_000_000;
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let sod = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z",
        sod / 3600,
        (sod / 60) % 60,
        sod % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(iso8601(START_NS), "2024-01-01T00:00:00.000Z");
        assert_eq!(iso8601(START_NS + SPAN_NS - 1), "2024-01-30T23:59:59.999Z");
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn rng_is_deterministic() {
        let mut a = Rng::new(SEED);
        let mut b = Rng::new(SEED);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        assert!(Rng::new(1).below(10) < 10);
    }
}

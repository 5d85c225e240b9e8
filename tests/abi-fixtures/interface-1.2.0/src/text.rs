//! Text forms of dates, times, timestamps and decimals, shared by hosts and plugins so that
//! both sides write and read the same text. Pure functions; added in 1.0 as helpers (helpers
//! may be added in any 1.x release: they change no layout).

use std::time::Duration;

use crate::types::{Decimal, Timestamp};

/// Days since 1970-01-01 to (year, month, day) (Howard Hinnant's `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// (year, month, day) to days since 1970-01-01.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

/// `.fffffffff` without trailing zeros; empty for a whole second.
fn fraction(nanos: u32) -> String {
    if nanos == 0 {
        return String::new();
    }
    let mut digits = format!(".{nanos:09}");
    while digits.ends_with('0') {
        digits.pop();
    }
    digits
}

/// `YYYY-MM-DD`.
pub fn format_date(days: i32) -> String {
    let (y, m, d) = civil_from_days(i64::from(days));
    format!("{y:04}-{m:02}-{d:02}")
}

/// `HH:MM:SS[.f]` from nanoseconds of the day.
pub fn format_time(nanos_of_day: i64) -> String {
    let secs = nanos_of_day.div_euclid(1_000_000_000);
    format!(
        "{:02}:{:02}:{:02}{}",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60,
        fraction(nanos_of_day.rem_euclid(1_000_000_000) as u32)
    )
}

/// `YYYY-MM-DD<sep>HH:MM:SS[.f]`, with `Z` appended when `utc` (TIMESTAMP_LTZ).
pub fn format_timestamp(ts: &Timestamp, sep: char, utc: bool) -> String {
    let days = ts.seconds.div_euclid(86_400);
    let secs = ts.seconds.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}{sep}{:02}:{:02}:{:02}{}{}",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60,
        fraction(ts.nanos),
        if utc { "Z" } else { "" }
    )
}

fn digits<T: std::str::FromStr>(s: &str) -> Option<T> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `YYYY-MM-DD` to days since 1970-01-01; impossible dates (`2023-02-30`) are `None`.
pub fn parse_date(s: &str) -> Option<i32> {
    let mut parts = s.splitn(3, '-');
    let year: i64 = digits(parts.next()?)?;
    let month: u32 = digits(parts.next()?)?;
    let day: u32 = digits(parts.next()?)?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if civil_from_days(days) != (year, month, day) {
        return None;
    }
    i32::try_from(days).ok()
}

/// `HH:MM[:SS[.fffffffff]]` to nanoseconds of the day.
pub fn parse_time(s: &str) -> Option<i64> {
    let (hms, frac) = s.split_once('.').unwrap_or((s, ""));
    let mut parts = hms.split(':');
    let h: i64 = digits(parts.next()?)?;
    let m: i64 = digits(parts.next()?)?;
    let sec: i64 = match parts.next() {
        Some(p) => digits(p)?,
        None => 0,
    };
    if parts.next().is_some() || h > 23 || m > 59 || sec > 59 || frac.len() > 9 {
        return None;
    }
    let nanos: i64 = if frac.is_empty() {
        0
    } else {
        digits::<i64>(frac)? * 10i64.pow(9 - frac.len() as u32)
    };
    Some(((h * 60 + m) * 60 + sec) * 1_000_000_000 + nanos)
}

/// `YYYY-MM-DD[T| ]HH:MM[:SS[.f]][Z]`, or a date alone (midnight).
pub fn parse_timestamp(s: &str) -> Option<Timestamp> {
    let s = s.strip_suffix('Z').unwrap_or(s);
    let (d, t) = s.split_once(['T', ' ']).unwrap_or((s, "00:00:00"));
    let nanos_of_day = parse_time(t)?;
    Some(Timestamp {
        seconds: i64::from(parse_date(d)?) * 86_400 + nanos_of_day / 1_000_000_000,
        nanos: (nanos_of_day % 1_000_000_000) as u32,
    })
}

/// A decimal in plain notation, rounded half up to `scale`; `None` when it is not a number or
/// needs more than `precision` digits.
pub fn parse_decimal(s: &str, precision: u32, scale: u32) -> Option<Decimal> {
    let scale_digits = scale.min(38) as usize;
    let (negative, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if (int.is_empty() && frac.is_empty())
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let mut unscaled: i128 = 0;
    for b in int.bytes().chain(
        frac.bytes()
            .chain(std::iter::repeat(b'0'))
            .take(scale_digits),
    ) {
        unscaled = unscaled
            .checked_mul(10)?
            .checked_add(i128::from(b - b'0'))?;
    }
    if frac
        .as_bytes()
        .get(scale_digits)
        .is_some_and(|b| *b >= b'5')
    {
        unscaled = unscaled.checked_add(1)?;
    }
    if unscaled >= 10i128.checked_pow(precision.clamp(1, 38))? {
        return None;
    }
    Some(Decimal::new(
        if negative { -unscaled } else { unscaled },
        u8::try_from(precision).unwrap_or(38),
        scale as u8,
    ))
}

/// Parses a Flink duration (options such as `'500ms'`, settings such as
/// `execution.checkpointing.interval`): a number with an optional unit (`ns`, `us`, `ms`, `s`, `min`,
/// `m`, `h`, `d`, and their long forms); a bare number is milliseconds.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: u64 = number.parse().ok()?;
    let per_unit = match unit.trim().to_ascii_lowercase().as_str() {
        "ns" | "nano" | "nanos" | "nanosecond" | "nanoseconds" => Duration::from_nanos(1),
        "us" | "µs" | "micro" | "micros" | "microsecond" | "microseconds" => {
            Duration::from_micros(1)
        }
        "" | "ms" | "milli" | "millis" | "millisecond" | "milliseconds" => Duration::from_millis(1),
        "s" | "sec" | "secs" | "second" | "seconds" => Duration::from_secs(1),
        "m" | "min" | "minute" | "minutes" => Duration::from_secs(60),
        "h" | "hour" | "hours" => Duration::from_secs(3600),
        "d" | "day" | "days" => Duration::from_secs(86400),
        _ => return None,
    };
    per_unit.checked_mul(u32::try_from(n).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_follow_flink() {
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("1 s"), Some(Duration::from_secs(1)));
        assert_eq!(parse_duration("2min"), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("250"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("fast"), None);
    }

    #[test]
    fn dates_times_and_timestamps_round_trip() {
        for days in [-719_468, -1, 0, 59, 19_723, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(format_date(19_723), "2024-01-01");
        assert_eq!(parse_date("2024-01-01"), Some(19_723));
        assert_eq!(parse_date("2023-02-30"), None);
        assert_eq!(format_time(3_723_000_000_001), "01:02:03.000000001");
        assert_eq!(parse_time("01:02:03.000000001"), Some(3_723_000_000_001));
        let ts = Timestamp {
            seconds: -1,
            nanos: 5,
        };
        let text = format_timestamp(&ts, 'T', true);
        assert_eq!(text, "1969-12-31T23:59:59.000000005Z");
        assert_eq!(parse_timestamp(&text), Some(ts));
        assert_eq!(
            format_timestamp(
                &parse_timestamp("2024-01-02 03:04:05.5").unwrap(),
                ' ',
                false
            ),
            "2024-01-02 03:04:05.5"
        );
    }

    #[test]
    fn decimals_round_half_up_and_respect_precision() {
        assert_eq!(
            parse_decimal("12.345", 10, 2),
            Some(Decimal::new(1235, 10, 2))
        );
        assert_eq!(parse_decimal("-0.005", 5, 3), Some(Decimal::new(-5, 5, 3)));
        assert_eq!(parse_decimal("123456", 5, 2), None);
        assert_eq!(parse_decimal("1e3", 10, 0), None);
    }
}

//! Redis Cluster's topology as the client sees it: which slot a key is in (CRC16 of the key or
//! of its `{hash tag}`, modulo 16384) and which master serves each slot (`CLUSTER SLOTS`).

use super::failure::RedisFailure;
use connector_interface::ErrorKind;

/// The number of hash slots of a Redis Cluster.
pub const SLOTS: usize = 16384;

/// The slot of `key`: the CRC16 (XMODEM) of its hash tag (the text between the first `{` and
/// the next `}`, when not empty) or of the whole key, modulo 16384.
pub fn slot_of(key: &[u8]) -> u16 {
    let tagged = key.iter().position(|b| *b == b'{').and_then(|open| {
        let rest = &key[open + 1..];
        let close = rest.iter().position(|b| *b == b'}')?;
        (close > 0).then(|| &rest[..close])
    });
    crc16::State::<crc16::XMODEM>::calculate(tagged.unwrap_or(key)) % SLOTS as u16
}

/// The masters of a cluster and the slots each serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotMap {
    /// The masters' addresses, in the order `CLUSTER SLOTS` first names them.
    pub masters: Vec<(String, u16)>,
    /// For each slot, its master's index in `masters`.
    pub slots: Vec<u16>,
}

impl SlotMap {
    /// The map from a `CLUSTER SLOTS` reply asked of the node at `asked` (whose address stands
    /// in for a master announced without one). A slot no master serves fails the map: the
    /// cluster is not ready (retried).
    pub fn parse(reply: &redis::Value, asked: &str) -> Result<SlotMap, RedisFailure> {
        let bad = |what: &str| RedisFailure {
            retriable: true,
            kind: ErrorKind::CONNECTION,
            cause: format!("CLUSTER SLOTS from {asked}: {what}"),
        };
        let redis::Value::Array(ranges) = reply else {
            return Err(bad("not an array"));
        };
        let mut masters: Vec<(String, u16)> = Vec::new();
        let mut slots = vec![u16::MAX; SLOTS];
        for range in ranges {
            let redis::Value::Array(fields) = range else {
                return Err(bad("a range is not an array"));
            };
            let (Some(start), Some(end), Some(redis::Value::Array(master))) =
                (int(fields.first()), int(fields.get(1)), fields.get(2))
            else {
                return Err(bad("a range without start, end and master"));
            };
            let host = match master.first() {
                Some(redis::Value::BulkString(b)) if !b.is_empty() && b != b"?" => {
                    String::from_utf8_lossy(b).into_owned()
                }
                _ => asked.rsplit_once(':').map_or(asked, |(h, _)| h).to_string(),
            };
            let port = int(master.get(1)).ok_or_else(|| bad("a master without a port"))?;
            let address = (host, port as u16);
            let index = match masters.iter().position(|m| *m == address) {
                Some(i) => i,
                None => {
                    masters.push(address);
                    masters.len() - 1
                }
            };
            let (start, end) = (start.max(0) as usize, (end.max(0) as usize).min(SLOTS - 1));
            if start > end {
                return Err(bad("a range that ends before it starts"));
            }
            for slot in &mut slots[start..=end] {
                *slot = index as u16;
            }
        }
        if let Some(unserved) = slots.iter().position(|s| *s == u16::MAX) {
            return Err(bad(&format!("slot {unserved} has no master (CLUSTERDOWN)")));
        }
        Ok(SlotMap { masters, slots })
    }

    /// The master serving `slot`.
    pub fn master_of(&self, slot: u16) -> usize {
        self.slots[slot as usize] as usize
    }
}

fn int(v: Option<&redis::Value>) -> Option<i64> {
    match v? {
        redis::Value::Int(n) => Some(*n),
        redis::Value::BulkString(b) => std::str::from_utf8(b).ok()?.parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use redis::Value;

    #[test]
    fn slots_follow_redis_crc16_and_hash_tags() {
        // Values from the Redis Cluster specification and `CLUSTER KEYSLOT`.
        assert_eq!(slot_of(b"123456789"), 0x31C3);
        assert_eq!(slot_of(b"foo"), 12182);
        assert_eq!(slot_of(b"{user1000}.following"), slot_of(b"user1000"));
        assert_eq!(slot_of(b"{user1000}.followers"), slot_of(b"user1000"));
        // An empty tag is no tag; only the first `{...}` counts.
        assert_eq!(slot_of(b"foo{}{bar}"), slot_of(b"foo{}{bar}"));
        assert_ne!(slot_of(b"foo{}{bar}"), slot_of(b"bar"));
        assert_eq!(slot_of(b"foo{{bar}}zap"), slot_of(b"{bar"));
        assert_eq!(slot_of(b"foo{bar}{zap}"), slot_of(b"bar"));
    }

    fn range(start: i64, end: i64, host: &str, port: i64) -> Value {
        Value::Array(vec![
            Value::Int(start),
            Value::Int(end),
            Value::Array(vec![
                Value::BulkString(host.as_bytes().to_vec()),
                Value::Int(port),
                Value::BulkString(b"id".to_vec()),
            ]),
        ])
    }

    #[test]
    fn cluster_slots_become_a_map_of_masters() {
        let reply = Value::Array(vec![
            range(0, 5460, "10.0.0.1", 7000),
            range(5461, 10922, "", 7001),
            range(10923, 16383, "10.0.0.1", 7000),
        ]);
        let map = SlotMap::parse(&reply, "10.0.0.9:7005").unwrap();
        assert_eq!(
            map.masters,
            vec![
                ("10.0.0.1".to_string(), 7000),
                ("10.0.0.9".to_string(), 7001)
            ]
        );
        assert_eq!(
            (map.master_of(0), map.master_of(5461), map.master_of(16383)),
            (0, 1, 0)
        );
        let backwards = Value::Array(vec![range(20000, 5, "h", 1)]);
        assert!(SlotMap::parse(&backwards, "h:1").is_err());
        let partial = Value::Array(vec![range(0, 100, "h", 1)]);
        let err = SlotMap::parse(&partial, "h:1").unwrap_err();
        assert!(
            err.retriable && err.cause.contains("slot 101 has no master"),
            "{}",
            err.cause
        );
    }
}

//! The seed's write-back (`write.open`): the probe is `v1|v2|...|key`; the Redis key is its
//! last token, and the lookup first writes the other tokens (a string table: the token before
//! the key; a hash table: token pairs as fields), atomically with `SET NX` / `HSETNX` for
//! `if_not_exist`, and answers the value after the write, in the same round trip.

use std::time::Instant;

use connector_format::write_text;
use connector_interface::{ConnectorError, Row, Value};

use super::batch::Pending;
use super::RedisLookup;
use crate::client::Pipeline;
use crate::options::StoreKeyStrategy;

impl RedisLookup {
    /// Plans a write-back batch: its distinct join keys are answered from the cache (under the
    /// whole join key) or written and read by its pipeline.
    pub fn plan_write_back(
        &mut self,
        probes: &[Row],
        now: Instant,
    ) -> Result<(Pipeline, Pending), ConnectorError> {
        let mut batch = Pending::new(now);
        for probe in probes {
            match probe.values.first() {
                Some(Value::Null) | None => {
                    return Err(ConnectorError::data(format!(
                        "table '{}': the lookup key is NULL",
                        self.table()
                    )))
                }
                Some(v) => write_text(&mut batch.keys, v),
            }
            batch.ends.push(batch.keys.len());
        }
        batch.find_slots(self);
        batch.filter_values = probes.iter().map(|p| self.filter_values(p)).collect();
        let nx = self.options.store_key_strategy == StoreKeyStrategy::IfNotExist;
        let mut pipeline = self.client.pipeline();
        for slot in &batch.to_fetch {
            let composite =
                String::from_utf8_lossy(batch.key(batch.first_probe[*slot])).into_owned();
            let tokens: Vec<&str> = composite
                .split(self.options.key_append_character.as_str())
                .collect();
            let (last, rest) = tokens.split_last().unwrap_or((&"", &[]));
            let mut redis_key = self.layout.prefix().to_vec();
            redis_key.extend_from_slice(last.as_bytes());
            let node = self.client.node_of(&redis_key);
            self.kind
                .write_back(&redis_key, rest, nx, node, &mut pipeline);
            batch
                .reply_at
                .push(self.kind.read(&redis_key, node, &mut pipeline));
            batch
                .key_values
                .push(vec![Value::String(composite.as_str().into())]);
            batch.redis_keys.push(redis_key);
        }
        Ok((pipeline, batch))
    }
}

//! A key that holds another type than the table's is an error naming the key and its type,
//! never a miss: a string table's `MGET` answers nil for a list, so the keys it answered nil for
//! are asked their `TYPE` (only then: a batch of hits costs nothing more); a hash table's
//! `HGETALL` answers `WRONGTYPE`, and the batch's keys are asked which one it was. The
//! questions go through a client of their own, so batches in flight are not disturbed.

use connector_interface::ConnectorError;

use super::RedisLookup;
use crate::client::ReplyAt;

impl RedisLookup {
    /// Fails naming the first of `keys` (all read as this table's type) that holds another
    /// type; `Ok` when each is absent or of the table's type.
    pub(super) fn check_types(&mut self, keys: &[&[u8]]) -> Result<(), ConnectorError> {
        if keys.is_empty() {
            return Ok(());
        }
        let mut pipeline = self.types.pipeline();
        let at: Vec<ReplyAt> = keys
            .iter()
            .map(|k| pipeline.command(self.types.node_of(k), &[b"TYPE", k]))
            .collect();
        self.types.submit(pipeline, ());
        let ((), replies) = self.types.collect("asking the type of keys in")?;
        let expected = self.kind.name();
        for (key, at) in keys.iter().zip(at) {
            let held = match replies.get(at.node).and_then(|r| r.get(at.command)) {
                Some(redis::Value::SimpleString(t)) => t.clone(),
                Some(redis::Value::BulkString(t)) => String::from_utf8_lossy(t).into_owned(),
                _ => continue,
            };
            if held != "none" && held != expected {
                return Err(ConnectorError::data(format!(
                    "table '{}': key '{}' holds a {held}, not a {expected} ('type' = \
                     '{expected}'): a lookup cannot read it",
                    self.table(),
                    String::from_utf8_lossy(key)
                )));
            }
        }
        Ok(())
    }
}

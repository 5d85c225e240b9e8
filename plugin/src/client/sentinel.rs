//! Redis Sentinel: which server is the master of a monitored name (`SENTINEL
//! get-master-addr-by-name`, asked of each sentinel in turn), and that a server connected to is
//! that master still (`ROLE`).

use connector_interface::ErrorKind;

use super::failure::RedisFailure;
use super::node::Endpoint;
use crate::options::Sentinels;

/// The master's `host:port` as the first sentinel that answers names it.
pub fn master_address(
    endpoint: &Endpoint,
    sentinels: &Sentinels,
) -> Result<(String, u16), RedisFailure> {
    let mut last = None;
    for (host, port) in &sentinels.nodes {
        let mut sentinel = endpoint.sentinel_at(sentinels, host, *port);
        let reply = sentinel.connect().and_then(|mut c| {
            redis::cmd("SENTINEL")
                .arg("get-master-addr-by-name")
                .arg(&sentinels.master)
                .query::<Option<(String, u16)>>(&mut c)
                .map_err(|e| sentinel.command_failure(&e))
        });
        match reply {
            Ok(Some(address)) => return Ok(address),
            Ok(None) => {
                last = Some(RedisFailure {
                    retriable: false,
                    kind: ErrorKind::CONFIG,
                    cause: format!(
                        "the sentinel at {} monitors no master named '{}' ('sentinel.master')",
                        sentinel.server(),
                        sentinels.master
                    ),
                })
            }
            Err(failure) => {
                last = Some(RedisFailure {
                    cause: format!("sentinel at {}: {}", sentinel.server(), failure.cause),
                    ..failure
                })
            }
        }
    }
    Err(last.unwrap_or_else(RedisFailure::lost))
}

/// Fails (retriably) when the server connected to is not a master: the sentinels' view is
/// changing during a failover.
pub fn check_master(
    connection: &mut redis::Connection,
    node: &Endpoint,
) -> Result<(), RedisFailure> {
    let role = redis::cmd("ROLE")
        .query::<redis::Value>(connection)
        .map_err(|e| node.command_failure(&e))?;
    let is_master = matches!(&role, redis::Value::Array(items)
        if matches!(items.first(), Some(redis::Value::BulkString(r)) if r == b"master"));
    if is_master {
        return Ok(());
    }
    Err(RedisFailure {
        retriable: true,
        kind: ErrorKind::CONNECTION,
        cause: format!("{} is not a master (yet)", node.server()),
    })
}

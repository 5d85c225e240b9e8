//! The client seam: how the connector reaches Redis. Sinks, lookups and write-back build a
//! [`Pipeline`] (commands grouped by node), hand it to their [`Client`] and read its replies;
//! only this module knows about connections, nodes, retries and error classification.
//!
//! A standalone server is one node. A Redis Cluster is one node per master: a key is routed to
//! the master of its slot (`node_of`); after a failure (a lost connection, `MOVED`, `ASK`,
//! `CLUSTERDOWN`) the slot map is asked again and pipelines not yet answered are routed again
//! and resent. Nothing above this module knows which it is.
//!
//! With Redis Sentinel the one node is the master the sentinels name; after a failure (or a
//! `READONLY` reply from a master turned replica) they are asked again.
//!
//! Layout:
//! - `resp.rs`: RESP packing;
//! - `pipeline.rs`: commands grouped by node, multi-key runs, routing again;
//! - `cluster.rs`: key slots and the slot map;
//! - `routing.rs`: the slot map asked and installed, `ASK` followed, the Sentinel's master;
//! - `sentinel.rs`: asking the sentinels, checking a master;
//! - `failure.rs`: what an error means and its message;
//! - `retry.rs`: the one retry policy (classification, backoff, budget);
//! - `node.rs`: opening one connection.

mod cluster;
mod failure;
mod node;
mod pipeline;
mod resp;
mod retry;
mod routing;
mod sentinel;

use std::collections::VecDeque;

use connector_interface::ConnectorError;

pub use failure::RedisFailure;
pub use node::Endpoint;
pub use pipeline::{Pipeline, ReplyAt};
pub use retry::RetryPolicy;

/// A node of the client's topology (an index into its nodes).
pub type NodeId = usize;

/// Where a key's commands go: its node, and its slot (0 on a standalone server).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Route {
    pub node: NodeId,
    pub slot: u16,
}

/// What a cluster client knows of its cluster.
struct Cluster {
    seeds: Vec<(String, u16)>,
    map: Option<cluster::SlotMap>,
    /// Bumped whenever the map changes; pipelines remember the version they were built for.
    version: u64,
    /// Ask for the slot map again before the next attempt.
    stale: bool,
}

/// The replies to one pipeline, by node, in command order.
pub type Replies = Vec<Vec<redis::Value>>;

/// A client of one table: its connections, and the pipelines sent and not yet answered
/// (each with a tag `T`, the caller's record of what it asked), oldest first.
pub struct Client<T> {
    endpoint: Endpoint,
    policy: RetryPolicy,
    cluster: Option<Cluster>,
    /// With Sentinel: ask the sentinels for the master before the next attempt.
    sentinel_stale: bool,
    /// Each node's address (a standalone server: `endpoint`'s).
    nodes: Vec<Endpoint>,
    /// One connection per node, opened when first needed.
    connections: Vec<Option<redis::Connection>>,
    /// The node of the last failure, for its message.
    failed_at: Option<NodeId>,
    /// The server's `proto-max-bulk-len`, asked once (`None`: not asked yet; `usize::MAX`:
    /// the server did not tell).
    max_bulk: Option<usize>,
    queue: VecDeque<(Pipeline, T)>,
    /// How many of `queue` were sent on the current connections.
    sent: usize,
    retries: u64,
    errors: u64,
}

impl<T> Client<T> {
    pub fn new(endpoint: Endpoint, policy: RetryPolicy) -> Client<T> {
        endpoint.warn_if_insecure();
        Client::quiet(endpoint, policy)
    }

    /// A second client of a table ([`Client::new`] without its warnings).
    pub fn quiet(endpoint: Endpoint, policy: RetryPolicy) -> Client<T> {
        let cluster = endpoint.cluster.clone().map(|seeds| Cluster {
            seeds,
            map: None,
            version: 0,
            stale: true,
        });
        Client {
            nodes: vec![endpoint.clone()],
            endpoint,
            policy,
            cluster,
            sentinel_stale: true,
            failed_at: None,
            max_bulk: None,
            connections: vec![None],
            queue: VecDeque::new(),
            sent: 0,
            retries: 0,
            errors: 0,
        }
    }

    /// How many nodes a pipeline for this client is built for.
    pub fn nodes(&self) -> usize {
        self.connections.len()
    }

    /// The node serving `key`, and its slot (standalone: the one node).
    pub fn node_of(&self, key: &[u8]) -> Route {
        let Some(cluster) = &self.cluster else {
            return Route::default();
        };
        let slot = cluster::slot_of(key);
        let node = cluster.map.as_ref().map_or(0, |m| m.master_of(slot));
        Route { node, slot }
    }

    /// An empty pipeline for this client.
    pub fn pipeline(&self) -> Pipeline {
        match &self.cluster {
            None => Pipeline::new(self.nodes()),
            Some(c) => Pipeline::for_cluster(self.nodes(), c.version),
        }
    }

    /// Retries after connection failures so far, and operations that failed for good.
    pub fn retries(&self) -> u64 {
        self.retries
    }

    pub fn errors(&self) -> u64 {
        self.errors
    }

    /// Pipelines sent and not yet collected.
    pub fn in_flight(&self) -> usize {
        self.queue.len()
    }

    /// The tag of the oldest pipeline not yet collected.
    pub fn front(&self) -> Option<&T> {
        self.queue.front().map(|(_, tag)| tag)
    }

    /// Connects every node, retrying as the policy says.
    pub fn connect(&mut self) -> Result<(), ConnectorError> {
        self.retrying("connecting to", |client| client.ensure_connected())
    }

    /// Closes the connections and forgets every pipeline not yet collected.
    pub fn disconnect(&mut self) {
        self.drop_connections();
        self.queue.clear();
    }

    /// Queues a pipeline (finished) and sends it now where it can; a failure to send is
    /// retried by [`Client::collect`], which reconnects and resends.
    pub fn submit(&mut self, mut pipeline: Pipeline, tag: T) {
        pipeline.finish();
        self.queue.push_back((pipeline, tag));
        // A failure that a retry cannot fix is `collect`'s to report.
        if self.send_unsent().is_err_and(|f| f.retriable) {
            // Sent again by `collect` on a new connection: a retry too.
            self.connections_lost();
            self.retries += 1;
        }
    }

    /// The oldest pipeline's tag and replies, once every reply arrived and none is an error.
    /// A failure a retry can fix (a lost connection, a server still loading) reconnects and
    /// resends every pipeline not yet collected (their commands are idempotent), waiting the
    /// policy's backoff, until the retries are used up.
    pub fn collect(&mut self, doing: &str) -> Result<(T, Replies), ConnectorError> {
        self.collect_keeping(doing).map_err(|(e, _)| e)
    }

    /// [`Client::collect`], handing back the pipeline's tag with a failure too.
    pub fn collect_keeping(
        &mut self,
        doing: &str,
    ) -> Result<(T, Replies), (ConnectorError, Option<T>)> {
        if self.queue.is_empty() {
            let e = ConnectorError::internal(format!(
                "table '{}': collect without a submitted pipeline",
                self.endpoint.table
            ));
            return Err((e, None));
        }
        let replies = self.retrying(doing, |client| client.read_front());
        // Collected, or failed for good: either way the pipeline is done with.
        let front = self.queue.pop_front();
        self.sent = self.sent.saturating_sub(1);
        let tag = front.map(|(_, tag)| tag);
        match (replies, tag) {
            (Ok(replies), Some(tag)) => Ok((tag, replies)),
            (Ok(_), None) => Err((
                ConnectorError::internal("a collected pipeline vanished"),
                None,
            )),
            (Err(e), tag) => Err((e, tag)),
        }
    }

    /// Runs `attempt` until it succeeds or fails for good; between attempts the connections
    /// are dropped, the failure logged and the backoff waited. The one retry loop.
    fn retrying<R>(
        &mut self,
        doing: &str,
        mut attempt: impl FnMut(&mut Self) -> Result<R, RedisFailure>,
    ) -> Result<R, ConnectorError> {
        let mut attempts = self.policy.start();
        loop {
            let mut failure = match attempt(self) {
                Ok(r) => return Ok(r),
                Err(failure) => failure,
            };
            // A master turned replica by a failover: the sentinels know the new one.
            if self.endpoint.sentinel.is_some() && failure.cause.starts_with("READONLY") {
                failure.retriable = true;
                failure.kind = connector_interface::ErrorKind::CONNECTION;
            }
            // A connection that failed may hold replies nobody will read.
            self.connections_lost();
            let server = self.server_failed();
            let Some(retry) = attempts.after(&failure) else {
                self.errors += 1;
                let err =
                    failure.into_error(&self.endpoint.table, &server, doing, attempts.gave_up());
                // Returned to the host, which reports it: logged here at debug level only.
                log::debug!("{err}");
                return Err(err);
            };
            self.retries += 1;
            let of = attempts
                .max()
                .map(|m| format!(" of {m}"))
                .unwrap_or_default();
            log::warn!(
                "table '{}': {doing} redis at {server} failed ({}), retry {}{of} in {} ms",
                self.endpoint.table,
                failure.cause,
                retry.retry,
                retry.wait.as_millis()
            );
            std::thread::sleep(retry.wait);
        }
    }

    /// The server of the last failure, for messages.
    fn server_failed(&mut self) -> String {
        match self.failed_at.take().and_then(|n| self.nodes.get(n)) {
            Some(node) => node.server(),
            None => self.endpoint.server(),
        }
    }

    /// After a failure: the connections are dropped (every queued pipeline is unsent again)
    /// and the topology (a cluster's slot map, a sentinel's master) is asked again before the
    /// next attempt.
    fn connections_lost(&mut self) {
        self.drop_connections();
        if let Some(cluster) = &mut self.cluster {
            cluster.stale = true;
        }
        self.sentinel_stale = true;
    }

    fn drop_connections(&mut self) {
        for c in &mut self.connections {
            *c = None;
        }
        self.sent = 0;
    }

    /// Opens the connections that are not open. (They are dropped all together, which also
    /// marks every queued pipeline unsent.)
    fn ensure_connected(&mut self) -> Result<(), RedisFailure> {
        if self.cluster.as_ref().is_some_and(|c| c.stale) {
            self.refresh_slots()?;
        }
        if self.sentinel_stale && self.endpoint.sentinel.is_some() {
            self.find_master()?;
        }
        for (node, c) in self.connections.iter_mut().enumerate() {
            if c.is_none() {
                self.failed_at = Some(node);
                let mut connection = self.nodes[node].connect()?;
                if self.max_bulk.is_none() {
                    self.max_bulk = Some(node::max_bulk_len(&mut connection).unwrap_or(usize::MAX));
                }
                if self.endpoint.sentinel.is_some() {
                    sentinel::check_master(&mut connection, &self.nodes[node])?;
                }
                *c = Some(connection);
            }
        }
        self.failed_at = None;
        Ok(())
    }

    /// Sends every queued pipeline not yet sent on the current connections (routed again
    /// first when the cluster's slots moved since it was built).
    fn send_unsent(&mut self) -> Result<(), RedisFailure> {
        while self.sent < self.queue.len() {
            if !self.queue[self.sent].0.is_empty() {
                self.ensure_connected()?;
            }
            let nodes = self.connections.len();
            if let Some(Cluster {
                map: Some(map),
                version,
                ..
            }) = &self.cluster
            {
                self.queue[self.sent]
                    .0
                    .reroute(*version, nodes, |slot| map.master_of(slot));
            }
            let pipeline = &self.queue[self.sent].0;
            let (bytes, key) = pipeline.largest();
            if bytes > self.max_bulk.unwrap_or(usize::MAX) {
                return Err(RedisFailure::too_large(
                    bytes,
                    key,
                    self.max_bulk.unwrap_or_default(),
                ));
            }
            for (node, commands) in pipeline.sendable().iter().enumerate() {
                if commands.commands == 0 {
                    continue;
                }
                self.failed_at = Some(node);
                let Some(connection) = self.connections.get_mut(node).and_then(Option::as_mut)
                else {
                    return Err(RedisFailure::lost());
                };
                connection
                    .send_packed_command(&commands.packed)
                    .map_err(|e| self.nodes[node].command_failure(&e))?;
            }
            self.failed_at = None;
            self.sent += 1;
        }
        Ok(())
    }

    /// Sends what is unsent and reads the replies of the oldest pipeline.
    fn read_front(&mut self) -> Result<Replies, RedisFailure> {
        self.send_unsent()?;
        let Some((pipeline, _)) = self.queue.front() else {
            return Ok(Vec::new());
        };
        let sendable = pipeline.sendable();
        let mut replies: Replies = Vec::with_capacity(sendable.len());
        let mut failure = None;
        for (node, commands) in sendable.iter().enumerate() {
            let mut node_replies = Vec::with_capacity(commands.commands);
            if commands.commands > 0 {
                self.failed_at = Some(node);
                let Some(connection) = self.connections.get_mut(node).and_then(Option::as_mut)
                else {
                    return Err(RedisFailure::lost());
                };
                for _ in 0..commands.commands {
                    let reply = connection
                        .recv_response()
                        .map_err(|e| self.nodes[node].command_failure(&e))?;
                    if failure.is_none() {
                        failure = RedisFailure::in_reply(&reply);
                    }
                    node_replies.push(reply);
                }
            }
            replies.push(node_replies);
        }
        let asked =
            |r: &redis::Value| matches!(r, redis::Value::ServerError(e) if e.code() == "ASK");
        if self.cluster.is_some() && replies.iter().flatten().any(asked) {
            self.follow_asks(&mut replies)?;
            failure = replies.iter().flatten().find_map(RedisFailure::in_reply);
        }
        let Some((pipeline, _)) = self.queue.front() else {
            return Ok(Vec::new());
        };
        match failure {
            Some(mut failure) => {
                if failure.cause.contains("invalid bulk length") {
                    let (bytes, key) = pipeline.largest();
                    failure.cause = format!(
                        "{}: the largest value sent, {bytes} bytes, of key '{}', is more than \
                         the server's proto-max-bulk-len",
                        failure.cause,
                        String::from_utf8_lossy(key)
                    );
                }
                Err(failure)
            }
            None => {
                self.failed_at = None;
                Ok(pipeline.unroute(replies))
            }
        }
    }
}

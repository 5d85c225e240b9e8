//! The client seam: how the connector reaches Redis. Sinks, lookups and write-back build a
//! [`Pipeline`] (commands grouped by node), hand it to their [`Client`] and read its replies;
//! only this module knows about connections, nodes, retries and error classification.
//!
//! A standalone server is one node today; cluster and sentinel topologies add nodes and
//! routing here (`node_of`), and nothing above this module changes.
//!
//! Layout:
//! - `resp.rs`: RESP packing;
//! - `pipeline.rs`: commands grouped by node, multi-key runs;
//! - `failure.rs`: what an error means and its message;
//! - `retry.rs`: the one retry policy (classification, backoff, budget);
//! - `node.rs`: opening one connection.

mod failure;
mod node;
mod pipeline;
mod resp;
mod retry;

use std::collections::VecDeque;

use connector_interface::ConnectorError;

pub use failure::RedisFailure;
pub use node::Endpoint;
pub use pipeline::{Pipeline, ReplyAt};
pub use retry::RetryPolicy;

/// A node of the client's topology (an index into its nodes).
pub type NodeId = usize;

/// The replies to one pipeline, by node, in command order.
pub type Replies = Vec<Vec<redis::Value>>;

/// A client of one table: its connections, and the pipelines sent and not yet answered
/// (each with a tag `T`, the caller's record of what it asked), oldest first.
pub struct Client<T> {
    endpoint: Endpoint,
    policy: RetryPolicy,
    /// One connection per node, opened when first needed.
    connections: Vec<Option<redis::Connection>>,
    queue: VecDeque<(Pipeline, T)>,
    /// How many of `queue` were sent on the current connections.
    sent: usize,
    retries: u64,
    errors: u64,
}

impl<T> Client<T> {
    pub fn new(endpoint: Endpoint, policy: RetryPolicy) -> Client<T> {
        Client {
            endpoint,
            policy,
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

    /// The node serving `key` (standalone: the one node).
    pub fn node_of(&self, _key: &[u8]) -> NodeId {
        0
    }

    /// An empty pipeline for this client.
    pub fn pipeline(&self) -> Pipeline {
        Pipeline::new(self.nodes())
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
        if self.send_unsent().is_err() {
            self.drop_connections();
        }
    }

    /// The oldest pipeline's tag and replies, once every reply arrived and none is an error.
    /// A failure a retry can fix (a lost connection, a server still loading) reconnects and
    /// resends every pipeline not yet collected (their commands are idempotent), waiting the
    /// policy's backoff, until the retries are used up.
    pub fn collect(&mut self, doing: &str) -> Result<(T, Replies), ConnectorError> {
        if self.queue.is_empty() {
            return Err(ConnectorError::internal(format!(
                "table '{}': collect without a submitted pipeline",
                self.endpoint.table
            )));
        }
        let replies = self.retrying(doing, |client| client.read_front());
        // Collected, or failed for good: either way the pipeline is done with.
        let front = self.queue.pop_front();
        self.sent = self.sent.saturating_sub(1);
        let replies = replies?;
        let (_, tag) =
            front.ok_or_else(|| ConnectorError::internal("a collected pipeline vanished"))?;
        Ok((tag, replies))
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
            let failure = match attempt(self) {
                Ok(r) => return Ok(r),
                Err(failure) => failure,
            };
            // A connection that failed may hold replies nobody will read.
            self.drop_connections();
            let Some(retry) = attempts.after(&failure) else {
                self.errors += 1;
                let err = failure.into_error(
                    &self.endpoint.table,
                    &self.endpoint.server(),
                    doing,
                    attempts.gave_up(),
                );
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
                "table '{}': {doing} redis at {} failed ({}), retry {}{of} in {} ms",
                self.endpoint.table,
                self.endpoint.server(),
                failure.cause,
                retry.retry,
                retry.wait.as_millis()
            );
            std::thread::sleep(retry.wait);
        }
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
        for c in &mut self.connections {
            if c.is_none() {
                *c = Some(self.endpoint.connect()?);
            }
        }
        Ok(())
    }

    /// Sends every queued pipeline not yet sent on the current connections.
    fn send_unsent(&mut self) -> Result<(), RedisFailure> {
        while self.sent < self.queue.len() {
            if !self.queue[self.sent].0.is_empty() {
                self.ensure_connected()?;
            }
            let pipeline = &self.queue[self.sent].0;
            for (node, commands) in pipeline.nodes().iter().enumerate() {
                if commands.commands == 0 {
                    continue;
                }
                let Some(connection) = self.connections[node].as_mut() else {
                    return Err(RedisFailure::lost());
                };
                connection
                    .send_packed_command(&commands.packed)
                    .map_err(|e| self.endpoint.command_failure(&e))?;
            }
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
        let mut replies: Replies = Vec::with_capacity(pipeline.nodes().len());
        let mut failure = None;
        for (node, commands) in pipeline.nodes().iter().enumerate() {
            let mut node_replies = Vec::with_capacity(commands.commands);
            if commands.commands > 0 {
                let Some(connection) = self.connections[node].as_mut() else {
                    return Err(RedisFailure::lost());
                };
                for _ in 0..commands.commands {
                    let reply = connection
                        .recv_response()
                        .map_err(|e| self.endpoint.command_failure(&e))?;
                    if failure.is_none() {
                        failure = RedisFailure::in_reply(&reply);
                    }
                    node_replies.push(reply);
                }
            }
            replies.push(node_replies);
        }
        match failure {
            Some(failure) => Err(failure),
            None => Ok(replies),
        }
    }
}

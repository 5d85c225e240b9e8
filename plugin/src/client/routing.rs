//! Where a client's commands go when the topology is more than one fixed server: the slot map
//! of a Redis Cluster (asked of a known node, installed when it changed), `ASK` replies
//! followed to the importing master, and the master a Sentinel names.

use super::failure::RedisFailure;
use super::node::Endpoint;
use super::{cluster, sentinel, Client, Replies};

impl<T> Client<T> {
    /// Asks the sentinels, in turn, where the master is, and makes it this client's node.
    pub(super) fn find_master(&mut self) -> Result<(), RedisFailure> {
        let Some(sentinels) = self.endpoint.sentinel.clone() else {
            return Ok(());
        };
        let (host, port) = sentinel::master_address(&self.endpoint, &sentinels)?;
        let node = &self.nodes[0];
        if (node.hostname.as_str(), node.port) != (host.as_str(), port) {
            log::info!(
                "table '{}': the sentinels name {host}:{port} as master '{}'",
                self.endpoint.table,
                sentinels.master
            );
            self.nodes[0] = self.endpoint.at(&host, port);
            self.connections[0] = None;
            self.sent = 0;
        }
        self.sentinel_stale = false;
        Ok(())
    }

    /// Follows each `ASK` reply of the front pipeline (a slot being migrated, the key already
    /// at the importing master): the command again on that master after `ASKING`, on a
    /// connection of its own (the client's may carry later pipelines' replies). Not inside a
    /// transaction (`EXECABORT`): that pipeline is retried until the migration ends.
    pub(super) fn follow_asks(&mut self, replies: &mut Replies) -> Result<(), RedisFailure> {
        let code =
            |r: &redis::Value, c: &str| matches!(r, redis::Value::ServerError(e) if e.code() == c);
        if replies.iter().flatten().any(|r| code(r, "EXECABORT")) {
            return Ok(());
        }
        let Some((pipeline, _)) = self.queue.front() else {
            return Ok(());
        };
        let mut asks = Vec::new();
        for (node, node_replies) in replies.iter().enumerate() {
            for (index, reply) in node_replies.iter().enumerate() {
                let redis::Value::ServerError(e) = reply else {
                    continue;
                };
                if e.code() != "ASK" {
                    continue;
                }
                let target = e.details().and_then(|d| d.split_whitespace().nth(1));
                let target = target.and_then(|t| t.rsplit_once(':'));
                let target =
                    target.and_then(|(h, p)| Some((h.to_string(), p.parse::<u16>().ok()?)));
                let bytes = pipeline.command_bytes(node, index);
                if let (Some(target), Some(bytes)) = (target, bytes) {
                    asks.push((node, index, target, bytes.to_vec()));
                }
            }
        }
        let mut connections: Vec<((String, u16), redis::Connection)> = Vec::new();
        for (node, index, target, bytes) in asks {
            let mut endpoint = self.endpoint.at(&target.0, target.1);
            let position = match connections.iter().position(|(t, _)| *t == target) {
                Some(p) => p,
                None => {
                    connections.push((target.clone(), endpoint.connect()?));
                    connections.len() - 1
                }
            };
            let connection = &mut connections[position].1;
            let mut packed = b"*1\r\n$6\r\nASKING\r\n".to_vec();
            packed.extend_from_slice(&bytes);
            connection
                .send_packed_command(&packed)
                .map_err(|e| endpoint.command_failure(&e))?;
            for answer in 0..2 {
                let reply = connection
                    .recv_response()
                    .map_err(|e| endpoint.command_failure(&e))?;
                if answer == 1 {
                    replies[node][index] = reply;
                }
            }
        }
        Ok(())
    }

    /// Asks the cluster for its slot map (any known node, then the seeds) and, when it
    /// changed, makes its masters this client's nodes.
    pub(super) fn refresh_slots(&mut self) -> Result<(), RedisFailure> {
        let Some(cluster) = &self.cluster else {
            return Ok(());
        };
        let mut candidates: Vec<(String, u16)> = self
            .nodes
            .iter()
            .map(|n| (n.hostname.clone(), n.port))
            .collect();
        for seed in &cluster.seeds {
            if !candidates.contains(seed) {
                candidates.push(seed.clone());
            }
        }
        let mut last = RedisFailure::lost();
        for (host, port) in candidates {
            let mut node = self.endpoint.at(&host, port);
            let asked = node.server();
            let reply = node.connect().and_then(|mut c| {
                redis::cmd("CLUSTER")
                    .arg("SLOTS")
                    .query::<redis::Value>(&mut c)
                    .map_err(|e| node.command_failure(&e))
            });
            match reply.and_then(|r| cluster::SlotMap::parse(&r, &asked)) {
                Ok(map) => {
                    self.install(map, node);
                    return Ok(());
                }
                Err(failure) => last = failure,
            }
        }
        Err(last)
    }

    /// Makes `map` the cluster's slot map (`answered` is the node that gave it, whose
    /// credentials state, such as a password found unused, the nodes keep).
    fn install(&mut self, map: cluster::SlotMap, answered: Endpoint) {
        let Some(cluster) = &mut self.cluster else {
            return;
        };
        cluster.stale = false;
        if cluster.map.as_ref() == Some(&map) {
            return;
        }
        let addresses: Vec<(String, u16)> = self
            .nodes
            .iter()
            .map(|n| (n.hostname.clone(), n.port))
            .collect();
        if addresses != map.masters {
            self.nodes = map
                .masters
                .iter()
                .map(|(host, port)| answered.at(host, *port))
                .collect();
            self.connections = (0..self.nodes.len()).map(|_| None).collect();
            self.sent = 0;
        }
        log::info!(
            "table '{}': redis cluster of {} masters: {}",
            self.endpoint.table,
            map.masters.len(),
            map.masters
                .iter()
                .map(|(h, p)| format!("{h}:{p}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        cluster.map = Some(map);
        cluster.version += 1;
    }
}

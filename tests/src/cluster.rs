//! A Redis Cluster started for one test: `masters` masters with `replicas` replicas each, on
//! free ports of 127.0.0.1 (each with its bus port, port + 10000, free too), made a cluster by
//! `redis-cli --cluster create`, ready when every node reports `cluster_state:ok`. Its nodes
//! are [`RedisServer`]s: killed on drop.

use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::RedisServer;

pub struct RedisCluster {
    pub nodes: Vec<RedisServer>,
}

/// A port whose cluster bus port (port + 10000) is free too.
fn free_cluster_port(taken: &[u16]) -> u16 {
    for _ in 0..1000 {
        let candidate = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| 20000 + a.port() % 25000)
            .expect("no free port on 127.0.0.1");
        let free = |p: u16| TcpListener::bind(("127.0.0.1", p)).is_ok();
        if !taken.contains(&candidate) && free(candidate) && free(candidate + 10000) {
            return candidate;
        }
    }
    panic!("no free port pair for a cluster node");
}

impl RedisCluster {
    pub fn start(masters: usize, replicas: usize) -> RedisCluster {
        let mut nodes: Vec<RedisServer> = Vec::new();
        while nodes.len() < masters * (1 + replicas) {
            let taken: Vec<u16> = nodes.iter().map(|n| n.port()).collect();
            let port = free_cluster_port(&taken);
            let args = [
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                "nodes.conf",
                "--cluster-node-timeout",
                "2000",
                // A replica takes over however long ago it last heard its master (a test's
                // cluster is young: its replicas may have synced only just).
                "--cluster-replica-validity-factor",
                "0",
            ];
            if let Ok(node) = RedisServer::on_port(port, &args) {
                nodes.push(node);
            }
        }
        let addresses: Vec<String> = nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.port()))
            .collect();
        let out = Command::new("redis-cli")
            .arg("--cluster")
            .arg("create")
            .args(&addresses)
            .args(["--cluster-replicas", &replicas.to_string(), "--cluster-yes"])
            .output()
            .expect("cannot run redis-cli (is it installed?)");
        assert!(
            out.status.success(),
            "redis-cli --cluster create failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let cluster = RedisCluster { nodes };
        cluster.wait_until_ok(Duration::from_secs(30));
        cluster
    }

    /// `127.0.0.1:p1,127.0.0.1:p2,...` of every node, for `cluster.nodes`.
    pub fn nodes_option(&self) -> String {
        self.nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.port()))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Waits until every running node reports `cluster_state:ok` and every running replica
    /// is in sync with a running master.
    pub fn wait_until_ok(&self, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            let ok = self.nodes.iter().filter(|n| n.is_running()).all(|n| {
                let state = n
                    .bulk("CLUSTER INFO")
                    .is_some_and(|info| info.contains("cluster_state:ok"));
                let synced = n.bulk("INFO replication").is_some_and(|info| {
                    info.contains("role:master") || info.contains("master_link_status:up")
                });
                state && synced
            });
            if ok {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the cluster did not become ok within {within:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The indices (into `nodes`) of the running masters.
    pub fn masters(&self) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|i| {
                self.nodes[*i].is_running()
                    && self.nodes[*i]
                        .bulk("INFO replication")
                        .is_some_and(|info| info.contains("role:master"))
            })
            .collect()
    }

    /// Keys held by node `i`.
    pub fn dbsize(&self, i: usize) -> i64 {
        self.nodes[i].dbsize()
    }
}

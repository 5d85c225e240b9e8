//! Commands for Redis, grouped by the node that serves their keys before anything is sent.
//!
//! A multi-key command (`MSET`, `MGET`) is only built from keys of one node and one slot:
//! consecutive items for one node and slot form a *run*, closed by any other command for that
//! node, by another slot, by a size limit or by [`Pipeline::finish`]. `MULTI ... EXEC` is only
//! ever written around the commands of one key (one slot). Each node's commands keep the order
//! they were added in, so the changes to one key reach its node in changelog order.
//!
//! A cluster pipeline records each command's slot, so that the client can route it again
//! ([`Pipeline::reroute`]) when the cluster's slots moved after it was built; its replies are
//! then put back where the caller's [`ReplyAt`]s expect them ([`Pipeline::unroute`]).

use super::resp::{pack_args, pack_command, pack_header};
use super::{NodeId, Replies, Route};

/// Where the reply to something added to a pipeline will be: the node, the command's index
/// among that node's commands, and for an item of a multi-key command its index in the reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyAt {
    pub node: NodeId,
    pub command: usize,
    pub item: Option<usize>,
}

/// A multi-key command being built from consecutive items.
#[derive(Default)]
struct Run {
    slot: u16,
    /// The command of two or more items, and of one (`None`: the same).
    multi: &'static [u8],
    single: Option<&'static [u8]>,
    args: Vec<u8>,
    arg_count: usize,
    items: usize,
}

/// The commands of one node.
#[derive(Default)]
pub struct NodeCommands {
    pub packed: Vec<u8>,
    pub commands: usize,
    /// For a cluster pipeline: each command's slot and where it ends in `packed`.
    spans: Vec<(u16, usize)>,
    run: Run,
}

impl NodeCommands {
    fn ended(&mut self, record: bool, slot: u16) {
        self.commands += 1;
        if record {
            self.spans.push((slot, self.packed.len()));
        }
    }

    fn close_run(&mut self, record: bool) {
        let run = &mut self.run;
        if run.items == 0 {
            return;
        }
        let name = match run.single {
            Some(single) if run.items == 1 => single,
            _ => run.multi,
        };
        pack_header(&mut self.packed, name, run.arg_count);
        self.packed.extend_from_slice(&run.args);
        run.args.clear();
        run.arg_count = 0;
        run.items = 0;
        let slot = run.slot;
        self.ended(record, slot);
    }
}

/// A pipeline routed again for the slots as they are now.
struct Routed {
    nodes: Vec<NodeCommands>,
    /// For each routed node's commands: the node and index they were built at.
    origin: Vec<Vec<(NodeId, usize)>>,
}

/// Commands by node, packed as RESP.
pub struct Pipeline {
    nodes: Vec<NodeCommands>,
    /// The longest argument added, and the key of its command (for a server's "invalid bulk
    /// length": which key's value was too large).
    largest: (usize, Vec<u8>),
    /// Cluster pipelines record slots, and the version of the slot map they were built for.
    cluster: Option<u64>,
    routed: Option<(u64, Routed)>,
}

impl Pipeline {
    /// An empty pipeline for a standalone client of `nodes` nodes.
    pub fn new(nodes: usize) -> Pipeline {
        Pipeline {
            nodes: (0..nodes.max(1)).map(|_| NodeCommands::default()).collect(),
            largest: (0, Vec::new()),
            cluster: None,
            routed: None,
        }
    }

    /// An empty pipeline for a cluster client of `nodes` nodes whose slot map is `version`.
    pub fn for_cluster(nodes: usize, version: u64) -> Pipeline {
        Pipeline {
            cluster: Some(version),
            ..Pipeline::new(nodes)
        }
    }

    /// The commands of `node`; a cluster pipeline built before its client knew every master
    /// grows to the node asked for.
    fn node(&mut self, node: NodeId) -> &mut NodeCommands {
        if node >= self.nodes.len() {
            self.nodes.resize_with(node + 1, NodeCommands::default);
        }
        &mut self.nodes[node]
    }

    fn note_sizes(&mut self, key: Option<&&[u8]>, args: &[&[u8]]) {
        let longest = args.iter().map(|a| a.len()).max().unwrap_or(0);
        if longest > self.largest.0 {
            self.largest = (longest, key.map(|k| k.to_vec()).unwrap_or_default());
        }
    }

    /// The longest argument added and its command's key.
    pub fn largest(&self) -> (usize, &[u8]) {
        (self.largest.0, &self.largest.1)
    }

    /// Adds one command for the node and slot of `route`.
    pub fn command(&mut self, route: Route, args: &[&[u8]]) -> ReplyAt {
        self.note_sizes(args.get(1), args);
        let record = self.cluster.is_some();
        let n = self.node(route.node);
        n.close_run(record);
        pack_command(&mut n.packed, args);
        n.ended(record, route.slot);
        ReplyAt {
            node: route.node,
            command: n.commands - 1,
            item: None,
        }
    }

    /// Adds an item (its arguments) to the run of `multi` commands for `node`, starting a new
    /// run after another command or when the run holds `limit` items. A run of one item is
    /// sent as `single` where given.
    pub fn item(
        &mut self,
        route: Route,
        multi: &'static [u8],
        single: Option<&'static [u8]>,
        limit: usize,
        args: &[&[u8]],
    ) -> ReplyAt {
        self.note_sizes(args.first(), args);
        let record = self.cluster.is_some();
        let node = route.node;
        let n = self.node(node);
        if n.run.items > 0
            && (n.run.multi != multi || n.run.items >= limit || n.run.slot != route.slot)
        {
            n.close_run(record);
        }
        if n.run.items == 0 {
            n.run.multi = multi;
            n.run.single = single;
            n.run.slot = route.slot;
        }
        pack_args(&mut n.run.args, args);
        n.run.arg_count += args.len();
        n.run.items += 1;
        ReplyAt {
            node,
            command: n.commands,
            item: Some(n.run.items - 1),
        }
    }

    /// Closes every open run: the pipeline is ready to send.
    pub fn finish(&mut self) {
        let record = self.cluster.is_some();
        for node in &mut self.nodes {
            node.close_run(record);
        }
    }

    /// For a (finished) cluster pipeline built for another slot map than `version`: its
    /// commands sent to the nodes that serve their slots now (`node_of_slot`, of `nodes`),
    /// keeping their order per node and slot. Nothing for a standalone pipeline.
    pub fn reroute(&mut self, version: u64, nodes: usize, node_of_slot: impl Fn(u16) -> NodeId) {
        let built_for = self.routed.as_ref().map(|r| r.0).or(self.cluster);
        if built_for.is_none() || built_for == Some(version) {
            return;
        }
        let mut routed = Routed {
            nodes: (0..nodes.max(1)).map(|_| NodeCommands::default()).collect(),
            origin: vec![Vec::new(); nodes.max(1)],
        };
        for (node, commands) in self.nodes.iter().enumerate() {
            let mut start = 0;
            for (index, &(slot, end)) in commands.spans.iter().enumerate() {
                let target = node_of_slot(slot).min(nodes.max(1) - 1);
                let to = &mut routed.nodes[target];
                to.packed.extend_from_slice(&commands.packed[start..end]);
                to.commands += 1;
                to.spans.push((slot, to.packed.len()));
                routed.origin[target].push((node, index));
                start = end;
            }
        }
        self.routed = Some((version, routed));
    }

    /// The packed bytes of command `index` of `node` among [`Pipeline::sendable`]'s (a
    /// cluster pipeline's only: a standalone one records no spans).
    pub fn command_bytes(&self, node: NodeId, index: usize) -> Option<&[u8]> {
        let commands = self.sendable().get(node)?;
        let end = commands.spans.get(index)?.1;
        let start = match index {
            0 => 0,
            i => commands.spans.get(i - 1)?.1,
        };
        commands.packed.get(start..end)
    }

    /// What is sent: the commands by node, as routed last.
    pub fn sendable(&self) -> &[NodeCommands] {
        match &self.routed {
            Some((_, routed)) => &routed.nodes,
            None => &self.nodes,
        }
    }

    /// The replies to [`Pipeline::sendable`]'s commands, put where the `ReplyAt`s handed out
    /// while building expect them.
    pub fn unroute(&self, replies: Replies) -> Replies {
        let Some((_, routed)) = &self.routed else {
            return replies;
        };
        let mut out: Replies = self
            .nodes
            .iter()
            .map(|n| vec![redis::Value::Nil; n.commands])
            .collect();
        for (target, node_replies) in replies.into_iter().enumerate() {
            for (index, reply) in node_replies.into_iter().enumerate() {
                if let Some(&(node, command)) = routed.origin[target].get(index) {
                    out[node][command] = reply;
                }
            }
        }
        out
    }

    /// Whether nothing is to be sent (an open run counts).
    pub fn is_empty(&self) -> bool {
        self.nodes
            .iter()
            .all(|n| n.commands == 0 && n.run.items == 0)
    }

    pub fn nodes(&self) -> &[NodeCommands] {
        &self.nodes
    }

    /// The bytes packed so far, open runs included (a hint for the next pipeline's capacity).
    pub fn packed_len(&self) -> usize {
        self.nodes
            .iter()
            .map(|n| n.packed.len() + n.run.args.len())
            .sum()
    }

    /// Room for `bytes` more bytes per node.
    pub fn reserve(&mut self, bytes: usize) {
        for n in &mut self.nodes {
            n.packed.reserve(bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to(node: usize) -> Route {
        Route { node, slot: 0 }
    }

    fn text(p: &Pipeline, node: usize) -> String {
        String::from_utf8(p.nodes()[node].packed.clone()).unwrap()
    }

    #[test]
    fn consecutive_items_of_one_node_become_one_multi_key_command() {
        let mut p = Pipeline::new(1);
        p.item(to(0), b"MSET", Some(b"SET"), 100, &[b"a", b"1"]);
        let at = p.item(to(0), b"MSET", Some(b"SET"), 100, &[b"b", b"2"]);
        assert_eq!(
            at,
            ReplyAt {
                node: 0,
                command: 0,
                item: Some(1)
            }
        );
        let del = p.command(to(0), &[b"DEL", b"c"]);
        assert_eq!(del.command, 1);
        p.item(to(0), b"MSET", Some(b"SET"), 100, &[b"d", b"4"]);
        p.finish();
        assert_eq!(p.nodes()[0].commands, 3);
        assert_eq!(
            text(&p, 0),
            "*5\r\n$4\r\nMSET\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n\
             *2\r\n$3\r\nDEL\r\n$1\r\nc\r\n\
             *3\r\n$3\r\nSET\r\n$1\r\nd\r\n$1\r\n4\r\n"
        );
    }

    #[test]
    fn runs_are_per_node_and_split_at_their_limit() {
        let mut p = Pipeline::new(2);
        p.item(to(0), b"MGET", None, 2, &[b"a"]);
        p.item(to(1), b"MGET", None, 2, &[b"b"]);
        p.item(to(0), b"MGET", None, 2, &[b"c"]);
        let third = p.item(to(0), b"MGET", None, 2, &[b"e"]);
        assert_eq!(
            third,
            ReplyAt {
                node: 0,
                command: 1,
                item: Some(0)
            }
        );
        p.finish();
        assert_eq!(p.nodes()[0].commands, 2);
        assert_eq!(p.nodes()[1].commands, 1);
        assert_eq!(text(&p, 1), "*2\r\n$4\r\nMGET\r\n$1\r\nb\r\n");
        assert!(!p.is_empty());
        assert!(Pipeline::new(2).is_empty());
    }

    #[test]
    fn a_cluster_pipeline_splits_runs_by_slot_and_reroutes_keeping_reply_places() {
        let mut p = Pipeline::for_cluster(2, 1);
        let a = p.item(
            Route { node: 0, slot: 7 },
            b"MGET",
            Some(b"GET"),
            100,
            &[b"a"],
        );
        let b = p.item(
            Route { node: 0, slot: 9 },
            b"MGET",
            Some(b"GET"),
            100,
            &[b"b"],
        );
        let c = p.command(Route { node: 1, slot: 3 }, &[b"GET", b"c"]);
        p.finish();
        assert_eq!((a.command, b.command, c.command), (0, 1, 0));
        assert_eq!(
            text(&p, 0),
            "*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$3\r\nGET\r\n$1\r\nb\r\n"
        );
        // Same slot map: nothing changes.
        p.reroute(1, 2, |_| 0);
        assert_eq!(p.sendable()[1].commands, 1);
        // Slot 9 moved to node 1, slot 3 to node 0 (and a third node appeared).
        p.reroute(2, 3, |slot| match slot {
            9 => 1,
            3 => 0,
            _ => 0,
        });
        let sent = p.sendable();
        assert_eq!(
            (sent[0].commands, sent[1].commands, sent[2].commands),
            (2, 1, 0)
        );
        let s = |v: &str| redis::Value::SimpleString(v.into());
        let replies = vec![vec![s("A"), s("C")], vec![s("B")], vec![]];
        assert_eq!(
            p.command_bytes(0, 1),
            Some(&b"*2\r\n$3\r\nGET\r\n$1\r\nc\r\n"[..])
        );
        let back = p.unroute(replies);
        assert_eq!(back[a.node][a.command], s("A"));
        assert_eq!(back[b.node][b.command], s("B"));
        assert_eq!(back[c.node][c.command], s("C"));
    }
}

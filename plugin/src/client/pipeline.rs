//! Commands for Redis, grouped by the node that serves their keys before anything is sent.
//!
//! A multi-key command (`MSET`, `MGET`) is only built from keys of one node: consecutive items
//! for one node form a *run*, closed by any other command for that node, by a size limit or
//! by [`Pipeline::finish`]. `MULTI ... EXEC` is only ever written around the commands of one
//! key (one slot). Each node's commands keep the order they were added in, so the changes to
//! one key reach its node in changelog order.

use super::resp::{pack_args, pack_command, pack_header};
use super::NodeId;

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
    run: Run,
}

impl NodeCommands {
    fn close_run(&mut self) {
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
        self.commands += 1;
    }
}

/// Commands by node, packed as RESP.
pub struct Pipeline {
    nodes: Vec<NodeCommands>,
}

impl Pipeline {
    /// An empty pipeline for a client of `nodes` nodes.
    pub fn new(nodes: usize) -> Pipeline {
        Pipeline {
            nodes: (0..nodes.max(1)).map(|_| NodeCommands::default()).collect(),
        }
    }

    /// Adds one command for `node`.
    pub fn command(&mut self, node: NodeId, args: &[&[u8]]) -> ReplyAt {
        let n = &mut self.nodes[node];
        n.close_run();
        pack_command(&mut n.packed, args);
        n.commands += 1;
        ReplyAt {
            node,
            command: n.commands - 1,
            item: None,
        }
    }

    /// Adds an item (its arguments) to the run of `multi` commands for `node`, starting a new
    /// run after another command or when the run holds `limit` items. A run of one item is
    /// sent as `single` where given.
    pub fn item(
        &mut self,
        node: NodeId,
        multi: &'static [u8],
        single: Option<&'static [u8]>,
        limit: usize,
        args: &[&[u8]],
    ) -> ReplyAt {
        let n = &mut self.nodes[node];
        if n.run.items > 0 && (n.run.multi != multi || n.run.items >= limit) {
            n.close_run();
        }
        if n.run.items == 0 {
            n.run.multi = multi;
            n.run.single = single;
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
        for node in &mut self.nodes {
            node.close_run();
        }
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

    /// An empty pipeline with room for `bytes` bytes per node.
    pub fn with_capacity(nodes: usize, bytes: usize) -> Pipeline {
        let mut p = Pipeline::new(nodes);
        for n in &mut p.nodes {
            n.packed.reserve(bytes);
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(p: &Pipeline, node: usize) -> String {
        String::from_utf8(p.nodes()[node].packed.clone()).unwrap()
    }

    #[test]
    fn consecutive_items_of_one_node_become_one_multi_key_command() {
        let mut p = Pipeline::new(1);
        p.item(0, b"MSET", Some(b"SET"), 100, &[b"a", b"1"]);
        let at = p.item(0, b"MSET", Some(b"SET"), 100, &[b"b", b"2"]);
        assert_eq!(
            at,
            ReplyAt {
                node: 0,
                command: 0,
                item: Some(1)
            }
        );
        let del = p.command(0, &[b"DEL", b"c"]);
        assert_eq!(del.command, 1);
        p.item(0, b"MSET", Some(b"SET"), 100, &[b"d", b"4"]);
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
        p.item(0, b"MGET", None, 2, &[b"a"]);
        p.item(1, b"MGET", None, 2, &[b"b"]);
        p.item(0, b"MGET", None, 2, &[b"c"]);
        let third = p.item(0, b"MGET", None, 2, &[b"e"]);
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
}

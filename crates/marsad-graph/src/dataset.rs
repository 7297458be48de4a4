//! The analysis input: nodes, typed time-stamped edges between them, posts and status
//! observations. Built by [`crate::load`] from the store, by [`crate::edges_csv`] from an edge
//! list, or by hand in tests.

use crate::Micros;
use marsad_media::Hash256;
use marsad_model::{AccountStatus, Platform};
use serde::Serialize;
use std::collections::HashMap;

/// Dense node index (0..n).
pub type NodeId = u32;

/// What a node stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    Account,
    Channel,
    /// Named by an edge but not found in the store (`@handle`, `name:` references, CSV ids).
    Unresolved,
}

/// A node: an account or channel with what the analyses need of its profile.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NodeInfo {
    /// `platform:id`, the natural key as text.
    pub key: String,
    pub platform: Option<Platform>,
    pub kind: Option<NodeKind>,
    pub handle: Option<String>,
    pub display_name: Option<String>,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub created_at: Option<Micros>,
    pub followers: Option<i64>,
    /// Invite links of a channel (Telegram `t.me/+…`, Rocket.Chat invites).
    pub invite_links: Vec<String>,
}

impl NodeInfo {
    /// `@handle` when known, else the display name, else the key.
    pub fn label(&self) -> String {
        if let Some(h) = self.handle.as_deref().filter(|h| !h.is_empty()) {
            format!("@{}", h.trim_start_matches('@'))
        } else if let Some(n) = self.display_name.as_deref().filter(|n| !n.is_empty()) {
            n.to_string()
        } else {
            self.key.clone()
        }
    }
}

/// Edge types. The store's interaction kinds plus `other` for edge lists naming a type
/// Marsad does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    Repost,
    Forward,
    Quote,
    Reply,
    Mention,
    MemberOf,
    LeftChannel,
    Follows,
    Reported,
    Pinned,
    /// Derived: both accounts posted in the same channel ([`crate::derived`]).
    CoChannel,
    /// Derived: both accounts posted the same link.
    SharedLink,
    /// Derived: both accounts posted the same media file (SHA-256).
    SharedMedia,
    Other,
}

impl EdgeKind {
    pub const ALL: [EdgeKind; 14] = [
        EdgeKind::Repost,
        EdgeKind::Forward,
        EdgeKind::Quote,
        EdgeKind::Reply,
        EdgeKind::Mention,
        EdgeKind::MemberOf,
        EdgeKind::LeftChannel,
        EdgeKind::Follows,
        EdgeKind::Reported,
        EdgeKind::Pinned,
        EdgeKind::CoChannel,
        EdgeKind::SharedLink,
        EdgeKind::SharedMedia,
        EdgeKind::Other,
    ];
    /// The kinds built from posts by [`crate::derived::add_shared_edges`] (not stored).
    pub const DERIVED: [EdgeKind; 3] = [
        EdgeKind::CoChannel,
        EdgeKind::SharedLink,
        EdgeKind::SharedMedia,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Repost => "repost",
            EdgeKind::Forward => "forward",
            EdgeKind::Quote => "quote",
            EdgeKind::Reply => "reply",
            EdgeKind::Mention => "mention",
            EdgeKind::MemberOf => "member_of",
            EdgeKind::LeftChannel => "left_channel",
            EdgeKind::Follows => "follows",
            EdgeKind::Reported => "reported",
            EdgeKind::Pinned => "pinned",
            EdgeKind::CoChannel => "co_channel",
            EdgeKind::SharedLink => "shared_link",
            EdgeKind::SharedMedia => "shared_media",
            EdgeKind::Other => "other",
        }
    }
    /// Parses a kind name; `None` for unknown names.
    pub fn parse(s: &str) -> Option<EdgeKind> {
        let l = s.trim().to_ascii_lowercase().replace('-', "_");
        let l = match l.as_str() {
            "retweet" | "share" => "repost",
            "mentions" => "mention",
            "follow" => "follows",
            "report" => "reported",
            "cochannel" | "same_channel" => "co_channel",
            "shared_url" | "co_link" => "shared_link",
            "co_media" => "shared_media",
            other => other,
        };
        EdgeKind::ALL.into_iter().find(|k| k.as_str() == l)
    }
    /// Amplification: the source spreads the target's content.
    pub fn is_amplification(self) -> bool {
        matches!(self, EdgeKind::Repost | EdgeKind::Forward | EdgeKind::Quote)
    }
    /// Attention directed at an account (swarm material).
    pub fn is_attention(self) -> bool {
        matches!(
            self,
            EdgeKind::Mention | EdgeKind::Reply | EdgeKind::Reported
        )
    }
}

/// A typed, time-stamped, weighted edge between two nodes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    pub source: NodeId,
    pub target: NodeId,
    pub kind: EdgeKind,
    pub at: Option<Micros>,
    pub weight: f32,
    /// The item that carries the edge (index into [`Dataset::posts`]), when loaded from the store.
    pub post: Option<u32>,
}

/// A post (any item with an author) with what coordination and migration look at.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Post {
    /// `platform:id` of the item.
    pub key: String,
    pub platform: Option<Platform>,
    pub author: Option<NodeId>,
    pub channel: Option<NodeId>,
    pub at: Option<Micros>,
    pub text: String,
    pub links: Vec<String>,
    pub hashtags: Vec<String>,
    pub media: Vec<String>,
    /// A repost / forward / quote of someone else's item (not original content).
    pub is_amplification: bool,
}

/// An avatar image of an account with its PDQ hash (from `account_avatars` and
/// `media_hashes`, see [`crate::load`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Avatar {
    pub node: NodeId,
    /// SHA-256 of the image file (the blob store's name for it).
    pub sha256: String,
    pub pdq: Hash256,
    /// PDQ quality (0–100).
    pub quality: u8,
}

/// A status observation of an account.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StatusObs {
    pub node: NodeId,
    pub status: AccountStatus,
    pub at: Micros,
}

/// FxHash (the rustc hasher): node keys are short strings hashed millions of times when an
/// edge list is read; SipHash dominated that. Not DoS-resistant, which an offline analysis of
/// the analyst's own files does not need.
#[derive(Debug, Default, Clone, Copy)]
pub struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.write(&[i]);
    }
    fn finish(&self) -> u64 {
        // The multiply leaves the low bits weak; hash tables index by them (as rustc-hash 2).
        self.0.rotate_left(26)
    }
}

/// Builder of [`FxHasher`]s.
pub type FxBuild = std::hash::BuildHasherDefault<FxHasher>;

/// The analysis input.
#[derive(Debug, Default)]
pub struct Dataset {
    pub nodes: Vec<NodeInfo>,
    index: HashMap<String, NodeId, FxBuild>,
    pub edges: Vec<Edge>,
    pub posts: Vec<Post>,
    pub statuses: Vec<StatusObs>,
    /// Avatar images of accounts with their PDQ hashes (empty unless images were imported).
    pub avatars: Vec<Avatar>,
}

impl Dataset {
    pub fn new() -> Self {
        Self::default()
    }

    /// The node with this key, created (as unresolved) when missing.
    pub fn node(&mut self, key: &str) -> NodeId {
        if let Some(&id) = self.index.get(key) {
            return id;
        }
        let id = self.nodes.len() as NodeId;
        self.nodes.push(NodeInfo {
            key: key.to_string(),
            kind: Some(NodeKind::Unresolved),
            ..NodeInfo::default()
        });
        self.index.insert(key.to_string(), id);
        id
    }

    /// Adds or replaces a node's profile (its key decides identity).
    pub fn upsert_node(&mut self, info: NodeInfo) -> NodeId {
        if let Some(&id) = self.index.get(&info.key) {
            self.nodes[id as usize] = info;
            return id;
        }
        let id = self.nodes.len() as NodeId;
        self.index.insert(info.key.clone(), id);
        self.nodes.push(info);
        id
    }

    pub fn find(&self, key: &str) -> Option<NodeId> {
        self.index.get(key).copied()
    }

    pub fn info(&self, id: NodeId) -> &NodeInfo {
        &self.nodes[id as usize]
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The first `suspended`/`deleted` observation of each account, by node.
    pub fn gone_at(&self) -> HashMap<NodeId, (AccountStatus, Micros)> {
        let mut out: HashMap<NodeId, (AccountStatus, Micros)> = HashMap::new();
        for s in &self.statuses {
            if matches!(s.status, AccountStatus::Suspended | AccountStatus::Deleted) {
                let e = out.entry(s.node).or_insert((s.status, s.at));
                if s.at < e.1 {
                    *e = (s.status, s.at);
                }
            }
        }
        out
    }

    /// Number of original posts (not reposts / forwards / quotes) per node.
    pub fn original_posts(&self) -> Vec<u32> {
        let mut out = vec![0u32; self.nodes.len()];
        for p in &self.posts {
            if let (Some(a), false) = (p.author, p.is_amplification) {
                out[a as usize] += 1;
            }
        }
        out
    }
}

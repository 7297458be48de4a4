//! Ground truth: which accounts, channels and items each planted scenario consists of, and
//! which benign items must not alert. Collected while the files are written, then saved as
//! `manifest.json`.

use crate::DemoFormat;
use marsad_model::Platform;
use serde::Serialize;

/// The natural key of a record as the importers produce it, plus a human hint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TruthKey {
    pub platform: Platform,
    /// The id exactly as the importer keys it (`<chat peer>/<message id>` for Telegram messages,
    /// `@handle` for accounts a format knows only by handle).
    pub id: String,
    /// The importer format of the file the record is in.
    pub format: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    /// What the record is in the scenario.
    pub note: String,
}

/// One scenario (or one group of benign records) of the manifest.
#[derive(Debug, Clone, Serialize)]
pub struct TruthGroup {
    pub id: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    /// `alert`: detectors should flag it; `no_alert`: benign, flagging it is a false positive.
    pub expect: &'static str,
    pub platforms: Vec<Platform>,
    pub accounts: Vec<TruthKey>,
    pub channels: Vec<TruthKey>,
    pub items: Vec<TruthKey>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Scn {
    Outlet,
    Burst,
    Recreated,
    Soldier,
    MassMention,
    Migration,
    News,
    Decoys,
}

impl Scn {
    pub const ALL: [Scn; 8] = [
        Scn::Outlet,
        Scn::Burst,
        Scn::Recreated,
        Scn::Soldier,
        Scn::MassMention,
        Scn::Migration,
        Scn::News,
        Scn::Decoys,
    ];

    fn meta(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            Scn::Outlet => (
                "outlet-amplification",
                "Outlet channel and its amplifiers",
                "An outlet-branded Telegram public channel and X account (Amaq/Nashir/al-Naba \
                 branding, placeholder text) post content; sympathisers forward it into a \
                 Telegram group, retweet it on X and re-upload it on TikTok and Instagram with \
                 the outlet hashtags.",
                "alert",
            ),
            Scn::Burst => (
                "new-account-burst",
                "Burst of newly created accounts",
                "40 X accounts created within two hours, all posting the same hashtags within \
                 the following hours.",
                "alert",
            ),
            Scn::Recreated => (
                "suspension-recreation",
                "Accounts re-created after suspension",
                "khilafa_news3 is reported suspended by the X API (error line) and \
                 khilafa_news4 appears hours later with a near-identical display name, bio and \
                 avatar; a second chain sawt_alkhilafa -> sawt_alkhilafa2.",
                "alert",
            ),
            Scn::Soldier => (
                "soldier-opsec-live",
                "Soldier live-streaming from a checkpoint at night",
                "A soldier whose profile names his army unit (Iraqi dialect) goes live at 02:00 \
                 Baghdad time near Baiji: a TikTok video, a Facebook Live Video, a Telegram \
                 group call, and a photo plus a location message in the same Telegram group.",
                "alert",
            ),
            Scn::MassMention => (
                "journalist-mass-mention",
                "Coordinated mass mention of a journalist",
                "30 X accounts mention the blogger @rusul_writes within five minutes with \
                 near-identical placeholder threats, then a report-style swarm on X and in the \
                 comments of her TikTok video.",
                "alert",
            ),
            Scn::Migration => (
                "invite-link-migration",
                "Invite links announcing a migration",
                "Next to outlet content, posts advertise a Telegram invite link and a \
                 Rocket.Chat invite on a reserved example domain; the outlet then appears as a \
                 Rocket.Chat channel that the same people join.",
                "alert",
            ),
            Scn::News => (
                "benign-news",
                "News reports and counter-speech about ISIS",
                "News accounts and pages report arrests and trials, and an observatory warns \
                 about outlet accounts (even naming Amaq). These must NOT alert.",
                "no_alert",
            ),
            Scn::Decoys => (
                "benign-decoys",
                "Benign look-alikes",
                "A football live stream at night, an evening group call among friends, and a \
                 football hashtag surge by long-standing accounts. These must NOT alert.",
                "no_alert",
            ),
        }
    }
}

/// A planted record's scenario and role, when it belongs to one.
pub(crate) type Mark = Option<(Scn, &'static str)>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Account,
    Channel,
    Item,
}

/// The collector. Small: only planted records are listed, whatever the scale.
#[derive(Debug, Default)]
pub(crate) struct Truth {
    entries: Vec<(Scn, Kind, DemoFormat, TruthKey)>,
}

impl Truth {
    #[allow(clippy::too_many_arguments)]
    pub fn add(
        &mut self,
        scn: Scn,
        kind: Kind,
        format: DemoFormat,
        platform: Platform,
        id: impl Into<String>,
        handle: Option<&str>,
        note: &str,
    ) {
        let key = TruthKey {
            platform,
            id: id.into(),
            format: format.as_str(),
            handle: handle.map(str::to_string),
            note: note.to_string(),
        };
        let dup = self.entries.iter().any(|(s, k, _, e)| {
            *s == scn && *k == kind && e.platform == key.platform && e.id == key.id
        });
        if !dup {
            self.entries.push((scn, kind, format, key));
        }
    }

    pub fn account(
        &mut self,
        scn: Scn,
        f: DemoFormat,
        p: Platform,
        id: &str,
        handle: Option<&str>,
        note: &str,
    ) {
        self.add(scn, Kind::Account, f, p, id, handle, note);
    }
    pub fn channel(
        &mut self,
        scn: Scn,
        f: DemoFormat,
        p: Platform,
        id: &str,
        handle: Option<&str>,
        note: &str,
    ) {
        self.add(scn, Kind::Channel, f, p, id, handle, note);
    }
    pub fn item(&mut self, scn: Scn, f: DemoFormat, p: Platform, id: &str, note: &str) {
        self.add(scn, Kind::Item, f, p, id, None, note);
    }

    /// The groups, in scenario order, keys in the order they were planted.
    pub fn groups(&self) -> Vec<TruthGroup> {
        let mut out = Vec::new();
        for scn in Scn::ALL {
            let (id, title, description, expect) = scn.meta();
            let mut g = TruthGroup {
                id,
                title,
                description,
                expect,
                platforms: Vec::new(),
                accounts: Vec::new(),
                channels: Vec::new(),
                items: Vec::new(),
            };
            for (s, kind, _, key) in &self.entries {
                if *s != scn {
                    continue;
                }
                if !g.platforms.contains(&key.platform) {
                    g.platforms.push(key.platform);
                }
                match kind {
                    Kind::Account => g.accounts.push(key.clone()),
                    Kind::Channel => g.channels.push(key.clone()),
                    Kind::Item => g.items.push(key.clone()),
                }
            }
            g.platforms.sort();
            if !(g.accounts.is_empty() && g.channels.is_empty() && g.items.is_empty()) {
                out.push(g);
            }
        }
        out
    }
}

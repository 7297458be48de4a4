//! Full-text search over stored items (`marsad search`).
//!
//! Tantivy indexes every item's text with [`MarsadTokenizer`]: Marsad's plain normalization key
//! (so tatweel, diacritics, hamza forms, Persian letters and homoglyphs do not hide a word),
//! Arabic and English stop words removed, Arabic words light-stemmed (و+ال prefixes and common
//! suffixes), English words Snowball-stemmed. Token offsets are the original text's, so hits
//! are highlighted exactly. The index lives in `<workspace>/index/` and is brought up to date
//! incrementally from the store's `updated_at` watermark after every import and before every
//! search.

use std::ops::Bound;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, Value,
    STORED, STRING,
};
use tantivy::tokenizer::{Language, Stemmer, TextAnalyzer, Token, TokenStream, Tokenizer};
use tantivy::{doc, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

/// Bumped whenever tokenization changes: an index built by another version is rebuilt.
pub const ANALYZER_VERSION: u32 = 1;
const TOKENIZER_NAME: &str = "marsad";
const STATE_FILE: &str = "marsad-index-state.json";
const PAGE: i64 = 5000;

/// Why search failed.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index {path}: {source}")]
    Index {
        path: String,
        #[source]
        source: tantivy::TantivyError,
    },
    #[error("cannot parse the query `{query}`: {message}")]
    Query { query: String, message: String },
    #[error("reading items from the store: {0}")]
    Store(#[from] sqlx::Error),
    #[error("search index state {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Tantivy tokenizer over Marsad's normalizer (see the crate docs).
#[derive(Debug, Clone, Default)]
pub struct MarsadTokenizer;

/// The tokens of one text.
#[derive(Debug)]
pub struct MarsadTokenStream {
    tokens: Vec<Token>,
    next: usize,
}

impl Tokenizer for MarsadTokenizer {
    type TokenStream<'a> = MarsadTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> MarsadTokenStream {
        let tokens = marsad_text::stem::search_terms(text)
            .into_iter()
            .enumerate()
            .map(|(i, t)| Token {
                offset_from: t.start,
                offset_to: t.end,
                position: i,
                text: t.text,
                position_length: 1,
            })
            .collect();
        MarsadTokenStream { tokens, next: 0 }
    }
}

impl TokenStream for MarsadTokenStream {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self
            .next
            .saturating_sub(1)
            .min(self.tokens.len().saturating_sub(1))]
    }

    fn token_mut(&mut self) -> &mut Token {
        let i = self
            .next
            .saturating_sub(1)
            .min(self.tokens.len().saturating_sub(1));
        &mut self.tokens[i]
    }
}

/// The analyzer: Marsad tokens, then English stemming (Arabic words pass through unchanged).
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(MarsadTokenizer)
        .filter(Stemmer::new(Language::English))
        .build()
}

#[derive(Debug, Clone, Copy)]
struct Fields {
    item_id: Field,
    platform: Field,
    platform_id: Field,
    author: Field,
    created_at: Field,
    text: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let item_id = b.add_u64_field(
        "item_id",
        NumericOptions::default().set_indexed().set_stored(),
    );
    let platform = b.add_text_field("platform", STRING | STORED);
    let platform_id = b.add_text_field("platform_id", STORED);
    let author = b.add_text_field("author", STORED);
    let created_at = b.add_i64_field(
        "created_at",
        NumericOptions::default()
            .set_indexed()
            .set_stored()
            .set_fast(),
    );
    let text = b.add_text_field(
        "text",
        TextOptions::default().set_stored().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER_NAME)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        ),
    );
    (
        b.build(),
        Fields {
            item_id,
            platform,
            platform_id,
            author,
            created_at,
            text,
        },
    )
}

/// `id, platform, platform_id, author, created_at, text, updated_at` of one stored item.
type ItemRow = (
    i64,
    String,
    String,
    Option<String>,
    Option<i64>,
    String,
    i64,
);

#[derive(Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
struct State {
    analyzer_version: u32,
    updated_at: i64,
    id: i64,
}

/// What [`SearchIndex::update`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct UpdateStats {
    pub indexed: u64,
    pub rebuilt: bool,
}

/// A search request.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub text: String,
    pub platform: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub limit: usize,
}

/// One search result.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub score: f32,
    pub item_id: u64,
    pub platform: String,
    pub platform_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    pub text: String,
    /// Byte ranges of `text` that matched the query's terms.
    pub highlights: Vec<(usize, usize)>,
}

/// The search index of one workspace.
pub struct SearchIndex {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("dir", &self.dir)
            .finish()
    }
}

fn state_path(dir: &Path) -> PathBuf {
    dir.join(STATE_FILE)
}

fn read_state(dir: &Path) -> State {
    std::fs::read(state_path(dir))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

impl SearchIndex {
    /// Open the index in `dir`, creating it (or rebuilding it, when another analyzer version made
    /// it) as needed.
    pub fn open(dir: &Path) -> Result<SearchIndex, SearchError> {
        let ierr = |source| SearchError::Index {
            path: dir.display().to_string(),
            source,
        };
        let ioerr = |source| SearchError::Io {
            path: dir.display().to_string(),
            source,
        };
        let state = read_state(dir);
        if dir.exists() && state.analyzer_version != ANALYZER_VERSION {
            tracing::info!(
                "search index {} is from another version: rebuilding",
                dir.display()
            );
            std::fs::remove_dir_all(dir).map_err(ioerr)?;
        }
        std::fs::create_dir_all(dir).map_err(ioerr)?;
        let (schema, fields) = schema();
        let mmap = tantivy::directory::MmapDirectory::open(dir)
            .map_err(|e| ierr(tantivy::TantivyError::from(e)))?;
        let index = Index::open_or_create(mmap, schema).map_err(ierr)?;
        index.tokenizers().register(TOKENIZER_NAME, analyzer());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(ierr)?;
        Ok(SearchIndex {
            dir: dir.to_path_buf(),
            index,
            reader,
            fields,
        })
    }

    fn ierr(&self, source: tantivy::TantivyError) -> SearchError {
        SearchError::Index {
            path: self.dir.display().to_string(),
            source,
        }
    }

    /// Index every item stored or changed since the last update.
    pub async fn update(&self, pool: &SqlitePool) -> Result<UpdateStats, SearchError> {
        let mut state = read_state(&self.dir);
        let rebuilt = state.analyzer_version != ANALYZER_VERSION;
        if rebuilt {
            state = State {
                analyzer_version: ANALYZER_VERSION,
                ..State::default()
            };
        }
        // The writer (a lock, a thread and its memory arena) is only taken when there is
        // something to write: `search` calls this every time, mostly with nothing new.
        let mut writer: Option<IndexWriter> = None;
        let mut indexed = 0u64;
        loop {
            let rows: Vec<ItemRow> = sqlx::query_as(
                "SELECT id, platform, platform_id, author, created_at, text, updated_at \
                     FROM items WHERE updated_at > ?1 OR (updated_at = ?1 AND id > ?2) \
                     ORDER BY updated_at, id LIMIT ?3",
            )
            .bind(state.updated_at)
            .bind(state.id)
            .bind(PAGE)
            .fetch_all(pool)
            .await?;
            let Some(last) = rows.last() else { break };
            let (last_updated, last_id) = (last.6, last.0);
            let writer = match &mut writer {
                Some(w) => w,
                None => writer.insert(
                    self.index
                        .writer_with_num_threads(1, 64 << 20)
                        .map_err(|e| self.ierr(e))?,
                ),
            };
            for (id, platform, platform_id, author, created_at, text, _) in rows {
                let id = id as u64;
                writer.delete_term(Term::from_field_u64(self.fields.item_id, id));
                let mut d = doc!(
                    self.fields.item_id => id,
                    self.fields.platform => platform,
                    self.fields.platform_id => platform_id,
                    self.fields.text => text,
                );
                if let Some(a) = author {
                    d.add_text(self.fields.author, a);
                }
                if let Some(t) = created_at {
                    d.add_i64(self.fields.created_at, t);
                }
                writer.add_document(d).map_err(|e| self.ierr(e))?;
                indexed += 1;
            }
            state.updated_at = last_updated;
            state.id = last_id;
        }
        if let Some(mut writer) = writer {
            writer.commit().map_err(|e| self.ierr(e))?;
        }
        if indexed > 0 || rebuilt {
            let bytes = serde_json::to_vec(&state).unwrap_or_default();
            std::fs::write(state_path(&self.dir), bytes).map_err(|source| SearchError::Io {
                path: state_path(&self.dir).display().to_string(),
                source,
            })?;
        }
        self.reader.reload().map_err(|e| self.ierr(e))?;
        tracing::info!("search index: {indexed} item(s) indexed");
        Ok(UpdateStats { indexed, rebuilt })
    }

    /// Number of indexed items.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Run a query (tantivy query syntax: words, "phrases", AND/OR/-, over the normalized text).
    pub fn search(&self, q: &SearchQuery) -> Result<Vec<Hit>, SearchError> {
        let searcher = self.reader.searcher();
        let parser = QueryParser::for_index(&self.index, vec![self.fields.text]);
        let text_query = parser
            .parse_query(&q.text)
            .map_err(|e| SearchError::Query {
                query: q.text.clone(),
                message: e.to_string(),
            })?;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text_query)];
        if let Some(p) = &q.platform {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(self.fields.platform, p),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if let Some(since) = q.since {
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(
                    Bound::Included(Term::from_field_i64(
                        self.fields.created_at,
                        since.timestamp_micros(),
                    )),
                    Bound::Unbounded,
                )),
            ));
        }
        let query = BooleanQuery::new(clauses);
        let top = searcher
            .search(&query, &TopDocs::with_limit(q.limit.max(1)))
            .map_err(|e| self.ierr(e))?;
        let wanted: std::collections::HashSet<String> =
            analyzed(&q.text).into_iter().map(|t| t.0).collect();
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let d: TantivyDocument = searcher.doc(addr).map_err(|e| self.ierr(e))?;
            let s = |f: Field| d.get_first(f).and_then(|v| v.as_str()).map(str::to_string);
            let text = s(self.fields.text).unwrap_or_default();
            let highlights = analyzed(&text)
                .into_iter()
                .filter(|t| wanted.contains(&t.0))
                .map(|t| (t.1, t.2))
                .collect();
            hits.push(Hit {
                score,
                item_id: d
                    .get_first(self.fields.item_id)
                    .and_then(|v| v.as_u64())
                    .unwrap_or(0),
                platform: s(self.fields.platform).unwrap_or_default(),
                platform_id: s(self.fields.platform_id).unwrap_or_default(),
                author: s(self.fields.author),
                created_at: d
                    .get_first(self.fields.created_at)
                    .and_then(|v| v.as_i64())
                    .and_then(DateTime::from_timestamp_micros),
                text,
                highlights,
            });
        }
        Ok(hits)
    }
}

/// The analyzer's terms of `text` with their original byte spans.
pub fn analyzed(text: &str) -> Vec<(String, usize, usize)> {
    let mut a = analyzer();
    let mut ts = a.token_stream(text);
    let mut out = Vec::new();
    while let Some(t) = ts.next() {
        out.push((t.text.clone(), t.offset_from, t.offset_to));
    }
    out
}

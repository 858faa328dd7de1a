//! Answers of reads, kept until the database changes (SQLite only).
//!
//! SQLite numbers the state of a database file for each connection: `PRAGMA
//! data_version` on a connection answers a new number as soon as any other
//! connection, of this process or of another, has committed. A connection of
//! our own that never writes therefore tells in a microsecond whether anything
//! changed since a read was answered, and while nothing did, that answer can be
//! given again. The pages staff reload all day (lists, the committee tree, the
//! signed-in user) then cost a lookup in memory instead of several queries
//! through sqlx's worker thread, which is where a SQLite request's time goes.
//!
//! Cheaper still than the pragma, which begins and ends a read transaction,
//! is the header of the write-ahead log's shared-memory index, which every
//! commit rewrites: it is read with one system call (see `WalIndex`), and the
//! pragma answers only when that read finds a commit half written.
//!
//! A request reads the version once, at its first cached read, and answers
//! every cached read from that version (a consistent view, and one probe per
//! request instead of one per read) until it commits a change of its own.
//!
//! PostgreSQL has no such cheap signal for changes made by other servers, so
//! there every read goes to the database.

use crate::error::StoreError;
use std::any::Any;
use std::cell::Cell;
use std::collections::HashMap;
use std::future::Future;
use std::path::Path;
use std::sync::{Arc, Mutex};

tokio::task_local! {
    /// The cache and data version a request has pinned, if it runs in [`pinned`].
    static PINNED: Cell<Option<(usize, i64)>>;
}

/// Runs a request with one data version for all its cached reads: the first
/// read probes, the others reuse it, and a commit makes the next read probe
/// again.
pub async fn pinned<F: Future>(request: F) -> F::Output {
    PINNED.scope(Cell::new(None), request).await
}

/// Forgets the pinned version after this request committed, so that it reads
/// its own change.
pub(crate) fn unpin() {
    let _ = PINNED.try_with(|p| p.set(None));
}

/// At most this many answers are kept; when full, all are dropped. Answers are
/// small (a page of 20 rows at most), so this bounds memory to some megabytes.
const MAX_ENTRIES: usize = 1024;

type Answer = Arc<dyn Any + Send + Sync>;

/// The kept answers and the data version they belong to.
pub struct ReadCache {
    probe: Mutex<rusqlite::Connection>,
    /// The write-ahead log's shared-memory index, read directly (see [`WalIndex`]).
    wal_index: Option<WalIndex>,
    /// The last state of the database seen, and the version given to it.
    seen: Mutex<(Option<State>, i64)>,
    kept: Mutex<Kept>,
    /// One load per key at a time: requests that miss together wait for the
    /// first one's answer instead of all running the same query.
    loading: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// What tells one state of the database from another.
#[derive(PartialEq, Eq)]
enum State {
    /// The header of the write-ahead log's index.
    Wal([u8; WalIndex::HEADER]),
    /// `PRAGMA data_version`, when the index cannot be read.
    DataVersion(i64),
}

/// The shared-memory index of SQLite's write-ahead log: the `-shm` file
/// beside the database, which every connection maps. It begins with two
/// copies of a 48-byte header (a counter of transactions, the last frame,
/// salts and checksums) that every commit rewrites, the second copy first
/// (<https://sqlite.org/walformat.html>, "The WAL-Index Header"). Both copies
/// read alike with one `pread` are the state of the last commit: a system
/// call, where `PRAGMA data_version` begins and ends a read transaction,
/// taking and releasing its locks, several per cent of a cached page's time.
/// While this process has the database open no other can leave WAL mode or
/// remove the file, and a read that finds the copies different (a commit in
/// progress) falls back to the pragma.
struct WalIndex {
    #[cfg(unix)]
    file: std::fs::File,
}

impl WalIndex {
    const HEADER: usize = 48;

    #[cfg(unix)]
    fn open(db: &Path) -> Option<WalIndex> {
        let mut name = db.as_os_str().to_owned();
        name.push("-shm");
        let index = WalIndex {
            file: std::fs::File::open(name).ok()?,
        };
        index.header()?;
        Some(index)
    }

    #[cfg(not(unix))]
    fn open(_: &Path) -> Option<WalIndex> {
        None
    }

    /// The header, if both copies agree and it is initialised.
    #[cfg(unix)]
    fn header(&self) -> Option<[u8; Self::HEADER]> {
        use std::os::unix::fs::FileExt;
        let mut both = [0u8; 2 * Self::HEADER];
        self.file.read_exact_at(&mut both, 0).ok()?;
        let (first, second) = both.split_at(Self::HEADER);
        // Byte 12 is `isInit`.
        if first != second || first[12] != 1 {
            return None;
        }
        first.try_into().ok()
    }

    #[cfg(not(unix))]
    fn header(&self) -> Option<[u8; Self::HEADER]> {
        None
    }
}

#[derive(Default)]
struct Kept {
    version: i64,
    answers: HashMap<String, Answer>,
    /// What callers made from answers and kept with [`ReadCache::keep`]
    /// (whole pages): apart, so that many of them (a crawler paging through
    /// a list) never push out the answers every page needs.
    made: HashMap<String, Answer>,
}

/// At most this many made values are kept; when full, they are all dropped.
/// A list page is about 12 KB, so this bounds them to some megabytes.
const MAX_MADE: usize = 256;

impl std::fmt::Debug for ReadCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReadCache")
    }
}

impl ReadCache {
    /// Opens the probe connection on the database file at `path`.
    pub fn open(path: &Path) -> Result<ReadCache, StoreError> {
        let probe = rusqlite::Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| StoreError::Internal(format!("read cache: {e}")))?;
        let cache = ReadCache {
            probe: Mutex::new(probe),
            wal_index: None,
            seen: Mutex::new((None, 0)),
            kept: Mutex::new(Kept::default()),
            loading: Mutex::new(HashMap::new()),
        };
        // The probe's first read maps the log's index, which exists from then on.
        cache
            .data_version()
            .ok_or_else(|| StoreError::Internal("read cache: no data version".into()))?;
        let wal_index = WalIndex::open(path);
        Ok(ReadCache { wal_index, ..cache })
    }

    /// SQLite's data version as the probe connection sees it.
    fn data_version(&self) -> Option<i64> {
        let probe = self.probe.lock().ok()?;
        let mut stmt = probe.prepare_cached("PRAGMA data_version").ok()?;
        stmt.query_row([], |r| r.get::<_, i64>(0)).ok()
    }

    /// The version of the database's state: a number that grows whenever the
    /// state read changes. `None` if it could not be read, in which case
    /// nothing is answered from memory.
    fn version(&self) -> Option<i64> {
        let state = match self.wal_index.as_ref().and_then(WalIndex::header) {
            Some(header) => State::Wal(header),
            None => State::DataVersion(self.data_version()?),
        };
        let mut seen = self.seen.lock().ok()?;
        // Any other state than the last one seen is a new version, even an
        // older one read by a request that raced a commit: keeping answers
        // too briefly costs a query, keeping them too long would be wrong.
        if seen.0.as_ref() != Some(&state) {
            *seen = (Some(state), seen.1 + 1);
        }
        Some(seen.1)
    }

    /// The data version this request pinned, or a fresh probe (then pinned).
    fn request_version(&self) -> Option<i64> {
        let me = self as *const ReadCache as usize;
        if let Ok(Some((cache, version))) = PINNED.try_with(Cell::get)
            && cache == me
        {
            return Some(version);
        }
        let version = self.version()?;
        let _ = PINNED.try_with(|p| p.set(Some((me, version))));
        Some(version)
    }

    /// The answer kept under `key` while the database is unchanged, or the
    /// answer of `load`, which is then kept.
    pub async fn get_or_load<T, F, Fut>(&self, key: String, load: F) -> Result<Arc<T>, StoreError>
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, StoreError>>,
    {
        // The version is read before the load, so that an answer is never kept
        // under a version older than the data it was read from: a commit in
        // between makes the next request see a new version and drop it.
        let Some(version) = self.request_version() else {
            return Ok(Arc::new(load().await?));
        };
        if let Some(found) = self.lookup(version, &key)
            && let Ok(t) = found.downcast::<T>()
        {
            return Ok(t);
        }
        let gate = match self.loading.lock() {
            Ok(mut loading) => Some(loading.entry(key.clone()).or_default().clone()),
            Err(_) => None,
        };
        let held = match &gate {
            Some(g) => Some(g.lock().await),
            None => None,
        };
        // Another request may have loaded it while this one waited.
        let found = self
            .lookup(version, &key)
            .and_then(|f| f.downcast::<T>().ok());
        let result = match found {
            Some(t) => Ok(t),
            None => load().await.map(|answer| {
                let answer = Arc::new(answer);
                if let Ok(mut kept) = self.kept.lock()
                    && kept.version == version
                {
                    if kept.answers.len() >= MAX_ENTRIES {
                        kept.answers.clear();
                    }
                    kept.answers.insert(key.clone(), answer.clone());
                }
                answer
            }),
        };
        drop(held);
        if let (Some(gate), Ok(mut loading)) = (gate, self.loading.lock()) {
            // The map's and ours: nobody else waits on this key.
            if Arc::strong_count(&gate) <= 2 {
                loading.remove(&key);
            }
        }
        result
    }

    /// The answer kept under `key` for the data version this request reads,
    /// if there is one: for answers worked out outside [`Self::get_or_load`],
    /// such as whole pages, which [`Self::keep`] then keeps.
    pub fn kept<T: Send + Sync + 'static>(&self, key: &str) -> Option<Arc<T>> {
        let version = self.request_version()?;
        let mut kept = self.kept.lock().ok()?;
        kept.move_to(version)?;
        kept.made.get(key).cloned()?.downcast::<T>().ok()
    }

    /// Keeps `value` under `key` for the data version this request pinned
    /// before it read what `value` was made from; answers it shared. Outside
    /// a pinned request (see [`pinned`]) nothing is kept: a version probed
    /// now could be newer than the data the value shows.
    pub fn keep<T: Send + Sync + 'static>(&self, key: String, value: T) -> Arc<T> {
        let value = Arc::new(value);
        let me = self as *const ReadCache as usize;
        if let Ok(Some((cache, version))) = PINNED.try_with(Cell::get)
            && cache == me
            && let Ok(mut kept) = self.kept.lock()
            && kept.version == version
        {
            if kept.made.len() >= MAX_MADE {
                kept.made.clear();
            }
            kept.made.insert(key, value.clone());
        }
        value
    }

    /// The answer kept under `key`, after dropping every answer if the data
    /// version moved on (it only grows).
    fn lookup(&self, version: i64, key: &str) -> Option<Answer> {
        let mut kept = self.kept.lock().ok()?;
        kept.move_to(version)?;
        kept.answers.get(key).cloned()
    }
}

impl Kept {
    /// Makes `version` the kept one if it is newer, dropping everything kept
    /// (versions only grow); `None` for an older version (a request that read
    /// it before the latest commit), which finds nothing.
    fn move_to(&mut self, version: i64) -> Option<()> {
        if version > self.version {
            self.version = version;
            self.answers.clear();
            self.made.clear();
            return None;
        }
        (version == self.version).then_some(())
    }
}

#[cfg(test)]
mod tests {
    use crate::{Db, StoreError};
    use std::sync::atomic::{AtomicUsize, Ordering};

    async fn count(db: &Db, loads: &AtomicUsize) -> i64 {
        db.cached("rows".into(), || async {
            loads.fetch_add(1, Ordering::SeqCst);
            let Db::Sqlite(s) = db else {
                return Err(StoreError::Internal("not SQLite".into()));
            };
            Ok(sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM t")
                .fetch_one(&s.read)
                .await?)
        })
        .await
        .map(|n| *n)
        .expect("count")
    }

    async fn insert(db: &Db) {
        let mut tx = db.begin().await.expect("begin");
        let crate::Tx::Sqlite(t) = &mut tx else {
            panic!("not SQLite")
        };
        sqlx::query("INSERT INTO t (x) VALUES (1)")
            .execute(&mut **t)
            .await
            .expect("insert");
        tx.commit().await.expect("commit");
    }

    /// A database file with an empty table `t`, its folder and its URL.
    async fn file_db(name: &str) -> (Db, std::path::PathBuf, String) {
        let dir = std::env::temp_dir().join(format!(
            "xieshang-cache-{name}-{}-{}",
            std::process::id(),
            crate::clock::now()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let url = format!("sqlite://{}/cache.db", dir.display());
        let db = Db::connect(&url).await.expect("connect");
        let Db::Sqlite(s) = &db else {
            panic!("not SQLite")
        };
        assert!(s.cache.is_some(), "a file database keeps answers");
        sqlx::query("CREATE TABLE t (x INTEGER)")
            .execute(&s.write)
            .await
            .expect("create");
        (db, dir, url)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn requests_that_miss_together_load_once() {
        let (db, dir, _) = file_db("together").await;
        let loads = std::sync::Arc::new(AtomicUsize::new(0));
        let mut all = tokio::task::JoinSet::new();
        for _ in 0..16 {
            let (db, loads) = (db.clone(), loads.clone());
            all.spawn(async move {
                db.cached("slow".into(), || async {
                    loads.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    Ok(7i64)
                })
                .await
                .map(|n| *n)
            });
        }
        while let Some(got) = all.join_next().await {
            assert_eq!(got.expect("task").expect("answer"), 7);
        }
        assert_eq!(loads.load(Ordering::SeqCst), 1, "one load for sixteen");
        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn an_answer_is_kept_until_any_connection_commits() {
        let (db, dir, url) = file_db("commits").await;
        let loads = AtomicUsize::new(0);

        assert_eq!(count(&db, &loads).await, 0);
        assert_eq!(count(&db, &loads).await, 0);
        assert_eq!(loads.load(Ordering::SeqCst), 1, "the second read is kept");

        insert(&db).await;
        assert_eq!(count(&db, &loads).await, 1, "our own commit is seen");
        assert_eq!(loads.load(Ordering::SeqCst), 2);

        // Another handle on the file, as another process would be.
        let other = Db::connect(&url).await.expect("connect again");
        insert(&other).await;
        assert_eq!(
            count(&db, &loads).await,
            2,
            "another writer's commit is seen"
        );
        assert_eq!(count(&db, &loads).await, 2);
        assert_eq!(loads.load(Ordering::SeqCst), 3);

        other.close().await;
        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn a_kept_value_lasts_until_a_commit_and_is_kept_only_by_pinned_requests() {
        let (db, dir, url) = file_db("keep").await;
        let kept = |key: &'static str| db.kept::<i64>(key).map(|v| *v);
        // Outside a request that pinned its version nothing is kept.
        assert_eq!(*db.keep("page".into(), 1i64), 1);
        assert_eq!(kept("page"), None);
        super::pinned(async {
            assert_eq!(kept("page"), None);
            db.keep("page".into(), 2i64);
            assert_eq!(kept("page"), Some(2));
        })
        .await;
        super::pinned(async {
            assert_eq!(kept("page"), Some(2), "the next request finds it");
            assert!(db.kept::<String>("page").is_none(), "only as what it is");
        })
        .await;
        insert(&db).await;
        super::pinned(async { assert_eq!(kept("page"), None, "a commit drops it") }).await;
        // A value made from what was read before another server's commit is
        // not found after it.
        let other = Db::connect(&url).await.expect("connect again");
        super::pinned(async {
            assert_eq!(kept("page"), None);
            insert(&other).await;
            db.keep("page".into(), 3i64);
        })
        .await;
        super::pinned(async { assert_eq!(kept("page"), None, "made before the commit") }).await;
        other.close().await;
        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn many_kept_pages_never_push_out_the_answers() {
        let (db, dir, _) = file_db("made").await;
        let loads = AtomicUsize::new(0);
        super::pinned(async {
            assert_eq!(count(&db, &loads).await, 0);
            for n in 0..3 * super::MAX_MADE {
                db.keep(format!("page {n}"), n);
            }
            assert_eq!(count(&db, &loads).await, 0);
        })
        .await;
        assert_eq!(loads.load(Ordering::SeqCst), 1, "the answer stayed");
        let last = 3 * super::MAX_MADE - 1;
        super::pinned(async {
            assert_eq!(
                db.kept::<usize>(&format!("page {last}")).as_deref(),
                Some(&last)
            );
            assert!(db.kept::<usize>("page 0").is_none(), "the oldest went");
        })
        .await;
        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The versions a cache reads before and after a commit made by a plain
    /// SQLite connection of its own, as another program would make it.
    fn versions_around_a_foreign_commit(cache: &super::ReadCache, path: &std::path::Path) {
        let before = cache.version().expect("version");
        assert_eq!(cache.version(), Some(before), "nothing committed");
        let other = rusqlite::Connection::open(path).expect("open");
        other
            .execute("INSERT INTO t (x) VALUES (2)", [])
            .expect("insert");
        let after = cache.version().expect("version");
        assert!(after > before, "{before} then {after}");
        assert_eq!(cache.version(), Some(after));
    }

    #[tokio::test]
    async fn the_log_index_tells_of_every_commit() {
        let (db, dir, _) = file_db("index").await;
        let path = dir.join("cache.db");
        let Db::Sqlite(s) = &db else {
            panic!("not SQLite")
        };
        let own = s.cache.as_ref().expect("cache");
        assert!(
            own.wal_index.is_some(),
            "the server's own cache reads the index"
        );
        let cache = super::ReadCache::open(&path).expect("cache");
        assert!(cache.wal_index.is_some(), "a WAL database's index is read");
        versions_around_a_foreign_commit(&cache, &path);
        // Without the index (a read that found a commit half written), the
        // pragma answers, and changing between the two is a change too.
        let plain = super::ReadCache {
            wal_index: None,
            ..super::ReadCache::open(&path).expect("cache")
        };
        versions_around_a_foreign_commit(&plain, &path);
        let with_index = cache.version().expect("version");
        assert_eq!(cache.version(), Some(with_index));
        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn an_in_memory_database_keeps_nothing() {
        let db = Db::connect("sqlite::memory:").await.expect("connect");
        let Db::Sqlite(s) = &db else {
            panic!("not SQLite")
        };
        assert!(s.cache.is_none());
    }
}

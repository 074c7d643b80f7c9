// Package engine stores the Redis keyspace of one shard in one SQLite file:
// a single writer goroutine with group commit, a pool of read connections,
// and typed operations (strings, keys, lists…) that run inside a Tx.
package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ncruces/go-sqlite3"
)

// Sync is the durability level (Redis's appendfsync).
type Sync int

// Durability levels; see the README for what each survives.
const (
	// SyncEverysec commits with synchronous=NORMAL and fsyncs the WAL at least once a second.
	SyncEverysec Sync = iota
	// SyncAlways fsyncs the WAL on every commit (synchronous=FULL).
	SyncAlways
	// SyncNo leaves flushing to the operating system.
	SyncNo
)

// ParseSync parses an appendfsync value.
func ParseSync(s string) (Sync, bool) {
	switch s {
	case "always":
		return SyncAlways, true
	case "everysec":
		return SyncEverysec, true
	case "no":
		return SyncNo, true
	}
	return 0, false
}

func (s Sync) String() string {
	return [...]string{"everysec", "always", "no"}[s]
}

// Options configure a Store.
type Options struct {
	// Shard is this file's index and Shards the total, recorded at creation.
	Shard, Shards int
	// Sync is the durability level.
	Sync Sync
	// Readers is the size of the read connection pool (0: GOMAXPROCS).
	Readers int
	// CacheBytes bounds the in-memory key cache: key metadata and string
	// values (0: no cache).
	CacheBytes int64
}

const (
	appID         = 0x5244534b // "RDSK"
	schemaVersion = 4
	maxBatch      = 4096
)

// Store is one shard file.
type Store struct {
	path string
	wal  string // the write-ahead log's path: SQLite names it after the file's resolved path
	opt  Options

	wmu    sync.Mutex // owned by whoever runs a write transaction on wc
	wc     *conn
	states txStates  // the write transactions' key states, under wmu
	gaveUp time.Time // when the writer's own checkpoint last gave up on a read (checkpoint.go), under wmu
	jobs   chan *job
	quit   chan struct{}
	wdone  chan struct{}

	readers chan *conn
	nread   atomic.Int32
	rmu     sync.Mutex
	conns   []*conn // every read connection, under rmu
	// snap counts the commits SQLite has made and the checkpoints; read
	// connections keep a snapshot while it is unchanged (readers.go).
	// noHold, under relMu: checkpoints asking readers not to keep
	// snapshots.
	snap   atomic.Uint64
	relMu  sync.RWMutex
	noHold int
	// commits counts the write transactions whose COMMIT new snapshots
	// may see, and applied is the last of them whose states are in the
	// key cache (or that failed): a read from SQLite waits for applied to
	// catch up before it replies (waitApplied). A commit is counted just
	// before its COMMIT, or, at synchronous=FULL when the log's syncs are
	// reported (syncCounts), once SQLite has synced its frames and before
	// it publishes them (pending, countPending), so that reads do not wait
	// out the fsync of a commit they cannot see.
	commits, applied atomic.Uint64
	pending          atomic.Bool
	syncCounts       bool
	hookKey          string // the database's name in walSyncHooks
	// committedHook, set by tests, runs between a COMMIT and the key
	// cache's update.
	committedHook func()
	// readBegins counts the read transactions begun.
	readBegins atomic.Int64

	nextID int64 // next collection id; guarded by wmu

	dirty    atomic.Bool // commits since the last WAL fsync
	syncStop chan struct{}
	syncDone chan struct{}
	level    atomic.Int32 // current Sync, changed by SetSync
	syncMu   sync.Mutex

	// Stats: commits, writes committed, keyspace hits/misses of reads, and
	// key-cache hits/misses of string reads.
	Commits, Writes, Hits, Misses atomic.Int64
	CacheHits, CacheMisses        atomic.Int64
	lastSave                      atomic.Int64
	closed                        atomic.Bool

	cache *keyCache // nil when Options.CacheBytes is 0

	// Checkpoints (checkpoint.go): the log's size in pages after the last
	// commit, as the WAL hook reports it; the background checkpointer's
	// wake-up; and how many checkpoints the background and the writer ran.
	walPages                       atomic.Int64
	ckpt                           chan struct{}
	ckptDone                       chan struct{}
	Checkpoints, WriterCheckpoints atomic.Int64
	// ckptMu is held by a background checkpoint from start to end, and by
	// SAVE and the idle checkpoint, which take it before wmu: SQLite lets
	// one checkpoint run at a time and fails the others at once.
	ckptMu sync.Mutex

	// laterIDs holds the collection ids with a write queued by later.
	laterIDs sync.Map
}

type job struct {
	fn      func(*Tx) error
	db      int
	err     error
	changed bool
	done    chan struct{} // buffered: the writer sends once when the job is done
}

// Open opens or creates the shard file at path. A file that is not a redisk
// shard, is corrupt, or was created with another shard layout is refused
// before anything is written to it.
func Open(path string, opt Options) (*Store, error) {
	if opt.Readers <= 0 {
		opt.Readers = runtime.GOMAXPROCS(0)
	}
	fi, statErr := os.Stat(path)
	fresh := errors.Is(statErr, os.ErrNotExist) || (statErr == nil && fi.Size() == 0)
	s := &Store{path: path, opt: opt, jobs: make(chan *job, maxBatch),
		quit: make(chan struct{}), wdone: make(chan struct{}),
		readers: make(chan *conn, opt.Readers),
		ckpt:    make(chan struct{}, 1), ckptDone: make(chan struct{})}
	if opt.CacheBytes > 0 {
		s.cache = newKeyCache(opt.CacheBytes)
	}
	if !fresh {
		if err := checkHeader(path); err != nil {
			return nil, err
		}
	}
	s.hookKey = walHookKey(path)
	walSyncHooks.Store(s.hookKey, s.countPending)
	wc, err := openConn(path, false, opt.Sync)
	if err != nil {
		walSyncHooks.Delete(s.hookKey)
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s.wc = wc
	wc.c.WALHook(func(_ *sqlite3.Conn, _ string, pages int) error {
		s.walPages.Store(int64(pages))
		return nil
	})
	s.wal = path + "-wal"
	if real, err := filepath.EvalSymlinks(path); err == nil {
		s.wal = real + "-wal"
	}
	if err := s.initSchema(fresh); err != nil {
		wc.close()
		walSyncHooks.Delete(s.hookKey)
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// The writer's log, open since the schema was written, reports its
	// syncs only if SQLite named the database as it was opened.
	if f, err := wc.c.FileControl("main", sqlite3.FCNTL_JOURNAL_POINTER); err == nil {
		if wf, ok := f.(*walFile); ok && wf.synced != nil {
			s.syncCounts = true
		}
	}
	s.lastSave.Store(time.Now().Unix())
	s.level.Store(int32(opt.Sync))
	go s.writer()
	go s.checkpointer()
	{
		s.syncStop, s.syncDone = make(chan struct{}), make(chan struct{})
		go s.syncLoop()
	}
	return s, nil
}

// checkHeader refuses files that are not SQLite databases written by redisk,
// without opening them for writing.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var hdr [100]byte
	n, _ := f.Read(hdr[:])
	if n == 0 {
		return nil // empty file: created but never written
	}
	if n < 100 || string(hdr[:16]) != "SQLite format 3\x00" {
		return fmt.Errorf("%s: %w: no SQLite header", path, ErrCorrupt)
	}
	id := uint32(hdr[68])<<24 | uint32(hdr[69])<<16 | uint32(hdr[70])<<8 | uint32(hdr[71])
	if id == 0 {
		// Files written before the header was checkpointed at creation may
		// carry it only in the WAL: ask SQLite, read-only.
		id = walAppID(path)
	}
	if id != appID {
		return fmt.Errorf("%s: %w: application_id %#x is not redisk's", path, ErrCorrupt, id)
	}
	return nil
}

// walAppID reads application_id through SQLite without writing the file.
func walAppID(path string) uint32 {
	if _, err := os.Stat(path + "-wal"); err != nil {
		return 0
	}
	c, err := sqlite3.OpenFlags(path, sqlite3.OPEN_READONLY)
	if err != nil {
		return 0
	}
	defer c.Close()
	st, _, err := c.Prepare("PRAGMA application_id")
	if err != nil {
		return 0
	}
	defer st.Close()
	if !st.Step() {
		return 0
	}
	return uint32(st.ColumnInt64(0))
}

func (s *Store) initSchema(fresh bool) error {
	c := s.wc.c
	if fresh {
		// One transaction, then a checkpoint: the header with redisk's
		// application_id is in the main file before anything else is written,
		// so a crash at any point leaves either nothing or a whole schema.
		if err := c.Exec("BEGIN;" + schema + fmt.Sprintf(`PRAGMA application_id=%d; PRAGMA user_version=%d;
			INSERT INTO meta(name,value) VALUES('shard',%d),('shards',%d),('next_id',1); COMMIT;`,
			appID, schemaVersion, s.opt.Shard, s.opt.Shards)); err != nil {
			return err
		}
		if err := c.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			return err
		}
	} else if err := s.migrate(); err != nil {
		return err
	}
	var shard, shards int64 = -1, -1
	st, _, err := c.Prepare("SELECT name, value FROM meta")
	if err != nil {
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	for st.Step() {
		switch st.ColumnText(0) {
		case "shard":
			shard = st.ColumnInt64(1)
		case "shards":
			shards = st.ColumnInt64(1)
		case "next_id":
			s.nextID = st.ColumnInt64(1)
		}
	}
	if err := st.Err(); err != nil {
		st.Close()
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	st.Close()
	if shards != int64(s.opt.Shards) || shard != int64(s.opt.Shard) {
		return fmt.Errorf("data folder was created with shards=%d (this file is shard %d); started with shards=%d: the shard count is fixed when the folder is created", shards, shard, s.opt.Shards)
	}
	return nil
}

// hasColumn reports whether table has column name.
func hasColumn(c *sqlite3.Conn, table, name string) bool {
	st, _, err := c.Prepare("SELECT 1 FROM pragma_table_info(?) WHERE name=?")
	if err != nil {
		return false
	}
	defer st.Close()
	st.BindText(1, table)
	st.BindText(2, name)
	return st.Step()
}

// migrate brings a file written by an older redisk to schemaVersion and
// refuses one written by a newer one.
func (s *Store) migrate() error {
	c := s.wc.c
	st, _, err := c.Prepare("PRAGMA user_version")
	if err != nil {
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	var v int64
	if st.Step() {
		v = st.ColumnInt64(0)
	}
	st.Close()
	switch {
	case v > schemaVersion:
		return fmt.Errorf("%s: written by a newer redisk (format %d, this one reads up to %d)", s.path, v, schemaVersion)
	case v < 2:
		// Sorted sets without rank levels (Meta.Lo = 0) count ranks, and
		// get levels once a rank query marks them (zwantRanks).
		if err := c.Exec("BEGIN;" + zlvlSchema + "PRAGMA user_version=2; COMMIT;"); err != nil {
			return err
		}
		fallthrough
	case v < 3:
		// Strings and list items already in their rows stay there until
		// rewritten.
		if err := c.Exec("BEGIN;" + strsSchema + addRef(c, "lists") + "PRAGMA user_version=3; COMMIT;"); err != nil {
			return err
		}
		fallthrough
	case v < 4:
		// Hash values move to strs when next written large.
		return c.Exec("BEGIN;" + addRef(c, "hashes") + "PRAGMA user_version=4; COMMIT;")
	}
	return nil
}

// addRef is the statement that gives table the ref column pointing into
// strs, or "" when it has one (a file whose upgrade was interrupted).
func addRef(c *sqlite3.Conn, table string) string {
	if hasColumn(c, table, "ref") {
		return ""
	}
	return "ALTER TABLE " + table + " ADD COLUMN ref INTEGER;"
}

const schema = `
CREATE TABLE meta (name TEXT PRIMARY KEY, value ANY) WITHOUT ROWID;
CREATE TABLE dbstats (db INTEGER PRIMARY KEY, keys INTEGER NOT NULL, expires INTEGER NOT NULL);
CREATE TABLE keys (
	db   INTEGER NOT NULL,
	h    INTEGER NOT NULL, -- 32-bit hash of key: the SCAN order
	key  BLOB NOT NULL,
	type INTEGER NOT NULL,
	exp  INTEGER,          -- unix ms, NULL when persistent
	id   INTEGER,          -- collection id for the member tables
	val  BLOB,             -- string value
	n    INTEGER,          -- collection size
	lo   INTEGER,          -- list: position of the head item
	hi   INTEGER,          -- list: position of the tail item
	PRIMARY KEY (db, h, key)
) WITHOUT ROWID;
CREATE INDEX keys_exp ON keys(exp) WHERE exp IS NOT NULL;
CREATE TABLE lists (id INTEGER NOT NULL, pos INTEGER NOT NULL, val BLOB NOT NULL, ref INTEGER, PRIMARY KEY (id, pos)) WITHOUT ROWID;
-- Members are ordered by a 32-bit hash h of the member (field) first, like
-- keys: HSCAN/SSCAN/ZSCAN cursors are hashes, and a random seek on h picks a
-- near-uniform random member in O(log n).
CREATE TABLE hashes (id INTEGER NOT NULL, h INTEGER NOT NULL, field BLOB NOT NULL, val BLOB NOT NULL, ref INTEGER, PRIMARY KEY (id, h, field)) WITHOUT ROWID;
CREATE TABLE sets (id INTEGER NOT NULL, h INTEGER NOT NULL, member BLOB NOT NULL, PRIMARY KEY (id, h, member)) WITHOUT ROWID;
CREATE TABLE zsets (id INTEGER NOT NULL, h INTEGER NOT NULL, member BLOB NOT NULL, score REAL NOT NULL, PRIMARY KEY (id, h, member)) WITHOUT ROWID;
CREATE INDEX zsets_score ON zsets(id, score, member);
` + zlvlSchema + strsSchema

// zlvlSchema is the sorted sets' rank index (see zrank.go), added in schema
// version 2.
const zlvlSchema = `
CREATE TABLE IF NOT EXISTS zlvl (id INTEGER NOT NULL, lvl INTEGER NOT NULL, score REAL NOT NULL, member BLOB NOT NULL, c INTEGER NOT NULL, PRIMARY KEY (id, lvl, score, member)) WITHOUT ROWID;
`

// strsSchema holds the string values too large for a keys row (see
// bigString), added in schema version 3. A rowid table keeps up to ~4 KB
// of a row in its leaf page, where a keys row (WITHOUT ROWID) over ~1 KB
// moves its tail to an overflow page of its own: 4.7 KB on disk for every
// value of 1 to 4 KB.
const strsSchema = `
CREATE TABLE IF NOT EXISTS strs (id INTEGER PRIMARY KEY, val BLOB NOT NULL);
`

// conn is a SQLite connection with its prepared statements.
type conn struct {
	c     *sqlite3.Conn
	stmts map[string]*sqlite3.Stmt
	// A read connection's transaction is open, and snap was Store.snap
	// before it began; busy is when the read using it began (unix ns, 0
	// while it is idle in the pool).
	open bool
	snap uint64
	busy atomic.Int64
}

func openConn(path string, readonly bool, sync Sync) (*conn, error) {
	flags := sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE | sqlite3.OPEN_NOMUTEX | sqlite3.OPEN_URI
	if readonly {
		flags = sqlite3.OPEN_READONLY | sqlite3.OPEN_NOMUTEX | sqlite3.OPEN_URI
	}
	c, err := sqlite3.OpenFlags(shardURI(path), flags)
	if err != nil {
		return nil, err
	}
	// The query planner stability guarantee: plans never depend on bound
	// values, so rebinding never forces a re-prepare (without it, a query
	// with ORDER BY and "id=?" is compiled again whenever id changes).
	if _, err := c.Config(sqlite3.DBCONFIG_ENABLE_QPSG, true); err != nil {
		c.Close()
		return nil, err
	}
	// SQLite's page cache, per connection and never given back: the OS
	// caches the file too, so it holds little more than the B-trees'
	// upper levels. With 16 MB each, 4 shards' connections took the RSS
	// to 560 MB on random GETs over 1M keys; at 8 MB (writer) and 4 MB
	// (readers) GET throughput was the same within noise.
	cacheKB := 8000
	if readonly {
		cacheKB = 4000
	}
	pragmas := fmt.Sprintf("PRAGMA busy_timeout=%d; PRAGMA cache_size=-%d; PRAGMA temp_store=MEMORY;", BusyTimeout.Milliseconds(), cacheKB)

	if readonly {
		pragmas += "PRAGMA query_only=1;"
	} else {
		// No automatic checkpoint: the store runs them (checkpoint.go). A
		// log that starts over is cut back to 160 MB, about what it reaches
		// between checkpoints under load, so that it is not cut and grown
		// again at each one.
		pragmas += "PRAGMA journal_mode=WAL; PRAGMA journal_size_limit=167772160; PRAGMA wal_autocheckpoint=0;"
		if sync == SyncAlways {
			pragmas += "PRAGMA synchronous=FULL;"
		} else {
			pragmas += "PRAGMA synchronous=NORMAL;"
		}
	}
	if err := c.Exec(pragmas); err != nil {
		c.Close()
		if errors.Is(err, sqlite3.NOTADB) || errors.Is(err, sqlite3.CORRUPT) {
			return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		return nil, err
	}
	return &conn{c: c, stmts: map[string]*sqlite3.Stmt{}}, nil
}

func (c *conn) stmt(sql string) *sqlite3.Stmt {
	if st, ok := c.stmts[sql]; ok {
		return st
	}
	st, _, err := c.c.PrepareFlags(sql, sqlite3.PREPARE_PERSISTENT)
	if err != nil {
		panic(&Internal{fmt.Errorf("prepare %q: %w", sql, err)})
	}
	c.stmts[sql] = st
	return st
}

func (c *conn) exec(sql string) error {
	st := c.stmt(sql)
	err := st.Exec()
	st.Reset()
	return err
}

func (c *conn) close() {
	for _, st := range c.stmts {
		st.Close()
	}
	c.c.Close()
}

// Write runs fn in a write transaction and returns once the transaction that
// holds it has committed. Writes from many callers share one commit.
// fn must check everything that can fail before it changes anything.
func (s *Store) Write(db int, fn func(*Tx) error) error {
	_, err := s.WriteC(db, fn)
	return err
}

// WriteC is Write that also reports whether fn changed anything.
func (s *Store) WriteC(db int, fn func(*Tx) error) (changed bool, err error) {
	return s.WriteQueued(db, fn, nil)
}

// WriteQueued is WriteC that calls queued (if not nil) once the write is in
// the writer's queue: writes queued by one goroutine run in queue order.
func (s *Store) WriteQueued(db int, fn func(*Tx) error, queued func()) (changed bool, err error) {
	j := jobs.Get().(*job)
	j.fn, j.db = fn, db
	s.jobs <- j
	if queued != nil {
		queued()
	}
	<-j.done
	changed, err = j.changed, j.err
	*j = job{done: j.done}
	jobs.Put(j)
	return changed, err
}

// jobs recycles write jobs and their done channels (one of each per write).
var jobs = sync.Pool{New: func() any { return &job{done: make(chan struct{}, 1)} }}

func (s *Store) writer() {
	defer close(s.wdone)
	batch := make([]*job, 0, 64)
	for {
		var j *job
		select {
		case j = <-s.jobs:
		case <-s.quit:
			return
		}
		batch = Gather(s.jobs, j, batch[:0], maxBatch)
		s.wmu.Lock()
		s.runBatch(batch)
		s.wmu.Unlock()
		for _, j := range batch {
			j.done <- struct{}{} // j belongs to its caller again
		}
	}
}

// Gather returns batch with first and then what else is queued in ch, up
// to max items: the batch a group commit takes. When nothing else is queued
// yet it first lets the goroutines that are ready to run (connections with
// a request read) queue theirs: without this a writer wakes for each single
// write and commits it alone (1.15 writes per commit at 50 unpipelined
// clients, 7.7 with it).
func Gather[T any](ch <-chan T, first T, batch []T, max int) []T {
	batch = append(batch, first)
	if len(ch) == 0 {
		runtime.Gosched()
	}
	for len(batch) < max {
		select {
		case x := <-ch:
			batch = append(batch, x)
		default:
			return batch
		}
	}
	return batch
}

// runBatch runs jobs in one transaction; if storage fails under one of them,
// the batch is rolled back and each job retried in a transaction of its own.
func (s *Store) runBatch(batch []*job) {
	tx := s.begin()
	failed := false
	for _, j := range batch {
		tx.DB = j.db
		before := tx.changed
		tx.changed = false
		j.err = tx.run(j.fn)
		j.changed = tx.changed
		tx.changed = tx.changed || before
		if _, ok := j.err.(*Internal); ok {
			failed = true
			break
		}
	}
	if !failed {
		if err := tx.commit(); err == nil {
			s.Writes.Add(int64(len(batch)))
			return
		} else if len(batch) == 1 {
			batch[0].err = err
			return
		}
	} else {
		tx.rollback()
	}
	if len(batch) == 1 {
		return
	}
	for _, j := range batch {
		tx := s.begin()
		tx.DB = j.db
		j.err = tx.run(j.fn)
		j.changed = tx.changed
		if j.err != nil {
			if _, ok := j.err.(*Internal); ok {
				tx.rollback()
				continue
			}
		}
		if err := tx.commit(); err != nil {
			j.err = err
		}
	}
}

// later runs fn in a write transaction of its own that nothing waits for
// (work a read found wanting, such as a sorted set's rank levels), at most
// one at a time for the collection id; fn must check that what it is about
// still holds. It is dropped if the store closes first.
func (s *Store) later(db int, id int64, fn func(*Tx) error) {
	if s.closed.Load() {
		return
	}
	if _, queued := s.laterIDs.LoadOrStore(id, true); queued {
		return
	}
	go func() {
		defer s.laterIDs.Delete(id)
		j := &job{fn: fn, db: db, done: make(chan struct{}, 1)}
		select {
		case s.jobs <- j:
		case <-s.quit:
			return
		}
		select {
		case <-j.done:
			if j.err != nil {
				slog.Warn("background write failed", "path", s.path, "err", j.err)
			}
		case <-s.wdone: // closed before it ran
		}
	}()
}

// Exclusive locks the writer and opens a write transaction on it, for work
// that spans shards. End the transaction with Commit or Rollback.
func (s *Store) Exclusive(db int) *Tx {
	s.wmu.Lock()
	tx := s.begin()
	tx.DB = db
	return tx
}

func (s *Store) begin() *Tx {
	tx := &Tx{s: s, c: s.wc, write: true, Now: time.Now().UnixMilli(), nextID: s.nextID}
	if err := s.wc.exec("BEGIN IMMEDIATE"); err != nil {
		tx.beginErr = &Internal{err}
	}
	return tx
}

// Read runs fn in a read transaction on a pooled read connection, taken
// when fn first needs one. It sees everything committed before it started.
func (s *Store) Read(db int, fn func(*Tx) error) error {
	return s.read(&Tx{s: s, DB: db, Now: time.Now().UnixMilli()}, fn)
}

// ReadKey is Read for fn that reads one key only: string values may come
// from the key cache, without a read transaction.
// fn must not keep tx: it is reused.
func (s *Store) ReadKey(db int, fn func(*Tx) error) error {
	tx := readTxs.Get().(*Tx)
	*tx = Tx{s: s, DB: db, Now: time.Now().UnixMilli()}
	if s.cache != nil {
		tx.cacheOK, tx.cacheTok = true, s.cache.token()
	}
	err := s.read(tx, fn)
	*tx = Tx{}
	readTxs.Put(tx)
	return err
}

// readTxs recycles single-key read transactions, the most frequent
// allocation of a read-heavy load.
var readTxs = sync.Pool{New: func() any { return new(Tx) }}

// CacheStats reports the key cache's size.
func (s *Store) CacheStats() CacheStats { return s.cache.stats() }

// IdleCheckpoint is how long a shard must go without a commit before its
// write-ahead log is copied into the main file and truncated, so an idle
// server's files hold no more than its data. (Between checkpoints the log
// may grow to about 160 MB per shard: CheckpointPages is 30,000 pages,
// plus what is committed while the checkpoint runs.)
var IdleCheckpoint = 5 * time.Second

// syncLoop fsyncs the log every second at "everysec" and checkpoints the log
// of a shard that has gone IdleCheckpoint without a commit.
func (s *Store) syncLoop() {
	defer close(s.syncDone)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	seen, quietSince, checkpointed := s.Commits.Load(), time.Now(), s.Commits.Load()
	for {
		select {
		case now := <-t.C:
			if Sync(s.level.Load()) == SyncEverysec {
				s.SyncWAL()
			}
			s.endIdle(false)
			if c := s.Commits.Load(); c != seen {
				seen, quietSince = c, now
			} else if c != checkpointed && now.Sub(quietSince) >= IdleCheckpoint && s.tryCheckpoint() {
				checkpointed = c
			}
		case <-s.syncStop:
			return
		}
	}
}

// tryCheckpoint checkpoints and truncates the log unless a write
// transaction is running or a read holds part of the log (it waits for
// neither: the writer would wait with it). It reports whether it did.
func (s *Store) tryCheckpoint() bool {
	if !s.ckptMu.TryLock() {
		return false
	}
	defer s.ckptMu.Unlock()
	if !s.wmu.TryLock() {
		return false
	}
	defer s.wmu.Unlock()
	done, err := s.truncateLog(false)
	if err != nil {
		slog.Warn("idle checkpoint failed", "path", s.path, "err", err)
	}
	return done
}

// BusyTimeout is how long a connection waits for a lock another one holds,
// set on the connections a Store opens (a variable so that tests can shorten
// it).
var BusyTimeout = 10 * time.Second

// truncateLog copies the whole log into the file and truncates it, on the
// writer (the caller holds wmu), after ending the kept read snapshots. It
// reports whether it did: not when a read in flight still holds part of
// the log, after waiting for it for BusyTimeout when wait, not at all
// otherwise (the callers hold ckptMu, so no other checkpoint runs). SQLite reports
// those as a result row of PRAGMA wal_checkpoint, not as an error: SAVE
// and the idle checkpoint used to take them for success.
func (s *Store) truncateLog(wait bool) (bool, error) {
	var busy func(context.Context, int) bool
	if !wait {
		busy = func(context.Context, int) bool { return false }
	}
	err := s.writerWALCheckpoint(sqlite3.CHECKPOINT_TRUNCATE, busy)
	if errors.Is(err, sqlite3.BUSY) {
		return false, nil
	}
	return err == nil, err
}

// writerWALCheckpoint checkpoints the log in mode on the writer (the caller
// holds wmu) after ending the kept read snapshots, with busy as the
// connection's busy handler meanwhile (nil: its BusyTimeout). SQLite's
// BUSY means a read or another checkpoint kept it from finishing.
func (s *Store) writerWALCheckpoint(mode sqlite3.CheckpointMode, busy func(context.Context, int) bool) error {
	defer s.holdOff()() // and snapshots begun before it end (readers.go)
	if busy != nil {
		if err := s.wc.c.BusyHandler(busy); err != nil {
			return err
		}
		defer s.wc.c.BusyTimeout(BusyTimeout)
	}
	_, _, err := s.wc.c.WALCheckpoint("main", mode)
	return err
}

// SyncWAL fsyncs the write-ahead log if anything was committed since the last sync.
func (s *Store) SyncWAL() {
	if !s.dirty.Swap(false) {
		return
	}
	if err := s.fsyncWAL(); err != nil {
		slog.Error("wal sync failed", "path", s.path, "err", err)
		s.dirty.Store(true)
	}
}

// fsyncWAL fsyncs the write-ahead log, if there is one.
func (s *Store) fsyncWAL() error {
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	f, err := os.Open(s.wal)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// SetSync changes the durability level of a running store (CONFIG SET
// appendfsync). Writes committed before it keep the guarantee they had.
func (s *Store) SetSync(level Sync) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	mode := "NORMAL"
	if level == SyncAlways {
		mode = "FULL"
	}
	if err := s.wc.exec("PRAGMA synchronous=" + mode); err != nil {
		return err
	}
	s.level.Store(int32(level))
	if level != SyncNo {
		// Leaving "no": make what was written so far durable now.
		s.dirty.Store(true)
		s.SyncWAL()
	}
	return nil
}

// Checkpoint makes everything committed durable (SAVE): it copies the WAL
// into the main file, fsyncs it and truncates the WAL. When a read in
// flight holds part of the WAL past BusyTimeout, what it could copy is
// copied and the WAL, which keeps the rest, is fsynced instead. A
// background checkpoint that is running is waited for.
func (s *Store) Checkpoint() error {
	_, err := s.save()
	return err
}

// save is Checkpoint; it reports whether the log was truncated.
func (s *Store) save() (truncated bool, err error) {
	s.ckptMu.Lock() // a background checkpoint running finishes first
	defer s.ckptMu.Unlock()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	truncated, err = s.truncateLog(true)
	if err == nil && !truncated {
		if err = s.fsyncWAL(); err == nil {
			s.dirty.Store(false)
		}
	}
	if err == nil {
		s.lastSave.Store(time.Now().Unix())
	}
	return truncated, err
}

// LastSave is the unix time of the last checkpoint.
func (s *Store) LastSave() int64 { return s.lastSave.Load() }

// Path is the shard file's path.
func (s *Store) Path() string { return s.path }

// Close stops the writer after the pending writes, syncs and closes the file.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	// Let queued jobs finish: the writer drains before it sees quit only if
	// nothing is queued, so wait for an empty queue first.
	for len(s.jobs) > 0 {
		time.Sleep(time.Millisecond)
	}
	close(s.quit)
	<-s.wdone
	<-s.ckptDone
	if s.syncStop != nil {
		close(s.syncStop)
		<-s.syncDone
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	defer s.holdOff()() // a read that ends now ends its transaction too
	for _, c := range s.takeIdle() {
		c.close()
	}
	s.wc.exec("PRAGMA wal_checkpoint(TRUNCATE)")
	s.wc.close()
	walSyncHooks.Delete(s.hookKey)
	return nil
}

// countPending counts the commit in flight, if it has not been (commits).
func (s *Store) countPending() {
	if s.pending.CompareAndSwap(true, false) {
		s.commits.Add(1)
	}
}

// Meta returns a value stored in the shard's meta table ("" when absent).
func (s *Store) Meta(name string) string {
	var out string
	s.Read(0, func(tx *Tx) error {
		st := tx.bind("SELECT value FROM meta WHERE name=?", name)
		if tx.step(st) {
			out = st.ColumnText(0)
			done(st)
		}
		return nil
	})
	return out
}

// SetMeta stores a value in the shard's meta table.
func (tx *Tx) SetMeta(name, value string) {
	tx.exec("INSERT INTO meta(name, value) VALUES(?,?) ON CONFLICT DO UPDATE SET value=excluded.value", name, value)
}

package shard

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"redisk/engine"
)

// Set is the whole keyspace: one engine.Store per shard, chosen by slot
// range. Isolation across shards: every command holds mu shared, except
// commands that touch more than one shard, which hold it exclusively. A
// single-shard command is atomic by its SQLite transaction; a multi-shard
// one runs while nothing else runs, and commits shard by shard.
type Set struct {
	stores []*engine.Store
	lock   *os.File // the data folder's lock (lockDir)
	mu     sync.RWMutex
	dbmap  []int // logical database -> physical (SWAPDB)

	stop  chan struct{}
	wg    sync.WaitGroup
	xjobs chan *xjob // multi-shard commands for the grouper
	// workers run the per-shard parts of multi-shard commands, one
	// long-lived goroutine per shard (onShards).
	workers []chan func()

	// ExpiredKeys counts keys deleted by the active expiry sweep.
	ExpiredKeys atomic.Int64

	// OnChange, when set, runs after a write that changed data commits and
	// before any other command can run on those keys; keys nil means any
	// key of any database (FLUSHALL, SWAPDB). WATCH uses it.
	OnChange func(db int, keys [][]byte)
}

// crashBetweenCommits (REDISK_TEST_CRASH_BETWEEN_COMMITS=1) kills the
// process with SIGKILL right after the first shard of a multi-shard commit,
// so that tests can check what such a crash leaves behind (see README).
var crashBetweenCommits = os.Getenv("REDISK_TEST_CRASH_BETWEEN_COMMITS") == "1"

// Options configure Open.
type Options struct {
	Dir       string
	Shards    int
	Databases int
	Sync      engine.Sync
	// CacheBytes bounds the key caches of all shards together (0: none).
	CacheBytes int64
}

// Open opens (or creates) the shard files in dir.
func Open(o Options) (*Set, error) {
	if o.Shards < 1 || o.Shards > 1024 {
		return nil, fmt.Errorf("shards must be between 1 and 1024, got %d", o.Shards)
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, err
	}
	lock, err := lockDir(o.Dir)
	if err != nil {
		return nil, err
	}
	// Refuse a folder created with another shard count before touching anything.
	existing, _ := filepath.Glob(filepath.Join(o.Dir, "shard-*.db"))
	if len(existing) > 0 && len(existing) != o.Shards {
		lock.Close()
		return nil, fmt.Errorf("data folder %s holds %d shard files; started with shards=%d: the shard count is fixed when the folder is created", o.Dir, len(existing), o.Shards)
	}
	s := &Set{stop: make(chan struct{}), xjobs: make(chan *xjob, maxGroup), lock: lock}
	for i := 0; i < o.Shards; i++ {
		st, err := engine.Open(filepath.Join(o.Dir, fmt.Sprintf("shard-%04d.db", i)), engine.Options{Shard: i, Shards: o.Shards, Sync: o.Sync, CacheBytes: o.CacheBytes / int64(o.Shards)})
		if err != nil {
			for _, st := range s.stores {
				st.Close()
			}
			lock.Close()
			return nil, err
		}
		s.stores = append(s.stores, st)
	}
	s.dbmap = make([]int, o.Databases)
	for i := range s.dbmap {
		s.dbmap[i] = i
	}
	if m := s.stores[0].Meta("dbmap"); m != "" {
		for i, f := range strings.Split(m, ",") {
			if n, err := strconv.Atoi(f); err == nil && i < len(s.dbmap) {
				s.dbmap[i] = n
			}
		}
	}
	for _, st := range s.stores {
		s.wg.Add(1)
		go s.sweep(st)
	}
	s.workers = make([]chan func(), len(s.stores))
	for i := range s.workers {
		s.workers[i] = make(chan func())
		go func() {
			for f := range s.workers[i] {
				f()
			}
		}()
	}
	s.wg.Add(1)
	go s.grouper()
	return s, nil
}

// onShards runs fn(sh) for every shard sh of shards, each on that shard's
// worker, and returns once all have returned. The workers are long-lived
// so that their stacks stay grown: a goroutine started for each shard of
// each group (as this used to be) grew its stack for SQLite's calls every
// time, 3 % of the CPU of MSET.
func (s *Set) onShards(shards []int, fn func(sh int)) {
	var wg sync.WaitGroup
	wg.Add(len(shards))
	for _, sh := range shards {
		s.workers[sh] <- func() {
			defer wg.Done()
			fn(sh)
		}
	}
	wg.Wait()
}

// Close stops the sweepers and closes every shard after its pending writes.
func (s *Set) Close() error {
	close(s.stop)
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, w := range s.workers {
		close(w)
	}
	var errs []error
	for _, st := range s.stores {
		errs = append(errs, st.Close())
	}
	errs = append(errs, s.lock.Close())
	return errors.Join(errs...)
}

// lockDir locks the data folder itself (flock on the directory, so no file
// is added to it) for as long as the returned file is open, or says that
// another process holds it: a second server on the same folder is refused,
// as its writes would bypass the first one's caches and counts.
func lockDir(dir string) (*os.File, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("data folder %s is in use by another redisk server", dir)
		}
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return f, nil
}

// Stores returns the shard files, in shard order.
func (s *Set) Stores() []*engine.Store { return s.stores }

// Databases is the number of logical databases.
func (s *Set) Databases() int { return len(s.dbmap) }

// ShardOf returns the shard index of key.
func (s *Set) ShardOf(key []byte) int { return Slot(key) * len(s.stores) / SlotCount }

// Read runs fn in a read transaction on key's shard.
func (s *Set) Read(db int, key []byte, fn func(*engine.Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.stores[s.ShardOf(key)].ReadKey(s.dbmap[db], fn)
}

// Write runs fn in a write transaction on key's shard and returns after commit.
func (s *Set) Write(db int, key []byte, fn func(*engine.Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	changed, err := s.stores[s.ShardOf(key)].WriteC(s.dbmap[db], fn)
	if changed && s.OnChange != nil {
		s.OnChange(db, [][]byte{key})
	}
	return err
}

// WriteQueued is Write that calls queued as soon as the write has entered
// its shard's queue, before it commits: a pipeline uses it to submit the
// next command while this one waits for its commit.
func (s *Set) WriteQueued(db int, key []byte, fn func(*engine.Tx) error, queued func()) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	changed, err := s.stores[s.ShardOf(key)].WriteQueued(s.dbmap[db], fn, queued)
	if changed && s.OnChange != nil {
		s.OnChange(db, [][]byte{key})
	}
	return err
}

// Multi gives a command that touches several keys a transaction on each
// shard it uses. In a single-shard run it holds that shard's transaction;
// in an exclusive run (every other command waits) shards are opened as the
// command first touches them and committed together at the end.
type Multi struct {
	set    *Set
	db     int
	one    *engine.Tx
	oneIdx int
	txs    map[int]*engine.Tx
	dbmap  []int // the map before a Swap, restored on rollback
	// touched, when set by Touch, replaces the default change report
	// (every key of the command's database) with exact keys per database.
	touched map[int][][]byte
}

// Touch reports keys of logical database db as changed by this command,
// in place of the default report (FLUSHDB and SWAPDB name exactly the
// watched keys they affect).
func (m *Multi) Touch(db int, keys ...[]byte) {
	if m.touched == nil {
		m.touched = map[int][][]byte{}
	}
	m.touched[db] = append(m.touched[db], keys...)
}

// Tx returns the transaction for key's shard, addressing the current database.
func (m *Multi) Tx(key []byte) *engine.Tx { return m.Shard(m.set.ShardOf(key)) }

// Shard returns the transaction on shard i.
func (m *Multi) Shard(i int) *engine.Tx {
	if m.one != nil {
		if i != m.oneIdx {
			panic(&engine.Internal{Err: fmt.Errorf("shard %d used by a command declared on shard %d", i, m.oneIdx)})
		}
		m.one.DB = m.set.dbmap[m.db]
		return m.one
	}
	tx := m.txs[i]
	if tx == nil {
		tx = m.set.stores[i].Exclusive(0)
		m.txs[i] = tx // rollback ends it, whatever happens next
		if err := tx.BeginErr(); err != nil {
			// The command calls tx's methods directly: without this they
			// would run outside a transaction, each statement committed
			// at once and none of it in the key cache. runMulti turns the
			// panic into the command's error and the run is rolled back.
			panic(err)
		}
	}
	tx.DB = m.set.dbmap[m.db]
	return tx
}

// Shards is the number of shards.
func (m *Multi) Shards() int { return len(m.set.stores) }

// SetDB changes the logical database later calls address (SELECT in MULTI).
func (m *Multi) SetDB(db int) { m.db = db }

// PhysDB maps a logical database number to the stored one.
func (m *Multi) PhysDB(db int) int { return m.set.dbmap[db] }

// Exclusive reports whether every other command waits for this one, so
// that any shard may be used.
func (m *Multi) Exclusive() bool { return m.one == nil }

// Swap exchanges two logical databases (SWAPDB); exclusive runs only. The
// map lives in shard 0's meta table.
func (m *Multi) Swap(a, b int) {
	if m.one != nil {
		panic(&engine.Internal{Err: fmt.Errorf("SWAPDB outside an exclusive run")})
	}
	if m.dbmap == nil {
		m.dbmap = slices.Clone(m.set.dbmap)
	}
	d := m.set.dbmap
	d[a], d[b] = d[b], d[a]
	parts := make([]string, len(d))
	for i, v := range d {
		parts[i] = strconv.Itoa(v)
	}
	m.Shard(0).SetMeta("dbmap", strings.Join(parts, ","))
}

// Keys runs fn with transactions on the shards of keys. When all keys share
// a shard this is one ordinary transaction (group-committed when write);
// otherwise fn runs in a group of multi-shard commands while every other
// command waits, and the group's shards commit (grouper). Either way fn
// must check everything that can fail before it changes anything: an
// error it returns does not undo its changes (a storage failure, which
// panics with *engine.Internal, does).
func (s *Set) Keys(db int, keys [][]byte, write bool, fn func(*Multi) error) error {
	shards := s.shardsOf(keys)
	if len(shards) <= 1 {
		i := 0
		if len(shards) == 1 {
			i = shards[0]
		}
		run := func(tx *engine.Tx) error { return fn(&Multi{set: s, db: db, one: tx, oneIdx: i}) }
		s.mu.RLock()
		defer s.mu.RUnlock()
		if !write {
			return s.stores[i].Read(s.dbmap[db], run)
		}
		changed, err := s.stores[i].WriteC(s.dbmap[db], run)
		if changed && s.OnChange != nil {
			s.OnChange(db, keys)
		}
		return err
	}
	j := &xjob{db: db, keys: keys, fn: fn, done: make(chan struct{})}
	s.xjobs <- j
	<-j.done
	return j.err
}

// WriteEach runs fn(tx, i) for each key i of keys, in order, tx being a
// write transaction on the shard of keys[i]; the whole is atomic and
// isolated like a Keys write (MSET, DEL). The calls for different shards
// run in parallel, each shard's in key order, so fn may use only tx and
// what belongs to key i. fn is per-key work that does not fail: an error
// it returns stops that shard's later calls for the command and is
// returned, but the other shards' calls run regardless (a storage panic,
// *engine.Internal, rolls everything back).
func (s *Set) WriteEach(db int, keys [][]byte, fn func(tx *engine.Tx, i int) error) error {
	seq := func(m *Multi) error {
		for i, k := range keys {
			if err := fn(m.Tx(k), i); err != nil {
				return err
			}
		}
		return nil
	}
	if len(s.shardsOf(keys)) <= 1 {
		return s.Keys(db, keys, true, seq)
	}
	j := &xjob{db: db, keys: keys, fn: seq, each: fn, done: make(chan struct{})}
	s.xjobs <- j
	<-j.done
	return j.err
}

// xjob is a multi-shard command waiting for its group.
type xjob struct {
	db   int
	keys [][]byte
	fn   func(*Multi) error
	// each, when set, is the command as per-key work (WriteEach), which
	// lets a group run its shards in parallel; fn does the same in order.
	each func(*engine.Tx, int) error
	err  error
	done chan struct{}
}

// maxGroup bounds how many multi-shard commands share one exclusive run.
const maxGroup = 256

// grouper runs multi-shard commands in groups: everything queued while a
// group runs shares the next one, which takes the exclusive lock once,
// runs the commands one after the other in the same shard transactions and
// commits each shard once. (One MSET of 10 random keys used to take the
// lock and commit 4 files on its own.)
func (s *Set) grouper() {
	defer s.wg.Done()
	batch := make([]*xjob, 0, 16)
	for {
		var j *xjob
		select {
		case j = <-s.xjobs:
		case <-s.stop:
			select {
			case j = <-s.xjobs: // still serve what is queued
			default:
				return
			}
		}
		batch = engine.Gather(s.xjobs, j, batch[:0], maxGroup)
		s.mu.Lock()
		s.runGroup(batch)
		s.mu.Unlock()
		for _, j := range batch {
			close(j.done)
		}
	}
}

// runGroup runs a group of multi-shard commands (the caller holds mu). If
// storage fails under one of them, the group is rolled back and each
// command run on its own.
func (s *Set) runGroup(batch []*xjob) {
	if !slices.ContainsFunc(batch, func(j *xjob) bool { return j.each == nil }) {
		s.runEach(batch)
		return
	}
	if len(batch) == 1 {
		batch[0].err = s.exclusive(batch[0].db, batch[0].keys, batch[0].fn)
		return
	}
	m := &Multi{set: s, txs: map[int]*engine.Tx{}}
	type change struct {
		db      int
		keys    [][]byte
		touched map[int][][]byte
	}
	var changes []change
	for _, j := range batch {
		m.db, m.touched = j.db, nil
		before := m.changes()
		err := runMulti(m, j.fn)
		if _, ok := err.(*engine.Internal); ok {
			m.rollback()
			for _, j := range batch {
				j.err = s.exclusive(j.db, j.keys, j.fn)
			}
			return
		}
		j.err = err
		if m.changes() != before {
			changes = append(changes, change{j.db, j.keys, m.touched})
		}
	}
	if err := m.commit(); err != nil {
		for _, j := range batch {
			if j.err == nil {
				j.err = err
			}
		}
	}
	for _, c := range changes {
		s.reportChange(c.db, c.keys, c.touched, true)
	}
}

// runEach runs a group of WriteEach commands with a goroutine per shard:
// each shard's transaction takes the group's keys on that shard in order
// (the outcome of running the commands one after the other, as no call
// reads another shard), then the shards commit. If storage fails on a
// shard, every shard rolls back and each command runs on its own.
func (s *Set) runEach(batch []*xjob) {
	type item struct{ job, i int }
	items := map[int][]item{}
	for n, j := range batch {
		for i, k := range j.keys {
			sh := s.ShardOf(k)
			items[sh] = append(items[sh], item{n, i})
		}
	}
	m := &Multi{set: s, txs: map[int]*engine.Tx{}}
	for _, sh := range slices.Sorted(maps.Keys(items)) {
		m.txs[sh] = s.stores[sh].Exclusive(0)
	}
	// Per shard: each job's first error there and whether it changed data.
	type outcome struct {
		errs    []error
		changed []bool
	}
	results := make(map[int]*outcome, len(items))
	for sh := range items {
		results[sh] = &outcome{make([]error, len(batch)), make([]bool, len(batch))}
	}
	var failed atomic.Bool
	s.onShards(slices.Sorted(maps.Keys(items)), func(sh int) {
		tx, res := m.txs[sh], results[sh]
		for _, it := range items[sh] {
			j := batch[it.job]
			if res.errs[it.job] != nil {
				continue
			}
			tx.DB = s.dbmap[j.db]
			before := tx.Changes()
			err := tx.Run(func(tx *engine.Tx) error { return j.each(tx, it.i) })
			if _, ok := err.(*engine.Internal); ok {
				failed.Store(true)
				return
			}
			res.errs[it.job] = err
			res.changed[it.job] = res.changed[it.job] || tx.Changes() != before
		}
	})
	if failed.Load() {
		m.rollback()
		for _, j := range batch {
			j.err = s.exclusive(j.db, j.keys, j.fn)
		}
		return
	}
	order := m.order()
	changed := make([]bool, len(batch))
	for n, j := range batch {
		for _, sh := range order {
			if r := results[sh]; j.err == nil && r.errs[n] != nil {
				j.err = r.errs[n]
			}
			changed[n] = changed[n] || results[sh].changed[n]
		}
	}
	if err := m.commit(); err != nil {
		for _, j := range batch {
			if j.err == nil {
				j.err = err
			}
		}
	}
	for n, j := range batch {
		s.reportChange(j.db, j.keys, nil, changed[n])
	}
}

// runMulti calls fn, turning a panic into *engine.Internal.
func runMulti(m *Multi, fn func(*Multi) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			ie, ok := r.(*engine.Internal)
			if !ok {
				ie = &engine.Internal{Err: fmt.Errorf("panic: %v", r)}
				slog.Error("panic in multi-shard command", "panic", r)
			}
			err = ie
		}
	}()
	return fn(m)
}

// All runs fn while nothing else runs; shards are opened as fn uses them
// (FLUSHALL, SWAPDB, EXEC of keyless commands…).
func (s *Set) All(db int, fn func(*Multi) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.exclusive(db, nil, fn)
}

func (s *Set) exclusive(db int, keys [][]byte, fn func(*Multi) error) error {
	m := &Multi{set: s, db: db, txs: map[int]*engine.Tx{}}
	if err := runMulti(m, fn); err != nil {
		m.rollback()
		return err
	}
	changed := m.changes() > 0
	err := m.commit()
	s.reportChange(db, keys, m.touched, changed)
	return err
}

// order lists the shards m opened, ascending.
func (m *Multi) order() []int {
	order := make([]int, 0, len(m.txs))
	for i := range m.txs {
		order = append(order, i)
	}
	slices.Sort(order)
	return order
}

// changes counts the changes made in m's transactions so far.
func (m *Multi) changes() int {
	n := 0
	for _, tx := range m.txs {
		n += tx.Changes()
	}
	return n
}

// rollback discards an exclusive run's transactions (and a SWAPDB's map).
func (m *Multi) rollback() {
	for _, i := range m.order() {
		m.txs[i].Rollback()
	}
	if m.dbmap != nil {
		m.set.dbmap = m.dbmap
	}
	m.txs = map[int]*engine.Tx{}
}

// commit commits an exclusive run's transactions, the shards in parallel.
// A crash between these commits leaves some shards' part applied and the
// others' not (README).
func (m *Multi) commit() error {
	order := m.order()
	if len(order) == 1 {
		return m.txs[order[0]].Commit()
	}
	if crashBetweenCommits && len(order) > 1 {
		m.txs[order[0]].Commit()
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
	}
	errs := make([]error, len(m.set.stores))
	m.set.onShards(order, func(sh int) { errs[sh] = m.txs[sh].Commit() })
	for _, sh := range order {
		err := errs[sh]
		if err != nil {
			return err
		}
	}
	return nil
}

// reportChange tells OnChange what a multi-shard command changed: the keys
// it named with Touch, or else, when it changed anything, its keys.
func (s *Set) reportChange(db int, keys [][]byte, touched map[int][][]byte, changed bool) {
	switch {
	case s.OnChange == nil:
	case touched != nil:
		for tdb, tkeys := range touched {
			if len(tkeys) > 0 {
				s.OnChange(tdb, tkeys)
			}
		}
	case changed:
		s.OnChange(db, keys)
	}
}

// shardsOf lists the distinct shards of keys in ascending order.
func (s *Set) shardsOf(keys [][]byte) []int {
	var out []int
	for _, k := range keys {
		i := s.ShardOf(k)
		if !slices.Contains(out, i) {
			out = append(out, i)
		}
	}
	slices.Sort(out)
	return out
}

// ForEachShard runs fn on every shard in turn with a read transaction,
// holding no global lock between shards (SCAN, DBSIZE, INFO keyspace).
func (s *Set) ForEachShard(db int, fn func(i int, tx *engine.Tx) error) error {
	for i, st := range s.stores {
		s.mu.RLock()
		err := st.Read(s.dbmap[db], func(tx *engine.Tx) error { return fn(i, tx) })
		s.mu.RUnlock()
		if err != nil {
			return err
		}
	}
	return nil
}

// ReadShard runs fn in a read transaction on shard i.
func (s *Set) ReadShard(i, db int, fn func(*engine.Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.stores[i].Read(s.dbmap[db], fn)
}

// Swap exchanges two logical databases (SWAPDB).
func (s *Set) Swap(a, b int) error {
	return s.All(a, func(m *Multi) error { m.Swap(a, b); return nil })
}

// Counts returns keys and keys-with-expiry per logical database.
func (s *Set) Counts() map[int][2]int64 {
	out := map[int][2]int64{}
	s.mu.RLock()
	defer s.mu.RUnlock()
	phys := map[int]int{}
	for l, p := range s.dbmap {
		phys[p] = l
	}
	for _, st := range s.stores {
		st.Read(0, func(tx *engine.Tx) error {
			for db, c := range tx.Counts() {
				l, ok := phys[db]
				if !ok {
					continue
				}
				o := out[l]
				out[l] = [2]int64{o[0] + c[0], o[1] + c[1]}
			}
			return nil
		})
	}
	return out
}

// sweep deletes expired keys of one shard in the background, in small
// batches through the shard's writer.
func (s *Set) sweep(st *engine.Store) {
	defer s.wg.Done()
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	// What the last look at the shard found: the earliest expiry (unix ms,
	// 0: none) as of commit count seenCommits. Until the shard commits
	// again or that time comes, there is nothing to sweep and the tick
	// costs no SQLite transaction (ten a second per shard cost an idle
	// server ~6 % of a core); a look every 10 s all the same.
	var next int64
	seenCommits, lookedAt := int64(-1), time.Time{}
	for {
		var now time.Time
		select {
		case <-s.stop:
			return
		case now = <-t.C:
		}
		if st.Commits.Load() == seenCommits && (next == 0 || now.UnixMilli() < next) && now.Sub(lookedAt) < 10*time.Second {
			continue
		}
		seenCommits, lookedAt = st.Commits.Load(), now
		s.mu.RLock()
		err := st.Read(0, func(tx *engine.Tx) error { next = tx.NextExpiry(); return nil })
		s.mu.RUnlock()
		if err != nil {
			slog.Warn("expiry check failed", "err", err)
			continue
		}
		if next == 0 || next > now.UnixMilli() {
			continue
		}
		for round := 0; round < 10; round++ {
			n := 0
			s.mu.RLock()
			err := st.Write(0, func(tx *engine.Tx) error { n = tx.ExpireSweep(200); return nil })
			s.mu.RUnlock()
			if err != nil {
				slog.Warn("expiry sweep failed", "err", err)
			}
			s.ExpiredKeys.Add(int64(n))
			if n < 200 {
				break
			}
		}
		seenCommits = -1 // look again at the next tick
	}
}

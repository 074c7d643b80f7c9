package shard

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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
	mu     sync.RWMutex
	dbmap  []int // logical database -> physical (SWAPDB)

	stop chan struct{}
	wg   sync.WaitGroup

	// ExpiredKeys counts keys deleted by the active expiry sweep.
	ExpiredKeys atomic.Int64
}

// Options configure Open.
type Options struct {
	Dir       string
	Shards    int
	Databases int
	Sync      engine.Sync
}

// Open opens (or creates) the shard files in dir.
func Open(o Options) (*Set, error) {
	if o.Shards < 1 || o.Shards > 1024 {
		return nil, fmt.Errorf("shards must be between 1 and 1024, got %d", o.Shards)
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, err
	}
	// Refuse a folder created with another shard count before touching anything.
	existing, _ := filepath.Glob(filepath.Join(o.Dir, "shard-*.db"))
	if len(existing) > 0 && len(existing) != o.Shards {
		return nil, fmt.Errorf("data folder %s holds %d shard files; started with shards=%d: the shard count is fixed when the folder is created", o.Dir, len(existing), o.Shards)
	}
	s := &Set{stop: make(chan struct{})}
	for i := 0; i < o.Shards; i++ {
		st, err := engine.Open(filepath.Join(o.Dir, fmt.Sprintf("shard-%04d.db", i)), engine.Options{Shard: i, Shards: o.Shards, Sync: o.Sync})
		if err != nil {
			for _, st := range s.stores {
				st.Close()
			}
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
	return s, nil
}

// Close stops the sweepers and closes every shard after its pending writes.
func (s *Set) Close() error {
	close(s.stop)
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, st := range s.stores {
		errs = append(errs, st.Close())
	}
	return errors.Join(errs...)
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
	return s.stores[s.ShardOf(key)].Read(s.dbmap[db], fn)
}

// Write runs fn in a write transaction on key's shard and returns after commit.
func (s *Set) Write(db int, key []byte, fn func(*engine.Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.stores[s.ShardOf(key)].Write(s.dbmap[db], fn)
}

// Multi gives a command that touches several keys one transaction per
// shard involved. Tx returns the transaction of a key's shard.
type Multi struct {
	set *Set
	db  int
	one *engine.Tx
	txs map[int]*engine.Tx
}

// Tx returns the transaction for key's shard, addressing the command's database.
func (m *Multi) Tx(key []byte) *engine.Tx {
	if m.one != nil {
		return m.one
	}
	tx := m.txs[m.set.ShardOf(key)]
	if tx == nil {
		panic(fmt.Sprintf("shard: key %q was not declared to Keys", key))
	}
	tx.DB = m.set.dbmap[m.db]
	return tx
}

// PhysDB maps a logical database number to the stored one.
func (m *Multi) PhysDB(db int) int { return m.set.dbmap[db] }

// Keys runs fn with transactions on the shards of keys. When all keys share
// a shard this is one ordinary transaction (group-committed when write);
// otherwise every other command waits while fn runs and its shards commit.
func (s *Set) Keys(db int, keys [][]byte, write bool, fn func(*Multi) error) error {
	shards := s.shardsOf(keys)
	if len(shards) <= 1 {
		i := 0
		if len(shards) == 1 {
			i = shards[0]
		}
		run := func(tx *engine.Tx) error { return fn(&Multi{set: s, db: db, one: tx}) }
		s.mu.RLock()
		defer s.mu.RUnlock()
		if write {
			return s.stores[i].Write(s.dbmap[db], run)
		}
		return s.stores[i].Read(s.dbmap[db], run)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.exclusive(db, shards, fn)
}

// All runs fn with a transaction on every shard while nothing else runs
// (FLUSHALL, KEYS, SWAPDB…).
func (s *Set) All(db int, fn func(*Multi) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := make([]int, len(s.stores))
	for i := range all {
		all[i] = i
	}
	return s.exclusive(db, all, fn)
}

func (s *Set) exclusive(db int, shards []int, fn func(*Multi) error) (err error) {
	m := &Multi{set: s, db: db, txs: map[int]*engine.Tx{}}
	for _, i := range shards {
		m.txs[i] = s.stores[i].Exclusive(s.dbmap[db])
	}
	defer func() {
		if r := recover(); r != nil {
			ie, ok := r.(*engine.Internal)
			if !ok {
				ie = &engine.Internal{Err: fmt.Errorf("panic: %v", r)}
				slog.Error("panic in multi-shard command", "panic", r)
			}
			err = ie
		}
		if err != nil {
			for _, i := range shards {
				m.txs[i].Rollback()
			}
			return
		}
		// Commit shard by shard. A crash between these commits leaves the
		// earlier shards' part applied and the later ones' not (README).
		for _, i := range shards {
			if cerr := m.txs[i].Commit(); cerr != nil && err == nil {
				err = cerr
			}
		}
	}()
	return fn(m)
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

// Swap exchanges two logical databases (SWAPDB) by swapping their mapping,
// recorded in shard 0.
func (s *Set) Swap(a, b int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := slices.Clone(s.dbmap)
	m[a], m[b] = m[b], m[a]
	parts := make([]string, len(m))
	for i, v := range m {
		parts[i] = strconv.Itoa(v)
	}
	tx := s.stores[0].Exclusive(0)
	tx.SetMeta("dbmap", strings.Join(parts, ","))
	if err := tx.Commit(); err != nil {
		return err
	}
	s.dbmap = m
	return nil
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
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
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
	}
}

// Shard returns the transaction on shard i, for commands run through All.
func (m *Multi) Shard(i int) *engine.Tx {
	tx := m.txs[i]
	tx.DB = m.set.dbmap[m.db]
	return tx
}

package engine

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func cacheStore(tb testing.TB, bytes int64) *Store {
	tb.Helper()
	return cacheStoreSync(tb, bytes, SyncNo)
}

// cacheStoreSync is cacheStore at durability level sync.
func cacheStoreSync(tb testing.TB, bytes int64, level Sync) *Store {
	tb.Helper()
	s, err := Open(filepath.Join(tb.TempDir(), "c.db"), Options{Shard: 0, Shards: 1, Sync: level, CacheBytes: bytes})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// getBoth reads key through the cache (ReadKey) and straight from SQLite (Read).
func getBoth(t *testing.T, s *Store, db int, key string) (cached, stored string) {
	t.Helper()
	show := func(v []byte, ok bool, err error) string {
		switch {
		case err != nil:
			return "err:" + err.Error()
		case !ok:
			return "(nil)"
		}
		return string(v)
	}
	s.ReadKey(db, func(tx *Tx) error { cached = show(tx.Get([]byte(key))); return nil })
	s.Read(db, func(tx *Tx) error { stored = show(tx.Get([]byte(key))); return nil })
	return
}

// TestCacheCoherentWithWrites applies random writes of every kind that can
// change a string key (SET, DEL, RENAME, MOVE, EXPIRE into the past, type
// changes, RESTORE, FLUSHDB, FLUSHALL) and after each one checks that every
// key reads the same through the cache as from SQLite, twice (the second
// read is a cache hit).
func TestCacheCoherentWithWrites(t *testing.T) {
	s := cacheStore(t, 1<<20)
	rng := rand.New(rand.NewPCG(5, 6))
	keys := []string{"a", "b", "c", "d", "e"}
	k := func() []byte { return []byte(keys[rng.IntN(len(keys))]) }
	for round := 0; round < 3000; round++ {
		db := rng.IntN(2)
		op := rng.IntN(20)
		err := s.Write(db, func(tx *Tx) error {
			switch {
			case op < 8:
				tx.SetString(k(), []byte(strconv.Itoa(round)), 0)
			case op < 10:
				tx.Delete(k())
			case op < 11:
				tx.Rename(k(), k(), false)
			case op < 12:
				tx.Move(k(), 1-db)
			case op < 13:
				tx.Expire(k(), tx.Now-1, ExpireAlways)
			case op < 14:
				tx.Expire(k(), tx.Now+100000, ExpireAlways)
			case op < 15:
				key := k()
				tx.Delete(key)
				tx.Push(key, [][]byte{[]byte("x")}, true, false)
			case op < 16:
				if v, ok := tx.Dump(k()); ok {
					tx.Restore(k(), v)
				}
			case op < 17:
				tx.SetString(k(), []byte("past"), tx.Now-1)
			case op < 18 && round%7 == 0:
				tx.Flush()
			case op < 19 && round%11 == 0:
				tx.FlushAll()
			default:
				tx.SetString(k(), []byte(fmt.Sprint("ttl", round)), tx.Now+60000)
			}
			return nil
		})
		if err != nil {
			if _, ok := err.(*Internal); ok {
				t.Fatal(err)
			}
		}
		for d := 0; d < 2; d++ {
			for _, key := range keys {
				for i := 0; i < 2; i++ {
					if c, st := getBoth(t, s, d, key); c != st {
						t.Fatalf("round %d op %d: db %d key %s: cache %q, SQLite %q", round, op, d, key, c, st)
					}
				}
			}
		}
	}
	if s.CacheHits.Load() == 0 {
		t.Fatal("no cache hits")
	}
}

// TestCacheExpiry checks that a cached value is not served past its expiry.
func TestCacheExpiry(t *testing.T) {
	s := cacheStore(t, 1<<20)
	s.Write(0, func(tx *Tx) error { tx.SetString([]byte("k"), []byte("v"), tx.Now+50); return nil })
	if c, _ := getBoth(t, s, 0, "k"); c != "v" {
		t.Fatalf("before expiry: %q", c)
	}
	time.Sleep(80 * time.Millisecond)
	if c, st := getBoth(t, s, 0, "k"); c != "(nil)" || st != "(nil)" {
		t.Fatalf("after expiry: cache %q, SQLite %q", c, st)
	}
}

// TestCacheConcurrent runs one writer incrementing a counter key and several
// readers: a reader never sees the counter go back, and once a write has
// returned, every later read sees it or something newer.
func TestCacheConcurrent(t *testing.T) {
	// At "always" a commit is counted for the read wait by the log's
	// sync, not before COMMIT (countPending).
	t.Run("no", func(t *testing.T) { testCacheConcurrent(t, SyncNo, 2000) })
	t.Run("always", func(t *testing.T) { testCacheConcurrent(t, SyncAlways, 500) })
}

func testCacheConcurrent(t *testing.T, level Sync, n int64) {
	s := cacheStoreSync(t, 1<<20, level)
	var acked atomic.Int64
	acked.Store(-1)
	var wg sync.WaitGroup
	var stop atomic.Bool
	errs := make(chan error, 8)
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last := int64(-1)
			for !stop.Load() {
				floor := acked.Load()
				var got int64 = -1
				s.ReadKey(0, func(tx *Tx) error {
					if v, ok, _ := tx.Get([]byte("n")); ok {
						got, _ = strconv.ParseInt(string(v), 10, 64)
					}
					return nil
				})
				if got < last || got < floor {
					errs <- fmt.Errorf("read %d after reading %d, with %d acknowledged (cache hits %d, misses %d)", got, last, floor, s.CacheHits.Load(), s.CacheMisses.Load())
					return
				}
				last = got
			}
		}()
	}
	for i := int64(0); i < n; i++ {
		s.Write(0, func(tx *Tx) error { tx.SetString([]byte("n"), []byte(strconv.FormatInt(i, 10)), 0); return nil })
		acked.Store(i)
		if i%100 == 0 {
			// Other keys' writes and a flush of another database interleave.
			s.Write(1, func(tx *Tx) error { tx.SetString([]byte("n"), []byte("other"), 0); tx.Flush(); return nil })
		}
	}
	stop.Store(true)
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
}

// TestCacheBound fills a small cache with many keys: it stays within its
// bound and values stay right.
func TestCacheBound(t *testing.T) {
	const max = 64 << 10
	s := cacheStore(t, max)
	s.Write(0, func(tx *Tx) error {
		for i := 0; i < 5000; i++ {
			tx.SetString([]byte(fmt.Sprint("key:", i)), []byte(fmt.Sprint("value:", i)), 0)
		}
		return nil
	})
	for i := 0; i < 5000; i += 7 {
		if c, _ := getBoth(t, s, 0, fmt.Sprint("key:", i)); c != fmt.Sprint("value:", i) {
			t.Fatalf("key:%d = %q", i, c)
		}
	}
	st := s.CacheStats()
	if st.Bytes > max || st.Keys == 0 || st.Keys >= 5000 {
		t.Fatalf("cache holds %d keys in %d bytes, bound %d", st.Keys, st.Bytes, max)
	}
}

// TestCacheStoreKeepsNewEntry checks that a full cache makes room for a
// new entry by evicting others, never the new entry itself.
func TestCacheStoreKeepsNewEntry(t *testing.T) {
	e := centry{m: Meta{Type: TypeString}, val: []byte("v"), hasVal: true}
	c := newKeyCache(4 * e.size("key:0000"))
	for i := 0; i < 2000; i++ {
		k := fmt.Sprintf("key:%04d", i)
		c.store(0, k, e)
		if _, ok := c.get(0, []byte(k)); !ok {
			t.Fatalf("store %d: the new entry was evicted", i)
		}
		if c.used > c.max {
			t.Fatalf("store %d: %d bytes used, bound %d", i, c.used, c.max)
		}
	}
	// Room for 4 records; where the next would cross the ring's end, the
	// bytes before it are left as padding.
	if n := len(c.index); n < 3 || n > 4 {
		t.Fatalf("full cache holds %d entries, room for 4", n)
	}
}

// keyOp is a random operation on any type, for TestKeyStatesDifferential;
// it returns what the reads among them saw.
func keyOp(tx *Tx, rng *rand.Rand, keys []string, round int) string {
	k := func() []byte { return []byte(keys[rng.IntN(len(keys))]) }
	v := []byte(strconv.Itoa(rng.IntN(20)))
	switch op := rng.IntN(30); {
	case op < 3:
		tx.SetString(k(), v, 0)
	case op < 4:
		tx.SetString(k(), v, tx.Now+60000)
	case op < 5:
		tx.IncrBy(k(), 1)
	case op < 6:
		tx.Append(k(), v)
	case op < 9:
		tx.Push(k(), [][]byte{v, v}, rng.IntN(2) == 0, false)
	case op < 11:
		tx.Pop(k(), int64(1+rng.IntN(3)), rng.IntN(2) == 0)
	case op < 12:
		if rng.IntN(2) == 0 {
			tx.LTrim(k(), 1, -2)
		} else {
			tx.LSet(k(), 0, v)
		}
	case op < 13:
		tx.SAdd(k(), [][]byte{v})
	case op < 14:
		tx.SRem(k(), [][]byte{v})
	case op < 15:
		tx.SPop(k(), 100) // all of them: a random pick would differ between the stores
	case op < 16:
		tx.HSet(k(), [][]byte{v, v})
	case op < 17:
		tx.HDel(k(), [][]byte{v})
	case op < 18:
		tx.ZAdd(k(), []ZMember{{v, float64(rng.IntN(5))}}, ZAddArgs{})
	case op < 19:
		tx.ZRem(k(), [][]byte{v})
	case op < 20:
		tx.ZPop(k(), 1, false)
	case op < 21:
		tx.Delete(k())
	case op < 22:
		tx.Rename(k(), k(), rng.IntN(2) == 0)
	case op < 23:
		tx.Move(k(), 1-tx.DB)
	case op < 24:
		tx.Expire(k(), tx.Now+100000, ExpireAlways)
	case op < 25:
		tx.Expire(k(), tx.Now-1, ExpireAlways)
	case op < 26:
		tx.Persist(k())
	case op < 27:
		tx.CopyTo(k(), k(), 1-tx.DB, rng.IntN(2) == 0)
	case op < 28:
		if v, ok := tx.Dump(k()); ok {
			tx.Restore(k(), v)
		}
	case op < 29 && round%13 == 0:
		tx.Flush()
	default:
		key := k()
		r, err := tx.LRange(key, 0, -1)
		x, _, _ := tx.LIndex(key, 0)
		n, _ := tx.LLen(key)
		return fmt.Sprintf("%q %v %q %d", r, err, x, n)
	}
	return ""
}

// TestKeyStatesDifferential runs the same random operations on every type
// against a store with the key cache and one without, several operations
// per transaction (so sizes stay pending across operations), and after
// every round compares both stores key by key (dump, Meta, keys row), and
// every cache entry with the keys table.
func TestKeyStatesDifferential(t *testing.T) {
	cached := cacheStore(t, 1<<20)
	plain, err := Open(filepath.Join(t.TempDir(), "p.db"), Options{Shard: 0, Shards: 1, Sync: SyncNo})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	keys := []string{"a", "b", "c", "d"}
	for round := 0; round < 4000; round++ {
		seed := uint64(round)
		db := round % 2
		n := 1 + round%10
		var seen [2]string
		for i, s := range []*Store{cached, plain} {
			rng := rand.New(rand.NewPCG(seed, 9))
			err := s.Write(db, func(tx *Tx) error {
				for j := 0; j < n; j++ {
					seen[i] += keyOp(tx, rng, keys, round) + "; "
				}
				return nil
			})
			if _, ok := err.(*Internal); ok {
				t.Fatal(err)
			}
		}
		if seen[0] != seen[1] {
			t.Fatalf("round %d: reads in the cached store's transaction saw %s, in the plain one's %s", round, seen[0], seen[1])
		}
		for d := 0; d < 2; d++ {
			for _, key := range keys {
				a, b := describeKey(t, cached, d, key), describeKey(t, plain, d, key)
				if a != b {
					t.Fatalf("round %d: db %d key %s:\n cached store: %s\n plain store:  %s", round, d, key, a, b)
				}
				checkCacheEntry(t, cached, d, key)
				// Single-key reads, which may answer from the cache (twice:
				// the first may fill it), against the plain store.
				for i := 0; i < 2; i++ {
					if a, b := readKey(cached, d, key), readKey(plain, d, key); a != b {
						t.Fatalf("round %d: db %d key %s read through the cache: %s; plain store: %s", round, d, key, a, b)
					}
				}
			}
		}
	}
}

// readKey describes key as single-key reads see it (ReadKey: the cache may answer).
func readKey(s *Store, db int, key string) string {
	var out string
	s.ReadKey(db, func(tx *Tx) error {
		k := []byte(key)
		v, ok, err := tx.Get(k)
		r, rerr := tx.LRange(k, 1, -1)
		x, xok, xerr := tx.LIndex(k, -1)
		n, nerr := tx.LLen(k)
		out = fmt.Sprintf("get %q %v %v; lrange %q %v; lindex %q %v %v; llen %d %v", v, ok, err, r, rerr, x, xok, xerr, n, nerr)
		return nil
	})
	return out
}

// describeKey reads a key from the keys table (no cache): its row and
// dump, after checking that the row's size and bounds match the member rows.
func describeKey(t *testing.T, s *Store, db int, key string) string {
	t.Helper()
	var out string
	s.Read(db, func(tx *Tx) error {
		st := tx.bind("SELECT type, exp, n, lo, hi, id FROM keys WHERE db=? AND h=? AND key=?", db, keyHash([]byte(key)), []byte(key))
		row := "no row"
		if tx.step(st) {
			typ, n, lo, hi, id := Type(st.ColumnInt64(0)), st.ColumnInt64(2), st.ColumnInt64(3), st.ColumnInt64(4), st.ColumnInt64(5)
			row = fmt.Sprint(typ, st.ColumnInt64(1) != 0, n, lo, hi)
			done(st)
			table := map[Type]string{TypeList: "lists", TypeHash: "hashes", TypeSet: "sets", TypeZSet: "zsets"}[typ]
			if table != "" {
				q := tx.bind("SELECT count(*) FROM "+table+" WHERE id=?", id)
				tx.step(q)
				if c := q.ColumnInt64(0); c != n {
					t.Fatalf("db %d key %s: keys row says %d members, %s has %d", db, key, n, table, c)
				}
				done(q)
			}
			if typ == TypeList {
				q := tx.bind("SELECT min(pos), max(pos) FROM lists WHERE id=?", id)
				tx.step(q)
				if q.ColumnInt64(0) != lo || q.ColumnInt64(1) != hi {
					t.Fatalf("db %d key %s: keys row says positions %d..%d, lists has %d..%d", db, key, lo, hi, q.ColumnInt64(0), q.ColumnInt64(1))
				}
				done(q)
			}
		}
		v, ok := tx.Dump([]byte(key))
		if ok {
			v.Exp = min(v.Exp, 1) // the stores ran at different times
		}
		out = fmt.Sprintf("row %s; dump %v %+v", row, ok, v)
		return nil
	})
	return out
}

// checkCacheEntry compares the cache's entry of key (if any) with the keys table.
func checkCacheEntry(t *testing.T, s *Store, db int, key string) {
	t.Helper()
	e, ok := s.cache.get(db, []byte(key))
	if !ok {
		return
	}
	s.Read(db, func(tx *Tx) error {
		m, exists := tx.lookup([]byte(key))
		switch {
		case e.absent && exists:
			t.Fatalf("db %d key %s: cached as absent, table has %+v", db, key, m)
		case !e.absent && !exists:
			t.Fatalf("db %d key %s: cached %+v, table has none", db, key, e.m)
		case !e.absent && e.m != m:
			t.Fatalf("db %d key %s: cached %+v, table has %+v", db, key, e.m, m)
		case e.hasVal:
			if v, _, _ := tx.Get([]byte(key)); string(v) != string(e.val) {
				t.Fatalf("db %d key %s: cached value %q, table has %q", db, key, e.val, v)
			}
		case e.items != nil:
			if v, _ := tx.LRange([]byte(key), 0, int64(len(e.items))-1); fmt.Sprintf("%q", v) != fmt.Sprintf("%q", e.items) {
				t.Fatalf("db %d key %s: cached items %q, table has %q", db, key, e.items, v)
			}
		}
		return nil
	})
}

// TestSyncCountsRelativePath: a store opened by a relative path (the
// server's default data folder is one) still has its log report syncs.
func TestSyncCountsRelativePath(t *testing.T) {
	dir := t.TempDir()
	if err := os.Symlink(dir, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	for _, path := range []string{"r.db", filepath.Join("link", "l.db")} {
		s, err := Open(path, Options{Shard: 0, Shards: 1, Sync: SyncAlways})
		if err != nil {
			t.Fatal(err)
		}
		if !s.syncCounts {
			t.Errorf("%s: the writer's log does not report its syncs", path)
		}
		s.Close()
	}
}

// TestCacheRingModel runs random stores, drops and clears of entries of
// many sizes, in a ring a few records long, against a map of what was
// stored last: a lookup finds that entry or nothing, never another; a new
// entry is always kept; the live records' bytes and count match the index.
func TestCacheRingModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	for _, max := range []int64{300, 1000, 4096, 16384, 100000} {
		c := newKeyCache(max)
		type key struct {
			db int
			k  string
		}
		model := map[key]centry{}
		for i := 0; i < 20000; i++ {
			k := key{rng.IntN(3), fmt.Sprint("k", rng.IntN(40))}
			switch op := rng.IntN(20); {
			case op < 14:
				e := centry{m: Meta{Type: TypeString, Exp: int64(i), ID: int64(rng.IntN(9))}}
				switch rng.IntN(4) {
				case 0:
					e.absent = true
				case 1:
					e.val, e.hasVal = []byte(strconv.Itoa(i)+string(make([]byte, rng.IntN(40)))), true
				case 2:
					e.m.Type = TypeList
					e.items = [][]byte{[]byte("a"), []byte(strconv.Itoa(i)), {}}
				}
				c.store(k.db, k.k, e)
				if e.size(k.k) > c.max/16 {
					e.val, e.hasVal, e.items = nil, false, nil
				}
				model[k] = e
				if _, ok := c.get(k.db, []byte(k.k)); !ok {
					t.Fatalf("max %d, op %d: the new entry was evicted", max, i)
				}
			case op < 18:
				c.drop(k.db, k.k)
				delete(model, k)
			case op < 19:
				c.clear(k.db)
				for mk := range model {
					if mk.db == k.db {
						delete(model, mk)
					}
				}
			default:
				c.clear(-1)
				clear(model)
			}
			var live, used, side, lists int64
			for p := c.tail; p < c.head; {
				r := c.rec(p)
				if r[recFlags]&flagLive != 0 {
					live++
					used += int64(le.Uint32(r[recLen:]))
					if r[recFlags]&flagItems != 0 {
						side += int64(centry{items: c.heads[le.Uint64(r[recHash:])]}.headSize())
						lists++
					}
				}
				p += uint64(le.Uint32(r[recLen:]))
			}
			if live != int64(len(c.index)) || lists != int64(len(c.heads)) || used+side != c.used || side != int64(c.side) || c.head-c.tail+c.side > uint64(len(c.ring)) {
				t.Fatalf("max %d, op %d: %d live records of %d bytes and %d of list heads, index %d, used %d, span %d + %d of %d", max, i, live, used, side, len(c.index), c.used, c.head-c.tail, c.side, len(c.ring))
			}
			for mk, want := range model {
				got, ok := c.get(mk.db, []byte(mk.k))
				if ok && fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
					t.Fatalf("max %d, op %d: %v is %+v, stored %+v", max, i, mk, got, want)
				}
			}
			for db := 0; db < 3; db++ {
				for j := 0; j < 40; j++ {
					mk := key{db, fmt.Sprint("k", j)}
					if _, ok := c.get(db, []byte(mk.k)); ok {
						if _, stored := model[mk]; !stored {
							t.Fatalf("max %d, op %d: %v found, not stored", max, i, mk)
						}
					}
				}
			}
		}
	}
}

// TestCacheHashCollision: a key whose hash names another key's record is
// not found there.
func TestCacheHashCollision(t *testing.T) {
	c := newKeyCache(1 << 12)
	c.store(0, "a", centry{m: Meta{Type: TypeString}, val: []byte("1"), hasVal: true})
	c.index[c.hash(0, "b")] = c.index[c.hash(0, "a")]
	c.index[c.hash(1, "a")] = c.index[c.hash(0, "a")]
	for _, k := range []struct {
		db  int
		key string
	}{{0, "b"}, {1, "a"}} {
		if e, ok := c.get(k.db, []byte(k.key)); ok {
			t.Fatalf("db %d key %s: found %+v, the record of db 0 key a", k.db, k.key, e)
		}
	}
	if e, ok := c.get(0, []byte("a")); !ok || string(e.val) != "1" {
		t.Fatalf("a: %+v %v", e, ok)
	}
}

// TestCacheRingGrows: the ring takes memory as entries come, not its
// bound at once (key-cache-size may be far larger than what is cached).
func TestCacheRingGrows(t *testing.T) {
	c := newKeyCache(1 << 40)
	e := centry{m: Meta{Type: TypeString}, val: make([]byte, 100), hasVal: true}
	for i := 0; i < 1000; i++ {
		c.store(0, fmt.Sprint("key:", i), e)
	}
	if n := len(c.ring); n > 512<<10 {
		t.Fatalf("1,000 entries of %d bytes in a ring of %d bytes", e.size("key:000"), n)
	}
	for i := 0; i < 1000; i++ {
		if got, ok := c.get(0, []byte(fmt.Sprint("key:", i))); !ok || len(got.val) != 100 {
			t.Fatalf("key:%d: %v %d", i, ok, len(got.val))
		}
	}
}

// TestReadAfterCommitBeforeCache: a read that finds a commit in SQLite
// before the key cache has it replies only once the cache has it, so that
// a read from the cache after it cannot return the older value. At
// "always" the commit is counted by the log's sync (countPending), which
// must come before SQLite publishes it.
func TestReadAfterCommitBeforeCache(t *testing.T) {
	for _, level := range []Sync{SyncNo, SyncEverysec, SyncAlways} {
		t.Run(fmt.Sprint(level), func(t *testing.T) { testReadAfterCommitBeforeCache(t, level) })
	}
}

func testReadAfterCommitBeforeCache(t *testing.T, level Sync) {
	s := cacheStoreSync(t, 1<<20, level)
	if level == SyncAlways && !s.syncCounts {
		t.Fatal("the writer's log does not report its syncs")
	}
	k := []byte("k")
	s.Write(0, func(tx *Tx) error { tx.SetString(k, []byte("1"), 0); return nil })
	committed, release := make(chan struct{}), make(chan struct{})
	s.committedHook = func() { close(committed); <-release }
	go s.Write(0, func(tx *Tx) error { tx.SetString(k, []byte("2"), 0); return nil })
	<-committed
	s.committedHook = nil
	time.AfterFunc(50*time.Millisecond, func() { close(release) })
	var fromSQL, fromCache []byte
	s.Read(0, func(tx *Tx) error { fromSQL, _, _ = tx.Get(k); return nil })
	s.ReadKey(0, func(tx *Tx) error { fromCache, _, _ = tx.Get(k); return nil })
	if string(fromSQL) != "2" || string(fromCache) != "2" {
		t.Fatalf("read %q from SQLite, then %q from the key cache; want 2 and 2", fromSQL, fromCache)
	}
}

// TestCacheRewrittenKeyStays: a key written again and again, as cold keys
// stream through a full cache, is not evicted for having been stored
// first.
func TestCacheRewrittenKeyStays(t *testing.T) {
	c := newKeyCache(16 << 10)
	val := func(s string) centry { return centry{m: Meta{Type: TypeString}, val: []byte(s), hasVal: true} }
	c.store(0, "hot", val("0"))
	for i := 1; i <= 2000; i++ {
		c.store(0, fmt.Sprint("cold:", i), val("x"))
		if i%10 == 0 {
			if _, ok := c.get(0, []byte("hot")); !ok {
				t.Fatalf("after %d cold keys: the hot key, rewritten every 10, was evicted", i)
			}
			c.store(0, "hot", val(strconv.Itoa(i%7)))
		}
	}
}

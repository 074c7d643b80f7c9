package engine

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func cacheStore(tb testing.TB, bytes int64) *Store {
	tb.Helper()
	s, err := Open(filepath.Join(tb.TempDir(), "c.db"), Options{Shard: 0, Shards: 1, Sync: SyncNo, CacheBytes: bytes})
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
	s := cacheStore(t, 1<<20)
	const n = 2000
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
					errs <- fmt.Errorf("read %d after reading %d, with %d acknowledged", got, last, floor)
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

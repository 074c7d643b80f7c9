package shard

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3"

	"redisk/engine"
)

// openSet opens a 4-shard set in dir and closes it when the test ends.
func openSet(t *testing.T, dir string) *Set {
	t.Helper()
	s, err := Open(Options{Dir: dir, Shards: 4, Databases: 16, Sync: engine.SyncNo})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// crossShardKeys returns keys a, b, c... that land on more than one shard.
func crossShardKeys(t *testing.T, s *Set, n int) [][]byte {
	t.Helper()
	var keys [][]byte
	for i := 0; i < n; i++ {
		keys = append(keys, []byte{byte('a' + i)})
	}
	if len(s.shardsOf(keys)) < 2 {
		t.Fatalf("keys %q all live on one shard", keys)
	}
	return keys
}

// TestMultiShardIsolation runs cross-shard MSET-like writes (half through
// Keys, half through WriteEach, whose shards run in parallel) and MGET-like
// reads at the same time: no reader may see some keys of a write and not
// the others.
func TestMultiShardIsolation(t *testing.T) {
	s := openSet(t, t.TempDir())
	keys := crossShardKeys(t, s, 12)
	const writers, readers, rounds = 4, 4, 40
	var wg sync.WaitGroup
	var done atomic.Bool
	var reads atomic.Int64
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				val := []byte(fmt.Sprintf("w%d-%d", w, i))
				var err error
				if w%2 == 0 {
					err = s.Keys(0, keys, true, func(m *Multi) error {
						for _, k := range keys {
							m.Tx(k).SetString(k, val, 0)
						}
						return nil
					})
				} else {
					err = s.WriteEach(0, keys, func(tx *engine.Tx, i int) error {
						tx.SetString(keys[i], val, 0)
						return nil
					})
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		}(w)
	}
	var rwg sync.WaitGroup
	for r := 0; r < readers; r++ {
		rwg.Add(1)
		go func() {
			defer rwg.Done()
			for !done.Load() {
				vals := make([]string, len(keys))
				err := s.Keys(0, keys, false, func(m *Multi) error {
					for i, k := range keys {
						v, _, err := m.Tx(k).Get(k)
						if err != nil {
							return err
						}
						vals[i] = string(v)
					}
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
				for i := range vals {
					if vals[i] != vals[0] {
						t.Errorf("partial write seen: %q", vals)
						return
					}
				}
				reads.Add(1)
			}
		}()
	}
	wg.Wait()
	done.Store(true)
	rwg.Wait()
	if reads.Load() == 0 {
		t.Error("no reads completed")
	}
}

// TestMultiShardReadWindow reads two keys on different shards with a pause
// between the two shards' reads while cross-shard writes run: a write
// committed in between would show as two different values.
func TestMultiShardReadWindow(t *testing.T) {
	s := openSet(t, t.TempDir())
	keys := crossShardKeys(t, s, 8)
	if s.ShardOf(keys[0]) == s.ShardOf(keys[len(keys)-1]) {
		t.Fatalf("%s and %s share a shard", keys[0], keys[len(keys)-1])
	}
	stop := time.Now().Add(500 * time.Millisecond)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; time.Now().Before(stop); i++ {
			val := []byte(fmt.Sprint(i))
			if err := s.Keys(0, keys, true, func(m *Multi) error {
				for _, k := range keys {
					m.Tx(k).SetString(k, val, 0)
				}
				return nil
			}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		for time.Now().Before(stop) {
			first, last := keys[0], keys[len(keys)-1]
			var a, b []byte
			if err := s.Keys(0, [][]byte{first, last}, false, func(m *Multi) error {
				a, _, _ = m.Tx(first).Get(first)
				time.Sleep(time.Millisecond) // widen the window between shards
				b, _, _ = m.Tx(last).Get(last)
				return nil
			}); err != nil {
				t.Error(err)
				return
			}
			if string(a) != string(b) {
				t.Errorf("%s = %q but %s = %q", first, a, last, b)
				return
			}
		}
	}()
	wg.Wait()
}

// TestMultiShardRollback checks that a multi-shard command that fails
// leaves none of its shards changed.
func TestMultiShardRollback(t *testing.T) {
	s := openSet(t, t.TempDir())
	keys := crossShardKeys(t, s, 8)
	boom := errors.New("boom")
	err := s.Keys(0, keys, true, func(m *Multi) error {
		for _, k := range keys {
			m.Tx(k).SetString(k, []byte("v"), 0)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	err = s.Keys(0, keys, true, func(m *Multi) error {
		m.Tx(keys[0]).SetString(keys[0], []byte("v"), 0)
		panic(&engine.Internal{Err: errors.New("disk full")})
	})
	var ie *engine.Internal
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v, want *engine.Internal", err)
	}
	checkUnwritten(t, s, keys)
}

// checkUnwritten checks, after multi-shard writes of keys that failed, that
// none of keys exists, then that the set still takes a write of them all.
func checkUnwritten(t *testing.T, s *Set, keys [][]byte) {
	t.Helper()
	for _, k := range keys {
		s.Read(0, k, func(tx *engine.Tx) error {
			if tx.Exists(k) {
				t.Errorf("key %q exists after a failed multi-shard write", k)
			}
			return nil
		})
	}
	if c := s.Counts()[0]; c[0] != 0 {
		t.Errorf("DBSIZE = %d after failed writes", c[0])
	}
	if err := s.Keys(0, keys, true, func(m *Multi) error {
		for _, k := range keys {
			m.Tx(k).SetString(k, []byte("ok"), 0)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if c := s.Counts()[0]; c[0] != int64(len(keys)) {
		t.Errorf("DBSIZE = %d, want %d", c[0], len(keys))
	}
}

// TestOpenShardCount checks that a data folder keeps the shard count it
// was created with, and that its data and SWAPDB mapping survive a reopen.
func TestOpenShardCount(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Options{Dir: dir, Shards: 4, Databases: 16})
	if err != nil {
		t.Fatal(err)
	}
	keys := crossShardKeys(t, s, 6)
	if err := s.Keys(0, keys, true, func(m *Multi) error {
		for _, k := range keys {
			m.Tx(k).SetString(k, k, 0)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Swap(0, 7); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 3, 8} {
		if s, err := Open(Options{Dir: dir, Shards: n, Databases: 16}); err == nil {
			s.Close()
			t.Errorf("Open with %d shards succeeded on a 4-shard folder", n)
		}
	}
	if _, err := Open(Options{Dir: dir, Shards: 0, Databases: 16}); err == nil {
		t.Error("Open with 0 shards succeeded")
	}
	s = openSet(t, dir)
	for _, k := range keys {
		var v []byte
		s.Read(7, k, func(tx *engine.Tx) (err error) { v, _, err = tx.Get(k); return })
		if string(v) != string(k) {
			t.Errorf("db 7 (swapped with 0) %s = %q after reopen", k, v)
		}
		s.Read(0, k, func(tx *engine.Tx) error {
			if tx.Exists(k) {
				t.Errorf("db 0 still holds %s after SWAPDB 0 7 and reopen", k)
			}
			return nil
		})
	}
}

// TestMultiShardGroup queues multi-shard writes while the exclusive lock is
// held, so that they run as one group: every write lands, a storage failure
// in one of them fails that one alone (the group is rolled back and rerun
// command by command), and only the commands that changed data are reported
// to OnChange. The writes go through Keys, through WriteEach (the group's
// shards run in parallel), or alternate between the two.
func TestMultiShardGroup(t *testing.T) {
	for _, mode := range []string{"keys", "each", "mixed"} {
		t.Run(mode, func(t *testing.T) { testMultiShardGroup(t, mode) })
	}
}

func testMultiShardGroup(t *testing.T, mode string) {
	s := openSet(t, t.TempDir())
	keys := crossShardKeys(t, s, 8)
	var mu sync.Mutex
	reported := map[string]int{}
	s.OnChange = func(db int, ks [][]byte) {
		mu.Lock()
		defer mu.Unlock()
		for _, k := range ks {
			reported[string(k)]++
		}
	}
	const n = 12
	const failing, idle = 5, 7 // job 5 fails in storage, job 7 changes nothing
	errs := make([]error, n)
	var failed atomic.Int32
	var wg sync.WaitGroup
	job := func(i int) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			own := [][]byte{[]byte(fmt.Sprintf("job%d-x", i)), []byte(fmt.Sprintf("job%d-y", i))}
			all := append(append([][]byte{}, keys...), own...)
			val := []byte(fmt.Sprint(i))
			if mode == "each" || mode == "mixed" && i%2 == 0 {
				errs[i] = s.WriteEach(0, all, func(tx *engine.Tx, k int) error {
					if i == idle {
						return nil
					}
					tx.SetString(all[k], val, 0)
					if i == failing && k == len(all)-1 && failed.Add(1) <= 2 {
						panic(&engine.Internal{Err: errors.New("disk full")})
					}
					return nil
				})
				return
			}
			errs[i] = s.Keys(0, all, true, func(m *Multi) error {
				if i == idle {
					return nil
				}
				for _, k := range all {
					m.Tx(k).SetString(k, val, 0)
				}
				if i == failing && failed.Add(1) <= 2 { // in the group and rerun alone
					panic(&engine.Internal{Err: errors.New("disk full")})
				}
				return nil
			})
		}()
	}
	// queued waits until the grouper's queue holds want jobs.
	queued := func(want int) {
		for deadline := time.Now().Add(5 * time.Second); len(s.xjobs) != want; {
			if time.Now().After(deadline) {
				s.mu.Unlock()
				t.Fatalf("%d multi-shard writes queued, want %d", len(s.xjobs), want)
			}
			time.Sleep(time.Millisecond)
		}
	}
	// The grouper takes job 0 and waits for the lock; the others queue
	// behind it and form the next group.
	s.mu.Lock()
	job(0)
	queued(0)
	time.Sleep(10 * time.Millisecond)
	for i := 1; i < n; i++ {
		job(i)
	}
	queued(n - 1)
	s.mu.Unlock()
	wg.Wait()
	if f := failed.Load(); f != 2 {
		t.Errorf("the failing job ran %d times, want 2 (in its group, then alone)", f)
	}
	for i, err := range errs {
		var ie *engine.Internal
		if (i == failing) != errors.As(err, &ie) {
			t.Errorf("job %d: err = %v", i, err)
		}
	}
	for i := 0; i < n; i++ {
		k := []byte(fmt.Sprintf("job%d-x", i))
		var got []byte
		var ok bool
		s.Read(0, k, func(tx *engine.Tx) error { got, ok, _ = tx.Get(k); return nil })
		switch {
		case i == failing || i == idle:
			if ok {
				t.Errorf("job %d's key holds %q", i, got)
			}
		case string(got) != fmt.Sprint(i):
			t.Errorf("job %d's key holds %q, %v", i, got, ok)
		}
		if r := reported[string(k)]; (r > 0) != (i != failing && i != idle) {
			t.Errorf("job %d reported to OnChange %d times", i, r)
		}
	}
}

// TestBackgroundSweep checks that keys whose expiry passes are deleted by
// the background sweep without being read, whether they expire soon after
// being written or long after the shard went quiet, and that keys without
// an expiry stay.
func TestBackgroundSweep(t *testing.T) {
	s := openSet(t, t.TempDir())
	set := func(key string, exp time.Duration) {
		t.Helper()
		var at int64
		if exp != 0 {
			at = time.Now().Add(exp).UnixMilli()
		}
		if err := s.Write(0, []byte(key), func(tx *engine.Tx) error { tx.SetString([]byte(key), []byte("v"), at); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	waitCounts := func(keys, expiring int64) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			c := s.Counts()[0]
			if c == [2]int64{keys, expiring} {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("counts %v, want %d keys, %d expiring (expired so far: %d)", c, keys, expiring, s.ExpiredKeys.Load())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	for i := 0; i < 20; i++ {
		set(fmt.Sprint("stay", i), 0)
		set(fmt.Sprint("soon", i), 150*time.Millisecond)
	}
	set("later", 1500*time.Millisecond) // due well after the last commit
	waitCounts(21, 1)
	waitCounts(20, 0)
	if n := s.ExpiredKeys.Load(); n != 21 {
		t.Fatalf("ExpiredKeys = %d, want 21", n)
	}
}

// TestCrashHookWithoutShards runs exclusive runs that open no shard, or
// one, with the crash-between-commits hook armed: the hook must only fire
// between two shards' commits (an empty EXEC used to index an empty list).
func TestCrashHookWithoutShards(t *testing.T) {
	s := openSet(t, t.TempDir())
	crashBetweenCommits = true
	defer func() { crashBetweenCommits = false }()
	if err := s.All(0, func(*Multi) error { return nil }); err != nil {
		t.Fatal(err)
	}
	k := []byte("k")
	if err := s.All(0, func(m *Multi) error { m.Tx(k).SetString(k, []byte("v"), 0); return nil }); err != nil {
		t.Fatal(err)
	}
}

// TestDataFolderLock checks that a folder open in one Set cannot be opened
// by another (the lock is per open file, so this holds within a process as
// across processes) until the first closes.
func TestDataFolderLock(t *testing.T) {
	dir := t.TempDir()
	a, err := Open(Options{Dir: dir, Shards: 2, Databases: 16})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := Open(Options{Dir: dir, Shards: 2, Databases: 16}); err == nil || !strings.Contains(err.Error(), "in use by another redisk server") {
		if b != nil {
			b.Close()
		}
		t.Fatalf("second Open of a held folder: %v", err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := Open(Options{Dir: dir, Shards: 2, Databases: 16})
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	b.Close()
}

// TestMultiShardBeginFails: when a shard's BEGIN fails (here another
// connection holds the file's write lock past the busy timeout, then lets
// go), a multi-shard command fails and changes nothing. Its statements used
// to run on that shard anyway, outside a transaction, each committed on its
// own once the lock was free, and none of it in the key cache.
func TestMultiShardBeginFails(t *testing.T) {
	old := engine.BusyTimeout
	engine.BusyTimeout = 100 * time.Millisecond
	t.Cleanup(func() { engine.BusyTimeout = old })
	s := openSet(t, t.TempDir())
	keys := crossShardKeys(t, s, 8)
	other, err := sqlite3.Open(s.stores[s.ShardOf(keys[0])].Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.Exec("BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- s.Keys(0, keys, true, func(m *Multi) error {
			for _, k := range keys {
				m.Tx(k).SetString(k, []byte("v"), 0)
			}
			return nil
		})
	}()
	time.Sleep(3 * engine.BusyTimeout / 2) // the BEGIN has failed; a statement may be waiting
	if err := other.Exec("COMMIT"); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err == nil {
		// Only when this goroutine ran late enough to BEGIN after the
		// COMMIT: nothing failed, nothing to check.
		t.Log("the command began after the lock was released")
		return
	} else if !errors.As(err, new(*engine.Internal)) {
		t.Fatalf("err = %v, want *engine.Internal", err)
	}
	checkUnwritten(t, s, keys)
}

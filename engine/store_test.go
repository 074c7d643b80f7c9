package engine

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3"
)

// openTestStore opens shard `shard` of `shards` in dir and closes it when
// the test ends.
func openTestStore(t *testing.T, dir string, shard, shards int) *Store {
	t.Helper()
	s, err := Open(filepath.Join(dir, fmt.Sprintf("shard-%04d.db", shard)), Options{Shard: shard, Shards: shards, Sync: SyncNo})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// mustWrite runs fn in a write transaction on db 0 and fails the test on error.
func mustWrite(t *testing.T, s *Store, fn func(tx *Tx) error) {
	t.Helper()
	if err := s.Write(0, fn); err != nil {
		t.Fatalf("Write: %v", err)
	}
}

// readString reads key from db 0, reporting whether it exists.
func readString(t *testing.T, s *Store, key string) (string, bool) {
	t.Helper()
	var v []byte
	var ok bool
	if err := s.Read(0, func(tx *Tx) (err error) { v, ok, err = tx.Get([]byte(key)); return }); err != nil {
		t.Fatalf("Read: %v", err)
	}
	return string(v), ok
}

// TestStoreReopen checks that strings, lists, expiries and key counts
// survive a close and reopen.
func TestStoreReopen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "shard-0000.db")
	s, err := Open(path, Options{Shard: 0, Shards: 1})
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Now().Add(time.Hour).UnixMilli()
	mustWrite(t, s, func(tx *Tx) error {
		tx.SetString([]byte("str"), []byte("value"), 0)
		tx.SetString([]byte("ttl"), []byte("v"), exp)
		_, err := tx.Push([]byte("list"), [][]byte{[]byte("a"), []byte("b"), []byte("c")}, false, false)
		return err
	})
	if err := s.Write(3, func(tx *Tx) error { tx.SetString([]byte("db3"), []byte("x"), 0); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(path, Options{Shard: 0, Shards: 1})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	if v, ok := readString(t, s, "str"); !ok || v != "value" {
		t.Errorf("str = %q, %v after reopen", v, ok)
	}
	s.Read(0, func(tx *Tx) error {
		if at, ok := tx.ExpireTime([]byte("ttl")); !ok || at != exp {
			t.Errorf("ttl expires at %d, %v; want %d", at, ok, exp)
		}
		items, err := tx.LRange([]byte("list"), 0, -1)
		if err != nil || len(items) != 3 || string(items[0]) != "a" || string(items[2]) != "c" {
			t.Errorf("list = %q, %v", items, err)
		}
		if tx.Exists([]byte("db3")) {
			t.Error("db3's key is visible in db 0")
		}
		c := tx.Counts()
		if c[0] != [2]int64{3, 1} || c[3] != [2]int64{1, 0} {
			t.Errorf("counts = %v, want db0 3 keys 1 expiring, db3 1 key", c)
		}
		return nil
	})
	// Writes after reopen allocate fresh collection ids.
	mustWrite(t, s, func(tx *Tx) error {
		_, err := tx.Push([]byte("list2"), [][]byte{[]byte("z")}, true, false)
		return err
	})
	s.Read(0, func(tx *Tx) error {
		a, _ := tx.LRange([]byte("list"), 0, -1)
		b, _ := tx.LRange([]byte("list2"), 0, -1)
		if len(a) != 3 || len(b) != 1 {
			t.Errorf("after a new list: list = %q, list2 = %q", a, b)
		}
		return nil
	})
}

// fileSnapshot returns the contents of path and its WAL, to check that a
// refused open left them alone.
func fileSnapshot(t *testing.T, path string) [2][]byte {
	t.Helper()
	var out [2][]byte
	for i, p := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(p)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		out[i] = b
	}
	return out
}

// TestStoreShardLayout checks that a file created as one shard of N is
// refused with another layout, and that the refusal does not change it.
func TestStoreShardLayout(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "shard-0001.db")
	s, err := Open(path, Options{Shard: 1, Shards: 4})
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, s, func(tx *Tx) error { tx.SetString([]byte("k"), []byte("v"), 0); return nil })
	s.Close()
	before := fileSnapshot(t, path)
	for _, opt := range []Options{{Shard: 1, Shards: 8}, {Shard: 0, Shards: 4}, {Shard: 1, Shards: 1}} {
		if s, err := Open(path, opt); err == nil {
			s.Close()
			t.Errorf("Open with shard %d of %d succeeded on shard 1 of 4", opt.Shard, opt.Shards)
		}
		if after := fileSnapshot(t, path); !bytes.Equal(before[0], after[0]) || !bytes.Equal(before[1], after[1]) {
			t.Fatalf("refused Open with shard %d of %d modified the file", opt.Shard, opt.Shards)
		}
	}
	s, err = Open(path, Options{Shard: 1, Shards: 4})
	if err != nil {
		t.Fatalf("reopen with the right layout: %v", err)
	}
	defer s.Close()
	if v, ok := readString(t, s, "k"); !ok || v != "v" {
		t.Errorf("k = %q, %v", v, ok)
	}
}

// TestStoreRefusesForeignFiles checks that garbage, truncated and foreign
// SQLite files are refused with ErrCorrupt and left byte for byte as they were.
func TestStoreRefusesForeignFiles(t *testing.T) {
	dir := t.TempDir()
	garbage := bytes.Repeat([]byte("not a database\n"), 1000)
	header := append([]byte("SQLite format 3\x00"), bytes.Repeat([]byte{0xAB}, 4096)...)
	foreign := filepath.Join(dir, "foreign.db")
	db, err := sqlite3.Open(foreign)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("CREATE TABLE t(x); INSERT INTO t VALUES(1);"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	foreignBytes, err := os.ReadFile(foreign)
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string][]byte{
		"garbage":        garbage,
		"short":          []byte("hello"),
		"sqlite header":  header,
		"foreign sqlite": foreignBytes,
	} {
		path := filepath.Join(dir, name+".db")
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := Open(path, Options{Shard: 0, Shards: 1})
		if err == nil {
			s.Close()
			t.Errorf("%s: Open succeeded", name)
		} else if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err = %v, want ErrCorrupt", name, err)
		}
		after, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(after, content) {
			t.Errorf("%s: file changed by the refused Open", name)
		}
	}
}

// TestStoreEmptyFile checks that a zero-length file counts as a new shard.
func TestStoreEmptyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "shard-0000.db")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path, Options{Shard: 0, Shards: 1})
	if err != nil {
		t.Fatalf("Open on an empty file: %v", err)
	}
	defer s.Close()
	mustWrite(t, s, func(tx *Tx) error { tx.SetString([]byte("k"), []byte("v"), 0); return nil })
	if v, ok := readString(t, s, "k"); !ok || v != "v" {
		t.Errorf("k = %q, %v", v, ok)
	}
}

// TestStoreExpiry checks that expired keys are invisible to every read,
// counted until swept, and that a past expiry deletes at once.
func TestStoreExpiry(t *testing.T) {
	s := openTestStore(t, t.TempDir(), 0, 1)
	soon := time.Now().Add(150 * time.Millisecond).UnixMilli()
	mustWrite(t, s, func(tx *Tx) error {
		tx.SetString([]byte("soon"), []byte("v"), soon)
		tx.SetString([]byte("keep"), []byte("v"), 0)
		_, err := tx.Push([]byte("list"), [][]byte{[]byte("a")}, false, false)
		if err != nil {
			return err
		}
		if !tx.Expire([]byte("list"), soon, ExpireAlways) {
			return errors.New("EXPIRE list failed")
		}
		// An expiry in the past deletes the key.
		tx.SetString([]byte("past"), []byte("v"), tx.Now-1)
		return nil
	})
	if _, ok := readString(t, s, "soon"); !ok {
		t.Fatal("soon is missing before it expires")
	}
	if _, ok := readString(t, s, "past"); ok {
		t.Error("a key set with a past expiry exists")
	}
	time.Sleep(time.Until(time.UnixMilli(soon)) + 20*time.Millisecond)
	s.Read(0, func(tx *Tx) error {
		if _, ok, _ := tx.Get([]byte("soon")); ok {
			t.Error("GET sees an expired key")
		}
		if tx.Exists([]byte("soon")) || tx.Exists([]byte("list")) {
			t.Error("EXISTS sees an expired key")
		}
		if _, ok := tx.TypeOf([]byte("list")); ok {
			t.Error("TYPE sees an expired key")
		}
		if n, _ := tx.StrLen([]byte("soon")); n != 0 {
			t.Errorf("STRLEN of an expired key = %d", n)
		}
		if n, _ := tx.LLen([]byte("list")); n != 0 {
			t.Errorf("LLEN of an expired list = %d", n)
		}
		if _, ok := tx.ExpireTime([]byte("soon")); ok {
			t.Error("TTL sees an expired key")
		}
		res := tx.Scan(0, 100, nil)
		if len(res.Keys) != 1 || string(res.Keys[0]) != "keep" {
			t.Errorf("SCAN = %q, want only keep", res.Keys)
		}
		if c := tx.Counts()[0]; c != [2]int64{3, 2} {
			t.Errorf("counts before the sweep = %v, want 3 keys, 2 expiring", c)
		}
		return nil
	})
	// A write to an expired key starts from nothing.
	mustWrite(t, s, func(tx *Tx) error {
		n, err := tx.Push([]byte("list"), [][]byte{[]byte("b")}, false, false)
		if n != 1 || err != nil {
			t.Errorf("RPUSH on an expired list = %d, %v; want 1", n, err)
		}
		return err
	})
	var swept int
	mustWrite(t, s, func(tx *Tx) error { swept = tx.ExpireSweep(100); return nil })
	if swept != 1 {
		t.Errorf("sweep deleted %d keys, want 1", swept)
	}
	s.Read(0, func(tx *Tx) error {
		if c := tx.Counts()[0]; c != [2]int64{2, 0} {
			t.Errorf("counts after the sweep = %v, want 2 keys, none expiring", c)
		}
		if at, ok := tx.ExpireTime([]byte("list")); !ok || at != 0 {
			t.Errorf("recreated list expires at %d, %v; want persistent", at, ok)
		}
		return nil
	})
}

// TestStoreBatchIsolation holds the writer so that many writes queue up
// and share one batch, then checks that the one whose storage fails (and
// the ones that return a domain error) change nothing while every other
// write in the batch commits.
func TestStoreBatchIsolation(t *testing.T) {
	s := openTestStore(t, t.TempDir(), 0, 1)
	release := make(chan struct{})
	held := make(chan struct{})
	go s.Write(0, func(tx *Tx) error {
		close(held)
		<-release
		return nil
	})
	<-held
	const n = 50
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			key := []byte(fmt.Sprintf("k%d", i))
			errs[i] = s.Write(0, func(tx *Tx) error {
				tx.SetString(key, []byte("v"), 0)
				switch i {
				case 7:
					panic(&Internal{errors.New("simulated disk failure")})
				case 13:
					panic("simulated bug")
				case 21:
					// A domain error is returned before anything changes.
					return ErrWrongType
				}
				return nil
			})
		}(i)
	}
	// Wait until every write is queued behind the held one.
	for deadline := time.Now().Add(5 * time.Second); len(s.jobs) < n; {
		if time.Now().After(deadline) {
			t.Fatalf("only %d writes queued", len(s.jobs))
		}
		time.Sleep(time.Millisecond)
	}
	commits := s.Commits.Load()
	close(release)
	wg.Wait()
	var ie *Internal
	for i, err := range errs {
		_, ok := readString(t, s, fmt.Sprintf("k%d", i))
		switch i {
		case 7, 13:
			if !errors.As(err, &ie) {
				t.Errorf("write %d: err = %v, want *Internal", i, err)
			}
			if ok {
				t.Errorf("write %d failed in storage but its key exists", i)
			}
		case 21:
			if !errors.Is(err, ErrWrongType) {
				t.Errorf("write %d: err = %v, want ErrWrongType", i, err)
			}
		default:
			if err != nil || !ok {
				t.Errorf("write %d: err = %v, key exists = %v", i, err, ok)
			}
		}
	}
	if c := s.Commits.Load() - commits; c < 2 {
		t.Errorf("%d commits for the held write and the batch behind it", c)
	}
	s.Read(0, func(tx *Tx) error {
		if c := tx.Counts()[0]; c[0] != n-2 {
			t.Errorf("key count = %d, want %d", c[0], n-2)
		}
		return nil
	})
}

// TestStoreReadYourWrites checks that a Read started after Write returns
// sees the write, from many goroutines at once.
func TestStoreReadYourWrites(t *testing.T) {
	s := openTestStore(t, t.TempDir(), 0, 1)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				key := fmt.Sprintf("g%d", g)
				val := fmt.Sprint(i)
				if err := s.Write(0, func(tx *Tx) error { tx.SetString([]byte(key), []byte(val), 0); return nil }); err != nil {
					t.Error(err)
					return
				}
				if v, ok := readString(t, s, key); !ok || v != val {
					t.Errorf("%s = %q after writing %q", key, v, val)
					return
				}
			}
		}(g)
	}
	wg.Wait()
}

// TestParseSync checks the appendfsync names.
func TestParseSync(t *testing.T) {
	for _, name := range []string{"always", "everysec", "no"} {
		s, ok := ParseSync(name)
		if !ok || s.String() != name {
			t.Errorf("ParseSync(%q) = %v, %v", name, s, ok)
		}
	}
	if _, ok := ParseSync("sometimes"); ok {
		t.Error("ParseSync accepted an unknown level")
	}
}

// TestIdleCheckpoint checks that a shard left without commits has its
// write-ahead log copied into the main file and truncated, and that the data
// is all there afterwards, also after a reopen.
func TestIdleCheckpoint(t *testing.T) {
	old := IdleCheckpoint
	IdleCheckpoint = 100 * time.Millisecond
	defer func() { IdleCheckpoint = old }()
	dir := t.TempDir()
	s := openTestStore(t, dir, 0, 1)
	for i := 0; i < 200; i++ {
		mustWrite(t, s, func(tx *Tx) error {
			tx.SetString([]byte(fmt.Sprintf("k%d", i)), bytes.Repeat([]byte("v"), 1000), 0)
			return nil
		})
	}
	wal := s.Path() + "-wal"
	if fi, err := os.Stat(wal); err != nil || fi.Size() == 0 {
		t.Fatalf("expected a non-empty WAL after the writes: %v, %v", fi, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		fi, err := os.Stat(wal)
		if err == nil && fi.Size() == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("WAL not truncated after the shard went idle: %v, %v", fi, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if v, ok := readString(t, s, "k199"); !ok || len(v) != 1000 {
		t.Fatalf("k199 after the checkpoint: %q %v", v, ok)
	}
	s.Close()
	s = openTestStore(t, dir, 0, 1)
	for i := 0; i < 200; i += 37 {
		if _, ok := readString(t, s, fmt.Sprintf("k%d", i)); !ok {
			t.Fatalf("k%d lost after the idle checkpoint and a reopen", i)
		}
	}
}

// withAndWithoutCache runs f as subtests on a one-shard store with the key
// cache off and on; reopen closes and reopens that store's file and returns
// the new store.
func withAndWithoutCache(t *testing.T, f func(t *testing.T, s *Store, reopen func() *Store, cache int64)) {
	for _, cache := range []int64{0, 1 << 20} {
		t.Run(fmt.Sprintf("cache=%d", cache), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "shard-0000.db")
			var s *Store
			reopen := func() *Store {
				if s != nil {
					s.Close()
				}
				var err error
				if s, err = Open(path, Options{Shard: 0, Shards: 1, Sync: SyncNo, CacheBytes: cache}); err != nil {
					t.Fatal(err)
				}
				return s
			}
			reopen()
			defer func() { s.Close() }()
			f(t, s, reopen, cache)
		})
	}
}

// openShardFile opens a new one-shard store, for tests that then rewrite
// it into what an older version wrote, and returns it with its path.
func openShardFile(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "old.db")
	s, err := Open(path, Options{Shard: 0, Shards: 1, Sync: SyncNo})
	if err != nil {
		t.Fatal(err)
	}
	return s, path
}

// finishBigValueRun ends a randomized big-value test: the store is
// reopened, flushed (FLUSHDB), written by fill and flushed whole
// (FLUSHALL), check running after each step; reset empties the model
// after the first flush. *sp follows the reopen.
func finishBigValueRun(t *testing.T, sp **Store, reopen func() *Store, check func(step int, op string), reset func(), fill func(tx *Tx) error) {
	t.Helper()
	*sp = reopen()
	check(-1, "reopen")
	mustWrite(t, *sp, func(tx *Tx) error { tx.Flush(); return nil })
	reset()
	check(-2, "flush")
	mustWrite(t, *sp, func(tx *Tx) error {
		err := fill(tx)
		tx.FlushAll()
		return err
	})
	check(-3, "flushall")
}

// reopenAtVersion marks the file of s as written by schema version v,
// closes it and opens it again: the upgrade from v runs.
func reopenAtVersion(t *testing.T, s *Store, path string, v int) *Store {
	t.Helper()
	if err := s.wc.c.Exec(fmt.Sprintf("PRAGMA user_version=%d", v)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err := Open(path, Options{Shard: 0, Shards: 1, Sync: SyncNo})
	if err != nil {
		t.Fatalf("reopen version %d: %v", v, err)
	}
	return s
}

// TestSyncWALFollowsSymlink checks that a shard file reached through a
// symbolic link has its write-ahead log found for the everysec fsync:
// SQLite names the log after the link's target.
func TestSyncWALFollowsSymlink(t *testing.T) {
	real := filepath.Join(t.TempDir(), "shard-0000.db")
	link := filepath.Join(t.TempDir(), "shard-0000.db")
	if f, err := os.Create(real); err != nil {
		t.Fatal(err)
	} else {
		f.Close()
	}
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	s, err := Open(link, Options{Shard: 0, Shards: 1, Sync: SyncEverysec})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mustWrite(t, s, func(tx *Tx) error { tx.SetString([]byte("k"), []byte("v"), 0); return nil })
	if _, err := os.Stat(s.wal); err != nil {
		t.Fatalf("the log SyncWAL fsyncs: %v", err)
	}
	if _, err := os.Stat(link + "-wal"); err == nil {
		t.Fatalf("a log next to the link as well: the test does not show what it means to")
	}
}

// TestStatesRelease: a write transaction with more key states than
// statesKeep does not leave its entries' chunks or its map to the next.
func TestStatesRelease(t *testing.T) {
	s := openTestStore(t, t.TempDir(), 0, 1)
	mustWrite(t, s, func(tx *Tx) error {
		for i := range statesKeep + 100 {
			tx.SetString(fmt.Appendf(nil, "k%d", i), []byte("v"), 0)
		}
		return nil
	})
	mustWrite(t, s, func(tx *Tx) error { tx.SetString([]byte("k0"), []byte("w"), 0); return nil })
	s.wmu.Lock()
	defer s.wmu.Unlock()
	st := &s.states
	if keep := statesKeep / statesChunk; cap(st.chunks) > keep {
		t.Fatalf("%d chunks kept (capacity), want at most %d", cap(st.chunks), keep)
	}
	if st.used != 0 {
		t.Fatalf("%d entries still in use between transactions", st.used)
	}
	if st.spare == nil {
		t.Fatal("the small transaction's map was not kept")
	}
}

package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

// TestWALFileCommitsVisible writes transactions of every size through a
// writer connection (whose log goes through walFile) while a reader
// connection polls: every state the reader sees must be one a commit left
// (never a torn or missing frame), and after each commit the reader must
// see it at once. Transactions larger than the buffer, cache spills
// followed by a rollback and checkpoints that restart the log are among
// them.
func TestWALFileCommitsVisible(t *testing.T) {
	for _, level := range []Sync{SyncEverysec, SyncAlways} { // synchronous=NORMAL, FULL
		t.Run(level.String(), func(t *testing.T) { testWALFileCommitsVisible(t, level) })
	}
}

func testWALFileCommitsVisible(t *testing.T, level Sync) {
	path := filepath.Join(t.TempDir(), "wal.db")
	w := testConn(t, path, false, level)
	if err := w.exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	r, p := testConn(t, path, true, level), testConn(t, path, true, level) // p: the poller's

	const size = 1000
	// state reads what c sees and checks that the rows are whole: k runs
	// 1..count and every value has its size.
	state := func(c *conn) (int64, error) {
		st := c.stmt("SELECT count(*), coalesce(max(k),0), coalesce(sum(length(v)),0), coalesce(sum(unicode(v)),0) FROM t")
		defer st.Reset()
		if !st.Step() {
			return 0, fmt.Errorf("no row: %v", st.Err())
		}
		n, mx, bytes, first := st.ColumnInt64(0), st.ColumnInt64(1), st.ColumnInt64(2), st.ColumnInt64(3)
		if n != mx || bytes != n*size || first != n*'x' {
			return 0, fmt.Errorf("torn state: %d rows, max k %d, %d bytes, first bytes %d", n, mx, bytes, first)
		}
		return n, nil
	}

	var committed sync.Map // row counts some commit left
	committed.Store(int64(0), true)
	stop := make(chan struct{})
	var polls atomic.Int64
	pollErr := make(chan error, 1)
	var stopped bool
	stopPoller := func() error {
		if !stopped {
			stopped = true
			close(stop)
		}
		return <-pollErr
	}
	defer stopPoller() // before the connections close, also on t.Fatal
	go func() {
		defer close(pollErr)
		for {
			select {
			case <-stop:
				return
			default:
			}
			n, err := state(p)
			if err == nil {
				if _, ok := committed.Load(n); !ok {
					err = fmt.Errorf("reader saw %d rows, which no commit left", n)
				}
			}
			if err != nil {
				pollErr <- err
				return
			}
			polls.Add(1)
		}
	}()

	insert := func(from, n int64) {
		t.Helper()
		st := w.stmt("INSERT INTO t(k, v) VALUES(?, ?)")
		val := slices.Repeat([]byte("x"), size)
		for k := from; k < from+n; k++ {
			st.BindInt64(1, k)
			st.BindBlob(2, val)
			if err := st.Exec(); err != nil {
				t.Fatal(err)
			}
		}
	}
	var rows int64
	commit := func(n int64, spills bool) {
		t.Helper()
		if err := w.exec("BEGIN IMMEDIATE"); err != nil {
			t.Fatal(err)
		}
		insert(rows+1, n)
		committed.Store(rows+n, true) // before COMMIT: the poller may see it at once
		before := walWrites.Load()
		if err := w.exec("COMMIT"); err != nil {
			t.Fatal(err)
		}
		rows += n
		if got, err := state(r); err != nil || got != rows {
			t.Fatalf("after committing %d rows the reader sees %d (%v)", rows, got, err)
		}
		// What a crash right now would leave: the files as they are on
		// disk, opened afresh, so that SQLite recovers the log and checks
		// every frame's checksum.
		if spills || n >= 1000 {
			crash := filepath.Join(t.TempDir(), "crash.db")
			for _, sfx := range []string{"", "-wal"} {
				b, err := os.ReadFile(path + sfx)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(crash+sfx, b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := state(testConn(t, crash, false, level))
			if err != nil || got != rows {
				t.Fatalf("a crash after committing %d rows would leave %d (%v)", rows, got, err)
			}
		}
		// A commit of n 1 KB rows appends about n/4 pages; unbuffered that is
		// two writes per page.
		if n >= 100 && !spills {
			if writes := walWrites.Load() - before; writes < 1 || writes > max(3, n/100) {
				t.Fatalf("a commit of %d rows took %d log writes", n, writes)
			}
		}
	}

	for round := 0; round < 3; round++ {
		for _, n := range []int64{1, 2, 10, 100, 400, 1500, 3000} { // 3000 rows: over walFlushAt
			commit(n, false)
		}
		// A transaction that spills pages into the log before it rolls back.
		if err := w.c.Exec("PRAGMA cache_size=20; BEGIN IMMEDIATE"); err != nil {
			t.Fatal(err)
		}
		insert(rows+1, 2000)
		if err := w.c.Exec("ROLLBACK; PRAGMA cache_size=-8000"); err != nil {
			t.Fatal(err)
		}
		commit(5, false)
		// A spilling transaction that commits.
		if err := w.c.Exec("PRAGMA cache_size=20"); err != nil {
			t.Fatal(err)
		}
		commit(2500, true)
		if err := w.c.Exec("PRAGMA cache_size=-8000"); err != nil {
			t.Fatal(err)
		}
		// Restart the log: the next commit writes from its start again.
		if err := w.exec("PRAGMA wal_checkpoint(RESTART)"); err != nil {
			t.Fatal(err)
		}
		commit(3, false)
	}
	if err := stopPoller(); err != nil {
		t.Fatal(err)
	}
	if polls.Load() == 0 {
		t.Fatal("the reader never polled")
	}
	st := w.stmt("PRAGMA integrity_check")
	if !st.Step() || st.ColumnText(0) != "ok" {
		t.Fatalf("integrity_check: %s %v", st.ColumnText(0), st.Err())
	}
	st.Reset()
	t.Logf("%d rows in %d commits, %d reader polls", rows, 3*10, polls.Load())
}

// TestShardURIPaths opens, writes and reopens shard files whose paths hold
// the characters a SQLite URI gives meaning to, and a relative path.
func TestShardURIPaths(t *testing.T) {
	base := t.TempDir()
	for _, dir := range []string{"plain", "a b", "per%3fcent%", "q?mark", "hash#tag", "amp&eq=1+2"} {
		path := filepath.Join(base, dir, "shard-0000.db")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		for round := 0; round < 2; round++ {
			s, err := Open(path, Options{Shard: 0, Shards: 1})
			if err != nil {
				t.Fatalf("%q: %v", dir, err)
			}
			if round == 0 {
				mustWrite(t, s, func(tx *Tx) error { tx.SetString([]byte("k"), []byte(dir), 0); return nil })
			} else if v, ok := readString(t, s, "k"); !ok || v != dir {
				t.Errorf("%q after reopening: %q, %v", dir, v, ok)
			}
			s.Close()
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("%q: the shard file is not where it was asked for: %v", dir, err)
		}
	}
	// A relative path resolves against the working directory.
	t.Chdir(base)
	if err := os.MkdirAll("rel", 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := Open(filepath.Join("rel", "shard-0000.db"), Options{Shard: 0, Shards: 1})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(filepath.Join(base, "rel", "shard-0000.db")); err != nil {
		t.Fatal(err)
	}
}

// testConn opens a shard-style connection to path, closed when the test
// ends (after its deferred calls, so after the poller has stopped).
func testConn(t *testing.T, path string, readonly bool, level Sync) *conn {
	t.Helper()
	c, err := openConn(path, readonly, level)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.close)
	return c
}

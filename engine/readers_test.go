package engine

import (
	"bytes"
	"fmt"
	"os"
	"testing"
	"time"
)

// idleSnapshots reports how many connections idle in the pool keep a
// read transaction open. No read may be running; the sync loop's
// once-a-second release can hold the connections for a moment, so it
// waits until it has them all.
func idleSnapshots(s *Store) (open, idle int) {
	for deadline := time.Now().Add(time.Second); ; time.Sleep(time.Millisecond) {
		cs := s.takeIdle()
		if len(cs) == int(s.nread.Load()) || time.Now().After(deadline) {
			for _, c := range cs {
				if c.open {
					open++
				}
			}
			idle = len(cs)
		}
		for _, c := range cs {
			s.readers <- c
		}
		if idle > 0 || time.Now().After(deadline) {
			return open, idle
		}
	}
}

// TestReadSnapshotKept checks that reads reuse a read transaction while
// nothing is committed, and that a read after a commit sees it (the store
// has no key cache: every read is a SQLite read).
func TestReadSnapshotKept(t *testing.T) {
	s := openTestStore(t, t.TempDir(), 0, 1)
	set := func(v string) {
		mustWrite(t, s, func(tx *Tx) error { tx.SetString([]byte("k"), []byte(v), 0); return nil })
	}
	set("v0")
	begins := s.readBegins.Load()
	for i := 0; i < 100; i++ {
		if v, _ := readString(t, s, "k"); v != "v0" {
			t.Fatalf("read %d: %q, want v0", i, v)
		}
	}
	if n := s.readBegins.Load() - begins; n != 1 {
		t.Fatalf("100 reads without a commit began %d read transactions, want 1", n)
	}
	for i := 1; i <= 20; i++ {
		want := fmt.Sprintf("v%d", i)
		set(want)
		if v, _ := readString(t, s, "k"); v != want {
			t.Fatalf("read after writing %s: %q", want, v)
		}
	}
	if n := s.readBegins.Load() - begins; n != 21 {
		t.Fatalf("%d read transactions for 100 reads, then 20 reads each after a commit; want 21", n)
	}
	if open, idle := idleSnapshots(s); open != 1 || idle != 1 {
		t.Fatalf("%d of %d idle connections keep a snapshot after a read, want 1 of 1", open, idle)
	}
}

// TestReadSnapshotReleased checks that kept snapshots do not hold back the
// log: a stale one is ended within a few seconds by the sync loop, and a
// current one is ended by a SAVE-style checkpoint, which then truncates
// the log (with the snapshot kept, the checkpoint would wait out the busy
// timeout and leave the log as it was).
func TestReadSnapshotReleased(t *testing.T) {
	s := openTestStore(t, t.TempDir(), 0, 1)
	write := func(n int) {
		for i := 0; i < n; i++ {
			mustWrite(t, s, func(tx *Tx) error {
				tx.SetString([]byte(fmt.Sprintf("k%d", i)), bytes.Repeat([]byte("v"), 1000), 0)
				return nil
			})
		}
	}
	write(1)
	readString(t, s, "k0")
	write(50) // the snapshot is stale now
	deadline := time.Now().Add(5 * time.Second)
	for {
		open, _ := idleSnapshots(s)
		if open == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a stale snapshot was still kept 5 s after the commit")
		}
		time.Sleep(50 * time.Millisecond)
	}

	readString(t, s, "k49") // a current snapshot, kept
	if open, _ := idleSnapshots(s); open != 1 {
		t.Fatalf("%d idle snapshots after a read, want 1", open)
	}
	if err := s.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(s.Path() + "-wal"); err != nil || fi.Size() != 0 {
		t.Fatalf("log after the checkpoint: %v bytes, %v; want truncated", fi.Size(), err)
	}
	if v, ok := readString(t, s, "k49"); !ok || len(v) != 1000 {
		t.Fatalf("k49 after the checkpoint: %d bytes, %v", len(v), ok)
	}
}

// TestRestartBusyLongRead checks the background checkpoint's busy handler:
// it waits while the reads in flight are short and gives up at once when
// one has run for longRead, so that a long read cannot stall the paused
// writer at every checkpoint.
func TestRestartBusyLongRead(t *testing.T) {
	s := openTestStore(t, t.TempDir(), 0, 1)
	mustWrite(t, s, func(tx *Tx) error { tx.SetString([]byte("k"), []byte("v"), 0); return nil })
	since := time.Now()
	busy := s.restartBusy(&since)
	if !busy(nil, 0) {
		t.Fatal("the handler gave up with no read in flight and time left")
	}
	endRead := holdRead(s, "k")
	if age := s.oldestRead(); age <= 0 {
		t.Fatalf("oldestRead = %v with a read in flight", age)
	}
	time.Sleep(2 * longRead)
	since = time.Now()
	if busy(nil, 0) {
		t.Fatalf("the handler waits for a read that has run %v", s.oldestRead())
	}
	endRead()
	for s.oldestRead() != 0 {
		time.Sleep(time.Millisecond)
	}
	since = time.Now().Add(-restartWait)
	if busy(nil, 0) {
		t.Fatal("the handler waits past restartWait")
	}
}

// TestCheckpointBusyRead: with a read in flight on a snapshot older than the
// last commit, the log cannot be truncated. SAVE (Checkpoint) then still
// makes what was committed durable by fsyncing the log, and the idle
// checkpoint reports that it did not truncate (so that it tries again)
// without waiting for the read. Both used to take SQLite's "busy" result row
// for success.
func TestCheckpointBusyRead(t *testing.T) {
	s := openTestStore(t, t.TempDir(), 0, 1) // SyncNo: nothing fsyncs the log but SAVE
	mustWrite(t, s, func(tx *Tx) error { tx.SetString([]byte("k"), []byte("v1"), 0); return nil })
	endRead := holdRead(s, "k")
	mustWrite(t, s, func(tx *Tx) error { tx.SetString([]byte("k"), []byte("v2"), 0); return nil })
	walSize := func() int64 {
		t.Helper()
		fi, err := os.Stat(s.wal)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}

	if s.tryCheckpoint() {
		t.Fatal("the idle checkpoint reported success with a read holding the log")
	}
	if walSize() == 0 {
		t.Fatal("the log was truncated under a read in flight")
	}

	s.wmu.Lock()
	s.wc.c.BusyTimeout(50 * time.Millisecond) // SAVE waits busyTimeout for the read
	s.wmu.Unlock()
	if !s.dirty.Load() {
		t.Fatal("precondition: the commit should have left the log unsynced")
	}
	if err := s.Checkpoint(); err != nil {
		t.Fatalf("Checkpoint: %v", err)
	}
	if walSize() == 0 {
		t.Fatal("the log was truncated under a read in flight")
	}
	if s.dirty.Load() {
		t.Fatal("SAVE returned without fsyncing the log it could not copy")
	}

	endRead()
	if !s.tryCheckpoint() {
		t.Fatal("the idle checkpoint failed with no read in flight")
	}
	if n := walSize(); n != 0 {
		t.Fatalf("log of %d bytes after the idle checkpoint", n)
	}
	if v, _ := readString(t, s, "k"); v != "v2" {
		t.Fatalf("k = %q after the checkpoints", v)
	}
}

// holdRead starts a read of key on s that stays in flight, its snapshot
// held, until the returned func is called; that func returns once the read
// has ended.
func holdRead(s *Store, key string) (end func()) {
	reading, release, ended := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(ended)
		s.Read(0, func(tx *Tx) error {
			_, _, err := tx.Get([]byte(key))
			close(reading)
			<-release
			return err
		})
	}()
	<-reading
	return func() {
		close(release)
		<-ended
	}
}

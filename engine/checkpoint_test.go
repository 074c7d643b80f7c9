package engine

import (
	"bytes"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"
)

// setCheckpointPages lowers the checkpoint thresholds for one test.
func setCheckpointPages(t *testing.T, background, hard int64) {
	oldB, oldH := CheckpointPages, CheckpointHardPages
	CheckpointPages, CheckpointHardPages = background, hard
	t.Cleanup(func() { CheckpointPages, CheckpointHardPages = oldB, oldH })
}

// hammer commits from several goroutines without a pause until each has
// written rounds values over keys, a 1 KB value each (a page per write), and
// reports the largest size the write-ahead log reached.
func hammer(t *testing.T, s *Store, writers, rounds, keys int) (maxWAL int64) {
	t.Helper()
	stop := make(chan struct{})
	var watched sync.WaitGroup
	watched.Add(1)
	go func() {
		defer watched.Done()
		for {
			if fi, err := os.Stat(s.Path() + "-wal"); err == nil && fi.Size() > maxWAL {
				maxWAL = fi.Size()
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				k := []byte(fmt.Sprintf("k%d", (i*writers+w)%keys))
				v := bytes.Repeat([]byte{byte('a' + w)}, 1000)
				v = fmt.Appendf(v[:990], "%010d", i)
				if err := s.Write(0, func(tx *Tx) error { tx.SetString(k, v, 0); return nil }); err != nil {
					t.Error(err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(stop)
	watched.Wait()
	return maxWAL
}

// checkHammered checks, after hammer and a reopen, that every key holds
// the last value its writer gave it.
func checkHammered(t *testing.T, s *Store, writers, rounds, keys int) {
	t.Helper()
	last := map[string]string{}
	for w := 0; w < writers; w++ {
		for i := 0; i < rounds; i++ {
			last[fmt.Sprintf("k%d", (i*writers+w)%keys)] = fmt.Sprintf("%c%010d", 'a'+w, i)
		}
	}
	for k, want := range last {
		v, ok := readString(t, s, k)
		if !ok || len(v) != 1000 || string(v[0:1])+string(v[990:]) != want {
			t.Fatalf("%s after the writes and a reopen: %d bytes, found=%v, want %s", k, len(v), ok, want)
		}
	}
}

// TestCheckpoints checks the two bounds on the log under a steady write
// load, each with the other checkpoint off: the background checkpoint keeps
// the log near CheckpointPages by itself, pausing the writer for its second
// pass so that the log does start over; and when it does not run, the
// writer checkpoints after the commit that takes the log over
// CheckpointHardPages. Nothing committed may be lost across either. With
// readers, the snapshots that read connections keep (readers.go) must not
// stop the log from starting over.
func TestCheckpoints(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		soft, hard            int64
		writers, rounds, keys int
		readers               int
	}{
		{"background", 50, 1 << 40, 8, 600, 3000, 0},
		{"writer", 1 << 40, 50, 4, 500, 1000, 0},
		// With readers on a loaded machine, the background checkpoint's
		// second pass gives up on reads that look long (restartBusy), and
		// the writer's own checkpoint at the hard bound is what holds the
		// log, as in production (CheckpointPages and 3× that): both on.
		{"background with readers", 50, 500, 8, 600, 3000, 2},
		{"writer with readers", 1 << 40, 50, 4, 500, 1000, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			setCheckpointPages(t, tc.soft, tc.hard)
			dir := t.TempDir()
			s := openTestStore(t, dir, 0, 1)
			stop := make(chan struct{})
			var reads sync.WaitGroup
			for r := 0; r < tc.readers; r++ {
				reads.Add(1)
				go func() {
					defer reads.Done()
					for i := 0; ; i++ {
						select {
						case <-stop:
							return
						default:
						}
						if err := s.Read(0, func(tx *Tx) error { _, _, err := tx.Get(fmt.Appendf(nil, "k%d", i%tc.keys)); return err }); err != nil {
							t.Error(err)
							return
						}
					}
				}()
			}
			maxWAL := hammer(t, s, tc.writers, tc.rounds, tc.keys)
			close(stop)
			reads.Wait()
			bg, own := s.Checkpoints.Load(), s.WriterCheckpoints.Load()
			if background := tc.soft < tc.hard; (background && bg == 0) || (!background && own == 0) {
				t.Fatalf("%d background and %d writer checkpoints in the %s case", bg, own, tc.name)
			}
			// Without restarts the log passes 30 MB. It can grow by what is
			// committed during a first pass (its fsyncs can be slow on a busy
			// disk), so the bound is loose: 2,500 frames.
			if limit := int64(2500 * 4120); maxWAL > limit {
				t.Fatalf("the log reached %d bytes (limit %d): the checkpoints did not let it start over", maxWAL, limit)
			}
			t.Logf("%d background and %d writer checkpoints, largest log %d bytes", bg, own, maxWAL)
			s.Close()
			s = openTestStore(t, dir, 0, 1)
			checkHammered(t, s, tc.writers, tc.rounds, tc.keys)
		})
	}
}

// TestWriterCheckpointLongRead: a read that outlasts the writer's own
// checkpoint's wait is not waited for again at every later commit over
// the bound (which would hold each write for writerWait until it ended);
// once it ends, the next checkpoint lets the log start over.
func TestWriterCheckpointLongRead(t *testing.T) {
	setCheckpointPages(t, 1<<40, 20)
	old := writerWait
	writerWait = 100 * time.Millisecond
	t.Cleanup(func() { writerWait = old })
	s := openTestStore(t, t.TempDir(), 0, 1)
	val := bytes.Repeat([]byte("v"), 1000)
	write := func(i int) {
		t.Helper()
		mustWrite(t, s, func(tx *Tx) error { tx.SetString(fmt.Appendf(nil, "k%d", i), val, 0); return nil })
	}
	write(0)
	endRead := holdRead(s, "k0")
	start := time.Now()
	const writes = 40 // a page each: about 20 commits over the bound
	for i := 1; i <= writes; i++ {
		write(i)
	}
	took := time.Since(start)
	if n := s.WriterCheckpoints.Load(); n < 10 {
		t.Fatalf("%d writer checkpoints over %d writes: the bound was not reached", n, writes)
	}
	if took > 5*writerWait {
		t.Fatalf("%d writes with a long read in flight took %v: the writer waited for it again and again", writes, took)
	}
	endRead()
	write(writes + 1)
	write(writes + 2) // the commit after a complete checkpoint starts the log over
	s.wmu.Lock()
	gaveUp := s.gaveUp
	s.wmu.Unlock()
	if !gaveUp.IsZero() {
		t.Fatal("the writer's checkpoint still gives up after the read ended")
	}
}

// TestSaveDuringBackgroundCheckpoint: a SAVE that comes while the
// background checkpoint is copying the log waits for it, then copies the
// rest and truncates the log, instead of finding SQLite's checkpoint lock
// taken and leaving the log as it was (fsynced, but not copied).
func TestSaveDuringBackgroundCheckpoint(t *testing.T) {
	setCheckpointPages(t, 1, 1<<40) // every commit starts a background checkpoint
	s := openTestStore(t, t.TempDir(), 0, 1)
	v := bytes.Repeat([]byte("v"), 1000)
	for i := 0; i < 300; i++ {
		mustWrite(t, s, func(tx *Tx) error { tx.SetString(fmt.Appendf(nil, "k%d", i%50), v, 0); return nil })
		truncated, err := s.save()
		if err != nil {
			t.Fatalf("SAVE %d: %v", i, err)
		}
		if !truncated {
			t.Fatalf("SAVE %d left the log in place with no read in flight (%d background checkpoints so far)", i, s.Checkpoints.Load())
		}
	}
	if s.Checkpoints.Load() == 0 {
		t.Fatal("no background checkpoint ran: the test did not test anything")
	}
}

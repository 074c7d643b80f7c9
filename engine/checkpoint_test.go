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

// TestBackgroundCheckpoint checks that under a steady write load the
// background checkpoint keeps the log near CheckpointPages by itself (the
// writer's own checkpoint is off here), that it pauses the writer for its
// second pass so that the log does start over, and that nothing committed
// is lost across it.
func TestBackgroundCheckpoint(t *testing.T) {
	setCheckpointPages(t, 50, 1<<40)
	dir := t.TempDir()
	s := openTestStore(t, dir, 0, 1)
	const writers, rounds, keys = 8, 600, 3000
	maxWAL := hammer(t, s, writers, rounds, keys)
	if n := s.Checkpoints.Load(); n == 0 {
		t.Fatal("no background checkpoint ran")
	}
	if n := s.WriterCheckpoints.Load(); n != 0 {
		t.Fatalf("the writer checkpointed %d times with its threshold off", n)
	}
	// 4,800 writes of a page each: without restarts the log passes 30 MB. It
	// can grow by what is committed during a first pass (its fsyncs can be
	// slow on a busy disk), so the bound is loose: 2,500 frames.
	if limit := int64(2500 * 4120); maxWAL > limit {
		t.Fatalf("the log reached %d bytes (limit %d): the background checkpoint did not let it start over", maxWAL, limit)
	}
	t.Logf("%d background checkpoints, largest log %d bytes", s.Checkpoints.Load(), maxWAL)
	s.Close()
	s = openTestStore(t, dir, 0, 1)
	checkHammered(t, s, writers, rounds, keys)
}

// TestWriterCheckpoint checks the bound that holds when the background
// checkpoint does not run: the writer checkpoints after the commit that takes
// the log over CheckpointHardPages.
func TestWriterCheckpoint(t *testing.T) {
	setCheckpointPages(t, 1<<40, 50)
	dir := t.TempDir()
	s := openTestStore(t, dir, 0, 1)
	const writers, rounds, keys = 4, 500, 1000
	maxWAL := hammer(t, s, writers, rounds, keys)
	if n := s.WriterCheckpoints.Load(); n == 0 {
		t.Fatal("the writer never checkpointed")
	}
	if n := s.Checkpoints.Load(); n != 0 {
		t.Fatalf("%d background checkpoints with its threshold off", n)
	}
	if limit := int64(2500 * 4120); maxWAL > limit {
		t.Fatalf("the log reached %d bytes (limit %d)", maxWAL, limit)
	}
	s.Close()
	s = openTestStore(t, dir, 0, 1)
	checkHammered(t, s, writers, rounds, keys)
}

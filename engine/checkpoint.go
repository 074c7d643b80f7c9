package engine

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/ncruces/go-sqlite3"
)

// Checkpoints copy the write-ahead log into the shard file so the log can
// start over. SQLite's automatic checkpoint runs inside the commit that
// takes the log over its threshold, on the writer: traced under a
// single-shard write load (redis-benchmark ZADD), the writer then spent 30 %
// of its time waiting in the checkpoint's two fsyncs (the log, then the
// file), with every write queued behind it. So the writer only notes the
// log's size (a WAL hook) and a goroutine per shard checkpoints on its own
// connection while writes go on: a PASSIVE checkpoint never blocks the
// writer, and SQLite's WAL index keeps readers, the writer and the
// checkpoint consistent as it does between processes. What was committed
// during that pass is copied in a second pass with the writer paused, which
// is short, so that the log is wholly copied and the writer's next
// transaction restarts it from the beginning: without it, under a steady
// load, the log would never be complete and would grow without bound.
var (
	// CheckpointPages is the log size, in pages, at which the background
	// checkpoint starts (~120 MB with 4 KB pages; SQLite's default is 1,000).
	// Fewer checkpoints copy a page written many times once: 10,000 instead
	// of 1,000 took INCR from 42.5 to 34.1 µs of CPU per request, and
	// 30,000 instead of 10,000 ZADD into a 100k-member set (whose 2,300
	// pages every checkpoint copied nearly all of) from 53.6 to 50.2.
	CheckpointPages int64 = 30_000
	// CheckpointHardPages is the log size at which the writer checkpoints
	// itself after a commit, as SQLite's automatic checkpoint did: the
	// bound on the log when the background checkpoint cannot keep up or
	// cannot complete (a long read transaction holds an old snapshot).
	CheckpointHardPages int64 = 90_000
)

// The background checkpoint's second pass, with the writer paused, waits
// for the reads that hold the log back while they are short: restartWait
// at most, and not at all once one of them has run for longRead (KEYS, a
// large range): waiting for it would stall the writer at every checkpoint
// until it ends, so the pass then copies what it can, as a PASSIVE one.
const (
	restartWait = 10 * time.Millisecond
	longRead    = 2 * time.Millisecond
)

// restartBusy is the checkpoint connection's busy handler (see
// restartWait); *since is when the second pass began.
func (s *Store) restartBusy(since *time.Time) func(context.Context, int) bool {
	return func(context.Context, int) bool {
		if time.Since(*since) >= restartWait || s.oldestRead() >= longRead {
			return false
		}
		time.Sleep(20 * time.Microsecond)
		return true
	}
}

// afterCommit runs on the writer after each commit: it starts the
// background checkpoint when the log is over CheckpointPages and
// checkpoints itself when it is over CheckpointHardPages.
func (s *Store) afterCommit() {
	switch n := s.walPages.Load(); {
	case n >= CheckpointHardPages:
		s.walPages.Store(0) // the next commit's WAL hook tells the size again
		if err := s.writerCheckpoint(); err != nil && !errors.Is(err, sqlite3.BUSY) {
			slog.Warn("checkpoint failed", "path", s.path, "err", err)
		}
		s.WriterCheckpoints.Add(1)
	case n >= CheckpointPages:
		select {
		case s.ckpt <- struct{}{}:
		default: // one is running or already asked for
		}
	}
}

// writerWait bounds how long the writer's own checkpoint waits for the
// reads in flight; a variable so that tests can shorten it.
var writerWait = time.Second

// writerCheckpoint copies the log on the writer itself (which the caller
// is) as a RESTART, so that the writer's next transaction starts the log
// over. Unlike the background checkpoint it waits for the reads in flight
// however long they have run, up to writerWait: the log is at its bound,
// and the writer waiting is what keeps it there. It was a PASSIVE one,
// which reads running one after the other could keep from ever copying the
// whole log: on a loaded machine, TestCheckpoints' writer case with
// readers saw the log pass its bound in 2 runs of 3. A read that outlasts
// the wait is not waited for again: every commit over the bound checkpoints,
// and each would hold the shard's writes for writerWait until it ended.
func (s *Store) writerCheckpoint() error {
	start := time.Now()
	err := s.writerWALCheckpoint(sqlite3.CHECKPOINT_RESTART, func(context.Context, int) bool {
		if time.Since(start) >= writerWait {
			return false
		}
		if !s.gaveUp.IsZero() && s.oldestRead() > time.Since(s.gaveUp) {
			return false // a read the last wait gave up on is still running
		}
		time.Sleep(20 * time.Microsecond)
		return true
	})
	if errors.Is(err, sqlite3.BUSY) {
		s.gaveUp = time.Now()
	} else {
		s.gaveUp = time.Time{}
	}
	return err
}

// checkpointer runs the background checkpoints until the store closes.
func (s *Store) checkpointer() {
	defer close(s.ckptDone)
	var c *conn
	defer func() {
		if c != nil {
			c.close()
		}
	}()
	for {
		select {
		case <-s.ckpt:
		case <-s.quit:
			return
		}
		if c == nil {
			var err error
			if c, err = openConn(s.path, false, Sync(s.level.Load())); err != nil {
				slog.Warn("checkpoint connection failed", "path", s.path, "err", err)
				c = nil
				continue
			}
		}
		s.backgroundCheckpoint(c)
		// A request the commits made while it ran is satisfied: the log
		// was copied up to the pass with the writer paused. Run, it would
		// pause the writer again for a log the next commit starts over (2
		// to 4 ms every ~0.3 s under a ZADD load). If the log is still
		// over the threshold, the next commit asks again.
		select {
		case <-s.ckpt:
		default:
		}
	}
}

// backgroundCheckpoint copies the log into the file on c: first alongside
// the writer, then what was committed meanwhile with the writer paused.
func (s *Store) backgroundCheckpoint(c *conn) {
	s.ckptMu.Lock()
	defer s.ckptMu.Unlock()
	defer s.holdOff()()
	// The checkpoint's fsyncs follow the durability level, which CONFIG
	// SET can change: FULL syncs the log, the file and the log's header.
	mode := "PRAGMA synchronous=NORMAL"
	if Sync(s.level.Load()) == SyncAlways {
		mode = "PRAGMA synchronous=FULL"
	}
	if err := c.exec(mode); err != nil {
		slog.Warn("checkpoint failed", "path", s.path, "err", err)
		return
	}
	var since time.Time
	if err := c.c.BusyHandler(s.restartBusy(&since)); err != nil {
		slog.Warn("checkpoint failed", "path", s.path, "err", err)
		return
	}
	_, _, err := c.c.WALCheckpoint("main", sqlite3.CHECKPOINT_PASSIVE)
	if err == nil {
		// A second pass alongside the writer copies what was committed
		// during the first (which copies the whole log, ~50 ms under a
		// ZADD load), so that the pass with the writer paused has only
		// this one's few milliseconds of commits left to copy.
		_, _, err = c.c.WALCheckpoint("main", sqlite3.CHECKPOINT_PASSIVE)
	}
	if err == nil {
		// Each pass copied the log as it was when it started (it reports
		// itself complete even when the writer committed more meanwhile);
		// with the writer paused this one copies the rest
		// (without an fsync when there is none). It is a RESTART: under
		// concurrent reads a PASSIVE one almost never finished (a read
		// begun before the writer's last commit holds frames back: 422
		// of 448 second passes in TestCheckpoints with two readers) and
		// the log grew on; a RESTART waits for those reads while they
		// are short (restartBusy), then for the reads still on the log,
		// so that the writer's next transaction starts it over.
		s.wmu.Lock()
		since = time.Now()
		_, _, err = c.c.WALCheckpoint("main", sqlite3.CHECKPOINT_RESTART)
		s.wmu.Unlock()
	}
	switch {
	case errors.Is(err, sqlite3.BUSY):
		// Another checkpoint is running, or reads held the log back
		// (restartWait): what could be copied was.
	case err != nil:
		slog.Warn("checkpoint failed", "path", s.path, "err", err)
	default:
		s.Checkpoints.Add(1)
	}
}

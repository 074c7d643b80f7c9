package engine

import (
	"log/slog"
	"runtime"
	"slices"
	"time"
)

// The read connections and the snapshots they keep.
//
// A read transaction costs more than its statements: BEGIN and COMMIT, and
// on the way SQLite takes and drops a shared lock on the file and a read
// lock in the WAL index, each an fcntl system call. So a read connection
// keeps its transaction open when it goes back to the pool, and the next
// read on it reuses that snapshot while nothing has been committed on the
// shard since the snapshot began (Store.snap): it then sees exactly what a
// new transaction would. A read that finds a commit since starts a new
// transaction, as every read did before; so does every read under a write
// load, which ends its snapshot when it gives the connection back.
//
// Why a reused snapshot is current: snap is bumped after SQLite's COMMIT
// returns and before the commit's writes are acknowledged or applied to
// the key cache. A connection records snap before its BEGIN, and its
// snapshot starts at its first statement, later; so while snap still has
// the recorded value, every acknowledged commit is in the snapshot, and a
// key-cache token taken before the read (ReadKey) is refused for a fill
// only if a commit was applied after it, which the snapshot may lack.
//
// An open snapshot pins the WAL: a checkpoint cannot copy the frames
// committed after it, nor the log start over while it is open (a snapshot
// begun while the log held frames not yet copied holds a read mark in it,
// even once they are copied). So idle connections end their stale
// snapshots every second (syncLoop, endIdle); every checkpoint first ends
// all of them and makes the reads that finish meanwhile end theirs
// (holdOff), and when it is done bumps snap, so that the snapshots begun
// before it are ended too: those begun after it, on a wholly copied log,
// do not hold the log, and the writer's next transaction can start it over.

// read runs fn, then gives back the connection it took, if any. A read
// that used SQLite then waits for the key cache to have every commit its
// snapshot may hold (waitApplied).
func (s *Store) read(tx *Tx, fn func(*Tx) error) error {
	err := tx.run(fn)
	if tx.c != nil {
		_, failed := err.(*Internal)
		s.putReader(tx.c, failed)
		s.waitApplied()
	}
	return err
}

// waitApplied returns once the key cache holds the states of every write
// transaction counted in Store.commits when it was called: every commit
// that a snapshot begun before then may see.
//
// A commit is in SQLite before it is in the key cache: between the two, a
// read from a new snapshot sees the new value, and a read answered from the
// cache the old one. Were the first to reply at once, a client could read
// a key's new value and then, from the cache, its old one. So a read that
// took its answer from SQLite, whose snapshot holds only commits counted
// before it returned, replies once those are in the cache; a read answered
// from the cache needs no wait, as the cache only moves forward. The wait
// is the rest of a commit in flight, if any (at "always", not its fsync:
// that commit is counted once its log is synced); without one it is two
// atomic loads.
func (s *Store) waitApplied() {
	want := s.commits.Load()
	for i := 0; s.applied.Load() < want; i++ {
		if i < 50 {
			runtime.Gosched()
		} else {
			time.Sleep(20 * time.Microsecond)
		}
	}
}

// open gives a read transaction its connection, with a current snapshot.
func (tx *Tx) open() {
	s := tx.s
	for {
		c, err := s.reader()
		if err != nil {
			panic(&Internal{err})
		}
		if c.open && c.snap != s.snap.Load() && !s.endRead(c) {
			continue // the connection was closed; take another
		}
		if !c.open {
			c.snap = s.snap.Load()
			if err := c.exec("BEGIN"); err != nil {
				s.readers <- c
				panic(&Internal{err})
			}
			c.open = true
			s.readBegins.Add(1)
		}
		c.busy.Store(time.Now().UnixNano())
		tx.c = c
		return
	}
}

// putReader returns c to the pool after a read. failed: a storage error
// interrupted the read; its statements are reset first, as COMMIT keeps
// the read lock while one is still stepping.
func (s *Store) putReader(c *conn, failed bool) {
	c.busy.Store(0)
	if failed {
		for _, st := range c.stmts {
			st.Reset()
		}
	}
	s.relMu.RLock()
	defer s.relMu.RUnlock()
	s.giveBack(c, failed)
}

// giveBack puts c in the pool, ending its transaction when end is set, its
// snapshot is stale or a checkpoint asked readers not to keep one (the
// caller holds relMu for reading, so a holdOff cannot come in between).
func (s *Store) giveBack(c *conn, end bool) {
	if c.open && (end || s.noHold > 0 || c.snap != s.snap.Load()) && !s.endRead(c) {
		return
	}
	s.readers <- c
}

// endRead ends c's read transaction. A connection that cannot end it is
// closed (the pool opens another when needed) and false returned.
func (s *Store) endRead(c *conn) bool {
	c.open = false
	if c.c.GetAutocommit() {
		return true // SQLite already ended it (a failed statement rolled it back)
	}
	if err := c.exec("COMMIT"); err != nil {
		slog.Warn("read connection closed: cannot end its transaction", "path", s.path, "err", err)
		s.rmu.Lock()
		s.conns = slices.DeleteFunc(s.conns, func(x *conn) bool { return x == c })
		s.rmu.Unlock()
		c.close()
		s.nread.Add(-1)
		return false
	}
	return true
}

// reader takes a connection from the pool, opening one while the pool is
// smaller than Options.Readers, else waiting for one.
func (s *Store) reader() (*conn, error) {
	select {
	case c := <-s.readers:
		return c, nil
	default:
	}
	s.rmu.Lock()
	if int(s.nread.Load()) < s.opt.Readers {
		s.nread.Add(1)
		s.rmu.Unlock()
		c, err := openConn(s.path, true, s.opt.Sync)
		if err != nil {
			s.nread.Add(-1)
			return nil, err
		}
		s.rmu.Lock()
		s.conns = append(s.conns, c)
		s.rmu.Unlock()
		return c, nil
	}
	s.rmu.Unlock()
	return <-s.readers, nil
}

// endIdle ends the snapshots of the connections idle in the pool: all of
// them, or only those a commit has made stale.
func (s *Store) endIdle(all bool) {
	idle := s.takeIdle()
	s.relMu.RLock()
	defer s.relMu.RUnlock()
	for _, c := range idle {
		s.giveBack(c, all)
	}
}

// takeIdle takes the connections idle in the pool out of it; the caller
// puts them back.
func (s *Store) takeIdle() []*conn {
	n := int(s.nread.Load())
	idle := make([]*conn, 0, n)
	for len(idle) < n {
		select {
		case c := <-s.readers:
			idle = append(idle, c)
		default:
			return idle
		}
	}
	return idle
}

// holdOff ends every idle snapshot and has reads end theirs when they
// finish, until the returned func is called after a checkpoint: the
// checkpoint then finds no reader holding it back but the reads still
// running, and the snapshots begun before the call are stale after it.
func (s *Store) holdOff() (resume func()) {
	s.relMu.Lock()
	s.noHold++
	s.relMu.Unlock()
	s.endIdle(true)
	return func() {
		s.relMu.Lock()
		s.snap.Add(1)
		s.noHold--
		s.relMu.Unlock()
	}
}

// oldestRead is how long the longest read in flight has been running (0
// when none is).
func (s *Store) oldestRead() time.Duration {
	s.rmu.Lock()
	defer s.rmu.Unlock()
	var oldest int64
	for _, c := range s.conns {
		if t := c.busy.Load(); t != 0 && (oldest == 0 || t < oldest) {
			oldest = t
		}
	}
	if oldest == 0 {
		return 0
	}
	return time.Duration(time.Now().UnixNano() - oldest)
}

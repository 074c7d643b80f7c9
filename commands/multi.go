package commands

import (
	"slices"
	"sync"
	"sync/atomic"

	"redisk/engine"
	"redisk/shard"
)

func init() {
	g := "transactions"
	register(
		&Command{Name: "multi", Arity: 1, Flags: FlagNoScript | FlagLoading | FlagStale | FlagFast | FlagAllowBusy, Group: g, Since: "1.2.0", Summary: "Starts a transaction.", Complexity: "O(1)", Run: multiCommand},
		&Command{Name: "exec", Arity: 1, Flags: FlagNoScript | FlagLoading | FlagStale | FlagSkipSlowlog, Group: g, Since: "1.2.0", Summary: "Executes all commands in a transaction.", Complexity: "Depends on commands in the transaction", Run: execCommand},
		&Command{Name: "discard", Arity: 1, Flags: FlagNoScript | FlagLoading | FlagStale | FlagFast | FlagAllowBusy, Group: g, Since: "2.0.0", Summary: "Discards a transaction.", Complexity: "O(N), when N is the number of queued commands", Run: discardCommand},
		&Command{Name: "watch", Arity: -2, Flags: FlagNoScript | FlagLoading | FlagStale | FlagFast | FlagAllowBusy, FirstKey: 1, LastKey: -1, Step: 1, Group: g, Since: "2.2.0", Summary: "Monitors changes to keys to determine the execution of a transaction.", Complexity: "O(1) for every key.", Run: watchCommand},
		&Command{Name: "unwatch", Arity: 1, Flags: FlagNoScript | FlagLoading | FlagStale | FlagFast | FlagAllowBusy, Group: g, Since: "2.2.0", Summary: "Forgets about watched keys of a transaction.", Complexity: "O(1)", Run: unwatchCommand},
	)
}

// queued is a command waiting for EXEC, with its own copy of the arguments.
type queued struct {
	cmd  *Command
	args [][]byte
}

// multiState is a client's MULTI/WATCH state.
type multiState struct {
	active  bool
	queue   []queued
	aborted bool // a queued command was refused: EXEC answers EXECABORT
	watched []watchedKey
	dirty   atomic.Bool // a watched key changed
}

type watchedKey struct {
	k   waitKey
	exp int64 // expiry when watched; passing it counts as a change
}

// watchers maps keys to the clients watching them.
type watchers struct {
	mu    sync.Mutex
	keys  map[waitKey]map[*client]struct{}
	count atomic.Int64
}

func newWatchers() *watchers { return &watchers{keys: map[waitKey]map[*client]struct{}{}} }

// touched marks clients watching keys of db (all clients for nil keys) dirty;
// it is shard.Set's OnChange hook, called before the writer's lock is
// released so that an EXEC cannot slip in between.
func (w *watchers) touched(db int, keys [][]byte) {
	if w.count.Load() == 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if keys == nil {
		for _, cs := range w.keys {
			for cl := range cs {
				cl.multi.dirty.Store(true)
			}
		}
		return
	}
	for _, k := range keys {
		for cl := range w.keys[waitKey{db, string(k)}] {
			cl.multi.dirty.Store(true)
		}
	}
}

// keysIn lists the watched keys of logical database db.
func (w *watchers) keysIn(db int) [][]byte {
	if w.count.Load() == 0 {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var out [][]byte
	for k := range w.keys {
		if k.db == db {
			out = append(out, []byte(k.key))
		}
	}
	return out
}

// touchFlushed reports, before dbs are emptied or swapped, the watched keys
// that exist in any of them: like Redis, FLUSHDB/FLUSHALL/SWAPDB break a
// WATCH only on keys that were there (or will be, after a swap).
func (c *Ctx) touchFlushed(m *shard.Multi, dbs ...int) {
	if c.tx != nil {
		// Inside EXEC or a script the whole run is reported as changed.
		return
	}
	for _, db := range dbs {
		var hit [][]byte
		for _, k := range c.srv.watch.keysIn(db) {
			for _, other := range dbs {
				m.SetDB(other)
				if m.Tx(k).Exists(k) {
					hit = append(hit, k)
					break
				}
			}
		}
		m.Touch(db, hit...)
	}
	m.SetDB(c.db())
}

func (w *watchers) add(cl *client, k waitKey) {
	w.mu.Lock()
	defer w.mu.Unlock()
	cs := w.keys[k]
	if cs == nil {
		cs = map[*client]struct{}{}
		w.keys[k] = cs
	}
	if _, ok := cs[cl]; !ok {
		cs[cl] = struct{}{}
		w.count.Add(1)
	}
}

// unwatch forgets all of cl's watched keys.
func (w *watchers) unwatch(cl *client) {
	w.mu.Lock()
	for _, wk := range cl.multi.watched {
		if cs := w.keys[wk.k]; cs != nil {
			if _, ok := cs[cl]; ok {
				delete(cs, cl)
				w.count.Add(-1)
			}
			if len(cs) == 0 {
				delete(w.keys, wk.k)
			}
		}
	}
	w.mu.Unlock()
	cl.multi.watched = nil
	cl.multi.dirty.Store(false)
}

// queue handles a command sent between MULTI and EXEC; it reports whether
// the command was consumed (queued or refused).
func (s *Server) queue(c *Ctx) bool {
	ms := &c.cl.multi
	if !ms.active {
		return false
	}
	switch c.cmd.FullName() {
	case "exec", "discard", "multi", "watch", "quit", "reset":
		return false
	}
	if c.cmd.Flags&FlagNoMulti != 0 {
		ms.aborted = true
		c.errorReply("ERR Command not allowed inside a transaction")
		return true
	}
	args := make([][]byte, len(c.Args))
	for i, a := range c.Args {
		args[i] = slices.Clone(a)
		if args[i] == nil {
			args[i] = []byte{}
		}
	}
	ms.queue = append(ms.queue, queued{c.cmd, args})
	c.W.Status("QUEUED")
	return true
}

// MULTI
func multiCommand(c *Ctx) {
	if c.cl.multi.active {
		c.errorReply("ERR MULTI calls can not be nested")
		return
	}
	c.cl.multi.active = true
	c.W.OK()
}

// discardMulti leaves MULTI state and forgets watched keys.
func (c *Ctx) discardMulti() {
	ms := &c.cl.multi
	ms.active, ms.queue, ms.aborted = false, nil, false
	c.srv.watch.unwatch(c.cl)
}

// DISCARD
func discardCommand(c *Ctx) {
	if !c.cl.multi.active {
		c.errorReply("ERR DISCARD without MULTI")
		return
	}
	c.discardMulti()
	c.W.OK()
}

// WATCH key [key ...]
func watchCommand(c *Ctx) {
	if c.cl.multi.active {
		c.errorReply("ERR WATCH inside MULTI is not allowed")
		return
	}
	for _, k := range c.Args[1:] {
		var exp int64
		if !c.read(k, func(tx *engine.Tx) error { exp, _ = tx.ExpireTime(k); return nil }) {
			return
		}
		wk := waitKey{c.db(), string(k)}
		c.srv.watch.add(c.cl, wk)
		c.cl.multi.watched = append(c.cl.multi.watched, watchedKey{wk, exp})
	}
	c.W.OK()
}

// UNWATCH
func unwatchCommand(c *Ctx) {
	c.srv.watch.unwatch(c.cl)
	c.W.OK()
}

// EXEC runs the queued commands as one isolated transaction: in the shard
// of their keys when they share one, otherwise (or when keys are watched,
// or a command's keys are not known up front) while every other command
// waits.
func execCommand(c *Ctx) {
	ms := &c.cl.multi
	if !ms.active {
		c.errorReply("ERR EXEC without MULTI")
		return
	}
	queue, aborted, watching := ms.queue, ms.aborted, len(ms.watched) > 0
	watched := ms.watched
	defer c.discardMulti()
	if aborted {
		c.errorReply("EXECABORT Transaction discarded because of previous errors.")
		return
	}
	var keys [][]byte
	global := watching
	for _, q := range queue {
		switch {
		case q.cmd.Flags&FlagMovableKeys != 0:
			global = true
		case q.cmd.FirstKey > 0:
			keys = append(keys, q.cmd.KeyArgs(q.args)...)
		case q.cmd.Group != "connection" && q.cmd.Group != "transactions":
			global = true
		}
	}
	mark := c.W.Len()
	db := c.db()
	ran := false
	run := func(m *shard.Multi) error {
		if watching {
			now := nowMs()
			if ms.dirty.Load() {
				return nil
			}
			for _, wk := range watched {
				if wk.exp != 0 && wk.exp <= now {
					return nil
				}
			}
		}
		ran = true
		c.W.Array(len(queue))
		for _, q := range queue {
			sub := &Ctx{srv: c.srv, conn: c.conn, cl: c.cl, W: c.W, Args: q.args, cmd: q.cmd, tx: m}
			q.cmd.Run(sub)
		}
		return nil
	}
	var err error
	switch {
	case global:
		err = c.srv.Data.All(db, run)
	default:
		err = c.srv.Data.Keys(db, keys, true, run)
	}
	if err != nil {
		c.W.Truncate(mark)
		c.conn.SetDB(db)
		c.fail(err)
		return
	}
	if !ran {
		c.W.NullArray()
		return
	}
	for _, q := range queue {
		if q.cmd.Flags&FlagWrite != 0 {
			c.srv.wakeBlocked(c.conn.DB(), q.cmd, q.args)
		}
	}
}

package commands

import (
	"container/list"
	"errors"
	"math"
	"math/big"
	"sync"
	"sync/atomic"
	"time"

	"redisk/engine"
)

// Blocking commands (BLPOP, BLMOVE, BZPOPMIN…) wait without polling: a
// blocked client registers a waiter on each of its keys and sleeps on a
// channel. After any write to a key that has waiters, the writer serves the
// waiters of that key in arrival order (Redis's FIFO per key): it runs each
// waiter's pop in a transaction of its own on the waiter's behalf until the
// key runs dry, and hands each result to its waiter.

// waitKey names a key in a logical database.
type waitKey struct {
	db  int
	key string
}

// waiter is one blocked client.
type waiter struct {
	keys []waitKey
	// try attempts the operation on one of the waiter's keys; it returns
	// the reply writer when it got data.
	try    func(key []byte) (func(), bool)
	result func()
	served chan struct{}
	elems  map[waitKey]*list.Element
	done   bool
}

// blocker is the registry of blocked clients.
type blocker struct {
	mu      sync.Mutex
	queues  map[waitKey]*list.List
	count   atomic.Int64 // registered waiters, for a lock-free fast path
	serveMu sync.Mutex   // one key served at a time keeps FIFO order simple
}

func newBlocker() *blocker { return &blocker{queues: map[waitKey]*list.List{}} }

// add registers w on its keys.
func (b *blocker) add(w *waiter) {
	b.mu.Lock()
	defer b.mu.Unlock()
	w.elems = map[waitKey]*list.Element{}
	for _, k := range w.keys {
		if _, dup := w.elems[k]; dup {
			continue
		}
		q := b.queues[k]
		if q == nil {
			q = list.New()
			b.queues[k] = q
		}
		w.elems[k] = q.PushBack(w)
	}
	b.count.Add(1)
}

// remove unregisters w; it reports false when w was already served.
func (b *blocker) remove(w *waiter) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if w.done {
		return false
	}
	b.removeLocked(w)
	return true
}

func (b *blocker) removeLocked(w *waiter) {
	w.done = true
	for k, e := range w.elems {
		q := b.queues[k]
		q.Remove(e)
		if q.Len() == 0 {
			delete(b.queues, k)
		}
	}
	b.count.Add(-1)
}

// signal serves the waiters of keys (in db) after a write to them.
func (b *blocker) signal(db int, keys [][]byte) {
	if b.count.Load() == 0 {
		return
	}
	for _, k := range keys {
		b.serve(waitKey{db, string(k)})
	}
}

// signalAll serves every waiter (after SWAPDB, MOVE, COPY … DB).
func (b *blocker) signalAll() {
	if b.count.Load() == 0 {
		return
	}
	b.mu.Lock()
	keys := make([]waitKey, 0, len(b.queues))
	for k := range b.queues {
		keys = append(keys, k)
	}
	b.mu.Unlock()
	for _, k := range keys {
		b.serve(k)
	}
}

// serve hands data at k to its waiters, first come first served.
func (b *blocker) serve(k waitKey) {
	b.serveMu.Lock()
	defer b.serveMu.Unlock()
	for {
		b.mu.Lock()
		q := b.queues[k]
		if q == nil || q.Len() == 0 {
			b.mu.Unlock()
			return
		}
		w := q.Front().Value.(*waiter)
		b.mu.Unlock()
		reply, ok := w.try([]byte(k.key))
		if !ok {
			return
		}
		b.mu.Lock()
		if w.done {
			// The waiter timed out meanwhile; cannot happen while it waits
			// for serveMu, see wait.
			b.mu.Unlock()
			continue
		}
		b.removeLocked(w)
		w.result = reply
		close(w.served)
		b.mu.Unlock()
	}
}

// block runs a blocking command: first without blocking; then, when
// nothing was there, it waits up to timeout (0 = forever) for a write to one
// of keys to serve it. try attempts the operation on one key.
func (c *Ctx) block(keys [][]byte, timeout time.Duration, try func(key []byte) (func(), bool), onTimeout func()) {
	for _, k := range keys {
		if reply, ok := try(k); ok {
			reply()
			return
		}
	}
	if c.conn.Closed() {
		return
	}
	b := c.srv.block
	c.waiting = true
	w := &waiter{try: try, served: make(chan struct{})}
	for _, k := range keys {
		w.keys = append(w.keys, waitKey{c.db(), string(k)})
	}
	b.add(w)
	c.srv.blocked.Add(1)
	defer c.srv.blocked.Add(-1)
	// Data may have arrived between the first try and add.
	for _, k := range w.keys {
		b.serve(k)
	}
	gone, stop := c.conn.WatchClose()
	defer stop()
	var timer <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-w.served:
		w.result()
		return
	case <-timer:
	case <-gone:
	}
	// Serving holds serveMu while it runs a waiter's pop: taking it here
	// means no pop for w is in flight when w leaves.
	b.serveMu.Lock()
	removed := b.remove(w)
	b.serveMu.Unlock()
	if !removed {
		<-w.served
		w.result()
		return
	}
	onTimeout()
}

// parseTimeout parses a blocking timeout in seconds (decimals allowed),
// with Redis 7.2's checks: a long double, at most LLONG_MAX milliseconds,
// not negative; 0 means forever.
func (c *Ctx) parseTimeout(arg []byte) (time.Duration, bool) {
	bf, ok := engine.ParseLongDouble(string(arg))
	if !ok {
		c.errorReply(errTimeout)
		return 0, false
	}
	ms := new(big.Float).Mul(bf, big.NewFloat(1000))
	if ms.IsInf() && ms.Sign() > 0 || ms.Cmp(big.NewFloat(math.MaxInt64)) > 0 {
		c.errorReply("ERR timeout is out of range")
		return 0, false
	}
	if ms.Sign() < 0 {
		c.errorReply("ERR timeout is negative")
		return 0, false
	}
	f, _ := ms.Float64()
	if f == 0 {
		return 0, true
	}
	d := time.Duration(math.Ceil(f)) * time.Millisecond
	if d <= 0 || f > float64(math.MaxInt64/int64(time.Millisecond)) {
		d = time.Duration(math.MaxInt64)
	}
	return d, true
}

// popFailed is a blocking attempt's answer to an error: at once it is the
// reply, but once the client waits, a key holding another type keeps it
// waiting for a later push (as Redis 7.0 does).
func (c *Ctx) popFailed(err error) (func(), bool) {
	if c.waiting && errors.Is(err, engine.ErrWrongType) {
		return nil, false
	}
	return func() { c.fail(err) }, true
}

// popOrBlock finishes a pop command: it tries keys in order; when none has
// data a blocking command blocks (outside MULTI and scripts), anything else
// answers with empty.
func (c *Ctx) popOrBlock(keys [][]byte, blocking bool, timeout time.Duration, try func([]byte) (func(), bool), empty func()) {
	if blocking && !c.inMulti() {
		c.block(keys, timeout, try, c.W.NullArray)
		return
	}
	for _, k := range keys {
		if reply, ok := try(k); ok {
			reply()
			return
		}
	}
	empty()
}

// parseMPop parses "[timeout] numkeys key [key ...] WHERE [COUNT count]"
// of LMPOP/ZMPOP and their blocking forms; where names the two ends
// (LEFT/RIGHT, MIN/MAX) and first reports the first one.
func (c *Ctx) parseMPop(blocking bool, whereA, whereB string) (keys [][]byte, first bool, count int64, timeout time.Duration, ok bool) {
	nkIdx := 1
	if blocking {
		if timeout, ok = c.parseTimeout(c.Args[1]); !ok {
			return
		}
		nkIdx = 2
	}
	n, isInt := parseInt(c.Args[nkIdx])
	switch {
	case !isInt || n <= 0:
		c.errorReply("ERR numkeys should be greater than 0")
		return nil, false, 0, 0, false
	case n >= int64(len(c.Args)-nkIdx-1):
		// No room left for LEFT|RIGHT / MIN|MAX.
		c.errorReply(errSyntax)
		return nil, false, 0, 0, false
	}
	keys = c.Args[nkIdx+1 : nkIdx+1+int(n)]
	rest := c.Args[nkIdx+1+int(n):]
	switch {
	case len(rest) > 0 && isArg(rest[0], whereA):
		first = true
	case len(rest) > 0 && isArg(rest[0], whereB):
	default:
		c.errorReply(errSyntax)
		return nil, false, 0, 0, false
	}
	count = 1
	seen := false
	for i := 1; i < len(rest); i++ {
		if isArg(rest[i], "count") && i+1 < len(rest) && !seen {
			v, ok := parseInt(rest[i+1])
			if !ok || v <= 0 {
				c.errorReply("ERR count should be greater than 0")
				return nil, false, 0, 0, false
			}
			count, seen = v, true
			i++
			continue
		}
		c.errorReply(errSyntax)
		return nil, false, 0, 0, false
	}
	return keys, first, count, timeout, true
}

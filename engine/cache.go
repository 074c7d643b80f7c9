package engine

import "sync"

// valueCache keeps recently read or written string values of one shard in
// memory, so that a GET of a hot key costs no SQLite transaction. It is
// write-coherent: it only ever holds the latest committed value of a key.
//
// How that holds with readers filling it from their own snapshots:
//   - A write transaction records the keys it changes (touch). Just before
//     COMMIT it marks them pending and drops their entries; after COMMIT it
//     stores the values it wrote (write-through) or leaves them dropped, and
//     unmarks them. Marking and unmarking bump gen.
//   - A reader takes gen before its snapshot starts and may store what it
//     read only if gen is unchanged and the key is not pending: otherwise a
//     commit may have happened after its snapshot began.
//
// Entries carry the key's expiry and are ignored once it has passed. The
// cache is bounded in bytes; past the bound, entries are evicted at random
// (Go's map iteration order), like allkeys-random.
type valueCache struct {
	mu      sync.Mutex
	max     int64
	used    int64
	gen     uint64
	dbs     map[int]map[string]centry
	pending map[int]map[string]int // db -> key -> marks
	flushes map[int]int            // db (-1: all) -> FLUSHDB/FLUSHALL marks
}

// centry is a cached string value, or the knowledge that the key does not
// exist (absent).
type centry struct {
	val    []byte
	exp    int64
	absent bool
}

// centryOverhead approximates the bytes of an entry besides key and value.
const centryOverhead = 64

func newValueCache(max int64) *valueCache {
	return &valueCache{max: max, dbs: map[int]map[string]centry{}, pending: map[int]map[string]int{}, flushes: map[int]int{}}
}

// CacheStats is what INFO shows about the value caches.
type CacheStats struct {
	Keys, Bytes, Max int64
}

func (c *valueCache) stats() CacheStats {
	if c == nil {
		return CacheStats{}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var n int64
	for _, m := range c.dbs {
		n += int64(len(m))
	}
	return CacheStats{Keys: n, Bytes: c.used, Max: c.max}
}

// token is taken by a reader before its snapshot starts.
func (c *valueCache) token() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// get looks key up: found reports a cache hit, and then absent whether the
// key is known not to exist (or to have expired at now).
func (c *valueCache) get(db int, key []byte, now int64) (val []byte, found, absent bool) {
	c.mu.Lock()
	e, ok := c.dbs[db][string(key)]
	c.mu.Unlock()
	if !ok {
		return nil, false, false
	}
	if e.absent || (e.exp != 0 && e.exp <= now) {
		return nil, true, true
	}
	return e.val, true, false
}

// fill stores what a reader read under token tok (absent: no such key),
// unless a commit may have changed the key since.
func (c *valueCache) fill(tok uint64, db int, key, val []byte, exp int64, absent bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if tok != c.gen || c.pending[db][string(key)] > 0 || c.flushes[db] > 0 || c.flushes[-1] > 0 {
		return
	}
	c.store(db, string(key), centry{val: val, exp: exp, absent: absent})
}

// store adds an entry (the caller holds mu), evicting to stay in bounds.
func (c *valueCache) store(db int, key string, e centry) {
	val := e.val
	size := int64(len(key)+len(val)) + centryOverhead
	if size > c.max/16 {
		c.drop(db, key)
		return
	}
	m := c.dbs[db]
	if m == nil {
		m = map[string]centry{}
		c.dbs[db] = m
	}
	if old, ok := m[key]; ok {
		c.used -= int64(len(key)+len(old.val)) + centryOverhead
	}
	m[key] = e
	c.used += size
	for c.used > c.max {
		c.evictOne()
	}
}

func (c *valueCache) evictOne() {
	for db, m := range c.dbs {
		for k := range m {
			c.drop(db, k)
			return
		}
		delete(c.dbs, db)
	}
	c.used = 0
}

func (c *valueCache) drop(db int, key string) {
	if e, ok := c.dbs[db][key]; ok {
		c.used -= int64(len(key)+len(e.val)) + centryOverhead
		delete(c.dbs[db], key)
	}
}

// clear drops every entry of db, or of all databases for db -1.
func (c *valueCache) clear(db int) {
	for d, m := range c.dbs {
		if db == -1 || d == db {
			for k := range m {
				c.drop(d, k)
			}
		}
	}
}

// A cacheOp is one change a write transaction made: a string value stored
// (put), a key changed otherwise (val nil), or a database flushed (flush).
type cacheOp struct {
	db    int
	key   string
	val   []byte
	exp   int64
	put   bool
	flush bool // db -1: every database
}

// mark makes ops' keys pending and drops their entries, before COMMIT.
func (c *valueCache) mark(ops []cacheOp) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for _, op := range ops {
		if op.flush {
			c.flushes[op.db]++
			c.clear(op.db)
			continue
		}
		p := c.pending[op.db]
		if p == nil {
			p = map[string]int{}
			c.pending[op.db] = p
		}
		p[op.key]++
		c.drop(op.db, op.key)
	}
}

// unmark ends mark after COMMIT (committed true) or a failed one, storing the
// values written when committed.
func (c *valueCache) unmark(ops []cacheOp, committed bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for _, op := range ops {
		if op.flush {
			if c.flushes[op.db]--; c.flushes[op.db] == 0 {
				delete(c.flushes, op.db)
			}
			if committed {
				c.clear(op.db)
			}
			continue
		}
		if p := c.pending[op.db]; p != nil {
			if p[op.key]--; p[op.key] <= 0 {
				delete(p, op.key)
			}
		}
		switch {
		case committed && op.put:
			c.store(op.db, op.key, centry{val: op.val, exp: op.exp})
		default:
			c.drop(op.db, op.key)
		}
	}
}

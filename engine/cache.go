package engine

import "sync"

// keyCache keeps what the keys table says about recently used keys of one
// shard in memory: a key's Meta (type, expiry, collection id, size and
// bounds), a string's value, or the knowledge that the key does not exist.
// Writes then find the keys they change without a SELECT, and a GET of a
// hot key costs no SQLite transaction. It only ever holds committed state.
//
// Writers: the shard's write transactions run one at a time (Store.wmu), so
// for a key the running one has not changed yet, the cache is the committed
// state. A write transaction collects what it learns and changes (Tx.keys);
// after COMMIT it stores those entries under mu and bumps gen (apply).
//
// Readers fill the cache from their own snapshots: a reader takes gen
// before its snapshot starts (token) and may store what it read only while
// gen is unchanged. A reader whose snapshot began before a commit either
// fills before that commit's apply (which then overwrites the entry) or is
// refused.
//
// Entries carry the key's expiry and are ignored once it has passed. The
// cache is bounded in bytes; past the bound, entries are evicted at random
// (Go's map iteration order), like allkeys-random.
type keyCache struct {
	mu   sync.Mutex
	max  int64
	used int64
	gen  uint64
	dbs  map[int]map[string]centry
}

// centry is a cached key: its Meta and, for a string, its value when
// hasVal, for a list its first items (up to maxListCache, in order) when
// not nil; or absent, the key does not exist.
type centry struct {
	m      Meta
	val    []byte
	hasVal bool
	items  [][]byte
	absent bool
}

// size is what an entry counts against the cache's bound.
func (e centry) size(key string) int64 {
	n := int64(len(key)+len(e.val)) + centryOverhead
	for _, it := range e.items {
		n += int64(len(it)) + 24
	}
	return n
}

// centryOverhead approximates the bytes of an entry besides key and value:
// the map slot with the entry and the key's string header, and the size
// classes the key and value round up to (measured: 316k entries of 20-byte
// keys and 100-byte values held 81 MB of map and 35 MB of values).
const centryOverhead = 200

func newKeyCache(max int64) *keyCache {
	return &keyCache{max: max, dbs: map[int]map[string]centry{}}
}

// CacheStats is what INFO shows about the key caches.
type CacheStats struct {
	Keys, Bytes, Max int64
}

func (c *keyCache) stats() CacheStats {
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
func (c *keyCache) token() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// get returns the entry of key, if cached. The caller judges its expiry.
func (c *keyCache) get(db int, key []byte) (centry, bool) {
	c.mu.Lock()
	e, ok := c.dbs[db][string(key)]
	c.mu.Unlock()
	return e, ok
}

// fill stores what a reader read under token tok, unless a commit was
// applied since.
func (c *keyCache) fill(tok uint64, db int, key []byte, e centry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if tok == c.gen {
		c.store(db, string(key), e)
	}
}

// store adds an entry (the caller holds mu), evicting to stay in bounds.
// A value or list too large for the cache is left out, its Meta kept.
func (c *keyCache) store(db int, key string, e centry) {
	size := e.size(key)
	if size > c.max/16 {
		e.val, e.hasVal, e.items = nil, false, nil
		size = e.size(key)
	}
	m := c.dbs[db]
	if old, ok := m[key]; ok {
		c.used -= old.size(key)
		if c.used+size <= c.max {
			m[key] = e // in place: the map keeps its key
			c.used += size
			return
		}
		delete(m, key)
	}
	if size > c.max {
		return // would not fit even alone
	}
	// Make room first, so that the entry being stored is never the
	// random victim of its own store.
	for c.used+size > c.max {
		c.evictOne()
	}
	m = c.dbs[db]
	if m == nil {
		m = map[string]centry{}
		c.dbs[db] = m
	}
	m[key] = e
	c.used += size
}

func (c *keyCache) evictOne() {
	for db, m := range c.dbs {
		for k := range m {
			c.drop(db, k)
			return
		}
		delete(c.dbs, db)
	}
	c.used = 0
}

func (c *keyCache) drop(db int, key string) {
	if e, ok := c.dbs[db][key]; ok {
		c.used -= e.size(key)
		delete(c.dbs[db], key)
	}
}

// clear drops every entry of db, or of all databases for db -1.
func (c *keyCache) clear(db int) {
	for d, m := range c.dbs {
		if db == -1 || d == db {
			for k := range m {
				c.drop(d, k)
			}
		}
	}
}

// apply stores what a committed write transaction knows about the keys it
// looked up or changed, after the databases it flushed are cleared.
func (c *keyCache) apply(flushed []int, keys map[txKey]*txEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for _, db := range flushed {
		c.clear(db)
	}
	for k, e := range keys {
		switch {
		case !e.known:
			c.drop(k.db, k.key)
		case e.changed || !e.cached:
			c.store(k.db, k.key, e.centry)
		}
	}
}

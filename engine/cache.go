package engine

import (
	"encoding/binary"
	"hash/maphash"
	"sync"
)

// keyCache keeps what the keys table says about recently used keys of one
// shard in memory: a key's Meta (type, expiry, collection id, size and
// bounds), a string's value, a list's first items, or the knowledge that
// the key does not exist. Writes then find the keys they change without a
// SELECT, and a GET of a hot key costs no SQLite transaction. It only ever
// holds committed state.
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
// Entries carry the key's expiry and are ignored once it has passed.
//
// Layout: the entries are records in one byte ring of the cache's bound,
// written at its head and evicted from its tail, oldest first (FIFO); an
// entry rewritten with a record of the same size stays where it is, and
// one that changes size or goes leaves a dead record behind, which the
// tail skips. An index maps a hash of database and key to its record. Ring
// and index hold no pointers, so the garbage collector never looks inside
// them: a cache of Go maps and slices that had seen millions of evictions
// (a 10M-key load) grew to 44 MB of map for a 32 MB bound, and marking it
// took a third of the CPU of range reads afterwards. A list's head is the
// exception: it is kept beside the ring (heads), its items in one buffer,
// shared by readers without copying, and its bytes are taken from the
// ring's room while it is cached.
type keyCache struct {
	mu   sync.Mutex
	max  int64 // the bound: the ring's size
	used int64 // bytes of live records
	gen  uint64
	seed maphash.Seed

	// ring starts at ringMin bytes and doubles, up to max rounded down to
	// a multiple of recAlign, while what it holds does not fit. head and
	// tail are positions that only grow (a record at position p starts at
	// ring[p%len(ring)]); the records between them, live, dead or padding,
	// fill it contiguously, none across its end.
	ring       []byte
	head, tail uint64
	// heads holds the list heads of live list records, by hash; side is
	// their bytes, which the ring keeps free: head-tail+side <= len(ring).
	heads map[uint64][][]byte
	side  uint64
	// index: hash of db and key → position of the live record. Every live
	// record is indexed, and the index names only live records; two keys
	// whose hashes collide evict each other.
	index map[uint64]uint64
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

// A record: a header of recHdr bytes, the key, then the value or the list
// head; padded to recAlign bytes. Padding before the ring's end is a dead
// record of its own, so every record starts with its length and flags.
const (
	recLen   = 0  // u32: the whole record, padding included
	recFlags = 4  // u8
	recType  = 5  // u8
	recKLen  = 8  // u32
	recDLen  = 12 // u32
	recHash  = 16 // u64
	recMeta  = 24 // i64 × 5: Exp, ID, N, Lo, Hi
	recDB    = 64 // i64
	recHdr   = 72
	recAlign = 8

	flagLive   = 1
	flagAbsent = 2
	flagVal    = 4
	flagItems  = 8

	ringMin = 4 << 10
)

var le = binary.LittleEndian

// size is what an entry counts against the cache's bound: its record in
// the ring and its list head, if any.
func (e centry) size(key string) int64 { return e.recSize(key) + int64(e.headSize()) }

// headSize is what e's list head counts against the cache's bound.
func (e centry) headSize() int {
	n := 0
	for _, it := range e.items {
		n += len(it) + 24
	}
	return n
}

// recSize is the size of e's record in the ring.
func (e centry) recSize(key string) int64 {
	n := int64(recHdr + len(key))
	if e.hasVal {
		n += int64(len(e.val))
	}
	return (n + recAlign - 1) &^ (recAlign - 1)
}

func newKeyCache(max int64) *keyCache {
	return &keyCache{max: max, seed: maphash.MakeSeed(), index: map[uint64]uint64{}, heads: map[uint64][][]byte{}}
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
	return CacheStats{Keys: int64(len(c.index)), Bytes: c.used, Max: c.max}
}

// token is taken by a reader before its snapshot starts.
func (c *keyCache) token() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

func (c *keyCache) hash(db int, key string) uint64 {
	return maphash.String(c.seed, key) ^ uint64(db)*0x9e3779b97f4a7c15
}

// rec returns the ring from the record at position p on.
func (c *keyCache) rec(p uint64) []byte { return c.ring[p%uint64(len(c.ring)):] }

// find returns the position of key's live record (the caller holds mu).
func (c *keyCache) find(h uint64, db int, key string) (uint64, bool) {
	p, ok := c.index[h]
	return p, ok && c.holds(c.rec(p), db, key)
}

// holds tells whether record r is key's, not another's of the same hash.
func (c *keyCache) holds(r []byte, db int, key string) bool {
	k := r[recHdr : recHdr+le.Uint32(r[recKLen:])]
	return int64(le.Uint64(r[recDB:])) == int64(db) && string(k) == key
}

// get returns the entry of key, if cached: a copy, but for a list's head,
// which is shared and never changed. The caller judges its expiry.
func (c *keyCache) get(db int, key []byte) (centry, bool) {
	h := c.hash(db, string(key))
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.find(h, db, string(key))
	if !ok {
		return centry{}, false
	}
	r := c.rec(p)
	var e centry
	flags := r[recFlags]
	e.absent = flags&flagAbsent != 0
	e.m.Type = Type(r[recType])
	e.m.Exp = int64(le.Uint64(r[recMeta:]))
	e.m.ID = int64(le.Uint64(r[recMeta+8:]))
	e.m.N = int64(le.Uint64(r[recMeta+16:]))
	e.m.Lo = int64(le.Uint64(r[recMeta+24:]))
	e.m.Hi = int64(le.Uint64(r[recMeta+32:]))
	switch {
	case flags&flagVal != 0:
		at := recHdr + le.Uint32(r[recKLen:])
		e.val, e.hasVal = make([]byte, le.Uint32(r[recDLen:])), true
		copy(e.val, r[at:])
	case flags&flagItems != 0:
		e.items = c.heads[h]
	}
	return e, true
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

// store adds or replaces key's entry (the caller holds mu), evicting the
// oldest records to make room. A value or list too large for the cache is
// left out, its Meta kept.
func (c *keyCache) store(db int, key string, e centry) {
	size := e.size(key)
	if size > c.max/16 {
		e.val, e.hasVal, e.items = nil, false, nil
		size = e.size(key)
	}
	rsize := e.recSize(key)
	h := c.hash(db, key)
	if p, ok := c.index[h]; ok {
		r := c.rec(p)
		// In place, where it was, unless it is in the older half of the
		// ring: a key written again goes back to the head, so that the
		// keys written most are not the first evicted.
		if c.holds(r, db, key) && r[recFlags]&flagItems == 0 && e.items == nil && int64(le.Uint32(r[recLen:])) == rsize && c.head-p <= uint64(len(c.ring))/2 {
			c.write(r, h, db, key, e, rsize)
			return
		}
		c.kill(p, h)
	}
	limit := uint64(c.max) &^ (recAlign - 1)
	if uint64(size) > limit {
		return // would not fit even alone
	}
	hsize := e.headSize()
	for uint64(len(c.ring)) < limit && c.span(uint64(rsize))+uint64(hsize) > uint64(len(c.ring)) {
		c.grow(min(max(2*uint64(len(c.ring)), ringMin), limit))
	}
	p := c.reserve(uint64(rsize), uint64(hsize))
	c.write(c.rec(p), h, db, key, e, rsize)
	c.index[h] = p
	c.used += size
	if e.items != nil {
		c.heads[h] = compactItems(e.items)
		c.side += uint64(hsize)
	}
}

// compactItems copies items into one buffer, so that a cached list head
// is two objects for the garbage collector, not one per item.
func compactItems(items [][]byte) [][]byte {
	n := 0
	for _, it := range items {
		n += len(it)
	}
	buf := make([]byte, 0, n)
	out := make([][]byte, len(items))
	for i, it := range items {
		buf = append(buf, it...)
		out[i] = buf[len(buf)-len(it) : len(buf) : len(buf)]
	}
	return out
}

// grow moves the live records, in order, to a new ring of n bytes.
func (c *keyCache) grow(n uint64) {
	old, tail, head := c.ring, c.tail, c.head
	c.ring, c.tail, c.head = make([]byte, n), 0, 0
	for p := tail; p < head; {
		r := old[p%uint64(len(old)):]
		l := uint64(le.Uint32(r[recLen:]))
		if r[recFlags]&flagLive != 0 {
			copy(c.ring[c.head:], r[:l])
			c.index[le.Uint64(r[recHash:])] = c.head
			c.head += l
		}
		p += l
	}
}

// write lays out e's record at the start of r.
func (c *keyCache) write(r []byte, h uint64, db int, key string, e centry, size int64) {
	var data []byte
	flags := byte(flagLive)
	switch {
	case e.absent:
		flags |= flagAbsent
	case e.hasVal:
		flags |= flagVal
		data = e.val
	case e.items != nil:
		flags |= flagItems // the head itself goes to heads
	}
	le.PutUint32(r[recLen:], uint32(size))
	r[recFlags] = flags
	r[recType] = byte(e.m.Type)
	le.PutUint32(r[recKLen:], uint32(len(key)))
	le.PutUint32(r[recDLen:], uint32(len(data)))
	le.PutUint64(r[recHash:], h)
	le.PutUint64(r[recMeta:], uint64(e.m.Exp))
	le.PutUint64(r[recMeta+8:], uint64(e.m.ID))
	le.PutUint64(r[recMeta+16:], uint64(e.m.N))
	le.PutUint64(r[recMeta+24:], uint64(e.m.Lo))
	le.PutUint64(r[recMeta+32:], uint64(e.m.Hi))
	le.PutUint64(r[recDB:], uint64(int64(db)))
	copy(r[recHdr+copy(r[recHdr:], key):], data)
}

// span is what the ring would hold with a record of size more at its
// head: the records, the list heads, the record and any padding before it.
func (c *keyCache) span(size uint64) uint64 {
	n := c.head - c.tail + c.side + size
	if len(c.ring) > 0 {
		if pad := uint64(len(c.ring)) - c.head%uint64(len(c.ring)); pad < size {
			n += pad
		}
	}
	return n
}

// reserve returns the position of size free bytes at the head, with side
// more bytes free for a list head, evicting from the tail as needed; a
// record that would cross the ring's end is placed at its start, the bytes
// before the end left as padding.
func (c *keyCache) reserve(size, side uint64) uint64 {
	n := uint64(len(c.ring))
	if pad := n - c.head%n; pad < size {
		c.room(pad)
		r := c.rec(c.head)
		le.PutUint32(r[recLen:], uint32(pad))
		r[recFlags] = 0
		c.head += pad
	}
	c.room(size + side)
	p := c.head
	c.head += size
	return p
}

// room evicts records from the tail until size bytes are free at the head.
func (c *keyCache) room(size uint64) {
	for c.head+size-c.tail+c.side > uint64(len(c.ring)) {
		r := c.rec(c.tail)
		if r[recFlags]&flagLive != 0 {
			c.kill(c.tail, le.Uint64(r[recHash:]))
		}
		c.tail += uint64(le.Uint32(r[recLen:]))
	}
}

// kill marks the live record at position p, of hash h, dead.
func (c *keyCache) kill(p, h uint64) {
	r := c.rec(p)
	if r[recFlags]&flagItems != 0 {
		n := centry{items: c.heads[h]}.headSize()
		c.side -= uint64(n)
		c.used -= int64(n)
		delete(c.heads, h)
	}
	r[recFlags] &^= flagLive
	c.used -= int64(le.Uint32(r[recLen:]))
	delete(c.index, h)
}

func (c *keyCache) drop(db int, key string) {
	h := c.hash(db, key)
	if p, ok := c.find(h, db, key); ok {
		c.kill(p, h)
	}
}

// clear drops every entry of db, or of all databases for db -1.
func (c *keyCache) clear(db int) {
	if db == -1 {
		clear(c.index)
		clear(c.heads)
		c.head, c.tail, c.used, c.side = 0, 0, 0, 0
		return
	}
	for p := c.tail; p < c.head; {
		r := c.rec(p)
		if r[recFlags]&flagLive != 0 && int64(le.Uint64(r[recDB:])) == int64(db) {
			c.kill(p, le.Uint64(r[recHash:]))
		}
		p += uint64(le.Uint32(r[recLen:]))
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

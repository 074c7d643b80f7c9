package engine

// What a transaction knows about the keys it uses.
//
// A write transaction keeps, per key it looked up or changed, the key's
// state as of this transaction (Tx.keys): found in the key cache, read from
// the keys table, or written by an operation. Lookups answer from it, so a
// batch of writes to one key reads its keys row once; collection sizes and
// bounds (Meta.N, Lo, Hi) are written to the keys row once per transaction,
// at commit (dirty), however many pushes or pops changed them. Only
// lookupIn reads those three columns, and it answers from here first; the
// operations that move a keys row with SQL (RENAME, MOVE) write the row's
// pending sizes first. After COMMIT the states go to the key cache.

// txKey names a key of a physical database.
type txKey struct {
	db  int
	key string
}

// txEntry is a key's state in a write transaction.
type txEntry struct {
	centry
	// known: centry is the key's state; otherwise the key was changed in a
	// way not followed here, and the keys table must be asked.
	known bool
	// changed by this transaction; cached: taken unchanged from the cache.
	changed, cached bool
	// dirty: m.N, m.Lo and m.Hi are not written to the keys row yet.
	dirty bool
}

// maxListCache is how many items of a list, from the head, the key cache
// keeps.
const maxListCache = 1024

// maxEntryVal is the largest string value a transaction keeps in its key
// states; larger ones are read from the keys table when needed.
const maxEntryVal = 64 << 10

// state returns the key's state when it is known without asking the keys
// table: from the transaction's own states, or the cache. A write
// transaction trusts the cache for keys it has not changed (no other write
// commits on the shard meanwhile) and skips cached entries whose expiry has
// passed (the keys table must delete them). A single-key read (cacheOK)
// takes only entries that hold everything it will read, so that its
// snapshot cannot disagree with them: strings, absent keys, and lists with
// their items for readers that take items from listRows (listOK); it
// treats an expired entry as absent.
func (tx *Tx) state(db int, key []byte) (centry, bool) {
	if tx.write {
		if e := tx.keys[txKey{db, string(key)}]; e != nil {
			return e.centry, e.known
		}
		if tx.s.cache == nil || tx.flushedDB(db) {
			return centry{}, false
		}
		ce, ok := tx.s.cache.get(db, key)
		if !ok || (!ce.absent && ce.m.Exp != 0 && ce.m.Exp <= tx.Now) {
			return centry{}, false
		}
		tx.setState(txKey{db, string(key)}, txEntry{centry: ce, known: true, cached: true})
		return ce, true
	}
	if !tx.cacheOK {
		return centry{}, false
	}
	ce, ok := tx.s.cache.get(db, key)
	switch {
	case !ok:
		return centry{}, false
	case ce.absent:
		return ce, true
	case ce.m.Type != TypeString && !(tx.listOK && ce.items != nil):
		return centry{}, false
	case ce.m.Exp != 0 && ce.m.Exp <= tx.Now:
		return centry{absent: true}, true
	}
	return ce, true
}

// learned records a key's state read from the keys table: in a write
// transaction's states (for the cache after commit), or, in a single-key
// read, straight into the cache under the read's token.
func (tx *Tx) learned(db int, key []byte, e centry) {
	if tx.write {
		k := txKey{db, string(key)}
		if old := tx.keys[k]; old != nil && old.known {
			if e.hasVal && !old.hasVal && !old.absent && old.m.Type == TypeString {
				old.val, old.hasVal = e.val, true
			}
			return
		}
		tx.setState(k, txEntry{centry: e, known: true})
		return
	}
	if tx.cacheOK {
		tx.s.cache.fill(tx.cacheTok, db, key, e)
	}
}

// wrote records a key's new state after a change; dirty when its sizes and
// bounds are still to be written to the keys row.
func (tx *Tx) wrote(db int, key []byte, e centry, dirty bool) {
	if !tx.write {
		return
	}
	tx.items = nil
	if e.hasVal && len(e.val) > maxEntryVal {
		e.val, e.hasVal = nil, false
	}
	if old := tx.keys[txKey{db, string(key)}]; old != nil {
		*old = txEntry{centry: e, known: true, changed: true, dirty: dirty}
		return
	}
	tx.setState(txKey{db, string(key)}, txEntry{centry: e, known: true, changed: true, dirty: dirty})
}

// forget records that key changed in a way the transaction did not follow.
func (tx *Tx) forget(db int, key []byte) {
	tx.items = nil
	if tx.write {
		tx.setState(txKey{db, string(key)}, txEntry{changed: true})
	}
}

// writeMeta writes key's pending sizes and bounds to its keys row now.
func (tx *Tx) writeMeta(db int, key []byte) {
	if e := tx.keys[txKey{db, string(key)}]; e != nil && e.dirty {
		tx.saveRow(db, key, e.m)
		e.dirty = false
	}
}

func (tx *Tx) saveRow(db int, key []byte, m Meta) {
	tx.exec("UPDATE keys SET n=?, lo=?, hi=? WHERE db=? AND h=? AND key=?", m.N, m.Lo, m.Hi, db, keyHash(key), key)
}

// flushedKeys forgets the states of db's keys (-1: every database) after
// the database was emptied; until commit the cache is not asked about it.
func (tx *Tx) flushedKeys(db int) {
	for k := range tx.keys {
		if db == -1 || k.db == db {
			delete(tx.keys, k)
		}
	}
	tx.flushed = append(tx.flushed, db)
}

func (tx *Tx) flushedDB(db int) bool {
	for _, f := range tx.flushed {
		if f == -1 || f == db {
			return true
		}
	}
	return false
}

// setState records e as the state of k.
func (tx *Tx) setState(k txKey, e txEntry) {
	if tx.keys == nil {
		tx.keys = tx.s.states.take()
	}
	p := tx.s.states.alloc()
	*p = e
	tx.keys[k] = p
}

// txStates keeps the key states' map and entries between write
// transactions (a Store's writers run one at a time, under wmu), so that a
// run of batches does not grow a new map and allocate every entry each
// time: under redis-benchmark MSET that was 5 % of the writer's time.
type txStates struct {
	spare  map[txKey]*txEntry
	chunks [][]txEntry
	used   int // entries handed out, over all chunks
}

// statesChunk is how many entries a chunk holds; statesKeep bounds what is
// kept for the next transaction after a large one.
const (
	statesChunk = 64
	statesKeep  = 4096
)

// take returns an empty map for a transaction's states.
func (s *txStates) take() map[txKey]*txEntry {
	if m := s.spare; m != nil {
		s.spare = nil
		return m
	}
	return make(map[txKey]*txEntry, statesChunk)
}

// alloc returns a zero entry, valid until release.
func (s *txStates) alloc() *txEntry {
	c, i := s.used/statesChunk, s.used%statesChunk
	if c == len(s.chunks) {
		s.chunks = append(s.chunks, make([]txEntry, statesChunk))
	}
	s.used++
	return &s.chunks[c][i]
}

// release takes back a finished transaction's map and entries.
// A transaction that held more states than statesKeep gives both up: its
// chunks past the bound (which the slice's array would otherwise keep) and
// its map, whose capacity stays at its peak however many keys it holds now.
func (s *txStates) release(m map[txKey]*txEntry) {
	for c := 0; c*statesChunk < s.used; c++ {
		clear(s.chunks[c]) // let go of the values the entries hold
	}
	big := s.used > statesKeep // used bounds the map's peak size: one entry per setState
	s.used = 0
	if keep := statesKeep / statesChunk; len(s.chunks) > keep {
		clear(s.chunks[keep:])
		s.chunks = s.chunks[:keep:keep]
	}
	if m != nil && !big {
		clear(m)
		s.spare = m
	}
}

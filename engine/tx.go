package engine

import (
	"fmt"
	"hash/crc32"
	"log/slog"
	"runtime/debug"

	"github.com/ncruces/go-sqlite3"
)

// Type is a key's data type.
type Type int

// Data types, with the values stored in the keys table.
const (
	TypeString Type = iota
	TypeList
	TypeHash
	TypeSet
	TypeZSet
)

// String is the name TYPE replies with.
func (t Type) String() string {
	return [...]string{"string", "list", "hash", "set", "zset"}[t]
}

// Tx is one transaction on a shard. Operations take the physical database
// number in DB; Now (unix ms) is the time expiry is judged against.
type Tx struct {
	s     *Store
	c     *conn
	write bool
	// DB is the database the operations address.
	DB int
	// Now is the command's start time in unix milliseconds.
	Now int64

	nextID   int64
	deltas   map[int]*[2]int64 // db -> keys, expires
	beginErr error
	changed  bool
	changes  int // statements that changed something (Changes)

	// Key states of a write transaction (keystate.go) and the databases it
	// flushed (-1: all).
	keys    map[txKey]*txEntry
	flushed []int

	// A single-key read (cacheOK) may answer from the key cache and fill
	// it under cacheTok; listOK while a reader that takes a list's items
	// from listRows looks its key up.
	cacheOK  bool
	cacheTok uint64
	listOK   bool

	// zpend holds additions to zlvl counts not written yet (zlvlNext); zlv
	// what the transaction knows of the levels' rows (zlvlAfter).
	zpend map[zrow]int64
	zlv   map[zlvlKey]*zlvlRows

	// items are the cached items of list itemsID, found by the last lookup
	// (listRows); nil once the transaction changes anything.
	items   [][]byte
	itemsID int64
}

// Meta is what the keys table holds about a key besides its value.
type Meta struct {
	Type Type
	Exp  int64 // unix ms, 0 when persistent
	ID   int64 // collection id
	N    int64 // collection size
	Lo   int64 // list head position; sorted set: levels of its rank index
	Hi   int64 // list tail position
}

// run calls fn, turning a storage panic into *Internal.
func (tx *Tx) run(fn func(*Tx) error) (err error) {
	if tx.beginErr != nil {
		return tx.beginErr
	}
	defer func() {
		if r := recover(); r != nil {
			if ie, ok := r.(*Internal); ok {
				err = ie
				return
			}
			slog.Error("panic in engine operation", "panic", r, "stack", string(debug.Stack()))
			err = &Internal{fmt.Errorf("panic: %v", r)}
		}
	}()
	return fn(tx)
}

// Run calls fn with tx and returns its error; a transaction that failed to
// begin, or a storage failure inside fn, gives an *Internal.
func (tx *Tx) Run(fn func(*Tx) error) error { return tx.run(fn) }

// Changed reports whether the transaction wrote anything.
func (tx *Tx) Changed() bool { return tx.changed }

// Changes counts the changes the transaction made so far: a caller running
// several commands in one transaction tells which of them changed data.
func (tx *Tx) Changes() int { return tx.changes }

// Commit ends an Exclusive transaction, writing it durably.
func (tx *Tx) Commit() error {
	defer tx.s.wmu.Unlock()
	return tx.commit()
}

// BeginErr is why the transaction could not begin (nil when it did). Such a
// Tx runs nothing through Run and fails its Commit; its methods called
// directly would run their statements outside any transaction, each
// committed on its own, so whoever calls them must check this first.
func (tx *Tx) BeginErr() error { return tx.beginErr }

// Rollback ends an Exclusive transaction, discarding it.
func (tx *Tx) Rollback() {
	defer tx.s.wmu.Unlock()
	tx.rollback()
}

func (tx *Tx) commit() (err error) {
	if tx.beginErr != nil {
		return tx.beginErr
	}
	defer func() {
		if r := recover(); r != nil {
			tx.rollback()
			if ie, ok := r.(*Internal); ok {
				err = ie
				return
			}
			panic(r)
		}
	}()
	tx.zflush()
	for db, d := range tx.deltas {
		if d[0] == 0 && d[1] == 0 {
			continue
		}
		tx.exec(`INSERT INTO dbstats(db, keys, expires) VALUES(?1, ?2, ?3)
			ON CONFLICT(db) DO UPDATE SET keys = keys + ?2, expires = expires + ?3`, db, d[0], d[1])
	}
	if tx.nextID != tx.s.nextID {
		tx.exec("UPDATE meta SET value = ? WHERE name = 'next_id'", tx.nextID)
	}
	for k, e := range tx.keys {
		if e.dirty {
			tx.saveRow(k.db, []byte(k.key), e.m)
			e.dirty = false
		}
	}
	// Reads from SQLite that may see this commit wait until the key cache
	// has it too, or it failed (waitApplied); the deferred count covers
	// the failures. Commits run one at a time, so once this one is
	// counted, commits is its number.
	if Sync(tx.s.level.Load()) == SyncAlways && tx.s.syncCounts {
		tx.s.pending.Store(true) // counted by the log's sync, or below
	} else {
		tx.s.commits.Add(1)
	}
	applied := func() {
		tx.s.countPending()
		tx.s.applied.Store(tx.s.commits.Load())
	}
	defer applied()
	if err := tx.c.exec("COMMIT"); err != nil {
		tx.rollback()
		return &Internal{err}
	}
	tx.s.snap.Add(1) // before the key cache and the replies learn of it (readers.go)
	if tx.s.committedHook != nil {
		tx.s.committedHook()
	}
	if cache := tx.s.cache; cache != nil && (len(tx.keys) > 0 || len(tx.flushed) > 0) {
		cache.apply(tx.flushed, tx.keys)
	}
	applied() // now, not after afterCommit's checkpoint
	tx.s.states.release(tx.keys)
	tx.keys = nil
	tx.s.nextID = tx.nextID
	tx.s.Commits.Add(1)
	tx.s.afterCommit()
	if tx.changed {
		tx.s.dirty.Store(true)
	}
	return nil
}

func (tx *Tx) rollback() {
	tx.c.exec("ROLLBACK")
	if tx.write {
		tx.s.states.release(tx.keys)
	}
	tx.keys, tx.flushed, tx.zpend, tx.zlv = nil, nil, nil, nil
}

func (tx *Tx) check(err error) {
	if err != nil {
		panic(&Internal{err})
	}
}

// bind prepares sql (cached) and binds args; the caller steps and resets it.
func (tx *Tx) bind(sql string, args ...any) *sqlite3.Stmt {
	if tx.c == nil {
		tx.open()
	}
	st := tx.c.stmt(sql)
	for i, a := range args {
		var err error
		switch v := a.(type) {
		case int:
			err = st.BindInt64(i+1, int64(v))
		case int64:
			err = st.BindInt64(i+1, v)
		case uint32:
			err = st.BindInt64(i+1, int64(v))
		case float64:
			err = st.BindFloat(i+1, v)
		case []byte:
			if v == nil {
				v = []byte{}
			}
			err = st.BindBlob(i+1, v)
		case string:
			err = st.BindText(i+1, v)
		case nil:
			err = st.BindNull(i + 1)
		default:
			panic(fmt.Sprintf("engine: cannot bind argument %d of %q", i+1, sql))
		}
		tx.check(err)
	}
	return st
}

// exec runs a statement that returns no rows.
func (tx *Tx) exec(sql string, args ...any) {
	st := tx.bind(sql, args...)
	err := st.Exec()
	st.Reset()
	tx.check(err)
	tx.changed = true
	tx.changes++
}

// step advances st, panicking on a storage error.
func (tx *Tx) step(st *sqlite3.Stmt) bool {
	if st.Step() {
		return true
	}
	err := st.Err()
	st.Reset()
	tx.check(err)
	return false
}

// done resets a statement whose rows were not all read.
func done(st *sqlite3.Stmt) { st.Reset() }

// blob copies column i.
func blob(st *sqlite3.Stmt, i int) []byte {
	b := st.ColumnRawBlob(i)
	out := make([]byte, len(b))
	copy(out, b)
	return out
}

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// keyHash is the 32-bit hash that orders keys (and members) for SCAN and
// random picks: CRC-32C with MurmurHash3's finalizer, so that similar names
// (key:1, key:2…) spread evenly. It is stored: changing it changes the file
// format.
func keyHash(key []byte) int64 {
	h := crc32.Checksum(key, crcTable)
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return int64(h)
}

func (tx *Tx) delta(db int, keys, expires int64) {
	if tx.deltas == nil {
		tx.deltas = map[int]*[2]int64{}
	}
	d := tx.deltas[db]
	if d == nil {
		d = new([2]int64)
		tx.deltas[db] = d
	}
	d[0] += keys
	d[1] += expires
}

// lookup finds key in tx.DB. An expired key is absent; a write transaction
// deletes it on the way.
func (tx *Tx) lookup(key []byte) (Meta, bool) {
	return tx.lookupIn(tx.DB, key)
}

func (tx *Tx) lookupIn(db int, key []byte) (Meta, bool) {
	if e, ok := tx.state(db, key); ok {
		tx.stat(!e.absent)
		if e.items != nil {
			tx.items, tx.itemsID = e.items, e.m.ID
		}
		return e.m, !e.absent
	}
	st := tx.bind("SELECT type, exp, id, n, lo, hi FROM keys WHERE db=? AND h=? AND key=?", db, keyHash(key), key)
	if !tx.step(st) {
		tx.stat(false)
		tx.learned(db, key, centry{absent: true})
		return Meta{}, false
	}
	m := Meta{Type(st.ColumnInt64(0)), st.ColumnInt64(1), st.ColumnInt64(2), st.ColumnInt64(3), st.ColumnInt64(4), st.ColumnInt64(5)}
	done(st)
	if m.Exp != 0 && m.Exp <= tx.Now {
		if tx.write {
			tx.removeIn(db, key, m)
		}
		tx.stat(false)
		return Meta{}, false
	}
	tx.stat(true)
	tx.learned(db, key, centry{m: m})
	return m, true
}

// stat counts a keyspace hit or miss of a read (INFO keyspace_hits/misses).
func (tx *Tx) stat(hit bool) {
	switch {
	case tx.write:
	case hit:
		tx.s.Hits.Add(1)
	default:
		tx.s.Misses.Add(1)
	}
}

// lookupType finds key and checks it holds type t.
func (tx *Tx) lookupType(key []byte, t Type) (Meta, bool, error) {
	m, ok := tx.lookup(key)
	if ok && m.Type != t {
		return m, true, ErrWrongType
	}
	return m, ok, nil
}

// removeIn deletes a key and its members.
func (tx *Tx) removeIn(db int, key []byte, m Meta) {
	tx.exec("DELETE FROM keys WHERE db=? AND h=? AND key=?", db, keyHash(key), key)
	tx.wrote(db, key, centry{absent: true}, false)
	tx.dropMembers(m)
	var e int64
	if m.Exp != 0 {
		e = -1
	}
	tx.delta(db, -1, e)
}

// dropMembers deletes a collection's member rows, or a large string's value.
func (tx *Tx) dropMembers(m Meta) {
	switch m.Type {
	case TypeString:
		if m.ID != 0 {
			tx.dropBig(m.ID)
		}
	case TypeList:
		tx.dropItems(m.ID, "")
		tx.exec("DELETE FROM lists WHERE id=?", m.ID)
	case TypeHash:
		tx.dropHashValues(m.ID)
		tx.exec("DELETE FROM hashes WHERE id=?", m.ID)
	case TypeSet:
		tx.exec("DELETE FROM sets WHERE id=?", m.ID)
	case TypeZSet:
		tx.zflush()
		tx.exec("DELETE FROM zsets WHERE id=?", m.ID)
		tx.exec("DELETE FROM zlvl WHERE id=?", m.ID)
	}
}

// newID allocates a collection id.
func (tx *Tx) newID() int64 {
	id := tx.nextID
	tx.nextID++
	return id
}

// createCollection inserts the keys row of a new, empty collection.
func (tx *Tx) createCollection(key []byte, t Type) Meta {
	m := Meta{Type: t, ID: tx.newID()}
	tx.exec("INSERT INTO keys(db, h, key, type, id, n, lo, hi) VALUES(?,?,?,?,?,0,0,-1)",
		tx.DB, keyHash(key), key, int(t), m.ID)
	m.Hi = -1
	tx.wrote(tx.DB, key, centry{m: m}, false)
	tx.delta(tx.DB, 1, 0)
	return m
}

// saveMeta records a collection's new size and bounds, deleting the key
// when empty. The keys row is written at commit (keystate.go).
func (tx *Tx) saveMeta(key []byte, m Meta) {
	if m.N <= 0 {
		tx.removeIn(tx.DB, key, m)
		return
	}
	tx.wrote(tx.DB, key, centry{m: m}, true)
	tx.changed = true
	tx.changes++
}

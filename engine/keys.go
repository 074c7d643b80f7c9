package engine

import (
	"math/rand/v2"
)

// Exists reports whether key exists (EXISTS, TOUCH).
func (tx *Tx) Exists(key []byte) bool {
	_, ok := tx.lookup(key)
	return ok
}

// TypeOf returns the type of key.
func (tx *Tx) TypeOf(key []byte) (Type, bool) {
	m, ok := tx.lookup(key)
	return m.Type, ok
}

// Lookup returns what the keys table holds about key (OBJECT, DEBUG).
func (tx *Tx) Lookup(key []byte) (Meta, bool) { return tx.lookup(key) }

// Delete removes key and reports whether it existed (DEL, UNLINK).
func (tx *Tx) Delete(key []byte) bool {
	m, ok := tx.lookup(key)
	if ok {
		tx.removeIn(tx.DB, key, m)
	}
	return ok
}

// ExpireCond is the NX/XX/GT/LT condition of EXPIRE.
type ExpireCond int

// EXPIRE conditions.
const (
	ExpireAlways ExpireCond = iota
	ExpireNX
	ExpireXX
	ExpireGT
	ExpireLT
)

// Expire sets key's expiry to at (unix ms) under cond and reports whether it
// was set. A time in the past deletes the key.
func (tx *Tx) Expire(key []byte, at int64, cond ExpireCond) bool {
	m, ok := tx.lookup(key)
	if !ok {
		return false
	}
	switch cond {
	case ExpireNX:
		if m.Exp != 0 {
			return false
		}
	case ExpireXX:
		if m.Exp == 0 {
			return false
		}
	case ExpireGT:
		// A persistent key counts as an infinite TTL.
		if m.Exp == 0 || at <= m.Exp {
			return false
		}
	case ExpireLT:
		if m.Exp != 0 && at >= m.Exp {
			return false
		}
	}
	tx.setExpire(key, m, at)
	return true
}

// setExpire writes key's expiry (0 = persistent); a past time deletes it.
func (tx *Tx) setExpire(key []byte, m Meta, at int64) {
	if at != 0 && at <= tx.Now {
		tx.removeIn(tx.DB, key, m)
		return
	}
	var arg any
	if at != 0 {
		arg = at
	}
	tx.exec("UPDATE keys SET exp=? WHERE db=? AND h=? AND key=?", arg, tx.DB, keyHash(key), key)
	if e, ok := tx.state(tx.DB, key); ok && !e.absent {
		e.m.Exp = at
		tx.wrote(tx.DB, key, e, tx.keys[txKey{tx.DB, string(key)}].dirty)
	} else {
		tx.forget(tx.DB, key)
	}
	switch {
	case m.Exp == 0 && at != 0:
		tx.delta(tx.DB, 0, 1)
	case m.Exp != 0 && at == 0:
		tx.delta(tx.DB, 0, -1)
	}
}

// Persist removes key's expiry and reports whether it had one.
func (tx *Tx) Persist(key []byte) bool {
	m, ok := tx.lookup(key)
	if !ok || m.Exp == 0 {
		return false
	}
	tx.setExpire(key, m, 0)
	return true
}

// ExpireTime returns key's expiry in unix ms (0 = persistent) and whether it exists.
func (tx *Tx) ExpireTime(key []byte) (int64, bool) {
	m, ok := tx.lookup(key)
	return m.Exp, ok
}

// Value is a whole key in memory, to move it between shards (RENAME, COPY
// across shards). Items holds list items in order, set members, hash
// field/value pairs, or zset members (with Scores).
type Value struct {
	Type   Type
	Exp    int64
	Str    []byte
	Items  [][]byte
	Scores []float64
}

// Dump reads key into a Value.
func (tx *Tx) Dump(key []byte) (*Value, bool) {
	return tx.dumpIn(tx.DB, key)
}

func (tx *Tx) dumpIn(db int, key []byte) (*Value, bool) {
	m, ok := tx.lookupIn(db, key)
	if !ok {
		return nil, false
	}
	v := &Value{Type: m.Type, Exp: m.Exp}
	switch m.Type {
	case TypeString:
		if m.ID != 0 {
			v.Str = tx.bigValue(m.ID)
			break
		}
		st := tx.bind("SELECT val FROM keys WHERE db=? AND h=? AND key=?", db, keyHash(key), key)
		if tx.step(st) {
			v.Str = blob(st, 0)
			done(st)
		}
	case TypeList:
		st := tx.bind("SELECT "+itemCols+" FROM lists WHERE id=? ORDER BY pos", m.ID)
		for tx.step(st) {
			it, _ := tx.readItem(st, 0)
			v.Items = append(v.Items, it)
		}
	case TypeSet:
		v.Items = tx.column("SELECT member FROM sets WHERE id=? ORDER BY member", m.ID)
	case TypeHash:
		st := tx.bind("SELECT field, "+hashVal+" FROM hashes WHERE id=? ORDER BY field", m.ID)
		for tx.step(st) {
			v.Items = append(v.Items, blob(st, 0), blob(st, 1))
		}
	case TypeZSet:
		st := tx.bind("SELECT member, score FROM zsets WHERE id=? ORDER BY score, member", m.ID)
		for tx.step(st) {
			v.Items = append(v.Items, blob(st, 0))
			v.Scores = append(v.Scores, st.ColumnFloat(1))
		}
	}
	return v, true
}

func (tx *Tx) column(sql string, args ...any) [][]byte {
	var out [][]byte
	st := tx.bind(sql, args...)
	for tx.step(st) {
		out = append(out, blob(st, 0))
	}
	return out
}

// Restore writes v at key in tx.DB, replacing what is there.
func (tx *Tx) Restore(key []byte, v *Value) {
	tx.Delete(key)
	if v.Type == TypeString {
		tx.putString(key, v.Str, v.Exp, Meta{}, false)
		return
	}
	m := tx.createCollection(key, v.Type)
	switch v.Type {
	case TypeList:
		for i, it := range v.Items {
			tx.putItem(m.ID, int64(i), it)
		}
		m.N, m.Lo, m.Hi = int64(len(v.Items)), 0, int64(len(v.Items))-1
	case TypeSet:
		for _, it := range v.Items {
			tx.exec("INSERT INTO sets(id, h, member) VALUES(?,?,?)", m.ID, keyHash(it), it)
		}
		m.N = int64(len(v.Items))
	case TypeHash:
		for i := 0; i+1 < len(v.Items); i += 2 {
			tx.hInsert(m.ID, v.Items[i], v.Items[i+1])
		}
		m.N = int64(len(v.Items) / 2)
	case TypeZSet:
		for i, it := range v.Items {
			tx.exec("INSERT INTO zsets(id, h, member, score) VALUES(?,?,?,?)", m.ID, keyHash(it), it, v.Scores[i])
		}
		m.N = int64(len(v.Items))
		tx.zlvlResize(&m)
	}
	tx.saveMeta(key, m)
	if v.Exp != 0 {
		tx.setExpire(key, m, v.Exp)
	}
}

// Rename moves src to dst within this shard and database, replacing dst.
func (tx *Tx) Rename(src, dst []byte, nx bool) (bool, error) {
	m, ok := tx.lookup(src)
	if !ok {
		return false, ErrNoSuchKey
	}
	if nx && tx.Exists(dst) {
		return false, nil
	}
	if string(src) == string(dst) {
		return true, nil
	}
	tx.Delete(dst)
	tx.writeMeta(tx.DB, src)
	tx.exec("UPDATE keys SET h=?, key=? WHERE db=? AND h=? AND key=?", keyHash(dst), dst, tx.DB, keyHash(src), src)
	tx.wrote(tx.DB, src, centry{absent: true}, false)
	tx.wrote(tx.DB, dst, centry{m: m}, false)
	return true, nil
}

// Move moves key from tx.DB to database dst in the same shard; false when
// key is missing or dst already has it.
func (tx *Tx) Move(key []byte, dst int) bool {
	m, ok := tx.lookup(key)
	if !ok {
		return false
	}
	if _, exists := tx.lookupIn(dst, key); exists {
		return false
	}
	tx.writeMeta(tx.DB, key)
	tx.exec("UPDATE keys SET db=? WHERE db=? AND h=? AND key=?", dst, tx.DB, keyHash(key), key)
	tx.wrote(tx.DB, key, centry{absent: true}, false)
	tx.wrote(dst, key, centry{m: m}, false)
	var e int64
	if m.Exp != 0 {
		e = 1
	}
	tx.delta(tx.DB, -1, -e)
	tx.delta(dst, 1, e)
	return true
}

// CopyTo copies src in tx.DB to dst in database dstDB of the same shard.
func (tx *Tx) CopyTo(src, dst []byte, dstDB int, replace bool) bool {
	v, ok := tx.Dump(src)
	if !ok {
		return false
	}
	saved := tx.DB
	defer func() { tx.DB = saved }()
	tx.DB = dstDB
	if tx.Exists(dst) && !replace {
		return false
	}
	tx.Restore(dst, v)
	return true
}

// ScanResult is one page of a keyspace scan in a shard.
type ScanResult struct {
	Keys [][]byte
	// Next is the hash to continue from; -1 when the shard is done.
	Next int64
	// Visited counts the keys looked at, kept or not.
	Visited int
}

// Scan returns up to count keys (more when several share the last hash)
// in hash order from hash from, with their types, skipping expired keys.
func (tx *Tx) Scan(from int64, count int, keep func(key []byte, t Type) bool) ScanResult {
	var res ScanResult
	st := tx.bind("SELECT h, key, type, exp FROM keys WHERE db=? AND h>=? ORDER BY h, key LIMIT ?", tx.DB, from, count)
	last, n := int64(-1), 0
	var lastKey []byte
	visit := func() {
		h, k, t, exp := st.ColumnInt64(0), blob(st, 1), Type(st.ColumnInt64(2)), st.ColumnInt64(3)
		last, lastKey = h, k
		n++
		if exp != 0 && exp <= tx.Now {
			return
		}
		if keep == nil || keep(k, t) {
			res.Keys = append(res.Keys, k)
		}
	}
	for tx.step(st) {
		visit()
	}
	res.Visited = n
	if n < count {
		res.Next = -1
		return res
	}
	// Finish the last hash so that the cursor never splits a hash value.
	st = tx.bind("SELECT h, key, type, exp FROM keys WHERE db=? AND h=? AND key>? ORDER BY key", tx.DB, last, lastKey)
	for tx.step(st) {
		visit()
	}
	res.Visited = n
	res.Next = last + 1
	if res.Next > 0xFFFFFFFF {
		res.Next = -1
	}
	return res
}

// RandomKey returns a random live key of tx.DB, or false when there is none.
func (tx *Tx) RandomKey() ([]byte, bool) {
	for try := 0; try < 100; try++ {
		h := rand.Int64N(1 << 32)
		st := tx.bind("SELECT key, exp FROM keys WHERE db=? AND h>=? ORDER BY h LIMIT 1", tx.DB, h)
		if !tx.step(st) {
			st = tx.bind("SELECT key, exp FROM keys WHERE db=? ORDER BY h LIMIT 1", tx.DB)
			if !tx.step(st) {
				return nil, false
			}
		}
		k, exp := blob(st, 0), st.ColumnInt64(1)
		done(st)
		if exp == 0 || exp > tx.Now {
			return k, true
		}
	}
	return nil, false
}

// Flush deletes every key of tx.DB.
func (tx *Tx) Flush() {
	tx.zflush()
	// The large list items and hash values of the database's collections;
	// its large strings are strs rows with the keys' ids (below).
	for _, t := range []string{"lists", "hashes"} {
		tx.exec("DELETE FROM strs WHERE id IN (SELECT ref FROM "+t+" WHERE ref IS NOT NULL AND id IN (SELECT id FROM keys WHERE db=? AND id IS NOT NULL))", tx.DB)
	}
	for _, t := range []string{"lists", "hashes", "sets", "zsets", "zlvl", "strs"} {
		tx.exec("DELETE FROM "+t+" WHERE id IN (SELECT id FROM keys WHERE db=? AND id IS NOT NULL)", tx.DB)
	}
	tx.exec("DELETE FROM keys WHERE db=?", tx.DB)
	tx.flushedKeys(tx.DB)
	tx.exec("DELETE FROM dbstats WHERE db=?", tx.DB)
	delete(tx.deltas, tx.DB)
}

// FlushAll deletes every key of every database.
func (tx *Tx) FlushAll() {
	tx.zflush()
	for _, t := range []string{"lists", "hashes", "sets", "zsets", "zlvl", "strs", "keys", "dbstats"} {
		tx.exec("DELETE FROM " + t)
	}
	tx.flushedKeys(-1)
	tx.deltas = nil
}

// Counts returns the number of keys and of keys with an expiry per database,
// including expired keys not yet swept (as Redis's DBSIZE does).
func (tx *Tx) Counts() map[int][2]int64 {
	out := map[int][2]int64{}
	st := tx.bind("SELECT db, keys, expires FROM dbstats")
	for tx.step(st) {
		out[int(st.ColumnInt64(0))] = [2]int64{st.ColumnInt64(1), st.ColumnInt64(2)}
	}
	// Changes of this transaction not yet folded into dbstats.
	for db, d := range tx.deltas {
		o := out[db]
		out[db] = [2]int64{o[0] + d[0], o[1] + d[1]}
	}
	return out
}

// NextExpiry is the earliest expiry of any key in the shard (unix ms), 0
// when no key has one.
func (tx *Tx) NextExpiry() int64 {
	st := tx.bind("SELECT min(exp) FROM keys WHERE exp IS NOT NULL")
	var at int64
	if tx.step(st) {
		at = st.ColumnInt64(0)
		done(st)
	}
	return at
}

// ExpireSweep deletes up to limit keys whose expiry has passed and returns how many.
func (tx *Tx) ExpireSweep(limit int) int {
	type victim struct {
		db  int
		key []byte
	}
	var vs []victim
	st := tx.bind("SELECT db, key FROM keys WHERE exp IS NOT NULL AND exp <= ? ORDER BY exp LIMIT ?", tx.Now, limit)
	for tx.step(st) {
		vs = append(vs, victim{int(st.ColumnInt64(0)), blob(st, 1)})
	}
	for _, v := range vs {
		tx.lookupIn(v.db, v.key) // deletes it as expired
	}
	return len(vs)
}

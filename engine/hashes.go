package engine

import (
	"math"
	"math/big"
	"strconv"
)

// Hashes keep one row per field in the hashes table, keyed by (id, h,
// field) with h = keyHash(field): HGET/HSET/HDEL/HEXISTS are one
// primary-key operation each, HLEN is the key's size, and HRANDFIELD/HSCAN
// seek on h (see memberTable in sets.go). A value that with its field is
// over bigStringAt bytes is kept in strs, its row holding an empty val and
// the strs id in ref, as big list items are (see bigStringAt for why).

// hashVal is the SQL expression of a hashes row's value, wherever it lives.
const hashVal = "coalesce((SELECT s.val FROM strs s WHERE s.id=hashes.ref), hashes.val)"

var hashTable = newMemberTable(
	"SELECT h, field, "+hashVal+" FROM hashes WHERE id=? ORDER BY h, field",
	"SELECT h, field, "+hashVal+" FROM hashes WHERE id=? AND h>=? ORDER BY h, field",
	"SELECT h, field, "+hashVal+" FROM hashes WHERE id=? AND h=? AND field>? ORDER BY field",
)

// hGet returns the value of field in the hash with id; never nil when found.
func (tx *Tx) hGet(id int64, field []byte) ([]byte, bool) {
	st := tx.bind("SELECT "+hashVal+" FROM hashes WHERE id=? AND h=? AND field=?", id, keyHash(field), field)
	if !tx.step(st) {
		return nil, false
	}
	v := blob(st, 0)
	done(st)
	return v, true
}

// hPut sets field to val in the hash with id and reports whether the field
// is new. A small value over a small one costs one UPDATE, a new small
// field that UPDATE and one INSERT; only a large value, or a small one
// replacing a large one, looks the row up first.
func (tx *Tx) hPut(id int64, field, val []byte) bool {
	h := keyHash(field)
	if !bigString(field, val) {
		if tx.execN("UPDATE hashes SET val=? WHERE id=? AND h=? AND field=? AND ref IS NULL", val, id, h, field) > 0 {
			return false
		}
		if tx.execN("INSERT INTO hashes(id, h, field, val) VALUES(?,?,?,?) ON CONFLICT DO NOTHING", id, h, field, val) > 0 {
			return true
		}
	}
	// A large value, or a small one over a large one.
	var ref int64
	exists := false
	st := tx.bind("SELECT coalesce(ref, 0) FROM hashes WHERE id=? AND h=? AND field=?", id, h, field)
	if tx.step(st) {
		exists, ref = true, st.ColumnInt64(0)
		done(st)
	}
	switch {
	case !bigString(field, val):
		tx.dropBig(ref)
		tx.exec("UPDATE hashes SET val=?, ref=NULL WHERE id=? AND h=? AND field=?", val, id, h, field)
	case ref != 0:
		tx.setBig(ref, val)
	case exists:
		tx.exec("UPDATE hashes SET val=x'', ref=? WHERE id=? AND h=? AND field=?", tx.newBig(val), id, h, field)
	default:
		tx.hInsert(id, field, val)
	}
	return !exists
}

// hInsert adds field, known to be absent, with val to the hash with id.
func (tx *Tx) hInsert(id int64, field, val []byte) {
	if !bigString(field, val) {
		tx.exec("INSERT INTO hashes(id, h, field, val) VALUES(?,?,?,?)", id, keyHash(field), field, val)
		return
	}
	tx.exec("INSERT INTO hashes(id, h, field, val, ref) VALUES(?,?,?,x'',?)", id, keyHash(field), field, tx.newBig(val))
}

// hDel removes field from the hash with id and reports whether it was there.
func (tx *Tx) hDel(id int64, field []byte) bool {
	st := tx.bind("DELETE FROM hashes WHERE id=? AND h=? AND field=? RETURNING coalesce(ref, 0)", id, keyHash(field), field)
	if !tx.step(st) {
		return false
	}
	ref := st.ColumnInt64(0)
	for tx.step(st) {
	}
	tx.changed = true
	tx.changes++
	if ref != 0 {
		tx.dropBig(ref)
	}
	return true
}

// dropHashValues deletes the strs rows of the large values of hash id.
func (tx *Tx) dropHashValues(id int64) {
	tx.exec("DELETE FROM strs WHERE id IN (SELECT ref FROM hashes WHERE id=? AND ref IS NOT NULL)", id)
}

// HSet sets field/value pairs (fields at even indexes) in the hash at key,
// creating it, and returns how many fields were new (HSET, HMSET).
func (tx *Tx) HSet(key []byte, pairs [][]byte) (int64, error) {
	m, ok, err := tx.lookupType(key, TypeHash)
	if err != nil {
		return 0, err
	}
	if !ok {
		m = tx.createCollection(key, TypeHash)
	}
	var added int64
	for i := 0; i+1 < len(pairs); i += 2 {
		if tx.hPut(m.ID, pairs[i], pairs[i+1]) {
			added++
		}
	}
	if added > 0 {
		m.N += added
		tx.saveMeta(key, m)
	}
	return added, nil
}

// HSetNX sets field only if it does not exist and reports whether it did (HSETNX).
func (tx *Tx) HSetNX(key, field, val []byte) (bool, error) {
	m, ok, err := tx.lookupType(key, TypeHash)
	if err != nil {
		return false, err
	}
	if ok {
		if _, exists := tx.hGet(m.ID, field); exists {
			return false, nil
		}
	} else {
		m = tx.createCollection(key, TypeHash)
	}
	tx.hInsert(m.ID, field, val)
	m.N++
	tx.saveMeta(key, m)
	return true, nil
}

// HGet returns the value of field in the hash at key (HGET).
func (tx *Tx) HGet(key, field []byte) ([]byte, bool, error) {
	m, ok, err := tx.lookupType(key, TypeHash)
	if err != nil || !ok {
		return nil, false, err
	}
	v, found := tx.hGet(m.ID, field)
	return v, found, nil
}

// HMGet returns the values of fields in the hash at key (HMGET); a missing
// field's value is nil, a present one never is.
func (tx *Tx) HMGet(key []byte, fields [][]byte) ([][]byte, error) {
	m, ok, err := tx.lookupType(key, TypeHash)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(fields))
	if ok {
		for i, f := range fields {
			out[i], _ = tx.hGet(m.ID, f)
		}
	}
	return out, nil
}

// HDel removes fields from the hash at key and returns how many existed;
// an emptied hash is deleted (HDEL).
func (tx *Tx) HDel(key []byte, fields [][]byte) (int64, error) {
	m, ok, err := tx.lookupType(key, TypeHash)
	if err != nil || !ok {
		return 0, err
	}
	var removed int64
	for _, f := range fields {
		if tx.hDel(m.ID, f) {
			removed++
		}
	}
	if removed > 0 {
		m.N -= removed
		tx.saveMeta(key, m)
	}
	return removed, nil
}

// HExists reports whether field is in the hash at key (HEXISTS).
func (tx *Tx) HExists(key, field []byte) (bool, error) {
	m, ok, err := tx.lookupType(key, TypeHash)
	if err != nil || !ok {
		return false, err
	}
	st := tx.bind("SELECT 1 FROM hashes WHERE id=? AND h=? AND field=?", m.ID, keyHash(field), field)
	if !tx.step(st) {
		return false, nil
	}
	done(st)
	return true, nil
}

// HLen is the number of fields of the hash at key (HLEN).
func (tx *Tx) HLen(key []byte) (int64, error) {
	m, _, err := tx.lookupType(key, TypeHash)
	return m.N, err
}

// HStrLen is the length of the value of field, 0 when missing (HSTRLEN).
func (tx *Tx) HStrLen(key, field []byte) (int64, error) {
	m, ok, err := tx.lookupType(key, TypeHash)
	if err != nil || !ok {
		return 0, err
	}
	st := tx.bind("SELECT length(CAST("+hashVal+" AS BLOB)) FROM hashes WHERE id=? AND h=? AND field=?", m.ID, keyHash(field), field)
	if !tx.step(st) {
		return 0, nil
	}
	n := st.ColumnInt64(0)
	done(st)
	return n, nil
}

// HGetAll returns every field and its value, in hash order (HGETALL, HKEYS, HVALS).
func (tx *Tx) HGetAll(key []byte) (fields, vals [][]byte, err error) {
	m, ok, err := tx.lookupType(key, TypeHash)
	if err != nil || !ok {
		return nil, nil, err
	}
	rows := tx.allRows(&hashTable, m.ID)
	fields, vals = make([][]byte, len(rows)), make([][]byte, len(rows))
	for i, r := range rows {
		fields[i], vals[i] = r.key, r.val
	}
	return fields, vals, nil
}

// HIncrBy adds by to the integer value of field, 0 when missing, and
// returns the result (HINCRBY). ErrNotInteger: the value is not an
// integer; ErrOverflow: the result would not fit in 64 bits.
func (tx *Tx) HIncrBy(key, field []byte, by int64) (int64, error) {
	m, ok, err := tx.lookupType(key, TypeHash)
	if err != nil {
		return 0, err
	}
	var n int64
	var exists bool
	if ok {
		var v []byte
		if v, exists = tx.hGet(m.ID, field); exists {
			if n, err = ParseInt(v); err != nil {
				return 0, ErrNotInteger
			}
		}
	}
	if (by < 0 && n < 0 && by < math.MinInt64-n) || (by > 0 && n > 0 && by > math.MaxInt64-n) {
		return 0, ErrOverflow
	}
	n += by
	tx.hashIncrSave(key, m, ok, exists, field, strconv.AppendInt(nil, n, 10))
	return n, nil
}

// HIncrByFloat adds by (a long double, parsed like INCRBYFLOAT) to the
// value of field, 0 when missing, and returns the stored result formatted
// like Redis (HINCRBYFLOAT). ErrNotFloat: the value is not a number;
// ErrNaNOrInf: the value or the result is infinite.
func (tx *Tx) HIncrByFloat(key, field []byte, by string) (string, error) {
	incr, ok := ParseLongDouble(by)
	if !ok {
		return "", ErrNotFloat
	}
	m, ok, err := tx.lookupType(key, TypeHash)
	if err != nil {
		return "", err
	}
	cur := new(big.Float).SetPrec(64)
	var exists bool
	if ok {
		var v []byte
		if v, exists = tx.hGet(m.ID, field); exists {
			var valid bool
			if cur, valid = ParseLongDouble(string(v)); !valid {
				return "", ErrNotFloat
			}
		}
	}
	if incr.IsInf() || cur.IsInf() {
		return "", ErrNaNOrInf
	}
	sum := new(big.Float).SetPrec(64).Add(cur, incr)
	// A long double overflows at 2^16384.
	if sum.Sign() != 0 && sum.MantExp(nil) > 16384 {
		return "", ErrNaNOrInf
	}
	s := FormatLongDouble(sum)
	tx.hashIncrSave(key, m, ok, exists, field, []byte(s))
	return s, nil
}

// hashIncrSave stores the result of HINCRBY/HINCRBYFLOAT, creating the
// hash or the field as needed.
func (tx *Tx) hashIncrSave(key []byte, m Meta, keyExists, fieldExists bool, field, val []byte) {
	if !keyExists {
		m = tx.createCollection(key, TypeHash)
	}
	tx.hPut(m.ID, field, val)
	if fieldExists {
		return
	}
	m.N++
	tx.saveMeta(key, m)
}

// HRandField returns random fields of the hash at key with their values
// (HRANDFIELD): count > 0 gives distinct fields (at most the hash's size),
// count < 0 gives -count fields that may repeat, 0 none.
func (tx *Tx) HRandField(key []byte, count int64) (fields, vals [][]byte, err error) {
	m, ok, err := tx.lookupType(key, TypeHash)
	if err != nil || !ok || count == 0 {
		return nil, nil, err
	}
	var rows []memberRow
	if count < 0 {
		rows = tx.randomRows(&hashTable, m, -count, false)
	} else {
		rows = tx.randomRows(&hashTable, m, count, true)
	}
	fields, vals = make([][]byte, len(rows)), make([][]byte, len(rows))
	for i, r := range rows {
		fields[i], vals[i] = r.key, r.val
	}
	return fields, vals, nil
}

// HScan returns a page of the hash at key from cursor (a field hash): about
// count fields looked at, those whose field matches keep, with their values,
// and the next cursor, 0 when done (HSCAN).
func (tx *Tx) HScan(key []byte, cursor, count int64, keep func([]byte) bool) (fields, vals [][]byte, next int64, err error) {
	m, ok, err := tx.lookupType(key, TypeHash)
	if err != nil || !ok {
		return nil, nil, 0, err
	}
	rows, next := tx.scanRows(&hashTable, m, cursor, count, keep)
	fields, vals = make([][]byte, len(rows)), make([][]byte, len(rows))
	for i, r := range rows {
		fields[i], vals[i] = r.key, r.val
	}
	return fields, vals, next, nil
}

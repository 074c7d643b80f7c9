package engine

import (
	"bytes"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// MaxStringSize is Redis's proto-max-bulk-len limit on a string value.
const MaxStringSize = 512 * 1024 * 1024

// getString returns a string key's value. In a write transaction the
// value is the caller's to change.
func (tx *Tx) getString(key []byte) ([]byte, bool, error) {
	if e, ok := tx.state(tx.DB, key); ok && (e.absent || e.m.Type != TypeString || e.hasVal) {
		if !tx.write {
			tx.s.CacheHits.Add(1)
		}
		tx.stat(!e.absent)
		switch {
		case e.absent:
			return nil, false, nil
		case e.m.Type != TypeString:
			return nil, true, ErrWrongType
		case tx.write:
			return bytes.Clone(e.val), true, nil
		}
		return e.val, true, nil
	}
	if tx.cacheOK {
		tx.s.CacheMisses.Add(1)
	}
	st := tx.bind("SELECT type, exp, val, id FROM keys WHERE db=? AND h=? AND key=?", tx.DB, keyHash(key), key)
	if !tx.step(st) {
		tx.stat(false)
		tx.learned(tx.DB, key, centry{absent: true})
		return nil, false, nil
	}
	t, exp := Type(st.ColumnInt64(0)), st.ColumnInt64(1)
	if exp != 0 && exp <= tx.Now {
		tx.stat(false)
		done(st)
		if tx.write {
			tx.lookup(key) // deletes it
		}
		return nil, false, nil
	}
	tx.stat(true)
	if t != TypeString {
		done(st)
		return nil, true, ErrWrongType
	}
	v, id := blob(st, 2), st.ColumnInt64(3)
	done(st)
	if id != 0 {
		v = tx.bigValue(id)
	}
	e := centry{m: Meta{Type: TypeString, Exp: exp, ID: id}}
	if len(v) <= maxEntryVal {
		e.val, e.hasVal = v, true
	}
	tx.learned(tx.DB, key, e)
	if tx.write {
		return bytes.Clone(v), true, nil
	}
	return v, true, nil
}

// bigStringAt is the size of key plus value above which a string's value
// is stored in strs: below it, a keys row stays within what a 4 KB page of
// a WITHOUT ROWID table keeps in the page (~1,000 bytes of payload).
const bigStringAt = 900

// bigString reports whether val, stored at key, goes to strs.
func bigString(key, val []byte) bool { return len(key)+len(val) > bigStringAt }

// The strs table is written only through newBig, setBig and dropBig, and
// read through bigValue (and the SQL of hashVal, itemIs and StrLen).

// newBig stores val in a new strs row and returns its id.
func (tx *Tx) newBig(val []byte) int64 {
	id := tx.newID()
	tx.exec("INSERT INTO strs(id, val) VALUES(?,?)", id, val)
	return id
}

// setBig replaces the value of strs row id (writing the row if it is gone).
func (tx *Tx) setBig(id int64, val []byte) {
	if tx.execN("UPDATE strs SET val=? WHERE id=?", val, id) == 0 {
		tx.exec("INSERT INTO strs(id, val) VALUES(?,?)", id, val)
	}
}

// dropBig deletes strs row id.
func (tx *Tx) dropBig(id int64) { tx.exec("DELETE FROM strs WHERE id=?", id) }

// bigValue reads a string value, list item or hash value stored in strs.
// It may run while another statement is being stepped (a list read): its
// own statement is a different one.
func (tx *Tx) bigValue(id int64) []byte {
	st := tx.bind("SELECT val FROM strs WHERE id=?", id)
	if !tx.step(st) {
		panic(&Internal{fmt.Errorf("value %d missing from strs", id)})
	}
	v := blob(st, 0)
	done(st)
	return v
}

// Get returns the string value at key (GET).
func (tx *Tx) Get(key []byte) ([]byte, bool, error) { return tx.getString(key) }

// putString stores a string at key with expiry exp (unix ms, 0 = none),
// replacing whatever the key held. An exp already in the past deletes the key.
func (tx *Tx) putString(key, val []byte, exp int64, old Meta, existed bool) {
	if existed && old.Type != TypeString {
		tx.dropMembers(old)
	}
	if exp != 0 && exp <= tx.Now {
		if existed {
			tx.removeIn(tx.DB, key, old)
		}
		return
	}
	var expArg any
	if exp != 0 {
		expArg = exp
	}
	// A large value lives in strs (bigString), the keys row pointing at it
	// by id; a small one in the keys row.
	var id int64
	oldID := int64(0)
	if existed && old.Type == TypeString {
		oldID = old.ID
	}
	switch {
	case bigString(key, val) && oldID != 0:
		id = oldID
		tx.setBig(id, val)
	case bigString(key, val):
		id = tx.newBig(val)
	case oldID != 0:
		tx.dropBig(oldID)
	}
	var idArg, valArg any = nil, val
	if id != 0 {
		idArg, valArg = id, nil
	}
	// A key known to exist is updated in place: one seek, where the UPSERT
	// probes for the conflict and then seeks again. Should the row be gone
	// all the same, the UPSERT below writes it.
	h := keyHash(key)
	switch {
	case existed && old.Type == TypeString && old.Exp == 0 && exp == 0 && oldID == 0 && id == 0:
		// Only the value changes: the expiry index is not involved.
		tx.exec(`UPDATE keys SET val=? WHERE db=? AND h=? AND key=?`, val, tx.DB, h, key)
	case existed && old.Type == TypeString:
		tx.exec(`UPDATE keys SET exp=?, val=?, id=? WHERE db=? AND h=? AND key=?`, expArg, valArg, idArg, tx.DB, h, key)
	case existed:
		tx.exec(`UPDATE keys SET type=0, exp=?, val=?, id=?, n=NULL, lo=NULL, hi=NULL WHERE db=? AND h=? AND key=?`,
			expArg, valArg, idArg, tx.DB, h, key)
	}
	if !existed || tx.c.c.Changes() == 0 {
		tx.exec(`INSERT INTO keys(db, h, key, type, exp, val, id) VALUES(?,?,?,0,?,?,?)
			ON CONFLICT DO UPDATE SET type=0, exp=excluded.exp, val=excluded.val, id=excluded.id, n=NULL, lo=NULL, hi=NULL`,
			tx.DB, h, key, expArg, valArg, idArg)
	}
	e := centry{m: Meta{Type: TypeString, Exp: exp, ID: id}}
	if len(val) <= maxEntryVal {
		e.val, e.hasVal = bytes.Clone(val), true
	}
	tx.wrote(tx.DB, key, e, false)
	var dk, de int64
	if !existed {
		dk = 1
	}
	if existed && old.Exp != 0 {
		de--
	}
	if exp != 0 {
		de++
	}
	tx.delta(tx.DB, dk, de)
}

// SetArgs are SET's options. Exp is absolute unix ms (0: none).
type SetArgs struct {
	NX, XX, Get, KeepTTL bool
	Exp                  int64
}

// Set implements SET: it returns the old value when a.Get, and whether the
// value was written (false when NX/XX prevented it).
func (tx *Tx) Set(key, val []byte, a SetArgs) (old []byte, hadOld, written bool, err error) {
	if a.Get {
		old, hadOld, err = tx.getString(key)
		if err != nil {
			return nil, false, false, err
		}
	}
	m, exists := tx.lookup(key)
	if (a.NX && exists) || (a.XX && !exists) {
		return old, hadOld, false, nil
	}
	exp := a.Exp
	if a.KeepTTL && exists {
		exp = m.Exp
	}
	tx.putString(key, val, exp, m, exists)
	return old, hadOld, true, nil
}

// SetString stores val at key with expiry exp (0: none), replacing any value (MSET, SETEX…).
func (tx *Tx) SetString(key, val []byte, exp int64) {
	m, ok := tx.lookup(key)
	tx.putString(key, val, exp, m, ok)
}

// updateString rewrites a string value keeping its expiry.
func (tx *Tx) updateString(key, val []byte) {
	m, ok := tx.lookup(key)
	tx.putString(key, val, m.Exp, m, ok)
}

// GetDel returns a string's value and deletes the key.
func (tx *Tx) GetDel(key []byte) ([]byte, bool, error) {
	v, ok, err := tx.getString(key)
	if ok && err == nil {
		m, _ := tx.lookup(key)
		tx.removeIn(tx.DB, key, m)
	}
	return v, ok, err
}

// GetEx returns a string's value and changes its expiry when setExp
// (exp 0 = PERSIST; a past exp deletes the key).
func (tx *Tx) GetEx(key []byte, setExp bool, exp int64) ([]byte, bool, error) {
	v, ok, err := tx.getString(key)
	if !ok || err != nil || !setExp {
		return v, ok, err
	}
	m, _ := tx.lookup(key)
	tx.setExpire(key, m, exp)
	return v, ok, nil
}

// IncrBy adds by to the integer at key (INCR, DECR, INCRBY, DECRBY).
func (tx *Tx) IncrBy(key []byte, by int64) (int64, error) {
	v, ok, err := tx.getString(key)
	if err != nil {
		return 0, err
	}
	var n int64
	if ok {
		var perr error
		n, perr = ParseInt(v)
		if perr != nil {
			return 0, ErrNotInteger
		}
	}
	if (by < 0 && n < 0 && by < math.MinInt64-n) || (by > 0 && n > 0 && by > math.MaxInt64-n) {
		return 0, ErrOverflow
	}
	n += by
	tx.updateString(key, strconv.AppendInt(nil, n, 10))
	return n, nil
}

// IncrByFloat adds by to the number at key with long double precision and
// returns the new value formatted like Redis.
func (tx *Tx) IncrByFloat(key []byte, by string) (string, error) {
	incr, ok := ParseLongDouble(by)
	if !ok {
		return "", ErrNotFloat
	}
	v, exists, err := tx.getString(key)
	if err != nil {
		return "", err
	}
	cur := new(big.Float).SetPrec(64)
	if exists {
		var ok bool
		if cur, ok = ParseLongDouble(string(v)); !ok {
			return "", ErrNotFloat
		}
	}
	if incr.IsInf() || cur.IsInf() {
		return "", ErrNaNOrInf
	}
	sum := new(big.Float).SetPrec(64).Add(cur, incr)
	if f, _ := sum.Float64(); math.IsInf(f, 0) && sum.MantExp(nil) > 16384 {
		return "", ErrNaNOrInf
	}
	s := FormatLongDouble(sum)
	tx.updateString(key, []byte(s))
	return s, nil
}

// ParseLongDouble parses s like strtold for INCRBYFLOAT: a decimal or
// exponent number, inf or -inf; no spaces, no NaN, nothing trailing.
func ParseLongDouble(s string) (*big.Float, bool) {
	if s == "" || len(s) >= 5*1024 || strings.ContainsAny(s[:1], " \t\r\n\v\f") || strings.ContainsAny(s[len(s)-1:], " \t\r\n\v\f") {
		return nil, false
	}
	body := s
	if body[0] == '+' || body[0] == '-' {
		body = body[1:]
	}
	low := strings.ToLower(body)
	if low == "inf" || low == "infinity" {
		f := new(big.Float).SetPrec(64).SetInf(s[0] == '-')
		return f, true
	}
	if low == "" || strings.Contains(low, "nan") || strings.Contains(low, "_") || low[0] == '+' || low[0] == '-' {
		return nil, false
	}
	if strings.HasPrefix(low, "0x") {
		// strtold reads hexadecimal too.
		f, _, err := new(big.Float).SetPrec(64).Parse(s, 0)
		if err != nil {
			return nil, false
		}
		return f, inLongDoubleRange(f)
	}
	f, _, err := new(big.Float).SetPrec(64).SetMode(big.ToNearestEven).Parse(s, 10)
	if err != nil {
		return nil, false
	}
	return f, inLongDoubleRange(f)
}

// inLongDoubleRange reports whether strtold would read f without ERANGE:
// within the x87 long double's normal range (or zero).
func inLongDoubleRange(f *big.Float) bool {
	exp := f.MantExp(nil)
	return f.Sign() == 0 || (exp <= 16384 && exp >= -16444)
}

// FormatLongDouble formats like Redis's ld2string(LD_STR_HUMAN): %.17Lf
// with trailing zeros (and a trailing dot) removed.
func FormatLongDouble(f *big.Float) string {
	s := f.Text('f', 17)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// ParseInt parses a Redis integer argument (string2ll): optional '-', digits,
// no leading zeros or '+', within int64.
func ParseInt(b []byte) (int64, error) {
	if len(b) == 0 || len(b) > 20 {
		return 0, ErrNotInteger
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, nil
	}
	i := 0
	if b[0] == '-' {
		i = 1
		if len(b) == 1 {
			return 0, ErrNotInteger
		}
	}
	if b[i] < '1' || b[i] > '9' {
		return 0, ErrNotInteger
	}
	var u uint64
	for ; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, ErrNotInteger
		}
		if u > (math.MaxUint64-9)/10 {
			return 0, ErrNotInteger
		}
		u = u*10 + uint64(c-'0')
	}
	if b[0] == '-' {
		if u > 1<<63 {
			return 0, ErrNotInteger
		}
		return -int64(u), nil
	}
	if u > math.MaxInt64 {
		return 0, ErrNotInteger
	}
	return int64(u), nil
}

// Append appends val to the string at key and returns the new length.
func (tx *Tx) Append(key, val []byte) (int64, error) {
	v, _, err := tx.getString(key)
	if err != nil {
		return 0, err
	}
	if len(v)+len(val) > MaxStringSize {
		return 0, ErrStringTooLong
	}
	nv := append(v, val...)
	tx.updateString(key, nv)
	return int64(len(nv)), nil
}

// SetRange overwrites part of the string at key starting at off, padding
// with zero bytes, and returns the new length.
func (tx *Tx) SetRange(key []byte, off int64, val []byte) (int64, error) {
	v, ok, err := tx.getString(key)
	if err != nil {
		return 0, err
	}
	if len(val) == 0 {
		return int64(len(v)), nil
	}
	if off > MaxStringSize-int64(len(val)) {
		return 0, ErrStringTooLong
	}
	_ = ok
	if need := int(off) + len(val); need > len(v) {
		nv := make([]byte, need)
		copy(nv, v)
		v = nv
	}
	copy(v[off:], val)
	tx.updateString(key, v)
	return int64(len(v)), nil
}

// StrLen is the length of the string at key.
func (tx *Tx) StrLen(key []byte) (int64, error) {
	st := tx.bind(`SELECT type, exp, coalesce(length(val), (SELECT length(val) FROM strs WHERE strs.id = keys.id))
		FROM keys WHERE db=? AND h=? AND key=?`, tx.DB, keyHash(key), key)
	if !tx.step(st) {
		return 0, nil
	}
	t, exp, n := Type(st.ColumnInt64(0)), st.ColumnInt64(1), st.ColumnInt64(2)
	done(st)
	if exp != 0 && exp <= tx.Now {
		return 0, nil
	}
	if t != TypeString {
		return 0, ErrWrongType
	}
	return n, nil
}

// GetRange returns the substring of the value at key between start and end
// (inclusive, negative from the end), clamped like Redis.
func (tx *Tx) GetRange(key []byte, start, end int64) ([]byte, error) {
	v, _, err := tx.getString(key)
	if err != nil {
		return nil, err
	}
	n := int64(len(v))
	if start < 0 && end < 0 && start > end {
		return []byte{}, nil
	}
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	if start < 0 {
		start = 0
	}
	if end < 0 {
		end = 0
	}
	if end >= n {
		end = n - 1
	}
	if n == 0 || start > end {
		return []byte{}, nil
	}
	return v[start : end+1], nil
}

package engine

import (
	"fmt"

	"github.com/ncruces/go-sqlite3"
)

// Lists keep their items at consecutive positions lo..hi in the lists table:
// a push at either end writes one row at lo-1 or hi+1, and an index is
// one primary-key lookup at lo+i. An item over bigItemAt bytes is kept in
// strs, its row holding an empty val and the strs id in ref (see
// bigStringAt for why).

// bigItemAt is the size above which a list item is stored in strs.
const bigItemAt = bigStringAt

// putItem inserts item v at position pos of list id.
func (tx *Tx) putItem(id, pos int64, v []byte) {
	if len(v) <= bigItemAt {
		tx.exec("INSERT INTO lists(id, pos, val) VALUES(?,?,?)", id, pos, v)
		return
	}
	tx.exec("INSERT INTO lists(id, pos, val, ref) VALUES(?,?,x'',?)", id, pos, tx.newBig(v))
}

// itemCols are the columns readItem reads, in this order.
const itemCols = "val, ref"

// readItem returns the item of the current row of a statement selecting
// itemCols at column i, and its strs id (0 when inline).
func (tx *Tx) readItem(st *sqlite3.Stmt, i int) ([]byte, int64) {
	ref := st.ColumnInt64(i + 1)
	if ref == 0 {
		return blob(st, i), 0
	}
	return tx.bigValue(ref), ref
}

// dropItems deletes the strs rows of the big items of list id matching
// where (SQL over lists, with args after id).
func (tx *Tx) dropItems(id int64, where string, args ...any) {
	tx.exec("DELETE FROM strs WHERE id IN (SELECT ref FROM lists WHERE id=? AND ref IS NOT NULL"+where+")", append([]any{id}, args...)...)
}

// itemIs is the SQL condition "this row's item equals ?N".
func itemIs(n int) string {
	return fmt.Sprintf("((ref IS NULL AND val=?%d) OR (ref IS NOT NULL AND (SELECT s.val FROM strs s WHERE s.id=lists.ref)=?%d))", n, n)
}

// Push adds vals at the head (left) or tail of the list at key, one after
// the other like LPUSH/RPUSH, and returns the new length. With onlyExisting
// (LPUSHX/RPUSHX) a missing key is left alone and 0 returned.
func (tx *Tx) Push(key []byte, vals [][]byte, left, onlyExisting bool) (int64, error) {
	m, ok, err := tx.lookupType(key, TypeList)
	if err != nil {
		return 0, err
	}
	if !ok {
		if onlyExisting {
			return 0, nil
		}
		m = tx.createCollection(key, TypeList)
	}
	for _, v := range vals {
		var pos int64
		if left {
			m.Lo--
			pos = m.Lo
		} else {
			m.Hi++
			pos = m.Hi
		}
		tx.putItem(m.ID, pos, v)
		m.N++
	}
	tx.saveMeta(key, m)
	return m.N, nil
}

// Pop removes and returns up to count items from the head (left) or tail.
func (tx *Tx) Pop(key []byte, count int64, left bool) ([][]byte, error) {
	m, ok, err := tx.lookupType(key, TypeList)
	if err != nil || !ok {
		return nil, err
	}
	count = min(count, m.N)
	var st = tx.bind("SELECT "+itemCols+" FROM lists WHERE id=? AND pos BETWEEN ? AND ? ORDER BY pos DESC", m.ID, m.Hi-count+1, m.Hi)
	if left {
		st = tx.bind("SELECT "+itemCols+" FROM lists WHERE id=? AND pos BETWEEN ? AND ? ORDER BY pos", m.ID, m.Lo, m.Lo+count-1)
	}
	out := make([][]byte, 0, count)
	var refs []int64
	for tx.step(st) {
		v, ref := tx.readItem(st, 0)
		out = append(out, v)
		if ref != 0 {
			refs = append(refs, ref)
		}
	}
	for _, ref := range refs {
		tx.dropBig(ref)
	}
	if left {
		tx.exec("DELETE FROM lists WHERE id=? AND pos BETWEEN ? AND ?", m.ID, m.Lo, m.Lo+count-1)
		m.Lo += count
	} else {
		tx.exec("DELETE FROM lists WHERE id=? AND pos BETWEEN ? AND ?", m.ID, m.Hi-count+1, m.Hi)
		m.Hi -= count
	}
	m.N -= count
	tx.saveMeta(key, m)
	return out, nil
}

// LLen is the length of the list at key.
func (tx *Tx) LLen(key []byte) (int64, error) {
	m, _, err := tx.lookupList(key)
	return m.N, err
}

// normRange turns Redis start/stop indexes (negative from the end) into a
// clamped [start, stop] over n items; ok is false for an empty range.
func normRange(start, stop, n int64) (int64, int64, bool) {
	if start < 0 {
		start += n
	}
	if stop < 0 {
		stop += n
	}
	if start < 0 {
		start = 0
	}
	if start > stop || start >= n {
		return 0, 0, false
	}
	if stop >= n {
		stop = n - 1
	}
	return start, stop, true
}

// lookupList is lookupType(key, TypeList) for readers that take the
// list's items from listRows: a single-key read may then answer from the
// key cache.
func (tx *Tx) lookupList(key []byte) (Meta, bool, error) {
	tx.listOK = true
	defer func() { tx.listOK = false }()
	return tx.lookupType(key, TypeList)
}

// listRows returns the items at indexes a..b of list m (0 <= a <= b < m.N):
// from the key cache when the lookup found them there, else from the table.
// A single-key read near the head of a list reads its first maxListCache
// items, for the cache (redis-benchmark's LRANGE_100..600 read a list of
// 100,000 from the head).
func (tx *Tx) listRows(key []byte, m Meta, a, b int64) [][]byte {
	if tx.items != nil && tx.itemsID == m.ID && b < int64(len(tx.items)) {
		return tx.items[a : b+1 : b+1]
	}
	fill := tx.cacheOK && !tx.write && b < maxListCache
	lo, hi := m.Lo+a, m.Lo+b
	if fill {
		lo, hi = m.Lo, min(m.Hi, m.Lo+maxListCache-1)
	}
	out := make([][]byte, 0, hi-lo+1)
	st := tx.bind("SELECT "+itemCols+" FROM lists WHERE id=? AND pos BETWEEN ? AND ? ORDER BY pos", m.ID, lo, hi)
	for tx.step(st) {
		v, _ := tx.readItem(st, 0)
		out = append(out, v)
	}
	if !fill {
		return out
	}
	if int64(len(out)) == hi-lo+1 {
		tx.learned(tx.DB, key, centry{m: m, items: out})
	}
	return out[a : b+1 : b+1]
}

// LRange returns the items between start and stop (inclusive).
func (tx *Tx) LRange(key []byte, start, stop int64) ([][]byte, error) {
	m, ok, err := tx.lookupList(key)
	if err != nil || !ok {
		return [][]byte{}, err
	}
	a, b, ok := normRange(start, stop, m.N)
	if !ok {
		return [][]byte{}, nil
	}
	return tx.listRows(key, m, a, b), nil
}

// LIndex returns the item at index (negative from the end).
func (tx *Tx) LIndex(key []byte, index int64) ([]byte, bool, error) {
	m, ok, err := tx.lookupList(key)
	if err != nil || !ok {
		return nil, false, err
	}
	if index < 0 {
		index += m.N
	}
	if index < 0 || index >= m.N {
		return nil, false, nil
	}
	if tx.items != nil && tx.itemsID == m.ID && index < int64(len(tx.items)) {
		return tx.items[index], true, nil
	}
	st := tx.bind("SELECT "+itemCols+" FROM lists WHERE id=? AND pos=?", m.ID, m.Lo+index)
	if !tx.step(st) {
		return nil, false, nil
	}
	v, _ := tx.readItem(st, 0)
	done(st)
	return v, true, nil
}

// shiftOffset moves rows out of the way while positions are renumbered, so
// that primary-key updates never collide.
const shiftOffset = int64(1) << 52

// shift adds by to the positions lo..hi of list id.
func (tx *Tx) shift(id, lo, hi, by int64) {
	if lo > hi || by == 0 {
		return
	}
	tx.exec("UPDATE lists SET pos = pos + ? WHERE id=? AND pos BETWEEN ? AND ?", shiftOffset+by, id, lo, hi)
	tx.exec("UPDATE lists SET pos = pos - ? WHERE id=? AND pos BETWEEN ? AND ?", shiftOffset, id, lo+shiftOffset+by, hi+shiftOffset+by)
}

// LSet replaces the item at index.
func (tx *Tx) LSet(key []byte, index int64, val []byte) error {
	m, ok, err := tx.lookupType(key, TypeList)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNoSuchKey
	}
	if index < 0 {
		index += m.N
	}
	if index < 0 || index >= m.N {
		return ErrIndexOutOfRange
	}
	tx.dropItems(m.ID, " AND pos=?", m.Lo+index)
	tx.exec("DELETE FROM lists WHERE id=? AND pos=?", m.ID, m.Lo+index)
	tx.putItem(m.ID, m.Lo+index, val)
	tx.saveMeta(key, m) // the items changed: the key's cached state goes
	return nil
}

// LInsert inserts val before or after the first item equal to pivot and
// returns the new length, -1 when pivot is absent, 0 when key is.
func (tx *Tx) LInsert(key []byte, before bool, pivot, val []byte) (int64, error) {
	m, ok, err := tx.lookupType(key, TypeList)
	if err != nil || !ok {
		return 0, err
	}
	st := tx.bind("SELECT pos FROM lists WHERE id=?1 AND "+itemIs(2)+" ORDER BY pos LIMIT 1", m.ID, pivot)
	if !tx.step(st) {
		return -1, nil
	}
	p := st.ColumnInt64(0)
	done(st)
	if !before {
		p++
	}
	// Make room at p by moving the shorter side outwards.
	if p-m.Lo < m.Hi+1-p {
		tx.shift(m.ID, m.Lo, p-1, -1)
		m.Lo--
		p--
	} else {
		tx.shift(m.ID, p, m.Hi, 1)
		m.Hi++
	}
	tx.putItem(m.ID, p, val)
	m.N++
	tx.saveMeta(key, m)
	return m.N, nil
}

// LRem removes up to |count| items equal to val (all when count is 0),
// from the head when count >= 0, from the tail otherwise.
func (tx *Tx) LRem(key []byte, count int64, val []byte) (int64, error) {
	m, ok, err := tx.lookupType(key, TypeList)
	if err != nil || !ok {
		return 0, err
	}
	limit := count
	if limit < 0 {
		limit = -limit
	}
	if limit == 0 {
		limit = m.N
	}
	q := "SELECT pos FROM lists WHERE id=?1 AND " + itemIs(2) + " ORDER BY pos LIMIT ?3"
	if count < 0 {
		q = "SELECT pos FROM lists WHERE id=?1 AND " + itemIs(2) + " ORDER BY pos DESC LIMIT ?3"
	}
	var gone []int64
	st := tx.bind(q, m.ID, val, limit)
	for tx.step(st) {
		gone = append(gone, st.ColumnInt64(0))
	}
	if len(gone) == 0 {
		return 0, nil
	}
	if count < 0 {
		for i, j := 0, len(gone)-1; i < j; i, j = i+1, j-1 {
			gone[i], gone[j] = gone[j], gone[i]
		}
	}
	tx.closeGaps(&m, gone)
	tx.saveMeta(key, m)
	return int64(len(gone)), nil
}

// closeGaps deletes the items at the ascending positions gone and moves the
// items after each gap down so positions stay consecutive.
func (tx *Tx) closeGaps(m *Meta, gone []int64) {
	for _, p := range gone {
		tx.dropItems(m.ID, " AND pos=?", p)
		tx.exec("DELETE FROM lists WHERE id=? AND pos=?", m.ID, p)
	}
	for j, p := range gone {
		end := m.Hi
		if j+1 < len(gone) {
			end = gone[j+1] - 1
		}
		// Items in (p, end] move down by j+1.
		if p+1 <= end {
			tx.exec("UPDATE lists SET pos = pos + ? WHERE id=? AND pos BETWEEN ? AND ?", shiftOffset-int64(j+1), m.ID, p+1, end)
		}
	}
	tx.exec("UPDATE lists SET pos = pos - ? WHERE id=? AND pos >= ?", shiftOffset, m.ID, shiftOffset/2)
	m.N -= int64(len(gone))
	m.Hi -= int64(len(gone))
}

// LTrim keeps only the items between start and stop.
func (tx *Tx) LTrim(key []byte, start, stop int64) error {
	m, ok, err := tx.lookupType(key, TypeList)
	if err != nil || !ok {
		return err
	}
	a, b, ok := normRange(start, stop, m.N)
	if !ok {
		m.N = 0
		tx.saveMeta(key, m)
		return nil
	}
	tx.dropItems(m.ID, " AND (pos < ? OR pos > ?)", m.Lo+a, m.Lo+b)
	tx.exec("DELETE FROM lists WHERE id=? AND pos < ?", m.ID, m.Lo+a)
	tx.exec("DELETE FROM lists WHERE id=? AND pos > ?", m.ID, m.Lo+b)
	m.Lo, m.Hi = m.Lo+a, m.Lo+b
	m.N = b - a + 1
	tx.saveMeta(key, m)
	return nil
}

// LPos returns the indexes of items equal to val: skipping |rank|-1
// matches, from the tail when rank < 0, at most count (0 = all), looking at
// no more than maxlen items (0 = all).
func (tx *Tx) LPos(key, val []byte, rank, count, maxlen int64) ([]int64, error) {
	m, ok, err := tx.lookupType(key, TypeList)
	if err != nil || !ok {
		return nil, err
	}
	lo, hi := m.Lo, m.Hi
	if maxlen > 0 && maxlen < m.N {
		if rank > 0 {
			hi = m.Lo + maxlen - 1
		} else {
			lo = m.Hi - maxlen + 1
		}
	}
	q := "SELECT pos FROM lists WHERE id=?1 AND pos BETWEEN ?2 AND ?3 AND " + itemIs(4) + " ORDER BY pos LIMIT ?5 OFFSET ?6"
	skip := rank - 1
	if rank < 0 {
		q = "SELECT pos FROM lists WHERE id=?1 AND pos BETWEEN ?2 AND ?3 AND " + itemIs(4) + " ORDER BY pos DESC LIMIT ?5 OFFSET ?6"
		skip = -rank - 1
	}
	limit := count
	if limit == 0 {
		limit = -1
	}
	var out []int64
	st := tx.bind(q, m.ID, lo, hi, val, limit, skip)
	for tx.step(st) {
		out = append(out, st.ColumnInt64(0)-m.Lo)
	}
	return out, nil
}

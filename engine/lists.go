package engine

// Lists keep their items at consecutive positions lo..hi in the lists table:
// a push at either end writes one row at lo-1 or hi+1, and an index is
// one primary-key lookup at lo+i.

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
		tx.exec("INSERT INTO lists(id, pos, val) VALUES(?,?,?)", m.ID, pos, v)
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
	var st = tx.bind("SELECT val FROM lists WHERE id=? AND pos BETWEEN ? AND ? ORDER BY pos DESC", m.ID, m.Hi-count+1, m.Hi)
	if left {
		st = tx.bind("SELECT val FROM lists WHERE id=? AND pos BETWEEN ? AND ? ORDER BY pos", m.ID, m.Lo, m.Lo+count-1)
	}
	out := make([][]byte, 0, count)
	for tx.step(st) {
		out = append(out, blob(st, 0))
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
	m, _, err := tx.lookupType(key, TypeList)
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

// LRange returns the items between start and stop (inclusive).
func (tx *Tx) LRange(key []byte, start, stop int64) ([][]byte, error) {
	m, ok, err := tx.lookupType(key, TypeList)
	if err != nil || !ok {
		return [][]byte{}, err
	}
	a, b, ok := normRange(start, stop, m.N)
	if !ok {
		return [][]byte{}, nil
	}
	out := make([][]byte, 0, b-a+1)
	st := tx.bind("SELECT val FROM lists WHERE id=? AND pos BETWEEN ? AND ? ORDER BY pos", m.ID, m.Lo+a, m.Lo+b)
	for tx.step(st) {
		out = append(out, blob(st, 0))
	}
	return out, nil
}

// LIndex returns the item at index (negative from the end).
func (tx *Tx) LIndex(key []byte, index int64) ([]byte, bool, error) {
	m, ok, err := tx.lookupType(key, TypeList)
	if err != nil || !ok {
		return nil, false, err
	}
	if index < 0 {
		index += m.N
	}
	if index < 0 || index >= m.N {
		return nil, false, nil
	}
	st := tx.bind("SELECT val FROM lists WHERE id=? AND pos=?", m.ID, m.Lo+index)
	if !tx.step(st) {
		return nil, false, nil
	}
	v := blob(st, 0)
	done(st)
	return v, true, nil
}

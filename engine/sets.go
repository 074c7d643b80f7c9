package engine

import (
	"bytes"
	"cmp"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/ncruces/go-sqlite3"
)

// Sets keep one row per member in the sets table, keyed by (id, h, member)
// with h = keyHash(member). SADD/SREM/SISMEMBER are one primary-key
// operation each; SPOP/SRANDMEMBER seek a random h and SSCAN pages on h, so
// none of them reads the whole set. Hashes (hashes.go) share the paging and
// sampling code below through memberTable.

// memberRow is one row of a member table: the member's hash, the member
// (a hash's field) and, for hashes, the value.
type memberRow struct {
	h        int64
	key, val []byte
}

// memberTable holds the statements that page and sample a member table.
// Every statement returns h, member, value (NULL for sets) in primary-key
// order, so each one is an index range on (id, h, member).
type memberTable struct {
	all  string // id: every row
	from string // id, h, limit: rows from h on
	rest string // id, h, member: rows of hash h after member
	pick string // id, h: randomSpread rows from h on
	// pickAt[k] (id, h) is the row k rows after the first from h on, if
	// any: SQLite steps over the k rows without computing their columns
	// or returning them one by one, as pick's caller would.
	pickAt []string
}

// newMemberTable is the table whose rows from h on are selected by
// fromH, "SELECT ... WHERE id=? AND h>=? ORDER BY ...".
func newMemberTable(all, fromH, rest string) memberTable {
	t := memberTable{all: all, from: fromH + " LIMIT ?", rest: rest, pick: fromH + " LIMIT " + randomSpreadSQL}
	// A literal OFFSET each: SQLite re-prepares a statement whenever the
	// value bound to its LIMIT or OFFSET changes.
	for k := range randomSpread {
		t.pickAt = append(t.pickAt, fromH+" LIMIT 1 OFFSET "+strconv.Itoa(k))
	}
	return t
}

var setTable = newMemberTable(
	"SELECT h, member, NULL FROM sets WHERE id=? ORDER BY h, member",
	"SELECT h, member, NULL FROM sets WHERE id=? AND h>=? ORDER BY h, member",
	"SELECT h, member, NULL FROM sets WHERE id=? AND h=? AND member>? ORDER BY member",
)

// smallCollection is the size up to which sampling and scanning read the
// whole collection, like Redis's listpack encoding (set-max-listpack-entries,
// hash-max-listpack-entries): exact uniform picks, and SSCAN/HSCAN from
// cursor 0 return everything in one call as Redis does for small values.
const smallCollection = 128

// maxScanHash is the largest member hash; a scan cursor past it is done.
const maxScanHash = 0xFFFFFFFF

// execN runs a write statement and returns the number of rows it changed;
// a statement that changed nothing neither marks the transaction changed
// nor counts in Changes (so WATCH is not triggered by SADD of a present
// member, or SMOVE of a missing one across shards, and the like).
func (tx *Tx) execN(sql string, args ...any) int64 {
	was := tx.changed
	tx.exec(sql, args...)
	n := tx.c.c.Changes()
	if n == 0 {
		tx.changed = was
		tx.changes--
	}
	return n
}

// readRow copies the current row of a memberTable statement.
func readRow(st *sqlite3.Stmt) memberRow {
	r := memberRow{h: st.ColumnInt64(0), key: blob(st, 1)}
	r.val = blob(st, 2)
	return r
}

// allRows reads a whole collection in hash order.
func (tx *Tx) allRows(t *memberTable, id int64) []memberRow {
	var out []memberRow
	st := tx.bind(t.all, id)
	for tx.step(st) {
		out = append(out, readRow(st))
	}
	return out
}

// randomSpread is how many rows after a random hash a pick may land on.
// A member's chance is the width of the hash gaps before it, averaged over
// this many gaps: single gaps vary wildly (some members would be 1000 times
// rarer than average); averaged over 32 gaps, 100,000 picks over 3,000
// members deviate by 0.24 (chance alone: 0.17; 64 gaps: 0.22, 16: 0.30).
// Stepping over the rows is most of a pick's cost: 32 instead of 64 made
// SPOP on a large set 31 -> 27 µs of CPU, and letting SQLite step over them
// (pickAt's OFFSET) instead of returning each row took SRANDMEMBER of a
// 100k-member set from 12.4 to 10.5 µs, HRANDFIELD from 15.7 to 10.9 µs
// (engine benchmark RandomMember). The pick statements spell it
// as a literal LIMIT: SQLite re-prepares a statement whenever the value
// bound to a LIMIT parameter changes (about 15µs each time).
const randomSpread = 32

// randomSpreadSQL is randomSpread as the pick statements' LIMIT.
const randomSpreadSQL = "32"

// randomRow picks a member of the collection id of n members: it seeks a
// random hash and steps over up to randomSpread-1 rows, wrapping around
// past the largest hash. O(log n): one statement, and two more in the rare
// case of a seek among the last randomSpread rows.
func (tx *Tx) randomRow(t *memberTable, id, n int64) (memberRow, bool) {
	left := rand.Int64N(max(min(n, randomSpread), 1)) // rows to step over
	start := rand.Int64N(maxScanHash + 1)
	if st := tx.bind(t.pickAt[left], id, start); tx.step(st) {
		r := readRow(st)
		done(st)
		return r, true
	}
	// Fewer than left+1 rows from start on: count them and go on from the
	// lowest hash.
	for _, from := range [2]int64{start, 0} {
		st := tx.bind(t.pick, id, from)
		for tx.step(st) {
			if left == 0 {
				r := readRow(st)
				done(st)
				return r, true
			}
			left--
		}
	}
	return memberRow{}, false
}

// randomRows picks count members of the collection m: distinct ones (at
// most m.N) when distinct, otherwise count independent picks that may
// repeat. Large collections are sampled with random seeks; the whole
// collection is read only when it is small or when the answer is at least
// a third of it (then reading it costs no more than the reply).
func (tx *Tx) randomRows(t *memberTable, m Meta, count int64, distinct bool) []memberRow {
	n := m.N
	if count <= 0 || n <= 0 {
		return nil
	}
	if !distinct {
		out := make([]memberRow, 0, min(count, 1<<16))
		if n <= smallCollection || count >= n {
			rows := tx.allRows(t, m.ID)
			if len(rows) == 0 {
				return nil
			}
			for i := int64(0); i < count; i++ {
				out = append(out, rows[rand.IntN(len(rows))])
			}
			return out
		}
		for i := int64(0); i < count; i++ {
			r, ok := tx.randomRow(t, m.ID, n)
			if !ok {
				break
			}
			out = append(out, r)
		}
		return out
	}
	if count >= n {
		return tx.allRows(t, m.ID)
	}
	if n <= smallCollection || count*3 > n {
		rows := tx.allRows(t, m.ID)
		count = min(count, int64(len(rows)))
		for i := range int(count) {
			j := i + rand.IntN(len(rows)-i)
			rows[i], rows[j] = rows[j], rows[i]
		}
		return rows[:count]
	}
	// count < n/3: random seeks hit a new member at least 2 times in 3.
	seen := make(map[string]bool, count)
	out := make([]memberRow, 0, count)
	for tries := int64(0); int64(len(out)) < count && tries < 4*count+64; tries++ {
		r, ok := tx.randomRow(t, m.ID, n)
		if !ok {
			break
		}
		if !seen[string(r.key)] {
			seen[string(r.key)] = true
			out = append(out, r)
		}
	}
	if int64(len(out)) < count {
		// Unlucky (members behind small hash gaps are rarely hit).
		out = tx.fillRows(t, m.ID, count, seen, out)
	}
	return out
}

// fillRows completes out to count distinct rows with rows not in seen, in
// hash order from a random point, wrapping around once. Reading
// count+len(out) rows always finds enough unseen ones when the collection
// has that many.
func (tx *Tx) fillRows(t *memberTable, id, count int64, seen map[string]bool, out []memberRow) []memberRow {
	start := rand.Int64N(maxScanHash + 1)
	limit := count + int64(len(out))
	// take adds the current row unless it is at or past below (>= 0); it
	// reports whether to read on.
	take := func(st *sqlite3.Stmt, below int64) bool {
		r := readRow(st)
		if below >= 0 && r.h >= below {
			return false
		}
		limit--
		if !seen[string(r.key)] {
			seen[string(r.key)] = true
			out = append(out, r)
		}
		return int64(len(out)) < count && limit > 0
	}
	st := tx.bind(t.from, id, start, limit)
	for tx.step(st) {
		if !take(st, -1) {
			done(st)
			break
		}
	}
	if int64(len(out)) < count && limit > 0 {
		st = tx.bind(t.from, id, 0, limit)
		for tx.step(st) {
			if !take(st, start) {
				done(st)
				break
			}
		}
	}
	return out
}

// scanRows returns a page of a collection in hash order from hash from:
// count rows, plus the rest of the last hash so that a cursor never splits
// one hash value, filtered by keep. next is the cursor to continue from,
// 0 when the scan is complete. From cursor 0 a small collection is returned
// whole, as Redis does for listpack-encoded values.
func (tx *Tx) scanRows(t *memberTable, m Meta, from, count int64, keep func([]byte) bool) (rows []memberRow, next int64) {
	add := func(r memberRow) {
		if keep == nil || keep(r.key) {
			rows = append(rows, r)
		}
	}
	if from > maxScanHash {
		return nil, 0
	}
	if from == 0 && m.N <= smallCollection {
		for _, r := range tx.allRows(t, m.ID) {
			add(r)
		}
		return rows, 0
	}
	count = max(count, 1)
	var last memberRow
	n := int64(0)
	st := tx.bind(t.from, m.ID, from, count)
	for tx.step(st) {
		last = readRow(st)
		n++
		add(last)
	}
	if n < count {
		return rows, 0
	}
	st = tx.bind(t.rest, m.ID, last.h, last.key)
	for tx.step(st) {
		add(readRow(st))
	}
	if last.h >= maxScanHash {
		return rows, 0
	}
	return rows, last.h + 1
}

func keysOf(rows []memberRow) [][]byte {
	out := make([][]byte, len(rows))
	for i, r := range rows {
		out[i] = r.key
	}
	return out
}

// sIsMember reports whether member is in the set with id: one primary-key lookup.
func (tx *Tx) sIsMember(id int64, member []byte) bool {
	st := tx.bind("SELECT 1 FROM sets WHERE id=? AND h=? AND member=?", id, keyHash(member), member)
	if !tx.step(st) {
		return false
	}
	done(st)
	return true
}

// sInsert adds member to the set with id and reports whether it was new.
func (tx *Tx) sInsert(id int64, member []byte) bool {
	return tx.execN("INSERT OR IGNORE INTO sets(id, h, member) VALUES(?,?,?)", id, keyHash(member), member) > 0
}

// sDelete removes member from the set with id and reports whether it was there.
func (tx *Tx) sDelete(id int64, member []byte) bool {
	return tx.execN("DELETE FROM sets WHERE id=? AND h=? AND member=?", id, keyHash(member), member) > 0
}

// SAdd adds members to the set at key, creating it, and returns how many
// were new (SADD).
func (tx *Tx) SAdd(key []byte, members [][]byte) (int64, error) {
	m, ok, err := tx.lookupType(key, TypeSet)
	if err != nil {
		return 0, err
	}
	if !ok {
		m = tx.createCollection(key, TypeSet)
	}
	var added int64
	for _, mem := range members {
		if tx.sInsert(m.ID, mem) {
			added++
		}
	}
	if added > 0 || !ok {
		m.N += added
		tx.saveMeta(key, m)
	}
	return added, nil
}

// SRem removes members from the set at key and returns how many were
// there; an emptied set is deleted (SREM).
func (tx *Tx) SRem(key []byte, members [][]byte) (int64, error) {
	m, ok, err := tx.lookupType(key, TypeSet)
	if err != nil || !ok {
		return 0, err
	}
	var removed int64
	for _, mem := range members {
		if tx.sDelete(m.ID, mem) {
			removed++
		}
	}
	if removed > 0 {
		m.N -= removed
		tx.saveMeta(key, m)
	}
	return removed, nil
}

// SIsMember reports whether member is in the set at key (SISMEMBER).
func (tx *Tx) SIsMember(key, member []byte) (bool, error) {
	m, ok, err := tx.lookupType(key, TypeSet)
	if err != nil || !ok {
		return false, err
	}
	return tx.sIsMember(m.ID, member), nil
}

// SMIsMember reports for each member whether it is in the set at key (SMISMEMBER).
func (tx *Tx) SMIsMember(key []byte, members [][]byte) ([]bool, error) {
	m, ok, err := tx.lookupType(key, TypeSet)
	if err != nil {
		return nil, err
	}
	out := make([]bool, len(members))
	if ok {
		for i, mem := range members {
			out[i] = tx.sIsMember(m.ID, mem)
		}
	}
	return out, nil
}

// SCard is the number of members of the set at key (SCARD).
func (tx *Tx) SCard(key []byte) (int64, error) {
	m, _, err := tx.lookupType(key, TypeSet)
	return m.N, err
}

// SMembers returns every member of the set at key, in hash order (SMEMBERS).
func (tx *Tx) SMembers(key []byte) ([][]byte, error) {
	m, ok, err := tx.lookupType(key, TypeSet)
	if err != nil || !ok {
		return nil, err
	}
	return keysOf(tx.allRows(&setTable, m.ID)), nil
}

// SPop removes and returns up to count distinct random members of the set
// at key; the set is deleted when emptied (SPOP). A count of 0 only checks
// the key's type.
func (tx *Tx) SPop(key []byte, count int64) ([][]byte, error) {
	m, ok, err := tx.lookupType(key, TypeSet)
	if err != nil || !ok || count <= 0 {
		return nil, err
	}
	if count >= m.N {
		rows := tx.allRows(&setTable, m.ID)
		tx.removeIn(tx.DB, key, m)
		return keysOf(rows), nil
	}
	rows := tx.randomRows(&setTable, m, count, true)
	for _, r := range rows {
		tx.exec("DELETE FROM sets WHERE id=? AND h=? AND member=?", m.ID, r.h, r.key)
	}
	m.N -= int64(len(rows))
	tx.saveMeta(key, m)
	return keysOf(rows), nil
}

// SRandMember returns random members of the set at key without removing
// them (SRANDMEMBER): count > 0 gives distinct members (at most the set's
// size), count < 0 gives -count members that may repeat, 0 none.
func (tx *Tx) SRandMember(key []byte, count int64) ([][]byte, error) {
	m, ok, err := tx.lookupType(key, TypeSet)
	if err != nil || !ok || count == 0 {
		return nil, err
	}
	if count < 0 {
		return keysOf(tx.randomRows(&setTable, m, -count, false)), nil
	}
	return keysOf(tx.randomRows(&setTable, m, count, true)), nil
}

// SScan returns a page of the set at key from cursor (a member hash) with
// about count members looked at, those matching keep, and the next cursor
// (0 when done) (SSCAN).
func (tx *Tx) SScan(key []byte, cursor, count int64, keep func([]byte) bool) ([][]byte, int64, error) {
	m, ok, err := tx.lookupType(key, TypeSet)
	if err != nil || !ok {
		return nil, 0, err
	}
	rows, next := tx.scanRows(&setTable, m, cursor, count, keep)
	return keysOf(rows), next, nil
}

// SetRef is a set key and the transaction of its shard, for the commands
// that combine sets that may live in different shards.
type SetRef struct {
	Tx  *Tx
	Key []byte
}

// setMetas looks up every key in order, failing with ErrWrongType if one
// holds another type; missing keys have ok false.
func setMetas(refs []SetRef) ([]Meta, []bool, error) {
	ms, oks := make([]Meta, len(refs)), make([]bool, len(refs))
	for i, r := range refs {
		m, ok, err := r.Tx.lookupType(r.Key, TypeSet)
		if err != nil {
			return nil, nil, err
		}
		ms[i], oks[i] = m, ok
	}
	return ms, oks, nil
}

// SInter returns the intersection of the sets (SINTER); a missing key is an
// empty set.
func SInter(refs []SetRef) ([][]byte, error) {
	var out [][]byte
	err := interWalk(refs, 0, func(mem []byte) { out = append(out, mem) })
	return out, err
}

// SInterCard returns the size of the intersection of the sets, counting at
// most limit members when limit > 0 (SINTERCARD).
func SInterCard(refs []SetRef, limit int64) (int64, error) {
	var n int64
	err := interWalk(refs, limit, func([]byte) { n++ })
	return n, err
}

// interWalk calls emit for each member of the intersection, at most limit
// times when limit > 0. It walks the smallest set and looks each member up
// in the others: O(N*M) like Redis. emit gets its own copy of the member.
func interWalk(refs []SetRef, limit int64, emit func([]byte)) error {
	ms, oks, err := setMetas(refs)
	if err != nil {
		return err
	}
	if slices.Contains(oks, false) {
		return nil
	}
	order := make([]int, len(refs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(ms[a].N, ms[b].N) })
	small := refs[order[0]]
	var n int64
	st := small.Tx.bind("SELECT member FROM sets WHERE id=? ORDER BY h, member", ms[order[0]].ID)
	for small.Tx.step(st) {
		mem := blob(st, 0) // a raw column does not survive the lookups below
		in := true
		for _, j := range order[1:] {
			if !refs[j].Tx.sIsMember(ms[j].ID, mem) {
				in = false
				break
			}
		}
		if in {
			emit(mem)
			if n++; limit > 0 && n >= limit {
				done(st)
				break
			}
		}
	}
	return nil
}

// SUnion returns the union of the sets (SUNION); missing keys are empty sets.
func SUnion(refs []SetRef) ([][]byte, error) {
	ms, oks, err := setMetas(refs)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out [][]byte
	for i, r := range refs {
		if !oks[i] {
			continue
		}
		st := r.Tx.bind("SELECT member FROM sets WHERE id=? ORDER BY h, member", ms[i].ID)
		for r.Tx.step(st) {
			mem := st.ColumnRawBlob(0)
			if !seen[string(mem)] {
				seen[string(mem)] = true
				out = append(out, bytes.Clone(mem))
			}
		}
	}
	return out, nil
}

// SDiff returns the members of the first set that are in none of the
// others (SDIFF); missing keys are empty sets.
func SDiff(refs []SetRef) ([][]byte, error) {
	ms, oks, err := setMetas(refs)
	if err != nil {
		return nil, err
	}
	if !oks[0] {
		return nil, nil
	}
	first := refs[0]
	var out [][]byte
	st := first.Tx.bind("SELECT member FROM sets WHERE id=? ORDER BY h, member", ms[0].ID)
	for first.Tx.step(st) {
		mem := blob(st, 0)
		in := false
		for j := 1; j < len(refs) && !in; j++ {
			in = oks[j] && refs[j].Tx.sIsMember(ms[j].ID, mem)
		}
		if !in {
			out = append(out, mem)
		}
	}
	return out, nil
}

// SStore replaces key, whatever it holds, with a set of the given distinct
// members, without expiry; no members deletes key (SINTERSTORE & co.).
// It returns the new set's size.
func (tx *Tx) SStore(key []byte, members [][]byte) int64 {
	tx.Delete(key)
	if len(members) == 0 {
		return 0
	}
	m := tx.createCollection(key, TypeSet)
	for _, mem := range members {
		if tx.sInsert(m.ID, mem) {
			m.N++
		}
	}
	tx.saveMeta(key, m)
	return m.N
}

// SMove moves member from the set src to the set dst (SMOVE) and reports
// whether it was moved; dst is created when missing and src deleted when
// emptied. A missing src moves nothing, whatever dst holds.
func SMove(src, dst SetRef, member []byte) (bool, error) {
	sm, ok, err := src.Tx.lookupType(src.Key, TypeSet)
	if err != nil || !ok {
		return false, err
	}
	dm, dok, err := dst.Tx.lookupType(dst.Key, TypeSet)
	if err != nil {
		return false, err
	}
	if src.Tx == dst.Tx && bytes.Equal(src.Key, dst.Key) {
		return src.Tx.sIsMember(sm.ID, member), nil
	}
	if !src.Tx.sDelete(sm.ID, member) {
		return false, nil
	}
	sm.N--
	src.Tx.saveMeta(src.Key, sm)
	if !dok {
		dm = dst.Tx.createCollection(dst.Key, TypeSet)
	}
	if dst.Tx.sInsert(dm.ID, member) {
		dm.N++
		dst.Tx.saveMeta(dst.Key, dm)
	}
	return true, nil
}

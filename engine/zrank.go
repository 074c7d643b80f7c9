package engine

import (
	"bytes"
	"math"
	"math/bits"
	"slices"
	"strings"

	"github.com/ncruces/go-sqlite3"
)

// The rank index of sorted sets: an indexable skip list stored in
// zlvl(id, lvl, score, member, c), next to the members' (id, score, member)
// index.
//
// Every member has a level, a pure function of the collection id and the
// member (about one member in zFan reaches level 1, one in zFan² level 2…, zFan = 1<<zFanBits),
// so it never needs storing and deletes know which rows to touch. A member of
// level h has a row at each level 1..h that exists for its set, and c in that
// row is the number of members from the previous row of the same level
// (inclusive; the start of the set when none) to this one (exclusive). The
// members after the last row of a level are not counted anywhere: the total
// is keys.n.
//
// The rank of a position is then the sum of the c of all rows at or before it
// on the top level, plus, level by level downwards, the c of the rows between
// the row found above and the position, plus, at the bottom, the members
// between the last level-1 row and the position: about zFan rows per level
// and O(log n) in all. Adding or removing a member changes one row per level
// (the next one), plus its own rows when its level is above 0.
//
// Levels exist only where they pay. They cost a ZADD about a fifth of its
// CPU (redis-benchmark's ZADD: 52.3 against 43.0 µs per request), so a set
// has them only once a command asked for ranks it would otherwise count
// (ZRANK, ZREVRANK, ZCOUNT, a range from a large index or offset: zwantRanks)
// and only at its size: a set that is written and read by score alone (a
// queue, a schedule, a time series) never pays for them. The first such
// command on a large set counts, and starts a write of its own that marks
// the set ranked (Meta.Hi = zRanked) and builds the levels (zrankOn): one
// pass over the members, about 0.2–0.3 s per million, with the shard's
// other writes queued behind it; the commands after it are O(log n). The
// mark stays with the collection (RENAME within a shard keeps it); a copy
// (COPY, RESTORE, ZUNIONSTORE and the like, a RENAME across shards) starts
// unmarked. A ranked set gets level L once it has zBuildAt(L) members
// (built from level L-1 in one pass, so a set marked late or bulk loaded
// catches up at once, and a marked one whose levels are missing on its
// next write) and loses it when it shrinks well below. Meta.Lo holds the
// number of levels.

// zFanBits sets the fan-out: about one member in 1<<zFanBits reaches the
// next level. A variable so that tests can exercise every level with small
// sets; it is not stored, and all files must be written with the same value.
var zFanBits = 6

const zMaxLvl = 5

// zBuildAt is the size at which a set gets level l: 4·zFan^l members, so the
// top level has about 4·zFan rows at most before the next one is built.
func zBuildAt(l int64) int64 { return 4 << (int64(zFanBits) * l) }

// zlevel is member's level in collection id.
func zlevel(id int64, member []byte) int64 {
	x := uint64(keyHash(member))<<32 ^ uint64(id)*0x9E3779B97F4A7C15
	x ^= x >> 31
	x *= 0xBF58476D1CE4E5B9
	x ^= x >> 29
	l := int64(bits.TrailingZeros64(x|1<<63) / zFanBits)
	return min(l, zMaxLvl)
}

// zpos is a position in a sorted set's order; zstart is before every member.
type zpos struct {
	score  float64
	member []byte
	start  bool
}

var zstart = zpos{start: true}

// zbefore counts the members of collection id (with top levels) that sort
// before x. When at is non-nil, at[l-1] receives for each level l the number
// of members before the last level-l row preceding x (what an insert of x
// needs).
func (tx *Tx) zbefore(id, top int64, x zpos, at []int64) int64 {
	if len(tx.zpend) > zpendScanMax {
		tx.zwriteCounts()
	}
	var acc int64
	lo := zstart
	for l := top; l >= 1; l-- {
		var sum *sqlite3.Stmt
		if lo.start {
			sum = tx.bind("SELECT coalesce(sum(c),0) FROM zlvl WHERE id=? AND lvl=? AND (score,member) < (?,?)", id, l, x.score, x.member)
		} else {
			sum = tx.bind("SELECT coalesce(sum(c),0) FROM zlvl WHERE id=? AND lvl=? AND (score,member) > (?,?) AND (score,member) < (?,?)",
				id, l, lo.score, lo.member, x.score, x.member)
		}
		tx.step(sum)
		if n := sum.ColumnInt64(0) + tx.zpendIn(id, l, lo, x); n > 0 {
			acc += n
			done(sum)
			last := tx.bind("SELECT score, member FROM zlvl WHERE id=? AND lvl=? AND (score,member) < (?,?) ORDER BY score DESC, member DESC LIMIT 1",
				id, l, x.score, x.member)
			tx.step(last)
			lo = zpos{score: last.ColumnFloat(0), member: blob(last, 1)}
			done(last)
		} else {
			done(sum)
		}
		if at != nil {
			at[l-1] = acc
		}
	}
	var cnt *sqlite3.Stmt
	if lo.start {
		cnt = tx.bind("SELECT count(*) FROM zsets WHERE id=? AND (score,member) < (?,?)", id, x.score, x.member)
	} else {
		cnt = tx.bind("SELECT count(*) FROM zsets WHERE id=? AND (score,member) >= (?,?) AND (score,member) < (?,?)",
			id, lo.score, lo.member, x.score, x.member)
	}
	tx.step(cnt)
	acc += cnt.ColumnInt64(0)
	done(cnt)
	return acc
}

// zselect returns the member at 0-based ascending rank r (0 <= r < n).
func (tx *Tx) zselect(id, top, r int64) ZMember {
	tx.zwriteCounts()
	var acc int64
	lo := zstart
	for l := top; l >= 1; l-- {
		var it *sqlite3.Stmt
		if lo.start {
			it = tx.bind("SELECT score, member, c FROM zlvl WHERE id=? AND lvl=? ORDER BY score, member", id, l)
		} else {
			it = tx.bind("SELECT score, member, c FROM zlvl WHERE id=? AND lvl=? AND (score,member) > (?,?) ORDER BY score, member",
				id, l, lo.score, lo.member)
		}
		for tx.step(it) {
			c := it.ColumnInt64(2)
			if acc+c > r {
				break
			}
			acc += c
			lo = zpos{score: it.ColumnFloat(0), member: blob(it, 1)}
		}
		done(it)
	}
	var it *sqlite3.Stmt
	if lo.start {
		it = tx.bind("SELECT member, score FROM zsets WHERE id=? ORDER BY score, member LIMIT 1 OFFSET ?", id, r)
	} else {
		it = tx.bind("SELECT member, score FROM zsets WHERE id=? AND (score,member) >= (?,?) ORDER BY score, member LIMIT 1 OFFSET ?",
			id, lo.score, lo.member, r-acc)
	}
	tx.step(it)
	z := ZMember{blob(it, 0), it.ColumnFloat(1)}
	done(it)
	return z
}

// zrow names a zlvl row.
type zrow struct {
	id, lvl int64
	score   float64
	member  string
}

// zlvlNext adds d to the c of the first level-l row after x. The addition
// waits in the transaction (zpend) until the transaction commits, or
// something walks the rows' c in order (zselect), or too many wait
// (zpendScanMax), or rows are dropped wholesale (zflush): the rows of the upper levels are few, so the writes of a batch
// land on the same ones again and again (a ZADD that moves a member changes
// two rows per level), and each waits as one UPDATE instead of one per
// write. Meanwhile zbefore adds the pending additions to the sums it reads
// (zpendIn), and a row deleted by zlvlDelete takes its own along.
func (tx *Tx) zlvlNext(m Meta, l int64, x zpos, d int64) {
	r, ok := tx.zlvlAfter(m, l, x)
	if !ok {
		return // the members after a level's last row are counted nowhere
	}
	if tx.zpend == nil {
		tx.zpend = map[zrow]int64{}
	}
	tx.zpend[r] += d
}

// zlvlKey names one level of one sorted set.
type zlvlKey struct{ id, lvl int64 }

// zlvlRows is what a write transaction knows of one level's rows: how many
// times it looked up a row's successor there, and, once that was often
// enough, the rows' positions (not their counts), sorted. A binary search
// then replaces the SELECT of the next row; zlvlInsert and zlvlDelete keep
// the rows in step, and zflush forgets them.
type zlvlRows struct {
	finds  int64
	rows   []zrow
	loaded bool
	// next is the last successor read with SQL on a level not loaded:
	// the first row after from (none when !found). Until a row of the
	// level is added or removed it is the successor of every position
	// from from up to itself, so a batch of pops from one end of a set
	// (ZPOPMIN) reads it once instead of once per pop.
	next struct {
		from         zpos
		row          zrow
		found, valid bool
	}
}

// nextOf answers zlvlAfter for x from the remembered successor, if it can.
func (lv *zlvlRows) nextOf(x zpos) (r zrow, found, ok bool) {
	n := &lv.next
	if !n.valid || (!n.from.start && zposCmp(x, n.from.score, string(n.from.member)) < 0) {
		return zrow{}, false, false
	}
	if n.found && zposCmp(x, n.row.score, n.row.member) >= 0 {
		return zrow{}, false, false
	}
	return n.row, n.found, true
}

// zlvlAfter finds the first level-l row of m after x. A level is loaded
// once the transaction has looked it up about an eighth as many times as
// it has rows (m.N >> (zFanBits·l)): a batch of writes to one large set
// then reads each upper level once instead of once per write.
func (tx *Tx) zlvlAfter(m Meta, l int64, x zpos) (zrow, bool) {
	lv := tx.zlvlLevel(m.ID, l)
	if !lv.loaded {
		lv.finds++
		if lv.finds*zlvlLoadAt >= m.N>>(int64(zFanBits)*l)+8 {
			tx.zlvlLoad(m.ID, l, lv)
		}
	}
	if lv.loaded {
		i := lv.search(x)
		for i < len(lv.rows) && zposCmp(x, lv.rows[i].score, lv.rows[i].member) == 0 {
			i++
		}
		if i == len(lv.rows) {
			return zrow{}, false
		}
		return lv.rows[i], true
	}
	if r, found, ok := lv.nextOf(x); ok {
		return r, found
	}
	st := tx.bind("SELECT score, member FROM zlvl WHERE id=? AND lvl=? AND (score,member) > (?,?) ORDER BY score, member LIMIT 1",
		m.ID, l, x.score, x.member)
	var r zrow
	found := tx.step(st)
	if found {
		r = zrow{m.ID, l, st.ColumnFloat(0), string(st.ColumnRawBlob(1))}
		done(st)
	}
	lv.next.from = zpos{score: x.score, member: bytes.Clone(x.member), start: x.start}
	lv.next.row, lv.next.found, lv.next.valid = r, found, true
	return r, found
}

// zlvlLoadAt is the 8 of zlvlAfter's rule; a variable so that tests can
// turn loading off (0) and take the SELECT path every time.
var zlvlLoadAt int64 = 8

// zlvlLevel returns the transaction's record of level l of id.
func (tx *Tx) zlvlLevel(id, l int64) *zlvlRows {
	k := zlvlKey{id, l}
	lv := tx.zlv[k]
	if lv == nil {
		if tx.zlv == nil {
			tx.zlv = map[zlvlKey]*zlvlRows{}
		}
		lv = &zlvlRows{}
		tx.zlv[k] = lv
	}
	return lv
}

func (tx *Tx) zlvlLoad(id, l int64, lv *zlvlRows) {
	it := tx.bind("SELECT score, member FROM zlvl WHERE id=? AND lvl=? ORDER BY score, member", id, l)
	for tx.step(it) {
		lv.rows = append(lv.rows, zrow{id, l, it.ColumnFloat(0), string(it.ColumnRawBlob(1))})
	}
	done(it)
	lv.loaded = true
}

// search returns the index of the first row not before x.
func (lv *zlvlRows) search(x zpos) int {
	i, _ := slices.BinarySearchFunc(lv.rows, x, func(r zrow, x zpos) int { return -zposCmp(x, r.score, r.member) })
	return i
}

// zlvlAdded and zlvlRemoved keep a loaded level in step with the row of
// member written or deleted at level l.
func (tx *Tx) zlvlAdded(r zrow) {
	lv := tx.zlv[zlvlKey{r.id, r.lvl}]
	if lv != nil {
		lv.next.valid = false
	}
	if lv != nil && lv.loaded {
		i := lv.search(zpos{score: r.score, member: []byte(r.member)})
		lv.rows = slices.Insert(lv.rows, i, r)
	}
}

func (tx *Tx) zlvlRemoved(r zrow) {
	lv := tx.zlv[zlvlKey{r.id, r.lvl}]
	if lv != nil {
		lv.next.valid = false
	}
	if lv != nil && lv.loaded {
		i := lv.search(zpos{score: r.score, member: []byte(r.member)})
		if i < len(lv.rows) && lv.rows[i] == r {
			lv.rows = slices.Delete(lv.rows, i, i+1)
		}
	}
}

// zpendScanMax bounds the pending additions zpendIn looks through: past
// it, zbefore writes them out first, so that a transaction with very many
// (one large MULTI or script) does not scan them all for every insert. A
// variable so that tests can take both paths.
var zpendScanMax = 1024

// zpendIn sums the pending additions to the level-l rows of id strictly
// between lo and x, which a sum of c read from zlvl does not include yet.
func (tx *Tx) zpendIn(id, l int64, lo, x zpos) int64 {
	var d int64
	for r, v := range tx.zpend {
		if r.id == id && r.lvl == l && (lo.start || zposCmp(lo, r.score, r.member) < 0) && zposCmp(x, r.score, r.member) > 0 {
			d += v
		}
	}
	return d
}

// zposCmp compares position x with (score, member) in the order of the
// zsets_score index and zlvl: by score, then member bytes.
func zposCmp(x zpos, score float64, member string) int {
	switch {
	case x.start || x.score < score:
		return -1
	case x.score > score:
		return 1
	}
	return strings.Compare(string(x.member), member)
}

// zflush writes the pending zlvl additions and forgets the levels the
// transaction loaded. commit calls it, and so does everything that writes
// or deletes zlvl rows other than one member's own.
func (tx *Tx) zflush() {
	tx.zwriteCounts()
	clear(tx.zlv)
}

// zwriteCounts writes the pending zlvl additions (before c is read row by
// row, or when there are too many to look through).
func (tx *Tx) zwriteCounts() {
	for r, d := range tx.zpend {
		if d != 0 {
			tx.exec("UPDATE zlvl SET c=c+? WHERE id=? AND lvl=? AND score=? AND member=?", d, r.id, r.lvl, r.score, []byte(r.member))
		}
	}
	clear(tx.zpend)
}

// zlvlInsert records a new member in the levels of m (its member row is
// written by the caller).
func (tx *Tx) zlvlInsert(m Meta, member []byte, score float64) {
	if m.Lo == 0 {
		return
	}
	x := zpos{score: score, member: member}
	h := min(zlevel(m.ID, member), m.Lo)
	if h == 0 {
		for l := int64(1); l <= m.Lo; l++ {
			tx.zlvlNext(m, l, x, 1)
		}
		return
	}
	at := make([]int64, m.Lo)
	r := tx.zbefore(m.ID, m.Lo, x, at)
	for l := int64(1); l <= m.Lo; l++ {
		if l > h {
			tx.zlvlNext(m, l, x, 1)
			continue
		}
		c := r - at[l-1]
		tx.zlvlNext(m, l, x, 1-c)
		tx.exec("INSERT INTO zlvl(id, lvl, score, member, c) VALUES(?,?,?,?,?)", m.ID, l, score, member, c)
		tx.zlvlAdded(zrow{m.ID, l, score, string(member)})
	}
}

// zlvlDelete removes a member from the levels of m.
func (tx *Tx) zlvlDelete(m Meta, member []byte, score float64) {
	x := zpos{score: score, member: member}
	h := min(zlevel(m.ID, member), m.Lo)
	for l := int64(1); l <= m.Lo; l++ {
		if l > h {
			tx.zlvlNext(m, l, x, -1)
			continue
		}
		it := tx.bind("DELETE FROM zlvl WHERE id=? AND lvl=? AND score=? AND member=? RETURNING c", m.ID, l, score, member)
		tx.step(it)
		c := it.ColumnInt64(0)
		done(it)
		// The row's own pending addition goes with it; the others wait on.
		own := zrow{m.ID, l, score, string(member)}
		c += tx.zpend[own]
		delete(tx.zpend, own)
		tx.zlvlRemoved(own)
		tx.zlvlNext(m, l, x, c-1)
	}
}

// zRanked is Meta.Hi of a sorted set that keeps rank levels (its other
// sets have -1, as every new collection).
const zRanked = 1

// zranked reports whether m keeps rank levels: marked, or with levels
// written before sets were marked.
func zranked(m Meta) bool { return m.Hi == zRanked || m.Lo > 0 }

// zwantRanks notes that a command on the sorted set m at key needed ranks
// and, if m is large enough for levels and has none, had to count them:
// the set is to be ranked from now on (zrankOn, in a write that nothing
// waits for).
func (tx *Tx) zwantRanks(key []byte, m Meta) {
	if zranked(m) || m.N < zBuildAt(1) {
		return
	}
	key = bytes.Clone(key) // the caller's buffer is reused once it returns
	tx.s.later(tx.DB, m.ID, func(tx *Tx) error {
		tx.zrankOn(key, m.ID)
		return nil
	})
}

// zrankOn marks the sorted set at key ranked and builds its levels, if it
// is still the collection id (any with 0) and not ranked yet.
func (tx *Tx) zrankOn(key []byte, id int64) {
	m, ok, err := tx.lookupType(key, TypeZSet)
	if err != nil || !ok || (id != 0 && m.ID != id) || zranked(m) {
		return
	}
	m.Hi = zRanked
	tx.zlvlResize(&m)
	tx.saveMeta(key, m)
}

// zlvlResize builds the levels m.N calls for, if m is ranked, and drops
// those it no longer needs (below a quarter of their build size), updating
// m.Lo.
func (tx *Tx) zlvlResize(m *Meta) {
	if !zranked(*m) {
		return
	}
	m.Hi = zRanked // still ranked when the last level goes
	for m.Lo < zMaxLvl && m.N >= zBuildAt(m.Lo+1) {
		tx.zlvlBuild(m.ID, m.Lo+1)
		m.Lo++
	}
	for m.Lo > 0 && m.N < zBuildAt(m.Lo)/4 {
		tx.zflush()
		tx.exec("DELETE FROM zlvl WHERE id=? AND lvl=?", m.ID, m.Lo)
		m.Lo--
	}
}

// zlvlRebuild recomputes every level of m from its members (after bulk changes).
func (tx *Tx) zlvlRebuild(m *Meta) {
	tx.zflush()
	tx.exec("DELETE FROM zlvl WHERE id=?", m.ID)
	if zranked(*m) {
		m.Hi = zRanked // a set ranked by its levels alone stays ranked without them
	}
	m.Lo = 0
	tx.zlvlResize(m)
}

// zlvlBuild writes level l of collection id from level l-1 (the members for
// l = 1) in one ordered pass.
func (tx *Tx) zlvlBuild(id, l int64) {
	tx.zflush()
	var it *sqlite3.Stmt
	if l == 1 {
		it = tx.bind("SELECT score, member, 1 FROM zsets WHERE id=? ORDER BY score, member", id)
	} else {
		it = tx.bind("SELECT score, member, c FROM zlvl WHERE id=? AND lvl=? ORDER BY score, member", id, l-1)
	}
	type row struct {
		score  float64
		member []byte
		c      int64
	}
	var rows []row
	var run int64
	first := l == 1
	for tx.step(it) {
		member := it.ColumnRawBlob(1)
		if first {
			// The first member starts the set: nothing precedes it.
			first = false
		} else {
			run += it.ColumnInt64(2)
		}
		if zlevel(id, member) >= l {
			rows = append(rows, row{it.ColumnFloat(0), blob(it, 1), run})
			run = 0
		}
	}
	done(it)
	for _, r := range rows {
		tx.exec("INSERT INTO zlvl(id, lvl, score, member, c) VALUES(?,?,?,?,?)", id, l, r.score, r.member, r.c)
	}
}

// zrankOf counts the members before (score, member), using the levels when
// the set has them.
func (tx *Tx) zrankOf(m Meta, x zpos) int64 {
	return tx.zbefore(m.ID, m.Lo, x, nil)
}

// zbelow counts the members with a score below v (all of them for +inf
// when incl is set: the inclusive upper bound +inf has no successor).
func (tx *Tx) zbelow(m Meta, v float64, incl bool) int64 {
	if incl {
		if math.IsInf(v, 1) {
			return m.N
		}
		v = math.Nextafter(v, math.Inf(1))
	}
	return tx.zrankOf(m, zpos{score: v, member: []byte{}})
}

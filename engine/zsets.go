package engine

import (
	"math"
	"strings"
	"sync"
)

// Sorted sets: members live in zsets(id, h, member, score) keyed by the
// member's hash (ZSCORE, ZADD are primary-key operations), with an index on
// (id, score, member) for everything ordered.

// ZMember is a member with its score.
type ZMember struct {
	Member []byte
	Score  float64
}

// ZAddArgs are ZADD's options.
type ZAddArgs struct {
	NX, XX, GT, LT, CH, Incr bool
}

// zscore returns a member's score.
func (tx *Tx) zscore(id int64, member []byte) (float64, bool) {
	st := tx.bind("SELECT score FROM zsets WHERE id=? AND h=? AND member=?", id, keyHash(member), member)
	if !tx.step(st) {
		return 0, false
	}
	s := st.ColumnFloat(0)
	done(st)
	return s, true
}

// zput writes member's score in m: an update when it had the score old.
func (tx *Tx) zput(m Meta, member []byte, score float64, exists bool, old float64) {
	if exists {
		tx.exec("UPDATE zsets SET score=? WHERE id=? AND h=? AND member=?", score, m.ID, keyHash(member), member)
		tx.zlvlDelete(m, member, old)
	} else {
		tx.exec("INSERT INTO zsets(id, h, member, score) VALUES(?,?,?,?)", m.ID, keyHash(member), member, score)
	}
	tx.zlvlInsert(m, member, score)
}

// zset writes member's score in the sorted set id, which has no rank
// levels, for a ZADD without conditions, where the old score is not
// needed: one statement when the member exists with another score (the
// common update), where zscore and zput take two. It reports whether the
// member was added, or else whether its score changed.
func (tx *Tx) zset(id int64, member []byte, score float64) (added, changed bool) {
	h := keyHash(member)
	if tx.execN("UPDATE zsets SET score=? WHERE id=? AND h=? AND member=? AND score<>?", score, id, h, member, score) > 0 {
		return false, true
	}
	return tx.execN("INSERT INTO zsets(id, h, member, score) VALUES(?,?,?,?) ON CONFLICT DO NOTHING", id, h, member, score) > 0, false
}

// zdel removes member, whose score is score, from m.
func (tx *Tx) zdel(m Meta, member []byte, score float64) {
	tx.exec("DELETE FROM zsets WHERE id=? AND h=? AND member=?", m.ID, keyHash(member), member)
	tx.zlvlDelete(m, member, score)
}

// zdelMany removes members of m known to exist and saves m: one by one when
// few, else in bulk with the rank levels rebuilt after.
func (tx *Tx) zdelMany(key []byte, m Meta, gone []ZMember) {
	n := int64(len(gone))
	switch {
	case n == m.N:
		// saveMeta drops the whole collection.
	case m.Lo > 0 && n > m.N/16:
		for _, z := range gone {
			tx.exec("DELETE FROM zsets WHERE id=? AND h=? AND member=?", m.ID, keyHash(z.Member), z.Member)
		}
		m.N -= n
		tx.zlvlRebuild(&m)
		tx.saveMeta(key, m)
		return
	default:
		for _, z := range gone {
			tx.zdel(m, z.Member, z.Score)
		}
	}
	tx.zsave(key, m, -n)
}

// zsave adds dn to m's size, adjusts its rank levels and saves it, unless
// that leaves m as it was (a ZADD that only changed scores, or nothing):
// its keys row is not written again, and a ZADD that changed nothing does
// not count as a change (WATCH), as in Redis.
func (tx *Tx) zsave(key []byte, m Meta, dn int64) {
	was := m
	m.N += dn
	if m.N > 0 {
		tx.zlvlResize(&m)
	}
	if m == was {
		return
	}
	tx.saveMeta(key, m)
}

// ZAdd adds or updates members. It returns the number added (or added and
// changed with CH); with Incr it returns the new score, ok=false when the
// condition prevented the update.
func (tx *Tx) ZAdd(key []byte, ms []ZMember, a ZAddArgs) (n int64, score float64, ok bool, err error) {
	m, exists, err := tx.lookupType(key, TypeZSet)
	if err != nil {
		return 0, 0, false, err
	}
	if a.Incr {
		cur, has := float64(0), false
		if exists {
			cur, has = tx.zscore(m.ID, ms[0].Member)
		}
		nv := cur + ms[0].Score
		if math.IsNaN(nv) {
			return 0, 0, false, ErrScoreNaN
		}
		ms = []ZMember{{ms[0].Member, nv}}
		if has && ((a.GT && nv <= cur) || (a.LT && nv >= cur) || a.NX) {
			return 0, 0, false, nil
		}
		if !has && a.XX {
			return 0, 0, false, nil
		}
		score, ok = nv, true
	}
	if !exists {
		if a.XX {
			return 0, score, ok, nil
		}
		m = tx.createCollection(key, TypeZSet)
	}
	var added, changed int64
	plain := !a.NX && !a.XX && !a.GT && !a.LT && m.Lo == 0
	for _, z := range ms {
		if plain {
			switch add, change := tx.zset(m.ID, z.Member, z.Score); {
			case add:
				added++
			case change:
				changed++
			}
			continue
		}
		cur, has := tx.zscore(m.ID, z.Member)
		switch {
		case has:
			if a.NX || (a.GT && z.Score <= cur) || (a.LT && z.Score >= cur) || z.Score == cur {
				continue
			}
			tx.zput(m, z.Member, z.Score, true, cur)
			changed++
		case !a.XX:
			tx.zput(m, z.Member, z.Score, false, 0)
			added++
		}
	}
	tx.zsave(key, m, added)
	if a.CH {
		return added + changed, score, ok, nil
	}
	return added, score, ok, nil
}

// ZScore returns member's score.
func (tx *Tx) ZScore(key, member []byte) (float64, bool, error) {
	m, ok, err := tx.lookupType(key, TypeZSet)
	if err != nil || !ok {
		return 0, false, err
	}
	s, found := tx.zscore(m.ID, member)
	return s, found, nil
}

// ZCard is the number of members.
func (tx *Tx) ZCard(key []byte) (int64, error) {
	m, _, err := tx.lookupType(key, TypeZSet)
	return m.N, err
}

// ZRem removes members and returns how many existed.
func (tx *Tx) ZRem(key []byte, members [][]byte) (int64, error) {
	m, ok, err := tx.lookupType(key, TypeZSet)
	if err != nil || !ok {
		return 0, err
	}
	var gone []ZMember
	seen := map[string]bool{}
	for _, mem := range members {
		if s, has := tx.zscore(m.ID, mem); has && !seen[string(mem)] {
			seen[string(mem)] = true
			gone = append(gone, ZMember{mem, s})
		}
	}
	tx.zdelMany(key, m, gone)
	return int64(len(gone)), nil
}

// ZRank returns member's 0-based rank (from the highest score when rev) and score.
func (tx *Tx) ZRank(key, member []byte, rev bool) (int64, float64, bool, error) {
	m, ok, err := tx.lookupType(key, TypeZSet)
	if err != nil || !ok {
		return 0, 0, false, err
	}
	s, has := tx.zscore(m.ID, member)
	if !has {
		return 0, 0, false, nil
	}
	tx.zwantRanks(key, m)
	r := tx.zrankOf(m, zpos{score: s, member: member})
	if rev {
		r = m.N - 1 - r
	}
	return r, s, true, nil
}

// ScoreBound is one end of a score range; "(" makes it exclusive.
type ScoreBound struct {
	V    float64
	Excl bool
}

// LexBound is one end of a lex range: "-" (Inf -1), "+" (Inf 1), "[x" or "(x".
type LexBound struct {
	V    []byte
	Excl bool
	Inf  int
}

// ZRangeSpec selects members by rank (Start..Stop), by score (Min..Max) or
// by lex (LexMin..LexMax), in descending order when Rev, with LIMIT
// Offset/Count (Count < 0: no limit) for score and lex ranges.
type ZRangeSpec struct {
	By             int // ByRank, ByScore, ByLex
	Rev            bool
	Start, Stop    int64
	Min, Max       ScoreBound
	LexMin, LexMax LexBound
	Offset, Count  int64
}

// Range kinds for ZRangeSpec.By.
const (
	ByRank = iota
	ByScore
	ByLex
)

// zrangeShape is what the text of a range query depends on: the texts
// are built once per shape (zrangeSQL), not once per query.
type zrangeShape struct {
	sel              string
	from, rev        bool
	by               int
	minExcl, maxExcl bool
	lexMin, lexMax   int8 // 0: unbounded, 1: inclusive, 2: exclusive
}

var (
	zrangeMu   sync.RWMutex
	zrangeSQLs = map[zrangeShape]string{}
)

// zrangeSQL returns the query text of shape sh.
func zrangeSQL(sh zrangeShape) string {
	zrangeMu.RLock()
	q, ok := zrangeSQLs[sh]
	zrangeMu.RUnlock()
	if ok {
		return q
	}
	var b strings.Builder
	b.WriteString("SELECT " + sh.sel + " FROM zsets WHERE id=?")
	if sh.from {
		if sh.rev {
			b.WriteString(" AND (score,member) <= (?,?)")
		} else {
			b.WriteString(" AND (score,member) >= (?,?)")
		}
	}
	cmp := func(col string, bound int8, lower bool) {
		switch {
		case bound == 0:
		case lower && bound == 2:
			b.WriteString(" AND " + col + " > ?")
		case lower:
			b.WriteString(" AND " + col + " >= ?")
		case bound == 2:
			b.WriteString(" AND " + col + " < ?")
		default:
			b.WriteString(" AND " + col + " <= ?")
		}
	}
	switch sh.by {
	case ByScore:
		cmp("score", bound(sh.minExcl), true)
		cmp("score", bound(sh.maxExcl), false)
	case ByLex:
		cmp("member", sh.lexMin, true)
		cmp("member", sh.lexMax, false)
	}
	if sh.rev {
		b.WriteString(" ORDER BY score DESC, member DESC")
	} else {
		b.WriteString(" ORDER BY score, member")
	}
	b.WriteString(" LIMIT ? OFFSET ?")
	q = b.String()
	zrangeMu.Lock()
	zrangeSQLs[sh] = q
	zrangeMu.Unlock()
	return q
}

// bound is the zrangeShape code of a present bound.
func bound(excl bool) int8 {
	if excl {
		return 2
	}
	return 1
}

// zrangeQuery returns the SQL and arguments for a range over collection
// id, and the LIMIT it sets (negative: none); from, when set, is where the
// range starts (the offset already applied).
func zrangeQuery(sel string, id int64, s ZRangeSpec, n int64, from *ZMember) (string, []any, int64, bool) {
	sh := zrangeShape{sel: sel, from: from != nil, rev: s.Rev, by: s.By}
	args := make([]any, 1, 7)
	args[0] = id
	limit, offset := s.Count, s.Offset
	if from != nil {
		args = append(args, from.Score, from.Member)
		offset = 0
	}
	switch s.By {
	case ByRank:
		a, z, ok := normRange(s.Start, s.Stop, n)
		if !ok {
			return "", nil, 0, false
		}
		limit = z - a + 1
		if from == nil {
			offset = a
		}
	case ByScore:
		sh.minExcl, sh.maxExcl = s.Min.Excl, s.Max.Excl
		args = append(args, s.Min.V, s.Max.V)
	case ByLex:
		if s.LexMin.Inf == 1 || s.LexMax.Inf == -1 {
			return "", nil, 0, false
		}
		if s.LexMin.Inf == 0 {
			sh.lexMin = bound(s.LexMin.Excl)
			args = append(args, s.LexMin.V)
		}
		if s.LexMax.Inf == 0 {
			sh.lexMax = bound(s.LexMax.Excl)
			args = append(args, s.LexMax.V)
		}
	}
	if offset < 0 {
		return "", nil, 0, false
	}
	args = append(args, limit, offset)
	return zrangeSQL(sh), args, limit, true
}

// ZRange returns the members selected by s.
func (tx *Tx) ZRange(key []byte, s ZRangeSpec) ([]ZMember, error) {
	m, ok, err := tx.lookupType(key, TypeZSet)
	if err != nil || !ok {
		return nil, err
	}
	return tx.zrange(key, m, s), nil
}

func (tx *Tx) zrange(key []byte, m Meta, s ZRangeSpec) []ZMember {
	from, ok := tx.zrangeFrom(key, m, s)
	if !ok {
		return nil
	}
	q, args, limit, ok := zrangeQuery("member, score", m.ID, s, m.N, from)
	if !ok {
		return nil
	}
	size := m.N
	if limit >= 0 {
		size = min(size, limit)
	}
	out := make([]ZMember, 0, min(size, 1024))
	// The members' bytes go to one buffer. While it grows, a Member only
	// stands for its length; all are sliced from the final buffer below.
	var buf []byte
	st := tx.bind(q, args...)
	for tx.step(st) {
		raw := st.ColumnRawBlob(0)
		if buf == nil {
			buf = make([]byte, 0, min(len(raw)*cap(out), 64<<10))
		}
		buf = append(buf, raw...)
		out = append(out, ZMember{Member: buf[len(buf)-len(raw):], Score: st.ColumnFloat(1)})
	}
	if len(out) == 0 {
		return nil
	}
	start := 0
	for i := range out {
		end := start + len(out[i].Member)
		out[i].Member = buf[start:end:end]
		start = end
	}
	return out
}

// zrangeFrom finds through the rank levels the first member of a rank or
// score range with a large offset, which the members' index alone reaches
// only by counting. It returns nil when the offset is small or the set has no
// levels (and asks for them), and ok=false when the range starts past the end.
func (tx *Tx) zrangeFrom(key []byte, m Meta, s ZRangeSpec) (*ZMember, bool) {
	a, _, inRange := normRange(s.Start, s.Stop, m.N)
	large := s.By == ByRank && inRange && a >= 1<<zFanBits || s.By == ByScore && s.Offset >= 1<<zFanBits
	if !large {
		return nil, true
	}
	if m.Lo == 0 {
		tx.zwantRanks(key, m)
		return nil, true
	}
	var r int64 // ascending rank of the first member returned
	switch s.By {
	case ByRank:
		r = a
		if s.Rev {
			r = m.N - 1 - a
		}
	case ByScore:
		if s.Rev {
			r = tx.zbelow(m, s.Max.V, !s.Max.Excl) - 1 - s.Offset
		} else {
			r = tx.zbelow(m, s.Min.V, s.Min.Excl) + s.Offset
		}
	default:
		return nil, true
	}
	if r < 0 || r >= m.N {
		return nil, false
	}
	z := tx.zselect(m.ID, m.Lo, r)
	return &z, true
}

// ZCount counts the members a score or lex range selects.
func (tx *Tx) ZCount(key []byte, s ZRangeSpec) (int64, error) {
	m, ok, err := tx.lookupType(key, TypeZSet)
	if err != nil || !ok {
		return 0, err
	}
	if s.By == ByScore && m.Lo > 0 {
		n := tx.zbelow(m, s.Max.V, !s.Max.Excl) - tx.zbelow(m, s.Min.V, s.Min.Excl)
		return max(n, 0), nil
	}
	if s.By == ByScore {
		tx.zwantRanks(key, m)
	}
	s.Offset, s.Count = 0, -1
	q, args, _, ok := zrangeQuery("count(*)", m.ID, s, m.N, nil)
	if !ok {
		return 0, nil
	}
	// count(*) ignores ORDER BY/LIMIT of a single row result; strip them.
	q = q[:strings.Index(q, " ORDER BY")]
	st := tx.bind(q, args[:len(args)-2]...)
	tx.step(st)
	n := st.ColumnInt64(0)
	done(st)
	return n, nil
}

// ZRemRange removes the members s selects and returns how many.
func (tx *Tx) ZRemRange(key []byte, s ZRangeSpec) (int64, error) {
	m, ok, err := tx.lookupType(key, TypeZSet)
	if err != nil || !ok {
		return 0, err
	}
	s.Offset, s.Count = 0, -1
	gone := tx.zrange(key, m, s)
	tx.zdelMany(key, m, gone)
	return int64(len(gone)), nil
}

// ZPop removes and returns up to count members with the lowest (or highest) scores.
func (tx *Tx) ZPop(key []byte, count int64, max bool) ([]ZMember, error) {
	m, ok, err := tx.lookupType(key, TypeZSet)
	if err != nil || !ok {
		return nil, err
	}
	out := tx.zrange(key, m, ZRangeSpec{By: ByRank, Rev: max, Start: 0, Stop: count - 1})
	tx.zdelMany(key, m, out)
	return out, nil
}

// ZIncrBy adds incr to member's score and returns the new score.
func (tx *Tx) ZIncrBy(key []byte, incr float64, member []byte) (float64, error) {
	_, s, _, err := tx.ZAdd(key, []ZMember{{member, incr}}, ZAddArgs{Incr: true})
	return s, err
}

// ZAll returns every member in score order (ZUNION and friends, which are
// O(N) in Redis too).
func (tx *Tx) ZAll(key []byte) ([]ZMember, bool, error) {
	mm, exists := tx.lookup(key)
	if !exists {
		return nil, false, nil
	}
	switch mm.Type {
	case TypeZSet:
		return tx.zrange(key, mm, ZRangeSpec{By: ByRank, Start: 0, Stop: -1}), true, nil
	case TypeSet:
		// Sets take part in ZUNIONSTORE & co. with score 1.
		st := tx.bind("SELECT member FROM sets WHERE id=?", mm.ID)
		var out []ZMember
		for tx.step(st) {
			out = append(out, ZMember{blob(st, 0), 1})
		}
		return out, true, nil
	}
	return nil, true, ErrWrongType
}

// ZStore replaces dst with the given members (ZUNIONSTORE, ZRANGESTORE…);
// an empty result deletes dst.
func (tx *Tx) ZStore(dst []byte, ms []ZMember) {
	tx.Delete(dst)
	if len(ms) == 0 {
		return
	}
	m := tx.createCollection(dst, TypeZSet)
	for _, z := range ms {
		tx.exec("INSERT INTO zsets(id, h, member, score) VALUES(?,?,?,?)", m.ID, keyHash(z.Member), z.Member, z.Score)
	}
	tx.zsave(dst, m, int64(len(ms)))
}

// zsetTable samples sorted sets as sets and hashes are sampled (randomRows);
// its value column is empty: a picked member's score is looked up.
var zsetTable = newMemberTable(
	"SELECT h, member, NULL FROM zsets WHERE id=? ORDER BY h, member",
	"SELECT h, member, NULL FROM zsets WHERE id=? AND h>=? ORDER BY h, member",
	"SELECT h, member, NULL FROM zsets WHERE id=? AND h=? AND member>? ORDER BY member",
)

// ZRandMember returns count random members: distinct when count > 0, possibly
// repeated when count < 0, picked like SRANDMEMBER's.
func (tx *Tx) ZRandMember(key []byte, count int64) ([]ZMember, error) {
	m, ok, err := tx.lookupType(key, TypeZSet)
	if err != nil || !ok {
		return nil, err
	}
	if count >= m.N {
		return tx.zrange(key, m, ZRangeSpec{By: ByRank, Start: 0, Stop: -1}), nil
	}
	var rows []memberRow
	if count < 0 {
		rows = tx.randomRows(&zsetTable, m, -count, false)
	} else {
		rows = tx.randomRows(&zsetTable, m, count, true)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	out := make([]ZMember, len(rows))
	scores := make(map[string]float64, min(len(rows), int(m.N)))
	for i, r := range rows {
		s, ok := scores[string(r.key)]
		if !ok {
			s, _ = tx.zscore(m.ID, r.key)
			scores[string(r.key)] = s
		}
		out[i] = ZMember{r.key, s}
	}
	return out, nil
}

// ZScan pages through members in hash order like Scan.
func (tx *Tx) ZScan(key []byte, from int64, count int, keep func([]byte) bool) ([]ZMember, int64, error) {
	m, ok, err := tx.lookupType(key, TypeZSet)
	if err != nil || !ok {
		return nil, -1, err
	}
	var out []ZMember
	st := tx.bind("SELECT h, member, score FROM zsets WHERE id=? AND h>=? ORDER BY h, member LIMIT ?", m.ID, from, count)
	n, last := 0, int64(-1)
	var lastM []byte
	visit := func() {
		h, mem, s := st.ColumnInt64(0), blob(st, 1), st.ColumnFloat(2)
		n++
		last, lastM = h, mem
		if keep == nil || keep(mem) {
			out = append(out, ZMember{mem, s})
		}
	}
	for tx.step(st) {
		visit()
	}
	if n < count {
		return out, -1, nil
	}
	st = tx.bind("SELECT h, member, score FROM zsets WHERE id=? AND h=? AND member>? ORDER BY member", m.ID, last, lastM)
	for tx.step(st) {
		visit()
	}
	if last+1 > 0xFFFFFFFF {
		return out, -1, nil
	}
	return out, last + 1, nil
}

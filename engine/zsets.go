package engine

import (
	"math"
	"math/rand/v2"
	"strings"
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

func (tx *Tx) zput(id int64, member []byte, score float64, exists bool) {
	if exists {
		tx.exec("UPDATE zsets SET score=? WHERE id=? AND h=? AND member=?", score, id, keyHash(member), member)
		return
	}
	tx.exec("INSERT INTO zsets(id, h, member, score) VALUES(?,?,?,?)", id, keyHash(member), member, score)
}

func (tx *Tx) zdel(id int64, member []byte) {
	tx.exec("DELETE FROM zsets WHERE id=? AND h=? AND member=?", id, keyHash(member), member)
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
	for _, z := range ms {
		cur, has := tx.zscore(m.ID, z.Member)
		switch {
		case has:
			if a.NX || (a.GT && z.Score <= cur) || (a.LT && z.Score >= cur) || z.Score == cur {
				continue
			}
			tx.zput(m.ID, z.Member, z.Score, true)
			changed++
		case !a.XX:
			tx.zput(m.ID, z.Member, z.Score, false)
			added++
			m.N++
		}
	}
	tx.saveMeta(key, m)
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
	var n int64
	for _, mem := range members {
		if _, has := tx.zscore(m.ID, mem); has {
			tx.zdel(m.ID, mem)
			n++
		}
	}
	m.N -= n
	tx.saveMeta(key, m)
	return n, nil
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
	q := "SELECT count(*) FROM zsets WHERE id=? AND (score < ? OR (score = ? AND member < ?))"
	if rev {
		q = "SELECT count(*) FROM zsets WHERE id=? AND (score > ? OR (score = ? AND member > ?))"
	}
	st := tx.bind(q, m.ID, s, s, member)
	tx.step(st)
	r := st.ColumnInt64(0)
	done(st)
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

// zrangeQuery builds the SQL and arguments for a range over collection id.
func zrangeQuery(sel string, id int64, s ZRangeSpec, n int64) (string, []any, bool) {
	var b strings.Builder
	args := []any{id}
	b.WriteString("SELECT " + sel + " FROM zsets WHERE id=?")
	limit, offset := s.Count, s.Offset
	switch s.By {
	case ByRank:
		a, z, ok := normRange(s.Start, s.Stop, n)
		if !ok {
			return "", nil, false
		}
		limit, offset = z-a+1, a
	case ByScore:
		if s.Min.Excl {
			b.WriteString(" AND score > ?")
		} else {
			b.WriteString(" AND score >= ?")
		}
		if s.Max.Excl {
			b.WriteString(" AND score < ?")
		} else {
			b.WriteString(" AND score <= ?")
		}
		args = append(args, s.Min.V, s.Max.V)
	case ByLex:
		if s.LexMin.Inf == 1 || s.LexMax.Inf == -1 {
			return "", nil, false
		}
		if s.LexMin.Inf == 0 {
			if s.LexMin.Excl {
				b.WriteString(" AND member > ?")
			} else {
				b.WriteString(" AND member >= ?")
			}
			args = append(args, s.LexMin.V)
		}
		if s.LexMax.Inf == 0 {
			if s.LexMax.Excl {
				b.WriteString(" AND member < ?")
			} else {
				b.WriteString(" AND member <= ?")
			}
			args = append(args, s.LexMax.V)
		}
	}
	if s.Rev {
		b.WriteString(" ORDER BY score DESC, member DESC")
	} else {
		b.WriteString(" ORDER BY score, member")
	}
	if offset < 0 {
		return "", nil, false
	}
	b.WriteString(" LIMIT ? OFFSET ?")
	args = append(args, limit, offset)
	return b.String(), args, true
}

// ZRange returns the members selected by s.
func (tx *Tx) ZRange(key []byte, s ZRangeSpec) ([]ZMember, error) {
	m, ok, err := tx.lookupType(key, TypeZSet)
	if err != nil || !ok {
		return nil, err
	}
	return tx.zrange(m, s), nil
}

func (tx *Tx) zrange(m Meta, s ZRangeSpec) []ZMember {
	q, args, ok := zrangeQuery("member, score", m.ID, s, m.N)
	if !ok {
		return nil
	}
	var out []ZMember
	st := tx.bind(q, args...)
	for tx.step(st) {
		out = append(out, ZMember{blob(st, 0), st.ColumnFloat(1)})
	}
	return out
}

// ZCount counts the members a score or lex range selects.
func (tx *Tx) ZCount(key []byte, s ZRangeSpec) (int64, error) {
	m, ok, err := tx.lookupType(key, TypeZSet)
	if err != nil || !ok {
		return 0, err
	}
	s.Offset, s.Count = 0, -1
	q, args, ok := zrangeQuery("count(*)", m.ID, s, m.N)
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
	gone := tx.zrange(m, s)
	for _, z := range gone {
		tx.zdel(m.ID, z.Member)
	}
	m.N -= int64(len(gone))
	tx.saveMeta(key, m)
	return int64(len(gone)), nil
}

// ZPop removes and returns up to count members with the lowest (or highest) scores.
func (tx *Tx) ZPop(key []byte, count int64, max bool) ([]ZMember, error) {
	m, ok, err := tx.lookupType(key, TypeZSet)
	if err != nil || !ok {
		return nil, err
	}
	out := tx.zrange(m, ZRangeSpec{By: ByRank, Rev: max, Start: 0, Stop: count - 1})
	for _, z := range out {
		tx.zdel(m.ID, z.Member)
	}
	m.N -= int64(len(out))
	tx.saveMeta(key, m)
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
		return tx.zrange(mm, ZRangeSpec{By: ByRank, Start: 0, Stop: -1}), true, nil
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
		tx.zput(m.ID, z.Member, z.Score, false)
	}
	m.N = int64(len(ms))
	tx.saveMeta(dst, m)
}

// ZRandMember returns count random members: distinct when count > 0, possibly
// repeated when count < 0. Each pick seeks a random member hash.
func (tx *Tx) ZRandMember(key []byte, count int64) ([]ZMember, error) {
	m, ok, err := tx.lookupType(key, TypeZSet)
	if err != nil || !ok {
		return nil, err
	}
	if count >= m.N {
		return tx.zrange(m, ZRangeSpec{By: ByRank, Start: 0, Stop: -1}), nil
	}
	pick := func() ZMember {
		h := rand.Int64N(1 << 32)
		st := tx.bind("SELECT member, score FROM zsets WHERE id=? AND h>=? ORDER BY h LIMIT 1", m.ID, h)
		if !tx.step(st) {
			st = tx.bind("SELECT member, score FROM zsets WHERE id=? ORDER BY h LIMIT 1", m.ID)
			tx.step(st)
		}
		z := ZMember{blob(st, 0), st.ColumnFloat(1)}
		done(st)
		return z
	}
	var out []ZMember
	if count < 0 {
		for i := int64(0); i < -count; i++ {
			out = append(out, pick())
		}
		return out, nil
	}
	seen := map[string]bool{}
	for int64(len(out)) < count {
		z := pick()
		if !seen[string(z.Member)] {
			seen[string(z.Member)] = true
			out = append(out, z)
		}
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

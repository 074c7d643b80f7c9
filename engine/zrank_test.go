package engine

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// zmodel is a sorted set kept as a sorted slice: the reference the rank
// index is checked against.
type zmodel []ZMember

func zcmp(a, b ZMember) int {
	if c := cmp.Compare(a.Score, b.Score); c != 0 {
		return c
	}
	return cmp.Compare(string(a.Member), string(b.Member))
}

func (z *zmodel) set(member string, score float64) {
	z.del(member)
	e := ZMember{[]byte(member), score}
	i, _ := slices.BinarySearchFunc(*z, e, zcmp)
	*z = slices.Insert(*z, i, e)
}

func (z *zmodel) del(member string) {
	*z = slices.DeleteFunc(*z, func(e ZMember) bool { return string(e.Member) == member })
}

// checkLevels recomputes every level of key's set from its members and
// compares it with the stored rows: none for a set that is not ranked.
func checkLevels(t *testing.T, s *Store, key string, model zmodel) {
	t.Helper()
	hsRead(t, s, func(tx *Tx) error {
		m, ok, err := tx.lookupType([]byte(key), TypeZSet)
		if err != nil || ok != (len(model) > 0) {
			t.Fatalf("lookup %q: ok=%v err=%v, model has %d", key, ok, err, len(model))
		}
		if !ok {
			return nil
		}
		if m.N != int64(len(model)) {
			t.Fatalf("n = %d, model %d", m.N, len(model))
		}
		want := int64(0)
		for zranked(m) && want < zMaxLvl && m.N >= zBuildAt(want+1) {
			want++
		}
		if m.Lo < want || (m.Lo > 0 && m.N < zBuildAt(m.Lo)/4) {
			t.Fatalf("n = %d with %d levels (ranked: %v)", m.N, m.Lo, zranked(m))
		}
		for l := int64(1); l <= zMaxLvl; l++ {
			var exp []string
			last := -1
			for i, e := range model {
				if l <= m.Lo && zlevel(m.ID, e.Member) >= l {
					c := i // members since the previous row, or from the start
					if last >= 0 {
						c = i - last
					}
					exp = append(exp, fmt.Sprintf("%v/%s/%d", e.Score, e.Member, c))
					last = i
				}
			}
			var got []string
			st := tx.bind("SELECT score, member, c FROM zlvl WHERE id=? AND lvl=? ORDER BY score, member", m.ID, l)
			for tx.step(st) {
				got = append(got, fmt.Sprintf("%v/%s/%d", st.ColumnFloat(0), st.ColumnText(1), st.ColumnInt64(2)))
			}
			if !slices.Equal(got, exp) {
				t.Fatalf("level %d of %d members:\n got %v\nwant %v", l, m.N, got, exp)
			}
		}
		return nil
	})
}

// TestZRankLevels drives a ranked sorted set through random adds, score changes,
// removals, pops and range removals with a fan-out of 4 (so every level is
// built and dropped with a few thousand members) and checks ranks, rank
// ranges, score-range offsets and counts against a sorted slice, and the
// stored levels against a recomputation.
func TestZRankLevels(t *testing.T) {
	smallFan(t)
	s := hsStore(t, "z.db")
	key := []byte("z")
	var model zmodel
	rng := rand.New(rand.NewPCG(1, 2))
	score := func() float64 { return float64(rng.IntN(300)) / 4 } // many ties
	for round := 0; round < 1500; round++ {
		grow := round < 900 || round%3 == 0
		op := rng.IntN(10)
		if round < 900 && rng.IntN(5) != 0 {
			op = 0
		}
		switch {
		case op < 6 && grow: // ZADD a batch of new members and updates
			var ms []ZMember
			for i := 0; i < 1+rng.IntN(12); i++ {
				mem := fmt.Sprintf("m%d", rng.IntN(5000))
				sc := score()
				ms = append(ms, ZMember{[]byte(mem), sc})
			}
			hsWrite(t, s, func(tx *Tx) error {
				_, _, _, err := tx.ZAdd(key, ms, ZAddArgs{})
				tx.zrankOn(key, 0) // ranked from the start, and again once emptied
				return err
			})
			for _, z := range ms {
				model.set(string(z.Member), z.Score)
			}
		case op < 7: // ZREM
			var mems [][]byte
			for i := 0; i < 1+rng.IntN(20); i++ {
				mem := fmt.Sprintf("m%d", rng.IntN(5000))
				mems = append(mems, []byte(mem))
			}
			hsWrite(t, s, func(tx *Tx) error { _, err := tx.ZRem(key, mems); return err })
			for _, mem := range mems {
				model.del(string(mem))
			}
		case op < 8: // ZPOPMIN / ZPOPMAX
			n := 1 + rng.IntN(5)
			if rng.IntN(20) == 0 {
				n = len(model) / 5
			}
			max := rng.IntN(2) == 0
			var got []ZMember
			hsWrite(t, s, func(tx *Tx) (err error) { got, err = tx.ZPop(key, int64(n), max); return })
			for range got {
				if max {
					model = model[:len(model)-1]
				} else {
					model = model[1:]
				}
			}
		case op < 9: // ZREMRANGEBYRANK
			if len(model) == 0 {
				continue
			}
			a := rng.IntN(len(model))
			b := a + rng.IntN(len(model)/10+1)
			hsWrite(t, s, func(tx *Tx) error {
				_, err := tx.ZRemRange(key, ZRangeSpec{By: ByRank, Start: int64(a), Stop: int64(b)})
				return err
			})
			model = slices.Delete(model, a, min(b+1, len(model)))
		default: // ZREMRANGEBYSCORE
			lo := score()
			hi := lo + float64(rng.IntN(4))
			hsWrite(t, s, func(tx *Tx) error {
				_, err := tx.ZRemRange(key, ZRangeSpec{By: ByScore, Min: ScoreBound{V: lo}, Max: ScoreBound{V: hi, Excl: true}, Count: -1})
				return err
			})
			model = slices.DeleteFunc(model, func(e ZMember) bool { return e.Score >= lo && e.Score < hi })
		}
		if round%50 == 0 || round == 1499 {
			checkLevels(t, s, "z", model)
			checkQueries(t, s, key, model, rng)
		}
	}
}

func checkQueries(t *testing.T, s *Store, key []byte, model zmodel, rng *rand.Rand) {
	t.Helper()
	hsRead(t, s, func(tx *Tx) error { checkQueriesIn(t, tx, key, model, rng); return nil })
}

// checkQueriesIn checks ranks, rank and score ranges and counts of the
// sorted set at key in tx against model.
func checkQueriesIn(t *testing.T, tx *Tx, key []byte, model zmodel, rng *rand.Rand) {
	t.Helper()
	n := len(model)
	{
		for i := 0; i < 20 && n > 0; i++ {
			r := rng.IntN(n)
			e := model[r]
			got, sc, ok, err := tx.ZRank(key, e.Member, false)
			if err != nil || !ok || got != int64(r) || sc != e.Score {
				t.Fatalf("ZRANK %s = %d %v %v %v, want %d", e.Member, got, sc, ok, err, r)
			}
			got, _, _, _ = tx.ZRank(key, e.Member, true)
			if got != int64(n-1-r) {
				t.Fatalf("ZREVRANK %s = %d, want %d", e.Member, got, n-1-r)
			}
			// Rank ranges with large starts, both directions.
			k := 1 + rng.IntN(5)
			rs, _ := tx.ZRange(key, ZRangeSpec{By: ByRank, Start: int64(r), Stop: int64(r + k - 1)})
			if want := model[r:min(r+k, n)]; !zequal(rs, want) {
				t.Fatalf("ZRANGE %d %d = %v, want %v", r, r+k-1, rs, want)
			}
			rs, _ = tx.ZRange(key, ZRangeSpec{By: ByRank, Rev: true, Start: int64(r), Stop: int64(r + k - 1)})
			var want []ZMember
			for j := n - 1 - r; j >= 0 && j > n-1-r-k; j-- {
				want = append(want, model[j])
			}
			if !zequal(rs, want) {
				t.Fatalf("ZREVRANGE %d %d = %v, want %v", r, r+k-1, rs, want)
			}
			// Score ranges with offsets, and counts.
			lo := float64(rng.IntN(300)) / 4
			hi := lo + float64(rng.IntN(40))
			lx, hx := rng.IntN(2) == 0, rng.IntN(2) == 0
			in := func(e ZMember) bool {
				return (e.Score > lo || (!lx && e.Score == lo)) && (e.Score < hi || (!hx && e.Score == hi))
			}
			var sel []ZMember
			for _, e := range model {
				if in(e) {
					sel = append(sel, e)
				}
			}
			spec := ZRangeSpec{By: ByScore, Min: ScoreBound{lo, lx}, Max: ScoreBound{hi, hx}, Offset: int64(rng.IntN(len(sel) + 2)), Count: int64(k)}
			rs, _ = tx.ZRange(key, spec)
			want = sel[min(int(spec.Offset), len(sel)):min(int(spec.Offset)+k, len(sel))]
			if !zequal(rs, want) {
				t.Fatalf("ZRANGEBYSCORE %v = %v, want %v", spec, rs, want)
			}
			spec.Rev = true
			rs, _ = tx.ZRange(key, spec)
			want = nil
			for j := len(sel) - 1 - int(spec.Offset); j >= 0 && len(want) < k; j-- {
				want = append(want, sel[j])
			}
			if !zequal(rs, want) {
				t.Fatalf("ZREVRANGEBYSCORE %v = %v, want %v", spec, rs, want)
			}
			c, _ := tx.ZCount(key, ZRangeSpec{By: ByScore, Min: ScoreBound{lo, lx}, Max: ScoreBound{hi, hx}})
			if c != int64(len(sel)) {
				t.Fatalf("ZCOUNT %v %v %v %v = %d, want %d", lo, lx, hi, hx, c, len(sel))
			}
		}
		// Infinite bounds.
		c, _ := tx.ZCount(key, ZRangeSpec{By: ByScore, Min: ScoreBound{math.Inf(-1), false}, Max: ScoreBound{math.Inf(1), false}})
		if c != int64(n) {
			t.Fatalf("ZCOUNT -inf +inf = %d, want %d", c, n)
		}
		c, _ = tx.ZCount(key, ZRangeSpec{By: ByScore, Min: ScoreBound{math.Inf(-1), true}, Max: ScoreBound{math.Inf(1), true}})
		if c != int64(n) {
			t.Fatalf("ZCOUNT (-inf (+inf = %d, want %d", c, n)
		}
	}
}

// TestZRankPendingInTx runs many sorted-set writes in one transaction, as a
// group commit does, with rank queries between them: the additions to
// zlvl counts that wait in the transaction (zlvlNext) must show in every
// query, and the levels stored at commit must match a recomputation.
func TestZRankPendingInTx(t *testing.T) {
	smallFan(t)
	t.Run("summed", testZRankPendingInTx)
	t.Run("levels-not-loaded", func(t *testing.T) {
		old := zlvlLoadAt
		zlvlLoadAt = 0
		t.Cleanup(func() { zlvlLoadAt = old })
		testZRankPendingInTx(t)
	})
	t.Run("written-out", func(t *testing.T) {
		old := zpendScanMax
		zpendScanMax = 8
		t.Cleanup(func() { zpendScanMax = old })
		testZRankPendingInTx(t)
	})
}

func testZRankPendingInTx(t *testing.T) {
	s := hsStore(t, "z.db")
	key := []byte("z")
	var model zmodel
	rng := rand.New(rand.NewPCG(3, 4))
	score := func() float64 { return float64(rng.IntN(300)) / 4 }
	for round := 0; round < 120; round++ {
		hsWrite(t, s, func(tx *Tx) error {
			tx.zrankOn(key, 0)
			for op := 0; op < 8; op++ {
				switch rng.IntN(5) {
				case 0, 1: // add members and move existing ones
					var ms []ZMember
					for i := 0; i < 1+rng.IntN(30); i++ {
						ms = append(ms, ZMember{[]byte(fmt.Sprintf("m%d", rng.IntN(3000))), score()})
					}
					if _, _, _, err := tx.ZAdd(key, ms, ZAddArgs{}); err != nil {
						return err
					}
					for _, z := range ms {
						model.set(string(z.Member), z.Score)
					}
				case 2: // remove some
					mem := fmt.Sprintf("m%d", rng.IntN(3000))
					if _, err := tx.ZRem(key, [][]byte{[]byte(mem)}); err != nil {
						return err
					}
					model.del(mem)
				case 3:
					checkQueriesIn(t, tx, key, model, rng)
				case 4: // single pops from one end, as a batch of ZPOPMIN commands
					max := rng.IntN(2) == 0
					for i := 0; i < 1+rng.IntN(40); i++ {
						got, err := tx.ZPop(key, 1, max)
						if err != nil {
							return err
						}
						if len(got) == 0 {
							break
						}
						if max {
							model = model[:len(model)-1]
						} else {
							model = model[1:]
						}
					}
				}
			}
			return nil
		})
		if round%10 == 9 {
			checkLevels(t, s, "z", model)
		}
	}
	checkQueries(t, s, key, model, rng)
}

// smallFan sets a fan-out of 4 for the test, so that every level of the
// rank index is built and dropped with a few thousand members.
func smallFan(t *testing.T) {
	old := zFanBits
	zFanBits = 2
	t.Cleanup(func() { zFanBits = old })
}

func zequal(a, b []ZMember) bool {
	return slices.EqualFunc(a, b, func(x, y ZMember) bool { return zcmp(x, y) == 0 })
}

// TestZRankRestore checks that bulk writes (ZSTORE-style, RESTORE/COPY) get
// no levels until ranked and correct ones after, and that a ranked set
// without levels gets them on its next write.
func TestZRankRestore(t *testing.T) {
	smallFan(t)
	s := hsStore(t, "z.db")
	var model zmodel
	var ms []ZMember
	for i := 0; i < 3000; i++ {
		z := ZMember{[]byte(fmt.Sprintf("k%04d", i)), float64(i % 97)}
		ms = append(ms, z)
		model.set(string(z.Member), z.Score)
	}
	hsWrite(t, s, func(tx *Tx) error { tx.ZStore([]byte("a"), ms); return nil })
	checkLevels(t, s, "a", model)
	hsWrite(t, s, func(tx *Tx) error { tx.zrankOn([]byte("a"), 0); return nil })
	wantLevels(t, s, "a", true)
	checkLevels(t, s, "a", model)
	hsWrite(t, s, func(tx *Tx) error {
		v, _ := tx.Dump([]byte("a"))
		tx.Restore([]byte("b"), v)
		return nil
	})
	wantLevels(t, s, "b", false)
	checkLevels(t, s, "b", model)
	hsWrite(t, s, func(tx *Tx) error { tx.zrankOn([]byte("b"), 0); return nil })
	checkLevels(t, s, "b", model)
	// A ranked set whose levels are missing (a file written before rank
	// levels existed, then ranked): its next write builds them.
	hsWrite(t, s, func(tx *Tx) error {
		tx.exec("DELETE FROM zlvl")
		tx.exec("UPDATE keys SET lo=0")
		_, _, _, err := tx.ZAdd([]byte("b"), []ZMember{{[]byte("new"), 5}}, ZAddArgs{})
		return err
	})
	model.set("new", 5)
	checkLevels(t, s, "b", model)
	checkQueries(t, s, []byte("b"), model, rand.New(rand.NewPCG(3, 4)))
}

// TestZRankMigrate opens a file of schema version 1 (no zlvl table): it is
// upgraded in place, and its sorted sets work and get levels once ranks are
// asked for.
func TestZRankMigrate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	s, err := Open(path, Options{Shard: 0, Shards: 1, Sync: SyncNo})
	if err != nil {
		t.Fatal(err)
	}
	var ms []ZMember
	for i := 0; i < 2000; i++ {
		ms = append(ms, ZMember{[]byte(fmt.Sprint("m", i)), float64(i)})
	}
	hsWrite(t, s, func(tx *Tx) error { tx.ZStore([]byte("z"), ms); return nil })
	// What schema version 1 had: no zlvl table, lo 0 (SQL under the engine's
	// feet, in a transaction of its own).
	hsWrite(t, s, func(tx *Tx) error {
		tx.exec("DROP TABLE zlvl")
		tx.exec("UPDATE keys SET lo=0")
		return nil
	})
	s = reopenAtVersion(t, s, path, 1)
	defer s.Close()
	hsRead(t, s, func(tx *Tx) error {
		r, _, ok, err := tx.ZRank([]byte("z"), []byte("m1500"), false)
		if err != nil || !ok || r != 1500 {
			t.Fatalf("ZRANK before levels = %d %v %v", r, ok, err)
		}
		return nil
	})
	waitRanked(t, s, "z")
	hsWrite(t, s, func(tx *Tx) error { _, err := tx.ZRem([]byte("z"), bs("m0")); return err })
	var model zmodel
	for _, z := range ms[1:] {
		model.set(string(z.Member), z.Score)
	}
	checkLevels(t, s, "z", model)
	// A file from a newer redisk is refused.
	if err := s.wc.c.Exec(fmt.Sprintf("PRAGMA user_version=%d", schemaVersion+1)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s2, err := Open(path, Options{Shard: 0, Shards: 1, Sync: SyncNo}); err == nil {
		s2.Close()
		t.Fatal("opened a file of a newer format")
	}
}

// zmeta reads key's sorted-set metadata.
func zmeta(t *testing.T, s *Store, key string) Meta {
	t.Helper()
	var m Meta
	hsRead(t, s, func(tx *Tx) error {
		var ok bool
		var err error
		if m, ok, err = tx.lookupType([]byte(key), TypeZSet); err != nil || !ok {
			t.Fatalf("lookup %q: ok=%v err=%v", key, ok, err)
		}
		return nil
	})
	return m
}

// wantLevels fails unless key's set is ranked (or not) and has levels (or none).
func wantLevels(t *testing.T, s *Store, key string, ranked bool) {
	t.Helper()
	if m := zmeta(t, s, key); zranked(m) != ranked || (m.Lo > 0) != ranked {
		t.Fatalf("%s: ranked %v with %d levels, want ranked %v", key, zranked(m), m.Lo, ranked)
	}
}

// waitRanked waits for the write that a rank query started (zwantRanks)
// to rank key's set.
func waitRanked(t *testing.T, s *Store, key string) {
	t.Helper()
	for start := time.Now(); !zranked(zmeta(t, s, key)); {
		if time.Since(start) > 10*time.Second {
			t.Fatalf("%s: not ranked 10 s after a rank query", key)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestZRankOnDemand checks that a sorted set gets rank levels only once a
// command needs ranks of it: ZADD, ZREM, pops and score ranges leave a large
// set without them; ZRANK, ZCOUNT and a range from a large index or offset
// answer by counting and rank the set in a write of their own; a small set
// is not ranked; and a ranked set stays ranked as its levels come and go,
// including one written before sets were marked (levels, no mark).
func TestZRankOnDemand(t *testing.T) {
	smallFan(t)
	s := hsStore(t, "z.db")
	big := make([]ZMember, 3000)
	var model zmodel
	for i := range big {
		big[i] = ZMember{[]byte(fmt.Sprintf("k%04d", i)), float64(i % 97)}
		model.set(string(big[i].Member), big[i].Score)
	}
	queries := map[string]func(tx *Tx, key []byte) error{
		"zrank": func(tx *Tx, key []byte) error {
			r, _, _, err := tx.ZRank(key, model[2000].Member, false)
			if err == nil && r != 2000 {
				err = fmt.Errorf("ZRANK = %d, want 2000", r)
			}
			return err
		},
		"zcount": func(tx *Tx, key []byte) error {
			n, err := tx.ZCount(key, ZRangeSpec{By: ByScore, Min: ScoreBound{V: 10}, Max: ScoreBound{V: 20}})
			want := int64(0)
			for _, z := range model {
				if z.Score >= 10 && z.Score <= 20 {
					want++
				}
			}
			if err == nil && n != want {
				err = fmt.Errorf("ZCOUNT = %d, want %d", n, want)
			}
			return err
		},
		"zrange-index": func(tx *Tx, key []byte) error {
			got, err := tx.ZRange(key, ZRangeSpec{By: ByRank, Start: 1500, Stop: 1502})
			if err == nil && !zequal(got, model[1500:1503]) {
				err = fmt.Errorf("ZRANGE 1500 1502 = %v", got)
			}
			return err
		},
		"zrange-offset": func(tx *Tx, key []byte) error {
			got, err := tx.ZRange(key, ZRangeSpec{By: ByScore, Min: ScoreBound{V: math.Inf(-1)}, Max: ScoreBound{V: math.Inf(1)}, Offset: 700, Count: 2})
			if err == nil && !zequal(got, model[700:702]) {
				err = fmt.Errorf("ZRANGEBYSCORE LIMIT 700 2 = %v", got)
			}
			return err
		},
	}
	for name, query := range queries {
		key := []byte(name)
		for i := 0; i < len(big); i += 500 {
			hsWrite(t, s, func(tx *Tx) error { _, _, _, err := tx.ZAdd(key, big[i:i+500], ZAddArgs{}); return err })
		}
		// What never needs ranks leaves the set without levels.
		hsWrite(t, s, func(tx *Tx) error {
			if _, err := tx.ZRange(key, ZRangeSpec{By: ByScore, Min: ScoreBound{V: 5}, Max: ScoreBound{V: 6}, Count: 10}); err != nil {
				return err
			}
			_, err := tx.ZRange(key, ZRangeSpec{By: ByRank, Start: 0, Stop: 9})
			return err
		})
		wantLevels(t, s, name, false)
		checkLevels(t, s, name, model)
		if err := hsRead(t, s, func(tx *Tx) error { return query(tx, key) }); err != nil {
			t.Fatalf("%s before levels: %v", name, err)
		}
		waitRanked(t, s, name)
		wantLevels(t, s, name, true)
		checkLevels(t, s, name, model)
		if err := hsRead(t, s, func(tx *Tx) error { return query(tx, key) }); err != nil {
			t.Fatalf("%s with levels: %v", name, err)
		}
	}

	// A small set: counted, not ranked.
	small := []byte("small")
	hsWrite(t, s, func(tx *Tx) error { _, _, _, err := tx.ZAdd(small, big[:10], ZAddArgs{}); return err })
	hsRead(t, s, func(tx *Tx) error { _, _, _, err := tx.ZRank(small, big[5].Member, false); return err })
	if _, queued := s.laterIDs.Load(zmeta(t, s, "small").ID); queued || zranked(zmeta(t, s, "small")) {
		t.Fatal("a set too small for levels was ranked")
	}

	// A set with levels from before marks (Hi -1): still ranked when it
	// loses them all and when it grows again.
	key := []byte("zrank")
	hsWrite(t, s, func(tx *Tx) error {
		tx.exec("UPDATE keys SET hi=-1 WHERE key=?", key)
		return nil
	})
	if m := zmeta(t, s, "zrank"); m.Hi != -1 || m.Lo == 0 {
		t.Fatalf("old-style levels: hi %d lo %d", m.Hi, m.Lo)
	}
	var gone [][]byte
	for _, z := range model[:len(model)-3] {
		gone = append(gone, z.Member)
	}
	hsWrite(t, s, func(tx *Tx) error { _, err := tx.ZRem(key, gone); return err })
	rest := model[len(model)-3:]
	if m := zmeta(t, s, "zrank"); m.Lo != 0 || !zranked(m) {
		t.Fatalf("after shrinking: ranked %v with %d levels", zranked(m), m.Lo)
	}
	checkLevels(t, s, "zrank", rest)
	hsWrite(t, s, func(tx *Tx) error { _, _, _, err := tx.ZAdd(key, big, ZAddArgs{}); return err })
	wantLevels(t, s, "zrank", true)
	checkLevels(t, s, "zrank", model)
}

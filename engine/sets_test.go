package engine

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ncruces/go-sqlite3"
)

// hsStore opens a one-shard store in a fresh folder, closed when the test ends.
func hsStore(tb testing.TB, name string) *Store {
	tb.Helper()
	s, err := Open(filepath.Join(tb.TempDir(), name), Options{Shard: 0, Shards: 1, Sync: SyncNo})
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// hsWrite runs fn in a write transaction on db 0, failing the test on a storage error.
func hsWrite(tb testing.TB, s *Store, fn func(tx *Tx) error) error {
	tb.Helper()
	err := s.Write(0, fn)
	var ie *Internal
	if errors.As(err, &ie) {
		tb.Fatalf("Write: %v", err)
	}
	return err
}

// hsRead runs fn in a read transaction on db 0, failing the test on a storage error.
func hsRead(tb testing.TB, s *Store, fn func(tx *Tx) error) error {
	tb.Helper()
	err := s.Read(0, fn)
	var ie *Internal
	if errors.As(err, &ie) {
		tb.Fatalf("Read: %v", err)
	}
	return err
}

// bs turns strings into byte slices.
func bs(ss ...string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

// strs turns byte slices into sorted strings.
func strs(bb [][]byte) []string {
	out := make([]string, len(bb))
	for i, b := range bb {
		out[i] = string(b)
	}
	slices.Sort(out)
	return out
}

func hsKeys(tb testing.TB, s *Store) int64 {
	tb.Helper()
	var n int64
	hsRead(tb, s, func(tx *Tx) error { n = tx.Counts()[0][0]; return nil })
	return n
}

// TestSetBasics covers SADD, SREM, SISMEMBER, SMISMEMBER, SCARD and
// SMEMBERS, the deletion of an emptied set and WRONGTYPE.
func TestSetBasics(t *testing.T) {
	s := hsStore(t, "sets.db")
	k := []byte("s")
	hsWrite(t, s, func(tx *Tx) error {
		if n, err := tx.SAdd(k, bs("a", "b", "a")); n != 2 || err != nil {
			t.Errorf("SAdd = %d, %v; want 2", n, err)
		}
		if n, err := tx.SAdd(k, bs("b", "c", "")); n != 2 || err != nil {
			t.Errorf("SAdd = %d, %v; want 2", n, err)
		}
		if n, err := tx.SAdd(k, bs("b")); n != 0 || err != nil {
			t.Errorf("SAdd existing = %d, %v; want 0", n, err)
		}
		return nil
	})
	hsRead(t, s, func(tx *Tx) error {
		if n, _ := tx.SCard(k); n != 4 {
			t.Errorf("SCard = %d, want 4", n)
		}
		ms, _ := tx.SMembers(k)
		if got := strs(ms); !slices.Equal(got, []string{"", "a", "b", "c"}) {
			t.Errorf("SMembers = %q", got)
		}
		if ok, _ := tx.SIsMember(k, []byte("")); !ok {
			t.Error("SIsMember of the empty member = false")
		}
		if ok, _ := tx.SIsMember(k, []byte("zz")); ok {
			t.Error("SIsMember(zz) = true")
		}
		if in, _ := tx.SMIsMember(k, bs("a", "zz", "c")); !slices.Equal(in, []bool{true, false, true}) {
			t.Errorf("SMIsMember = %v", in)
		}
		if in, _ := tx.SMIsMember([]byte("nokey"), bs("a", "b")); !slices.Equal(in, []bool{false, false}) {
			t.Errorf("SMIsMember(nokey) = %v", in)
		}
		if ms, err := tx.SMembers([]byte("nokey")); len(ms) != 0 || err != nil {
			t.Errorf("SMembers(nokey) = %q, %v", ms, err)
		}
		return nil
	})
	if n := hsKeys(t, s); n != 1 {
		t.Errorf("keys = %d, want 1", n)
	}
	hsWrite(t, s, func(tx *Tx) error {
		if n, _ := tx.SRem(k, bs("a", "a", "zz")); n != 1 {
			t.Errorf("SRem = %d, want 1", n)
		}
		if n, _ := tx.SRem([]byte("nokey"), bs("a")); n != 0 {
			t.Errorf("SRem(nokey) = %d, want 0", n)
		}
		if n, _ := tx.SRem(k, bs("b", "c", "")); n != 3 {
			t.Errorf("SRem = %d, want 3", n)
		}
		if tx.Exists(k) {
			t.Error("an emptied set still exists")
		}
		return nil
	})
	if n := hsKeys(t, s); n != 0 {
		t.Errorf("keys = %d, want 0", n)
	}

	str := []byte("str")
	hsWrite(t, s, func(tx *Tx) error { tx.SetString(str, []byte("v"), 0); return nil })
	for name, op := range map[string]func(tx *Tx) error{
		"SAdd":        func(tx *Tx) error { _, err := tx.SAdd(str, bs("a")); return err },
		"SRem":        func(tx *Tx) error { _, err := tx.SRem(str, bs("a")); return err },
		"SIsMember":   func(tx *Tx) error { _, err := tx.SIsMember(str, []byte("a")); return err },
		"SMIsMember":  func(tx *Tx) error { _, err := tx.SMIsMember(str, bs("a")); return err },
		"SCard":       func(tx *Tx) error { _, err := tx.SCard(str); return err },
		"SMembers":    func(tx *Tx) error { _, err := tx.SMembers(str); return err },
		"SPop":        func(tx *Tx) error { _, err := tx.SPop(str, 1); return err },
		"SPop0":       func(tx *Tx) error { _, err := tx.SPop(str, 0); return err },
		"SRandMember": func(tx *Tx) error { _, err := tx.SRandMember(str, 0); return err },
		"SScan":       func(tx *Tx) error { _, _, err := tx.SScan(str, 0, 10, nil); return err },
	} {
		if err := hsWrite(t, s, op); !errors.Is(err, ErrWrongType) {
			t.Errorf("%s on a string: %v, want ErrWrongType", name, err)
		}
	}
	if v, ok := getHS(t, s, "str"); !ok || v != "v" {
		t.Errorf("the string changed: %q, %v", v, ok)
	}
}

func getHS(tb testing.TB, s *Store, key string) (string, bool) {
	var v []byte
	var ok bool
	hsRead(tb, s, func(tx *Tx) (err error) { v, ok, err = tx.Get([]byte(key)); return })
	return string(v), ok
}

// refs names keys in one transaction.
func refs(tx *Tx, keys ...string) []SetRef {
	out := make([]SetRef, len(keys))
	for i, k := range keys {
		out[i] = SetRef{tx, []byte(k)}
	}
	return out
}

// TestSetAlgebra covers SINTER, SINTERCARD, SUNION, SDIFF, their STORE
// forms and SMOVE in one shard.
func TestSetAlgebra(t *testing.T) {
	s := hsStore(t, "algebra.db")
	hsWrite(t, s, func(tx *Tx) error {
		tx.SAdd([]byte("s1"), bs("a", "b", "c", "d"))
		tx.SAdd([]byte("s2"), bs("c", "d", "e"))
		tx.SAdd([]byte("s3"), bs("d", "e", "f"))
		tx.SetString([]byte("str"), []byte("v"), 0)
		return nil
	})
	type setop func([]SetRef) ([][]byte, error)
	cases := []struct {
		op   setop
		name string
		keys []string
		want []string
		err  error
	}{
		{SInter, "inter", []string{"s1", "s2"}, []string{"c", "d"}, nil},
		{SInter, "inter", []string{"s1", "s2", "s3"}, []string{"d"}, nil},
		{SInter, "inter", []string{"s1", "s1"}, []string{"a", "b", "c", "d"}, nil},
		{SInter, "inter", []string{"s1", "nokey"}, []string{}, nil},
		{SInter, "inter", []string{"nokey", "str"}, nil, ErrWrongType},
		{SInter, "inter", []string{"str", "nokey"}, nil, ErrWrongType},
		{SUnion, "union", []string{"s1", "s2", "s3"}, []string{"a", "b", "c", "d", "e", "f"}, nil},
		{SUnion, "union", []string{"nokey", "s3"}, []string{"d", "e", "f"}, nil},
		{SUnion, "union", []string{"nokey"}, []string{}, nil},
		{SUnion, "union", []string{"s1", "str"}, nil, ErrWrongType},
		{SDiff, "diff", []string{"s1", "s2"}, []string{"a", "b"}, nil},
		{SDiff, "diff", []string{"s1", "s2", "s3"}, []string{"a", "b"}, nil},
		{SDiff, "diff", []string{"s1", "nokey"}, []string{"a", "b", "c", "d"}, nil},
		{SDiff, "diff", []string{"s1", "s1"}, []string{}, nil},
		{SDiff, "diff", []string{"nokey", "s1"}, []string{}, nil},
		{SDiff, "diff", []string{"nokey", "str"}, nil, ErrWrongType},
	}
	hsRead(t, s, func(tx *Tx) error {
		for _, c := range cases {
			got, err := c.op(refs(tx, c.keys...))
			if !errors.Is(err, c.err) || (c.err == nil && !slices.Equal(strs(got), c.want)) {
				t.Errorf("%s %v = %q, %v; want %q, %v", c.name, c.keys, strs(got), err, c.want, c.err)
			}
		}
		for _, c := range []struct {
			keys  []string
			limit int64
			want  int64
		}{{[]string{"s1", "s2"}, 0, 2}, {[]string{"s1", "s2"}, 1, 1}, {[]string{"s1"}, 3, 3}, {[]string{"s1"}, 100, 4}, {[]string{"s1", "nokey"}, 0, 0}} {
			if n, err := SInterCard(refs(tx, c.keys...), c.limit); n != c.want || err != nil {
				t.Errorf("SInterCard %v limit %d = %d, %v; want %d", c.keys, c.limit, n, err, c.want)
			}
		}
		if _, err := SInterCard(refs(tx, "nokey", "str"), 0); !errors.Is(err, ErrWrongType) {
			t.Errorf("SInterCard with a string: %v", err)
		}
		return nil
	})

	// STORE: replaces any type, drops the expiry, deletes on an empty result,
	// and may name one of its sources.
	hsWrite(t, s, func(tx *Tx) error {
		tx.Expire([]byte("str"), tx.Now+100000, ExpireAlways)
		res, _ := SUnion(refs(tx, "s1", "s2"))
		if n := tx.SStore([]byte("str"), res); n != 5 {
			t.Errorf("SStore = %d, want 5", n)
		}
		if exp, _ := tx.ExpireTime([]byte("str")); exp != 0 {
			t.Errorf("stored set kept expiry %d", exp)
		}
		res, _ = SInter(refs(tx, "s1", "s2"))
		tx.SStore([]byte("s1"), res)
		if n := tx.SStore([]byte("s2"), nil); n != 0 || tx.Exists([]byte("s2")) {
			t.Errorf("empty SStore = %d, exists %v", n, tx.Exists([]byte("s2")))
		}
		return nil
	})
	hsRead(t, s, func(tx *Tx) error {
		if ms, _ := tx.SMembers([]byte("str")); !slices.Equal(strs(ms), []string{"a", "b", "c", "d", "e"}) {
			t.Errorf("stored union = %q", strs(ms))
		}
		if ms, _ := tx.SMembers([]byte("s1")); !slices.Equal(strs(ms), []string{"c", "d"}) {
			t.Errorf("s1 after storing into itself = %q", strs(ms))
		}
		return nil
	})
	if n := hsKeys(t, s); n != 3 { // s1 s3 str
		t.Errorf("keys = %d, want 3", n)
	}

	// SMOVE.
	hsWrite(t, s, func(tx *Tx) error {
		tx.SetString([]byte("string"), []byte("v"), 0)
		move := func(src, dst, m string) (bool, error) {
			return SMove(SetRef{tx, []byte(src)}, SetRef{tx, []byte(dst)}, []byte(m))
		}
		for _, c := range []struct {
			src, dst, m string
			want        bool
			err         error
		}{
			{"nokey", "string", "a", false, nil}, // a missing source wins over a wrong destination
			{"s1", "string", "zz", false, ErrWrongType},
			{"string", "s1", "c", false, ErrWrongType},
			{"s1", "s1", "c", true, nil},
			{"s1", "s1", "zz", false, nil},
			{"s1", "s3", "zz", false, nil},
			{"s1", "s3", "c", true, nil},
			{"s1", "s3", "d", true, nil}, // already in s3; s1 is emptied
			{"s3", "new", "f", true, nil},
		} {
			got, err := move(c.src, c.dst, c.m)
			if got != c.want || !errors.Is(err, c.err) {
				t.Errorf("SMove %s %s %s = %v, %v; want %v, %v", c.src, c.dst, c.m, got, err, c.want, c.err)
			}
		}
		if tx.Exists([]byte("s1")) {
			t.Error("emptied source still exists")
		}
		if ms, _ := tx.SMembers([]byte("s3")); !slices.Equal(strs(ms), []string{"c", "d", "e"}) {
			t.Errorf("s3 = %q", strs(ms))
		}
		if ms, _ := tx.SMembers([]byte("new")); !slices.Equal(strs(ms), []string{"f"}) {
			t.Errorf("new = %q", strs(ms))
		}
		if n, _ := tx.SCard([]byte("s3")); n != 3 {
			t.Errorf("SCard s3 = %d", n)
		}
		return nil
	})
}

// TestSetAcrossStores runs the multi-key operations with keys in two shard
// files, as the commands do for keys in different shards.
func TestSetAcrossStores(t *testing.T) {
	a, b := hsStore(t, "a.db"), hsStore(t, "b.db")
	hsWrite(t, a, func(tx *Tx) error { tx.SAdd([]byte("x"), bs("1", "2", "3")); return nil })
	hsWrite(t, b, func(tx *Tx) error { tx.SAdd([]byte("y"), bs("2", "3", "4")); return nil })
	ta, tb := a.Exclusive(0), b.Exclusive(0)
	x, y := SetRef{ta, []byte("x")}, SetRef{tb, []byte("y")}
	if got, _ := SInter([]SetRef{x, y}); !slices.Equal(strs(got), []string{"2", "3"}) {
		t.Errorf("SInter = %q", strs(got))
	}
	if got, _ := SDiff([]SetRef{y, x}); !slices.Equal(strs(got), []string{"4"}) {
		t.Errorf("SDiff = %q", strs(got))
	}
	if ok, err := SMove(x, y, []byte("1")); !ok || err != nil {
		t.Errorf("SMove = %v, %v", ok, err)
	}
	res, _ := SUnion([]SetRef{x, y})
	tb.SStore([]byte("u"), res)
	if err := ta.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := tb.Commit(); err != nil {
		t.Fatal(err)
	}
	hsRead(t, a, func(tx *Tx) error {
		if ms, _ := tx.SMembers([]byte("x")); !slices.Equal(strs(ms), []string{"2", "3"}) {
			t.Errorf("x = %q", strs(ms))
		}
		return nil
	})
	hsRead(t, b, func(tx *Tx) error {
		if ms, _ := tx.SMembers([]byte("y")); !slices.Equal(strs(ms), []string{"1", "2", "3", "4"}) {
			t.Errorf("y = %q", strs(ms))
		}
		if ms, _ := tx.SMembers([]byte("u")); !slices.Equal(strs(ms), []string{"1", "2", "3", "4"}) {
			t.Errorf("u = %q", strs(ms))
		}
		return nil
	})
}

// hsFill adds n members "m0".. to the set at key in one transaction.
func hsFill(tb testing.TB, s *Store, key string, n int) {
	tb.Helper()
	hsWrite(tb, s, func(tx *Tx) error {
		batch := make([][]byte, 0, 1000)
		for i := 0; i < n; i++ {
			batch = append(batch, []byte(fmt.Sprintf("m%d", i)))
			if len(batch) == cap(batch) || i == n-1 {
				if _, err := tx.SAdd([]byte(key), batch); err != nil {
					return err
				}
				batch = batch[:0]
			}
		}
		return nil
	})
}

// checkDistinctMembers fails unless got holds want distinct members of "m0".."m<n-1>".
func checkDistinctMembers(t *testing.T, what string, got [][]byte, want, n int) {
	t.Helper()
	seen := map[string]bool{}
	for _, m := range got {
		var i int
		if _, err := fmt.Sscanf(string(m), "m%d", &i); err != nil || i < 0 || i >= n {
			t.Errorf("%s: %q is not a member", what, m)
		}
		if seen[string(m)] {
			t.Errorf("%s: %q repeated", what, m)
		}
		seen[string(m)] = true
	}
	if len(got) != want {
		t.Errorf("%s: %d members, want %d", what, len(got), want)
	}
}

// TestSetRandom covers SRANDMEMBER and SPOP on a small set (read whole)
// and on larger ones (sampled by hash seeks), with every count path.
func TestSetRandom(t *testing.T) {
	s := hsStore(t, "random.db")
	for _, n := range []int{1, 10, smallCollection, 2000} {
		key := fmt.Sprintf("s%d", n)
		hsFill(t, s, key, n)
		k := []byte(key)
		hsRead(t, s, func(tx *Tx) error {
			for _, count := range []int64{1, 5, int64(n) / 4, int64(n)/3 + 1, int64(n) - 1, int64(n), int64(n) + 1, 1 << 40} {
				if count <= 0 {
					continue
				}
				got, err := tx.SRandMember(k, count)
				if err != nil {
					t.Fatal(err)
				}
				checkDistinctMembers(t, fmt.Sprintf("SRandMember(%s, %d)", key, count), got, int(min(count, int64(n))), n)
			}
			for _, count := range []int64{-1, -5, -int64(n), -3 * int64(n)} {
				got, _ := tx.SRandMember(k, count)
				if int64(len(got)) != -count {
					t.Errorf("SRandMember(%s, %d): %d members", key, count, len(got))
				}
				for _, m := range got {
					if ok, _ := tx.SIsMember(k, m); !ok {
						t.Errorf("SRandMember(%s, %d): %q is not a member", key, count, m)
					}
				}
			}
			if got, _ := tx.SRandMember(k, 0); len(got) != 0 {
				t.Errorf("SRandMember(0) = %q", got)
			}
			return nil
		})
	}
	for _, k := range []string{"nokey"} {
		hsRead(t, s, func(tx *Tx) error {
			if got, err := tx.SRandMember([]byte(k), 5); len(got) != 0 || err != nil {
				t.Errorf("SRandMember(nokey) = %q, %v", got, err)
			}
			return nil
		})
	}

	// Uniformity of a small set: each of 10 members about 1000 times in 10000.
	hsRead(t, s, func(tx *Tx) error {
		got, _ := tx.SRandMember([]byte("s10"), -10000)
		hist := map[string]int{}
		for _, m := range got {
			hist[string(m)]++
		}
		for m, c := range hist {
			if c < 800 || c > 1200 {
				t.Errorf("member %s picked %d times in 10000 (10 members)", m, c)
			}
		}
		return nil
	})

	// SPOP removes what it returns; popping everything deletes the key.
	k := []byte("s2000")
	var popped [][]byte
	for _, count := range []int64{1, 10, 700, 100} {
		hsWrite(t, s, func(tx *Tx) error {
			got, err := tx.SPop(k, count)
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(got)) != count {
				t.Errorf("SPop(%d) popped %d", count, len(got))
			}
			popped = append(popped, got...)
			return nil
		})
	}
	checkDistinctMembers(t, "all popped", popped, 811, 2000)
	hsRead(t, s, func(tx *Tx) error {
		if n, _ := tx.SCard(k); n != 2000-811 {
			t.Errorf("SCard after pops = %d", n)
		}
		in, _ := tx.SMIsMember(k, popped)
		if slices.Contains(in, true) {
			t.Error("a popped member is still in the set")
		}
		ms, _ := tx.SMembers(k)
		if len(ms) != 2000-811 {
			t.Errorf("SMembers after pops: %d", len(ms))
		}
		return nil
	})
	hsWrite(t, s, func(tx *Tx) error {
		if got, _ := tx.SPop(k, 0); len(got) != 0 {
			t.Errorf("SPop(0) = %q", got)
		}
		got, _ := tx.SPop(k, 1<<40)
		if len(got) != 2000-811 || tx.Exists(k) {
			t.Errorf("SPop(all) = %d members, exists %v", len(got), tx.Exists(k))
		}
		if got, err := tx.SPop(k, 1); len(got) != 0 || err != nil {
			t.Errorf("SPop(missing) = %q, %v", got, err)
		}
		return nil
	})
}

// TestSetRandomUniform checks that random picks from a set and a sorted set
// too large to read whole are close to uniform: every member is picked, and
// the counts spread little more than chance alone would (a pick on a single
// hash gap gives a relative deviation of 2.4 on these names, and misses
// members). A sorted set's picks carry their scores. The pick statements
// must not be re-prepared on each call.
func TestSetRandomUniform(t *testing.T) {
	for _, tbl := range []*memberTable{&setTable, &hashTable, &zsetTable} {
		if !strings.HasSuffix(tbl.pick, fmt.Sprintf(" LIMIT %d", randomSpread)) {
			t.Errorf("pick statement %q does not take randomSpread rows", tbl.pick)
		}
		if len(tbl.pickAt) != randomSpread {
			t.Fatalf("%d pickAt statements, want %d", len(tbl.pickAt), randomSpread)
		}
		for k, q := range tbl.pickAt {
			if want := fmt.Sprintf(" LIMIT 1 OFFSET %d", k); !strings.HasSuffix(q, want) || strings.TrimSuffix(q, want) != strings.TrimSuffix(tbl.pick, fmt.Sprintf(" LIMIT %d", randomSpread)) {
				t.Errorf("pickAt[%d] = %q, want pick's rows with%s", k, q, want)
			}
		}
	}
	const n, rounds, per = 3000, 100, 1000
	s := hsStore(t, "uniform.db")
	hsFill(t, s, "s", n)
	hsWrite(t, s, func(tx *Tx) error {
		ms := make([]ZMember, n)
		for i := range ms {
			ms[i] = ZMember{[]byte(fmt.Sprintf("m%d", i)), float64(i) + 0.5}
		}
		_, _, _, err := tx.ZAdd([]byte("z"), ms, ZAddArgs{})
		return err
	})
	picks := map[string]func(tx *Tx) ([][]byte, error){
		"SRANDMEMBER": func(tx *Tx) ([][]byte, error) { return tx.SRandMember([]byte("s"), -per) },
		"ZRANDMEMBER": func(tx *Tx) ([][]byte, error) {
			zs, err := tx.ZRandMember([]byte("z"), -per)
			out := make([][]byte, len(zs))
			for i, z := range zs {
				if want := fmt.Sprintf("m%v", z.Score-0.5); string(z.Member) != want {
					return nil, fmt.Errorf("ZRANDMEMBER returned %s with score %v", z.Member, z.Score)
				}
				out[i] = z.Member
			}
			return out, err
		},
	}
	for name, pick := range picks {
		hsRead(t, s, func(tx *Tx) error {
			hsSteps(tx)
			hist := map[string]int{}
			for range rounds {
				got, err := pick(tx)
				if err != nil || len(got) != per {
					t.Fatalf("%s: %d members, %v", name, len(got), err)
				}
				for _, m := range got {
					hist[string(m)]++
				}
			}
			mean := float64(rounds*per) / n
			var sum2 float64
			for i := range n {
				d := float64(hist[fmt.Sprintf("m%d", i)]) - mean
				sum2 += d * d
			}
			dev := math.Sqrt(sum2/n) / mean
			t.Logf("%s: %d picks over %d members: relative deviation %.3f (chance alone: %.3f)", name, rounds*per, n, dev, 1/math.Sqrt(mean))
			if len(hist) != n || dev > 0.3 {
				t.Errorf("%s: %d picks over %d members: %d members picked, relative deviation %.3f (chance alone: %.3f)",
					name, rounds*per, n, len(hist), dev, 1/math.Sqrt(mean))
			}
			for sql, st := range tx.c.stmts {
				if r := st.Status(sqlite3.STMTSTATUS_REPREPARE, false); r > 1 {
					t.Errorf("%s re-prepared %d times", sql, r)
				}
			}
			return nil
		})
	}
	// Distinct picks of a sorted set: by random seeks (500) and, for over a
	// third of it, the whole set shuffled (2,000); each with its score.
	hsRead(t, s, func(tx *Tx) error {
		for _, count := range []int64{500, 2000} {
			zs, err := tx.ZRandMember([]byte("z"), count)
			seen := map[string]bool{}
			for _, z := range zs {
				if want := fmt.Sprintf("m%v", z.Score-0.5); string(z.Member) != want || seen[want] {
					t.Errorf("ZRANDMEMBER z %d: %s with score %v (repeated: %v)", count, z.Member, z.Score, seen[want])
				}
				seen[string(z.Member)] = true
			}
			if err != nil || int64(len(zs)) != count {
				t.Errorf("ZRANDMEMBER z %d: %d members, %v", count, len(zs), err)
			}
		}
		return nil
	})
}

// TestSetFillRows checks the fallback of distinct random picks: it tops
// up the picks already made with unseen members, wrapping around the hash
// order, whatever the random starting point.
func TestSetFillRows(t *testing.T) {
	s := hsStore(t, "fill.db")
	hsFill(t, s, "s", 1000)
	hsRead(t, s, func(tx *Tx) error {
		m, _, _ := tx.lookupType([]byte("s"), TypeSet)
		for round := range 50 {
			seen := map[string]bool{}
			var out []memberRow
			for _, r := range tx.randomRows(&setTable, m, 100+int64(round), true) {
				seen[string(r.key)] = true
				out = append(out, r)
			}
			got := tx.fillRows(&setTable, m.ID, 330, seen, out)
			checkDistinctMembers(t, "fillRows", keysOf(got), 330, 1000)
			if !slices.EqualFunc(got[:len(out)], out, func(a, b memberRow) bool { return string(a.key) == string(b.key) }) {
				t.Fatal("fillRows changed the picks it was given")
			}
		}
		return nil
	})
}

// TestSetScan checks that SSCAN visits every member exactly once whatever
// COUNT is, filters with MATCH, and returns a small set whole.
func TestSetScan(t *testing.T) {
	s := hsStore(t, "scan.db")
	hsFill(t, s, "big", 1000)
	hsFill(t, s, "small", 5)
	hsRead(t, s, func(tx *Tx) error {
		for _, count := range []int64{1, 7, 100, 5000} {
			var all [][]byte
			calls := 0
			for cursor := int64(0); ; calls++ {
				ms, next, err := tx.SScan([]byte("big"), cursor, count, nil)
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, ms...)
				if next == 0 {
					break
				}
				if next <= cursor {
					t.Fatalf("cursor went from %d to %d", cursor, next)
				}
				cursor = next
			}
			checkDistinctMembers(t, fmt.Sprintf("SScan count %d", count), all, 1000, 1000)
			if count == 7 && calls < 100 {
				t.Errorf("SScan with COUNT 7 took only %d calls", calls)
			}
		}
		ms, next, _ := tx.SScan([]byte("big"), 0, 2000, func(m []byte) bool { return Match([]byte("m1*"), m, false) })
		if next != 0 || len(ms) != 111 {
			t.Errorf("SScan MATCH m1* = %d members, next %d; want 111, 0", len(ms), next)
		}
		if ms, next, _ := tx.SScan([]byte("small"), 0, 1, nil); len(ms) != 5 || next != 0 {
			t.Errorf("SScan of a small set = %d members, next %d; want 5, 0", len(ms), next)
		}
		if ms, next, _ := tx.SScan([]byte("big"), maxScanHash+1, 10, nil); len(ms) != 0 || next != 0 {
			t.Errorf("SScan past the last hash = %q, %d", ms, next)
		}
		if ms, next, err := tx.SScan([]byte("nokey"), 0, 10, nil); len(ms) != 0 || next != 0 || err != nil {
			t.Errorf("SScan(nokey) = %q, %d, %v", ms, next, err)
		}
		return nil
	})
}

// hsSteps returns and resets the SQLite work done by every cached
// statement of tx's connection: virtual machine steps, full-scan steps and
// sorts.
func hsSteps(tx *Tx) (vm, fullscan, sorts int) {
	if tx.c == nil {
		tx.open()
	}
	for _, st := range tx.c.stmts {
		vm += st.Status(sqlite3.STMTSTATUS_VM_STEP, true)
		fullscan += st.Status(sqlite3.STMTSTATUS_FULLSCAN_STEP, true)
		sorts += st.Status(sqlite3.STMTSTATUS_SORT, true)
	}
	return
}

// hsPlan returns SQLite's query plan for sql.
func hsPlan(tb testing.TB, tx *Tx, sql string, nargs int) string {
	tb.Helper()
	st, _, err := tx.c.c.Prepare("EXPLAIN QUERY PLAN " + sql)
	if err != nil {
		tb.Fatalf("prepare %q: %v", sql, err)
	}
	defer st.Close()
	for i := 1; i <= nargs; i++ {
		st.BindInt64(i, 1)
	}
	var b strings.Builder
	for st.Step() {
		b.WriteString(st.ColumnText(3) + "; ")
	}
	return b.String()
}

// checkPlans fails if a statement would scan a table or sort instead of
// searching the primary key in order.
func checkPlans(t *testing.T, tx *Tx, sqls map[string]int) {
	t.Helper()
	for sql, nargs := range sqls {
		plan := hsPlan(t, tx, sql, nargs)
		if !strings.Contains(plan, "USING PRIMARY KEY") || strings.Contains(plan, "SCAN") || strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("%s\n  plan: %s", sql, plan)
		}
	}
}

// TestSetLargeIndexed builds a 100k-member set and checks that the O(1)
// and O(log n) operations stay so: their statements search the primary key
// (EXPLAIN QUERY PLAN) and the SQLite work they do is tiny compared with
// the set's size (statement step counters), so nothing reads the set whole.
func TestSetLargeIndexed(t *testing.T) {
	const n = 100_000
	s := hsStore(t, "large.db")
	hsFill(t, s, "big", n)
	k := []byte("big")
	tx := s.Exclusive(0)
	defer tx.Rollback()
	checkPlans(t, tx, map[string]int{
		setTable.from: 3, setTable.rest: 3, setTable.all: 1, setTable.pick: 2, setTable.pickAt[randomSpread-1]: 2,
		zsetTable.all: 1, zsetTable.pick: 2, zsetTable.pickAt[0]: 2, zsetTable.pickAt[randomSpread-1]: 2,
		"SELECT 1 FROM sets WHERE id=? AND h=? AND member=?":    3,
		"DELETE FROM sets WHERE id=? AND h=? AND member=?":      3,
		"SELECT member FROM sets WHERE id=? ORDER BY h, member": 1,
	})
	hsSteps(tx)
	ops := []struct {
		name string
		fn   func() int // returns the number of members involved
	}{
		{"SISMEMBER", func() int { tx.SIsMember(k, []byte("m777")); return 1 }},
		{"SMISMEMBER x3", func() int { tx.SMIsMember(k, bs("m1", "m2", "zz")); return 3 }},
		{"SCARD", func() int { tx.SCard(k); return 1 }},
		{"SRANDMEMBER", func() int { tx.SRandMember(k, 1); return 1 }},
		{"SRANDMEMBER 10", func() int { tx.SRandMember(k, 10); return 10 }},
		{"SRANDMEMBER -10", func() int { tx.SRandMember(k, -10); return 10 }},
		{"SRANDMEMBER 1000", func() int { tx.SRandMember(k, 1000); return 1000 }},
		{"SPOP", func() int { tx.SPop(k, 1); return 1 }},
		{"SPOP 10", func() int { tx.SPop(k, 10); return 10 }},
		{"SADD", func() int { tx.SAdd(k, bs("new")); return 1 }},
		{"SREM", func() int { tx.SRem(k, bs("new")); return 1 }},
		{"SSCAN 10", func() int { _, next, _ := tx.SScan(k, 1<<31, 10, nil); return 10 + int(next&0) }},
	}
	for _, op := range ops {
		m := op.fn()
		vm, full, sorts := hsSteps(tx)
		// A primary-key search costs tens of VM steps and a random pick a
		// few hundred (it steps over up to randomSpread rows); reading the
		// set would cost about 600,000.
		if vm > 400*m+400 || full != 0 || sorts != 0 {
			t.Errorf("%s on %d members: %d VM steps, %d full-scan steps, %d sorts", op.name, n, vm, full, sorts)
		}
	}
	if c, _ := tx.SCard(k); c != n-11 {
		t.Errorf("SCard = %d, want %d", c, n-11)
	}
}

package engine

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

// TestHashBasics covers HSET, HSETNX, HGET, HMGET, HDEL, HEXISTS, HLEN,
// HSTRLEN and HGETALL, the deletion of an emptied hash and WRONGTYPE.
func TestHashBasics(t *testing.T) {
	s := hsStore(t, "hashes.db")
	k := []byte("h")
	hsWrite(t, s, func(tx *Tx) error {
		if n, err := tx.HSet(k, bs("a", "1", "b", "2", "a", "3")); n != 2 || err != nil {
			t.Errorf("HSet = %d, %v; want 2", n, err)
		}
		if n, _ := tx.HSet(k, bs("b", "22", "c", "")); n != 1 {
			t.Errorf("HSet = %d; want 1", n)
		}
		if ok, _ := tx.HSetNX(k, []byte("a"), []byte("x")); ok {
			t.Error("HSetNX on an existing field = true")
		}
		if ok, _ := tx.HSetNX(k, []byte("d"), []byte("4")); !ok {
			t.Error("HSetNX on a new field = false")
		}
		if ok, _ := tx.HSetNX([]byte("h2"), []byte("f"), []byte("v")); !ok {
			t.Error("HSetNX on a new key = false")
		}
		return nil
	})
	hsRead(t, s, func(tx *Tx) error {
		for f, want := range map[string]string{"a": "3", "b": "22", "c": "", "d": "4"} {
			v, ok, err := tx.HGet(k, []byte(f))
			if !ok || err != nil || string(v) != want || v == nil {
				t.Errorf("HGet %s = %q, %v, %v; want %q", f, v, ok, err, want)
			}
		}
		if _, ok, _ := tx.HGet(k, []byte("zz")); ok {
			t.Error("HGet zz found")
		}
		if _, ok, err := tx.HGet([]byte("nokey"), []byte("a")); ok || err != nil {
			t.Errorf("HGet nokey = %v, %v", ok, err)
		}
		vals, _ := tx.HMGet(k, bs("c", "zz", "a"))
		if vals[0] == nil || len(vals[0]) != 0 || vals[1] != nil || string(vals[2]) != "3" {
			t.Errorf("HMGet = %q (nil: %v %v %v)", vals, vals[0] == nil, vals[1] == nil, vals[2] == nil)
		}
		if vals, _ := tx.HMGet([]byte("nokey"), bs("a", "b")); len(vals) != 2 || vals[0] != nil || vals[1] != nil {
			t.Errorf("HMGet nokey = %q", vals)
		}
		if n, _ := tx.HLen(k); n != 4 {
			t.Errorf("HLen = %d", n)
		}
		if n, _ := tx.HStrLen(k, []byte("b")); n != 2 {
			t.Errorf("HStrLen b = %d", n)
		}
		if n, _ := tx.HStrLen(k, []byte("zz")); n != 0 {
			t.Errorf("HStrLen zz = %d", n)
		}
		if ok, _ := tx.HExists(k, []byte("c")); !ok {
			t.Error("HExists c = false")
		}
		if ok, _ := tx.HExists(k, []byte("zz")); ok {
			t.Error("HExists zz = true")
		}
		fields, vals, _ := tx.HGetAll(k)
		got := map[string]string{}
		for i := range fields {
			got[string(fields[i])] = string(vals[i])
		}
		if len(fields) != 4 || got["a"] != "3" || got["b"] != "22" || got["c"] != "" || got["d"] != "4" {
			t.Errorf("HGetAll = %q", got)
		}
		if f, v, err := tx.HGetAll([]byte("nokey")); len(f) != 0 || len(v) != 0 || err != nil {
			t.Errorf("HGetAll nokey = %q %q %v", f, v, err)
		}
		return nil
	})
	hsWrite(t, s, func(tx *Tx) error {
		if n, _ := tx.HDel(k, bs("a", "a", "zz")); n != 1 {
			t.Errorf("HDel = %d, want 1", n)
		}
		if n, _ := tx.HDel([]byte("nokey"), bs("a")); n != 0 {
			t.Errorf("HDel nokey = %d", n)
		}
		if n, _ := tx.HDel(k, bs("b", "c", "d")); n != 3 || tx.Exists(k) {
			t.Errorf("HDel all = %d, exists %v", n, tx.Exists(k))
		}
		return nil
	})
	if n := hsKeys(t, s); n != 1 {
		t.Errorf("keys = %d, want 1 (h2)", n)
	}

	str := []byte("str")
	hsWrite(t, s, func(tx *Tx) error { tx.SetString(str, []byte("v"), 0); return nil })
	f := []byte("f")
	for name, op := range map[string]func(tx *Tx) error{
		"HSet":         func(tx *Tx) error { _, err := tx.HSet(str, bs("a", "b")); return err },
		"HSetNX":       func(tx *Tx) error { _, err := tx.HSetNX(str, f, f); return err },
		"HGet":         func(tx *Tx) error { _, _, err := tx.HGet(str, f); return err },
		"HMGet":        func(tx *Tx) error { _, err := tx.HMGet(str, bs("a")); return err },
		"HDel":         func(tx *Tx) error { _, err := tx.HDel(str, bs("a")); return err },
		"HExists":      func(tx *Tx) error { _, err := tx.HExists(str, f); return err },
		"HLen":         func(tx *Tx) error { _, err := tx.HLen(str); return err },
		"HStrLen":      func(tx *Tx) error { _, err := tx.HStrLen(str, f); return err },
		"HGetAll":      func(tx *Tx) error { _, _, err := tx.HGetAll(str); return err },
		"HIncrBy":      func(tx *Tx) error { _, err := tx.HIncrBy(str, f, 1); return err },
		"HIncrByFloat": func(tx *Tx) error { _, err := tx.HIncrByFloat(str, f, "1"); return err },
		"HRandField":   func(tx *Tx) error { _, _, err := tx.HRandField(str, 0); return err },
		"HScan":        func(tx *Tx) error { _, _, _, err := tx.HScan(str, 0, 10, nil); return err },
	} {
		if err := hsWrite(t, s, op); !errors.Is(err, ErrWrongType) {
			t.Errorf("%s on a string: %v, want ErrWrongType", name, err)
		}
	}
	if v, ok := getHS(t, s, "str"); !ok || v != "v" {
		t.Errorf("the string changed: %q, %v", v, ok)
	}
}

// TestHashIncr covers HINCRBY and HINCRBYFLOAT results and errors, checked
// against redis-server 7.0; an error changes nothing.
func TestHashIncr(t *testing.T) {
	s := hsStore(t, "incr.db")
	k := []byte("h")
	hsWrite(t, s, func(tx *Tx) error {
		tx.HSet(k, bs("s", "abc", "z", "007", "e", "", "sp", " 1", "max", "9223372036854775807",
			"min", "-9223372036854775808", "inf", "inf", "f", "1.5"))
		return nil
	})
	ints := []struct {
		field string
		by    int64
		want  int64
		err   error
	}{
		{"new", 5, 5, nil},
		{"new", -10, -5, nil},
		{"s", 1, 0, ErrNotInteger},
		{"z", 1, 0, ErrNotInteger},
		{"e", 1, 0, ErrNotInteger},
		{"sp", 1, 0, ErrNotInteger},
		{"f", 1, 0, ErrNotInteger},
		{"max", 1, 0, ErrOverflow},
		{"max", -1, 9223372036854775806, nil},
		{"min", -1, 0, ErrOverflow},
		{"min", 0, -9223372036854775808, nil},
	}
	for _, c := range ints {
		var n int64
		err := hsWrite(t, s, func(tx *Tx) (err error) { n, err = tx.HIncrBy(k, []byte(c.field), c.by); return })
		if n != c.want || !errors.Is(err, c.err) {
			t.Errorf("HIncrBy %s %d = %d, %v; want %d, %v", c.field, c.by, n, err, c.want, c.err)
		}
	}
	floats := []struct {
		field, by, want string
		err             error
	}{
		{"fl", "1.5", "1.5", nil},
		{"fl", "0.1", "1.6", nil},
		{"fl", "-1.6", "0", nil},
		{"fl2", "5.0e3", "5000", nil},
		{"fl2", "0.1", "5000.10000000000000009", nil},
		{"fl3", "1e-20", "0", nil},
		{"s", "1", "", ErrNotFloat},
		{"e", "1", "", ErrNotFloat},
		{"sp", "1", "", ErrNotFloat},
		{"z", "1", "8", nil},
		{"inf", "1", "", ErrNaNOrInf},
		{"f", "abc", "", ErrNotFloat},
		{"big", "1e4931", "", nil}, // 4932 digits, checked below
	}
	for _, c := range floats {
		var v string
		err := hsWrite(t, s, func(tx *Tx) (err error) { v, err = tx.HIncrByFloat(k, []byte(c.field), c.by); return })
		if c.field == "big" {
			if err != nil || len(v) != 4932 {
				t.Errorf("HIncrByFloat big 1e4931 = %d digits, %v", len(v), err)
			}
			continue
		}
		if v != c.want || !errors.Is(err, c.err) {
			t.Errorf("HIncrByFloat %s %s = %q, %v; want %q, %v", c.field, c.by, v, err, c.want, c.err)
		}
	}
	// Past the long double range: an error, and the value is kept.
	err := hsWrite(t, s, func(tx *Tx) error { _, err := tx.HIncrByFloat(k, []byte("big"), "1.18e4932"); return err })
	if !errors.Is(err, ErrNaNOrInf) {
		t.Errorf("HIncrByFloat overflow: %v", err)
	}
	hsRead(t, s, func(tx *Tx) error {
		for f, want := range map[string]string{"new": "-5", "max": "9223372036854775806", "s": "abc", "z": "8", "fl": "0", "inf": "inf"} {
			if v, _, _ := tx.HGet(k, []byte(f)); string(v) != want {
				t.Errorf("%s = %q, want %q", f, v, want)
			}
		}
		if v, _, _ := tx.HGet(k, []byte("big")); len(v) != 4932 {
			t.Errorf("big changed: %d digits", len(v))
		}
		return nil
	})
	// A missing key is created by HINCRBY/HINCRBYFLOAT, and not by a failing one.
	hsWrite(t, s, func(tx *Tx) error {
		if n, err := tx.HIncrBy([]byte("k2"), []byte("f"), 3); n != 3 || err != nil {
			t.Errorf("HIncrBy new key = %d, %v", n, err)
		}
		if v, err := tx.HIncrByFloat([]byte("k3"), []byte("f"), "2.5"); v != "2.5" || err != nil {
			t.Errorf("HIncrByFloat new key = %q, %v", v, err)
		}
		if _, err := tx.HIncrByFloat([]byte("k4"), []byte("f"), "inf"); !errors.Is(err, ErrNaNOrInf) || tx.Exists([]byte("k4")) {
			t.Errorf("HIncrByFloat inf on a new key: %v, exists %v", err, tx.Exists([]byte("k4")))
		}
		if n, _ := tx.HLen([]byte("k2")); n != 1 {
			t.Errorf("HLen k2 = %d", n)
		}
		return nil
	})
}

// hsFillHash sets n fields "f0".. with values "v0".. in one transaction.
func hsFillHash(tb testing.TB, s *Store, key string, n int) {
	tb.Helper()
	hsWrite(tb, s, func(tx *Tx) error {
		pairs := make([][]byte, 0, 2000)
		for i := 0; i < n; i++ {
			pairs = append(pairs, []byte(fmt.Sprintf("f%d", i)), []byte(fmt.Sprintf("v%d", i)))
			if len(pairs) == cap(pairs) || i == n-1 {
				if _, err := tx.HSet([]byte(key), pairs); err != nil {
					return err
				}
				pairs = pairs[:0]
			}
		}
		return nil
	})
}

// checkFieldValues fails unless fields are distinct (when distinct) fields
// "f<i>" of a hash of n fields, each with its value "v<i>".
func checkFieldValues(t *testing.T, what string, fields, vals [][]byte, want, n int, distinct bool) {
	t.Helper()
	if len(fields) != want || len(vals) != want {
		t.Errorf("%s: %d fields, %d values; want %d", what, len(fields), len(vals), want)
	}
	seen := map[string]bool{}
	for i := range min(len(fields), len(vals)) {
		var j int
		if _, err := fmt.Sscanf(string(fields[i]), "f%d", &j); err != nil || j < 0 || j >= n || string(vals[i]) != fmt.Sprintf("v%d", j) {
			t.Errorf("%s: %q=%q is not a field of the hash", what, fields[i], vals[i])
		}
		if distinct && seen[string(fields[i])] {
			t.Errorf("%s: %q repeated", what, fields[i])
		}
		seen[string(fields[i])] = true
	}
}

// TestHashRandomAndScan covers HRANDFIELD with every count path and HSCAN
// paging, on a small and a large hash.
func TestHashRandomAndScan(t *testing.T) {
	s := hsStore(t, "hrand.db")
	for _, n := range []int{1, 50, 3000} {
		key := fmt.Sprintf("h%d", n)
		hsFillHash(t, s, key, n)
		k := []byte(key)
		hsRead(t, s, func(tx *Tx) error {
			for _, count := range []int64{1, 7, int64(n)/3 + 1, int64(n), 1 << 40} {
				f, v, err := tx.HRandField(k, count)
				if err != nil {
					t.Fatal(err)
				}
				checkFieldValues(t, fmt.Sprintf("HRandField(%s, %d)", key, count), f, v, int(min(count, int64(n))), n, true)
			}
			for _, count := range []int64{-1, -7, -2 * int64(n)} {
				f, v, _ := tx.HRandField(k, count)
				checkFieldValues(t, fmt.Sprintf("HRandField(%s, %d)", key, count), f, v, int(-count), n, false)
			}
			if f, _, _ := tx.HRandField(k, 0); len(f) != 0 {
				t.Errorf("HRandField 0 = %q", f)
			}
			var fields, vals [][]byte
			for cursor := int64(0); ; {
				f, v, next, err := tx.HScan(k, cursor, 13, nil)
				if err != nil {
					t.Fatal(err)
				}
				fields, vals = append(fields, f...), append(vals, v...)
				if next == 0 {
					break
				}
				cursor = next
			}
			checkFieldValues(t, "HScan "+key, fields, vals, n, n, true)
			return nil
		})
	}
	hsRead(t, s, func(tx *Tx) error {
		if f, _, err := tx.HRandField([]byte("nokey"), 3); len(f) != 0 || err != nil {
			t.Errorf("HRandField nokey = %q, %v", f, err)
		}
		f, v, next, _ := tx.HScan([]byte("h3000"), 0, 5000, func(b []byte) bool { return Match([]byte("f2??"), b, false) })
		if next != 0 || len(f) != 100 {
			t.Errorf("HScan MATCH f2?? = %d fields, next %d", len(f), next)
		}
		checkFieldValues(t, "HScan MATCH", f, v, 100, 3000, true)
		return nil
	})
}

// TestHashLargeIndexed checks on a 100k-field hash that the O(1) hash
// operations search the primary key and do little work.
func TestHashLargeIndexed(t *testing.T) {
	const n = 100_000
	s := hsStore(t, "hlarge.db")
	hsFillHash(t, s, "big", n)
	k := []byte("big")
	tx := s.Exclusive(0)
	defer tx.Rollback()
	checkPlans(t, tx, map[string]int{
		hashTable.from: 3, hashTable.rest: 3, hashTable.all: 1, hashTable.pick: 2, hashTable.pickAt[randomSpread-1]: 2,
		"SELECT val FROM hashes WHERE id=? AND h=? AND field=?":                       3,
		"SELECT 1 FROM hashes WHERE id=? AND h=? AND field=?":                         3,
		"SELECT length(CAST(val AS BLOB)) FROM hashes WHERE id=? AND h=? AND field=?": 3,
		"UPDATE hashes SET val=? WHERE id=? AND h=? AND field=?":                      4,
		"DELETE FROM hashes WHERE id=? AND h=? AND field=?":                           3,
	})
	hsSteps(tx)
	f := []byte("f4242")
	ops := []struct {
		name string
		m    int
		fn   func()
	}{
		{"HGET", 1, func() { tx.HGet(k, f) }},
		{"HMGET x3", 3, func() { tx.HMGet(k, bs("f1", "f2", "zz")) }},
		{"HEXISTS", 1, func() { tx.HExists(k, f) }},
		{"HSTRLEN", 1, func() { tx.HStrLen(k, f) }},
		{"HLEN", 1, func() { tx.HLen(k) }},
		{"HSET", 1, func() { tx.HSet(k, bs("f4242", "x")) }},
		{"HSET new", 1, func() { tx.HSet(k, bs("new", "x")) }},
		{"HSETNX", 1, func() { tx.HSetNX(k, f, f) }},
		{"HINCRBY", 1, func() { tx.HIncrBy(k, []byte("n"), 1) }},
		{"HINCRBYFLOAT", 1, func() { tx.HIncrByFloat(k, []byte("n"), "1.5") }},
		{"HDEL", 1, func() { tx.HDel(k, bs("new")) }},
		{"HRANDFIELD", 1, func() { tx.HRandField(k, 1) }},
		{"HRANDFIELD 10", 10, func() { tx.HRandField(k, 10) }},
		{"HRANDFIELD -10", 10, func() { tx.HRandField(k, -10) }},
		{"HSCAN 10", 10, func() { tx.HScan(k, 1<<31, 10, nil) }},
	}
	for _, op := range ops {
		op.fn()
		vm, full, sorts := hsSteps(tx)
		if vm > 400*op.m+400 || full != 0 || sorts != 0 {
			t.Errorf("%s on %d fields: %d VM steps, %d full-scan steps, %d sorts", op.name, n, vm, full, sorts)
		}
	}
	if c, _ := tx.HLen(k); c != n+1 {
		t.Errorf("HLen = %d, want %d", c, n+1)
	}
	if v, _, _ := tx.HGet(k, []byte("n")); !slices.Equal(v, []byte("2.5")) {
		t.Errorf("n = %q", v)
	}
}

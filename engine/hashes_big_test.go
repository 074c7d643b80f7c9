package engine

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// TestBigHashValues runs random hash operations with values on both sides
// of bigStringAt against a model, with and without the key cache, checking
// after every step every field, HSTRLEN, a random field and a scan, and
// that strs holds exactly the values that rows point at (a copy of the hash
// made by COPY included); then again after a reopen, a FLUSHDB and a
// FLUSHALL.
func TestBigHashValues(t *testing.T) {
	withAndWithoutCache(t, func(t *testing.T, s *Store, reopen func() *Store, cache int64) {
		rng := rand.New(rand.NewPCG(11, uint64(cache)))
		fields := [][]byte{[]byte("f"), []byte("g2"), bytes.Repeat([]byte("h"), 300), []byte("n")}
		// Values whose size with field "f" is exactly bigStringAt, one more,
		// and the rest small or large.
		vals := [][]byte{{}, []byte("v"), bytes.Repeat([]byte("a"), bigStringAt-1), bytes.Repeat([]byte("b"), bigStringAt),
			bytes.Repeat([]byte("c"), 3000), bytes.Repeat([]byte("d"), maxEntryVal+1)}
		field := func() []byte { return fields[rng.IntN(len(fields))] }
		val := func() []byte { return vals[rng.IntN(len(vals))] }
		model := map[string][]byte{}
		key, copyKey := []byte("h"), []byte("hcopy")
		copied := false
		bigIn := func(m map[string][]byte) (n int64) {
			for f, v := range m {
				if bigString([]byte(f), v) {
					n++
				}
			}
			return n
		}
		check := func(step int, op string) {
			t.Helper()
			var fs, vs [][]byte
			var lens []int64
			var scanned int
			if err := s.Read(0, func(tx *Tx) (err error) {
				if fs, vs, err = tx.HGetAll(key); err != nil {
					return err
				}
				for _, f := range fields {
					n, err := tx.HStrLen(key, f)
					if err != nil {
						return err
					}
					lens = append(lens, n)
				}
				if len(model) > 0 {
					rf, rv, err := tx.HRandField(key, 1)
					if err != nil || len(rf) != 1 || !bytes.Equal(model[string(rf[0])], rv[0]) {
						return fmt.Errorf("HRANDFIELD gave %d fields, err %v, value matches: %v", len(rf), err, len(rf) == 1 && bytes.Equal(model[string(rf[0])], rv[0]))
					}
				}
				_, sv, _, err := tx.HScan(key, 0, 10, func([]byte) bool { return true })
				scanned = len(sv)
				return err
			}); err != nil {
				t.Fatalf("step %d (%s): %v", step, op, err)
			}
			got := map[string][]byte{}
			for i := range fs {
				got[string(fs[i])] = vs[i]
			}
			if !maps.EqualFunc(got, model, bytes.Equal) {
				t.Fatalf("step %d (%s): hash has %d fields, the model %d (or a value differs)", step, op, len(got), len(model))
			}
			for i, f := range fields {
				if lens[i] != int64(len(model[string(f)])) {
					t.Fatalf("step %d (%s): HSTRLEN %.8q = %d, want %d", step, op, f, lens[i], len(model[string(f)]))
				}
			}
			if scanned != len(model) {
				t.Fatalf("step %d (%s): HSCAN of a small hash returned %d values, want %d", step, op, scanned, len(model))
			}
			want := bigIn(model)
			if copied {
				want *= 2
			}
			if a := strsAccount(s); a.rows != want || a.fromHashes != want || a.orphans != 0 {
				t.Fatalf("step %d (%s): strs %+v; the model has %d large values", step, op, a, want)
			}
		}
		for step := 0; step < 600; step++ {
			var op string
			mustWrite(t, s, func(tx *Tx) error {
				switch rng.IntN(8) {
				case 0, 1, 2:
					op = "hset"
					f1, v1, f2, v2 := field(), val(), field(), val()
					added, err := tx.HSet(key, [][]byte{f1, v1, f2, v2})
					if err != nil {
						return err
					}
					want := int64(0)
					if _, ok := model[string(f1)]; !ok {
						want++
					}
					model[string(f1)] = v1
					if _, ok := model[string(f2)]; !ok {
						want++
					}
					model[string(f2)] = v2
					if added != want {
						return fmt.Errorf("HSET added %d, want %d", added, want)
					}
				case 3:
					op = "hsetnx"
					f, v := field(), val()
					set, err := tx.HSetNX(key, f, v)
					if err != nil {
						return err
					}
					_, had := model[string(f)]
					if set == had {
						return fmt.Errorf("HSETNX set=%v with the field present=%v", set, had)
					}
					if set {
						model[string(f)] = v
					}
				case 4:
					op = "hdel"
					f1, f2 := field(), field()
					n, err := tx.HDel(key, [][]byte{f1, f2})
					if err != nil {
						return err
					}
					want := int64(0)
					for _, f := range []string{string(f1), string(f2)} {
						if _, ok := model[f]; ok {
							want++
							delete(model, f)
						}
					}
					if n != want {
						return fmt.Errorf("HDEL removed %d, want %d", n, want)
					}
				case 5:
					op = "hincrby"
					f := []byte("n")
					cur, ok := model["n"]
					c, perr := int64(0), error(nil)
					if ok {
						c, perr = strconv.ParseInt(string(cur), 10, 64)
					}
					got, err := tx.HIncrBy(key, f, 3)
					if perr != nil || (ok && len(cur) == 0) {
						if err == nil {
							return fmt.Errorf("HINCRBY of %d bytes succeeded", len(cur))
						}
						return nil
					}
					if err != nil || got != c+3 {
						return fmt.Errorf("HINCRBY = %d, %v; want %d", got, err, c+3)
					}
					model["n"] = []byte(strconv.FormatInt(c+3, 10))
				case 6:
					op = "copy"
					if copied {
						tx.Delete(copyKey)
					}
					copied = tx.CopyTo(key, copyKey, 0, true)
					if copied != (len(model) > 0) {
						return fmt.Errorf("COPY = %v with %d fields", copied, len(model))
					}
					if copied {
						fs, vs, err := tx.HGetAll(copyKey)
						if err != nil || len(fs) != len(model) {
							return fmt.Errorf("the copy has %d fields, err %v", len(fs), err)
						}
						for i := range fs {
							if !bytes.Equal(vs[i], model[string(fs[i])]) {
								return fmt.Errorf("the copy's %.8q differs", fs[i])
							}
						}
					}
				case 7:
					op = "del"
					if rng.IntN(4) == 0 {
						tx.Delete(key)
						clear(model)
					}
				}
				return nil
			})
			if copied && len(model) == 0 {
				// A COPY from an emptied hash keeps its own values; drop it
				// so that the account stays simple.
				mustWrite(t, s, func(tx *Tx) error { tx.Delete(copyKey); return nil })
				copied = false
			}
			if copied && op != "copy" {
				mustWrite(t, s, func(tx *Tx) error { tx.Delete(copyKey); return nil })
				copied = false
			}
			check(step, op)
		}
		finishBigValueRun(t, &s, reopen, check, func() { clear(model) }, func(tx *Tx) error {
			_, err := tx.HSet(key, [][]byte{[]byte("f"), vals[4], []byte("g2"), vals[5]})
			return err
		})
	})
}

// TestHashRefMigrate opens a file of schema version 3, whose hashes table
// has no ref column and whose values are all in their rows: the upgrade
// adds the column, an old large value reads back and is replaced, and new
// large values go to strs.
func TestHashRefMigrate(t *testing.T) {
	s, path := openShardFile(t)
	oldBig := bytes.Repeat([]byte("o"), 2000)
	key := []byte("h")
	mustWrite(t, s, func(tx *Tx) error {
		_, err := tx.HSet(key, [][]byte{[]byte("a"), []byte("1"), []byte("b"), []byte("2")})
		// What version 3 wrote: every value in its row, no ref column.
		tx.exec("UPDATE hashes SET val=? WHERE field=?", oldBig, []byte("b"))
		tx.exec("CREATE TABLE hashes2 (id INTEGER NOT NULL, h INTEGER NOT NULL, field BLOB NOT NULL, val BLOB NOT NULL, PRIMARY KEY (id, h, field)) WITHOUT ROWID")
		tx.exec("INSERT INTO hashes2 SELECT id, h, field, val FROM hashes")
		tx.exec("DROP TABLE hashes")
		tx.exec("ALTER TABLE hashes2 RENAME TO hashes")
		return err
	})
	s = reopenAtVersion(t, s, path, 3)
	defer s.Close()
	if !hasColumn(s.wc.c, "hashes", "ref") {
		t.Fatal("the upgrade did not add hashes.ref")
	}
	newBig := bytes.Repeat([]byte("n"), 3000)
	var fs, vs [][]byte
	var n int64
	mustWrite(t, s, func(tx *Tx) (err error) {
		if n, err = tx.HStrLen(key, []byte("b")); err != nil {
			return err
		}
		if _, err = tx.HSet(key, [][]byte{[]byte("c"), newBig}); err != nil {
			return err
		}
		fs, vs, err = tx.HGetAll(key)
		return err
	})
	got := map[string]string{}
	for i := range fs {
		got[string(fs[i])] = string(vs[i])
	}
	want := map[string]string{"a": "1", "b": string(oldBig), "c": string(newBig)}
	if !maps.Equal(got, want) || n != int64(len(oldBig)) {
		t.Fatalf("after the upgrade: fields %q, HSTRLEN of the old large value %d", slices.Sorted(maps.Keys(got)), n)
	}
	if a := strsAccount(s); a.rows != 1 || a.fromHashes != 1 || a.orphans != 0 {
		t.Fatalf("strs after the upgrade: %+v", a)
	}
	// The old large value, rewritten, moves to strs; small again, it leaves.
	mustWrite(t, s, func(tx *Tx) error { _, err := tx.HSet(key, [][]byte{[]byte("b"), newBig}); return err })
	if a := strsAccount(s); a.rows != 2 || a.fromHashes != 2 || a.orphans != 0 {
		t.Fatalf("strs after rewriting the old value: %+v", a)
	}
	mustWrite(t, s, func(tx *Tx) error { _, err := tx.HSet(key, [][]byte{[]byte("b"), []byte("x")}); return err })
	mustWrite(t, s, func(tx *Tx) error { tx.Delete(key); return nil })
	if a := strsAccount(s); a.rows != 0 || a.fromHashes != 0 {
		t.Fatalf("strs after DEL: %+v", a)
	}
}

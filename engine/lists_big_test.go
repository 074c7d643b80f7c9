package engine

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestBigListItems runs random list operations with items on both sides of
// bigItemAt against a model, with and without the key cache, checking after
// every step the whole list and that strs holds exactly the items that rows
// point at; then again after a reopen and a FLUSHDB.
func TestBigListItems(t *testing.T) {
	withAndWithoutCache(t, func(t *testing.T, s *Store, reopen func() *Store, cache int64) {
		rng := rand.New(rand.NewPCG(7, uint64(cache)))
		// Few distinct values, so that LREM/LPOS/LINSERT find matches.
		vals := [][]byte{{}, []byte("a"), bytes.Repeat([]byte("b"), bigItemAt), bytes.Repeat([]byte("c"), bigItemAt+1),
			bytes.Repeat([]byte("d"), 3000), bytes.Repeat([]byte("e"), maxEntryVal+1)}
		val := func() []byte { return vals[rng.IntN(len(vals))] }
		var model [][]byte
		key := []byte("l")
		check := func(step int, op string) {
			t.Helper()
			var got [][]byte
			if err := s.Read(0, func(tx *Tx) (err error) { got, err = tx.LRange(key, 0, -1); return }); err != nil {
				t.Fatal(err)
			}
			if len(got) != len(model) || !slices.EqualFunc(got, model, bytes.Equal) {
				t.Fatalf("step %d (%s): list has %d items, want %d (or differs)", step, op, len(got), len(model))
			}
			a := strsAccount(s)
			strs, refs, orphans := a.rows, a.fromLists, a.orphans
			want := int64(0)
			for _, v := range model {
				if len(v) > bigItemAt {
					want++
				}
			}
			if strs != want || refs != want || orphans != 0 {
				t.Fatalf("step %d (%s): strs %d rows, %d refs, %d orphans; the model has %d big items", step, op, strs, refs, orphans, want)
			}
		}
		for step := 0; step < 500; step++ {
			var op string
			mustWrite(t, s, func(tx *Tx) error {
				n := int64(len(model))
				switch rng.IntN(9) {
				case 0, 1:
					op = "lpush"
					v := val()
					if _, err := tx.Push(key, [][]byte{v}, true, false); err != nil {
						return err
					}
					model = append([][]byte{v}, model...)
				case 2, 3:
					op = "rpush"
					v := val()
					if _, err := tx.Push(key, [][]byte{v}, false, false); err != nil {
						return err
					}
					model = append(model, v)
				case 4:
					op = "pop"
					c := int64(rng.IntN(3) + 1)
					left := rng.IntN(2) == 0
					if _, err := tx.Pop(key, c, left); err != nil {
						return err
					}
					c = min(c, n)
					if left {
						model = model[c:]
					} else {
						model = model[:n-c]
					}
				case 5:
					op = "lset"
					if n == 0 {
						return nil
					}
					i, v := rng.Int64N(n), val()
					if err := tx.LSet(key, i, v); err != nil {
						return err
					}
					model[i] = v
				case 6:
					op = "linsert"
					pivot, v := val(), val()
					r, err := tx.LInsert(key, true, pivot, v)
					if err != nil {
						return err
					}
					if i := slices.IndexFunc(model, func(x []byte) bool { return bytes.Equal(x, pivot) }); i >= 0 {
						model = slices.Insert(model, i, v)
					} else if r != -1 && n > 0 {
						return fmt.Errorf("LINSERT found a pivot the model has not")
					}
				case 7:
					op = "lrem"
					v := val()
					got, err := tx.LRem(key, 0, v)
					if err != nil {
						return err
					}
					before := len(model)
					model = slices.DeleteFunc(model, func(x []byte) bool { return bytes.Equal(x, v) })
					if int(got) != before-len(model) {
						return fmt.Errorf("LREM removed %d, model %d", got, before-len(model))
					}
				case 8:
					op = "ltrim"
					if n < 4 {
						return nil
					}
					if err := tx.LTrim(key, 1, -2); err != nil {
						return err
					}
					model = model[1 : n-1]
				}
				return nil
			})
			check(step, op)
			if len(model) > 0 {
				v := model[len(model)-1]
				var pos []int64
				mustWrite(t, s, func(tx *Tx) (err error) { pos, err = tx.LPos(key, v, -1, 1, 0); return })
				if len(pos) != 1 || !bytes.Equal(model[pos[0]], v) {
					t.Fatalf("step %d: LPOS of the last item from the tail = %v", step, pos)
				}
			}
		}
		finishBigValueRun(t, &s, reopen, check, func() { model = nil }, func(tx *Tx) error {
			_, err := tx.Push(key, [][]byte{vals[3], vals[4]}, false, false)
			return err
		})
	})
}

// TestListRefMigrate opens a file of schema version 2, whose lists table
// has no ref column and whose items are all in their rows: the upgrade adds
// the column, old items read back, and new large items go to strs.
func TestListRefMigrate(t *testing.T) {
	s, path := openShardFile(t)
	oldBig := bytes.Repeat([]byte("o"), 2000)
	key := []byte("l")
	mustWrite(t, s, func(tx *Tx) error {
		_, err := tx.Push(key, [][]byte{[]byte("a"), []byte("b")}, false, false)
		// What version 2 wrote: every item in its row, no ref column, no strs.
		tx.exec("UPDATE lists SET val=? WHERE pos=1", oldBig)
		tx.exec("CREATE TABLE lists2 (id INTEGER NOT NULL, pos INTEGER NOT NULL, val BLOB NOT NULL, PRIMARY KEY (id, pos)) WITHOUT ROWID")
		tx.exec("INSERT INTO lists2 SELECT id, pos, val FROM lists")
		tx.exec("DROP TABLE lists")
		tx.exec("ALTER TABLE lists2 RENAME TO lists")
		tx.exec("DROP TABLE strs")
		return err
	})
	s = reopenAtVersion(t, s, path, 2)
	defer s.Close()
	newBig := bytes.Repeat([]byte("n"), 3000)
	var got [][]byte
	var at []int64
	mustWrite(t, s, func(tx *Tx) (err error) {
		if _, err = tx.Push(key, [][]byte{newBig}, false, false); err != nil {
			return err
		}
		if at, err = tx.LPos(key, oldBig, 1, 0, 0); err != nil {
			return err
		}
		got, err = tx.LRange(key, 0, -1)
		return err
	})
	want := [][]byte{[]byte("a"), oldBig, newBig}
	if !slices.EqualFunc(got, want, bytes.Equal) || !slices.Equal(at, []int64{1}) {
		t.Fatalf("after the upgrade: %d items, LPOS of the old large item %v", len(got), at)
	}
	if a := strsAccount(s); a.rows != 1 || a.fromLists != 1 || a.orphans != 0 {
		t.Fatalf("strs after the upgrade: %+v", a)
	}
	mustWrite(t, s, func(tx *Tx) error { tx.Delete(key); return nil })
	if a := strsAccount(s); a.rows != 0 {
		t.Fatalf("strs after DEL: %+v", a)
	}
}

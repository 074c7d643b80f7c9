package engine

import (
	"bytes"
	"errors"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestParseInt checks Redis's string2ll rules.
func TestParseInt(t *testing.T) {
	cases := []struct {
		in string
		n  int64
		ok bool
	}{
		{"0", 0, true},
		{"1", 1, true},
		{"-1", -1, true},
		{"42", 42, true},
		{"9223372036854775807", 9223372036854775807, true},
		{"-9223372036854775808", -9223372036854775808, true},
		{"9223372036854775808", 0, false},
		{"-9223372036854775809", 0, false},
		{"18446744073709551615", 0, false},
		{"18446744073709551616", 0, false},
		{"99999999999999999999", 0, false},
		{"123456789012345678901", 0, false},
		{"", 0, false},
		{"-", 0, false},
		{"-0", 0, false},
		{"+1", 0, false},
		{"+0", 0, false},
		{"007", 0, false},
		{"00", 0, false},
		{"-01", 0, false},
		{" 1", 0, false},
		{"1 ", 0, false},
		{"1a", 0, false},
		{"0x10", 0, false},
		{"1.0", 0, false},
		{"1e3", 0, false},
		{"--1", 0, false},
	}
	for _, tc := range cases {
		n, err := ParseInt([]byte(tc.in))
		if (err == nil) != tc.ok || n != tc.n {
			t.Errorf("ParseInt(%q) = %d, %v; want %d, ok=%v", tc.in, n, err, tc.n, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrNotInteger) {
			t.Errorf("ParseInt(%q) error %v is not ErrNotInteger", tc.in, err)
		}
	}
}

// TestParseFormatLongDouble checks strtold parsing (string2ld) and the
// %.17Lf human formatting on their own: each input is parsed and formatted
// back as INCRBYFLOAT on a missing key would reply (checked against
// redis-server 7.0). want "" means the input is not a valid float.
func TestParseFormatLongDouble(t *testing.T) {
	cases := []struct{ in, want string }{
		{"0.1", "0.1"},
		{"1.5", "1.5"},
		{"5.0e3", "5000"},
		{"1e20", "100000000000000000000"},
		{"-1e20", "-100000000000000000000"},
		{"1e17", "100000000000000000"},
		{"-0", "0"},
		{"0", "0"},
		{"3.0000000000000000001", "3"},
		{"1e-20", "0"},
		{"1e-18", "0"},
		{"0.000001", "0.000001"},
		{"-1.5e-7", "-0.00000015"},
		{"0.3333333333333333333333", "0.33333333333333333"},
		{"+1.5", "1.5"},
		{".5", "0.5"},
		{"5.", "5"},
		{"0.1e1", "1"},
		{"1E2", "100"},
		{"00012.5", "12.5"},
		{"-00.5", "-0.5"},
		{"9007199254740993", "9007199254740993"},
		{"12345678901234567.5", "12345678901234567.5"},
		{"123456789012345678901234567890", "123456789012345678899921813504"},
		{"100000000000000000000000000", "100000000000000000000000000"},
		{"1e400", "10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880"},
		{"1." + strings.Repeat("0", 5117), "1"}, // 5119 bytes: the longest accepted
		{"1e-4940", "0"},                        // subnormal long double: accepted
		// strtold reads hexadecimal floats.
		{"0x10", "16"},
		{"0x1p4", "16"},

		{"", ""},
		{" 1", ""},
		{"1 ", ""},
		{"\t1", ""},
		{"1e", ""},
		{"e1", ""},
		{"abc", ""},
		{"nan", ""},
		{"-nan", ""},
		{"1_000", ""},
		{"1,5", ""},
		{"--1", ""},
		{"+-1", ""},
		{"1." + strings.Repeat("0", 5118), ""}, // 5120 bytes: longer than MAX_LONG_DOUBLE_CHARS-1
		{"1e5000", ""},                         // overflows long double
		{"1.2e4932", ""},
		{"1e-5000", ""}, // underflows to zero
		{"1e-4960", ""},
	}
	for _, tc := range cases {
		f, ok := ParseLongDouble(tc.in)
		if ok != (tc.want != "") {
			t.Errorf("ParseLongDouble(%.40q) ok = %v, want %v", tc.in, ok, tc.want != "")
			continue
		}
		if !ok {
			continue
		}
		if got := FormatLongDouble(f); got != tc.want {
			t.Errorf("FormatLongDouble(ParseLongDouble(%.40q)) = %.60q, want %.60q", tc.in, got, tc.want)
		}
	}
	for _, in := range []string{"inf", "-inf", "+inf", "Infinity", "-INFINITY"} {
		f, ok := ParseLongDouble(in)
		if !ok || !f.IsInf() || f.Signbit() != strings.HasPrefix(in, "-") {
			t.Errorf("ParseLongDouble(%q) = %v, %v; want an infinity", in, f, ok)
		}
	}
}

// TestFormatLongDouble checks trailing-zero trimming and negative zero.
func TestFormatLongDouble(t *testing.T) {
	cases := []struct {
		f    float64
		want string
	}{
		{0, "0"}, {-0.0000000000000000001, "0"}, {10, "10"}, {-10.25, "-10.25"},
		{0.5, "0.5"}, {1e-17, "0.00000000000000001"}, {4e-18, "0"}, {6e-18, "0.00000000000000001"},
	}
	for _, tc := range cases {
		if got := FormatLongDouble(new(big.Float).SetPrec(64).SetFloat64(tc.f)); got != tc.want {
			t.Errorf("FormatLongDouble(%g) = %q, want %q", tc.f, got, tc.want)
		}
	}
}

// TestIncrByFloat checks INCRBYFLOAT's arithmetic and errors in a store,
// with results taken from redis-server 7.0.
func TestIncrByFloat(t *testing.T) {
	s := openTestStore(t, t.TempDir(), 0, 1)
	cases := []struct {
		init, by string // init "" = missing key
		want     string
		err      error
	}{
		{"", "0.1", "0.1", nil},
		{"10.5", "0.1", "10.6", nil},
		{"0.1", "0.2", "0.3", nil},
		{"2.2", "1.1", "3.3", nil},
		{"5.0e3", "0", "5000", nil},
		{"1e20", "1", "100000000000000000000", nil},
		{"-0.5", "0.5", "0", nil},
		{"5", "-5", "0", nil},
		{"1", "2", "3", nil},
		{"1e-4940", "0", "0", nil},
		{"0x10", "0.5", "16.5", nil},
		{"1.7976931348623157e308", "1.7976931348623157e308", "359538626972463139991842093548208868096772893888658356970628841530353257046248792709403737216774171128857586838851041378617416726902272110715794556052955234146997955372576789671236326588091188869859074894581254961338834769297758245552436667197907705664206565009503223382416235440319971852753604933726679072768", nil},
		{"", "inf", "", ErrNaNOrInf},
		{"", "-inf", "", ErrNaNOrInf},
		{"", "Infinity", "", ErrNaNOrInf},
		{"1e4932", "1e4932", "", ErrNaNOrInf},
		{"", "nan", "", ErrNotFloat},
		{"", "1e5000", "", ErrNotFloat},
		{"abc", "1", "", ErrNotFloat},
		{" 1", "1", "", ErrNotFloat},
		{"1", "abc", "", ErrNotFloat},
	}
	for _, tc := range cases {
		key := []byte("k")
		var got string
		err := s.Write(0, func(tx *Tx) error {
			tx.Delete(key)
			if tc.init != "" {
				tx.SetString(key, []byte(tc.init), 0)
			}
			var err error
			got, err = tx.IncrByFloat(key, tc.by)
			return err
		})
		if !errors.Is(err, tc.err) || got != tc.want {
			t.Errorf("%q INCRBYFLOAT %q = %.60q, %v; want %.60q, %v", tc.init, tc.by, got, err, tc.want, tc.err)
			continue
		}
		if err != nil {
			continue
		}
		var stored []byte
		s.Read(0, func(tx *Tx) error { stored, _, _ = tx.Get(key); return nil })
		if string(stored) != tc.want {
			t.Errorf("%q INCRBYFLOAT %q stored %q, want %q", tc.init, tc.by, stored, tc.want)
		}
	}
}

// TestIncrBy checks integer increments, their overflow and non-integer values.
func TestIncrBy(t *testing.T) {
	s := openTestStore(t, t.TempDir(), 0, 1)
	cases := []struct {
		init string
		by   int64
		want int64
		err  error
	}{
		{"", 1, 1, nil},
		{"10", -15, -5, nil},
		{"9223372036854775806", 1, 9223372036854775807, nil},
		{"9223372036854775807", 1, 0, ErrOverflow},
		{"-9223372036854775808", -1, 0, ErrOverflow},
		{"-9223372036854775807", -1, -9223372036854775808, nil},
		{"007", 1, 0, ErrNotInteger},
		{"1.0", 1, 0, ErrNotInteger},
		{" 1", 1, 0, ErrNotInteger},
		{"", 0, 0, nil},
	}
	for _, tc := range cases {
		key := []byte("n")
		var got int64
		err := s.Write(0, func(tx *Tx) error {
			tx.Delete(key)
			if tc.init != "" {
				tx.SetString(key, []byte(tc.init), 0)
			}
			var err error
			got, err = tx.IncrBy(key, tc.by)
			return err
		})
		if !errors.Is(err, tc.err) || got != tc.want {
			t.Errorf("%q INCRBY %d = %d, %v; want %d, %v", tc.init, tc.by, got, err, tc.want, tc.err)
		}
	}
}

// TestBigStrings runs random string operations with values on both sides
// of bigStringAt (and past the key cache's maxEntryVal) against a map, with
// and without the key cache, and checks after every step that each value
// reads back and that the strs table holds exactly the values of keys that
// point at it; then again after a reopen.
func TestBigStrings(t *testing.T) {
	withAndWithoutCache(t, func(t *testing.T, s *Store, reopen func() *Store, cache int64) {
		rng := rand.New(rand.NewPCG(1, uint64(cache)))
		sizes := []int{0, 10, bigStringAt - 3, bigStringAt - 1, bigStringAt + 5, 1500, 5000, maxEntryVal + 10}
		model := map[string][]byte{}
		keys := []string{"k0", "k1", "k2", "k3", "k4", "k5"}
		val := func() []byte {
			return bytes.Repeat([]byte{byte('a' + rng.IntN(26))}, sizes[rng.IntN(len(sizes))])
		}
		check := func(step int, op string) {
			t.Helper()
			for _, k := range keys {
				got, ok := readString(t, s, k)
				want, wok := model[k]
				if ok != wok || got != string(want) {
					t.Fatalf("step %d (%s): %s = %d bytes (exists %v), want %d bytes (exists %v)", step, op, k, len(got), ok, len(want), wok)
				}
			}
			if a := strsAccount(s); a.rows != a.fromKeys || a.orphans != 0 {
				t.Fatalf("step %d (%s): strs has %d rows, %d keys point at one, %d orphans", step, op, a.rows, a.fromKeys, a.orphans)
			}
		}
		for step := 0; step < 400; step++ {
			k, k2 := keys[rng.IntN(len(keys))], keys[rng.IntN(len(keys))]
			var op string
			mustWrite(t, s, func(tx *Tx) error {
				switch rng.IntN(8) {
				case 0, 1, 2:
					op = "set"
					v := val()
					tx.SetString([]byte(k), v, 0)
					model[k] = v
				case 3:
					op = "append"
					v := val()
					if _, err := tx.Append([]byte(k), v); err != nil {
						return err
					}
					model[k] = append(append([]byte{}, model[k]...), v...)
				case 4:
					op = "delete"
					tx.Delete([]byte(k))
					delete(model, k)
				case 5:
					op = "rename"
					if _, err := tx.Rename([]byte(k), []byte(k2), false); err == nil && k != k2 {
						model[k2] = model[k]
						delete(model, k)
					}
				case 6:
					op = "copy"
					if tx.CopyTo([]byte(k), []byte(k2), 0, true) && k != k2 {
						model[k2] = model[k]
					}
				case 7:
					op = "expired"
					tx.SetString([]byte(k), val(), tx.Now-1)
					delete(model, k)
				}
				return nil
			})
			check(step, op)
		}
		finishBigValueRun(t, &s, reopen, check, func() { model = map[string][]byte{} }, func(tx *Tx) error {
			tx.SetString([]byte("k0"), bytes.Repeat([]byte("z"), 5000), 0)
			return nil
		})
	})
}

// countRows runs a SELECT count(*) statement.
func countRows(tx *Tx, sql string) int64 {
	st := tx.bind(sql)
	var n int64
	if tx.step(st) {
		n = st.ColumnInt64(0)
		done(st)
	}
	return n
}

// TestBigStringMigrate opens a file of schema version 2 (no strs table,
// large values in their keys rows): it is upgraded in place, the old rows
// read back, and a rewrite moves the value to strs.
func TestBigStringMigrate(t *testing.T) {
	s, path := openShardFile(t)
	old := bytes.Repeat([]byte("o"), 3000)
	mustWrite(t, s, func(tx *Tx) error {
		tx.SetString([]byte("big"), []byte("x"), 0)
		tx.exec("UPDATE keys SET val=? WHERE key=?", old, []byte("big"))
		tx.exec("DROP TABLE strs")
		return nil
	})
	s = reopenAtVersion(t, s, path, 2)
	defer s.Close()
	if v, ok := readString(t, s, "big"); !ok || v != string(old) {
		t.Fatalf("old inline value: %d bytes, %v", len(v), ok)
	}
	var n int64
	mustWrite(t, s, func(tx *Tx) (err error) {
		if n, err = tx.StrLen([]byte("big")); err != nil {
			return err
		}
		_, err = tx.Append([]byte("big"), []byte("!"))
		return err
	})
	if n != 3000 {
		t.Fatalf("STRLEN of the old row: %d", n)
	}
	if v, _ := readString(t, s, "big"); v != string(old)+"!" {
		t.Fatalf("after APPEND: %d bytes", len(v))
	}
	s.Read(0, func(tx *Tx) error {
		if c := countRows(tx, "SELECT count(*) FROM strs"); c != 1 {
			t.Errorf("strs rows after the rewrite: %d", c)
		}
		if c := countRows(tx, "SELECT count(*) FROM keys WHERE val IS NOT NULL"); c != 0 {
			t.Errorf("keys rows still holding the value: %d", c)
		}
		return nil
	})
}

// strsUse is what points at the rows of strs.
type strsUse struct {
	rows, fromKeys, fromLists, fromHashes, orphans int64
}

// strsAccount counts strs rows, the string keys, list items and hash
// values pointing at one, and the rows nothing points at.
func strsAccount(s *Store) strsUse {
	var a strsUse
	s.Read(0, func(tx *Tx) error {
		a.rows = countRows(tx, "SELECT count(*) FROM strs")
		a.fromKeys = countRows(tx, "SELECT count(*) FROM keys WHERE type=0 AND id IS NOT NULL")
		a.fromLists = countRows(tx, "SELECT count(*) FROM lists WHERE ref IS NOT NULL")
		a.fromHashes = countRows(tx, "SELECT count(*) FROM hashes WHERE ref IS NOT NULL")
		a.orphans = countRows(tx, `SELECT count(*) FROM strs WHERE id NOT IN (SELECT id FROM keys WHERE type=0 AND id IS NOT NULL)
			AND id NOT IN (SELECT ref FROM lists WHERE ref IS NOT NULL) AND id NOT IN (SELECT ref FROM hashes WHERE ref IS NOT NULL)`)
		return nil
	})
	return a
}

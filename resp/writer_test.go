package resp

import (
	"math"
	"testing"
)

// writerCase encodes one reply with write and expects want2 in RESP2 and
// want3 in RESP3.
type writerCase struct {
	name         string
	write        func(w *Writer)
	want2, want3 string
}

var writerCases = []writerCase{
	{"ok", func(w *Writer) { w.OK() }, "+OK\r\n", "+OK\r\n"},
	{"status", func(w *Writer) { w.Status("PONG") }, "+PONG\r\n", "+PONG\r\n"},
	{"error", func(w *Writer) { w.Error("ERR syntax error") }, "-ERR syntax error\r\n", "-ERR syntax error\r\n"},
	{"error newlines", func(w *Writer) { w.Error("ERR a\r\nb\nc") }, "-ERR a  b c\r\n", "-ERR a  b c\r\n"},
	{"int", func(w *Writer) { w.Int(-42) }, ":-42\r\n", ":-42\r\n"},
	{"int min", func(w *Writer) { w.Int(math.MinInt64) }, ":-9223372036854775808\r\n", ":-9223372036854775808\r\n"},
	{"bulk", func(w *Writer) { w.Bulk([]byte("a\r\nb")) }, "$4\r\na\r\nb\r\n", "$4\r\na\r\nb\r\n"},
	{"empty bulk", func(w *Writer) { w.Bulk([]byte{}) }, "$0\r\n\r\n", "$0\r\n\r\n"},
	{"nil bulk is empty", func(w *Writer) { w.Bulk(nil) }, "$0\r\n\r\n", "$0\r\n\r\n"},
	{"bulk string", func(w *Writer) { w.BulkString("héllo") }, "$6\r\nhéllo\r\n", "$6\r\nhéllo\r\n"},
	{"bulk int", func(w *Writer) { w.BulkInt(-7) }, "$2\r\n-7\r\n", "$2\r\n-7\r\n"},
	{"null", func(w *Writer) { w.Null() }, "$-1\r\n", "_\r\n"},
	{"null array", func(w *Writer) { w.NullArray() }, "*-1\r\n", "_\r\n"},
	{"array", func(w *Writer) { w.Array(2); w.Int(1); w.Null() }, "*2\r\n:1\r\n$-1\r\n", "*2\r\n:1\r\n_\r\n"},
	{"empty array", func(w *Writer) { w.Array(0) }, "*0\r\n", "*0\r\n"},
	{"map", func(w *Writer) { w.Map(1); w.BulkString("k"); w.Int(1) }, "*2\r\n$1\r\nk\r\n:1\r\n", "%1\r\n$1\r\nk\r\n:1\r\n"},
	{"empty map", func(w *Writer) { w.Map(0) }, "*0\r\n", "%0\r\n"},
	{"set", func(w *Writer) { w.Set(2); w.Status("a"); w.Status("b") }, "*2\r\n+a\r\n+b\r\n", "~2\r\n+a\r\n+b\r\n"},
	{"push", func(w *Writer) { w.Push(3); w.BulkString("message"); w.BulkString("ch"); w.BulkString("hi") },
		"*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n", ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n"},
	{"true", func(w *Writer) { w.Bool(true) }, ":1\r\n", "#t\r\n"},
	{"false", func(w *Writer) { w.Bool(false) }, ":0\r\n", "#f\r\n"},
	{"verbatim", func(w *Writer) { w.Verbatim("a\r\nb") }, "$4\r\na\r\nb\r\n", "=8\r\ntxt:a\r\nb\r\n"},
	{"empty verbatim", func(w *Writer) { w.Verbatim("") }, "$0\r\n\r\n", "=4\r\ntxt:\r\n"},
	// Doubles as redis-server 7.0's addReplyDouble writes them (%.17g).
	{"double 1.5", func(w *Writer) { w.Double(1.5) }, "$3\r\n1.5\r\n", ",1.5\r\n"},
	{"double 0.1", func(w *Writer) { w.Double(0.1) }, "$19\r\n0.10000000000000001\r\n", ",0.10000000000000001\r\n"},
	{"double 1e20", func(w *Writer) { w.Double(1e20) }, "$5\r\n1e+20\r\n", ",1e+20\r\n"},
	{"double 1e17", func(w *Writer) { w.Double(1e17) }, "$5\r\n1e+17\r\n", ",1e+17\r\n"},
	{"double 1e16", func(w *Writer) { w.Double(1e16) }, "$17\r\n10000000000000000\r\n", ",10000000000000000\r\n"},
	{"double big", func(w *Writer) { w.Double(123456789012345678) }, "$22\r\n1.2345678901234568e+17\r\n", ",1.2345678901234568e+17\r\n"},
	{"double 1e-4", func(w *Writer) { w.Double(0.0001) }, "$6\r\n0.0001\r\n", ",0.0001\r\n"},
	{"double 1e-5", func(w *Writer) { w.Double(0.00001) }, "$22\r\n1.0000000000000001e-05\r\n", ",1.0000000000000001e-05\r\n"},
	{"double 5e-324", func(w *Writer) { w.Double(5e-324) }, "$23\r\n4.9406564584124654e-324\r\n", ",4.9406564584124654e-324\r\n"},
	{"double max", func(w *Writer) { w.Double(math.MaxFloat64) }, "$23\r\n1.7976931348623157e+308\r\n", ",1.7976931348623157e+308\r\n"},
	{"double 3", func(w *Writer) { w.Double(3) }, "$1\r\n3\r\n", ",3\r\n"},
	{"double -2.5", func(w *Writer) { w.Double(-2.5) }, "$4\r\n-2.5\r\n", ",-2.5\r\n"},
	{"double 0", func(w *Writer) { w.Double(0) }, "$1\r\n0\r\n", ",0\r\n"},
	{"double -0", func(w *Writer) { w.Double(math.Copysign(0, -1)) }, "$2\r\n-0\r\n", ",-0\r\n"},
	{"double inf", func(w *Writer) { w.Double(math.Inf(1)) }, "$3\r\ninf\r\n", ",inf\r\n"},
	{"double -inf", func(w *Writer) { w.Double(math.Inf(-1)) }, "$4\r\n-inf\r\n", ",-inf\r\n"},
	{"double nan", func(w *Writer) { w.Double(math.NaN()) }, "$3\r\nnan\r\n", ",nan\r\n"},
}

// TestWriter checks the exact bytes of every reply type in both protocols.
func TestWriter(t *testing.T) {
	for _, tc := range writerCases {
		for _, proto := range []int{2, 3} {
			w := NewWriter(proto)
			tc.write(w)
			want := tc.want2
			if proto == 3 {
				want = tc.want3
			}
			if got := string(w.Bytes()); got != want {
				t.Errorf("%s RESP%d: got %q, want %q", tc.name, proto, got, want)
			}
		}
	}
}

// TestWriterBuffer checks Len, Truncate, Reset and Raw.
func TestWriterBuffer(t *testing.T) {
	w := NewWriter(2)
	w.OK()
	n := w.Len()
	w.Int(5)
	w.Truncate(n)
	w.Raw([]byte(":1\r\n"))
	if got := string(w.Bytes()); got != "+OK\r\n:1\r\n" {
		t.Fatalf("got %q", got)
	}
	w.Reset()
	if w.Len() != 0 {
		t.Fatalf("Len after Reset = %d", w.Len())
	}
}

// TestFormatDouble checks the %.17g formatting on its own.
func TestFormatDouble(t *testing.T) {
	cases := map[float64]string{
		0.5: "0.5", 100: "100", -100: "-100", 1e100: "1e+100",
		1.25e-7: "1.2499999999999999e-07", 2.5e-300: "2.5e-300",
		99999999999999990: "99999999999999984", 3.14159: "3.1415899999999999",
		math.Inf(1): "inf", math.Inf(-1): "-inf",
	}
	for f, want := range cases {
		if got := FormatDouble(f); got != want {
			t.Errorf("FormatDouble(%v) = %q, want %q", f, got, want)
		}
	}
}

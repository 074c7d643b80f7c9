package resp

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

// readAll reads requests until the first error and returns copies of them.
func readAll(r *Reader) ([][]string, error) {
	var out [][]string
	for {
		args, err := r.Next()
		if err != nil {
			if args != nil {
				return out, errors.New("Next returned arguments together with an error")
			}
			return out, err
		}
		req := make([]string, len(args))
		for i, a := range args {
			req[i] = string(a)
		}
		out = append(out, req)
	}
}

// readerCase is one input stream, the requests it holds, and the protocol
// error message that ends it ("" when it ends cleanly at EOF).
type readerCase struct {
	name string
	in   string
	want [][]string
	err  string
}

var readerCases = []readerCase{
	// Multibulk.
	{"ping", "*1\r\n$4\r\nPING\r\n", [][]string{{"PING"}}, ""},
	{"empty arg", "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", [][]string{{"ECHO", ""}}, ""},
	{"binary arg", "*2\r\n$4\r\nECHO\r\n$6\r\na\r\nb\x00\xff\r\n", [][]string{{"ECHO", "a\r\nb\x00\xff"}}, ""},
	{"empty name", "*1\r\n$0\r\n\r\n", [][]string{{""}}, ""},
	{"pipeline", "*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n",
		[][]string{{"PING"}, {"ECHO", "hi"}, {"PING"}, {"SET", "k", "v"}}, ""},
	{"null and empty multibulk skipped", "*-1\r\n*0\r\n*-5\r\nPING\r\n", [][]string{{"PING"}}, ""},
	// Redis skips two bytes after a bulk without checking them.
	{"bulk terminator unchecked", "*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n", [][]string{{"PING"}, {"PING"}}, ""},
	{"max int32 count waits for data", "*2147483647\r\n", nil, ""},
	{"truncated request", "*2\r\n$3\r\nGET\r\n$1\r\n", nil, ""},
	{"truncated header", "*1\r\n$4", nil, ""},

	{"count not a number", "*abc\r\n", nil, "invalid multibulk length"},
	{"count with plus", "*+1\r\n$4\r\nPING\r\n", nil, "invalid multibulk length"},
	{"count with leading zero", "*01\r\n$4\r\nPING\r\n", nil, "invalid multibulk length"},
	{"count minus zero", "*-0\r\nPING\r\n", nil, "invalid multibulk length"},
	{"count with space", "* 1\r\n", nil, "invalid multibulk length"},
	{"count with trailing space", "*1 \r\n", nil, "invalid multibulk length"},
	{"count empty", "*\r\n", nil, "invalid multibulk length"},
	{"count over int32", "*2147483648\r\n", nil, "invalid multibulk length"},
	{"count overflows int64", "*99999999999999999999\r\n", nil, "invalid multibulk length"},
	// Multibulk headers end at '\r', as in redis-server.
	{"count ended by bare LF", "*1\n$4\r\nPING\r\n", nil, "invalid multibulk length"},
	{"CR CR LF", "*1\r\r\n$4\r\nPING\r\n", nil, "expected '$', got '\n'"},
	{"expected dollar", "*1\r\nx\r\n", nil, "expected '$', got 'x'"},
	{"expected dollar raw byte", "*1\r\n\xff\r\n", nil, "expected '$', got '\xff'"},
	{"expected dollar in second arg", "*2\r\n$4\r\nECHO\r\n:1\r\n", nil, "expected '$', got ':'"},
	{"negative bulk length", "*1\r\n$-1\r\n", nil, "invalid bulk length"},
	{"bulk length minus zero", "*1\r\n$-0\r\n", nil, "invalid bulk length"},
	{"bulk length with plus", "*1\r\n$+4\r\nPING\r\n", nil, "invalid bulk length"},
	{"bulk length with leading zero", "*1\r\n$04\r\nPING\r\n", nil, "invalid bulk length"},
	{"bulk length not a number", "*1\r\n$x\r\n", nil, "invalid bulk length"},
	{"bulk length empty", "*1\r\n$\r\n", nil, "invalid bulk length"},
	{"bulk length over proto-max-bulk-len", "*1\r\n$536870913\r\n", nil, "invalid bulk length"},
	{"error after good requests", "PING\r\n*1\r\n$4\r\nPING\r\n*x\r\n", [][]string{{"PING"}, {"PING"}}, "invalid multibulk length"},
	{"too big count string", "*" + strings.Repeat("1", MaxInlineSize+1), nil, "too big mbulk count string"},
	{"too big count string with CRLF", "*" + strings.Repeat("1", MaxInlineSize+1) + "\r\n", nil, "too big mbulk count string"},
	{"too big bulk count string", "*1\r\n$" + strings.Repeat("1", MaxInlineSize+1), nil, "too big bulk count string"},

	// Inline.
	{"inline", "PING\r\n", [][]string{{"PING"}}, ""},
	{"inline LF only", "PING\n", [][]string{{"PING"}}, ""},
	{"inline blanks", "  SET \t a   b  \r\n", [][]string{{"SET", "a", "b"}}, ""},
	{"inline tab separates", "PING\tx\r\n", [][]string{{"PING", "x"}}, ""},
	{"inline blank lines skipped", "\r\n\r\n \r\nPING\r\n", [][]string{{"PING"}}, ""},
	{"inline pipeline", "PING\r\nECHO a\nECHO b\r\n", [][]string{{"PING"}, {"ECHO", "a"}, {"ECHO", "b"}}, ""},
	{"inline no newline yet", "PING", nil, ""},
	{"inline quotes", `SET "a b" 'c d'` + "\r\n", [][]string{{"SET", "a b", "c d"}}, ""},
	{"inline escapes", `ECHO "\x41\n\r\t\b\a\"\\\q"` + "\r\n", [][]string{{"ECHO", "A\n\r\t\b\a\"\\q"}}, ""},
	{"inline short hex escape", `ECHO "\x4"` + "\r\n", [][]string{{"ECHO", "x4"}}, ""},
	{"inline single quote escape", `ECHO 'a\'b\n'` + "\r\n", [][]string{{"ECHO", `a'b\n`}}, ""},
	{"inline empty quoted", `ECHO "" ''` + "\r\n", [][]string{{"ECHO", "", ""}}, ""},
	{"inline quote mid word", `ECHO a"b c"` + "\r\n", [][]string{{"ECHO", "ab c"}}, ""},
	{"inline vertical tab inside word", "SET a\vb c\r\n", [][]string{{"SET", "a\vb", "c"}}, ""},
	{"inline vertical tab after quote", "ECHO \"a\"\vb\r\n", [][]string{{"ECHO", "a", "b"}}, ""},
	{"inline max size", strings.Repeat("a", MaxInlineSize) + "\r\n", [][]string{{strings.Repeat("a", MaxInlineSize)}}, ""},

	{"inline unterminated double quote", `ECHO "abc` + "\r\n", nil, "unbalanced quotes in request"},
	{"inline unterminated single quote", `ECHO 'abc` + "\r\n", nil, "unbalanced quotes in request"},
	{"inline text after closing quote", `ECHO "a"b` + "\r\n", nil, "unbalanced quotes in request"},
	{"inline text after closing single quote", `ECHO 'a'b` + "\r\n", nil, "unbalanced quotes in request"},
	{"inline trailing backslash", `ECHO "a\` + "\r\n", nil, "unbalanced quotes in request"},
	{"inline too big", strings.Repeat("a", MaxInlineSize+1) + "\r\n", nil, "too big inline request"},
	{"inline too big much longer", strings.Repeat("a ", 100*1024) + "\r\n", nil, "too big inline request"},
	{"inline too big without newline", strings.Repeat("a", 200*1024), nil, "too big inline request"},
}

// TestReader runs every case through a reader that gets all the input at
// once, one byte per read, and the last data together with io.EOF.
func TestReader(t *testing.T) {
	readers := map[string]func(io.Reader) io.Reader{
		"whole":    func(r io.Reader) io.Reader { return r },
		"one byte": iotest.OneByteReader,
		"half":     iotest.HalfReader,
		"data+EOF": iotest.DataErrReader,
	}
	for _, tc := range readerCases {
		for rname, wrap := range readers {
			t.Run(tc.name+"/"+rname, func(t *testing.T) {
				got, err := readAll(NewReader(wrap(strings.NewReader(tc.in))))
				if !reflect.DeepEqual(got, tc.want) {
					t.Errorf("requests = %q, want %q", got, tc.want)
				}
				var pe *ProtocolError
				switch {
				case tc.err == "" && err != io.EOF:
					t.Errorf("err = %v, want io.EOF", err)
				case tc.err != "" && !errors.As(err, &pe):
					t.Errorf("err = %v, want protocol error %q", err, tc.err)
				case tc.err != "" && pe.Msg != tc.err:
					t.Errorf("protocol error %q, want %q", pe.Msg, tc.err)
				}
			})
		}
	}
}

// TestProtocolErrorText checks the text a client sees after "-ERR ".
func TestProtocolErrorText(t *testing.T) {
	err := error(&ProtocolError{"invalid bulk length"})
	if got := err.Error(); got != "Protocol error: invalid bulk length" {
		t.Fatalf("Error() = %q", got)
	}
}

// TestReaderMaxBulkLen checks that proto-max-bulk-len is configurable.
func TestReaderMaxBulkLen(t *testing.T) {
	r := NewReader(strings.NewReader("*1\r\n$10\r\n0123456789\r\n*1\r\n$11\r\n01234567890\r\n"))
	r.MaxBulkLen = 10
	got, err := readAll(r)
	if want := [][]string{{"0123456789"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("requests = %q, want %q", got, want)
	}
	var pe *ProtocolError
	if !errors.As(err, &pe) || pe.Msg != "invalid bulk length" {
		t.Errorf("err = %v, want invalid bulk length", err)
	}
}

// TestReaderLargeArgs checks arguments larger than the initial buffer, in
// a pipeline whose requests straddle buffer refills.
func TestReaderLargeArgs(t *testing.T) {
	big := strings.Repeat("x", 100*1024)
	var in bytes.Buffer
	var want [][]string
	for i := 0; i < 20; i++ {
		v := big[:i*5000+1]
		in.WriteString("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + strconv.Itoa(len(v)) + "\r\n" + v + "\r\n")
		want = append(want, []string{"SET", "k", v})
		in.WriteString("PING\r\n")
		want = append(want, []string{"PING"})
	}
	in.WriteString("*2\r\n$4\r\nECHO\r\n$" + strconv.Itoa(len(big)) + "\r\n" + big + "\r\n")
	want = append(want, []string{"ECHO", big})
	for _, wrap := range []func(io.Reader) io.Reader{func(r io.Reader) io.Reader { return r }, iotest.HalfReader, iotest.OneByteReader} {
		got, err := readAll(NewReader(wrap(bytes.NewReader(in.Bytes()))))
		if err != io.EOF {
			t.Fatalf("err = %v", err)
		}
		if len(got) != len(want) {
			t.Fatalf("got %d requests, want %d", len(got), len(want))
		}
		for i := range want {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("request %d differs (lengths %d vs %d)", i, len(got[i]), len(want[i]))
			}
		}
	}
}

// TestReaderBuffered checks that Buffered reports pipelined input and that
// BeforeRead runs only when the reader is about to block.
func TestReaderBuffered(t *testing.T) {
	r := NewReader(strings.NewReader("PING\r\n*1\r\n$4\r\nPING\r\n"))
	reads := 0
	r.BeforeRead = func() { reads++ }
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	if !r.Buffered() {
		t.Error("Buffered() = false with a pipelined request waiting")
	}
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	if r.Buffered() {
		t.Error("Buffered() = true after the last request")
	}
	if reads != 1 {
		t.Errorf("BeforeRead ran %d times for input read in one go, want 1", reads)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("err = %v, want io.EOF", err)
	}
	if reads != 2 {
		t.Errorf("BeforeRead ran %d times, want 2", reads)
	}
}

// TestSplitArgs checks the inline splitter against sdssplitargs.
func TestSplitArgs(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		ok   bool
	}{
		{"", nil, true},
		{" \t\v\f\r\n", nil, true},
		{"a", []string{"a"}, true},
		{"  a  b  ", []string{"a", "b"}, true},
		{"a\tb\nc\rd", []string{"a", "b", "c", "d"}, true},
		// \v and \f are skipped between words but do not end one.
		{"a\vb \fc", []string{"a\vb", "c"}, true},
		{`"a b"`, []string{"a b"}, true},
		{`"a\"b"`, []string{`a"b`}, true},
		{`"\x7a\x7A\xzz"`, []string{"zzxzz"}, true},
		{`"\n\r\t\b\a\\\z"`, []string{"\n\r\t\b\a\\z"}, true},
		{`'a\'b'`, []string{"a'b"}, true},
		{`'a\nb\\x'`, []string{`a\nb\\x`}, true},
		{`'a\\'`, nil, false},
		{`'"'`, []string{`"`}, true},
		{`"'"`, []string{`'`}, true},
		{`""`, []string{""}, true},
		{`'' ""`, []string{"", ""}, true},
		{`a"b"c`, nil, false},
		{`a"b" c`, []string{"ab", "c"}, true},
		{`"a"` + "\v" + `b`, []string{"a", "b"}, true},
		{`"a"b`, nil, false},
		{`'a'b`, nil, false},
		{`"abc`, nil, false},
		{`'abc`, nil, false},
		{`"abc\"`, nil, false},
		{`"abc\`, nil, false},
		// NUL ends the C string sdssplitargs reads.
		{"a\x00b", []string{"a"}, true},
		{"\"a\x00\"", nil, false},
	}
	for _, tc := range cases {
		got, ok := SplitArgs([]byte(tc.in))
		var gs []string
		for _, a := range got {
			gs = append(gs, string(a))
		}
		if ok != tc.ok || !reflect.DeepEqual(gs, tc.want) {
			t.Errorf("SplitArgs(%q) = %q, %v; want %q, %v", tc.in, gs, ok, tc.want, tc.ok)
		}
	}
}

// TestParseLL checks the string2ll rules used for lengths.
func TestParseLL(t *testing.T) {
	cases := []struct {
		in string
		n  int64
		ok bool
	}{
		{"0", 0, true}, {"1", 1, true}, {"-1", -1, true}, {"123", 123, true},
		{"9223372036854775807", 9223372036854775807, true},
		{"-9223372036854775808", -9223372036854775808, true},
		{"9223372036854775808", 0, false}, {"-9223372036854775809", 0, false},
		{"18446744073709551616", 0, false}, {"99999999999999999999", 0, false},
		{"", 0, false}, {"-", 0, false}, {"-0", 0, false}, {"+1", 0, false},
		{"01", 0, false}, {"00", 0, false}, {" 1", 0, false}, {"1 ", 0, false},
		{"1a", 0, false}, {"0x10", 0, false}, {"1.0", 0, false},
	}
	for _, tc := range cases {
		n, ok := parseLL([]byte(tc.in))
		if n != tc.n || ok != tc.ok {
			t.Errorf("parseLL(%q) = %d, %v; want %d, %v", tc.in, n, ok, tc.n, tc.ok)
		}
	}
}

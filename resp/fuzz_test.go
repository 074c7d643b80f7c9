package resp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

// fuzzRead parses in with a small proto-max-bulk-len (so that inputs cannot
// make the reader allocate gigabytes) and returns the requests and the error
// that ended them.
func fuzzRead(t *testing.T, rd io.Reader) ([][]string, error) {
	r := NewReader(rd)
	r.MaxBulkLen = 1 << 20
	var out [][]string
	for {
		args, err := r.Next()
		if err != nil {
			if args != nil {
				t.Fatalf("Next returned %d arguments with error %v", len(args), err)
			}
			var pe *ProtocolError
			if err != io.EOF && !errors.As(err, &pe) {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			return out, err
		}
		if len(args) == 0 {
			t.Fatal("Next returned an empty request")
		}
		req := make([]string, len(args))
		for i, a := range args {
			req[i] = string(a)
		}
		out = append(out, req)
	}
}

// FuzzReader feeds arbitrary bytes to the request parser: it must never
// panic, never return arguments together with an error, and parse the same
// requests whether the input arrives at once or one byte at a time.
// Re-encoding what it parsed as multibulk must parse back to the same.
func FuzzReader(f *testing.F) {
	for _, tc := range readerCases {
		if len(tc.in) < 4096 {
			f.Add([]byte(tc.in))
		}
	}
	f.Add([]byte("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\nGET key\r\n"))
	f.Add([]byte("*1\r\n$1048577\r\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		whole, err1 := fuzzRead(t, bytes.NewReader(in))
		bytewise, err2 := fuzzRead(t, iotest.OneByteReader(bytes.NewReader(in)))
		if !reflect.DeepEqual(whole, bytewise) || fmt.Sprint(err1) != fmt.Sprint(err2) {
			t.Fatalf("whole input: %q, %v\none byte at a time: %q, %v", whole, err1, bytewise, err2)
		}
		var enc bytes.Buffer
		for _, req := range whole {
			enc.WriteString("*" + strconv.Itoa(len(req)) + "\r\n")
			for _, a := range req {
				enc.WriteString("$" + strconv.Itoa(len(a)) + "\r\n" + a + "\r\n")
			}
		}
		again, err := fuzzRead(t, &enc)
		if err != io.EOF || !reflect.DeepEqual(again, whole) {
			t.Fatalf("re-encoded requests parse as %q, %v; want %q", again, err, whole)
		}
	})
}

// quoteArg quotes one argument so that SplitArgs reads it back unchanged.
func quoteArg(a []byte) string {
	var b bytes.Buffer
	b.WriteByte('"')
	for _, c := range a {
		fmt.Fprintf(&b, "\\x%02x", c)
	}
	b.WriteByte('"')
	return b.String()
}

// FuzzSplitArgs checks that SplitArgs never panics and that its output,
// quoted again, splits back to the same arguments.
func FuzzSplitArgs(f *testing.F) {
	for _, s := range []string{"", "a b", `"a\x41" 'b\'c'`, `"unterminated`, "a\vb \fc", `"a"b`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		args, ok := SplitArgs(in)
		if !ok {
			if args != nil {
				t.Fatalf("SplitArgs(%q) failed but returned %q", in, args)
			}
			return
		}
		var line []string
		for _, a := range args {
			line = append(line, quoteArg(a))
		}
		again, ok := SplitArgs([]byte(strings.Join(line, " ")))
		if !ok || len(again) != len(args) {
			t.Fatalf("SplitArgs(%q) = %q; re-split %q, %v", in, args, again, ok)
		}
		for i := range args {
			if !bytes.Equal(args[i], again[i]) {
				t.Fatalf("SplitArgs(%q) = %q; re-split %q", in, args, again)
			}
		}
	})
}

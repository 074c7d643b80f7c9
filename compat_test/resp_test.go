package compat_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// RawConn is a test client that speaks RESP over one TCP connection and
// returns every reply as its raw bytes.
type RawConn struct {
	t  testing.TB
	c  net.Conn
	br *bufio.Reader
}

// replyTimeout bounds the wait for any one reply.
const replyTimeout = 10 * time.Second

// Dial opens a RawConn to addr; it is closed when the test ends.
func Dial(t testing.TB, addr string) *RawConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	rc := &RawConn{t: t, c: c, br: bufio.NewReader(c)}
	t.Cleanup(func() { c.Close() })
	return rc
}

// Close closes the connection.
func (rc *RawConn) Close() { rc.c.Close() }

// EncodeCommand returns args as a RESP multibulk request.
func EncodeCommand(args ...string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	return b.Bytes()
}

// Do sends args as a multibulk request and returns the raw reply.
func (rc *RawConn) Do(args ...string) []byte {
	rc.t.Helper()
	r, err := rc.DoErr(args...)
	if err != nil {
		rc.t.Fatalf("%q: %v", args, err)
	}
	return r
}

// DoErr is Do that returns I/O and framing errors instead of failing.
func (rc *RawConn) DoErr(args ...string) ([]byte, error) {
	if err := rc.Send(EncodeCommand(args...)); err != nil {
		return nil, err
	}
	return rc.ReadReply()
}

// Send writes raw bytes to the server.
func (rc *RawConn) Send(raw []byte) error {
	rc.c.SetWriteDeadline(time.Now().Add(replyTimeout))
	_, err := rc.c.Write(raw)
	return err
}

// ReadReply reads exactly one complete reply and returns its raw bytes.
func (rc *RawConn) ReadReply() ([]byte, error) {
	return rc.ReadReplyTimeout(replyTimeout)
}

// ReadReplyTimeout is ReadReply with a given time limit.
func (rc *RawConn) ReadReplyTimeout(d time.Duration) ([]byte, error) {
	rc.c.SetReadDeadline(time.Now().Add(d))
	var out bytes.Buffer
	err := readReply(rc.br, &out)
	return out.Bytes(), err
}

// readLine reads one CRLF-terminated line, copying it to out, and returns
// the line without the CRLF.
func readLine(br *bufio.Reader, out *bytes.Buffer) ([]byte, error) {
	line, err := br.ReadBytes('\n')
	out.Write(line)
	if err != nil {
		return nil, err
	}
	if len(line) < 2 || line[len(line)-2] != '\r' {
		return nil, fmt.Errorf("line without CRLF: %q", line)
	}
	return line[:len(line)-2], nil
}

// readReply reads one RESP2 or RESP3 value (aggregates recursively) from br,
// appending its raw bytes to out.
func readReply(br *bufio.Reader, out *bytes.Buffer) error {
	line, err := readLine(br, out)
	if err != nil {
		return err
	}
	if len(line) == 0 {
		return fmt.Errorf("empty reply line")
	}
	switch line[0] {
	case '+', '-', ':', '_', ',', '#', '(':
		return nil
	case '$', '=', '!':
		n, err := strconv.Atoi(string(line[1:]))
		if err != nil {
			return fmt.Errorf("bad length in %q", line)
		}
		if n < 0 {
			return nil // $-1 null bulk
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(br, buf); err != nil {
			out.Write(buf)
			return err
		}
		out.Write(buf)
		if buf[n] != '\r' || buf[n+1] != '\n' {
			return fmt.Errorf("bulk of %d bytes not followed by CRLF", n)
		}
		return nil
	case '*', '~', '>', '%', '|':
		n, err := strconv.Atoi(string(line[1:]))
		if err != nil {
			return fmt.Errorf("bad length in %q", line)
		}
		if n < 0 {
			return nil // *-1 null array
		}
		if line[0] == '%' || line[0] == '|' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			if err := readReply(br, out); err != nil {
				return err
			}
		}
		if line[0] == '|' { // an attribute precedes the actual reply
			return readReply(br, out)
		}
		return nil
	}
	return fmt.Errorf("unknown reply type %q", line[0])
}

// Value is a parsed RESP value, used where replies are checked by structure
// rather than byte for byte.
type Value struct {
	// Type is the RESP type byte: + - : $ * _ , # % ~ > = ( !
	Type byte
	// Str is the payload of simple, error, bulk, number, double, boolean,
	// big number and verbatim values.
	Str string
	// Null is set for $-1, *-1 and _.
	Null bool
	// Elems are the elements of arrays, sets and pushes, and the keys and
	// values (alternating) of maps.
	Elems []Value
}

// ParseValue parses one raw reply.
func ParseValue(raw []byte) (Value, error) {
	br := bufio.NewReader(bytes.NewReader(raw))
	v, err := parseValue(br)
	if err != nil {
		return v, err
	}
	if br.Buffered() > 0 {
		return v, fmt.Errorf("%d trailing bytes", br.Buffered())
	}
	return v, nil
}

// parseValue parses one value from br.
func parseValue(br *bufio.Reader) (Value, error) {
	var scratch bytes.Buffer
	line, err := readLine(br, &scratch)
	if err != nil {
		return Value{}, err
	}
	if len(line) == 0 {
		return Value{}, fmt.Errorf("empty line")
	}
	v := Value{Type: line[0]}
	switch v.Type {
	case '+', '-', ':', ',', '#', '(':
		v.Str = string(line[1:])
	case '_':
		v.Null = true
	case '$', '=', '!':
		n, err := strconv.Atoi(string(line[1:]))
		if err != nil {
			return v, err
		}
		if n < 0 {
			v.Null = true
			return v, nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(br, buf); err != nil {
			return v, err
		}
		v.Str = string(buf[:n])
	case '*', '~', '>', '%':
		n, err := strconv.Atoi(string(line[1:]))
		if err != nil {
			return v, err
		}
		if n < 0 {
			v.Null = true
			return v, nil
		}
		if v.Type == '%' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			e, err := parseValue(br)
			if err != nil {
				return v, err
			}
			v.Elems = append(v.Elems, e)
		}
	default:
		return v, fmt.Errorf("unknown type %q", v.Type)
	}
	return v, nil
}

// MustParse parses raw or fails the test.
func MustParse(t testing.TB, raw []byte) Value {
	t.Helper()
	v, err := ParseValue(raw)
	if err != nil {
		t.Fatalf("parsing reply %q: %v", raw, err)
	}
	return v
}

// Map returns the map (RESP3 %) or flat key/value array (RESP2 *) as a Go map
// of key → value.
func (v Value) Map() map[string]Value {
	m := map[string]Value{}
	for i := 0; i+1 < len(v.Elems); i += 2 {
		m[v.Elems[i].Str] = v.Elems[i+1]
	}
	return m
}

// Strings returns the Str of every element.
func (v Value) Strings() []string {
	out := make([]string, len(v.Elems))
	for i, e := range v.Elems {
		out[i] = e.Str
	}
	return out
}

// SortedStrings returns the Str of every element, sorted.
func (v Value) SortedStrings() []string {
	s := v.Strings()
	sort.Strings(s)
	return s
}

// bufioReader returns a buffered reader over s.
func bufioReader(s string) *bufio.Reader {
	return bufio.NewReader(strings.NewReader(s))
}

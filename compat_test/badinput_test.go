package compat_test

import (
	"bytes"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// rawCase is malformed or unusual request bytes sent on a fresh connection.
// Everything the server sends back within a short quiet period, and
// whether it closes the connection, must match redis-server.
type rawCase struct {
	name string
	// parts are written one after another with a short pause between them,
	// so that the server sees them in separate reads.
	parts []string
	// hangup closes the client side after writing, to test half-sent
	// commands; nothing is compared then, only the servers' health.
	hangup bool
}

// badInputCases are compared byte for byte with redis-server.
var badInputCases = []rawCase{
	{name: "inline-ping", parts: []string{"PING\r\n"}},
	{name: "inline-lf-only", parts: []string{"PING\n"}},
	{name: "inline-set-get", parts: []string{"SET inl b\r\nGET inl\r\nDEL inl\r\n"}},
	{name: "inline-quotes", parts: []string{"SET \"k 1\" \"v\\x41\\n\"\r\nGET \"k 1\"\r\nECHO 'a b'\r\nDEL \"k 1\"\r\n"}},
	{name: "inline-empty-lines", parts: []string{"\r\n\r\n\n   \r\nPING\r\n"}},
	{name: "inline-unbalanced-double", parts: []string{"SET \"a b\r\n"}},
	{name: "inline-unbalanced-single", parts: []string{"ECHO 'abc\r\n"}},
	{name: "inline-quote-not-followed-by-space", parts: []string{"ECHO \"a\"b\r\n"}},
	{name: "inline-unknown", parts: []string{"NOSUCH a b\r\n"}},
	{name: "inline-garbage-bytes", parts: []string{"\x00\x01\x02\xff\xfe\r\n"}},
	{name: "inline-tabs", parts: []string{"ECHO\tx\r\n"}},
	{name: "inline-dollar", parts: []string{"$999999999999\r\n"}},
	{name: "inline-too-big", parts: []string{strings.Repeat("a", 70*1024)}},
	{name: "inline-then-multibulk", parts: []string{"PING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\nPING x\r\n"}},
	{name: "bulk-len-oversized", parts: []string{"*1\r\n$999999999999\r\n"}},
	{name: "bulk-len-above-proto-max", parts: []string{"*2\r\n$3\r\nGET\r\n$536870913\r\n"}},
	{name: "bulk-len-negative", parts: []string{"*1\r\n$-5\r\n"}},
	{name: "bulk-len-minus-one", parts: []string{"*1\r\n$-1\r\n"}},
	{name: "bulk-len-not-number", parts: []string{"*1\r\n$abc\r\n"}},
	{name: "bulk-len-trailing-space", parts: []string{"*1\r\n$4 \r\nPING\r\n"}},
	{name: "bulk-len-plus", parts: []string{"*1\r\n$+4\r\nPING\r\n"}},
	{name: "bulk-missing-dollar", parts: []string{"*1\r\nfoo\r\n"}},
	{name: "bulk-without-crlf", parts: []string{"*1\r\n$4\r\nPINGxx"}},
	{name: "bulk-longer-than-declared", parts: []string{"*2\r\n$4\r\nECHO\r\n$3\r\nabcde\r\n"}},
	{name: "multibulk-negative", parts: []string{"*-5\r\n*1\r\n$4\r\nPING\r\n"}},
	{name: "multibulk-minus-one", parts: []string{"*-1\r\n*1\r\n$4\r\nPING\r\n"}},
	{name: "multibulk-zero", parts: []string{"*0\r\n*1\r\n$4\r\nPING\r\n"}},
	{name: "multibulk-not-number", parts: []string{"*abc\r\n"}},
	{name: "multibulk-plus", parts: []string{"*+1\r\n$4\r\nPING\r\n"}},
	{name: "multibulk-huge", parts: []string{"*99999999999\r\n"}},
	{name: "multibulk-above-limit", parts: []string{"*1073741825\r\n"}},
	{name: "multibulk-empty-header", parts: []string{"*\r\n"}},
	{name: "empty-command-name", parts: []string{"*1\r\n$0\r\n\r\n"}},
	{name: "split-everywhere", parts: []string{"*3\r", "\n$3\r\nS", "ET\r\n$5\r\nsplit", "\r\n$1\r\n", "v\r\n", "*2\r\n$3\r\nGET\r\n$5\r\nsplit\r\n", "*2\r\n$3\r\nDEL\r\n$5\r\nsplit\r\n"}},
	{name: "partial-then-rest", parts: []string{"*2\r\n$4\r\nECHO\r\n$10\r\n01234", "56789\r\n"}},
	{name: "resp3-types-as-request", parts: []string{"%1\r\n+a\r\n+b\r\n"}},
	{name: "simple-string-request", parts: []string{"+PING\r\n"}},
	{name: "nul-in-multibulk-args", parts: []string{"*2\r\n$4\r\nECHO\r\n$3\r\na\x00b\r\n"}},
	{name: "crlf-inside-bulk", parts: []string{"*2\r\n$4\r\nECHO\r\n$4\r\n\r\n\r\n\r\n"}},
	{name: "many-pipelined-errors", parts: []string{strings.Repeat("*1\r\n$6\r\nNOSUCH\r\n", 50) + "*1\r\n$4\r\nPING\r\n"}},
	{name: "half-multibulk-hangup", parts: []string{"*3\r\n$3\r\nSET\r\n$4\r\nhalf\r\n$5\r\nva"}, hangup: true},
	{name: "half-header-hangup", parts: []string{"*3\r\n$3\r\nSET\r\n$4"}, hangup: true},
	{name: "half-inline-hangup", parts: []string{"SET half v"}, hangup: true},
	{name: "huge-count-hangup", parts: []string{"*1000000\r\n$3\r\nSET\r\n"}, hangup: true},
	{name: "huge-bulk-hangup", parts: []string{"*3\r\n$3\r\nSET\r\n$4\r\nhalf\r\n$100000000\r\nabc"}, hangup: true},
}

// quiet is how long a connection must stay silent before its output is
// considered complete.
const quiet = 300 * time.Millisecond

// exchange sends a case's parts on a fresh connection and returns all
// bytes received until the connection is closed or stays quiet, and
// whether it was closed.
func exchange(t *testing.T, addr string, c rawCase) ([]byte, bool) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	defer conn.Close()
	for i, p := range c.parts {
		if i > 0 {
			time.Sleep(30 * time.Millisecond)
		}
		conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
		if _, err := conn.Write([]byte(p)); err != nil {
			return nil, true
		}
	}
	if c.hangup {
		return nil, true
	}
	var out bytes.Buffer
	buf := make([]byte, 64*1024)
	for {
		conn.SetReadDeadline(time.Now().Add(quiet))
		n, err := conn.Read(buf)
		out.Write(buf[:n])
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				return out.Bytes(), false
			}
			return out.Bytes(), true
		}
	}
}

// TestBadInput sends malformed and unusual requests to redisk and
// redis-server, compares what comes back and whether the connection is
// closed, and checks afterwards that both servers still answer and that
// previously stored data is intact.
func TestBadInput(t *testing.T) {
	p := startPair(t)
	for _, s := range []*Server{p.redisk, p.redis} {
		rc := Dial(t, s.Addr)
		rc.Do("FLUSHALL")
		rc.Do("SET", "canary", "alive")
		rc.Do("RPUSH", "canarylist", "a", "b")
		rc.Close()
	}
	t.Run("cases", func(t *testing.T) {
		for _, c := range badInputCases {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				var wg sync.WaitGroup
				var got, want []byte
				var gclosed, wclosed bool
				wg.Add(2)
				go func() { defer wg.Done(); got, gclosed = exchange(t, p.redisk.Addr, c) }()
				go func() { defer wg.Done(); want, wclosed = exchange(t, p.redis.Addr, c) }()
				wg.Wait()
				if c.hangup {
					return
				}
				t.Logf("redis replied %q (closed=%v)", clip(want), wclosed)
				if !bytes.Equal(got, want) || gclosed != wclosed {
					t.Errorf("MISMATCH raw input %q\n  redisk: %q (closed=%v)\n  redis:  %q (closed=%v)",
						clip([]byte(strings.Join(c.parts, ""))), clip(got), gclosed, clip(want), wclosed)
				}
			})
		}
	})
	// Both servers survive and keep their data.
	for _, s := range []*Server{p.redisk, p.redis} {
		if s.exited() {
			t.Fatalf("%s exited after bad input:\n%s", s.Addr, tail(s.Log(), 3000))
		}
		rc := Dial(t, s.Addr)
		for _, check := range [][2]string{
			{"PING", "+PONG\r\n"},
			{"GET canary", "$5\r\nalive\r\n"},
			{"LRANGE canarylist 0 -1", "*2\r\n$1\r\na\r\n$1\r\nb\r\n"},
			{"EXISTS half split inl", ":0\r\n"},
			{"DBSIZE", ":2\r\n"},
		} {
			if got := string(rc.Do(splitArgs(check[0])...)); got != check[1] {
				t.Errorf("%s after bad input: %s = %q, want %q", s.Addr, check[0], got, check[1])
			}
		}
	}
}

// TestBadInputFlood checks that a client sending an endless argument or
// inline line is cut off without taking the server down, and that another
// client keeps being served meanwhile.
func TestBadInputFlood(t *testing.T) {
	s := StartRedisk(t)
	other := Dial(t, s.Addr)
	other.Do("SET", "keep", "me")
	for _, prefix := range []string{"", "*2\r\n$4\r\nECHO\r\n$500000000\r\n"} {
		conn, err := net.Dial("tcp", s.Addr)
		if err != nil {
			t.Fatal(err)
		}
		conn.Write([]byte(prefix))
		chunk := bytes.Repeat([]byte("x"), 64*1024)
		deadline := time.Now().Add(3 * time.Second)
		sent := 0
		for time.Now().Before(deadline) && sent < 8<<20 {
			conn.SetWriteDeadline(time.Now().Add(time.Second))
			n, err := conn.Write(chunk)
			sent += n
			if err != nil {
				break
			}
		}
		conn.Close()
		if got := string(other.Do("GET", "keep")); got != "$2\r\nme\r\n" {
			t.Errorf("GET from another client during flood %q: %q", prefix, got)
		}
	}
	if s.exited() {
		t.Fatalf("redisk exited:\n%s", tail(s.Log(), 3000))
	}
}

package commands_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"redisk/commands"
	"redisk/engine"
	"redisk/shard"
)

// The tests in this package start redisk's command layer in process over a
// fresh data folder and talk to it with rawClient, comparing raw reply
// bytes.
//
// With REDISK_TEST_REDIS=host:port they talk to that server instead (a real
// redis-server, after FLUSHALL): a way to check that the expected bytes in
// the tables are what Redis sends. Tests that need redisk internals still
// run against the in-process server in that mode.

// testServer is a command layer served on a loopback port.
type testServer struct {
	Srv  *commands.Server
	Data *shard.Set
	Addr string
	// Real is set when the tests talk to an external redis-server.
	Real bool
}

// startServer starts redisk on a fresh data folder (4 shards, 16
// databases) and stops it when the test ends.
func startServer(tb testing.TB) *testServer {
	tb.Helper()
	set, err := shard.Open(shard.Options{Dir: tb.TempDir(), Shards: 4, Databases: 16, Sync: engine.SyncEverysec, CacheBytes: 1 << 20})
	if err != nil {
		tb.Fatalf("shard.Open: %v", err)
	}
	srv, err := commands.NewServer(commands.NewConfig(), set)
	if err != nil {
		set.Close()
		tb.Fatalf("NewServer: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		set.Close()
		tb.Fatalf("listen: %v", err)
	}
	go srv.Net.Serve(ln)
	tb.Cleanup(func() {
		srv.Net.Close()
		set.Close()
	})
	return &testServer{Srv: srv, Data: set, Addr: ln.Addr().String()}
}

// startTarget returns the server the table tests run against: redisk in
// process, or the redis-server named by REDISK_TEST_REDIS, flushed.
func startTarget(tb testing.TB) *testServer {
	tb.Helper()
	if addr := os.Getenv("REDISK_TEST_REDIS"); addr != "" {
		s := &testServer{Addr: addr, Real: true}
		c := s.dial(tb)
		if got := c.Do("FLUSHALL"); got != "+OK\r\n" {
			tb.Fatalf("FLUSHALL on %s: %q", addr, got)
		}
		c.Close()
		return s
	}
	return startServer(tb)
}

// rawClient sends requests and reads replies as raw RESP bytes.
type rawClient struct {
	tb testing.TB
	nc net.Conn
	br *bufio.Reader
}

// dial connects a raw client that is closed when the test ends.
func (s *testServer) dial(tb testing.TB) *rawClient {
	tb.Helper()
	nc, err := net.DialTimeout("tcp", s.Addr, 5*time.Second)
	if err != nil {
		tb.Fatalf("dial %s: %v", s.Addr, err)
	}
	tb.Cleanup(func() { nc.Close() })
	return &rawClient{tb: tb, nc: nc, br: bufio.NewReader(nc)}
}

// Close closes the connection.
func (c *rawClient) Close() { c.nc.Close() }

// Abort closes the connection with a reset, leaving no TIME_WAIT socket
// behind (the fuzz test opens many connections).
func (c *rawClient) Abort() {
	if tc, ok := c.nc.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.nc.Close()
}

// encode returns args as a RESP multibulk request.
func encode(args ...string) string {
	var b strings.Builder
	b.WriteString("*" + strconv.Itoa(len(args)) + "\r\n")
	for _, a := range args {
		b.WriteString("$" + strconv.Itoa(len(a)) + "\r\n" + a + "\r\n")
	}
	return b.String()
}

// Send writes raw bytes to the server.
func (c *rawClient) Send(raw string) {
	c.tb.Helper()
	c.nc.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c.nc, raw); err != nil {
		c.tb.Fatalf("write: %v", err)
	}
}

// Do sends one command and returns its raw reply.
func (c *rawClient) Do(args ...string) string {
	c.tb.Helper()
	c.Send(encode(args...))
	return c.Read()
}

// Read returns the next raw reply, failing the test after 10 seconds.
func (c *rawClient) Read() string {
	c.tb.Helper()
	c.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	s, err := readReply(c.br)
	if err != nil {
		c.tb.Fatalf("reading reply: %v (read so far %q)", err, s)
	}
	return s
}

// TryRead returns the next raw reply or the error that prevented it,
// waiting at most d.
func (c *rawClient) TryRead(d time.Duration) (string, error) {
	c.nc.SetReadDeadline(time.Now().Add(d))
	return readReply(c.br)
}

// readReply reads one complete RESP2 or RESP3 reply and returns its bytes.
func readReply(br *bufio.Reader) (string, error) {
	var b strings.Builder
	err := readValue(br, &b)
	return b.String(), err
}

// readValue appends one reply (with its nested replies) to b.
func readValue(br *bufio.Reader, b *strings.Builder) error {
	line, err := br.ReadString('\n')
	b.WriteString(line)
	if err != nil {
		return err
	}
	if len(line) < 3 || !strings.HasSuffix(line, "\r\n") {
		return fmt.Errorf("malformed reply line %q", line)
	}
	n := 0
	switch line[0] {
	case '+', '-', ':', ',', '#', '_', '(':
		return nil
	case '$', '=', '!', '*', '~', '>', '%', '|':
		n, err = strconv.Atoi(line[1 : len(line)-2])
		if err != nil {
			return fmt.Errorf("malformed length in %q", line)
		}
	default:
		return fmt.Errorf("unknown reply type in %q", line)
	}
	switch line[0] {
	case '$', '=', '!':
		if n < 0 {
			return nil
		}
		buf := make([]byte, n+2)
		_, err := io.ReadFull(br, buf)
		b.Write(buf)
		return err
	case '%':
		n *= 2
	case '|':
		n = 2*n + 1 // the attributes, then the reply they describe
	}
	for i := 0; i < n; i++ {
		if err := readValue(br, b); err != nil {
			return err
		}
	}
	return nil
}

// tc is one table case: a command and the exact reply expected. A want
// starting with "re:" is a regular expression the whole reply must match.
type tc struct {
	args []string
	want string
	at   string // file:line of the case, for failure messages
}

// caller returns file:line of the table entry that built a case.
func caller() string {
	_, file, line, _ := runtime.Caller(2)
	return filepath.Base(file) + ":" + strconv.Itoa(line)
}

// cmd builds a tc from a command line split on spaces.
func cmd(line, want string) tc { return tc{strings.Fields(line), want, caller()} }

// args builds a tc from explicit arguments (for empty or spaced ones).
func args(want string, a ...string) tc { return tc{a, want, caller()} }

// check compares one reply with its expectation.
func check(tb testing.TB, what string, got, want string) {
	tb.Helper()
	if re, ok := strings.CutPrefix(want, "re:"); ok {
		if !regexp.MustCompile(`\A(?:` + re + `)\z`).MatchString(got) {
			tb.Errorf("%s\n got: %q\nwant: /%s/", what, got, re)
		}
		return
	}
	if got != want {
		tb.Errorf("%s\n got: %q\nwant: %q", what, got, want)
	}
}

// run sends each case in order on one connection and checks its reply.
func (c *rawClient) run(cases []tc) {
	c.tb.Helper()
	for _, k := range cases {
		check(c.tb, k.at+": "+showArgs(k.args), c.Do(k.args...), k.want)
	}
}

// showArgs quotes a command for failure messages, shortening long arguments.
func showArgs(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if len(a) > 64 {
			a = a[:32] + "..." + a[len(a)-8:] + " (" + strconv.Itoa(len(a)) + " bytes)"
		}
		out[i] = strconv.Quote(a)
	}
	return strings.Join(out, " ")
}

// runTable runs cases in order on a fresh server and one connection.
func runTable(t *testing.T, cases []tc) {
	t.Helper()
	startTarget(t).dial(t).run(cases)
}

// bulk encodes a bulk string reply.
func bulk(s string) string { return "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n" }

// integer encodes an integer reply.
func integer(n int64) string { return ":" + strconv.FormatInt(n, 10) + "\r\n" }

// arr encodes an array reply of already encoded items.
func arr(items ...string) string {
	return "*" + strconv.Itoa(len(items)) + "\r\n" + strings.Join(items, "")
}

// bulks encodes an array reply of bulk strings.
func bulks(items ...string) string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = bulk(s)
	}
	return arr(out...)
}

// Frequent replies.
const (
	ok        = "+OK\r\n"
	null      = "$-1\r\n"
	nullArray = "*-1\r\n"
	emptyArr  = "*0\r\n"
	zero      = ":0\r\n"
	one       = ":1\r\n"

	errSyntax    = "-ERR syntax error\r\n"
	errNotInt    = "-ERR value is not an integer or out of range\r\n"
	errNotFloat  = "-ERR value is not a valid float\r\n"
	errWrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
	errNoSuchKey = "-ERR no such key\r\n"
)

// errArity is the wrong-number-of-arguments reply for cmd.
func errArity(cmd string) string {
	return "-ERR wrong number of arguments for '" + cmd + "' command\r\n"
}

// TestHarnessReadReply checks the raw reply reader on every RESP3 type.
func TestHarnessReadReply(t *testing.T) {
	in := "+OK\r\n" + "-ERR x\r\n" + ":1\r\n" + "$3\r\na\r\n\r\n" + "$-1\r\n" + "*2\r\n$1\r\na\r\n*1\r\n:1\r\n" +
		"*-1\r\n" + "%1\r\n+k\r\n~2\r\n#t\r\n,1.5\r\n" + ">2\r\n+a\r\n_\r\n" + "=8\r\ntxt:abcd\r\n" +
		"|1\r\n+ttl\r\n:3\r\n+v\r\n" + "(123\r\n" + "!3\r\nerr\r\n"
	want := []string{"+OK\r\n", "-ERR x\r\n", ":1\r\n", "$3\r\na\r\n\r\n", "$-1\r\n", "*2\r\n$1\r\na\r\n*1\r\n:1\r\n",
		"*-1\r\n", "%1\r\n+k\r\n~2\r\n#t\r\n,1.5\r\n", ">2\r\n+a\r\n_\r\n", "=8\r\ntxt:abcd\r\n",
		"|1\r\n+ttl\r\n:3\r\n+v\r\n", "(123\r\n", "!3\r\nerr\r\n"}
	br := bufio.NewReader(strings.NewReader(in))
	for _, w := range want {
		got, err := readReply(br)
		if err != nil || got != w {
			t.Fatalf("readReply = %q, %v; want %q", got, err, w)
		}
	}
	if _, err := readReply(br); err != io.EOF {
		t.Fatalf("at the end: %v, want EOF", err)
	}
}

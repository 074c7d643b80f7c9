package compat_test

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// diffCase is one differential test: a sequence of commands run on a fresh
// connection to a FLUSHALL'd db 0 of both redisk and redis-server, whose raw
// replies must be equal.
//
// Each command is written like redis-cli input (see splitArgs). A prefix on
// a command selects a looser comparison for replies that legitimately differ
// between two servers:
//
//	?   only the reply's RESP type byte must match (ids, times, cursors)
//	~   the top-level aggregate must hold the same elements in any order
//	    (KEYS, SCAN pages of a single call: Redis's dict order is not ours)
//	≈   integer replies within 1500 of each other (PTTL, PEXPIRETIME)
//
// A step "#sleep N" is not sent: it waits N milliseconds (to let keys expire).
//
// Everything else is compared byte for byte, error texts included.
type diffCase struct {
	name string
	cmds []string
}

// diffPair is a redisk and a redis-server started for one differential test.
type diffPair struct {
	redisk, redis *Server
}

// startPair starts redisk and redis-server for a test (skipping it when
// redis-server is missing, failing under CI=true).
func startPair(t *testing.T) *diffPair {
	t.Helper()
	needRedis(t, "redis-server")
	return &diffPair{redisk: StartRedisk(t), redis: StartRedis(t)}
}

// checkUniqueNames fails the test when two cases share a name (their
// subtests would be indistinguishable).
func checkUniqueNames(t *testing.T, names []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			t.Fatalf("duplicate case name %q", n)
		}
		seen[n] = true
	}
}

// runDiff runs every case against both servers, once over RESP2, once
// after HELLO 3 (RESP3), and once over RESP2 with all of a case's commands
// sent in a single write (a pipeline), each case as its own subtest.
func runDiff(t *testing.T, cases []diffCase) {
	p := startPair(t)
	names := make([]string, len(cases))
	for i, c := range cases {
		names[i] = c.name
	}
	checkUniqueNames(t, names)
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("resp%d", proto), func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) { p.runCase(t, c, proto) })
			}
		})
	}
	t.Run("resp2-pipelined", func(t *testing.T) {
		for _, c := range cases {
			if strings.Contains(strings.Join(c.cmds, "\n"), "#sleep") {
				continue // timing-dependent steps cannot be pipelined
			}
			t.Run(c.name, func(t *testing.T) { p.runPipelined(t, c) })
		}
	})
}

// runPipelined sends all of a case's commands in one write to each server,
// then reads and compares the replies in order.
func (p *diffPair) runPipelined(t *testing.T, c diffCase) {
	if p.redisk.exited() {
		t.Logf("redisk had exited (%v); restarting it", p.redisk.cmd.ProcessState)
		p.redisk.relaunch()
	}
	if strings.Contains(strings.ToUpper(strings.Join(c.cmds, "\n")), "CONFIG SET") {
		defer p.resetConfig(t)
	}
	var batch []byte
	for _, line := range c.cmds {
		_, text := splitMode(line)
		batch = append(batch, EncodeCommand(splitArgs(text)...)...)
	}
	mine := session(t, p.redisk, 2)
	ref := session(t, p.redis, 2)
	defer mine.Close()
	defer ref.Close()
	if err := ref.Send(batch); err != nil {
		t.Fatalf("redis-server: %v", err)
	}
	if err := mine.Send(batch); err != nil {
		t.Fatalf("redisk: %v", err)
	}
	for i, line := range c.cmds {
		mode, text := splitMode(line)
		want, werr := ref.ReadReply()
		if werr != nil {
			t.Fatalf("redis-server failed on step %d %s: %v", i+1, text, werr)
		}
		got, gerr := mine.ReadReply()
		if gerr != nil {
			t.Errorf("MISMATCH step %d: %s\n  pipelined sequence: %s\n  redisk: %q (error: %v)\n  redis:  %q",
				i+1, shortCmd(text), seqString(c.cmds, 2), got, gerr, want)
			return
		}
		if ok, why := sameReply(mode, got, want); !ok {
			t.Errorf("MISMATCH step %d: %s%s\n  pipelined sequence: %s\n  redisk: %q\n  redis:  %q",
				i+1, shortCmd(text), why, seqString(c.cmds, 2), clip(got), clip(want))
		}
	}
}

// session opens a connection to s, switches to RESP3 when proto is 3 and
// empties every database.
func session(t *testing.T, s *Server, proto int) *RawConn {
	t.Helper()
	rc := Dial(t, s.Addr)
	if proto == 3 {
		// The HELLO reply holds ids and versions: only its shape is checked.
		v := MustParse(t, rc.Do("HELLO", "3"))
		if v.Type != '%' {
			t.Fatalf("HELLO 3 on %s: got %q, want a map", s.Addr, v.Type)
		}
	}
	if r := rc.Do("FLUSHALL"); string(r) != "+OK\r\n" {
		t.Fatalf("FLUSHALL on %s: %q", s.Addr, r)
	}
	return rc
}

// runCase runs one case on fresh connections to both servers.
func (p *diffPair) runCase(t *testing.T, c diffCase, proto int) {
	if p.redisk.exited() {
		t.Logf("redisk had exited (%v); restarting it", p.redisk.cmd.ProcessState)
		p.redisk.relaunch()
	}
	mine := session(t, p.redisk, proto)
	ref := session(t, p.redis, proto)
	defer mine.Close()
	defer ref.Close()
	if strings.Contains(strings.ToUpper(strings.Join(c.cmds, "\n")), "CONFIG SET") {
		defer p.resetConfig(t)
	}
	for i, line := range c.cmds {
		if ms, ok := strings.CutPrefix(line, "#sleep "); ok {
			n, err := strconv.Atoi(ms)
			if err != nil {
				t.Fatalf("bad step %q", line)
			}
			time.Sleep(time.Duration(n) * time.Millisecond)
			continue
		}
		mode, text := splitMode(line)
		args := splitArgs(text)
		want, werr := ref.DoErr(args...)
		if werr != nil {
			t.Fatalf("redis-server failed on step %d %s: %v (reply so far %q)", i+1, text, werr, want)
		}
		got, gerr := mine.DoErr(args...)
		if gerr != nil {
			t.Errorf("MISMATCH step %d: %s\n  sequence: %s\n  redisk: %q (error: %v)\n  redis:  %q",
				i+1, shortCmd(text), seqString(c.cmds[:i+1], proto), got, gerr, want)
			if p.redisk.exited() {
				t.Errorf("redisk exited during this case: %v\nlog tail:\n%s", p.redisk.cmd.ProcessState, tail(p.redisk.Log(), 2000))
			}
			return
		}
		if ok, why := sameReply(mode, got, want); !ok {
			t.Errorf("MISMATCH step %d: %s%s\n  sequence: %s\n  redisk: %q\n  redis:  %q",
				i+1, shortCmd(text), why, seqString(c.cmds[:i+1], proto), clip(got), clip(want))
		}
	}
}

// resetConfig puts back the settings that cases change with CONFIG SET,
// since they outlive FLUSHALL and the connection.
func (p *diffPair) resetConfig(t *testing.T) {
	for _, s := range []*Server{p.redisk, p.redis} {
		rc := Dial(t, s.Addr)
		for _, kv := range [][2]string{{"timeout", "0"}, {"tcp-keepalive", "300"}, {"maxmemory-policy", "noeviction"}} {
			if r, err := rc.DoErr("CONFIG", "SET", kv[0], kv[1]); err != nil || string(r) != "+OK\r\n" {
				t.Errorf("restoring %s on %s: %q %v", kv[0], s.Addr, r, err)
			}
		}
		rc.Close()
	}
}

// splitMode separates a command's comparison prefix from its text.
func splitMode(line string) (string, string) {
	for _, m := range []string{"?", "~", "≈"} {
		if strings.HasPrefix(line, m) {
			return m, strings.TrimSpace(line[len(m):])
		}
	}
	return "", line
}

// sameReply compares two raw replies under a comparison mode and says why
// they differ.
func sameReply(mode string, got, want []byte) (bool, string) {
	if bytes.Equal(got, want) {
		return true, ""
	}
	switch mode {
	case "?":
		if len(got) > 0 && len(want) > 0 && got[0] == want[0] {
			return true, ""
		}
		return false, " (reply types differ)"
	case "~":
		g, err1 := ParseValue(got)
		w, err2 := ParseValue(want)
		if err1 != nil || err2 != nil || g.Type != w.Type || g.Null != w.Null {
			return false, " (compared as unordered)"
		}
		gs, ws := rawElems(g), rawElems(w)
		if strings.Join(gs, "\x00") == strings.Join(ws, "\x00") {
			return true, ""
		}
		return false, " (compared as unordered)"
	case "≈":
		if len(got) > 1 && len(want) > 1 && got[0] == ':' && want[0] == ':' {
			g, err1 := strconv.ParseInt(strings.TrimSpace(string(got[1:])), 10, 64)
			w, err2 := strconv.ParseInt(strings.TrimSpace(string(want[1:])), 10, 64)
			if err1 == nil && err2 == nil && g-w <= 1500 && w-g <= 1500 && (g < 0) == (w < 0) {
				return true, ""
			}
		}
		return false, " (compared within 1500)"
	}
	return false, ""
}

// rawElems renders each element of an aggregate and sorts them.
func rawElems(v Value) []string {
	out := make([]string, len(v.Elems))
	for i, e := range v.Elems {
		out[i] = fmt.Sprintf("%c%q%v%v", e.Type, e.Str, e.Null, rawElems(e))
	}
	sort.Strings(out)
	return out
}

// seqString renders a case's command sequence for failure reports.
func seqString(cmds []string, proto int) string {
	parts := make([]string, 0, len(cmds)+1)
	if proto == 3 {
		parts = append(parts, "HELLO 3")
	}
	for _, c := range cmds {
		_, text := splitMode(c)
		parts = append(parts, shortCmd(text))
	}
	return strings.Join(parts, " ; ")
}

// shortCmd abbreviates very long command texts in reports.
func shortCmd(s string) string {
	if len(s) > 200 {
		return s[:150] + fmt.Sprintf("...(%d bytes)", len(s))
	}
	return s
}

// clip abbreviates very long replies in reports.
func clip(b []byte) []byte {
	if len(b) > 600 {
		return append(append([]byte{}, b[:500]...), fmt.Sprintf("...(%d bytes)", len(b))...)
	}
	return b
}

// tail returns the last n bytes of s.
func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// splitArgs splits a command line like redis-cli does: arguments separated
// by spaces; "double quotes" allow spaces and the escapes \" \\ \n \r \t \xHH;
// 'single quotes' are taken literally. "" is an empty argument.
func splitArgs(s string) []string {
	var args []string
	i := 0
	for {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i >= len(s) {
			return args
		}
		var b strings.Builder
		switch s[i] {
		case '"':
			i++
			for i < len(s) && s[i] != '"' {
				if s[i] == '\\' && i+1 < len(s) {
					i++
					switch s[i] {
					case 'n':
						b.WriteByte('\n')
					case 'r':
						b.WriteByte('\r')
					case 't':
						b.WriteByte('\t')
					case 'x':
						n, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
						if err != nil {
							panic("bad \\x escape in " + s)
						}
						b.WriteByte(byte(n))
						i += 2
					default:
						b.WriteByte(s[i])
					}
				} else {
					b.WriteByte(s[i])
				}
				i++
			}
			if i >= len(s) {
				panic("unbalanced quote in " + s)
			}
			i++
		case '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				panic("unbalanced quote in " + s)
			}
			b.WriteString(s[i+1 : i+1+j])
			i += j + 2
		default:
			j := strings.IndexByte(s[i:], ' ')
			if j < 0 {
				j = len(s) - i
			}
			b.WriteString(s[i : i+j])
			i += j
		}
		args = append(args, b.String())
	}
}

// TestSplitArgs checks the table syntax parser itself.
func TestSplitArgs(t *testing.T) {
	got := splitArgs(`SET "a b" '' "x\x00\"y" plain`)
	want := []string{"SET", "a b", "", "x\x00\"y", "plain"}
	if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
		t.Fatalf("got %q want %q", got, want)
	}
}

// TestRawReader checks the raw reply reader on every RESP type.
func TestRawReader(t *testing.T) {
	in := "+OK\r\n-ERR x\r\n:1\r\n$3\r\nabc\r\n$-1\r\n*-1\r\n*2\r\n*1\r\n:1\r\n$0\r\n\r\n_\r\n,1.5\r\n#t\r\n" +
		"%1\r\n+k\r\n~1\r\n:2\r\n>2\r\n+message\r\n$1\r\nx\r\n=7\r\ntxt:abc\r\n(123\r\n|1\r\n+a\r\n:1\r\n:9\r\n"
	want := []string{"+OK\r\n", "-ERR x\r\n", ":1\r\n", "$3\r\nabc\r\n", "$-1\r\n", "*-1\r\n",
		"*2\r\n*1\r\n:1\r\n$0\r\n\r\n", "_\r\n", ",1.5\r\n", "#t\r\n", "%1\r\n+k\r\n~1\r\n:2\r\n",
		">2\r\n+message\r\n$1\r\nx\r\n", "=7\r\ntxt:abc\r\n", "(123\r\n", "|1\r\n+a\r\n:1\r\n:9\r\n"}
	br := bufioReader(in)
	for _, w := range want {
		var out bytes.Buffer
		if err := readReply(br, &out); err != nil {
			t.Fatalf("reading %q: %v", w, err)
		}
		if out.String() != w {
			t.Fatalf("got %q want %q", out.String(), w)
		}
	}
	v := MustParse(t, []byte("%1\r\n+k\r\n~2\r\n:2\r\n_\r\n"))
	if v.Map()["k"].Elems[1].Null != true {
		t.Fatalf("parse: %+v", v)
	}
}

// waitFor polls cond every 10ms until it is true or d passes.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return cond()
}

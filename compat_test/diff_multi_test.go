package compat_test

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// multiCases cover MULTI/EXEC/DISCARD/WATCH/UNWATCH on one connection.
// Cases where another connection touches a watched key are in
// crossConnMultiCases.
var multiCases = []diffCase{
	dc("multi-basic", "MULTI", "SET a 1", "INCR a", "GET a", "RPUSH l x y", "LRANGE l 0 -1", "EXEC", "GET a"),
	dc("multi-empty", "MULTI", "EXEC", "MULTI", "DISCARD"),
	dc("discard", "SET a 0", "MULTI", "SET a 1", "INCR a", "DISCARD", "GET a", "DISCARD", "EXEC"),
	dc("exec-discard-without-multi", "EXEC", "DISCARD", "UNWATCH", "EXEC x", "DISCARD x", "MULTI x", "UNWATCH x"),
	dc("exec-arity-inside-multi", "MULTI", "SET a 1", "EXEC x", "EXEC", "GET a"),
	dc("multi-nested", "MULTI", "SET a 1", "MULTI", "INCR a", "EXEC", "GET a", "EXEC"),
	dc("multi-queued-arity-error", "MULTI", "SET a 1", "SET b", "INCR a", "EXEC", "EXISTS a b", "EXEC"),
	dc("multi-queued-unknown-command", "MULTI", "SET a 1", "NOSUCH x", "EXEC", "GET a"),
	dc("multi-queued-error-then-discard", "MULTI", "GET", "DISCARD", "MULTI", "SET a 1", "EXEC"),
	dc("multi-runtime-errors", "SET s x", "RPUSH l a", "MULTI", "INCR s", "SET b 1", "GET l", "LPUSH s y", "INCR b", "EXEC", "MGET s b"),
	dc("multi-syntax-error-runtime", "MULTI", "SET a 1 NX XX", "SET b 1 EX 0", "EXPIRE b abc", "SET c 1", "EXEC", "MGET a b c"),
	dc("watch-inside-multi", "MULTI", "WATCH a", "SET a 1", "EXEC", "GET a"),
	dc("watch-own-write", "WATCH a", "SET a 1", "MULTI", "GET a", "EXEC", "GET a"),
	dc("watch-own-read", "SET a 1", "WATCH a", "GET a", "EXISTS a", "TTL a", "MULTI", "INCR a", "EXEC"),
	dc("watch-unwatch", "WATCH a b", "SET a 1", "UNWATCH", "MULTI", "INCR a", "EXEC"),
	dc("watch-cleared-by-exec", "WATCH a", "SET a 1", "MULTI", "EXEC", "SET a 2", "MULTI", "INCR a", "EXEC"),
	dc("watch-cleared-by-discard", "WATCH a", "SET a 1", "MULTI", "DISCARD", "MULTI", "INCR a", "EXEC"),
	dc("watch-cleared-by-execabort", "WATCH a", "SET a 1", "MULTI", "GET", "EXEC", "MULTI", "INCR a", "EXEC"),
	dc("watch-arity", "WATCH", "MULTI", "UNWATCH", "EXEC"),
	dc("watch-missing-then-created", "WATCH nokey", "RPUSH nokey x", "MULTI", "LLEN nokey", "EXEC"),
	dc("watch-expired-key", "SET k v PX 50", "WATCH k", "#sleep 150", "MULTI", "GET k", "EXEC", "EXISTS k"),
	dc("watch-already-expired", "SET k v PX 10", "#sleep 50", "WATCH k", "MULTI", "GET k", "EXEC"),
	dc("watch-persistent-ttl-far", "SET k v EX 100", "WATCH k", "MULTI", "GET k", "EXEC"),
	dc("watch-other-db", "WATCH a", "SELECT 1", "SET a 1", "SELECT 0", "MULTI", "GET a", "EXEC"),
	dc("select-inside-multi", "SET a zero", "MULTI", "SELECT 1", "SET a one", "GET a", "SELECT 0", "GET a", "SELECT 99", "EXEC", "GET a", "SELECT 1", "GET a"),
	dc("select-inside-multi-stays", "MULTI", "SELECT 2", "SET a two", "EXEC", "GET a", "SELECT 0", "GET a"),
	dc("multi-many-shards", "MULTI", "MSET "+kvList(30), "MGET "+keyList(30), "DEL "+keyList(15), "EXISTS "+keyList(30), "EXEC", "MGET "+keyList(30)),
	dc("multi-many-keys-separate", "MULTI", "SET k1 a", "SET k2 b", "SET k3 c", "SET {x}1 d", "SET {y}2 e", "RENAME k1 k9", "EXEC", "MGET k1 k2 k3 k9 {x}1 {y}2"),
	dc("multi-blocking-empty", "MULTI", "BLPOP empty 0", "BRPOP empty 1", "BLMOVE empty dst LEFT RIGHT 0", "BZPOPMIN z 0", "EXEC"),
	dc("multi-blocking-nonempty", "RPUSH l a b", "MULTI", "BLPOP l 0", "BRPOP l 0", "BLPOP l 0", "EXEC"),
	dc("multi-flushdb-inside", "SET a 1", "MULTI", "FLUSHDB", "SET b 1", "EXEC", "~KEYS *"),
	dc("multi-exec-inside-script-forbidden", "EVAL \"return redis.call('MULTI')\" 0", "EVAL \"return redis.pcall('EXEC')\" 0"),
	dc("multi-lowercase", "multi", "set a 1", "exec", "multi", "discard"),
	dc("multi-reset", "MULTI", "SET a 1", "RESET", "EXEC", "GET a"),
	dc("multi-ping-echo", "MULTI", "PING", "ECHO hi", "EXEC"),
}

// TestDiffMulti compares transactions on one connection with redis-server.
func TestDiffMulti(t *testing.T) { runDiff(t, multiCases) }

// keyList returns "k1 k2 ... kn".
func keyList(n int) string {
	var b []string
	for i := 1; i <= n; i++ {
		b = append(b, "k"+strconv.Itoa(i))
	}
	return strings.Join(b, " ")
}

// kvList returns "k1 v1 k2 v2 ... kn vn".
func kvList(n int) string {
	var b []string
	for i := 1; i <= n; i++ {
		b = append(b, fmt.Sprintf("k%d v%d", i, i))
	}
	return strings.Join(b, " ")
}

// crossConnMultiCases run on two connections A and B to each server (see
// runConnDiff): WATCH on A, a change (or a read) on B, EXEC on A.
var crossConnMultiCases = []connCase{
	cc("watch-set", "A SET k 1", "A WATCH k", "B SET k 2", "A MULTI", "A GET k", "A EXEC", "A GET k"),
	cc("watch-set-same-value", "A SET k 1", "A WATCH k", "B SET k 1", "A MULTI", "A GET k", "A EXEC"),
	cc("watch-del", "A SET k 1", "A WATCH k", "B DEL k", "A MULTI", "A SET k 3", "A EXEC", "A GET k"),
	cc("watch-del-missing", "A WATCH k", "B DEL k", "A MULTI", "A SET k 3", "A EXEC", "A GET k"),
	cc("watch-flushdb", "A SET k 1", "A WATCH k", "B FLUSHDB", "A MULTI", "A SET k 3", "A EXEC", "A GET k"),
	cc("watch-flushdb-missing", "A WATCH k", "B FLUSHDB", "A MULTI", "A SET k 3", "A EXEC"),
	cc("watch-flushall", "A SET k 1", "A WATCH k", "B FLUSHALL", "A MULTI", "A SET k 3", "A EXEC"),
	cc("watch-flushdb-other-db", "A SET k 1", "A WATCH k", "B SELECT 1", "B FLUSHDB", "A MULTI", "A SET k 3", "A EXEC"),
	cc("watch-swapdb", "A SET k 1", "A WATCH k", "B SWAPDB 0 1", "A MULTI", "A GET k", "A EXEC"),
	cc("watch-swapdb-into", "A WATCH k", "B SELECT 1", "B SET k 1", "B SWAPDB 0 1", "A MULTI", "A GET k", "A EXEC"),
	cc("watch-swapdb-both-missing", "A WATCH k", "B SWAPDB 0 1", "A MULTI", "A GET k", "A EXEC"),
	cc("watch-rename-source", "A SET k 1", "A WATCH k", "B RENAME k j", "A MULTI", "A GET j", "A EXEC"),
	cc("watch-rename-dest", "A SET j 1", "A WATCH k", "B RENAME j k", "A MULTI", "A GET k", "A EXEC"),
	cc("watch-expire", "A SET k 1", "A WATCH k", "B EXPIRE k 100", "A MULTI", "A GET k", "A EXEC"),
	cc("watch-persist", "A SET k 1 EX 100", "A WATCH k", "B PERSIST k", "A MULTI", "A GET k", "A EXEC"),
	cc("watch-expire-missing", "A WATCH k", "B EXPIRE k 100", "A MULTI", "A GET k", "A EXEC"),
	cc("watch-rpush", "A WATCH l", "B RPUSH l x", "A MULTI", "A LLEN l", "A EXEC"),
	cc("watch-incr", "A SET n 1", "A WATCH n", "B INCR n", "A MULTI", "A INCR n", "A EXEC", "A GET n"),
	cc("watch-mset-one-of-many", "A WATCH a b c", "B MSET x 1 c 2", "A MULTI", "A GET c", "A EXEC"),
	cc("watch-other-key", "A WATCH k", "B SET other 1", "A MULTI", "A SET k 1", "A EXEC"),
	cc("watch-other-db-write", "A WATCH k", "B SELECT 1", "B SET k 1", "A MULTI", "A SET k 1", "A EXEC"),
	cc("watch-reads-dont-touch", "A SET k 1", "A RPUSH l a", "A WATCH k l", "B GET k", "B EXISTS k", "B TTL k", "B LRANGE l 0 -1",
		"B TYPE k", "B STRLEN k", "B OBJECT ENCODING k", "A MULTI", "A INCR k", "A EXEC"),
	cc("watch-failed-write-doesnt-touch", "A SET k 1", "A WATCH k", "B LPUSH k x", "B SET k 2 NX", "B EXPIRE k abc", "A MULTI", "A INCR k", "A EXEC"),
	// Sorted-set writes that change nothing do not touch the key; one that
	// changes a score does.
	cc("watch-zset-noop-writes", "A ZADD z 1 a 5 b", "A WATCH z", "B ZADD z 1 a", "B ZADD z XX 2 c", "B ZADD z NX 3 a",
		"B ZADD z GT 4 b", "B ZADD z LT 6 b", "B ZINCRBY z 0 a", "B ZREM z c", "A MULTI", "A ZCARD z", "A EXEC"),
	cc("watch-smove-missing", "A SADD k a", "A SADD d x", "A WATCH k d {k}d", "B SMOVE k d b", "B SMOVE k {k}d b", "B SMOVE nokey d a",
		"A MULTI", "A SCARD k", "A EXEC"),
	cc("watch-smove-moved", "A SADD k a", "A WATCH d", "B SMOVE k d a", "A MULTI", "A SCARD d", "A EXEC"),
	cc("watch-zset-score-change", "A ZADD z 1 a", "A WATCH z", "B ZADD z 2 a", "A MULTI", "A ZCARD z", "A EXEC"),
	cc("watch-touched-in-multi-by-other", "A WATCH k", "A MULTI", "A SET k 1", "B SET k 2", "A EXEC", "A GET k"),
	cc("watch-expiry-during-watch", "A SET k v PX 50", "A WATCH k", "#sleep 150", "B GET k", "A MULTI", "A SET k 2", "A EXEC", "A GET k"),
	cc("multi-queue-not-visible", "A MULTI", "A SET k 1", "B GET k", "A EXEC", "B GET k"),
	cc("multi-unwatch-after-touch", "A WATCH k", "B SET k 1", "A UNWATCH", "A MULTI", "A GET k", "A EXEC"),
	cc("multi-publish-on-exec", "A SUBSCRIBE ch", "B MULTI", "B PUBLISH ch hi", "B PUBLISH ch there", "A <none", "B EXEC", "A <", "A <"),
	cc("multi-blpop-not-woken-by-queue", "B MULTI", "B RPUSH q x", "B LPOP q", "B EXEC", "A LLEN q"),
}

// TestDiffMultiCrossConn compares WATCH invalidation across connections.
func TestDiffMultiCrossConn(t *testing.T) { runConnDiff(t, crossConnMultiCases) }

// connCase is a differential test on several connections to each server.
// Each step starts with a connection name (a single capital letter) and a
// space, then a command written as in diffCase (with the ?, ~ and ≈
// prefixes). Special steps:
//
//	A <         read one more reply on A (a push, or the next reply of a
//	            command that answers several times, like SUBSCRIBE a b)
//	A <N~       read N more replies on A and compare them as a multiset
//	            (messages from several matching patterns, in dict order)
//	A <none     nothing must arrive on A within 200ms
//	#sleep N    wait N milliseconds
//	2 A ...     run the step only over RESP2 (3 A ...: only over RESP3)
//
// Replies and pushes are compared byte for byte like diffCase.
type connCase struct {
	name  string
	steps []string
}

// cc builds a connCase.
func cc(name string, steps ...string) connCase { return connCase{name: name, steps: steps} }

// runConnDiff runs every case against both servers over RESP2 and RESP3
// (every connection of a case switched with HELLO 3).
func runConnDiff(t *testing.T, cases []connCase) {
	p := startPair(t)
	names := make([]string, len(cases))
	for i, c := range cases {
		names[i] = c.name
	}
	checkUniqueNames(t, names)
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("resp%d", proto), func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) { p.runConnCase(t, c, proto) })
			}
		})
	}
}

// runConnCase runs one connCase on fresh connections to both servers.
func (p *diffPair) runConnCase(t *testing.T, c connCase, proto int) {
	if p.redisk.exited() {
		t.Logf("redisk had exited (%v); restarting it", p.redisk.cmd.ProcessState)
		p.redisk.relaunch()
	}
	mine, ref := map[string]*RawConn{}, map[string]*RawConn{}
	defer func() {
		for _, m := range []map[string]*RawConn{mine, ref} {
			for _, rc := range m {
				rc.Close()
			}
		}
	}()
	conn := func(name string) (*RawConn, *RawConn) {
		if mine[name] == nil {
			mine[name] = dialProto(t, p.redisk, proto)
			ref[name] = dialProto(t, p.redis, proto)
		}
		return mine[name], ref[name]
	}
	// Empty every db once, from a separate connection, once the previous
	// case's connections are gone: a server forgets a closed connection
	// (its subscriptions, its watches) when it gets to it, and one of the
	// last case's subscribers would still receive this case's messages.
	for _, s := range []*Server{p.redisk, p.redis} {
		rc := Dial(t, s.Addr)
		waitAlone(t, rc, s.Addr)
		if r := rc.Do("FLUSHALL"); string(r) != "+OK\r\n" {
			t.Fatalf("FLUSHALL on %s: %q", s.Addr, r)
		}
		rc.Close()
	}
	var done []string
	for i, step := range c.steps {
		done = append(done, step)
		if ms, ok := strings.CutPrefix(step, "#sleep "); ok {
			n, err := strconv.Atoi(ms)
			if err != nil {
				t.Fatalf("bad step %q", step)
			}
			time.Sleep(time.Duration(n) * time.Millisecond)
			continue
		}
		if rest, ok := strings.CutPrefix(step, "2 "); ok {
			if proto != 2 {
				continue
			}
			step = rest
		} else if rest, ok := strings.CutPrefix(step, "3 "); ok {
			if proto != 3 {
				continue
			}
			step = rest
		}
		name, text, ok := strings.Cut(step, " ")
		if !ok || len(name) != 1 {
			t.Fatalf("bad step %q", step)
		}
		m, r := conn(name)
		var got, want []byte
		var gerr, werr error
		mode := ""
		switch text {
		case "<":
			want, werr = r.ReadReplyTimeout(2 * time.Second)
			got, gerr = m.ReadReplyTimeout(2 * time.Second)
		case "<2~", "<3~", "<4~":
			n := int(text[1] - '0')
			var gs, ws []string
			for j := 0; j < n; j++ {
				w, err := r.ReadReplyTimeout(2 * time.Second)
				if err != nil {
					t.Fatalf("redis-server failed on step %d %s: %v (reply so far %q)", i+1, step, err, w)
				}
				g, err := m.ReadReplyTimeout(2 * time.Second)
				if err != nil {
					t.Errorf("MISMATCH step %d: %s\n  sequence (RESP%d): %s\n  redisk: %q (error: %v)", i+1, step, proto, strings.Join(done, " ; "), g, err)
					return
				}
				ws, gs = append(ws, string(w)), append(gs, string(g))
			}
			sort.Strings(ws)
			sort.Strings(gs)
			if strings.Join(gs, "") != strings.Join(ws, "") {
				t.Errorf("MISMATCH step %d: %s (compared as unordered)\n  sequence (RESP%d): %s\n  redisk: %q\n  redis:  %q",
					i+1, step, proto, strings.Join(done, " ; "), gs, ws)
			}
			continue
		case "<none":
			// Both servers are given the same 200ms at once.
			ch := make(chan []byte, 1)
			go func() {
				g, _ := m.ReadReplyTimeout(200 * time.Millisecond)
				ch <- g
			}()
			w, err := r.ReadReplyTimeout(200 * time.Millisecond)
			g := <-ch
			if err == nil || len(w) > 0 {
				t.Fatalf("step %d %s: redis-server sent %q (case is wrong)", i+1, step, w)
			}
			if len(g) > 0 {
				t.Errorf("MISMATCH step %d: %s\n  sequence: %s\n  redisk sent %q, redis sent nothing", i+1, step, strings.Join(done, " ; "), g)
				return
			}
			continue
		default:
			var cmd string
			mode, cmd = splitMode(text)
			args := splitArgs(cmd)
			want, werr = r.DoErr(args...)
			got, gerr = m.DoErr(args...)
		}
		if werr != nil {
			t.Fatalf("redis-server failed on step %d %s: %v (reply so far %q)", i+1, step, werr, want)
		}
		if gerr != nil {
			t.Errorf("MISMATCH step %d: %s\n  sequence (RESP%d): %s\n  redisk: %q (error: %v)\n  redis:  %q",
				i+1, step, proto, strings.Join(done, " ; "), got, gerr, want)
			return
		}
		if ok, why := sameReply(mode, got, want); !ok {
			t.Errorf("MISMATCH step %d: %s%s\n  sequence (RESP%d): %s\n  redisk: %q\n  redis:  %q",
				i+1, step, why, proto, strings.Join(done, " ; "), clip(got), clip(want))
		}
	}
}

// waitAlone waits until rc is the only connection its server counts
// (INFO connected_clients), for at most 5 seconds.
func waitAlone(t *testing.T, rc *RawConn, addr string) {
	t.Helper()
	var info string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		info = string(rc.Do("INFO", "clients"))
		if strings.Contains(info, "\r\nconnected_clients:1\r\n") {
			return
		}
	}
	t.Fatalf("%s still counts other connections after 5s: %q", addr, info)
}

// dialProto opens a connection to s, switched to RESP3 when proto is 3.
func dialProto(t *testing.T, s *Server, proto int) *RawConn {
	t.Helper()
	rc := Dial(t, s.Addr)
	if proto == 3 {
		v := MustParse(t, rc.Do("HELLO", "3"))
		if v.Type != '%' {
			t.Fatalf("HELLO 3 on %s: got %q, want a map", s.Addr, v.Type)
		}
	}
	return rc
}

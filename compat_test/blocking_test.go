package compat_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// blockingCases are the blocking commands' replies that need only one
// connection: timeouts (a null array, *-1 in RESP2 and _ in RESP3),
// immediate replies when data is there, timeout errors, and MULTI, where
// blocking commands never block.
// TestBlockingTimeoutRange checks redisk's answer to timeouts past LLONG_MAX
// milliseconds. They are not compared with the 7.0 oracle: 7.0 casts them to
// a negative number ("timeout is negative"), 7.2 — which redisk follows —
// answers "timeout is out of range".
func TestBlockingTimeoutRange(t *testing.T) {
	s := StartRedisk(t)
	c := Dial(t, s.Addr)
	for _, arg := range []string{"inf", "1e100", "+inf"} {
		if got := string(c.Do("BLPOP", "l", arg)); got != "-ERR timeout is out of range\r\n" {
			t.Errorf("BLPOP l %s = %q", arg, got)
		}
	}
	if got := string(c.Do("BLPOP", "l", "-inf")); got != "-ERR timeout is negative\r\n" {
		t.Errorf("BLPOP l -inf = %q", got)
	}
}

var blockingCases = []diffCase{
	dc("block-timeout-lists", "BLPOP nokey 0.1", "BRPOP nokey1 nokey2 0.1", "BLMOVE nokey dst LEFT RIGHT 0.1",
		"BRPOPLPUSH nokey dst 0.1", "BLMPOP 0.1 2 nokey nokey2 LEFT", "EXISTS dst"),
	dc("block-timeout-zsets", "BZPOPMIN nokey 0.1", "BZPOPMAX nokey1 nokey2 0.1", "BZMPOP 0.1 1 nokey MAX COUNT 3"),
	dc("block-immediate", "RPUSH l a b c", "ZADD z 1 x 2 y 3 w", "BLPOP nokey l 1", "BRPOP l 1", "BLMOVE l dst RIGHT LEFT 1",
		"BRPOPLPUSH dst l 1", "LRANGE l 0 -1", "BLMPOP 1 2 nokey l RIGHT COUNT 5", "EXISTS l", "BZPOPMIN z 1", "BZPOPMAX nokey z 1",
		"BZMPOP 1 1 z MIN COUNT 9", "EXISTS z"),
	dc("block-timeout-errors", "BLPOP l -1", "BLPOP l abc", "BLPOP l 1x", "BRPOP l -0.5", "BLMOVE a b LEFT RIGHT -1",
		"BLMOVE a b LEFT RIGHT x", "BRPOPLPUSH a b -1", "BLMPOP -1 1 l LEFT", "BLMPOP x 1 l LEFT", "BZPOPMIN z -1",
		"BZPOPMAX z nan", "BZMPOP -1 1 z MIN", "BZMPOP abc 1 z MIN", "BLPOP l", "BLPOP", "BLMPOP 0", "BZMPOP 0 1 z",
		"BLMOVE a b UP RIGHT 0", "BLMPOP 0 0 l LEFT", "BZMPOP 0 1 z MIN COUNT 0"),
	dc("block-wrongtype", "SET s v", "BLPOP s 0.1", "BRPOP nokey s 0.1", "BZPOPMIN s 0.1", "BLMPOP 0.1 1 s LEFT",
		"BZMPOP 0.1 1 s MIN", "BLMOVE s d LEFT LEFT 0.1", "RPUSH l a", "BLMOVE l s LEFT LEFT 0.1", "LLEN l"),
	dc("block-in-multi", "MULTI", "BLMPOP 0 1 nokey LEFT", "BZMPOP 0 1 nokey MIN", "BRPOPLPUSH nokey dst 0", "BZPOPMAX nokey 0",
		"BLPOP nokey 0.1", "EXEC", "RPUSH l a", "ZADD z 1 m", "MULTI", "BLMPOP 0 1 l LEFT", "BZMPOP 0 1 z MAX", "BLPOP l 0", "EXEC"),
}

// TestDiffBlockingReplies compares the one-connection blocking cases.
func TestDiffBlockingReplies(t *testing.T) { runDiff(t, blockingCases) }

// wakeCase is a blocking scenario over several connections: each command in
// blocks is sent from its own connection, in order, each after the previous
// one is seen blocked; then pushes run on a control connection, then the
// blocked connections' replies are read in order, then after runs.
type wakeCase struct {
	name   string
	setup  []string
	blocks []string
	pushes []string
	after  []string
}

// wakeCases wake blocked clients with writes from another client.
var wakeCases = []wakeCase{
	{name: "blpop", blocks: []string{"BLPOP l 5"}, pushes: []string{"RPUSH l a b"}, after: []string{"LRANGE l 0 -1"}},
	{name: "brpop", blocks: []string{"BRPOP l 5"}, pushes: []string{"LPUSH l a b"}, after: []string{"LRANGE l 0 -1"}},
	{name: "blmove", blocks: []string{"BLMOVE src dst RIGHT LEFT 5"}, pushes: []string{"RPUSH src a b"},
		after: []string{"LRANGE src 0 -1", "LRANGE dst 0 -1"}},
	{name: "brpoplpush", blocks: []string{"BRPOPLPUSH src dst 5"}, pushes: []string{"RPUSH src a b"},
		after: []string{"LRANGE src 0 -1", "LRANGE dst 0 -1"}},
	{name: "blmpop", blocks: []string{"BLMPOP 5 2 k1 k2 RIGHT COUNT 2"}, pushes: []string{"RPUSH k2 a b c"},
		after: []string{"LRANGE k2 0 -1"}},
	{name: "bzpopmin", blocks: []string{"BZPOPMIN z 5"}, pushes: []string{"ZADD z 2 b 1.5 a"}, after: []string{"ZRANGE z 0 -1 WITHSCORES"}},
	{name: "bzpopmax", blocks: []string{"BZPOPMAX z 5"}, pushes: []string{"ZADD z 2 b 1.5 a"}, after: []string{"ZRANGE z 0 -1 WITHSCORES"}},
	{name: "bzmpop", blocks: []string{"BZMPOP 5 2 y z MAX COUNT 2"}, pushes: []string{"ZADD z 1 a 2 b 3 c"},
		after: []string{"ZRANGE z 0 -1 WITHSCORES"}},
	{name: "fifo", blocks: []string{"BLPOP l 5", "BLPOP l 5", "BLPOP l 5"}, pushes: []string{"RPUSH l a b c"},
		after: []string{"EXISTS l"}},
	{name: "fifo-mixed", blocks: []string{"BRPOP l 5", "BLPOP l 5", "BLMPOP 5 1 l LEFT COUNT 2"}, pushes: []string{"RPUSH l a b c d e"},
		after: []string{"LRANGE l 0 -1"}},
	{name: "fifo-zset", blocks: []string{"BZPOPMIN z 5", "BZPOPMAX z 5"}, pushes: []string{"ZADD z 1 a 2 b 3 c"},
		after: []string{"ZRANGE z 0 -1"}},
	{name: "fifo-partial", blocks: []string{"BLPOP l 5", "BLPOP l 5"}, pushes: []string{"RPUSH l a", "RPUSH l b"}},
	{name: "several-keys", blocks: []string{"BLPOP k1 k2 k3 5"}, pushes: []string{"RPUSH k3 x", "RPUSH k2 y"},
		after: []string{"LRANGE k3 0 -1", "LRANGE k2 0 -1"}},
	{name: "several-keys-zset", blocks: []string{"BZPOPMIN z1 z2 5"}, pushes: []string{"ZADD z2 1 m"}, after: []string{"EXISTS z2"}},
	// Redis 7.0 keeps a BLPOP blocked when its key becomes a string, and
	// serves it from a later push (7.2 answers it -WRONGTYPE instead).
	{name: "wrong-type-push-ignored", blocks: []string{"BLPOP k 5"}, pushes: []string{"SET k v", "DEL k", "RPUSH k a"}},
	{name: "blmove-chain", blocks: []string{"BLMOVE src dst LEFT RIGHT 5", "BLPOP dst 5"}, pushes: []string{"RPUSH src x"},
		after: []string{"EXISTS src dst"}},
	{name: "served-in-multi", blocks: []string{"BLPOP l 5"},
		pushes: []string{"MULTI", "RPUSH l a", "LPUSH l b", "EXEC"}, after: []string{"LRANGE l 0 -1"}},
	{name: "lmove-wakes", setup: []string{"RPUSH src a"}, blocks: []string{"BLPOP dst 5"},
		pushes: []string{"LMOVE src dst LEFT LEFT"}, after: []string{"EXISTS src dst"}},
	{name: "zunionstore-wakes", setup: []string{"ZADD a 1 x"}, blocks: []string{"BZPOPMIN z 5"},
		pushes: []string{"ZUNIONSTORE z 1 a"}, after: []string{"EXISTS z"}},
}

// blockedRe finds the blocked_clients field of INFO clients.
var blockedRe = regexp.MustCompile(`blocked_clients:(\d+)`)

// blockedClients returns INFO's blocked_clients as text ("?" when absent).
func blockedClients(t *testing.T, rc *RawConn) string {
	t.Helper()
	m := blockedRe.FindSubmatch(rc.Do("INFO", "clients"))
	if m == nil {
		return "?"
	}
	return string(m[1])
}

// waitBlocked waits up to two seconds for blocked_clients to reach n and
// reports whether it did.
func waitBlocked(t *testing.T, ctl *RawConn, n int) bool {
	t.Helper()
	want := fmt.Sprint(n)
	return waitFor(2*time.Second, func() bool { return blockedClients(t, ctl) == want })
}

// blockDial opens a connection to s and switches it to RESP3 when proto is 3.
func blockDial(t *testing.T, s *Server, proto int) *RawConn {
	t.Helper()
	rc := Dial(t, s.Addr)
	if proto == 3 {
		if v := MustParse(t, rc.Do("HELLO", "3")); v.Type != '%' {
			t.Fatalf("HELLO 3 on %s: %q", s.Addr, v.Type)
		}
	}
	return rc
}

// runWake plays a wakeCase on one server and returns its transcript.
func runWake(t *testing.T, s *Server, proto int, c wakeCase) []string {
	ctl := session(t, s, proto)
	defer ctl.Close()
	var out []string
	for _, cmd := range c.setup {
		out = append(out, cmd+" -> "+string(ctl.Do(splitArgs(cmd)...)))
	}
	conns := make([]*RawConn, len(c.blocks))
	for i, cmd := range c.blocks {
		conns[i] = blockDial(t, s, proto)
		defer conns[i].Close()
		if err := conns[i].Send(EncodeCommand(splitArgs(cmd)...)); err != nil {
			t.Fatalf("sending %s: %v", cmd, err)
		}
		ok := waitBlocked(t, ctl, i+1)
		out = append(out, fmt.Sprintf("%s blocked=%v", cmd, ok))
	}
	for _, cmd := range c.pushes {
		out = append(out, cmd+" -> "+string(ctl.Do(splitArgs(cmd)...)))
	}
	for i, rc := range conns {
		r, err := rc.ReadReplyTimeout(6 * time.Second)
		out = append(out, fmt.Sprintf("reply to %s -> %s (err %v)", c.blocks[i], r, err))
	}
	out = append(out, "blocked_clients="+blockedClients(t, ctl))
	for _, cmd := range c.after {
		out = append(out, cmd+" -> "+string(ctl.Do(splitArgs(cmd)...)))
	}
	return out
}

// compareTranscripts reports the first differing lines of two transcripts.
func compareTranscripts(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") == strings.Join(want, "\n") {
		return
	}
	for i := 0; i < max(len(got), len(want)); i++ {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			t.Errorf("MISMATCH at step %d\n  redisk: %q\n  redis:  %q\n  full redisk transcript: %q\n  full redis transcript:  %q",
				i+1, g, w, got, want)
			return
		}
	}
}

// TestBlockingWake runs each wakeCase on redis-server and redisk over RESP2
// and RESP3 and compares what every connection saw.
func TestBlockingWake(t *testing.T) {
	p := startPair(t)
	for _, proto := range []int{2, 3} {
		for _, c := range wakeCases {
			t.Run(fmt.Sprintf("resp%d/%s", proto, c.name), func(t *testing.T) {
				want := runWake(t, p.redis, proto, c)
				got := runWake(t, p.redisk, proto, c)
				compareTranscripts(t, got, want)
			})
		}
	}
}

// TestBlockingDisconnect checks that a client that disconnects while
// blocked does not take a later push: the element stays in the list.
func TestBlockingDisconnect(t *testing.T) {
	p := startPair(t)
	run := func(s *Server, block, push string, after ...string) []string {
		ctl := session(t, s, 2)
		defer ctl.Close()
		b := blockDial(t, s, 2)
		if err := b.Send(EncodeCommand(splitArgs(block)...)); err != nil {
			t.Fatal(err)
		}
		out := []string{fmt.Sprintf("blocked=%v", waitBlocked(t, ctl, 1))}
		b.Close()
		out = append(out, fmt.Sprintf("unblocked after close=%v", waitBlocked(t, ctl, 0)))
		out = append(out, push+" -> "+string(ctl.Do(splitArgs(push)...)))
		for _, a := range after {
			out = append(out, a+" -> "+string(ctl.Do(splitArgs(a)...)))
		}
		return out
	}
	cases := [][]string{
		{"BLPOP l 0", "RPUSH l a", "LRANGE l 0 -1"},
		{"BLMOVE l dst LEFT LEFT 0", "RPUSH l a", "LRANGE l 0 -1", "EXISTS dst"},
		{"BZPOPMIN z 0", "ZADD z 1 a", "ZRANGE z 0 -1"},
		{"BLMPOP 0 1 l LEFT COUNT 5", "RPUSH l a b", "LRANGE l 0 -1"},
	}
	for _, c := range cases {
		t.Run(c[0], func(t *testing.T) {
			want := run(p.redis, c[0], c[1], c[2:]...)
			got := run(p.redisk, c[0], c[1], c[2:]...)
			compareTranscripts(t, got, want)
		})
	}
}

// TestBlockingInfoCount checks INFO blocked_clients while clients block on
// lists and sorted sets, and after they time out or are served.
func TestBlockingInfoCount(t *testing.T) {
	p := startPair(t)
	run := func(s *Server) []string {
		ctl := session(t, s, 2)
		defer ctl.Close()
		out := []string{"start " + blockedClients(t, ctl)}
		cmds := []string{"BLPOP l 5", "BZPOPMAX z 5", "BLMOVE a b LEFT LEFT 0.3"}
		conns := make([]*RawConn, len(cmds))
		for i, cmd := range cmds {
			conns[i] = blockDial(t, s, 2)
			defer conns[i].Close()
			if err := conns[i].Send(EncodeCommand(splitArgs(cmd)...)); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("%s reached %d=%v", cmd, i+1, waitBlocked(t, ctl, i+1)))
		}
		r, err := conns[2].ReadReplyTimeout(3 * time.Second)
		out = append(out, fmt.Sprintf("timeout reply %q %v", r, err))
		out = append(out, fmt.Sprintf("after timeout 2=%v", waitBlocked(t, ctl, 2)))
		out = append(out, string(ctl.Do("RPUSH", "l", "x")), string(ctl.Do("ZADD", "z", "1", "m")))
		for _, rc := range conns[:2] {
			r, err := rc.ReadReplyTimeout(3 * time.Second)
			out = append(out, fmt.Sprintf("%q %v", r, err))
		}
		out = append(out, "end "+blockedClients(t, ctl))
		return out
	}
	want := run(p.redis)
	got := run(p.redisk)
	compareTranscripts(t, got, want)
}

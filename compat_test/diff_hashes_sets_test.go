package compat_test

import (
	"fmt"
	"strings"
	"testing"
)

// hashCases cover the hash commands' edge and error cases. Replies whose
// order follows Redis's hash table are compared as sets (~).
var hashCases = []diffCase{
	dc("hset", "HSET h a 1 b 2", "HSET h a 3 c 4", "HGET h a", "HLEN h", "TYPE h", "HSET h a", "HSET h a 1 b", "HSET h",
		"HSET h a 1 a 2", "HGET h a"),
	dc("hsetnx", "HSETNX h a 1", "HSETNX h a 2", "HGET h a", "HSETNX h a", "HSETNX h a 1 2"),
	dc("hmset", "HMSET h a 1 b 2", "HMGET h a b c", "HMSET h a", "HMSET h a 1 b", "HMGET nokey a b", "HMGET h"),
	dc("hget-missing", "HGET nokey a", "HSET h a 1", "HGET h nope", "HGET h", "HGET h a b"),
	dc("hdel", "HSET h a 1 b 2 c 3", "HDEL h a x", "HDEL h a", "HDEL h b c", "EXISTS h", "HDEL nokey a", "HDEL h"),
	dc("hlen-hstrlen-hexists", "HSET h a hello b ''", "HLEN h", "HSTRLEN h a", "HSTRLEN h b", "HSTRLEN h x", "HSTRLEN nokey a",
		"HEXISTS h a", "HEXISTS h x", "HEXISTS nokey a", "HLEN nokey", "HLEN", "HEXISTS h", "HSTRLEN h"),
	dc("hgetall-keys-vals", "HSET h a 1 b 2 c 3", "~HKEYS h", "~HVALS h", "~HGETALL h", "HGETALL nokey", "HKEYS nokey",
		"HVALS nokey", "HGETALL h x", "HSET one f v", "HGETALL one"),
	dc("hincrby", "HINCRBY h a 5", "HINCRBY h a -10", "HGET h a", "HINCRBY h a abc", "HINCRBY h a 1.5",
		"HSET h s hello f 1.5 big 9223372036854775807", "HINCRBY h s 1", "HINCRBY h f 1", "HINCRBY h big 1", "HINCRBY h a",
		"HSET h neg -9223372036854775808", "HINCRBY h neg -1", "HINCRBY h a 9223372036854775808", "HGET h big"),
	dc("hincrbyfloat", "HINCRBYFLOAT h a 1.5", "HINCRBYFLOAT h a 0.1", "HINCRBYFLOAT h a -1.6", "HSET h s hello i 3",
		"HINCRBYFLOAT h s 1", "HINCRBYFLOAT h i 2.5", "HINCRBYFLOAT h a abc", "HINCRBYFLOAT h a inf", "HINCRBYFLOAT h a nan",
		"HINCRBYFLOAT h e 1e308", "HINCRBYFLOAT h e 1e308", "HGET h e", "HINCRBYFLOAT h a 5e3", "HINCRBYFLOAT h a"),
	dc("hash-wrongtype", "SET s v", "HSET s a 1", "HGET s a", "HMGET s a", "HDEL s a", "HLEN s", "HGETALL s", "HKEYS s",
		"HINCRBY s a 1", "HINCRBYFLOAT s a 1", "HEXISTS s a", "HSTRLEN s a", "HRANDFIELD s", "HSCAN s 0", "HSETNX s a 1", "HVALS s",
		"RPUSH l x", "HGET l a"),
	dc("hash-binary", `HSET h "" empty "\x00" nul "a b" "\r\n"`, `HGET h ""`, `HGET h "\x00"`, `HGET h "a b"`, "HLEN h"),
	dc("hscan", "HSET h a 1 b 2 c 3", "~HSCAN h 0", "~HSCAN h 0 MATCH a*", "~HSCAN h 0 COUNT 100", "HSCAN nokey 0",
		"HSCAN h abc", "HSCAN h 0 COUNT 0", "HSCAN h 0 COUNT -1", "HSCAN h 0 FOO", "HSCAN h 0 MATCH", "HSCAN h", "HSCAN h 0 NOVALUES"),
	dc("hrandfield-fixed", "HRANDFIELD nokey", "HRANDFIELD nokey 3", "HRANDFIELD nokey 3 WITHVALUES", "HSET h a 1",
		"HRANDFIELD h", "HRANDFIELD h 5", "HRANDFIELD h -2", "HRANDFIELD h 1 WITHVALUES", "HRANDFIELD h -2 WITHVALUES",
		"HRANDFIELD h 0", "HRANDFIELD h 0 WITHVALUES", "HRANDFIELD h abc", "HRANDFIELD h 1 FOO", "HRANDFIELD h 1 WITHVALUES x",
		"HRANDFIELD h -9223372036854775808 WITHVALUES", "HRANDFIELD"),
	dc("hash-empty-delete", "HSET h a 1", "HDEL h a", "TYPE h", "HLEN h", "HSET h a 1", "HGETALL h"),
	// Values kept in strs (engine: field + value over 900 bytes), around
	// the size and through every path that reads or rewrites them.
	dc("hash-big-values", "HSET h f "+big899[:898]+" g "+big899, "HSTRLEN h f", "HSTRLEN h g", "HGET h g",
		"HSET h g "+big3k, "HGET h g", "HSET h g small", "HGET h g", "HSET h g "+big1k, "HSETNX h g x", "HSETNX h n "+big3k,
		"HMGET h f g n x", "~HGETALL h", "~HVALS h", "HSTRLEN h n", "HDEL h n", "HEXISTS h n", "HLEN h",
		"HINCRBY h g 1", "HINCRBYFLOAT h g 1", "HSET h g 7", "HINCRBY h g 1", "HGET h g"),
	dc("hash-big-copy-rename", "HSET h a "+big1k+" b "+big3k+" c 1", "COPY h h2", "~HGETALL h2", "RENAME h h3",
		"~HGETALL h3", "DEL h3", "HGET h2 b", "~HRANDFIELD h2 3 WITHVALUES", "~HSCAN h2 0",
		"MOVE h2 1", "SELECT 1", "HSTRLEN h2 a", "HDEL h2 a b c", "EXISTS h2"),
}

// setCases cover the set commands' edge and error cases.
var setCases = []diffCase{
	dc("sadd", "SADD s a b c", "SADD s a d", "SADD s a a a", "SCARD s", "TYPE s", "SADD s", "SADD"),
	dc("srem", "SADD s a b c", "SREM s a x", "SREM s b c", "EXISTS s", "SREM nokey a", "SREM s"),
	dc("sismember-smismember", "SADD s a b", "SISMEMBER s a", "SISMEMBER s x", "SISMEMBER nokey a", "SMISMEMBER s a x b",
		"SMISMEMBER nokey a", "SMISMEMBER s", "SISMEMBER s", "SISMEMBER s a b"),
	dc("smembers", "SADD s c a b", "~SMEMBERS s", "SMEMBERS nokey", "SMEMBERS s x", "SADD n 3 1 2", "~SMEMBERS n"),
	dc("scard", "SCARD nokey", "SADD s a", "SCARD s", "SCARD", "SCARD s x"),
	dc("set-algebra", "SADD a 1 2 3 x", "SADD b 2 3 4", "SADD c 3 x", "~SINTER a b", "~SINTER a b c", "~SUNION a b c",
		"~SDIFF a b", "~SDIFF a b c", "SINTER a nokey", "~SUNION a nokey", "~SDIFF a nokey", "SDIFF nokey a", "~SINTER a", "SINTER"),
	dc("set-algebra-store", "SADD a 1 2 3", "SADD b 2 3 4", "SINTERSTORE d a b", "~SMEMBERS d", "SUNIONSTORE d a b", "~SMEMBERS d",
		"SDIFFSTORE d a b", "SMEMBERS d", "SINTERSTORE d a nokey", "EXISTS d", "SET str v", "SUNIONSTORE str a", "TYPE str",
		"SDIFFSTORE a a b", "SMEMBERS a", "SINTERSTORE d", "SUNIONSTORE d"),
	dc("set-algebra-wrongtype", "SADD a 1", "SET str v", "SINTER a str", "SINTER str a", "SINTER nokey str", "SUNION a str",
		"SDIFF a str", "SDIFF nokey str", "SINTERSTORE d a str", "SINTERCARD 2 a str", "EXISTS d"),
	dc("sintercard", "SADD a 1 2 3", "SADD b 2 3 4", "SINTERCARD 2 a b", "SINTERCARD 2 a b LIMIT 1", "SINTERCARD 2 a b LIMIT 0",
		"SINTERCARD 1 nokey", "SINTERCARD 0 a", "SINTERCARD -1 a", "SINTERCARD 3 a b", "SINTERCARD 1 a LIMIT -1",
		"SINTERCARD 1 a LIMIT x", "SINTERCARD 1 a FOO", "SINTERCARD 1 a LIMIT", "SINTERCARD x a", "SINTERCARD"),
	dc("smove", "SADD a x y", "SADD b z", "SMOVE a b x", "SMOVE a b nope", "SMOVE nokey b x", "~SMEMBERS b", "SMOVE a a y",
		"SMOVE a b y", "EXISTS a", "SET str v", "SMOVE b str z", "SMOVE str b z", "SMOVE b nokey2 nope", "SMOVE b", "~SMEMBERS b",
		"SMOVE b b nope", "SMOVE b str nope"),
	dc("set-wrongtype", "SET s v", "SADD s a", "SREM s a", "SCARD s", "SISMEMBER s a", "SMISMEMBER s a", "SMEMBERS s",
		"SPOP s", "SRANDMEMBER s", "SSCAN s 0", "HSET h f v", "SADD h a"),
	dc("spop-fixed", "SPOP nokey", "SPOP nokey 3", "SADD s a", "SPOP s 0", "SPOP s -1", "SPOP s abc", "SPOP s 1 2",
		"SPOP s", "EXISTS s", "SADD s b", "SPOP s 5", "EXISTS s", "SADD s c", "SPOP s 1"),
	dc("srandmember-fixed", "SRANDMEMBER nokey", "SRANDMEMBER nokey 5", "SADD s a", "SRANDMEMBER s", "SRANDMEMBER s 3",
		"SRANDMEMBER s -3", "SRANDMEMBER s 0", "SRANDMEMBER s abc", "SRANDMEMBER s 1 2", "SRANDMEMBER s -9223372036854775808"),
	dc("sscan", "SADD s a b c", "~SSCAN s 0", "~SSCAN s 0 MATCH a*", "~SSCAN s 0 COUNT 100", "SSCAN nokey 0", "SSCAN s abc",
		"SSCAN s 0 COUNT 0", "SSCAN s 0 FOO", "SSCAN s 0 MATCH", "SSCAN s", "SADD n 1 2 3", "~SSCAN n 0"),
	dc("set-binary", `SADD s "" "\x00" "a b"`, `SISMEMBER s ""`, `SISMEMBER s "\x00"`, "SCARD s", `SREM s ""`, "SCARD s"),
	dc("set-ints", "SADD s 1 2 3 -5 9223372036854775807 01 1.0", "SCARD s", "SISMEMBER s 01", "SISMEMBER s 1", "~SMEMBERS s",
		"SADD s 9223372036854775808", "SCARD s"),
}

// TestDiffHashes compares the hash commands with redis-server.
func TestDiffHashes(t *testing.T) { runDiff(t, append(hashCases, bigHashSetCases()...)) }

// TestDiffSets compares the set commands with redis-server.
func TestDiffSets(t *testing.T) { runDiff(t, setCases) }

// bigHashSetCases use more fields and members than the small encodings hold.
func bigHashSetCases() []diffCase {
	var h, s strings.Builder
	h.WriteString("HSET big")
	s.WriteString("SADD big2")
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&h, " f%d v%d", i, i)
		fmt.Fprintf(&s, " m%d", i)
	}
	return []diffCase{
		dc("hash-big", h.String(), "HLEN big", "HGET big f150", "HDEL big f1 f2 f3", "HLEN big", "HINCRBY big f10 5", "HGET big f10",
			"~HKEYS big", s.String(), "SCARD big2", "SISMEMBER big2 m199", "SREM big2 m0 m1", "SCARD big2", "~SMEMBERS big2",
			"SINTERCARD 2 big2 big2 LIMIT 10"),
	}
}

// randCase is a command whose reply is random: only its shape (types,
// nulls and element counts, recursively) must match Redis's.
type randCase struct {
	setup []string
	cmd   string
	after []string // deterministic follow-up commands compared byte for byte
}

// shape renders a parsed reply without its payloads.
func shape(v Value) string {
	if v.Type == '-' {
		return "-" + v.Str
	}
	if len(v.Elems) == 0 {
		return fmt.Sprintf("%c%v", v.Type, v.Null)
	}
	parts := make([]string, len(v.Elems))
	for i, e := range v.Elems {
		parts[i] = shape(e)
	}
	return fmt.Sprintf("%c%d[%s]", v.Type, len(v.Elems), strings.Join(parts, ","))
}

// TestDiffSetsRandomShapes compares HRANDFIELD, SRANDMEMBER, SPOP and
// ZRANDMEMBER by reply shape, over RESP2 and RESP3.
func TestDiffSetsRandomShapes(t *testing.T) {
	hset := []string{"HSET h a 1 b 2 c 3 d 4"}
	sadd := []string{"SADD s a b c d"}
	zadd := []string{"ZADD z 1 a 2 b 3 c 4 d"}
	// Collections over 128 members are sampled by random seeks (and, for a
	// positive count of over a third of them, read whole and shuffled).
	var bigZ, bigS, bigH strings.Builder
	bigZ.WriteString("ZADD zb")
	bigS.WriteString("SADD sb")
	bigH.WriteString("HSET hb")
	for i := range 200 {
		fmt.Fprintf(&bigZ, " %d.5 m%d", i, i)
		fmt.Fprintf(&bigS, " m%d", i)
		fmt.Fprintf(&bigH, " f%d v%d", i, i)
	}
	zbig, sbig, hbig := []string{bigZ.String()}, []string{bigS.String()}, []string{bigH.String()}
	cases := []randCase{
		{setup: zbig, cmd: "ZRANDMEMBER zb 5 WITHSCORES"},
		{setup: zbig, cmd: "ZRANDMEMBER zb 150"},
		{setup: zbig, cmd: "ZRANDMEMBER zb -7 WITHSCORES"},
		{setup: zbig, cmd: "ZRANDMEMBER zb 300"},
		{setup: sbig, cmd: "SRANDMEMBER sb 5"},
		{setup: sbig, cmd: "SRANDMEMBER sb -7"},
		{setup: sbig, cmd: "SPOP sb 3", after: []string{"SCARD sb"}},
		{setup: hbig, cmd: "HRANDFIELD hb 5 WITHVALUES"},
		{setup: hbig, cmd: "HRANDFIELD hb -7"},
		{setup: hset, cmd: "HRANDFIELD h"},
		{setup: hset, cmd: "HRANDFIELD h 2"},
		{setup: hset, cmd: "HRANDFIELD h 10"},
		{setup: hset, cmd: "HRANDFIELD h -7"},
		{setup: hset, cmd: "HRANDFIELD h 3 WITHVALUES"},
		{setup: hset, cmd: "HRANDFIELD h -6 WITHVALUES"},
		{setup: hset, cmd: "HRANDFIELD h 10 WITHVALUES"},
		{setup: sadd, cmd: "SRANDMEMBER s"},
		{setup: sadd, cmd: "SRANDMEMBER s 2"},
		{setup: sadd, cmd: "SRANDMEMBER s 10"},
		{setup: sadd, cmd: "SRANDMEMBER s -9"},
		{setup: sadd, cmd: "SPOP s", after: []string{"SCARD s"}},
		{setup: sadd, cmd: "SPOP s 3", after: []string{"SCARD s"}},
		{setup: sadd, cmd: "SPOP s 1", after: []string{"SCARD s"}},
		{setup: sadd, cmd: "SPOP s 4", after: []string{"EXISTS s"}},
		{setup: []string{"SADD s 1 2 3 4 5"}, cmd: "SPOP s 2", after: []string{"SCARD s"}},
		{setup: zadd, cmd: "ZRANDMEMBER z"},
		{setup: zadd, cmd: "ZRANDMEMBER z 3"},
		{setup: zadd, cmd: "ZRANDMEMBER z 10 WITHSCORES"},
		{setup: zadd, cmd: "ZRANDMEMBER z -6"},
		{setup: zadd, cmd: "ZRANDMEMBER z -3 WITHSCORES"},
	}
	p := startPair(t)
	for _, proto := range []int{2, 3} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("resp%d/%s", proto, c.cmd), func(t *testing.T) {
				mine, ref := session(t, p.redisk, proto), session(t, p.redis, proto)
				defer mine.Close()
				defer ref.Close()
				for _, s := range c.setup {
					mine.Do(splitArgs(s)...)
					ref.Do(splitArgs(s)...)
				}
				args := splitArgs(c.cmd)
				got, want := shape(MustParse(t, mine.Do(args...))), shape(MustParse(t, ref.Do(args...)))
				if got != want {
					t.Errorf("MISMATCH %s: reply shapes differ\n  redisk: %s\n  redis:  %s", c.cmd, got, want)
				}
				for _, a := range c.after {
					got, want := mine.Do(splitArgs(a)...), ref.Do(splitArgs(a)...)
					if string(got) != string(want) {
						t.Errorf("MISMATCH %s after %s\n  redisk: %q\n  redis:  %q", a, c.cmd, got, want)
					}
				}
			})
		}
	}
}

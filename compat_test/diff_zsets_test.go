package compat_test

import (
	"fmt"
	"strings"
	"testing"
)

// zsetCases cover the sorted-set commands: ZADD and its flags, reads by rank,
// score and lex, removals, pops, set algebra and their error texts.
//
// ZRANK/ZREVRANK ... WITHSCORE is left out: it is Redis 7.2 only, and the
// oracle is Redis 7.0 (which answers it with an arity error).
var zsetCases = []diffCase{
	// ZADD flags.
	dc("zadd-basic", "ZADD z 1 a 2 b 3 c", "ZADD z 1 a", "ZADD z 5 a", "ZRANGE z 0 -1 WITHSCORES", "ZCARD z", "TYPE z"),
	dc("zadd-nx", "ZADD z 1 a", "ZADD z NX 5 a 2 b", "ZRANGE z 0 -1 WITHSCORES"),
	dc("zadd-xx", "ZADD z XX 1 a", "EXISTS z", "ZADD z 1 a", "ZADD z XX 5 a 2 b", "ZRANGE z 0 -1 WITHSCORES"),
	dc("zadd-ch", "ZADD z 1 a 2 b", "ZADD z CH 1 a 3 b 4 c", "ZADD z 1 a 3 b", "ZADD z CH XX 9 a 9 d", "ZRANGE z 0 -1 WITHSCORES"),
	dc("zadd-gt-lt", "ZADD z 5 a 5 b", "ZADD z GT 3 a 7 b 1 c", "ZRANGE z 0 -1 WITHSCORES", "ZADD z LT CH 3 a 9 b",
		"ZRANGE z 0 -1 WITHSCORES", "ZADD z GT XX CH 10 a 1 d", "ZADD z LT XX 0 b", "ZRANGE z 0 -1 WITHSCORES"),
	dc("zadd-incr", "ZADD z INCR 1.5 a", "ZADD z INCR 2 a", "ZADD z INCR NX 1 a", "ZADD z INCR XX 1 nokey",
		"ZADD z INCR GT -1 a", "ZADD z INCR LT -1 a", "ZADD z INCR LT 1 a", "ZADD z INCR CH 1 a", "ZSCORE z a"),
	dc("zadd-invalid-combos", "ZADD z NX XX 1 a", "ZADD z XX NX 1 a", "ZADD z GT LT 1 a", "ZADD z NX GT 1 a",
		"ZADD z NX LT 1 a", "ZADD z LT GT NX 1 a", "ZADD z INCR 1 a 2 b", "ZADD z INCR", "ZADD z NX", "ZADD z 1",
		"ZADD z 1 a 2", "ZADD z CH", "ZADD z nx xx ch incr 1 a", "EXISTS z"),
	dc("zadd-bad-scores", "ZADD z abc a", "ZADD z nan a", "ZADD z 1 a abc b", "ZADD z '' a", "ZADD z 1.5.5 a", "ZADD z 0x10 a",
		"ZADD z 1e a", "EXISTS z", "ZADD z FOO 1 a", "ZADD z 1 a FOO"),
	dc("zadd-special-scores", "ZADD z inf a -inf b 0.1 c 1e300 d -0 e 1.5 f +inf g -1e-300 h 1E3 i", "ZRANGE z 0 -1 WITHSCORES",
		"ZSCORE z a", "ZSCORE z b", "ZSCORE z c", "ZSCORE z d", "ZSCORE z e", "ZSCORE z h", "ZSCORE z i", "ZADD z INF j -INF k",
		"ZADD z Infinity l", "ZSCORE z l"),
	dc("zadd-incr-nan", "ZADD z inf a", "ZADD z INCR -inf a", "ZSCORE z a", "ZINCRBY z -inf a", "ZINCRBY z 1 a", "ZSCORE z a"),
	dc("zadd-arity", "ZADD", "ZADD z", "ZADD z 1"),
	dc("zadd-wrongtype", "SET s v", "ZADD s 1 a", "ZINCRBY s 1 a", "ZCARD s", "ZSCORE s a", "ZRANGE s 0 -1", "ZREM s a",
		"ZRANK s a", "ZCOUNT s 0 1", "ZPOPMIN s", "ZMSCORE s a", "ZRANDMEMBER s", "ZSCAN s 0", "ZLEXCOUNT s - +"),
	dc("zadd-same-member", "ZADD z 1 a 2 a 3 a", "ZRANGE z 0 -1 WITHSCORES", "ZADD z CH 3 a 4 a", "ZSCORE z a"),
	// A plain ZADD on existing members: unchanged scores (zero and -0,
	// infinities) are neither added nor changed; ZINCRBY by 0 changes nothing.
	dc("zadd-ch-unchanged", "ZADD z 0 a inf b -inf c 1.5 d", "ZADD z CH -0 a inf b -inf c 1.5 d", "ZADD z CH 0 a -inf b 2 d 1 e",
		"ZRANGE z 0 -1 WITHSCORES", "ZINCRBY z 0 d", "ZADD z CH INCR 0 e", "ZADD z 7 e 7 e", "ZRANGE z 0 -1 WITHSCORES"),
	dc("zadd-binary-members", `ZADD z 1 "" 1 "\x00" 1 "a b"`, "ZRANGE z 0 -1", `ZSCORE z ""`, "ZRANGEBYLEX z - +"),

	// ZINCRBY.
	dc("zincrby", "ZINCRBY z 1 a", "ZINCRBY z 2.5 a", "ZINCRBY z -10 a", "ZINCRBY z abc a", "ZINCRBY z nan a",
		"ZINCRBY z 1", "ZINCRBY z 1 a b", "ZINCRBY z 1e300 a", "ZINCRBY z 1e300 a", "ZRANGE z 0 -1 WITHSCORES"),

	// ZREM / ZCARD / ZSCORE / ZMSCORE.
	dc("zrem", "ZADD z 1 a 2 b 3 c", "ZREM z a x", "ZREM z a", "ZREM nokey a", "ZREM z b c", "EXISTS z", "ZREM z", "ZCARD nokey"),
	dc("zscore", "ZADD z 1.5 a", "ZSCORE z a", "ZSCORE z x", "ZSCORE nokey a", "ZSCORE z", "ZSCORE z a b"),
	dc("zmscore", "ZADD z 1 a 2.5 b", "ZMSCORE z a x b", "ZMSCORE nokey a b", "ZMSCORE z", "ZMSCORE z a"),
	dc("zcard-arity", "ZCARD", "ZCARD a b"),

	// ZRANK / ZREVRANK.
	// "ZRANK z a b c" is left out: redisk follows Redis 7.2 there (arity -3
	// with WITHSCORE, so a syntax error), 7.0 has arity 3.
	dc("zrank", "ZADD z 1 a 2 b 3 c", "ZRANK z a", "ZRANK z c", "ZREVRANK z a", "ZREVRANK z c", "ZRANK z x", "ZREVRANK z x",
		"ZRANK nokey a", "ZRANK z"),
	dc("zrank-ties", "ZADD z 1 c 1 b 1 a", "ZRANK z a", "ZRANK z c", "ZREVRANK z a", "ZRANGE z 0 -1"),

	// ZCOUNT / ZLEXCOUNT.
	dc("zcount", "ZADD z 1 a 2 b 3 c 4 d", "ZCOUNT z 2 3", "ZCOUNT z (2 3", "ZCOUNT z (2 (3", "ZCOUNT z -inf +inf",
		"ZCOUNT z (1 (1", "ZCOUNT z 3 2", "ZCOUNT z abc 1", "ZCOUNT z 1 (abc", "ZCOUNT z nan 1", "ZCOUNT nokey 0 1",
		"ZCOUNT z ( 1", "ZCOUNT z ((1 2", "ZCOUNT z -inf (inf", "ZCOUNT z"),
	dc("zlexcount", "ZADD z 0 a 0 b 0 c 0 d", "ZLEXCOUNT z - +", "ZLEXCOUNT z [b [c", "ZLEXCOUNT z (b (c", "ZLEXCOUNT z (b +",
		"ZLEXCOUNT z + -", "ZLEXCOUNT z a b", "ZLEXCOUNT z [a b", "ZLEXCOUNT z - [", "ZLEXCOUNT z [ +", "ZLEXCOUNT nokey - +",
		"ZLEXCOUNT z", "ZLEXCOUNT z '' +", "ZLEXCOUNT z -a +"),

	// ZRANGE in its forms.
	dc("zrange-rank", "ZADD z 1 a 2 b 3 c 4 d", "ZRANGE z 0 1", "ZRANGE z -2 -1", "ZRANGE z 2 1", "ZRANGE z 0 100",
		"ZRANGE z -100 0", "ZRANGE z 0 -1 REV", "ZRANGE z 0 0 REV WITHSCORES", "ZRANGE z 5 10", "ZRANGE z a b", "ZRANGE nokey 0 -1",
		"ZRANGE z 0 -1 withscores"),
	dc("zrange-byscore", "ZADD z 1 a 2 b 3 c 4 d", "ZRANGE z 2 3 BYSCORE", "ZRANGE z (2 +inf BYSCORE WITHSCORES",
		"ZRANGE z 3 2 BYSCORE REV", "ZRANGE z 2 3 BYSCORE REV", "ZRANGE z -inf +inf BYSCORE LIMIT 1 2",
		"ZRANGE z -inf +inf BYSCORE LIMIT 1 -1", "ZRANGE z -inf +inf BYSCORE LIMIT -1 2", "ZRANGE z +inf -inf BYSCORE REV LIMIT 0 2 WITHSCORES",
		"ZRANGE z abc 1 BYSCORE", "ZRANGE z (a 1 BYSCORE", "ZRANGE z 1 2 BYSCORE LIMIT 0", "ZRANGE z 1 2 BYSCORE LIMIT a b",
		"ZRANGE z 1 2 BYSCORE LIMIT 0 1 LIMIT 1 1", "ZRANGE z 1 2 BYSCORE BYSCORE"),
	dc("zrange-bylex", "ZADD z 0 a 0 b 0 c 0 d", "ZRANGE z - + BYLEX", "ZRANGE z [b (d BYLEX", "ZRANGE z + - BYLEX REV",
		"ZRANGE z (d [b BYLEX REV", "ZRANGE z - + BYLEX LIMIT 1 2", "ZRANGE z - + BYLEX LIMIT 0 -1", "ZRANGE z a b BYLEX",
		"ZRANGE z - + BYLEX WITHSCORES", "ZRANGE z - + BYLEX BYSCORE", "ZRANGE z 0 1 BYSCORE BYLEX"),
	dc("zrange-errors", "ZADD z 1 a", "ZRANGE z 0 -1 LIMIT 0 1", "ZRANGE z 0 -1 REV LIMIT 0 1 WITHSCORES", "ZRANGE z 0 -1 FOO",
		"ZRANGE z 0", "ZRANGE z", "ZRANGE z 0 -1 WITHSCORES FOO", "ZRANGE z 0 -1 LIMIT", "ZRANGE z 0 -1 BYSCORE LIMIT 0 1 FOO"),

	// ZRANGESTORE.
	dc("zrangestore", "ZADD z 1 a 2 b 3 c", "ZRANGESTORE d z 0 1", "ZRANGE d 0 -1 WITHSCORES", "ZRANGESTORE d z (1 +inf BYSCORE",
		"ZRANGE d 0 -1 WITHSCORES", "ZRANGESTORE d z 5 6", "EXISTS d", "ZRANGESTORE d z 0 -1 WITHSCORES", "ZRANGESTORE d z - + BYLEX LIMIT 0 1",
		"ZRANGESTORE d nokey 0 -1", "SET s v", "ZRANGESTORE s z 0 0", "TYPE s", "ZRANGESTORE d s 0 0", "ZRANGESTORE d z", "ZRANGESTORE d z 0 -1 REV",
		"ZRANGE d 0 -1"),
	dc("zrangestore-self", "ZADD z 1 a 2 b 3 c", "ZRANGESTORE z z 1 1", "ZRANGE z 0 -1 WITHSCORES"),

	// The older range commands.
	dc("zrangebyscore", "ZADD z 1 a 2 b 3 c 4 d", "ZRANGEBYSCORE z 2 3", "ZRANGEBYSCORE z (1 (4 WITHSCORES",
		"ZRANGEBYSCORE z -inf +inf LIMIT 1 2", "ZRANGEBYSCORE z -inf +inf WITHSCORES LIMIT 3 10", "ZRANGEBYSCORE z -inf +inf LIMIT 10 1",
		"ZRANGEBYSCORE z 3 1", "ZRANGEBYSCORE z a b", "ZRANGEBYSCORE z 1 2 LIMIT", "ZRANGEBYSCORE z 1 2 FOO", "ZRANGEBYSCORE z 1",
		"ZRANGEBYSCORE nokey 0 1", "ZRANGEBYSCORE z 1 2 REV"),
	dc("zrevrangebyscore", "ZADD z 1 a 2 b 3 c 4 d", "ZREVRANGEBYSCORE z 3 2", "ZREVRANGEBYSCORE z 2 3", "ZREVRANGEBYSCORE z +inf -inf WITHSCORES",
		"ZREVRANGEBYSCORE z (4 (1", "ZREVRANGEBYSCORE z +inf -inf LIMIT 1 2", "ZREVRANGEBYSCORE z x 1"),
	dc("zrangebylex", "ZADD z 0 alpha 0 bar 0 cool 0 down 0 elephant", "ZRANGEBYLEX z - +", "ZRANGEBYLEX z [bar [down",
		"ZRANGEBYLEX z (bar (down", "ZRANGEBYLEX z [c +", "ZRANGEBYLEX z - + LIMIT 1 2", "ZRANGEBYLEX z - (cool", "ZRANGEBYLEX z bar down",
		"ZRANGEBYLEX z - + WITHSCORES", "ZRANGEBYLEX z + -", "ZRANGEBYLEX nokey - +", "ZRANGEBYLEX z - + LIMIT 0"),
	dc("zrevrangebylex", "ZADD z 0 a 0 b 0 c 0 d", "ZREVRANGEBYLEX z + -", "ZREVRANGEBYLEX z [c (a", "ZREVRANGEBYLEX z - +",
		"ZREVRANGEBYLEX z + - LIMIT 1 1", "ZREVRANGEBYLEX z c a"),
	dc("zrevrange", "ZADD z 1 a 2 b 3 c", "ZREVRANGE z 0 -1", "ZREVRANGE z 0 0 WITHSCORES", "ZREVRANGE z -1 -1", "ZREVRANGE z 5 1",
		"ZREVRANGE z 0 -1 FOO", "ZREVRANGE z a 1"),

	// ZREMRANGEBY*.
	dc("zremrangebyrank", "ZADD z 1 a 2 b 3 c 4 d 5 e", "ZREMRANGEBYRANK z 0 0", "ZREMRANGEBYRANK z -1 -1", "ZREMRANGEBYRANK z 5 10",
		"ZREMRANGEBYRANK z 2 1", "ZRANGE z 0 -1", "ZREMRANGEBYRANK z a 1", "ZREMRANGEBYRANK z 0 -1", "EXISTS z", "ZREMRANGEBYRANK nokey 0 -1"),
	dc("zremrangebyscore", "ZADD z 1 a 2 b 3 c 4 d 5 e", "ZREMRANGEBYSCORE z (1 2", "ZREMRANGEBYSCORE z 4 +inf", "ZRANGE z 0 -1",
		"ZREMRANGEBYSCORE z 5 1", "ZREMRANGEBYSCORE z x 1", "ZREMRANGEBYSCORE z -inf +inf", "EXISTS z"),
	dc("zremrangebylex", "ZADD z 0 a 0 b 0 c 0 d", "ZREMRANGEBYLEX z [a (c", "ZRANGE z 0 -1", "ZREMRANGEBYLEX z a b",
		"ZREMRANGEBYLEX z - +", "EXISTS z", "ZREMRANGEBYLEX nokey - +"),

	// ZPOPMIN / ZPOPMAX / ZMPOP.
	dc("zpop", "ZADD z 1 a 2 b 3 c 4 d", "ZPOPMIN z", "ZPOPMAX z", "ZPOPMIN z 0", "ZPOPMIN z 5", "EXISTS z", "ZPOPMIN z",
		"ZPOPMAX nokey 2", "ZPOPMIN nokey 0"),
	dc("zpop-count", "ZADD z 1 a 2 b 3 c", "ZPOPMAX z 2", "ZPOPMIN z 1", "ZADD z 1 a", "ZPOPMIN z -1", "ZPOPMAX z abc",
		"ZPOPMIN z 1 2", "ZPOPMIN", "ZCARD z"),
	dc("zmpop", "ZADD z 1 a 2 b 3 c", "ZADD y 9 x", "ZMPOP 2 nokey z MIN", "ZMPOP 1 z MAX COUNT 5", "EXISTS z", "ZMPOP 2 z y MIN COUNT 1",
		"ZMPOP 1 z MIN", "ZMPOP 1 y MIN"),
	dc("zmpop-errors", "ZADD z 1 a", "ZMPOP 0 z MIN", "ZMPOP -1 z MIN", "ZMPOP 2 z MIN", "ZMPOP 1 z FOO", "ZMPOP 1 z MIN COUNT 0",
		"ZMPOP 1 z MIN COUNT -1", "ZMPOP 1 z MIN COUNT", "ZMPOP 1 z MIN COUNT 1 COUNT 1", "ZMPOP 1 z", "ZMPOP a z MIN", "ZMPOP",
		"SET s v", "ZMPOP 1 s MIN", "ZMPOP 2 nokey s MAX", "ZCARD z"),

	// ZRANDMEMBER: deterministic cases only (the random ones are checked
	// by shape in TestDiffSetsRandomShapes).
	dc("zrandmember-fixed", "ZRANDMEMBER nokey", "ZRANDMEMBER nokey 5", "ZRANDMEMBER nokey 5 WITHSCORES", "ZADD z 1 a",
		"ZRANDMEMBER z", "ZRANDMEMBER z 3", "ZRANDMEMBER z -2", "ZRANDMEMBER z -2 WITHSCORES", "ZRANDMEMBER z 0",
		"ZRANDMEMBER z abc", "ZRANDMEMBER z 1 FOO", "ZRANDMEMBER z 1 WITHSCORES FOO", "ZRANDMEMBER",
		"ZRANDMEMBER z -9223372036854775808 WITHSCORES", "ZRANDMEMBER z 1 WITHSCORES"),

	// ZUNION / ZINTER / ZDIFF and the STORE forms.
	dc("zunion", "ZADD a 1 x 2 y", "ZADD b 3 y 4 z", "ZUNION 2 a b", "ZUNION 2 a b WITHSCORES", "ZUNION 2 a b WEIGHTS 2 3 WITHSCORES",
		"ZUNION 2 a b AGGREGATE MIN WITHSCORES", "ZUNION 2 a b AGGREGATE MAX WITHSCORES", "ZUNION 2 a nokey WITHSCORES",
		"ZUNION 1 a WEIGHTS -1 WITHSCORES", "ZUNION 2 a b WEIGHTS inf 0 WITHSCORES"),
	dc("zinter", "ZADD a 1 x 2 y 3 w", "ZADD b 3 y 4 z 5 w", "ZINTER 2 a b", "ZINTER 2 a b WITHSCORES", "ZINTER 2 a b WEIGHTS 2 3 WITHSCORES",
		"ZINTER 2 a b AGGREGATE MIN WITHSCORES", "ZINTER 2 a b AGGREGATE MAX", "ZINTER 2 a nokey", "ZINTER 1 a"),
	dc("zdiff", "ZADD a 1 x 2 y 3 w", "ZADD b 3 y", "ZDIFF 2 a b", "ZDIFF 2 a b WITHSCORES", "ZDIFF 1 a", "ZDIFF 2 nokey a",
		"ZDIFF 2 a a", "ZDIFF 2 a b WEIGHTS 1 2", "ZDIFF 2 a b AGGREGATE MIN"),
	dc("zset-algebra-with-sets", "ZADD a 1 x 2 y", "SADD s y z", "ZUNION 2 a s WITHSCORES", "ZINTER 2 a s WITHSCORES",
		"ZDIFF 2 a s WITHSCORES", "ZINTERCARD 2 a s"),
	dc("zset-algebra-errors", "ZADD a 1 x", "SET str v", "ZUNION 0 a", "ZUNION -1 a", "ZUNION 2 a", "ZUNION 1 a b",
		"ZUNION abc a", "ZUNION 1 a WEIGHTS", "ZUNION 1 a WEIGHTS x", "ZUNION 2 a a WEIGHTS 1", "ZUNION 1 a AGGREGATE",
		"ZUNION 1 a AGGREGATE AVG", "ZUNION 1 a FOO", "ZUNION 2 a str", "ZINTER 2 a str", "ZDIFF 2 a str", "ZDIFF 2 str a",
		"ZINTER 0 a", "ZDIFF 0 a", "ZUNION", "ZUNION 1", "ZUNION 1 a WITHSCORES WITHSCORES",
		"ZUNION 1 a WEIGHTS nan"),
	dc("zunionstore", "ZADD a 1 x 2 y", "ZADD b 3 y 4 z", "ZUNIONSTORE d 2 a b", "ZRANGE d 0 -1 WITHSCORES",
		"ZUNIONSTORE d 2 a b WEIGHTS 1 -1 AGGREGATE MAX", "ZRANGE d 0 -1 WITHSCORES", "ZUNIONSTORE d 2 a b WITHSCORES",
		"ZUNIONSTORE d 1 nokey", "EXISTS d", "ZUNIONSTORE a 2 a b", "ZRANGE a 0 -1 WITHSCORES", "ZUNIONSTORE d 0 a", "ZUNIONSTORE d"),
	dc("zinterstore", "ZADD a 1 x 2 y", "ZADD b 3 y 4 z", "ZINTERSTORE d 2 a b", "ZRANGE d 0 -1 WITHSCORES",
		"ZINTERSTORE d 2 a b AGGREGATE MIN", "ZSCORE d y", "ZINTERSTORE d 2 a nokey", "EXISTS d", "SET s v", "ZINTERSTORE s 1 a", "TYPE s"),
	dc("zdiffstore", "ZADD a 1 x 2 y", "ZADD b 3 y", "ZDIFFSTORE d 2 a b", "ZRANGE d 0 -1 WITHSCORES", "ZDIFFSTORE d 2 b a",
		"EXISTS d", "ZDIFFSTORE d 2 a b WITHSCORES", "ZDIFFSTORE d 0 a"),
	dc("zintercard", "ZADD a 1 x 2 y 3 z", "ZADD b 1 y 1 z", "ZINTERCARD 2 a b", "ZINTERCARD 2 a b LIMIT 1", "ZINTERCARD 2 a b LIMIT 0",
		"ZINTERCARD 2 a nokey", "ZINTERCARD 1 a", "ZINTERCARD 0 a", "ZINTERCARD 2 a", "ZINTERCARD 1 a LIMIT -1", "ZINTERCARD 1 a LIMIT x",
		"ZINTERCARD 1 a FOO 1", "ZINTERCARD 1 a LIMIT", "SET s v", "ZINTERCARD 2 a s"),

	// ZSCAN on small sets (one page; compared as a set).
	dc("zscan", "ZADD z 1 a 2 b 3.5 c", "~ZSCAN z 0", "~ZSCAN z 0 MATCH a*", "~ZSCAN z 0 COUNT 100", "ZSCAN nokey 0",
		"ZSCAN z abc", "ZSCAN z 0 COUNT 0", "ZSCAN z 0 FOO", "ZSCAN z 0 MATCH", "ZSCAN z"),

	// Empty keys and type interplay.
	dc("zset-empty-key", "ZADD z 1 a", "ZREM z a", "TYPE z", "ZADD z 1 a", "ZPOPMIN z", "EXISTS z", "ZRANGE z 0 -1", "ZCARD z"),
	dc("zset-wrongtype-list", "RPUSH l a", "ZADD l 1 a", "ZUNIONSTORE l 1 nokey", "TYPE l"),
}

// TestDiffZsets compares the sorted-set commands with redis-server.
func TestDiffZsets(t *testing.T) {
	runDiff(t, append(zsetCases, zsetBigCases()...))
}

// zsetBigCases build sets with more members than a listpack holds, so the
// skiplist encoding of Redis is compared too.
func zsetBigCases() []diffCase {
	var b strings.Builder
	b.WriteString("ZADD big")
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&b, " %d m%03d", i%50, i)
	}
	add := b.String()
	return []diffCase{
		dc("zset-big", add, "ZCARD big", "ZRANGE big 100 105 WITHSCORES", "ZRANK big m150", "ZREVRANK big m150",
			"ZCOUNT big (10 20", "ZRANGE big 10 20 BYSCORE LIMIT 5 5", "ZREMRANGEBYSCORE big 0 9", "ZCARD big",
			"ZRANGE big 0 3", "ZPOPMAX big 3", "ZRANGE big [m100 (m110 BYLEX", "ZREMRANGEBYRANK big 10 100", "ZCARD big"),
	}
}

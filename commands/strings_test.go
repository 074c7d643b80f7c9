package commands_test

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestGetSet covers GET and plain SET, binary values and WRONGTYPE.
func TestGetSet(t *testing.T) {
	runTable(t, []tc{
		cmd("GET nosuch", null),
		cmd("SET k v", ok),
		cmd("GET k", bulk("v")),
		cmd("set K other", ok),
		cmd("GET k", bulk("v")),
		cmd("GET K", bulk("other")),
		args(ok, "SET", "bin", "a\r\nb\x00\xff"),
		args(bulk("a\r\nb\x00\xff"), "GET", "bin"),
		args(ok, "SET", "", "empty key"),
		args(bulk("empty key"), "GET", ""),
		args(ok, "SET", "ev", ""),
		args(bulk(""), "GET", "ev"),
		cmd("RPUSH list a", one),
		cmd("GET list", errWrongType),
		cmd("SET list v", ok), // SET replaces any type
		cmd("GET list", bulk("v")),
		cmd("GET", errArity("get")),
		cmd("GET a b", errArity("get")),
		cmd("SET k", errArity("set")),
		cmd("SET", errArity("set")),
	})
}

// TestSetOptions covers SET's option parsing: NX, XX, GET, EX, PX, EXAT,
// PXAT, KEEPTTL and their invalid combinations.
func TestSetOptions(t *testing.T) {
	future := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
	futureMs := strconv.FormatInt(time.Now().Add(time.Hour).UnixMilli(), 10)
	runTable(t, []tc{
		cmd("SET k v NX", ok),
		cmd("SET k v2 NX", null),
		cmd("GET k", bulk("v")),
		cmd("SET k v3 XX", ok),
		cmd("GET k", bulk("v3")),
		cmd("SET nosuch v XX", null),
		cmd("EXISTS nosuch", zero),
		cmd("SET k v nx xx", errSyntax),
		cmd("SET k v XX NX", errSyntax),
		cmd("SET k v4 XX XX", ok),
		cmd("SET k v5 GET", bulk("v4")),
		cmd("SET fresh v GET", null),
		cmd("GET fresh", bulk("v")),
		cmd("SET k v6 NX GET", bulk("v5")),
		cmd("GET k", bulk("v5")),
		cmd("SET new1 v NX GET", null),
		cmd("GET new1", bulk("v")),
		cmd("SET nosuch2 v XX GET", null),
		cmd("EXISTS nosuch2", zero),
		cmd("RPUSH list a", one),
		cmd("SET list v GET", errWrongType),
		cmd("LLEN list", one),
		cmd("SET list v NX GET", errWrongType),

		// Expiry options.
		cmd("SET e v EX 100", ok),
		cmd("TTL e", "re::(99|100)\r\n"),
		cmd("SET e v PX 100000", ok),
		cmd("PTTL e", "re::(99[0-9]{3}|100000)\r\n"),
		cmd("SET e v EXAT "+future, ok),
		cmd("TTL e", "re::(3599|3600)\r\n"),
		cmd("SET e v PXAT "+futureMs, ok),
		cmd("TTL e", "re::(3599|3600)\r\n"),
		cmd("SET e v2 KEEPTTL", ok),
		cmd("TTL e", "re::(3599|3600)\r\n"),
		cmd("GET e", bulk("v2")),
		cmd("SET e v3", ok),
		cmd("TTL e", ":-1\r\n"),
		cmd("SET e v ex 10 NX", null),
		cmd("SET e v EX 10 XX GET", bulk("v3")),
		cmd("TTL e", "re::(9|10)\r\n"),
		cmd("SET k2 v KEEPTTL NX", ok),
		cmd("TTL k2", ":-1\r\n"),
		// Repeating an option is allowed; the last expiry counts.
		cmd("SET k2 v NX NX", null),
		cmd("SET k2 v EX 10 EX 1000", ok),
		cmd("TTL k2", "re::(999|1000)\r\n"),
		cmd("SET k2 v PX 10 PX 2000000 XX XX", ok),
		cmd("TTL k2", "re::(1999|2000)\r\n"),

		cmd("SET k v EX", errSyntax),
		cmd("SET k v PX", errSyntax),
		cmd("SET k v EX 10 PX 100", errSyntax),
		cmd("SET k v EX 10 KEEPTTL", errSyntax),
		cmd("SET k v KEEPTTL EX 10", errSyntax),
		cmd("SET k v KEEPTTL PXAT 10", errSyntax),
		cmd("SET k v EX 0", "-ERR invalid expire time in 'set' command\r\n"),
		cmd("SET k v EX -1", "-ERR invalid expire time in 'set' command\r\n"),
		cmd("SET k v PX 0", "-ERR invalid expire time in 'set' command\r\n"),
		cmd("SET k v EXAT 0", "-ERR invalid expire time in 'set' command\r\n"),
		cmd("SET k v PXAT -5", "-ERR invalid expire time in 'set' command\r\n"),
		cmd("SET k v EX 9223372036854775807", "-ERR invalid expire time in 'set' command\r\n"),
		cmd("SET k v PX 9223372036854775807", "-ERR invalid expire time in 'set' command\r\n"),
		cmd("SET k v EX abc", errNotInt),
		cmd("SET k v EX 1.5", errNotInt),
		cmd("SET k v EX 9223372036854775808", errNotInt),
		cmd("SET k v FOO", errSyntax),
		cmd("SET k v NX NX", null),
		cmd("SET k v EXX 10", errSyntax),
		cmd("SET k v 10", errSyntax),
		cmd("GET k", bulk("v5")),
		// An absolute time in the past deletes the key at once.
		cmd("SET past v PXAT 1", ok),
		cmd("EXISTS past", zero),
	})
}

// TestSetExpires checks that a key set with PX disappears.
func TestSetExpires(t *testing.T) {
	c := startTarget(t).dial(t)
	c.run([]tc{cmd("SET k v PX 100", ok), cmd("GET k", bulk("v"))})
	time.Sleep(200 * time.Millisecond)
	c.run([]tc{cmd("GET k", null), cmd("EXISTS k", zero), cmd("TTL k", ":-2\r\n")})
}

// TestSetnxSetexGetset covers SETNX, SETEX, PSETEX, GETSET and GETDEL.
func TestSetnxSetexGetset(t *testing.T) {
	runTable(t, []tc{
		cmd("SETNX k v", one),
		cmd("SETNX k v2", zero),
		cmd("GET k", bulk("v")),
		cmd("SETEX k 100 v3", ok),
		cmd("GET k", bulk("v3")),
		cmd("TTL k", "re::(99|100)\r\n"),
		cmd("PSETEX k 100000 v4", ok),
		cmd("PTTL k", "re::(99[0-9]{3}|100000)\r\n"),
		cmd("SETEX k 0 v", "-ERR invalid expire time in 'setex' command\r\n"),
		cmd("SETEX k -10 v", "-ERR invalid expire time in 'setex' command\r\n"),
		cmd("PSETEX k 0 v", "-ERR invalid expire time in 'psetex' command\r\n"),
		cmd("SETEX k abc v", errNotInt),
		cmd("SETEX k 9223372036854775807 v", "-ERR invalid expire time in 'setex' command\r\n"),
		cmd("SETEX k 10", errArity("setex")),
		cmd("GET k", bulk("v4")),
		cmd("GETSET k v5", bulk("v4")),
		cmd("TTL k", ":-1\r\n"), // GETSET drops the expiry
		cmd("GETSET nosuch v", null),
		cmd("GET nosuch", bulk("v")),
		cmd("RPUSH list a", one),
		cmd("GETSET list v", errWrongType),
		cmd("SETNX list v", zero),
		cmd("GETDEL k", bulk("v5")),
		cmd("GETDEL k", null),
		cmd("EXISTS k", zero),
		cmd("GETDEL list", errWrongType),
		cmd("LLEN list", one),
	})
}

// TestGetex covers GETEX's options and their combinations.
func TestGetex(t *testing.T) {
	future := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
	runTable(t, []tc{
		cmd("GETEX nosuch", null),
		cmd("GETEX nosuch EX 10", null),
		cmd("EXISTS nosuch", zero),
		cmd("SET k v", ok),
		cmd("GETEX k", bulk("v")),
		cmd("TTL k", ":-1\r\n"),
		cmd("GETEX k EX 100", bulk("v")),
		cmd("TTL k", "re::(99|100)\r\n"),
		cmd("GETEX k PX 50000", bulk("v")),
		cmd("TTL k", "re::(49|50)\r\n"),
		cmd("GETEX k EXAT "+future, bulk("v")),
		cmd("TTL k", "re::(3599|3600)\r\n"),
		cmd("GETEX k PERSIST", bulk("v")),
		cmd("TTL k", ":-1\r\n"),
		cmd("GETEX k persist", bulk("v")),
		cmd("GETEX k EX 10 PERSIST", errSyntax),
		cmd("GETEX k PERSIST EX 10", errSyntax),
		cmd("GETEX k EX 10 PX 100", errSyntax),
		cmd("GETEX k EX", errSyntax),
		cmd("GETEX k KEEPTTL", errSyntax),
		cmd("GETEX k NX", errSyntax),
		cmd("GETEX k EX 0", "-ERR invalid expire time in 'getex' command\r\n"),
		cmd("GETEX k PX -1", "-ERR invalid expire time in 'getex' command\r\n"),
		cmd("GETEX k EX abc", errNotInt),
		cmd("TTL k", ":-1\r\n"),
		cmd("GETEX k PXAT 1", bulk("v")), // a past time deletes the key
		cmd("EXISTS k", zero),
		cmd("RPUSH list a", one),
		cmd("GETEX list", errWrongType),
		cmd("GETEX list EX 10", errWrongType),
		cmd("GETEX", errArity("getex")),
	})
}

// TestMgetMset covers MGET, MSET and MSETNX, including keys on several shards.
func TestMgetMset(t *testing.T) {
	runTable(t, []tc{
		cmd("MSET a 1 b 2 c 3 {a}x 4", ok),
		cmd("MGET a b c {a}x nosuch", arr(bulk("1"), bulk("2"), bulk("3"), bulk("4"), null)),
		cmd("MSET a 10 a 11", ok),
		cmd("GET a", bulk("11")),
		cmd("MSET a 1 b", errArity("mset")),
		cmd("MSET a", errArity("mset")),
		cmd("MSETNX a 5 d 6", zero),
		cmd("EXISTS d", zero),
		cmd("MSETNX d 6 e 7", one),
		cmd("MGET d e", arr(bulk("6"), bulk("7"))),
		cmd("MSETNX f 1 f 2", one),
		cmd("GET f", bulk("2")),
		cmd("MSETNX f 1 g", errArity("msetnx")),
		cmd("RPUSH list x", one),
		cmd("MGET a list b", arr(bulk("11"), null, bulk("2"))),
		cmd("MSET list v", ok),
		cmd("GET list", bulk("v")),
		cmd("MGET", errArity("mget")),
	})
}

// TestAppendStrlenRange covers APPEND, STRLEN, GETRANGE, SUBSTR and SETRANGE.
func TestAppendStrlenRange(t *testing.T) {
	runTable(t, []tc{
		cmd("APPEND k Hello", integer(5)),
		cmd("APPEND k World", integer(10)),
		cmd("GET k", bulk("HelloWorld")),
		cmd("STRLEN k", integer(10)),
		cmd("STRLEN nosuch", zero),
		cmd("GETRANGE k 0 4", bulk("Hello")),
		cmd("GETRANGE k -5 -1", bulk("World")),
		cmd("GETRANGE k 5 100", bulk("World")),
		cmd("GETRANGE k -100 2", bulk("Hel")),
		cmd("GETRANGE k 3 1", bulk("")),
		cmd("GETRANGE k -1 -5", bulk("")),
		cmd("GETRANGE k 100 200", bulk("")),
		cmd("GETRANGE k 0 -1", bulk("HelloWorld")),
		cmd("GETRANGE nosuch 0 -1", bulk("")),
		cmd("GETRANGE k a 1", errNotInt),
		cmd("SUBSTR k 0 0", bulk("H")),
		cmd("SETRANGE k 5 Redis", integer(10)),
		cmd("GET k", bulk("HelloRedis")),
		cmd("SETRANGE k 12 !", integer(13)),
		args(bulk("HelloRedis\x00\x00!"), "GET", "k"),
		cmd("SETRANGE new 2 ab", integer(4)),
		args(bulk("\x00\x00ab"), "GET", "new"),
		args(zero, "SETRANGE", "empty", "5", ""),
		cmd("EXISTS empty", zero),
		args(integer(4), "SETRANGE", "new", "100", ""),
		cmd("SETRANGE k -1 x", "-ERR offset is out of range\r\n"),
		cmd("SETRANGE k 536870912 x", "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"),
		cmd("SETRANGE k abc x", errNotInt),
		cmd("RPUSH list a", one),
		cmd("APPEND list x", errWrongType),
		cmd("STRLEN list", errWrongType),
		cmd("GETRANGE list 0 1", errWrongType),
		cmd("SETRANGE list 0 x", errWrongType),
		cmd("SETRANGE list 0", errArity("setrange")),
	})
}

// TestIncrDecr covers INCR, DECR, INCRBY, DECRBY and their integer rules.
func TestIncrDecr(t *testing.T) {
	runTable(t, []tc{
		cmd("INCR n", one),
		cmd("INCR n", integer(2)),
		cmd("INCRBY n 10", integer(12)),
		cmd("DECR n", integer(11)),
		cmd("DECRBY n 20", integer(-9)),
		cmd("INCRBY n -1", integer(-10)),
		cmd("GET n", bulk("-10")),
		cmd("SET n 9223372036854775806", ok),
		cmd("INCR n", integer(9223372036854775807)),
		cmd("INCR n", "-ERR increment or decrement would overflow\r\n"),
		cmd("SET n -9223372036854775807", ok),
		cmd("DECR n", integer(-9223372036854775808)),
		cmd("DECR n", "-ERR increment or decrement would overflow\r\n"),
		cmd("SET n 0", ok),
		cmd("DECRBY n -9223372036854775808", "-ERR decrement would overflow\r\n"),
		cmd("INCRBY n -9223372036854775808", integer(-9223372036854775808)),
		cmd("INCRBY n 9223372036854775808", errNotInt),
		cmd("INCRBY n abc", errNotInt),
		cmd("INCRBY n +1", errNotInt),
		cmd("INCRBY n -0", errNotInt),
		cmd("INCRBY n 007", errNotInt),
		cmd("INCRBY n 1.0", errNotInt),
		cmd("SET s abc", ok),
		cmd("INCR s", errNotInt),
		cmd("SET s 007", ok),
		cmd("INCR s", errNotInt),
		cmd("SET s 1.5", ok),
		cmd("INCR s", errNotInt),
		cmd("SET s 12345678901234567890", ok),
		cmd("INCR s", errNotInt),
		cmd("SET e 5 EX 100", ok),
		cmd("INCR e", integer(6)),
		cmd("TTL e", "re::(99|100)\r\n"), // INCR keeps the expiry
		cmd("RPUSH list a", one),
		cmd("INCR list", errWrongType),
		cmd("DECRBY list 1", errWrongType),
		cmd("INCR", errArity("incr")),
		cmd("INCRBY n", errArity("incrby")),
	})
}

// TestIncrByFloat covers INCRBYFLOAT's long double arithmetic, formatting
// and errors, as redis-server 7.0 replies.
func TestIncrByFloat(t *testing.T) {
	runTable(t, []tc{
		cmd("INCRBYFLOAT f 10.5", bulk("10.5")),
		cmd("INCRBYFLOAT f 0.1", bulk("10.6")),
		cmd("SET g 0.1", ok),
		cmd("INCRBYFLOAT g 0.2", bulk("0.3")),
		cmd("SET h 5.0e3", ok),
		cmd("INCRBYFLOAT h 0", bulk("5000")),
		cmd("INCRBYFLOAT i 1e20", bulk("100000000000000000000")),
		cmd("INCRBYFLOAT j -0", bulk("0")),
		cmd("INCRBYFLOAT j -1.5e-7", bulk("-0.00000015")),
		cmd("INCRBYFLOAT k +1.5", bulk("1.5")),
		cmd("INCRBYFLOAT k .5", bulk("2")),
		cmd("INCRBYFLOAT k 3.", bulk("5")),
		cmd("INCRBYFLOAT l 0.3333333333333333333333", bulk("0.33333333333333333")),
		cmd("INCRBYFLOAT m 123456789012345678901234567890", bulk("123456789012345678899921813504")),
		cmd("INCRBYFLOAT n 1e-20", bulk("0")),
		// strtold reads hexadecimal floats.
		cmd("INCRBYFLOAT x 0x10", bulk("16")),
		cmd("SET y 0x10", ok),
		cmd("INCRBYFLOAT y 0.5", bulk("16.5")),

		cmd("INCRBYFLOAT f inf", "-ERR increment would produce NaN or Infinity\r\n"),
		cmd("INCRBYFLOAT f -inf", "-ERR increment would produce NaN or Infinity\r\n"),
		cmd("INCRBYFLOAT f nan", errNotFloat),
		cmd("INCRBYFLOAT f abc", errNotFloat),
		cmd("INCRBYFLOAT f 1e", errNotFloat),
		cmd("INCRBYFLOAT f 1_000", errNotFloat),
		args(errNotFloat, "INCRBYFLOAT", "f", " 1"),
		args(errNotFloat, "INCRBYFLOAT", "f", "1 "),
		args(errNotFloat, "INCRBYFLOAT", "f", ""),
		// Out of the long double range: overflow and underflow to zero.
		cmd("INCRBYFLOAT o1 1e5000", errNotFloat),
		cmd("INCRBYFLOAT o2 1e-5000", errNotFloat),
		cmd("EXISTS o1 o2", zero),
		// string2ld takes at most 5119 bytes.
		args(errNotFloat, "INCRBYFLOAT", "o3", "1."+strings.Repeat("0", 5118)),
		args(bulk("1"), "INCRBYFLOAT", "o4", "1."+strings.Repeat("0", 5117)),
		cmd("SET big 1e4932", ok),
		cmd("INCRBYFLOAT big 1e4932", "-ERR increment would produce NaN or Infinity\r\n"),
		cmd("SET s abc", ok),
		cmd("INCRBYFLOAT s 1", errNotFloat),
		cmd("RPUSH list a", one),
		cmd("INCRBYFLOAT list 1", errWrongType),
		cmd("GET f", bulk("10.6")),
	})
}

// TestLcs covers LCS with its LEN, IDX, MINMATCHLEN and WITHMATCHLEN options.
func TestLcs(t *testing.T) {
	runTable(t, []tc{
		cmd("MSET key1 ohmytext key2 mynewtext", ok),
		cmd("LCS key1 key2", bulk("mytext")),
		cmd("LCS key1 key2 LEN", integer(6)),
		cmd("LCS key1 key2 IDX", arr(bulk("matches"),
			arr(arr(arr(integer(4), integer(7)), arr(integer(5), integer(8))),
				arr(arr(integer(2), integer(3)), arr(integer(0), integer(1)))),
			bulk("len"), integer(6))),
		cmd("LCS key1 key2 IDX MINMATCHLEN 4", arr(bulk("matches"),
			arr(arr(arr(integer(4), integer(7)), arr(integer(5), integer(8)))),
			bulk("len"), integer(6))),
		cmd("LCS key1 key2 IDX MINMATCHLEN 4 WITHMATCHLEN", arr(bulk("matches"),
			arr(arr(arr(integer(4), integer(7)), arr(integer(5), integer(8)), integer(4))),
			bulk("len"), integer(6))),
		cmd("LCS key1 nosuch", bulk("")),
		cmd("LCS nosuch1 nosuch2 LEN", zero),
		cmd("LCS key1 key2 LEN IDX", "-ERR If you want both the length and indexes, please just use IDX.\r\n"),
		cmd("LCS key1 key2 FOO", errSyntax),
		cmd("LCS key1 key2 MINMATCHLEN", errSyntax),
		cmd("LCS key1 key2 IDX MINMATCHLEN x", errNotInt),
		cmd("RPUSH list a", one),
		cmd("LCS key1 list", "-ERR The specified keys must contain string values\r\n"),
		cmd("LCS key1", errArity("lcs")),
	})
}

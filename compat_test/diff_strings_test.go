package compat_test

import (
	"strings"
	"testing"
)

// dc builds a diffCase from a name and its commands.
func dc(name string, cmds ...string) diffCase { return diffCase{name: name, cmds: cmds} }

// long128 is an argument longer than the 128 bytes Redis quotes in errors.
var long128 = strings.Repeat("x", 140)

// stringCases cover the string family: GET/SET and options, counters,
// ranges, LCS, with their error texts.
var stringCases = []diffCase{
	// GET / SET basics and arity.
	dc("get-missing", "GET nokey"),
	dc("set-get", "SET k v", "GET k", "TYPE k", "STRLEN k"),
	dc("set-empty-value", `SET k ""`, "GET k", "STRLEN k", "EXISTS k"),
	dc("set-binary", `SET "k\x00\xff" "v\r\n\x00end"`, `GET "k\x00\xff"`, `STRLEN "k\x00\xff"`),
	dc("get-arity", "GET", "GET a b"),
	dc("set-arity", "SET", "SET k"),
	dc("set-overwrites-list", "RPUSH k a", "SET k v", "GET k", "TYPE k"),
	dc("get-wrongtype", "RPUSH k a", "GET k"),
	dc("set-case-insensitive", "set k v", "gEt k", "SeT k v2 nX", "SET k v3 xx", "get k"),

	// SET options and their syntax errors.
	dc("set-nx", "SET k v NX", "SET k v2 NX", "GET k"),
	dc("set-xx", "SET k v XX", "GET k", "SET k v", "SET k v2 XX", "GET k"),
	dc("set-nx-xx", "SET k v NX XX", "SET k v XX NX", "EXISTS k"),
	dc("set-nx-nx", "SET k v NX NX", "GET k"),
	dc("set-ex-px", "SET k v EX 10 PX 100", "EXISTS k"),
	dc("set-ex-ex", "SET k v EX 10 EX 20", "TTL k"),
	dc("set-keepttl-ex", "SET k v KEEPTTL EX 10", "SET k v EX 10 KEEPTTL", "EXISTS k"),
	dc("set-keepttl-px-exat-pxat", "SET k v KEEPTTL PX 10", "SET k v KEEPTTL EXAT 99999999999", "SET k v PXAT 1 KEEPTTL"),
	dc("set-ex-0", "SET k v EX 0", "EXISTS k"),
	dc("set-ex-neg", "SET k v EX -1", "SET k v PX -1", "SET k v EXAT -1", "SET k v PXAT -5", "EXISTS k"),
	dc("set-px-0", "SET k v PX 0", "SET k v EXAT 0", "SET k v PXAT 0"),
	dc("set-ex-abc", "SET k v EX abc", "SET k v PX 1.5", "SET k v EX 10abc", "SET k v EX ''", "EXISTS k"),
	dc("set-ex-missing-arg", "SET k v EX", "SET k v PX", "SET k v EXAT", "SET k v PXAT", "SET k v NX EX"),
	dc("set-ex-overflow", "SET k v EX 9223372036854775807", "SET k v EX 9223372036854775808",
		"SET k v PX 9223372036854775807", "SET k v EX 9223372036854775", "SET k v EX 922337203685477", "EXISTS k"),
	dc("set-exat-past", "SET k v EXAT 1", "EXISTS k", "SET k v PXAT 1000", "GET k"),
	dc("set-ex-valid", "SET k v EX 100", "TTL k", "≈PTTL k", "SET k v PX 50000", "TTL k"),
	dc("set-exat-valid", "SET k v EXAT 4102444800", "EXPIRETIME k", "PEXPIRETIME k", "SET k v PXAT 4102444800123", "PEXPIRETIME k", "EXPIRETIME k"),
	dc("set-keepttl", "SET k v EX 100", "SET k v2 KEEPTTL", "TTL k", "SET k v3", "TTL k"),
	dc("set-unknown-option", "SET k v FOO", "SET k v EX 10 FOO", "SET k v 10", "EXISTS k"),
	dc("set-get-option", "SET k v GET", "SET k v2 GET", "GET k"),
	dc("set-get-wrongtype", "RPUSH k a", "SET k v GET", "TYPE k", "LRANGE k 0 -1"),
	dc("set-get-nx", "SET k v NX GET", "SET k v2 NX GET", "GET k"),
	dc("set-get-xx", "SET k v XX GET", "SET k v", "SET k v2 XX GET", "GET k"),
	dc("set-get-ex", "SET k v GET EX 100", "SET k v2 EX 100 GET", "TTL k"),
	dc("set-get-get", "SET k v GET GET", "GET k"),
	dc("set-lowercase-opts", "SET k v nx", "SET k v2 xx get ex 100", "TTL k"),
	dc("set-nx-wrongtype", "RPUSH k a", "SET k v NX", "SET k v XX", "TYPE k"),

	// SETNX / SETEX / PSETEX.
	dc("setnx", "SETNX k v", "SETNX k v2", "GET k", "SETNX k", "SETNX k v extra"),
	dc("setnx-wrongtype", "RPUSH k a", "SETNX k v"),
	dc("setex", "SETEX k 100 v", "TTL k", "GET k", "SETEX k 0 v", "SETEX k -1 v", "SETEX k abc v", "SETEX k 10", "GET k"),
	dc("setex-overflow", "SETEX k 9223372036854775807 v", "SETEX k 92233720368547758 v", "EXISTS k"),
	dc("psetex", "PSETEX k 100000 v", "TTL k", "PSETEX k 0 v", "PSETEX k -1 v", "PSETEX k 1.5 v", "GET k"),

	// MGET / MSET / MSETNX.
	dc("mget", "SET a 1", "RPUSH l x", "MGET a b l a", "MGET", "MGET nokey"),
	dc("mset", "MSET a 1 b 2", "MGET a b", "MSET a", "MSET a 1 b", "MSET", "MSET a 3 a 4", "GET a"),
	dc("mset-overwrites-list", "RPUSH a x", "MSET a 1", "TYPE a"),
	dc("msetnx", "MSETNX a 1 b 2", "MSETNX b 3 c 4", "MGET a b c", "MSETNX a", "MSETNX a 1 b"),
	dc("msetnx-same-key", "MSETNX x 1 x 2", "GET x"),
	dc("msetnx-existing-list", "RPUSH l x", "MSETNX l 1 m 2", "EXISTS m"),

	// GETSET / GETDEL / GETEX.
	dc("getset", "GETSET k v", "GETSET k v2", "GET k", "GETSET k", "RPUSH l a", "GETSET l v"),
	dc("getset-clears-ttl", "SET k v EX 100", "GETSET k v2", "TTL k"),
	dc("getdel", "SET k v", "GETDEL k", "GETDEL k", "EXISTS k", "RPUSH l a", "GETDEL l", "GETDEL", "GETDEL a b"),
	dc("getex-plain", "SET k v", "GETEX k", "TTL k", "GETEX nokey", "GETEX nokey EX 10"),
	dc("getex-ex", "SET k v", "GETEX k EX 100", "TTL k", "GETEX k PX 200000", "TTL k", "GETEX k PERSIST", "TTL k"),
	dc("getex-exat", "SET k v", "GETEX k EXAT 4102444800", "EXPIRETIME k", "GETEX k PXAT 4102444800000", "PEXPIRETIME k"),
	dc("getex-errors", "SET k v", "GETEX k EX", "GETEX k EX 0", "GETEX k EX -1", "GETEX k EX abc",
		"GETEX k PX 0", "GETEX k EX 10 PX 10", "GETEX k PERSIST EX 10", "GETEX k FOO", "GETEX k KEEPTTL", "GETEX", "TTL k"),
	dc("getex-past", "SET k v", "GETEX k EXAT 1", "EXISTS k"),
	dc("getex-wrongtype", "RPUSH l a", "GETEX l", "GETEX l EX 10"),
	dc("getex-overflow", "SET k v", "GETEX k EX 9223372036854775807", "GETEX k PX 9223372036854775807", "TTL k"),

	// APPEND / STRLEN.
	dc("append", "APPEND k abc", "APPEND k def", "GET k", "STRLEN k", `APPEND k ""`, "APPEND k", "APPEND"),
	dc("append-int", "SET k 10", "APPEND k 5", "GET k", "INCR k", "OBJECT ENCODING k"),
	dc("append-wrongtype", "RPUSH l a", "APPEND l x"),
	dc("strlen", "STRLEN nokey", "SET k 12345", "STRLEN k", "SET k -1", "STRLEN k", "RPUSH l a", "STRLEN l", "STRLEN", "STRLEN a b"),
	dc("append-keeps-ttl", "SET k v EX 100", "APPEND k x", "TTL k"),

	// GETRANGE / SUBSTR.
	dc("getrange", "SET k Hello,World", "GETRANGE k 0 4", "GETRANGE k -5 -1", "GETRANGE k 0 -1", "GETRANGE k 5 3",
		"GETRANGE k 0 100", "GETRANGE k -100 -50", "GETRANGE k -100 2", "GETRANGE k 100 200", "GETRANGE k -1 -1",
		"GETRANGE k 3 3", "GETRANGE k -1 -5", "GETRANGE k 10 10", "GETRANGE k 11 11"),
	dc("getrange-missing", "GETRANGE nokey 0 -1", "GETRANGE nokey 0 10", "GETRANGE nokey 5 1"),
	dc("getrange-empty", `SET k ""`, "GETRANGE k 0 -1", "GETRANGE k 0 0", "GETRANGE k -1 -1"),
	dc("getrange-errors", "SET k abc", "GETRANGE k a 1", "GETRANGE k 0 b", "GETRANGE k 0", "GETRANGE k 0 1 2",
		"GETRANGE k 0 9223372036854775808", "RPUSH l a", "GETRANGE l 0 1"),
	dc("getrange-extreme", "SET k abc", "GETRANGE k -9223372036854775808 9223372036854775807",
		"GETRANGE k 9223372036854775807 -9223372036854775808", "GETRANGE k 0 -9223372036854775808"),
	dc("getrange-int", "SET k 12345", "GETRANGE k 1 2", "GETRANGE k -2 -1"),
	dc("substr", "SET k Hello", "SUBSTR k 1 3", "SUBSTR k -3 -1", "SUBSTR k 0", "SUBSTR nokey 0 1"),

	// SETRANGE.
	dc("setrange", "SET k Hello", "SETRANGE k 6 World", "GET k", "SETRANGE k 0 J", "GET k", "STRLEN k"),
	dc("setrange-missing", "SETRANGE k 5 x", "GET k", "STRLEN k", "SETRANGE m 0 ''", "EXISTS m", "SETRANGE m 10 ''", "EXISTS m"),
	dc("setrange-existing-empty", "SET k abc", "SETRANGE k 100 ''", "GET k", "SETRANGE k 1 ''", "GET k"),
	dc("setrange-negative", "SET k abc", "SETRANGE k -1 x", "SETRANGE k abc x", "SETRANGE k 1.5 x", "GET k"),
	dc("setrange-arity", "SETRANGE k 0", "SETRANGE k", "SETRANGE k 0 a b"),
	dc("setrange-too-big", "SETRANGE k 536870912 x", "SETRANGE k 536870911 ''", "SETRANGE k 536870911 xy",
		"SETRANGE k 9223372036854775807 x", "EXISTS k"),
	dc("setrange-wrongtype", "RPUSH l a", "SETRANGE l 0 x", "SETRANGE l 0 ''"),
	dc("setrange-int", "SET k 1234", "SETRANGE k 1 9", "GET k", "INCR k"),
	dc("setrange-keeps-ttl", "SET k v EX 100", "SETRANGE k 1 x", "TTL k"),

	// INCR family.
	dc("incr", "INCR k", "INCR k", "INCRBY k 10", "DECR k", "DECRBY k 5", "GET k", "TYPE k"),
	dc("incr-arity", "INCR", "INCR a b", "INCRBY k", "DECRBY k", "DECR", "INCRBY k 1 2"),
	dc("incr-not-int", "SET k abc", "INCR k", "SET k 1.5", "INCR k", `SET k " 1"`, "INCR k", `SET k "1 "`, "INCR k",
		"SET k 01", "INCR k", "SET k +1", "INCR k", "SET k -0", "INCR k", `SET k ""`, "INCR k", "SET k 0x10", "INCR k"),
	dc("incr-overflow", "SET k 9223372036854775807", "INCR k", "GET k", "SET k -9223372036854775808", "DECR k",
		"INCRBY k -1", "DECRBY k 1", "GET k"),
	dc("incrby-overflow", "SET k 9223372036854775000", "INCRBY k 807", "INCRBY k 1", "SET j -9223372036854775000", "INCRBY j -808", "GET j"),
	dc("incrby-bad", "INCRBY k abc", "INCRBY k 1.5", "INCRBY k 9223372036854775808", "INCRBY k ''", "EXISTS k",
		"INCRBY k -9223372036854775808", "GET k"),
	dc("decrby-min", "DECRBY k -9223372036854775808", "DECRBY k 9223372036854775807", "GET k"),
	dc("incr-big-int-string", "SET k 92233720368547758070", "INCR k", "SET k 18446744073709551615", "INCRBY k 1"),
	dc("incr-wrongtype", "RPUSH l a", "INCR l", "DECR l", "INCRBY l 1", "INCRBYFLOAT l 1"),
	dc("incr-keeps-ttl", "SET k 1 EX 100", "INCR k", "TTL k"),
	dc("incr-encoding", "SET k 1", "OBJECT ENCODING k", "INCR k", "OBJECT ENCODING k", "SET s hello", "OBJECT ENCODING s"),

	// INCRBYFLOAT formatting.
	dc("incrbyfloat-basic", "SET k 0.1", "INCRBYFLOAT k 0.2", "SET j 10.5", "INCRBYFLOAT j 0.1", "INCRBYFLOAT j -0.1", "GET j"),
	dc("incrbyfloat-exp", "INCRBYFLOAT a 3.0e3", "INCRBYFLOAT a 5.0e3", "GET a", "INCRBYFLOAT b 1e2", "INCRBYFLOAT c 1E-2", "INCRBYFLOAT d 5.0E+3"),
	dc("incrbyfloat-int", "SET k 10", "INCRBYFLOAT k 1", "GET k", "INCRBYFLOAT k 1.5", "INCRBYFLOAT k -2.5", "GET k", "INCR k"),
	dc("incrbyfloat-inf", "SET k 1", "INCRBYFLOAT k inf", "INCRBYFLOAT k -inf", "INCRBYFLOAT k +inf", "INCRBYFLOAT k nan",
		"INCRBYFLOAT k Infinity", "GET k", "SET k inf", "INCRBYFLOAT k 1"),
	dc("incrbyfloat-large", "INCRBYFLOAT k 1e308", "INCRBYFLOAT k 1e308", "GET k",
		"INCRBYFLOAT j 123456789012345678901234567890", "INCRBYFLOAT m 1.7976931348623157e308", "INCRBYFLOAT n 1e-300",
		"INCRBYFLOAT o 3.14159265358979323846", "INCRBYFLOAT p 1e17", "INCRBYFLOAT q 1e16", "INCRBYFLOAT r 12345678.9", "INCRBYFLOAT s 0.000001"),
	dc("incrbyfloat-spaces", `INCRBYFLOAT k "  1"`, `INCRBYFLOAT k "1 "`, `SET k "  1"`, "INCRBYFLOAT k 1", `SET k " 1.5"`, "INCRBYFLOAT k 1",
		`SET k "1.5 "`, "INCRBYFLOAT k 1"),
	dc("incrbyfloat-bad", "INCRBYFLOAT k abc", "INCRBYFLOAT k ''", "INCRBYFLOAT k 1.5.5", "INCRBYFLOAT k 0x10", "INCRBYFLOAT k", "INCRBYFLOAT", "EXISTS k",
		"SET k abc", "INCRBYFLOAT k 1"),
	dc("incrbyfloat-negzero", "INCRBYFLOAT k -0", "GET k", "INCRBYFLOAT j -0.0", "INCRBYFLOAT j 0", "INCRBYFLOAT k 1.0", "INCRBYFLOAT x .5", "INCRBYFLOAT y 5."),
	dc("incrbyfloat-keeps-ttl", "SET k 1 EX 100", "INCRBYFLOAT k 1.5", "TTL k"),
	dc("incrbyfloat-precision", "SET k 1.1", "INCRBYFLOAT k 2.2", "INCRBYFLOAT k 1e-17", "SET j 5.0e3", "INCRBYFLOAT j 0", "SET m 0.30000000000000004", "INCRBYFLOAT m 0"),

	// LCS.
	dc("lcs", "MSET a ohmytext b mynewtext", "LCS a b", "LCS a b LEN", "LCS a b IDX", "LCS a b IDX MINMATCHLEN 4",
		"LCS a b IDX MINMATCHLEN 4 WITHMATCHLEN", "LCS a b IDX WITHMATCHLEN", "LCS a b LEN IDX", "LCS a b MINMATCHLEN 2",
		"LCS a b WITHMATCHLEN"),
	dc("lcs-missing", "LCS a b", "LCS a b LEN", "LCS a b IDX", "SET a abc", "LCS a b", "LCS b a IDX WITHMATCHLEN"),
	dc("lcs-errors", "MSET a x b y", "LCS a", "LCS a b FOO", "LCS a b MINMATCHLEN", "LCS a b MINMATCHLEN abc", "LCS a b MINMATCHLEN -1 IDX",
		"RPUSH l x", "LCS a l", "LCS l a LEN"),
	dc("lcs-same", "SET a abcdef", "LCS a a", "LCS a a IDX WITHMATCHLEN", "SET b ''", "LCS a b IDX", "LCS a b LEN"),
	dc("lcs-multi", "MSET a ABCBDAB b BDCABA", "LCS a b", "LCS a b IDX WITHMATCHLEN", "LCS a b IDX MINMATCHLEN 2 WITHMATCHLEN"),
	dc("lcs-binary", `MSET a "\x00\x01\x02x" b "x\x00\x02"`, "LCS a b", "LCS a b IDX"),

	// Long or odd arguments.
	dc("set-get-long", "SET k "+strings.Repeat("v", 10000), "STRLEN k", "GETRANGE k 9990 -1"),

	// Values stored outside the keys row (engine bigString: key + value over
	// 900 bytes), across that size both ways and through every path that
	// reads, rewrites, moves, copies or deletes a string.
	dc("big-grow-shrink", "SET k "+big899, "APPEND k y", "STRLEN k", "GETRANGE k 895 -1", "GET k",
		"SET k small", "GET k", "STRLEN k", "SET k "+big3k, "STRLEN k", "SETRANGE k 4000 z", "STRLEN k",
		"GETRANGE k 2995 3005", "GETRANGE k -3 -1", "SETRANGE k 0 "+big1k, "GETRANGE k 995 1005", "GETSET k tiny", "GET k"),
	dc("big-copy-rename-move", "SET k "+big1k, "COPY k k2", "GET k2", "RENAME k k3", "GET k3", "EXISTS k",
		"SET k4 "+big3k, "RENAME k3 k4", "GET k4", "DEL k4", "GET k2", "MOVE k2 1", "SELECT 1", "GET k2",
		"COPY k2 k5 DB 0", "SELECT 0", "STRLEN k5", "GETDEL k5", "EXISTS k5"),
	dc("big-type-change", "SET k "+big1k, "RPUSH k a", "DEL k", "RPUSH k a", "SET k "+big1k, "TYPE k", "LPUSH k x",
		"STRLEN k", "HSET k f v", "SET k v", "TYPE k", "GET k"),
	dc("big-ttl", "SET k "+big1k+" EX 100", "TTL k", "SET k "+big3k+" KEEPTTL", "TTL k", "STRLEN k", "PERSIST k", "TTL k",
		"GETEX k EX 50", "TTL k", "SET k2 "+big1k+" EXAT 1", "EXISTS k2", "GETEX k PERSIST", "TTL k", "SET k "+big3k+" EXAT 1", "EXISTS k"),
	dc("big-counters-mset", "SET k "+big1k, "INCR k", "INCRBYFLOAT k 1", "MSET a "+big1k+" b "+big3k+" c x", "MGET a b c",
		"STRLEN b", "MSETNX a x d "+big1k, "EXISTS d", "SETNX d "+big3k, "STRLEN d", "FLUSHDB", "DBSIZE", "GET a", "SET a "+big1k, "GET a"),
}

// Values around the size at which redisk stores a string outside its keys row.
var (
	big899 = strings.Repeat("a", 899) // with key "k": 900 bytes, the last size kept in the row
	big1k  = strings.Repeat("b", 1000)
	big3k  = strings.Repeat("c", 3000)
)

// TestDiffStrings compares the string family with redis-server.
func TestDiffStrings(t *testing.T) { runDiff(t, stringCases) }

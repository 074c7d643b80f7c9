package compat_test

import (
	"strings"
	"testing"
)

// keyCases cover the generic key commands: DEL, EXISTS, TYPE, expiry,
// RENAME, COPY, MOVE, KEYS and OBJECT. SCAN and RANDOMKEY are checked by
// semantics in TestDiffScanSemantics because cursors and order differ.
var keyCases = []diffCase{
	// DEL / UNLINK / EXISTS / TOUCH / TYPE.
	dc("del", "MSET a 1 b 2", "RPUSH l x", "DEL a b c l", "DEL a", "EXISTS a b l", "DEL"),
	dc("del-dup", "SET a 1", "DEL a a a"),
	// Keys spread over every shard (DEL and MSET run their shards in parallel).
	dc("del-many-shards", "MSET a 1 b 2 c 3 d 4 e 5 f 6 g 7 h 8 i 9 j 10", "RPUSH l x "+big1k, "HSET hh f v", "SADD s m",
		"ZADD z 1 m", "SET big "+big3k, "DEL a a b b c l hh s z big nokey", "MGET a b c d e f g h i j", "DBSIZE",
		"DEL d e f g h i j k", "DBSIZE", "DEL d"),
	dc("mset-many-shards", "MSET a 1 b 2 c 3 d 4 e 5 f 6 g 7 h 8 a 9 b "+big1k, "MGET a b c d e f g h", "STRLEN b",
		"RPUSH l x", "MSET l v c "+big3k+" c 3", "TYPE l", "GET l", "GET c", "DBSIZE"),
	dc("unlink", "MSET a 1 b 2", "UNLINK a b c", "UNLINK", "EXISTS a b"),
	dc("exists", "SET a 1", "EXISTS a a a nokey", "EXISTS nokey", "EXISTS"),
	dc("touch", "SET a 1", "TOUCH a b a", "TOUCH", "TOUCH nokey"),
	dc("type", "SET s 1", "RPUSH l x", "TYPE s", "TYPE l", "TYPE nokey", "TYPE", "TYPE a b"),
	dc("key-binary", `SET "a b\x00" 1`, `EXISTS "a b\x00"`, `TYPE "a b\x00"`, `DEL "a b\x00"`),
	dc("empty-key", `SET "" v`, `GET ""`, `EXISTS ""`, `TYPE ""`, `RENAME "" x`, "GET x", `RPUSH "" a`, `LLEN ""`),

	// EXPIRE family with NX/XX/GT/LT.
	dc("expire-basic", "SET k v", "EXPIRE k 100", "TTL k", "≈PTTL k", "PERSIST k", "TTL k", "PERSIST k", "PERSIST nokey"),
	dc("expire-missing", "EXPIRE nokey 100", "PEXPIRE nokey 100", "EXPIREAT nokey 100", "PEXPIREAT nokey 100", "EXPIRE nokey 100 NX"),
	dc("expire-arity", "EXPIRE k", "EXPIRE", "PEXPIRE k", "EXPIREAT k", "PEXPIREAT k", "TTL", "PTTL", "PERSIST", "TTL a b",
		"EXPIRETIME", "PEXPIRETIME a b"),
	dc("expire-bad-number", "SET k v", "EXPIRE k abc", "EXPIRE k 1.5", "EXPIRE k ''", "PEXPIRE k 10x", "EXPIREAT k abc", "TTL k"),
	dc("expire-zero-negative", "SET a v", "EXPIRE a 0", "EXISTS a", "SET b v", "EXPIRE b -10", "EXISTS b",
		"SET c v", "PEXPIRE c -1", "EXISTS c", "SET d v", "EXPIREAT d 1", "EXISTS d", "SET e v", "PEXPIREAT e 0", "GET e"),
	dc("expire-overflow", "SET k v", "EXPIRE k 9223372036854775807", "PEXPIRE k 9223372036854775807",
		"EXPIREAT k 9223372036854775807", "EXPIRE k 9223372036854775", "EXPIRE k -9223372036854775808",
		"PEXPIREAT k 9223372036854775807", "EXISTS k", "TTL k"),
	dc("expire-nx", "SET k v", "EXPIRE k 100 NX", "EXPIRE k 200 NX", "TTL k"),
	dc("expire-xx", "SET k v", "EXPIRE k 100 XX", "TTL k", "EXPIRE k 100", "EXPIRE k 200 XX", "TTL k"),
	dc("expire-gt", "SET k v", "EXPIRE k 100 GT", "TTL k", "EXPIRE k 100", "EXPIRE k 50 GT", "EXPIRE k 200 GT", "TTL k"),
	dc("expire-lt", "SET k v", "EXPIRE k 100 LT", "TTL k", "EXPIRE k 50 LT", "TTL k", "EXPIRE k 80 LT", "EXPIRE k 20 LT", "TTL k"),
	dc("expire-lt-gt-persistent", "SET k v", "PEXPIRE k 100000 GT", "PEXPIRE k 100000 LT", "TTL k"),
	dc("expire-combos", "SET k v", "EXPIRE k 100 NX XX", "EXPIRE k 100 GT LT", "EXPIRE k 100 NX GT", "EXPIRE k 100 NX LT",
		"EXPIRE k 100 XX GT", "TTL k", "EXPIRE k 100 XX LT", "TTL k", "EXPIRE k 100 LT XX", "EXPIRE k 100 GT GT", "EXPIRE k 100 nx"),
	dc("expire-invalid-option", "SET k v", "EXPIRE k 100 FOO", "EXPIRE k 100 NX FOO", "EXPIRE k 100 100", "PEXPIRE k 100 BAR", "TTL k"),
	dc("expire-option-missing-key", "EXPIRE nokey 100 FOO", "EXPIRE nokey 100 NX XX", "EXPIRE nokey abc NX"),
	dc("expire-gt-negative", "SET k v", "EXPIRE k 100", "EXPIRE k -1 GT", "EXISTS k", "EXPIRE k -1 LT", "EXISTS k"),
	dc("expire-nx-zero", "SET k v EX 100", "EXPIRE k 0 NX", "EXISTS k", "EXPIRE k 0 XX", "EXISTS k"),
	dc("expireat", "SET k v", "EXPIREAT k 4102444800", "EXPIRETIME k", "PEXPIRETIME k", "PEXPIREAT k 4102444800123", "PEXPIRETIME k", "EXPIRETIME k"),
	dc("expireat-options", "SET k v", "EXPIREAT k 4102444800 NX", "EXPIREAT k 4102444801 NX", "EXPIREAT k 4102444801 GT",
		"EXPIREAT k 4102444700 GT", "EXPIREAT k 4102444700 LT", "EXPIRETIME k", "PEXPIREAT k 4102444600000 XX", "EXPIRETIME k"),
	dc("ttl-missing-persistent", "TTL nokey", "PTTL nokey", "EXPIRETIME nokey", "PEXPIRETIME nokey", "SET k v",
		"TTL k", "PTTL k", "EXPIRETIME k", "PEXPIRETIME k"),
	dc("ttl-list", "RPUSH l a", "EXPIRE l 100", "TTL l", "PERSIST l", "TTL l"),
	dc("set-clears-ttl", "SET k v EX 100", "SET k v2", "TTL k", "SET k v3 EX 100", "DEL k", "SET k v", "TTL k"),
	dc("expire-then-expired", "SET k v", "PEXPIRE k 50", "#sleep 150", "PTTL k", "GET k", "EXISTS k", "TTL k", "SET j v PX 50", "#sleep 150", "GET j", "DBSIZE"),

	dc("expired-key-semantics", "SET k v PX 50", "RPUSH l a", "PEXPIRE l 50", "SET s 5 PX 50", "#sleep 150",
		"DEL k", "EXISTS k l s", "TTL k", "RENAME k x", "COPY l x", "MOVE l 1", "LPUSHX l a", "LLEN l", "INCR s",
		"APPEND k ab", "TTL k", "~KEYS *", "SETNX l v", "TYPE l"),

	// RENAME / RENAMENX.
	dc("rename", "SET a 1", "RENAME a b", "GET a", "GET b", "RENAME b b", "GET b"),
	dc("rename-missing", "RENAME nokey b", "RENAMENX nokey b", "RENAME nokey nokey", "RENAMENX nokey nokey"),
	dc("rename-overwrite", "MSET a 1 b 2", "RENAME a b", "MGET a b", "RPUSH l x", "SET s 1", "RENAME s l", "TYPE l", "GET l"),
	dc("rename-list", "RPUSH l a b c", "RENAME l m", "LRANGE m 0 -1", "EXISTS l"),
	dc("rename-ttl", "SET a 1 EX 100", "RENAME a b", "TTL b", "SET c 1", "SET d 2 EX 100", "RENAME c d", "TTL d"),
	dc("renamenx", "MSET a 1 b 2", "RENAMENX a b", "RENAMENX a c", "MGET a b c", "RENAMENX c c"),
	dc("rename-arity", "RENAME a", "RENAME", "RENAME a b c", "RENAMENX a", "RENAMENX a b c"),

	// COPY.
	dc("copy", "SET a 1", "COPY a b", "GET b", "COPY a b", "COPY a b REPLACE", "COPY nokey c", "EXISTS c"),
	dc("copy-list", "RPUSH l a b", "COPY l m", "RPUSH m c", "LRANGE l 0 -1", "LRANGE m 0 -1"),
	dc("copy-ttl", "SET a 1 EX 100", "COPY a b", "TTL b"),
	dc("copy-db", "SET a 1", "COPY a a DB 1", "SELECT 1", "GET a", "SELECT 0", "COPY a a DB 1", "COPY a a DB 1 REPLACE", "COPY a a"),
	dc("copy-same", "SET a 1", "COPY a a", "COPY a a REPLACE", "COPY a a DB 0", "COPY nokey nokey"),
	dc("copy-errors", "SET a 1", "COPY a b DB", "COPY a b DB abc", "COPY a b DB 16", "COPY a b DB -1", "COPY a b FOO",
		"COPY a b REPLACE FOO", "COPY a", "COPY", "COPY a b DB 99999999999999999999", "EXISTS b"),
	dc("copy-replace-type", "SET a 1", "RPUSH l x", "COPY a l", "COPY a l REPLACE", "TYPE l", "GET l"),
	dc("copy-lowercase", "SET a 1", "copy a b db 2 replace", "SELECT 2", "GET b"),

	// MOVE.
	dc("move", "SET a 1", "MOVE a 1", "EXISTS a", "SELECT 1", "GET a", "MOVE a 0", "SELECT 0", "GET a"),
	dc("move-errors", "SET a 1", "MOVE a 0", "MOVE a 16", "MOVE a -1", "MOVE a abc", "MOVE nokey 1", "MOVE a", "MOVE a 1 2", "GET a"),
	dc("move-exists-target", "SET a 1", "SELECT 1", "SET a 2", "SELECT 0", "MOVE a 1", "GET a", "SELECT 1", "GET a"),
	dc("move-ttl", "SET a 1 EX 100", "MOVE a 3", "SELECT 3", "TTL a"),
	dc("move-list", "RPUSH l a b", "MOVE l 2", "SELECT 2", "LRANGE l 0 -1", "TYPE l"),

	// KEYS (order differs: compared as sets).
	dc("keys", "MSET one 1 two 2 three 3 four 4", "RPUSH list x", "~KEYS *", "~KEYS t*", "~KEYS *o*", "~KEYS ?o*", "KEYS nomatch",
		"~KEYS [tf]*", "~KEYS [^t]*", "KEYS", "KEYS a b"),
	dc("keys-escapes", `MSET "a*b" 1 "a?b" 2 "a[b" 3 aXb 4`, `KEYS "a\\*b"`, `~KEYS "a\\?b"`, `KEYS "a\\[b"`, `~KEYS "a?b"`,
		"~KEYS a[*]b", "~KEYS a[A-Z]b", "~KEYS a[X-A]b"),
	dc("keys-dbs", "SET a 1", "SELECT 1", "SET b 1", "KEYS *", "SELECT 0", "KEYS *"),

	// SCAN replies whose cursor and order do not depend on the hash table:
	// an empty db, a single key, and argument errors.
	dc("scan-deterministic", "SCAN 0", "SET a 1", "SCAN 0", "SCAN 0 MATCH a", "SCAN 0 MATCH nomatch COUNT 1000",
		"SCAN 0 TYPE string", "SCAN 0 TYPE list", "SCAN 0 TYPE nosuchtype", "SCAN 0 COUNT 5 MATCH * TYPE string"),
	dc("scan-errors", "SCAN", "SCAN abc", "SCAN -1", "SCAN 1.5", "SCAN 18446744073709551616", "SCAN 0 COUNT 0",
		"SCAN 0 COUNT -1", "SCAN 0 COUNT abc", "SCAN 0 FOO", "SCAN 0 MATCH", "SCAN 0 COUNT", "SCAN 0 TYPE", "SCAN 0 MATCH a b"),
	dc("randomkey-deterministic", "RANDOMKEY", "SET only 1", "RANDOMKEY", "RANDOMKEY x", "SELECT 1", "RANDOMKEY"),

	// OBJECT. A small list is "quicklist" in Redis 7.0 and "listpack" since
	// Redis 7.2 (which redisk reports being), so list encodings are compared
	// by reply type only.
	dc("object-encoding", "SET i 123", "SET s abc", "SET big "+long128, "RPUSH l a", "OBJECT ENCODING i", "OBJECT ENCODING s",
		"OBJECT ENCODING big", "?OBJECT ENCODING l", "OBJECT ENCODING nokey"),
	// OBJECT IDLETIME of a live key is left out: Redis's LRU clock has a
	// one-second resolution, so it answers 0 or 1 depending on timing.
	dc("object-misc", "SET a 1", "OBJECT REFCOUNT nokey", "OBJECT IDLETIME nokey", "OBJECT FREQ a", "OBJECT FOO a",
		"OBJECT", "OBJECT ENCODING", "OBJECT ENCODING a b", "OBJECT FREQ nokey"),

	// DBSIZE with multiple databases and types.
	dc("dbsize", "DBSIZE", "MSET a 1 b 2", "RPUSH l x", "DBSIZE", "SELECT 5", "DBSIZE", "SET z 1", "DBSIZE", "DBSIZE x"),
}

// arityNames are commands probed with no arguments and with seven junk
// arguments (commands whose no-argument reply is not deterministic, like
// HELLO, TIME or COMMAND, and ones that end the connection are left out).
var arityNames = strings.Fields(`get set setnx setex psetex mget mset msetnx getset getdel getex append strlen
	getrange substr setrange incr decr incrby decrby incrbyfloat lcs del unlink exists type touch expire pexpire
	expireat pexpireat ttl pttl expiretime pexpiretime persist rename renamenx copy move keys scan object
	lpush rpush lpushx rpushx lpop rpop llen lrange lindex echo select auth client config dbsize swapdb
	flushdb flushall ping`)

// arityCases builds one case per command in arityNames.
func arityCases() []diffCase {
	var out []diffCase
	for _, n := range arityNames {
		out = append(out, dc("arity-"+n, n, strings.ToUpper(n)+" a1 b2 c3 d4 e5 f6 g7", n+" ''"))
	}
	return out
}

// TestDiffArity compares arity and junk-argument errors of every command.
func TestDiffArity(t *testing.T) { runDiff(t, arityCases()) }

// TestDiffKeys compares the generic key commands with redis-server.
func TestDiffKeys(t *testing.T) { runDiff(t, keyCases) }

// listCases cover the list commands implemented so far.
var listCases = []diffCase{
	dc("push-basic", "LPUSH l a b c", "RPUSH l d e", "LRANGE l 0 -1", "LLEN l", "TYPE l"),
	dc("push-arity", "LPUSH l", "RPUSH", "LPUSHX l", "RPUSHX", "LLEN", "LLEN a b", "LRANGE l 0", "LINDEX l", "LPOP", "RPOP"),
	dc("push-wrongtype", "SET s v", "LPUSH s a", "RPUSH s a", "LPUSHX s a", "RPUSHX s a", "LLEN s", "LRANGE s 0 -1",
		"LINDEX s 0", "LPOP s", "RPOP s 2", "GET s"),
	dc("pushx", "LPUSHX l a", "RPUSHX l a", "EXISTS l", "RPUSH l x", "LPUSHX l a b", "RPUSHX l c d", "LRANGE l 0 -1"),
	dc("push-binary", `RPUSH l "" "\x00\r\n" "a b"`, "LRANGE l 0 -1", "LINDEX l 1", "LLEN l"),
	dc("lrange-indexes", "RPUSH l 0 1 2 3 4 5 6 7 8 9", "LRANGE l 0 0", "LRANGE l -1 -1", "LRANGE l -3 -1", "LRANGE l 5 2",
		"LRANGE l 0 100", "LRANGE l -100 100", "LRANGE l -100 -50", "LRANGE l 100 200", "LRANGE l 9 9", "LRANGE l 10 10",
		"LRANGE l -11 0", "LRANGE l 3 -3", "LRANGE l -1 0"),
	dc("lrange-errors", "RPUSH l a", "LRANGE l a 1", "LRANGE l 0 b", "LRANGE l 0 1.5", "LRANGE l 0 9223372036854775808",
		"LRANGE l -9223372036854775808 9223372036854775807", "LRANGE nokey 0 -1", "LRANGE nokey a b"),
	dc("lindex", "RPUSH l a b c", "LINDEX l 0", "LINDEX l 2", "LINDEX l 3", "LINDEX l -1", "LINDEX l -3", "LINDEX l -4",
		"LINDEX l 100", "LINDEX l abc", "LINDEX l 1.0", "LINDEX nokey 0", "LINDEX nokey abc",
		"LINDEX l 9223372036854775807", "LINDEX l -9223372036854775808"),
	dc("lpop-rpop", "RPUSH l a b c d", "LPOP l", "RPOP l", "LRANGE l 0 -1", "LPOP l", "LPOP l", "LPOP l", "EXISTS l"),
	dc("pop-count", "RPUSH l a b c d e", "LPOP l 2", "RPOP l 2", "LPOP l 10", "EXISTS l", "LPOP l 2"),
	dc("pop-count-zero", "RPUSH l a b", "LPOP l 0", "RPOP l 0", "LLEN l", "LPOP nokey 0", "RPOP nokey 0"),
	dc("pop-count-negative", "RPUSH l a b", "LPOP l -1", "RPOP l -5", "LPOP nokey -1", "LPOP l abc", "LPOP l 1.5", "LLEN l"),
	dc("pop-missing", "LPOP nokey", "RPOP nokey", "LPOP nokey 1", "RPOP nokey 5"),
	dc("pop-count-one", "RPUSH l a b", "LPOP l 1", "RPOP l 1", "LPOP l 1"),
	dc("pop-arity", "RPUSH l a", "LPOP l 1 2", "RPOP l 1 2", "LLEN l"),
	dc("pop-big-count", "RPUSH l a b", "LPOP l 9223372036854775807", "RPUSH l a", "RPOP l 9223372036854775808"),
	dc("list-ints", "RPUSH l 1 -2 3.5 9223372036854775808", "LRANGE l 0 -1", "LINDEX l 1", "?OBJECT ENCODING l"), // quicklist (7.0) vs listpack (7.2)
	dc("list-delete-when-empty", "RPUSH l a", "RPOP l", "TYPE l", "LLEN l", "SET l v", "GET l"),
	dc("list-long", "RPUSH l "+long128+" "+long128, "LLEN l", "LINDEX l 1"),
	dc("list-many", "RPUSH l a b c d e f g h i j k l m n o p q r s t u v w x y z", "LPUSH l 1 2 3", "LRANGE l 10 15",
		"LINDEX l 20", "LINDEX l -20", "RPOP l 3", "LPOP l 4", "LLEN l", "LRANGE l -2 -1"),
}

// TestDiffLists compares the list commands with redis-server.
func TestDiffLists(t *testing.T) { runDiff(t, listCases) }

package commands_test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestDelExists covers DEL, UNLINK, EXISTS, TOUCH and TYPE across shards.
func TestDelExists(t *testing.T) {
	runTable(t, []tc{
		cmd("MSET a 1 b 2 c 3 d 4", ok),
		cmd("RPUSH list x", one),
		cmd("EXISTS a", one),
		cmd("EXISTS a a a", integer(3)),
		cmd("EXISTS a b nosuch list", integer(3)),
		cmd("TOUCH a b nosuch", integer(2)),
		cmd("TYPE a", "+string\r\n"),
		cmd("TYPE list", "+list\r\n"),
		cmd("TYPE nosuch", "+none\r\n"),
		cmd("DEL a nosuch", one),
		cmd("DEL a", zero),
		cmd("DEL b b", one),
		cmd("UNLINK c d list", integer(3)),
		cmd("EXISTS a b c d list", zero),
		cmd("DEL", errArity("del")),
		cmd("EXISTS", errArity("exists")),
		cmd("TYPE", errArity("type")),
		cmd("TYPE a b", errArity("type")),
	})
}

// TestExpireOptions covers EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT with
// their NX, XX, GT and LT conditions and invalid combinations.
func TestExpireOptions(t *testing.T) {
	at := time.Now().Add(time.Hour).Unix()
	atStr := strconv.FormatInt(at, 10)
	runTable(t, []tc{
		cmd("EXPIRE nosuch 100", zero),
		cmd("SET k v", ok),
		cmd("EXPIRE k 100 XX", zero), // no expiry yet
		cmd("EXPIRE k 100 GT", zero), // persistent counts as infinite
		cmd("TTL k", ":-1\r\n"),
		cmd("EXPIRE k 100 NX", one),
		cmd("EXPIRE k 200 NX", zero),
		cmd("TTL k", "re::(99|100)\r\n"),
		cmd("EXPIRE k 200 XX", one),
		cmd("EXPIRE k 50 GT", zero),
		cmd("EXPIRE k 300 GT", one),
		cmd("EXPIRE k 400 LT", zero),
		cmd("EXPIRE k 150 LT", one),
		cmd("TTL k", "re::(149|150)\r\n"),
		cmd("EXPIRE k 160 xx gt", one),
		cmd("EXPIRE k 100 xx lt", one),
		cmd("PERSIST k", one),
		cmd("EXPIRE k 100 LT", one), // persistent counts as infinite
		cmd("PERSIST k", one),
		cmd("PERSIST k", zero),
		cmd("PERSIST nosuch", zero),

		cmd("EXPIRE k 100 NX XX", "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n"),
		cmd("EXPIRE k 100 NX GT", "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n"),
		cmd("EXPIRE k 100 LT NX", "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n"),
		cmd("EXPIRE k 100 GT LT", "-ERR GT and LT options at the same time are not compatible\r\n"),
		cmd("EXPIRE k 100 FOO", "-ERR Unsupported option FOO\r\n"),
		cmd("EXPIRE k 100 NX FOO", "-ERR Unsupported option FOO\r\n"),
		cmd("EXPIRE k abc", errNotInt),
		cmd("EXPIRE k 1.5", errNotInt),
		cmd("EXPIRE k 9223372036854775807", "-ERR invalid expire time in 'expire' command\r\n"),
		cmd("PEXPIRE k 9223372036854775807", "-ERR invalid expire time in 'pexpire' command\r\n"),
		cmd("EXPIREAT k 9223372036854775807", "-ERR invalid expire time in 'expireat' command\r\n"),
		cmd("EXPIRE k -9223372036854775808", "-ERR invalid expire time in 'expire' command\r\n"),
		cmd("TTL k", ":-1\r\n"),
		cmd("EXPIRE k", errArity("expire")),

		cmd("PEXPIRE k 100000", one),
		cmd("PTTL k", "re::(99[0-9]{3}|100000)\r\n"),
		cmd("EXPIREAT k "+atStr, one),
		cmd("EXPIRETIME k", integer(at)),
		cmd("PEXPIRETIME k", integer(at*1000)),
		cmd("PEXPIREAT k "+strconv.FormatInt(at*1000+500, 10), one),
		cmd("PEXPIRETIME k", integer(at*1000+500)),
		cmd("EXPIRETIME k", integer(at+1)), // rounded to the nearest second
		cmd("PEXPIREAT k "+strconv.FormatInt(at*1000+499, 10), one),
		cmd("EXPIRETIME k", integer(at)),
		cmd("EXPIRETIME nosuch", ":-2\r\n"),
		cmd("PEXPIRETIME nosuch", ":-2\r\n"),
		cmd("TTL nosuch", ":-2\r\n"),
		cmd("PTTL nosuch", ":-2\r\n"),
		cmd("SET p v", ok),
		cmd("EXPIRETIME p", ":-1\r\n"),
		cmd("PTTL p", ":-1\r\n"),

		// A time in the past deletes the key.
		cmd("EXPIRE k -1", one),
		cmd("EXISTS k", zero),
		cmd("SET k v", ok),
		cmd("EXPIREAT k 1", one),
		cmd("EXISTS k", zero),
		cmd("SET k v", ok),
		cmd("PEXPIRE k 0", one),
		cmd("EXISTS k", zero),
		cmd("SET k v", ok),
		cmd("EXPIRE k 0 NX", one),
		cmd("EXISTS k", zero),
		cmd("SET k v EX 100", ok),
		cmd("EXPIRE k -5 GT", zero),
		cmd("EXISTS k", one),

		cmd("RPUSH list a", one),
		cmd("EXPIRE list 100", one),
		cmd("TTL list", "re::(99|100)\r\n"),
	})
}

// TestExpireHappens checks that keys given a TTL disappear from every view.
func TestExpireHappens(t *testing.T) {
	c := startTarget(t).dial(t)
	c.run([]tc{
		cmd("SET a v", ok), cmd("RPUSH b x", one), cmd("SET c v", ok),
		cmd("PEXPIRE a 100", one), cmd("PEXPIRE b 100", one),
	})
	time.Sleep(250 * time.Millisecond)
	c.run([]tc{
		cmd("GET a", null), cmd("LLEN b", zero), cmd("TYPE b", "+none\r\n"),
		cmd("EXISTS a b c", one), cmd("KEYS *", bulks("c")), cmd("TTL a", ":-2\r\n"),
		cmd("PERSIST a", zero), cmd("EXPIRE a 100", zero),
	})
}

// TestRename covers RENAME and RENAMENX, also across shards, keeping TTLs.
func TestRename(t *testing.T) {
	runTable(t, []tc{
		cmd("RENAME nosuch x", errNoSuchKey),
		cmd("RENAMENX nosuch x", errNoSuchKey),
		cmd("SET a 1 EX 100", ok),
		cmd("RENAME a b", ok),
		cmd("EXISTS a", zero),
		cmd("GET b", bulk("1")),
		cmd("TTL b", "re::(99|100)\r\n"),
		cmd("RENAME b b", ok),
		cmd("GET b", bulk("1")),
		cmd("RENAMENX b b", zero),
		cmd("SET c 2", ok),
		cmd("RENAMENX b c", zero),
		cmd("RENAME b c", ok),
		cmd("GET c", bulk("1")),
		cmd("TTL c", "re::(99|100)\r\n"),
		cmd("RENAMENX c d", one),
		cmd("GET d", bulk("1")),
		// Many destinations, so that several land on other shards.
		cmd("RENAME d k0", ok), cmd("RENAME k0 k1", ok), cmd("RENAME k1 k2", ok),
		cmd("RENAME k2 k3", ok), cmd("RENAME k3 k4", ok), cmd("RENAME k4 k5", ok),
		cmd("GET k5", bulk("1")),
		cmd("TTL k5", "re::(99|100)\r\n"),
		cmd("RPUSH list a b c", integer(3)),
		cmd("RENAME list l0", ok), cmd("RENAME l0 l1", ok), cmd("RENAME l1 l2", ok),
		cmd("RENAME l2 l3", ok), cmd("RENAME l3 l4", ok),
		cmd("LRANGE l4 0 -1", bulks("a", "b", "c")),
		cmd("RENAME k5 l4", ok), // overwrites a key of another type
		cmd("TYPE l4", "+string\r\n"),
		cmd("EXISTS k5", zero),
		cmd("RENAME a", errArity("rename")),
	})
}

// TestCopyMove covers COPY with DB and REPLACE, and MOVE.
func TestCopyMove(t *testing.T) {
	runTable(t, []tc{
		cmd("SET a 1 EX 100", ok),
		cmd("COPY a b", one),
		cmd("GET b", bulk("1")),
		cmd("TTL b", "re::(99|100)\r\n"),
		cmd("COPY a b", zero),
		cmd("SET a 2", ok),
		cmd("COPY a b REPLACE", one),
		cmd("GET b", bulk("2")),
		cmd("TTL b", ":-1\r\n"),
		cmd("COPY nosuch b", zero),
		cmd("COPY a a", "-ERR source and destination objects are the same\r\n"),
		cmd("COPY a a DB 0", "-ERR source and destination objects are the same\r\n"),
		cmd("COPY a a DB 1", one),
		cmd("COPY a c DB 16", "-ERR DB index is out of range\r\n"),
		cmd("COPY a c DB -1", "-ERR DB index is out of range\r\n"),
		cmd("COPY a c DB x", errNotInt),
		cmd("COPY a c FOO", errSyntax),
		cmd("COPY a c DB", errSyntax),
		cmd("RPUSH list x y", integer(2)),
		cmd("COPY list list2", one),
		cmd("RPUSH list z", integer(3)),
		cmd("LRANGE list2 0 -1", bulks("x", "y")),
		cmd("COPY list a REPLACE", one),
		cmd("TYPE a", "+list\r\n"),
		cmd("SELECT 1", ok),
		cmd("GET a", bulk("2")),
		cmd("SELECT 0", ok),

		cmd("SET m v", ok),
		cmd("MOVE m 0", "-ERR source and destination objects are the same\r\n"),
		cmd("MOVE m 16", "-ERR DB index is out of range\r\n"),
		cmd("MOVE m x", errNotInt),
		cmd("MOVE m 2", one),
		cmd("EXISTS m", zero),
		cmd("MOVE nosuch 2", zero),
		cmd("SET m v2", ok),
		cmd("MOVE m 2", zero), // already there
		cmd("SELECT 2", ok),
		cmd("GET m", bulk("v")),
		cmd("SELECT 0", ok),
		cmd("GET m", bulk("v2")),
	})
}

// sortedBulks parses a flat array of bulk strings and returns it sorted.
func sortedBulks(t *testing.T, raw string) []string {
	t.Helper()
	head, rest, found := strings.Cut(raw, "\r\n")
	if !found || head == "" || head[0] != '*' {
		t.Fatalf("not an array: %q", raw)
	}
	n, _ := strconv.Atoi(head[1:])
	out := []string{}
	for i := 0; i < n; i++ {
		var h string
		h, rest, _ = strings.Cut(rest, "\r\n")
		l, err := strconv.Atoi(strings.TrimPrefix(h, "$"))
		if err != nil || len(rest) < l+2 {
			t.Fatalf("bad bulk in %q", raw)
		}
		out = append(out, rest[:l])
		rest = rest[l+2:]
	}
	slices.Sort(out)
	return out
}

// scanAll iterates SCAN with extra options to the end and returns the
// sorted keys and the number of calls.
func scanAll(t *testing.T, c *rawClient, opts ...string) ([]string, int) {
	t.Helper()
	cursor := "0"
	seen := map[string]bool{}
	calls := 0
	for {
		calls++
		reply := c.Do(append([]string{"SCAN", cursor}, opts...)...)
		head, rest, _ := strings.Cut(reply, "\r\n")
		if head != "*2" {
			t.Fatalf("SCAN reply %q", reply)
		}
		_, rest, _ = strings.Cut(rest, "\r\n") // cursor length
		cursor, rest, _ = strings.Cut(rest, "\r\n")
		for _, k := range sortedBulks(t, rest) {
			seen[k] = true
		}
		if cursor == "0" {
			break
		}
		if calls > 10000 {
			t.Fatal("SCAN does not end")
		}
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys, calls
}

// TestKeysScan covers KEYS patterns and a full SCAN with MATCH, COUNT and TYPE.
func TestKeysScan(t *testing.T) {
	c := startTarget(t).dial(t)
	var all []string
	for i := 0; i < 120; i++ {
		k := fmt.Sprintf("key:%03d", i)
		all = append(all, k)
		c.run([]tc{cmd("SET "+k+" v", ok)})
	}
	c.run([]tc{cmd("RPUSH list:1 a", one), cmd("RPUSH list:2 a", one), cmd("SET other v", ok)})
	withLists := append(slices.Clone(all), "list:1", "list:2", "other")
	slices.Sort(withLists)

	if got := sortedBulks(t, c.Do("KEYS", "*")); !slices.Equal(got, withLists) {
		t.Errorf("KEYS * = %q", got)
	}
	if got := sortedBulks(t, c.Do("KEYS", "key:1[01]?")); !slices.Equal(got, all[100:120]) {
		t.Errorf("KEYS key:1[01]? = %q", got)
	}
	if got := sortedBulks(t, c.Do("KEYS", "list:*")); !slices.Equal(got, []string{"list:1", "list:2"}) {
		t.Errorf("KEYS list:* = %q", got)
	}
	check(t, "KEYS nomatch*", c.Do("KEYS", "nomatch*"), emptyArr)
	check(t, "KEYS other", c.Do("KEYS", "other"), bulks("other"))

	if got, _ := scanAll(t, c); !slices.Equal(got, withLists) {
		t.Errorf("SCAN = %d keys, want %d", len(got), len(withLists))
	}
	if got, calls := scanAll(t, c, "COUNT", "7"); !slices.Equal(got, withLists) || calls < 5 {
		t.Errorf("SCAN COUNT 7 = %d keys in %d calls", len(got), calls)
	}
	if got, _ := scanAll(t, c, "MATCH", "key:*5"); len(got) != 12 {
		t.Errorf("SCAN MATCH key:*5 = %q", got)
	}
	if got, _ := scanAll(t, c, "TYPE", "list"); !slices.Equal(got, []string{"list:1", "list:2"}) {
		t.Errorf("SCAN TYPE list = %q", got)
	}
	if got, _ := scanAll(t, c, "type", "STRING", "match", "list*"); len(got) != 0 {
		t.Errorf("SCAN TYPE STRING MATCH list* = %q", got)
	}
	if got, _ := scanAll(t, c, "MATCH", "o*", "COUNT", "1000", "TYPE", "string"); !slices.Equal(got, []string{"other"}) {
		t.Errorf("SCAN MATCH o* COUNT 1000 TYPE string = %q", got)
	}
	if got, _ := scanAll(t, c, "TYPE", "nosuchtype"); len(got) != 0 {
		t.Errorf("SCAN TYPE nosuchtype = %q", got)
	}
	c.run([]tc{
		cmd("SCAN abc", "-ERR invalid cursor\r\n"),
		cmd("SCAN 18446744073709551616", "-ERR invalid cursor\r\n"),
		args("-ERR invalid cursor\r\n", "SCAN", " 0"),
		cmd("SCAN 0x", "-ERR invalid cursor\r\n"),
		cmd("SCAN 0 COUNT 0", errSyntax),
		cmd("SCAN 0 COUNT -1", errSyntax),
		cmd("SCAN 0 COUNT abc", errNotInt),
		cmd("SCAN 0 COUNT", errSyntax),
		cmd("SCAN 0 MATCH", errSyntax),
		cmd("SCAN 0 TYPE", errSyntax),
		cmd("SCAN 0 FOO bar", errSyntax),
		cmd("SCAN 0 MATCH * FOO", errSyntax),
		cmd("SCAN", errArity("scan")),
		cmd("KEYS", errArity("keys")),
		cmd("KEYS a b", errArity("keys")),
		cmd("SELECT 3", ok),
		cmd("KEYS *", emptyArr),
		cmd("SCAN 0", arr(bulk("0"), emptyArr)),
		// The cursor is read with strtoul.
		cmd("SCAN +0", arr(bulk("0"), emptyArr)),
		cmd("SCAN -1", arr(bulk("0"), emptyArr)),
		args(arr(bulk("0"), emptyArr), "SCAN", ""),
		cmd("RANDOMKEY", null),
		cmd("SET only v", ok),
		cmd("RANDOMKEY", bulk("only")),
		cmd("RANDOMKEY x", errArity("randomkey")),
	})
}

// TestObject covers OBJECT ENCODING and the other OBJECT subcommands' replies.
func TestObject(t *testing.T) {
	runTable(t, []tc{
		cmd("SET i 12345", ok),
		cmd("SET s hello", ok),
		args(ok, "SET", "r", strings.Repeat("x", 45)),
		cmd("RPUSH l a", one),
		cmd("OBJECT ENCODING i", bulk("int")),
		cmd("OBJECT ENCODING s", bulk("embstr")),
		cmd("OBJECT ENCODING r", bulk("raw")),
		cmd("OBJECT ENCODING nosuch", null),
		cmd("OBJECT REFCOUNT nosuch", null),
		cmd("OBJECT FREQ s", "-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n"),
		cmd("OBJECT FOO s", "-ERR unknown subcommand 'FOO'. Try OBJECT HELP.\r\n"),
		cmd("OBJECT ENCODING", errArity("object|encoding")),
		cmd("OBJECT", errArity("object")),
	})
}

package commands_test

import (
	"slices"
	"testing"
)

// TestDbsizeFlush covers DBSIZE, FLUSHDB and FLUSHALL and their options.
func TestDbsizeFlush(t *testing.T) {
	runTable(t, []tc{
		cmd("DBSIZE", zero),
		cmd("MSET a 1 b 2 c 3", ok),
		cmd("RPUSH l x", one),
		cmd("SET e v EX 100", ok),
		cmd("DBSIZE", integer(5)),
		cmd("DEL a", one),
		cmd("DBSIZE", integer(4)),
		cmd("SELECT 1", ok),
		cmd("SET x 1", ok),
		cmd("DBSIZE", one),
		cmd("SELECT 0", ok),
		cmd("FLUSHDB FOO", errSyntax),
		cmd("FLUSHDB ASYNC SYNC", errSyntax),
		cmd("FLUSHDB", ok),
		cmd("DBSIZE", zero),
		cmd("GET b", null),
		cmd("SELECT 1", ok),
		cmd("DBSIZE", one),
		cmd("FLUSHDB SYNC", ok),
		cmd("SET x 1", ok),
		cmd("SELECT 0", ok),
		cmd("SET y 1", ok),
		cmd("FLUSHALL async", ok),
		cmd("DBSIZE", zero),
		cmd("SELECT 1", ok),
		cmd("DBSIZE", zero),
		cmd("FLUSHALL sync", ok),
		cmd("FLUSHALL FOO", errSyntax),
		cmd("DBSIZE x", errArity("dbsize")),
	})
}

// TestSwapdb covers SWAPDB and its index errors.
func TestSwapdb(t *testing.T) {
	runTable(t, []tc{
		cmd("SET k zero", ok),
		cmd("SELECT 1", ok),
		cmd("SET k one", ok),
		cmd("SET only1 v", ok),
		cmd("SWAPDB 0 1", ok),
		cmd("GET k", bulk("zero")),
		cmd("EXISTS only1", zero),
		cmd("DBSIZE", one),
		cmd("SELECT 0", ok),
		cmd("GET k", bulk("one")),
		cmd("DBSIZE", integer(2)),
		cmd("SWAPDB 0 0", ok),
		cmd("GET k", bulk("one")),
		cmd("SWAPDB a 1", "-ERR invalid first DB index\r\n"),
		cmd("SWAPDB 1 a", "-ERR invalid second DB index\r\n"),
		cmd("SWAPDB 1 16", "-ERR DB index is out of range\r\n"),
		cmd("SWAPDB -1 1", "-ERR DB index is out of range\r\n"),
		cmd("SWAPDB 1", errArity("swapdb")),
	})
}

// TestConfig covers CONFIG GET patterns and CONFIG SET validation.
func TestConfig(t *testing.T) {
	runTable(t, []tc{
		cmd("CONFIG GET maxclients", bulks("maxclients", "10000")),
		cmd("CONFIG GET MAXCLIENTS", bulks("MAXCLIENTS", "10000")),
		cmd("CONFIG GET nosuch", emptyArr),
		cmd("CONFIG SET maxmemory-policy allkeys-lru", ok),
		cmd("CONFIG GET maxmemory-policy", bulks("maxmemory-policy", "allkeys-lru")),
		cmd("CONFIG SET maxmemory-policy noeviction", ok),
		cmd("CONFIG SET maxmemory 1gb", ok),
		cmd("CONFIG GET maxmemory", bulks("maxmemory", "1073741824")),
		cmd("CONFIG SET maxmemory 0", ok),
		cmd("CONFIG SET maxclients abc", "-ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer\r\n"),
		cmd("CONFIG SET nosuch x", "-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n"),
		cmd("CONFIG SET daemonize yes", "-ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config\r\n"),
		cmd("CONFIG SET appendfsync sometimes", "-ERR CONFIG SET failed (possibly related to argument 'appendfsync') - argument(s) must be one of the following: everysec, always, no\r\n"),
		cmd("CONFIG SET maxmemory-policy foo", "-ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction\r\n"),
		cmd("CONFIG SET maxclients", errArity("config|set")),
		cmd("CONFIG SET maxclients 100 timeout", errSyntax),
		cmd("CONFIG GET maxclients", bulks("maxclients", "10000")),
		cmd("CONFIG RESETSTAT", ok),
	})
}

// TestConfigGetMany checks CONFIG GET with several names and patterns;
// the order of the pairs is not specified.
func TestConfigGetMany(t *testing.T) {
	c := startTarget(t).dial(t)
	got := sortedBulks(t, c.Do("CONFIG", "GET", "maxmemory-policy", "appendfsync", "maxmemory-policy", "nosuch"))
	want := []string{"appendfsync", "everysec", "maxmemory-policy", "noeviction"}
	if !slices.Equal(got, want) {
		t.Errorf("CONFIG GET maxmemory-policy appendfsync = %q, want %q", got, want)
	}
	got = sortedBulks(t, c.Do("CONFIG", "GET", "maxmemory*"))
	if !slices.Contains(got, "maxmemory") || !slices.Contains(got, "maxmemory-policy") {
		t.Errorf("CONFIG GET maxmemory* = %q", got)
	}
}

// TestInfoTimeCommand covers INFO keyspace, TIME, LASTSAVE and COMMAND.
func TestInfoTimeCommand(t *testing.T) {
	runTable(t, []tc{
		cmd("INFO keyspace", bulk("# Keyspace\r\n")),
		cmd("SET a 1", ok),
		cmd("SET b 1 EX 100", ok),
		cmd("SELECT 5", ok),
		cmd("SET c 1", ok),
		cmd("INFO keyspace", `re:\$[0-9]+\r\n# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=[0-9]+\r\ndb5:keys=1,expires=0,avg_ttl=0\r\n\r\n`),
		cmd("INFO nosuch", bulk("")),
		cmd("INFO server", `re:\$[0-9]+\r\n# Server\r\nredis_version:7\.[0-9.]+\r\n(?s:.*)\r\n\r\n`),
		cmd("TIME", `re:\*2\r\n\$10\r\n[0-9]{10}\r\n\$[1-6]\r\n[0-9]{1,6}\r\n`),
		cmd("TIME x", errArity("time")),
		cmd("LASTSAVE", `re::[0-9]+\r\n`),
		cmd("COMMAND COUNT", `re::[0-9]{2,3}\r\n`),
		cmd("COMMAND INFO nosuch", arr(null)),
		cmd("COMMAND INFO get", "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n"+
			"*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n"+
			"$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n"),
		cmd("COMMAND GETKEYS get k", bulks("k")),
		cmd("COMMAND GETKEYS mset a 1 b 2", bulks("a", "b")),
		cmd("COMMAND GETKEYS ping x", "-ERR The command has no key arguments\r\n"),
		cmd("COMMAND GETKEYS nosuch x", "-ERR Invalid command specified\r\n"),
		cmd("COMMAND GETKEYS set k", "-ERR Invalid number of arguments specified for command\r\n"),
		cmd("COMMAND GETKEYS get a b", "-ERR Invalid number of arguments specified for command\r\n"),
		cmd("COMMAND INFO client|setname", "*1\r\n*10\r\n$14\r\nclient|setname\r\n:3\r\n*3\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@slow\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n"),
		cmd("COMMAND DOCS nosuch", emptyArr),
		cmd("SHUTDOWN FOO", errSyntax),
		cmd("SHUTDOWN ABORT", "-ERR No shutdown in progress.\r\n"),
	})
}

// TestRedis72 covers replies where Redis 7.2, which redisk follows,
// differs from 7.0; it always runs against redisk.
func TestRedis72(t *testing.T) {
	startServer(t).dial(t).run([]tc{
		cmd("HELLO 3", `re:%7\r\n\$6\r\nserver\r\n\$5\r\nredis\r\n\$7\r\nversion\r\n\$5\r\n7\.2\.[0-9]\r\n(?s:.*)`),
		cmd("HELLO 2", `re:\*14\r\n(?s:.*)`),
		cmd("CLIENT SETINFO lib-name go-redis", ok),
		cmd("CLIENT SETINFO LIB-VER 9.0.0", ok),
		cmd("CLIENT INFO", `re:\$[0-9]+\r\n.* lib-name=go-redis lib-ver=9\.0\.0\n\r\n`),
		args("-ERR lib-name cannot contain spaces, newlines or special characters.\r\n", "CLIENT", "SETINFO", "lib-name", "a b"),
		cmd("CLIENT SETINFO foo x", "-ERR Unrecognized option 'foo'\r\n"),
		cmd("CLIENT SETINFO lib-name", errArity("client|setinfo")),
		// Small lists are listpacks since 7.2.
		cmd("RPUSH l a", one),
		cmd("OBJECT ENCODING l", bulk("listpack")),
	})
}

package commands_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"redisk/commands"
)

// fuzzSeeds are real commands (arguments separated by NUL) that FuzzCommand
// mutates; every command name in the table is added as well.
var fuzzSeeds = []string{
	"SET k v", "SET k v NX EX 10 GET", "SET k v XX PX 100 KEEPTTL", "GETEX k PERSIST", "GETEX k EXAT 1",
	"GET k", "MSET a 1 b 2 {a}c 3", "MGET a b c", "MSETNX a 1 d 4", "INCRBYFLOAT f 1.5e3", "INCRBY n -5",
	"APPEND k xyz", "SETRANGE k 3 abc", "GETRANGE k -3 -1", "LCS a b IDX MINMATCHLEN 1 WITHMATCHLEN",
	"DEL a b", "EXPIRE k 100 NX", "PEXPIREAT k 1 GT", "TTL k", "RENAME a b", "COPY a b DB 1 REPLACE",
	"MOVE a 2", "SCAN 0 MATCH *a* COUNT 5 TYPE string", "KEYS [a-c]*", "OBJECT ENCODING k", "TYPE k",
	"LPUSH l a b c", "RPOP l 2", "LRANGE l 0 -1", "LINSERT l BEFORE a x", "LPOS l a RANK -1 COUNT 0",
	"LMOVE l m LEFT RIGHT", "LMPOP 2 l m LEFT COUNT 2", "BLPOP l 0.01", "LSET l 0 z", "LTRIM l 1 -1",
	"ZADD z 1 a 2 b", "ZUNIONSTORE d 2 z z WEIGHTS 1 2", "ZINTERCARD 1 z LIMIT 1",
	"SELECT 1", "SWAPDB 0 1", "FLUSHDB", "DBSIZE", "INFO keyspace", "CONFIG GET *max*", "COMMAND INFO get",
	"COMMAND GETKEYS set k v", "CLIENT SETNAME x", "CLIENT LIST", "HELLO 3", "PING x", "ECHO e",
	"MULTI", "EXEC", "WATCH k", "PUBLISH ch m", "SUBSCRIBE ch",
}

// fuzzSkip reports inputs FuzzCommand does not send: settings that would
// lock the test client out or stop the server, commands that take the
// connection away, and sizes that only make the fuzzer slow (a SETRANGE
// at offset 500M is a valid 500 MB write).
func fuzzSkip(args [][]byte) bool {
	name := strings.ToLower(string(args[0]))
	switch name {
	case "shutdown", "debug", "monitor", "sync", "psync", "replicaof", "slaveof":
		return true
	case "config":
		return len(args) > 1 && !strings.EqualFold(string(args[1]), "get")
	}
	for _, a := range args[1:] {
		if n, err := strconv.ParseFloat(string(a), 64); err == nil && (n > 1e6 || n < -1e6) {
			return true
		}
	}
	return false
}

// FuzzCommand sends arbitrary argument vectors to the server, each on a
// fresh connection. Whatever the command does, the server must not crash
// and must still answer PING on a new connection.
func FuzzCommand(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(strings.Join(strings.Fields(s), "\x00")))
	}
	f.Add([]byte("EVAL\x00return redis.call('get', KEYS[1])\x001\x00k"))
	for _, c := range commands.Table() {
		f.Add([]byte(c.Name))
		f.Add([]byte(c.Name + "\x00k\x00v"))
		for sub := range c.Subs {
			f.Add([]byte(c.Name + "\x00" + sub + "\x00k"))
		}
	}
	s := startServer(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		args := bytes.Split(in, []byte{0})
		if len(args) > 64 || fuzzSkip(args) {
			return
		}
		req := make([]string, len(args))
		for i, a := range args {
			req[i] = string(a)
		}
		c := s.dial(t)
		c.Send(encode(req...))
		// Blocking commands may not answer at all; that is fine.
		c.TryRead(300 * time.Millisecond)
		c.Abort()
		p := s.dial(t)
		if got := p.Do("PING"); got != "+PONG\r\n" {
			t.Fatalf("after %q the server answers PING with %q", req, got)
		}
		p.Abort()
	})
}

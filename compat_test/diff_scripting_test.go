package compat_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// scriptCases cover EVAL and friends. Errors that Redis words itself
// (redis.call failures, NOSCRIPT, numkeys, read-only scripts) are compared
// byte for byte; errors worded by the Lua VM (compile errors, runtime
// errors like arithmetic on nil) differ between gopher-lua and Lua 5.1 and
// are checked only up to the VM's text in TestDiffScriptVMErrors.
var scriptCases = []diffCase{
	dc("eval-types", `EVAL "return 1" 0`, `EVAL "return 'x'" 0`, `EVAL "return {1,2,3}" 0`, `EVAL "return 3.99" 0`,
		`EVAL "return -3.99" 0`, `EVAL "return 0.5" 0`, `EVAL "return false" 0`, `EVAL "return true" 0`, `EVAL "return nil" 0`,
		`EVAL "return" 0`, `EVAL "return ''" 0`, `EVAL "return '3.5'" 0`, `EVAL "return 1e20" 0`, `EVAL "return -0" 0`),
	dc("eval-tables", `EVAL "return {1,nil,3}" 0`, `EVAL "return {1,{2,{3,'x'}},false,true}" 0`, `EVAL "return {}" 0`,
		`EVAL "return {ok='fine'}" 0`, `EVAL "return {err='bad thing'}" 0`, `EVAL "return {err='ERR custom'}" 0`,
		`EVAL "return {1.5,'a',{ok='s'},{err='e'}}" 0`, `EVAL "return {a=1,b=2}" 0`, `EVAL "return {1,2,a=3}" 0`,
		`EVAL "return {false,1}" 0`, `EVAL "return {ok=1}" 0`),
	dc("eval-status-error-reply", `EVAL "return redis.status_reply('FINE')" 0`, `EVAL "return redis.error_reply('My Error')" 0`,
		`EVAL "return redis.error_reply('ERR x')" 0`, `EVAL "return redis.error_reply('-ERR dash')" 0`, `EVAL "return redis.status_reply('')" 0`),
	dc("eval-keys-argv", `EVAL "return {KEYS[1],KEYS[2],ARGV[1],ARGV[2],#KEYS,#ARGV}" 2 a b c d`,
		`EVAL "return {#KEYS,#ARGV}" 0`, `EVAL "return {#KEYS,#ARGV}" 0 x y z`, `EVAL "return ARGV[1]" 0 "a\x00b"`),
	dc("eval-numkeys-errors", `EVAL "return 1" -1`, `EVAL "return 1" 5 a`, `EVAL "return 1" abc`, `EVAL "return 1" 1.5`,
		`EVAL "return 1"`, "EVAL", `EVALSHA abc`, `EVAL "return 1" 99999999999999999999`, `EVALSHA e0e1f9fabfc9d4800c877a703b823ac0578ff8db -1`,
		`EVAL "return 1" ""`),
	dc("eval-redis-call", `EVAL "redis.call('SET',KEYS[1],ARGV[1]); return redis.call('GET',KEYS[1])" 1 k v`,
		`EVAL "return redis.call('INCRBY',KEYS[1],5)" 1 n`, `EVAL "return redis.call('RPUSH','l','a','b')" 0`,
		`EVAL "return redis.call('LRANGE','l',0,-1)" 0`, `EVAL "return redis.call('GET','nokey')" 0`,
		`EVAL "return type(redis.call('GET','nokey'))" 0`, `EVAL "return redis.call('GET','nokey') == false" 0`,
		`EVAL "return redis.call('SET','f',3.5)" 0`, "GET f", `EVAL "return redis.call('SET','g',3.0)" 0`, "GET g",
		`EVAL "return redis.call('SET','h',-7)" 0`, "GET h", `EVAL "return redis.call('PING')" 0`, `EVAL "return redis.call('TYPE','l')" 0`),
	dc("eval-redis-call-errors", "SET s x", `EVAL "return redis.call('INCR','s')" 0`, `EVAL "return redis.call('nosuch')" 0`,
		`EVAL "return redis.call('GET')" 0`, `EVAL "return redis.call()" 0`, `EVAL "return redis.call('SET','a',{})" 0`,
		`EVAL "return redis.call('LPUSH','s','x')" 0`, `EVAL "return redis.call('SUBSCRIBE','x')" 0`,
		`EVAL "return redis.call('EVAL','return 1',0)" 0`, `EVAL "return redis.call('SET','a','b','EX',0)" 0`),
	dc("eval-redis-pcall", "SET s x", `EVAL "return redis.pcall('INCR','s')" 0`, `EVAL "return type(redis.pcall('INCR','s'))" 0`,
		`EVAL "return redis.pcall('INCR','s')['err']" 0`, `EVAL "return redis.pcall('nosuch')" 0`, `EVAL "return redis.pcall('GET')" 0`,
		`EVAL "local r = redis.pcall('LPUSH','s','x'); return {r['err'], 'after'}" 0`, `EVAL "return redis.pcall('GET','s')" 0`),
	dc("eval-write-then-error", `EVAL "redis.call('SET','a','1'); redis.call('INCR','nonnum'); redis.call('SET','nonnum','x'); return redis.call('INCR','nonnum')" 0`,
		"GET a", "GET nonnum"),
	dc("eval-select-in-script", "SET a zero", `EVAL "redis.call('SELECT',1); redis.call('SET','a','one'); return redis.call('GET','a')" 0`,
		"GET a", "SELECT 1", "GET a"),
	dc("eval-many-shards", `EVAL "for i=1,30 do redis.call('SET','k'..i,i) end return redis.call('MGET','k1','k15','k30','k31')" 0`,
		"MGET "+keyList(30), `EVAL "local s=0 for i=1,#KEYS do s=s+tonumber(redis.call('GET',KEYS[i])) end return s" 30 `+keyList(30)),
	// One field: redisk's HGETALL order is not Redis's listpack insertion
	// order (a hashes matter, not a scripting one).
	dc("eval-hash-conversions", "HSET h a 1", `EVAL "return redis.call('HGETALL','h')" 0`, `EVAL "return redis.call('HGET','h','a')" 0`,
		`EVAL "return #redis.call('HGETALL','h')" 0`, `EVAL "return redis.call('HEXISTS','h','zz')" 0`),
	dc("eval-zset-conversions", "ZADD z 1.5 a 2 b", `EVAL "return redis.call('ZRANGE','z',0,-1,'WITHSCORES')" 0`,
		`EVAL "return redis.call('ZSCORE','z','a')" 0`, `EVAL "return type(redis.call('ZSCORE','z','a'))" 0`),
	dc("eval-status-from-call", `EVAL "local r = redis.call('SET','a','1'); return type(r)" 0`, `EVAL "return redis.call('SET','a','1')['ok']" 0`,
		`EVAL "return redis.call('SET','a','1','NX')" 0`, `EVAL "return type(redis.call('SET','a','1','NX'))" 0`),
	dc("cjson", `EVAL "return cjson.encode({1,2,3})" 0`, `EVAL "return cjson.encode({a=1})" 0`, `EVAL "return cjson.encode('x\"y')" 0`,
		`EVAL "return cjson.encode(3.14)" 0`, `EVAL "return cjson.encode(1e20)" 0`, `EVAL "return cjson.encode(10)" 0`,
		`EVAL "return cjson.encode({})" 0`, `EVAL "return cjson.encode(true)" 0`, `EVAL "return cjson.encode({{1},{a={b='c'}}})" 0`,
		`EVAL "return cjson.decode('{\"a\":[1,2,{\"b\":true}]}')['a'][3]['b']" 0`, `EVAL "return cjson.decode('[1,\"x\",3]')" 0`,
		`EVAL "return cjson.encode(cjson.decode('[1,\"x\",null,false]'))" 0`, `EVAL "return cjson.decode('3.75')" 0`,
		`EVAL "return tostring(cjson.decode('null') == cjson.null)" 0`, `EVAL "return cjson.encode(cjson.decode('{\"k\":\"\\u00e9\"}'))" 0`,
		`EVAL "return cjson.encode('\\n/\\t')" 0`),
	dc("cmsgpack", `EVAL "return cmsgpack.pack({1,2,'x'})" 0`, `EVAL "return cmsgpack.pack('abc')" 0`, `EVAL "return cmsgpack.pack({a=1})" 0`,
		`EVAL "return cmsgpack.pack(1,-1,300,-300,70000,3.5,true,false)" 0`, `EVAL "return cmsgpack.unpack(cmsgpack.pack({1,2,'x',{3}}))" 0`,
		`EVAL "return {cmsgpack.unpack(cmsgpack.pack(1,'b',3))}" 0`, `EVAL "local t = cmsgpack.unpack(cmsgpack.pack({a='z'})) return t.a" 0`,
		`EVAL "return cmsgpack.pack(string.rep('x',40))" 0`, `EVAL "return cmsgpack.pack(4294967296)" 0`),
	dc("sha1hex", `EVAL "return redis.sha1hex('')" 0`, `EVAL "return redis.sha1hex('abc')" 0`, `EVAL "return redis.sha1hex(1)" 0`),
	dc("script-load-evalsha", `SCRIPT LOAD "return 'loaded'"`, "EVALSHA b534286061d4b9e4026607613b95c06c06015ae8 0",
		"SCRIPT EXISTS b534286061d4b9e4026607613b95c06c06015ae8 ffffffffffffffffffffffffffffffffffffffff",
		`?SCRIPT LOAD "return KEYS[1]"`, `EVAL "return 1" 0`, "SCRIPT EXISTS e0e1f9fabfc9d4800c877a703b823ac0578ff8db",
		"EVALSHA e0e1f9fabfc9d4800c877a703b823ac0578ff8db 0", "EVALSHA E0E1F9FABFC9D4800C877A703B823AC0578FF8DB 0"),
	dc("evalsha-sha-of-script", `SCRIPT LOAD "return {KEYS[1],ARGV[1]}"`),
	dc("script-flush", `SCRIPT LOAD "return 1"`, "SCRIPT FLUSH", "SCRIPT EXISTS e0e1f9fabfc9d4800c877a703b823ac0578ff8db",
		"EVALSHA e0e1f9fabfc9d4800c877a703b823ac0578ff8db 0", `SCRIPT LOAD "return 1"`, "SCRIPT FLUSH ASYNC", "SCRIPT FLUSH SYNC",
		"SCRIPT FLUSH FOO", "SCRIPT FLUSH SYNC ASYNC"),
	dc("noscript", "EVALSHA ffffffffffffffffffffffffffffffffffffffff 0", "EVALSHA abc 0", "EVALSHA_RO ffffffffffffffffffffffffffffffffffffffff 0",
		`EVALSHA "" 0`, "EVALSHA "+strings.Repeat("a", 41)+" 0"),
	dc("script-errors", "SCRIPT", "SCRIPT FOO", "SCRIPT EXISTS", "SCRIPT LOAD", "SCRIPT LOAD a b", "SCRIPT KILL",
		"SCRIPT KILL x", "SCRIPT FLUSH a b"),
	dc("eval-ro", "SET a 1", `EVAL_RO "return redis.call('GET',KEYS[1])" 1 a`, `EVAL_RO "return redis.call('SET',KEYS[1],'2')" 1 a`,
		`EVAL_RO "return redis.pcall('DEL','a')" 0`, "GET a", `SCRIPT LOAD "return redis.call('INCR','a')"`,
		"EVALSHA_RO d8f2cce404a078aa0378bb59b92d3715541787f1 0", `EVAL_RO "return 1"`, "EVAL_RO"),
	dc("eval-ro-evalsha", "SET a 5", `?SCRIPT LOAD "return redis.call('INCR','a')"`, `?SCRIPT LOAD "return redis.call('GET','a')"`,
		"EVALSHA_RO d8f2cce404a078aa0378bb59b92d3715541787f1 0", "EVALSHA_RO 8a2f221803757b26fc7d283bec7ba834d91202c9 0", "GET a"),
	dc("eval-no-script-commands", `EVAL "return redis.call('MULTI')" 0`, `EVAL "return redis.pcall('WATCH','a')" 0`,
		`EVAL "return redis.pcall('SCRIPT','LOAD','return 1')" 0`),
	// Blocking commands in scripts (BLPOP …) are left out: Redis 7.0 refuses
	// them (noscript flag) and Redis 7.2, whose behaviour redisk follows,
	// runs them without blocking (redis/redis#11568).
	dc("eval-string-binary", `EVAL "return string.char(0,1,255)" 0`, `EVAL "return string.len(ARGV[1])" 0 "a\x00b"`,
		`EVAL "return tostring(12345678901234)" 0`, `EVAL "return tostring(0.1)" 0`, `EVAL "return 2^53" 0`, `EVAL "return math.floor(7/2)" 0`),
	dc("eval-in-multi", "MULTI", `EVAL "return redis.call('SET','a','1')" 0`, `EVAL "return redis.call('GET','a')" 0`, "EXEC"),
	dc("eval-globals-protected", `EVAL "x = 1" 0`, `EVAL "return redis.setresp(3)" 0`),
	dc("eval-lowercase", `eval "return 1" 0`, `evalsha e0e1f9fabfc9d4800c877a703b823ac0578ff8db 0`),
}

// TestDiffScripting compares Lua scripting with redis-server.
func TestDiffScripting(t *testing.T) { runDiff(t, scriptCases) }

// TestDiffScriptVMErrors checks scripts that fail inside the Lua VM. The
// text after the prefix shown is the VM's own (gopher-lua is not Lua 5.1),
// so only Redis's part before it is compared: the error code and Redis's
// framing, on both servers.
func TestDiffScriptVMErrors(t *testing.T) {
	p := startPair(t)
	cases := []struct{ script, prefix string }{
		{"return (", "-ERR Error compiling script (new function): user_script"},
		{"return nil + 1", "-ERR user_script:1: "},
		{"error('boom')", "-ERR user_script:1: boom script: "},
		{"local t = nil; return t.x", "-ERR user_script:1: "},
		{"return redis.call(", "-ERR Error compiling script (new function): user_script"},
	}
	for _, proto := range []int{2, 3} {
		mine, ref := session(t, p.redisk, proto), session(t, p.redis, proto)
		for _, c := range cases {
			want := ref.Do("EVAL", c.script, "0")
			got := mine.Do("EVAL", c.script, "0")
			if !strings.HasPrefix(string(want), c.prefix) {
				t.Fatalf("case is wrong: redis-server answered %q to %q", want, c.script)
			}
			if !strings.HasPrefix(string(got), c.prefix) || !strings.HasSuffix(string(got), "\r\n") || strings.Count(string(got), "\r\n") != 1 {
				t.Errorf("RESP%d EVAL %q:\n  redisk: %q\n  redis:  %q\n  (only the prefix %q must match)", proto, c.script, got, want, c.prefix)
			}
		}
		// error() with a table value is Redis's wording, not the VM's.
		for _, s := range []string{"error({err='MYERR raised'})", "return redis.error_reply('X')", "return redis.error_reply('-X')", "return redis.error_reply('')",
			"return redis.error_reply('-WRONGTYPE a b')", "return {err='X'}", "error(redis.error_reply('Y oops'))"} {
			want, got := ref.Do("EVAL", s, "0"), mine.Do("EVAL", s, "0")
			if string(got) != string(want) {
				t.Errorf("RESP%d EVAL %q:\n  redisk: %q\n  redis:  %q", proto, s, got, want)
			}
		}
		mine.Close()
		ref.Close()
	}
}

// TestScriptAtomicAcrossShards runs a script that rewrites 30 keys (spread
// over shards) while other clients read them with MGET: every MGET must see
// all keys from the same run of the script.
func TestScriptAtomicAcrossShards(t *testing.T) {
	s := StartRedisk(t)
	setup := Dial(t, s.Addr)
	setup.Do(append([]string{"MSET"}, strings.Fields(kvList(30))...)...)
	script := "local v = redis.call('INCR','counter') for i=1,#KEYS do redis.call('SET',KEYS[i],v) end return v"
	keys := strings.Fields(keyList(30))
	deadline := time.Now().Add(2 * time.Second)
	var wg sync.WaitGroup
	errs := make(chan string, 10)
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rc := Dial(t, s.Addr)
			args := append([]string{"EVAL", script, "30"}, keys...)
			for time.Now().Before(deadline) {
				if r, err := rc.DoErr(args...); err != nil || r[0] != ':' {
					errs <- fmt.Sprintf("EVAL: %q %v", r, err)
					return
				}
			}
		}()
	}
	reads := 0
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rc := Dial(t, s.Addr)
			for time.Now().Before(deadline) {
				r, err := rc.DoErr(append([]string{"MGET"}, keys...)...)
				if err != nil {
					errs <- err.Error()
					return
				}
				v, err := ParseValue(r)
				if err != nil || len(v.Elems) != 30 {
					errs <- fmt.Sprintf("MGET: %q", r)
					return
				}
				vals := v.Strings()
				for _, x := range vals {
					if x != vals[0] && !strings.HasPrefix(vals[0], "v") {
						errs <- fmt.Sprintf("MGET saw a script half done: %q", vals)
						return
					}
				}
				reads++
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	t.Logf("%d MGETs", reads)
}

// busyText is the error other clients get while a script runs past
// lua-time-limit. redisk words it as Redis 7.2 does; the Redis 7.0 used as
// the oracle does not name FUNCTION KILL yet (busyText70).
const (
	busyText   = "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or FUNCTION KILL or SHUTDOWN NOSAVE.\r\n"
	busyText70 = "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n"
)

// TestScriptBusyKill runs a script that never ends on both servers: after
// lua-time-limit (5s) other clients get BUSY, SCRIPT KILL answers +OK and
// the script's caller gets an error. A second pair of servers runs a script
// that wrote first: SCRIPT KILL answers UNKILLABLE and the script ends on
// its own (it loops until TIME has moved on by 7 seconds).
func TestScriptBusyKill(t *testing.T) {
	needRedis(t, "redis-server")
	t.Run("killable", func(t *testing.T) {
		t.Parallel()
		busyKill(t, "while true do end", "+OK\r\n", "")
	})
	t.Run("unkillable", func(t *testing.T) {
		t.Parallel()
		script := "redis.call('SET','x','1') local s = tonumber(redis.call('TIME')[1]) " +
			"while tonumber(redis.call('TIME')[1]) < s + 7 do end return 'done'"
		busyKill(t, script,
			"-UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.\r\n",
			"$4\r\ndone\r\n")
	})
}

// busyKill runs script on redisk and redis-server at once and checks the
// BUSY, SCRIPT KILL and caller replies on both. finish is the caller's
// expected reply when the script is not killed ("" when it is killed: then
// the caller's error is compared between the servers).
func busyKill(t *testing.T, script, killReply, finish string) {
	servers := []*Server{StartRedisk(t), StartRedis(t)}
	names := []string{"redisk", "redis"}
	callers := make([]*RawConn, 2)
	others := make([]*RawConn, 2)
	for i, s := range servers {
		callers[i] = Dial(t, s.Addr)
		others[i] = Dial(t, s.Addr)
		if err := callers[i].Send(EncodeCommand("EVAL", script, "0")); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(500 * time.Millisecond)
	// Before lua-time-limit, other clients just wait; a NOTBUSY check is not
	// possible without blocking, so go straight past the limit.
	time.Sleep(5 * time.Second)
	var results [2][4][]byte
	var wg sync.WaitGroup
	for i := range servers {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results[i][0], _ = others[i].ReadReplyAfter(EncodeCommand("PING"), 5*time.Second)
			results[i][1], _ = others[i].ReadReplyAfter(EncodeCommand("GET", "x"), 5*time.Second)
			results[i][2], _ = others[i].ReadReplyAfter(EncodeCommand("SCRIPT", "KILL"), 5*time.Second)
			results[i][3], _ = callers[i].ReadReplyTimeout(10 * time.Second)
		}(i)
	}
	wg.Wait()
	for i, name := range names {
		busy := busyText
		if name == "redis" {
			busy = busyText70
		}
		if got := string(results[i][0]); got != busy {
			t.Errorf("%s: PING during the script: %q", name, got)
		}
		if got := string(results[i][1]); got != busy {
			t.Errorf("%s: GET during the script: %q", name, got)
		}
		if got := string(results[i][2]); got != killReply {
			t.Errorf("%s: SCRIPT KILL: %q, want %q", name, got, killReply)
		}
		if finish != "" {
			if got := string(results[i][3]); got != finish {
				t.Errorf("%s: the caller's reply: %q, want %q", name, got, finish)
			}
		} else if len(results[i][3]) == 0 || results[i][3][0] != '-' {
			t.Errorf("%s: the killed script's caller got %q, want an error", name, results[i][3])
		}
		if r, err := others[i].ReadReplyAfter(EncodeCommand("PING"), 5*time.Second); string(r) != "+PONG\r\n" {
			t.Errorf("%s: PING after the script: %q %v", name, r, err)
		}
		if r, err := callers[i].ReadReplyAfter(EncodeCommand("SCRIPT", "KILL"), 5*time.Second); !strings.HasPrefix(string(r), "-NOTBUSY") {
			t.Errorf("%s: SCRIPT KILL after the script: %q %v", name, r, err)
		}
	}
	if finish == "" && string(results[0][3]) != string(results[1][3]) {
		t.Errorf("the killed script's caller:\n  redisk: %q\n  redis:  %q", results[0][3], results[1][3])
	}
}

package compat_test

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The tests in this file compare redisk with redis-server where the raw
// bytes legitimately differ (client ids, versions, times, hash-table order,
// server statistics, the command table of a different Redis version): they
// check the structure and the meaning of the replies instead.

// helloFields are the HELLO map keys, in Redis's order.
var helloFields = []string{"server", "version", "proto", "id", "mode", "role", "modules"}

// TestDiffHello checks HELLO's reply shape under both protocols. Only
// "version" (redisk reports 7.2.4) and "id" may differ from Redis.
func TestDiffHello(t *testing.T) {
	p := startPair(t)
	for _, args := range [][]string{{"HELLO"}, {"HELLO", "2"}, {"HELLO", "3"}, {"HELLO", "3", "SETNAME", "n1"},
		{"HELLO", "2", "AUTH", "default", "anything"}} {
		t.Run(strings.Join(args, "_"), func(t *testing.T) {
			mine, ref := Dial(t, p.redisk.Addr), Dial(t, p.redis.Addr)
			gr, wr := mine.Do(args...), ref.Do(args...)
			g, w := MustParse(t, gr), MustParse(t, wr)
			if g.Type != w.Type || len(g.Elems) != len(w.Elems) {
				t.Fatalf("%q: redisk %q, redis %q", args, gr, wr)
			}
			var keys []string
			for i := 0; i < len(g.Elems); i += 2 {
				keys = append(keys, g.Elems[i].Str)
			}
			if !slices.Equal(keys, helloFields) {
				t.Errorf("%q: redisk HELLO keys %v, want %v", args, keys, helloFields)
			}
			for i := 0; i+1 < len(w.Elems); i += 2 {
				key := w.Elems[i].Str
				if g.Elems[i].Str != key || g.Elems[i].Type != w.Elems[i].Type {
					t.Errorf("%q field %d: redisk %q, redis %q", args, i/2, g.Elems[i].Str, key)
					continue
				}
				gv, wv := g.Elems[i+1], w.Elems[i+1]
				switch key {
				case "version":
					if gv.Str != "7.2.4" {
						t.Errorf("%q: redisk version %q, want 7.2.4", args, gv.Str)
					}
				case "id":
					if gv.Type != ':' {
						t.Errorf("%q: redisk id %q is not an integer", args, gv.Str)
					}
				default:
					if fmt.Sprint(gv) != fmt.Sprint(wv) {
						t.Errorf("%q field %s: redisk %+v, redis %+v", args, key, gv, wv)
					}
				}
			}
			if g.Map()["id"].Str != "" {
				if got := string(mine.Do("CLIENT", "ID")); got != ":"+g.Map()["id"].Str+"\r\n" {
					t.Errorf("HELLO id %s but CLIENT ID %q", g.Map()["id"].Str, got)
				}
			}
			if got := string(mine.Do("PING")); got != "+PONG\r\n" {
				t.Errorf("PING after %q: %q", args, got)
			}
		})
	}
}

// clientFields parses a CLIENT INFO / CLIENT LIST line into its fields.
func clientFields(line string) map[string]string {
	m := map[string]string{}
	for _, f := range strings.Fields(line) {
		k, v, _ := strings.Cut(f, "=")
		m[k] = v
	}
	return m
}

// TestDiffClientSemantics checks CLIENT ID, CLIENT INFO and CLIENT LIST by
// meaning: ids differ between servers, fields must not.
func TestDiffClientSemantics(t *testing.T) {
	p := startPair(t)
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("resp%d", proto), func(t *testing.T) {
			infos := map[string]map[string]string{}
			for _, s := range []*Server{p.redisk, p.redis} {
				rc := session(t, s, proto)
				id := MustParse(t, rc.Do("CLIENT", "ID"))
				id2 := MustParse(t, Dial(t, s.Addr).Do("CLIENT", "ID"))
				if id.Type != ':' || id2.Type != ':' {
					t.Fatalf("%s CLIENT ID: %+v %+v", s.Addr, id, id2)
				}
				n1, _ := strconv.Atoi(id.Str)
				n2, _ := strconv.Atoi(id2.Str)
				if n2 <= n1 {
					t.Errorf("%s: CLIENT ID of a later connection %d not above %d", s.Addr, n2, n1)
				}
				rc.Do("SELECT", "3")
				rc.Do("CLIENT", "SETNAME", "probe")
				raw := rc.Do("CLIENT", "INFO")
				v := MustParse(t, raw)
				if proto == 2 && v.Type != '$' || proto == 3 && v.Type != '=' {
					t.Errorf("%s CLIENT INFO type %q (raw %q)", s.Addr, v.Type, raw)
				}
				line := strings.TrimPrefix(v.Str, "txt:")
				if !strings.HasSuffix(line, "\n") || strings.Count(line, "\n") != 1 {
					t.Errorf("%s CLIENT INFO %q is not one LF-terminated line", s.Addr, line)
				}
				f := clientFields(line)
				infos[s.Addr] = f
				for k, want := range map[string]string{"id": id.Str, "db": "3", "name": "probe", "cmd": "client|info",
					"resp": strconv.Itoa(proto)} {
					if f[k] != want {
						t.Errorf("%s CLIENT INFO %s=%q, want %q (line %q)", s.Addr, k, f[k], want, line)
					}
				}
				lv := MustParse(t, rc.Do("CLIENT", "LIST"))
				list := strings.TrimPrefix(lv.Str, "txt:")
				found := false
				for _, l := range strings.Split(strings.TrimSuffix(list, "\n"), "\n") {
					lf := clientFields(l)
					if lf["id"] == id.Str {
						found = true
						if lf["name"] != "probe" || lf["cmd"] != "client|list" {
							t.Errorf("%s CLIENT LIST own line %q", s.Addr, l)
						}
					}
				}
				if !found {
					t.Errorf("%s CLIENT LIST %q lacks id=%s", s.Addr, list, id.Str)
				}
				only := MustParse(t, rc.Do("CLIENT", "LIST", "ID", id.Str))
				if clientFields(strings.TrimPrefix(only.Str, "txt:"))["id"] != id.Str {
					t.Errorf("%s CLIENT LIST ID %s: %q", s.Addr, id.Str, only.Str)
				}
			}
			// Every field Redis 7.0 reports must be present in redisk's line.
			mine, ref := infos[p.redisk.Addr], infos[p.redis.Addr]
			var missing []string
			for k := range ref {
				if _, ok := mine[k]; !ok {
					missing = append(missing, k)
				}
			}
			sort.Strings(missing)
			if len(missing) > 0 {
				t.Errorf("redisk CLIENT INFO lacks fields Redis reports: %v", missing)
			}
			for _, k := range []string{"flags", "multi", "qbuf", "obl", "oll", "events", "user", "sub", "psub"} {
				if mine[k] != ref[k] && k != "qbuf" {
					t.Errorf("CLIENT INFO %s: redisk %q, redis %q", k, mine[k], ref[k])
				}
			}
		})
	}
}

// TestClientSetinfo checks CLIENT SETINFO, a Redis 7.2 command that the
// installed Redis 7.0 lacks, so it is checked against 7.2's documented
// behaviour instead of compared.
func TestClientSetinfo(t *testing.T) {
	s := StartRedisk(t)
	rc := Dial(t, s.Addr)
	for _, c := range [][2]string{
		{"CLIENT SETINFO lib-name mylib", "+OK\r\n"},
		{"CLIENT SETINFO LIB-VER 1.2.3", "+OK\r\n"},
		{"CLIENT SETINFO lib-name", "-ERR wrong number of arguments for 'client|setinfo' command\r\n"},
		{"CLIENT SETINFO nosuch x", "-ERR Unrecognized option 'nosuch'\r\n"},
		{`CLIENT SETINFO lib-name "a b"`, "-ERR lib-name cannot contain spaces, newlines or special characters.\r\n"},
	} {
		if got := string(rc.Do(splitArgs(c[0])...)); got != c[1] {
			t.Errorf("%s: %q, want %q", c[0], got, c[1])
		}
	}
	f := clientFields(MustParse(t, rc.Do("CLIENT", "INFO")).Str)
	if f["lib-name"] != "mylib" || f["lib-ver"] != "1.2.3" {
		t.Errorf("CLIENT INFO after SETINFO: lib-name=%q lib-ver=%q", f["lib-name"], f["lib-ver"])
	}
}

// parseInfo splits an INFO reply into section → field → value.
func parseInfo(s string) (map[string]map[string]string, []string) {
	out := map[string]map[string]string{}
	var order []string
	sec := ""
	for _, l := range strings.Split(strings.TrimPrefix(s, "txt:"), "\r\n") {
		switch {
		case strings.HasPrefix(l, "# "):
			sec = strings.ToLower(strings.TrimPrefix(l, "# "))
			order = append(order, sec)
			out[sec] = map[string]string{}
		case l == "":
		default:
			k, v, _ := strings.Cut(l, ":")
			if out[sec] == nil {
				out[sec] = map[string]string{}
			}
			out[sec][k] = v
		}
	}
	return out, order
}

// TestDiffInfoSemantics checks INFO by meaning: sections, the fields
// clients read, keyspace lines and hit/miss counters after the same
// commands on both servers. Values like uptime and memory legitimately
// differ, and redis_version is 7.2.4 in redisk on purpose.
func TestDiffInfoSemantics(t *testing.T) {
	p := startPair(t)
	setup := [][]string{{"FLUSHALL"}, {"CONFIG", "RESETSTAT"}, {"MSET", "a", "1", "b", "2", "c", "3"}, {"EXPIRE", "a", "1000"},
		{"RPUSH", "l", "x"}, {"GET", "a"}, {"GET", "nokey"}, {"GET", "b"}, {"SELECT", "2"}, {"SET", "x", "1"}, {"SELECT", "0"}}
	infos := map[string]map[string]map[string]string{}
	orders := map[string][]string{}
	for _, s := range []*Server{p.redisk, p.redis} {
		rc := Dial(t, s.Addr)
		for _, c := range setup {
			if r := MustParse(t, rc.Do(c...)); r.Type == '-' {
				t.Fatalf("%s %q: %s", s.Addr, c, r.Str)
			}
		}
		v := MustParse(t, rc.Do("INFO"))
		if v.Type != '$' {
			t.Fatalf("%s INFO type %q", s.Addr, v.Type)
		}
		infos[s.Addr], orders[s.Addr] = parseInfo(v.Str)

		ks := MustParse(t, rc.Do("INFO", "keyspace"))
		sec, order := parseInfo(ks.Str)
		if !slices.Equal(order, []string{"keyspace"}) || len(sec["keyspace"]) != 2 {
			t.Errorf("%s INFO keyspace: %q", s.Addr, ks.Str)
		}
		rc3 := Dial(t, s.Addr)
		rc3.Do("HELLO", "3")
		if v3 := MustParse(t, rc3.Do("INFO", "server")); v3.Type != '=' && v3.Type != '$' {
			t.Errorf("%s INFO under RESP3: type %q", s.Addr, v3.Type)
		}
	}
	mine, ref := infos[p.redisk.Addr], infos[p.redis.Addr]
	for _, sec := range orders[p.redis.Addr] {
		if _, ok := mine[sec]; !ok {
			t.Errorf("redisk INFO lacks section %q", sec)
		}
	}
	if want := []string{"server", "clients", "memory", "persistence", "stats", "replication", "cpu"}; !hasPrefixOrder(orders[p.redisk.Addr], want) {
		t.Errorf("redisk INFO section order %v, want it to start %v", orders[p.redisk.Addr], want)
	}
	// Fields that clients and tools read; each must exist in both.
	fields := map[string][]string{
		"server":      {"redis_version", "redis_mode", "os", "arch_bits", "process_id", "run_id", "tcp_port", "uptime_in_seconds", "uptime_in_days"},
		"clients":     {"connected_clients", "blocked_clients", "maxclients"},
		"memory":      {"used_memory", "used_memory_human", "maxmemory", "maxmemory_human", "maxmemory_policy"},
		"persistence": {"loading", "rdb_changes_since_last_save", "rdb_last_save_time", "aof_enabled"},
		"stats": {"total_connections_received", "total_commands_processed", "keyspace_hits", "keyspace_misses",
			"expired_keys", "evicted_keys", "instantaneous_ops_per_sec"},
		"replication": {"role", "connected_slaves", "master_replid", "master_repl_offset"},
		"cluster":     {"cluster_enabled"},
	}
	for sec, names := range fields {
		for _, n := range names {
			if _, ok := ref[sec][n]; !ok {
				t.Errorf("test bug: redis INFO %s lacks %s", sec, n)
			}
			if _, ok := mine[sec][n]; !ok {
				t.Errorf("redisk INFO %s lacks %s", sec, n)
			}
		}
	}
	same := [][2]string{{"server", "redis_mode"}, {"server", "arch_bits"}, {"persistence", "loading"}, {"stats", "keyspace_hits"},
		{"stats", "keyspace_misses"}, {"replication", "role"}, {"replication", "connected_slaves"}, {"cluster", "cluster_enabled"},
		{"memory", "maxmemory_policy"}, {"clients", "blocked_clients"}}
	for _, f := range same {
		if mine[f[0]][f[1]] != ref[f[0]][f[1]] {
			t.Errorf("INFO %s %s: redisk %q, redis %q", f[0], f[1], mine[f[0]][f[1]], ref[f[0]][f[1]])
		}
	}
	if mine["server"]["redis_version"] != "7.2.4" {
		t.Errorf("redisk redis_version %q, want 7.2.4", mine["server"]["redis_version"])
	}
	if mine["server"]["tcp_port"] != strconv.Itoa(p.redisk.Port) {
		t.Errorf("redisk tcp_port %q, want %d", mine["server"]["tcp_port"], p.redisk.Port)
	}
	// Keyspace lines: keys and expires must match; avg_ttl is time-dependent.
	for _, db := range []string{"db0", "db2"} {
		g, w := mine["keyspace"][db], ref["keyspace"][db]
		gk, _, _ := strings.Cut(g, ",avg_ttl=")
		wk, _, _ := strings.Cut(w, ",avg_ttl=")
		if gk != wk || !strings.Contains(g, ",avg_ttl=") {
			t.Errorf("INFO keyspace %s: redisk %q, redis %q", db, g, w)
		}
	}
	if len(mine["keyspace"]) != len(ref["keyspace"]) {
		t.Errorf("INFO keyspace: redisk %v, redis %v", mine["keyspace"], ref["keyspace"])
	}
}

// hasPrefixOrder reports whether want appears in got in the same order.
func hasPrefixOrder(got, want []string) bool {
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	return i == len(want)
}

// TestDiffTimeSemantics checks TIME and LASTSAVE by meaning: TIME is two
// bulk strings close to the other server's clock.
func TestDiffTimeSemantics(t *testing.T) {
	p := startPair(t)
	var secs []int64
	for _, s := range []*Server{p.redisk, p.redis} {
		for _, proto := range []int{2, 3} {
			rc := session(t, s, proto)
			v := MustParse(t, rc.Do("TIME"))
			if v.Type != '*' || len(v.Elems) != 2 || v.Elems[0].Type != '$' || v.Elems[1].Type != '$' {
				t.Fatalf("%s TIME: %+v", s.Addr, v)
			}
			sec, err1 := strconv.ParseInt(v.Elems[0].Str, 10, 64)
			usec, err2 := strconv.ParseInt(v.Elems[1].Str, 10, 64)
			if err1 != nil || err2 != nil || usec < 0 || usec >= 1e6 {
				t.Errorf("%s TIME: %q %q", s.Addr, v.Elems[0].Str, v.Elems[1].Str)
			}
			secs = append(secs, sec)
			ls := MustParse(t, rc.Do("LASTSAVE"))
			n, err := strconv.ParseInt(ls.Str, 10, 64)
			if ls.Type != ':' || err != nil || n > time.Now().Unix()+1 || n < time.Now().Unix()-3600 {
				t.Errorf("%s LASTSAVE: %+v", s.Addr, ls)
			}
		}
	}
	for _, s := range secs {
		if d := s - secs[len(secs)-1]; d > 2 || d < -2 {
			t.Errorf("TIME seconds differ by %d", d)
		}
	}
}

// scanAll iterates SCAN with extra options until the cursor returns to 0
// and returns every key seen (with repetitions) and the number of calls.
func scanAll(t *testing.T, rc *RawConn, extra ...string) ([]string, int) {
	t.Helper()
	cursor := "0"
	var keys []string
	calls := 0
	for {
		v := MustParse(t, rc.Do(append([]string{"SCAN", cursor}, extra...)...))
		if v.Type != '*' || len(v.Elems) != 2 || v.Elems[0].Type != '$' || v.Elems[1].Type != '*' {
			t.Fatalf("SCAN reply %+v", v)
		}
		calls++
		keys = append(keys, v.Elems[1].Strings()...)
		cursor = v.Elems[0].Str
		if cursor == "0" {
			return keys, calls
		}
		if calls > 100000 {
			t.Fatalf("SCAN did not terminate")
		}
	}
}

// TestDiffScanSemantics checks SCAN and RANDOMKEY by meaning: cursors and
// order differ between servers, the set of keys returned must not.
func TestDiffScanSemantics(t *testing.T) {
	p := startPair(t)
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("resp%d", proto), func(t *testing.T) {
			results := map[string]map[string][]string{}
			for _, s := range []*Server{p.redisk, p.redis} {
				rc := session(t, s, proto)
				args := []string{"MSET"}
				for i := 0; i < 300; i++ {
					args = append(args, fmt.Sprintf("key:%d", i), "v")
				}
				rc.Do(args...)
				rc.Do("RPUSH", "list:1", "a")
				rc.Do("RPUSH", "list:2", "a")
				rc.Do("SELECT", "1")
				rc.Do("SET", "otherdb", "1")
				rc.Do("SELECT", "0")
				res := map[string][]string{}
				for name, extra := range map[string][]string{
					"all": {"COUNT", "10"}, "match": {"MATCH", "key:1*", "COUNT", "7"}, "type": {"TYPE", "list"},
					"typestr": {"TYPE", "string", "COUNT", "1000"}, "default": nil,
				} {
					keys, _ := scanAll(t, rc, extra...)
					uniq := slices.Compact(slices.Sorted(slices.Values(keys)))
					res[name] = uniq
				}
				results[s.Addr] = res
				// RANDOMKEY returns existing keys of the selected db.
				for i := 0; i < 20; i++ {
					k := MustParse(t, rc.Do("RANDOMKEY"))
					if k.Type != '$' || !(strings.HasPrefix(k.Str, "key:") || strings.HasPrefix(k.Str, "list:")) {
						t.Fatalf("%s RANDOMKEY: %+v", s.Addr, k)
					}
				}
			}
			mine, ref := results[p.redisk.Addr], results[p.redis.Addr]
			for name := range ref {
				if !slices.Equal(mine[name], ref[name]) {
					t.Errorf("SCAN %s: redisk saw %d distinct keys, redis %d; first differences: %v",
						name, len(mine[name]), len(ref[name]), firstDiff(mine[name], ref[name]))
				}
			}
			if len(ref["all"]) != 302 || len(ref["type"]) != 2 {
				t.Fatalf("test bug: redis SCAN saw %d/%d keys", len(ref["all"]), len(ref["type"]))
			}
		})
	}
}

// firstDiff lists a few elements present in only one of two sorted slices.
func firstDiff(a, b []string) []string {
	var out []string
	for _, x := range a {
		if _, ok := slices.BinarySearch(b, x); !ok {
			out = append(out, "+"+x)
		}
	}
	for _, x := range b {
		if _, ok := slices.BinarySearch(a, x); !ok {
			out = append(out, "-"+x)
		}
	}
	if len(out) > 10 {
		out = out[:10]
	}
	return out
}

// commandEntry is the part of a COMMAND INFO entry compared between servers.
type commandEntry struct {
	arity, first, last, step string
	flags                    []string
}

// commandTable parses a COMMAND / COMMAND INFO reply by command name.
func commandTable(t *testing.T, v Value) map[string]commandEntry {
	t.Helper()
	out := map[string]commandEntry{}
	for _, e := range v.Elems {
		if e.Null {
			continue
		}
		if len(e.Elems) < 6 {
			t.Fatalf("COMMAND entry %+v too short", e)
		}
		out[e.Elems[0].Str] = commandEntry{arity: e.Elems[1].Str, flags: e.Elems[2].SortedStrings(),
			first: e.Elems[3].Str, last: e.Elems[4].Str, step: e.Elems[5].Str}
	}
	return out
}

// TestDiffCommandSemantics checks COMMAND, COMMAND COUNT/LIST/INFO/DOCS by
// meaning: the tables are different sizes (redisk implements a subset,
// and is a different Redis version), but for every command both have, the
// arity, key positions and flags must agree, and DOCS must carry the same
// group and summary.
func TestDiffCommandSemantics(t *testing.T) {
	p := startPair(t)
	mine, ref := Dial(t, p.redisk.Addr), Dial(t, p.redis.Addr)
	all := MustParse(t, mine.Do("COMMAND"))
	count := MustParse(t, mine.Do("COMMAND", "COUNT"))
	list := MustParse(t, mine.Do("COMMAND", "LIST"))
	if all.Type != '*' || count.Type != ':' || list.Type != '*' {
		t.Fatalf("COMMAND %q / COUNT %q / LIST %q", all.Type, count.Type, list.Type)
	}
	// Like Redis, COUNT and COMMAND hold top-level commands only and LIST
	// adds the subcommands ("config|get").
	mt := commandTable(t, all)
	names := list.SortedStrings()
	top := 0
	for _, n := range names {
		parent, _, isSub := strings.Cut(n, "|")
		if !isSub {
			top++
		}
		if _, ok := mt[parent]; !ok {
			t.Errorf("COMMAND LIST has %q but COMMAND lacks %q", n, parent)
		}
	}
	if strconv.Itoa(len(all.Elems)) != count.Str || top != len(all.Elems) {
		t.Errorf("COMMAND has %d entries, COUNT says %s, LIST has %d top-level names", len(all.Elems), count.Str, top)
	}
	for _, n := range []string{"get", "set", "lpush", "ping", "hello", "command", "client", "config", "scan"} {
		if _, ok := mt[n]; !ok {
			t.Errorf("COMMAND lacks %q", n)
		}
	}
	rt := commandTable(t, MustParse(t, ref.Do("COMMAND")))
	// ZRANK/ZREVRANK gained WITHSCORE (arity -3) in Redis 7.2. Only flags
	// whose meaning did not change between 7.0 and 7.2 are compared.
	changedIn72 := map[string]bool{"zrank": true, "zrevrank": true}
	stable := []string{"write", "readonly", "admin", "no_auth", "pubsub", "denyoom", "blocking", "no_multi"}
	pick := func(flags []string) []string {
		var out []string
		for _, f := range flags {
			if slices.Contains(stable, f) {
				out = append(out, f)
			}
		}
		return out
	}
	for _, n := range names {
		r, ok := rt[n]
		if !ok || changedIn72[n] {
			continue
		}
		m := mt[n]
		if m.arity != r.arity || m.first != r.first || m.last != r.last || m.step != r.step {
			t.Errorf("COMMAND %s: redisk arity/first/last/step %s/%s/%s/%s, redis %s/%s/%s/%s",
				n, m.arity, m.first, m.last, m.step, r.arity, r.first, r.last, r.step)
		}
		if !slices.Equal(pick(m.flags), pick(r.flags)) {
			t.Errorf("COMMAND %s flags: redisk %v, redis %v", n, m.flags, r.flags)
		}
	}
	// COMMAND INFO of a few commands, including a subcommand.
	info := MustParse(t, mine.Do("COMMAND", "INFO", "get", "SET", "config|get", "nosuch"))
	if len(info.Elems) != 4 || !info.Elems[3].Null || info.Elems[0].Elems[0].Str != "get" || info.Elems[1].Elems[0].Str != "set" ||
		info.Elems[2].Elems[0].Str != "config|get" {
		t.Errorf("COMMAND INFO get SET config|get nosuch: %+v", info)
	}
	// COMMAND DOCS: same group/summary/since for shared commands.
	for _, proto := range []int{2, 3} {
		mc, rc := session(t, p.redisk, proto), session(t, p.redis, proto)
		md := MustParse(t, mc.Do("COMMAND", "DOCS", "get", "set", "lpush", "client"))
		rd := MustParse(t, rc.Do("COMMAND", "DOCS", "get", "set", "lpush", "client"))
		if md.Type != rd.Type || len(md.Elems) != len(rd.Elems) {
			t.Fatalf("resp%d COMMAND DOCS: redisk type %q len %d, redis type %q len %d", proto, md.Type, len(md.Elems), rd.Type, len(rd.Elems))
		}
		mm, rm := md.Map(), rd.Map()
		for name, rdoc := range rm {
			mdoc, ok := mm[name]
			if !ok {
				t.Errorf("resp%d COMMAND DOCS lacks %s", proto, name)
				continue
			}
			if mdoc.Type != rdoc.Type {
				t.Errorf("resp%d COMMAND DOCS %s type %q, redis %q", proto, name, mdoc.Type, rdoc.Type)
			}
			// Summaries were reworded in 7.2: only their presence is checked.
			for _, f := range []string{"since", "group"} {
				if mdoc.Map()[f].Str != rdoc.Map()[f].Str {
					t.Errorf("resp%d COMMAND DOCS %s %s: redisk %q, redis %q", proto, name, f, mdoc.Map()[f].Str, rdoc.Map()[f].Str)
				}
			}
			for _, f := range []string{"summary", "complexity"} {
				if rdoc.Map()[f].Str != "" && mdoc.Map()[f].Str == "" {
					t.Errorf("resp%d COMMAND DOCS %s: redisk has no %s, redis %q", proto, name, f, rdoc.Map()[f].Str)
				}
			}
			if _, ok := rdoc.Map()["arguments"]; ok && name != "client" {
				if _, ok := mdoc.Map()["arguments"]; !ok {
					t.Errorf("resp%d COMMAND DOCS %s has no arguments (redis-cli uses them for hints)", proto, name)
				}
			}
		}
	}
}

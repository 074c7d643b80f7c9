package commands

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"redisk/engine"
	"redisk/shard"
)

func init() {
	g := "server"
	register(
		&Command{Name: "info", Arity: -1, Flags: FlagLoading | FlagStale, Group: g, Since: "1.0.0", Summary: "Returns information and statistics about the server.", Complexity: "O(1)", Run: infoCommand},
		&Command{Name: "dbsize", Arity: 1, Flags: FlagReadonly | FlagFast, Group: g, Since: "1.0.0", Summary: "Returns the number of keys in the database.", Complexity: "O(1)", Run: dbsizeCommand},
		&Command{Name: "flushdb", Arity: -1, Flags: FlagWrite, Group: g, Since: "1.0.0", Summary: "Removes all keys from the current database.", Complexity: "O(N) where N is the number of keys in the selected database", Run: flushCommand},
		&Command{Name: "flushall", Arity: -1, Flags: FlagWrite, Group: g, Since: "1.0.0", Summary: "Removes all keys from all databases.", Complexity: "O(N) where N is the total number of keys in all databases", Run: flushCommand},
		&Command{Name: "time", Arity: 1, Flags: FlagLoading | FlagStale | FlagFast, Group: g, Since: "2.6.0", Summary: "Returns the server time.", Complexity: "O(1)", Run: timeCommand},
		&Command{Name: "swapdb", Arity: 3, Flags: FlagWrite | FlagFast, Group: g, Since: "4.0.0", Summary: "Swaps two Redis databases.", Complexity: "O(N) where N is the count of clients watching or blocking on keys from both databases.", Run: swapdbCommand},
		&Command{Name: "lastsave", Arity: 1, Flags: FlagLoading | FlagStale | FlagFast, Group: g, Since: "1.0.0", Summary: "Returns the Unix timestamp of the last successful save to disk.", Complexity: "O(1)", Run: lastsaveCommand},
		&Command{Name: "save", Arity: 1, Flags: FlagAdmin | FlagNoScript | FlagNoMulti, Group: g, Since: "1.0.0", Summary: "Synchronously saves the database(s) to disk.", Complexity: "O(N) where N is the total number of keys in all databases", Run: saveCommand},
		&Command{Name: "bgsave", Arity: -1, Flags: FlagAdmin | FlagNoScript, Group: g, Since: "1.0.0", Summary: "Asynchronously saves the database(s) to disk.", Complexity: "O(N) where N is the total number of keys in all databases", Run: saveCommand},
		&Command{Name: "shutdown", Arity: -1, Flags: FlagAdmin | FlagNoScript | FlagLoading | FlagStale | FlagNoMulti | FlagAllowBusy, Group: g, Since: "1.0.0", Summary: "Synchronously saves the database(s) to disk and shuts down the Redis server.", Complexity: "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)", Run: shutdownCommand},
		&Command{Name: "config", Arity: -2, Group: g, Since: "2.0.0", Summary: "A container for server configuration commands."},
		&Command{Name: "config|get", Arity: -3, Flags: FlagAdmin | FlagNoScript | FlagLoading | FlagStale, Since: "2.0.0", Summary: "Returns the effective values of configuration parameters.", Complexity: "O(N) when N is the number of configuration parameters provided", Run: configGetCommand},
		&Command{Name: "config|set", Arity: -4, Flags: FlagAdmin | FlagNoScript | FlagLoading | FlagStale, Since: "2.0.0", Summary: "Sets configuration parameters in-flight.", Complexity: "O(N) when N is the number of configuration parameters provided", Run: configSetCommand},
		&Command{Name: "config|resetstat", Arity: 2, Flags: FlagAdmin | FlagNoScript | FlagLoading | FlagStale, Since: "2.0.0", Summary: "Resets the server's statistics.", Complexity: "O(1)", Run: configResetstatCommand},
		&Command{Name: "config|rewrite", Arity: 2, Flags: FlagAdmin | FlagNoScript | FlagLoading | FlagStale, Since: "2.8.0", Summary: "Persists the effective configuration to file.", Complexity: "O(1)", Run: func(c *Ctx) { c.errorReply("ERR Rewriting config file: not supported by redisk") }},
	)
}

var runID = func() string {
	b := make([]byte, 20)
	rand.Read(b)
	return hex.EncodeToString(b)
}()

// DBSIZE
func dbsizeCommand(c *Ctx) {
	n, _, err := c.dbCounts()
	if c.ok(err) {
		c.W.Int(n)
	}
}

// FLUSHDB [ASYNC | SYNC] / FLUSHALL [ASYNC | SYNC]
func flushCommand(c *Ctx) {
	if len(c.Args) > 2 || (len(c.Args) == 2 && !isArg(c.Args[1], "async") && !isArg(c.Args[1], "sync")) {
		c.errorReply(errSyntax)
		return
	}
	all := c.cmd.Name == "flushall"
	if err := c.allErr(func(m *shard.Multi) error {
		if all {
			for db := 0; db < c.srv.Data.Databases(); db++ {
				c.touchFlushed(m, db)
			}
		} else {
			c.touchFlushed(m, c.db())
		}
		for i := 0; i < m.Shards(); i++ {
			tx := m.Shard(i)
			if all {
				tx.FlushAll()
			} else {
				tx.Flush()
			}
		}
		return nil
	}); err != nil {
		c.fail(err)
		return
	}
	c.W.OK()
}

// TIME
func timeCommand(c *Ctx) {
	now := time.Now()
	c.W.Array(2)
	c.W.BulkInt(now.Unix())
	c.W.BulkInt(int64(now.Nanosecond() / 1000))
}

// SWAPDB index1 index2
func swapdbCommand(c *Ctx) {
	a, ok1 := parseInt(c.Args[1])
	if !ok1 {
		c.errorReply("ERR invalid first DB index")
		return
	}
	b, ok2 := parseInt(c.Args[2])
	if !ok2 {
		c.errorReply("ERR invalid second DB index")
		return
	}
	n := int64(c.srv.Data.Databases())
	if a < 0 || a >= n || b < 0 || b >= n {
		c.errorReply(errDBIndex)
		return
	}
	if err := c.allErr(func(m *shard.Multi) error {
		c.touchFlushed(m, int(a), int(b))
		m.Swap(int(a), int(b))
		return nil
	}); err != nil {
		c.fail(err)
		return
	}
	c.W.OK()
}

// LASTSAVE
func lastsaveCommand(c *Ctx) {
	var last int64
	for _, st := range c.srv.Data.Stores() {
		last = max(last, st.LastSave())
	}
	c.W.Int(last)
}

// SAVE / BGSAVE: checkpoint every shard's WAL into its file.
func saveCommand(c *Ctx) {
	save := func() error {
		for _, st := range c.srv.Data.Stores() {
			if err := st.Checkpoint(); err != nil {
				return err
			}
		}
		return nil
	}
	if c.cmd.Name == "bgsave" {
		go save()
		c.W.Status("Background saving started")
		return
	}
	if err := save(); err != nil {
		c.fail(&engine.Internal{Err: err})
		return
	}
	c.W.OK()
}

// SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]
func shutdownCommand(c *Ctx) {
	for _, a := range c.Args[1:] {
		switch strings.ToLower(string(a)) {
		case "nosave", "save", "now", "force":
		case "abort":
			c.errorReply("ERR No shutdown in progress.")
			return
		default:
			c.errorReply(errSyntax)
			return
		}
	}
	if c.srv.Shutdown == nil {
		c.errorReply("ERR Errors trying to SHUTDOWN. Check logs.")
		return
	}
	c.conn.CloseAfterReply = true
	c.srv.Shutdown()
}

// CONFIG GET parameter [parameter ...]
func configGetCommand(c *Ctx) {
	// An exact name is echoed as given; a glob answers canonical names.
	type pair struct{ shown, name string }
	var out []pair
	seen := map[string]bool{}
	for _, pat := range c.Args[2:] {
		if !strings.ContainsAny(string(pat), "*?[") {
			name := strings.ToLower(string(pat))
			if _, ok := directives[name]; ok && !seen[name] {
				seen[name] = true
				out = append(out, pair{string(pat), name})
			}
			continue
		}
		var names []string
		for name := range directives {
			if engine.Match(pat, []byte(name), true) && !seen[name] {
				names = append(names, name)
			}
		}
		slices.Sort(names)
		for _, n := range names {
			seen[n] = true
			out = append(out, pair{n, n})
		}
	}
	c.W.Map(len(out))
	for _, p := range out {
		c.W.BulkString(p.shown)
		c.W.BulkString(c.srv.Cfg.Get(p.name))
	}
}

// CONFIG SET parameter value [parameter value ...]
func configSetCommand(c *Ctx) {
	if len(c.Args)%2 != 0 {
		c.errorReply(errSyntax)
		return
	}
	seen := map[string]bool{}
	for i := 2; i < len(c.Args); i += 2 {
		name := strings.ToLower(string(c.Args[i]))
		if _, ok := directives[name]; !ok {
			c.errorReply(fmt.Sprintf("ERR Unknown option or number of arguments for CONFIG SET - '%s'", c.Args[i]))
			return
		}
		if seen[name] {
			c.errorReply(fmt.Sprintf("ERR CONFIG SET failed (possibly related to argument '%s') - duplicate parameter", c.Args[i]))
			return
		}
		seen[name] = true
	}
	// All or nothing: check every value before applying any.
	for i := 2; i < len(c.Args); i += 2 {
		if err := validate(strings.ToLower(string(c.Args[i])), string(c.Args[i+1]), false); err != nil {
			c.errorReply(fmt.Sprintf("ERR CONFIG SET failed (possibly related to argument '%s') - %v", c.Args[i], err))
			return
		}
	}
	for i := 2; i < len(c.Args); i += 2 {
		name := strings.ToLower(string(c.Args[i]))
		if err := c.srv.Cfg.set(name, string(c.Args[i+1]), false); err != nil {
			c.errorReply(fmt.Sprintf("ERR CONFIG SET failed (possibly related to argument '%s') - %v", c.Args[i], err))
			return
		}
		c.srv.applyConfig(name)
	}
	c.W.OK()
}

// applyConfig makes a changed setting take effect.
func (s *Server) applyConfig(name string) {
	switch name {
	case "maxclients":
		s.Net.MaxClients = int(s.Cfg.Int("maxclients"))
	case "proto-max-bulk-len":
		s.Net.MaxBulkLen = int(s.Cfg.Int("proto-max-bulk-len"))
	case "loglevel":
		LogLevel.Set(s.Cfg.SlogLevel())
	case "appendfsync":
		for _, st := range s.Data.Stores() {
			if err := st.SetSync(s.Cfg.Sync()); err != nil {
				slog.Error("changing appendfsync", "err", err)
			}
		}
	}
}

// CONFIG RESETSTAT
func configResetstatCommand(c *Ctx) {
	c.srv.commands.Store(0)
	c.srv.errors.Store(0)
	c.srv.resetTime.Store(time.Now().Unix())
	c.srv.errMu.Lock()
	c.srv.errStats = nil
	c.srv.errMu.Unlock()
	for _, st := range c.srv.Data.Stores() {
		st.Hits.Store(0)
		st.Misses.Store(0)
	}
	c.W.OK()
}

// INFO [section [section ...]]
func infoCommand(c *Ctx) {
	want := map[string]bool{}
	for _, a := range c.Args[1:] {
		want[strings.ToLower(string(a))] = true
	}
	all := len(want) == 0 || want["all"] || want["default"] || want["everything"]
	var b strings.Builder
	section := func(name string, lines ...string) {
		if !all && !want[strings.ToLower(name)] {
			return
		}
		if b.Len() > 0 {
			b.WriteString("\r\n")
		}
		b.WriteString("# " + name + "\r\n")
		for _, l := range lines {
			b.WriteString(l + "\r\n")
		}
	}
	s := c.srv
	now := time.Now()
	up := now.Sub(s.Start)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rss := readRSS()
	var disk int64
	for _, st := range s.Data.Stores() {
		for _, suf := range []string{"", "-wal"} {
			if fi, err := os.Stat(st.Path() + suf); err == nil {
				disk += fi.Size()
			}
		}
	}
	var uname syscall.Utsname
	syscall.Uname(&uname)
	osName := utsString(uname.Sysname[:]) + " " + utsString(uname.Release[:]) + " " + utsString(uname.Machine[:])
	exe, _ := os.Executable()
	section("Server",
		"redis_version:"+Version, "redis_git_sha1:00000000", "redis_git_dirty:0", "redis_build_id:0",
		"redis_mode:standalone", "os:"+osName, "arch_bits:64", "monotonic_clock:POSIX clock_gettime",
		"multiplexing_api:epoll", "atomicvar_api:c11-builtin", "gcc_version:0.0.0",
		"process_id:"+strconv.Itoa(os.Getpid()), "process_supervised:no", "run_id:"+runID,
		"tcp_port:"+s.Cfg.Get("port"), fmt.Sprintf("server_time_usec:%d", now.UnixMicro()),
		fmt.Sprintf("uptime_in_seconds:%d", int64(up.Seconds())), fmt.Sprintf("uptime_in_days:%d", int64(up.Hours()/24)),
		"hz:10", "configured_hz:10", fmt.Sprintf("lru_clock:%d", now.Unix()&(1<<24-1)),
		"executable:"+exe, "config_file:", "io_threads_active:0",
		"redisk_shards:"+strconv.Itoa(len(s.Data.Stores())), "redisk_go_version:"+runtime.Version())
	section("Clients",
		fmt.Sprintf("connected_clients:%d", s.Net.NumClients()), "cluster_connections:0",
		"maxclients:"+s.Cfg.Get("maxclients"), "client_recent_max_input_buffer:0",
		"client_recent_max_output_buffer:0", fmt.Sprintf("blocked_clients:%d", s.blocked.Load()), "tracking_clients:0",
		"clients_in_timeout_table:0")
	var cache engine.CacheStats
	var cacheHits, cacheMisses int64
	for _, st := range s.Data.Stores() {
		cs := st.CacheStats()
		cache.Keys += cs.Keys
		cache.Bytes += cs.Bytes
		cache.Max += cs.Max
		cacheHits += st.CacheHits.Load()
		cacheMisses += st.CacheMisses.Load()
	}
	section("Memory",
		fmt.Sprintf("used_memory:%d", ms.HeapAlloc), "used_memory_human:"+human(int64(ms.HeapAlloc)),
		fmt.Sprintf("used_memory_rss:%d", rss), "used_memory_rss_human:"+human(rss),
		fmt.Sprintf("used_memory_peak:%d", ms.HeapSys), "used_memory_peak_human:"+human(int64(ms.HeapSys)),
		fmt.Sprintf("total_system_memory:%d", totalMemory()),
		"maxmemory:"+strconv.FormatInt(s.Cfg.Int("maxmemory"), 10), "maxmemory_human:"+human(s.Cfg.Int("maxmemory")),
		"maxmemory_policy:"+s.Cfg.Get("maxmemory-policy"),
		fmt.Sprintf("mem_fragmentation_ratio:%.2f", float64(rss)/float64(max(ms.HeapAlloc, 1))),
		"mem_allocator:go", fmt.Sprintf("used_disk:%d", disk), "used_disk_human:"+human(disk),
		fmt.Sprintf("redisk_key_cache_keys:%d", cache.Keys), fmt.Sprintf("redisk_key_cache_bytes:%d", cache.Bytes),
		"redisk_key_cache_bytes_human:"+human(cache.Bytes), fmt.Sprintf("redisk_key_cache_max_bytes:%d", cache.Max))
	var last int64
	for _, st := range s.Data.Stores() {
		last = max(last, st.LastSave())
	}
	section("Persistence",
		"loading:0", "async_loading:0", "current_cow_peak:0", "current_cow_size:0", "current_fork_perc:0.00",
		"current_save_keys_processed:0", "current_save_keys_total:0", "rdb_changes_since_last_save:0",
		"rdb_bgsave_in_progress:0", fmt.Sprintf("rdb_last_save_time:%d", last), "rdb_last_bgsave_status:ok",
		"rdb_last_bgsave_time_sec:-1", "rdb_current_bgsave_time_sec:-1", "rdb_saves:0",
		"aof_enabled:1", "aof_rewrite_in_progress:0", "aof_rewrite_scheduled:0",
		"aof_last_rewrite_time_sec:-1", "aof_current_rewrite_time_sec:-1", "aof_last_bgrewrite_status:ok",
		"aof_rewrites:0", "aof_last_write_status:ok", "aof_last_cow_size:0", "module_fork_in_progress:0",
		"module_fork_last_cow_size:0", "redisk_appendfsync:"+s.Cfg.Get("appendfsync"))
	var commits, writes, hits, misses int64
	for _, st := range s.Data.Stores() {
		commits += st.Commits.Load()
		writes += st.Writes.Load()
		hits += st.Hits.Load()
		misses += st.Misses.Load()
	}
	section("Stats",
		fmt.Sprintf("total_connections_received:%d", s.Net.TotalConnections.Load()),
		fmt.Sprintf("total_commands_processed:%d", s.commands.Load()),
		"instantaneous_ops_per_sec:0", "total_net_input_bytes:0", "total_net_output_bytes:0",
		fmt.Sprintf("rejected_connections:%d", s.Net.Rejected.Load()),
		fmt.Sprintf("expired_keys:%d", s.Data.ExpiredKeys.Load()), "evicted_keys:0",
		fmt.Sprintf("keyspace_hits:%d", hits), fmt.Sprintf("keyspace_misses:%d", misses),
		"pubsub_channels:0", "pubsub_patterns:0", "pubsub_shardchannels:0",
		fmt.Sprintf("total_error_replies:%d", s.errors.Load()),
		fmt.Sprintf("redisk_commits:%d", commits), fmt.Sprintf("redisk_writes:%d", writes),
		fmt.Sprintf("redisk_key_cache_hits:%d", cacheHits), fmt.Sprintf("redisk_key_cache_misses:%d", cacheMisses))
	section("Replication",
		"role:master", "connected_slaves:0", "master_failover_state:no-failover",
		"master_replid:"+runID, "master_replid2:0000000000000000000000000000000000000000",
		"master_repl_offset:0", "second_repl_offset:-1", "repl_backlog_active:0",
		"repl_backlog_size:1048576", "repl_backlog_first_byte_offset:0", "repl_backlog_histlen:0")
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	tv := func(t syscall.Timeval) string { return fmt.Sprintf("%d.%06d", t.Sec, t.Usec) }
	section("CPU",
		"used_cpu_sys:"+tv(ru.Stime), "used_cpu_user:"+tv(ru.Utime),
		"used_cpu_sys_children:0.000000", "used_cpu_user_children:0.000000")
	section("Modules")
	s.errMu.Lock()
	var es []string
	for code, n := range s.errStats {
		es = append(es, fmt.Sprintf("errorstat_%s:count=%d", code, n))
	}
	s.errMu.Unlock()
	slices.Sort(es)
	section("Errorstats", es...)
	section("Cluster", "cluster_enabled:0")
	var ks []string
	saved := c.conn.DB()
	for db := 0; db < s.Data.Databases(); db++ {
		c.conn.SetDB(db)
		if n, e, err := c.dbCounts(); err == nil && n > 0 {
			ks = append(ks, fmt.Sprintf("db%d:keys=%d,expires=%d,avg_ttl=0", db, n, e))
		}
	}
	c.conn.SetDB(saved)
	section("Keyspace", ks...)
	c.W.Verbatim(b.String())
}

func utsString(b []int8) string {
	var s []byte
	for _, c := range b {
		if c == 0 {
			break
		}
		s = append(s, byte(c))
	}
	return string(s)
}

// human formats bytes like Redis's bytesToHuman.
func human(n int64) string {
	f := float64(n)
	switch {
	case f < 1024:
		return fmt.Sprintf("%dB", n)
	case f < 1024*1024:
		return fmt.Sprintf("%.2fK", f/1024)
	case f < 1024*1024*1024:
		return fmt.Sprintf("%.2fM", f/(1024*1024))
	case f < 1024*1024*1024*1024:
		return fmt.Sprintf("%.2fG", f/(1024*1024*1024))
	default:
		return fmt.Sprintf("%.2fT", f/(1024*1024*1024*1024))
	}
}

// readRSS returns the resident set size from /proc.
func readRSS() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

func totalMemory() int64 {
	var si syscall.Sysinfo_t
	if syscall.Sysinfo(&si) != nil {
		return 0
	}
	return int64(si.Totalram) * int64(si.Unit)
}

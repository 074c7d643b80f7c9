package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// result is one data set (the baseline or the full one): its server and what
// was measured on it.
type result struct {
	keys     int64
	colls    []collection
	members  int64
	pid      int
	managed  bool // started (and restarted) by this tool
	cmdline  string
	startup0 time.Duration // startup on the empty directory

	addr, dataDir, runDir string
	srv                   *server

	dirEmpty, dirStrings, dirAll, dirStopped int64
	stringsTime, collsTime                   time.Duration
	memLoad, memBench, memRestart            memory
	dbsize, dbsizeRestart                    int64
	sizes                                    map[string]int64
	samples                                  map[string][]float64 // req/s of each round, by test
	rps                                      map[string]float64   // median of samples
	benchCmds                                []string
	shutdown, startup, shutdown2             time.Duration
	cpuAfterStart                            time.Duration // server CPU from exec to -idle after it
	logProblems                              []string
}

func (r *result) label() string {
	return count(r.keys) + " keys"
}

// run loads every data set (the baseline, if any, then the full one), keeping
// each server up; measures throughput on all of them in interleaved rounds,
// so that load from other work on the machine hits both sizes alike; then
// restarts each server on its data. It returns the report.
func run(cfg *config) (string, []*result, error) {
	started := time.Now()
	load0 := loadavg()
	var srvNote, bin, base string
	if cfg.addr == "" {
		parent := cfg.workdir
		if parent == "" {
			parent = os.TempDir()
		}
		var err error
		if base, err = os.MkdirTemp(parent, "bench-load-"); err != nil {
			return "", nil, err
		}
		if !cfg.keep {
			atCleanup(func() { os.RemoveAll(base) })
		}
		switch {
		case cfg.serverCmd != "":
			srvNote = "`" + cfg.serverCmd + "`"
		case cfg.bin != "":
			bin, srvNote = cfg.bin, "redisk, prebuilt binary "+cfg.bin
		default:
			cfg.logf("building redisk")
			b, note, err := buildRedisk(cfg, base)
			if err != nil {
				return "", nil, err
			}
			bin, srvNote = b, "redisk, "+note
		}
	} else {
		srvNote = "running server at " + cfg.addr
	}

	type plan struct{ keys, members int64 }
	plans := []plan{{cfg.keys, cfg.members}}
	if cfg.baseline > 0 && cfg.baseline < cfg.keys {
		m := cfg.members * cfg.baseline / cfg.keys
		if m < 1 && cfg.members > 0 {
			m = 1
		}
		plans = []plan{{cfg.baseline, m}, plans[0]}
	}
	var rs []*result
	defer func() {
		for _, r := range rs {
			r.close(cfg)
		}
	}()
	fail := func(err error) (string, []*result, error) {
		for _, r := range rs {
			r.close(cfg)
		}
		return report(cfg, rs, srvNote, started, load0), rs, err
	}
	for i, p := range plans {
		cfg.logf("data set %d/%d: %s keys of %d B, %d collections of %s members", i+1, len(plans), count(p.keys), cfg.valueSize, cfg.collections, count(p.members))
		r := &result{keys: p.keys, members: p.members, colls: collections(cfg.collections, cfg.kinds),
			sizes: map[string]int64{}, samples: map[string][]float64{}, rps: map[string]float64{}}
		if p.members == 0 {
			r.colls = nil
		}
		rs = append(rs, r)
		if err := load(cfg, r, bin, base); err != nil {
			return fail(err)
		}
	}
	if err := throughput(cfg, rs); err != nil {
		return fail(err)
	}
	for _, r := range rs {
		if err := restart(cfg, r); err != nil {
			return fail(err)
		}
	}
	for _, r := range rs {
		r.close(cfg)
	}
	rep := report(cfg, rs, srvNote, started, load0)
	if cfg.out != "-" {
		out := cfg.out
		if out == "" {
			root, err := moduleRoot()
			if err != nil {
				root = "."
			}
			out = filepath.Join(root, "benchmarks", "out", "load-"+time.Now().UTC().Format("20060102-150405")+".md")
		}
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err == nil {
			if err := os.WriteFile(out, []byte(rep), 0o644); err == nil {
				cfg.logf("report written to %s", out)
			}
		}
	}
	return rep, rs, nil
}

// close stops r's server (if this tool started it), collects its log's
// warnings and removes its data unless -keep. Safe to call twice.
func (r *result) close(cfg *config) {
	if r.srv == nil {
		return
	}
	r.srv.stop(time.Minute)
	r.logProblems = r.srv.logProblems()
	if !cfg.keep {
		os.RemoveAll(r.runDir)
	}
	r.srv = nil
}

// load starts a server for r (or uses -addr), loads r's data set and
// measures sizes and memory. The server stays up.
func load(cfg *config, r *result, bin, base string) error {
	r.addr, r.dataDir = cfg.addr, cfg.dataDir
	if r.addr == "" {
		r.managed = true
		var err error
		if r.runDir, err = os.MkdirTemp(base, fmt.Sprintf("keys-%d-", r.keys)); err != nil {
			return err
		}
		r.dataDir = filepath.Join(r.runDir, "data")
		if err := os.Mkdir(r.dataDir, 0o755); err != nil {
			return err
		}
		port, err := freePort(7200, 7299)
		if err != nil {
			return err
		}
		r.addr = "127.0.0.1:" + strconv.Itoa(port)
		cmdline := cfg.serverCmd
		if cmdline == "" {
			cmdline = shellQuote(bin) + " --bind 127.0.0.1 --port {port} --dir {dir}"
			if cfg.appendfsync != "" {
				cmdline += " --appendfsync " + shellQuote(cfg.appendfsync)
			}
			if cfg.shards > 0 {
				cmdline += " --shards " + strconv.Itoa(cfg.shards)
			}
		}
		r.cmdline = cmdline
		cmdline = strings.ReplaceAll(cmdline, "{port}", strconv.Itoa(port))
		cmdline = strings.ReplaceAll(cmdline, "{dir}", shellQuote(r.dataDir))
		r.srv = &server{cmdline: cmdline, dir: r.dataDir, runDir: r.runDir, addr: r.addr}
		atCleanup(r.srv.kill)
		if r.startup0, err = r.srv.start(); err != nil {
			return err
		}
		r.pid = r.srv.pid()
		cfg.logf("server up: pid %d, %s, data %s (startup %s)", r.pid, r.addr, r.dataDir, r.startup0.Round(time.Millisecond))
	} else {
		r.pid = cfg.pid
		if r.pid == 0 {
			host := strings.Split(r.addr, ":")[0]
			if host == "127.0.0.1" || host == "localhost" || host == "::1" || host == "[::1]" {
				r.pid = serverPID(r.addr)
			}
		}
	}

	c, err := dial(r.addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if n, err := c.doInt("DBSIZE"); err != nil {
		return err
	} else if n != 0 {
		return fmt.Errorf("the server holds %d keys already; load needs an empty database", n)
	}
	if r.dataDir != "" {
		r.dirEmpty = dirSize(r.dataDir)
	}
	extra := func() string {
		var parts []string
		if m, err := procMemory(r.pid); err == nil {
			parts = append(parts, fmt.Sprintf("RSS %s (peak %s)", mib(m.rss), mib(m.hwm)))
		}
		if r.dataDir != "" {
			parts = append(parts, "data "+mib(dirSize(r.dataDir)))
		}
		return strings.Join(parts, ", ")
	}
	save := func() error {
		if _, err := c.do("SAVE"); err != nil {
			return fmt.Errorf("SAVE: %w", err)
		}
		return nil
	}

	if r.keys > 0 {
		value := make([]byte, cfg.valueSize)
		for i := range value {
			value[i] = 'a' + byte(i%26)
		}
		p := newProgress(cfg.stderr, cfg.every, "strings", r.keys, "keys", extra)
		err := loadStrings(r.addr, r.keys, value, cfg.conns, cfg.pipeline, p)
		r.stringsTime = p.end()
		if err != nil {
			return err
		}
		if err := save(); err != nil {
			return err
		}
		if r.dataDir != "" {
			r.dirStrings = dirSize(r.dataDir)
		}
	}
	if len(r.colls) > 0 {
		p := newProgress(cfg.stderr, cfg.every, "collections", r.members*int64(len(r.colls)), "members", extra)
		err := loadCollections(r.addr, r.colls, r.members, cfg.batch, cfg.conns, cfg.pipeline, p)
		r.collsTime = p.end()
		if err != nil {
			return err
		}
		if err := save(); err != nil {
			return err
		}
	}
	if r.dataDir != "" {
		r.dirAll = dirSize(r.dataDir)
	}
	r.memLoad, _ = procMemory(r.pid)

	// Check that everything arrived.
	if r.dbsize, err = c.doInt("DBSIZE"); err != nil {
		return err
	}
	if want := r.keys + int64(len(r.colls)); r.dbsize != want {
		return fmt.Errorf("DBSIZE is %d after loading, want %d", r.dbsize, want)
	}
	for _, col := range r.colls {
		n, err := c.doInt(sizeCommand(col.kind), col.key)
		if err != nil {
			return err
		}
		r.sizes[col.key] = n
		if n != r.members {
			return fmt.Errorf("%s %s is %d, want %d", sizeCommand(col.kind), col.key, n, r.members)
		}
	}
	for _, k := range []int64{0, r.keys / 2, r.keys - 1} {
		if r.keys == 0 {
			break
		}
		v, err := c.do("GET", string(appendKey(nil, "key:", k)))
		if s, ok := v.(string); err != nil || !ok || len(s) != cfg.valueSize {
			return fmt.Errorf("GET %s: %v %v, want a %d-byte value", appendKey(nil, "key:", k), v, err, cfg.valueSize)
		}
	}
	cfg.logf("loaded: DBSIZE %d, %d collections of %s members", r.dbsize, len(r.colls), count(r.members))
	return nil
}

// throughputTests are the tests that apply to what was loaded.
func throughputTests(cfg *config, r *result) []throughputTest {
	var names []string
	if r.keys > 0 {
		names = append(names, "GET")
	}
	if len(zsets(r)) > 0 {
		names = append(names, "ZRANGEBYSCORE")
	}
	var out []throughputTest
	for _, n := range names {
		out = append(out, throughputTest{n, 1})
		if cfg.benchPipeline > 1 {
			out = append(out, throughputTest{n, cfg.benchPipeline})
		}
	}
	return out
}

func zsets(r *result) []string {
	var out []string
	for _, c := range r.colls {
		if c.kind == "zset" {
			out = append(out, c.key)
		}
	}
	return out
}

// throughput runs every test on every data set for -rounds rounds, rotating
// which data set goes first, and keeps the median of the rounds.
func throughput(cfg *config, rs []*result) error {
	for round := 0; round < cfg.rounds; round++ {
		for _, t := range throughputTests(cfg, rs[len(rs)-1]) {
			for k := range rs {
				r := rs[(k+round)%len(rs)]
				if !slices.Contains(throughputTests(cfg, r), t) {
					continue
				}
				rps, err := measure(cfg, r, t)
				if err != nil {
					return fmt.Errorf("%s keys, %s: %w", count(r.keys), t, err)
				}
				r.samples[t.String()] = append(r.samples[t.String()], rps)
				cfg.logf("round %d/%d, %s keys, %s: %s req/s", round+1, cfg.rounds, count(r.keys), t, count(int64(rps)))
			}
		}
	}
	for _, r := range rs {
		for k, v := range r.samples {
			r.rps[k] = median(v)
		}
		r.memBench, _ = procMemory(r.pid)
	}
	return nil
}

func measure(cfg *config, r *result, t throughputTest) (float64, error) {
	if cfg.redisBenchmark {
		zs := ""
		if z := zsets(r); len(z) > 0 {
			zs = z[0]
		}
		rps, cmd, err := benchRedisBenchmark(r.addr, t, cfg.benchConns, cfg.benchRequests, r.keys, zs, r.members, 10*time.Minute)
		if cmd != "" && !slices.Contains(r.benchCmds, cmd) {
			r.benchCmds = append(r.benchCmds, cmd)
		}
		return rps, err
	}
	gen := genGet(r.keys)
	if t.name == "ZRANGEBYSCORE" {
		gen = genZrange(zsets(r), r.members)
	}
	return benchInTool(r.addr, cfg.benchConns, t.pipeline, cfg.benchTime, gen)
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// restart stops r's server, starts it again on the loaded data and times
// both; then it lets the server idle for -idle and records the CPU time it
// used since exec (a scan of the data at start would show here, even if it
// ran after the first PONG), and stops it again.
func restart(cfg *config, r *result) error {
	if r.srv == nil {
		return nil
	}
	var err error
	if r.shutdown, err = r.srv.stop(5 * time.Minute); err != nil {
		return err
	}
	r.dirStopped = dirSize(r.dataDir)
	cfg.logf("%s keys: stopped in %s; restarting on the loaded data", count(r.keys), r.shutdown.Round(time.Millisecond))
	if r.startup, err = r.srv.start(); err != nil {
		return err
	}
	r.pid = r.srv.pid()
	r.memRestart, _ = procMemory(r.pid)
	c, err := dial(r.addr)
	if err != nil {
		return err
	}
	r.dbsizeRestart, err = c.doInt("DBSIZE")
	c.Close()
	if err != nil {
		return err
	}
	if r.dbsizeRestart != r.dbsize {
		return fmt.Errorf("DBSIZE is %d after the restart, %d before", r.dbsizeRestart, r.dbsize)
	}
	time.Sleep(cfg.idle)
	r.cpuAfterStart, _ = procCPU(r.pid)
	if r.shutdown2, err = r.srv.stop(5 * time.Minute); err != nil {
		return err
	}
	cfg.logf("%s keys: restarted in %s, DBSIZE %d, %s CPU in the first %s, stopped again in %s", count(r.keys),
		r.startup.Round(time.Millisecond), r.dbsizeRestart, r.cpuAfterStart, cfg.idle, r.shutdown2.Round(time.Millisecond))
	return nil
}

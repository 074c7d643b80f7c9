// Command load fills a server with many keys and large collections and
// measures what issue 5 asks about data larger than memory: load time, peak
// RSS, bytes on disk per key, GET and ZRANGEBYSCORE throughput at this size
// against a small baseline, and the time a restart takes on the loaded data.
//
//	go run ./benchmarks/load                          # 10M keys × 100 B + 10 collections × 1M, baseline 100k
//	go run ./benchmarks/load -keys 1000000 -value-size 3 -collections 0 -baseline 0
//	go run ./benchmarks/load -help
//
// By default it builds redisk from the working tree (-head: from the
// committed HEAD; -bin: a prebuilt binary; -server-cmd: any server), starts
// it on a fresh data directory under -workdir (default $TMPDIR or /tmp) and a
// free port in 7200-7299, and removes both at the end unless -keep. The
// report goes to stdout and benchmarks/out/load-STAMP.md; progress to stderr.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

type config struct {
	keys        int64
	valueSize   int
	collections int
	members     int64
	kinds       []string
	conns       int
	pipeline    int
	batch       int
	baseline    int64

	benchTime      time.Duration
	rounds         int
	idle           time.Duration
	benchConns     int
	benchPipeline  int
	redisBenchmark bool
	benchRequests  int

	bin         string
	head        bool
	serverCmd   string
	shards      int
	appendfsync string
	addr        string
	pid         int
	dataDir     string
	workdir     string
	keep        bool
	out         string
	every       time.Duration
	args        []string // the command line, for the report

	stderr io.Writer
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(2)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		s := <-sig
		fmt.Fprintf(os.Stderr, "\nload: %s: stopping servers and removing data\n", s)
		runCleanups()
		os.Exit(130)
	}()
	report, _, err := run(cfg)
	runCleanups()
	if report != "" {
		fmt.Print(report)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (*config, error) {
	cfg := &config{stderr: os.Stderr, args: args}
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.Int64Var(&cfg.keys, "keys", 10_000_000, "string keys to load (key:000000000000 ...)")
	fs.IntVar(&cfg.valueSize, "value-size", 100, "bytes per string value")
	fs.IntVar(&cfg.collections, "collections", 10, "collections to load, cycling through -types (10 → 3 lists, 3 hashes, 2 sets, 2 zsets)")
	fs.Int64Var(&cfg.members, "members", 1_000_000, "members per collection")
	types := fs.String("types", "list,hash,set,zset", "collection kinds, cycled")
	fs.IntVar(&cfg.conns, "conns", 8, "load connections")
	fs.IntVar(&cfg.pipeline, "pipeline", 64, "commands per pipelined batch while loading")
	fs.IntVar(&cfg.batch, "batch", 100, "members per RPUSH/HSET/SADD/ZADD while loading")
	fs.Int64Var(&cfg.baseline, "baseline", 100_000, "first run the same test at this many keys (collections scaled alike) and report the ratios; 0: no baseline")
	fs.DurationVar(&cfg.benchTime, "bench-time", 5*time.Second, "duration of each in-tool throughput test")
	fs.IntVar(&cfg.rounds, "rounds", 3, "rounds of throughput tests, alternating between the data sets; the median is reported")
	fs.DurationVar(&cfg.idle, "idle", 3*time.Second, "after the restart, let the server idle this long and report the CPU it used")
	fs.IntVar(&cfg.benchConns, "bench-conns", 50, "connections of the throughput tests (like redis-benchmark -c)")
	fs.IntVar(&cfg.benchPipeline, "bench-pipeline", 16, "pipeline depth of the pipelined throughput tests (0: none)")
	fs.BoolVar(&cfg.redisBenchmark, "redis-benchmark", false, "measure throughput with redis-benchmark instead of the in-tool client")
	fs.IntVar(&cfg.benchRequests, "bench-requests", 200_000, "requests per redis-benchmark run (-n)")
	fs.StringVar(&cfg.bin, "bin", "", "redisk binary (default: build one from the working tree)")
	fs.BoolVar(&cfg.head, "head", false, "build redisk from the committed HEAD (git archive) instead of the working tree")
	fs.StringVar(&cfg.serverCmd, "server-cmd", "", "start this server instead of redisk (bash command line; {port} and {dir} are replaced)")
	fs.IntVar(&cfg.shards, "shards", 0, "pass --shards N to redisk (0: its default)")
	fs.StringVar(&cfg.appendfsync, "appendfsync", "", "pass --appendfsync LEVEL to redisk (default: its default, everysec)")
	fs.StringVar(&cfg.addr, "addr", "", "use this running server (host:port) instead of starting one: no baseline, no restart")
	fs.IntVar(&cfg.pid, "pid", 0, "with -addr: the server's pid for RSS (default: INFO process_id)")
	fs.StringVar(&cfg.dataDir, "data-dir", "", "with -addr: the server's data directory, for its size")
	fs.StringVar(&cfg.workdir, "workdir", "", "parent of the bench-load-* run directories (default $TMPDIR or /tmp)")
	fs.BoolVar(&cfg.keep, "keep", false, "keep the data directories (and leave nothing running)")
	fs.StringVar(&cfg.out, "out", "", "report file (default benchmarks/out/load-STAMP.md; '-': none)")
	fs.DurationVar(&cfg.every, "progress", 0, "progress line interval (default 1s on a terminal, 10s otherwise)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: go run ./benchmarks/load [flags]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	for _, k := range strings.Split(*types, ",") {
		if k = strings.TrimSpace(k); k != "" {
			if sizeCommand(k) == "" {
				return nil, fmt.Errorf("unknown collection type %q (list, hash, set, zset)", k)
			}
			cfg.kinds = append(cfg.kinds, k)
		}
	}
	switch {
	case cfg.keys < 0 || cfg.members < 0 || cfg.collections < 0 || cfg.baseline < 0:
		return nil, errors.New("counts must not be negative")
	case cfg.keys == 0 && (cfg.collections == 0 || cfg.members == 0):
		return nil, errors.New("nothing to load")
	case cfg.valueSize < 1 || cfg.conns < 1 || cfg.pipeline < 1 || cfg.batch < 1 || cfg.benchConns < 1 || cfg.rounds < 1:
		return nil, errors.New("-value-size, -conns, -pipeline, -batch, -bench-conns and -rounds must be positive")
	case cfg.addr != "" && (cfg.bin != "" || cfg.head || cfg.serverCmd != ""):
		return nil, errors.New("-addr uses a running server; -bin, -head and -server-cmd start one")
	}
	if cfg.addr != "" {
		cfg.baseline = 0
	}
	return cfg, nil
}

var (
	cleanupMu sync.Mutex
	cleanups  []func()
)

func atCleanup(f func()) {
	cleanupMu.Lock()
	cleanups = append(cleanups, f)
	cleanupMu.Unlock()
}

func runCleanups() {
	cleanupMu.Lock()
	fs := cleanups
	cleanups = nil
	cleanupMu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
}

func (cfg *config) logf(format string, a ...any) {
	fmt.Fprintf(cfg.stderr, "[%s] %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, a...))
}

// moduleRoot is the directory of redisk's go.mod.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside the redisk module (run from the repository)")
	}
	return filepath.Dir(gomod), nil
}

// buildRedisk builds the server into dir and says what was built.
func buildRedisk(cfg *config, dir string) (bin, note string, err error) {
	root, err := moduleRoot()
	if err != nil {
		return "", "", err
	}
	rev := "unknown"
	if out, err := exec.Command("git", "-C", root, "rev-parse", "--short", "HEAD").Output(); err == nil {
		rev = strings.TrimSpace(string(out))
	}
	src := root
	note = "working tree at " + rev
	if cfg.head {
		src = filepath.Join(dir, "src")
		if err := os.Mkdir(src, 0o755); err != nil {
			return "", "", err
		}
		c := exec.Command("bash", "-c", "git -C "+shellQuote(root)+" archive HEAD | tar -x -C "+shellQuote(src))
		if out, err := c.CombinedOutput(); err != nil {
			return "", "", fmt.Errorf("git archive HEAD: %v\n%s", err, out)
		}
		note = "commit " + rev + " (git archive HEAD)"
	} else if out, _ := exec.Command("git", "-C", root, "status", "--porcelain", "--untracked-files=no").Output(); len(out) > 0 {
		note += " + uncommitted changes"
	}
	bin = filepath.Join(dir, "redisk")
	c := exec.Command("go", "build", "-o", bin, ".")
	c.Dir = src
	if out, err := c.CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, note, nil
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=,+@", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func mib(b int64) string {
	switch {
	case b >= 10<<30:
		return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
	case b >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(b)/(1<<30))
	}
	return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func machine(dir string) string {
	model := "?"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	mem := "?"
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if f := strings.Fields(l); len(f) >= 2 && f[0] == "MemTotal:" {
				kb, _ := strconv.ParseFloat(f[1], 64)
				mem = fmt.Sprintf("%.0f GiB RAM", kb/(1<<20))
			}
		}
	}
	kernel := "?"
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		kernel = strings.TrimSpace(string(b))
	}
	fsType := "?"
	if out, err := exec.Command("findmnt", "-n", "-o", "FSTYPE", "-T", dir).Output(); err == nil {
		fsType = strings.TrimSpace(string(out))
	}
	return fmt.Sprintf("%d CPUs (%s), %s, Linux %s, %s under %s, %s", runtime.NumCPU(), model, mem, kernel, fsType, dir, runtime.Version())
}

// report is the Markdown summary of the runs (baseline first).
func report(cfg *config, rs []*result, srvNote string, started time.Time, load0 string) string {
	if len(rs) == 0 {
		return ""
	}
	var b strings.Builder
	full := rs[len(rs)-1]
	fmt.Fprintf(&b, "## Load test: %s keys × %d B", count(full.keys), cfg.valueSize)
	if len(full.colls) > 0 {
		fmt.Fprintf(&b, " + %d collections × %s members", len(full.colls), count(full.members))
	}
	b.WriteString("\n\n")
	cmd := "go run ./benchmarks/load"
	for _, a := range cfg.args {
		cmd += " " + shellQuote(a)
	}
	workdir := cfg.workdir
	if workdir == "" {
		workdir = os.TempDir()
	}
	fmt.Fprintf(&b, "- date: %s; run time %s\n", started.UTC().Format("2006-01-02 15:04 UTC"), time.Since(started).Round(time.Second))
	fmt.Fprintf(&b, "- command: `%s`\n", cmd)
	fmt.Fprintf(&b, "- server: %s", srvNote)
	if full.cmdline != "" {
		fmt.Fprintf(&b, "; started as `%s`", full.cmdline)
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "- machine: %s\n", machine(workdir))
	fmt.Fprintf(&b, "- load average (1/5/15 min) at start: %s; at end: %s\n", load0, loadavg())
	var kinds []string
	for _, c := range full.colls {
		kinds = append(kinds, c.key)
	}
	fmt.Fprintf(&b, "- load: %d connections, %d pipelined commands per batch; strings `SET key:%%012d <%d B>`", cfg.conns, cfg.pipeline, cfg.valueSize)
	if len(kinds) > 0 {
		fmt.Fprintf(&b, "; collections %s filled by RPUSH/HSET/SADD/ZADD of %d members per command (member j = j as 12 digits, zset score j)", strings.Join(kinds, " "), cfg.batch)
	}
	b.WriteString("\n")
	if cfg.redisBenchmark {
		fmt.Fprintf(&b, "- throughput: redis-benchmark, -c %d -n %d (ZRANGEBYSCORE on the first sorted set only)", cfg.benchConns, cfg.benchRequests)
	} else {
		fmt.Fprintf(&b, "- throughput: in-tool RESP client, %d connections, %s per test; GET of a uniformly random loaded key; ZRANGEBYSCORE of a random sorted set from a uniformly random score to +inf, LIMIT 0 10", cfg.benchConns, cfg.benchTime)
	}
	fmt.Fprintf(&b, "; median of %d rounds", cfg.rounds)
	if len(rs) > 1 {
		b.WriteString(", both data sets' servers up, the tests alternating between them")
	}
	b.WriteString("\n")
	b.WriteString("\n")

	ratioCol := len(rs) == 2
	b.WriteString("| |")
	for _, r := range rs {
		fmt.Fprintf(&b, " %s |", r.label())
	}
	if ratioCol {
		fmt.Fprintf(&b, " %s / %s |", shortCount(rs[1].keys), shortCount(rs[0].keys))
	}
	b.WriteString("\n|---|")
	for range rs {
		b.WriteString("---:|")
	}
	if ratioCol {
		b.WriteString("---:|")
	}
	b.WriteString("\n")
	row := func(name string, cell func(r *result) string, ratio func(r *result) float64) {
		fmt.Fprintf(&b, "| %s |", name)
		for _, r := range rs {
			fmt.Fprintf(&b, " %s |", cell(r))
		}
		if ratioCol {
			s := ""
			if ratio != nil {
				if a, z := ratio(rs[0]), ratio(rs[1]); a > 0 {
					s = fmt.Sprintf("%.2f", z/a)
				}
			}
			fmt.Fprintf(&b, " %s |", s)
		}
		b.WriteString("\n")
	}
	dur := func(d time.Duration) string {
		if d >= 10*time.Second {
			return d.Round(time.Second).String()
		}
		return d.Round(time.Millisecond).String()
	}
	perSec := func(n int64, d time.Duration) string {
		if d <= 0 {
			return "–"
		}
		return count(int64(float64(n) / d.Seconds()))
	}
	managed := full.managed
	haveDir := managed || cfg.dataDir != ""
	haveMem := full.pid > 0
	if full.keys > 0 {
		row("string keys loaded in (keys/s)", func(r *result) string {
			return fmt.Sprintf("%s (%s)", dur(r.stringsTime), perSec(r.keys, r.stringsTime))
		}, nil)
	}
	if len(full.colls) > 0 {
		row("collection members loaded in (members/s)", func(r *result) string {
			n := r.members * int64(len(r.colls))
			return fmt.Sprintf("%s × %s in %s (%s)", count(int64(len(r.colls))), count(r.members), dur(r.collsTime), perSec(n, r.collsTime))
		}, nil)
	}
	if haveMem {
		row("peak RSS after loading (VmHWM)", func(r *result) string { return mib(r.memLoad.hwm) }, nil)
		row("peak RSS after the throughput tests", func(r *result) string { return mib(r.memBench.hwm) }, nil)
	}
	if haveDir {
		row("data dir, empty", func(r *result) string { return mib(r.dirEmpty) }, nil)
		if full.keys > 0 {
			row("data dir after the strings + SAVE", func(r *result) string { return mib(r.dirStrings) }, nil)
			row(fmt.Sprintf("**bytes on disk per string key** (%d B values)", cfg.valueSize), func(r *result) string {
				return fmt.Sprintf("**%.1f**", float64(r.dirStrings-r.dirEmpty)/float64(r.keys))
			}, nil)
		}
		if len(full.colls) > 0 {
			row("data dir after the collections + SAVE", func(r *result) string { return mib(r.dirAll) }, nil)
			row("bytes on disk per collection member", func(r *result) string {
				return fmt.Sprintf("%.1f", float64(r.dirAll-r.dirStrings)/float64(r.members*int64(len(r.colls))))
			}, nil)
		}
		if managed {
			row("data dir after clean shutdown", func(r *result) string { return mib(r.dirStopped) }, nil)
		}
	}
	for _, t := range throughputTests(cfg, full) {
		k := t.String()
		row(k+" req/s", func(r *result) string { return count(int64(r.rps[k])) }, func(r *result) float64 { return r.rps[k] })
	}
	if managed {
		row("shutdown (SIGTERM → exit)", func(r *result) string { return dur(r.shutdown) }, nil)
		row("startup, empty dir (exec → PING)", func(r *result) string { return dur(r.startup0) }, nil)
		row("**startup on the loaded data** (exec → PING)", func(r *result) string { return "**" + dur(r.startup) + "**" },
			func(r *result) float64 { return r.startup.Seconds() })
		row("RSS right after the restart", func(r *result) string { return mib(r.memRestart.rss) }, nil)
		row(fmt.Sprintf("server CPU from exec to %s after the restart, idle", cfg.idle), func(r *result) string { return dur(r.cpuAfterStart) }, nil)
		row("shutdown after the restart", func(r *result) string { return dur(r.shutdown2) }, nil)
		row("DBSIZE (before = after restart)", func(r *result) string { return count(r.dbsizeRestart) }, nil)
	} else {
		row("DBSIZE", func(r *result) string { return count(r.dbsize) }, nil)
	}

	b.WriteString("\nIssue 5's targets:\n\n")
	if haveMem {
		fmt.Fprintf(&b, "- RSS under 200 MB: peak %s → %s\n", mib(full.memBench.hwm), yesNo(full.memBench.hwm < 200e6))
	}
	if len(rs) == 2 {
		for _, t := range throughputTests(cfg, full) {
			k := t.String()
			if a := rs[0].rps[k]; a > 0 {
				q := full.rps[k] / a
				fmt.Fprintf(&b, "- %s at %s keys within 80%% of %s keys: %.2f → %s\n", k, shortCount(full.keys), shortCount(rs[0].keys), q, yesNo(q >= 0.8))
			}
		}
		if managed {
			fmt.Fprintf(&b, "- startup does not grow with the data: %s at %s keys vs %s at %s keys\n",
				dur(full.startup), shortCount(full.keys), dur(rs[0].startup), shortCount(rs[0].keys))
		}
	}
	if len(full.benchCmds) > 0 {
		b.WriteString("\nredis-benchmark command lines:\n\n")
		for _, c := range full.benchCmds {
			fmt.Fprintf(&b, "- `%s`\n", c)
		}
	}
	var probs []string
	for _, r := range rs {
		for _, p := range r.logProblems {
			probs = append(probs, r.label()+": "+p)
		}
	}
	if managed {
		b.WriteString("\nWarnings and errors in the server's log: ")
		if len(probs) == 0 {
			b.WriteString("none\n")
		} else {
			b.WriteString("\n\n")
			for _, p := range probs {
				fmt.Fprintf(&b, "- %s\n", p)
			}
		}
	}
	return b.String()
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

// shortCount writes 100000 as 100k and 10000000 as 10M.
func shortCount(n int64) string {
	switch {
	case n >= 1e6 && n%1e6 == 0:
		return fmt.Sprintf("%dM", n/1e6)
	case n >= 1e3 && n%1e3 == 0:
		return fmt.Sprintf("%dk", n/1e3)
	}
	return count(n)
}

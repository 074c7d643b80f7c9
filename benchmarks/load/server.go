package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// server is a server process this tool started (and may restart).
type server struct {
	cmdline string // bash command line, {port} and {dir} already replaced
	dir     string // data directory
	runDir  string // working directory; server.log lives here
	addr    string
	cmd     *exec.Cmd
	exited  chan struct{}
	logf    *os.File
}

// startServer runs s.cmdline and waits until PING answers; the duration is
// the time from exec to the first PONG.
func (s *server) start() (time.Duration, error) {
	logf, err := os.OpenFile(filepath.Join(s.runDir, "server.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return 0, err
	}
	cmd := exec.Command("bash", "-c", "exec "+s.cmdline)
	cmd.Dir = s.runDir
	cmd.Stdout, cmd.Stderr = logf, logf
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return 0, err
	}
	s.cmd, s.logf, s.exited = cmd, logf, make(chan struct{})
	go func() {
		cmd.Wait()
		close(s.exited)
	}()
	for deadline := t0.Add(10 * time.Minute); time.Now().Before(deadline); {
		select {
		case <-s.exited:
			return 0, fmt.Errorf("server exited during startup: %s\n%s", cmd.ProcessState, s.logTail(20))
		default:
		}
		if c, err := dial(s.addr); err == nil {
			v, err := c.do("PING")
			c.Close()
			if err == nil && v == "PONG" {
				return time.Since(t0), nil
			}
			// LOADING and similar: keep polling.
		}
		time.Sleep(2 * time.Millisecond)
	}
	s.kill()
	return 0, fmt.Errorf("server did not answer PING on %s", s.addr)
}

func (s *server) pid() int {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// stop sends SIGTERM and waits for the process to exit (SIGKILL after
// timeout); it returns how long the clean shutdown took.
func (s *server) stop(timeout time.Duration) (time.Duration, error) {
	if s.cmd == nil {
		return 0, nil
	}
	defer func() { s.cmd = nil; s.logf.Close() }()
	t0 := time.Now()
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
		return time.Since(t0), nil
	case <-time.After(timeout):
		s.cmd.Process.Kill()
		<-s.exited
		return time.Since(t0), fmt.Errorf("server ignored SIGTERM for %s; killed", timeout)
	}
}

func (s *server) kill() {
	if s.cmd != nil {
		s.cmd.Process.Kill()
		<-s.exited
		s.cmd = nil
		s.logf.Close()
	}
}

func (s *server) logTail(n int) string {
	b, _ := os.ReadFile(filepath.Join(s.runDir, "server.log"))
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// logProblems returns the distinct warning/error/panic lines of server.log.
func (s *server) logProblems() []string {
	f, err := os.Open(filepath.Join(s.runDir, "server.log"))
	if err != nil {
		return nil
	}
	defer f.Close()
	seen := map[string]int{}
	var order []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		if !strings.Contains(l, "level=ERROR") && !strings.Contains(l, "level=WARN") &&
			!strings.Contains(l, "panic") && !strings.Contains(l, "fatal") {
			continue
		}
		if i := strings.Index(l, " level="); strings.HasPrefix(l, "time=") && i > 0 {
			l = l[i+1:]
		}
		if seen[l] == 0 {
			order = append(order, l)
		}
		seen[l]++
	}
	out := make([]string, 0, len(order))
	for _, l := range order {
		out = append(out, fmt.Sprintf("%d× %s", seen[l], l))
	}
	return out
}

// memory is a process's resident set now and its peak, in bytes.
type memory struct{ rss, hwm int64 }

// procMemory reads VmRSS and VmHWM from /proc/PID/status.
func procMemory(pid int) (memory, error) {
	var m memory
	if pid <= 0 {
		return m, errors.New("no pid")
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return m, err
	}
	for _, l := range bytes.Split(b, []byte("\n")) {
		f := strings.Fields(string(l))
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			m.rss = kb << 10
		case "VmHWM:":
			m.hwm = kb << 10
		}
	}
	return m, nil
}

// procCPU is the user + system CPU time a process has used (/proc/PID/stat,
// in USER_HZ = 100 ticks per second, as on every Linux this runs on).
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces; fields count from after it.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, errors.New("bad /proc/PID/stat")
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, errors.New("bad /proc/PID/stat")
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64) // field 14: utime
	st, _ := strconv.ParseInt(f[12], 10, 64) // field 15: stime
	return time.Duration(ut+st) * 10 * time.Millisecond, nil
}

// dirSize is what du reports for dir: allocated blocks of every file, in bytes.
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if fi, err := d.Info(); err == nil {
			if st, ok := fi.Sys().(*syscall.Stat_t); ok {
				n += st.Blocks * 512
			} else {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// freePort returns a loopback port in [lo, hi] that nobody listens on.
func freePort(lo, hi int) (int, error) {
	for _, i := range rand.Perm(hi - lo + 1) {
		p := lo + i
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err == nil {
			ln.Close()
			return p, nil
		}
	}
	return 0, fmt.Errorf("no free port in %d-%d", lo, hi)
}

// serverPID asks a running server for its process_id (INFO server).
func serverPID(addr string) int {
	c, err := dial(addr)
	if err != nil {
		return 0
	}
	defer c.Close()
	v, err := c.do("INFO", "server")
	s, ok := v.(string)
	if err != nil || !ok {
		return 0
	}
	for _, l := range strings.Split(s, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "process_id:"); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return 0
}

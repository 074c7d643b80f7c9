// Package compat_test checks redisk against real clients (go-redis,
// redis-cli) and against a real redis-server, comparing raw RESP replies
// byte for byte. It builds the redisk binary once and starts servers on free
// loopback ports with fresh data folders.
package compat_test

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// rediskBin is the path of the redisk binary built by TestMain.
var rediskBin string

// TestMain builds redisk once into a temporary folder, runs the tests and
// removes the folder. REDISK_BIN=/path/to/redisk tests that binary instead
// (for example a release build, or an older commit to check that a test
// catches a bug).
func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

// runMain is TestMain's body, split out so deferred cleanups run before exit.
func runMain(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "redisk-compat-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, "compat_test:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	root, err := filepath.Abs("..")
	if err != nil {
		fmt.Fprintln(os.Stderr, "compat_test:", err)
		return 1
	}
	if bin := os.Getenv("REDISK_BIN"); bin != "" {
		rediskBin = bin
		return m.Run()
	}
	rediskBin = filepath.Join(tmp, "redisk")
	args := []string{"build", "-o", rediskBin}
	if raceBuild {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, ".")...)
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "compat_test: building redisk failed: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// portMu serialises free-port selection so two servers started at once do
// not both pick the same port.
var portMu sync.Mutex

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	portMu.Lock()
	defer portMu.Unlock()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Server is a running redisk or redis-server process started by a test.
type Server struct {
	// Addr is host:port of the server.
	Addr string
	// Port is the TCP port.
	Port int
	// Dir is the data folder (redisk) or working folder (redis-server).
	Dir string

	t      testing.TB
	name   string
	args   []string
	cmd    *exec.Cmd
	waited chan struct{}
	log    *bytes.Buffer
	logMu  *sync.Mutex

	raceReported bool
	// Env holds extra environment variables for the next (re)start.
	Env []string
}

// lockedWriter is an io.Writer safe to share between a process's stdout and
// stderr copiers and a test reading the log.
type lockedWriter struct {
	mu  *sync.Mutex
	buf *bytes.Buffer
}

// Write appends p to the buffer under the lock.
func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

// Log returns what the process wrote to stdout and stderr so far.
func (s *Server) Log() string {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	return s.log.String()
}

// StartRedisk starts the built redisk binary on a free port with a fresh
// temporary data folder; extra are additional command-line arguments
// (for example "--appendfsync", "always"). The process is stopped when the
// test ends.
func StartRedisk(t testing.TB, extra ...string) *Server {
	t.Helper()
	return StartRediskDir(t, t.TempDir(), extra...)
}

// StartRediskDir is StartRedisk with a given data folder.
func StartRediskDir(t testing.TB, dir string, extra ...string) *Server {
	t.Helper()
	return StartRediskEnv(t, dir, nil, extra...)
}

// StartRediskEnv is StartRediskDir with extra environment variables.
func StartRediskEnv(t testing.TB, dir string, env []string, extra ...string) *Server {
	t.Helper()
	port := freePort(t)
	s := &Server{Addr: fmt.Sprintf("127.0.0.1:%d", port), Port: port, Dir: dir, t: t, name: rediskBin, Env: env,
		args: append([]string{"--port", strconv.Itoa(port), "--dir", dir, "--bind", "127.0.0.1"}, extra...)}
	s.start()
	return s
}

// needRedis returns the path of a redis tool (redis-server, redis-cli). When
// it is missing the test is skipped, except under CI=true where it fails.
func needRedis(t testing.TB, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed; CI=true requires it (apt-get install redis-server redis-tools)", tool)
		}
		t.Skipf("%s is not installed, skipping (apt-get install redis-server redis-tools to run this test)", tool)
	}
	return p
}

// StartRedis starts a real redis-server without persistence on a free port.
// It skips the test when redis-server is not installed (fails under CI=true).
func StartRedis(t testing.TB) *Server {
	t.Helper()
	bin := needRedis(t, "redis-server")
	port := freePort(t)
	dir := t.TempDir()
	s := &Server{Addr: fmt.Sprintf("127.0.0.1:%d", port), Port: port, Dir: dir, t: t, name: bin,
		args: []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
			"--dir", dir, "--daemonize", "no"}}
	s.start()
	return s
}

// start launches the process and waits until it answers PING.
func (s *Server) start() {
	t := s.t
	t.Helper()
	if err := s.launch(); err != nil {
		t.Fatalf("starting %s: %v", filepath.Base(s.name), err)
	}
	t.Cleanup(s.Stop)
	if err := s.waitReady(15 * time.Second); err != nil {
		s.Kill9()
		t.Fatalf("%s on %s did not become ready: %v\nlog:\n%s", filepath.Base(s.name), s.Addr, err, s.Log())
	}
}

// launch starts the process without waiting for it to be ready.
func (s *Server) launch() error {
	if s.log == nil {
		s.log, s.logMu = &bytes.Buffer{}, &sync.Mutex{}
	}
	cmd := exec.Command(s.name, s.args...)
	if len(s.Env) > 0 {
		cmd.Env = append(os.Environ(), s.Env...)
	}
	w := lockedWriter{s.logMu, s.log}
	cmd.Stdout, cmd.Stderr = w, w
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	s.cmd = cmd
	s.waited = make(chan struct{})
	go func(done chan struct{}) {
		cmd.Wait()
		close(done)
	}(s.waited)
	return nil
}

// exited reports whether the current process has ended.
func (s *Server) exited() bool {
	select {
	case <-s.waited:
		return true
	default:
		return false
	}
}

// waitReady polls the server with PING until it answers +PONG.
func (s *Server) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	var last error
	for time.Now().Before(deadline) {
		if s.exited() {
			return fmt.Errorf("process exited: %v", s.cmd.ProcessState)
		}
		c, err := net.DialTimeout("tcp", s.Addr, time.Second)
		if err == nil {
			c.SetDeadline(time.Now().Add(2 * time.Second))
			_, err = c.Write([]byte("*1\r\n$4\r\nPING\r\n"))
			if err == nil {
				buf := make([]byte, 7)
				var n int
				n, err = readFull(c, buf)
				if err == nil && string(buf[:n]) == "+PONG\r\n" {
					c.Close()
					return nil
				}
				if err == nil {
					err = fmt.Errorf("unexpected PING reply %q", buf[:n])
				}
			}
			c.Close()
		}
		last = err
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("timeout: %v", last)
}

// readFull reads exactly len(buf) bytes from c.
func readFull(c net.Conn, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := c.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// Kill9 kills the process with SIGKILL and waits for it to end.
func (s *Server) Kill9() {
	if s.cmd == nil || s.exited() {
		return
	}
	s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.waited
}

// Stop asks the process to end with SIGTERM and waits for it, killing it
// after 10 seconds. It is safe to call more than once. Data races that a
// -race build of redisk reported fail the test.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	if !s.exited() {
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.waited:
		case <-time.After(10 * time.Second):
			s.t.Errorf("%s on %s did not stop within 10s of SIGTERM; killing it", filepath.Base(s.name), s.Addr)
			s.Kill9()
		}
	}
	s.checkRaces()
}

// checkRaces fails the test once if the process log holds a data race
// report.
func (s *Server) checkRaces() {
	if s.raceReported {
		return
	}
	if log := s.Log(); strings.Contains(log, "WARNING: DATA RACE") {
		s.raceReported = true
		i := strings.Index(log, "WARNING: DATA RACE")
		s.t.Errorf("%s reported a data race:\n%s", filepath.Base(s.name), log[i:min(len(log), i+6000)])
	}
}

// Restart stops the process if it still runs (SIGTERM) and starts it again
// with the same folder, port and arguments.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	s.relaunch()
}

// relaunch starts a stopped process again and waits for PING. The port may
// linger briefly, so a failed bind is retried.
func (s *Server) relaunch() {
	s.t.Helper()
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if err = s.launch(); err != nil {
			break
		}
		if err = s.waitReady(15 * time.Second); err == nil {
			return
		}
		s.Kill9()
		time.Sleep(200 * time.Millisecond)
	}
	s.t.Fatalf("restarting %s on %s: %v\nlog:\n%s", filepath.Base(s.name), s.Addr, err, s.Log())
}

// ExitCode returns the exit code of an ended process (-1 while it runs).
func (s *Server) ExitCode() int {
	if !s.exited() {
		return -1
	}
	return s.cmd.ProcessState.ExitCode()
}

// runRedisk runs the redisk binary with args to completion (for startup
// failures) with a time limit, returning its combined output and exit code.
func runRedisk(t testing.TB, limit time.Duration, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(rediskBin, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting redisk: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(limit):
		cmd.Process.Kill()
		<-done
		t.Fatalf("redisk %s kept running for %v; expected it to refuse to start\noutput:\n%s",
			strings.Join(args, " "), limit, out.String())
	}
	return out.String(), cmd.ProcessState.ExitCode()
}

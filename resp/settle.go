package resp

import (
	"io"
	"net"
	"os"
	"slices"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Arrival order across connections.
//
// redis-server serves every connection from one event loop, so requests
// are served about in the order they reach the server, and clients rely on
// it: redis-py (Celery's result backend) sends SUBSCRIBE on one connection
// without waiting for the reply, then GET on another, and expects a PUBLISH
// that follows to reach it. redisk serves each connection on its own
// goroutine, so PUBLISH first calls Settle, which waits (briefly) until
// every request that had reached the server has been served. A request has
// reached the server when it is in one of these places, and Settle looks
// at all of them, each in an order that cannot miss a request moving on to
// the next place meanwhile:
//
//  1. a connection still in the listener's accept queue: the listener polls
//     readable. Connections are accepted here with our own accept4 call,
//     after counting the connection in accepting, which stays counted
//     until the connection is in conns.
//  2. a socket's receive queue: FIONREAD.
//  3. the connection's read buffer, read and not served yet: busy is set
//     before every read syscall, and cleared only by a read that finds the
//     socket empty. rseq counts read attempts; done is rseq when the
//     connection is back to reading with every complete request served.

// settleMaxClients is the client count above which Settle does nothing:
// it asks every client's socket, which costs a syscall each.
const settleMaxClients = 1000

// Settle lets requests that reached the server before this moment, on
// connections other than self, be served first, waiting up to max.
// Connections blocked in a command or in their own Settle are not waited
// for, so two publishers never wait for each other. locked says that the
// caller holds the lock that connections between EnterLocking and
// ExitLocking may be waiting for: those are not waited for either (what
// they run then has to wait for the caller anyway).
func (s *Server) Settle(self *Conn, max time.Duration, locked bool) {
	if s.NumClients() > settleMaxClients {
		return
	}
	self.settling.Store(true)
	defer self.settling.Store(false)
	s.settlers.Add(1)
	defer s.settlers.Add(-1)
	self.progressed() // whoever waits for self stops
	// wait waits for progress, or reports false once max has passed.
	var timer *time.Timer
	deadline := time.Now().Add(max)
	wait := func(ch <-chan struct{}) bool {
		if timer == nil {
			timer = time.NewTimer(time.Until(deadline))
		}
		select {
		case <-ch:
			return true
		case <-timer.C:
			return false
		}
	}
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for !s.acceptIdle() {
		ch := s.progress()
		if s.acceptIdle() {
			break
		}
		if !wait(ch) {
			return
		}
	}
	type mark struct {
		c *Conn
		t int64
	}
	var marks []mark
	s.mu.Lock()
	for _, c := range s.conns {
		if c == self {
			continue
		}
		if t, ok := c.inputMark(locked); ok {
			marks = append(marks, mark{c, t})
		}
	}
	s.mu.Unlock()
	for _, m := range marks {
		m.c.watched.Add(1)
	}
	defer func() {
		for _, m := range marks { // those still waited for
			m.c.watched.Add(-1)
		}
	}()
	for len(marks) > 0 {
		ch := s.progress()
		marks = slices.DeleteFunc(marks, func(m mark) bool {
			if !m.c.servedUpTo(m.t, locked) {
				return false
			}
			m.c.watched.Add(-1)
			return true
		})
		if len(marks) == 0 || !wait(ch) {
			return
		}
	}
}

// progress returns a channel closed at the next wake.
func (s *Server) progress() <-chan struct{} {
	s.progMu.Lock()
	defer s.progMu.Unlock()
	if s.progCh == nil {
		s.progCh = make(chan struct{})
	}
	return s.progCh
}

// progressed wakes the Settles waiting for c: it served its input, found
// its socket empty, closed, or started to block or to settle.
func (c *Conn) progressed() {
	if c.watched.Load() > 0 {
		c.srv.wake()
	}
}

// wake wakes the running Settles.
func (s *Server) wake() {
	if s.settlers.Load() == 0 {
		return
	}
	s.progMu.Lock()
	if s.progCh != nil {
		close(s.progCh)
		s.progCh = nil
	}
	s.progMu.Unlock()
}

// acceptIdle reports whether no connection is waiting to be accepted or
// being registered. The accept queue is looked at before accepting: a
// connection taken from the queue meanwhile was counted first.
func (s *Server) acceptIdle() bool {
	s.mu.Lock()
	lfs := s.lfs
	s.mu.Unlock()
	for _, f := range lfs {
		rc, err := f.SyscallConn()
		if err != nil {
			continue
		}
		queued := false
		rc.Control(func(fd uintptr) {
			p := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
			n, err := unix.Poll(p, 0)
			queued = err == nil && n > 0 && p[0].Revents&unix.POLLIN != 0
		})
		if queued {
			return false
		}
	}
	return s.accepting.Load() == 0
}

// accepted ends the accepting count of one connection.
func (s *Server) accepted() {
	s.accepting.Add(-1)
	s.wake()
}

// acceptor returns ln's accept function; each connection it returns is
// counted in accepting until the caller calls accepted. For a socket
// listener it calls accept4 itself, counting the connection before it
// leaves the kernel's queue, on a duplicate of the listener's descriptor
// (a listener's own RawConn cannot wait for input) that Close closes.
func (s *Server) acceptor(ln net.Listener) func() (net.Conn, error) {
	var f *os.File
	var rc syscall.RawConn
	if fl, ok := ln.(interface{ File() (*os.File, error) }); ok {
		if f, _ = fl.File(); f != nil {
			if rc, _ = f.SyscallConn(); rc == nil {
				f.Close()
			}
		}
	}
	if rc == nil {
		return func() (net.Conn, error) {
			nc, err := ln.Accept()
			if err == nil {
				s.accepting.Add(1)
			}
			return nc, err
		}
	}
	s.mu.Lock()
	if s.done.Load() {
		f.Close()
	}
	s.lfs = append(s.lfs, f)
	s.mu.Unlock()
	var nfd int
	var aerr error
	try := func(fd uintptr) bool {
		s.accepting.Add(1)
		for {
			nfd, _, aerr = unix.Accept4(int(fd), unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
			switch aerr {
			case unix.EINTR, unix.ECONNABORTED:
				continue
			case unix.EAGAIN:
				s.accepted()
				return false // wait until the listener is readable
			}
			return true
		}
	}
	return func() (net.Conn, error) {
		if err := rc.Read(try); err != nil {
			return nil, net.ErrClosed // only Close ends the wait
		}
		if aerr != nil {
			s.accepting.Add(-1)
			return nil, os.NewSyscallError("accept4", aerr)
		}
		cf := os.NewFile(uintptr(nfd), "")
		nc, err := net.FileConn(cf)
		cf.Close()
		if err != nil {
			s.accepting.Add(-1)
			return nil, err
		}
		return nc, nil
	}
}

// reader returns what c's requests are read from: the socket through
// netReader, or nc itself when it is not a socket (Settle then does not
// see its input).
func (c *Conn) reader() io.Reader {
	if sc, ok := c.nc.(syscall.Conn); ok {
		if rc, err := sc.SyscallConn(); err == nil {
			c.raw = rc
			r := &netReader{c: c, rc: rc}
			r.try = r.read
			return r
		}
	}
	return c.nc
}

// netReader reads a connection's socket with its own read syscall, so that
// busy is set before any input leaves the kernel.
type netReader struct {
	c   *Conn
	rc  syscall.RawConn
	try func(fd uintptr) bool
	p   []byte
	n   int
	err error
}

// Read reads into p, waiting until the socket has input.
func (r *netReader) Read(p []byte) (int, error) {
	r.p, r.n, r.err = p, 0, nil
	err := r.rc.Read(r.try)
	r.p = nil
	switch {
	case err != nil:
		return 0, err
	case r.err != nil:
		return 0, os.NewSyscallError("read", r.err)
	case r.n == 0 && len(p) > 0:
		return 0, io.EOF
	}
	return r.n, nil
}

func (r *netReader) read(fd uintptr) bool {
	c := r.c
	c.busy.Store(true)
	c.rseq.Add(1)
	for {
		n, err := unix.Read(int(fd), r.p)
		switch err {
		case nil:
			r.n = n
			return true
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			c.busy.Store(false)
			c.progressed()
			return false
		}
		r.err = err
		return true
	}
}

// EnterLocking and ExitLocking bracket a command that may wait for a lock
// of the handler's (see Settle).
func (c *Conn) EnterLocking() {
	c.locking.Add(1)
	c.progressed()
}

// ExitLocking ends EnterLocking.
func (c *Conn) ExitLocking() { c.locking.Add(-1) }

// skipped reports whether Settle does not wait for c.
func (c *Conn) skipped(locked bool) bool {
	return c.waiting.Load() || c.settling.Load() || c.closed.Load() || locked && c.locking.Load() > 0
}

// inputMark reports whether c has requests that reached the server and
// are not served yet and, if so, the read sequence that covers them. The
// socket is asked before busy is loaded: input taken from the socket
// meanwhile was read with busy set.
func (c *Conn) inputMark(locked bool) (int64, bool) {
	if c.skipped(locked) {
		return 0, false
	}
	q := c.inq()
	if q == 0 && !c.busy.Load() {
		return 0, false
	}
	t := c.rseq.Load()
	if q > 0 {
		t++ // a read still to come takes it
	}
	return t, true
}

// servedUpTo reports whether c has served the input marked t, or has
// nothing left to serve. busy alone answers while it is set; otherwise the
// socket is asked, then busy again.
func (c *Conn) servedUpTo(t int64, locked bool) bool {
	if c.done.Load() >= t || c.skipped(locked) {
		return true
	}
	if c.busy.Load() {
		return false
	}
	return c.inq() == 0 && !c.busy.Load()
}

// inq is the number of bytes in c's socket receive queue.
func (c *Conn) inq() int {
	if c.raw == nil {
		return 0
	}
	n := 0
	c.raw.Control(func(fd uintptr) { n, _ = unix.IoctlGetInt(int(fd), unix.SIOCINQ) })
	return n
}

package resp

import (
	"bufio"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// settleHandler serves inline test commands:
//
//	SUB        counts itself as served, after a short pause
//	CHECK n    settles (up to 2 s), then replies whether n SUBs were served
//	HOLD       holds mu (what a data lock would be) until RELEASE
//	LOCKED     waits for mu between EnterLocking and ExitLocking
//	LOCKCHECK  settles as the holder of mu, replies how long it took
//	SLOW       takes 300 ms
type settleHandler struct {
	srv    *Server
	mu     sync.Mutex
	held   chan struct{}
	served struct {
		sync.Mutex
		n int
	}
}

func (h *settleHandler) Serve(c *Conn, args [][]byte) {
	switch strings.ToUpper(string(args[0])) {
	case "SUB":
		time.Sleep(200 * time.Microsecond)
		h.served.Lock()
		h.served.n++
		h.served.Unlock()
		c.W.OK()
	case "CHECK":
		h.srv.Settle(c, 2*time.Second, false)
		h.served.Lock()
		n := h.served.n
		h.served.Unlock()
		if string(args[1]) == strconv.Itoa(n) {
			c.W.Status("yes")
		} else {
			c.W.Status("no " + strconv.Itoa(n))
		}
	case "HOLD":
		h.mu.Lock()
		close(h.held)
		c.W.OK()
	case "LOCKED":
		c.EnterLocking()
		h.mu.Lock()
		h.mu.Unlock()
		c.ExitLocking()
		c.W.OK()
	case "LOCKCHECK":
		t0 := time.Now()
		h.srv.Settle(c, 2*time.Second, true)
		d := time.Since(t0)
		h.mu.Unlock()
		c.W.Status(d.String())
	case "SLOW":
		time.Sleep(300 * time.Millisecond)
		c.W.OK()
	default:
		c.W.Error("ERR unknown")
	}
}

func (h *settleHandler) ServeBatch(c *Conn, batch [][][]byte) {
	for _, args := range batch {
		h.Serve(c, args)
	}
}

func (h *settleHandler) Closed(*Conn) {}

// startSettle starts a Server with a settleHandler on a loopback port.
func startSettle(t *testing.T) (*settleHandler, string) {
	t.Helper()
	h := &settleHandler{held: make(chan struct{})}
	h.srv = NewServer(h)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go h.srv.Serve(ln)
	t.Cleanup(h.srv.Close)
	return h, ln.Addr().String()
}

type lineConn struct {
	net.Conn
	br *bufio.Reader
}

func dialLine(t *testing.T, addr string) *lineConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &lineConn{c, bufio.NewReader(c)}
}

func (c *lineConn) send(t *testing.T, line string) {
	t.Helper()
	if _, err := c.Write([]byte(line + "\r\n")); err != nil {
		t.Fatal(err)
	}
}

func (c *lineConn) reply(t *testing.T) string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	s, err := c.br.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimRight(s, "\r\n")
}

// TestSettleArrivalOrder sends SUB on a connection opened for it, without
// waiting for the reply, then CHECK on another: Settle must have let the
// SUB be served first, whether its connection was still in the accept
// queue, its request in the socket or in the connection's buffer.
func TestSettleArrivalOrder(t *testing.T) {
	_, addr := startSettle(t)
	pub := dialLine(t, addr)
	for i := 1; i <= 200; i++ {
		sub := dialLine(t, addr)
		sub.send(t, "SUB")
		pub.send(t, "CHECK "+strconv.Itoa(i))
		if r := pub.reply(t); r != "+yes" {
			t.Fatalf("try %d: SUB not served before CHECK settled: %s", i, r)
		}
		if r := sub.reply(t); r != "+OK" {
			t.Fatalf("SUB: %s", r)
		}
		sub.Close()
	}
}

// TestSettleSkipsLocking checks that a Settle whose caller holds a lock
// does not wait for a connection waiting for that lock.
func TestSettleSkipsLocking(t *testing.T) {
	h, addr := startSettle(t)
	a, b := dialLine(t, addr), dialLine(t, addr)
	a.send(t, "HOLD")
	if r := a.reply(t); r != "+OK" {
		t.Fatal(r)
	}
	<-h.held
	b.send(t, "LOCKED")
	time.Sleep(50 * time.Millisecond) // b is now waiting for the lock
	a.send(t, "LOCKCHECK")
	r := a.reply(t)
	d, err := time.ParseDuration(strings.TrimPrefix(r, "+"))
	if err != nil || d > time.Second {
		t.Fatalf("Settle holding the lock took %s, waiting for a connection that waits for the lock", r)
	}
	if r := b.reply(t); r != "+OK" {
		t.Fatal(r)
	}
}

// TestSettleBounded checks that Settle gives up after its limit.
func TestSettleBounded(t *testing.T) {
	h, addr := startSettle(t)
	a := dialLine(t, addr)
	a.send(t, "SUB")
	a.reply(t) // a is registered and idle
	b := dialLine(t, addr)
	b.send(t, "SLOW")
	b.send(t, "SUB") // pending behind SLOW
	time.Sleep(50 * time.Millisecond)
	// CHECK settles with a 2 s limit: call Settle for a with a short one.
	c := h.srv.Clients()[0]
	t0 := time.Now()
	h.srv.Settle(c, 20*time.Millisecond, false)
	if d := time.Since(t0); d > 250*time.Millisecond {
		t.Errorf("Settle with a 20 ms limit took %v", d)
	}
	b.reply(t)
	b.reply(t)
}

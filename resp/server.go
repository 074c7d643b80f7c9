package resp

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Handler serves the requests of every connection.
type Handler interface {
	// Serve runs one request; the reply goes to c.W.
	Serve(c *Conn, args [][]byte)
	// ServeBatch runs requests that arrived together (a pipeline), in order;
	// the replies go to c.W in the same order.
	ServeBatch(c *Conn, batch [][][]byte)
	// Closed runs once when a connection ends.
	Closed(c *Conn)
}

// MaxBatch bounds how many pipelined requests are handed over at once.
const MaxBatch = 256

// Conn is one client connection and the state Redis keeps per client.
type Conn struct {
	// W buffers the replies to the current requests.
	W      *Writer
	nc     net.Conn
	raw    syscall.RawConn // nc's socket, nil when nc is not one
	rd     *Reader
	srv    *Server
	wmu    sync.Mutex // serialises writes to nc
	closed atomic.Bool

	// Input state for Settle (see settle.go): busy from before a read
	// until a read finds the socket empty; rseq counts read attempts and
	// done is rseq when all complete requests read so far had been served;
	// waiting is set while a blocking command waits, settling during the
	// connection's own Settle, locking while it runs commands that may wait
	// for the handler's lock.
	busy, waiting, settling atomic.Bool
	rseq, done              atomic.Int64
	locking, watched        atomic.Int32 // watched: Settles waiting for it

	// Output queue for pushes (and, once pushes started, replies).
	pushing   atomic.Bool
	qmu       sync.Mutex
	queue     []byte
	writing   bool
	softSince time.Time

	// ID is the unique, increasing client id (CLIENT ID).
	ID int64
	// Addr and LAddr are the peer and local addresses.
	Addr, LAddr string
	// Created is when the connection was accepted.
	Created time.Time
	// db is the selected logical database (DB, SetDB): atomic, as CLIENT
	// LIST reads it from other connections.
	db atomic.Int64
	// proto mirrors W.Proto for other goroutines (Proto, SetProto).
	proto atomic.Int32
	// Name, LibName and LibVer are set by CLIENT SETNAME / SETINFO, under
	// InfoMu, which readers on other connections (CLIENT LIST) hold too.
	Name, LibName, LibVer string
	InfoMu                sync.Mutex
	// lastCmd is the name of the last command run (SetLastCmd, LastCmd).
	lastCmd atomic.Pointer[string]

	// Argument lists of the request or pipeline being served, reused from
	// one to the next (a handler's arguments are valid until it returns).
	first [][]byte
	arena [][]byte
	batch [][][]byte
	// LastActive is the time of the last request (unix nanoseconds).
	LastActive atomic.Int64
	// CloseAfterReply makes the connection close once the pending replies are sent (QUIT).
	CloseAfterReply bool
	// State is the command layer's per-client state.
	State any
}

// SetLastCmd records the name of the command the connection runs, for
// CLIENT LIST on other connections; name must not change afterwards.
func (c *Conn) SetLastCmd(name *string) { c.lastCmd.Store(name) }

// LastCmd is the name of the last command run ("NULL" before the first).
func (c *Conn) LastCmd() string {
	if p := c.lastCmd.Load(); p != nil {
		return *p
	}
	return "NULL"
}

// Server accepts connections and runs their requests through a Handler.
type Server struct {
	// MaxClients bounds the number of connected clients (maxclients).
	MaxClients int
	// MaxBulkLen bounds one request argument (proto-max-bulk-len).
	MaxBulkLen int

	h      Handler
	lns    []net.Listener
	lfs    []*os.File // duplicates of the listeners' descriptors (acceptor)
	mu     sync.Mutex
	conns  map[int64]*Conn
	nextID atomic.Int64
	wg     sync.WaitGroup
	done   atomic.Bool

	// For Settle: accepting counts connections between leaving the
	// kernel's accept queue and being registered in conns; settlers counts
	// running Settles, which wake wakes through progCh.
	accepting, settlers atomic.Int32
	progMu              sync.Mutex
	progCh              chan struct{}

	// TotalConnections counts accepted connections; Rejected those refused
	// by MaxClients; OutputLimitDisconnects those dropped past their
	// output-buffer limit.
	TotalConnections, Rejected, OutputLimitDisconnects atomic.Int64
}

// NewServer returns a server that hands requests to h.
func NewServer(h Handler) *Server {
	return &Server{h: h, conns: map[int64]*Conn{}, MaxClients: 10000, MaxBulkLen: DefaultMaxBulkLen}
}

// Serve accepts connections on ln until Close.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	s.lns = append(s.lns, ln)
	s.mu.Unlock()
	accept := s.acceptor(ln)
	for {
		nc, err := accept()
		if err != nil {
			if s.done.Load() || errors.Is(err, net.ErrClosed) {
				return nil
			}
			slog.Warn("accept failed", "err", err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		s.TotalConnections.Add(1)
		if tc, ok := nc.(*net.TCPConn); ok {
			tc.SetNoDelay(true)
			tc.SetKeepAlive(true)
			tc.SetKeepAlivePeriod(300 * time.Second)
		}
		c := &Conn{
			W: NewWriter(2), nc: nc, srv: s,
			ID:   s.nextID.Add(1),
			Addr: nc.RemoteAddr().String(), LAddr: nc.LocalAddr().String(),
			Created: time.Now(),
		}
		c.LastActive.Store(c.Created.UnixNano())
		c.rd = NewReader(c.reader())
		c.rd.MaxBulkLen = s.MaxBulkLen
		c.rd.BeforeRead = func() {
			// Every complete request read so far has been served.
			c.done.Store(c.rseq.Load())
			c.progressed()
			c.Flush()
		}
		s.mu.Lock()
		if s.MaxClients > 0 && len(s.conns) >= s.MaxClients {
			s.mu.Unlock()
			s.accepted()
			s.Rejected.Add(1)
			nc.Write([]byte("-ERR max number of clients reached\r\n"))
			nc.Close()
			continue
		}
		s.conns[c.ID] = c
		s.mu.Unlock()
		s.wg.Add(1)
		go s.run(c)
		s.accepted()
	}
}

func (s *Server) run(c *Conn) {
	defer s.wg.Done()
	defer func() {
		c.closed.Store(true)
		c.nc.Close()
		// The handler forgets the connection (its subscriptions, its
		// watches) before it stops counting as connected, as in redis: a
		// client that sees connected_clients drop can rely on it.
		s.h.Closed(c)
		s.mu.Lock()
		delete(s.conns, c.ID)
		s.mu.Unlock()
		c.progressed()
	}()
	for {
		args, err := c.rd.Next()
		if err != nil {
			var pe *ProtocolError
			if errors.As(err, &pe) {
				c.W.Error("ERR " + pe.Error())
				c.Flush()
			} else if !errors.Is(err, io.EOF) && !c.closed.Load() {
				slog.Debug("connection read failed", "id", c.ID, "err", err)
			}
			return
		}
		c.LastActive.Store(time.Now().UnixNano())
		// The reader reuses its slice; ours is capped so that no handler
		// appends into the arena.
		c.first = append(c.first[:0], args...)
		first := c.first[:len(c.first):len(c.first)]
		if next, ok, _ := c.rd.TryNext(); ok {
			// The batch's argument lists share one growing array: sub-slices
			// of an outgrown array stay valid, and capped, so that no
			// handler appends into its neighbour's arguments.
			arena := c.arena[:0]
			batch := append(c.batch[:0], first)
			for {
				at := len(arena)
				arena = append(arena, next...)
				batch = append(batch, arena[at:len(arena):len(arena)])
				if len(batch) == MaxBatch {
					break
				}
				if next, ok, _ = c.rd.TryNext(); !ok {
					break
				}
			}
			s.h.ServeBatch(c, batch)
			c.arena, c.batch = arena[:0], batch[:0]
		} else {
			s.h.Serve(c, first)
		}
		if c.CloseAfterReply || c.closed.Load() {
			c.Flush()
			c.waitDrained()
			return
		}
		if c.W.Len() > 64*1024 {
			c.Flush()
		}
	}
}

// DB is the selected logical database.
func (c *Conn) DB() int { return int(c.db.Load()) }

// SetDB selects logical database n.
func (c *Conn) SetDB(n int) { c.db.Store(int64(n)) }

// Proto is the connection's protocol version (2 or 3), for goroutines
// other than the connection's own (PUBLISH, CLIENT LIST); the connection's
// own goroutine may read W.Proto.
func (c *Conn) Proto() int {
	if p := c.proto.Load(); p != 0 {
		return int(p)
	}
	return 2
}

// SetProto switches the connection to protocol p (HELLO, RESET).
func (c *Conn) SetProto(p int) {
	c.W.Proto = p
	c.proto.Store(int32(p))
}

// Flush sends the buffered replies. Once the connection has received a
// push (pub/sub), replies go through the same ordered output queue.
func (c *Conn) Flush() {
	if c.W.Len() == 0 {
		return
	}
	if c.pushing.Load() {
		c.enqueue(c.W.Bytes())
		c.W.Reset()
		return
	}
	c.wmu.Lock()
	_, err := c.nc.Write(c.W.Bytes())
	c.wmu.Unlock()
	c.W.Reset()
	if err != nil {
		c.Close()
	}
}

// Push queues an encoded message (a pub/sub message) for the client from
// any goroutine without waiting for the network. A client whose queue
// outgrows the output-buffer limit (client-output-buffer-limit pubsub: hard
// 32 MB, or soft 8 MB for 60 s) is disconnected, as Redis does, so a slow
// subscriber never stalls publishers.
func (c *Conn) Push(b []byte) {
	c.pushing.Store(true)
	c.enqueue(b)
}

// Output-buffer limits for clients that receive pushes.
const (
	PushHardLimit = 32 << 20
	PushSoftLimit = 8 << 20
	PushSoftTime  = 60 * time.Second
)

func (c *Conn) enqueue(b []byte) {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	if c.closed.Load() {
		return
	}
	c.queue = append(c.queue, b...)
	n := len(c.queue)
	switch {
	case n > PushHardLimit:
		c.overLimit()
		return
	case n > PushSoftLimit:
		if c.softSince.IsZero() {
			c.softSince = time.Now()
		} else if time.Since(c.softSince) > PushSoftTime {
			c.overLimit()
			return
		}
	default:
		c.softSince = time.Time{}
	}
	if !c.writing {
		c.writing = true
		go c.drain()
	}
}

// overLimit drops a client past its output-buffer limit; qmu is held.
func (c *Conn) overLimit() {
	c.queue = nil
	c.srv.OutputLimitDisconnects.Add(1)
	c.Close()
}

// drain writes the queue to the network until it is empty.
func (c *Conn) drain() {
	for {
		c.qmu.Lock()
		b := c.queue
		c.queue = nil
		if len(b) == 0 || c.closed.Load() {
			c.writing = false
			c.qmu.Unlock()
			return
		}
		c.qmu.Unlock()
		c.wmu.Lock()
		_, err := c.nc.Write(b)
		c.wmu.Unlock()
		if err != nil {
			c.Close()
		}
	}
}

// waitDrained waits (a little) for queued output to reach the network.
func (c *Conn) waitDrained() {
	if !c.pushing.Load() {
		return
	}
	for i := 0; i < 500; i++ {
		c.qmu.Lock()
		idle := !c.writing && len(c.queue) == 0
		c.qmu.Unlock()
		if idle || c.closed.Load() {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// QueuedBytes is the size of the output queue (CLIENT LIST omem).
func (c *Conn) QueuedBytes() int {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	return len(c.queue)
}

// WatchClose is for a handler about to block (BLPOP…): it flushes pending
// replies, then reads ahead in the background so that a disconnect is seen
// at once on the returned channel. stop must be called before the handler
// returns; requests read ahead are kept for the connection loop.
func (c *Conn) WatchClose() (gone <-chan struct{}, stop func()) {
	c.Flush()
	c.waiting.Store(true)
	c.progressed()
	ch := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			err := c.rd.readAhead()
			if err == nil {
				continue
			}
			if ne, ok := err.(net.Error); ok && ne.Timeout() && !c.closed.Load() {
				return
			}
			c.rd.pending = err
			close(ch)
			return
		}
	}()
	return ch, func() {
		c.nc.SetReadDeadline(time.Now())
		<-done
		c.nc.SetReadDeadline(time.Time{})
		c.busy.Store(true) // requests read ahead are not served yet
		c.waiting.Store(false)
	}
}

// Close closes the connection; its goroutine ends after the current request.
func (c *Conn) Close() {
	c.closed.Store(true)
	c.nc.Close()
}

// Closed reports whether the connection was closed.
func (c *Conn) Closed() bool { return c.closed.Load() }

// Clients returns the connected clients ordered by id.
func (s *Server) Clients() []*Conn {
	s.mu.Lock()
	out := make([]*Conn, 0, len(s.conns))
	for _, c := range s.conns {
		out = append(out, c)
	}
	s.mu.Unlock()
	sortConns(out)
	return out
}

// Client returns the client with the given id, or nil.
func (s *Server) Client(id int64) *Conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns[id]
}

// NumClients is the number of connected clients.
func (s *Server) NumClients() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// Close stops accepting, closes every connection and waits for their goroutines.
func (s *Server) Close() {
	s.done.Store(true)
	s.mu.Lock()
	for _, ln := range s.lns {
		ln.Close()
	}
	for _, f := range s.lfs {
		f.Close()
	}
	for _, c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func sortConns(cs []*Conn) {
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && cs[j].ID < cs[j-1].ID; j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
}

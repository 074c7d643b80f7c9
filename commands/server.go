package commands

import (
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"redisk/engine"
	"redisk/resp"
	"redisk/shard"
)

// Version is the Redis version whose behaviour redisk follows.
const Version = "7.2.4"

// Server is the command layer: it implements resp.Handler over a shard set.
type Server struct {
	Cfg   *Config
	Data  *shard.Set
	Net   *resp.Server
	Start time.Time
	// Shutdown stops the process cleanly (SHUTDOWN); set by main.
	Shutdown func()

	commands  atomic.Int64
	errors    atomic.Int64
	resetTime atomic.Int64

	block   *blocker
	blocked atomic.Int64 // clients in a blocking command
	watch   *watchers
	pubsub  *pubsub
	scripts *scripts

	errMu    sync.Mutex
	errStats map[string]int64
}

// client is the command layer's state for one connection.
type client struct {
	authed bool
	multi  multiState
	subs   subscriptions
}

// NewServer returns the command layer for data configured by cfg.
func NewServer(cfg *Config, data *shard.Set) (*Server, error) {
	if err := checkTable(); err != nil {
		return nil, err
	}
	s := &Server{Cfg: cfg, Data: data, Start: time.Now(), block: newBlocker(), watch: newWatchers(), pubsub: newPubsub(), scripts: newScripts()}
	data.OnChange = s.watch.touched
	s.Net = resp.NewServer(s)
	s.Net.MaxClients = int(cfg.Int("maxclients"))
	s.Net.MaxBulkLen = int(cfg.Int("proto-max-bulk-len"))
	return s, nil
}

// Ctx is one command being run.
type Ctx struct {
	srv  *Server
	conn *resp.Conn
	cl   *client
	// W receives the reply.
	W *resp.Writer
	// Args are the command's arguments, name included.
	Args [][]byte
	cmd  *Command
	// tx is the transaction of the EXEC running this command, if any.
	tx *shard.Multi
	// queued is the pipeline hook of serve.
	queued func()
	// waiting is set while a blocking command waits for data.
	waiting bool
}

func (c *Ctx) db() int { return c.conn.DB() }

// nowMs is the command's start time for expiry arithmetic.
func nowMs() int64 { return time.Now().UnixMilli() }

// fail writes the reply for err.
func (c *Ctx) fail(err error) {
	c.errorReply(replyErr(err))
}

// errorReply writes an error text.
func (c *Ctx) errorReply(text string) {
	c.srv.countError(text)
	c.W.Error(text)
}

// countError counts an error reply, per error code for INFO errorstats.
func (s *Server) countError(text string) {
	s.errors.Add(1)
	code, _, _ := strings.Cut(text, " ")
	s.errMu.Lock()
	if s.errStats == nil {
		s.errStats = map[string]int64{}
	}
	s.errStats[code]++
	s.errMu.Unlock()
}

// Storage access. Every handler reaches the data through these methods:
// outside a transaction they go through the shard set; inside EXEC (c.tx
// set) they use the transaction EXEC opened, so queued commands run in it.

// readErr runs fn in a read transaction on key's shard.
func (c *Ctx) readErr(key []byte, fn func(tx *engine.Tx) error) error {
	if c.tx != nil {
		c.tx.SetDB(c.db())
		return fn(c.tx.Tx(key))
	}
	return c.srv.Data.Read(c.db(), key, fn)
}

// writeErr runs fn in a write transaction on key's shard, returning after commit.
func (c *Ctx) writeErr(key []byte, fn func(tx *engine.Tx) error) error {
	if c.tx != nil {
		c.tx.SetDB(c.db())
		return fn(c.tx.Tx(key))
	}
	if c.queued != nil {
		q := c.queued
		c.queued = nil
		return c.srv.Data.WriteQueued(c.db(), key, fn, q)
	}
	return c.srv.Data.Write(c.db(), key, fn)
}

// keysErr runs fn over the shards of keys, isolated from every other command.
func (c *Ctx) keysErr(keys [][]byte, write bool, fn func(m *shard.Multi) error) error {
	if c.tx != nil {
		c.tx.SetDB(c.db())
		return fn(c.tx)
	}
	return c.srv.Data.Keys(c.db(), keys, write, fn)
}

// eachErr runs fn(tx, i) for each key i in key i's shard transaction, all
// keys atomically (shard.Set.WriteEach: shards in parallel).
func (c *Ctx) eachErr(keys [][]byte, fn func(tx *engine.Tx, i int) error) error {
	if c.tx != nil {
		c.tx.SetDB(c.db())
		for i, k := range keys {
			if err := fn(c.tx.Tx(k), i); err != nil {
				return err
			}
		}
		return nil
	}
	return c.srv.Data.WriteEach(c.db(), keys, fn)
}

// allErr runs fn while no other command runs, with access to every shard.
func (c *Ctx) allErr(fn func(m *shard.Multi) error) error {
	if c.tx != nil {
		c.tx.SetDB(c.db())
		return fn(c.tx)
	}
	return c.srv.Data.All(c.db(), fn)
}

// shardErr runs fn in a read transaction on shard i.
func (c *Ctx) shardErr(i int, fn func(tx *engine.Tx) error) error {
	if c.tx != nil {
		c.tx.SetDB(c.db())
		return fn(c.tx.Shard(i))
	}
	return c.srv.Data.ReadShard(i, c.db(), fn)
}

// shards is the number of shards.
func (c *Ctx) shards() int { return len(c.srv.Data.Stores()) }

// read runs fn on key's shard; on failure it writes the error and returns false.
func (c *Ctx) read(key []byte, fn func(tx *engine.Tx) error) bool {
	return c.ok(c.readErr(key, fn))
}

// write runs fn in a write transaction on key's shard, after commit.
func (c *Ctx) write(key []byte, fn func(tx *engine.Tx) error) bool {
	return c.ok(c.writeErr(key, fn))
}

// multi runs fn over the shards of keys, isolated from every other command.
func (c *Ctx) multi(keys [][]byte, write bool, fn func(m *shard.Multi) error) bool {
	return c.ok(c.keysErr(keys, write, fn))
}

// intBool writes 1 or 0: Redis answers yes/no commands with integers in
// RESP3 too.
func (c *Ctx) intBool(b bool) {
	if b {
		c.W.Int(1)
	} else {
		c.W.Int(0)
	}
}

// writeHelp writes a HELP reply: one status line per entry.
func (c *Ctx) writeHelp(lines []string) {
	c.W.Array(len(lines))
	for _, l := range lines {
		c.W.Status(l)
	}
}

// ok writes the reply for a non-nil err and reports whether err was nil.
func (c *Ctx) ok(err error) bool {
	if err != nil {
		c.fail(err)
		return false
	}
	return true
}

// counts returns keys and keys-with-expiry of the current database.
func (c *Ctx) dbCounts() (keys, expires int64, err error) {
	for i := 0; i < c.shards(); i++ {
		err = c.shardErr(i, func(tx *engine.Tx) error {
			n := tx.Counts()[tx.DB]
			keys += n[0]
			expires += n[1]
			return nil
		})
		if err != nil {
			return
		}
	}
	return
}

// Serve runs one request (resp.Handler).
func (s *Server) Serve(conn *resp.Conn, args [][]byte) {
	s.serve(conn, args, nil, conn.W, nil, true)
}

// serve runs one request, replying into w. cmd is args[0]'s command when
// the caller looked it up already (nil: look it up). queued, when set, is called
// once the command's write has entered its shard's queue (pipelines).
// inline is false on a pipeline's goroutines, which leave connection
// bookkeeping to the connection's goroutine.
func (s *Server) serve(conn *resp.Conn, args [][]byte, cmd *Command, w *resp.Writer, queued func(), inline bool) {
	cl, _ := conn.State.(*client)
	if cl == nil {
		cl = &client{authed: s.Cfg.Get("requirepass") == ""}
		conn.State = cl
	}
	s.commands.Add(1)
	if cmd == nil {
		cmd = named(table, args[0])
	}
	// reject refuses the command; inside MULTI it also dooms the EXEC.
	reject := func(text string) {
		s.countError(text)
		w.Error(text)
		if cl.multi.active {
			cl.multi.aborted = true
		}
	}
	if cmd == nil {
		reject(errUnknownCommand(args))
		return
	}
	group := cmd.Group
	if cmd.Subs != nil && len(args) >= 2 {
		sub := named(cmd.Subs, args[1])
		if sub == nil {
			reject(errUnknownSubcommand(string(args[1]), cmd.Name))
			return
		}
		cmd = sub
	}
	if !cmd.arityOK(len(args)) {
		if cmd.Name == "exec" {
			// Redis turns a refused EXEC into EXECABORT and ends the MULTI.
			s.countError("EXECABORT")
			w.Error("EXECABORT Transaction discarded because of: " + strings.TrimPrefix(errArity("exec"), "ERR "))
			cl.multi.active, cl.multi.queue, cl.multi.aborted = false, nil, false
			s.watch.unwatch(cl)
			return
		}
		reject(errArity(cmd.FullName()))
		return
	}
	if !cl.authed && cmd.Flags&FlagNoAuth == 0 {
		reject(errNoAuth)
		return
	}
	if s.scripts.busy() && cmd.Flags&FlagAllowBusy == 0 && !(cmd.FullName() == "shutdown" && len(args) > 1 && strings.EqualFold(string(args[1]), "nosave")) {
		reject(errBusy)
		return
	}
	ctx := &Ctx{srv: s, conn: conn, cl: cl, W: w, Args: args, cmd: cmd, queued: queued}
	if conn.W.Proto < 3 && cl.subs.any() && !cl.multi.active {
		switch name := cmd.FullName(); {
		case name == "ping":
			pingSubscribed(ctx)
			return
		case !subscribedAllowed[name]:
			reject("ERR Can't execute '" + name + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
			return
		}
	}
	if inline {
		// Like Redis, also for a command MULTI queues; EXEC stays "exec".
		conn.SetLastCmd(&cmd.full)
	}
	if s.queue(ctx) {
		return
	}
	// Commands other than pub/sub and connection ones may wait for the
	// data lock: a PUBLISH inside EXEC or a script, which holds it, does
	// not wait for them (resp.Server.Settle).
	mayLock := group != "pubsub" && group != "connection"
	if mayLock {
		conn.EnterLocking()
	}
	cmd.Run(ctx)
	if mayLock {
		conn.ExitLocking()
	}
	if cmd.Flags&FlagWrite != 0 {
		s.wakeBlocked(conn.DB(), cmd, args)
	}
}

// wakeBlocked serves clients blocked on keys a write command may have filled.
func (s *Server) wakeBlocked(db int, cmd *Command, args [][]byte) {
	if s.block.count.Load() == 0 {
		return
	}
	switch cmd.FullName() {
	case "swapdb", "move", "copy":
		s.block.signalAll()
		return
	}
	s.block.signal(db, cmd.KeyArgs(args))
}

// pending is one pipelined command running on its own goroutine. They are
// recycled (pendings) with their channels and reply buffer: a pipelined
// write otherwise costs eight allocations besides its own.
type pending struct {
	s    *Server
	conn *resp.Conn
	args [][]byte
	cmd  *Command
	w    *resp.Writer
	// done receives once when the reply is in w; queued once the write has
	// entered its shard's queue, or the command has ended without a write.
	done, queued chan struct{}
	marked       bool
	mark         func() // p.markQueued, bound once
}

var pendings = sync.Pool{New: func() any {
	p := &pending{w: resp.NewWriter(2), done: make(chan struct{}, 1), queued: make(chan struct{}, 1)}
	p.mark = p.markQueued
	return p
}}

// markQueued signals queued, once; it runs on the command's goroutine only.
func (p *pending) markQueued() {
	if !p.marked {
		p.marked = true
		p.queued <- struct{}{}
	}
}

func (p *pending) run() {
	defer func() { p.done <- struct{}{} }()
	defer p.markQueued()
	p.s.serve(p.conn, p.args, p.cmd, p.w, p.mark, false)
}

// release returns p to the pool once its reply has been copied out.
func (p *pending) release() {
	p.s, p.conn, p.args, p.cmd, p.marked = nil, nil, nil, nil, false
	if cap(p.w.Bytes()) > 64<<10 {
		p.w = resp.NewWriter(2) // do not keep a large reply's buffer
	}
	p.w.Reset()
	pendings.Put(p)
}

// Pipeline classes of commands.
const (
	runInline = iota // runs alone, in order
	runWrite         // single-key write: may run beside other writes
)

// pipelineClass decides how a pipelined command may run, and returns the
// command when it looked it up.
func (s *Server) pipelineClass(cl *client, args [][]byte) (int, *Command) {
	if cl == nil || !cl.authed || cl.multi.active || cl.subs.any() || s.scripts.running.Load() {
		return runInline, nil
	}
	cmd := named(table, args[0])
	if cmd == nil || cmd.Subs != nil || !cmd.arityOK(len(args)) || cmd.FirstKey != 1 || cmd.LastKey != 1 ||
		cmd.Flags&(FlagBlocking|FlagMovableKeys|FlagPubSub|FlagNoScript) != 0 {
		return runInline, cmd
	}
	// Reads run inline: a goroutine per read costs more (SQLite's deep
	// stack grows on every new goroutine) than running them one by one.
	if cmd.Flags&FlagWrite != 0 {
		return runWrite, cmd
	}
	return runInline, cmd
}

// ServeBatch runs a pipeline (resp.Handler). Runs of single-key writes are
// queued to their shards together, in order, so that they share commits;
// every other command runs alone once what came before it has finished.
// Replies keep request order.
func (s *Server) ServeBatch(conn *resp.Conn, batch [][][]byte) {
	var group []*pending
	kind := runInline
	finish := func() {
		for _, p := range group {
			<-p.done
			conn.W.Raw(p.w.Bytes())
			p.release()
		}
		group = group[:0]
	}
	for _, args := range batch {
		if conn.Closed() || conn.CloseAfterReply {
			break
		}
		cl, _ := conn.State.(*client)
		k, cmd := s.pipelineClass(cl, args)
		if k != kind || k == runInline {
			finish()
			kind = k
		}
		if k == runInline {
			s.serve(conn, args, cmd, conn.W, nil, true)
			continue
		}
		conn.SetLastCmd(&cmd.full)
		p := pendings.Get().(*pending)
		p.s, p.conn, p.args, p.cmd = s, conn, args, cmd
		p.w.Proto = conn.W.Proto
		go p.run()
		<-p.queued
		group = append(group, p)
	}
	finish()
}

// Closed forgets a connection's state (resp.Handler).
func (s *Server) Closed(conn *resp.Conn) {
	if cl, _ := conn.State.(*client); cl != nil {
		s.watch.unwatch(cl)
		s.unsubscribeAll(conn, cl)
	}
}

// LogLevel is the level of the default logger, changed by CONFIG SET loglevel.
var LogLevel = new(slog.LevelVar)

// inMulti reports whether the command runs inside MULTI/EXEC or a script,
// where blocking commands must not block.
func (c *Ctx) inMulti() bool { return c.tx != nil }

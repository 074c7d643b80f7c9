package commands

import (
	"log/slog"
	"strings"
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
	hits      atomic.Int64
	misses    atomic.Int64
	resetTime atomic.Int64

	block   *blocker
	blocked atomic.Int64 // clients in a blocking command
}

// client is the command layer's state for one connection.
type client struct {
	authed bool
}

// NewServer returns the command layer for data configured by cfg.
func NewServer(cfg *Config, data *shard.Set) (*Server, error) {
	if err := checkTable(); err != nil {
		return nil, err
	}
	s := &Server{Cfg: cfg, Data: data, Start: time.Now(), block: newBlocker()}
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
}

func (c *Ctx) db() int { return c.conn.DB }

// nowMs is the command's start time for expiry arithmetic.
func nowMs() int64 { return time.Now().UnixMilli() }

// fail writes the reply for err.
func (c *Ctx) fail(err error) {
	c.srv.errors.Add(1)
	c.W.Error(replyErr(err))
}

// errorReply writes an error text.
func (c *Ctx) errorReply(text string) {
	c.srv.errors.Add(1)
	c.W.Error(text)
}

// read runs fn on key's shard; on failure it writes the error and returns false.
func (c *Ctx) read(key []byte, fn func(tx *engine.Tx) error) bool {
	if err := c.srv.Data.Read(c.db(), key, fn); err != nil {
		c.fail(err)
		return false
	}
	return true
}

// write runs fn in a write transaction on key's shard, after commit.
func (c *Ctx) write(key []byte, fn func(tx *engine.Tx) error) bool {
	if err := c.srv.Data.Write(c.db(), key, fn); err != nil {
		c.fail(err)
		return false
	}
	return true
}

// multi runs fn over the shards of keys, isolated from every other command.
func (c *Ctx) multi(keys [][]byte, write bool, fn func(m *shard.Multi) error) bool {
	if err := c.srv.Data.Keys(c.db(), keys, write, fn); err != nil {
		c.fail(err)
		return false
	}
	return true
}

// Serve runs one request (resp.Handler).
func (s *Server) Serve(conn *resp.Conn, args [][]byte) {
	cl, _ := conn.State.(*client)
	if cl == nil {
		cl = &client{authed: s.Cfg.Get("requirepass") == ""}
		conn.State = cl
	}
	s.commands.Add(1)
	name := strings.ToLower(string(args[0]))
	cmd := table[name]
	if cmd == nil {
		s.errors.Add(1)
		conn.W.Error(errUnknownCommand(args))
		return
	}
	if cmd.Subs != nil && len(args) >= 2 {
		sub := cmd.Subs[strings.ToLower(string(args[1]))]
		if sub == nil {
			s.errors.Add(1)
			conn.W.Error(errUnknownSubcommand(string(args[1]), cmd.Name))
			return
		}
		cmd = sub
	}
	if !cmd.arityOK(len(args)) {
		s.errors.Add(1)
		conn.W.Error(errArity(cmd.FullName()))
		return
	}
	if !cl.authed && cmd.Flags&FlagNoAuth == 0 {
		s.errors.Add(1)
		conn.W.Error(errNoAuth)
		return
	}
	conn.LastCmd = cmd.FullName()
	cmd.Run(&Ctx{srv: s, conn: conn, cl: cl, W: conn.W, Args: args, cmd: cmd})
	if cmd.Flags&FlagWrite != 0 {
		s.wakeBlocked(conn.DB, cmd, args)
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

// Closed forgets a connection's state (resp.Handler).
func (s *Server) Closed(conn *resp.Conn) {}

// LogLevel is the level of the default logger, changed by CONFIG SET loglevel.
var LogLevel = new(slog.LevelVar)

// inMulti reports whether the command runs inside MULTI/EXEC or a script,
// where blocking commands must not block.
func (c *Ctx) inMulti() bool { return false }

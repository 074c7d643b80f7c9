package commands

import (
	"slices"
	"sync"
	"time"

	"redisk/engine"
	"redisk/resp"
)

func init() {
	g := "pubsub"
	ps := FlagPubSub | FlagNoScript | FlagLoading | FlagStale
	register(
		&Command{Name: "subscribe", Arity: -2, Flags: ps, Group: g, Since: "2.0.0", Summary: "Listens for messages published to channels.", Complexity: "O(N) where N is the number of channels to subscribe to.", Run: subscribeCommand},
		&Command{Name: "unsubscribe", Arity: -1, Flags: ps, Group: g, Since: "2.0.0", Summary: "Stops listening to messages posted to channels.", Complexity: "O(N) where N is the number of channels to unsubscribe.", Run: subscribeCommand},
		&Command{Name: "psubscribe", Arity: -2, Flags: ps, Group: g, Since: "2.0.0", Summary: "Listens for messages published to channels that match one or more patterns.", Complexity: "O(N) where N is the number of patterns to subscribe to.", Run: subscribeCommand},
		&Command{Name: "punsubscribe", Arity: -1, Flags: ps, Group: g, Since: "2.0.0", Summary: "Stops listening to messages published to channels that match one or more patterns.", Complexity: "O(N) where N is the number of patterns to unsubscribe.", Run: subscribeCommand},
		&Command{Name: "ssubscribe", Arity: -2, Flags: ps, FirstKey: 1, LastKey: -1, Step: 1, Group: g, Since: "7.0.0", Summary: "Listens for messages published to shard channels.", Complexity: "O(N) where N is the number of shard channels to subscribe to.", Run: subscribeCommand},
		&Command{Name: "sunsubscribe", Arity: -1, Flags: ps, FirstKey: 1, LastKey: -1, Step: 1, Group: g, Since: "7.0.0", Summary: "Stops listening to messages posted to shard channels.", Complexity: "O(N) where N is the number of shard channels to unsubscribe.", Run: subscribeCommand},
		&Command{Name: "publish", Arity: 3, Flags: FlagPubSub | FlagLoading | FlagStale | FlagFast, Group: g, Since: "2.0.0", Summary: "Posts a message to a channel.", Complexity: "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).", Run: publishCommand},
		&Command{Name: "spublish", Arity: 3, Flags: FlagPubSub | FlagLoading | FlagStale | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "7.0.0", Summary: "Post a message to a shard channel", Complexity: "O(N) where N is the number of clients subscribed to the receiving shard channel.", Run: publishCommand},
		&Command{Name: "pubsub", Arity: -2, Group: g, Since: "2.8.0", Summary: "A container for Pub/Sub commands."},
		&Command{Name: "pubsub|channels", Arity: -2, Flags: FlagPubSub | FlagLoading | FlagStale, Since: "2.8.0", Summary: "Returns the active channels.", Complexity: "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)", Run: pubsubChannelsCommand},
		&Command{Name: "pubsub|shardchannels", Arity: -2, Flags: FlagPubSub | FlagLoading | FlagStale, Since: "7.0.0", Summary: "Returns the active shard channels.", Complexity: "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).", Run: pubsubChannelsCommand},
		&Command{Name: "pubsub|numsub", Arity: -2, Flags: FlagPubSub | FlagLoading | FlagStale, Since: "2.8.0", Summary: "Returns a count of subscribers to channels.", Complexity: "O(N) for the NUMSUB subcommand, where N is the number of requested channels", Run: pubsubNumsubCommand},
		&Command{Name: "pubsub|shardnumsub", Arity: -2, Flags: FlagPubSub | FlagLoading | FlagStale, Since: "7.0.0", Summary: "Returns the count of subscribers of shard channels.", Complexity: "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels", Run: pubsubNumsubCommand},
		&Command{Name: "pubsub|numpat", Arity: 2, Flags: FlagPubSub | FlagLoading | FlagStale, Since: "2.8.0", Summary: "Returns a count of unique pattern subscriptions.", Complexity: "O(1)", Run: pubsubNumpatCommand},
	)
}

// subKind is one of the three subscription namespaces.
type subKind int

const (
	kindChannel subKind = iota
	kindPattern
	kindShard
)

// pubsub is the registry of subscriptions.
type pubsub struct {
	mu   sync.RWMutex
	subs [3]map[string]map[*resp.Conn]struct{} // by kind, then name
}

func newPubsub() *pubsub {
	p := &pubsub{}
	for i := range p.subs {
		p.subs[i] = map[string]map[*resp.Conn]struct{}{}
	}
	return p
}

// subscriptions are one client's channels, patterns and shard channels.
type subscriptions [3][]string

func (s *subscriptions) count(k subKind) int {
	if k == kindShard {
		return len(s[kindShard])
	}
	return len(s[kindChannel]) + len(s[kindPattern])
}

func (s *subscriptions) any() bool { return len(s[0])+len(s[1])+len(s[2]) > 0 }

// pushFrame encodes a pub/sub frame for a client's protocol: a push in
// RESP3, an array in RESP2. Items are bulk strings except an int count.
func pushFrame(proto int, items ...any) []byte {
	w := resp.NewWriter(proto)
	w.Push(len(items))
	for _, it := range items {
		switch v := it.(type) {
		case string:
			w.BulkString(v)
		case []byte:
			w.Bulk(v)
		case int:
			w.Int(int64(v))
		case nil:
			w.Null()
		}
	}
	return w.Bytes()
}

var subNames = map[string]struct {
	kind  subKind
	unsub bool
	reply string
}{
	"subscribe":    {kindChannel, false, "subscribe"},
	"unsubscribe":  {kindChannel, true, "unsubscribe"},
	"psubscribe":   {kindPattern, false, "psubscribe"},
	"punsubscribe": {kindPattern, true, "punsubscribe"},
	"ssubscribe":   {kindShard, false, "ssubscribe"},
	"sunsubscribe": {kindShard, true, "sunsubscribe"},
}

// (P|S)SUBSCRIBE name [name ...] / (P|S)UNSUBSCRIBE [name ...]
//
// Each confirmation is queued while the registry is locked, so a message
// published right after the subscription always follows its confirmation.
func subscribeCommand(c *Ctx) {
	// Inside EXEC the confirmations are part of EXEC's reply; otherwise the
	// replies already buffered go out first, then the ordered push queue.
	send := c.conn.Push
	if c.inMulti() {
		send = func(b []byte) { c.W.Raw(b) }
	} else {
		c.conn.Flush()
	}
	spec := subNames[c.cmd.Name]
	p := c.srv.pubsub
	subs := &c.cl.subs
	names := c.Args[1:]
	if spec.unsub && len(names) == 0 {
		for _, n := range subs[spec.kind] {
			names = append(names, []byte(n))
		}
		if len(names) == 0 {
			send(pushFrame(c.W.Proto, spec.reply, nil, subs.count(spec.kind)))
			return
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	m := p.subs[spec.kind]
	for _, nb := range names {
		n := string(nb)
		has := slices.Contains(subs[spec.kind], n)
		switch {
		case !spec.unsub && !has:
			subs[spec.kind] = append(subs[spec.kind], n)
			if m[n] == nil {
				m[n] = map[*resp.Conn]struct{}{}
			}
			m[n][c.conn] = struct{}{}
		case spec.unsub && has:
			subs[spec.kind] = slices.DeleteFunc(subs[spec.kind], func(s string) bool { return s == n })
			delete(m[n], c.conn)
			if len(m[n]) == 0 {
				delete(m, n)
			}
		}
		send(pushFrame(c.W.Proto, spec.reply, nb, subs.count(spec.kind)))
	}
}

// unsubscribeAll drops every subscription of a client (disconnect, RESET).
func (s *Server) unsubscribeAll(conn *resp.Conn, cl *client) {
	if !cl.subs.any() {
		return
	}
	s.pubsub.mu.Lock()
	defer s.pubsub.mu.Unlock()
	for k, names := range cl.subs {
		for _, n := range names {
			delete(s.pubsub.subs[k][n], conn)
			if len(s.pubsub.subs[k][n]) == 0 {
				delete(s.pubsub.subs[k], n)
			}
		}
	}
	cl.subs = subscriptions{}
}

// publish delivers msg to the subscribers of channel (and of matching
// patterns) and returns how many received it.
func (s *Server) publish(shard bool, channel, msg []byte) int64 {
	p := s.pubsub
	p.mu.RLock()
	defer p.mu.RUnlock()
	var n int64
	if shard {
		for conn := range p.subs[kindShard][string(channel)] {
			conn.Push(pushFrame(conn.Proto(), "smessage", channel, msg))
			n++
		}
		return n
	}
	for conn := range p.subs[kindChannel][string(channel)] {
		conn.Push(pushFrame(conn.Proto(), "message", channel, msg))
		n++
	}
	for pat, conns := range p.subs[kindPattern] {
		if !engine.Match([]byte(pat), channel, false) {
			continue
		}
		for conn := range conns {
			conn.Push(pushFrame(conn.Proto(), "pmessage", pat, channel, msg))
			n++
		}
	}
	return n
}

// PUBLISH channel message / SPUBLISH shardchannel message
//
// redis-server serves requests about in the order they arrive, across
// connections, and clients rely on it: redis-py (Celery's result backend)
// sends SUBSCRIBE on one connection without reading the reply, then GET on
// another, and a result stored and published after that GET must reach
// the subscriber. So requests that reached the server before the PUBLISH
// are served first (resp.Server.Settle). Inside EXEC or a script, which
// hold the data lock, requests waiting for that lock are not waited for;
// the settling happens there rather than before EXEC because a GET that
// arrived after EXEC may still run before it takes the lock, ahead of the
// SUBSCRIBE sent before that GET.
func publishCommand(c *Ctx) {
	c.srv.Net.Settle(c.conn, settleMax, c.tx != nil)
	c.W.Int(c.srv.publish(c.cmd.Name == "spublish", c.Args[1], c.Args[2]))
}

// settleMax bounds how long PUBLISH waits for the requests that reached
// the server before it.
const settleMax = 5 * time.Millisecond

// PUBSUB CHANNELS [pattern] / PUBSUB SHARDCHANNELS [pattern]
func pubsubChannelsCommand(c *Ctx) {
	if len(c.Args) > 3 {
		// Redis checks this count in the handler, with its subcommand
		// syntax error rather than the arity error.
		c.errorReply("ERR unknown subcommand or wrong number of arguments for '" + string(c.Args[1]) + "'. Try PUBSUB HELP.")
		return
	}
	kind := kindChannel
	if c.cmd.Name == "shardchannels" {
		kind = kindShard
	}
	p := c.srv.pubsub
	p.mu.RLock()
	var out []string
	for n := range p.subs[kind] {
		if len(c.Args) == 2 || engine.Match(c.Args[2], []byte(n), false) {
			out = append(out, n)
		}
	}
	p.mu.RUnlock()
	slices.Sort(out)
	c.W.Array(len(out))
	for _, n := range out {
		c.W.BulkString(n)
	}
}

// PUBSUB NUMSUB [channel ...] / PUBSUB SHARDNUMSUB [shardchannel ...]
func pubsubNumsubCommand(c *Ctx) {
	kind := kindChannel
	if c.cmd.Name == "shardnumsub" {
		kind = kindShard
	}
	p := c.srv.pubsub
	p.mu.RLock()
	defer p.mu.RUnlock()
	// A flat array in RESP3 too, as Redis 7 replies.
	c.W.Array(2 * (len(c.Args) - 2))
	for _, n := range c.Args[2:] {
		c.W.Bulk(n)
		c.W.Int(int64(len(p.subs[kind][string(n)])))
	}
}

// PUBSUB NUMPAT
func pubsubNumpatCommand(c *Ctx) {
	p := c.srv.pubsub
	p.mu.RLock()
	defer p.mu.RUnlock()
	c.W.Int(int64(len(p.subs[kindPattern])))
}

// subscribedAllowed lists what a RESP2 client in subscribed mode may run.
var subscribedAllowed = map[string]bool{
	"subscribe": true, "unsubscribe": true, "psubscribe": true, "punsubscribe": true,
	"ssubscribe": true, "sunsubscribe": true, "ping": true, "quit": true, "reset": true,
}

// pingSubscribed is PING in RESP2 subscribed mode: ["pong", message].
func pingSubscribed(c *Ctx) {
	msg := []byte{}
	if len(c.Args) == 2 {
		msg = c.Args[1]
	}
	c.W.Array(2)
	c.W.BulkString("pong")
	c.W.Bulk(msg)
}

package commands

import (
	"fmt"
	"strings"
	"time"

	"redisk/resp"
)

func init() {
	g := "connection"
	register(
		&Command{Name: "ping", Arity: -1, Flags: FlagFast, Group: g, Since: "1.0.0", Summary: "Returns the server's liveliness response.", Complexity: "O(1)", Run: pingCommand},
		&Command{Name: "echo", Arity: 2, Flags: FlagFast, Group: g, Since: "1.0.0", Summary: "Returns the given string.", Complexity: "O(1)", Run: func(c *Ctx) { c.W.Bulk(c.Args[1]) }},
		&Command{Name: "quit", Arity: -1, Flags: FlagNoAuth | FlagFast | FlagAllowBusy, Group: g, Since: "1.0.0", Summary: "Closes the connection.", Complexity: "O(1)", Run: quitCommand},
		&Command{Name: "select", Arity: 2, Flags: FlagLoading | FlagStale | FlagFast, Group: g, Since: "1.0.0", Summary: "Changes the selected database.", Complexity: "O(1)", Run: selectCommand},
		&Command{Name: "hello", Arity: -1, Flags: FlagNoAuth | FlagNoScript | FlagFast | FlagLoading | FlagStale | FlagAllowBusy, Group: g, Since: "6.0.0", Summary: "Handshakes with the Redis server.", Complexity: "O(1)", Run: helloCommand},
		&Command{Name: "auth", Arity: -2, Flags: FlagNoAuth | FlagNoScript | FlagFast | FlagLoading | FlagStale | FlagAllowBusy, Group: g, Since: "1.0.0", Summary: "Authenticates the connection.", Complexity: "O(N) where N is the number of passwords defined for the user", Run: authCommand},
		&Command{Name: "reset", Arity: 1, Flags: FlagNoAuth | FlagNoScript | FlagFast | FlagLoading | FlagStale, Group: g, Since: "6.2.0", Summary: "Resets the connection.", Complexity: "O(1)", Run: resetCommand},
		&Command{Name: "client", Arity: -2, Group: g, Since: "2.4.0", Summary: "A container for client connection commands."},
		&Command{Name: "client|id", Arity: 2, Flags: FlagNoScript | FlagLoading | FlagStale, Since: "5.0.0", Summary: "Returns the unique client ID of the connection.", Complexity: "O(1)", Run: func(c *Ctx) { c.W.Int(c.conn.ID) }},
		&Command{Name: "client|setname", Arity: 3, Flags: FlagNoScript | FlagLoading | FlagStale, Since: "2.6.9", Summary: "Sets the connection name.", Complexity: "O(1)", Run: clientSetnameCommand},
		&Command{Name: "client|getname", Arity: 2, Flags: FlagNoScript | FlagLoading | FlagStale, Since: "2.6.9", Summary: "Returns the name of the connection.", Complexity: "O(1)", Run: clientGetnameCommand},
		&Command{Name: "client|setinfo", Arity: 4, Flags: FlagNoScript | FlagLoading | FlagStale, Since: "7.2.0", Summary: "Sets information specific to the client or connection.", Complexity: "O(1)", Run: clientSetinfoCommand},
		&Command{Name: "client|list", Arity: -2, Flags: FlagAdmin | FlagNoScript | FlagLoading | FlagStale, Since: "2.4.0", Summary: "Lists open connections.", Complexity: "O(N) where N is the number of client connections", Run: clientListCommand},
		&Command{Name: "client|info", Arity: 2, Flags: FlagNoScript | FlagLoading | FlagStale, Since: "6.2.0", Summary: "Returns information about the connection.", Complexity: "O(1)", Run: func(c *Ctx) { c.W.Verbatim(clientLine(c.conn)) }},
		&Command{Name: "client|kill", Arity: -3, Flags: FlagAdmin | FlagNoScript | FlagLoading | FlagStale, Since: "2.4.0", Summary: "Terminates open connections.", Complexity: "O(N) where N is the number of client connections", Run: clientKillCommand},
		&Command{Name: "client|no-evict", Arity: 3, Flags: FlagAdmin | FlagNoScript | FlagLoading | FlagStale, Since: "7.0.0", Summary: "Sets the client eviction mode of the connection.", Complexity: "O(1)", Run: clientOnOffCommand},
		&Command{Name: "client|no-touch", Arity: 3, Flags: FlagNoScript | FlagLoading | FlagStale, Since: "7.2.0", Summary: "Controls whether commands sent by the client affect the LRU/LFU of accessed keys.", Complexity: "O(1)", Run: clientOnOffCommand},
		&Command{Name: "client|maint_notifications", Arity: -3, Flags: FlagNoScript | FlagLoading | FlagStale, Since: "8.0.0", Summary: "Maintenance notifications are not available on this server.", Complexity: "O(1)", Run: func(c *Ctx) {
			c.errorReply("ERR unknown subcommand '" + string(c.Args[1]) + "'. Try CLIENT HELP.")
		}},
		&Command{Name: "client|help", Arity: 2, Flags: FlagLoading | FlagStale, Since: "5.0.0", Summary: "Returns helpful text about the different subcommands.", Complexity: "O(1)", Run: clientHelpCommand},
	)
}

// PING [message]
func pingCommand(c *Ctx) {
	if len(c.Args) > 2 {
		c.errorReply(errArity("ping"))
		return
	}
	if len(c.Args) == 2 {
		c.W.Bulk(c.Args[1])
		return
	}
	c.W.Status("PONG")
}

// QUIT
func quitCommand(c *Ctx) {
	c.W.OK()
	c.conn.CloseAfterReply = true
}

// SELECT index
func selectCommand(c *Ctx) {
	n, ok := parseInt(c.Args[1])
	if !ok {
		c.errorReply(errNotInteger)
		return
	}
	if n < -(1<<31) || n > 1<<31-1 {
		c.errorReply("ERR value is out of range, value must between -2147483648 and 2147483647")
		return
	}
	if n < 0 || n >= int64(c.srv.Data.Databases()) {
		c.errorReply(errDBIndex)
		return
	}
	c.conn.SetDB(int(n))
	c.W.OK()
}

// checkAuth validates a username/password pair for the default user.
func (c *Ctx) checkAuth(user, pass string) string {
	want := c.srv.Cfg.Get("requirepass")
	if user != "default" || (want != "" && pass != want) {
		return errWrongPass
	}
	c.cl.authed = true
	return ""
}

// AUTH [username] password
func authCommand(c *Ctx) {
	if len(c.Args) > 3 {
		c.errorReply(errSyntax)
		return
	}
	if len(c.Args) == 2 {
		if c.srv.Cfg.Get("requirepass") == "" {
			c.errorReply(errNoPassConfig)
			return
		}
		if e := c.checkAuth("default", string(c.Args[1])); e != "" {
			c.errorReply(e)
			return
		}
		c.W.OK()
		return
	}
	if e := c.checkAuth(string(c.Args[1]), string(c.Args[2])); e != "" {
		c.errorReply(e)
		return
	}
	c.W.OK()
}

// HELLO [protover [AUTH username password] [SETNAME clientname]]
func helloCommand(c *Ctx) {
	proto := c.W.Proto
	if len(c.Args) >= 2 {
		n, ok := parseInt(c.Args[1])
		if !ok {
			c.errorReply(errProtoNotInt)
			return
		}
		if n < 2 || n > 3 {
			c.errorReply(errNoProto)
			return
		}
		proto = int(n)
	}
	var name []byte
	setName := false
	for i := 2; i < len(c.Args); i++ {
		more := len(c.Args) - i - 1
		switch {
		case isArg(c.Args[i], "auth") && more >= 2:
			if e := c.checkAuth(string(c.Args[i+1]), string(c.Args[i+2])); e != "" {
				c.errorReply(e)
				return
			}
			i += 2
		case isArg(c.Args[i], "setname") && more >= 1:
			name, setName = c.Args[i+1], true
			if !validClientName(name) {
				c.errorReply("ERR Client names cannot contain spaces, newlines or special characters.")
				return
			}
			i++
		default:
			c.errorReply(fmt.Sprintf("ERR Syntax error in HELLO option '%s'", c.Args[i]))
			return
		}
	}
	if !c.cl.authed {
		c.errorReply("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
		return
	}
	if setName {
		c.conn.InfoMu.Lock()
		c.conn.Name = string(name)
		c.conn.InfoMu.Unlock()
	}
	c.conn.SetProto(proto)
	c.W.Map(7)
	c.W.BulkString("server")
	c.W.BulkString("redis")
	c.W.BulkString("version")
	c.W.BulkString(Version)
	c.W.BulkString("proto")
	c.W.Int(int64(proto))
	c.W.BulkString("id")
	c.W.Int(c.conn.ID)
	c.W.BulkString("mode")
	c.W.BulkString("standalone")
	c.W.BulkString("role")
	c.W.BulkString("master")
	c.W.BulkString("modules")
	c.W.Array(0)
}

// RESET
func resetCommand(c *Ctx) {
	c.discardMulti()
	c.srv.unsubscribeAll(c.conn, c.cl)
	c.conn.SetDB(0)
	c.conn.InfoMu.Lock()
	c.conn.Name = ""
	c.conn.InfoMu.Unlock()
	c.conn.SetProto(2)
	c.cl.authed = c.srv.Cfg.Get("requirepass") == ""
	c.W.Status("RESET")
}

func validClientName(b []byte) bool {
	for _, ch := range b {
		if ch < '!' || ch > '~' {
			return false
		}
	}
	return true
}

// CLIENT SETNAME connection-name
func clientSetnameCommand(c *Ctx) {
	if !validClientName(c.Args[2]) {
		c.errorReply("ERR Client names cannot contain spaces, newlines or special characters.")
		return
	}
	c.conn.InfoMu.Lock()
	c.conn.Name = string(c.Args[2])
	c.conn.InfoMu.Unlock()
	c.W.OK()
}

// CLIENT GETNAME
func clientGetnameCommand(c *Ctx) {
	if c.conn.Name == "" {
		c.W.Null()
		return
	}
	c.W.BulkString(c.conn.Name)
}

// CLIENT SETINFO <LIB-NAME libname | LIB-VER libver>
func clientSetinfoCommand(c *Ctx) {
	val := string(c.Args[3])
	for _, ch := range c.Args[3] {
		if ch < '!' || ch > '~' {
			c.errorReply(fmt.Sprintf("ERR %s cannot contain spaces, newlines or special characters.", strings.ToLower(string(c.Args[2]))))
			return
		}
	}
	c.conn.InfoMu.Lock()
	defer c.conn.InfoMu.Unlock()
	switch {
	case isArg(c.Args[2], "lib-name"):
		c.conn.LibName = val
	case isArg(c.Args[2], "lib-ver"):
		c.conn.LibVer = val
	default:
		c.errorReply(fmt.Sprintf("ERR Unrecognized option '%s'", c.Args[2]))
		return
	}
	c.W.OK()
}

// clientLine is one line of CLIENT LIST / CLIENT INFO.
func clientLine(cn *resp.Conn) string {
	now := time.Now()
	idle := now.Sub(time.Unix(0, cn.LastActive.Load())) / time.Second
	cn.InfoMu.Lock()
	defer cn.InfoMu.Unlock()
	return fmt.Sprintf("id=%d addr=%s laddr=%s fd=0 name=%s age=%d idle=%d flags=N db=%d sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=%s user=default redir=-1 resp=%d lib-name=%s lib-ver=%s\n",
		cn.ID, cn.Addr, cn.LAddr, cn.Name, int64(now.Sub(cn.Created)/time.Second), int64(idle), cn.DB(), cn.LastCmd(), cn.Proto(), cn.LibName, cn.LibVer)
}

// CLIENT LIST [TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id ...]
func clientListCommand(c *Ctx) {
	var ids map[int64]bool
	typeFilter := ""
	for i := 2; i < len(c.Args); i++ {
		switch {
		case isArg(c.Args[i], "type") && i+1 < len(c.Args):
			typeFilter = strings.ToLower(string(c.Args[i+1]))
			if typeFilter != "normal" && typeFilter != "master" && typeFilter != "replica" && typeFilter != "slave" && typeFilter != "pubsub" {
				c.errorReply("ERR Unknown client type '" + string(c.Args[i+1]) + "'")
				return
			}
			i++
		case isArg(c.Args[i], "id") && i+1 < len(c.Args):
			ids = map[int64]bool{}
			for i++; i < len(c.Args); i++ {
				n, ok := parseInt(c.Args[i])
				if !ok || n <= 0 {
					c.errorReply("ERR Invalid client ID")
					return
				}
				ids[n] = true
			}
		default:
			c.errorReply(errSyntax)
			return
		}
	}
	var b strings.Builder
	for _, cn := range c.srv.Net.Clients() {
		if ids != nil && !ids[cn.ID] {
			continue
		}
		if typeFilter != "" && typeFilter != "normal" {
			continue
		}
		b.WriteString(clientLine(cn))
	}
	c.W.Verbatim(b.String())
}

// CLIENT KILL ip:port | CLIENT KILL <filter value> ...
func clientKillCommand(c *Ctx) {
	if len(c.Args) == 3 {
		for _, cn := range c.srv.Net.Clients() {
			if cn.Addr == string(c.Args[2]) {
				cn.Close()
				c.W.OK()
				return
			}
		}
		c.errorReply("ERR No such client")
		return
	}
	var id int64
	var addr, laddr string
	skipMe := true
	for i := 2; i < len(c.Args); i += 2 {
		if i+1 >= len(c.Args) {
			c.errorReply(errSyntax)
			return
		}
		v := string(c.Args[i+1])
		switch {
		case isArg(c.Args[i], "id"):
			n, ok := parseInt(c.Args[i+1])
			if !ok || n <= 0 {
				c.errorReply("ERR client-id should be greater than 0")
				return
			}
			id = n
		case isArg(c.Args[i], "addr"):
			addr = v
		case isArg(c.Args[i], "laddr"):
			laddr = v
		case isArg(c.Args[i], "skipme"):
			switch strings.ToLower(v) {
			case "yes":
				skipMe = true
			case "no":
				skipMe = false
			default:
				c.errorReply(errSyntax)
				return
			}
		case isArg(c.Args[i], "type"), isArg(c.Args[i], "user"), isArg(c.Args[i], "maxage"):
		default:
			c.errorReply(errSyntax)
			return
		}
	}
	killed := 0
	for _, cn := range c.srv.Net.Clients() {
		if (id != 0 && cn.ID != id) || (addr != "" && cn.Addr != addr) || (laddr != "" && cn.LAddr != laddr) {
			continue
		}
		if cn == c.conn {
			if skipMe {
				continue
			}
			c.conn.CloseAfterReply = true
			killed++
			continue
		}
		cn.Close()
		killed++
	}
	c.W.Int(int64(killed))
}

// CLIENT NO-EVICT|NO-TOUCH ON|OFF: accepted; redisk does not evict clients.
func clientOnOffCommand(c *Ctx) {
	if !isArg(c.Args[2], "on") && !isArg(c.Args[2], "off") {
		c.errorReply(errSyntax)
		return
	}
	c.W.OK()
}

// CLIENT HELP
func clientHelpCommand(c *Ctx) {
	lines := []string{
		"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"GETNAME", "    Return the name of the current connection.",
		"ID", "    Return the ID of the current connection.",
		"INFO", "    Return information about the current client connection.",
		"KILL <ip:port>", "    Kill connection made from <ip:port>.",
		"LIST [TYPE (NORMAL|MASTER|REPLICA|PUBSUB)]", "    Return information about client connections.",
		"SETNAME <name>", "    Assign the name <name> to the current connection.",
		"SETINFO <option> <value>", "    Set client meta attr.",
		"HELP", "    Print this help.",
	}
	c.writeHelp(lines)
}

package commands_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"redisk/resp"
)

// TestPingEchoSelect covers PING, ECHO and SELECT.
func TestPingEchoSelect(t *testing.T) {
	runTable(t, []tc{
		cmd("PING", "+PONG\r\n"),
		cmd("ping hello", bulk("hello")),
		args(bulk(""), "PING", ""),
		cmd("PING a b", errArity("ping")),
		cmd("ECHO hi", bulk("hi")),
		args(bulk("a\r\nb"), "ECHO", "a\r\nb"),
		cmd("ECHO", errArity("echo")),
		cmd("ECHO a b", errArity("echo")),
		cmd("SET k db0", ok),
		cmd("SELECT 15", ok),
		cmd("GET k", null),
		cmd("SET k db15", ok),
		cmd("SELECT 0", ok),
		cmd("GET k", bulk("db0")),
		cmd("SELECT 16", "-ERR DB index is out of range\r\n"),
		cmd("SELECT -1", "-ERR DB index is out of range\r\n"),
		cmd("SELECT abc", errNotInt),
		cmd("SELECT 1.5", errNotInt),
		cmd("SELECT 99999999999", "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n"),
		cmd("SELECT", errArity("select")),
		cmd("GET k", bulk("db0")),
	})
}

// TestUnknownCommand covers the unknown command and subcommand texts and
// arity errors of containers and subcommands.
func TestUnknownCommand(t *testing.T) {
	long := strings.Repeat("x", 200)
	runTable(t, []tc{
		cmd("FOO a b", "-ERR unknown command 'FOO', with args beginning with: 'a' 'b' \r\n"),
		cmd("foo", "-ERR unknown command 'foo', with args beginning with: \r\n"),
		args("-ERR unknown command '', with args beginning with: \r\n", ""),
		args("-ERR unknown command 'a b', with args beginning with: 'c d' \r\n", "a b", "c d"),
		args("-ERR unknown command '"+long[:128]+"', with args beginning with: '"+long[:128]+"' \r\n", long, long, long),
		args("-ERR unknown command 'foo', with args beginning with: 'a  b' \r\n", "foo", "a\r\nb"),
		cmd("CLIENT FOO", "-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n"),
		cmd("CONFIG FOO", "-ERR unknown subcommand 'FOO'. Try CONFIG HELP.\r\n"),
		cmd("COMMAND FOO", "-ERR unknown subcommand 'FOO'. Try COMMAND HELP.\r\n"),
		cmd("CLIENT", errArity("client")),
		cmd("CONFIG", errArity("config")),
		cmd("CLIENT SETNAME", errArity("client|setname")),
		cmd("CONFIG GET", errArity("config|get")),
		cmd("config set maxclients", errArity("config|set")),
		cmd("CONFIG RESETSTAT x", errArity("config|resetstat")),
		cmd("PING", "+PONG\r\n"),
	})
}

// TestHelloAuth covers HELLO's protocol switch and errors, and AUTH
// without a configured password.
func TestHelloAuth(t *testing.T) {
	hello := func(proto string) string {
		head := `%7\r\n`
		if proto == "2" {
			head = `\*14\r\n`
		}
		return "re:" + head + regexp.QuoteMeta("$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n") +
			`\$[0-9]\r\n[0-9.]+\r\n` + regexp.QuoteMeta("$5\r\nproto\r\n:"+proto+"\r\n$2\r\nid\r\n") + `:[0-9]+\r\n` +
			regexp.QuoteMeta("$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n")
	}
	runTable(t, []tc{
		cmd("HELLO", hello("2")),
		cmd("HELLO 4", "-NOPROTO unsupported protocol version\r\n"),
		cmd("HELLO 1", "-NOPROTO unsupported protocol version\r\n"),
		cmd("HELLO abc", "-ERR Protocol version is not an integer or out of range\r\n"),
		cmd("HELLO 3 FOO", "-ERR Syntax error in HELLO option 'FOO'\r\n"),
		cmd("HELLO 3 AUTH default", "-ERR Syntax error in HELLO option 'AUTH'\r\n"),
		cmd("HELLO 3 SETNAME", "-ERR Syntax error in HELLO option 'SETNAME'\r\n"),
		args("-ERR Client names cannot contain spaces, newlines or special characters.\r\n", "HELLO", "3", "SETNAME", "a b"),
		cmd("HELLO 3 AUTH bob pw", "-WRONGPASS invalid username-password pair or user is disabled.\r\n"),
		cmd("GET nosuch", null), // still RESP2 after the failed HELLOs
		cmd("HELLO 3 SETNAME conn1", hello("3")),
		cmd("CLIENT GETNAME", bulk("conn1")),
		cmd("GET nosuch", "_\r\n"),
		cmd("LPOP nosuch 1", "_\r\n"),
		cmd("CONFIG GET maxclients", "%1\r\n"+bulk("maxclients")+bulk("10000")),
		cmd("HELLO", hello("3")),
		cmd("HELLO 2", hello("2")),
		cmd("GET nosuch", null),
		cmd("HELLO 3 AUTH default anything", hello("3")),

		cmd("AUTH x", "-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n"),
		cmd("AUTH default x", ok),
		cmd("AUTH bob x", "-WRONGPASS invalid username-password pair or user is disabled.\r\n"),
		cmd("AUTH a b c", errSyntax),
		cmd("AUTH", errArity("auth")),
	})
}

// TestClientCommands covers CLIENT SETNAME, GETNAME, ID, NO-EVICT, KILL and LIST errors.
func TestClientCommands(t *testing.T) {
	runTable(t, []tc{
		cmd("CLIENT GETNAME", null),
		cmd("CLIENT SETNAME myconn", ok),
		cmd("CLIENT GETNAME", bulk("myconn")),
		args("-ERR Client names cannot contain spaces, newlines or special characters.\r\n", "CLIENT", "SETNAME", "a b"),
		args("-ERR Client names cannot contain spaces, newlines or special characters.\r\n", "CLIENT", "SETNAME", "a\nb"),
		cmd("CLIENT GETNAME", bulk("myconn")),
		args(ok, "CLIENT", "SETNAME", ""),
		cmd("CLIENT GETNAME", null),
		cmd("CLIENT ID", "re::[0-9]+\r\n"),
		cmd("CLIENT NO-EVICT on", ok),
		cmd("CLIENT NO-EVICT maybe", errSyntax),
		cmd("CLIENT KILL 1.2.3.4:5", "-ERR No such client\r\n"),
		cmd("CLIENT KILL ID abc", "-ERR client-id should be greater than 0\r\n"),
		cmd("CLIENT KILL ID 0", "-ERR client-id should be greater than 0\r\n"),
		cmd("CLIENT KILL ID 999999", zero),
		cmd("CLIENT KILL FOO x", errSyntax),
		cmd("CLIENT LIST TYPE foo", "-ERR Unknown client type 'foo'\r\n"),
		cmd("CLIENT LIST ID abc", "-ERR Invalid client ID\r\n"),
		cmd("CLIENT INFO", `re:\$[0-9]+\r\nid=[0-9]+ addr=[^ ]+ laddr=[^ ]+ .*\n\r\n`),
	})
}

// TestClientKill checks that CLIENT KILL ID closes the other connection.
func TestClientKill(t *testing.T) {
	s := startTarget(t)
	a, b := s.dial(t), s.dial(t)
	id := strings.TrimSuffix(strings.TrimPrefix(b.Do("CLIENT", "ID"), ":"), "\r\n")
	check(t, "CLIENT KILL ID", a.Do("CLIENT", "KILL", "ID", id), one)
	b.Send(encode("PING"))
	if got, err := b.TryRead(2 * time.Second); err == nil {
		t.Errorf("killed connection still answers: %q", got)
	}
	check(t, "PING", a.Do("PING"), "+PONG\r\n")
}

// TestQuitReset checks that QUIT replies then closes, and that RESET puts
// the connection back to db 0, RESP2 and no name.
func TestQuitReset(t *testing.T) {
	s := startTarget(t)
	c := s.dial(t)
	c.run([]tc{
		cmd("SELECT 3", ok),
		cmd("CLIENT SETNAME n", ok),
		cmd("SET k v3", ok),
		cmd("RESET", "+RESET\r\n"),
		cmd("GET k", null),
		cmd("CLIENT GETNAME", null),
		cmd("QUIT", ok),
	})
	if got, err := c.TryRead(2 * time.Second); err == nil {
		t.Errorf("connection open after QUIT: %q", got)
	}
	s.dial(t).run([]tc{cmd("QUIT x", ok)})
}

// TestProtocol sends raw protocol to the server: inline commands,
// pipelines, and malformed requests that get an error and a closed
// connection.
func TestProtocol(t *testing.T) {
	s := startTarget(t)
	c := s.dial(t)
	c.Send("PING\r\nECHO \"a b\"\r\n\r\n*2\r\n$4\r\nECHO\r\n$3\r\nx\ny\r\n*-1\r\n*0\r\nPING\n")
	for _, want := range []string{"+PONG\r\n", bulk("a b"), bulk("x\ny"), "+PONG\r\n"} {
		check(t, "pipelined reply", c.Read(), want)
	}
	c.Send(encode("SET", "k", "v") + encode("GET", "k") + "GET k\r\n")
	for _, want := range []string{ok, bulk("v"), bulk("v")} {
		check(t, "pipelined reply", c.Read(), want)
	}
	// More pipelined requests than one batch holds (resp.MaxBatch), with
	// argument counts that differ from one request to the next: every reply
	// arrives, in order, with its own arguments.
	var long strings.Builder
	var replies []string
	for i := 0; i < 3*resp.MaxBatch+7; i++ {
		if i%3 == 0 {
			long.WriteString(encode("ECHO", fmt.Sprint("e", i)))
			replies = append(replies, bulk(fmt.Sprint("e", i)))
		} else {
			long.WriteString(encode("RPUSH", "plist", fmt.Sprint(i), "x"))
			replies = append(replies, fmt.Sprintf(":%d\r\n", 2*(i-i/3)))
		}
	}
	c.Send(long.String())
	for _, want := range replies {
		check(t, "long pipeline reply", c.Read(), want)
	}
	// A request split into many small writes.
	for _, b := range []byte(encode("ECHO", "slow")) {
		c.Send(string([]byte{b}))
	}
	check(t, "ECHO in pieces", c.Read(), bulk("slow"))

	for _, p := range []struct{ in, want string }{
		{"*1\r\n$-1\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"*1\r\n$536870913\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"*abc\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
		{"*1\r\nx\r\n", "-ERR Protocol error: expected '$', got 'x'\r\n"},
		{"*1\r\r\n$4\r\nPING\r\n", "-ERR Protocol error: expected '$', got ' '\r\n"},
		{"ECHO \"abc\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n"},
		{strings.Repeat("a", 70*1024), "-ERR Protocol error: too big inline request\r\n"},
		{"PING\r\n*1\r\n$x\r\n", "+PONG\r\n-ERR Protocol error: invalid bulk length\r\n"},
	} {
		c := s.dial(t)
		c.Send(p.in)
		var got strings.Builder
		for {
			r, err := c.TryRead(5 * time.Second)
			got.WriteString(r)
			if err != nil {
				break // closed by the server
			}
		}
		check(t, showArgs([]string{p.in}), got.String(), p.want)
	}
	check(t, "PING after protocol errors", s.dial(t).Do("PING"), "+PONG\r\n")
}

// TestClientListWhileSwitching runs CLIENT LIST on one connection while
// another switches database, protocol and name (SELECT, HELLO, RESET,
// CLIENT SETNAME): under -race this checks that the fields CLIENT LIST
// reads from other connections are synchronized, and every line it
// returns shows one of the values the other connection had.
func TestClientListWhileSwitching(t *testing.T) {
	s := startTarget(t)
	a, b := s.dial(t), s.dial(t)
	id := strings.TrimSuffix(strings.TrimPrefix(b.Do("CLIENT", "ID"), ":"), "\r\n")
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 200; i++ {
			b.Do("SELECT", fmt.Sprint(i%3))
			b.Do("HELLO", fmt.Sprint(2+i%2))
			b.Do("CLIENT", "SETNAME", fmt.Sprintf("n%d", i%2))
			if i%50 == 49 {
				b.Do("RESET")
			}
		}
	}()
	line := regexp.MustCompile(`id=` + id + ` .* name=(|n0|n1) .* db=([012]) .* resp=([23]) `)
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		got := a.Do("CLIENT", "LIST", "ID", id)
		if !line.MatchString(got) {
			t.Fatalf("CLIENT LIST ID %s = %q", id, got)
		}
	}
}

// TestPublishWhileSwitchingProtocol publishes to a RESP3 subscriber that
// keeps sending HELLO 3 (allowed while subscribed in RESP3; each one sets
// the protocol again) and at last HELLO 2: under -race this checks that
// PUBLISH reads the subscriber's protocol synchronized; each PUBLISH still
// reaches it.
func TestPublishWhileSwitchingProtocol(t *testing.T) {
	s := startTarget(t)
	a, b := s.dial(t), s.dial(t)
	a.Do("HELLO", "3")
	a.Do("SUBSCRIBE", "ch")
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 400; i++ {
			a.Send(encode("HELLO", "3"))
		}
		a.Send(encode("HELLO", "2"))
	}()
	for i := 0; i < 200; i++ {
		check(t, "PUBLISH", b.Do("PUBLISH", "ch", "m"), one)
	}
	<-done
}

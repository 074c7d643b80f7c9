package commands

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"redisk/resp"
)

// dumpArgs prints args one a line, nested ones indented: "name type
// token=T key_spec_index=N flags…".
func dumpArgs(args []*docArg) string {
	var b strings.Builder
	var dump func([]*docArg, string)
	dump = func(args []*docArg, indent string) {
		for _, a := range args {
			fmt.Fprintf(&b, "%s%s %s", indent, a.Name, a.Type)
			if a.Token != "" {
				fmt.Fprintf(&b, " token=%s", a.Token)
			}
			if a.KeySpec >= 0 {
				fmt.Fprintf(&b, " key_spec_index=%d", a.KeySpec)
			}
			for _, f := range []struct {
				on   bool
				name string
			}{{a.Optional, "optional"}, {a.Multiple, "multiple"}, {a.MultipleToken, "multiple_token"}} {
				if f.on {
					b.WriteString(" " + f.name)
				}
			}
			b.WriteString("\n")
			dump(a.Args, indent+"  ")
		}
	}
	dump(args, "")
	return b.String()
}

// Redis 7.0.15's COMMAND DOCS arguments for a few commands, dumped.
var redisArgs = map[string]string{
	"set": `key key key_spec_index=0
value string
condition oneof optional
  nx pure-token token=NX
  xx pure-token token=XX
get pure-token token=GET optional
expiration oneof optional
  seconds integer token=EX
  milliseconds integer token=PX
  unix-time-seconds unix-time token=EXAT
  unix-time-milliseconds unix-time token=PXAT
  keepttl pure-token token=KEEPTTL
`,
	"zadd": `key key key_spec_index=0
condition oneof optional
  nx pure-token token=NX
  xx pure-token token=XX
comparison oneof optional
  gt pure-token token=GT
  lt pure-token token=LT
change pure-token token=CH optional
increment pure-token token=INCR optional
score_member block multiple
  score double
  member string
`,
	"lpos": `key key key_spec_index=0
element string
rank integer token=RANK optional
num-matches integer token=COUNT optional
len integer token=MAXLEN optional
`,
	"client|kill": `filter oneof
  ip:port string
  new-format oneof multiple
    client-id integer token=ID optional
    normal_master_slave_pubsub oneof token=TYPE optional
      normal pure-token token=NORMAL
      master pure-token token=MASTER
      slave pure-token token=SLAVE
      replica pure-token token=REPLICA
      pubsub pure-token token=PUBSUB
    username string token=USER optional
    ip:port string token=ADDR optional
    ip:port string token=LADDR optional
    yes/no string token=SKIPME optional
`,
	"client|list": `normal_master_replica_pubsub oneof token=TYPE optional
  normal pure-token token=NORMAL
  master pure-token token=MASTER
  replica pure-token token=REPLICA
  pubsub pure-token token=PUBSUB
id block token=ID optional
  client-id integer multiple
`,
}

// TestParseSyntax checks the parsed syntax of a few commands against what
// Redis 7.0 answers for them.
func TestParseSyntax(t *testing.T) {
	for name, want := range redisArgs {
		args, err := parseSyntax(commandSyntax[name])
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got := dumpArgs(args); got != want {
			t.Errorf("%s: syntax %q gives\n%s\nRedis 7.0 has\n%s", name, commandSyntax[name], got, want)
		}
	}
}

func TestParseSyntaxNotation(t *testing.T) {
	for _, tc := range []struct{ syntax, want string }{
		{"", ""},
		{"key [key ...]", "key key key_spec_index=0 multiple\n"},
		{"[GET pattern [GET pattern ...]]", "pattern pattern token=GET optional multiple multiple_token\n"},
		{"[LIMIT offset count]", "offset_count block token=LIMIT optional\n  offset integer\n  count integer\n"},
		{"[<COUNT count> [ANY]]{count-block}", "count-block block optional\n  count integer token=COUNT\n  any pure-token token=ANY optional\n"},
		{"source destination", "source key key_spec_index=0\ndestination key key_spec_index=1\n"},
		{"member{:double} [CH{change}]", "member double\nchange pure-token token=CH optional\n"},
		{"ip:port{addr}", "addr string\n"},
		{"[ID client-id [client-id ...]]", "client-id integer token=ID optional multiple\n"},
		{"[ID client-id [client-id ...]]{:block}", "id block token=ID optional\n  client-id integer multiple\n"},
		{"<BEFORE | AFTER>{where} pivot", "where oneof\n  before pure-token token=BEFORE\n  after pure-token token=AFTER\npivot string\n"},
	} {
		args, err := parseSyntax(tc.syntax)
		if err != nil {
			t.Errorf("%q: %v", tc.syntax, err)
			continue
		}
		if got := dumpArgs(args); got != tc.want {
			t.Errorf("%q gives\n%s\nwant\n%s", tc.syntax, got, tc.want)
		}
	}
	for _, bad := range []string{"[key", "key]", "<a | b]", "[key ...]", "a [b ...]", "[]", "a | b", "x{y", "TOKEN x{:block} [[y]]", "{a}"} {
		if _, err := parseSyntax(bad); err == nil {
			t.Errorf("%q parsed without error", bad)
		}
	}
}

// docCommands lists the registered commands that take arguments: all but
// the containers of subcommands, which have none of their own.
func docCommands() []*Command {
	var out []*Command
	for _, cmd := range Table() {
		if cmd.Run != nil {
			out = append(out, cmd)
		}
		out = append(out, sortedSubs(cmd)...)
	}
	return out
}

// TestSyntaxCoversTable fails on a registered command without a syntax
// entry, so that COMMAND DOCS has arguments for every command.
func TestSyntaxCoversTable(t *testing.T) {
	known := map[string]bool{}
	for _, c := range docCommands() {
		name := c.FullName()
		known[name] = true
		s, ok := commandSyntax[name]
		if !ok {
			t.Errorf("command %s has no syntax: add it to commandSyntax in commands/syntax.go", name)
			continue
		}
		if _, err := parseSyntax(s); err != nil {
			t.Errorf("command %s: %v", name, err)
		}
	}
	for name := range commandSyntax {
		if !known[name] {
			t.Errorf("commandSyntax has an entry for %s, which is not a registered command", name)
		}
	}
}

// TestCommandDocsArguments compares the bytes of LPOS's arguments with what
// Redis 7.0 sends, in RESP2 and RESP3.
func TestCommandDocsArguments(t *testing.T) {
	arg := func(kv ...string) string {
		s := fmt.Sprintf("%%%d\r\n", len(kv)/2)
		for _, x := range kv {
			if strings.HasPrefix(x, ":") || strings.HasPrefix(x, "~") {
				s += x
			} else {
				s += fmt.Sprintf("$%d\r\n%s\r\n", len(x), x)
			}
		}
		return s
	}
	opt := "~1\r\n+optional\r\n"
	want := "$9\r\narguments\r\n*5\r\n" +
		arg("name", "key", "type", "key", "key_spec_index", ":0\r\n") +
		arg("name", "element", "type", "string") +
		arg("name", "rank", "type", "integer", "token", "RANK", "flags", opt) +
		arg("name", "num-matches", "type", "integer", "token", "COUNT", "flags", opt) +
		arg("name", "len", "type", "integer", "token", "MAXLEN", "flags", opt)
	for _, proto := range []int{2, 3} {
		c := &Ctx{W: resp.NewWriter(proto)}
		writeCommandDocs(c, lookupName("lpos"))
		got := string(c.W.Bytes())
		w := want
		if proto == 2 {
			w = strings.ReplaceAll(w, "%4\r\n", "*8\r\n")
			w = strings.ReplaceAll(w, "%3\r\n", "*6\r\n")
			w = strings.ReplaceAll(w, "%2\r\n", "*4\r\n")
			w = strings.ReplaceAll(w, "~1\r\n", "*1\r\n")
		}
		if !strings.HasSuffix(got, w) {
			t.Errorf("resp%d COMMAND DOCS lpos: got\n%q\nwant it to end with\n%q", proto, got, w)
		}
	}
}

// TestSyntaxMatchesRedis compares the arguments of every registered command
// with a real redis-server's COMMAND DOCS (skipped without redis-server on
// the PATH; REDISK_DOCS_REDIS=host:port uses a running one). On a mismatch
// it prints the syntax line that would give Redis's arguments.
func TestSyntaxMatchesRedis(t *testing.T) {
	addr := os.Getenv("REDISK_DOCS_REDIS")
	if addr == "" {
		addr = startRedisServer(t)
	}
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rd := bufio.NewReader(conn)
	t.Run("notation", func(t *testing.T) { checkNotation(t, conn, rd) })
	for _, c := range docCommands() {
		name := c.FullName()
		fmt.Fprintf(conn, "*3\r\n$7\r\nCOMMAND\r\n$4\r\nDOCS\r\n$%d\r\n%s\r\n", len(name), name)
		v, err := readDocsReply(rd)
		if err != nil {
			t.Fatal(err)
		}
		reply, _ := v.([]any)
		if len(reply) != 2 {
			continue // not a Redis 7.0 command
		}
		want := redisDocArgs(docsPairs(reply[1])["arguments"])
		got, err := parseSyntax(commandSyntax[name])
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if dumpArgs(got) != dumpArgs(want) {
			t.Errorf("%s: syntax %q gives\n%s\nRedis has\n%s\nRedis's would be written %q",
				name, commandSyntax[name], dumpArgs(got), dumpArgs(want), renderSyntax(want))
		}
	}
}

// checkNotation checks that the notation can write the arguments of every
// Redis command: renderSyntax's line for them parses back to them.
func checkNotation(t *testing.T, conn net.Conn, rd *bufio.Reader) {
	fmt.Fprintf(conn, "*2\r\n$7\r\nCOMMAND\r\n$4\r\nDOCS\r\n")
	v, err := readDocsReply(rd)
	if err != nil {
		t.Fatal(err)
	}
	all := docsPairs(v)
	if len(all) < 100 {
		t.Fatalf("COMMAND DOCS gave %d commands", len(all))
	}
	var check func(name string, doc any)
	check = func(name string, doc any) {
		m := docsPairs(doc)
		want := redisDocArgs(m["arguments"])
		line := renderSyntax(want)
		got, err := parseSyntax(line)
		if err != nil {
			t.Errorf("%s: %v", name, err)
		} else if dumpArgs(got) != dumpArgs(want) {
			t.Errorf("%s: %q gives\n%s\nRedis has\n%s", name, line, dumpArgs(got), dumpArgs(want))
		}
		for sub, doc := range docsPairs(m["subcommands"]) {
			check(sub, doc)
		}
	}
	for name, doc := range all {
		check(name, doc)
	}
}

// startRedisServer runs redis-server on a free port until the test ends.
func startRedisServer(t *testing.T) string {
	path, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("no redis-server on the PATH")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(path, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("redis-server did not start on %s", addr)
	return ""
}

// readDocsReply reads one RESP2 reply: string, int64, []any, nil or error.
func readDocsReply(rd *bufio.Reader) (any, error) {
	line, err := rd.ReadString('\n')
	if err != nil {
		return nil, err
	}
	line = strings.TrimSuffix(line, "\r\n")
	if line == "" {
		return nil, fmt.Errorf("empty line")
	}
	switch line[0] {
	case '+':
		return line[1:], nil
	case '-':
		return fmt.Errorf("%s", line[1:]), nil
	case ':':
		return strconv.ParseInt(line[1:], 10, 64)
	case '$', '*':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return nil, err
		}
		if line[0] == '$' {
			b := make([]byte, n+2)
			_, err := io.ReadFull(rd, b)
			return string(b[:n]), err
		}
		out := make([]any, n)
		for i := range out {
			if out[i], err = readDocsReply(rd); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("bad reply %q", line)
}

// docsPairs reads a RESP2 map (a flat array of keys and values).
func docsPairs(v any) map[string]any {
	arr, _ := v.([]any)
	m := map[string]any{}
	for i := 0; i+1 < len(arr); i += 2 {
		k, _ := arr[i].(string)
		m[k] = arr[i+1]
	}
	return m
}

// redisDocArgs converts Redis's "arguments" reply.
func redisDocArgs(v any) []*docArg {
	arr, _ := v.([]any)
	var out []*docArg
	for _, x := range arr {
		m := docsPairs(x)
		a := &docArg{KeySpec: -1}
		a.Name, _ = m["name"].(string)
		a.Type, _ = m["type"].(string)
		a.Token, _ = m["token"].(string)
		if ks, ok := m["key_spec_index"].(int64); ok {
			a.KeySpec = int(ks)
		}
		flags, _ := m["flags"].([]any)
		a.Optional = slices.Contains(flags, any("optional"))
		a.Multiple = slices.Contains(flags, any("multiple"))
		a.MultipleToken = slices.Contains(flags, any("multiple_token"))
		a.Args = redisDocArgs(m["arguments"])
		out = append(out, a)
	}
	return out
}

// renderSyntax writes args in parseSyntax's notation, with the annotations
// that parsing needs to give them back.
func renderSyntax(args []*docArg) string {
	r := &renderer{}
	return r.seq(args)
}

type renderer struct {
	keys int // key specs numbered so far
}

// rendered is the text of one argument.
type rendered struct {
	text     string
	bareTok  bool // the whole text is a bare token
	startTok bool // the text starts with a bare token (a block could take it)
}

func (r *renderer) seq(args []*docArg) string {
	parts := r.parts(args)
	texts := make([]string, len(parts))
	for i, p := range parts {
		texts[i] = p.text
	}
	return strings.Join(texts, " ")
}

// parts renders args in a sequence; a bare token before an argument would
// become that argument's token, so it is put in < >.
func (r *renderer) parts(args []*docArg) []rendered {
	rs := make([]rendered, len(args))
	for i, a := range args {
		rs[i] = r.arg(a)
	}
	for i := range rs {
		if rs[i].bareTok && i+1 < len(rs) && !rs[i+1].startTok {
			rs[i] = rendered{text: "<" + rs[i].text + ">"}
		}
	}
	return rs
}

func synAnn(name, typ string, keySpec int) string {
	s := name
	if typ != "" {
		s += ":" + typ
	}
	if keySpec >= 0 {
		s += "#" + strconv.Itoa(keySpec)
	}
	if s == "" {
		return ""
	}
	return "{" + s + "}"
}

// nameIf is name when it differs from the default the parser gives.
func nameIf(name, def string) string {
	if name == def {
		return ""
	}
	return name
}

func (r *renderer) arg(a *docArg) rendered {
	open, close := "<", ">"
	if a.Optional {
		open, close = "[", "]"
	}
	tok := ""
	if a.Token != "" {
		tok = a.Token + " "
	}
	wrapOpt := func(t string, startTok bool) rendered {
		if a.Optional {
			return rendered{text: "[" + t + "]"}
		}
		return rendered{text: t, startTok: startTok}
	}
	switch a.Type {
	case "pure-token":
		word, def := a.Token, strings.ToLower(a.Token)
		if a.Token == "" {
			word, def = `""`, "empty_string"
		}
		name := nameIf(a.Name, def)
		t := word + synAnn(name, "", -1)
		if a.Multiple {
			t += " [" + t + " ...]"
		}
		if !a.Optional && !a.Multiple && name == "" {
			return rendered{text: t, bareTok: true, startTok: true}
		}
		return wrapOpt(t, false)
	case "oneof":
		alts := make([]string, len(a.Args))
		for i, c := range a.Args {
			alts[i] = r.alt(c)
		}
		body := strings.Join(alts, " | ")
		name := nameIf(a.Name, joinNames(a.Args))
		if a.Multiple {
			unit := "<" + body + ">"
			if a.MultipleToken {
				unit, tok = tok+unit, ""
			}
			return wrapOpt(tok+unit+" ["+unit+" ...]"+synAnn(name, "", -1), tok != "")
		}
		if a.Token != "" {
			return wrapOpt(tok+"<"+body+">"+synAnn(name, "", -1), true)
		}
		return rendered{text: open + body + close + synAnn(name, "", -1)}
	case "block":
		if len(a.Args) == 1 {
			inner := *a.Args[0]
			if inner.Token == "" && !inner.Optional && a.Token != "" && !a.Multiple {
				// [TOKEN x]{:block}: a block introduced by TOKEN.
				inner.Token, inner.Optional = a.Token, a.Optional
				t := r.arg(&inner).text
				if !a.Optional {
					t = "<" + t + ">"
				}
				return rendered{text: t + synAnn(nameIf(a.Name, strings.ToLower(a.Token)), "block", -1)}
			}
			// <x>{:block}, with the block's own token, repeat and brackets.
			unit := "<" + r.arg(&inner).text + ">" + synAnn(nameIf(a.Name, inner.Name), "block", -1)
			if a.Multiple {
				if a.MultipleToken {
					unit, tok = tok+unit, ""
				}
				unit += " [" + unit + " ...]"
			}
			return wrapOpt(tok+unit, tok != "")
		}
		parts := r.parts(a.Args)
		// A block whose first part starts with a bare token would read
		// as a block introduced by that token.
		if parts[0].startTok {
			parts[0].text = "<" + parts[0].text + ">"
		}
		texts := make([]string, len(parts))
		simple := true // no bare token among the parts
		for i, p := range parts {
			texts[i] = p.text
			simple = simple && !p.startTok && !(a.Args[i].Type == "pure-token" && !a.Args[i].Optional)
		}
		body := strings.Join(texts, " ")
		if a.Multiple {
			unit := body
			if a.MultipleToken {
				unit, tok = tok+unit, ""
			}
			return wrapOpt(tok+unit+" ["+unit+" ...]"+synAnn(nameIf(a.Name, joinNames(a.Args)), "", -1), tok != "")
		}
		if a.Token != "" && simple {
			// [TOKEN a b]: a block introduced by TOKEN.
			return rendered{text: open + tok + body + close + synAnn(nameIf(a.Name, joinNames(a.Args)), "", -1)}
		}
		if a.Token != "" {
			return wrapOpt(tok+"<"+body+">"+synAnn(nameIf(a.Name, joinNames(a.Args)), "", -1), true)
		}
		return rendered{text: open + body + close + synAnn(nameIf(a.Name, joinNames(a.Args)), "", -1)}
	}
	typ := ""
	if guessArgType(a.Name) != a.Type {
		typ = a.Type
	}
	keySpec := -1
	if a.KeySpec >= 0 {
		if a.Type == "key" && a.KeySpec == r.keys {
			r.keys++
		} else {
			keySpec = a.KeySpec
		}
	}
	t := a.Name + synAnn("", typ, keySpec)
	if a.Multiple {
		unit := a.Name
		if a.MultipleToken {
			unit, tok = tok+unit, ""
		}
		t = tok + unit + " [" + unit + " ...]" + synAnn("", typ, keySpec)
	} else {
		t = tok + t
	}
	return wrapOpt(t, tok != "")
}

// alt writes one choice of a oneof: a block needs no brackets there.
func (r *renderer) alt(a *docArg) string {
	t := r.arg(a).text
	if a.Type == "block" && !a.Optional && strings.HasPrefix(t, "<") && strings.HasSuffix(t, ">") {
		return t[1 : len(t)-1]
	}
	return t
}

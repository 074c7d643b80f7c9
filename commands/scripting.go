package commands

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"

	"redisk/resp"
	"redisk/shard"
)

func init() {
	g := "scripting"
	sf := FlagNoScript | FlagSkipSlowlog | FlagMovableKeys
	register(
		&Command{Name: "eval", Arity: -3, Flags: sf, Group: g, Since: "2.6.0", Summary: "Executes a server-side Lua script.", Complexity: "Depends on the script that is executed.", Run: evalCommand},
		&Command{Name: "evalsha", Arity: -3, Flags: sf, Group: g, Since: "2.6.0", Summary: "Executes a server-side Lua script by SHA1 digest.", Complexity: "Depends on the script that is executed.", Run: evalCommand},
		&Command{Name: "eval_ro", Arity: -3, Flags: sf | FlagReadonly, Group: g, Since: "7.0.0", Summary: "Executes a read-only server-side Lua script.", Complexity: "Depends on the script that is executed.", Run: evalCommand},
		&Command{Name: "evalsha_ro", Arity: -3, Flags: sf | FlagReadonly, Group: g, Since: "7.0.0", Summary: "Executes a read-only server-side Lua script by SHA1 digest.", Complexity: "Depends on the script that is executed.", Run: evalCommand},
		&Command{Name: "script", Arity: -2, Group: g, Since: "2.6.0", Summary: "A container for Lua scripts management commands."},
		&Command{Name: "script|load", Arity: 3, Flags: FlagNoScript | FlagStale, Since: "2.6.0", Summary: "Loads a server-side Lua script to the script cache.", Complexity: "O(N) with N being the length in bytes of the script body.", Run: scriptLoadCommand},
		&Command{Name: "script|exists", Arity: -3, Flags: FlagNoScript, Since: "2.6.0", Summary: "Determines whether server-side Lua scripts exist in the script cache.", Complexity: "O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).", Run: scriptExistsCommand},
		&Command{Name: "script|flush", Arity: -2, Flags: FlagNoScript, Since: "2.6.0", Summary: "Removes all server-side Lua scripts from the script cache.", Complexity: "O(N) with N being the number of scripts in cache", Run: scriptFlushCommand},
		&Command{Name: "script|kill", Arity: 2, Flags: FlagNoScript | FlagAllowBusy, Since: "2.6.0", Summary: "Terminates a server-side Lua script during execution.", Complexity: "O(1)", Run: scriptKillCommand},
		&Command{Name: "script|help", Arity: 2, Flags: FlagLoading | FlagStale, Since: "5.0.0", Summary: "Returns helpful text about the different subcommands.", Complexity: "O(1)", Run: scriptHelpCommand},
	)
}

// scripts is the script cache and the state of the running script.
type scripts struct {
	mu     sync.Mutex
	bodies map[string]*lua.FunctionProto

	running atomic.Bool
	start   atomic.Int64 // unix ns when the running script started
	wrote   atomic.Bool  // the running script called a write command
	cancel  context.CancelFunc
	killed  atomic.Bool
	runMu   sync.Mutex // guards cancel
}

// LuaTimeLimit is lua-time-limit: after it, other clients get BUSY and
// SCRIPT KILL may stop the script.
const LuaTimeLimit = 5 * time.Second

func newScripts() *scripts { return &scripts{bodies: map[string]*lua.FunctionProto{}} }

func sha1hex(b []byte) string {
	h := sha1.Sum(b)
	return hex.EncodeToString(h[:])
}

// compile caches body under its SHA1 and returns the sha and proto.
func (s *scripts) compile(body []byte) (string, *lua.FunctionProto, error) {
	sha := sha1hex(body)
	s.mu.Lock()
	p := s.bodies[sha]
	s.mu.Unlock()
	if p != nil {
		return sha, p, nil
	}
	chunk, err := parse.Parse(strings.NewReader(string(body)), "user_script")
	if err != nil {
		return sha, nil, err
	}
	p, err = lua.Compile(chunk, "user_script")
	if err != nil {
		return sha, nil, err
	}
	s.mu.Lock()
	s.bodies[sha] = p
	s.mu.Unlock()
	return sha, p, nil
}

// busy reports whether a script has run past the time limit.
func (s *scripts) busy() bool {
	return s.running.Load() && time.Since(time.Unix(0, s.start.Load())) > LuaTimeLimit
}

const errBusy = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or FUNCTION KILL or SHUTDOWN NOSAVE."

// EVAL script numkeys [key [key ...]] [arg [arg ...]] and EVALSHA, EVAL_RO, EVALSHA_RO
func evalCommand(c *Ctx) {
	name := c.cmd.Name
	byHash := strings.HasPrefix(name, "evalsha")
	readOnly := strings.HasSuffix(name, "_ro")
	nk, ok := parseInt(c.Args[2])
	if !ok {
		c.errorReply(errNotInteger)
		return
	}
	if nk < 0 {
		c.errorReply("ERR Number of keys can't be negative")
		return
	}
	if nk > int64(len(c.Args)-3) {
		c.errorReply("ERR Number of keys can't be greater than number of args")
		return
	}
	sc := c.srv.scripts
	var sha string
	var proto *lua.FunctionProto
	if byHash {
		sha = strings.ToLower(string(c.Args[1]))
		sc.mu.Lock()
		proto = sc.bodies[sha]
		sc.mu.Unlock()
		if proto == nil {
			c.errorReply("NOSCRIPT No matching script. Please use EVAL.")
			return
		}
	} else {
		var err error
		sha, proto, err = sc.compile(c.Args[1])
		if err != nil {
			c.errorReply("ERR Error compiling script (new function): " + luaErrorText(err))
			return
		}
	}
	keys := c.Args[3 : 3+nk]
	argv := c.Args[3+nk:]
	run := func(m *shard.Multi) error {
		c.runScript(m, sha, proto, keys, argv, readOnly)
		return nil
	}
	if c.tx != nil {
		run(c.tx)
		return
	}
	mark := c.W.Len()
	if err := c.srv.Data.All(c.db(), run); err != nil {
		c.W.Truncate(mark)
		c.fail(err)
	}
}

// scriptRun is one script execution.
type scriptRun struct {
	c        *Ctx
	m        *shard.Multi
	sha      string
	readOnly bool
	proto    int // RESP version of redis.call replies (redis.setresp)
	written  [][]byte
}

// runScript executes a compiled script inside m and writes its reply.
func (c *Ctx) runScript(m *shard.Multi, sha string, proto *lua.FunctionProto, keys, argv [][]byte, readOnly bool) {
	sc := c.srv.scripts
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	L.SetContext(ctx)
	sr := &scriptRun{c: c, m: m, sha: sha, readOnly: readOnly, proto: 2}
	openScriptLibs(L, sr)
	L.SetGlobal("KEYS", luaStrings(L, keys))
	L.SetGlobal("ARGV", luaStrings(L, argv))
	protectGlobals(L)

	savedDB := c.conn.DB()
	sc.runMu.Lock()
	sc.cancel = cancel
	sc.runMu.Unlock()
	sc.killed.Store(false)
	sc.wrote.Store(false)
	sc.start.Store(time.Now().UnixNano())
	sc.running.Store(true)
	defer func() {
		sc.running.Store(false)
		c.conn.SetDB(savedDB)
		for _, k := range sr.written {
			c.srv.block.signal(savedDB, [][]byte{k})
		}
	}()

	fn := L.NewFunctionFromProto(proto)
	L.Push(fn)
	err := L.PCall(0, 1, nil)
	if err != nil {
		if sc.killed.Load() {
			c.errorReply("ERR Script killed by user with SCRIPT KILL... script: " + sha + ", on @user_script:1.")
			return
		}
		c.errorReply(scriptErrorReply(err, sha))
		return
	}
	ret := L.Get(-1)
	L.Pop(1)
	luaToResp(c.W, ret)
}

// scriptErrorReply formats an error raised by a script like Redis 7:
// "<error> script: <sha>, on @user_script:<line>.".
func scriptErrorReply(err error, sha string) string {
	line := "1"
	var text string
	if ae, ok := err.(*lua.ApiError); ok {
		if t, ok := ae.Object.(*lua.LTable); ok {
			if e, ok := t.RawGetString("err").(lua.LString); ok {
				text = string(e)
				if l, ok := t.RawGetString("line").(lua.LNumber); ok {
					line = strconv.Itoa(int(l))
				}
				return text + " script: " + sha + ", on @user_script:" + line + "."
			}
		}
		text = ae.Object.String()
	} else {
		text = err.Error()
	}
	if m := posRe.FindStringSubmatch(text); m != nil {
		line = m[1]
	}
	return "ERR " + text + " script: " + sha + ", on @user_script:" + line + "."
}

var posRe = regexp.MustCompile(`user_script:(\d+):`)

// luaErrorText words a compile error like Lua 5.1 does where it can.
func luaErrorText(err error) string {
	s := err.Error()
	if i := strings.Index(s, "\nstack traceback"); i >= 0 {
		s = s[:i]
	}
	s = syntaxRe.ReplaceAllString(s, "$1:$2: unexpected symbol near '$3'")
	return strings.TrimSpace(strings.ReplaceAll(s, "\n", " "))
}

var syntaxRe = regexp.MustCompile(`^(\S+) line:(\d+)\(column:\d+\) near '(.*)':\s+syntax error`)

func luaStrings(L *lua.LState, items [][]byte) *lua.LTable {
	t := L.CreateTable(len(items), 0)
	for _, it := range items {
		t.Append(lua.LString(it))
	}
	return t
}

// openScriptLibs opens the libraries Redis gives scripts and the redis table.
func openScriptLibs(L *lua.LState, sr *scriptRun) {
	for _, lib := range []struct {
		name string
		fn   lua.LGFunction
	}{{lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable}, {lua.StringLibName, lua.OpenString}, {lua.MathLibName, lua.OpenMath}} {
		L.Push(L.NewFunction(lib.fn))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	for _, n := range []string{"dofile", "loadfile", "load", "loadstring", "module", "require", "collectgarbage", "newproxy"} {
		L.SetGlobal(n, lua.LNil)
	}
	// Deterministic like Redis: math.random starts from the same seed.
	L.DoString("math.randomseed(0)")
	r := L.NewTable()
	L.SetFuncs(r, map[string]lua.LGFunction{
		"call":               func(L *lua.LState) int { return sr.call(L, true) },
		"pcall":              func(L *lua.LState) int { return sr.call(L, false) },
		"error_reply":        errorReplyLua,
		"status_reply":       func(L *lua.LState) int { return replyTable(L, "ok") },
		"sha1hex":            func(L *lua.LState) int { L.Push(lua.LString(sha1hex([]byte(L.CheckString(1))))); return 1 },
		"log":                luaLog,
		"setresp":            func(L *lua.LState) int { return sr.setresp(L) },
		"set_repl":           func(L *lua.LState) int { return 0 },
		"replicate_commands": func(L *lua.LState) int { L.Push(lua.LTrue); return 1 },
		"breakpoint":         func(L *lua.LState) int { L.Push(lua.LFalse); return 1 },
		"debug":              func(L *lua.LState) int { return 0 },
		"acl_check_cmd":      func(L *lua.LState) int { L.Push(lua.LTrue); return 1 },
	})
	for name, v := range map[string]int{"LOG_DEBUG": 0, "LOG_VERBOSE": 1, "LOG_NOTICE": 2, "LOG_WARNING": 3,
		"REPL_NONE": 0, "REPL_AOF": 1, "REPL_SLAVE": 2, "REPL_REPLICA": 2, "REPL_ALL": 3} {
		r.RawSetString(name, lua.LNumber(v))
	}
	L.SetGlobal("redis", r)
	L.SetGlobal("server", r)
	L.SetGlobal("cjson", openCjson(L))
	L.SetGlobal("cmsgpack", openCmsgpack(L))
	L.SetGlobal("bit", openBit(L))
}

// protectGlobals makes undeclared globals an error, like Redis.
func protectGlobals(L *lua.LState) {
	mt := L.NewTable()
	mt.RawSetString("__newindex", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("Attempt to modify a readonly table")
		return 0
	}))
	mt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("Script attempted to access nonexistent global variable '%s'", L.CheckString(2))
		return 0
	}))
	L.SetMetatable(L.Get(lua.GlobalsIndex), mt)
}

// errorReplyLua is redis.error_reply: like Redis's luaPushErrorBuff, the
// text's first word (a leading '-' dropped) is the error code, and a text
// of one word gets the code ERR.
func errorReplyLua(L *lua.LState) int {
	text := strings.TrimPrefix(L.CheckString(1), "-")
	if !strings.Contains(text, " ") {
		text = "ERR " + text
	}
	t := L.NewTable()
	t.RawSetString("err", lua.LString(text))
	L.Push(t)
	return 1
}

func replyTable(L *lua.LState, field string) int {
	t := L.NewTable()
	t.RawSetString(field, lua.LString(L.CheckString(1)))
	L.Push(t)
	return 1
}

func luaLog(L *lua.LState) int {
	level := L.CheckInt(1)
	var parts []string
	for i := 2; i <= L.GetTop(); i++ {
		parts = append(parts, L.ToStringMeta(L.Get(i)).String())
	}
	msg := strings.Join(parts, " ")
	switch level {
	case 0:
		slog.Debug(msg, "source", "script")
	case 1, 2:
		slog.Info(msg, "source", "script")
	default:
		slog.Warn(msg, "source", "script")
	}
	return 0
}

func (sr *scriptRun) setresp(L *lua.LState) int {
	n := L.CheckInt(1)
	if n != 2 && n != 3 {
		L.RaiseError("RESP version must be 2 or 3.")
	}
	sr.proto = n
	return 0
}

// raise raises a Redis error (a table with err) at the caller's line.
func raise(L *lua.LState, text string) {
	t := L.NewTable()
	t.RawSetString("err", lua.LString(text))
	if m := posRe.FindStringSubmatch(L.Where(1)); m != nil {
		n, _ := strconv.Atoi(m[1])
		t.RawSetString("line", lua.LNumber(n))
	}
	L.Error(t, 0)
}

// call runs redis.call (raise=true) or redis.pcall inside the script's transaction.
func (sr *scriptRun) call(L *lua.LState, raiseErr bool) int {
	fail := func(text string) int {
		if raiseErr {
			raise(L, text)
			return 0
		}
		t := L.NewTable()
		t.RawSetString("err", lua.LString(text))
		L.Push(t)
		return 1
	}
	n := L.GetTop()
	if n == 0 {
		return fail("ERR Please specify at least one argument for this redis lib call")
	}
	args := make([][]byte, n)
	for i := 1; i <= n; i++ {
		switch v := L.Get(i).(type) {
		case lua.LString:
			args[i-1] = []byte(string(v))
		case lua.LNumber:
			args[i-1] = []byte(luaNumberString(float64(v)))
		default:
			return fail("ERR Lua redis lib command arguments must be strings or integers")
		}
	}
	cmd := Lookup(args)
	switch {
	case cmd == nil:
		return fail("ERR Unknown Redis command called from script")
	case !cmd.arityOK(len(args)):
		return fail("ERR Wrong number of args calling Redis command from script")
	case cmd.Flags&FlagNoScript != 0:
		return fail("ERR This Redis command is not allowed from script")
	case sr.readOnly && cmd.Flags&FlagWrite != 0:
		return fail("ERR Write commands are not allowed from read-only scripts.")
	}
	c := sr.c
	if cmd.Flags&FlagWrite != 0 {
		c.srv.scripts.wrote.Store(true)
		sr.written = append(sr.written, cmd.KeyArgs(args)...)
	}
	w := resp.NewWriter(sr.proto)
	sub := &Ctx{srv: c.srv, conn: c.conn, cl: c.cl, W: w, Args: args, cmd: cmd, tx: sr.m}
	cmd.Run(sub)
	v, _, isErr := respToLua(L, w.Bytes())
	if isErr {
		return fail(string(v.(lua.LString)))
	}
	L.Push(v)
	return 1
}

// luaNumberString converts a Lua number argument like Lua's tostring (%.14g).
func luaNumberString(f float64) string {
	if f == float64(int64(f)) {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', 14, 64)
}

// respToLua converts one encoded reply to a Lua value (Redis's conversion
// rules); isErr reports an error reply, whose text is returned as a string.
func respToLua(L *lua.LState, b []byte) (v lua.LValue, rest []byte, isErr bool) {
	if len(b) == 0 {
		return lua.LNil, b, false
	}
	end := strings.Index(string(b), "\r\n")
	line, rest := string(b[1:end]), b[end+2:]
	switch b[0] {
	case '+':
		t := L.NewTable()
		t.RawSetString("ok", lua.LString(line))
		return t, rest, false
	case '-':
		return lua.LString(line), rest, true
	case ':':
		n, _ := strconv.ParseInt(line, 10, 64)
		return lua.LNumber(n), rest, false
	case '$', '=':
		n, _ := strconv.Atoi(line)
		if n < 0 {
			return lua.LFalse, rest, false
		}
		s := rest[:n]
		if b[0] == '=' {
			s = s[4:]
		}
		return lua.LString(s), rest[n+2:], false
	case '_':
		return lua.LNil, rest, false
	case '#':
		return lua.LBool(line == "t"), rest, false
	case ',':
		f, _ := strconv.ParseFloat(strings.Replace(line, "inf", "Inf", 1), 64)
		t := L.NewTable()
		t.RawSetString("double", lua.LNumber(f))
		return t, rest, false
	case '*', '~', '>', '%':
		n, _ := strconv.Atoi(line)
		if n < 0 {
			return lua.LFalse, rest, false
		}
		if b[0] == '%' {
			m := L.NewTable()
			for i := 0; i < n; i++ {
				var k, val lua.LValue
				k, rest, _ = respToLua(L, rest)
				val, rest, _ = respToLua(L, rest)
				m.RawSet(k, val)
			}
			t := L.NewTable()
			t.RawSetString("map", m)
			return t, rest, false
		}
		arr := L.CreateTable(n, 0)
		for i := 0; i < n; i++ {
			var e lua.LValue
			var eerr bool
			e, rest, eerr = respToLua(L, rest)
			if eerr {
				et := L.NewTable()
				et.RawSetString("err", e)
				e = et
			}
			arr.RawSetInt(i+1, e)
		}
		if b[0] == '~' {
			set := L.NewTable()
			arr.ForEach(func(_, v lua.LValue) { set.RawSet(v, lua.LTrue) })
			t := L.NewTable()
			t.RawSetString("set", set)
			return t, rest, false
		}
		return arr, rest, false
	}
	return lua.LNil, rest, false
}

// luaToResp writes a script's return value (Redis's conversion rules).
func luaToResp(w *resp.Writer, v lua.LValue) {
	switch x := v.(type) {
	case lua.LString:
		w.Bulk([]byte(string(x)))
	case lua.LNumber:
		w.Int(int64(x))
	case lua.LBool:
		if x {
			w.Int(1)
		} else {
			w.Null()
		}
	case *lua.LTable:
		if e, ok := x.RawGetString("err").(lua.LString); ok {
			w.Error(string(e))
			return
		}
		if s, ok := x.RawGetString("ok").(lua.LString); ok {
			w.Status(string(s))
			return
		}
		if d, ok := x.RawGetString("double").(lua.LNumber); ok {
			w.Double(float64(d))
			return
		}
		if m, ok := x.RawGetString("map").(*lua.LTable); ok {
			var ks, vs []lua.LValue
			m.ForEach(func(k, v lua.LValue) { ks, vs = append(ks, k), append(vs, v) })
			w.Map(len(ks))
			for i := range ks {
				luaToResp(w, ks[i])
				luaToResp(w, vs[i])
			}
			return
		}
		if s, ok := x.RawGetString("set").(*lua.LTable); ok {
			var ks []lua.LValue
			s.ForEach(func(k, _ lua.LValue) { ks = append(ks, k) })
			w.Set(len(ks))
			for _, k := range ks {
				luaToResp(w, k)
			}
			return
		}
		n := 0
		for x.RawGetInt(n+1) != lua.LNil {
			n++
		}
		w.Array(n)
		for i := 1; i <= n; i++ {
			luaToResp(w, x.RawGetInt(i))
		}
	default:
		w.Null()
	}
}

// SCRIPT LOAD script
func scriptLoadCommand(c *Ctx) {
	sha, _, err := c.srv.scripts.compile(c.Args[2])
	if err != nil {
		c.errorReply("ERR Error compiling script (new function): " + luaErrorText(err))
		return
	}
	c.W.BulkString(sha)
}

// SCRIPT EXISTS sha1 [sha1 ...]
func scriptExistsCommand(c *Ctx) {
	sc := c.srv.scripts
	sc.mu.Lock()
	defer sc.mu.Unlock()
	c.W.Array(len(c.Args) - 2)
	for _, a := range c.Args[2:] {
		if sc.bodies[strings.ToLower(string(a))] != nil {
			c.W.Int(1)
		} else {
			c.W.Int(0)
		}
	}
}

// SCRIPT FLUSH [ASYNC | SYNC]
func scriptFlushCommand(c *Ctx) {
	if len(c.Args) > 3 || (len(c.Args) == 3 && !isArg(c.Args[2], "async") && !isArg(c.Args[2], "sync")) {
		c.errorReply("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
		return
	}
	sc := c.srv.scripts
	sc.mu.Lock()
	sc.bodies = map[string]*lua.FunctionProto{}
	sc.mu.Unlock()
	c.W.OK()
}

// SCRIPT KILL
func scriptKillCommand(c *Ctx) {
	sc := c.srv.scripts
	switch {
	case !sc.running.Load():
		c.errorReply("NOTBUSY No scripts in execution right now.")
	case sc.wrote.Load():
		c.errorReply("UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.")
	default:
		sc.killed.Store(true)
		sc.runMu.Lock()
		if sc.cancel != nil {
			sc.cancel()
		}
		sc.runMu.Unlock()
		c.W.OK()
	}
}

// SCRIPT HELP
func scriptHelpCommand(c *Ctx) {
	lines := []string{
		"SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"EXISTS <sha1> [<sha1> ...]", "    Return information about the existence of the scripts in the script cache.",
		"FLUSH [ASYNC|SYNC]", "    Flush the Lua scripts cache. Very dangerous on replicas.",
		"KILL", "    Kill the currently executing Lua script.",
		"LOAD <script>", "    Load a script into the scripts cache without executing it.",
		"HELP", "    Print this help.",
	}
	c.writeHelp(lines)
}

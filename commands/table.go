// Package commands holds the command table and one file per command family.
// Handlers parse their arguments first, then run engine operations through
// the shard set, and write the reply; all error texts live in errors.go.
package commands

import (
	"fmt"
	"slices"
	"strings"
)

// Flag is a command flag as COMMAND INFO reports it.
type Flag uint32

// Command flags (Redis's names).
const (
	FlagWrite Flag = 1 << iota
	FlagReadonly
	FlagDenyOOM
	FlagAdmin
	FlagPubSub
	FlagNoScript
	FlagBlocking
	FlagLoading
	FlagStale
	FlagFast
	FlagNoAuth
	FlagNoMulti
	FlagMovableKeys
	FlagSkipSlowlog
	FlagAllowBusy
)

var flagNames = []string{"write", "readonly", "denyoom", "admin", "pubsub", "noscript", "blocking",
	"loading", "stale", "fast", "no_auth", "no_multi", "movablekeys", "skip_slowlog", "allow_busy"}

// Names returns the flag names in COMMAND INFO order.
func (f Flag) Names() []string {
	var out []string
	for i, n := range flagNames {
		if f&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// Command describes one command: Redis's arity rule (negative = at least,
// the name counted), flags, key positions (first, last, step; last -1 = to
// the end), documentation for COMMAND DOCS, and its handler.
type Command struct {
	Name                    string
	Arity                   int
	Flags                   Flag
	FirstKey, LastKey, Step int
	Group                   string
	Summary                 string
	Since                   string
	Complexity              string
	// Run executes the command; nil for a container of subcommands.
	Run func(*Ctx)
	// Subs are the subcommands of a container command (CLIENT, CONFIG…).
	Subs map[string]*Command
	// Keys finds the keys of a call when their positions depend on the
	// arguments (movable keys: numkeys, EVAL…); KeyArgs uses it when set.
	Keys func(args [][]byte) [][]byte

	parent *Command
	full   string // FullName, set by register
}

// FullName is the name errors use: "get", or "client|setname".
func (c *Command) FullName() string {
	if c.full != "" {
		return c.full
	}
	if c.parent != nil {
		return c.parent.Name + "|" + c.Name
	}
	return c.Name
}

// arityOK applies Redis's rule: exact when positive, a minimum when negative.
func (c *Command) arityOK(argc int) bool {
	return (c.Arity > 0 && argc == c.Arity) || (c.Arity < 0 && argc >= -c.Arity)
}

// KeyArgs returns the key arguments of a call.
func (c *Command) KeyArgs(args [][]byte) [][]byte {
	if c.Keys != nil {
		return c.Keys(args)
	}
	if c.FirstKey <= 0 {
		return nil
	}
	last := c.LastKey
	if last < 0 {
		last = len(args) + last
	}
	var out [][]byte
	for i := c.FirstKey; i <= last && i < len(args); i += max(c.Step, 1) {
		out = append(out, args[i])
	}
	return out
}

var table = map[string]*Command{}

// register adds commands to the table; subcommands are given as
// "parent|sub" names and attached to their container.
func register(cmds ...*Command) {
	for _, c := range cmds {
		parent, sub, isSub := strings.Cut(c.Name, "|")
		if len(parent) > maxName || len(sub) > maxName || c.Name != strings.ToLower(c.Name) {
			panic("command name too long or not lower case: " + c.Name)
		}
		if !isSub {
			if c.Run == nil && c.Complexity == "" {
				c.Complexity = "Depends on subcommand."
			}
			if table[c.Name] != nil {
				panic("duplicate command " + c.Name)
			}
			table[c.Name] = c
			c.full = c.Name
			continue
		}
		p := table[parent]
		if p == nil {
			panic("subcommand before its container: " + c.Name)
		}
		if p.Subs == nil {
			p.Subs = map[string]*Command{}
		}
		c.Name, c.parent, c.full = sub, p, c.Name
		if c.Group == "" {
			c.Group = p.Group
		}
		p.Subs[sub] = c
	}
}

// Lookup finds the command for args, descending into subcommands.
func Lookup(args [][]byte) *Command {
	c := named(table, args[0])
	if c != nil && c.Subs != nil && len(args) >= 2 {
		return named(c.Subs, args[1])
	}
	return c
}

// maxName bounds command and subcommand names (register checks it).
const maxName = 32

// named looks name up in m case-insensitively (ASCII, like Redis's
// strcasecmp) without allocating: the lowered copy lives on the stack and
// the map lookup does not keep it. A longer name than any command's is no
// command.
func named(m map[string]*Command, name []byte) *Command {
	var buf [maxName]byte
	if len(name) > len(buf) {
		return nil
	}
	for i, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return m[string(buf[:len(name)])]
}

// Table returns every top-level command, sorted by name.
func Table() []*Command {
	out := make([]*Command, 0, len(table))
	for _, c := range table {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *Command) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// numKeysAt returns a Keys function for commands whose args[i] counts the
// keys that follow it; with dest, args[1] is a key too (…STORE forms).
func numKeysAt(i int, dest bool) func([][]byte) [][]byte {
	return func(args [][]byte) [][]byte {
		var out [][]byte
		if dest && len(args) > 1 {
			out = append(out, args[1])
		}
		if i >= len(args) {
			return out
		}
		n, ok := parseInt(args[i])
		if !ok || n < 0 || n > int64(len(args)-i-1) {
			return out
		}
		return append(out, args[i+1:i+1+int(n)]...)
	}
}

// movable lists the commands with movable keys and where their count is.
var movable = map[string]func([][]byte) [][]byte{
	"sintercard": numKeysAt(1, false), "zintercard": numKeysAt(1, false),
	"zunion": numKeysAt(1, false), "zinter": numKeysAt(1, false), "zdiff": numKeysAt(1, false),
	"zunionstore": numKeysAt(2, true), "zinterstore": numKeysAt(2, true), "zdiffstore": numKeysAt(2, true),
	"lmpop": numKeysAt(1, false), "zmpop": numKeysAt(1, false),
	"blmpop": numKeysAt(2, false), "bzmpop": numKeysAt(2, false),
	"eval": numKeysAt(2, false), "evalsha": numKeysAt(2, false),
	"eval_ro": numKeysAt(2, false), "evalsha_ro": numKeysAt(2, false),
}

// checkTable verifies at startup that every entry can run.
func checkTable() error {
	for name, keys := range movable {
		c := table[name]
		if c == nil {
			return fmt.Errorf("movable-keys command %s is not registered", name)
		}
		c.Keys = keys
		c.Flags |= FlagMovableKeys
	}
	for _, c := range table {
		if c.Run == nil && len(c.Subs) == 0 {
			return fmt.Errorf("command %s has no handler", c.Name)
		}
		for _, s := range c.Subs {
			if s.Run == nil {
				return fmt.Errorf("command %s has no handler", s.FullName())
			}
		}
	}
	return nil
}

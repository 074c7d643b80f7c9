package commands

import (
	"strings"
)

func init() {
	g := "server"
	register(
		&Command{Name: "command", Arity: -1, Flags: FlagLoading | FlagStale, Group: g, Since: "2.8.13", Summary: "Returns detailed information about all commands.", Complexity: "O(N) where N is the total number of Redis commands", Run: commandCommand},
		&Command{Name: "command|count", Arity: 2, Flags: FlagLoading | FlagStale, Since: "2.8.13", Summary: "Returns a count of commands.", Complexity: "O(1)", Run: func(c *Ctx) { c.W.Int(int64(len(table))) }},
		&Command{Name: "command|info", Arity: -2, Flags: FlagLoading | FlagStale, Since: "2.8.13", Summary: "Returns information about one, multiple or all commands.", Complexity: "O(N) where N is the number of commands to look up", Run: commandInfoCommand},
		&Command{Name: "command|docs", Arity: -2, Flags: FlagLoading | FlagStale, Since: "7.0.0", Summary: "Returns documentary information about one, multiple or all commands.", Complexity: "O(N) where N is the number of commands to look up", Run: commandDocsCommand},
		&Command{Name: "command|list", Arity: -2, Flags: FlagLoading | FlagStale, Since: "7.0.0", Summary: "Returns a list of command names.", Complexity: "O(N) where N is the total number of Redis commands", Run: commandListCommand},
		&Command{Name: "command|getkeys", Arity: -3, Flags: FlagLoading | FlagStale, Since: "2.8.13", Summary: "Extracts the key names from an arbitrary command.", Complexity: "O(N) where N is the number of arguments to the command", Run: commandGetkeysCommand},
		&Command{Name: "command|help", Arity: 2, Flags: FlagLoading | FlagStale, Since: "5.0.0", Summary: "Returns helpful text about the different subcommands.", Complexity: "O(1)", Run: commandHelpCommand},
	)
}

// COMMAND
func commandCommand(c *Ctx) {
	all := Table()
	c.W.Array(len(all))
	for _, cmd := range all {
		writeCommandInfo(c, cmd)
	}
}

// aclOrder is the order of Redis's ACL category bits, which COMMAND INFO follows.
var aclOrder = []string{"keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap",
	"hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous",
	"connection", "transaction", "scripting"}

// aclCategories derives Redis's ACL categories from flags and group.
func aclCategories(cmd *Command) []string {
	has := map[string]bool{
		"write": cmd.Flags&FlagWrite != 0, "read": cmd.Flags&FlagReadonly != 0,
		"admin": cmd.Flags&FlagAdmin != 0, "dangerous": cmd.Flags&FlagAdmin != 0,
		"pubsub": cmd.Flags&FlagPubSub != 0, "blocking": cmd.Flags&FlagBlocking != 0,
		"fast": cmd.Flags&FlagFast != 0, "slow": cmd.Flags&FlagFast == 0,
	}
	switch cmd.Group {
	case "string", "list", "hash", "set", "connection", "scripting", "pubsub":
		has[cmd.Group] = true
	case "sorted-set":
		has["sortedset"] = true
	case "generic":
		has["keyspace"] = true
	case "transactions":
		has["transaction"] = true
	}
	var out []string
	for _, c := range aclOrder {
		if has[c] {
			out = append(out, "@"+c)
		}
	}
	return out
}

func writeCommandInfo(c *Ctx, cmd *Command) {
	c.W.Array(10)
	c.W.BulkString(cmd.FullName())
	c.W.Int(int64(cmd.Arity))
	flags := cmd.Flags.Names()
	c.W.Set(len(flags))
	for _, f := range flags {
		c.W.Status(f)
	}
	c.W.Int(int64(cmd.FirstKey))
	c.W.Int(int64(cmd.LastKey))
	c.W.Int(int64(cmd.Step))
	cats := aclCategories(cmd)
	c.W.Set(len(cats))
	for _, a := range cats {
		c.W.Status(a)
	}
	c.W.Array(0) // tips
	if cmd.FirstKey > 0 {
		c.W.Array(1)
		c.W.Map(3)
		c.W.BulkString("flags")
		if cmd.Flags&FlagWrite != 0 {
			c.W.Set(2)
			c.W.Status("RW")
			c.W.Status("update")
		} else {
			c.W.Set(2)
			c.W.Status("RO")
			c.W.Status("access")
		}
		c.W.BulkString("begin_search")
		c.W.Map(2)
		c.W.BulkString("type")
		c.W.BulkString("index")
		c.W.BulkString("spec")
		c.W.Map(1)
		c.W.BulkString("index")
		c.W.Int(int64(cmd.FirstKey))
		c.W.BulkString("find_keys")
		c.W.Map(2)
		c.W.BulkString("type")
		c.W.BulkString("range")
		c.W.BulkString("spec")
		c.W.Map(3)
		c.W.BulkString("lastkey")
		last := cmd.LastKey
		if last > 0 {
			last -= cmd.FirstKey
		}
		c.W.Int(int64(last))
		c.W.BulkString("keystep")
		c.W.Int(int64(cmd.Step))
		c.W.BulkString("limit")
		c.W.Int(0)
	} else {
		c.W.Array(0)
	}
	subs := sortedSubs(cmd)
	c.W.Array(len(subs))
	for _, s := range subs {
		writeCommandInfo(c, s)
	}
}

func sortedSubs(cmd *Command) []*Command {
	var out []*Command
	for _, s := range cmd.Subs {
		out = append(out, s)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Name < out[j-1].Name; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// lookupName finds "name" or "container|sub".
func lookupName(name string) *Command {
	name = strings.ToLower(name)
	parent, sub, isSub := strings.Cut(name, "|")
	cmd := table[parent]
	if cmd == nil || !isSub {
		return cmd
	}
	return cmd.Subs[sub]
}

// COMMAND INFO [command-name [command-name ...]]
func commandInfoCommand(c *Ctx) {
	if len(c.Args) == 2 {
		commandCommand(c)
		return
	}
	c.W.Array(len(c.Args) - 2)
	for _, a := range c.Args[2:] {
		if cmd := lookupName(string(a)); cmd != nil {
			writeCommandInfo(c, cmd)
		} else {
			c.W.Null()
		}
	}
}

func writeCommandDocs(c *Ctx, cmd *Command) {
	subs := sortedSubs(cmd)
	args := commandArgs(cmd)
	n := 4
	if len(args) > 0 {
		n++
	}
	if len(subs) > 0 {
		n++
	}
	c.W.Map(n)
	c.W.BulkString("summary")
	c.W.BulkString(cmd.Summary)
	c.W.BulkString("since")
	c.W.BulkString(cmd.Since)
	c.W.BulkString("group")
	c.W.BulkString(cmd.Group)
	c.W.BulkString("complexity")
	c.W.BulkString(cmd.Complexity)
	if len(args) > 0 {
		c.W.BulkString("arguments")
		writeDocArgs(c.W, args)
	}
	if len(subs) > 0 {
		c.W.BulkString("subcommands")
		c.W.Map(len(subs))
		for _, s := range subs {
			c.W.BulkString(s.FullName())
			writeCommandDocs(c, s)
		}
	}
}

// COMMAND DOCS [command-name [command-name ...]]
func commandDocsCommand(c *Ctx) {
	var cmds []*Command
	if len(c.Args) == 2 {
		cmds = Table()
	} else {
		for _, a := range c.Args[2:] {
			if cmd := lookupName(string(a)); cmd != nil {
				cmds = append(cmds, cmd)
			}
		}
	}
	c.W.Map(len(cmds))
	for _, cmd := range cmds {
		c.W.BulkString(cmd.FullName())
		writeCommandDocs(c, cmd)
	}
}

// COMMAND LIST [FILTERBY <MODULE module-name | ACLCAT category | PATTERN pattern>]
func commandListCommand(c *Ctx) {
	keep := func(*Command) bool { return true }
	if len(c.Args) > 2 {
		if len(c.Args) != 5 || !isArg(c.Args[2], "filterby") {
			c.errorReply(errSyntax)
			return
		}
		val := string(c.Args[4])
		switch {
		case isArg(c.Args[3], "module"):
			keep = func(*Command) bool { return false }
		case isArg(c.Args[3], "aclcat"):
			keep = func(cmd *Command) bool {
				for _, a := range aclCategories(cmd) {
					if strings.EqualFold(a[1:], val) {
						return true
					}
				}
				return false
			}
		case isArg(c.Args[3], "pattern"):
			keep = func(cmd *Command) bool { return matchString(val, cmd.FullName()) }
		default:
			c.errorReply(errSyntax)
			return
		}
	}
	var names []string
	for _, cmd := range Table() {
		if keep(cmd) {
			names = append(names, cmd.FullName())
		}
		for _, s := range sortedSubs(cmd) {
			if keep(s) {
				names = append(names, s.FullName())
			}
		}
	}
	c.W.Array(len(names))
	for _, n := range names {
		c.W.BulkString(n)
	}
}

// COMMAND GETKEYS command [arg [arg ...]]
func commandGetkeysCommand(c *Ctx) {
	args := c.Args[2:]
	cmd := Lookup(args)
	if cmd == nil {
		c.errorReply("ERR Invalid command specified")
		return
	}
	if !cmd.arityOK(len(args)) {
		c.errorReply("ERR Invalid number of arguments specified for command")
		return
	}
	keys := cmd.KeyArgs(args)
	if len(keys) == 0 {
		c.errorReply("ERR The command has no key arguments")
		return
	}
	c.writeBulks(keys)
}

// COMMAND HELP
func commandHelpCommand(c *Ctx) {
	lines := []string{
		"COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"(no subcommand)", "    Return details about all Redis commands.",
		"COUNT", "    Return the total number of commands in this Redis server.",
		"LIST", "    Return a list of all commands in this Redis server.",
		"INFO [<command-name> ...]", "    Return details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"DOCS [<command-name> ...]", "    Return documentation details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"GETKEYS <full-command>", "    Return the keys from a full Redis command.",
		"HELP", "    Print this help.",
	}
	c.writeHelp(lines)
}

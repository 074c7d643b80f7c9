package commands

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"redisk/resp"
)

// docArg is one argument of a command as COMMAND DOCS describes it (Redis's
// redisCommandArg): redis-cli builds its interactive hints from these.
type docArg struct {
	Name string
	// Type is key, string, integer, double, pattern, unix-time,
	// pure-token, oneof or block.
	Type  string
	Token string
	// KeySpec is the key_spec_index of a key argument, -1 for none.
	KeySpec                           int
	Optional, Multiple, MultipleToken bool
	// Args are the choices of a oneof or the parts of a block.
	Args []*docArg
}

var argTypes = map[string]bool{"key": true, "string": true, "integer": true, "double": true,
	"pattern": true, "unix-time": true, "pure-token": true, "oneof": true, "block": true}

// docArgs holds the parsed syntax of every command, by full name.
var docArgs = sync.OnceValue(func() map[string][]*docArg {
	out := make(map[string][]*docArg, len(commandSyntax))
	for name, s := range commandSyntax {
		if args, err := parseSyntax(s); err == nil {
			out[name] = args
		}
	}
	return out
})

// commandArgs returns the COMMAND DOCS arguments of cmd, nil for none.
func commandArgs(cmd *Command) []*docArg { return docArgs()[cmd.FullName()] }

// writeDocArgs writes args as Redis's COMMAND DOCS "arguments" array.
func writeDocArgs(w *resp.Writer, args []*docArg) {
	w.Array(len(args))
	for _, a := range args {
		var flags []string
		if a.Optional {
			flags = append(flags, "optional")
		}
		if a.Multiple {
			flags = append(flags, "multiple")
		}
		if a.MultipleToken {
			flags = append(flags, "multiple_token")
		}
		n := 2
		hasToken := a.Token != "" || a.Type == "pure-token"
		for _, has := range []bool{a.KeySpec >= 0, hasToken, len(flags) > 0, len(a.Args) > 0} {
			if has {
				n++
			}
		}
		w.Map(n)
		w.BulkString("name")
		w.BulkString(a.Name)
		w.BulkString("type")
		w.BulkString(a.Type)
		if a.KeySpec >= 0 {
			w.BulkString("key_spec_index")
			w.Int(int64(a.KeySpec))
		}
		if hasToken {
			w.BulkString("token")
			w.BulkString(a.Token)
		}
		if len(flags) > 0 {
			w.BulkString("flags")
			w.Set(len(flags))
			for _, f := range flags {
				w.Status(f)
			}
		}
		if len(a.Args) > 0 {
			w.BulkString("arguments")
			writeDocArgs(w, a.Args)
		}
	}
}

// Syntax strings are Redis's documented syntax lines without the command
// name, e.g. "key value [NX | XX] [GET] [EX seconds | PX milliseconds | KEEPTTL]":
//
//   - [ … ] is optional, < … > a required group; a | b in a group is a oneof;
//     a choice of several arguments is a block (named by joining its parts'
//     names with "_", as Redis mostly does); < … > around one argument only
//     groups it;
//   - x [x ...] repeats x (multiple); TOKEN x [TOKEN x ...] repeats the token
//     too (multiple_token); a b [a b ...] repeats the block of a and b;
//   - a word without lower-case letters is a token: alone a pure-token (named
//     by its lower case), else the token of the argument after it; a choice
//     that is a token and two or more arguments is a block introduced by the
//     token ([LIMIT offset count]);
//   - other words are argument names, their type guessed from the name, and
//     key arguments numbered as key specs in order;
//   - an annotation {name:type#n} right after a word or group, each part
//     optional, gives Redis's name, type or key_spec_index where the line
//     cannot: [NX | XX]{condition}, timeout{:integer}, key2{#0}; the type
//     block wraps: <x>{:block} is a block holding x, [TOKEN x]{:block} a
//     block introduced by TOKEN;
//   - "" is MIGRATE's empty-string token.

// synNode is one parsed item of a syntax string before it becomes a docArg.
type synNode struct {
	word  string       // a word, or "" for a group
	open  byte         // '[' or '<' for a group
	alts  [][]*synNode // a group's choices
	text  string       // source text, to match repeats
	ann   string       // the {…} annotation, without braces
	hasAn bool
	// rep is set on a "[x ...]" group: its items, "..." dropped.
	rep []*synNode
}

func (n *synNode) isToken() bool { return n.word != "" && !n.hasAn && isTokenWord(n.word) }

func isTokenWord(w string) bool { return strings.ToUpper(w) == w && w != "..." && w != `""` }

type synParser struct {
	s   string
	pos int
}

// parseSyntax turns a syntax string into COMMAND DOCS arguments.
func parseSyntax(s string) ([]*docArg, error) {
	p := &synParser{s: s}
	items, err := p.seq()
	if err != nil {
		return nil, err
	}
	if p.skipSpace(); p.pos < len(s) {
		return nil, fmt.Errorf("syntax %q: unexpected %q at %d", s, s[p.pos], p.pos)
	}
	args, err := convertSeq(items)
	if err != nil {
		return nil, fmt.Errorf("syntax %q: %v", s, err)
	}
	// Key arguments take key specs in order unless {…#n} gave one (kept
	// as n+1 until here, 0 being unset).
	keys := 0
	var number func([]*docArg)
	number = func(args []*docArg) {
		for _, a := range args {
			switch {
			case a.KeySpec > 0:
				a.KeySpec--
			case a.Type == "key":
				a.KeySpec = keys
				keys++
			default:
				a.KeySpec = -1
			}
			number(a.Args)
		}
	}
	number(args)
	return args, nil
}

func (p *synParser) skipSpace() {
	for p.pos < len(p.s) && p.s[p.pos] == ' ' {
		p.pos++
	}
}

// seq reads items up to a closing bracket, a '|' or the end.
func (p *synParser) seq() ([]*synNode, error) {
	var items []*synNode
	for {
		p.skipSpace()
		if p.pos >= len(p.s) || strings.IndexByte("]>|", p.s[p.pos]) >= 0 {
			return items, nil
		}
		start := p.pos
		n := &synNode{}
		switch c := p.s[p.pos]; c {
		case '[', '<':
			p.pos++
			n.open = c
			for {
				alt, err := p.seq()
				if err != nil {
					return nil, err
				}
				if len(alt) == 0 {
					return nil, fmt.Errorf("empty choice at %d", p.pos)
				}
				n.alts = append(n.alts, alt)
				if p.pos >= len(p.s) {
					return nil, fmt.Errorf("unclosed %c at %d", c, start)
				}
				if p.s[p.pos] == '|' {
					p.pos++
					continue
				}
				if want := map[byte]byte{'[': ']', '<': '>'}[c]; p.s[p.pos] != want {
					return nil, fmt.Errorf("%c closed by %c at %d", c, p.s[p.pos], p.pos)
				}
				p.pos++
				break
			}
			if alt := n.alts[0]; c == '[' && len(n.alts) == 1 && alt[len(alt)-1].word == "..." {
				n.rep = alt[:len(alt)-1]
				if len(n.rep) == 0 {
					return nil, fmt.Errorf("nothing to repeat at %d", start)
				}
			}
		case '{', '}':
			return nil, fmt.Errorf("unexpected %c at %d", c, p.pos)
		default:
			for p.pos < len(p.s) && strings.IndexByte(" []<>|{}", p.s[p.pos]) < 0 {
				p.pos++
			}
			n.word = p.s[start:p.pos]
		}
		n.text = p.s[start:p.pos]
		if p.pos < len(p.s) && p.s[p.pos] == '{' {
			end := strings.IndexByte(p.s[p.pos:], '}')
			if end < 0 {
				return nil, fmt.Errorf("unclosed { at %d", p.pos)
			}
			n.ann, n.hasAn = p.s[p.pos+1:p.pos+end], true
			p.pos += end + 1
		}
		items = append(items, n)
	}
}

// repeated is a collapsed "x [x ...]": the unit and the annotation of the
// repeat group.
type repeated struct {
	unit []*synNode
	rep  *synNode
}

// convertSeq turns the items of a sequence into arguments.
func convertSeq(items []*synNode) ([]*docArg, error) {
	flat, err := collapse(items)
	if err != nil {
		return nil, err
	}
	return bind(flat)
}

// collapse replaces each "x [x ...]" by a repeated.
func collapse(items []*synNode) ([]any, error) {
	var flat []any // *synNode or repeated
	for _, n := range items {
		if n.rep == nil {
			flat = append(flat, n)
			continue
		}
		k := len(n.rep)
		if len(flat) < k {
			return nil, fmt.Errorf("%q repeats nothing before it", n.text)
		}
		for i, u := range n.rep {
			prev, ok := flat[len(flat)-k+i].(*synNode)
			if !ok || prev.text != u.text || prev.ann != u.ann {
				return nil, fmt.Errorf("%q does not repeat what precedes it", n.text)
			}
		}
		flat = append(flat[:len(flat)-k], repeated{unit: n.rep, rep: n})
	}
	return flat, nil
}

func isTokenItem(item any) bool {
	n, ok := item.(*synNode)
	return ok && n.isToken()
}

// bind converts collapsed items, giving each bare token to the argument
// after it.
func bind(flat []any) ([]*docArg, error) {
	var out []*docArg
	for i := 0; i < len(flat); i++ {
		if isTokenItem(flat[i]) && i+1 < len(flat) && !isTokenItem(flat[i+1]) {
			a, err := convertItem(flat[i+1])
			if err != nil {
				return nil, err
			}
			if a.Token != "" {
				return nil, fmt.Errorf("two tokens for %s", a.Name)
			}
			a.Token = flat[i].(*synNode).word
			out = append(out, a)
			i++
			continue
		}
		a, err := convertItem(flat[i])
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// convertAlt turns one choice of a group into a single argument.
func convertAlt(items []*synNode) (*docArg, error) {
	flat, err := collapse(items)
	if err != nil {
		return nil, err
	}
	if len(flat) >= 3 && isTokenItem(flat[0]) && !slices.ContainsFunc(flat[1:], isTokenItem) {
		parts, err := bind(flat[1:])
		if err != nil {
			return nil, err
		}
		tok := flat[0].(*synNode).word
		return &docArg{Name: joinNames(parts), Type: "block", Token: tok, Args: parts}, nil
	}
	args, err := bind(flat)
	if err != nil {
		return nil, err
	}
	if len(args) == 1 {
		return args[0], nil
	}
	return &docArg{Name: joinNames(args), Type: "block", Args: args}, nil
}

func convertItem(item any) (*docArg, error) {
	if r, ok := item.(repeated); ok {
		a, err := convertAlt(r.unit)
		if err != nil {
			return nil, err
		}
		if a.Multiple {
			return nil, fmt.Errorf("%s repeated twice", a.Name)
		}
		a.Multiple = true
		a.MultipleToken = r.unit[0].isToken() && a.Token == r.unit[0].word
		return a, annotate(a, r.rep)
	}
	n := item.(*synNode)
	var a *docArg
	switch {
	case n.word == "...":
		return nil, fmt.Errorf("misplaced ...")
	case n.word == `""`:
		// MIGRATE's empty-string key is the token "".
		a = &docArg{Name: "empty_string", Type: "pure-token"}
	case n.word != "" && isTokenWord(n.word):
		a = &docArg{Name: strings.ToLower(n.word), Type: "pure-token", Token: n.word}
	case n.word != "":
		a = &docArg{Name: n.word, Type: guessArgType(n.word)}
	case n.rep != nil:
		return nil, fmt.Errorf("%q repeats nothing before it", n.text)
	case len(n.alts) == 1:
		var err error
		if a, err = convertAlt(n.alts[0]); err != nil {
			return nil, err
		}
	default:
		a = &docArg{Type: "oneof"}
		for _, alt := range n.alts {
			c, err := convertAlt(alt)
			if err != nil {
				return nil, err
			}
			a.Args = append(a.Args, c)
		}
		a.Name = joinNames(a.Args)
	}
	if n.open == '[' {
		if a.Optional {
			return nil, fmt.Errorf("%s optional twice", a.Name)
		}
		a.Optional = true
	}
	return a, annotate(a, n)
}

// annotate applies a {name:type#n} annotation.
func annotate(a *docArg, n *synNode) error {
	if !n.hasAn {
		return nil
	}
	name, typ := n.ann, ""
	if i := strings.LastIndexByte(name, '#'); i >= 0 {
		ks, err := strconv.Atoi(name[i+1:])
		if err != nil || ks < 0 {
			return fmt.Errorf("%s: bad key_spec_index in {%s}", n.text, n.ann)
		}
		name, a.KeySpec = name[:i], ks+1 // see parseSyntax
	}
	if i := strings.LastIndexByte(name, ':'); i >= 0 && argTypes[name[i+1:]] {
		name, typ = name[:i], name[i+1:]
	}
	switch {
	case typ == "block" && a.Type != "block":
		// x{:block} wraps x in a block. The block takes the brackets of
		// the annotated group, and the token the group starts with:
		// [TOKEN x]{:block} is a block introduced by TOKEN.
		inner := *a
		*a = docArg{Name: inner.Name, Type: "block", Args: []*docArg{&inner}}
		if n.open == '[' {
			a.Optional, inner.Optional = true, false
		}
		if n.word == "" && len(n.alts) == 1 && n.alts[0][0].isToken() {
			a.Token, a.Name = inner.Token, strings.ToLower(inner.Token)
			inner.Token, inner.MultipleToken = "", false
		}
	case typ != "":
		a.Type = typ
	}
	if name != "" {
		a.Name = name
	}
	return nil
}

func joinNames(args []*docArg) string {
	names := make([]string, len(args))
	for i, a := range args {
		names[i] = a.Name
	}
	return strings.Join(names, "_")
}

// guessArgType gives an argument's type from its name, as Redis's command
// files mostly do.
func guessArgType(name string) string {
	switch name {
	case "key", "key1", "key2", "newkey", "source", "destination", "src", "dst":
		return "key"
	case "count", "index", "index1", "index2", "start", "stop", "end", "offset", "numkeys",
		"seconds", "milliseconds", "db", "destination-db", "cursor", "rank", "len", "num-matches",
		"client-id", "limit", "increment", "decrement", "weight", "protover":
		return "integer"
	case "score", "min", "max", "timeout":
		return "double"
	case "pattern":
		return "pattern"
	}
	if strings.HasPrefix(name, "unix-time") {
		return "unix-time"
	}
	return "string"
}

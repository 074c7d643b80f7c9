package commands

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"redisk/engine"
	"redisk/resp"
)

// Config holds the server's settings, named like redis-server's directives.
type Config struct {
	mu sync.RWMutex
	v  map[string]string
}

type directive struct {
	def     string
	mutable bool
	check   func(string) error
}

func checkInt(lo, hi int64) func(string) error {
	return func(s string) error {
		n, err := parseMemory(s)
		if err != nil {
			return fmt.Errorf("argument couldn't be parsed into an integer")
		}
		if n < lo || n > hi {
			return fmt.Errorf("argument must be between %d and %d inclusive", lo, hi)
		}
		return nil
	}
}

func checkEnum(vals ...string) func(string) error {
	return func(s string) error {
		if !slices.Contains(vals, strings.ToLower(s)) {
			return fmt.Errorf("argument(s) must be one of the following: %s", strings.Join(vals, ", "))
		}
		return nil
	}
}

// directives are the settings that exist; the rest are refused.
var directives = map[string]directive{
	"port":               {"6379", false, checkInt(0, 65535)},
	"bind":               {"127.0.0.1", false, nil},
	"dir":                {"./redisk-data", false, nil},
	"appendfsync":        {"everysec", true, checkEnum("everysec", "always", "no")},
	"appendonly":         {"yes", true, checkEnum("yes", "no")},
	"shards":             {"4", false, checkInt(1, 1024)},
	"databases":          {"16", false, checkInt(1, 2147483647)},
	"loglevel":           {"notice", true, checkEnum("debug", "verbose", "notice", "warning", "nothing")},
	"logfile":            {"", false, nil},
	"requirepass":        {"", true, nil},
	"maxclients":         {"10000", true, checkInt(1, 4294967295)},
	"maxmemory":          {"0", true, checkInt(0, 1<<62)},
	"maxmemory-policy":   {"noeviction", true, checkEnum("volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction")},
	"proto-max-bulk-len": {"536870912", true, checkInt(1024*1024, 1<<62)},
	"save":               {"", true, nil},
	"timeout":            {"0", true, checkInt(0, 2147483647)},
	"tcp-keepalive":      {"300", true, checkInt(0, 2147483647)},
	"protected-mode":     {"yes", true, checkEnum("yes", "no")},
	"daemonize":          {"no", false, checkEnum("no")},
	"pprof":              {"", false, nil},
	"key-cache-size":     {"33554432", false, checkInt(0, 1<<62)},
}

// NewConfig returns the defaults.
func NewConfig() *Config {
	c := &Config{v: map[string]string{}}
	for k, d := range directives {
		c.v[k] = d.def
	}
	return c
}

// Get returns a setting.
func (c *Config) Get(name string) string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.v[name]
}

// Int returns a numeric setting.
func (c *Config) Int(name string) int64 {
	n, _ := parseMemory(c.Get(name))
	return n
}

// validate checks a new value of a setting; startup may set immutable ones.
func validate(name, val string, startup bool) error {
	d, ok := directives[name]
	if !ok {
		return fmt.Errorf("unknown configuration directive '%s'", name)
	}
	if !startup && !d.mutable {
		return fmt.Errorf("can't set immutable config")
	}
	if d.check != nil {
		return d.check(val)
	}
	return nil
}

// set validates and stores a setting; startup may set immutable ones.
func (c *Config) set(name, val string, startup bool) error {
	name = strings.ToLower(name)
	if err := validate(name, val, startup); err != nil {
		return err
	}
	if name == "dir" && startup {
		val = filepath.Clean(val)
	}
	switch name {
	case "maxmemory", "proto-max-bulk-len", "key-cache-size":
		// Stored in bytes, as CONFIG GET shows them.
		n, _ := parseMemory(val)
		val = strconv.FormatInt(n, 10)
	case "appendfsync", "maxmemory-policy", "loglevel", "appendonly", "protected-mode":
		val = strings.ToLower(val)
	}
	c.mu.Lock()
	c.v[name] = val
	c.mu.Unlock()
	return nil
}

// LoadConfig builds the configuration like redis-server: an optional config
// file first, then --directive value... pairs from the command line.
func LoadConfig(args []string) (*Config, error) {
	c := NewConfig()
	if len(args) > 0 && !strings.HasPrefix(args[0], "--") {
		data, err := os.ReadFile(args[0])
		if err != nil {
			return nil, err
		}
		for i, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || line[0] == '#' {
				continue
			}
			parts, ok := resp.SplitArgs([]byte(line))
			if !ok || len(parts) < 1 {
				return nil, fmt.Errorf("%s:%d: unbalanced quotes in configuration line", args[0], i+1)
			}
			vals := make([]string, len(parts)-1)
			for j, p := range parts[1:] {
				vals[j] = string(p)
			}
			if err := c.set(string(parts[0]), strings.Join(vals, " "), true); err != nil {
				return nil, fmt.Errorf("%s:%d: %v", args[0], i+1, err)
			}
		}
		args = args[1:]
	}
	for i := 0; i < len(args); {
		if !strings.HasPrefix(args[i], "--") {
			return nil, fmt.Errorf("unexpected argument '%s': directives are given as --name value", args[i])
		}
		name := args[i][2:]
		j := i + 1
		for j < len(args) && !strings.HasPrefix(args[j], "--") {
			j++
		}
		if err := c.set(name, strings.Join(args[i+1:j], " "), true); err != nil {
			return nil, err
		}
		i = j
	}
	return c, nil
}

// Sync returns the appendfsync level.
func (c *Config) Sync() engine.Sync {
	s, _ := engine.ParseSync(c.Get("appendfsync"))
	return s
}

// SlogLevel maps loglevel to a slog level.
func (c *Config) SlogLevel() slog.Level {
	switch c.Get("loglevel") {
	case "debug":
		return slog.LevelDebug
	case "verbose":
		return slog.LevelInfo - 2
	case "warning":
		return slog.LevelWarn
	case "nothing":
		return slog.LevelError + 8
	}
	return slog.LevelInfo
}

// parseMemory parses a number with Redis's memory units (1k, 1kb, 1m, 1gb…).
func parseMemory(s string) (int64, error) {
	low := strings.ToLower(s)
	mult := int64(1)
	for _, u := range []struct {
		suf string
		m   int64
	}{{"kb", 1024}, {"mb", 1 << 20}, {"gb", 1 << 30}, {"k", 1000}, {"m", 1000000}, {"g", 1000000000}, {"b", 1}} {
		if strings.HasSuffix(low, u.suf) {
			low, mult = strings.TrimSuffix(low, u.suf), u.m
			break
		}
	}
	n, err := strconv.ParseInt(low, 10, 64)
	return n * mult, err
}

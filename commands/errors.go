package commands

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"redisk/engine"
)

// Every error text a client can see, as redis-server 7 words it.
const (
	errSyntax         = "ERR syntax error"
	errNotInteger     = "ERR value is not an integer or out of range"
	errNotFloat       = "ERR value is not a valid float"
	errWrongType      = "WRONGTYPE Operation against a key holding the wrong kind of value"
	errNoSuchKey      = "ERR no such key"
	errOverflow       = "ERR increment or decrement would overflow"
	errNaNOrInf       = "ERR increment would produce NaN or Infinity"
	errStringTooLong  = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
	errOffsetRange    = "ERR offset is out of range"
	errDBIndex        = "ERR DB index is out of range"
	errInvalidDBIndex = "ERR invalid DB index"
	errSameObject     = "ERR source and destination objects are the same"
	errPositive       = "ERR value is out of range, must be positive"
	errNoAuth         = "NOAUTH Authentication required."
	errWrongPass      = "WRONGPASS invalid username-password pair or user is disabled."
	errNoPassConfig   = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
	errNoProto        = "NOPROTO unsupported protocol version"
	errProtoNotInt    = "ERR Protocol version is not an integer or out of range"
	errNXXXGTLT       = "ERR NX and XX, GT or LT options at the same time are not compatible"
	errGTLTNX         = "ERR GT, LT, and/or NX options at the same time are not compatible"
	errTimeout        = "ERR timeout is not a float or out of range"
	errCursor         = "ERR invalid cursor"
	errStorage        = "ERR storage error: "
	errExecNoMulti    = "ERR EXEC without MULTI"
)

func errArity(name string) string {
	return "ERR wrong number of arguments for '" + name + "' command"
}

func errInvalidExpire(cmd string) string {
	return "ERR invalid expire time in '" + cmd + "' command"
}

func errUnknownSubcommand(sub, cmd string) string {
	return fmt.Sprintf("ERR unknown subcommand '%.128s'. Try %s HELP.", sub, strings.ToUpper(cmd))
}

// errUnknownCommand is Redis's text, with at most 128 bytes of arguments.
func errUnknownCommand(args [][]byte) string {
	var b strings.Builder
	for _, a := range args[1:] {
		if b.Len() >= 128 {
			break
		}
		s := string(a)
		if room := 128 - b.Len(); len(s) > room {
			s = s[:room]
		}
		b.WriteString("'" + s + "' ")
	}
	name := string(args[0])
	if len(name) > 128 {
		name = name[:128]
	}
	return "ERR unknown command '" + name + "', with args beginning with: " + b.String()
}

// replyErr maps an engine or parse error to its reply text.
func replyErr(err error) string {
	var ie *engine.Internal
	switch {
	case errors.Is(err, engine.ErrWrongType):
		return errWrongType
	case errors.Is(err, engine.ErrNotInteger):
		return errNotInteger
	case errors.Is(err, engine.ErrNotFloat):
		return errNotFloat
	case errors.Is(err, engine.ErrOverflow):
		return errOverflow
	case errors.Is(err, engine.ErrNaNOrInf):
		return errNaNOrInf
	case errors.Is(err, engine.ErrIndexOutOfRange):
		return "ERR index out of range"
	case errors.Is(err, engine.ErrScoreNaN):
		return "ERR resulting score is not a number (NaN)"
	case errors.Is(err, engine.ErrNoSuchKey):
		return errNoSuchKey
	case errors.Is(err, engine.ErrStringTooLong):
		return errStringTooLong
	case errors.As(err, &ie):
		slog.Error("storage error", "err", ie.Err)
		return errStorage + ie.Err.Error()
	}
	var re replyError
	if errors.As(err, &re) {
		return string(re)
	}
	slog.Error("unexpected error", "err", err)
	return "ERR " + err.Error()
}

// replyError is an error whose text is already a full Redis error reply.
type replyError string

func (e replyError) Error() string { return string(e) }

// hashes and sets
const (
	errHashNotInteger   = "ERR hash value is not an integer"
	errHashNotFloat     = "ERR hash value is not a float"
	errIncrNaNOrInf     = "ERR value is NaN or Infinity"
	errRandCountRange   = "ERR value is out of range"
	errRandCountLong    = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
	errSetNumkeys       = "ERR numkeys should be greater than 0"
	errSetNumkeysArgs   = "ERR Number of keys can't be greater than number of args"
	errSetLimitNegative = "ERR LIMIT can't be negative"
)

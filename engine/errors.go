package engine

import "errors"

// Domain errors returned by engine operations. They carry no RESP text: the
// commands layer maps each to Redis's exact error reply.
var (
	// ErrWrongType: the key holds a value of another type.
	ErrWrongType = errors.New("wrong type")
	// ErrNotInteger: the value is not an integer or is out of the int64 range.
	ErrNotInteger = errors.New("not an integer")
	// ErrNotFloat: the value is not a valid float.
	ErrNotFloat = errors.New("not a float")
	// ErrOverflow: an increment or decrement would overflow.
	ErrOverflow = errors.New("increment or decrement would overflow")
	// ErrNaNOrInf: an INCRBYFLOAT result would be NaN or infinity.
	ErrNaNOrInf = errors.New("increment would produce NaN or Infinity")
	// ErrNoSuchKey: the source key does not exist (RENAME, LSET…).
	ErrNoSuchKey = errors.New("no such key")
	// ErrStringTooLong: a string would exceed 512 MB.
	ErrStringTooLong = errors.New("string exceeds maximum allowed size")
	// ErrCorrupt: a file is not a redisk shard or is damaged.
	ErrCorrupt = errors.New("not a redisk shard file or corrupt")
)

// Internal is an unexpected storage failure (I/O error, disk full, a bug).
// The command that met it failed as a whole and changed nothing.
type Internal struct{ Err error }

func (e *Internal) Error() string { return "storage error: " + e.Err.Error() }
func (e *Internal) Unwrap() error { return e.Err }

// ErrIndexOutOfRange: LSET past either end of the list.
var ErrIndexOutOfRange = errors.New("index out of range")

// ErrScoreNaN: a sorted-set increment produced NaN.
var ErrScoreNaN = errors.New("resulting score is not a number (NaN)")

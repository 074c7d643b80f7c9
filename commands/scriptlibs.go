package commands

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// The cjson, cmsgpack and bit libraries Redis gives scripts.

// luaIsArray reports whether t is a sequence 1..n and returns n.
func luaIsArray(t *lua.LTable) (int, bool) {
	n, count := 0, 0
	isArr := true
	t.ForEach(func(k, _ lua.LValue) {
		count++
		if f, ok := k.(lua.LNumber); ok && f > 0 && float64(f) == math.Trunc(float64(f)) {
			if int(f) > n {
				n = int(f)
			}
			return
		}
		isArr = false
	})
	return n, isArr && n == count
}

// cjsonNull is cjson.null.
var cjsonNull = &lua.LUserData{}

func openCjson(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	L.SetFuncs(t, map[string]lua.LGFunction{
		"encode": func(L *lua.LState) int {
			var b strings.Builder
			if err := jsonEncode(&b, L.CheckAny(1), 0); err != nil {
				L.RaiseError("%s", err.Error())
			}
			L.Push(lua.LString(b.String()))
			return 1
		},
		"decode": func(L *lua.LState) int {
			var v any
			dec := json.NewDecoder(strings.NewReader(L.CheckString(1)))
			dec.UseNumber()
			if err := dec.Decode(&v); err != nil {
				L.RaiseError("Expected value but found invalid token at character 1")
			}
			L.Push(jsonToLua(L, v))
			return 1
		},
	})
	t.RawSetString("null", cjsonNull)
	return t
}

func jsonEncode(b *strings.Builder, v lua.LValue, depth int) error {
	if depth > 1000 {
		return fmt.Errorf("Cannot serialise, excessive nesting (1001)")
	}
	switch x := v.(type) {
	case lua.LString:
		enc, _ := json.Marshal(string(x))
		b.WriteString(strings.ReplaceAll(string(enc), "/", `\/`))
	case lua.LNumber:
		f := float64(x)
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return fmt.Errorf("Cannot serialise number: must not be NaN or Inf")
		}
		b.WriteString(strconv.FormatFloat(f, 'g', 14, 64))
	case lua.LBool:
		b.WriteString(strconv.FormatBool(bool(x)))
	case *lua.LNilType:
		b.WriteString("null")
	case *lua.LUserData:
		b.WriteString("null")
	case *lua.LTable:
		if n, ok := luaIsArray(x); ok && n > 0 {
			b.WriteByte('[')
			for i := 1; i <= n; i++ {
				if i > 1 {
					b.WriteByte(',')
				}
				if err := jsonEncode(b, x.RawGetInt(i), depth+1); err != nil {
					return err
				}
			}
			b.WriteByte(']')
			return nil
		}
		b.WriteByte('{')
		first := true
		var err error
		x.ForEach(func(k, val lua.LValue) {
			if err != nil {
				return
			}
			var key string
			switch kk := k.(type) {
			case lua.LString:
				key = string(kk)
			case lua.LNumber:
				key = luaNumberString(float64(kk))
			default:
				err = fmt.Errorf("Cannot serialise %s: table key must be a number or string", k.Type())
				return
			}
			if !first {
				b.WriteByte(',')
			}
			first = false
			enc, _ := json.Marshal(key)
			b.Write(enc)
			b.WriteByte(':')
			err = jsonEncode(b, val, depth+1)
		})
		if err != nil {
			return err
		}
		b.WriteByte('}')
	default:
		return fmt.Errorf("Cannot serialise %s: type not supported", v.Type())
	}
	return nil
}

func jsonToLua(L *lua.LState, v any) lua.LValue {
	switch x := v.(type) {
	case nil:
		return cjsonNull
	case bool:
		return lua.LBool(x)
	case json.Number:
		f, _ := x.Float64()
		return lua.LNumber(f)
	case string:
		return lua.LString(x)
	case []any:
		t := L.CreateTable(len(x), 0)
		for i, e := range x {
			t.RawSetInt(i+1, jsonToLua(L, e))
		}
		return t
	case map[string]any:
		t := L.NewTable()
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			t.RawSetString(k, jsonToLua(L, x[k]))
		}
		return t
	}
	return lua.LNil
}

func openCmsgpack(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	L.SetFuncs(t, map[string]lua.LGFunction{
		"pack": func(L *lua.LState) int {
			var b []byte
			for i := 1; i <= L.GetTop(); i++ {
				b = msgpackEncode(b, L.Get(i), 0)
			}
			L.Push(lua.LString(b))
			return 1
		},
		"unpack": func(L *lua.LState) int {
			b := []byte(L.CheckString(1))
			n := 0
			for len(b) > 0 {
				v, rest, ok := msgpackDecode(L, b)
				if !ok {
					L.RaiseError("Missing bytes in input.")
				}
				L.Push(v)
				b = rest
				n++
			}
			return n
		},
	})
	return t
}

func msgpackEncode(b []byte, v lua.LValue, depth int) []byte {
	switch x := v.(type) {
	case lua.LString:
		n := len(x)
		switch {
		case n < 32:
			b = append(b, 0xa0|byte(n))
		case n < 256:
			b = append(b, 0xd9, byte(n))
		case n < 65536:
			b = binary.BigEndian.AppendUint16(append(b, 0xda), uint16(n))
		default:
			b = binary.BigEndian.AppendUint32(append(b, 0xdb), uint32(n))
		}
		return append(b, x...)
	case lua.LNumber:
		f := float64(x)
		if f == math.Trunc(f) && math.Abs(f) < 1<<63 {
			i := int64(f)
			// The smallest encoding, as lua_cmsgpack's mp_encode_int.
			switch {
			case i >= 0 && i < 128:
				return append(b, byte(i))
			case i >= 0 && i <= math.MaxUint8:
				return append(b, 0xcc, byte(i))
			case i >= 0 && i <= math.MaxUint16:
				return binary.BigEndian.AppendUint16(append(b, 0xcd), uint16(i))
			case i >= 0 && i <= math.MaxUint32:
				return binary.BigEndian.AppendUint32(append(b, 0xce), uint32(i))
			case i >= 0:
				return binary.BigEndian.AppendUint64(append(b, 0xcf), uint64(i))
			case i >= -32:
				return append(b, byte(i))
			case i >= math.MinInt8:
				return append(b, 0xd0, byte(i))
			case i >= math.MinInt16:
				return binary.BigEndian.AppendUint16(append(b, 0xd1), uint16(i))
			case i >= math.MinInt32:
				return binary.BigEndian.AppendUint32(append(b, 0xd2), uint32(i))
			default:
				return binary.BigEndian.AppendUint64(append(b, 0xd3), uint64(i))
			}
		}
		// A float when it holds the value exactly (mp_encode_double).
		if f32 := float32(f); float64(f32) == f {
			return binary.BigEndian.AppendUint32(append(b, 0xca), math.Float32bits(f32))
		}
		return binary.BigEndian.AppendUint64(append(b, 0xcb), math.Float64bits(f))
	case lua.LBool:
		if x {
			return append(b, 0xc3)
		}
		return append(b, 0xc2)
	case *lua.LTable:
		if depth > 16 {
			return append(b, 0xc0)
		}
		if n, ok := luaIsArray(x); ok {
			switch {
			case n < 16:
				b = append(b, 0x90|byte(n))
			case n <= math.MaxUint16:
				b = binary.BigEndian.AppendUint16(append(b, 0xdc), uint16(n))
			default:
				b = binary.BigEndian.AppendUint32(append(b, 0xdd), uint32(n))
			}
			for i := 1; i <= n; i++ {
				b = msgpackEncode(b, x.RawGetInt(i), depth+1)
			}
			return b
		}
		var ks, vs []lua.LValue
		x.ForEach(func(k, v lua.LValue) { ks, vs = append(ks, k), append(vs, v) })
		switch n := len(ks); {
		case n < 16:
			b = append(b, 0x80|byte(n))
		case n <= math.MaxUint16:
			b = binary.BigEndian.AppendUint16(append(b, 0xde), uint16(n))
		default:
			b = binary.BigEndian.AppendUint32(append(b, 0xdf), uint32(n))
		}
		for i := range ks {
			b = msgpackEncode(b, ks[i], depth+1)
			b = msgpackEncode(b, vs[i], depth+1)
		}
		return b
	}
	return append(b, 0xc0)
}

func msgpackDecode(L *lua.LState, b []byte) (lua.LValue, []byte, bool) {
	if len(b) == 0 {
		return lua.LNil, b, false
	}
	c := b[0]
	b = b[1:]
	need := func(n int) bool { return len(b) >= n }
	str := func(n int) (lua.LValue, []byte, bool) {
		if !need(n) {
			return lua.LNil, b, false
		}
		return lua.LString(b[:n]), b[n:], true
	}
	seq := func(n int, isMap bool) (lua.LValue, []byte, bool) {
		t := L.NewTable()
		rest := b
		for i := 0; i < n; i++ {
			var k, v lua.LValue
			var ok bool
			if isMap {
				if k, rest, ok = msgpackDecode(L, rest); !ok {
					return lua.LNil, rest, false
				}
			} else {
				k = lua.LNumber(i + 1)
			}
			if v, rest, ok = msgpackDecode(L, rest); !ok {
				return lua.LNil, rest, false
			}
			t.RawSet(k, v)
		}
		return t, rest, true
	}
	switch {
	case c < 0x80:
		return lua.LNumber(c), b, true
	case c >= 0xe0:
		return lua.LNumber(int8(c)), b, true
	case c&0xe0 == 0xa0:
		return str(int(c & 0x1f))
	case c&0xf0 == 0x90:
		return seq(int(c&0x0f), false)
	case c&0xf0 == 0x80:
		return seq(int(c&0x0f), true)
	}
	u := func(n int) (uint64, bool) {
		if !need(n) {
			return 0, false
		}
		var v uint64
		for i := 0; i < n; i++ {
			v = v<<8 | uint64(b[i])
		}
		b = b[n:]
		return v, true
	}
	switch c {
	case 0xc0:
		return lua.LNil, b, true
	case 0xc2:
		return lua.LFalse, b, true
	case 0xc3:
		return lua.LTrue, b, true
	case 0xcc, 0xcd, 0xce, 0xcf:
		v, ok := u(1 << (c - 0xcc))
		return lua.LNumber(v), b, ok
	case 0xd0, 0xd1, 0xd2, 0xd3:
		n := 1 << (c - 0xd0)
		v, ok := u(n)
		shift := 64 - 8*n
		return lua.LNumber(int64(v<<shift) >> shift), b, ok
	case 0xca:
		v, ok := u(4)
		return lua.LNumber(math.Float32frombits(uint32(v))), b, ok
	case 0xcb:
		v, ok := u(8)
		return lua.LNumber(math.Float64frombits(v)), b, ok
	case 0xd9, 0xc4:
		n, ok := u(1)
		if !ok {
			return lua.LNil, b, false
		}
		return str(int(n))
	case 0xda, 0xc5:
		n, ok := u(2)
		if !ok {
			return lua.LNil, b, false
		}
		return str(int(n))
	case 0xdb, 0xc6:
		n, ok := u(4)
		if !ok {
			return lua.LNil, b, false
		}
		return str(int(n))
	case 0xdc, 0xdd:
		n, ok := u(2 << (c - 0xdc))
		if !ok {
			return lua.LNil, b, false
		}
		return seq(int(n), false)
	case 0xde, 0xdf:
		n, ok := u(2 << (c - 0xde))
		if !ok {
			return lua.LNil, b, false
		}
		return seq(int(n), true)
	}
	return lua.LNil, b, false
}

func openBit(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	i32 := func(L *lua.LState, n int) int32 { return int32(int64(L.CheckNumber(n))) }
	fold := func(op func(a, b int32) int32) lua.LGFunction {
		return func(L *lua.LState) int {
			acc := i32(L, 1)
			for i := 2; i <= L.GetTop(); i++ {
				acc = op(acc, i32(L, i))
			}
			L.Push(lua.LNumber(acc))
			return 1
		}
	}
	L.SetFuncs(t, map[string]lua.LGFunction{
		"tobit": func(L *lua.LState) int { L.Push(lua.LNumber(i32(L, 1))); return 1 },
		"bnot":  func(L *lua.LState) int { L.Push(lua.LNumber(^i32(L, 1))); return 1 },
		"band":  fold(func(a, b int32) int32 { return a & b }),
		"bor":   fold(func(a, b int32) int32 { return a | b }),
		"bxor":  fold(func(a, b int32) int32 { return a ^ b }),
		"lshift": func(L *lua.LState) int {
			L.Push(lua.LNumber(int32(uint32(i32(L, 1)) << (uint(i32(L, 2)) & 31))))
			return 1
		},
		"rshift": func(L *lua.LState) int {
			L.Push(lua.LNumber(int32(uint32(i32(L, 1)) >> (uint(i32(L, 2)) & 31))))
			return 1
		},
		"arshift": func(L *lua.LState) int { L.Push(lua.LNumber(i32(L, 1) >> (uint(i32(L, 2)) & 31))); return 1 },
		"tohex": func(L *lua.LState) int {
			n := 8
			if L.GetTop() > 1 {
				n = L.CheckInt(2)
			}
			s := fmt.Sprintf("%08x", uint32(i32(L, 1)))
			if n < 0 {
				s, n = strings.ToUpper(s), -n
			}
			if n < 8 {
				s = s[8-n:]
			}
			L.Push(lua.LString(s))
			return 1
		},
	})
	return t
}

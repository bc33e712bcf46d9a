package textutil

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// JSONError describes an encoding/json decoding error in the words of the
// document, never of Go: where the text stops being JSON, or which field
// holds the wrong kind of value ("field \"users\" must be an object, not a
// string"). It is for the one-line errors about files and options users
// hand to vmfa. With the document's bytes (data, may be nil) a syntax
// error is placed by line and column.
func JSONError(err error, data []byte) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se) && strings.Contains(se.Error(), "unexpected end"), errors.Is(err, io.ErrUnexpectedEOF):
		return "the json ends too early (is it cut short?)"
	case errors.As(err, &se) && data != nil:
		line, col := lineCol(data, se.Offset)
		return fmt.Sprintf("bad json at line %d, column %d", line, col)
	case errors.As(err, &se):
		return fmt.Sprintf("bad json at byte %d", se.Offset)
	case errors.As(err, &te):
		what := "the document"
		if te.Field != "" {
			what = fmt.Sprintf("field %q", Clip(te.Field))
		}
		if want := jsonKind(te.Type); want != "" {
			return fmt.Sprintf("%s must be %s, not %s", what, want, article(te.Value))
		}
		return fmt.Sprintf("%s must not be %s", what, article(te.Value))
	}
	return "a value is malformed"
}

// jsonKind is the JSON kind a Go type decodes from, "" when it depends.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return ""
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		if t.PkgPath() == "time" && t.Name() == "Time" {
			return "a time string"
		}
		return "an object"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return "a base64 string"
		}
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number, not negative"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return ""
}

// article puts "a" or "an" before encoding/json's description of a value
// ("string", "number -1", "object", "array", "bool").
func article(v string) string {
	if v == "" {
		return "this value"
	}
	if strings.HasPrefix(v, "number ") {
		return "the " + Clip(v)
	}
	if strings.IndexByte("aeiou", v[0]) >= 0 {
		return "an " + v
	}
	return "a " + v
}

// lineCol turns a byte offset (counted from 1 as in json.SyntaxError) into
// a line and a column, both counted from 1.
func lineCol(data []byte, off int64) (line, col int) {
	if off < 1 {
		off = 1
	}
	before := data[:min(int(off)-1, len(data))]
	line = bytes.Count(before, []byte("\n")) + 1
	col = len(before) - bytes.LastIndexByte(before, '\n')
	return line, col
}

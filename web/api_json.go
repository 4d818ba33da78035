package web

import (
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// The API's JSON is made from the domain's own structs by one set of rules,
// and the OpenAPI document's schemas from the same types by the same rules
// (apiSchemaOf), so the contract cannot drift from what is sent:
//   - field names are snake_case ("DevelopmentName" → "development_name");
//     embedded structs' fields are the outer struct's;
//   - money and other decimals are strings ("12500.00"), never floats;
//   - a time.Time named …At is a timestamp (RFC 3339), any other a calendar
//     date ("2026-03-31");
//   - nil pointers are null; nil slices are empty arrays;
//   - unexported fields are not sent.
// web/openapi.json is the committed document; TestOpenAPIDocumentIsUpToDate
// fails when a type changes until it is regenerated and reviewed.

var (
	decimalType = reflect.TypeFor[decimal.Decimal]()
	timeType    = reflect.TypeFor[time.Time]()
)

// apiName is a Go field name in snake_case, keeping acronyms whole:
// "ID" → "id", "ApplicationIDs" → "application_ids", "UPRN" → "uprn",
// "OpenSpaceM2" → "open_space_m2".
func apiName(s string) string {
	rs := []rune(strings.ReplaceAll(s, "IDs", "Ids"))
	var b strings.Builder
	for i, r := range rs {
		if unicode.IsUpper(r) {
			if i > 0 && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1]) ||
				(i+1 < len(rs) && unicode.IsLower(rs[i+1]))) {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// apiField is one field as the API sends it.
type apiField struct {
	name  string
	key   []byte // "name": as written
	index []int
	typ   reflect.Type
	stamp bool // a time.Time sent as a timestamp
}

// apiFieldCache keeps each type's fields: working them out per value
// was most of a list's encoding time.
var apiFieldCache sync.Map // reflect.Type → []apiField

// apiFields lists a struct's fields as sent, embedded structs flattened.
func apiFields(t reflect.Type) []apiField {
	if f, ok := apiFieldCache.Load(t); ok {
		return f.([]apiField)
	}
	f := apiFieldsOf(t)
	apiFieldCache.Store(t, f)
	return f
}

func apiFieldsOf(t reflect.Type) []apiField {
	var out []apiField
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			for _, inner := range apiFieldsOf(f.Type) {
				inner.index = append([]int{i}, inner.index...)
				out = append(out, inner)
			}
			continue
		}
		if !f.IsExported() || f.Tag.Get("api") == "-" {
			continue
		}
		name := apiName(f.Name)
		out = append(out, apiField{name: name, key: append(appendJSONString(nil, name), ':'), index: []int{i}, typ: f.Type, stamp: strings.HasSuffix(f.Name, "At")})
	}
	return out
}

// apiValue writes a domain value as the API sends it. It writes the JSON
// directly (no intermediate maps), so a page of 50 homes costs a fraction
// of a millisecond (BenchmarkAPIEncodeHomesPage).
func apiValue(v any) json.RawMessage {
	return apiAppend(make([]byte, 0, 1024), reflect.ValueOf(v), false)
}

func apiAppend(b []byte, v reflect.Value, stamp bool) []byte {
	if !v.IsValid() {
		return append(b, "null"...)
	}
	switch v.Type() {
	case decimalType:
		b = append(b, '"')
		b = append(b, v.Interface().(decimal.Decimal).String()...)
		return append(b, '"')
	case timeType:
		t := v.Interface().(time.Time)
		b = append(b, '"')
		if stamp {
			b = t.UTC().AppendFormat(b, time.RFC3339Nano)
		} else {
			b = t.AppendFormat(b, time.DateOnly)
		}
		return append(b, '"')
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return append(b, "null"...)
		}
		return apiAppend(b, v.Elem(), stamp)
	case reflect.Struct:
		b = append(b, '{')
		for i, f := range apiFields(v.Type()) {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, f.key...)
			b = apiAppend(b, v.FieldByIndex(f.index), f.stamp)
		}
		return append(b, '}')
	case reflect.Slice, reflect.Array:
		b = append(b, '[')
		for i := range v.Len() {
			if i > 0 {
				b = append(b, ',')
			}
			b = apiAppend(b, v.Index(i), stamp)
		}
		return append(b, ']')
	case reflect.Map:
		keys := v.MapKeys()
		slices.SortFunc(keys, func(x, y reflect.Value) int { return strings.Compare(x.String(), y.String()) })
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k.String())
			b = append(b, ':')
			b = apiAppend(b, v.MapIndex(k), stamp)
		}
		return append(b, '}')
	case reflect.String:
		return appendJSONString(b, v.String())
	case reflect.Bool:
		return strconv.AppendBool(b, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(b, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.AppendUint(b, v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return append(b, "null"...)
		}
		return strconv.AppendFloat(b, f, 'g', -1, 64)
	}
	return append(b, "null"...)
}

// appendJSONString writes s as a JSON string, escaping as encoding/json
// does (including <, > and &, so the JSON is safe in any page).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\r':
			b = append(b, '\\', 'r')
		case r == '\t':
			b = append(b, '\\', 't')
		case r < 0x20 || r == '<' || r == '>' || r == '&' || r == '\u2028' || r == '\u2029' || r == utf8.RuneError:
			if r == utf8.RuneError {
				r = 0xfffd
			}
			b = append(b, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return append(b, '"')
}

// apiSchemas collects the named schemas of the document's components.
type apiSchemas struct {
	m     map[string]any
	types map[string]reflect.Type // the type each name was made from
}

func newAPISchemas() apiSchemas {
	return apiSchemas{m: map[string]any{}, types: map[string]reflect.Type{}}
}

// componentName names a struct type's schema: its Go name without the
// web package's "api" prefix, or with its package's name in front when
// two packages' types share a name.
func (c apiSchemas) componentName(t reflect.Type) string {
	name := t.Name()
	if rest, ok := strings.CutPrefix(name, "api"); ok {
		name = strings.ToUpper(rest[:1]) + rest[1:]
	}
	if other, ok := c.types[name]; ok && other != t {
		pkg := t.PkgPath()[strings.LastIndex(t.PkgPath(), "/")+1:]
		name = strings.ToUpper(pkg[:1]) + pkg[1:] + name
	}
	return name
}

// ref is the schema of t: a $ref to a component for a named struct.
func (c apiSchemas) ref(t reflect.Type) map[string]any { return c.schema(t, false) }

func (c apiSchemas) schema(t reflect.Type, stamp bool) map[string]any {
	switch {
	case t == decimalType:
		return map[string]any{"type": "string", "pattern": `^-?[0-9]+(\.[0-9]+)?$`, "description": "A decimal number, as a string: money in pounds, e.g. \"12500.00\""}
	case t == timeType && stamp:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == timeType:
		return map[string]any{"type": "string", "format": "date"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		inner := c.schema(t.Elem(), stamp)
		if ref, ok := inner["$ref"]; ok {
			return map[string]any{"anyOf": []any{map[string]any{"$ref": ref}, map[string]any{"type": "null"}}}
		}
		out := map[string]any{}
		for k, v := range inner {
			out[k] = v
		}
		out["type"] = []any{inner["type"], "null"}
		return out
	case reflect.Struct:
		name := t.Name()
		if name == "" || strings.Contains(name, "[") {
			return c.object(t)
		}
		name = c.componentName(t)
		if _, ok := c.m[name]; !ok {
			c.types[name] = t
			c.m[name] = map[string]any{} // placeholder: a type may refer to itself
			c.m[name] = c.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": c.schema(t.Elem(), stamp)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": c.schema(t.Elem(), stamp)}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	}
	return map[string]any{}
}

// object is a struct's schema: every field is always sent, and nothing else.
func (c apiSchemas) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	required := []any{}
	for _, f := range apiFields(t) {
		props[f.name] = c.schema(f.typ, f.stamp)
		required = append(required, f.name)
	}
	return map[string]any{"type": "object", "properties": props, "required": required, "additionalProperties": false}
}

// body is a request body's schema, from a struct with json tags: every
// field optional unless tagged api:"required", nothing else allowed.
func (c apiSchemas) body(t reflect.Type) map[string]any {
	props := map[string]any{}
	required := []any{}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			inner := c.body(f.Type)
			for k, v := range inner["properties"].(map[string]any) {
				props[k] = v
			}
			required = append(required, inner["required"].([]any)...)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		var s map[string]any
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case f.Tag.Get("format") == "date":
			s = map[string]any{"type": "string", "format": "date"}
		case f.Tag.Get("format") == "decimal":
			s = map[string]any{"type": "string", "pattern": `^-?[0-9][0-9,]*(\.[0-9]+)?$`}
		case ft.Kind() == reflect.Struct:
			s = c.body(ft)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			s = map[string]any{"type": "array", "items": c.body(ft.Elem())}
		default:
			s = c.schema(ft, false)
		}
		if d := f.Tag.Get("doc"); d != "" {
			s["description"] = d
		}
		props[name] = s
		if strings.Contains(f.Tag.Get("api"), "required") {
			required = append(required, name)
		}
	}
	return map[string]any{"type": "object", "properties": props, "required": required, "additionalProperties": false}
}

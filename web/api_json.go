package web

import (
	"reflect"
	"strings"
	"time"
	"unicode"

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
	index []int
	typ   reflect.Type
	stamp bool // a time.Time sent as a timestamp
}

// apiFields lists a struct's fields as sent, embedded structs flattened.
func apiFields(t reflect.Type) []apiField {
	var out []apiField
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			for _, inner := range apiFields(f.Type) {
				inner.index = append([]int{i}, inner.index...)
				out = append(out, inner)
			}
			continue
		}
		if !f.IsExported() || f.Tag.Get("api") == "-" {
			continue
		}
		out = append(out, apiField{name: apiName(f.Name), index: []int{i}, typ: f.Type, stamp: strings.HasSuffix(f.Name, "At")})
	}
	return out
}

// apiValue turns a domain value into what encoding/json sends.
func apiValue(v any) any { return apiEncode(reflect.ValueOf(v), false) }

func apiEncode(v reflect.Value, stamp bool) any {
	if !v.IsValid() {
		return nil
	}
	switch {
	case v.Type() == decimalType:
		return v.Interface().(decimal.Decimal).String()
	case v.Type() == timeType:
		t := v.Interface().(time.Time)
		if stamp {
			return t.UTC().Format(time.RFC3339Nano)
		}
		return t.Format(time.DateOnly)
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return apiEncode(v.Elem(), stamp)
	case reflect.Struct:
		out := make(map[string]any, v.NumField())
		for _, f := range apiFields(v.Type()) {
			out[f.name] = apiEncode(v.FieldByIndex(f.index), f.stamp)
		}
		return out
	case reflect.Slice, reflect.Array:
		out := make([]any, v.Len())
		for i := range v.Len() {
			out[i] = apiEncode(v.Index(i), stamp)
		}
		return out
	case reflect.Map:
		out := make(map[string]any, v.Len())
		iter := v.MapRange()
		for iter.Next() {
			out[iter.Key().String()] = apiEncode(iter.Value(), stamp)
		}
		return out
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return v.Uint()
	case reflect.Float32, reflect.Float64:
		return v.Float()
	}
	return nil
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

package framework

import (
	"context"
	"fmt"
	"reflect"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Attribute types derived from the model structs, so a nested object's type
// is written once (as its struct) and cannot drift from it.

// ObjectTypeOf is the object type of a model struct with tfsdk tags.
func ObjectTypeOf[T any]() types.ObjectType {
	return types.ObjectType{AttrTypes: attrTypesOf(reflect.TypeFor[T]())}
}

func attrTypesOf(t reflect.Type) map[string]attr.Type {
	out := make(map[string]attr.Type, t.NumField())
	for f := range t.Fields() {
		name := f.Tag.Get("tfsdk")
		if name == "" || name == "-" {
			continue
		}
		out[name] = attrTypeOf(f.Type)
	}
	return out
}

// attrTypeOf maps the framework's value types to their attribute types.
// Models hold only these; anything else is a programming error, found by
// the first test that loads the package.
func attrTypeOf(t reflect.Type) attr.Type {
	switch t {
	case reflect.TypeFor[types.String]():
		return types.StringType
	case reflect.TypeFor[types.Bool]():
		return types.BoolType
	case reflect.TypeFor[types.Int64]():
		return types.Int64Type
	case reflect.TypeFor[types.Int32]():
		return types.Int32Type
	case reflect.TypeFor[types.Float64]():
		return types.Float64Type
	}
	panic(fmt.Sprintf("ObjectTypeOf: no attribute type for a model field of type %s", t))
}

// ListOfObjects builds a list of objects from model structs whose fields
// are framework values. types.ListValueFrom would do the same through the
// framework's general reflection, which converts every value through
// tftypes and back: 39% of reading 5000 desktops, and most of its garbage.
func ListOfObjects[T any](objType types.ObjectType, rows []T) types.List {
	type field struct {
		index int
		name  string
	}
	var fields []field
	for f := range reflect.TypeFor[T]().Fields() {
		if name := f.Tag.Get("tfsdk"); name != "" && name != "-" {
			fields = append(fields, field{f.Index[0], name})
		}
	}
	elems := make([]attr.Value, len(rows))
	for i := range rows {
		row := reflect.ValueOf(&rows[i]).Elem()
		attrs := make(map[string]attr.Value, len(fields))
		for _, f := range fields {
			value, ok := row.Field(f.index).Interface().(attr.Value)
			if !ok {
				panic(fmt.Sprintf("ListOfObjects: field %s of %T is not a framework value", f.name, rows[i]))
			}
			attrs[f.name] = value
		}
		elems[i] = types.ObjectValueMust(objType.AttrTypes, attrs)
	}
	return types.ListValueMust(objType, elems)
}

// NullTimeouts is an unset timeouts block with the given operations.
func NullTimeouts(ctx context.Context, opts timeouts.Opts) timeouts.Value {
	typ, ok := timeouts.Attributes(ctx, opts).GetType().(timeouts.Type)
	if !ok {
		panic(fmt.Sprintf("timeouts.Attributes has type %T, not timeouts.Type", timeouts.Attributes(ctx, opts).GetType()))
	}
	return timeouts.Value{Object: types.ObjectNull(typ.AttrTypes)}
}

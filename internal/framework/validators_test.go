package framework

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Snapshot names and descriptions are limited in characters, as the service
// counts them, not in bytes: a 64-character Chinese name is 192 bytes.
func TestMaxCharacters_countsCharactersNotBytes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		limit int
		value string
		ok    bool
	}{
		{"64 ASCII", 64, strings.Repeat("n", 64), true},
		{"65 ASCII", 64, strings.Repeat("n", 65), false},
		{"64 Chinese (192 bytes)", 64, strings.Repeat("快", 64), true},
		{"65 Chinese", 64, strings.Repeat("快", 65), false},
		{"255 mixed", 255, strings.Repeat("é", 200) + strings.Repeat("d", 55), true},
		{"256 mixed", 255, strings.Repeat("é", 200) + strings.Repeat("d", 56), false},
		{"empty", 64, "", true},
	}
	for _, c := range cases {
		resp := &validator.StringResponse{}
		MaxCharacters(c.limit).ValidateString(context.Background(), validator.StringRequest{
			Path: path.Root("name"), ConfigValue: types.StringValue(c.value),
		}, resp)
		if got := !resp.Diagnostics.HasError(); got != c.ok {
			t.Errorf("%s: accepted = %v, want %v (%v)", c.name, got, c.ok, resp.Diagnostics)
		}
	}
	resp := &validator.StringResponse{}
	MaxCharacters(64).ValidateString(context.Background(), validator.StringRequest{
		Path: path.Root("name"), ConfigValue: types.StringValue(strings.Repeat("快", 65)),
	}, resp)
	if want := "Attribute name must be at most 64 characters, got 65."; len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Detail() != want {
		t.Errorf("diagnostics %v, want one saying %q", resp.Diagnostics, want)
	}
}

package framework

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// Desktop and snapshot ID arguments are lists whose order and repeats do
// not matter. Not sets: Terraform core compares a planned and an applied
// set pairwise (about 10 s at 1000 desktops, 200 s at 5000), and
// plugin-framework validates and compares sets pairwise too; a list costs
// time linear in its length everywhere. The set semantics are ours: chunks
// are built from the distinct IDs, and only a change of the IDs themselves
// replaces a resource.

// IDFormat is what IDValidators enforce, for descriptions; IDFormatRule
// says it of each ID in a list.
const (
	IDFormat     = "1 to 36 letters, digits or hyphens, starting with a letter or digit (the service's IDs are UUIDs)"
	IDFormatRule = "Each ID is " + IDFormat + "."
)

// IDListValidators check a list of IDs: at least one, each well formed.
func IDListValidators(kind string) []validator.List {
	return []validator.List{
		notEmptyIDList(kind),
		listvalidator.ValueStringsAre(IDValidators(kind)...),
	}
}

// notEmptyIDList refuses an empty list of IDs of its kind ("desktop").
// listvalidator.SizeAtLeast(1) says "must contain at least 1 elements".
type notEmptyIDList string

var _ validator.List = notEmptyIDList("")

func (kind notEmptyIDList) Description(context.Context) string {
	return "must name at least one " + string(kind) + " ID"
}

func (kind notEmptyIDList) MarkdownDescription(ctx context.Context) string {
	return kind.Description(ctx)
}

func (kind notEmptyIDList) ValidateList(ctx context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || len(req.ConfigValue.Elements()) > 0 {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Empty list",
		fmt.Sprintf("Attribute %s %s, got an empty list.", req.Path, kind.Description(ctx)))
}

// SameIDs reports whether a and b hold the same distinct IDs, in linear time.
func SameIDs(a, b []string) bool {
	inA := make(map[string]bool, len(a))
	for _, id := range a {
		inA[id] = true
	}
	inB := make(map[string]bool, len(b))
	for _, id := range b {
		if !inA[id] {
			return false
		}
		inB[id] = true
	}
	return len(inA) == len(inB)
}

// DistinctIDs drops repeated IDs and sorts them.
func DistinctIDs(ids []string) []string { return SortedStrings(workspace.Dedupe(ids)) }

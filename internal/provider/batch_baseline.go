package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// A batch's baseline: the IDs of the manual snapshots its desktops had
// before its jobs were sent (workspace.ChunkSubmission.Baseline). A record
// is a job's only if it is not in the baseline, so a batch that is still
// PENDING keeps it in private state, where the refresh or destroy that
// resolves its jobs finds it. Once resolved it is dropped.

// baselineKey is the baseline's private state key.
const baselineKey = "baseline"

// privateKeys is the private state of a request or response.
type privateKeys interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// readBaseline returns the stored baseline; nil when none is stored (an
// import, which has no "before").
func readBaseline(ctx context.Context, p privateKeys) (map[string]bool, diag.Diagnostics) {
	raw, diags := p.GetKey(ctx, baselineKey)
	if diags.HasError() || len(raw) == 0 {
		return nil, diags
	}
	var ids []string
	if err := json.Unmarshal(raw, &ids); err != nil {
		diags.AddError("Unable to read the batch's private state",
			fmt.Sprintf("The snapshots its desktops had before its jobs (private state key %q) are not a JSON list of IDs: %v.", baselineKey, err))
		return nil, diags
	}
	set := make(map[string]bool, len(ids))
	for _, id := range ids {
		set[id] = true
	}
	return set, diags
}

// writeBaseline keeps the baseline while the batch is PENDING and drops it
// once the batch is resolved.
func writeBaseline(ctx context.Context, p privateKeys, baseline map[string]bool, pending bool) diag.Diagnostics {
	if !pending || baseline == nil {
		return p.SetKey(ctx, baselineKey, nil)
	}
	ids := make([]string, 0, len(baseline))
	for id := range baseline {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	raw, err := json.Marshal(ids)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Unable to write the batch's private state", err.Error())
		return diags
	}
	return p.SetKey(ctx, baselineKey, raw)
}

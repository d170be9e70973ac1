package workspace

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

func TestLogsCarrySummariesButNoSecrets(t *testing.T) {
	const securityToken = "sts-token-do-not-log-0123456789"
	const authToken = "auth-token-do-not-log-9876543210"
	srv := startEmulator(t, emulator.Config{Desktops: 2, Seed: 1, SecurityToken: securityToken, AuthToken: authToken,
		Faults: emulator.Faults{Fault5xxRate: 0.5}})
	var out bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &out)

	signed := emulatorConfig(srv)
	signed.SecurityToken, signed.MaxRetries = securityToken, 20
	c := newTestClient(t, signed)
	resp, err := c.BatchCreateDesktopSnapshot(ctx, BatchCreateDesktopSnapshotReq{DesktopIds: srv.DesktopIDs()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitForJob(ctx, resp.JobId, WaitOptions{}); err != nil {
		t.Fatal(err)
	}
	token := emulatorConfig(srv)
	token.AccessKey, token.SecretKey, token.AuthToken, token.MaxRetries = "", "", authToken, 20
	if _, err := newTestClient(t, token).ListDesktops(ctx, ListDesktopsRequest{}); err != nil {
		t.Fatal(err)
	}

	// Defence in depth: even a careless log line through the client's
	// context has the secrets masked, by field name and by value.
	tflog.SubsystemDebug(c.logContext(ctx), logSubsystem, "probe "+emulator.DefaultSecretKey,
		map[string]any{"Authorization": "SDK-HMAC-SHA256 Signature=abc", "note": "token " + securityToken})
	logs := out.String()
	if !strings.Contains(logs, "probe ***") {
		t.Fatal("the probe line was not masked")
	}
	for _, secret := range []string{emulator.DefaultSecretKey, securityToken, authToken, "Signature="} {
		if strings.Contains(logs, secret) {
			t.Fatalf("the log contains %q", secret)
		}
	}
	entries, err := tflogtest.MultilineJSONDecode(&out)
	if err != nil {
		t.Fatal(err)
	}
	summaries, bodies, retries := 0, 0, 0
	for _, e := range entries {
		switch e["@message"] {
		case "Workspace API response":
			summaries++
			for _, field := range []string{"operation", "method", "path", "status", "duration_ms", "request_id", "attempt"} {
				if _, ok := e[field]; !ok {
					t.Fatalf("summary without %s: %v", field, e)
				}
			}
			if e["@level"] != "debug" || e["@module"] != "provider.workspace" {
				t.Fatalf("summary at %v in %v", e["@level"], e["@module"])
			}
		case "Workspace API response body", "Workspace API request body":
			bodies++
			if e["@level"] != "trace" {
				t.Fatalf("body logged at %v", e["@level"])
			}
		case "retrying Workspace API request":
			retries++
		}
	}
	if summaries < 3 || bodies < 3 || retries == 0 {
		t.Fatalf("%d summaries, %d bodies, %d retries logged", summaries, bodies, retries)
	}
}

package workspace

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// logSubsystem is the tflog subsystem of every client log line.
const logSubsystem = "workspace"

// maxLoggedBody bounds a body written to the TRACE log. Terraform reads a
// provider's log one line at a time, at most 64 KiB each: a longer line,
// and a body's JSON escaped into a log line can double in size, is split and
// printed raw at DEBUG level, so bodies leaked into TF_LOG=DEBUG output.
const maxLoggedBody = 16 << 10

// logContext returns ctx with the workspace subsystem, masking secrets by
// field name and, as defence in depth, by value wherever they would appear.
func (c *Client) logContext(ctx context.Context) context.Context {
	ctx = tflog.NewSubsystem(ctx, logSubsystem)
	ctx = tflog.SubsystemMaskFieldValuesWithFieldKeys(ctx, logSubsystem,
		"authorization", "Authorization", "x-security-token", "X-Security-Token",
		"x-auth-token", "X-Auth-Token", "secret_key", "security_token", "auth_token")
	var secrets []string
	for _, s := range []string{c.cfg.SecretKey, c.cfg.SecurityToken, c.cfg.AuthToken} {
		if s != "" {
			secrets = append(secrets, s)
		}
	}
	if len(secrets) > 0 {
		ctx = tflog.SubsystemMaskAllFieldValuesStrings(ctx, logSubsystem, secrets...)
		ctx = tflog.SubsystemMaskMessageStrings(ctx, logSubsystem, secrets...)
	}
	return ctx
}

func logBody(body []byte) string {
	if len(body) > maxLoggedBody {
		return string(body[:maxLoggedBody]) + "…(truncated)"
	}
	return string(body)
}

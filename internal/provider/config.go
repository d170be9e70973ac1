package provider

import (
	"fmt"
	"net/url"
	"os"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// setting is one provider argument with its environment fallback.
type setting struct {
	attribute string
	env       string
}

var (
	settingRegion        = setting{"region", "HW_REGION_NAME"}
	settingProjectID     = setting{"project_id", "HW_PROJECT_ID"}
	settingAccessKey     = setting{"access_key", "HW_ACCESS_KEY"}
	settingSecretKey     = setting{"secret_key", "HW_SECRET_KEY"}
	settingSecurityToken = setting{"security_token", "HW_SECURITY_TOKEN"}
	settingAuthToken     = setting{"auth_token", "HW_AUTH_TOKEN"}
	settingEndpoint      = setting{"endpoint", "HW_WORKSPACE_ENDPOINT"}
	settingIAMEndpoint   = setting{"iam_endpoint", "HW_IAM_ENDPOINT"}
	settingMaxRetries    = setting{"max_retries", "HW_MAX_RETRIES"}
	settingJobTimeZone   = setting{"job_time_zone", "HW_JOB_TIME_ZONE"}
)

func (s setting) String() string { return fmt.Sprintf("%q (or %s)", s.attribute, s.env) }

// resolvedSettings are the provider arguments after environment fallback.
type resolvedSettings struct {
	cfg              workspace.Config
	credentialSource string
}

func lookupEnv(name string) string { return os.Getenv(name) }

// resolveSettings applies the environment fallbacks and checks the
// combination, naming the attribute and its variable in every error.
func resolveSettings(m providerModel, env func(string) string) (resolvedSettings, diag.Diagnostics) {
	var diags diag.Diagnostics
	var r resolvedSettings
	pick := func(v types.String, s setting) (string, string) {
		if !v.IsNull() && v.ValueString() != "" {
			return v.ValueString(), "the " + s.attribute + " attribute"
		}
		if e := env(s.env); e != "" {
			return e, "the " + s.env + " environment variable"
		}
		return "", ""
	}
	c := &r.cfg
	c.Region, _ = pick(m.Region, settingRegion)
	c.ProjectID, _ = pick(m.ProjectID, settingProjectID)
	var akFrom, skFrom, tokenFrom string
	c.AccessKey, akFrom = pick(m.AccessKey, settingAccessKey)
	c.SecretKey, skFrom = pick(m.SecretKey, settingSecretKey)
	c.SecurityToken, _ = pick(m.SecurityToken, settingSecurityToken)
	c.AuthToken, tokenFrom = pick(m.AuthToken, settingAuthToken)
	c.Endpoint, _ = pick(m.Endpoint, settingEndpoint)
	c.IAMEndpoint, _ = pick(m.IAMEndpoint, settingIAMEndpoint)
	c.Insecure = m.Insecure.ValueBool()
	var zoneFrom string
	c.JobTimeZone, zoneFrom = pick(m.JobTimeZone, settingJobTimeZone)
	if c.JobTimeZone != "" {
		if _, err := workspace.ParseJobTimeZone(c.JobTimeZone); err != nil {
			diags.AddAttributeError(path.Root("job_time_zone"), "Invalid job_time_zone",
				fmt.Sprintf("%s (from %s) %v.", settingJobTimeZone, zoneFrom, err))
		}
	}

	if c.Region == "" {
		diags.AddAttributeError(path.Root("region"), "Missing region",
			"Set the provider's region attribute or the HW_REGION_NAME environment variable, e.g. \"cn-north-4\".")
	}
	switch {
	case c.AuthToken != "" && (c.AccessKey != "" || c.SecretKey != ""):
		diags.AddAttributeError(path.Root("auth_token"), "Conflicting credentials",
			fmt.Sprintf("auth_token (from %s) cannot be combined with access_key/secret_key: use either a token "+
				"(auth_token or HW_AUTH_TOKEN) or AK/SK (access_key and secret_key, or HW_ACCESS_KEY and HW_SECRET_KEY).", tokenFrom))
	case c.AccessKey != "" && c.SecretKey == "":
		diags.AddAttributeError(path.Root("secret_key"), "Missing secret key",
			fmt.Sprintf("An access key is set (from %s) but no secret key: set %s.", akFrom, settingSecretKey))
	case c.SecretKey != "" && c.AccessKey == "":
		diags.AddAttributeError(path.Root("access_key"), "Missing access key",
			fmt.Sprintf("A secret key is set (from %s) but no access key: set %s.", skFrom, settingAccessKey))
	case c.AccessKey == "" && c.AuthToken == "":
		diags.AddError("Missing credentials",
			"Set access_key and secret_key (or HW_ACCESS_KEY and HW_SECRET_KEY), or auth_token (or HW_AUTH_TOKEN).")
	case c.SecurityToken != "" && c.AccessKey == "":
		diags.AddAttributeError(path.Root("security_token"), "Security token without access key",
			"security_token (or HW_SECURITY_TOKEN) belongs to temporary AK/SK credentials: set access_key and secret_key too.")
	}
	if c.AuthToken != "" {
		r.credentialSource = "the auth token from " + tokenFrom
	} else if c.AccessKey != "" {
		r.credentialSource = fmt.Sprintf("the access key from %s and the secret key from %s", akFrom, skFrom)
	}
	for _, e := range []struct {
		value string
		s     setting
	}{{c.Endpoint, settingEndpoint}, {c.IAMEndpoint, settingIAMEndpoint}} {
		if e.value == "" {
			continue
		}
		if u, err := url.Parse(e.value); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			diags.AddAttributeError(path.Root(e.s.attribute), "Invalid endpoint",
				fmt.Sprintf("%s must be an absolute http(s) URL such as https://workspace.cn-north-4.myhuaweicloud.com, got %q.", e.s, e.value))
		}
	}
	c.MaxRetries = 0 // client default
	if !m.MaxRetries.IsNull() {
		c.MaxRetries = int(m.MaxRetries.ValueInt64())
	} else if e := env(settingMaxRetries.env); e != "" {
		n, err := strconv.Atoi(e)
		if err != nil || n < 0 {
			diags.AddAttributeError(path.Root("max_retries"), "Invalid HW_MAX_RETRIES",
				fmt.Sprintf("HW_MAX_RETRIES must be a whole number of retries (0 or more), got %q.", e))
		} else {
			c.MaxRetries = n
		}
	}
	if !m.MaxRetries.IsNull() && m.MaxRetries.ValueInt64() < 0 {
		diags.AddAttributeError(path.Root("max_retries"), "Invalid max_retries",
			fmt.Sprintf("max_retries must be 0 or more, got %d.", m.MaxRetries.ValueInt64()))
	}
	if c.MaxRetries == 0 && (!m.MaxRetries.IsNull() || env(settingMaxRetries.env) == "0") {
		c.MaxRetries = -1 // an explicit 0 means no retries
	}
	return r, diags
}

func (r resolvedSettings) newClient(version string) (*workspace.Client, error) {
	cfg := r.cfg
	cfg.UserAgent = "terraform-provider-workspace/" + version
	cfg.CredentialSource = r.credentialSource
	return workspace.NewClient(cfg)
}

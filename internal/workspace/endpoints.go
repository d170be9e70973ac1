package workspace

// Default endpoints per region, mirrored from the Huawei Cloud Go SDK
// (github.com/huaweicloud/huaweicloud-sdk-go-v3) v0.1.207. The same tables are
// unchanged since v0.1.169 (services/iam/v3/region/region.go and
// core/auth/internal/iam_endpoint.go) and v0.1.168
// (services/workspace/v2/region/region.go). When updating, re-read those three
// files plus GetIamEndpointById in core/auth/internal/iam_helper.go.
//
// Not mirrored: the SDK's own overrides (HUAWEICLOUD_SDK_REGION_<SERVICE>_<REGION>,
// regions.yaml / HUAWEICLOUD_SDK_REGIONS_FILE, HUAWEICLOUD_SDK_IAM_ENDPOINT).
// Config.Endpoint and Config.IAMEndpoint (the provider's endpoint and
// iam_endpoint, or HW_WORKSPACE_ENDPOINT and HW_IAM_ENDPOINT) are the one way to
// override a default.

// workspaceRegionHosts is services/workspace/v2/region/region.go, in file
// order. Every entry follows the pattern workspace.{region}.myhuaweicloud.com,
// eu-west-101 included (the Terraform huaweicloud provider uses
// myhuaweicloud.eu there; the SDK does not).
var workspaceRegionHosts = map[string]string{
	"cn-east-3":      "https://workspace.cn-east-3.myhuaweicloud.com",
	"cn-north-4":     "https://workspace.cn-north-4.myhuaweicloud.com",
	"cn-south-1":     "https://workspace.cn-south-1.myhuaweicloud.com",
	"cn-southwest-2": "https://workspace.cn-southwest-2.myhuaweicloud.com",
	"la-south-2":     "https://workspace.la-south-2.myhuaweicloud.com",
	"sa-brazil-1":    "https://workspace.sa-brazil-1.myhuaweicloud.com",
	"la-north-2":     "https://workspace.la-north-2.myhuaweicloud.com",
	"ap-southeast-3": "https://workspace.ap-southeast-3.myhuaweicloud.com",
	"cn-north-9":     "https://workspace.cn-north-9.myhuaweicloud.com",
	"ap-southeast-1": "https://workspace.ap-southeast-1.myhuaweicloud.com",
	"cn-east-5":      "https://workspace.cn-east-5.myhuaweicloud.com",
	"me-east-1":      "https://workspace.me-east-1.myhuaweicloud.com",
	"af-south-1":     "https://workspace.af-south-1.myhuaweicloud.com",
	"tr-west-1":      "https://workspace.tr-west-1.myhuaweicloud.com",
	"cn-north-11":    "https://workspace.cn-north-11.myhuaweicloud.com",
	"af-north-1":     "https://workspace.af-north-1.myhuaweicloud.com",
	"ap-southeast-2": "https://workspace.ap-southeast-2.myhuaweicloud.com",
	"eu-west-101":    "https://workspace.eu-west-101.myhuaweicloud.com",
}

// iamRegionHosts is services/iam/v3/region/region.go, in file order.
// Only eu-west-101 leaves the pattern iam.{region}.myhuaweicloud.com.
//
// The table the SDK itself uses to look up a project ID
// (core/auth/internal/iam_endpoint.go) lists the same regions with the same
// hosts except eu-west-101, which it leaves out, so the SDK's own lookup for
// eu-west-101 goes to the global host. This client uses the IAM service's
// .eu host for eu-west-101, the host of the IAM API in that region.
var iamRegionHosts = map[string]string{
	"cn-north-2":       "https://iam.cn-north-2.myhuaweicloud.com",
	"cn-north-4":       "https://iam.cn-north-4.myhuaweicloud.com",
	"cn-north-1":       "https://iam.cn-north-1.myhuaweicloud.com",
	"cn-east-2":        "https://iam.cn-east-2.myhuaweicloud.com",
	"cn-east-3":        "https://iam.cn-east-3.myhuaweicloud.com",
	"cn-south-1":       "https://iam.cn-south-1.myhuaweicloud.com",
	"cn-south-2":       "https://iam.cn-south-2.myhuaweicloud.com",
	"cn-southwest-2":   "https://iam.cn-southwest-2.myhuaweicloud.com",
	"ap-southeast-1":   "https://iam.ap-southeast-1.myhuaweicloud.com",
	"ap-southeast-2":   "https://iam.ap-southeast-2.myhuaweicloud.com",
	"ap-southeast-3":   "https://iam.ap-southeast-3.myhuaweicloud.com",
	"af-south-1":       "https://iam.af-south-1.myhuaweicloud.com",
	"sa-brazil-1":      "https://iam.sa-brazil-1.myhuaweicloud.com",
	"la-south-2":       "https://iam.la-south-2.myhuaweicloud.com",
	"na-mexico-1":      "https://iam.na-mexico-1.myhuaweicloud.com",
	"la-north-2":       "https://iam.la-north-2.myhuaweicloud.com",
	"cn-north-9":       "https://iam.cn-north-9.myhuaweicloud.com",
	"eu-west-101":      "https://iam.eu-west-101.myhuaweicloud.eu",
	"eu-west-0":        "https://iam.eu-west-0.myhuaweicloud.com",
	"my-kualalumpur-1": "https://iam.my-kualalumpur-1.myhuaweicloud.com",
	"ru-moscow-1":      "https://iam.ru-moscow-1.myhuaweicloud.com",
	"me-east-1":        "https://iam.me-east-1.myhuaweicloud.com",
	"ap-southeast-4":   "https://iam.ap-southeast-4.myhuaweicloud.com",
	"ae-ad-1":          "https://iam.ae-ad-1.myhuaweicloud.com",
	"cn-east-4":        "https://iam.cn-east-4.myhuaweicloud.com",
	"cn-east-5":        "https://iam.cn-east-5.myhuaweicloud.com",
	"tr-west-1":        "https://iam.tr-west-1.myhuaweicloud.com",
	"cn-north-12":      "https://iam.cn-north-12.myhuaweicloud.com",
}

// globalIAMEndpoint is the SDK's DefaultIamEndpoint
// (core/auth/internal/iam_helper.go): GetIamEndpointById, which picks the host
// of the project lookup, answers it for every region missing from its table.
const globalIAMEndpoint = "https://iam.myhuaweicloud.com"

// defaultWorkspaceEndpoint is the Workspace endpoint used when
// Config.Endpoint is empty: the SDK's host for the region, or
// https://workspace.{region}.myhuaweicloud.com for a region the SDK does not
// list.
func defaultWorkspaceEndpoint(region string) string {
	if host, ok := workspaceRegionHosts[region]; ok {
		return host
	}
	return "https://workspace." + region + ".myhuaweicloud.com"
}

// defaultIAMEndpoint is the IAM endpoint used for the project lookup when
// Config.IAMEndpoint is empty:
//   - a region in the SDK's IAM table: its host there (iam.eu-west-101.myhuaweicloud.eu
//     for eu-west-101);
//   - a Workspace region the SDK gives no regional IAM (cn-north-11,
//     af-north-1): the global https://iam.myhuaweicloud.com, as the SDK's
//     project lookup does;
//   - a region the SDK does not know at all: https://iam.{region}.myhuaweicloud.com,
//     since most regions have a regional IAM and a region newer than these
//     tables most likely does too.
func defaultIAMEndpoint(region string) string {
	if host, ok := iamRegionHosts[region]; ok {
		return host
	}
	if _, ok := workspaceRegionHosts[region]; ok {
		return globalIAMEndpoint
	}
	return "https://iam." + region + ".myhuaweicloud.com"
}

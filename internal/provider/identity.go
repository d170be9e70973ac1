package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework/jobrun"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// Resource identity (Terraform 1.12+) of the resources kept by their job
// IDs: the batch and the restore. The job IDs name the remote object; the
// project and region say where, since a provider alias may point at
// another project or region and job IDs say nothing of it. All three are
// what a user can write by hand in `import { identity = { … } }`.

// jobsIdentityModel is the identity of workspace_desktop_snapshot_batch and
// workspace_desktop_snapshot_restore.
type jobsIdentityModel struct {
	JobIDs    types.List   `tfsdk:"job_ids"`
	ProjectID types.String `tfsdk:"project_id"`
	Region    types.String `tfsdk:"region"`
}

// jobsIdentitySchema is the identity schema of a resource kept by the jobs
// of op (an identity schema takes plain descriptions only).
func jobsIdentitySchema(op jobrun.Operation) identityschema.Schema {
	return identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"job_ids": identityschema.ListAttribute{
				ElementType:       types.StringType,
				RequiredForImport: true,
				Description: fmt.Sprintf("The IDs of the %s jobs the resource was created or imported with, as its id lists them "+
					"(jobs of later in-place updates are in its job_ids attribute only). An import takes one or more.", op.API),
			},
			"project_id": identityschema.StringAttribute{
				OptionalForImport: true,
				Description: "The project the jobs ran in. An import without it takes the provider's project; " +
					"with it, the provider must be configured for that project (a provider alias for another one).",
			},
			"region": identityschema.StringAttribute{
				OptionalForImport: true,
				Description: "The region the jobs ran in, e.g. cn-north-4. An import without it takes the provider's " +
					"region; with it, the provider must be configured for that region.",
			},
		},
	}
}

// setJobsIdentity records the identity of a resource kept by jobIDs, in the
// client's project and region. identity is nil only where Terraform sent
// none (a resource without identity support never gets here).
func setJobsIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, client *workspace.Client, jobIDs []string) diag.Diagnostics {
	if identity == nil {
		return nil
	}
	m, diags := clientJobsIdentity(ctx, client, jobIDs)
	if diags.HasError() {
		return diags
	}
	return identity.Set(ctx, m)
}

// clientJobsIdentity is the identity of jobIDs in the client's project and
// region. Unless configured, the project is looked up through IAM by the
// first call that needs it (the client keeps it): here when nothing called
// the API before, as in an import by identity (which checks the identity's
// project before reading any job), an update, or a finished restore's read.
func clientJobsIdentity(ctx context.Context, client *workspace.Client, jobIDs []string) (jobsIdentityModel, diag.Diagnostics) {
	var diags diag.Diagnostics
	project, err := client.ResolveProjectID(ctx)
	if err != nil {
		diags.Append(framework.ErrorDiagnostic("Unable to record the resource identity", err, client.CredentialSource()))
		return jobsIdentityModel{}, diags
	}
	return jobsIdentityModel{
		JobIDs:    framework.StringListValue(jobIDs),
		ProjectID: types.StringValue(project),
		Region:    types.StringValue(client.Region()),
	}, diags
}

// refreshJobsIdentity sets the identity a read finds: the state's job IDs
// in the client's project and region. An identity stored for another
// project or region means the provider now points elsewhere, where the
// jobs are not: that is said plainly, rather than reading the resource as
// gone (and planning to create it again) or failing on a changed identity.
func refreshJobsIdentity(ctx context.Context, prior, identity *tfsdk.ResourceIdentity, client *workspace.Client, jobIDs []string) diag.Diagnostics {
	if identity == nil {
		return nil
	}
	m, diags := clientJobsIdentity(ctx, client, jobIDs)
	if diags.HasError() {
		return diags
	}
	if prior != nil && !prior.Raw.IsFullyNull() {
		var stored jobsIdentityModel
		diags.Append(prior.Get(ctx, &stored)...)
		if diags.HasError() {
			return diags
		}
		if where := otherScope(stored, m); where != "" {
			diags.AddError("Provider configured for another "+where, fmt.Sprintf(
				"This resource's jobs ran in project %s, region %s, but its provider is now configured for project %s, "+
					"region %s, where they are not. Point the resource at a provider for its own project and region "+
					"(provider = workspace.<alias>), or run terraform state rm to forget it.",
				stored.ProjectID.ValueString(), stored.Region.ValueString(), m.ProjectID.ValueString(), m.Region.ValueString()))
			return diags
		}
	}
	diags.Append(identity.Set(ctx, m)...)
	return diags
}

// otherScope names what of an identity's project and region differs from
// the client's ("project", "region" or "project and region"), "" when
// nothing does; an unset value matches anything.
func otherScope(given, client jobsIdentityModel) string {
	var differ []string
	if v := given.ProjectID; !v.IsNull() && !v.IsUnknown() && v.ValueString() != client.ProjectID.ValueString() {
		differ = append(differ, "project")
	}
	if v := given.Region; !v.IsNull() && !v.IsUnknown() && v.ValueString() != client.Region.ValueString() {
		differ = append(differ, "region")
	}
	return strings.Join(differ, " and ")
}

// importIDOf is what an import is given: the ID of `terraform import` or of
// an import block's id, or else the job IDs of its identity, joined as the
// ID would join them, so both take the same path (importJobs). An identity
// for another project or region than the provider's is refused: the jobs
// would be looked for where they are not.
func importIDOf(ctx context.Context, id string, identity *tfsdk.ResourceIdentity, client *workspace.Client, op jobrun.Operation) (string, diag.Diagnostics) {
	var diags diag.Diagnostics
	if id != "" || identity == nil || identity.Raw.IsNull() {
		return id, diags
	}
	var given jobsIdentityModel
	diags.Append(identity.Get(ctx, &given)...)
	if diags.HasError() {
		return "", diags
	}
	listed := framework.StringsOf(ctx, given.JobIDs)
	importID := strings.Join(listed, ",")
	if jobIDs, ok := parseJobIDs(importID); !ok || !slices.Equal(jobIDs, listed) { // nor commas nor spaces within an ID
		diags.AddError("Invalid import identity", fmt.Sprintf(
			"job_ids must hold one or more %s job IDs (1 to 36 letters, digits or hyphens, such as a UUID); got %s.",
			op.API, given.JobIDs))
		return "", diags
	}
	m, idDiags := clientJobsIdentity(ctx, client, nil)
	diags.Append(idDiags...)
	if diags.HasError() {
		return "", diags
	}
	if where := otherScope(given, m); where != "" {
		diags.AddError("Import identity for another "+where, fmt.Sprintf(
			"The identity names project %s, region %s, but the provider is configured for project %s, region %s. "+
				"Import through a provider configured for the identity's project and region "+
				"(provider = workspace.<alias> in the import block), or leave project_id and region out to take the provider's.",
			valueOr(given.ProjectID, m.ProjectID), valueOr(given.Region, m.Region), m.ProjectID.ValueString(), m.Region.ValueString()))
		return "", diags
	}
	return importID, diags
}

// valueOr is v's string, or fallback's when v is unset.
func valueOr(v, fallback types.String) string {
	if v.IsNull() || v.IsUnknown() {
		return fallback.ValueString()
	}
	return v.ValueString()
}

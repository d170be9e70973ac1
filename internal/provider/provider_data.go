package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// How resources, data sources and actions get the provider's client.

// clientFrom extracts the provider data, reporting a clear error when the
// provider could not be configured yet (values unknown at plan time).
func clientFrom(client *workspace.Client, diags *diag.Diagnostics) *workspace.Client {
	if client == nil {
		diags.AddError("Provider not configured",
			"The workspace provider's configuration is not known yet (it depends on values only known after apply) "+
				"or is invalid, so the Workspace API cannot be called. Apply the resources it depends on first.")
		return nil
	}
	return client
}

// configureClient extracts the client the provider passes to resources,
// data sources and actions (nil until the provider is configured).
func configureClient(providerData any, diags *diag.Diagnostics) *workspace.Client {
	if providerData == nil {
		return nil
	}
	client, ok := providerData.(*workspace.Client)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *workspace.Client, got %T. Please report this issue to the provider developers.", providerData))
		return nil
	}
	return client
}

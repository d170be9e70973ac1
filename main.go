// Command terraform-provider-workspace serves the workspace Terraform provider.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/memlimit"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/provider"
)

// version is set at build time by goreleaser (-X main.version=...).
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()
	quietLogsUnlessAsked()
	memlimit.CapUnlessSet()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/cloud-desktop/workspace",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}

// quietLogsUnlessAsked turns the provider's logs off when the user asked for
// none (no TF_LOG* variable set to something; Terraform passes them to
// providers): Terraform then reads every line a provider writes and drops
// it. plugin-framework alone writes a TRACE line per attribute and list
// element, which took more CPU than the provider's own work on a batch of
// thousands of desktops; the API client logs each request. With any TF_LOG*
// variable set, every level is as the user chose.
func quietLogsUnlessAsked() {
	for _, kv := range os.Environ() {
		name, value, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "TF_LOG") && value != "" {
			return
		}
	}
	for _, name := range quietedLogs {
		_ = os.Setenv(name, "OFF")
	}
}

// quietedLogs are the level variables of plugin-go, plugin-framework and this
// provider's own logger (TF_LOG_PROVIDER_ + its name).
var quietedLogs = []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_WORKSPACE"}

// Command terraform-provider-workspace serves the workspace Terraform provider.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/provider"
)

// version is set at build time by goreleaser (-X main.version=...).
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()
	quietFrameworkUnlessAsked()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/cloud-desktop/workspace",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}

// quietFrameworkUnlessAsked turns plugin-framework's own log subsystem off
// unless the user asked for logs (any TF_LOG* variable set and not empty;
// Terraform passes them to providers). The framework writes a TRACE line per attribute and
// list element; with no one listening, Terraform reads and drops them, at
// about a quarter of the provider's CPU on a batch of thousands of desktops.
// Our own logs and the protocol's stay as they were.
func quietFrameworkUnlessAsked() {
	for _, kv := range os.Environ() {
		name, value, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "TF_LOG") && value != "" {
			return
		}
	}
	_ = os.Setenv("TF_LOG_SDK_FRAMEWORK", "OFF")
}

//go:build tools

// Package tools pins the versions of the command-line tools the build uses
// (tfplugindocs), in a module of their own so they do not enter the
// provider's dependency graph.
package tools

import (
	_ "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs"
)

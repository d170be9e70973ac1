//go:build tools

// Package lint pins the version of golangci-lint that `make lint` runs. It is
// a module of its own, apart from ../ (tfplugindocs): golangci-lint would
// raise about twenty of tfplugindocs' shared dependencies (go-runewidth,
// BurntSushi/toml, Masterminds/semver, golang.org/x/..., yaml.v2), which could
// change the docs it renders.
package lint

import (
	_ "github.com/golangci/golangci-lint/v2/cmd/golangci-lint"
)

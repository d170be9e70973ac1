//go:build tools

// Package actionlint pins the version of actionlint that `make lint-workflows`
// runs on .github/workflows. It is a module of its own, apart from ../
// (tfplugindocs): actionlint would raise tfplugindocs' goldmark (1.7.7 to
// 1.7.17), go-runewidth and fatih/color, which could change the docs it renders.
package actionlint

import (
	_ "github.com/rhysd/actionlint/cmd/actionlint"
)

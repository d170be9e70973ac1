package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// timeoutsAttribute is the resources' timeouts attribute:
// plugin-framework-timeouts' own (its type and values, read with
// Create/Delete), with descriptions that state the default and the units,
// and checked at validation, so at plan time. The library only checks that
// each parses, so "-1h" or "0s" passed the plan and failed the apply. Errors
// are reported at the timeouts attribute itself (framework.AtTopLevel).
//
// creating says what a create does, e.g. "snapshotting the desktops".
func timeoutsAttribute(ctx context.Context, opts timeouts.Opts, creating string) schema.SingleNestedAttribute {
	attr, ok := timeouts.Attributes(ctx, opts).(schema.SingleNestedAttribute)
	if !ok {
		panic("timeouts.Attributes is no longer a SingleNestedAttribute")
	}
	attr.MarkdownDescription = fmt.Sprintf("How long each operation may take. Each is a positive duration: "+
		"numbers with the units `s`, `m` or `h`, such as `\"90s\"`, `\"45m\"` or `\"1h30m\"`; each defaults to `%q`.",
		defaultTimeoutText())
	descriptions := map[string]string{
		"create": fmt.Sprintf("How long a create (%s) may take, from its first request until its last job "+
			"has ended. Defaults to `%q`. When it passes, the jobs keep running in the service: their IDs stay in "+
			"state with status `PENDING`, and the next refresh records their outcome.", creating, defaultTimeoutText()),
		"update": fmt.Sprintf("How long an update that adds or removes desktops may take, until its last job has ended. "+
			"Defaults to `%q`. When it passes, the jobs keep running in the service: their IDs stay in state with "+
			"status `PENDING`, and the next refresh records their outcome.", defaultTimeoutText()),
		"delete": fmt.Sprintf("How long a destroy (deleting the snapshots) may take, until the delete jobs have "+
			"ended. Defaults to `%q`. A destroy uses the value saved in state, so a change takes effect once an apply "+
			"has saved it.", defaultTimeoutText()),
	}
	for name, a := range attr.Attributes {
		s, ok := a.(schema.StringAttribute)
		if !ok {
			panic("timeouts." + name + " is no longer a StringAttribute")
		}
		s.Description = ""
		s.MarkdownDescription = descriptions[name]
		s.Validators = []validator.String{framework.AtTopLevel{String: framework.DurationValidator{}}}
		attr.Attributes[name] = s
	}
	return attr
}

// defaultTimeoutText writes defaultBatchTimeout as the docs do: whole hours
// or minutes as "2h" or "30m" (Go writes "30m0s").
func defaultTimeoutText() string {
	d := defaultBatchTimeout
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	default:
		return d.String()
	}
}

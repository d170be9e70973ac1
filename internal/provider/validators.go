package provider

import (
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// resourceIDPattern is what desktop, snapshot and job IDs look like: the
// service's IDs are UUIDs; the API allows 1-36 characters.
var resourceIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,35}$`)

// idValidators check one desktop, snapshot or job ID.
func idValidators(kind string) []validator.String {
	return []validator.String{
		stringvalidator.RegexMatches(resourceIDPattern,
			"must be a "+kind+" ID: 1 to 36 letters, digits or hyphens, such as a UUID"),
	}
}

// idSetValidators check a set of IDs: at least one, each well formed.
func idSetValidators(kind string) []validator.Set {
	return []validator.Set{
		setvalidator.SizeAtLeast(1),
		setvalidator.ValueStringsAre(idValidators(kind)...),
	}
}

package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// TestMain runs the tests, or with -sweep=REGION only the sweepers
// (sweeper_test.go), which delete what an interrupted real-cloud acceptance
// run left behind.
func TestMain(m *testing.M) {
	resource.TestMain(m)
}

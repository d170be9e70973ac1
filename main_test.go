package main

import (
	"os"
	"strings"
	"testing"
)

func TestQuietLogsUnlessAsked(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want string // each quieted level variable afterwards
	}{
		{"no log variables", nil, "OFF"},
		{"TF_LOG set but empty, as a wrapper may leave it", map[string]string{"TF_LOG": ""}, "OFF"},
		{"TF_LOG asked for", map[string]string{"TF_LOG": "TRACE"}, ""},
		{"provider logs asked for", map[string]string{"TF_LOG_PROVIDER": "DEBUG"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Start from no TF_LOG* variable; t.Setenv restores them after.
			for _, kv := range append(os.Environ(), "TF_LOG_SDK_FRAMEWORK=", "TF_LOG_PROVIDER_WORKSPACE=") {
				if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "TF_LOG") {
					t.Setenv(name, "")
					_ = os.Unsetenv(name)
				}
			}
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			quietLogsUnlessAsked()
			for _, name := range quietedLogs {
				if got := os.Getenv(name); got != c.want {
					t.Errorf("%s = %q, want %q", name, got, c.want)
				}
			}
		})
	}
}

package main

import (
	"os"
	"strings"
	"testing"
)

func TestQuietFrameworkUnlessAsked(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want string // TF_LOG_SDK_FRAMEWORK afterwards
	}{
		{"no log variables", nil, "OFF"},
		{"TF_LOG set but empty, as a wrapper may leave it", map[string]string{"TF_LOG": ""}, "OFF"},
		{"TF_LOG asked for", map[string]string{"TF_LOG": "TRACE"}, ""},
		{"provider logs asked for", map[string]string{"TF_LOG_PROVIDER": "DEBUG"}, ""},
		{"framework level chosen by the user", map[string]string{"TF_LOG_SDK_FRAMEWORK": "TRACE"}, "TRACE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Start from no TF_LOG* variable; t.Setenv restores them after.
			for _, kv := range append(os.Environ(), "TF_LOG_SDK_FRAMEWORK=") {
				if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "TF_LOG") {
					t.Setenv(name, "")
					_ = os.Unsetenv(name)
				}
			}
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			quietFrameworkUnlessAsked()
			if got := os.Getenv("TF_LOG_SDK_FRAMEWORK"); got != c.want {
				t.Errorf("TF_LOG_SDK_FRAMEWORK = %q, want %q", got, c.want)
			}
		})
	}
}

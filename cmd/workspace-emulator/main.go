// Command workspace-emulator serves the local Huawei Cloud Workspace API
// emulator (see internal/emulator) until SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return
	}
	var usage *usageError
	if errors.As(err, &usage) {
		if !usage.printed {
			fmt.Fprintln(os.Stderr, "workspace-emulator:", err)
		}
		os.Exit(2)
	}
	fmt.Fprintln(os.Stderr, "workspace-emulator:", err)
	os.Exit(1)
}

// usageError is a bad command line: exit status 2.
type usageError struct {
	err     error
	printed bool // the flag package already told the user
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// run serves until ctx is done, then shuts down and saves the state file. The
// first line on stdout is "listening on http://HOST:PORT"; request log lines
// follow.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, listen, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	cfg.Log = &lockedWriter{w: stdout}
	srv, err := emulator.New(cfg)
	if err != nil {
		return err
	}
	if err := srv.Start(listen); err != nil {
		return err
	}
	fmt.Fprintf(cfg.Log, "listening on %s\n", srv.URL())
	<-ctx.Done()
	return srv.Close()
}

// Package cli holds what every command shares: exit codes, error reporting, the command name
// when running as a kubectl plugin, and printing objects.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// Exit codes, defined here only.
const (
	// ExitOK is success, or no changes in a detailed-exit-code mode.
	ExitOK = 0
	// ExitError is any failure.
	ExitError = 1
	// ExitChanges means success with changes present, in a detailed-exit-code mode.
	ExitChanges = 2
)

// ExitCodeError carries a specific exit code; with a nil Err nothing is printed.
type ExitCodeError struct {
	Code int
	Err  error
}

func (e *ExitCodeError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit code %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitCodeError) Unwrap() error { return e.Err }

// Execute runs the command tree and returns the process exit code. Errors are printed once, as
// kubectl prints them: "error: ..." on stderr.
func Execute(root *cobra.Command, streams genericiooptions.IOStreams) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root.SilenceErrors = true
	root.SilenceUsage = true
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	code := ExitError
	var coded *ExitCodeError
	if errors.As(err, &coded) {
		code = coded.Code
		err = coded.Err
	}
	if err != nil {
		msg := err.Error()
		if !strings.HasPrefix(msg, "Error from server") {
			msg = "error: " + msg
		}
		fmt.Fprintln(streams.ErrOut, msg)
	}
	return code
}

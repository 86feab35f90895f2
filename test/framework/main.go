package framework

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"testing"
)

// Main starts a federation for a test package, runs its tests, and stops the federation
// whether the tests pass, fail or are interrupted. Use it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(framework.Main(m, framework.Options{Members: 2}, &fed)) }
func Main(m *testing.M, opts Options, fed **Federation) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if opts.Log == nil {
		opts.Log = os.Stderr
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)

	f, err := Start(ctx, opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "error: starting the local control planes: %v\n", err)
		return 1
	}
	*fed = f
	stopped := make(chan struct{})
	go func() {
		select {
		case <-signals:
			fmt.Fprintln(os.Stderr, "interrupted: stopping the local control planes")
			f.Stop()
			os.Exit(130)
		case <-stopped:
		}
	}()
	code := m.Run()
	close(stopped)
	f.Stop()
	return code
}

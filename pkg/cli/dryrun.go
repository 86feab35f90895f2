package cli

import (
	"fmt"

	"github.com/spf13/pflag"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DryRun is kubectl's --dry-run strategy.
type DryRun string

const (
	DryRunNone   DryRun = "none"
	DryRunClient DryRun = "client"
	DryRunServer DryRun = "server"
)

// ParseDryRun accepts kubectl's values; an empty value means none.
func ParseDryRun(value string) (DryRun, error) {
	switch DryRun(value) {
	case "", DryRunNone:
		return DryRunNone, nil
	case DryRunClient, DryRunServer:
		return DryRun(value), nil
	}
	return "", fmt.Errorf(`--dry-run must be "none", "client" or "server", not %q`, value)
}

// Suffix is what kubectl appends to a result line: " (dry run)" or " (server dry run)".
func (d DryRun) Suffix() string {
	switch d {
	case DryRunClient:
		return " (dry run)"
	case DryRunServer:
		return " (server dry run)"
	}
	return ""
}

// Writes reports whether mutating calls are sent at all.
func (d DryRun) Writes() bool { return d != DryRunClient }

// Options is what mutating calls carry: DryRun All for a server dry run.
func (d DryRun) Options() []string {
	if d == DryRunServer {
		return []string{metav1.DryRunAll}
	}
	return nil
}

// AddDryRunFlag registers --dry-run with kubectl's wording.
func AddDryRunFlag(flags *pflag.FlagSet, target *string) {
	flags.StringVar(target, "dry-run", "none", `Must be "none", "server", or "client". If client strategy, only print the object that would be sent, without sending it. If server strategy, submit server-side request without persisting the resource.`)
}

package cli

import (
	"fmt"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

// Globals are the flags every command shares, registered once on the root.
type Globals struct {
	ConfigFlags      *genericclioptions.ConfigFlags
	KubeFedNamespace string
}

// NewGlobals returns the defaults.
func NewGlobals() *Globals {
	configFlags := genericclioptions.NewConfigFlags(true)
	// --cluster names a member cluster in kubefedctl (render --cluster, propagate reports), so
	// kubeconfig's cluster is chosen with --context alone.
	configFlags.ClusterName = nil
	return &Globals{
		ConfigFlags:      configFlags,
		KubeFedNamespace: apis.DefaultKubeFedNamespace,
	}
}

// AddFlags registers kubectl's standard flags and --kubefed-namespace.
func (g *Globals) AddFlags(flags *pflag.FlagSet) {
	g.ConfigFlags.AddFlags(flags)
	flags.StringVar(&g.KubeFedNamespace, "kubefed-namespace", g.KubeFedNamespace,
		"Namespace in the host cluster that holds the federation's clusters, type configs and KubeFedConfig")
}

// Namespace is the namespace for objects given without one: -n, else the kubeconfig context's,
// else "default", as kubectl resolves it. It needs no reachable cluster, nor a kubeconfig.
func (g *Globals) Namespace() string {
	ns, _, err := g.ConfigFlags.ToRawKubeConfigLoader().Namespace()
	if err != nil || ns == "" {
		return "default"
	}
	return ns
}

// RequestTimeout is --request-timeout, or zero when it is not given (or given as 0). It reads
// the value as kubectl does (5 is seconds, 5s, 2m, 1h30m) and refuses a negative duration, which
// client-go would take silently as no timeout at all.
func (g *Globals) RequestTimeout() (time.Duration, error) {
	t := g.ConfigFlags.Timeout
	if t == nil || *t == "" {
		return 0, nil
	}
	return ParseRequestTimeout(*t)
}

// ParseRequestTimeout parses a --request-timeout value: a non-negative integer of seconds, or a
// non-negative duration with its unit; 0 means no timeout.
func ParseRequestTimeout(value string) (time.Duration, error) {
	d, err := clientcmd.ParseTimeout(value)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("invalid --request-timeout %q: the timeout must be a positive duration, a whole number of seconds (5) or a number with a unit (1s, 2m, 3h), or 0 for none", value)
	}
	return d, nil
}

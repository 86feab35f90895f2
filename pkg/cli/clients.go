package cli

import (
	"fmt"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Clients are the clients of one cluster, built once per command.
type Clients struct {
	// Context is the kubeconfig context they came from.
	Context string
	Config  *rest.Config
	Kube    kubernetes.Interface
	Dynamic dynamic.Interface
}

// NewClients builds clients from a rest config.
func NewClients(context string, config *rest.Config) (*Clients, error) {
	if config.QPS == 0 {
		// client-go's defaults (5 QPS) would be the bottleneck of every command here.
		config.QPS, config.Burst = 500, 1000
	}
	httpClient, err := rest.HTTPClientFor(config)
	if err != nil {
		return nil, fmt.Errorf("context %q: %w", context, err)
	}
	kube, err := kubernetes.NewForConfigAndClient(config, httpClient)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfigAndClient(config, httpClient)
	if err != nil {
		return nil, err
	}
	return &Clients{Context: context, Config: config, Kube: kube, Dynamic: dyn}, nil
}

// HostClients are the clients of the host cluster: --context, else the current context.
func (g *Globals) HostClients() (*Clients, error) {
	// client-go takes a negative timeout as none: refused before anything is read or sent.
	if _, err := g.RequestTimeout(); err != nil {
		return nil, err
	}
	loader := g.ConfigFlags.ToRawKubeConfigLoader()
	raw, err := loader.RawConfig()
	if err != nil {
		return nil, fmt.Errorf("reading kubeconfig: %w", err)
	}
	context := raw.CurrentContext
	if g.ConfigFlags.Context != nil && *g.ConfigFlags.Context != "" {
		context = *g.ConfigFlags.Context
	}
	config, err := loader.ClientConfig()
	if err != nil {
		if clientcmd.IsEmptyConfig(err) {
			return nil, fmt.Errorf("no kubeconfig: set KUBECONFIG or --kubeconfig to reach the host cluster")
		}
		return nil, fmt.Errorf("host context %q: %w", context, err)
	}
	return NewClients(context, config)
}

// ContextClients are the clients of another kubeconfig context (a member, in join), with the
// same kubeconfig and request timeout as the host.
func (g *Globals) ContextClients(context string) (*Clients, error) {
	config, err := g.ContextConfig(context)
	if err != nil {
		return nil, err
	}
	return NewClients(context, config)
}

// ContextConfig is the rest config of a named kubeconfig context.
func (g *Globals) ContextConfig(context string) (*rest.Config, error) {
	if _, err := g.RequestTimeout(); err != nil {
		return nil, err
	}
	raw, err := g.ConfigFlags.ToRawKubeConfigLoader().RawConfig()
	if err != nil {
		return nil, fmt.Errorf("reading kubeconfig: %w", err)
	}
	if _, ok := raw.Contexts[context]; !ok {
		return nil, fmt.Errorf("context %q is not in the kubeconfig (kubectl config get-contexts lists them)", context)
	}
	overrides := &clientcmd.ConfigOverrides{CurrentContext: context}
	if g.ConfigFlags.Timeout != nil {
		overrides.Timeout = *g.ConfigFlags.Timeout
	}
	config, err := clientcmd.NewNonInteractiveClientConfig(raw, context, overrides, nil).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("context %q: %w", context, err)
	}
	return config, nil
}

// HostContextName is the name of the host's context: --context, else the current context.
func (g *Globals) HostContextName() (string, error) {
	if g.ConfigFlags.Context != nil && *g.ConfigFlags.Context != "" {
		return *g.ConfigFlags.Context, nil
	}
	raw, err := g.ConfigFlags.ToRawKubeConfigLoader().RawConfig()
	if err != nil {
		return "", fmt.Errorf("reading kubeconfig: %w", err)
	}
	if raw.CurrentContext == "" {
		return "", fmt.Errorf("the kubeconfig has no current context; pass --context for the host cluster")
	}
	return raw.CurrentContext, nil
}

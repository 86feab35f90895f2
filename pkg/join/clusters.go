package join

import (
	"context"
	"fmt"
	"sort"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/cli-runtime/pkg/printers"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
)

// ClustersOptions for `clusters`.
type ClustersOptions struct {
	genericiooptions.IOStreams
	globals *cli.Globals

	Output       string
	UpdateStatus bool

	timeout time.Duration
	host    *cli.Clients
}

// NewClustersOptions returns the defaults.
func NewClustersOptions(globals *cli.Globals, streams genericiooptions.IOStreams) *ClustersOptions {
	return &ClustersOptions{IOStreams: streams, globals: globals}
}

// Validate checks the flags.
func (o *ClustersOptions) Validate() error {
	switch o.Output {
	case "", "wide", cli.OutputJSON, cli.OutputYAML:
		return nil
	}
	return fmt.Errorf("--output must be wide, json or yaml, not %q", o.Output)
}

// Complete builds the host's clients and the probe bound (--request-timeout).
func (o *ClustersOptions) Complete() error {
	var err error
	if o.timeout, err = o.globals.RequestTimeout(); err != nil {
		return err
	}
	if o.timeout == 0 {
		o.timeout = DefaultProbeTimeout
	}
	o.host, err = o.globals.HostClients()
	return err
}

// Run probes every cluster now and prints the result; --update-status writes it back.
func (o *ClustersOptions) Run(ctx context.Context) error {
	clusters, err := ListClusters(ctx, o.host, o.globals.KubeFedNamespace)
	if err != nil {
		return err
	}
	sort.Slice(clusters, func(i, j int) bool { return clusters[i].Name < clusters[j].Name })
	health := ProbeAll(ctx, o.host, clusters, o.timeout)
	if o.UpdateStatus {
		if err := o.writeStatus(ctx, clusters, health); err != nil {
			return err
		}
	}
	switch o.Output {
	case cli.OutputJSON, cli.OutputYAML:
		var objects []*unstructured.Unstructured
		for i, c := range clusters {
			probed := *c
			status := mergeStatus(c.Status, health[i].Status)
			probed.Status = &status
			content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&probed)
			if err != nil {
				return err
			}
			obj := &unstructured.Unstructured{Object: content}
			obj.SetGroupVersionKind(apis.KubeFedClusterGVK)
			objects = append(objects, obj)
		}
		return cli.PrintObjects(o.Out, o.Output, objects)
	}
	if len(clusters) == 0 {
		fmt.Fprintf(o.ErrOut, "No clusters are joined in namespace %q of the host (kubefedctl join NAME --cluster-context CTX joins one).\n", o.globals.KubeFedNamespace)
		return nil
	}
	w := printers.GetNewTabWriter(o.Out)
	header := "NAME\tREADY\tVERSION\tENDPOINT\tLABELS\tAGE"
	if o.Output == "wide" {
		header += "\tSECRET\tMESSAGE"
	}
	fmt.Fprintln(w, header)
	for i, c := range clusters {
		h := health[i]
		ready, version := "False", h.Version
		if h.Ready {
			ready = "True"
		}
		if version == "" {
			version = "<unknown>"
		}
		line := fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%s", c.Name, ready, version, c.Spec.APIEndpoint, labelList(c.Labels), age(c.CreationTimestamp))
		if o.Output == "wide" {
			message := h.Message
			if message == "" {
				message = "<none>"
			}
			line += fmt.Sprintf("\t%s\t%s", c.Spec.SecretRef.Name, message)
		}
		fmt.Fprintln(w, line)
	}
	return w.Flush()
}

// writeStatus records the probes in each KubeFedCluster's status, kubefed-compatible.
func (o *ClustersOptions) writeStatus(ctx context.Context, clusters []*apis.KubeFedCluster, health []Health) error {
	client := o.host.Dynamic.Resource(apis.KubeFedClusterResource).Namespace(o.globals.KubeFedNamespace)
	for i, c := range clusters {
		live, err := client.Get(ctx, c.Name, metav1.GetOptions{})
		if err != nil {
			return fmt.Errorf("reading KubeFedCluster %q to update its status: %s", c.Name, cli.ServerError(err))
		}
		status := mergeStatus(c.Status, health[i].Status)
		content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&status)
		if err != nil {
			return err
		}
		live.Object["status"] = content
		if _, err := client.UpdateStatus(ctx, live, metav1.UpdateOptions{FieldManager: "kubefedctl"}); err != nil {
			return fmt.Errorf("updating the status of KubeFedCluster %q (updated %d of %d): %s", c.Name, i, len(clusters), cli.ServerError(err))
		}
	}
	return nil
}

func labelList(set map[string]string) string {
	if len(set) == 0 {
		return "<none>"
	}
	return labels.Set(set).String()
}

func age(t metav1.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return duration.HumanDuration(time.Since(t.Time))
}

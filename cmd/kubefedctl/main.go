// Command kubefedctl controls a Kubernetes Cluster Federation without a control plane. The same
// binary runs as the kubectl plugin kubectl-kubefed, and as kubectl_complete-kubefed, the hook
// kubectl runs to complete `kubectl kubefed ...`.
package main

import (
	"os"

	"k8s.io/cli-runtime/pkg/genericiooptions"
	// Exec, OIDC and the other auth plugins of client-go, so that any kubeconfig works.
	_ "k8s.io/client-go/plugin/pkg/client/auth"
	"k8s.io/client-go/rest"

	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/cmd"
)

func main() {
	streams := genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	// API warnings read as kubectl prints them, once each, rather than as log lines.
	rest.SetDefaultWarningHandler(rest.NewWarningWriter(streams.ErrOut, rest.WarningWriterOptions{Deduplicate: true}))
	root := cmd.NewRootCommand(streams, cli.DisplayName(os.Args[0]))
	if cli.IsCompletionHook(os.Args[0]) {
		root.SetArgs(append([]string{"__complete"}, os.Args[1:]...))
	}
	os.Exit(cli.Execute(root, streams))
}

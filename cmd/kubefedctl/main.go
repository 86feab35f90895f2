// Command kubefedctl controls a Kubernetes Cluster Federation without a control plane. The same
// binary runs as the kubectl plugin kubectl-kubefed.
package main

import (
	"os"

	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/rest"

	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/cmd"
)

func main() {
	streams := genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	// API warnings read as kubectl prints them, once each, rather than as log lines.
	rest.SetDefaultWarningHandler(rest.NewWarningWriter(streams.ErrOut, rest.WarningWriterOptions{Deduplicate: true}))
	root := cmd.NewRootCommand(streams, cli.DisplayName(os.Args[0]))
	os.Exit(cli.Execute(root, streams))
}

// Command kubefedctl controls a Kubernetes Cluster Federation without a control plane. The same
// binary runs as the kubectl plugin kubectl-kubefed.
package main

import (
	"os"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/cmd"
)

func main() {
	streams := genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	root := cmd.NewRootCommand(streams, cli.DisplayName(os.Args[0]))
	os.Exit(cli.Execute(root, streams))
}

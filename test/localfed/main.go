// Command localfed starts and stops a local federation for people: a host and members on real
// control planes, in the background, with a kubeconfig whose contexts are host, member1, ...
//
//	go run ./test/localfed up -members 2   (make local-up MEMBERS=2)
//	go run ./test/localfed down            (make local-down)
//	go run ./test/localfed kubeconfig      (prints the kubeconfig's path)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kubefedctl/kubefedctl/test/framework"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		os.Exit(1)
	}
}

// Dir is where the local federation lives: beside the test runs, outside the checkout.
func Dir() (string, error) {
	root, err := framework.StateRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(filepath.Dir(root), "local"), nil
}

func run(args []string) error {
	if len(args) == 0 {
		return errors.New("usage: localfed up [-members N] | down | kubeconfig")
	}
	dir, err := Dir()
	if err != nil {
		return err
	}
	flags := flag.NewFlagSet(args[0], flag.ContinueOnError)
	members := flags.Int("members", 2, "member clusters beside the host")
	if err := flags.Parse(args[1:]); err != nil {
		return err
	}
	switch args[0] {
	case "up":
		if _, err := os.Stat(filepath.Join(dir, "kubeconfig")); err == nil {
			return fmt.Errorf("a local federation is already up in %s; run make local-down first", dir)
		}
		if *members < 1 {
			return errors.New("-members must be 1 or more")
		}
		f, err := framework.Start(context.Background(), framework.Options{Members: *members, Dir: dir, Detached: true, Log: os.Stderr})
		if err != nil {
			return err
		}
		contexts := []string{}
		for _, cp := range f.All() {
			contexts = append(contexts, cp.Name)
		}
		fmt.Printf(`Local federation up: %s.
Use it with:
  export KUBECONFIG=%s
  kubectl --context host get namespaces
Contexts: %s. Logs are in %s.
Stop it with: make local-down
`, strings.Join(contexts, ", "), f.Kubeconfig, strings.Join(contexts, ", "), dir)
		return nil
	case "kubeconfig":
		fmt.Println(filepath.Join(dir, "kubeconfig"))
		return nil
	case "down":
		if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
			fmt.Println("No local federation is up.")
			return nil
		}
		framework.StopDir(dir)
		fmt.Printf("Local federation in %s stopped and removed.\n", dir)
		return nil
	}
	return fmt.Errorf("unknown action %q: use up, down or kubeconfig", args[0])
}

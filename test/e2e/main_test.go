// Package e2e tests kubefedctl against real local control planes: a host and two members,
// started once for the package by the framework.
package e2e

import (
	"os"
	"testing"

	"github.com/kubefedctl/kubefedctl/test/framework"
)

var fed *framework.Federation

func TestMain(m *testing.M) {
	os.Exit(framework.Main(m, framework.Options{Members: 2}, &fed))
}

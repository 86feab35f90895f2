// Package e2e tests kubefedctl against real local control planes: a host and three members,
// started once for the package by the framework. member1 and member2 form the suite's
// federation; member3 is joined only by the tests that need it, and unjoined after.
package e2e

import (
	"os"
	"testing"

	"github.com/kubefedctl/kubefedctl/test/framework"
)

var fed *framework.Federation

func TestMain(m *testing.M) {
	os.Exit(framework.Main(m, framework.Options{Members: 3}, &fed))
}

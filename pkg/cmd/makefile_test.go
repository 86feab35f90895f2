package cmd_test

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// `make help` lists every target, and README's development table names only targets that exist
// and every file `make build` writes.
func TestMakeHelpAndREADMEDevelopmentTable(t *testing.T) {
	makefile, err := os.ReadFile("../../Makefile")
	require.NoError(t, err)
	phony := regexp.MustCompile(`(?m)^\.PHONY:(.*)$`).FindSubmatch(makefile)
	require.NotNil(t, phony)
	targets := strings.Fields(string(phony[1]))
	require.Contains(t, targets, "e2e")

	if _, err := exec.LookPath("make"); err == nil {
		c := exec.Command("make", "-s", "help")
		c.Dir = "../.."
		out, err := c.Output()
		require.NoError(t, err)
		for _, target := range targets {
			assert.Regexp(t, `(?m)^\s+`+regexp.QuoteMeta(target)+`\s`, string(out), "make help lists %s", target)
		}
	}

	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	rows := regexp.MustCompile("(?m)^\\| `make ([a-z0-9-]+)` \\|(.*)\\|$").FindAllSubmatch(readme, -1)
	require.NotEmpty(t, rows)
	var buildRow string
	for _, row := range rows {
		assert.Contains(t, targets, string(row[1]), "README's development table names a target the Makefile has")
		if string(row[1]) == "build" {
			buildRow = string(row[2])
		}
	}
	recipe := regexp.MustCompile(`(?ms)^build:.*?\n((?:\t[^\n]*\n)+)`).FindSubmatch(makefile)
	require.NotNil(t, recipe)
	written := regexp.MustCompile(`\$\(BIN\)/([A-Za-z0-9_.-]+)`).FindAllSubmatch(recipe[1], -1)
	require.NotEmpty(t, written)
	for _, w := range written {
		assert.Contains(t, buildRow, "`bin/"+string(w[1])+"`", "README's make build row names every file it writes")
	}
}

package cmd

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// Every kubefedctl command README's code blocks show, synopses included, names a command and
// flags that exist: a renamed flag fails here before any cluster starts (test/e2e runs the
// examples themselves).
func TestREADMENamesExistingCommandsAndFlags(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	root := NewRootCommand(genericiooptions.NewTestIOStreamsDiscard(), "kubefedctl")
	// cobra adds completion when it runs; README shows it.
	root.InitDefaultCompletionCmd()
	lookup := func(cmd *cobra.Command, long, short string) bool {
		for _, flags := range []*pflag.FlagSet{cmd.Flags(), cmd.InheritedFlags()} {
			if long != "" && flags.Lookup(long) != nil || short != "" && flags.ShorthandLookup(short) != nil {
				return true
			}
		}
		return false
	}
	longFlag := regexp.MustCompile(`(?:^|[\s\[|(])--([a-z][a-z0-9-]*)`)
	shortFlag := regexp.MustCompile(`(?:^|[\s\[|(])-([a-zA-Z])(?:[\s\]=|]|$)`)

	var current *cobra.Command
	checked := 0
	inBlock := false
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "```") {
			inBlock, current = !inBlock, nil
			continue
		}
		if !inBlock {
			continue
		}
		text := strings.TrimPrefix(strings.TrimSpace(line), "$ ")
		if i := strings.Index(text, " #"); i >= 0 {
			text = text[:i]
		}
		if i := strings.Index(text, " | "); i >= 0 {
			text = text[:i] // what follows a pipe is another program's
		}
		if _, after, found := strings.Cut(text, "kubefedctl "); found {
			words := strings.Fields(after)
			var path []string
			for _, w := range words {
				if !regexp.MustCompile(`^[a-z][a-z-]*$`).MatchString(w) {
					break
				}
				path = append(path, w)
			}
			cmd, rest, err := root.Find(path)
			require.NoError(t, err, line)
			consumed := len(path) - len(rest)
			// The words after the command are its arguments (TYPE, NAME): only the command's
			// own name must be right, which Find proves when it consumes at least one.
			if consumed == 0 {
				assert.Failf(t, "README names no kubefedctl command", "%s", line)
				continue
			}
			current = cmd
			checked++
		} else if current == nil || !strings.HasPrefix(line, " ") {
			// Not a kubefedctl line, nor the continuation of a synopsis.
			current = nil
			continue
		}
		for _, m := range longFlag.FindAllStringSubmatch(text, -1) {
			assert.True(t, lookup(current, m[1], ""), "%q has no flag --%s: %s", current.CommandPath(), m[1], line)
		}
		for _, m := range shortFlag.FindAllStringSubmatch(text, -1) {
			assert.True(t, lookup(current, "", m[1]), "%q has no flag -%s: %s", current.CommandPath(), m[1], line)
		}
	}
	assert.Greater(t, checked, 30, "README shows the commands")
}

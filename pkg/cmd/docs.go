package cmd

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"
)

// ReferenceDocs renders the command reference from the command tree: one Markdown page per
// command, by file name. The docs under docs/reference are these pages; a test keeps them current.
func ReferenceDocs(root *cobra.Command) map[string][]byte {
	root.InitDefaultCompletionCmd()
	pages := map[string][]byte{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if !c.IsAvailableCommand() && c != root {
			return
		}
		pages[pageName(c)] = page(c)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return pages
}

func pageName(c *cobra.Command) string {
	return strings.ReplaceAll(c.CommandPath(), " ", "_") + ".md"
}

func page(c *cobra.Command) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s\n\n%s\n\n", c.CommandPath(), c.Short)
	if c.Long != "" {
		fmt.Fprintf(&b, "%s\n\n", c.Long)
	}
	if c.Runnable() {
		fmt.Fprintf(&b, "```\n%s\n```\n\n", c.UseLine())
	}
	if c.Example != "" {
		fmt.Fprintf(&b, "## Examples\n\n```\n%s\n```\n\n", c.Example)
	}
	if flags := c.NonInheritedFlags().FlagUsages(); flags != "" {
		fmt.Fprintf(&b, "## Options\n\n```\n%s```\n\n", flags)
	}
	if flags := c.InheritedFlags().FlagUsages(); flags != "" {
		fmt.Fprintf(&b, "## Options inherited from parent commands\n\n```\n%s```\n\n", flags)
	}
	var subs []string
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() {
			subs = append(subs, fmt.Sprintf("* [%s](%s)\t - %s", sub.CommandPath(), pageName(sub), sub.Short))
		}
	}
	sort.Strings(subs)
	if c.HasParent() {
		subs = append([]string{fmt.Sprintf("* [%s](%s)\t - %s", c.Parent().CommandPath(), pageName(c.Parent()), c.Parent().Short)}, subs...)
	}
	if len(subs) > 0 {
		fmt.Fprintf(&b, "## See also\n\n%s\n", strings.Join(subs, "\n"))
	}
	return b.Bytes()
}

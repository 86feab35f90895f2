package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/kubefedctl/kubefedctl/pkg/cli"
	core "github.com/kubefedctl/kubefedctl/pkg/render"
)

// explainReport is --explain's machine-readable form.
type explainReport struct {
	Clusters []clusterState     `json:"clusters"`
	Objects  []core.Explanation `json:"objects"`
	Warnings []string           `json:"warnings,omitempty"`
}

type clusterState struct {
	Name  string `json:"name"`
	Ready bool   `json:"ready"`
}

func (o *Options) printExplanations(result *core.Result, clusters []core.ClusterResult) error {
	wanted := map[string]bool{}
	report := explainReport{Warnings: result.Warnings}
	for _, c := range clusters {
		wanted[c.Name] = true
		report.Clusters = append(report.Clusters, clusterState{Name: c.Name, Ready: c.Ready})
	}
	for _, exp := range result.Explanations {
		var kept []core.ClusterExplanation
		for _, ce := range exp.Clusters {
			if wanted[ce.Cluster] {
				kept = append(kept, ce)
			}
		}
		exp.Clusters = kept
		report.Objects = append(report.Objects, exp)
	}
	if o.Output == cli.OutputJSON || o.outputSet {
		return cli.PrintData(o.Out, o.Output, report)
	}
	return writeExplanationText(o.Out, report)
}

func writeExplanationText(w io.Writer, report explainReport) error {
	var b strings.Builder
	for i, exp := range report.Objects {
		if i > 0 {
			b.WriteString("\n")
		}
		name := exp.Name
		if exp.Namespace != "" {
			name = exp.Namespace + "/" + exp.Name
		}
		fmt.Fprintf(&b, "%s %s (%s)\n", exp.Kind, name, exp.Source)
		if exp.Skipped != "" {
			fmt.Fprintf(&b, "  not rendered: %s\n", exp.Skipped)
			continue
		}
		if s := exp.Schedule; s != nil {
			fmt.Fprintf(&b, "  schedule: ReplicaSchedulingPreference %s, totalReplicas %d, rebalance %t", s.Preference, s.TotalReplicas, s.Rebalance)
			if len(s.PlannedOver) > 0 {
				fmt.Fprintf(&b, ", planned over %s", strings.Join(s.PlannedOver, ", "))
			}
			b.WriteString("\n")
			if s.Note != "" {
				fmt.Fprintf(&b, "    %s\n", s.Note)
			}
		}
		for _, ce := range exp.Clusters {
			verdict := "not placed"
			if ce.Placed {
				verdict = "placed"
			}
			fmt.Fprintf(&b, "  %s: %s: %s\n", ce.Cluster, verdict, ce.Reason)
			if ce.Replicas != nil {
				fmt.Fprintf(&b, "    replicas %d: %s\n", *ce.Replicas, ce.ReplicasReason)
			}
			for _, ov := range ce.Overrides {
				fmt.Fprintf(&b, "    override: %s\n", ov)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

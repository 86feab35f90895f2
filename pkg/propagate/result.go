package propagate

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/cli-runtime/pkg/printers"

	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/mask"
)

// Outcome is what the pass did, or would do, to one object in one member.
type Outcome string

const (
	Created    Outcome = "created"
	Updated    Outcome = "updated"
	Unchanged  Outcome = "unchanged"
	Adopted    Outcome = "adopted"
	Deleted    Outcome = "deleted"
	Unlabelled Outcome = "unlabelled"
	Failed     Outcome = "failed"
	Skipped    Outcome = "skipped"
)

// changes reports whether the outcome writes to the member.
func (o Outcome) changes() bool {
	switch o {
	case Created, Updated, Adopted, Deleted, Unlabelled:
		return true
	}
	return false
}

// Result is one object in one member.
type Result struct {
	Cluster   string  `json:"cluster"`
	Kind      string  `json:"kind"`
	Namespace string  `json:"namespace,omitempty"`
	Name      string  `json:"name"`
	Outcome   Outcome `json:"result"`
	Reason    string  `json:"reason,omitempty"`
	Diff      string  `json:"diff,omitempty"`
	// status is the kubefed per-cluster status value for the federated object.
	status string
	// pending is set for a copy that was deleted, or is being deleted, and is not gone yet.
	pending bool
	// listFailed marks the row of a member whose LIST of the type failed.
	listFailed bool
}

// reason words a member's error about an object for the report, with the values of the Secret
// it concerns hidden: a server may quote what it rejects.
func reason(err error, objs ...*unstructured.Unstructured) string {
	msg := cli.ServerError(err)
	for _, obj := range objs {
		if obj != nil {
			msg = mask.Text(msg, obj.Object)
		}
	}
	return msg
}

// Report is the pass's whole answer.
type Report struct {
	Results []Result `json:"results"`
	// Clusters that could not be reached, with why.
	Unreachable map[string]string `json:"unreachable,omitempty"`
	Summary     string            `json:"summary"`
	// Errors are failures outside any one object (status writes, finalizers).
	Errors []string `json:"errors,omitempty"`
	// Waiting are deleted federated objects whose copies are still going: a later pass removes
	// their finalizers. Not a failure.
	Waiting []string `json:"waiting,omitempty"`
	// Released are deleted federated objects whose finalizer this pass removed: their
	// deletion, which kubectl delete was waiting for, completes.
	Released []string `json:"released,omitempty"`
}

func (r *Report) sort() {
	sort.Strings(r.Waiting)
	sort.Strings(r.Released)
	sort.Slice(r.Results, func(i, j int) bool {
		a, b := r.Results[i], r.Results[j]
		if a.Cluster != b.Cluster {
			return a.Cluster < b.Cluster
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		return a.Name < b.Name
	})
}

// summarize counts the outcomes.
func (r *Report) summarize(suffix string) {
	counts := map[Outcome]int{}
	clusters := map[string]bool{}
	for _, res := range r.Results {
		counts[res.Outcome]++
		clusters[res.Cluster] = true
	}
	var parts []string
	for _, o := range []Outcome{Created, Updated, Unchanged, Adopted, Deleted, Unlabelled, Failed, Skipped} {
		if counts[o] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[o], o))
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "nothing to propagate")
	}
	r.Summary = fmt.Sprintf("%s in %d clusters%s", strings.Join(parts, ", "), len(clusters), suffix)
	if len(r.Unreachable) > 0 {
		r.Summary += fmt.Sprintf("; not reachable: %s", strings.Join(sets.List(sets.KeySet(r.Unreachable)), ", "))
	}
}

// failed reports whether anything went wrong.
func (r *Report) failed() bool {
	if len(r.Unreachable) > 0 || len(r.Errors) > 0 {
		return true
	}
	for _, res := range r.Results {
		if res.Outcome == Failed {
			return true
		}
	}
	return false
}

// changed reports whether anything was, or would be, written to a member.
func (r *Report) changed() bool {
	for _, res := range r.Results {
		if res.Outcome.changes() {
			return true
		}
	}
	return false
}

// writeTable prints the results as kubectl prints tables, then diffs, then the summary.
func (r *Report) writeTable(w io.Writer, withDiff bool) error {
	tw := printers.GetNewTabWriter(w)
	if len(r.Results) > 0 {
		fmt.Fprintln(tw, "CLUSTER\tKIND\tNAMESPACE\tNAME\tRESULT\tREASON")
		for _, res := range r.Results {
			ns, reason := res.Namespace, res.Reason
			if ns == "" {
				ns = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", res.Cluster, res.Kind, ns, res.Name, res.Outcome, reason)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if withDiff {
		for _, res := range r.Results {
			if res.Diff != "" {
				fmt.Fprint(w, res.Diff)
			}
		}
	}
	for _, name := range sets.List(sets.KeySet(r.Unreachable)) {
		fmt.Fprintf(w, "cluster %s not reachable: %s\n", name, r.Unreachable[name])
	}
	for _, e := range r.Released {
		fmt.Fprintf(w, "deleted: %s\n", e)
	}
	for _, e := range r.Waiting {
		fmt.Fprintf(w, "waiting: %s\n", e)
	}
	for _, e := range r.Errors {
		fmt.Fprintf(w, "error: %s\n", e)
	}
	_, err := fmt.Fprintln(w, r.Summary)
	return err
}

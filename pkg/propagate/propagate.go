package propagate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"golang.org/x/term"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/join"
	"github.com/kubefedctl/kubefedctl/pkg/protocol"
	"github.com/kubefedctl/kubefedctl/pkg/render"
)

// Options for `propagate`.
type Options struct {
	genericiooptions.IOStreams
	globals *cli.Globals

	Type             string
	Name             string
	AllNamespaces    bool
	Selector         string
	Output           string
	Diff             bool
	DetailedExitCode bool
	Concurrency      int
	LockTimeout      time.Duration
	PrintCronJob     bool
	Schedule         string
	Image            string
	dryRunFlag       string

	dryRun         cli.DryRun
	namespace      string
	timeout        time.Duration
	requestTimeout time.Duration
	host           *cli.Clients
}

// NewOptions returns the defaults.
func NewOptions(globals *cli.Globals, streams genericiooptions.IOStreams) *Options {
	return &Options{IOStreams: streams, globals: globals, Concurrency: 32, LockTimeout: time.Minute}
}

// Complete resolves TYPE, NAME, the namespace scope, the bounds and the host's clients.
func (o *Options) Complete(args []string, namespaceSet bool) error {
	if len(args) > 0 {
		o.Type = args[0]
	}
	if len(args) > 1 {
		o.Name = args[1]
	}
	var err error
	if o.dryRun, err = cli.ParseDryRun(o.dryRunFlag); err != nil {
		return err
	}
	// Without -n the pass covers the whole federation, as kubefed's controllers did.
	if namespaceSet && !o.AllNamespaces {
		o.namespace = o.globals.Namespace()
	}
	if o.requestTimeout, err = o.globals.RequestTimeout(); err != nil {
		return err
	}
	o.timeout = o.requestTimeout
	if o.timeout == 0 {
		o.timeout = join.DefaultProbeTimeout
	}
	o.host, err = o.globals.HostClients()
	return err
}

// Validate checks the flags.
func (o *Options) Validate(namespaceSet bool) error {
	switch o.Output {
	case "", cli.OutputJSON, cli.OutputYAML:
	default:
		return fmt.Errorf("--output must be json or yaml, or empty for a table, not %q", o.Output)
	}
	if o.AllNamespaces && namespaceSet {
		return errors.New("-n/--namespace and -A/--all-namespaces are mutually exclusive")
	}
	if o.Name != "" && o.Type == "" {
		return errors.New("NAME needs TYPE")
	}
	if o.Selector != "" {
		if _, err := labels.Parse(o.Selector); err != nil {
			return fmt.Errorf("-l/--selector: %w", err)
		}
	}
	if o.Diff && o.dryRun == cli.DryRunNone {
		return errors.New("--diff shows what a dry run would change: add --dry-run=client or --dry-run=server")
	}
	if o.Concurrency < 1 {
		return errors.New("--concurrency must be 1 or more")
	}
	if o.LockTimeout < 0 {
		return errors.New("--lock-timeout must be zero or more")
	}
	return o.validateSchedule()
}

// Run reads the federation, plans it, makes each member match, writes status, and reports.
//
// The pass protocol, which every change here keeps:
//   - one pass at a time per federation, under the Lease protocol.LeaseName (dry runs take none);
//   - a federated object's finalizer is on before any member write for it;
//   - a deleted federated object's finalizer comes off only when every cluster was reached and
//     listed the type and each copy it held is gone (or unlabelled, when orphaned);
//   - a selection (-l, NAME, -n) handles the copies of the deleted objects it chose, and removes
//     no finalizer it did not earn;
//   - errors belong to objects: one that fails is written nowhere and the others go on.
func (o *Options) Run(ctx context.Context) error {
	if o.PrintCronJob {
		return o.printCronJob(ctx)
	}
	progress := o.progress()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if o.dryRun == cli.DryRunNone {
		// One pass at a time: two would undo each other's deletes. Dry runs write nothing.
		progress("waiting for the pass lease")
		l, err := protocol.Acquire(ctx, o.host.Kube, o.globals.KubeFedNamespace, o.LockTimeout, func() { cancel(protocol.ErrLeaseLost) })
		if err != nil {
			if apierrors.IsNotFound(err) {
				return fmt.Errorf("the host (context %q) has no namespace %q: run kubefedctl init first", o.host.Context, o.globals.KubeFedNamespace)
			}
			return err
		}
		defer l.Release()
	}
	progress("reading the federation")
	p, err := o.read(ctx)
	if err != nil {
		return err
	}
	report := &Report{Unreachable: p.unreachable}
	named := false
	warned := map[string]bool{}
	// One type at a time: its federated objects, plan and member objects, then the next.
	for _, tc := range p.types {
		progress("planning " + tc.Name)
		st, err := o.load(ctx, p, tc)
		if err != nil {
			return err
		}
		plan, err := render.Render(st.fed, render.Options{Current: o.currentReplicas(ctx, st), KeepGoing: true})
		if err != nil {
			return err
		}
		for _, w := range plan.Warnings {
			if !warned[w] {
				warned[w] = true
				cli.Warn(o.ErrOut, "%s", w)
			}
		}
		o.propagateType(ctx, st, plan, report, progress)
		named = named || len(st.deleting) > 0 || len(st.rejected) > 0
		for _, obj := range st.fed.Objects {
			named = named || obj.TypeConfig == st.tc
		}
	}
	progress("")
	if o.Name != "" && !named && len(report.Results) == 0 {
		// A misspelt NAME would otherwise read as "nothing to propagate".
		return fmt.Errorf("no federated object of type %q is named %q%s (kubectl get federatedtypeconfigs -n %s lists the types)",
			o.Type, o.Name, o.inNamespace(), o.globals.KubeFedNamespace)
	}
	if errors.Is(context.Cause(ctx), protocol.ErrLeaseLost) {
		report.Errors = append(report.Errors, protocol.ErrLeaseLost.Error())
	}
	report.sort()
	report.summarize(o.dryRun.Suffix())
	if err := o.print(report); err != nil {
		return err
	}
	switch {
	case report.failed():
		return &cli.ExitCodeError{Code: cli.ExitError}
	case o.DetailedExitCode && report.changed():
		return &cli.ExitCodeError{Code: cli.ExitChanges}
	}
	return nil
}

func (o *Options) print(report *Report) error {
	if o.Output != "" {
		return cli.PrintData(o.Out, o.Output, report)
	}
	return report.writeTable(o.Out, o.Diff)
}

// propagateType makes every member hold one type's objects, all members at once, and writes
// the type's finalizers and status to the host.
func (o *Options) propagateType(ctx context.Context, st *state, plan *render.Result, report *Report, progress func(string)) {
	// The finalizer goes on before any member write for its object: a pass killed between the
	// two leaves no copy that no finalizer protects. An object whose finalizer cannot be added
	// is written nowhere, and fails like an object that cannot be rendered.
	held := append([]render.Failure(nil), st.rejected...)
	report.Errors = append(report.Errors, st.errs...)
	if o.dryRun == cli.DryRunNone {
		progress("adding finalizers to " + st.tc.Name)
		for obj, why := range o.addFinalizers(ctx, st, plan) {
			held = append(held, render.Failure{Object: obj, Err: errors.New(why)})
		}
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	var results []Result
	for _, m := range st.members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := o.syncType(ctx, st, plan, held, m, st.tc)
			mu.Lock()
			results = append(results, r...)
			mu.Unlock()
			progress(fmt.Sprintf("%s: %s done", m.name, st.tc.Name))
		}()
	}
	wg.Wait()
	results = append(results, notReadyResults(st, plan)...)
	if o.dryRun == cli.DryRunNone {
		progress("writing status")
		errs, waiting, released := o.writeBack(ctx, st, plan, results)
		report.Errors = append(report.Errors, errs...)
		report.Waiting = append(report.Waiting, waiting...)
		report.Released = append(report.Released, released...)
	} else {
		report.Waiting = append(report.Waiting, dryRunDeletions(st, results)...)
	}
	report.Waiting = append(report.Waiting, unselectedWaiting(st)...)
	report.Results = append(report.Results, results...)
}

// inNamespace says which namespace the pass was limited to, for messages.
func (o *Options) inNamespace() string {
	if o.namespace == "" {
		return " in any namespace"
	}
	return fmt.Sprintf(" in namespace %q", o.namespace)
}

// progress writes a one-line status on stderr when stderr is a terminal.
func (o *Options) progress() func(string) {
	f, ok := o.ErrOut.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return func(string) {}
	}
	var mu sync.Mutex
	return func(msg string) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(f, "\r\033[K%s", msg)
	}
}

// notReadyResults reports every object placed in a cluster that is not ready: skipped.
func notReadyResults(st *state, plan *render.Result) []Result {
	var out []Result
	for _, o := range st.fed.Objects {
		if !propagated(st, plan, o) {
			continue
		}
		_, unready := plan.Placement(o)
		for _, c := range unready {
			out = append(out, Result{Cluster: c, Kind: o.TypeConfig.Spec.TargetType.Kind, Namespace: targetNamespace(o), Name: o.Object.GetName(),
				Outcome: Skipped, Reason: "cluster not ready: " + st.unreachable[c], status: "ClusterNotReady"})
		}
	}
	return out
}

// propagated reports whether the pass speaks for the object: it is of the type being
// propagated (the model also holds the FederatedNamespaces that placement needs) and the plan
// rendered it or failed it. Objects kubefed ignores get no finalizer and no status.
func propagated(st *state, plan *render.Result, o *apis.FederatedObject) bool {
	return o.TypeConfig == st.tc && plan.Planned(o)
}

func targetNamespace(o *apis.FederatedObject) string {
	if o.IsNamespace() {
		return ""
	}
	return o.Object.GetNamespace()
}

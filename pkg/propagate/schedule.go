package propagate

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
)

// validateSchedule checks the flags of --print-cronjob, and that its flags come only with it.
func (o *Options) validateSchedule() error {
	if !o.PrintCronJob {
		if o.Schedule != "" || o.Image != "" {
			return fmt.Errorf("--schedule and --image describe the CronJob that --print-cronjob prints: add --print-cronjob")
		}
		return nil
	}
	switch {
	case o.dryRun != cli.DryRunNone:
		return fmt.Errorf("--print-cronjob prints manifests and runs no pass: leave out --dry-run")
	case o.Diff || o.DetailedExitCode:
		// Exit code 2 would fail every Job that changed something.
		return fmt.Errorf("--print-cronjob runs the pass on a schedule, where --diff and --detailed-exitcode have no reader: leave them out")
	}
	if o.Output != "" && o.Output != cli.OutputYAML && o.Output != cli.OutputJSON {
		return fmt.Errorf("with --print-cronjob, --output must be yaml or json, not %q", o.Output)
	}
	if s := o.Schedule; s != "" && !strings.HasPrefix(s, "@") && len(strings.Fields(s)) != 5 {
		return fmt.Errorf("--schedule %q is not a cron schedule of five fields (minute hour day-of-month month day-of-week), such as %q, nor a macro such as @hourly", s, DefaultSchedule)
	}
	if o.Image == "" {
		// Where the image is pushed is the user's registry: there is no default to guess.
		return fmt.Errorf("--print-cronjob needs --image REF, the image that holds this kubefedctl: make dist writes it to dist/image, and README (The image) says how to push it")
	}
	if strings.ContainsAny(o.Image, " \t\n") {
		return fmt.Errorf("--image %q is not an image reference", o.Image)
	}
	return nil
}

// printCronJob prints the manifests of a scheduled pass: the same pass, the same selection,
// with the least the host must grant it, read from the host's type configs now.
func (o *Options) printCronJob(ctx context.Context) error {
	host, ns := o.host, o.globals.KubeFedNamespace
	config, err := host.Dynamic.Resource(apis.KubeFedConfigResource).Namespace(ns).Get(ctx, apis.KubeFedConfigName, metav1.GetOptions{})
	if err != nil {
		if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
			return fmt.Errorf("the host (context %q) has no KubeFedConfig in namespace %q: run kubefedctl init first", host.Context, ns)
		}
		return fmt.Errorf("reading the KubeFedConfig: %s", cli.ServerError(err))
	}
	p := ScheduledPass{KubeFedNamespace: ns, Schedule: o.Schedule, Image: o.Image}
	if p.Schedule == "" {
		p.Schedule = DefaultSchedule
	}
	if scope, _, _ := unstructured.NestedString(config.Object, "spec", "scope"); scope == apis.ScopeNamespaced {
		p.Namespaced = true
		if o.namespace != "" && o.namespace != ns {
			return fmt.Errorf("the federation in %q is Namespaced: it propagates only namespace %q, not %q", ns, ns, o.namespace)
		}
	}
	list, err := host.Dynamic.Resource(apis.FederatedTypeConfigResource).Namespace(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("listing FederatedTypeConfigs: %s", cli.ServerError(err))
	}
	matched := false
	for i := range list.Items {
		tc := &apis.FederatedTypeConfig{}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(list.Items[i].Object, tc); err != nil {
			return fmt.Errorf("FederatedTypeConfig %q: %w", list.Items[i].GetName(), err)
		}
		gr := schema.GroupResource{Group: tc.Spec.FederatedType.Group, Resource: tc.Spec.FederatedType.PluralName}
		selected := o.Type == "" || matchesType(tc, o.Type)
		matched = matched || (o.Type != "" && matchesType(tc, o.Type))
		switch {
		case tc.Enabled() && selected:
			p.Propagated = append(p.Propagated, gr)
		case isNamespaces(tc):
			p.Placement = append(p.Placement, gr)
		}
	}
	if o.Type != "" && !matched {
		return fmt.Errorf("no enabled type matches %q (kubectl get federatedtypeconfigs -n %s lists them)", o.Type, ns)
	}
	if len(p.Propagated) == 0 {
		cli.Warn(o.ErrOut, "no type is enabled in namespace %q, so the scheduled pass may write nothing: enable types (kubefedctl enable), then print and apply these manifests again", ns)
	}
	p.Args = o.passArgs()
	objects, err := CronJobManifests(p)
	if err != nil {
		return err
	}
	output := o.Output
	if output == "" {
		output = cli.OutputYAML
	}
	return cli.PrintObjects(o.Out, output, objects)
}

// passArgs are the flags that make the scheduled pass this one: the federation, the selection
// and the bounds given; never the caller's kubeconfig or context.
func (o *Options) passArgs() []string {
	args := []string{"--kubefed-namespace=" + o.globals.KubeFedNamespace}
	if o.Type != "" {
		args = append(args, o.Type)
	}
	if o.Name != "" {
		args = append(args, o.Name)
	}
	if o.namespace != "" {
		args = append(args, "--namespace="+o.namespace)
	}
	if o.Selector != "" {
		args = append(args, "--selector="+o.Selector)
	}
	defaults := NewOptions(o.globals, o.IOStreams)
	if o.Concurrency != defaults.Concurrency {
		args = append(args, "--concurrency="+strconv.Itoa(o.Concurrency))
	}
	if o.LockTimeout != defaults.LockTimeout {
		args = append(args, "--lock-timeout="+o.LockTimeout.String())
	}
	if o.requestTimeout != 0 {
		args = append(args, "--request-timeout="+o.requestTimeout.String())
	}
	return args
}

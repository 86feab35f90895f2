package federate

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/dynamic"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/apply"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/enable"
	"github.com/kubefedctl/kubefedctl/pkg/manifest"
	"github.com/kubefedctl/kubefedctl/pkg/mask"
)

// Options for `federate`.
type Options struct {
	genericiooptions.IOStreams
	globals *cli.Globals

	Type            string
	Name            string
	Filename        string
	Output          string
	EnableType      bool
	TemplateSchema  string
	Contents        bool
	SkipResources   []string
	Clusters        []string
	ClusterSelector map[string]string
	ShowSecrets     bool
	dryRunFlag      string

	dryRun    cli.DryRun
	namespace string
	host      *cli.Clients
}

// NewOptions returns the defaults.
func NewOptions(globals *cli.Globals, streams genericiooptions.IOStreams) *Options {
	return &Options{IOStreams: streams, globals: globals, TemplateSchema: enable.TemplateTyped}
}

// Complete takes TYPE and NAME, the namespace, and the host's clients unless files are converted.
func (o *Options) Complete(args []string) error {
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
	o.namespace = o.globals.Namespace()
	if o.Filename != "" {
		return nil
	}
	o.host, err = o.globals.HostClients()
	return err
}

// Validate checks the flags, without I/O.
func (o *Options) Validate() error {
	if o.Filename != "" {
		if o.Type != "" {
			return errors.New("-f converts files: it takes no TYPE or NAME")
		}
		if o.Output == "" {
			return errors.New("-f converts files and prints the result: add -o yaml (kubectl apply -f - then creates them)")
		}
	} else if o.Type == "" || o.Name == "" {
		return errors.New("TYPE and NAME are required, such as: federate deployments.apps web -n demo")
	}
	if o.Output != "" {
		if err := cli.ValidateObjectOutput(o.Output); err != nil {
			return err
		}
		if o.EnableType {
			return errors.New("--enable-type and --output are mutually exclusive: printing changes nothing")
		}
	} else if o.ShowSecrets {
		return errors.New("--show-secrets prints Secret values with -o yaml|json; without -o nothing is printed")
	}
	if len(o.Clusters) > 0 && len(o.ClusterSelector) > 0 {
		return errors.New("--clusters and --cluster-selector are mutually exclusive")
	}
	if o.TemplateSchema != enable.TemplateTyped && o.TemplateSchema != enable.TemplateOpen {
		return fmt.Errorf("--template-schema must be %s or %s, not %q", enable.TemplateTyped, enable.TemplateOpen, o.TemplateSchema)
	}
	if o.TemplateSchema != enable.TemplateTyped && !o.EnableType {
		return errors.New("--template-schema is the schema of the Federated CRD that --enable-type creates: add --enable-type")
	}
	return validatePlacement(o.Clusters, o.ClusterSelector)
}

func (o *Options) placement() Placement {
	return Placement{Clusters: o.Clusters, Selector: o.ClusterSelector}
}

// Run converts and prints or creates.
func (o *Options) Run(ctx context.Context) error {
	if o.Filename != "" {
		return o.convertFiles()
	}
	target, err := enable.Lookup(o.host.Kube.Discovery(), o.Type, "")
	if err != nil {
		return err
	}
	isNamespace := target.Resource.Group == "" && target.Resource.Kind == "Namespace"
	if o.Contents && !isNamespace {
		return errors.New("--contents applies to namespaces only")
	}
	namespace := o.namespace
	if target.Resource.Scope == apis.ScopeCluster {
		namespace = ""
	}
	groups, err := o.hostMachineryGroups(ctx)
	if err != nil {
		return err
	}
	if err := enable.RefuseMachinery(target.Resource, groups); err != nil {
		return err
	}
	if isNamespace {
		if err := refuseNamespaceName(o.Name, o.globals.KubeFedNamespace); err != nil {
			return err
		}
		if err := o.refuseKubeFedNamespace(ctx, o.Name); err != nil {
			return err
		}
	} else {
		if err := refuseInKubeFedNamespace(fmt.Sprintf("%s %q", target.Resource.Kind, join(namespace, o.Name)), namespace, o.globals.KubeFedNamespace); err != nil {
			return err
		}
		if err := o.refuseKubeFedNamespace(ctx, namespace); err != nil {
			return err
		}
	}
	var federated []item
	typeConfigs := map[string]*apis.FederatedTypeConfig{}
	tc, err := o.typeConfig(ctx, target, typeConfigs)
	if err != nil {
		return err
	}
	obj, err := o.host.Dynamic.Resource(gvr(target.Resource)).Namespace(namespace).Get(ctx, o.Name, metav1.GetOptions{})
	if err != nil {
		if apierrors.IsNotFound(err) {
			return fmt.Errorf("%s %q does not exist in the host (context %q)", target.Resource.Kind, join(namespace, o.Name), o.host.Context)
		}
		return fmt.Errorf("reading %s %q in the host: %s", target.Resource.Kind, join(namespace, o.Name), cli.ServerError(err))
	}
	if err := refuseObject(target.Resource, obj, o.globals.KubeFedNamespace, groups); err != nil {
		return err
	}
	federated = append(federated, item{o.convert(tc, obj), tc})
	if o.Contents {
		contents, err := o.contents(ctx, o.Name, typeConfigs, groups)
		if err != nil {
			return err
		}
		federated = append(federated, contents...)
	}
	warnPlacement(ctx, o.host, o.placement(), o.globals.KubeFedNamespace, o.ErrOut)
	if o.Output != "" {
		return o.print(objects(federated))
	}
	if err := o.checkNoneExists(ctx, federated); err != nil {
		return err
	}
	for i, it := range federated {
		if err := o.create(ctx, it); err != nil {
			return fmt.Errorf("%w (created %d of %d federated objects; rerunning skips nothing: delete them or federate the rest one by one)", err, i, len(federated))
		}
	}
	return nil
}

func (o *Options) convert(tc *apis.FederatedTypeConfig, obj *unstructured.Unstructured) *unstructured.Unstructured {
	fed, warnings := FromTarget(tc, obj, o.placement())
	for _, w := range warnings {
		cli.Warn(o.ErrOut, "%s", w)
	}
	return fed
}

// typeConfig is the enabled type config of the target, enabling the type first with
// --enable-type (or, for printing, assuming the one enable would create).
func (o *Options) typeConfig(ctx context.Context, target enable.Target, cache map[string]*apis.FederatedTypeConfig) (*apis.FederatedTypeConfig, error) {
	name := apis.TypeConfigName(target.Resource)
	if tc, ok := cache[name]; ok {
		return tc, nil
	}
	ns := o.globals.KubeFedNamespace
	live, err := o.host.Dynamic.Resource(apis.FederatedTypeConfigResource).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
	switch {
	case err == nil:
		tc := &apis.FederatedTypeConfig{}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(live.Object, tc); err != nil {
			return nil, fmt.Errorf("FederatedTypeConfig %s/%s: %w", ns, name, err)
		}
		cache[name] = tc
		return tc, nil
	case !apierrors.IsNotFound(err):
		return nil, fmt.Errorf("reading FederatedTypeConfig %s/%s in the host: %s", ns, name, cli.ServerError(err))
	}
	tc := apis.NewTypeConfig(target.Resource, apis.DefaultFederatedGroup, apis.DefaultFederatedVersion)
	tc.Namespace = ns
	switch {
	case o.Output != "":
	case o.EnableType:
		schemaDoc, err := enable.PublishedSchema(o.host.Kube.Discovery(), target.Resource)
		if err != nil {
			return nil, err
		}
		target.Schema = schemaDoc
		if err := enable.Apply(ctx, o.host, tc, enable.FederatedCRD(tc, target, o.TemplateSchema), o.dryRun, o.Out); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("federation of %s is not enabled: run kubefedctl enable %s, or pass --enable-type", name, name)
	}
	cache[name] = tc
	return tc, nil
}

// item is a federated object and the type config it belongs to.
type item struct {
	fed *unstructured.Unstructured
	tc  *apis.FederatedTypeConfig
}

func objects(items []item) []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, len(items))
	for i, it := range items {
		out[i] = it.fed
	}
	return out
}

// checkNoneExists refuses before the first write when a federated object exists already.
func (o *Options) checkNoneExists(ctx context.Context, federated []item) error {
	for _, it := range federated {
		if _, err := o.resource(it).Get(ctx, it.fed.GetName(), metav1.GetOptions{}); err == nil {
			return fmt.Errorf("%s %q already exists; federate never overwrites a federated object (edit it, or delete it first)", it.fed.GetKind(), key(it.fed))
		}
	}
	return nil
}

func (o *Options) resource(it item) dynamic.ResourceInterface {
	client := o.host.Dynamic.Resource(it.tc.FederatedResource())
	if it.fed.GetNamespace() != "" {
		return client.Namespace(it.fed.GetNamespace())
	}
	return client
}

// create creates one federated object, retrying briefly while a CRD created moments ago is not
// served yet.
func (o *Options) create(ctx context.Context, it item) error {
	fed, client := it.fed, o.resource(it)
	var err error
	opts := metav1.CreateOptions{FieldManager: apply.FieldManager, DryRun: o.dryRun.Options()}
	if o.dryRun.Writes() {
		err = wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
			_, err := client.Create(ctx, fed, opts)
			if apierrors.IsNotFound(err) {
				return false, nil
			}
			return true, err
		})
		if err != nil {
			return fmt.Errorf("creating %s %q in the host (context %q): %s", fed.GetKind(), key(fed), o.host.Context, mask.Text(cli.ServerError(err), fed.Object))
		}
	}
	fmt.Fprintf(o.Out, "%s created%s\n", apply.Name(fed), o.dryRun.Suffix())
	return nil
}

// convertFiles converts objects of files with no cluster.
func (o *Options) convertFiles() error {
	docs, err := manifest.Read([]string{o.Filename}, o.In)
	if err != nil {
		return err
	}
	// Every object is checked before anything is printed: a refused one fails the whole file.
	groups := apis.MachineryGroups()
	var refused []error
	tcs := make([]*apis.FederatedTypeConfig, len(docs))
	for i, doc := range docs {
		tcs[i] = GuessTypeConfig(doc.Object, apis.DefaultFederatedGroup, apis.DefaultFederatedVersion)
		if err := refuseObject(tcs[i].Spec.TargetType, doc.Object, o.globals.KubeFedNamespace, groups); err != nil {
			refused = append(refused, fmt.Errorf("%s: %w", doc.Source, err))
		}
	}
	if len(refused) > 0 {
		return errors.Join(refused...)
	}
	var federated []*unstructured.Unstructured
	for i, doc := range docs {
		federated = append(federated, o.convert(tcs[i], doc.Object))
	}
	return o.print(federated)
}

// print prints federated objects with the values of Secrets hidden, as kubectl diff hides them,
// unless --show-secrets asks for them (a manifest to apply needs them).
func (o *Options) print(federated []*unstructured.Unstructured) error {
	out := make([]*unstructured.Unstructured, len(federated))
	var hidden []string
	for i, fed := range federated {
		out[i] = fed
		if o.ShowSecrets || !mask.Contains(fed.Object) {
			continue
		}
		masked := mask.Object(fed.Object)
		if _, found, _ := unstructured.NestedFieldNoCopy(fed.Object, "spec", "overrides"); !found {
			// mask.Object writes spec.overrides back even where there were none.
			unstructured.RemoveNestedField(masked, "spec", "overrides")
		}
		if !reflect.DeepEqual(masked, fed.Object) {
			out[i] = &unstructured.Unstructured{Object: masked}
			hidden = append(hidden, fmt.Sprintf("%s %q", fed.GetKind(), key(fed)))
		}
	}
	if len(hidden) > 0 {
		cli.Warn(o.ErrOut, "the values of %s are printed as ***; pass --show-secrets to print them, for a manifest to apply", strings.Join(hidden, ", "))
	}
	return cli.PrintObjects(o.Out, o.Output, out)
}

func gvr(r apis.APIResource) schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: r.Group, Version: r.Version, Resource: r.PluralName}
}

func join(namespace, name string) string {
	if namespace == "" {
		return name
	}
	return namespace + "/" + name
}

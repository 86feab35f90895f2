package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/manifest"
	core "github.com/kubefedctl/kubefedctl/pkg/render"
)

// Options for `render`.
type Options struct {
	genericiooptions.IOStreams
	globals *cli.Globals

	Filenames []string
	Cluster   string
	Output    string
	OutputDir string
	Explain   bool
	// ShowSecrets prints Secret values in clear; files under OutputDir always hold them.
	ShowSecrets bool
	// Validate is kubectl's --validate: strict (or true), warn, ignore (or false).
	ValidateMode string

	validation manifest.Validation
	namespace  string
	outputSet  bool
}

// NewOptions returns the defaults.
func NewOptions(globals *cli.Globals, streams genericiooptions.IOStreams) *Options {
	return &Options{IOStreams: streams, globals: globals, Output: cli.OutputYAML, ValidateMode: string(manifest.Strict)}
}

// Complete resolves the namespace for objects given without one; outputSet says whether -o was
// given, which makes --explain print data instead of text.
func (o *Options) Complete(outputSet bool) {
	o.namespace = o.globals.Namespace()
	o.outputSet = outputSet
}

// Validate checks the flags.
func (o *Options) Validate() error {
	if len(o.Filenames) == 0 {
		return errors.New("-f/--filename is required: the files, directories or - (stdin) to render")
	}
	if err := cli.ValidateObjectOutput(o.Output); err != nil {
		return err
	}
	var err error
	if o.validation, err = manifest.ParseValidation(o.ValidateMode); err != nil {
		return err
	}
	if o.Explain && o.OutputDir != "" {
		return errors.New("--explain and --output-dir are mutually exclusive")
	}
	if o.ShowSecrets && o.OutputDir != "" {
		return errors.New("--show-secrets and --output-dir are mutually exclusive: files under --output-dir always hold the real values")
	}
	return nil
}

// Run reads, renders and prints or writes. Nothing reaches stdout or the output directory unless
// everything rendered.
func (o *Options) Run() error {
	docs, warnings, err := manifest.ReadValidated(o.Filenames, o.In, o.validation)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Fprintf(o.ErrOut, "Warning: %s\n", w)
	}
	fed, err := apis.Assemble(docs, o.globals.KubeFedNamespace, o.namespace)
	if err != nil {
		return err
	}
	if err := o.checkTemplates(fed); err != nil {
		return err
	}
	result, err := core.Render(fed, core.Options{Explain: o.Explain})
	if err != nil {
		return err
	}
	clusters := result.Clusters
	if o.Cluster != "" {
		clusters = nil
		for _, c := range result.Clusters {
			if c.Name == o.Cluster {
				clusters = append(clusters, c)
			}
		}
		if clusters == nil {
			return fmt.Errorf("--cluster %q is not a known cluster; the input has %s", o.Cluster, clusterNames(result.Clusters))
		}
	}
	for _, w := range result.Warnings {
		cli.Warn(o.ErrOut, "%s", w)
	}
	if o.Explain {
		// Build the objects anyway: a plan that cannot be built is an error, explained or not.
		err := eachCluster(clusters, func(_ int, c core.ClusterResult) error {
			_, err := core.MapObjects(result, c.Name, nil, func(*unstructured.Unstructured) (struct{}, error) { return struct{}{}, nil })
			return err
		})
		if err != nil {
			return err
		}
		if !o.ShowSecrets {
			maskExplanations(fed, result.Explanations)
		}
		return o.printExplanations(result, clusters)
	}
	if o.OutputDir != "" {
		return o.writeDir(result, clusters)
	}
	// Everything is encoded before the first byte is printed, so a failure prints nothing.
	outputs := make([][]byte, len(clusters))
	err = eachCluster(clusters, func(i int, c core.ClusterResult) error {
		var buf bytes.Buffer
		if o.Cluster == "" && o.Output != cli.OutputJSON {
			fmt.Fprintf(&buf, "# Cluster: %s\n", heading(c.Name))
		}
		if o.Output == cli.OutputJSON {
			objects, err := result.Objects(c.Name)
			if err != nil {
				return err
			}
			for i := range objects {
				objects[i] = o.printable(objects[i])
			}
			if err := cli.PrintObjects(&buf, o.Output, objects); err != nil {
				return err
			}
			outputs[i] = buf.Bytes()
			return nil
		}
		// YAML is encoded object by object as it is built; only the bytes are kept.
		printer := cli.NewPrinter(o.Output)
		docs, err := core.MapObjects(result, c.Name, nil, func(obj *unstructured.Unstructured) ([]byte, error) {
			var doc bytes.Buffer
			err := printer.PrintObject(&doc, o.printable(obj))
			return doc.Bytes(), err
		})
		if err != nil {
			return err
		}
		buf.Write(bytes.Join(docs, []byte("---\n")))
		outputs[i] = buf.Bytes()
		return nil
	})
	if err != nil {
		return err
	}
	if o.Cluster != "" && !clusters[0].Ready && o.Output == cli.OutputJSON {
		// A cluster that is not ready holds nothing: an empty List.
		return cli.PrintObjects(o.Out, o.Output, nil)
	}
	if o.Cluster == "" && o.Output == cli.OutputJSON {
		// One JSON document for the whole federation: each cluster's List under its name.
		byCluster := map[string]json.RawMessage{}
		for i, out := range outputs {
			if out != nil {
				byCluster[clusters[i].Name] = out
			}
		}
		data, err := json.MarshalIndent(byCluster, "", "    ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(o.Out, "%s\n", data)
		return err
	}
	first := true
	for _, out := range outputs {
		if out == nil {
			continue
		}
		if !first && o.Output == cli.OutputYAML {
			// A new document, so the heading does not join the previous object.
			if _, err := fmt.Fprint(o.Out, "---\n"); err != nil {
				return err
			}
		}
		first = false
		if _, err := o.Out.Write(out); err != nil {
			return err
		}
	}
	return nil
}

// printable is obj as it may be printed: with Secret values hidden unless --show-secrets.
func (o *Options) printable(obj *unstructured.Unstructured) *unstructured.Unstructured {
	if o.ShowSecrets {
		return obj
	}
	return maskSecret(obj)
}

// eachCluster runs fn for every ready cluster, a few clusters at a time in parallel; i is the
// cluster's index in clusters. On failure it returns the error of the first failing cluster in
// order, so the message does not depend on timing.
func eachCluster(clusters []core.ClusterResult, fn func(i int, c core.ClusterResult) error) error {
	errs := make([]error, len(clusters))
	var ready []int
	for i, c := range clusters {
		if c.Ready {
			ready = append(ready, i)
		}
	}
	cli.ForEach(ready, runtime.GOMAXPROCS(0), func(_ int, i int) {
		errs[i] = fn(i, clusters[i])
	})
	return firstError(errs)
}

func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func clusterNames(clusters []core.ClusterResult) string {
	if len(clusters) == 0 {
		return "no KubeFedCluster"
	}
	names := make([]string, len(clusters))
	for i, c := range clusters {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

// heading is a cluster's name as a comment line shows it: quoted when it is not a plain DNS
// name, so that a name holding a newline cannot add documents to the stream.
func heading(name string) string {
	if validClusterDir(name) != nil {
		return strconv.Quote(name)
	}
	return name
}

// checkTemplates holds templates to their Federated CRD's schema where the input gives it, as
// the host would: --validate=strict refuses, warn warns, ignore says nothing.
func (o *Options) checkTemplates(fed *apis.Federation) error {
	if o.validation == manifest.Ignore {
		return nil
	}
	problems := fed.TemplateErrors()
	if len(problems) == 0 {
		return nil
	}
	if o.validation == manifest.Strict {
		return fmt.Errorf("%s; --validate=warn renders anyway", strings.Join(problems, "; "))
	}
	for _, p := range problems {
		cli.Warn(o.ErrOut, "%s", p)
	}
	return nil
}

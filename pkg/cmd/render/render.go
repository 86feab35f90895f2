package render

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
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

	namespace string
	outputSet bool
}

// NewOptions returns the defaults.
func NewOptions(globals *cli.Globals, streams genericiooptions.IOStreams) *Options {
	return &Options{IOStreams: streams, globals: globals, Output: cli.OutputYAML}
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
	if o.Explain && o.OutputDir != "" {
		return errors.New("--explain and --output-dir are mutually exclusive")
	}
	return nil
}

// Run reads, renders and prints or writes. Nothing reaches stdout or the output directory unless
// everything rendered.
func (o *Options) Run() error {
	docs, err := manifest.Read(o.Filenames, o.In)
	if err != nil {
		return err
	}
	fed, err := apis.Assemble(docs, o.globals.KubeFedNamespace, o.namespace)
	if err != nil {
		return err
	}
	result, err := core.Render(fed, core.Options{})
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
	switch {
	case o.Explain:
		return o.printExplanations(result, clusters)
	case o.OutputDir != "":
		return o.writeDir(clusters)
	case o.Cluster != "":
		return cli.PrintObjects(o.Out, o.Output, clusters[0].Objects)
	}
	first := true
	for _, c := range clusters {
		if !c.Ready {
			continue
		}
		if !first && o.Output == cli.OutputYAML {
			// A new document, so the heading does not join the previous object.
			if _, err := fmt.Fprint(o.Out, "---\n"); err != nil {
				return err
			}
		}
		first = false
		if _, err := fmt.Fprintf(o.Out, "# Cluster: %s\n", c.Name); err != nil {
			return err
		}
		if err := cli.PrintObjects(o.Out, o.Output, c.Objects); err != nil {
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

// writeDir writes DIR/<cluster>/<file> for every object and removes files of the same format
// left there by an earlier render, so the directory is exactly the plan.
func (o *Options) writeDir(clusters []core.ClusterResult) error {
	ext := "." + o.Output
	files := map[string][]byte{}
	for _, c := range clusters {
		if !c.Ready {
			continue
		}
		for _, obj := range c.Objects {
			var buf bytes.Buffer
			if err := cli.PrintObject(&buf, o.Output, obj); err != nil {
				return err
			}
			data := buf.Bytes()
			files[filepath.Join(o.OutputDir, c.Name, FileName(obj)+ext)] = data
		}
	}
	for _, c := range clusters {
		if !c.Ready {
			continue
		}
		dir := filepath.Join(o.OutputDir, c.Name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("creating %s: %w", dir, err)
		}
		stale, _ := filepath.Glob(filepath.Join(dir, "*"+ext))
		for _, path := range stale {
			if _, keep := files[path]; !keep {
				if err := os.Remove(path); err != nil {
					return fmt.Errorf("removing stale %s: %w", path, err)
				}
			}
		}
	}
	paths := make([]string, 0, len(files))
	for path := range files {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	for i, path := range paths {
		if err := os.WriteFile(path, files[path], 0o644); err != nil {
			return fmt.Errorf("writing %s: %w (wrote %d of %d files)", path, err, i, len(paths))
		}
	}
	for _, c := range clusters {
		if c.Ready {
			fmt.Fprintf(o.Out, "cluster %s: %d objects written to %s\n", c.Name, len(c.Objects), filepath.Join(o.OutputDir, c.Name))
		}
	}
	return nil
}

// FileName names an object's file: kind and group, namespace, name, unique within a cluster.
func FileName(obj *unstructured.Unstructured) string {
	gvk := obj.GroupVersionKind()
	kind := strings.ToLower(gvk.Kind)
	if gvk.Group != "" {
		kind += "." + gvk.Group
	}
	if ns := obj.GetNamespace(); ns != "" {
		return kind + "_" + ns + "_" + obj.GetName()
	}
	return kind + "_" + obj.GetName()
}

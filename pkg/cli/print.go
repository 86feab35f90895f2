package cli

import (
	"fmt"
	"io"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/printers"
)

// Output formats for objects.
const (
	OutputYAML = "yaml"
	OutputJSON = "json"
)

// ValidateObjectOutput checks an -o value for commands that print objects.
func ValidateObjectOutput(output string) error {
	switch output {
	case OutputYAML, OutputJSON:
		return nil
	}
	return fmt.Errorf("--output must be yaml or json, not %q", output)
}

// Printer prints objects as kubectl does: YAML as a "---" stream, JSON as one v1 List, one
// object on its own with PrintObject. It is not safe for concurrent use.
type Printer struct {
	output string
	yaml   *YAMLEncoder
}

// NewPrinter returns a printer for yaml or json.
func NewPrinter(output string) *Printer {
	return &Printer{output: output, yaml: NewYAMLEncoder()}
}

// PrintObjects prints objects as a stream (YAML) or a List (JSON).
func (p *Printer) PrintObjects(w io.Writer, objects []*unstructured.Unstructured) error {
	if p.output == OutputJSON {
		list := &unstructured.UnstructuredList{Object: map[string]any{
			"apiVersion": "v1",
			"kind":       "List",
			"metadata":   map[string]any{"resourceVersion": ""},
		}}
		list.Items = make([]unstructured.Unstructured, 0, len(objects))
		for _, o := range objects {
			list.Items = append(list.Items, *o)
		}
		return (&printers.JSONPrinter{}).PrintObj(list, w)
	}
	for i, o := range objects {
		if i > 0 {
			if _, err := io.WriteString(w, "---\n"); err != nil {
				return err
			}
		}
		if err := p.PrintObject(w, o); err != nil {
			return err
		}
	}
	return nil
}

// PrintObject prints one object on its own, not in a List.
func (p *Printer) PrintObject(w io.Writer, obj *unstructured.Unstructured) error {
	if p.output == OutputJSON {
		return (&printers.JSONPrinter{}).PrintObj(obj, w)
	}
	data, err := p.yaml.Encode(obj.Object)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// PrintObjects prints objects with a new Printer.
func PrintObjects(w io.Writer, output string, objects []*unstructured.Unstructured) error {
	return NewPrinter(output).PrintObjects(w, objects)
}

// Warn prints a warning as kubectl does.
func Warn(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, "Warning: "+format+"\n", args...)
}

package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"sigs.k8s.io/yaml"
)

// PrintData prints a report that is not an object (a plan, results, version information) as
// JSON, indented as kubectl indents, or YAML.
func PrintData(w io.Writer, output string, v any) error {
	if output == OutputJSON {
		data, err := json.MarshalIndent(v, "", "    ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", data)
		return err
	}
	data, err := yaml.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// ForEach runs fn over items, at most workers at a time, and returns when all are done.
func ForEach[T any](items []T, workers int, fn func(i int, item T)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, len(items)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i, items[i])
			}
		}()
	}
	for i := range items {
		next <- i
	}
	close(next)
	wg.Wait()
}

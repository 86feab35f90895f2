package render

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubefedctl/kubefedctl/pkg/cli"
	core "github.com/kubefedctl/kubefedctl/pkg/render"
)

// recordName is the file in --output-dir that lists, relative to it, the files render wrote
// there: the only files a later render removes.
const recordName = ".kubefedctl-render.json"

const recordNote = "Written by kubefedctl render --output-dir: the files it wrote here. A later render removes the listed files it no longer writes, and no other file."

type record struct {
	Note  string   `json:"note"`
	Files []string `json:"files"`
}

// Modes of the files written: a Secret's file holds its real values and is its owner's only.
const (
	fileMode   fs.FileMode = 0o644
	secretMode fs.FileMode = 0o600
	dirMode    fs.FileMode = 0o755
)

// plannedFile is one file of the plan, encoded before anything is written.
type plannedFile struct {
	rel  string // <cluster>/<file>, slash-separated as in the record
	data []byte
	mode fs.FileMode
}

// dirPlan is everything writeDir will do, decided before its first write.
type dirPlan struct {
	clusters []core.ClusterResult // the ready clusters written, in order
	files    [][]plannedFile      // per cluster, sorted by name
	stale    [][]string           // per cluster, recorded files no longer written
	record   record
}

// writeDir writes DIR/<cluster>/<file> for every object, removes the files an earlier render
// recorded there and this one no longer writes, and records what it wrote. Every name is
// validated, every file encoded and the directory checked before the first write, so a render
// that fails changes nothing.
func (o *Options) writeDir(result *core.Result, clusters []core.ClusterResult) error {
	plan, err := o.planDir(result, clusters)
	if err != nil {
		return err
	}
	return o.applyDir(plan)
}

func (o *Options) planDir(result *core.Result, clusters []core.ClusterResult) (*dirPlan, error) {
	plan := &dirPlan{}
	for _, c := range clusters {
		if !c.Ready {
			continue
		}
		if err := validClusterDir(c.Name); err != nil {
			return nil, err
		}
		plan.clusters = append(plan.clusters, c)
	}
	ext := "." + o.Output
	plan.files = make([][]plannedFile, len(plan.clusters))
	err := eachCluster(plan.clusters, func(i int, c core.ClusterResult) error {
		printer := cli.NewPrinter(o.Output)
		// Keyed by the lower-cased name: two files that differ only in case are one file on
		// macOS and Windows checkouts of the same repository.
		owners := map[string]string{}
		files, err := core.MapObjects(result, c.Name, nil, func(obj *unstructured.Unstructured) (plannedFile, error) {
			name, err := fileName(obj, ext)
			if err != nil {
				return plannedFile{}, fmt.Errorf("cannot be written under --output-dir: %w", err)
			}
			id := describeObject(obj)
			if other, taken := owners[strings.ToLower(name)]; taken {
				return plannedFile{}, fmt.Errorf("cannot be written under --output-dir: %s and %s would both be written to %s", other, id, name)
			}
			owners[strings.ToLower(name)] = id
			var buf bytes.Buffer
			if err := printer.PrintObject(&buf, obj); err != nil {
				return plannedFile{}, err
			}
			mode := fileMode
			if obj.GetKind() == "Secret" {
				mode = secretMode
			}
			return plannedFile{rel: c.Name + "/" + name, data: buf.Bytes(), mode: mode}, nil
		})
		slices.SortFunc(files, func(a, b plannedFile) int { return strings.Compare(a.rel, b.rel) })
		plan.files[i] = files
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := o.checkDir(plan); err != nil {
		return nil, fmt.Errorf("--output-dir %s: %w; nothing was written", o.OutputDir, err)
	}
	return plan, nil
}

func describeObject(obj *unstructured.Unstructured) string {
	if ns := obj.GetNamespace(); ns != "" {
		return fmt.Sprintf("%s %q", obj.GetKind(), ns+"/"+obj.GetName())
	}
	return fmt.Sprintf("%s %q", obj.GetKind(), obj.GetName())
}

// checkDir reads what is already in the directory, without changing it: the record (each entry
// checked), the cluster directories (real directories, never links) and the files to replace
// (never directories), and fills in the stale files and the new record.
func (o *Options) checkDir(plan *dirPlan) error {
	plan.stale = make([][]string, len(plan.clusters))
	written := map[string]bool{}
	for _, files := range plan.files {
		for _, f := range files {
			written[f.rel] = true
		}
	}
	info, err := os.Stat(o.OutputDir)
	if errors.Is(err, fs.ErrNotExist) {
		plan.record = newRecord(nil, plan, written)
		return nil
	}
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return errors.New("is not a directory")
	}
	root, err := os.OpenRoot(o.OutputDir)
	if err != nil {
		return err
	}
	defer root.Close()
	recorded, err := readRecord(root)
	if err != nil {
		return err
	}
	rendered := map[string]int{}
	for i, c := range plan.clusters {
		rendered[c.Name] = i
		info, err := root.Lstat(c.Name)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return err
		case info.Mode()&fs.ModeSymlink != 0:
			return fmt.Errorf("%s is a symbolic link; render writes only into real directories, so it never follows a link out of the directory (remove the link)", c.Name)
		case !info.IsDir():
			return fmt.Errorf("%s is not a directory (move it away)", c.Name)
		}
		for j := range plan.files[i] {
			f := &plan.files[i][j]
			info, err := root.Lstat(filepath.FromSlash(f.rel))
			if err == nil && info.IsDir() {
				return fmt.Errorf("%s is a directory, where render writes a file (move it away)", f.rel)
			}
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			if err == nil && info.Mode().IsRegular() {
				// Never loosen a mode the user tightened.
				f.mode &= info.Mode().Perm() | 0o600
			}
		}
	}
	var kept []string
	for _, rel := range recorded {
		cluster, _, _ := strings.Cut(rel, "/")
		i, ours := rendered[cluster]
		if !ours || written[rel] {
			kept = append(kept, rel)
			continue
		}
		info, err := root.Lstat(filepath.FromSlash(rel))
		if errors.Is(err, fs.ErrNotExist) || (err == nil && info.IsDir()) {
			// Already gone, or no longer a file render wrote: forgotten, not removed.
			continue
		}
		if err != nil {
			return err
		}
		plan.stale[i] = append(plan.stale[i], rel)
	}
	plan.record = newRecord(kept, plan, written)
	return nil
}

// readRecord reads and checks the record; a record that is missing lists nothing.
func readRecord(root *os.Root) ([]string, error) {
	info, err := root.Lstat(recordName)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file (remove it; render then removes no earlier file)", recordName)
	}
	data, err := root.ReadFile(recordName)
	if err != nil {
		return nil, err
	}
	var r record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s is not a render record: %w (fix or remove it; without it render removes no earlier file)", recordName, err)
	}
	for _, rel := range r.Files {
		err := validRecordedFile(rel)
		if err == nil && path.Clean(rel) != rel {
			err = errors.New("not a clean relative path")
		}
		if err != nil {
			return nil, fmt.Errorf("%s lists %q (%w), which is not a file render writes: fix or remove the record; without it render removes no earlier file", recordName, rel, err)
		}
	}
	return r.Files, nil
}

// newRecord lists the files kept from the old record (other clusters', and those rewritten)
// and every file written now, sorted, each once.
func newRecord(kept []string, plan *dirPlan, written map[string]bool) record {
	files := append([]string(nil), kept...)
	for rel := range written {
		files = append(files, rel)
	}
	slices.Sort(files)
	return record{Note: recordNote, Files: slices.Compact(files)}
}

// applyDir writes the plan: each file through a temporary file renamed over the old one, so a
// file is never half written and takes the plan's mode; then the stale files go, then the
// record. Every path goes through os.Root, which refuses any that leads out of the directory.
func (o *Options) applyDir(plan *dirPlan) error {
	total := 0
	for _, files := range plan.files {
		total += len(files)
	}
	written := 0
	progress := func(err error) error {
		return fmt.Errorf("%w (wrote %d of %d files)", err, written, total)
	}
	if err := os.MkdirAll(o.OutputDir, dirMode); err != nil {
		return progress(fmt.Errorf("creating %s: %w", o.OutputDir, err))
	}
	root, err := os.OpenRoot(o.OutputDir)
	if err != nil {
		return progress(err)
	}
	defer root.Close()
	for i, c := range plan.clusters {
		dir := filepath.Join(o.OutputDir, c.Name)
		if err := root.Mkdir(c.Name, dirMode); err != nil && !errors.Is(err, fs.ErrExist) {
			return progress(fmt.Errorf("creating %s: %w", dir, err))
		}
		for _, f := range plan.files[i] {
			if err := writeFile(root, c.Name, filepath.FromSlash(f.rel), f.data, f.mode); err != nil {
				return progress(fmt.Errorf("writing %s: %w", filepath.Join(o.OutputDir, f.rel), err))
			}
			written++
		}
		for _, rel := range plan.stale[i] {
			if err := root.Remove(filepath.FromSlash(rel)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return progress(fmt.Errorf("removing stale %s: %w", filepath.Join(o.OutputDir, rel), err))
			}
		}
		msg := fmt.Sprintf("cluster %s: %d objects written to %s", c.Name, len(plan.files[i]), dir)
		if n := len(plan.stale[i]); n > 0 {
			msg += fmt.Sprintf(", %d stale files removed", n)
		}
		fmt.Fprintln(o.Out, msg)
	}
	data, err := json.MarshalIndent(plan.record, "", "  ")
	if err != nil {
		return progress(err)
	}
	if err := writeFile(root, ".", recordName, append(data, '\n'), fileMode); err != nil {
		return progress(fmt.Errorf("writing %s: %w", filepath.Join(o.OutputDir, recordName), err))
	}
	return nil
}

// writeFile writes name (relative to root) through a new temporary file in dir, created with
// mode (the umask may only tighten it), then renamed over name: a link at name is replaced,
// never followed.
func writeFile(root *os.Root, dir, name string, data []byte, mode fs.FileMode) error {
	tmp := filepath.Join(dir, ".kubefedctl-"+rand.Text()+".tmp")
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = root.Rename(tmp, name)
	}
	if err != nil {
		_ = root.Remove(tmp)
	}
	return err
}

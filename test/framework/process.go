package framework

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// process is one started binary, its output in a log file, recorded by PID in the run's
// directory so that a later run can stop it if this one crashes.
type process struct {
	name string
	bin  string
	args []string
	dir  string
	log  string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

func newProcess(dir, name, bin string, args []string) *process {
	return &process{name: name, bin: bin, args: args, dir: dir, log: filepath.Join(dir, name+".log")}
}

// start runs the binary in its own process group (so that stopping it stops its children).
func (p *process) start(detached bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	logFile, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close()
	cmd := exec.Command(p.bin, p.args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Setsid: false}
	if detached {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", p.name, err)
	}
	p.cmd = cmd
	p.done = make(chan struct{})
	if err := recordPID(p.dir, cmd.Process.Pid, p.name); err != nil {
		return err
	}
	go func(done chan struct{}) {
		err := cmd.Wait()
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
		close(done)
	}(p.done)
	return nil
}

// exited reports whether the process has ended, with a message that carries the end of its log.
func (p *process) exited() error {
	p.mu.Lock()
	done, err := p.done, p.err
	p.mu.Unlock()
	if done == nil {
		return nil
	}
	select {
	case <-done:
		return fmt.Errorf("%s exited (%v); the end of its log %s:\n%s", p.name, err, p.log, tail(p.log, 15))
	default:
		return nil
	}
}

// stop ends the process group: SIGTERM, then SIGKILL after a bound.
func (p *process) stop() {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	pid := cmd.Process.Pid
	syscall.Kill(-pid, syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		syscall.Kill(-pid, syscall.SIGKILL)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
	}
	syscall.Kill(-pid, syscall.SIGKILL)
}

func tail(path string, lines int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "(no log)"
	}
	all := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}

const pidsFile = "pids"

func recordPID(dir string, pid int, name string) error {
	f, err := os.OpenFile(filepath.Join(dir, pidsFile), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = fmt.Fprintf(f, "%d %s\n", pid, name)
	return err
}

// killRecorded stops every process recorded in dir that still runs one of binDir's binaries:
// a PID can be reused, so the executable is checked before anything is killed.
func killRecorded(dir string) {
	data, err := os.ReadFile(filepath.Join(dir, pidsFile))
	if err != nil {
		return
	}
	var killed []int
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.Fields(line)
		if len(fields) != 2 {
			continue
		}
		pid, err := strconv.Atoi(fields[0])
		if err != nil || !isControlPlaneProcess(pid) {
			continue
		}
		syscall.Kill(-pid, syscall.SIGKILL)
		syscall.Kill(pid, syscall.SIGKILL)
		killed = append(killed, pid)
	}
	// Return once they are gone, so that their ports and files are free; bounded.
	deadline := time.Now().Add(10 * time.Second)
	for _, pid := range killed {
		for isControlPlaneProcess(pid) && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
	}
}

func isControlPlaneProcess(pid int) bool {
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil {
		return false
	}
	switch filepath.Base(strings.TrimSuffix(exe, " (deleted)")) {
	case "etcd", "kube-apiserver", "kube-controller-manager":
		return true
	}
	return false
}

func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

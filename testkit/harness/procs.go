package harness

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Sink is the webhook every demo user's notifications go to, so the outbox
// fills as it would in production and duplicates would show.
type Sink struct{ received atomic.Int64 }

func newSink() *Sink { return &Sink{} }

// ServeHTTP accepts one delivery.
func (k *Sink) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	k.received.Add(1)
	w.WriteHeader(http.StatusNoContent)
}

// Received is how many deliveries arrived.
func (k *Sink) Received() int64 { return k.received.Load() }

// Component names, as the tables print them.
const (
	CompAPI      = "api"
	CompWorker   = "worker"
	CompTemporal = "temporal"
	CompPostgres = "postgres"
	CompHarness  = "harness"
)

// Components lists them in table order.
var Components = []string{CompAPI, CompWorker, CompTemporal, CompPostgres, CompHarness}

// CPU returns the CPU time (user and system) each component has used so
// far; the difference of two readings over the wall time between them is
// how many cores it kept busy (while the shape stays the same: the API and
// worker figures sum the processes running at the reading). PostgreSQL is its postmaster and every
// backend under it; the harness is this process (load generator and, for
// the baselines, their worker).
func (s *Stack) CPU() map[string]time.Duration {
	out := map[string]time.Duration{}
	for _, c := range s.apis {
		if c != nil && c.Process != nil {
			out[CompAPI] += procCPU(c.Process.Pid)
		}
	}
	for _, c := range s.workers {
		if c != nil && c.Process != nil {
			out[CompWorker] += procCPU(c.Process.Pid)
		}
	}
	out[CompTemporal] = procCPU(s.temporal.Pid())
	if pm, err := postmasterPid(s.pg.Dir); err == nil {
		total := procCPU(pm)
		for _, child := range childrenOf(pm) {
			total += procCPU(child)
		}
		out[CompPostgres] = total
	}
	out[CompHarness] = procCPU(os.Getpid())
	return out
}

// clockTick is USER_HZ, 100 on every Linux this runs on.
const clockTick = 10 * time.Millisecond

// procCPU reads utime+stime of pid, including its reaped children's
// (cutime+cstime), from /proc/<pid>/stat.
func procCPU(pid int) time.Duration {
	f, ok := statFields(pid)
	if !ok || len(f) < 15 {
		return 0
	}
	var ticks int64
	for _, i := range []int{11, 12, 13, 14} { // utime stime cutime cstime, counted after the comm field
		n, _ := strconv.ParseInt(f[i], 10, 64)
		ticks += n
	}
	return time.Duration(ticks) * clockTick
}

// statFields returns /proc/<pid>/stat's fields after "(comm)": field 0 is
// the state, 1 the parent pid.
func statFields(pid int) ([]string, bool) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil, false
	}
	i := bytes.LastIndexByte(raw, ')')
	if i < 0 {
		return nil, false
	}
	return strings.Fields(string(raw[i+1:])), true
}

func childrenOf(parent int) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if f, ok := statFields(pid); ok && len(f) > 1 && f[1] == strconv.Itoa(parent) {
			out = append(out, pid)
		}
	}
	return out
}

func postmasterPid(dir string) (int, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		return 0, err
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	return strconv.Atoi(strings.TrimSpace(line))
}

func portOf(u string) (int, error) {
	parsed, err := url.Parse(u)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(parsed.Port())
}

// Command bench measures Signet against Temporal's own cost (`make bench`):
// on a stack of its own (harness), each scenario warms up, then runs
// Signet and its baseline in alternation, run by run, so drift of the
// machine hits both alike. It prints a table and writes the figures to
// testkit/bench/results/<date>-<commit>.json with the machine they came from.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/testkit/harness"
	"github.com/signet-clm/signet/workflows"
)

type settings struct {
	n, c, runs, warmup, samples int
	step                        time.Duration
	only                        map[string]bool
}

// scenarios are the parts of a run, in order; -only picks some.
var scenarios = []string{"lifecycle", "start", "decision", "signature", "saturation", "scaleout"}

func (s settings) wants(name string) bool { return len(s.only) == 0 || s.only[name] }

func main() {
	var cfg settings
	flag.IntVar(&cfg.n, "n", 300, "lifecycles per variant (Signet over HTTP, Temporal client direct, minimal workflow) and per scale-out shape (1×1, 2×2)")
	flag.IntVar(&cfg.c, "c", 10, "concurrent clients")
	flag.IntVar(&cfg.runs, "runs", 3, "interleaved runs each variant's total is split into")
	flag.IntVar(&cfg.warmup, "warmup", 20, "warm-up iterations per variant, not measured")
	flag.IntVar(&cfg.samples, "samples", 300, "starts and decisions timed per variant")
	flag.DurationVar(&cfg.step, "step", 8*time.Second, "how long each offered rate of the saturation ramp is held")
	only := flag.String("only", "", "comma-separated scenarios to run ("+strings.Join(scenarios, ",")+"); all when empty")
	flag.Parse()
	if *only != "" {
		cfg.only = map[string]bool{}
		for _, name := range strings.Split(*only, ",") {
			cfg.only[strings.TrimSpace(name)] = true
		}
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, logger); err != nil {
		logger.Error("bench failed", "err", err)
		os.Exit(1)
	}
}

// Results is the JSON a run writes.
type Results struct {
	Commit     string       `json:"commit"`
	Date       time.Time    `json:"date"`
	Machine    Machine      `json:"machine"`
	Settings   any          `json:"settings"`
	Lifecycle  Lifecycle    `json:"lifecycle"`
	Start      LatencyRatio `json:"start_latency"`
	Decision   LatencyRatio `json:"decision_latency"`
	Signature  LatencyRatio `json:"signature_latency"`
	Saturation Saturation   `json:"saturation"`
	ScaleOut   ScaleOut     `json:"scale_out"`
}

// Machine is where the figures came from.
type Machine struct {
	Cores    int    `json:"cores"`
	MemoryMB int    `json:"memory_mb"`
	Go       string `json:"go"`
	OS       string `json:"os"`
}

// Variant is one way of running a lifecycle.
type Variant struct {
	Name              string  `json:"name"`
	Lifecycles        int     `json:"lifecycles"`
	Errors            int     `json:"errors"`
	WallSeconds       float64 `json:"wall_seconds"`
	PerSecond         float64 `json:"contracts_per_s"`
	Transitions       int64   `json:"state_transitions"`
	TransitionsPerSec float64 `json:"state_transitions_per_s"`
	// PerLifecycle is what one lifecycle costs Temporal, by phase: the
	// contract's workflow, its review round's and its signing round's.
	PerLifecycle map[string]Phase   `json:"per_lifecycle,omitempty"`
	Calls        map[string]Latency `json:"calls"`
	CPU          map[string]float64 `json:"cpu_cores"`
}

// Latency is one call's p50 and p99.
type Latency struct {
	Count int     `json:"count"`
	P50ms float64 `json:"p50_ms"`
	P99ms float64 `json:"p99_ms"`
}

// Lifecycle holds scenario 1.
type Lifecycle struct {
	Signet  Variant `json:"signet_http"`
	Direct  Variant `json:"temporal_client_direct"`
	Minimal Variant `json:"minimal_workflow"`
	// RatioA is Signet's throughput over the direct client's (the API's
	// overhead); RatioB over the minimal workflow's (Temporal's floor).
	RatioA float64 `json:"ratio_a"`
	RatioB float64 `json:"ratio_b"`
}

// LatencyRatio holds scenarios 2 and 3.
type LatencyRatio struct {
	Signet   Latency `json:"signet"`
	Baseline Latency `json:"baseline"`
	RatioP50 float64 `json:"ratio_p50"`
	RatioP99 float64 `json:"ratio_p99"`
}

// Saturation holds scenario 4.
type Saturation struct {
	Sustained float64                  `json:"sustained_rate_per_s"`
	Steps     []harness.SaturationStep `json:"steps"`
}

// ScaleOut holds scenario 5: the lifecycle over HTTP on one API and one
// worker process, and on two of each (one database, one dev server, one
// task queue, requests round-robin over the APIs), in alternating runs.
type ScaleOut struct {
	Shapes []Shape `json:"shapes"`
	// Ratio is the 2×2 shape's lifecycles/s over the 1×1's.
	Ratio float64 `json:"ratio_2x2_over_1x1"`
}

// Shape is one shape's lifecycle throughput.
type Shape struct {
	Name        string             `json:"name"`
	APIs        int                `json:"apis"`
	Workers     int                `json:"workers"`
	Lifecycles  int                `json:"lifecycles"`
	Errors      int                `json:"errors"`
	WallSeconds float64            `json:"wall_seconds"`
	PerSecond   float64            `json:"lifecycles_per_s"`
	Calls       map[string]Latency `json:"calls"`
	// CPU sums each component's processes (both APIs, both workers).
	CPU map[string]float64 `json:"cpu_cores"`
}

func run(ctx context.Context, cfg settings, logger *slog.Logger) error {
	s, err := harness.Start(ctx, harness.Options{Logger: logger})
	if err != nil {
		return err
	}
	defer s.Close()
	base, err := s.StartBaselines()
	if err != nil {
		return err
	}
	defer base.Stop()
	direct, err := s.NewDirect(ctx, s.NewClient(40*time.Second))
	if err != nil {
		return err
	}
	res := Results{Date: time.Now().UTC(), Commit: commit(), Machine: machine(),
		Settings: map[string]any{"n": cfg.n, "clients": cfg.c, "runs": cfg.runs, "warmup": cfg.warmup, "samples": cfg.samples, "step": cfg.step.String()}}

	if cfg.wants("lifecycle") {
		logger.Info("lifecycle throughput", "n", cfg.n, "clients", cfg.c, "runs", cfg.runs)
		if res.Lifecycle, err = lifecycle(ctx, s, direct, base, cfg, logger); err != nil {
			return err
		}
	}
	if cfg.wants("start") {
		logger.Info("start latency", "samples", cfg.samples)
		res.Start = startLatency(ctx, s, base, cfg)
	}
	if cfg.wants("decision") {
		logger.Info("decision latency", "samples", cfg.samples)
		if res.Decision, err = decisionLatency(ctx, s, base, cfg); err != nil {
			return err
		}
	}
	if cfg.wants("signature") {
		logger.Info("signature latency", "samples", cfg.samples)
		if res.Signature, err = signatureLatency(ctx, s, base, cfg); err != nil {
			return err
		}
	}
	if cfg.wants("saturation") {
		logger.Info("saturation ramp", "step", cfg.step)
		steps := s.Saturation(ctx, 4, 1.5, cfg.step, 10)
		res.Saturation = Saturation{Sustained: harness.Sustained(steps), Steps: steps}
	}
	if cfg.wants("scaleout") {
		logger.Info("scale-out: 1×1 against 2×2", "n", cfg.n, "clients", cfg.c, "runs", cfg.runs)
		if res.ScaleOut, err = scaleOut(ctx, s, cfg, logger); err != nil {
			return err
		}
	}

	printTable(res)
	return write(res)
}

// lifecycleVariant is one way of driving a lifecycle, returning the IDs of
// the workflows whose state transitions it counts.
type lifecycleVariant struct {
	name  string
	drive func(ctx context.Context, i int64) ([]string, error)
	rec   func() *harness.Recorder
}

func lifecycle(ctx context.Context, s *harness.Stack, direct *harness.Direct, base *harness.Baselines, cfg settings, logger *slog.Logger) (Lifecycle, error) {
	client := s.NewClient(40 * time.Second)
	withRound := func(n string) []string {
		return []string{workflows.ContractWorkflowID(n), workflows.ApprovalWorkflowID(n, 1), workflows.SigningWorkflowID(n, 1)}
	}
	variants := []lifecycleVariant{
		{"signet over HTTP", func(ctx context.Context, _ int64) ([]string, error) {
			n, err := client.DriveToActive(ctx)
			return withRound(n), err
		}, func() *harness.Recorder { return client.Rec }},
		{"Temporal client, direct", func(ctx context.Context, _ int64) ([]string, error) {
			n, err := direct.Lifecycle(ctx)
			return withRound(n), err
		}, func() *harness.Recorder { return direct.Rec }},
		{"minimal workflow", func(ctx context.Context, i int64) ([]string, error) {
			id, err := base.Lifecycle(ctx, i)
			return []string{id}, err
		}, func() *harness.Recorder { return base.Rec }},
	}
	for _, v := range variants {
		if errs := closedLoop(ctx, cfg.warmup, cfg.c, func(ctx context.Context, i int64) error { _, err := v.drive(ctx, i); return err }); errs > 0 {
			logger.Warn("warm-up had errors", "variant", v.name, "errors", errs)
		}
	}
	// Measure from here: fresh recorders.
	client.Rec, direct.Rec, base.Rec = harness.NewRecorder(), harness.NewRecorder(), harness.NewRecorder()

	out := make([]Variant, len(variants))
	ids := make([][]string, len(variants))
	cpu := make([]map[string]time.Duration, len(variants))
	var mu sync.Mutex
	per := cfg.n / cfg.runs
	for r := range cfg.runs {
		// Rotate who goes first, so no variant always runs on a warmer
		// (or more tired) machine.
		for k := range variants {
			vi := (k + r) % len(variants)
			v := variants[vi]
			before, t0 := s.CPU(), time.Now()
			errs := closedLoop(ctx, per, cfg.c, func(ctx context.Context, i int64) error {
				w, err := v.drive(ctx, i)
				if err == nil {
					mu.Lock()
					ids[vi] = append(ids[vi], w...)
					mu.Unlock()
				}
				return err
			})
			wall := time.Since(t0)
			after := s.CPU()
			out[vi].Name = v.name
			out[vi].Lifecycles += per
			out[vi].Errors += errs
			out[vi].WallSeconds += wall.Seconds()
			if cpu[vi] == nil {
				cpu[vi] = map[string]time.Duration{}
			}
			for comp, d := range after {
				cpu[vi][comp] += d - before[comp]
			}
			logger.Info("lifecycle run", "run", r+1, "variant", v.name, "lifecycles", per, "wall", wall.Round(time.Millisecond), "errors", errs)
		}
	}
	for vi, v := range variants {
		o := &out[vi]
		o.PerSecond = float64(o.Lifecycles-o.Errors) / o.WallSeconds
		o.Calls = calls(v.rec())
		o.CPU = harness.Cores(map[string]time.Duration{}, cpu[vi], time.Duration(o.WallSeconds*float64(time.Second)))
		t, phases, err := transitions(ctx, s, ids[vi])
		if err != nil {
			return Lifecycle{}, err
		}
		o.Transitions, o.TransitionsPerSec, o.PerLifecycle = t, float64(t)/o.WallSeconds, phases
	}
	l := Lifecycle{Signet: out[0], Direct: out[1], Minimal: out[2]}
	l.RatioA = l.Signet.PerSecond / l.Direct.PerSecond
	l.RatioB = l.Signet.PerSecond / l.Minimal.PerSecond
	return l, nil
}

// shapeSettle is how long a run waits after the stack changed shape, so a
// process just started (its pollers, its pools, its start-up jobs) is
// serving before the clock starts.
const shapeSettle = 3 * time.Second

// scaleOut runs the lifecycle over HTTP on the 1×1 and the 2×2 shape of
// the same stack, alternating run by run (who goes first rotates), with
// the same number of closed-loop clients on each. Between runs the stack
// changes shape: the second API and worker are stopped with SIGINT for
// 1×1 and started again for 2×2; it runs last, so the scenarios before it
// all ran on 1×1 as before.
func scaleOut(ctx context.Context, s *harness.Stack, cfg settings, logger *slog.Logger) (ScaleOut, error) {
	shapes := []Shape{{Name: "1 API × 1 worker", APIs: 1, Workers: 1}, {Name: "2 APIs × 2 workers", APIs: 2, Workers: 2}}
	clients := make([]*harness.Client, len(shapes))
	cpu := make([]map[string]time.Duration, len(shapes))
	for i, sh := range shapes {
		if err := s.Scale(ctx, sh.APIs, sh.Workers); err != nil {
			return ScaleOut{}, err
		}
		clients[i] = s.NewClient(40 * time.Second)
		time.Sleep(shapeSettle)
		if errs := closedLoop(ctx, cfg.warmup, cfg.c, func(ctx context.Context, _ int64) error {
			_, err := clients[i].DriveToActive(ctx)
			return err
		}); errs > 0 {
			logger.Warn("warm-up had errors", "shape", sh.Name, "errors", errs)
		}
		clients[i].Rec = harness.NewRecorder()
		cpu[i] = map[string]time.Duration{}
	}
	per := cfg.n / cfg.runs
	for r := range cfg.runs {
		for k := range shapes {
			// The warm-ups leave the stack 2×2, so it goes first; then who
			// goes first alternates, and each run starts on the shape the
			// last one ended on.
			i := (k + r + 1) % len(shapes)
			sh := &shapes[i]
			if a, w := s.Shape(); a != sh.APIs || w != sh.Workers {
				if err := s.Scale(ctx, sh.APIs, sh.Workers); err != nil {
					return ScaleOut{}, err
				}
				time.Sleep(shapeSettle)
			}
			before, t0 := s.CPU(), time.Now()
			errs := closedLoop(ctx, per, cfg.c, func(ctx context.Context, _ int64) error {
				_, err := clients[i].DriveToActive(ctx)
				return err
			})
			wall := time.Since(t0)
			after := s.CPU()
			for comp, d := range after {
				cpu[i][comp] += d - before[comp]
			}
			sh.Lifecycles += per
			sh.Errors += errs
			sh.WallSeconds += wall.Seconds()
			logger.Info("scale-out run", "run", r+1, "shape", sh.Name, "lifecycles", per, "wall", wall.Round(time.Millisecond), "errors", errs)
		}
	}
	for i := range shapes {
		sh := &shapes[i]
		sh.PerSecond = float64(sh.Lifecycles-sh.Errors) / sh.WallSeconds
		sh.Calls = calls(clients[i].Rec)
		sh.CPU = harness.Cores(map[string]time.Duration{}, cpu[i], time.Duration(sh.WallSeconds*float64(time.Second)))
	}
	// Back to the shape the stack started with.
	if err := s.Scale(ctx, 1, 1); err != nil {
		return ScaleOut{}, err
	}
	out := ScaleOut{Shapes: shapes}
	if shapes[0].PerSecond > 0 {
		out.Ratio = shapes[1].PerSecond / shapes[0].PerSecond
	}
	return out, nil
}

// Phase is one phase's mean cost per lifecycle: state transitions
// (StateTransitionCount), history events, and events by type.
type Phase struct {
	Transitions float64            `json:"state_transitions"`
	Events      float64            `json:"events"`
	ByType      map[string]float64 `json:"events_by_type"`
}

// phaseOf names the phase a workflow of a lifecycle is.
func phaseOf(id string) string {
	switch {
	case strings.Contains(id, "/approval/"):
		return "approval round"
	case strings.Contains(id, "/signing/"):
		return "signing round"
	case strings.HasPrefix(id, "baseline/"):
		return "minimal workflow"
	}
	return "contract"
}

// transitions sums the workflows' StateTransitionCount and, per phase,
// the mean per lifecycle of transitions and history events by type.
func transitions(ctx context.Context, s *harness.Stack, ids []string) (int64, map[string]Phase, error) {
	var total int64
	phases := map[string]Phase{}
	runs := map[string]int{}
	for _, id := range ids {
		d, err := s.Temporal.DescribeWorkflowExecution(ctx, id, "")
		if err != nil {
			return 0, nil, fmt.Errorf("describe %s: %w", id, err)
		}
		n := d.GetWorkflowExecutionInfo().GetStateTransitionCount()
		total += n
		name := phaseOf(id)
		ph := phases[name]
		if ph.ByType == nil {
			ph.ByType = map[string]float64{}
		}
		ph.Transitions += float64(n)
		it := s.Temporal.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				return 0, nil, fmt.Errorf("history of %s: %w", id, err)
			}
			ph.Events++
			ph.ByType[strings.TrimPrefix(ev.GetEventType().String(), "EVENT_TYPE_")]++
		}
		phases[name] = ph
		if name == "contract" || name == "minimal workflow" {
			runs[name]++
		}
	}
	lifecycles := max(runs["contract"], runs["minimal workflow"], 1)
	for name, ph := range phases {
		ph.Transitions /= float64(lifecycles)
		ph.Events /= float64(lifecycles)
		for k := range ph.ByType {
			ph.ByType[k] /= float64(lifecycles)
		}
		phases[name] = ph
	}
	return total, phases, nil
}

func calls(r *harness.Recorder) map[string]Latency {
	out := map[string]Latency{}
	for _, op := range r.Ops() {
		out[op] = latency(r.Latencies(op))
	}
	return out
}

func latency(l []time.Duration) Latency {
	return Latency{Count: len(l), P50ms: harness.Ms(harness.Quantile(l, 0.5)), P99ms: harness.Ms(harness.Quantile(l, 0.99))}
}

// closedLoop runs fn total times from c clients, each starting its next
// call when its last returns, and counts errors.
func closedLoop(ctx context.Context, total, c int, fn func(ctx context.Context, i int64) error) int {
	var next, errs atomic.Int64
	var wg sync.WaitGroup
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(total) || ctx.Err() != nil {
					return
				}
				if err := fn(ctx, i); err != nil {
					errs.Add(1)
					slog.Warn("iteration failed", "err", err, "iteration", i)
				}
			}
		}()
	}
	wg.Wait()
	return int(errs.Load())
}

// startLatency times POST /v1/contracts against ExecuteWorkflow of an
// empty workflow, in alternating runs.
func startLatency(ctx context.Context, s *harness.Stack, base *harness.Baselines, cfg settings) LatencyRatio {
	client := s.NewClient(40 * time.Second)
	create := func(ctx context.Context, _ int64) error {
		_, err := client.Call(ctx, "create", http.MethodPost, "/v1/contracts", "sales", harness.ContractBody())
		return err
	}
	closedLoop(ctx, cfg.warmup, cfg.c, create)
	closedLoop(ctx, cfg.warmup, cfg.c, base.StartEmpty)
	client.Rec, base.Rec = harness.NewRecorder(), harness.NewRecorder()
	per := cfg.samples / cfg.runs
	for range cfg.runs {
		closedLoop(ctx, per, cfg.c, create)
		closedLoop(ctx, per, cfg.c, base.StartEmpty)
	}
	return ratio(latency(client.Rec.Latencies("create")), latency(base.Rec.Latencies("start")))
}

// decisionLatency times an approval through the API (an Update on the
// review round that answers with the contract's new state) against an
// Update of a trivial workflow, in alternating runs. Contracts and
// workflows are made ready outside the timed part.
func decisionLatency(ctx context.Context, s *harness.Stack, base *harness.Baselines, cfg settings) (LatencyRatio, error) {
	prep := s.NewClient(40 * time.Second)
	client := s.NewClient(40 * time.Second)
	per := cfg.samples / cfg.runs
	var seq atomic.Int64
	oneRun := func(k int) error {
		tasks := make([]string, k)
		if errs := closedLoop(ctx, k, cfg.c, func(ctx context.Context, i int64) error {
			t, err := reviewReady(ctx, prep)
			tasks[i-1] = t
			return err
		}); errs > 0 {
			return fmt.Errorf("%d contracts never reached review", errs)
		}
		trivial := make([]string, k)
		for i := range trivial {
			id, err := base.StartTrivial(ctx, seq.Add(1))
			if err != nil {
				return err
			}
			trivial[i] = id
		}
		closedLoop(ctx, k, cfg.c, func(ctx context.Context, i int64) error {
			_, err := client.Call(ctx, "decision", http.MethodPost, "/v1/tasks/"+tasks[i-1]+"/decision", "sales_manager",
				map[string]any{"decision": "approve", "opinion": "同意"})
			return err
		})
		closedLoop(ctx, k, cfg.c, func(ctx context.Context, i int64) error { return base.UpdateTrivial(ctx, trivial[i-1]) })
		return nil
	}
	if err := oneRun(cfg.warmup); err != nil {
		return LatencyRatio{}, err
	}
	client.Rec, base.Rec = harness.NewRecorder(), harness.NewRecorder()
	for range cfg.runs {
		if err := oneRun(per); err != nil {
			return LatencyRatio{}, err
		}
	}
	return ratio(latency(client.Rec.Latencies("decision")), latency(base.Rec.Latencies("update"))), nil
}

// signatureLatency times signatures through the public signing links
// (each an Update on the signing round; the last one answers once the
// contract is active) against an Update of a trivial workflow, in
// alternating runs. Contracts are taken to signing outside the timed part;
// issuing each link is not timed either.
func signatureLatency(ctx context.Context, s *harness.Stack, base *harness.Baselines, cfg settings) (LatencyRatio, error) {
	prep := s.NewClient(40 * time.Second)
	client := s.NewClient(40 * time.Second)
	per := cfg.samples / cfg.runs / 2 // two signers a contract
	var seq atomic.Int64
	oneRun := func(k int) error {
		numbers := make([]string, k)
		if errs := closedLoop(ctx, k, cfg.c, func(ctx context.Context, i int64) error {
			n, err := prep.DriveToSigning(ctx)
			numbers[i-1] = n
			return err
		}); errs > 0 {
			return fmt.Errorf("%d contracts never reached signing", errs)
		}
		trivial := make([]string, 2*k)
		for i := range trivial {
			id, err := base.StartTrivial(ctx, seq.Add(1))
			if err != nil {
				return err
			}
			trivial[i] = id
		}
		closedLoop(ctx, k, cfg.c, func(ctx context.Context, i int64) error {
			_, err := client.SignAll(ctx, numbers[i-1])
			return err
		})
		closedLoop(ctx, 2*k, cfg.c, func(ctx context.Context, i int64) error { return base.UpdateTrivial(ctx, trivial[i-1]) })
		return nil
	}
	if err := oneRun(max(1, cfg.warmup/2)); err != nil {
		return LatencyRatio{}, err
	}
	client.Rec, base.Rec = harness.NewRecorder(), harness.NewRecorder()
	for range cfg.runs {
		if err := oneRun(max(1, per)); err != nil {
			return LatencyRatio{}, err
		}
	}
	return ratio(latency(client.Rec.Latencies("sign")), latency(base.Rec.Latencies("update"))), nil
}

// reviewReady creates and submits a contract and returns its first task
// once it is in the sales manager's inbox.
func reviewReady(ctx context.Context, c *harness.Client) (string, error) {
	raw, err := c.Call(ctx, "create", http.MethodPost, "/v1/contracts", "sales", harness.ContractBody())
	if err != nil {
		return "", err
	}
	var st workflows.ContractState
	if err := json.Unmarshal(raw, &st); err != nil {
		return "", err
	}
	n := st.Contract.Number
	if _, err := c.Call(ctx, "submit", http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil); err != nil {
		return "", err
	}
	task := workflows.StageTaskID(n, 1, 1, "1")
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		raw, err := c.Call(ctx, "inbox", http.MethodGet, "/v1/tasks?status=open&contract="+n, "sales_manager", nil)
		if err != nil {
			return "", err
		}
		if strings.Contains(string(raw), `"`+task+`"`) {
			return task, nil
		}
	}
	return "", fmt.Errorf("task %s never reached the inbox", task)
}

func ratio(signet, baseline Latency) LatencyRatio {
	r := LatencyRatio{Signet: signet, Baseline: baseline}
	if baseline.P50ms > 0 {
		r.RatioP50 = signet.P50ms / baseline.P50ms
	}
	if baseline.P99ms > 0 {
		r.RatioP99 = signet.P99ms / baseline.P99ms
	}
	return r
}

func commit() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
		c += "-dirty"
	}
	return c
}

func machine() Machine {
	m := Machine{Cores: runtime.NumCPU(), Go: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	if raw, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
				kb, _ := strconv.Atoi(f[1])
				m.MemoryMB = kb / 1024
			}
		}
	}
	return m
}

func write(r Results) error {
	root, err := devstack.RepoRoot()
	if err != nil {
		return err
	}
	dir := filepath.Join(root, "testkit", "bench", "results")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	raw, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(dir, r.Date.Format("20060102T150405Z")+"-"+r.Commit+".json")
	if err := os.WriteFile(path, append(raw, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Println("\nfigures written to", path)
	return nil
}

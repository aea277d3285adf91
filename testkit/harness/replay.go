package harness

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/interceptor"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/proto"

	"github.com/signet-clm/signet/internal/payloadcodec"
	"github.com/signet-clm/signet/workflows"
)

// History is one recorded run of one of Signet's workflows.
type History struct {
	WorkflowID, RunID, Type string
	Events                  *historypb.History
	// Codec decrypts its payloads, as the worker that wrote them did.
	Codec *payloadcodec.Codec
}

// productTypes are the workflow types Signet's worker runs; the harness's
// own baselines are not replayed.
var productTypes = map[string]bool{"ContractWorkflow": true, "ApprovalWorkflow": true, "SigningWorkflow": true}

// Histories fetches every run of Signet's workflows the dev server holds,
// open or closed, continued-as-new runs included.
func (s *Stack) Histories(ctx context.Context) ([]History, error) {
	var out []History
	var token []byte
	for {
		resp, err := s.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{PageSize: 1000, NextPageToken: token})
		if err != nil {
			return nil, fmt.Errorf("list workflows: %w", err)
		}
		for _, e := range resp.Executions {
			if !productTypes[e.GetType().GetName()] {
				continue
			}
			h := History{WorkflowID: e.GetExecution().GetWorkflowId(), RunID: e.GetExecution().GetRunId(), Type: e.GetType().GetName(),
				Events: &historypb.History{}, Codec: s.codec}
			it := s.Temporal.GetWorkflowHistory(ctx, h.WorkflowID, h.RunID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
			for it.HasNext() {
				ev, err := it.Next()
				if err != nil {
					return nil, fmt.Errorf("history of %s: %w", h.WorkflowID, err)
				}
				h.Events.Events = append(h.Events.Events, ev)
			}
			out = append(out, h)
		}
		if token = resp.NextPageToken; len(token) == 0 {
			return out, nil
		}
	}
}

// Variant is a deliberately broken version of the workflow code (or, for
// a reordering, of what it recorded) that the replayer must refuse.
type Variant struct {
	Name string
	// Interceptor changes the code under replay; Mutate changes the
	// history, whose payloads dc reads and writes.
	Interceptor *breakCode
	Mutate      func(h *historypb.History, dc converter.DataConverter) bool
}

// ReplayResult is one replay's outcome.
type ReplayResult struct {
	History History
	Err     error
}

// Replay replays h against today's workflow code, changed by v when set.
func Replay(h History, v *Variant) error {
	opts := worker.WorkflowReplayerOptions{}
	events := h.Events
	if v != nil && v.Interceptor != nil {
		opts.Interceptors = []interceptor.WorkerInterceptor{v.Interceptor}
	}
	if v != nil && v.Mutate != nil {
		events = proto.Clone(h.Events).(*historypb.History)
		dc := converter.GetDefaultDataConverter()
		if h.Codec != nil {
			dc = h.Codec.DataConverter()
		}
		if !v.Mutate(events, dc) {
			return errVariantNotApplicable
		}
	}
	if h.Codec != nil {
		opts = h.Codec.ReplayerOptions(opts)
	}
	r, err := worker.NewWorkflowReplayerWithOptions(opts)
	if err != nil {
		return err
	}
	workflows.RegisterWorkflows(r)
	// A refused replay is the answer, not news: the SDK's own error log of
	// it would only repeat it.
	return r.ReplayWorkflowHistory(sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)), events)
}

// errVariantNotApplicable: the history has nothing the variant changes.
var errVariantNotApplicable = errors.New("variant does not apply to this history")

// ReplayAll replays every history against today's code.
func ReplayAll(hs []History) []ReplayResult {
	out := make([]ReplayResult, len(hs))
	for i, h := range hs {
		out[i] = ReplayResult{History: h, Err: Replay(h, nil)}
	}
	return out
}

// BrokenVariants are the three changes that would break running contracts:
// an activity renamed, the expiry timer removed, and two activities
// recorded in the other order.
func BrokenVariants() []Variant {
	return []Variant{
		{Name: "renamed activity (RecordTransition → RecordTransitionV2)", Interceptor: &breakCode{rename: map[string]string{"RecordTransition": "RecordTransitionV2"}}},
		{Name: "removed timer (AwaitWithTimeout → Await)", Interceptor: &breakCode{noTimer: true}},
		{Name: "reordered activities (first two of different types swapped)", Mutate: swapFirstActivities},
	}
}

// CatchVariant replays a history of a contract that reached active (it has
// run activities and started its expiry timer) under v and reports whether
// the replayer refused it as nondeterministic.
func CatchVariant(hs []History, v Variant) (caught bool, on string, err error) {
	for _, h := range hs {
		if h.Type != "ContractWorkflow" || !hasEvent(h.Events, enumspb.EVENT_TYPE_TIMER_STARTED) {
			continue
		}
		err := Replay(h, &v)
		if errors.Is(err, errVariantNotApplicable) {
			continue
		}
		// TMPRL1100 is the SDK's nondeterminism code, all a local
		// activity's changed marker says.
		return err != nil && (strings.Contains(err.Error(), "nondeterministic") || strings.Contains(err.Error(), "TMPRL1100")), h.WorkflowID, err
	}
	return false, "", errors.New("no contract history with a timer to break")
}

func hasEvent(h *historypb.History, t enumspb.EventType) bool {
	for _, e := range h.Events {
		if e.GetEventType() == t {
			return true
		}
	}
	return false
}

// swapFirstActivities swaps the types of the first two scheduled activities
// that differ, or of the first two local activities (their markers) when
// the history has none: the history a workflow running them the other way
// round would have recorded.
func swapFirstActivities(h *historypb.History, dc converter.DataConverter) bool {
	return swapFirstRemote(h) || swapFirstLocal(h, dc)
}

// localActivityMarker is the SDK's marker of a local activity; its "data"
// detail holds the activity's type (as ActivityType) among other fields.
const localActivityMarker = "LocalActivity"

func swapFirstLocal(h *historypb.History, dc converter.DataConverter) bool {
	type marker struct {
		attrs *historypb.MarkerRecordedEventAttributes
		data  map[string]any
	}
	var first *marker
	for _, e := range h.Events {
		a := e.GetMarkerRecordedEventAttributes()
		if a == nil || a.GetMarkerName() != localActivityMarker || a.GetDetails()["data"] == nil {
			continue
		}
		m := &marker{attrs: a, data: map[string]any{}}
		if err := dc.FromPayloads(a.GetDetails()["data"], &m.data); err != nil {
			return false
		}
		if first == nil {
			first = m
			continue
		}
		if m.data["ActivityType"] == first.data["ActivityType"] {
			continue
		}
		first.data["ActivityType"], m.data["ActivityType"] = m.data["ActivityType"], first.data["ActivityType"]
		for _, x := range []*marker{first, m} {
			p, err := dc.ToPayloads(x.data)
			if err != nil {
				return false
			}
			x.attrs.Details["data"] = p
		}
		return true
	}
	return false
}

func swapFirstRemote(h *historypb.History) bool {
	var first *historypb.ActivityTaskScheduledEventAttributes
	for _, e := range h.Events {
		a := e.GetActivityTaskScheduledEventAttributes()
		if a == nil {
			continue
		}
		if first == nil {
			first = a
			continue
		}
		if a.GetActivityType().GetName() != first.GetActivityType().GetName() {
			first.ActivityType, a.ActivityType = a.ActivityType, first.ActivityType
			return true
		}
	}
	return false
}

// breakCode is a worker interceptor that changes the workflow code under
// replay: renaming activities, or waiting without a timer.
type breakCode struct {
	interceptor.WorkerInterceptorBase
	rename  map[string]string
	noTimer bool
}

func (b *breakCode) InterceptWorkflow(_ workflow.Context, next interceptor.WorkflowInboundInterceptor) interceptor.WorkflowInboundInterceptor {
	return &brokenInbound{WorkflowInboundInterceptorBase: interceptor.WorkflowInboundInterceptorBase{Next: next}, b: b}
}

type brokenInbound struct {
	interceptor.WorkflowInboundInterceptorBase
	b *breakCode
}

func (i *brokenInbound) Init(out interceptor.WorkflowOutboundInterceptor) error {
	return i.Next.Init(&brokenOutbound{WorkflowOutboundInterceptorBase: interceptor.WorkflowOutboundInterceptorBase{Next: out}, b: i.b})
}

type brokenOutbound struct {
	interceptor.WorkflowOutboundInterceptorBase
	b *breakCode
}

func (o *brokenOutbound) ExecuteActivity(ctx workflow.Context, activityType string, args ...any) workflow.Future {
	if renamed, ok := o.b.rename[activityType]; ok {
		activityType = renamed
	}
	return o.Next.ExecuteActivity(ctx, activityType, args...)
}

func (o *brokenOutbound) ExecuteLocalActivity(ctx workflow.Context, activityType string, args ...any) workflow.Future {
	if renamed, ok := o.b.rename[activityType]; ok {
		activityType = renamed
	}
	return o.Next.ExecuteLocalActivity(ctx, activityType, args...)
}

func (o *brokenOutbound) AwaitWithTimeout(ctx workflow.Context, timeout time.Duration, condition func() bool) (bool, error) {
	if o.b.noTimer {
		return true, o.Next.Await(ctx, condition)
	}
	return o.Next.AwaitWithTimeout(ctx, timeout, condition)
}

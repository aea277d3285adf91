package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/signet-clm/signet/activities"
	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/domain"
)

// ContractInput starts (or continues) a contract workflow. State is nil on a
// new contract and carries the live state across continue-as-new.
type ContractInput struct {
	Contract domain.Contract `json:"contract"`
	State    *ContractState  `json:"state,omitempty"`
	// RenewalOf, on a successor an auto-renewing contract drafted, says
	// how it starts.
	RenewalOf *RenewalStart `json:"renewal_of,omitempty"`
	// CreatedBy is the drafter and the request that created the contract,
	// for the audit entry of its creation.
	CreatedBy audit.Actor `json:"created_by,omitzero"`
	// Migrated, on a contract signed before Signet that a bulk import
	// brings in, says where its life stands; it skips review and signing.
	// Only such starts carry it, so no recorded history takes this path.
	Migrated *MigratedStart `json:"migrated,omitempty"`
}

// MigratedStart is how an imported historical contract starts: already
// signed on SignedAt, active or past its term, with the renewal notices
// whose day has passed counted as told (its reminders run from today on).
type MigratedStart struct {
	Status     domain.Status `json:"status"`
	SignedAt   time.Time     `json:"signed_at"`
	Source     string        `json:"source"`
	ExternalID string        `json:"external_id"`
	// ImportedBy is who imported it, for the audit trail.
	ImportedBy audit.Actor `json:"imported_by,omitzero"`
}

// RenewalStart is how a successor contract starts: active at once, by the
// predecessor's auto-renewal clause, or submitted for approval.
type RenewalStart struct {
	Predecessor     string `json:"predecessor"`
	ThroughApproval bool   `json:"through_approval"`
}

// ContractState is the live state of one contract, returned by QueryState
// and by every update.
type ContractState struct {
	Contract domain.Contract `json:"contract"`
	Status   domain.Status   `json:"status"`
	Version  int             `json:"version"`
	// Round counts review rounds: each submission starts a new one.
	Round int `json:"round"`
	// Tasks are the current round's approval tasks, one per stage.
	Tasks []domain.ApprovalTask `json:"tasks"`
	// Signatures are the current signing order and who has signed.
	Signatures []domain.Signature `json:"signatures"`
	// RoundWorkflowID is the running review round's child workflow, if the
	// contract is in review under the approval engine.
	RoundWorkflowID string `json:"round_workflow_id,omitempty"`
	// SigningRound counts signing rounds; SigningWorkflowID is the running
	// one's child workflow, while the contract is out for signature.
	SigningRound      int    `json:"signing_round,omitempty"`
	SigningWorkflowID string `json:"signing_workflow_id,omitempty"`
	// RoundRecallable and SigningRecallable: the running review or signing
	// round was started under changeWithdrawVoid, so it can be withdrawn
	// or voided.
	RoundRecallable   bool `json:"round_recallable,omitempty"`
	SigningRecallable bool `json:"signing_recallable,omitempty"`
	// SigningDirect: the running signing round reports by completing
	// (changeDirectClose); the send's caller waits for its first links
	// with the round's UpdateAwaitOpened.
	SigningDirect bool `json:"signing_direct,omitempty"`
	// RoundDirect: the running review round reports by completing
	// (changeDirectClose); the submission's caller waits for its first
	// tasks with the round's UpdateAwaitOpened.
	RoundDirect bool `json:"round_direct,omitempty"`
	// Life is set once the contract is signed under changeActiveLife: its
	// payments, obligations and renewal are run by this workflow.
	Life bool `json:"life,omitempty"`
	// RenewalNotices are the offsets (days before the end) already told.
	RenewalNotices []int `json:"renewal_notices,omitempty"`
	// Invoices and Payments are what finance recorded, reversals included,
	// in order (see Entry).
	Invoices []Entry `json:"invoices,omitempty"`
	Payments []Entry `json:"payments,omitempty"`
	// Termination is the latest request to terminate; Settlement what a
	// terminated contract left owing.
	Termination *Termination `json:"termination,omitempty"`
	Settlement  *Settlement  `json:"settlement,omitempty"`
	// Amendment is the next version while it is reviewed and signed.
	Amendment *Amendment `json:"amendment,omitempty"`
	// LastDecision keeps the opinion that sent the contract back to draft.
	LastDecision *domain.ApprovalTask `json:"last_decision,omitempty"`
	SignedAt     *time.Time           `json:"signed_at,omitempty"`
	NextTimers   []Timer              `json:"next_timers"`
	// EventSeq numbers the contract's recorded events; it keys their writes.
	EventSeq  int       `json:"event_seq"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Timer is a durable timer the contract is waiting on.
type Timer struct {
	Name string    `json:"name"`
	At   time.Time `json:"at"`
}

// TimerExpiry fires when the contract's term ends.
const TimerExpiry = "expiry"

// OpenTasks returns the tasks waiting for a decision.
func (s ContractState) OpenTasks() []domain.ApprovalTask {
	var open []domain.ApprovalTask
	for _, t := range s.Tasks {
		if t.Status == domain.TaskOpen {
			open = append(open, t)
		}
	}
	return open
}

// ContractResult is what a finished contract workflow returns.
type ContractResult struct {
	Number string        `json:"number"`
	Status domain.Status `json:"status"`
}

// CreateRequest accompanies the workflow's start (update-with-start).
type CreateRequest struct {
	Actor domain.Actor `json:"actor"`
}

// SubmitRequest submits a draft for approval.
type SubmitRequest struct {
	Actor domain.Actor `json:"actor"`
}

// DecideRequest is an approver's decision on one task.
type DecideRequest struct {
	Actor    domain.Actor    `json:"actor"`
	TaskID   string          `json:"task_id"`
	Decision domain.Decision `json:"decision"`
	Opinion  string          `json:"opinion"`
}

// SendRequest sends an approved contract for signature: to Signers in
// their groups' order, open until DeadlineDays (default 14) have passed.
type SendRequest struct {
	Actor        domain.Actor    `json:"actor"`
	Signers      []domain.Signer `json:"signers,omitempty"`
	DeadlineDays int             `json:"deadline_days,omitempty"`
	RequireCode  bool            `json:"require_code,omitempty"`
	// RequireReadToEnd has the signing page keep its sign button off
	// until the document was scrolled to its end (强制阅读).
	RequireReadToEnd bool `json:"require_read_to_end,omitempty"`
}

// SignRequest records one party's signature.
type SignRequest struct {
	Actor       domain.Actor `json:"actor"`
	Party       domain.Party `json:"party"`
	SignerName  string       `json:"signer_name"`
	SignerEmail string       `json:"signer_email"`
	IP          string       `json:"ip"`
	UserAgent   string       `json:"user_agent"`
}

// Revision kinds: what a revise update changes and so who may send it.
const (
	// ReviseContent replaces a draft's terms, line items and document; the
	// owner or a sales manager edits a draft, for example after changes
	// were requested.
	ReviseContent = "content"
	// ReviseNonStandard re-renders the document with non-standard clauses
	// added; only legal may.
	ReviseNonStandard = "non_standard"
)

// ReviseRequest replaces a draft's rendered document and, for a content
// revision, its terms and line items.
type ReviseRequest struct {
	Actor    domain.Actor            `json:"actor"`
	Kind     string                  `json:"kind"`
	Contract *domain.Contract        `json:"contract,omitempty"`
	Lines    []domain.LineItem       `json:"lines,omitempty"`
	Document domain.RenderedDocument `json:"document"`
}

// CancelRequest cancels an unsigned contract.
type CancelRequest struct {
	Actor  domain.Actor `json:"actor"`
	Reason string       `json:"reason"`
}

// contractWorkflow is one contract's durable process. Update handlers make
// the people-driven transitions; run() records creation and owns the timers.
type contractWorkflow struct {
	state ContractState
	// recorded is set once the contract exists in PostgreSQL.
	recorded bool
	// mu serializes transitions: each one persists before the next begins.
	mu workflow.Mutex
	// cancelRound cancels the running review round's child workflow.
	cancelRound workflow.CancelFunc
	// children counts the rounds (review and signing) whose workflows have
	// not completed yet: a run continues as new only without any, since a
	// round closing its parent's run would be cancelled with it.
	children int
	// wake tells the signed contract's loop that an update changed what it
	// waits for.
	wake bool
	// local: this run writes through local activities (changeLocalRecords).
	local bool
	// epoch: this run was started since changeContractEpoch and takes the
	// changes before it as given (since).
	epoch bool
	// withdrawnRound and voidedRound are the last review and signing
	// rounds a recall closed, so the recall's Update knows it did.
	withdrawnRound, voidedRound int
	// following names the round workflows whose outcome is not applied
	// yet (followRound); UpdateAwaitRound waits on it.
	following map[string]bool
}

// AwaitRoundRequest names the round (its workflow ID) whose outcome the
// caller waits to see applied.
type AwaitRoundRequest struct {
	RoundWorkflowID string `json:"round_workflow_id"`
}

// ContractWorkflow runs one contract from draft to its end.
func ContractWorkflow(ctx workflow.Context, in ContractInput) (ContractResult, error) {
	w := &contractWorkflow{mu: workflow.NewMutex(ctx), following: map[string]bool{}}
	// One question for a run started since changeContractEpoch, asked
	// first as localRecords was, where it sits in every history before.
	w.epoch = workflow.GetVersion(ctx, changeContractEpoch, workflow.DefaultVersion, 1) == 1
	w.local = w.epoch || localRecords(ctx)
	if in.State != nil {
		w.state = *in.State
		w.recorded = true
	} else {
		w.state = newState(in.Contract)
	}
	if err := w.setup(ctx); err != nil {
		return ContractResult{}, err
	}
	return w.run(ctx, in)
}

// newState is a new draft's state before its creation is recorded.
func newState(c domain.Contract) ContractState {
	return ContractState{
		Contract:   c,
		Status:     domain.StatusDraft,
		Version:    1,
		Tasks:      []domain.ApprovalTask{},
		Signatures: []domain.Signature{},
		NextTimers: []Timer{},
		UpdatedAt:  c.CreatedAt,
	}
}

// Created is a new draft's creation as its workflow records it first (event
// 1, by its owner, at its creation time), and its state once recorded. The
// store records it with the draft (store.CreateDraft), so the creator can
// read the contract as soon as its workflow has started; the workflow's
// own first record then finds it written.
func Created(c domain.Contract) (domain.Transition, ContractState) {
	st := newState(c)
	st.EventSeq = 1
	owner := domain.Actor{UserID: c.OwnerID, Name: c.OwnerName}
	return domain.Transition{
		Contract: c, Status: domain.StatusDraft, Version: st.Version,
		Event: domain.Event{ID: EventID(c.Number, 1), ContractNumber: c.Number, Seq: 1, Kind: domain.EventCreated,
			ToStatus: domain.StatusDraft, ActorID: owner.UserID, ActorName: owner.Name, At: c.CreatedAt},
	}, st
}

// EventID names a contract's event by its sequence number: what makes its
// record idempotent.
func EventID(number string, seq int) string {
	return fmt.Sprintf("%s/%d", number, seq)
}

// setup registers the query and update handlers before anything else, so no
// early update or query is turned away.
func (w *contractWorkflow) setup(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (ContractState, error) {
		return w.state, nil
	}); err != nil {
		return fmt.Errorf("register query %s: %w", QueryState, err)
	}
	handlers := []struct {
		name      string
		handler   any
		validator any
	}{
		{UpdateCreate, inUpdate(w.create), w.validateCreate},
		{UpdateSubmit, inUpdate(w.submit), w.validateSubmit},
		{UpdateSend, inUpdate(w.send), w.validateSend},
		{UpdateCancel, inUpdate(w.cancel), w.validateCancel},
		{UpdateRevise, inUpdate(w.revise), w.validateRevise},
		{UpdateRecordInvoice, inUpdate(w.recordInvoice), w.validateInvoice},
		{UpdateRecordPayment, inUpdate(w.recordPayment), w.validatePayment},
		{UpdateObligation, inUpdate(w.updateObligation), w.validateObligation},
		{UpdateArchive, inUpdate(w.archive), w.validateArchive},
		{UpdateReverseInvoice, inUpdate(w.reverseInvoice), w.validateReverseInvoice},
		{UpdateReversePayment, inUpdate(w.reversePayment), w.validateReversePayment},
		{UpdateTerminate, inUpdate(w.terminate), w.validateTerminate},
		{UpdateAmend, inUpdate(w.amend), w.validateAmend},
		{UpdateWithdraw, inUpdate(w.withdraw), w.validateWithdraw},
		{UpdateVoidSigning, inUpdate(w.voidSigning), w.validateVoidSigning},
		{UpdateAwaitRound, w.awaitRound, w.validateAwaitRound},
	}
	for _, h := range handlers {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, h.name, h.handler, workflow.UpdateHandlerOptions{Validator: h.validator}); err != nil {
			return fmt.Errorf("register update %s: %w", h.name, err)
		}
	}
	return nil
}

func (w *contractWorkflow) run(ctx workflow.Context, in ContractInput) (ContractResult, error) {
	if !w.recorded {
		// Held from the creation's record through an import's or a
		// renewal's first steps: an Update that came with the start waits
		// for all of them (locked). Taking the mutex once instead of three
		// times issues no command, so recorded histories replay unchanged.
		if err := withMutex(ctx, w.mu, func() error {
			if err := w.transition(ctx, domain.EventCreated, w.creator(), domain.StatusDraft, transitionDetails{by: in.CreatedBy}); err != nil {
				return err
			}
			w.recorded = true
			if in.Migrated != nil {
				if err := w.migrate(ctx, *in.Migrated); err != nil {
					return err
				}
			}
			if in.RenewalOf != nil {
				return w.startRenewal(ctx, *in.RenewalOf)
			}
			return nil
		}); err != nil {
			return ContractResult{}, err
		}
	}

	if w.state.Life {
		return w.live(ctx)
	}
	// Until the contract is signed or cancelled, people drive it through
	// the update handlers; this loop only watches for history growth.
	for {
		if err := workflow.Await(ctx, func() bool {
			// Continue as new only between review rounds: a round reports to
			// the run that started it.
			return w.state.Status == domain.StatusActive || w.state.Status.Closed() ||
				(w.continueAsNewSuggested(ctx) && w.state.RoundWorkflowID == "" && w.state.SigningWorkflowID == "" && w.idle(ctx))
		}); err != nil {
			return ContractResult{}, err
		}
		if w.state.Status == domain.StatusActive || w.state.Status.Closed() {
			break
		}
		return ContractResult{}, w.continueAsNew(ctx)
	}
	if w.state.Status == domain.StatusActive {
		w.state.Life = true
		return w.live(ctx)
	}

	if err := w.finish(ctx); err != nil {
		return ContractResult{}, err
	}
	return ContractResult{Number: w.state.Contract.Number, Status: w.state.Status}, nil
}

// roundsFinishWithin bounds how long a closing run waits for its round
// children to complete; a round that has reported completes at once.
const roundsFinishWithin = time.Minute

// finish lets every update still finishing return its answer and, since
// changeRoundsFinish, every round child complete before the run closes.
func (w *contractWorkflow) finish(ctx workflow.Context) error {
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	if !w.since(ctx, changeRoundsFinish) || w.children == 0 {
		return nil
	}
	_, err := workflow.AwaitWithTimeout(ctx, roundsFinishWithin, func() bool { return w.children == 0 })
	return err
}

// since reports whether this run takes change: all of them under
// changeContractEpoch, else as its history recorded (or, the first time,
// the newest).
func (w *contractWorkflow) since(ctx workflow.Context, change string) bool {
	return w.epoch || workflow.GetVersion(ctx, change, workflow.DefaultVersion, 1) == 1
}

func (w *contractWorkflow) continueAsNewSuggested(ctx workflow.Context) bool {
	return workflow.GetInfo(ctx).GetContinueAsNewSuggested()
}

// idle reports whether nothing is in flight: no update handler running (a
// submission may be about to open a round) and no transition half-recorded
// (a round's outcome is applied by a goroutine, which only mu shows).
func (w *contractWorkflow) idle(ctx workflow.Context) bool {
	return workflow.AllHandlersFinished(ctx) && !w.mu.IsLocked() && w.children == 0
}

// continueAsNew hands the state to a fresh run once no handler is mid-flight.
func (w *contractWorkflow) continueAsNew(ctx workflow.Context) error {
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	state := w.state
	return workflow.NewContinueAsNewError(ctx, ContractWorkflow, ContractInput{Contract: state.Contract, State: &state})
}

func (w *contractWorkflow) validateAwaitRound(req AwaitRoundRequest) error {
	if !strings.HasPrefix(req.RoundWorkflowID, ContractWorkflowID(w.state.Contract.Number)+"/") {
		return refuse(domain.RefusedNotFound, "%q is no round of contract %s", req.RoundWorkflowID, w.state.Contract.Number)
	}
	return nil
}

// awaitRound answers with the contract's state once the named round's
// outcome is applied and recorded (a round of an earlier run, or one that
// never ran, at once). It changes nothing, so a retry is harmless.
func (w *contractWorkflow) awaitRound(ctx workflow.Context, req AwaitRoundRequest) (ContractState, error) {
	err := w.awaitRecorded(ctx, func() bool { return !w.following[req.RoundWorkflowID] })
	return w.state, err
}

// creator is the actor recorded for the created event.
func (w *contractWorkflow) creator() domain.Actor {
	return domain.Actor{UserID: w.state.Contract.OwnerID, Name: w.state.Contract.OwnerName}
}

// locked runs fn holding the transition mutex, once the creation is
// recorded. The API answers a creation as soon as the workflow has started
// (the draft and its creation are stored already), so an Update can arrive
// in the first workflow task, whose handlers the SDK runs before run():
// without the wait it would take the mutex, and event 1, before the
// creation. Awaiting a condition already true issues no command and does
// not yield, so histories whose Updates all came after the creation's
// record (every one before this answer) replay unchanged.
func (w *contractWorkflow) locked(ctx workflow.Context, fn func() error) error {
	if err := workflow.Await(ctx, func() bool { return w.recorded }); err != nil {
		return err
	}
	return withMutex(ctx, w.mu, fn)
}

// withMutex runs fn holding mu: each workflow's steps that persist state
// run one at a time.
func withMutex(ctx workflow.Context, mu workflow.Mutex, fn func() error) error {
	if err := mu.Lock(ctx); err != nil {
		return err
	}
	defer mu.Unlock()
	return fn()
}

// transitionDetails is what a transition records beyond its status change.
type transitionDetails struct {
	taskID    string
	opinion   string
	tasks     []domain.ApprovalTask
	signature *domain.Signature
	document  *domain.RenderedDocument
	lines     []domain.LineItem
	// What a signed contract's updates record.
	invoice     *domain.Invoice
	payment     *domain.Payment
	obligations []domain.Obligation
	amendment   *domain.AmendmentDraft
	// by, when it names someone, is who caused a transition made outside
	// their Update (a round's outcome: the approver who closed it), for
	// the audit trail; otherwise acting() says.
	by audit.Actor
	// search are the search attributes the transition changes besides the
	// status, upserted with it in one command (changeLocalRecords).
	search []temporal.SearchAttributeUpdate
}

// transition moves the contract to status `to`, records it in PostgreSQL
// through an activity and updates the search attributes. Callers hold mu.
func (w *contractWorkflow) transition(ctx workflow.Context, kind string, actor domain.Actor, to domain.Status, d transitionDetails) error {
	from := w.state.Status
	in := w.nextTransition(ctx, kind, actor, to, d)
	var a *activities.Activities
	var res activities.RecordTransitionResult
	if err := write(ctx, w.local, a.RecordTransition, in).Get(ctx, &res); err != nil {
		return err
	}
	return w.upsertSearch(ctx, kind, from, to, d)
}

// nextTransition moves the state to status `to` and returns what records
// the move. Callers hold mu and record it.
func (w *contractWorkflow) nextTransition(ctx workflow.Context, kind string, actor domain.Actor, to domain.Status, d transitionDetails) activities.RecordTransitionInput {
	now := workflow.Now(ctx).UTC()
	from := w.state.Status
	w.state.Status = to
	w.state.UpdatedAt = now
	w.state.EventSeq++
	if to == domain.StatusActive && from != domain.StatusActive {
		w.state.SignedAt = &now
	}
	number := w.state.Contract.Number
	event := domain.Event{
		ID:             EventID(number, w.state.EventSeq),
		ContractNumber: number,
		Seq:            w.state.EventSeq,
		Kind:           kind,
		FromStatus:     from,
		ToStatus:       to,
		ActorID:        actor.UserID,
		ActorName:      actor.Name,
		TaskID:         d.taskID,
		Opinion:        d.opinion,
		At:             now,
	}
	if kind == domain.EventCreated {
		event.FromStatus = ""
	}
	t := domain.Transition{
		Contract:    w.state.Contract,
		Status:      to,
		Version:     w.state.Version,
		SignedAt:    w.state.SignedAt,
		Event:       event,
		Tasks:       d.tasks,
		Signature:   d.signature,
		Document:    d.document,
		Lines:       d.lines,
		Invoice:     d.invoice,
		Payment:     d.payment,
		Obligations: d.obligations,
		Amendment:   d.amendment,
	}
	by := d.by
	if by.UserID == "" {
		by = acting(ctx, actor)
	}
	return activities.RecordTransitionInput{Transition: t, By: by}
}

// upsertSearch sets the search attributes a recorded transition changed,
// in one command. Under changeLocalRecords the creation sets none (the
// start set them all) and a transition's other attributes go with its
// status; before it, callers upserted those themselves.
func (w *contractWorkflow) upsertSearch(ctx workflow.Context, kind string, from, to domain.Status, d transitionDetails) error {
	if !w.local {
		if from != to || kind == domain.EventCreated {
			return workflow.UpsertTypedSearchAttributes(ctx, SearchContractStatus.ValueSet(string(to)))
		}
		return nil
	}
	updates := d.search
	if from != to && kind != domain.EventCreated {
		updates = append(updates, SearchContractStatus.ValueSet(string(to)))
	}
	if len(updates) == 0 {
		return nil
	}
	return workflow.UpsertTypedSearchAttributes(ctx, updates...)
}

// refuse builds the typed failure a validator returns; the API maps its type
// to an HTTP status.
func refuse(kind domain.RefusalKind, format string, args ...any) error {
	return temporal.NewApplicationError(fmt.Sprintf(format, args...), string(kind))
}

// mayManage reports whether actor may drive the contract as its owner does.
func (w *contractWorkflow) mayManage(actor domain.Actor) bool {
	return actor.UserID == w.state.Contract.OwnerID || actor.Has(domain.RoleSalesManager)
}

func (w *contractWorkflow) validateCreate(req CreateRequest) error {
	if req.Actor.UserID != w.state.Contract.OwnerID {
		return refuse(domain.RefusedConflict, "contract %s already exists", w.state.Contract.Number)
	}
	return nil
}

func (w *contractWorkflow) create(ctx workflow.Context, _ CreateRequest) (ContractState, error) {
	if err := workflow.Await(ctx, func() bool { return w.recorded }); err != nil {
		return ContractState{}, err
	}
	return w.state, nil
}

func (w *contractWorkflow) validateSubmit(req SubmitRequest) error {
	if !w.mayManage(req.Actor) {
		return refuse(domain.RefusedForbidden, "only the contract's owner or a sales manager may submit it")
	}
	if w.state.Status != domain.StatusDraft {
		return refuse(domain.RefusedConflict, "contract is %s; only a draft can be submitted", w.state.Status)
	}
	return nil
}

func (w *contractWorkflow) submit(ctx workflow.Context, req SubmitRequest) (ContractState, error) {
	err := w.locked(ctx, func() error {
		if err := w.validateSubmit(req); err != nil {
			return err
		}
		return w.startRound(ctx, req)
	})
	return w.state, err
}

func (w *contractWorkflow) validateSend(req SendRequest) error {
	if !w.mayManage(req.Actor) {
		return refuse(domain.RefusedForbidden, "only the contract's owner or a sales manager may send it for signature")
	}
	amending := w.state.Status == domain.StatusActive && w.state.Amendment != nil && w.state.Amendment.Status == AmendmentApproved
	if w.state.Status != domain.StatusApproved && !amending {
		return refuse(domain.RefusedConflict, "contract is %s; only an approved contract or amendment can be sent for signature", w.state.Status)
	}
	for _, s := range req.Signers {
		if strings.TrimSpace(s.Name) == "" || strings.TrimSpace(s.Email) == "" {
			return refuse(domain.RefusedInvalid, "every signer needs a name and an email")
		}
	}
	return nil
}

func (w *contractWorkflow) send(ctx workflow.Context, req SendRequest) (ContractState, error) {
	err := w.locked(ctx, func() error {
		if err := w.validateSend(req); err != nil {
			return err
		}
		return w.startSigning(ctx, req)
	})
	return w.state, err
}

func (w *contractWorkflow) validateCancel(req CancelRequest) error {
	if !w.mayManage(req.Actor) {
		return refuse(domain.RefusedForbidden, "only the contract's owner or a sales manager may cancel it")
	}
	if !w.state.Status.Cancellable() {
		return refuse(domain.RefusedConflict, "contract is %s; only a draft, in-review or approved contract can be cancelled", w.state.Status)
	}
	return nil
}

func (w *contractWorkflow) cancel(ctx workflow.Context, req CancelRequest) (ContractState, error) {
	err := w.locked(ctx, func() error {
		if err := w.validateCancel(req); err != nil {
			return err
		}
		d := transitionDetails{opinion: req.Reason}
		if w.cancelRound != nil {
			// The round closes its own tasks when cancelled.
			w.cancelRound()
			w.cancelRound = nil
		}
		return w.transition(ctx, domain.EventCancelled, req.Actor, domain.StatusCancelled, d)
	})
	return w.state, err
}

func (w *contractWorkflow) validateRevise(req ReviseRequest) error {
	switch req.Kind {
	case ReviseNonStandard:
		if !req.Actor.Has(domain.RoleLegal) {
			return refuse(domain.RefusedForbidden, "only legal may add non-standard clauses")
		}
	case ReviseContent:
		if !w.mayManage(req.Actor) {
			return refuse(domain.RefusedForbidden, "only the contract's owner or a sales manager may edit the draft")
		}
		if req.Contract == nil || len(req.Lines) == 0 {
			return refuse(domain.RefusedInvalid, "a content revision carries the new terms and line items")
		}
	default:
		return refuse(domain.RefusedInvalid, "unknown revision kind %q", req.Kind)
	}
	if w.state.Status != domain.StatusDraft {
		return refuse(domain.RefusedConflict, "contract is %s; only a draft's document can change", w.state.Status)
	}
	if len(req.Document.SHA256) != 64 || req.Document.Text == "" {
		return refuse(domain.RefusedInvalid, "a revised document needs its text and SHA-256")
	}
	return nil
}

func (w *contractWorkflow) revise(ctx workflow.Context, req ReviseRequest) (ContractState, error) {
	err := w.locked(ctx, func() error {
		if err := w.validateRevise(req); err != nil {
			return err
		}
		doc := req.Document
		d := transitionDetails{document: &doc}
		if req.Kind == ReviseContent {
			// Identity and ownership never change with the content.
			c := *req.Contract
			c.Number, c.OwnerID, c.OwnerName, c.CreatedAt = w.state.Contract.Number, w.state.Contract.OwnerID, w.state.Contract.OwnerName, w.state.Contract.CreatedAt
			w.state.Contract = c
			d.lines = req.Lines
			endDate, _ := time.Parse(time.DateOnly, c.EndDate)
			search := []temporal.SearchAttributeUpdate{
				SearchCustomerID.ValueSet(c.CustomerID),
				SearchContractAmount.ValueSet(c.Amount),
				SearchContractEndDate.ValueSet(endDate),
			}
			if w.local {
				d.search = search
			} else if err := workflow.UpsertTypedSearchAttributes(ctx, search...); err != nil {
				return err
			}
		}
		w.state.Contract.DocumentSHA256 = req.Document.SHA256
		return w.transition(ctx, domain.EventRevised, req.Actor, domain.StatusDraft, d)
	})
	return w.state, err
}

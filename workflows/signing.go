package workflows

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/signet-clm/signet/activities"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/eseal"
)

// SigningWorkflowID is the child workflow of one signing round, e.g.
// contract/HT-2026-000123/signing/1.
func SigningWorkflowID(number string, round int) string {
	return fmt.Sprintf("contract/%s/signing/%d", number, round)
}

// SignerID names a signer of a signing round.
func SignerID(number string, round, seq int) string {
	return fmt.Sprintf("%s-SR%d-%d", number, round, seq)
}

// LinkID names the n-th link issued to a signer (0-based).
func LinkID(signerID string, n int) string {
	return fmt.Sprintf("%s/L%d", signerID, n)
}

// Names of the signing round's handlers.
const (
	// UpdateSignerSign records a signature made through a link.
	UpdateSignerSign = "sign"
	// UpdateDecline declines through a link; the round closes.
	UpdateDecline = "decline"
	// UpdateReplaceSigner corrects a signer who has not signed (a wrong
	// email, say); their links are voided and a new one goes out.
	UpdateReplaceSigner = "replace_signer"
	// UpdateIssueLink adds a link for a signer whose token the caller made
	// and keeps (only its hash reaches the workflow). The API no longer
	// sends it (a link goes only to its signer); it stays for histories
	// and the Temporal-only baseline.
	UpdateIssueLink = "issue_link"
	// UpdateResendLink mails a signer a fresh link, which the sender never
	// sees.
	UpdateResendLink = "resend_link"
	// UpdateSignAsUser records a company signer's signature, made signed
	// in as the account the signer is; UpdateDeclineAsUser declines so.
	UpdateSignAsUser    = "sign_as_user"
	UpdateDeclineAsUser = "decline_as_user"
	// UpdateAwaitOpened answers once the round's first links are out (or
	// the round ended without any): the send waits on it for a round
	// started under changeDirectClose. A review round started so answers
	// it once its first tasks are saved, for the submission. It changes
	// nothing.
	UpdateAwaitOpened = "await_opened"
	// SignalProviderEvent carries an external provider's verified callback.
	SignalProviderEvent = "provider_event"
	// QuerySigningState returns the round's SigningState.
	QuerySigningState = "signing_state"
)

// SigningOutcome is how a signing round ended.
type SigningOutcome string

// Signing outcomes.
const (
	SigningOutcomeSigned   SigningOutcome = "signed"
	SigningOutcomeDeclined SigningOutcome = "declined"
	SigningOutcomeExpired  SigningOutcome = "expired"
	// SigningOutcomeVoided: the sender voided the round (changeWithdrawVoid).
	SigningOutcomeVoided SigningOutcome = "voided"
)

// ReminderPolicy says when unsigned signers are reminded.
type ReminderPolicy struct {
	FirstAfter time.Duration `json:"first_after"`
	Every      time.Duration `json:"every"`
	Max        int           `json:"max"`
}

// Signing defaults: reminders 3 days after sending, then every 2 days, at
// most 5; the request expires after 14 days.
var DefaultReminders = ReminderPolicy{FirstAfter: 72 * time.Hour, Every: 48 * time.Hour, Max: 5}

// DefaultSigningDays is how long a signing request stays open.
const DefaultSigningDays = 14

// SigningInput starts a signing round on exactly the approved document.
type SigningInput struct {
	ContractNumber string          `json:"contract_number"`
	Title          string          `json:"title"`
	OwnerID        string          `json:"owner_id"`
	Version        int             `json:"version"`
	Round          int             `json:"round"`
	DocumentSHA256 string          `json:"document_sha256"`
	Signers        []domain.Signer `json:"signers"`
	Deadline       time.Time       `json:"deadline"`
	Reminders      ReminderPolicy  `json:"reminders"`
	// RequireCode asks each signer for a one-time code mailed to them.
	RequireCode bool `json:"require_code,omitempty"`
	// RequireReadToEnd asks each link signer to scroll the document to its
	// end before signing. The signing service checks it; the round only
	// carries it (a zero in rounds from before, so their replay is the same).
	RequireReadToEnd bool `json:"require_read_to_end,omitempty"`
	// DirectClose: the round reports to its contract by completing
	// (changeDirectClose), not by the signals of rounds.go.
	DirectClose bool `json:"direct_close,omitempty"`
}

// SignerState is a signer and their links: link n is LinkID(ID, n), valid
// while ValidFrom <= n < Links.
type SignerState struct {
	domain.Signer
	Links     int                    `json:"links"`
	ValidFrom int                    `json:"valid_from"`
	Reminded  int                    `json:"reminded"`
	Signature *eseal.SealedSignature `json:"signature,omitempty"`
}

// SigningState is a round's live state.
type SigningState struct {
	ContractNumber string        `json:"contract_number"`
	Title          string        `json:"title"`
	Version        int           `json:"version"`
	Round          int           `json:"round"`
	DocumentSHA256 string        `json:"document_sha256"`
	Signers        []SignerState `json:"signers"`
	DeadlineAt     time.Time     `json:"deadline_at"`
	RequireCode    bool          `json:"require_code,omitempty"`
	// RequireReadToEnd is the round's 强制阅读 (SigningInput).
	RequireReadToEnd bool           `json:"require_read_to_end,omitempty"`
	NextReminderAt   *time.Time     `json:"next_reminder_at,omitempty"`
	Outcome          SigningOutcome `json:"outcome,omitempty"`
	// Reason is a decline's or a void's reason; DeclinedBy the signer who
	// declined, Recall the void that closed the round.
	Reason     string  `json:"reason,omitempty"`
	DeclinedBy string  `json:"declined_by,omitempty"`
	Recall     *Recall `json:"recall,omitempty"`
	// EventSeq numbers the round's recorded events; it keys their writes.
	EventSeq int `json:"event_seq"`
	// ContractStatus is the contract's status once it has recorded how the
	// round ended, so the step that ended it answers with it.
	ContractStatus domain.Status `json:"contract_status,omitempty"`
	// DirectClose: the round reports by completing (changeDirectClose), so
	// the step that ended it answers before the contract has applied it;
	// the service asks the contract (UpdateAwaitRound) for its status.
	DirectClose bool `json:"direct_close,omitempty"`
}

// SignerSignRequest is a signature through a link (or a provider).
type SignerSignRequest struct {
	LinkID     string `json:"link_id"`
	SignerName string `json:"signer_name"`
	Consent    bool   `json:"consent"`
	// CodeChecked says the API checked the signer's one-time code.
	CodeChecked bool   `json:"code_checked,omitempty"`
	IP          string `json:"ip"`
	UserAgent   string `json:"user_agent"`
}

// DeclineRequest declines through a link, with a reason.
type DeclineRequest struct {
	LinkID    string `json:"link_id"`
	Reason    string `json:"reason"`
	IP        string `json:"ip"`
	UserAgent string `json:"user_agent"`
}

// ReplaceSignerRequest corrects a signer who has not signed yet. UserID
// is the account a company signer becomes.
type ReplaceSignerRequest struct {
	Actor    domain.Actor `json:"actor"`
	SignerID string       `json:"signer_id"`
	Name     string       `json:"name"`
	Email    string       `json:"email"`
	Role     string       `json:"role"`
	UserID   string       `json:"user_id,omitempty"`
}

// UserSignRequest is a company signer's signature, made signed in as the
// account the signer is (Actor); their typed name is that account's.
type UserSignRequest struct {
	Actor     domain.Actor `json:"actor"`
	SignerID  string       `json:"signer_id"`
	Consent   bool         `json:"consent"`
	IP        string       `json:"ip"`
	UserAgent string       `json:"user_agent"`
	// SealID is the company seal applied with the signature, which the
	// service checked the signer may apply; empty: none. Only the
	// activity's input carries it, so no command changes.
	SealID string `json:"seal_id,omitempty"`
}

// UserDeclineRequest declines as a company signer, signed in.
type UserDeclineRequest struct {
	Actor     domain.Actor `json:"actor"`
	SignerID  string       `json:"signer_id"`
	Reason    string       `json:"reason"`
	IP        string       `json:"ip"`
	UserAgent string       `json:"user_agent"`
}

// ResendLinkRequest asks for a fresh link to be mailed to a signer.
type ResendLinkRequest struct {
	Actor    domain.Actor `json:"actor"`
	SignerID string       `json:"signer_id"`
}

// IssueLinkRequest registers a link whose token the caller keeps.
type IssueLinkRequest struct {
	Actor     domain.Actor `json:"actor"`
	SignerID  string       `json:"signer_id"`
	TokenHash []byte       `json:"token_hash"`
}

// IssuedLink is the link an IssueLinkRequest registered.
type IssuedLink struct {
	LinkID    string    `json:"link_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

// ProviderEvent is an external provider's callback about one signer,
// already verified (signature, timestamp, delivery ID) by the API.
type ProviderEvent struct {
	DeliveryID string `json:"delivery_id"`
	Kind       string `json:"kind"` // signed or declined
	SignerID   string `json:"signer_id"`
	SignerName string `json:"signer_name"`
	Reason     string `json:"reason"`
	IP         string `json:"ip"`
	UserAgent  string `json:"user_agent"`
}

type signingWorkflow struct {
	state   SigningState
	ownerID string
	rem     ReminderPolicy
	mu      workflow.Mutex
	// recorded is set once the contract has recorded the round's outcome
	// (SignalSigningRecorded), or, in a round that reports by completing
	// (changeDirectClose), once the round's close and signed PDF are
	// recorded; the signature or decline that ended the round answers
	// only then.
	recorded bool
	// opening is set once the first group's links are out or the round
	// has ended without them (UpdateAwaitOpened).
	opening bool
	// local: this run writes through local activities (changeLocalRecords).
	local bool
	// opened are the groups whose links a recorded step sent already (the
	// round's start, or the signature that completed the group before);
	// closeRecorded: the last signature recorded the round closed.
	opened        []int
	closeRecorded bool
}

// SigningWorkflow runs one signing round: groups of signers in order, each
// signer with one-time links, reminders, a deadline; a decline closes it.
func SigningWorkflow(ctx workflow.Context, in SigningInput) (SigningState, error) {
	w := &signingWorkflow{ownerID: in.OwnerID, rem: in.Reminders, mu: workflow.NewMutex(ctx), local: in.DirectClose || localRecords(ctx), state: SigningState{
		ContractNumber: in.ContractNumber, Title: in.Title, Version: in.Version, Round: in.Round,
		DocumentSHA256: in.DocumentSHA256, DeadlineAt: in.Deadline, RequireCode: in.RequireCode, RequireReadToEnd: in.RequireReadToEnd, Signers: make([]SignerState, len(in.Signers)),
		DirectClose: in.DirectClose,
	}}
	for i, s := range in.Signers {
		w.state.Signers[i] = SignerState{Signer: s}
	}
	if err := w.setup(ctx); err != nil {
		return SigningState{}, err
	}
	if in.DirectClose || workflow.GetVersion(ctx, changeWithdrawVoid, workflow.DefaultVersion, 1) == 1 {
		workflow.Go(ctx, w.awaitVoid)
	}
	return w.run(ctx)
}

// awaitVoid closes the round as voided when its contract asks, unless a
// signature, decline or the deadline closed it first; run then records
// the close (closeStep voids its links and signatures) and reports it.
func (w *signingWorkflow) awaitVoid(ctx workflow.Context) {
	var recall Recall
	workflow.GetSignalChannel(ctx, SignalSigningVoid).Receive(ctx, &recall)
	if err := w.withLock(ctx, func() error {
		if w.state.Outcome == "" {
			w.state.Outcome, w.state.Reason, w.state.Recall = SigningOutcomeVoided, recall.Reason, &recall
		}
		return nil
	}); err != nil {
		workflow.GetLogger(ctx).Warn("void signing round", "err", err)
	}
}

func (w *signingWorkflow) setup(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QuerySigningState, func() (SigningState, error) { return w.state, nil }); err != nil {
		return fmt.Errorf("register query %s: %w", QuerySigningState, err)
	}
	handlers := []struct {
		name      string
		handler   any
		validator any
	}{
		{UpdateSignerSign, w.sign, w.validateSign},
		{UpdateDecline, w.decline, w.validateDecline},
		{UpdateReplaceSigner, w.replaceSigner, w.validateReplace},
		{UpdateIssueLink, w.issueLink, w.validateIssueLink},
		{UpdateResendLink, w.resendLink, w.validateResend},
		{UpdateSignAsUser, w.signAsUser, w.validateUserSign},
		{UpdateDeclineAsUser, w.declineAsUser, w.validateUserDecline},
	}
	for _, h := range handlers {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, h.name, h.handler, workflow.UpdateHandlerOptions{Validator: h.validator}); err != nil {
			return fmt.Errorf("register update %s: %w", h.name, err)
		}
	}
	if !w.state.DirectClose {
		// Rounds from before changeDirectClose signal their contract instead.
		return nil
	}
	return workflow.SetUpdateHandler(ctx, UpdateAwaitOpened, w.awaitOpened)
}

// awaitOpened answers the send once the first links are out (or the round
// ended without any), with the round as it is then.
func (w *signingWorkflow) awaitOpened(ctx workflow.Context, _ struct{}) (SigningState, error) {
	err := workflow.Await(ctx, func() bool { return w.opening || w.state.Outcome != "" })
	return w.state, err
}

func (w *signingWorkflow) run(ctx workflow.Context) (SigningState, error) {
	now := workflow.Now(ctx).UTC()
	started := w.event(domain.SigningSent, "", "", now)
	started.Detail = "签署请求已发出 / sent for signature"
	first := domain.SigningStep{Round: w.roundRecord(now), Signers: w.signers(), Events: []domain.SigningEvent{started}}
	if gs := w.groups(); w.local && len(gs) > 0 {
		// The round's start and its first group's links are one step.
		open := w.openStep(gs[0], now)
		open.Events = append(first.Events, open.Events...)
		first = open
	}
	if err := w.record(ctx, first); err != nil {
		return SigningState{}, err
	}
	workflow.Go(ctx, w.remind)
	workflow.Go(ctx, w.providerEvents)

	for k, g := range w.groups() {
		if err := w.withLock(ctx, func() error {
			if slices.Contains(w.opened, g) {
				return nil
			}
			return w.openGroup(ctx, g)
		}); err != nil {
			return SigningState{}, err
		}
		if k == 0 {
			// The contract's send answers once the first links are out,
			// so the sender sees signers to act on: it asks, or is told.
			w.opening = true
			if parent := workflow.GetInfo(ctx).ParentWorkflowExecution; parent != nil && !w.state.DirectClose {
				if err := workflow.SignalExternalWorkflow(ctx, parent.ID, "", SignalSigningOpened, w.state.Round).Get(ctx, nil); err != nil {
					return SigningState{}, err
				}
			}
		}
		done := false
		if left := w.state.DeadlineAt.Sub(workflow.Now(ctx)); left > 0 {
			var err error
			if done, err = workflow.AwaitWithTimeout(ctx, left, func() bool { return w.state.Outcome != "" || w.groupSigned(g) }); err != nil {
				return SigningState{}, err
			}
		}
		if !done {
			w.state.Outcome = SigningOutcomeExpired
		}
		if w.state.Outcome != "" {
			break
		}
	}
	// The lock orders the close after the handler's own write; a handler
	// still waiting for it finds the round closed and is refused.
	err := w.withLock(ctx, func() error {
		if w.closeRecorded {
			return nil
		}
		if w.state.Outcome == "" {
			w.state.Outcome = SigningOutcomeSigned
		}
		return w.record(ctx, w.closeStep(workflow.Now(ctx).UTC()))
	})
	if err != nil {
		return w.state, err
	}
	if w.state.Outcome == SigningOutcomeSigned && (w.state.DirectClose || workflow.GetVersion(ctx, changeSignedPDF, workflow.DefaultVersion, 1) == 1) {
		w.signPDF(ctx)
	}
	return w.state, w.report(ctx)
}

// signPDF has the worker apply Signet's PDF signature to the version's
// PDF now that every party has signed (changeSignedPDF), before the
// contract hears of it, so the signed file is there once the last
// signature answers. A failure leaves the PDF unsigned, never the round
// open: the signatures are recorded and sealed already.
func (w *signingWorkflow) signPDF(ctx workflow.Context) {
	var a *activities.Activities
	in := activities.SignPDFInput{ContractNumber: w.state.ContractNumber, Version: w.state.Version,
		RequireCode: w.state.RequireCode, At: workflow.Now(ctx).UTC()}
	var res activities.SignPDFResult
	if err := workflow.ExecuteLocalActivity(signPDFOptions(ctx), a.SignPDF, in).Get(ctx, &res); err != nil {
		workflow.GetLogger(ctx).Warn("the signed PDF was not made; the version's PDF stays unsigned",
			"contract", w.state.ContractNumber, "version", w.state.Version, "error", err)
	}
}

// report tells the contract the round's outcome and waits until it is
// recorded (rounds.go), then lets the signature or decline that ended the
// round answer.
func (w *signingWorkflow) report(ctx workflow.Context) error {
	if w.state.DirectClose {
		// The round's result is its report (changeDirectClose).
		w.recorded = true
		return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
	}
	st, err := reportToContract(ctx, SignalSigningClosed, SignalSigningRecorded, w.state)
	if err != nil || st == nil {
		return err
	}
	w.recorded = true
	w.state.ContractStatus = st.Status
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// answer returns a handler's state, once the contract has recorded the
// outcome when this handler's step ended the round.
func (w *signingWorkflow) answer(ctx workflow.Context, err error) (SigningState, error) {
	if err == nil && w.state.Outcome != "" && workflow.GetInfo(ctx).ParentWorkflowExecution != nil {
		err = workflow.Await(ctx, func() bool { return w.recorded })
	}
	return w.state, err
}

// groups returns the signing groups in order.
func (w *signingWorkflow) groups() []int {
	var gs []int
	for _, s := range w.state.Signers {
		if !slices.Contains(gs, s.Group) {
			gs = append(gs, s.Group)
		}
	}
	slices.Sort(gs)
	return gs
}

func (w *signingWorkflow) groupSigned(g int) bool {
	for _, s := range w.state.Signers {
		if s.Group == g && s.Status != domain.SignerSigned {
			return false
		}
	}
	return true
}

// closeStep closes the round with its outcome set: the signers still to
// act closed, every link ended. Callers hold mu.
func (w *signingWorkflow) closeStep(now time.Time) domain.SigningStep {
	var events []domain.SigningEvent
	if w.state.Outcome == SigningOutcomeExpired {
		e := w.event(domain.SigningExpired, "", "", now)
		e.Detail = "签署期限已过 / the signing deadline passed"
		events = append(events, e)
	}
	voided := w.state.Outcome == SigningOutcomeVoided
	if voided {
		e := w.event(domain.SigningVoided, "", "", now)
		if r := w.state.Recall; r != nil {
			e.SignerName = r.Actor.Name
		}
		e.Detail = w.state.Reason
		events = append(events, e)
	}
	for i := range w.state.Signers {
		if s := &w.state.Signers[i]; s.Status == domain.SignerWaiting || s.Status == domain.SignerOpen {
			s.Status = domain.SignerClosed
		}
	}
	round := w.roundRecord(now)
	round.ClosedAt = &now
	if voided {
		// Its links are revoked, not merely over, and what was signed in
		// it no longer counts.
		return domain.SigningStep{Round: round, Signers: w.signers(), Events: events, VoidRound: true}
	}
	return domain.SigningStep{Round: round, Signers: w.signers(), Events: events, CloseLinks: true}
}

// openGroup opens group g's signers and sends each a link. Callers hold mu.
func (w *signingWorkflow) openGroup(ctx workflow.Context, g int) error {
	return w.record(ctx, w.openStep(g, workflow.Now(ctx).UTC()))
}

// openStep opens group g's signers and returns the step that sends each
// a link. Callers hold mu and record it.
func (w *signingWorkflow) openStep(g int, now time.Time) domain.SigningStep {
	w.opened = append(w.opened, g)
	step := domain.SigningStep{Round: w.roundRecord(now)}
	for i := range w.state.Signers {
		s := &w.state.Signers[i]
		if s.Group != g || s.Status != domain.SignerWaiting {
			continue
		}
		s.Status = domain.SignerOpen
		step.Links = append(step.Links, w.newLink(s, nil))
		e := w.event(domain.SigningSent, s.ID, s.Name, now)
		e.Detail = s.Email
		step.Events = append(step.Events, e)
	}
	step.Signers = w.signers()
	return step
}

// newLink numbers the signer's next link; a nil hash asks the activity to
// make the token and email it.
func (w *signingWorkflow) newLink(s *SignerState, hash []byte) domain.SigningLink {
	l := domain.SigningLink{ID: LinkID(s.ID, s.Links), SignerID: s.ID, Name: s.Name, Email: s.Email, TokenHash: hash, ExpiresAt: w.state.DeadlineAt, UserID: s.UserID}
	s.Links++
	return l
}

// remind reminds open signers on the policy's schedule with a fresh link,
// until the round ends or the reminders run out.
func (w *signingWorkflow) remind(ctx workflow.Context) {
	wait := w.rem.FirstAfter
	for n := 0; n < w.rem.Max && wait > 0; n++ {
		at := workflow.Now(ctx).Add(wait).UTC()
		w.state.NextReminderAt = &at
		closed, err := workflow.AwaitWithTimeout(ctx, wait, func() bool { return w.state.Outcome != "" })
		if err != nil || closed {
			return
		}
		err = w.withLock(ctx, func() error {
			if w.state.Outcome != "" {
				return nil
			}
			now := workflow.Now(ctx).UTC()
			step := domain.SigningStep{Round: w.roundRecord(now)}
			for i := range w.state.Signers {
				s := &w.state.Signers[i]
				if s.Status != domain.SignerOpen {
					continue
				}
				s.Reminded++
				step.Links = append(step.Links, w.newLink(s, nil))
				step.Events = append(step.Events, w.event(domain.SigningReminded, s.ID, s.Name, now))
			}
			return w.record(ctx, step)
		})
		if err != nil {
			workflow.GetLogger(ctx).Warn("signing reminder failed", "err", err)
			return
		}
		wait = w.rem.Every
	}
	w.state.NextReminderAt = nil
}

// providerEvents applies an external provider's callbacks as they come.
func (w *signingWorkflow) providerEvents(ctx workflow.Context) {
	ch := workflow.GetSignalChannel(ctx, SignalProviderEvent)
	for {
		var ev ProviderEvent
		if !ch.Receive(ctx, &ev) {
			return
		}
		i, ok := w.findSigner(ev.SignerID)
		if !ok || w.state.Outcome != "" {
			workflow.GetLogger(ctx).Warn("provider event ignored", "delivery", ev.DeliveryID, "signer", ev.SignerID)
			continue
		}
		link := LinkID(ev.SignerID, w.state.Signers[i].Links-1)
		var err error
		switch ev.Kind {
		case domain.SigningSigned:
			// The provider authenticated the signer its own way.
			_, err = w.sign(ctx, SignerSignRequest{LinkID: link, SignerName: ev.SignerName, Consent: true, CodeChecked: true, IP: ev.IP, UserAgent: ev.UserAgent})
		case domain.SigningDeclined:
			_, err = w.decline(ctx, DeclineRequest{LinkID: link, Reason: ev.Reason, IP: ev.IP, UserAgent: ev.UserAgent})
		default:
			err = fmt.Errorf("unknown provider event kind %q", ev.Kind)
		}
		if err != nil {
			workflow.GetLogger(ctx).Warn("provider event refused", "delivery", ev.DeliveryID, "err", err)
		}
	}
}

// signerOfLink finds the signer a link belongs to and checks the link is
// one of theirs still in force.
func (w *signingWorkflow) signerOfLink(linkID string) (int, error) {
	signerID, n, ok := strings.Cut(linkID, "/L")
	num, err := strconv.Atoi(n)
	i, found := w.findSigner(signerID)
	if !ok || err != nil || !found || num >= w.state.Signers[i].Links {
		return 0, refuse(domain.RefusedNotFound, "no such signing link")
	}
	if num < w.state.Signers[i].ValidFrom {
		return 0, refuse(domain.RefusedConflict, "this link was voided when the signer was replaced")
	}
	return i, nil
}

func (w *signingWorkflow) findSigner(id string) (int, bool) {
	for i, s := range w.state.Signers {
		if s.ID == id {
			return i, true
		}
	}
	return 0, false
}

// mayAct checks that signer i may act now: the round is open and it is
// their group's turn.
func (w *signingWorkflow) mayAct(i int) error {
	s := w.state.Signers[i]
	switch {
	case w.state.Outcome != "":
		return refuse(domain.RefusedConflict, "the signing request is closed (%s)", w.state.Outcome)
	case s.Status == domain.SignerSigned:
		return refuse(domain.RefusedConflict, "%s has already signed", s.Name)
	case s.Status == domain.SignerWaiting:
		return refuse(domain.RefusedConflict, "it is not %s's turn yet: earlier signers have not all signed", s.Name)
	case s.Status != domain.SignerOpen:
		return refuse(domain.RefusedConflict, "%s can no longer sign", s.Name)
	}
	return nil
}

func (w *signingWorkflow) validateSign(req SignerSignRequest) error {
	i, err := w.signerOfLink(req.LinkID)
	if err != nil {
		return err
	}
	if s := w.state.Signers[i]; s.UserID != "" {
		return refuse(domain.RefusedForbidden, "%s signs for the company signed in, not through a link", s.Name)
	}
	if strings.TrimSpace(req.SignerName) == "" || !req.Consent {
		return refuse(domain.RefusedInvalid, "a signature needs the signer's typed name and their consent")
	}
	if w.state.RequireCode && !req.CodeChecked {
		return refuse(domain.RefusedInvalid, "this signing request needs the one-time code mailed to the signer")
	}
	return w.mayAct(i)
}

func (w *signingWorkflow) sign(ctx workflow.Context, req SignerSignRequest) (SigningState, error) {
	err := w.withLock(ctx, func() error {
		if err := w.validateSign(req); err != nil {
			return err
		}
		i, _ := w.signerOfLink(req.LinkID)
		return w.recordSignature(ctx, i, strings.TrimSpace(req.SignerName), "", req.LinkID, req.IP, req.UserAgent, "")
	})
	return w.answer(ctx, err)
}

// recordSignature seals and stores signer i's signature, made through
// linkID or signed in as userID, and ends the round with the last one.
// Callers hold mu and have checked the signer may sign.
func (w *signingWorkflow) recordSignature(ctx workflow.Context, i int, name, userID, linkID, ip, userAgent, sealID string) error {
	s := &w.state.Signers[i]
	now := workflow.Now(ctx).UTC()
	w.state.EventSeq++
	in := activities.RecordSignatureInput{
		Record: eseal.SignatureRecord{
			ContractNumber: w.state.ContractNumber, Version: w.state.Version, Round: w.state.Round,
			DocumentSHA256: w.state.DocumentSHA256, SignerID: s.ID, SignerName: name,
			SignerEmail: s.Email, Party: string(s.Party), Role: s.Role, IP: ip, UserAgent: userAgent,
			SignedAt: now, LinkID: linkID, UserID: userID,
		},
		Order:   s.Seq,
		EventID: w.eventID(),
		SealID:  sealID,
	}
	if w.local {
		return w.signAndStep(ctx, i, in, now)
	}
	var res activities.RecordSignatureResult
	if err := workflow.ExecuteActivity(recordOptions(ctx), (*activities.Activities).RecordSignature, in).Get(ctx, &res); err != nil {
		return err
	}
	s.Status = domain.SignerSigned
	s.Signature = &res.Signature
	// The last signature ends the round, so its answer says so.
	if !slices.ContainsFunc(w.state.Signers, func(o SignerState) bool { return o.Status != domain.SignerSigned }) {
		w.state.Outcome = SigningOutcomeSigned
	}
	return nil
}

// signAndStep is recordSignature under changeLocalRecords: one local
// activity seals and stores the signature and records the step it causes,
// the next group's links or, after the last signature, the round closed.
// A failed write leaves the round as it was. Callers hold mu.
func (w *signingWorkflow) signAndStep(ctx workflow.Context, i int, in activities.RecordSignatureInput, now time.Time) error {
	before, opened, seq := slices.Clone(w.state.Signers), slices.Clone(w.opened), w.state.EventSeq
	s := &w.state.Signers[i]
	s.Status = domain.SignerSigned
	closes := false
	switch {
	case !slices.ContainsFunc(w.state.Signers, func(o SignerState) bool { return o.Status != domain.SignerSigned }):
		w.state.Outcome = SigningOutcomeSigned
		step := w.closeStep(now)
		in.Then, closes = &step, true
	case w.groupSigned(s.Group):
		for _, g := range w.groups() {
			if g > s.Group && !slices.Contains(w.opened, g) {
				step := w.openStep(g, now)
				in.Then = &step
				break
			}
		}
	}
	var res activities.RecordSignatureResult
	// A method value (nil receiver), not a method expression: the worker
	// runs the registered one, and a replayer, which registers none,
	// checks the arguments against the method's own.
	var a *activities.Activities
	if err := workflow.ExecuteLocalActivity(localOptions(ctx), a.RecordSignature, in).Get(ctx, &res); err != nil {
		w.state.Signers, w.opened, w.state.EventSeq, w.state.Outcome = before, opened, seq, ""
		return err
	}
	w.state.Signers[i].Signature = &res.Signature
	w.closeRecorded = closes
	return nil
}

// signerOfUser finds the signer a signed-in user acts as: only the
// account a company signer is may act for them.
func (w *signingWorkflow) signerOfUser(a domain.Actor, signerID string) (int, error) {
	i, ok := w.findSigner(signerID)
	if !ok {
		return 0, refuse(domain.RefusedNotFound, "no signer %s in this signing request", signerID)
	}
	switch s := w.state.Signers[i]; {
	case s.UserID == "":
		return 0, refuse(domain.RefusedForbidden, "%s signs through the link mailed to them, not signed in", s.Name)
	case s.UserID != a.UserID:
		return 0, refuse(domain.RefusedForbidden, "only %s, signed in, may act as this signer", s.Name)
	}
	return i, nil
}

func (w *signingWorkflow) validateUserSign(req UserSignRequest) error {
	i, err := w.signerOfUser(req.Actor, req.SignerID)
	if err != nil {
		return err
	}
	if !req.Consent || strings.TrimSpace(req.Actor.Name) == "" {
		return refuse(domain.RefusedInvalid, "a signature needs the signer's consent")
	}
	return w.mayAct(i)
}

func (w *signingWorkflow) signAsUser(ctx workflow.Context, req UserSignRequest) (SigningState, error) {
	err := w.withLock(ctx, func() error {
		if err := w.validateUserSign(req); err != nil {
			return err
		}
		i, _ := w.signerOfUser(req.Actor, req.SignerID)
		return w.recordSignature(ctx, i, strings.TrimSpace(req.Actor.Name), req.Actor.UserID, "", req.IP, req.UserAgent, req.SealID)
	})
	return w.answer(ctx, err)
}

func (w *signingWorkflow) validateUserDecline(req UserDeclineRequest) error {
	i, err := w.signerOfUser(req.Actor, req.SignerID)
	if err != nil {
		return err
	}
	if strings.TrimSpace(req.Reason) == "" {
		return refuse(domain.RefusedInvalid, "a decline needs a reason")
	}
	return w.mayAct(i)
}

func (w *signingWorkflow) declineAsUser(ctx workflow.Context, req UserDeclineRequest) (SigningState, error) {
	err := w.withLock(ctx, func() error {
		if err := w.validateUserDecline(req); err != nil {
			return err
		}
		i, _ := w.signerOfUser(req.Actor, req.SignerID)
		return w.recordDecline(ctx, i, req.Reason, req.IP, req.UserAgent)
	})
	return w.answer(ctx, err)
}

func (w *signingWorkflow) validateDecline(req DeclineRequest) error {
	i, err := w.signerOfLink(req.LinkID)
	if err != nil {
		return err
	}
	if s := w.state.Signers[i]; s.UserID != "" {
		return refuse(domain.RefusedForbidden, "%s declines signed in, not through a link", s.Name)
	}
	if strings.TrimSpace(req.Reason) == "" {
		return refuse(domain.RefusedInvalid, "a decline needs a reason")
	}
	return w.mayAct(i)
}

func (w *signingWorkflow) decline(ctx workflow.Context, req DeclineRequest) (SigningState, error) {
	err := w.withLock(ctx, func() error {
		if err := w.validateDecline(req); err != nil {
			return err
		}
		i, _ := w.signerOfLink(req.LinkID)
		return w.recordDecline(ctx, i, req.Reason, req.IP, req.UserAgent)
	})
	return w.answer(ctx, err)
}

// recordDecline records signer i's decline, which closes the round.
// Callers hold mu and have checked the signer may act.
func (w *signingWorkflow) recordDecline(ctx workflow.Context, i int, reason, ip, userAgent string) error {
	s := &w.state.Signers[i]
	now := workflow.Now(ctx).UTC()
	s.Status = domain.SignerDeclined
	e := w.event(domain.SigningDeclined, s.ID, s.Name, now)
	e.IP, e.UserAgent, e.Detail = ip, userAgent, strings.TrimSpace(reason)
	if err := w.record(ctx, domain.SigningStep{Round: w.roundRecord(now), Signers: w.signers(), Events: []domain.SigningEvent{e}}); err != nil {
		return err
	}
	w.state.Outcome, w.state.Reason, w.state.DeclinedBy = SigningOutcomeDeclined, e.Detail, s.Name
	return nil
}

// mayManage: the contract's owner or a sales manager.
func (w *signingWorkflow) mayManage(a domain.Actor) bool {
	return a.UserID == w.ownerID || a.Has(domain.RoleSalesManager)
}

func (w *signingWorkflow) validateReplace(req ReplaceSignerRequest) error {
	if !w.mayManage(req.Actor) {
		return refuse(domain.RefusedForbidden, "only the contract's owner or a sales manager may change a signer")
	}
	i, ok := w.findSigner(req.SignerID)
	if !ok {
		return refuse(domain.RefusedNotFound, "no signer %s in this signing request", req.SignerID)
	}
	if strings.TrimSpace(req.Name) == "" || strings.TrimSpace(req.Email) == "" {
		return refuse(domain.RefusedInvalid, "a signer needs a name and an email")
	}
	if s := w.state.Signers[i]; w.state.Outcome != "" || (s.Status != domain.SignerOpen && s.Status != domain.SignerWaiting) {
		return refuse(domain.RefusedConflict, "%s can no longer be changed", s.Name)
	}
	return nil
}

func (w *signingWorkflow) replaceSigner(ctx workflow.Context, req ReplaceSignerRequest) (SigningState, error) {
	err := w.withLock(ctx, func() error {
		if err := w.validateReplace(req); err != nil {
			return err
		}
		i, _ := w.findSigner(req.SignerID)
		s := &w.state.Signers[i]
		now := workflow.Now(ctx).UTC()
		voided := w.event(domain.SigningVoided, s.ID, s.Name, now)
		voided.Detail = fmt.Sprintf("%s <%s> → %s <%s>", s.Name, s.Email, req.Name, req.Email)
		s.Name, s.Email = strings.TrimSpace(req.Name), strings.TrimSpace(req.Email)
		if req.Role != "" {
			s.Role = req.Role
		}
		if req.UserID != "" {
			s.UserID = req.UserID
		}
		s.ValidFrom = s.Links
		step := domain.SigningStep{Round: w.roundRecord(now), VoidSigners: []string{s.ID}, Events: []domain.SigningEvent{voided}}
		if s.Status == domain.SignerOpen {
			step.Links = []domain.SigningLink{w.newLink(s, nil)}
			sent := w.event(domain.SigningSent, s.ID, s.Name, now)
			sent.Detail = s.Email
			step.Events = append(step.Events, sent)
		}
		step.Signers = w.signers()
		return w.record(ctx, step)
	})
	return w.state, err
}

func (w *signingWorkflow) validateIssueLink(req IssueLinkRequest) error {
	if !w.mayManage(req.Actor) {
		return refuse(domain.RefusedForbidden, "only the contract's owner or a sales manager may issue a signing link")
	}
	i, ok := w.findSigner(req.SignerID)
	if !ok {
		return refuse(domain.RefusedNotFound, "no signer %s in this signing request", req.SignerID)
	}
	if len(req.TokenHash) != 32 {
		return refuse(domain.RefusedInvalid, "a link needs its token's SHA-256")
	}
	if s := w.state.Signers[i]; w.state.Outcome != "" || (s.Status != domain.SignerOpen && s.Status != domain.SignerWaiting) {
		return refuse(domain.RefusedConflict, "%s can no longer sign", s.Name)
	}
	return nil
}

func (w *signingWorkflow) issueLink(ctx workflow.Context, req IssueLinkRequest) (IssuedLink, error) {
	var out IssuedLink
	err := w.withLock(ctx, func() error {
		if err := w.validateIssueLink(req); err != nil {
			return err
		}
		i, _ := w.findSigner(req.SignerID)
		link := w.newLink(&w.state.Signers[i], req.TokenHash)
		out = IssuedLink{LinkID: link.ID, ExpiresAt: link.ExpiresAt}
		return w.record(ctx, domain.SigningStep{Round: w.roundRecord(workflow.Now(ctx).UTC()), Links: []domain.SigningLink{link}})
	})
	return out, err
}

func (w *signingWorkflow) validateResend(req ResendLinkRequest) error {
	if !w.mayManage(req.Actor) {
		return refuse(domain.RefusedForbidden, "only the contract's owner or a sales manager may resend a signing link")
	}
	i, ok := w.findSigner(req.SignerID)
	if !ok {
		return refuse(domain.RefusedNotFound, "no signer %s in this signing request", req.SignerID)
	}
	switch s := w.state.Signers[i]; {
	case s.UserID != "":
		return refuse(domain.RefusedConflict, "%s signs signed in; there is no link to resend", s.Name)
	case w.state.Outcome != "":
		return refuse(domain.RefusedConflict, "the signing request is closed (%s)", w.state.Outcome)
	case s.Status == domain.SignerWaiting:
		return refuse(domain.RefusedConflict, "it is not %s's turn yet: their link goes out when it is", s.Name)
	case s.Status != domain.SignerOpen:
		return refuse(domain.RefusedConflict, "%s can no longer sign", s.Name)
	}
	return nil
}

// resendLink mails the signer a fresh link; earlier links stay valid.
func (w *signingWorkflow) resendLink(ctx workflow.Context, req ResendLinkRequest) (IssuedLink, error) {
	var out IssuedLink
	err := w.withLock(ctx, func() error {
		if err := w.validateResend(req); err != nil {
			return err
		}
		i, _ := w.findSigner(req.SignerID)
		s := &w.state.Signers[i]
		now := workflow.Now(ctx).UTC()
		link := w.newLink(s, nil)
		e := w.event(domain.SigningResent, s.ID, s.Name, now)
		e.Detail = s.Email
		out = IssuedLink{LinkID: link.ID, ExpiresAt: link.ExpiresAt}
		return w.record(ctx, domain.SigningStep{Round: w.roundRecord(now), Links: []domain.SigningLink{link}, Events: []domain.SigningEvent{e}})
	})
	return out, err
}

func (w *signingWorkflow) withLock(ctx workflow.Context, fn func() error) error {
	return withMutex(ctx, w.mu, fn)
}

// eventID numbers the round's next event.
func (w *signingWorkflow) eventID() string {
	return fmt.Sprintf("%s/SR%d/%d", w.state.ContractNumber, w.state.Round, w.state.EventSeq)
}

func (w *signingWorkflow) event(kind, signerID, signerName string, at time.Time) domain.SigningEvent {
	w.state.EventSeq++
	return domain.SigningEvent{ID: w.eventID(), Kind: kind, SignerID: signerID, SignerName: signerName, At: at}
}

func (w *signingWorkflow) roundRecord(now time.Time) domain.SigningRound {
	status := "open"
	if w.state.Outcome != "" {
		status = string(w.state.Outcome)
	}
	return domain.SigningRound{
		ContractNumber: w.state.ContractNumber, Title: w.state.Title, Round: w.state.Round, Version: w.state.Version,
		DocumentSHA256: w.state.DocumentSHA256, Status: status, DeadlineAt: w.state.DeadlineAt, Reason: w.state.Reason, At: now,
	}
}

func (w *signingWorkflow) signers() []domain.Signer {
	out := make([]domain.Signer, len(w.state.Signers))
	for i, s := range w.state.Signers {
		out[i] = s.Signer
	}
	return out
}

// record writes one step of the round to PostgreSQL.
func (w *signingWorkflow) record(ctx workflow.Context, step domain.SigningStep) error {
	var a *activities.Activities
	return write(ctx, w.local, a.RecordSigningStep, step).Get(ctx, nil)
}

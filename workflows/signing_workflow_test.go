package workflows_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"github.com/stretchr/testify/suite"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/signet-clm/signet/activities"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/eseal"
	"github.com/signet-clm/signet/workflows"
)

// testSealer seals signatures in the workflow tests as the worker would.
var testSealer = func() *eseal.Sealer {
	s, err := eseal.NewSealer(make([]byte, 32))
	if err != nil {
		panic(err)
	}
	return s
}()

const docHash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

// signingSuite runs a signing round on its own, with its PostgreSQL
// writes recorded and its signatures sealed by a real key.
type signingSuite struct {
	suite.Suite
	testsuite.WorkflowTestSuite
	env   *testsuite.TestWorkflowEnvironment
	steps []domain.SigningStep
	start time.Time
	// pdfs are the SignPDF calls: one per round that completed signed.
	pdfs []activities.SignPDFInput
}

func TestSigningWorkflow(t *testing.T) { suite.Run(t, new(signingSuite)) }

func (s *signingSuite) SetupTest() {
	s.env = s.NewTestWorkflowEnvironment()
	s.start = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	s.env.SetStartTime(s.start)
	s.steps, s.pdfs = nil, nil
	var a *activities.Activities
	s.env.OnActivity(a.SignPDF, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.SignPDFInput) (activities.SignPDFResult, error) {
			s.pdfs = append(s.pdfs, in)
			return activities.SignPDFResult{Signed: true}, nil
		}).Maybe()
	s.env.OnActivity(a.RecordSigningStep, mock.Anything, mock.Anything).Return(
		func(_ context.Context, st domain.SigningStep) error {
			s.steps = append(s.steps, st)
			return nil
		})
	s.env.OnActivity(a.RecordSignature, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordSignatureInput) (activities.RecordSignatureResult, error) {
			if in.Then != nil {
				s.steps = append(s.steps, *in.Then)
			}
			seal, err := testSealer.Seal(in.Record)
			return activities.RecordSignatureResult{Signature: eseal.SealedSignature{SignatureRecord: in.Record, Seal: seal}}, err
		}).Maybe()
}

// signer of the round: seq from 1, in group g.
func signer(seq, g int, p domain.Party, name, email string) domain.Signer {
	return domain.Signer{ID: workflows.SignerID(number, 1, seq), Seq: seq, Group: g, Party: p, Name: name, Email: email, Status: domain.SignerWaiting}
}

func (s *signingSuite) input(days int, signers ...domain.Signer) workflows.SigningInput {
	return workflows.SigningInput{ContractNumber: number, Title: "年度软件服务合同", OwnerID: owner.UserID, Version: 1, Round: 1,
		DocumentSHA256: docHash, Signers: signers, Deadline: s.start.Add(time.Duration(days) * 24 * time.Hour), Reminders: workflows.DefaultReminders}
}

// act is an update to the round at a moment after its start.
type act struct {
	after  time.Duration
	name   string
	arg    any
	refuse domain.RefusalKind
	check  func(*testing.T, workflows.SigningState)
}

func signs(after time.Duration, seq, link int, name string) act {
	return act{after: after, name: workflows.UpdateSignerSign, arg: workflows.SignerSignRequest{
		LinkID: workflows.LinkID(workflows.SignerID(number, 1, seq), link), SignerName: name, Consent: true, IP: "203.0.113.7", UserAgent: "Mozilla/5.0"}}
}

func (a act) refused(kind domain.RefusalKind) act { a.refuse = kind; return a }

func (s *signingSuite) run(in workflows.SigningInput, acts ...act) workflows.SigningState {
	t := s.T()
	for i, a := range acts {
		s.env.RegisterDelayedCallback(func() {
			s.env.UpdateWorkflow(a.name, "u-"+string(rune('a'+i)), &testsuite.TestUpdateCallback{
				OnAccept: func() {
					if a.refuse != "" {
						t.Errorf("act %d (%s) accepted, want refused %s", i, a.name, a.refuse)
					}
				},
				OnReject: func(err error) {
					if a.refuse == "" {
						t.Errorf("act %d (%s) refused: %v", i, a.name, err)
						return
					}
					var appErr *temporal.ApplicationError
					if assert.True(t, errors.As(err, &appErr)) {
						assert.Equal(t, string(a.refuse), appErr.Type(), "act %d: %s", i, appErr.Message())
					}
				},
				OnComplete: func(v any, err error) {
					if a.refuse == "" {
						require.NoError(t, err, "act %d", i)
						if st, ok := v.(workflows.SigningState); ok && a.check != nil {
							a.check(t, st)
						}
					}
				},
			}, a.arg)
		}, a.after)
	}
	s.env.ExecuteWorkflow(workflows.SigningWorkflow, in)
	s.Require().True(s.env.IsWorkflowCompleted())
	var st workflows.SigningState
	s.Require().NoError(s.env.GetWorkflowResult(&st))
	return st
}

// links lists the links the round issued, in order.
func (s *signingSuite) links() []string {
	var ids []string
	for _, st := range s.steps {
		for _, l := range st.Links {
			ids = append(ids, l.ID)
		}
	}
	return ids
}

// events lists the recorded events' kinds with their signer's seq.
func (s *signingSuite) events() []string {
	var out []string
	for _, st := range s.steps {
		for _, e := range st.Events {
			out = append(out, e.Kind+":"+e.SignerName)
		}
	}
	return out
}

func (s *signingSuite) TestSignersSignInGroupOrder() {
	company := signer(1, 1, domain.PartyCompany, "陈静", "chen.jing@signet.example")
	customer := signer(2, 2, domain.PartyCustomer, "王建国", "wang@xingchen.example")
	st := s.run(s.input(14, company, customer),
		// The customer holds no link yet: their group has not opened.
		signs(time.Hour, 2, 0, "王建国").refused(domain.RefusedNotFound),
		act{after: 2 * time.Hour, name: workflows.UpdateSignerSign, arg: workflows.SignerSignRequest{LinkID: workflows.LinkID(company.ID, 0), SignerName: "陈静"}}.refused(domain.RefusedInvalid),
		signs(3*time.Hour, 1, 0, "陈静"),
		signs(4*time.Hour, 1, 0, "陈静").refused(domain.RefusedConflict),
		signs(5*time.Hour, 2, 0, "王建国"),
	)
	s.Equal(workflows.SigningOutcomeSigned, st.Outcome)
	s.Equal([]string{workflows.LinkID(company.ID, 0), workflows.LinkID(customer.ID, 0)}, s.links(), "the customer's link goes out once the company has signed")
	for _, sg := range st.Signers {
		s.Equal(domain.SignerSigned, sg.Status)
		s.Require().NotNil(sg.Signature)
		s.True(eseal.Verify(testSealer.PublicKey(), sg.Signature.SignatureRecord, sg.Signature.Seal), "%s's seal", sg.Name)
		s.Equal(docHash, sg.Signature.DocumentSHA256, "signed on exactly the approved document")
		s.Equal("203.0.113.7", sg.Signature.IP)
	}
	s.Equal(s.start.Add(3*time.Hour), st.Signers[0].Signature.SignedAt)
	last := s.steps[len(s.steps)-1]
	s.True(last.CloseLinks)
	s.Equal("signed", last.Round.Status)
	s.NotNil(last.Round.ClosedAt)
	// Once every party has signed, the version's PDF is signed, once.
	s.Require().Len(s.pdfs, 1)
	s.Equal(st.ContractNumber, s.pdfs[0].ContractNumber)
	s.Equal(st.Version, s.pdfs[0].Version)
	s.Equal(s.start.Add(5*time.Hour), s.pdfs[0].At)
}

func (s *signingSuite) TestAParallelGroupSignsInAnyOrder() {
	ceo := signer(1, 1, domain.PartyCompany, "陈静", "chen@signet.example")
	cfo := signer(2, 1, domain.PartyCompany, "刘洋", "liu@signet.example")
	customer := signer(3, 2, domain.PartyCustomer, "王建国", "wang@xingchen.example")
	st := s.run(s.input(14, ceo, cfo, customer),
		then2(signs(time.Hour, 2, 0, "刘洋"), func(t *testing.T, st workflows.SigningState) {
			assert.Equal(t, domain.SignerOpen, st.Signers[0].Status, "both of the group are open at once")
			assert.Equal(t, domain.SignerWaiting, st.Signers[2].Status)
		}),
		signs(2*time.Hour, 3, 0, "王建国").refused(domain.RefusedNotFound),
		signs(3*time.Hour, 1, 0, "陈静"),
		signs(4*time.Hour, 3, 0, "王建国"),
	)
	s.Equal(workflows.SigningOutcomeSigned, st.Outcome)
	s.Equal([]string{workflows.LinkID(ceo.ID, 0), workflows.LinkID(cfo.ID, 0), workflows.LinkID(customer.ID, 0)}, s.links())
}

func then2(a act, check func(*testing.T, workflows.SigningState)) act { a.check = check; return a }

func (s *signingSuite) TestUnsignedSignersAreRemindedThenTheRequestExpires() {
	customer := signer(1, 1, domain.PartyCustomer, "王建国", "wang@xingchen.example")
	st := s.run(s.input(14, customer))
	s.Equal(workflows.SigningOutcomeExpired, st.Outcome)
	s.Equal(5, st.Signers[0].Reminded, "3 days after sending, then every 2 days, at most 5")
	s.Equal(domain.SignerClosed, st.Signers[0].Status)
	var reminded []time.Time
	for _, step := range s.steps {
		for _, e := range step.Events {
			if e.Kind == domain.SigningReminded {
				reminded = append(reminded, e.At)
			}
		}
	}
	day := 24 * time.Hour
	s.Equal([]time.Time{s.start.Add(3 * day), s.start.Add(5 * day), s.start.Add(7 * day), s.start.Add(9 * day), s.start.Add(11 * day)}, reminded)
	s.Len(s.links(), 6, "each reminder carries a fresh link")
	last := s.steps[len(s.steps)-1]
	s.Equal("expired", last.Round.Status)
	s.Equal(s.start.Add(14*day), *last.Round.ClosedAt)
	s.True(last.CloseLinks, "the round's links end with it")
	s.Contains(s.events(), domain.SigningExpired+":")
}

func (s *signingSuite) TestAShortDeadlineExpiresBeforeAnyReminder() {
	st := s.run(s.input(2, signer(1, 1, domain.PartyCustomer, "王建国", "wang@xingchen.example")))
	s.Equal(workflows.SigningOutcomeExpired, st.Outcome)
	s.Zero(st.Signers[0].Reminded)
}

func (s *signingSuite) TestADeclineClosesTheRound() {
	company := signer(1, 1, domain.PartyCompany, "陈静", "chen@signet.example")
	customer := signer(2, 2, domain.PartyCustomer, "王建国", "wang@xingchen.example")
	decline := func(after time.Duration, reason string) act {
		return act{after: after, name: workflows.UpdateDecline, arg: workflows.DeclineRequest{LinkID: workflows.LinkID(customer.ID, 0), Reason: reason, IP: "198.51.100.4", UserAgent: "Safari"}}
	}
	st := s.run(s.input(14, company, customer),
		signs(time.Hour, 1, 0, "陈静"),
		decline(2*time.Hour, "  ").refused(domain.RefusedInvalid),
		decline(3*time.Hour, "付款条款需要重新协商"),
		signs(4*time.Hour, 2, 0, "王建国").refused(domain.RefusedConflict),
	)
	s.Equal(workflows.SigningOutcomeDeclined, st.Outcome)
	s.Empty(s.pdfs, "a declined round signs no PDF")
	s.Equal("付款条款需要重新协商", st.Reason)
	s.Equal("王建国", st.DeclinedBy)
	s.Equal(domain.SignerDeclined, st.Signers[1].Status)
	s.Contains(s.events(), domain.SigningDeclined+":王建国")
}

func (s *signingSuite) TestReplacingASignerVoidsTheirLinks() {
	customer := signer(1, 1, domain.PartyCustomer, "王建国", "wang@wrong.example")
	replace := func(after time.Duration, by domain.Actor) act {
		return act{after: after, name: workflows.UpdateReplaceSigner, arg: workflows.ReplaceSignerRequest{Actor: by, SignerID: customer.ID, Name: "王建国", Email: "wang@xingchen.example"}}
	}
	st := s.run(s.input(14, customer),
		replace(time.Hour, otherRep).refused(domain.RefusedForbidden),
		then2(replace(2*time.Hour, owner), func(t *testing.T, st workflows.SigningState) {
			assert.Equal(t, "wang@xingchen.example", st.Signers[0].Email)
			assert.Equal(t, 1, st.Signers[0].ValidFrom)
		}),
		signs(3*time.Hour, 1, 0, "王建国").refused(domain.RefusedConflict),
		signs(4*time.Hour, 1, 1, "王建国"),
		replace(5*time.Hour, owner).refused(domain.RefusedConflict),
	)
	s.Equal(workflows.SigningOutcomeSigned, st.Outcome)
	s.Equal("wang@xingchen.example", st.Signers[0].Signature.SignerEmail)
	var voided bool
	for _, step := range s.steps {
		voided = voided || slices.Contains(step.VoidSigners, customer.ID)
	}
	s.True(voided, "the old links are voided in PostgreSQL too")
	s.Equal([]string{workflows.LinkID(customer.ID, 0), workflows.LinkID(customer.ID, 1)}, s.links(), "a new link goes to the new address")
}

func (s *signingSuite) TestALinkTheSenderHoldsSigns() {
	customer := signer(1, 1, domain.PartyCustomer, "王建国", "wang@xingchen.example")
	hash := eseal.HashToken("token-kept-by-the-sender")
	st := s.run(s.input(14, customer),
		act{after: time.Hour, name: workflows.UpdateIssueLink, arg: workflows.IssueLinkRequest{Actor: otherRep, SignerID: customer.ID, TokenHash: hash}}.refused(domain.RefusedForbidden),
		act{after: 2 * time.Hour, name: workflows.UpdateIssueLink, arg: workflows.IssueLinkRequest{Actor: owner, SignerID: customer.ID, TokenHash: hash[:8]}}.refused(domain.RefusedInvalid),
		act{after: 3 * time.Hour, name: workflows.UpdateIssueLink, arg: workflows.IssueLinkRequest{Actor: manager, SignerID: customer.ID, TokenHash: hash}},
		signs(4*time.Hour, 1, 1, "王建国"),
	)
	s.Equal(workflows.SigningOutcomeSigned, st.Outcome)
	var kept []byte
	for _, step := range s.steps {
		for _, l := range step.Links {
			if l.ID == workflows.LinkID(customer.ID, 1) {
				kept = l.TokenHash
			}
		}
	}
	s.Equal(hash, kept, "only the token's hash reaches the workflow and the store")
}

func (s *signingSuite) TestAProviderCallbackSigns() {
	customer := signer(1, 1, domain.PartyCustomer, "王建国", "wang@xingchen.example")
	s.env.RegisterDelayedCallback(func() {
		s.env.SignalWorkflow(workflows.SignalProviderEvent, workflows.ProviderEvent{DeliveryID: "d-1", Kind: "signed", SignerID: customer.ID, SignerName: "王建国", IP: "192.0.2.1", UserAgent: "esign-provider"})
	}, time.Hour)
	st := s.run(s.input(14, customer))
	s.Equal(workflows.SigningOutcomeSigned, st.Outcome)
	s.Equal("esign-provider", st.Signers[0].Signature.UserAgent)
}

func signsAs(after time.Duration, a domain.Actor, seq int) act {
	return act{after: after, name: workflows.UpdateSignAsUser, arg: workflows.UserSignRequest{
		Actor: a, SignerID: workflows.SignerID(number, 1, seq), Consent: true, IP: "198.51.100.9", UserAgent: "Signet console"}}
}

func resends(after time.Duration, a domain.Actor, seq int) act {
	return act{after: after, name: workflows.UpdateResendLink, arg: workflows.ResendLinkRequest{Actor: a, SignerID: workflows.SignerID(number, 1, seq)}}
}

// A company signer with an account signs only signed in as that account,
// under its name; their link (which the activity never makes) cannot sign.
func (s *signingSuite) TestACompanySignerSignsSignedIn() {
	company := signer(1, 1, domain.PartyCompany, "陈静 Chen Jing", "chen@signet.example")
	company.UserID = executive.UserID
	customer := signer(2, 2, domain.PartyCustomer, "王建国", "wang@xingchen.example")
	noConsent := signsAs(4*time.Hour, executive, 1)
	noConsent.arg = workflows.UserSignRequest{Actor: executive, SignerID: company.ID}
	st := s.run(s.input(14, company, customer),
		signsAs(time.Hour, owner, 1).refused(domain.RefusedForbidden),
		signs(2*time.Hour, 1, 0, "陈静").refused(domain.RefusedForbidden),
		signsAs(3*time.Hour, executive, 2).refused(domain.RefusedForbidden),
		noConsent.refused(domain.RefusedInvalid),
		then2(signsAs(5*time.Hour, executive, 1), func(t *testing.T, st workflows.SigningState) {
			sig := st.Signers[0].Signature
			require.NotNil(t, sig)
			assert.Equal(t, executive.Name, sig.SignerName, "the account's name")
			assert.Equal(t, executive.UserID, sig.UserID)
			assert.Empty(t, sig.LinkID)
		}),
		signsAs(6*time.Hour, executive, 1).refused(domain.RefusedConflict),
		signs(7*time.Hour, 2, 0, "王建国"),
	)
	s.Equal(workflows.SigningOutcomeSigned, st.Outcome)
	s.True(eseal.Verify(testSealer.PublicKey(), st.Signers[0].Signature.SignatureRecord, st.Signers[0].Signature.Seal))
	var first []domain.SigningLink
	for _, st := range s.steps {
		if first == nil {
			first = st.Links
		}
	}
	s.Require().NotEmpty(first)
	s.Equal(executive.UserID, first[0].UserID, "the company signer's link is marked as theirs, for the activity to drop")
}

// The sender has a fresh link mailed to a customer signer whose turn it
// is; the company signer has none to resend.
func (s *signingSuite) TestTheSenderResendsALink() {
	company := signer(1, 1, domain.PartyCompany, "陈静 Chen Jing", "chen@signet.example")
	company.UserID = executive.UserID
	customer := signer(2, 2, domain.PartyCustomer, "王建国", "wang@xingchen.example")
	st := s.run(s.input(14, company, customer),
		resends(time.Hour, owner, 2).refused(domain.RefusedConflict),
		resends(2*time.Hour, owner, 1).refused(domain.RefusedConflict),
		signsAs(3*time.Hour, executive, 1),
		resends(4*time.Hour, otherRep, 2).refused(domain.RefusedForbidden),
		resends(5*time.Hour, manager, 2),
		signs(6*time.Hour, 2, 1, "王建国"),
	)
	s.Equal(workflows.SigningOutcomeSigned, st.Outcome)
	s.Equal([]string{workflows.LinkID(company.ID, 0), workflows.LinkID(customer.ID, 0), workflows.LinkID(customer.ID, 1)}, s.links())
	s.Contains(s.events(), domain.SigningResent+":王建国")
}

// A company signer declines signed in; the round closes.
func (s *signingSuite) TestACompanySignerDeclinesSignedIn() {
	company := signer(1, 1, domain.PartyCompany, "陈静 Chen Jing", "chen@signet.example")
	company.UserID = executive.UserID
	decline := func(after time.Duration, a domain.Actor, reason string) act {
		return act{after: after, name: workflows.UpdateDeclineAsUser, arg: workflows.UserDeclineRequest{Actor: a, SignerID: company.ID, Reason: reason}}
	}
	st := s.run(s.input(14, company),
		decline(time.Hour, owner, "不签").refused(domain.RefusedForbidden),
		act{after: 2 * time.Hour, name: workflows.UpdateDecline, arg: workflows.DeclineRequest{LinkID: workflows.LinkID(company.ID, 0), Reason: "不签"}}.refused(domain.RefusedForbidden),
		decline(3*time.Hour, executive, " ").refused(domain.RefusedInvalid),
		decline(4*time.Hour, executive, "金额超出授权"),
	)
	s.Equal(workflows.SigningOutcomeDeclined, st.Outcome)
	s.Equal("金额超出授权", st.Reason)
}

// The contract side of signing rounds: sending starts a round on the
// approved document; its outcome moves the contract on.

var roundSigners = []domain.Signer{
	{Party: domain.PartyCompany, Name: "陈静", Email: "chen.jing@signet.example", Group: 1},
	{Party: domain.PartyCustomer, Name: "王建国", Email: "wang@xingchen.example", Group: 2},
}

func sendTo(a domain.Actor, days int, signers ...domain.Signer) step {
	return step{name: workflows.UpdateSend, arg: workflows.SendRequest{Actor: a, Signers: signers, DeadlineDays: days}}
}

// signThrough signs as the seq-th signer of signing round r, through
// their first link.
func signThrough(r, seq int, name string) step {
	return step{name: workflows.UpdateSignerSign, signing: r, arg: workflows.SignerSignRequest{
		LinkID: workflows.LinkID(workflows.SignerID(number, r, seq), 0), SignerName: name, Consent: true, IP: "203.0.113.7", UserAgent: "Mozilla/5.0"}}
}

func (s *contractSuite) TestSigningRoundMakesTheContractActive() {
	c := s.contract(5_000_000, "CNY", 30*24*time.Hour)
	c.DocumentSHA256 = docHash
	final := s.run(c, []step{
		{name: workflows.UpdateCreate, arg: workflows.CreateRequest{Actor: owner}},
		submit(owner),
		decide(manager, 1, domain.DecisionApprove, "同意"),
		refused(sendTo(owner, 0, domain.Signer{Party: domain.PartyCustomer, Name: "王建国"}), domain.RefusedInvalid),
		then(sendTo(owner, 0, roundSigners...), func(t *testing.T, st workflows.ContractState) {
			assert.Equal(t, domain.StatusSigning, st.Status)
			assert.Equal(t, 1, st.SigningRound)
			assert.Equal(t, workflows.SigningWorkflowID(number, 1), st.SigningWorkflowID)
		}),
		signThrough(1, 1, "陈静"),
		signThrough(1, 2, "王建国"),
	})
	s.Equal(domain.StatusActive, final.Status)
	s.Empty(final.SigningWorkflowID)
	s.Require().Len(final.Signatures, 2)
	s.Equal("王建国", final.Signatures[1].SignerName)
	s.Equal("203.0.113.7", final.Signatures[1].IP)
	s.Equal([]string{domain.EventCreated, domain.EventSubmitted, domain.EventApproved, domain.EventSent, domain.EventSigned, domain.EventExpired, domain.EventCompleted}, s.kinds())
	signed := s.recorded[len(s.recorded)-3]
	s.Equal("王建国", signed.Event.ActorName, "the last signer completes the contract")
	s.NotNil(signed.SignedAt)
}

func (s *contractSuite) TestSigningDeclineReturnsToApprovedAndCanBeSentAgain() {
	c := s.contract(5_000_000, "CNY", 30*24*time.Hour)
	final := s.run(c, []step{
		{name: workflows.UpdateCreate, arg: workflows.CreateRequest{Actor: owner}},
		submit(owner),
		decide(manager, 1, domain.DecisionApprove, ""),
		sendTo(owner, 0, roundSigners[1]),
		{name: workflows.UpdateDecline, signing: 1, arg: workflows.DeclineRequest{LinkID: workflows.LinkID(workflows.SignerID(number, 1, 1), 0), Reason: "金额有误"}},
		then(sendTo(owner, 0, roundSigners[1]), func(t *testing.T, st workflows.ContractState) {
			assert.Equal(t, 2, st.SigningRound, "a second request is a new round")
		}),
		signThrough(2, 1, "王建国"),
	})
	s.Equal(domain.StatusActive, final.Status)
	s.Equal([]string{domain.EventCreated, domain.EventSubmitted, domain.EventApproved, domain.EventSent,
		domain.EventSigningDeclined, domain.EventSent, domain.EventSigned, domain.EventExpired, domain.EventCompleted}, s.kinds())
	declined := s.recorded[4]
	s.Equal(domain.StatusApproved, declined.Status)
	s.Equal("金额有误", declined.Event.Opinion)
	s.Equal("王建国", declined.Event.ActorName)
}

func (s *contractSuite) TestSigningDeadlineReturnsToApproved() {
	c := s.contract(5_000_000, "CNY", 60*24*time.Hour)
	final := s.run(c, []step{
		{name: workflows.UpdateCreate, arg: workflows.CreateRequest{Actor: owner}},
		submit(owner),
		decide(manager, 1, domain.DecisionApprove, ""),
		sendTo(owner, 2, roundSigners...),
		signThrough(1, 1, "陈静"),
		// After the deadline the round is over: the API answers 409.
		func() step {
			st := refused(signThrough(1, 2, "王建国"), domain.RefusedConflict)
			st.at = 49 * time.Hour
			return st
		}(),
	})
	s.Equal(domain.StatusApproved, final.Status)
	expired := s.recorded[len(s.recorded)-1]
	s.Equal(domain.EventSigningExpired, expired.Event.Kind)
	s.Equal(s.start.Add(4*time.Minute+48*time.Hour), expired.Event.At, "the deadline counts from sending")
	s.Equal(domain.SystemActor.UserID, expired.Event.ActorID)
}

func (s *signingSuite) TestACodeIsNeededWhenTheRequestAsksForOne() {
	in := s.input(14, signer(1, 1, domain.PartyCustomer, "王建国", "wang@xingchen.example"))
	in.RequireCode = true
	checked := signs(2*time.Hour, 1, 0, "王建国")
	req := checked.arg.(workflows.SignerSignRequest)
	req.CodeChecked = true
	checked.arg = req
	st := s.run(in, signs(time.Hour, 1, 0, "王建国").refused(domain.RefusedInvalid), checked)
	s.Equal(workflows.SigningOutcomeSigned, st.Outcome)
}

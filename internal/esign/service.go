// Package esign is the e-signing application service: signing rounds sent
// for signature, who may sign for the company, the public one-time links,
// codes, certificates, verification and provider callbacks.
package esign

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/eseal"
	"github.com/signet-clm/signet/internal/identity"
	"github.com/signet-clm/signet/internal/notify"
	"github.com/signet-clm/signet/internal/pdfsig"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/workflows"
)

// Store is what e-signing reads from PostgreSQL.
type Store interface {
	LinkByHash(ctx context.Context, hash []byte) (store.SigningLink, error)
	LinkOpened(ctx context.Context, l store.SigningLink, signerName, ip, userAgent, requestID string, at time.Time) error
	Signers(ctx context.Context, number string, round int) ([]store.SignerRow, error)
	SealedSignatures(ctx context.Context, number string, version int) ([]eseal.SealedSignature, error)
	SigningEvents(ctx context.Context, number string, version int) ([]eseal.Event, error)
	VersionsByDocument(ctx context.Context, sha256 string) ([]store.SignedVersion, error)
	// SignedPDFByHash finds the signed PDF whose bytes hash to sha256.
	SignedPDFByHash(ctx context.Context, sha256 string) (store.SignedPDF, error)
	ClaimDelivery(ctx context.Context, id string) (bool, error)
	SaveLinkCode(ctx context.Context, l store.SigningLink, c store.LinkCode, allow func(store.CodeSends) error) (time.Time, error)
	CheckLinkCode(ctx context.Context, linkID string, codeHash []byte, now time.Time) (bool, error)
	ReleaseDelivery(ctx context.Context, id string) error
	Signatory(ctx context.Context, id string) (store.Signatory, error)
	Signatories(ctx context.Context, roles []domain.Role) ([]store.Signatory, error)
	Contacts(ctx context.Context, customerID string) ([]store.Contact, error)
	Contract(ctx context.Context, number string) (store.ContractRow, error)
	Document(ctx context.Context, number string) (store.StoredDocument, error)
	SignerOf(ctx context.Context, id string) (store.SignerRef, error)
	LinkStanding(ctx context.Context, l store.SigningLink) (store.LinkStanding, error)
	ToSign(ctx context.Context, userID string, limit int) ([]store.ToSign, error)
	SealStore
	CaptureStore
}

// Service is e-signing: sending for signature, the company signer's
// signature made signed in, the public link endpoints, certificates,
// verification and provider callbacks. It builds on the contract
// service's visibility checks and Updates.
type Service struct {
	*contracts.Service
	st     Store
	wf     workflows.Client
	now    func() time.Time
	sealer *eseal.Sealer
	// webhookSecret authenticates the external provider; empty: none.
	webhookSecret []byte
	// mails says whether email can be sent (SMTP is configured): links
	// travel only by mail, and so do one-time codes.
	mails bool
	codes CodePolicy
	// pdfCert is the certificate Signet signs PDFs with; nil: none
	// configured, so no PDF signature counts as Signet's.
	pdfCert *x509.Certificate
}

// CodePolicy bounds the one-time codes of a link: at most Max, at least
// Cooldown apart (config.SigningCodeMax and SigningCodeCooldown).
type CodePolicy struct {
	Max      int
	Cooldown time.Duration
}

// Options configure the service. Now is its clock (nil: time.Now), which
// every expiry, cooldown and skew check reads.
type Options struct {
	WebhookSecret string
	Mails         bool
	Codes         CodePolicy
	Now           func() time.Time
	// PDFCert is Signet's PDF signing certificate (SIGNET_PDF_SIGNING_CERT).
	PDFCert *x509.Certificate
}

// New returns the e-signing service over the contract service cs.
func New(cs *contracts.Service, tc client.Client, st Store, sealer *eseal.Sealer, o Options) *Service {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	return &Service{Service: cs, st: st, wf: workflows.Client{Temporal: tc}, now: now, sealer: sealer,
		webhookSecret: []byte(o.WebhookSecret), mails: o.Mails, codes: o.Codes, pdfCert: o.PDFCert}
}

// SignerInput names one signer. Signers of one group sign in any order;
// groups sign in ascending order (default: company 1, customer 2). A
// company signer is an authorised signatory's account (user_id), whose
// name and email are the account's; a customer signer is a name and an
// email, reached by a one-time link.
type SignerInput struct {
	Party  domain.Party `json:"party" validate:"required,oneof=company customer"`
	UserID string       `json:"user_id" validate:"max=64"`
	Name   string       `json:"name" validate:"max=200"`
	Email  string       `json:"email" validate:"omitempty,email,max=254"`
	Role   string       `json:"role" validate:"max=100"`
	Group  int          `json:"group" validate:"omitempty,min=1,max=20"`
}

// SendInput sends an approved contract for signature. Without signers,
// the company signer (company_signer_id, or else the first executive
// whose authority covers the amount) signs, then the customer's first
// contact who may sign and has an email.
type SendInput struct {
	Signers         []SignerInput `json:"signers" validate:"omitempty,max=20,dive"`
	CompanySignerID string        `json:"company_signer_id" validate:"max=64"`
	DeadlineDays    int           `json:"deadline_days" validate:"omitempty,min=1,max=90"`
	// RequireCode asks each customer signer for a one-time code mailed to
	// them before they may sign.
	RequireCode bool `json:"require_code"`
	// RequireReadToEnd (强制阅读) keeps the signing page's sign button off
	// until the signer has scrolled the document to its end; a signature
	// through the link without read_to_end is refused.
	RequireReadToEnd bool `json:"require_read_to_end"`
}

// companyRole is a company signer's role unless the sender names one.
const companyRole = "授权代表 / Authorised signatory"

// Send sends an approved contract (or an approved amendment) for
// signature.
func (s *Service) Send(ctx context.Context, u domain.User, number, requestID string, in SendInput) (workflows.ContractState, error) {
	row, err := s.ManagedRow(ctx, u, number)
	if err != nil {
		return workflows.ContractState{}, err
	}
	if in.RequireCode && !s.mails {
		return workflows.ContractState{}, domain.InvalidField("require_code", "needs email to send codes (SIGNET_SMTP_ADDR is not set)")
	}
	amount, err := s.amountToSign(ctx, row)
	if err != nil {
		return workflows.ContractState{}, err
	}
	signers, err := s.signers(ctx, row, amount, in)
	if err != nil {
		return workflows.ContractState{}, err
	}
	for _, sg := range signers {
		if sg.Party == domain.PartyCustomer && !s.mails {
			return workflows.ContractState{}, &domain.Refusal{Kind: domain.RefusedInvalid,
				Message: "a customer signer's link travels only by email, and no mail is configured (SIGNET_SMTP_ADDR)"}
		}
	}
	state, err := s.UpdateContract(ctx, u, number, requestID, workflows.UpdateSend, workflows.SendRequest{Actor: u.Actor(), Signers: signers, DeadlineDays: in.DeadlineDays, RequireCode: in.RequireCode, RequireReadToEnd: in.RequireReadToEnd})
	if err == nil && state.SigningDirect && state.SigningWorkflowID != "" {
		// The round tells when its first links are out; a round from
		// before changeDirectClose had the contract wait for that.
		err = s.wf.AwaitOpened(ctx, state.SigningWorkflowID, requestID)
	}
	return state, err
}

// VoidInput says why a signing round is voided.
type VoidInput struct {
	Reason string `json:"reason" validate:"required,max=2000"`
}

// Void voids the open signing round of a contract (or of its amendment):
// its links are revoked, the signatures made in it stop counting, and the
// contract is approved again, to send anew.
func (s *Service) Void(ctx context.Context, u domain.User, number, requestID string, in VoidInput) (workflows.ContractState, error) {
	return s.UpdateContract(ctx, u, number, requestID, workflows.UpdateVoidSigning, workflows.VoidSigningRequest{Actor: u.Actor(), Reason: in.Reason})
}

// amountToSign is what the company signer commits the company to: the
// contract's amount, or its approved amendment's.
func (s *Service) amountToSign(ctx context.Context, row store.ContractRow) (domain.Money, error) {
	if row.Status != domain.StatusActive {
		// Only an active contract has an amendment to sign.
		return row.Money(), nil
	}
	live, err := s.LiveState(ctx, row.Number)
	if err != nil {
		return domain.Money{}, err
	}
	if live.Amendment != nil {
		return live.Amendment.Contract.Money(), nil
	}
	return row.Money(), nil
}

// signers resolves the request's signers or the defaults.
func (s *Service) signers(ctx context.Context, row store.ContractRow, amount domain.Money, in SendInput) ([]domain.Signer, error) {
	if len(in.Signers) > 0 {
		if in.CompanySignerID != "" {
			return nil, domain.InvalidField("company_signer_id", "name the company signer in signers[].user_id when listing the signers")
		}
		return s.listedSigners(ctx, amount, in.Signers)
	}
	company, err := s.defaultCompanySigner(ctx, amount, in.CompanySignerID)
	if err != nil {
		return nil, err
	}
	contacts, err := s.st.Contacts(ctx, row.CustomerID)
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return nil, err
	}
	for _, c := range contacts {
		if c.MaySign && c.Email != "" && c.RemovedAt == nil {
			return []domain.Signer{
				company,
				{Party: domain.PartyCustomer, Name: c.Name, Email: strings.ToLower(c.Email), Role: c.Title, Group: 2},
			}, nil
		}
	}
	return nil, domain.InvalidField("signers", "the customer has no contact who may sign and has an email; name the signers")
}

// listedSigners checks the sender's list: company signers are authorised
// signatories' accounts whose limit covers the amount; customer signers a
// name and an email; at least one signs for the company.
func (s *Service) listedSigners(ctx context.Context, amount domain.Money, in []SignerInput) ([]domain.Signer, error) {
	bad := &domain.ValidationError{}
	out := make([]domain.Signer, 0, len(in))
	company := false
	for i, si := range in {
		at := func(f string) string { return fmt.Sprintf("signers[%d].%s", i, f) }
		g := si.Group
		if g == 0 {
			g = defaultGroup(si.Party)
		}
		if si.Party == domain.PartyCustomer {
			if si.UserID != "" {
				bad.Add(at("user_id"), "a customer signer has no account; give their name and email")
			}
			if strings.TrimSpace(si.Name) == "" {
				bad.Add(at("name"), "is required")
			}
			if si.Email == "" {
				bad.Add(at("email"), "is required")
			}
			out = append(out, domain.Signer{Party: si.Party, Name: strings.TrimSpace(si.Name), Email: strings.ToLower(si.Email), Role: si.Role, Group: g})
			continue
		}
		company = true
		if si.Name != "" || si.Email != "" {
			field := "name"
			if si.Name == "" {
				field = "email"
			}
			bad.Add(at(field), "is the signatory's account's; name the account in user_id")
			continue
		}
		sg, err := s.authorisedSigner(ctx, si.UserID, amount, at("user_id"))
		if err != nil {
			var verr *domain.ValidationError
			if !errors.As(err, &verr) {
				return nil, err
			}
			bad.Fields = append(bad.Fields, verr.Fields...)
			continue
		}
		if si.Role != "" {
			sg.Role = si.Role
		}
		sg.Group = g
		out = append(out, sg)
	}
	if !company && len(bad.Fields) == 0 {
		bad.Add("signers", "must include a company signer: an authorised signatory's account (party company, user_id)")
	}
	if err := bad.OrNil(); err != nil {
		return nil, err
	}
	return out, nil
}

// defaultCompanySigner is the named signatory, or else the first
// executive (by ID) whose authority covers the amount.
func (s *Service) defaultCompanySigner(ctx context.Context, amount domain.Money, userID string) (domain.Signer, error) {
	if userID != "" {
		return s.authorisedSigner(ctx, userID, amount, "company_signer_id")
	}
	list, err := s.st.Signatories(ctx, []domain.Role{domain.RoleExecutive})
	if err != nil {
		return domain.Signer{}, err
	}
	for _, sg := range list {
		if !slices.Contains(sg.Roles, domain.RoleExecutive) {
			continue
		}
		if ok, _ := identity.AuthorityOf(sg).Covers(amount); ok {
			return companySigner(sg), nil
		}
	}
	return domain.Signer{}, domain.InvalidField("company_signer_id", fmt.Sprintf("no executive may sign a contract of %s; name an authorised signatory", amount))
}

// authorisedSigner is the company signer userID, if they may sign a
// contract of amount; else a field error on field saying why.
func (s *Service) authorisedSigner(ctx context.Context, userID string, amount domain.Money, field string) (domain.Signer, error) {
	if userID == "" {
		return domain.Signer{}, domain.InvalidField(field, "is required: the company signs as an authorised signatory's account")
	}
	if !domain.PlausibleKey(userID) {
		return domain.Signer{}, domain.InvalidField(field, "no such user")
	}
	sg, err := s.st.Signatory(ctx, userID)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.Signer{}, domain.InvalidField(field, "no such user")
	} else if err != nil {
		return domain.Signer{}, err
	}
	if ok, why := identity.AuthorityOf(sg).Covers(amount); !ok {
		return domain.Signer{}, domain.InvalidField(field, why)
	}
	return companySigner(sg), nil
}

func companySigner(sg store.Signatory) domain.Signer {
	return domain.Signer{Party: domain.PartyCompany, UserID: sg.ID, Name: sg.Name, Email: strings.ToLower(sg.Email), Role: companyRole, Group: 1}
}

func defaultGroup(p domain.Party) int {
	if p == domain.PartyCompany {
		return 1
	}
	return 2
}

// SigningState returns the contract's current signing round, live.
func (s *Service) SigningState(ctx context.Context, u domain.User, number string) (workflows.SigningState, error) {
	if _, err := s.VisibleRow(ctx, u, number); err != nil {
		return workflows.SigningState{}, err
	}
	live, err := s.LiveState(ctx, number)
	if err != nil {
		return workflows.SigningState{}, err
	}
	if live.SigningRound == 0 {
		return workflows.SigningState{}, &domain.Refusal{Kind: domain.RefusedConflict, Message: "the contract has not been sent for signature"}
	}
	return s.querySigning(ctx, number, live.SigningRound)
}

func (s *Service) querySigning(ctx context.Context, number string, round int) (workflows.SigningState, error) {
	var st workflows.SigningState
	err := s.wf.Query(ctx, workflows.SigningWorkflowID(number, round), workflows.QuerySigningState, &st)
	return st, err
}

// LinkResent says a fresh link went to the signer by mail; the link itself
// is only in that mail.
type LinkResent struct {
	SignerID  string    `json:"signer_id"`
	LinkID    string    `json:"link_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

// ResendLink mails a customer signer a fresh one-time link (earlier ones
// stay valid). The sender never sees it: a link goes only to its signer.
func (s *Service) ResendLink(ctx context.Context, u domain.User, number, signerID, requestID string) (LinkResent, error) {
	ref, err := s.roundOf(ctx, u, number, signerID)
	if err != nil {
		return LinkResent{}, err
	}
	if !s.mails {
		return LinkResent{}, &domain.Refusal{Kind: domain.RefusedInvalid, Message: "a link travels only by email, and no mail is configured (SIGNET_SMTP_ADDR)"}
	}
	var out workflows.IssuedLink
	err = s.updateSigning(ctx, number, ref.Round, requestID, workflows.UpdateResendLink, workflows.ResendLinkRequest{Actor: u.Actor(), SignerID: signerID}, &out)
	if err != nil {
		return LinkResent{}, err
	}
	return LinkResent{SignerID: signerID, LinkID: out.LinkID, ExpiresAt: out.ExpiresAt}, nil
}

// ReplaceSignerInput corrects a signer who has not signed: a customer
// signer's name and email, or the account a company signer is.
type ReplaceSignerInput struct {
	UserID string `json:"user_id" validate:"max=64"`
	Name   string `json:"name" validate:"max=200"`
	Email  string `json:"email" validate:"omitempty,email,max=254"`
	Role   string `json:"role" validate:"max=100"`
}

// ReplaceSigner corrects a signer: their old links are voided at once. A
// company signer is replaced by another authorised signatory.
func (s *Service) ReplaceSigner(ctx context.Context, u domain.User, number, signerID, requestID string, in ReplaceSignerInput) (workflows.SigningState, error) {
	ref, err := s.roundOf(ctx, u, number, signerID)
	if err != nil {
		return workflows.SigningState{}, err
	}
	req := workflows.ReplaceSignerRequest{Actor: u.Actor(), SignerID: signerID, Name: strings.TrimSpace(in.Name), Email: strings.ToLower(in.Email), Role: in.Role}
	if ref.Party == domain.PartyCompany {
		if in.Name != "" || in.Email != "" {
			return workflows.SigningState{}, domain.InvalidField("user_id", "a company signer is an authorised signatory's account; name it here, without name or email")
		}
		row, err := s.VisibleRow(ctx, u, number)
		if err != nil {
			return workflows.SigningState{}, err
		}
		amount, err := s.amountToSign(ctx, row)
		if err != nil {
			return workflows.SigningState{}, err
		}
		sg, err := s.authorisedSigner(ctx, in.UserID, amount, "user_id")
		if err != nil {
			return workflows.SigningState{}, err
		}
		req.UserID, req.Name, req.Email = sg.UserID, sg.Name, sg.Email
	} else {
		bad := &domain.ValidationError{}
		if in.UserID != "" {
			bad.Add("user_id", "a customer signer has no account; give their name and email")
		}
		if req.Name == "" {
			bad.Add("name", "is required")
		}
		if req.Email == "" {
			bad.Add("email", "is required")
		}
		if err := bad.OrNil(); err != nil {
			return workflows.SigningState{}, err
		}
	}
	var st workflows.SigningState
	err = s.updateSigning(ctx, number, ref.Round, requestID, workflows.UpdateReplaceSigner, req, &st)
	return st, err
}

// roundOf checks u may manage the contract's signers (an open approval
// task grants reading only) and returns what was recorded with its
// signer signerID.
func (s *Service) roundOf(ctx context.Context, u domain.User, number, signerID string) (store.SignerRef, error) {
	if _, err := s.ManagedRow(ctx, u, number); err != nil {
		return store.SignerRef{}, err
	}
	return s.signerOf(ctx, number, signerID)
}

// signerOf returns what was recorded with signer signerID of contract
// number: the round is addressed by it, never parsed from the ID.
func (s *Service) signerOf(ctx context.Context, number, signerID string) (store.SignerRef, error) {
	if !domain.PlausibleKey(signerID) {
		return store.SignerRef{}, domain.ErrNotFound
	}
	ref, err := s.st.SignerOf(ctx, signerID)
	if err != nil {
		return store.SignerRef{}, err
	}
	if ref.ContractNumber != number {
		return store.SignerRef{}, domain.ErrNotFound
	}
	return ref, nil
}

// updateSigning delivers an update to a signing round; a finished round
// is closed (409). requestID is the Update ID, so a retried request gets
// the first answer.
func (s *Service) updateSigning(ctx context.Context, number string, round int, requestID, name string, arg, result any) error {
	err := s.wf.Update(ctx, workflows.SigningWorkflowID(number, round), requestID, name, arg, result)
	if errors.Is(err, domain.ErrNotFound) {
		return &domain.Refusal{Kind: domain.RefusedConflict, Message: fmt.Sprintf("signing round %d of %s is closed", round, number)}
	}
	if st, ok := result.(*workflows.SigningState); ok && err == nil {
		// A step that ended the round answers with the contract moved on.
		return s.wf.SettleSigning(ctx, st, requestID)
	}
	return err
}

// SignInInput is a company signer's signature, signed in: their consent.
// The name on it is their account's.
type SignInInput struct {
	Consent bool `json:"consent" validate:"required"`
	// SealID is the company seal to stamp beside the signature, one the
	// signer may apply (GET /v1/me/seals); empty: none.
	SealID string `json:"seal_id" validate:"max=64"`
}

// SignAsUser signs as company signer signerID of contract number, signed
// in as u, who must be the account that signer is (else 403, or 404 to
// whoever may not see the contract). The signature carries u's account
// name and ID.
func (s *Service) SignAsUser(ctx context.Context, u domain.User, number, signerID, requestID string, in SignInInput, from Client) (SignResult, error) {
	ref, before, err := s.boundSigner(ctx, u, number, signerID)
	if err != nil {
		return SignResult{}, err
	}
	sealID, err := s.sealToApply(ctx, u, strings.TrimSpace(in.SealID))
	if err != nil {
		return SignResult{}, err
	}
	from = from.bounded()
	var st workflows.SigningState
	err = s.updateSigning(ctx, number, ref.Round, requestID, workflows.UpdateSignAsUser, workflows.UserSignRequest{
		Actor: u.Actor(), SignerID: signerID, Consent: in.Consent, IP: from.IP, UserAgent: from.UserAgent, SealID: sealID,
	}, &st)
	if err != nil {
		return SignResult{}, err
	}
	return signResult(st, signerID, before), nil
}

// DeclineAsUser declines as company signer signerID, signed in as u.
func (s *Service) DeclineAsUser(ctx context.Context, u domain.User, number, signerID, requestID string, in DeclineInput, from Client) (SignResult, error) {
	if strings.TrimSpace(in.Reason) == "" {
		return SignResult{}, domain.InvalidField("reason", "is required")
	}
	ref, before, err := s.boundSigner(ctx, u, number, signerID)
	if err != nil {
		return SignResult{}, err
	}
	from = from.bounded()
	var st workflows.SigningState
	err = s.updateSigning(ctx, number, ref.Round, requestID, workflows.UpdateDeclineAsUser, workflows.UserDeclineRequest{
		Actor: u.Actor(), SignerID: signerID, Reason: in.Reason, IP: from.IP, UserAgent: from.UserAgent,
	}, &st)
	if err != nil {
		return SignResult{}, err
	}
	return signResult(st, signerID, before), nil
}

// ToSign lists the signatures waiting for u as a company signer (their
// turn, in an open round), at most limit: being the signer is what lets u
// see these contracts, as it lets them sign.
func (s *Service) ToSign(ctx context.Context, u domain.User, limit int) ([]store.ToSign, error) {
	return s.st.ToSign(ctx, u.ID, limit)
}

// boundSigner checks u is the account signer signerID of contract number
// is, and returns the signer and the contract's status before they act.
// Being that signer is what lets u act, whatever u may otherwise see;
// anyone else who may see the contract is refused (403), the rest find
// nothing (404).
func (s *Service) boundSigner(ctx context.Context, u domain.User, number, signerID string) (store.SignerRef, domain.Status, error) {
	if !domain.ValidContractNumber(number) {
		return store.SignerRef{}, "", domain.ErrNotFound
	}
	ref, err := s.signerOf(ctx, number, signerID)
	if err != nil {
		return store.SignerRef{}, "", err
	}
	if ref.UserID == "" || ref.UserID != u.ID {
		if err := s.Visible(ctx, u, number); err != nil {
			return store.SignerRef{}, "", err
		}
		if ref.UserID == "" {
			return store.SignerRef{}, "", &domain.Refusal{Kind: domain.RefusedForbidden, Message: "this signer signs through the link mailed to them, not signed in"}
		}
		return store.SignerRef{}, "", &domain.Refusal{Kind: domain.RefusedForbidden, Message: "only the authorised signatory named for this signer may sign, signed in as themselves"}
	}
	row, err := s.st.Contract(ctx, number)
	if err != nil {
		return store.SignerRef{}, "", err
	}
	return ref, row.Status, nil
}

// SignView is what a link's holder sees: the document to sign, the
// parties and who has signed so far.
type SignView struct {
	ContractNumber string            `json:"contract_number"`
	Title          string            `json:"title"`
	Version        int               `json:"version"`
	CompanyName    string            `json:"company_name"`
	CustomerName   string            `json:"customer_name"`
	DocumentSHA256 string            `json:"document_sha256"`
	DocumentText   string            `json:"document_text"`
	DocumentHTML   string            `json:"document_html"`
	Signer         store.SignerRow   `json:"signer"`
	Signers        []store.SignerRow `json:"signers"`
	ExpiresAt      time.Time         `json:"expires_at"`
}

// errSignedIn refuses a link of a company signer, who signs signed in.
// No such link is made any more; one from before is refused all the same.
var errSignedIn = &domain.Refusal{Kind: domain.RefusedForbidden, Message: "the company's signer signs signed in, not through a link"}

// link resolves a token to its link: unknown → 404; used, voided or
// expired → 410, with the link itself, so a retried request can still be
// answered.
func (s *Service) link(ctx context.Context, token string) (store.SigningLink, error) {
	if !eseal.ValidTokenShape(token) {
		return store.SigningLink{}, domain.ErrNotFound
	}
	l, err := s.st.LinkByHash(ctx, eseal.HashToken(token))
	if errors.Is(err, domain.ErrNotFound) {
		return store.SigningLink{}, domain.ErrNotFound
	} else if err != nil {
		return store.SigningLink{}, err
	}
	if l.Party == domain.PartyCompany {
		return store.SigningLink{}, errSignedIn
	}
	if l.Status != "active" || !s.now().Before(l.ExpiresAt) {
		return l, domain.ErrGone
	}
	return l, nil
}

// OpenLink shows a link's holder the document and progress, and records
// that it was opened, from where.
func (s *Service) OpenLink(ctx context.Context, token, requestID string, from Client) (SignView, error) {
	l, err := s.link(ctx, token)
	if err != nil {
		return SignView{}, err
	}
	v, err := s.linkView(ctx, l)
	if err != nil {
		return SignView{}, err
	}
	from = from.bounded()
	if err := s.st.LinkOpened(ctx, l, v.Signer.Name, from.IP, from.UserAgent, requestID, s.now().UTC()); err != nil {
		return SignView{}, err
	}
	return v, nil
}

// LinkView is what OpenLink shows, without recording an opening: the page
// shown again after a refused post.
func (s *Service) LinkView(ctx context.Context, token string) (SignView, error) {
	l, err := s.link(ctx, token)
	if err != nil {
		return SignView{}, err
	}
	return s.linkView(ctx, l)
}

func (s *Service) linkView(ctx context.Context, l store.SigningLink) (SignView, error) {
	row, err := s.st.Contract(ctx, l.ContractNumber)
	if err != nil {
		return SignView{}, err
	}
	doc, err := s.st.Document(ctx, l.ContractNumber)
	if err != nil {
		return SignView{}, err
	}
	signers, err := s.st.Signers(ctx, l.ContractNumber, l.Round)
	if err != nil {
		return SignView{}, err
	}
	v := SignView{ContractNumber: row.Number, Title: row.Title, Version: row.Version, CompanyName: s.Company(), CustomerName: row.CustomerName,
		DocumentSHA256: doc.SHA256, DocumentText: doc.Text, DocumentHTML: doc.HTML, Signers: signers, ExpiresAt: l.ExpiresAt}
	for _, sg := range signers {
		if sg.ID == l.SignerID {
			v.Signer = sg
		}
	}
	return v, nil
}

// LinkPage is what a link's page shows besides the document: whether the
// link still works (and if not, why and whom to ask), and the one-time
// code step by the service's own rules.
type LinkPage struct {
	// State is the link's: active, used, voided or expired.
	State          string
	ContractNumber string
	Title          string
	Amount         domain.Money
	// SenderName and SenderEmail are the contract owner's, who sent it.
	SenderName  string
	SenderEmail string
	// RequireCode says the round asks for a one-time code.
	RequireCode bool
	// RequireReadToEnd says the round asks the signer to scroll the
	// document to its end first (强制阅读).
	RequireReadToEnd bool
	// CodesLeft is how many more codes may be sent; -1 for no bound.
	CodesLeft int
	// NextCodeAt is when another code may be sent, while that is later.
	NextCodeAt *time.Time
	// CodeLive says a code was sent and still works for AttemptsLeft tries.
	CodeLive     bool
	AttemptsLeft int
}

// LinkPage tells a link's page where the link stands: unknown → 404, a
// company signer's → 403; a used, voided or expired one is no error here,
// since its page says which.
func (s *Service) LinkPage(ctx context.Context, token string) (LinkPage, error) {
	l, err := s.link(ctx, token)
	if err != nil && !errors.Is(err, domain.ErrGone) {
		return LinkPage{}, err
	}
	row, err := s.st.Contract(ctx, l.ContractNumber)
	if err != nil {
		return LinkPage{}, err
	}
	ls, err := s.st.LinkStanding(ctx, l)
	if err != nil {
		return LinkPage{}, err
	}
	now := s.now()
	lp := LinkPage{State: l.Status, ContractNumber: l.ContractNumber, Title: row.Title, Amount: domain.Money{Amount: row.Amount, Currency: row.Currency}, SenderName: ls.SenderName, SenderEmail: ls.SenderEmail}
	if lp.State == "active" && !now.Before(l.ExpiresAt) {
		lp.State = "expired"
	}
	if lp.State != "active" {
		return lp, nil
	}
	st, err := s.querySigning(ctx, l.ContractNumber, l.Round)
	if err != nil {
		return LinkPage{}, err
	}
	lp.RequireCode = st.RequireCode && s.mails
	lp.RequireReadToEnd = st.RequireReadToEnd
	lp.CodesLeft = -1
	if s.codes.Max > 0 {
		lp.CodesLeft = max(0, s.codes.Max-ls.CodesSent)
	}
	if ls.LastCodeAt != nil {
		if next := ls.LastCodeAt.Add(s.codes.Cooldown); now.Before(next) {
			lp.NextCodeAt = &next
		}
	}
	lp.CodeLive = ls.CodeExpiresAt != nil && now.Before(*ls.CodeExpiresAt)
	lp.AttemptsLeft = max(0, store.CodeAttempts-ls.CodeAttempts)
	return lp, nil
}

// LinkDocument is the document an active link's holder signs, for the
// page's frame; unlike OpenLink it records nothing.
func (s *Service) LinkDocument(ctx context.Context, token string) (store.StoredDocument, error) {
	l, err := s.link(ctx, token)
	if err != nil {
		return store.StoredDocument{}, err
	}
	return s.st.Document(ctx, l.ContractNumber)
}

// SignLinkInput is a signature through a link, with the one-time code
// when the request asks for one.
type SignLinkInput struct {
	SignerName string `json:"signer_name" validate:"required,max=200"`
	Consent    bool   `json:"consent" validate:"required"`
	Code       string `json:"code" validate:"omitempty,len=6,numeric"`
	// SignatureImage is a drawn signature, a PNG data URL
	// (CheckSignatureImage); without it the typed name is the signature.
	SignatureImage string `json:"signature_image" validate:"max=400000"`
	// ReadToEnd says the signer scrolled the document to its end, which a
	// round with require_read_to_end needs.
	ReadToEnd bool `json:"read_to_end"`
}

// CodeTTL is how long a one-time code works.
const CodeTTL = 10 * time.Minute

// CodeSent says where a one-time code went, without telling the address.
type CodeSent struct {
	SentTo    string    `json:"sent_to"`
	ExpiresAt time.Time `json:"expires_at"`
}

// SendCode mails the link's signer a fresh one-time code: at most
// codes.Max per link (409 past it: the sender can resend the link, which
// starts afresh) and codes.Cooldown apart (429 with when to ask again).
func (s *Service) SendCode(ctx context.Context, token, requestID string) (CodeSent, error) {
	l, err := s.link(ctx, token)
	if err != nil {
		return CodeSent{}, err
	}
	st, err := s.querySigning(ctx, l.ContractNumber, l.Round)
	if err != nil {
		return CodeSent{}, err
	}
	if !st.RequireCode || !s.mails {
		return CodeSent{}, &domain.Refusal{Kind: domain.RefusedConflict, Message: "this signing request does not use one-time codes"}
	}
	code, err := eseal.NewCode()
	if err != nil {
		return CodeSent{}, fmt.Errorf("make code: %w", err)
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	mail := notify.SigningCode(l.ID, requestID, l.ContractNumber, code, CodeTTL, now)
	expires, err := s.st.SaveLinkCode(ctx, l, store.LinkCode{Hash: codeHash(l.ID, code), ExpiresAt: now.Add(CodeTTL), SentAt: now, RequestID: requestID, Mail: mail}, s.allowCode(now))
	if err != nil {
		return CodeSent{}, err
	}
	email := ""
	for _, sg := range st.Signers {
		if sg.ID == l.SignerID {
			email = sg.Email
		}
	}
	return CodeSent{SentTo: maskEmail(email), ExpiresAt: expires}, nil
}

// allowCode is the rule SaveLinkCode asks under the link's lock: another
// code only within the bound and past the cooldown, by the service's clock.
func (s *Service) allowCode(now time.Time) func(store.CodeSends) error {
	return func(c store.CodeSends) error {
		if s.codes.Max > 0 && c.Count >= s.codes.Max {
			return &domain.Refusal{Kind: domain.RefusedConflict,
				Message: fmt.Sprintf("this link has had its %d one-time codes; ask the sender to resend the link", s.codes.Max)}
		}
		if c.LastAt != nil {
			if next := c.LastAt.Add(s.codes.Cooldown); now.Before(next) {
				wait := next.Sub(now)
				return &domain.RetryLater{After: wait,
					Message: fmt.Sprintf("a code was sent %s ago; ask for another in %s", now.Sub(*c.LastAt).Round(time.Second), wait.Round(time.Second))}
			}
		}
		return nil
	}
}

func codeHash(linkID, code string) []byte {
	sum := sha256.Sum256([]byte(linkID + ":" + code))
	return sum[:]
}

// maskEmail shows enough of an address to recognise it: w***@example.com.
func maskEmail(e string) string {
	local, domainPart, ok := strings.Cut(e, "@")
	if !ok || local == "" {
		return "***"
	}
	return local[:1] + "***@" + domainPart
}

// SignResult is a signer's sealed signature, how the round ended (once
// it has) and the contract's status then.
type SignResult struct {
	Signature      *eseal.SealedSignature `json:"signature,omitempty"`
	Outcome        string                 `json:"outcome,omitempty"`
	ContractStatus domain.Status          `json:"contract_status"`
}

// signResult answers a signature or decline from the round's own answer:
// the round that ended reports the status the contract recorded; one
// still open left the contract where it was (before). Nothing is read
// back after the Update, so an Update that landed is never answered 503.
func signResult(st workflows.SigningState, signerID string, before domain.Status) SignResult {
	res := SignResult{Outcome: string(st.Outcome), ContractStatus: before}
	if st.Outcome != "" && st.ContractStatus != "" {
		res.ContractStatus = st.ContractStatus
	}
	for _, sg := range st.Signers {
		if sg.ID == signerID {
			res.Signature = sg.Signature
		}
	}
	return res
}

// SignLink signs through a link. The link is checked here (404/410) and
// again by the round, which refuses a signer out of turn (409). A request
// retried with the same request ID gets the first answer, even once the
// link is used.
func (s *Service) SignLink(ctx context.Context, token, requestID string, in SignLinkInput, from Client) (SignResult, error) {
	if strings.TrimSpace(in.SignerName) == "" {
		return SignResult{}, domain.InvalidField("signer_name", "is required")
	}
	l, err := s.link(ctx, token)
	if errors.Is(err, domain.ErrGone) {
		return s.firstAnswer(ctx, l, requestID)
	}
	if err != nil {
		return SignResult{}, err
	}
	drawn, err := CheckSignatureImage(in.SignatureImage)
	if err != nil {
		return SignResult{}, err
	}
	row, err := s.st.Contract(ctx, l.ContractNumber)
	if err != nil {
		return SignResult{}, err
	}
	round, err := s.querySigning(ctx, l.ContractNumber, l.Round)
	if err != nil {
		return SignResult{}, err
	}
	if round.RequireReadToEnd && !in.ReadToEnd {
		return SignResult{}, domain.InvalidField("read_to_end", "this signing request asks you to read the document to its end before signing")
	}
	checked := false
	if in.Code != "" {
		ok, err := s.st.CheckLinkCode(ctx, l.ID, codeHash(l.ID, in.Code), s.now())
		switch {
		case errors.Is(err, store.ErrCodeLocked):
			return SignResult{}, &domain.Refusal{Kind: domain.RefusedConflict, Message: "too many wrong codes: ask for a new one"}
		case err != nil:
			return SignResult{}, err
		case !ok:
			return SignResult{}, domain.InvalidField("code", "is wrong or has expired")
		}
		checked = true
	}
	if drawn != nil {
		// Kept before the signature is recorded, keyed by the signer, so the
		// PDF rendered once it is finds it; a signature then refused leaves
		// a capture no PDF shows, replaced when the signer signs.
		sum := sha256.Sum256(drawn)
		if err := s.st.SaveSignatureCapture(ctx, store.SignatureCapture{ContractNumber: l.ContractNumber, Round: l.Round, SignerID: l.SignerID,
			Version: round.Version, PNG: drawn, SHA256: hex.EncodeToString(sum[:]), CapturedAt: s.now().UTC()}); err != nil {
			return SignResult{}, err
		}
	}
	from = from.bounded()
	var st workflows.SigningState
	err = s.updateSigning(ctx, l.ContractNumber, l.Round, requestID, workflows.UpdateSignerSign, workflows.SignerSignRequest{
		LinkID: l.ID, SignerName: in.SignerName, Consent: in.Consent, CodeChecked: checked, IP: from.IP, UserAgent: from.UserAgent,
	}, &st)
	if err != nil {
		return SignResult{}, err
	}
	return signResult(st, l.SignerID, row.Status), nil
}

// firstAnswer answers a request on a link that is no longer active with
// the outcome of the Update the same request ID sent before (a retry whose
// first try landed); without one, the link is gone (410).
func (s *Service) firstAnswer(ctx context.Context, l store.SigningLink, requestID string) (SignResult, error) {
	var st workflows.SigningState
	err := s.wf.UpdateResult(ctx, workflows.SigningWorkflowID(l.ContractNumber, l.Round), requestID, &st)
	if errors.Is(err, domain.ErrNotFound) {
		return SignResult{}, domain.ErrGone
	}
	if err == nil {
		err = s.wf.SettleSigning(ctx, &st, requestID)
	}
	if err != nil {
		return SignResult{}, err
	}
	row, err := s.st.Contract(ctx, l.ContractNumber)
	if err != nil {
		return SignResult{}, err
	}
	return signResult(st, l.SignerID, row.Status), nil
}

// DeclineInput declines with a reason.
type DeclineInput struct {
	Reason string `json:"reason" validate:"required,max=2000"`
}

// DeclineLink declines through a link; the round closes and the contract
// returns to approved with the reason.
func (s *Service) DeclineLink(ctx context.Context, token, requestID string, in DeclineInput, from Client) (SignResult, error) {
	if strings.TrimSpace(in.Reason) == "" {
		return SignResult{}, domain.InvalidField("reason", "is required")
	}
	l, err := s.link(ctx, token)
	if errors.Is(err, domain.ErrGone) {
		return s.firstAnswer(ctx, l, requestID)
	}
	if err != nil {
		return SignResult{}, err
	}
	row, err := s.st.Contract(ctx, l.ContractNumber)
	if err != nil {
		return SignResult{}, err
	}
	from = from.bounded()
	var st workflows.SigningState
	err = s.updateSigning(ctx, l.ContractNumber, l.Round, requestID, workflows.UpdateDecline, workflows.DeclineRequest{
		LinkID: l.ID, Reason: in.Reason, IP: from.IP, UserAgent: from.UserAgent,
	}, &st)
	if err != nil {
		return SignResult{}, err
	}
	return signResult(st, l.SignerID, row.Status), nil
}

// bounded keeps a client's user agent to what a record should hold.
func (c Client) bounded() Client {
	if len(c.UserAgent) > 512 {
		c.UserAgent = c.UserAgent[:512]
	}
	c.UserAgent = strings.ToValidUTF8(c.UserAgent, "")
	return c
}

// SigningKeys are the public halves of the sealing keys: the current one
// and the retired ones that still verify.
func (s *Service) SigningKeys() (eseal.KeySet, error) { return s.sealer.Keys() }

// Certificate returns the sealed certificate of completion of a contract
// version (default: the current one).
func (s *Service) Certificate(ctx context.Context, u domain.User, number string, version int) (eseal.Certificate, error) {
	row, err := s.VisibleRow(ctx, u, number)
	if err != nil {
		return eseal.Certificate{}, err
	}
	if version == 0 {
		version = row.Version
	}
	sigs, err := s.st.SealedSignatures(ctx, number, version)
	if err != nil {
		return eseal.Certificate{}, err
	}
	events, err := s.st.SigningEvents(ctx, number, version)
	if err != nil {
		return eseal.Certificate{}, err
	}
	if len(events) == 0 {
		return eseal.Certificate{}, &domain.Refusal{Kind: domain.RefusedConflict, Message: fmt.Sprintf("version %d of %s has not been sent for signature", version, number)}
	}
	c := eseal.Certificate{ContractNumber: number, Title: row.Title, Version: version, DocumentSHA256: row.DocumentSHA256,
		Signatures: sigs, Events: events, IssuedAt: s.now().UTC().Truncate(time.Second)}
	if len(sigs) > 0 {
		c.DocumentSHA256 = sigs[0].DocumentSHA256
	}
	if version == row.Version && row.SignedAt != nil {
		at := row.SignedAt.UTC()
		c.CompletedAt = &at
	}
	return s.sealer.Certify(c)
}

// VerifyInput asks whether a document (by its SHA-256) or a certificate
// is genuine.
type VerifyInput struct {
	DocumentSHA256 string             `json:"document_sha256" validate:"omitempty,len=64,hexadecimal"`
	Certificate    *eseal.Certificate `json:"certificate"`
}

// VerifiedVersion is a contract version whose document matched, with who
// signed it and whether each seal checks.
type VerifiedVersion struct {
	ContractNumber string           `json:"contract_number"`
	Title          string           `json:"title"`
	Version        int              `json:"version"`
	FullySigned    bool             `json:"fully_signed"`
	SignedAt       *time.Time       `json:"signed_at"`
	Signatures     []VerifiedSigner `json:"signatures"`
}

// VerifiedSigner is one signature and whether its seal checks.
type VerifiedSigner struct {
	SignerName string    `json:"signer_name"`
	Party      string    `json:"party"`
	Role       string    `json:"role"`
	SignedAt   time.Time `json:"signed_at"`
	SealValid  bool      `json:"seal_valid"`
}

// VerifyResult answers a verification.
type VerifyResult struct {
	DocumentSHA256 string            `json:"document_sha256"`
	Matches        bool              `json:"matches"`
	SealsValid     bool              `json:"seals_valid"`
	Versions       []VerifiedVersion `json:"versions"`
	// Certificate is the verdict on a posted certificate.
	Certificate *CertificateVerdict `json:"certificate,omitempty"`
	// PDF is the verdict on a posted PDF's embedded signatures.
	PDF   *PDFVerdict `json:"pdf,omitempty"`
	KeyID string      `json:"key_id"`
}

// PDFVerdict is what a posted PDF carries: its hash, each embedded
// signature, and whether it is a signed file Signet stored (whole, or
// with bytes added after it).
type PDFVerdict struct {
	SHA256     string         `json:"sha256"`
	Signatures []PDFSignature `json:"signatures"`
	// SignetFile: the file, or the part of it Signet's signature covers,
	// is the signed PDF Signet stored for ContractNumber's Version.
	SignetFile     bool   `json:"signet_file"`
	ContractNumber string `json:"contract_number,omitempty"`
	Version        int    `json:"version,omitempty"`
	// ChangedAfter: bytes follow the last signature (an edit saved after
	// signing); a signature whose own bytes changed is not valid.
	ChangedAfter bool `json:"changed_after"`
}

// PDFSignature is one embedded PDF signature (pdfsig.Signature).
type PDFSignature struct {
	// Name is the signature dictionary's: for Signet's signatures the
	// signer it was made for (each party's, then the company's for the
	// whole file); Signer is the certificate's subject.
	Name          string     `json:"name"`
	Signer        string     `json:"signer"`
	Organization  string     `json:"organization"`
	Issuer        string     `json:"issuer"`
	CertSHA256    string     `json:"cert_sha256"`
	Reason        string     `json:"reason"`
	SignedAt      *time.Time `json:"signed_at"`
	Valid         bool       `json:"valid"`
	Problem       string     `json:"problem,omitempty"`
	CoversWhole   bool       `json:"covers_whole_document"`
	ChangedAfter  bool       `json:"changed_after"`
	AppendedBytes int64      `json:"appended_bytes"`
	// BySignet: made with Signet's configured certificate; otherwise
	// another key's, which Signet cannot vouch for.
	BySignet bool `json:"by_signet"`
	// Timestamp is its RFC 3161 time-stamp, when it carries one: when an
	// authority says it existed, rather than Signet's clock.
	Timestamp *PDFTimestamp `json:"timestamp,omitempty"`
}

// PDFTimestamp is a signature's time-stamp token as checked.
type PDFTimestamp struct {
	At        time.Time `json:"at"`
	Authority string    `json:"authority"`
	Valid     bool      `json:"valid"`
	Problem   string    `json:"problem,omitempty"`
}

// ErrNotPDF refuses a posted file that is not a readable PDF.
var ErrNotPDF = domain.InvalidField("file", "is not a readable PDF")

// VerifyPDF checks a posted PDF's embedded signatures and whether it is
// (or begins with) a signed file Signet stored; when it is, the report on
// that version's document follows as for a posted text.
func (s *Service) VerifyPDF(ctx context.Context, file []byte) (VerifyResult, error) {
	rep, err := pdfsig.Verify(file, s.pdfCert)
	if errors.Is(err, pdfsig.ErrNotPDF) {
		return VerifyResult{}, ErrNotPDF
	} else if err != nil {
		return VerifyResult{}, err
	}
	v := PDFVerdict{SHA256: DocumentHash(file), Signatures: []PDFSignature{}}
	// What Signet stored: the whole file, or what a signature of Signet's
	// covers when bytes were added after it.
	candidates := []string{v.SHA256}
	for _, sig := range rep.Signatures {
		ps := PDFSignature{Name: sig.Name, Signer: sig.Signer, Organization: sig.Organization, Issuer: sig.Issuer,
			CertSHA256: sig.Fingerprint, Reason: sig.Reason, SignedAt: sig.SignedAt, Valid: sig.Valid, Problem: sig.Problem,
			CoversWhole: sig.CoversWhole, ChangedAfter: sig.AppendedBytes > 0, AppendedBytes: sig.AppendedBytes, BySignet: sig.Known}
		if st := sig.Stamp; st != nil {
			ps.Timestamp = &PDFTimestamp{At: st.At, Authority: st.Authority, Valid: st.Valid, Problem: st.Problem}
		}
		v.Signatures = append(v.Signatures, ps)
		if sig.Known && sig.Valid && sig.AppendedBytes > 0 {
			candidates = append(candidates, DocumentHash(file[:int64(len(file))-sig.AppendedBytes]))
		}
	}
	if n := len(v.Signatures); n > 0 {
		v.ChangedAfter = v.Signatures[n-1].ChangedAfter
	}
	res := VerifyResult{KeyID: s.sealer.KeyID(), Versions: []VerifiedVersion{}}
	for _, sum := range candidates {
		stored, err := s.st.SignedPDFByHash(ctx, sum)
		if errors.Is(err, domain.ErrNotFound) {
			continue
		} else if err != nil {
			return VerifyResult{}, err
		}
		if res, err = s.Verify(ctx, VerifyInput{DocumentSHA256: stored.DocumentSHA256}); err != nil {
			return VerifyResult{}, err
		}
		v.SignetFile, v.ContractNumber, v.Version = true, stored.ContractNumber, stored.Version
		break
	}
	res.PDF = &v
	return res, nil
}

// CertificateVerdict says whether a certificate's seals all check.
type CertificateVerdict struct {
	Valid   bool   `json:"valid"`
	Problem string `json:"problem,omitempty"`
}

// DocumentHash is the SHA-256 the document package gives a document.
func DocumentHash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Verify says whether a document hash belongs to a signed contract
// version, who signed it when, and whether every seal checks; or whether a
// posted certificate's seals check.
func (s *Service) Verify(ctx context.Context, in VerifyInput) (VerifyResult, error) {
	res := VerifyResult{DocumentSHA256: strings.ToLower(in.DocumentSHA256), KeyID: s.sealer.KeyID(), Versions: []VerifiedVersion{}}
	if in.Certificate != nil {
		v := CertificateVerdict{Valid: true}
		if err := s.sealer.VerifyCertificate(*in.Certificate); err != nil {
			v = CertificateVerdict{Problem: err.Error()}
		}
		res.Certificate = &v
		if res.DocumentSHA256 == "" {
			res.DocumentSHA256 = in.Certificate.DocumentSHA256
		}
	}
	if res.DocumentSHA256 == "" {
		return VerifyResult{}, domain.InvalidField("document_sha256", "send a document, its SHA-256 or a certificate")
	}
	versions, err := s.st.VersionsByDocument(ctx, res.DocumentSHA256)
	if err != nil {
		return VerifyResult{}, err
	}
	res.SealsValid = true
	for _, ver := range versions {
		sigs, err := s.st.SealedSignatures(ctx, ver.ContractNumber, ver.Version)
		if err != nil {
			return VerifyResult{}, err
		}
		if len(sigs) == 0 {
			continue
		}
		vv := VerifiedVersion{ContractNumber: ver.ContractNumber, Title: ver.Title, Version: ver.Version, FullySigned: ver.SignedAt != nil, SignedAt: ver.SignedAt}
		for _, sig := range sigs {
			ok := sig.DocumentSHA256 == res.DocumentSHA256 && s.sealer.VerifySeal(sig.SignatureRecord, sig.Seal)
			res.SealsValid = res.SealsValid && ok
			vv.Signatures = append(vv.Signatures, VerifiedSigner{SignerName: sig.SignerName, Party: sig.Party, Role: sig.Role, SignedAt: sig.SignedAt, SealValid: ok})
		}
		res.Versions = append(res.Versions, vv)
	}
	res.Matches = len(res.Versions) > 0
	res.SealsValid = res.SealsValid && res.Matches
	return res, nil
}

// ProviderCallback is what an external e-signature provider reports.
type ProviderCallback struct {
	Event      string `json:"event" validate:"required,oneof=signed declined"`
	SignerID   string `json:"signer_id" validate:"required,max=64"`
	SignerName string `json:"signer_name" validate:"max=200"`
	Reason     string `json:"reason" validate:"max=2000"`
	IP         string `json:"ip" validate:"max=64"`
	UserAgent  string `json:"user_agent" validate:"max=512"`
}

// ErrNoProvider: callbacks are refused (404) until a provider's secret is
// configured.
var ErrNoProvider = errors.New("no e-signature provider is configured")

// Webhook headers.
const (
	WebhookSignatureHeader = "X-Signet-Signature"
	WebhookTimestampHeader = "X-Signet-Timestamp"
	WebhookDeliveryHeader  = "X-Signet-Delivery"
	// WebhookMaxSkew is how old (or early) a callback may be.
	WebhookMaxSkew = 5 * time.Minute
)

// Client is where a request came from, kept on signature records.
type Client struct {
	IP        string
	UserAgent string
}

// WebhookAuth is a callback's authentication headers.
type WebhookAuth struct {
	Signature, Timestamp, DeliveryID string
}

// VerifyCallback checks a provider callback's signature and age before
// its body is even parsed.
func (s *Service) VerifyCallback(auth WebhookAuth, body []byte) error {
	if len(s.webhookSecret) == 0 {
		return ErrNoProvider
	}
	if auth.DeliveryID == "" || len(auth.DeliveryID) > 128 {
		return fmt.Errorf("%w: delivery ID", eseal.ErrWebhookSignature)
	}
	return eseal.VerifyWebhook(s.webhookSecret, auth.Signature, auth.Timestamp, auth.DeliveryID, body, s.now(), WebhookMaxSkew)
}

// ApplyCallback turns a verified callback into a signal to its signing
// round, once per delivery ID: a repeat is acknowledged and ignored
// (duplicate=true).
func (s *Service) ApplyCallback(ctx context.Context, deliveryID string, cb ProviderCallback) (duplicate bool, err error) {
	if !domain.PlausibleKey(cb.SignerID) {
		return false, domain.InvalidField("signer_id", "is not a signer of any signing round")
	}
	ref, err := s.st.SignerOf(ctx, cb.SignerID)
	if errors.Is(err, domain.ErrNotFound) {
		return false, domain.InvalidField("signer_id", "is not a signer of any signing round")
	}
	if err != nil {
		return false, err
	}
	if ref.Party == domain.PartyCompany {
		return false, domain.InvalidField("signer_id", "signs for the company, signed in; a provider cannot sign for them")
	}
	number, round := ref.ContractNumber, ref.Round
	fresh, err := s.st.ClaimDelivery(ctx, deliveryID)
	if err != nil {
		return false, err
	}
	if !fresh {
		return true, nil
	}
	err = s.wf.Signal(ctx, workflows.SigningWorkflowID(number, round), workflows.SignalProviderEvent, workflows.ProviderEvent{
		DeliveryID: deliveryID, Kind: cb.Event, SignerID: cb.SignerID, SignerName: cb.SignerName, Reason: cb.Reason, IP: cb.IP, UserAgent: cb.UserAgent,
	})
	if err != nil {
		// Not applied: let the provider's retry through.
		if rerr := s.st.ReleaseDelivery(context.WithoutCancel(ctx), deliveryID); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return false, workflows.Error(err)
	}
	return false, nil
}

// Package esign is the e-signing application service: signing rounds sent
// for signature, the public one-time links, codes, certificates, verification
// and provider callbacks.
package esign

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"go.temporal.io/sdk/client"
	"strings"
	"time"

	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/eseal"
	"github.com/signet-clm/signet/internal/notify"
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
	ClaimDelivery(ctx context.Context, id string) (bool, error)
	SaveLinkCode(ctx context.Context, linkID string, codeHash []byte, expiresAt time.Time, mail notify.Outgoing) error
	CheckLinkCode(ctx context.Context, linkID string, codeHash []byte, now time.Time) (bool, error)
	ReleaseDelivery(ctx context.Context, id string) error
	CompanySignatory(ctx context.Context) (domain.User, error)
	Contacts(ctx context.Context, customerID string) ([]store.Contact, error)
	Contract(ctx context.Context, number string) (store.ContractRow, error)
	Document(ctx context.Context, number string) (store.StoredDocument, error)
	SignerRound(ctx context.Context, id string) (string, int, error)
}

// Service is e-signing: sending for signature, the public link endpoints,
// certificates, verification and provider callbacks. It builds on the
// contract service's visibility checks and Updates.
type Service struct {
	*contracts.Service
	st     Store
	wf     workflows.Client
	now    func() time.Time
	sealer *eseal.Sealer
	// webhookSecret authenticates the external provider; empty: none.
	webhookSecret []byte
	// mails says whether email can be sent (SMTP is configured), which
	// one-time codes need.
	mails bool
}

// New returns the e-signing service over the contract service cs.
func New(cs *contracts.Service, tc client.Client, st Store, sealer *eseal.Sealer, webhookSecret string, mails bool) *Service {
	return &Service{Service: cs, st: st, wf: workflows.Client{Temporal: tc}, now: time.Now, sealer: sealer, webhookSecret: []byte(webhookSecret), mails: mails}
}

// SignerInput names one signer. Signers of one group sign in any order;
// groups sign in ascending order (default: company 1, customer 2).
type SignerInput struct {
	Party domain.Party `json:"party" validate:"required,oneof=company customer"`
	Name  string       `json:"name" validate:"required,max=200"`
	Email string       `json:"email" validate:"required,email,max=254"`
	Role  string       `json:"role" validate:"max=100"`
	Group int          `json:"group" validate:"omitempty,min=1,max=20"`
}

// SendInput sends an approved contract for signature. Without signers,
// our first executive signs, then the customer's first contact who may
// sign and has an email.
type SendInput struct {
	Signers      []SignerInput `json:"signers" validate:"omitempty,max=20,dive"`
	DeadlineDays int           `json:"deadline_days" validate:"omitempty,min=1,max=90"`
	// RequireCode asks each signer for a one-time code mailed to them
	// before they may sign.
	RequireCode bool `json:"require_code"`
}

// Send sends an approved contract for signature.
func (s *Service) Send(ctx context.Context, u domain.User, number, requestID string, in SendInput) (workflows.ContractState, error) {
	row, err := s.ManagedRow(ctx, u, number)
	if err != nil {
		return workflows.ContractState{}, err
	}
	if in.RequireCode && !s.mails {
		return workflows.ContractState{}, domain.InvalidField("require_code", "needs email to send codes (SIGNET_SMTP_ADDR is not set)")
	}
	signers, err := s.signers(ctx, row, in.Signers)
	if err != nil {
		return workflows.ContractState{}, err
	}
	state, err := s.UpdateContract(ctx, u, number, requestID, workflows.UpdateSend, workflows.SendRequest{Actor: u.Actor(), Signers: signers, DeadlineDays: in.DeadlineDays, RequireCode: in.RequireCode})
	// The contract answers once the round's first links are out.
	return state, err
}

// signers resolves the request's signers or the defaults.
func (s *Service) signers(ctx context.Context, row store.ContractRow, in []SignerInput) ([]domain.Signer, error) {
	if len(in) > 0 {
		out := make([]domain.Signer, len(in))
		for i, si := range in {
			g := si.Group
			if g == 0 {
				g = defaultGroup(si.Party)
			}
			out[i] = domain.Signer{Party: si.Party, Name: strings.TrimSpace(si.Name), Email: strings.ToLower(si.Email), Role: si.Role, Group: g}
		}
		return out, nil
	}
	exec, err := s.st.CompanySignatory(ctx)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, domain.InvalidField("signers", "no executive can sign for the company; name the signers")
	} else if err != nil {
		return nil, err
	}
	contacts, err := s.st.Contacts(ctx, row.CustomerID)
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return nil, err
	}
	for _, c := range contacts {
		if c.MaySign && c.Email != "" {
			return []domain.Signer{
				{Party: domain.PartyCompany, Name: exec.Name, Email: exec.Email, Role: "授权代表 / Authorised signatory", Group: 1},
				{Party: domain.PartyCustomer, Name: c.Name, Email: strings.ToLower(c.Email), Role: c.Title, Group: 2},
			}, nil
		}
	}
	return nil, domain.InvalidField("signers", "the customer has no contact who may sign and has an email; name the signers")
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

// IssuedLink is a signing link made for its sender: the only time the
// token is shown.
type IssuedLink struct {
	LinkID    string    `json:"link_id"`
	SignerID  string    `json:"signer_id"`
	Token     string    `json:"token"`
	Path      string    `json:"path"`
	ExpiresAt time.Time `json:"expires_at"`
}

// IssueLink makes a new link for a signer (to hand over in person, or when
// mail is not configured); earlier links stay valid.
func (s *Service) IssueLink(ctx context.Context, u domain.User, number, signerID, requestID string) (IssuedLink, error) {
	round, err := s.roundOf(ctx, u, number, signerID)
	if err != nil {
		return IssuedLink{}, err
	}
	token, hash, err := eseal.NewToken()
	if err != nil {
		return IssuedLink{}, fmt.Errorf("make token: %w", err)
	}
	// The Update ID carries the token's hash as well as the request's ID:
	// a retried request makes a new token, and deduplicating it against the
	// first try would register the first token while answering with the
	// new one, a link that never works. A retry issues a second link
	// instead; earlier links stay valid anyway.
	var out workflows.IssuedLink
	updateID := requestID + "/" + hex.EncodeToString(hash[:8])
	err = s.updateSigning(ctx, number, round, updateID, workflows.UpdateIssueLink, workflows.IssueLinkRequest{Actor: u.Actor(), SignerID: signerID, TokenHash: hash}, &out)
	if err != nil {
		return IssuedLink{}, err
	}
	return IssuedLink{LinkID: out.LinkID, SignerID: signerID, Token: token, Path: "/sign/" + token, ExpiresAt: out.ExpiresAt}, nil
}

// ReplaceSignerInput corrects a signer who has not signed.
type ReplaceSignerInput struct {
	Name  string `json:"name" validate:"required,max=200"`
	Email string `json:"email" validate:"required,email,max=254"`
	Role  string `json:"role" validate:"max=100"`
}

// ReplaceSigner corrects a signer: their old links are voided at once.
func (s *Service) ReplaceSigner(ctx context.Context, u domain.User, number, signerID, requestID string, in ReplaceSignerInput) (workflows.SigningState, error) {
	round, err := s.roundOf(ctx, u, number, signerID)
	if err != nil {
		return workflows.SigningState{}, err
	}
	var st workflows.SigningState
	err = s.updateSigning(ctx, number, round, requestID, workflows.UpdateReplaceSigner, workflows.ReplaceSignerRequest{
		Actor: u.Actor(), SignerID: signerID, Name: strings.TrimSpace(in.Name), Email: strings.ToLower(in.Email), Role: in.Role,
	}, &st)
	return st, err
}

func (s *Service) roundOf(ctx context.Context, u domain.User, number, signerID string) (int, error) {
	// Links and signers are the contract's managers' to handle; an open
	// approval task grants reading only.
	if _, err := s.ManagedRow(ctx, u, number); err != nil {
		return 0, err
	}
	// The round is addressed by what was recorded with the signer.
	if !domain.PlausibleKey(signerID) {
		return 0, domain.ErrNotFound
	}
	owner, round, err := s.st.SignerRound(ctx, signerID)
	if err != nil {
		return 0, err
	}
	if owner != number {
		return 0, domain.ErrNotFound
	}
	return round, nil
}

// updateSigning delivers an update to a signing round; a finished round
// is closed (409).
func (s *Service) updateSigning(ctx context.Context, number string, round int, requestID, name string, arg, result any) error {
	err := s.wf.Update(ctx, workflows.SigningWorkflowID(number, round), requestID, name, arg, result)
	if errors.Is(err, domain.ErrNotFound) {
		return &domain.Refusal{Kind: domain.RefusedConflict, Message: fmt.Sprintf("signing round %d of %s is closed", round, number)}
	}
	return err
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

// link resolves a token to its link: unknown → 404; used, voided or
// expired → 410.
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
	if l.Status != "active" || !s.now().Before(l.ExpiresAt) {
		return store.SigningLink{}, domain.ErrGone
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
	from = from.bounded()
	if err := s.st.LinkOpened(ctx, l, v.Signer.Name, from.IP, from.UserAgent, requestID, s.now().UTC()); err != nil {
		return SignView{}, err
	}
	return v, nil
}

// SignLinkInput is a signature through a link, with the one-time code
// when the request asks for one.
type SignLinkInput struct {
	SignerName string `json:"signer_name" validate:"required,max=200"`
	Consent    bool   `json:"consent" validate:"required"`
	Code       string `json:"code" validate:"omitempty,len=6,numeric"`
}

// CodeTTL is how long a one-time code works.
const CodeTTL = 10 * time.Minute

// CodeSent says where a one-time code went, without telling the address.
type CodeSent struct {
	SentTo    string    `json:"sent_to"`
	ExpiresAt time.Time `json:"expires_at"`
}

// SendCode mails the link's signer a fresh one-time code.
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
	expires := s.now().UTC().Add(CodeTTL)
	mail := notify.SigningCode(l.ID, requestID, l.ContractNumber, code, CodeTTL, s.now().UTC())
	if err := s.st.SaveLinkCode(ctx, l.ID, codeHash(l.ID, code), expires, mail); err != nil {
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

// SignLink signs through a link. The link is checked here (404/410) and
// again by the round, which refuses a signer out of turn (409).
func (s *Service) SignLink(ctx context.Context, token, requestID string, in SignLinkInput, from Client) (SignResult, error) {
	if strings.TrimSpace(in.SignerName) == "" {
		return SignResult{}, domain.InvalidField("signer_name", "is required")
	}
	l, err := s.link(ctx, token)
	if err != nil {
		return SignResult{}, err
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
	from = from.bounded()
	var st workflows.SigningState
	err = s.updateSigning(ctx, l.ContractNumber, l.Round, requestID, workflows.UpdateSignerSign, workflows.SignerSignRequest{
		LinkID: l.ID, SignerName: in.SignerName, Consent: in.Consent, CodeChecked: checked, IP: from.IP, UserAgent: from.UserAgent,
	}, &st)
	if err != nil {
		return SignResult{}, err
	}
	res := SignResult{Outcome: string(st.Outcome)}
	for _, sg := range st.Signers {
		if sg.ID == l.SignerID {
			res.Signature = sg.Signature
		}
	}
	res.ContractStatus, err = s.contractStatus(ctx, l.ContractNumber)
	return res, err
}

// contractStatus returns the contract's status after a signature or a
// decline. One that ended the round was answered only once the contract
// had recorded the outcome, so one read suffices.
func (s *Service) contractStatus(ctx context.Context, number string) (domain.Status, error) {
	state, err := s.LiveState(ctx, number)
	return state.Status, err
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
	res := SignResult{Outcome: string(st.Outcome)}
	res.ContractStatus, err = s.contractStatus(ctx, l.ContractNumber)
	return res, err
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
	KeyID       string              `json:"key_id"`
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
	number, round, err := s.st.SignerRound(ctx, cb.SignerID)
	if errors.Is(err, domain.ErrNotFound) {
		return false, domain.InvalidField("signer_id", "is not a signer of any signing round")
	}
	if err != nil {
		return false, err
	}
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

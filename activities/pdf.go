package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/eseal"
	"github.com/signet-clm/signet/internal/pdfdoc"
	"github.com/signet-clm/signet/internal/pdfsig"
	"github.com/signet-clm/signet/internal/store"
)

// PDFStore is what RenderPDF reads: the version's document, its sealed
// signatures and the approval decisions.
type PDFStore interface {
	DocumentVersion(ctx context.Context, number string, version int) (store.StoredDocument, error)
	SealedSignatures(ctx context.Context, number string, version int) ([]eseal.SealedSignature, error)
	Tasks(ctx context.Context, number string) ([]domain.ApprovalTask, error)
	SigningEvents(ctx context.Context, number string, version int) ([]eseal.Event, error)
	// AppliedSeal is the company seal applied with the version's company
	// signature, domain.ErrNotFound when none was.
	AppliedSeal(ctx context.Context, number string, version int) (store.AppliedSeal, error)
	// SignedPDF and SaveSignedPDF keep a version's signed PDF (SignPDF).
	SignedPDF(ctx context.Context, number string, version int) (store.SignedPDF, error)
	SaveSignedPDF(ctx context.Context, p store.SignedPDF) (store.SignedPDF, error)
	// SignatureImages are the drawn signatures of the version's recorded
	// signatures (the signing page's canvas), PNG by signer ID.
	SignatureImages(ctx context.Context, number string, version int) (map[string][]byte, error)
}

// RenderPDFInput names the contract version to render.
type RenderPDFInput struct {
	ContractNumber string
	Version        int
	// RequireCode is whether the round asked each customer signer for a
	// one-time code (signing is refused without it), as the certificate
	// page says.
	RequireCode bool `json:",omitempty"`
	// SignatureImages are drawn signatures (PNG) by signer ID, besides
	// those stored with the signatures; a signer without one is shown by
	// their typed name.
	SignatureImages map[string][]byte `json:",omitempty"`
}

// RenderPDFResult is the rendered file. A contract's PDF is some 100 KB,
// well inside Temporal's payload limit; PDFSHA256 identifies the bytes.
type RenderPDFResult struct {
	PDF            []byte
	PDFSHA256      string
	DocumentSHA256 string
}

// RenderPDF renders a contract version's PDF with every signature so far
// and, once anyone has signed, the certificate page. It only reads, so a
// retry renders the same bytes again.
func (a *Activities) RenderPDF(ctx context.Context, in RenderPDFInput) (RenderPDFResult, error) {
	pin, err := a.PDFInput(ctx, in)
	if err != nil {
		return RenderPDFResult{}, err
	}
	file, err := pdfdoc.Render(pin)
	if err != nil {
		// The same input fails the same way: retrying cannot help.
		return RenderPDFResult{}, temporal.NewNonRetryableApplicationError(err.Error(), "BadDocument", err)
	}
	sum := sha256.Sum256(file)
	return RenderPDFResult{PDF: file, PDFSHA256: hex.EncodeToString(sum[:]), DocumentSHA256: pin.Document.SHA256}, nil
}

// PDFInput gathers what a version's PDF shows from the store: the
// document, the signers (identity, address, browser, time), the approval
// chain with its opinions and the company seal applied with the company's
// signature.
func (a *Activities) PDFInput(ctx context.Context, in RenderPDFInput) (pdfdoc.Input, error) {
	stored, err := a.PDF.DocumentVersion(ctx, in.ContractNumber, in.Version)
	if err != nil {
		return pdfdoc.Input{}, fmt.Errorf("document of %s v%d: %w", in.ContractNumber, in.Version, err)
	}
	doc, err := stored.Decode()
	if err != nil {
		return pdfdoc.Input{}, temporal.NewNonRetryableApplicationError(err.Error(), "BadDocument", err)
	}
	sigs, err := a.PDF.SealedSignatures(ctx, in.ContractNumber, in.Version)
	if err != nil {
		return pdfdoc.Input{}, err
	}
	tasks, err := a.PDF.Tasks(ctx, in.ContractNumber)
	if err != nil {
		return pdfdoc.Input{}, err
	}
	events, err := a.PDF.SigningEvents(ctx, in.ContractNumber, in.Version)
	if err != nil {
		return pdfdoc.Input{}, err
	}
	drawn, err := a.PDF.SignatureImages(ctx, in.ContractNumber, in.Version)
	if err != nil {
		return pdfdoc.Input{}, err
	}
	for id, png := range in.SignatureImages {
		drawn[id] = png
	}
	// A code is sent only to a signer whose round asks for one, and such a
	// signer signs only with it: a code sent means a code checked.
	coded := map[string]bool{}
	out := pdfdoc.Input{Document: doc}
	for _, e := range events {
		if e.Kind == string(domain.SigningCodeSent) {
			coded[e.SignerID] = true
		}
		ev := pdfdoc.Event{Kind: e.Kind, Signer: e.SignerName, At: e.At, IP: e.IP, Detail: e.Detail}
		if e.Kind == string(domain.SigningSigned) {
			ev.Detail = "" // the party, said already
		}
		out.Events = append(out.Events, ev)
	}
	for _, s := range sigs {
		identity := s.SignerEmail
		if s.UserID != "" {
			identity = s.UserID + " " + s.SignerEmail
		}
		out.Signers = append(out.Signers, pdfdoc.Signer{
			Name: s.SignerName, Party: pdfdoc.Party(s.Party), Role: s.Role, Identity: identity,
			SignedAt: s.SignedAt, IP: s.IP, UserAgent: s.UserAgent,
			CodeVerified: s.Party == string(domain.PartyCustomer) && (in.RequireCode || coded[s.SignerID]),
			SignaturePNG: drawn[s.SignerID], TypedName: s.SignerName,
		})
	}
	decided := slices.DeleteFunc(slices.Clone(tasks), func(t domain.ApprovalTask) bool { return t.DecidedAt == nil })
	slices.SortStableFunc(decided, func(x, y domain.ApprovalTask) int { return x.DecidedAt.Compare(*y.DecidedAt) })
	for _, t := range decided {
		stage := t.StageName
		if stage == "" {
			stage = string(t.Role)
		}
		out.Approvals = append(out.Approvals, pdfdoc.Approval{Stage: stage, Approver: t.DecidedByName,
			Decision: string(t.Status), Opinion: t.Opinion, DecidedAt: *t.DecidedAt})
	}
	applied, err := a.PDF.AppliedSeal(ctx, in.ContractNumber, in.Version)
	switch {
	case err == nil:
		out.Seal = &pdfdoc.Seal{PNG: applied.PNG, Name: applied.Name, ImageSHA256: applied.SHA256,
			AppliedBy: applied.AppliedBy, AppliedAt: applied.AppliedAt}
	case errors.Is(err, domain.ErrNotFound):
		if a.Sealer != nil {
			out.Seal = &pdfdoc.Seal{}
		}
	default:
		return pdfdoc.Input{}, err
	}
	if out.Seal != nil && a.Sealer != nil {
		out.Seal.KeyFingerprint = a.Sealer.KeyID()
	}
	return out, nil
}

// SignPDFInput names the version whose round completed.
type SignPDFInput struct {
	ContractNumber string
	Version        int
	RequireCode    bool `json:",omitempty"`
	// At is when the round completed: the signature's time.
	At time.Time
}

// SignPDFResult says what was stored. The file stays in PostgreSQL: a
// local activity's result is in the history, and 100 KB per contract
// there is not worth it.
type SignPDFResult struct {
	// Signed is false when no PDF signing key is configured.
	Signed    bool
	PDFSHA256 string `json:",omitempty"`
}

// SignPDFAttempts is how often the signing round tries SignPDF; a
// time-stamping authority that has not answered by the last attempt is
// done without.
const SignPDFAttempts = 3

// SignPDF renders the version with every signature and its certificate
// page, applies a PDF digital signature for each signer and then Signet's
// over the whole file (signEach), and stores it once per version: a
// retry, or a second call, finds the stored one and keeps it (the signing
// time is in the bytes). Without a configured key it does nothing, and
// the version's PDF stays unsigned.
func (a *Activities) SignPDF(ctx context.Context, in SignPDFInput) (SignPDFResult, error) {
	if a.PDFSigner == nil {
		return SignPDFResult{}, nil
	}
	if got, err := a.PDF.SignedPDF(ctx, in.ContractNumber, in.Version); err == nil {
		return SignPDFResult{Signed: true, PDFSHA256: got.PDFSHA256}, nil
	} else if !errors.Is(err, domain.ErrNotFound) {
		return SignPDFResult{}, err
	}
	pin, err := a.PDFInput(ctx, RenderPDFInput{ContractNumber: in.ContractNumber, Version: in.Version, RequireCode: in.RequireCode})
	if err != nil {
		return SignPDFResult{}, err
	}
	file, err := pdfdoc.Render(pin)
	if err != nil {
		return SignPDFResult{}, temporal.NewNonRetryableApplicationError(err.Error(), "BadDocument", err)
	}
	signed, err := a.signEach(ctx, in, pin, file)
	if err != nil {
		return SignPDFResult{}, err
	}
	sum := sha256.Sum256(signed)
	stored, err := a.PDF.SaveSignedPDF(ctx, store.SignedPDF{ContractNumber: in.ContractNumber, Version: in.Version, PDF: signed,
		PDFSHA256: hex.EncodeToString(sum[:]), DocumentSHA256: pin.Document.SHA256, CertSHA256: a.PDFSigner.Fingerprint(), SignedAt: in.At})
	if err != nil {
		return SignPDFResult{}, err
	}
	return SignPDFResult{Signed: true, PDFSHA256: stored.PDFSHA256}, nil
}

// signEach applies one PDF signature per signer, in the order they
// signed, each an incremental update over the one before and named for
// its signer with their time, so a reader's signature panel lists every
// party's signing as its own revision; then Signet's, over the whole
// file, which alone carries the authority's time-stamp when one is
// configured (the others' times are those the round recorded). All are
// made with Signet's key: the signers signed on Signet, not with keys
// of their own.
func (a *Activities) signEach(ctx context.Context, in SignPDFInput, pin pdfdoc.Input, file []byte) ([]byte, error) {
	signers := slices.Clone(pin.Signers)
	slices.SortStableFunc(signers, func(x, y pdfdoc.Signer) int { return x.SignedAt.Compare(y.SignedAt) })
	for _, s := range signers {
		party := "甲方 / Party A"
		if s.Party == pdfdoc.PartyCustomer {
			party = "乙方 / Party B"
		}
		var err error
		file, err = pdfsig.Sign(file, a.PDFSigner, pdfsig.Info{Name: s.Name, Location: "Signet", Date: s.SignedAt,
			Reason: fmt.Sprintf("%s v%d %s 签署 / signed", in.ContractNumber, in.Version, party)})
		if err != nil {
			return nil, temporal.NewNonRetryableApplicationError(err.Error(), "BadDocument", err)
		}
	}
	name := a.CompanyName
	if name == "" {
		name = "Signet"
	}
	sigInfo := pdfsig.Info{Name: name, Location: "Signet",
		Reason: fmt.Sprintf("%s v%d 签署完成 / signed by all parties", in.ContractNumber, in.Version), Date: in.At,
		Timestamps: a.PDFTimestamps}
	signed, err := pdfsig.Sign(file, a.PDFSigner, sigInfo)
	if errors.Is(err, pdfsig.ErrTimestamp) {
		// The authority is down or refused. Retried while attempts last;
		// the last one signs without a time-stamp rather than leave the
		// file unsigned for good (the signing time is then Signet's word,
		// which verification says).
		if activity.GetInfo(ctx).Attempt < SignPDFAttempts {
			return nil, err
		}
		activity.GetLogger(ctx).Warn("the time-stamping authority gave no token: the PDF is signed without a time-stamp",
			"contract", in.ContractNumber, "version", in.Version, "error", err)
		sigInfo.Timestamps = nil
		signed, err = pdfsig.Sign(file, a.PDFSigner, sigInfo)
	}
	if err != nil {
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), "BadDocument", err)
	}
	return signed, nil
}

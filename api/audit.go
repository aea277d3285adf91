package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/store"
)

// AuditReader reads the audit trail.
type AuditReader interface {
	Audit(ctx context.Context, f store.AuditFilter) ([]audit.Entry, error)
}

// AuditVerifier checks the audit trail's chain against the audit keys and
// the sealed checkpoints (audit.Trail).
type AuditVerifier interface {
	Verify(ctx context.Context) (audit.Report, error)
}

// AuditQuery filters the audit trail.
type AuditQuery struct {
	ObjectType string `form:"object_type" validate:"max=64"`
	ObjectID   string `form:"object_id" validate:"max=200"`
	Actor      string `form:"actor" validate:"max=100"`
	Cursor     int64  `form:"cursor" validate:"gte=0"`
	Limit      int    `form:"limit" validate:"omitempty,min=1,max=1000"`
}

// AuditPage is one page of the trail and the cursor of the next.
type AuditPage struct {
	Items      []AuditEntry `json:"items"`
	NextCursor int64        `json:"next_cursor,omitempty"`
}

func (h *handlers) audit(c *gin.Context) {
	withQuery(h, func(ctx context.Context, _ domain.User, _ *gin.Context, q AuditQuery) (AuditPage, error) {
		return ReadAudit(ctx, h.d.Audit, q)
	})(c)
}

// ReadAudit is one page of the trail as GET /v1/audit answers it (the
// console's audit page reads it the same way).
func ReadAudit(ctx context.Context, r AuditReader, q AuditQuery) (AuditPage, error) {
	if q.Limit == 0 {
		q.Limit = 100
	}
	entries, err := r.Audit(ctx, store.AuditFilter{ObjectType: q.ObjectType, ObjectID: q.ObjectID, ActorID: q.Actor, After: q.Cursor, Limit: q.Limit})
	if err != nil {
		return AuditPage{}, store.Classify(err)
	}
	page := AuditPage{Items: convList(entries, toAuditEntry)}
	if page.Items == nil {
		page.Items = []AuditEntry{}
	}
	if len(entries) == q.Limit {
		page.NextCursor = entries[len(entries)-1].Seq
	}
	return page, nil
}

// AuditVerification is what GET /v1/audit/verify found walking the chain,
// as `signet audit verify` reports it: how many entries were checked, the
// first that does not hold, if any, and the sealed checkpoints the chain
// was held against.
type AuditVerification struct {
	OK      bool        `json:"ok"`
	Checked int64       `json:"checked"`
	Broken  *AuditBreak `json:"broken,omitempty"`
	// Checkpoints is how many sealed checkpoints (kept outside the
	// database) the chain was checked against; LatestCheckpoint the newest.
	Checkpoints      int              `json:"checkpoints"`
	LatestCheckpoint *AuditCheckpoint `json:"latest_checkpoint,omitempty"`
}

// AuditBreak is the API's audit.Break.
type AuditBreak struct {
	Seq    int64  `json:"seq"`
	Reason string `json:"reason"`
}

// AuditCheckpoint is the API's audit.Checkpoint: every audit chain's head
// as sealed at one moment, under one Merkle root.
type AuditCheckpoint struct {
	Seq    int64     `json:"seq"`
	Hash   string    `json:"hash"`
	Chains int       `json:"chains"`
	At     time.Time `json:"at"`
}

func (h *handlers) verifyAudit(c *gin.Context) {
	// It takes no parameters; one given is refused by name.
	if err := h.bindQuery(c, &struct{}{}); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	v, err := VerifyAudit(c.Request.Context(), h.d.AuditChain)
	if err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// VerifyAudit walks the chain as GET /v1/audit/verify reports it.
func VerifyAudit(ctx context.Context, chain AuditVerifier) (AuditVerification, error) {
	rep, err := chain.Verify(ctx)
	if err != nil {
		return AuditVerification{}, store.Classify(err)
	}
	v := AuditVerification{OK: rep.Broken == nil, Checked: rep.Checked, Checkpoints: rep.Checkpoints}
	if b := rep.Broken; b != nil {
		v.Broken = &AuditBreak{Seq: b.Seq, Reason: b.Reason}
	}
	if cp := rep.Latest; cp != nil {
		v.LatestCheckpoint = &AuditCheckpoint{Seq: cp.Seq, Hash: cp.Hash, Chains: len(cp.Heads), At: cp.At}
	}
	return v, nil
}

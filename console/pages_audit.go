package console

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/domain"
)

// auditors may read the trail and check its chain: GET /v1/audit's roles.
var auditors = []domain.Role{domain.RoleAuditor, domain.RoleAdmin}

// auditPage is the audit trail (GET /audit) with its filters in the URL,
// and, when asked (?verify=1), what walking the chain found.
type auditPage struct {
	Query  api.AuditQuery
	Page   api.AuditPage
	Next   string
	First  string
	Verify *api.AuditVerification
}

// auditTrail shows a page of the trail as GET /v1/audit reads it.
func (p *pages) auditTrail(c *gin.Context) {
	var q struct {
		api.AuditQuery
		Verify string `form:"verify" validate:"omitempty,oneof=1"`
	}
	if err := api.BindQuery(c, &q); err != nil {
		p.serviceError(c, err)
		return
	}
	page, err := api.ReadAudit(c.Request.Context(), p.d.Audit, q.AuditQuery)
	if err != nil {
		p.serviceError(c, err)
		return
	}
	data := auditPage{Query: q.AuditQuery, Page: page}
	if q.Verify == "1" {
		v, err := api.VerifyAudit(c.Request.Context(), p.d.AuditChain)
		if err != nil {
			p.serviceError(c, err)
			return
		}
		data.Verify = &v
	}
	// Paging keeps the filters and drops the check (it is asked anew).
	if q.Cursor != 0 {
		first := c.Request.URL.Query()
		first.Del("verify")
		first.Del("cursor")
		data.First = "/audit?" + first.Encode()
	}
	if page.NextCursor != 0 {
		next := c.Request.URL.Query()
		next.Del("verify")
		next.Set("cursor", strconv.FormatInt(page.NextCursor, 10))
		data.Next = "/audit?" + next.Encode()
	}
	v := p.view(c, "audit", data)
	v.Title = v.T("audit.title")
	p.render(c, http.StatusOK, "audit", v)
}

// Pretty indents a before or after image for reading, with what people
// typed shown as they typed it (not \u003c); empty for none. Keys come out
// sorted; numbers keep their digits.
func (v *view) Pretty(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return string(raw)
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return string(raw)
	}
	return strings.TrimSuffix(out.String(), "\n")
}

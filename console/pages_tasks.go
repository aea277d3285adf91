package console

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/inbox"
)

// inboxPage is 我的待办: the visitor's tasks in one status, and how many
// they have in each.
type inboxPage struct {
	Inbox    api.Inbox
	Status   string
	Overdue  bool
	Statuses []string
	// Done is the task just decided, to say so.
	Done string
}

// inboxQuery is GET /v1/tasks's filters, and the task decided last (shown,
// never looked up).
type inboxQuery struct {
	inbox.InboxQuery
	Done string `form:"done" validate:"max=200"`
}

var taskStatuses = []string{"open", "approved", "rejected", "changes_requested"}

func (p *pages) inbox(c *gin.Context) {
	var q inboxQuery
	if err := api.BindQuery(c, &q); err != nil {
		p.serviceError(c, err)
		return
	}
	box, err := p.d.Approvals.Inbox(c.Request.Context(), currentUser(c), q.InboxQuery)
	if err != nil {
		p.serviceError(c, err)
		return
	}
	status := q.Status
	if status == "" {
		status = string(domain.TaskOpen)
	}
	v := p.view(c, "inbox", inboxPage{Inbox: api.InboxOf(box), Status: status, Overdue: q.Overdue, Statuses: taskStatuses, Done: q.Done})
	v.Title = v.T("nav.inbox")
	p.render(c, http.StatusOK, "inbox", v)
}

// taskPage is one task as its approver reads it, with the form to decide
// it.
type taskPage struct {
	api.TaskDetail
	// Why is the round's route explained: each rule with what it saw.
	Why *api.RoundView
	// Open is whether the visitor may still decide (the task is open and
	// theirs or their role's).
	Open bool
	Form decisionForm
	// Attachments are the contract's files, which the task lets its
	// holder read.
	Attachments []api.Attachment
}

// decisionForm is the decision panel: what was typed, a fresh request ID
// (so a double submit applies once), and why it was refused.
type decisionForm struct {
	TaskID    string
	RequestID string
	Opinion   string
	Errors    []api.FieldError
	Refusal   string
}

func (p *pages) task(c *gin.Context) {
	tp, err := p.loadTask(c, c.Param("id"))
	if err != nil {
		p.serviceError(c, err)
		return
	}
	p.showTask(c, http.StatusOK, tp)
}

// loadTask reads the task through the approvals service (which answers
// not found to anyone who may not read it) and its round explained.
func (p *pages) loadTask(c *gin.Context, id string) (taskPage, error) {
	ctx, u := c.Request.Context(), currentUser(c)
	d, err := p.d.Approvals.Task(ctx, u, id)
	if err != nil {
		return taskPage{}, err
	}
	tp := taskPage{TaskDetail: api.TaskDetailOf(d), Form: decisionForm{TaskID: d.Task.ID, RequestID: uuid.NewString()}}
	tp.Open = d.Task.Status == domain.TaskOpen && (d.Task.AssigneeID == u.ID || (d.Task.AssigneeID == "" && u.Actor().Has(d.Task.Role)))
	// Task has checked the visitor may read the contract.
	rounds, err := p.d.Approvals.Why(ctx, d.Task.ContractNumber)
	if err != nil {
		return taskPage{}, err
	}
	for _, r := range api.RoundViewsOf(rounds) {
		if r.Round == d.Task.Round {
			tp.Why = &r
		}
	}
	att, err := p.d.Contracts.Attachments(ctx, u, d.Task.ContractNumber)
	if err != nil {
		return taskPage{}, err
	}
	tp.Attachments = api.AttachmentsOf(att)
	return tp, nil
}

func (p *pages) showTask(c *gin.Context, status int, tp taskPage) {
	v := p.view(c, "inbox", tp)
	v.Title = tp.Task.ContractNumber + " " + tp.Task.Title
	p.render(c, status, "task", v)
}

// decide delivers the decision exactly as POST /v1/tasks/{id}/decision
// does; a refusal is shown in the panel, with what was typed.
func (p *pages) decide(c *gin.Context) {
	in := contracts.DecideInput{Decision: domain.Decision(c.PostForm("decision")), Opinion: c.PostForm("opinion")}
	requestID := c.PostForm("request_id")
	if !api.ValidRequestID(requestID) {
		requestID = uuid.NewString()
	}
	id := c.Param("id")
	err := api.Validate(&in)
	if err == nil {
		_, err = p.d.Contracts.Decide(c.Request.Context(), currentUser(c), id, requestID, in)
	}
	if err == nil {
		p.redirect(c, "/inbox?done="+url.QueryEscape(id))
		return
	}
	status, body := api.ErrorStatus(err)
	if status == http.StatusNotFound || status >= 500 {
		p.serviceError(c, err)
		return
	}
	tp, lerr := p.loadTask(c, id)
	if lerr != nil {
		p.serviceError(c, lerr)
		return
	}
	tp.Form.Opinion, tp.Form.Errors = in.Opinion, body.Fields
	if len(body.Fields) == 0 {
		tp.Form.Refusal = body.Message
	}
	p.showTask(c, status, tp)
}

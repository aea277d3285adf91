package imports

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/store"
)

// Historian builds and starts imported contracts (contracts.Service).
type Historian interface {
	HistoricalDraft(number string, in contracts.HistoricalInput) (store.Draft, json.RawMessage, error)
	StartHistorical(ctx context.Context, number string, start json.RawMessage) error
}

// Historical is one contract signed before Signet, as a file brings it.
type Historical struct {
	Line int `json:"line"`
	// Year numbers it when its original number will not do: the year it
	// was signed.
	Year int                       `json:"year"`
	In   contracts.HistoricalInput `json:"in"`
	// customerExternalID is resolved to In.CustomerID at the check.
	customerExternalID string
}

// Contracts reads a historical contract file: each row one contract, with
// its payment plan ("首付款:50%:2024-01-31;尾款:50%:2024-07-31", amounts or
// shares of the total), what was invoiced and received so far (spread over
// the milestones in order), and its obligations ("验收:2024-03-31:完成").
func Contracts(t Table, today string) ([]Historical, []Problem) {
	l, problems := newLayout(KindContracts, t.Header)
	if len(problems) > 0 {
		return nil, problems
	}
	s := &sheet{layout: l}
	var out []Historical
	seen := map[string]int{}
	for _, r := range t.Rows {
		id := s.externalID(r)
		if s.repeated(r, id, seen) {
			continue
		}
		h := Historical{Line: r.Line, customerExternalID: s.cell(r, "customer_external_id")}
		in := &h.In
		in.ExternalID, in.Title = id, s.cell(r, "title")
		if in.Title == "" || len([]rune(in.Title)) > 200 || strings.ContainsAny(in.Title, "\r\n") {
			s.bad(r.Line, "title", "is required, at most 200 characters on one line")
		}
		if h.customerExternalID == "" {
			s.bad(r.Line, "customer_external_id", "is required: the customer's external ID from the same source")
		}
		in.OwnerID = s.cell(r, "owner")
		in.Currency = strings.ToUpper(s.cell(r, "currency"))
		if in.Currency == "" {
			in.Currency = domain.DefaultCurrency
		}
		if !domain.ValidCurrency(in.Currency) {
			s.bad(r.Line, "currency", "must be an ISO 4217 code such as CNY")
			in.Currency = domain.DefaultCurrency
		}
		amount, err := parseAmount(s.cell(r, "amount"), in.Currency)
		if err != nil {
			s.bad(r.Line, "amount", err.Error())
		}
		in.Amount = amount
		dates := map[string]*string{"signed_date": &in.SignedDate, "start_date": &in.StartDate, "end_date": &in.EndDate}
		for _, key := range []string{"signed_date", "start_date", "end_date"} {
			d, err := parseDate(s.cell(r, key))
			if err != nil {
				s.bad(r.Line, key, err.Error())
			}
			*dates[key] = d
		}
		switch {
		case in.StartDate != "" && in.EndDate != "" && in.EndDate < in.StartDate:
			s.bad(r.Line, "end_date", "is before the start date")
		case in.SignedDate != "" && in.SignedDate > today:
			s.bad(r.Line, "signed_date", "is after today: only contracts already signed are imported")
		}
		if y, err := strconv.Atoi(strings.SplitN(in.SignedDate, "-", 2)[0]); err == nil {
			h.Year = y
		}
		s.plan(r, in)
		s.obligations(r, in)
		autoRenew, err := parseBool(s.cell(r, "auto_renew"), false)
		if err != nil {
			s.bad(r.Line, "auto_renew", err.Error())
		}
		in.Renewal = domain.Renewal{AutoRenew: autoRenew, NoticeDays: slices.Clone(domain.DefaultNoticeDays)}
		if v := s.cell(r, "notice_days"); v != "" {
			in.Renewal.NoticeDays = nil
			for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '，' || r == ';' || r == ' ' }) {
				d, err := strconv.Atoi(part)
				if err != nil || d < 1 || d > 3650 || slices.Contains(in.Renewal.NoticeDays, d) {
					s.bad(r.Line, "notice_days", "must be distinct days from 1 to 3650, such as 90,30,7")
					break
				}
				in.Renewal.NoticeDays = append(in.Renewal.NoticeDays, d)
			}
		}
		out = append(out, h)
	}
	return out, s.problems
}

// plan reads the payment plan and spreads what was invoiced and received
// over it in order.
func (s *sheet) plan(r Row, in *contracts.HistoricalInput) {
	invoiced, received := int64(0), int64(0)
	var err error
	if v := s.cell(r, "invoiced"); v != "" {
		if invoiced, err = parseAmount(v, in.Currency); err != nil {
			s.bad(r.Line, "invoiced", err.Error())
		}
	}
	if v := s.cell(r, "received"); v != "" {
		if received, err = parseAmount(v, in.Currency); err != nil {
			s.bad(r.Line, "received", err.Error())
		}
	}
	v := s.cell(r, "payment_plan")
	if v == "" {
		if invoiced > 0 || received > 0 {
			// What was received needs a milestone to sit on: the whole
			// amount, due when the term starts.
			in.Plan = []contracts.HistoricalMilestone{{Title: "合同款", Amount: in.Amount, DueDate: in.StartDate}}
		}
	} else {
		var sum int64
		shares := 0
		parts := strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == '；' || r == '\n' })
		for i, part := range parts {
			f := strings.FieldsFunc(part, func(r rune) bool { return r == ':' || r == '：' })
			if len(f) != 3 {
				s.bad(r.Line, "payment_plan", fmt.Sprintf("milestone %d must be title:amount or share%%:date", i+1))
				return
			}
			m := contracts.HistoricalMilestone{Title: strings.TrimSpace(f[0])}
			if share := strings.TrimSpace(f[1]); strings.HasSuffix(share, "%") || strings.HasSuffix(share, "％") {
				bp, err := parseRate(share)
				if err != nil {
					s.bad(r.Line, "payment_plan", fmt.Sprintf("milestone %d: %v", i+1, err))
					return
				}
				// Shares are of the total, rounded down; see below.
				m.Amount = in.Amount/10000*int64(bp) + in.Amount%10000*int64(bp)/10000
				shares += bp
			} else if m.Amount, err = parseAmount(share, in.Currency); err != nil {
				s.bad(r.Line, "payment_plan", fmt.Sprintf("milestone %d: amount %v", i+1, err))
				return
			}
			if m.DueDate, err = parseDate(f[2]); err != nil {
				s.bad(r.Line, "payment_plan", fmt.Sprintf("milestone %d: date %v", i+1, err))
				return
			}
			if m.Title == "" || len([]rune(m.Title)) > 200 {
				s.bad(r.Line, "payment_plan", fmt.Sprintf("milestone %d needs a title of at most 200 characters", i+1))
				return
			}
			sum += m.Amount
			in.Plan = append(in.Plan, m)
		}
		if shares == 10000 && len(in.Plan) > 0 {
			// Shares that make the whole: the last takes what rounding left.
			in.Plan[len(in.Plan)-1].Amount += in.Amount - sum
			sum = in.Amount
		}
		if sum != in.Amount {
			s.bad(r.Line, "payment_plan", fmt.Sprintf("adds up to %s, not the amount %s",
				domain.Money{Amount: sum, Currency: in.Currency}.Decimal(), domain.Money{Amount: in.Amount, Currency: in.Currency}.Decimal()))
			return
		}
	}
	if invoiced > in.Amount {
		s.bad(r.Line, "invoiced", "is more than the amount")
		return
	}
	if received > in.Amount {
		s.bad(r.Line, "received", "is more than the amount")
		return
	}
	for i := range in.Plan {
		m := &in.Plan[i]
		m.Invoiced, m.Received = min(invoiced, m.Amount), min(received, m.Amount)
		invoiced, received = invoiced-m.Invoiced, received-m.Received
	}
}

// obligations reads "title:date" or "title:date:完成" entries.
func (s *sheet) obligations(r Row, in *contracts.HistoricalInput) {
	v := s.cell(r, "obligations")
	if v == "" {
		return
	}
	for i, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == '；' || r == '\n' }) {
		f := strings.FieldsFunc(part, func(r rune) bool { return r == ':' || r == '：' })
		if len(f) < 2 || len(f) > 3 || strings.TrimSpace(f[0]) == "" || len([]rune(f[0])) > 200 {
			s.bad(r.Line, "obligations", fmt.Sprintf("obligation %d must be title:date or title:date:完成", i+1))
			return
		}
		due, err := parseDate(f[1])
		if err != nil {
			s.bad(r.Line, "obligations", fmt.Sprintf("obligation %d: date %v", i+1, err))
			return
		}
		o := contracts.HistoricalObligation{Title: strings.TrimSpace(f[0]), DueDate: due}
		if len(f) == 3 {
			switch strings.ToLower(strings.TrimSpace(f[2])) {
			case "完成", "已完成", "done":
				o.Done = true
			case "", "未完成", "open":
			default:
				s.bad(r.Line, "obligations", fmt.Sprintf("obligation %d: the third part must be 完成 (done) or nothing", i+1))
				return
			}
		}
		in.Obligations = append(in.Obligations, o)
	}
}

// CustomerStore is what checking contracts reads of the customer book.
type CustomerStore interface {
	Customer(ctx context.Context, id string) (store.Customer, error)
}

// checkContracts resolves each contract's customer (imported before from
// the same source) and owner, and fills in their names.
func (s *Service) checkContracts(ctx context.Context, u domain.User, source string, hs []Historical) []Problem {
	var out []Problem
	var ids []string
	for _, h := range hs {
		ids = append(ids, h.customerExternalID)
	}
	keys, err := s.store.FindExternals(ctx, store.KindCustomer, source, ids)
	if err != nil {
		return []Problem{{Line: 1, Message: err.Error()}}
	}
	owners := map[string]*domain.User{}
	// The importing request is named in each contract's audit trail.
	by, ok := audit.Named(ctx)
	if !ok || by.UserID == "" {
		by = audit.Actor{UserID: u.ID}
	}
	for i := range hs {
		h := &hs[i]
		h.In.Source = source
		h.In.ImportedBy = by
		if h.customerExternalID != "" {
			id, ok := keys[h.customerExternalID]
			if !ok {
				out = append(out, Problem{Line: h.Line, Column: columnTitle(KindContracts, "customer_external_id"), Field: "customer_external_id",
					Message: "no customer imported from " + source + " has this external ID: import the customers first"})
			} else if c, err := s.store.Customer(ctx, id); err != nil {
				out = append(out, Problem{Line: h.Line, Field: "customer_external_id", Column: columnTitle(KindContracts, "customer_external_id"), Message: err.Error()})
			} else {
				h.In.CustomerID, h.In.Customer = c.ID, c.Name
				if c.CreditCode != nil {
					h.In.CreditCode = *c.CreditCode
				}
			}
		}
		owner := h.In.OwnerID
		if owner == "" {
			owner = u.ID
		}
		if _, seen := owners[owner]; !seen {
			if o, err := s.store.User(ctx, owner); err == nil {
				owners[owner] = &o
			} else {
				owners[owner] = nil
			}
		}
		if o := owners[owner]; o == nil {
			out = append(out, Problem{Line: h.Line, Column: columnTitle(KindContracts, "owner"), Field: "owner", Message: "no such user"})
		} else {
			h.In.OwnerID, h.In.OwnerName = o.ID, o.Name
		}
	}
	return out
}

// today is the calendar date now where the company is.
func (s *Service) today() string { return s.now().In(s.loc).Format(time.DateOnly) }

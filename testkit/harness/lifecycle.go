package harness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/esign"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/workflows"
)

// ContractAmount is 120,000.00: the default policy routes it to a sales
// manager and then finance, so each lifecycle has two approvals.
const ContractAmount = 120_000_00

// Approvals is how many decisions a ContractAmount contract needs.
const Approvals = 2

// Signers is how many people sign it: our executive, the customer's contact.
const Signers = 2

// ContractBody is the draft every harness contract starts from: the demo
// customer and template, one line priced at ContractAmount, a term that
// ends in a year (so its expiry timer is running when the checks read it).
func ContractBody() map[string]any {
	start := time.Now().UTC()
	return map[string]any{
		"title":       "基准测试合同",
		"customer_id": devstack.DemoCustomerID,
		"contact_id":  devstack.DemoContactID,
		"template_id": devstack.DemoSalesTemplate,
		"currency":    "CNY",
		"start_date":  start.Format(time.DateOnly),
		"end_date":    start.AddDate(1, 0, 0).Format(time.DateOnly),
		"fields": map[string]any{
			"delivery_date": start.Format(time.DateOnly), "delivery_place": "上海市浦东新区张江路88号",
			"payment_terms_days": 30, "payment_method": "银行转账",
		},
		"line_items": []map[string]any{{"product_id": devstack.DemoConsultingProduct, "quantity": "1", "unit_price": ContractAmount}},
	}
}

// approverRoles are the demo roles whose inboxes a review can reach.
var approverRoles = []string{"sales_manager", "finance", "legal", "executive"}

// DriveToActive takes one new contract from draft to active over HTTP:
// create, submit, every approval as its task reaches an inbox, send, and
// each signer signing through a one-time link the owner issues. It is the
// one place that knows how a contract is driven, so a change of flow
// changes only this function (and signAll).
func (c *Client) DriveToActive(ctx context.Context) (string, error) {
	n, err := c.DriveToSigning(ctx)
	if err != nil {
		return n, err
	}
	status, err := c.SignAll(ctx, n)
	if err != nil {
		return n, err
	}
	if status != domain.StatusActive {
		return n, fmt.Errorf("%s: %s after every signature, want active", n, status)
	}
	return n, nil
}

// DriveToSigning creates a contract, takes it through review and sends it
// for signature, returning its number once its signing round is open.
func (c *Client) DriveToSigning(ctx context.Context) (string, error) {
	raw, err := c.Call(ctx, "create", http.MethodPost, "/v1/contracts", "sales", ContractBody())
	if err != nil {
		return "", err
	}
	var st workflows.ContractState
	if err := json.Unmarshal(raw, &st); err != nil {
		return "", fmt.Errorf("decode created contract: %w", err)
	}
	n := st.Contract.Number
	if st, err = c.step(ctx, "submit", "/v1/contracts/"+n+"/submit", "sales", nil); err != nil {
		return n, err
	}
	if st, err = c.approveAll(ctx, n, st); err != nil {
		return n, err
	}
	if st.Status != domain.StatusApproved {
		return n, fmt.Errorf("%s: %s after review, want approved", n, st.Status)
	}
	if _, err = c.step(ctx, "send", "/v1/contracts/"+n+"/send", "sales", nil); err != nil {
		return n, err
	}
	return n, nil
}

// SignAll signs as each signer of n's signing round in turn, the
// company's signed in as the executive and each customer's through the
// link mailed to them, and returns the contract's status after the last.
func (c *Client) SignAll(ctx context.Context, n string) (domain.Status, error) {
	raw, err := c.Call(ctx, "signing", http.MethodGet, "/v1/contracts/"+n+"/signing", "sales", nil)
	if err != nil {
		return "", err
	}
	var round workflows.SigningState
	if err := json.Unmarshal(raw, &round); err != nil {
		return "", fmt.Errorf("decode signing round: %w", err)
	}
	var status domain.Status
	for _, sg := range round.Signers {
		if sg.Party == domain.PartyCompany {
			raw, err = c.Call(ctx, "sign_in", http.MethodPost, "/v1/contracts/"+n+"/signers/"+sg.ID+"/sign", "executive", map[string]any{"consent": true})
		} else {
			link, lerr := c.mailedLink(ctx, n, sg.ID, sg.Email)
			if lerr != nil {
				return "", lerr
			}
			raw, err = c.Call(ctx, "sign", http.MethodPost, link, "", map[string]any{"signer_name": sg.Name, "consent": true})
		}
		if errors.Is(err, ErrRefused) {
			// A retry carries the first try's request ID and gets its
			// answer; a 4xx here means the first try's Update is still
			// unknown to Temporal (a restart), so wait for the round to
			// show the signature.
			if rerr := c.awaitSigned(ctx, n, sg.ID); rerr != nil {
				return "", fmt.Errorf("%w; and the round never showed the signature: %w", err, rerr)
			}
			status = ""
			continue
		}
		if err != nil {
			return "", err
		}
		var res esign.SignResult
		if err := json.Unmarshal(raw, &res); err != nil {
			return "", fmt.Errorf("decode signature: %w", err)
		}
		status = res.ContractStatus
	}
	if status != "" && status != domain.StatusSigning {
		return status, nil
	}
	// The last signature was recovered, or the API answered before the
	// contract had taken in the closed round (it waits only as long as its
	// request timeout, and a killed worker's stranded activity takes
	// longer): wait for the contract to move on.
	for deadline := time.Now().Add(c.Patience); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		st, err := c.live(ctx, n)
		if err != nil || st.Status != domain.StatusSigning {
			return st.Status, err
		}
	}
	return domain.StatusSigning, nil
}

// linkPattern finds a one-time link in a mail's text.
var linkPattern = regexp.MustCompile(`/sign/[A-Za-z0-9_-]{43}`)

// mailedLink waits for the newest signing link mailed to signer (at
// address) of contract n, which the worker's dispatcher sends, and returns
// its path. The mail's Message-ID carries the link's ID.
func (c *Client) mailedLink(ctx context.Context, n, signer, address string) (string, error) {
	for deadline := time.Now().Add(c.Patience); time.Now().Before(deadline); {
		link := ""
		for _, m := range c.mail.Messages() {
			if m.Recipient == address && strings.Contains(m.MessageID, "signing-link/"+signer+"/") {
				if l := linkPattern.FindString(m.Text); l != "" {
					link = l
				}
			}
		}
		if link != "" {
			return link, nil
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return "", fmt.Errorf("no signing link for %s reached %s after %s", n, address, c.Patience)
}

// awaitSigned waits until signer has signed in n's current round.
func (c *Client) awaitSigned(ctx context.Context, n, signer string) error {
	for deadline := time.Now().Add(c.Patience); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		raw, err := c.Call(ctx, "signing", http.MethodGet, "/v1/contracts/"+n+"/signing", "sales", nil)
		if err != nil {
			return err
		}
		var round workflows.SigningState
		if err := json.Unmarshal(raw, &round); err != nil {
			return fmt.Errorf("decode signing round: %w", err)
		}
		for _, sg := range round.Signers {
			if sg.ID == signer && sg.Signature != nil {
				return nil
			}
		}
	}
	return fmt.Errorf("%s has not signed after %s", signer, c.Patience)
}

func (c *Client) step(ctx context.Context, op, path, role string, body any) (workflows.ContractState, error) {
	var st workflows.ContractState
	raw, err := c.Call(ctx, op, http.MethodPost, path, role, body)
	if err != nil {
		return st, err
	}
	return st, json.Unmarshal(raw, &st)
}

// approveAll approves each task of n's review as it opens, whichever inbox
// it is in, until the review ends.
func (c *Client) approveAll(ctx context.Context, n string, st workflows.ContractState) (workflows.ContractState, error) {
	deadline := time.Now().Add(c.Patience)
	for st.Status == domain.StatusInReview {
		if time.Now().After(deadline) {
			return st, fmt.Errorf("%s still in review after %s", n, c.Patience)
		}
		decided := false
		for _, role := range approverRoles {
			raw, err := c.Call(ctx, "inbox", http.MethodGet, "/v1/tasks?status=open&contract="+n, role, nil)
			if err != nil {
				return st, err
			}
			var inbox struct{ Items []store.InboxTask }
			if err := json.Unmarshal(raw, &inbox); err != nil {
				return st, fmt.Errorf("decode inbox: %w", err)
			}
			for _, t := range inbox.Items {
				st, err = c.step(ctx, "decision", "/v1/tasks/"+t.ID+"/decision", role, map[string]any{"decision": "approve", "opinion": "同意"})
				if errors.Is(err, ErrRefused) {
					// A retried decision whose first try landed finds its
					// task closed; the contract's own state says where it is.
					st, err = c.live(ctx, n)
				}
				if err != nil || st.Status != domain.StatusInReview {
					return st, err
				}
				decided = true
			}
		}
		if !decided {
			// No task open: the round may have closed on a decision whose
			// answer was lost (a retry found the task closed, or the API
			// answered before the contract took in the outcome), so ask
			// the contract where it is.
			if cur, err := c.live(ctx, n); err == nil {
				st = cur
			}
			select {
			case <-ctx.Done():
				return st, ctx.Err()
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
	return st, nil
}

// live reads n's state as its workflow holds it.
func (c *Client) live(ctx context.Context, n string) (workflows.ContractState, error) {
	raw, err := c.Call(ctx, "get", http.MethodGet, "/v1/contracts/"+n, "sales", nil)
	if err != nil {
		return workflows.ContractState{}, err
	}
	var v contracts.View
	if err := json.Unmarshal(raw, &v); err != nil {
		return workflows.ContractState{}, fmt.Errorf("decode contract: %w", err)
	}
	if v.Live == nil {
		return workflows.ContractState{}, fmt.Errorf("%s: no live state", n)
	}
	return *v.Live, nil
}

package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/workflows"
)

// fuzzBody sends arbitrary bytes as the JSON body of one route, through
// the real router, store and workflows, as a holder of role: whatever the
// bytes, the answer is never a 5xx (a panic answers 500). The seed corpus
// (a valid body, near misses and malformed JSON) is in testdata/fuzz;
// `go test` runs only the seeds, `make faults` fuzzes each target.
func fuzzBody(f *testing.F, method, role string, path func(testing.TB, *testenv.Stack) string) {
	testenv.RequireIntegration(f)
	s := testenv.NewStack(f, testenv.TemporalAddress())
	p := path(f, s)
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := send(s, method, p, role, string(body))
		if err != nil {
			t.Fatalf("%s %s: %v", method, p, err)
		}
		if r.Status >= 500 {
			t.Fatalf("%s %s answered %d to %q: %s", method, p, r.Status, body, r.Body)
		}
	})
}

func fixed(p string) func(testing.TB, *testenv.Stack) string {
	return func(testing.TB, *testenv.Stack) string { return p }
}

// onDraft is a route under a new draft's number.
func onDraft(suffix string) func(testing.TB, *testenv.Stack) string {
	return func(t testing.TB, s *testenv.Stack) string {
		return "/v1/contracts/" + create(t, s, newContract(50_00, "2026-01-01", "2026-12-31")).Contract.Number + suffix
	}
}

// onSigning is a route under a contract out for signature.
func onSigning(suffix string) func(testing.TB, *testenv.Stack) string {
	return func(t testing.TB, s *testenv.Stack) string {
		n := create(t, s, newContract(50_00, "2026-01-01", "2026-12-31")).Contract.Number
		state := expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil), http.StatusOK)
		if state = approveAll(t, s, state); state.Status != domain.StatusApproved {
			t.Fatalf("%s is %s, want approved", n, state.Status)
		}
		expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/send", "sales", nil), http.StatusOK)
		return "/v1/contracts/" + n + suffix
	}
}

// onApproved is a route under an approved contract.
func onApproved(suffix string) func(testing.TB, *testenv.Stack) string {
	return func(t testing.TB, s *testenv.Stack) string {
		n := create(t, s, newContract(50_00, "2026-01-01", "2026-12-31")).Contract.Number
		state := expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil), http.StatusOK)
		if state = approveAll(t, s, state); state.Status != domain.StatusApproved {
			t.Fatalf("%s is %s, want approved", n, state.Status)
		}
		return "/v1/contracts/" + n + suffix
	}
}

// onFirstSigner is a route under the first signer of a contract out for
// signature (the company's): its signer resource.
func onFirstSigner(suffix string) func(testing.TB, *testenv.Stack) string {
	return func(t testing.TB, s *testenv.Stack) string {
		contract := onSigning("")(t, s)
		round := expect[workflows.SigningState](t, call(t, s, http.MethodGet, contract+"/signing", "sales", nil), http.StatusOK)
		return contract + "/signers/" + round.Signers[0].ID + suffix
	}
}

// onCustomerLink is the one-time link mailed to a customer signer whose
// turn it is.
func onCustomerLink(suffix string) func(testing.TB, *testenv.Stack) string {
	return func(t testing.TB, s *testenv.Stack) string {
		n := approved(t, s)
		expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/send", "sales", map[string]any{
			"signers": []map[string]any{{"party": "customer", "name": "王建国", "email": "wang@xingchen.example", "group": 1}, {"party": "company", "user_id": "demo-executive", "group": 2}},
		}), http.StatusOK)
		return mailedLink(t, s, n, signingOf(t, s, n).Signers[0].ID) + suffix
	}
}

// onOpenTask is the decision route of an open task in the sales
// manager's inbox.
func onOpenTask(t testing.TB, s *testenv.Stack) string {
	n := create(t, s, newContract(50_00, "2026-01-01", "2026-12-31")).Contract.Number
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil), http.StatusOK)
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if tasks := inbox(t, s, "sales_manager", n); len(tasks) > 0 {
			return "/v1/tasks/" + tasks[0].ID + "/decision"
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no task of %s reached the sales manager", n)
	return ""
}

func FuzzCreateContract(f *testing.F) { fuzzBody(f, http.MethodPost, "sales", fixed("/v1/contracts")) }
func FuzzReviseContent(f *testing.F) {
	fuzzBody(f, http.MethodPut, "sales", onDraft("/content"))
}
func FuzzNonStandardClauses(f *testing.F) {
	fuzzBody(f, http.MethodPost, "legal", onDraft("/non-standard-clauses"))
}
func FuzzCancel(f *testing.F) { fuzzBody(f, http.MethodPost, "sales", onDraft("/cancel")) }
func FuzzSend(f *testing.F)   { fuzzBody(f, http.MethodPost, "sales", onApproved("/send")) }
func FuzzReplaceSigner(f *testing.F) {
	fuzzBody(f, http.MethodPut, "sales", onFirstSigner(""))
}
func FuzzSignLink(f *testing.F) { fuzzBody(f, http.MethodPost, "", onCustomerLink("")) }
func FuzzDeclineLink(f *testing.F) {
	fuzzBody(f, http.MethodPost, "", onCustomerLink("/decline"))
}
func FuzzSignSignedIn(f *testing.F) {
	fuzzBody(f, http.MethodPost, "executive", onFirstSigner("/sign"))
}
func FuzzSigningAuthority(f *testing.F) {
	fuzzBody(f, http.MethodPut, "admin", fixed("/v1/users/demo-finance/signing-authority"))
}
func FuzzCreateUser(f *testing.F) { fuzzBody(f, http.MethodPost, "admin", fixed("/v1/users")) }
func FuzzUpdateUser(f *testing.F) {
	fuzzBody(f, http.MethodPatch, "admin", fixed("/v1/users/demo-finance"))
}
func FuzzDecision(f *testing.F) { fuzzBody(f, http.MethodPost, "sales_manager", onOpenTask) }
func FuzzCreateCustomer(f *testing.F) {
	fuzzBody(f, http.MethodPost, "sales", fixed("/v1/customers"))
}
func FuzzUpdateCustomer(f *testing.F) {
	fuzzBody(f, http.MethodPatch, "sales", fixed("/v1/customers/"+devstack.DemoCustomerID))
}
func FuzzAddContact(f *testing.F) {
	fuzzBody(f, http.MethodPost, "sales", fixed("/v1/customers/"+devstack.DemoCustomerID+"/contacts"))
}
func FuzzCreateProductLine(f *testing.F) {
	fuzzBody(f, http.MethodPost, "finance", fixed("/v1/product-lines"))
}
func FuzzCreateProduct(f *testing.F) { fuzzBody(f, http.MethodPost, "finance", fixed("/v1/products")) }
func FuzzUpdateProduct(f *testing.F) {
	fuzzBody(f, http.MethodPatch, "finance", fixed("/v1/products/"+devstack.DemoServiceProductID))
}
func FuzzCreateTemplate(f *testing.F) { fuzzBody(f, http.MethodPost, "legal", fixed("/v1/templates")) }
func FuzzCreateClause(f *testing.F)   { fuzzBody(f, http.MethodPost, "legal", fixed("/v1/clauses")) }
func FuzzCreatePolicy(f *testing.F) {
	fuzzBody(f, http.MethodPost, "admin", fixed("/v1/approval-policies"))
}
func FuzzRiskRules(f *testing.F)  { fuzzBody(f, http.MethodPut, "legal", fixed("/v1/risk-rules")) }
func FuzzDelegation(f *testing.F) { fuzzBody(f, http.MethodPost, "legal", fixed("/v1/delegations")) }
func FuzzIssueToken(f *testing.F) { fuzzBody(f, http.MethodPost, "sales", fixed("/v1/tokens")) }
func FuzzNotificationSettings(f *testing.F) {
	fuzzBody(f, http.MethodPut, "finance", fixed("/v1/me/notification-settings"))
}

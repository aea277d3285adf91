package console_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/testkit/testenv"
)

// The home page glances: how many active contracts end within 30, 60 and
// 90 days (all of them counted), the soonest ten listed, and the
// contracts by status with their amounts.
func TestHomeGlance(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	ctx := context.Background()
	today := time.Now().In(s.Loc).Truncate(24 * time.Hour)
	// 12 ending within 30 days, 3 within 60, 2 within 90, 1 later.
	var days []int
	for i := range 12 {
		days = append(days, 1+i)
	}
	days = append(days, 40, 45, 50, 70, 85, 200)
	for i, d := range days {
		end := today.AddDate(0, 0, d)
		_, err := s.Store.Pool().Exec(ctx, `INSERT INTO contracts (number, title, customer_name, owner_id, owner_name, amount, currency,
			start_date, end_date, expires_at, status, version, event_seq, signed_at, created_at, updated_at, template_id, template_version, document_sha256)
			VALUES ($1, $2, '上海星辰科技有限公司', 'demo-sales', '张伟 Zhang Wei', 100000, 'CNY', $3::date, $4::date, $5, 'active', 1, 1, $6, $6, $6, 'sales-zh', 1, '')`,
			fmt.Sprintf("HT-2025-%06d", i+1), fmt.Sprintf("到期合同%d", i), end.AddDate(-1, 0, 0).Format(time.DateOnly), end.Format(time.DateOnly), end.AddDate(0, 0, 1), end.AddDate(-1, 0, 0))
		require.NoError(t, err)
	}
	v := newVisitor(t, s)
	v.signIn("finance")
	home := v.get("/")
	require.Equal(t, http.StatusOK, home.Status)
	for want, label := range map[string]string{"12": "30", "15": "60", "17": "90"} {
		assert.Contains(t, home.Body, `<span class="num">`+want+`</span><span>`+label, "within %s days", label)
	}
	assert.Equal(t, 10, strings.Count(home.Body, `<td class="num"><span class="tag window-`), "the soonest ten are listed")
	assert.Contains(t, home.Body, "HT-2025-000001")
	assert.NotContains(t, home.Body, "HT-2025-000018", "one ending in 200 days is not")
	assert.Contains(t, home.Body, `href="/contracts?status=active"`)
	assert.Contains(t, home.Body, "CNY 18,000.00", "18 active contracts of 1,000.00")
}

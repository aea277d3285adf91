package imcard

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/domain"
)

var update = flag.Bool("update", false, "rewrite the golden files from today's payloads")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	var pretty bytes.Buffer
	require.NoError(t, json.Indent(&pretty, got, "", "  "))
	pretty.WriteByte('\n')
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, pretty.Bytes(), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./internal/imcard -update to create %s", path)
	assert.Equal(t, string(want), pretty.String(), "%s differs from the golden file", name)
}

func sample(openOnly bool) Card {
	return Card{
		TaskID: "7b0f3a52-3c1e-4f7e-9d0a-2f4b8e6c1a90", ContractNumber: "HT-2026-000123",
		Title: "年度服务合同 *加急* [v2]", Amount: domain.Money{Amount: 12345650, Currency: "CNY"},
		Customer: "上海星辰科技有限公司", Risk: "medium",
		Link: "https://signet.example.cn/inbox/7b0f3a52-3c1e-4f7e-9d0a-2f4b8e6c1a90", OpenOnly: openOnly,
	}
}

func TestDingTalkCardsMatchGoldenFiles(t *testing.T) {
	body, err := DingTalk(sample(false), "manager4220", "dingrobot01", "signet")
	require.NoError(t, err)
	golden(t, "dingtalk-decide.json", body)
	body, err = DingTalk(sample(true), "manager4220", "dingrobot01", "signet")
	require.NoError(t, err)
	golden(t, "dingtalk-open-only.json", body)
}

// A closed task's card keeps its facts, says how it closed and offers only
// 打开任务.
func TestDingTalkClosedCardMatchesGoldenFile(t *testing.T) {
	c := sample(false)
	c.Closed = ClosedText(domain.TaskRejected, "李经理")
	body, err := DingTalkUpdate(c)
	require.NoError(t, err)
	golden(t, "dingtalk-closed.json", body)
	assert.NotContains(t, string(body), `\"id\":\"approve\"`)
	assert.Equal(t, "已拒绝（李经理）", c.Closed)
	assert.Equal(t, "已同意", ClosedText(domain.TaskApproved, ""))
}

func TestWeComClosedCardMatchesGoldenFile(t *testing.T) {
	body, err := WeComUpdate("ZhangWei", 1000002, "rc-abc", domain.TaskChangesRequested)
	require.NoError(t, err)
	golden(t, "wecom-closed.json", body)
}

func TestWeComCardsMatchGoldenFiles(t *testing.T) {
	body, err := WeCom(sample(false), "ZhangWei", 1000002)
	require.NoError(t, err)
	golden(t, "wecom-decide.json", body)
	body, err = WeCom(sample(true), "ZhangWei", 1000002)
	require.NoError(t, err)
	golden(t, "wecom-open-only.json", body)
}

// buttons lists a card's button labels, whatever the platform.
func buttons(t *testing.T, body []byte) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if x["type"] == "button" {
				out = append(out, x["label"].(map[string]any)["text"].(string))
			}
			if txt, ok := x["text"].(string); ok && x["key"] != nil || x["url"] != nil && x["text"] != nil && x["style"] != nil {
				out = append(out, txt)
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case string:
			if strings.HasPrefix(x, "{") {
				var inner any
				if json.Unmarshal([]byte(x), &inner) == nil {
					walk(inner)
				}
			}
		}
	}
	var v any
	require.NoError(t, json.Unmarshal(body, &v))
	walk(v)
	return out
}

func TestAboveTheLimitOnlyOpens(t *testing.T) {
	limits, err := ParseLimits("CNY=10000000,USD=1500000")
	require.NoError(t, err)
	c := sample(false)
	c.OpenOnly = limits.OpenOnly(c.Amount) // CNY 123,456.50 > CNY 100,000.00
	require.True(t, c.OpenOnly)
	d, _ := DingTalk(c, "u", "r", "k")
	w, _ := WeCom(c, "u", 1)
	assert.Equal(t, []string{"打开任务"}, buttons(t, d))
	assert.Equal(t, []string{"打开任务"}, buttons(t, w))
	c.OpenOnly = false
	d, _ = DingTalk(c, "u", "r", "k")
	assert.ElementsMatch(t, []string{"同意", "拒绝", "退回修改", "打开任务"}, buttons(t, d))

	assert.False(t, limits.OpenOnly(domain.Money{Amount: 10000000, Currency: "CNY"}), "at the limit decides")
	assert.True(t, limits.OpenOnly(domain.Money{Amount: 1, Currency: "EUR"}), "a currency not named opens only")
	all, err := ParseLimits("500000")
	require.NoError(t, err)
	assert.False(t, all.OpenOnly(domain.Money{Amount: 1, Currency: "EUR"}))
	none, err := ParseLimits("")
	require.NoError(t, err)
	assert.False(t, none.OpenOnly(domain.Money{Amount: 1 << 60, Currency: "CNY"}))
	_, err = ParseLimits("CNY:1")
	assert.Error(t, err)
}

func TestTrackIDNamesTheTask(t *testing.T) {
	id, ok := TaskOf(TrackID("abc"))
	assert.True(t, ok)
	assert.Equal(t, "abc", id)
	_, ok = TaskOf("other")
	assert.False(t, ok)
}

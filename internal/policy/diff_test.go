package policy_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/signet-clm/signet/internal/policy"
)

func TestDiffShowsChangedLinesWithContext(t *testing.T) {
	old := strings.Split("标题\n第1条 标的\n付款期限30日\n第3条 验收\n第4条 争议\n生效", "\n")
	new := strings.Split("标题\n第1条 标的\n付款期限60日\n第3条 验收\n第4条 争议\n第5条 特别约定\n生效", "\n")
	assert.Equal(t, []policy.DiffLine{
		{Op: "=", Text: "第1条 标的"},
		{Op: "-", Text: "付款期限30日"},
		{Op: "+", Text: "付款期限60日"},
		{Op: "=", Text: "第3条 验收"},
		{Op: "=", Text: "第4条 争议"},
		{Op: "+", Text: "第5条 特别约定"},
		{Op: "=", Text: "生效"},
	}, policy.Diff(old, new))
	assert.Empty(t, policy.Diff(old, old), "no change, no lines")
}

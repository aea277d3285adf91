package domain_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/signet-clm/signet/internal/domain"
)

func TestCapitalCNY(t *testing.T) {
	cases := map[int64]string{
		0:                  "零元整",
		5:                  "伍分",
		50:                 "伍角整",
		55:                 "伍角伍分",
		100:                "壹元整",
		1000:               "壹拾元整",
		1005:               "壹拾元零伍分",
		10_50:              "壹拾元伍角整",
		168032:             "壹仟陆佰捌拾元叁角贰分",
		1_000_000_01:       "壹佰万元零壹分",
		100_000_000_00:     "壹亿元整",
		100_010_000_00:     "壹亿零壹万元整",
		1_000_000_00:       "壹佰万元整",
		10_005_000_00:      "壹仟万伍仟元整",
		10_000_500_00:      "壹仟万零伍佰元整",
		1_010_101_00:       "壹佰零壹万零壹佰零壹元整",
		12_345_678_90:      "壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角整",
		-2_00:              "负贰元整",
		999_999_999_999_99: "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分",
		domain.MaxAmount:   "壹拾万亿元整",
	}
	for fen, want := range cases {
		assert.Equal(t, want, domain.CapitalCNY(fen), "%d fen", fen)
	}
}

func TestCreditCode(t *testing.T) {
	for _, code := range []string{"91350100M000100Y43", "91110000600037341L", "91440300708461136T"} {
		assert.True(t, domain.ValidCreditCode(code), code)
	}
	for _, code := range []string{
		"91350100M000100Y44",  // wrong check character
		"91350100M000100Y4",   // too short
		"91350100M000100Y430", // too long
		"91350100M0001O0Y43",  // O is not in the alphabet
		"91350100m000100Y43",  // lower case
		"",
	} {
		assert.False(t, domain.ValidCreditCode(code), code)
	}
}

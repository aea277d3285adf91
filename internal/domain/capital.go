package domain

import "strings"

var (
	capitalDigits   = []rune("零壹贰叁肆伍陆柒捌玖")
	capitalUnits    = []string{"", "拾", "佰", "仟"}
	capitalSections = []string{"", "万", "亿", "万亿"}
)

// CapitalCNY writes an amount of fen in Chinese capital numerals (大写金额)
// the way the People's Bank's settlement rules ask: 整 after 元 or 角 when
// nothing follows, one 零 for each run of zeros inside the number, and
// 壹拾 rather than 拾 so nothing can be written in front.
//
//	0 → 零元整, 5 → 伍分, 1000 → 壹拾元整, 100000001 → 壹佰万元零壹分
func CapitalCNY(fen int64) string {
	var b strings.Builder
	if fen < 0 {
		b.WriteString("负")
		fen = -fen
	}
	yuan, jiao, f := fen/100, (fen/10)%10, fen%10
	if yuan == 0 && (jiao != 0 || f != 0) {
		writeFraction(&b, false, jiao, f)
		return b.String()
	}
	if yuan == 0 {
		return b.String() + "零元整"
	}
	b.WriteString(capitalInteger(yuan))
	b.WriteString("元")
	writeFraction(&b, true, jiao, f)
	return b.String()
}

// writeFraction writes the 角 and 分, or 整 when both are zero. A lone 分
// after whole yuan is preceded by 零 (壹佰万元零壹分).
func writeFraction(b *strings.Builder, afterYuan bool, jiao, fen int64) {
	switch {
	case jiao == 0 && fen == 0:
		b.WriteString("整")
	case jiao == 0:
		if afterYuan {
			b.WriteRune('零')
		}
		b.WriteRune(capitalDigits[fen])
		b.WriteString("分")
	default:
		b.WriteRune(capitalDigits[jiao])
		b.WriteString("角")
		if fen == 0 {
			b.WriteString("整")
			return
		}
		b.WriteRune(capitalDigits[fen])
		b.WriteString("分")
	}
}

// capitalInteger writes a positive whole number in capital numerals.
func capitalInteger(n int64) string {
	var sections []int64
	for n > 0 {
		sections = append(sections, n%10000)
		n /= 10000
	}
	var b strings.Builder
	needZero := false
	for i := len(sections) - 1; i >= 0; i-- {
		s := sections[i]
		if s == 0 {
			needZero = b.Len() > 0
			continue
		}
		if needZero || (b.Len() > 0 && s < 1000) {
			b.WriteRune('零')
		}
		b.WriteString(capitalSection(s))
		b.WriteString(capitalSections[i])
		needZero = false
	}
	return b.String()
}

// capitalSection writes 1..9999 with 仟佰拾 and inner zeros as one 零.
func capitalSection(s int64) string {
	var b strings.Builder
	zero := false
	for pos := 3; pos >= 0; pos-- {
		d := (s / pow10(pos)) % 10
		if d == 0 {
			zero = b.Len() > 0
			continue
		}
		if zero {
			b.WriteRune('零')
			zero = false
		}
		b.WriteRune(capitalDigits[d])
		b.WriteString(capitalUnits[pos])
	}
	return b.String()
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

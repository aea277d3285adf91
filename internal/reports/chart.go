package reports

import (
	"context"
	"fmt"
	"html"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/signet-clm/signet/internal/domain"
)

// ChartQuery is GET /v1/reports/summary.svg: the summary's filters and
// dimensions, the chart kind, the measure and the currency charted
// (default CNY: amounts in different currencies never share an axis).
type ChartQuery struct {
	Filters
	GroupBy string `form:"group_by"`
	Chart   string `form:"chart"`
	Measure string `form:"measure"`
}

// Chart is a summary drawn as bars or lines: the first dimension along
// the x axis, the second (if any) as series.
type Chart struct {
	Title      string
	Kind       string
	Unit       string
	Categories []string
	Series     []Series
}

// Series is one line or set of bars, a value per category.
type Series struct {
	Name   string
	Values []float64
}

var measureNames = map[string]string{
	"amount": "合同金额", "invoiced": "已开票", "received": "已回款", "outstanding": "未回款", "count": "合同数",
}

// maxSeries bounds a chart's legend; smaller series are drawn as one.
const maxSeries = 8

// SummaryChart computes the figures and lays them out as a chart.
func (s *Service) SummaryChart(ctx context.Context, u domain.User, in ChartQuery) (Chart, error) {
	v := &invalid{}
	kind := v.oneOf("chart", in.Chart, "bar", "bar", "line")
	measure := v.oneOf("measure", in.Measure, "amount", "amount", "invoiced", "received", "outstanding", "count")
	if err := v.err(); err != nil {
		return Chart{}, err
	}
	f := in.Filters
	if f.Currency == "" {
		f.Currency = domain.DefaultCurrency
	}
	sum, err := s.Summary(ctx, u, SummaryQuery{Filters: f, GroupBy: in.GroupBy})
	if err != nil {
		return Chart{}, err
	}
	ch := Chart{Kind: kind, Unit: f.Currency}
	if measure == "count" {
		ch.Unit = "份"
	}
	var dims []string
	for _, d := range sum.GroupBy {
		dims = append(dims, dimensionHeaders[d])
	}
	ch.Title = fmt.Sprintf("%s（%s）按%s", measureNames[measure], ch.Unit, strings.Join(dims, " × "))
	value := func(r SummaryRow) float64 {
		var minor int64
		switch measure {
		case "count":
			return float64(r.Count)
		case "invoiced":
			minor = r.Invoiced
		case "received":
			minor = r.Received
		case "outstanding":
			minor = r.Outstanding
		default:
			minor = r.Amount
		}
		return float64(minor) / math.Pow10(domain.Exponent(r.Currency))
	}
	label := func(g Group) string {
		if g.Label == "" {
			if g.Dimension == DimMonth {
				return "未签署"
			}
			return "（无）"
		}
		return g.Label
	}
	catIndex := map[string]int{}
	for _, r := range sum.Rows {
		c := label(r.Groups[0])
		if _, ok := catIndex[c]; !ok {
			catIndex[c] = len(ch.Categories)
			ch.Categories = append(ch.Categories, c)
		}
	}
	seriesIndex := map[string]int{}
	totals := map[string]float64{}
	for _, r := range sum.Rows {
		name := measureNames[measure]
		if len(r.Groups) == 2 {
			name = label(r.Groups[1])
		}
		if _, ok := seriesIndex[name]; !ok {
			seriesIndex[name] = len(ch.Series)
			ch.Series = append(ch.Series, Series{Name: name, Values: make([]float64, len(ch.Categories))})
		}
		val := value(r)
		ch.Series[seriesIndex[name]].Values[catIndex[label(r.Groups[0])]] += val
		totals[name] += val
	}
	if len(ch.Series) > maxSeries {
		slices.SortStableFunc(ch.Series, func(a, b Series) int { return -cmpFloat(totals[a.Name], totals[b.Name]) })
		other := Series{Name: "其他", Values: make([]float64, len(ch.Categories))}
		for _, sr := range ch.Series[maxSeries-1:] {
			for i, x := range sr.Values {
				other.Values[i] += x
			}
		}
		ch.Series = append(ch.Series[:maxSeries-1], other)
	}
	return ch, nil
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// palette colours the series.
var palette = []string{"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#9c755f"}

// fontFamily names CJK fonts first so Chinese labels render wherever the
// SVG is opened (mail clients, browsers on any system).
const fontFamily = `'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Hiragino Sans GB','Microsoft YaHei','WenQuanYi Micro Hei',sans-serif`

// esc escapes text for SVG (XML) content and attributes. Characters XML
// cannot hold at all (C0 controls but tab and line breaks, U+FFFE/U+FFFF,
// bytes that are not UTF-8) become U+FFFD: a customer named with one
// must not turn the chart into a document no viewer opens.
func esc(s string) string {
	return html.EscapeString(strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || r >= 0x10000 {
			return r
		}
		return '\uFFFD'
	}, s))
}

// niceStep is a round tick step giving about n ticks up to max.
func niceStep(max float64, n int) float64 {
	if max <= 0 {
		return 1
	}
	raw := max / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if raw <= m*mag {
			return m * mag
		}
	}
	return 10 * mag
}

// tickLabel prints an axis value compactly (万 = 10,000, 亿 = 10^8).
func tickLabel(v float64) string {
	switch {
	case math.Abs(v) >= 1e8:
		return trim(v/1e8) + "亿"
	case math.Abs(v) >= 1e4:
		return trim(v/1e4) + "万"
	default:
		return trim(v)
	}
}

func trim(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}

// WriteSVG draws the chart as a standalone SVG document.
func (ch Chart) WriteSVG(w io.Writer) error {
	const width, height = 880.0, 460.0
	const left, right, top, bottom = 70.0, 170.0, 50.0, 90.0
	plotW, plotH := width-left-right, height-top-bottom
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+
		`<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="%s" font-size="12">`+"\n",
		width, height, width, height, esc(fontFamily))
	fmt.Fprintf(&b, `<title>%s</title>`+"\n", esc(ch.Title))
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="#ffffff"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%.0f" y="28" font-size="16" font-weight="bold" fill="#222">%s</text>`+"\n", left, esc(ch.Title))
	if len(ch.Categories) == 0 {
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" text-anchor="middle" fill="#666">暂无数据</text>`+"\n", left+plotW/2, top+plotH/2)
		b.WriteString("</svg>\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	maxV := 0.0
	for _, s := range ch.Series {
		for _, v := range s.Values {
			maxV = math.Max(maxV, v)
		}
	}
	step := niceStep(maxV, 5)
	top1 := math.Ceil(maxV/step) * step
	if top1 == 0 {
		top1 = step
	}
	y := func(v float64) float64 { return top + plotH - v/top1*plotH }
	for t := 0.0; t <= top1+step/2; t += step {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#e5e5e5"/>`+"\n", left, y(t), left+plotW, y(t))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end" fill="#555">%s</text>`+"\n", left-6, y(t)+4, esc(tickLabel(t)))
	}
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#333"/>`+"\n", left, top+plotH, left+plotW, top+plotH)
	slot := plotW / float64(len(ch.Categories))
	rotate := len(ch.Categories) > 8
	for i, c := range ch.Categories {
		x := left + slot*(float64(i)+0.5)
		ly := top + plotH + 16
		if rotate {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end" transform="rotate(-40 %.1f %.1f)" fill="#333">%s</text>`+"\n", x, ly, x, ly, esc(c))
		} else {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#333">%s</text>`+"\n", x, ly, esc(c))
		}
	}
	n := float64(len(ch.Series))
	for si, s := range ch.Series {
		color := palette[si%len(palette)]
		switch ch.Kind {
		case "line":
			var pts []string
			for i, v := range s.Values {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", left+slot*(float64(i)+0.5), y(v)))
			}
			fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`+"\n", color, strings.Join(pts, " "))
			for i, v := range s.Values {
				fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s</title></circle>`+"\n",
					left+slot*(float64(i)+0.5), y(v), color, esc(s.Name+" · "+ch.Categories[i]+"："+trim(v)))
			}
		default:
			barW := slot * 0.8 / n
			for i, v := range s.Values {
				x := left + slot*float64(i) + slot*0.1 + barW*float64(si)
				fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s</title></rect>`+"\n",
					x, y(v), math.Max(barW-1, 1), top+plotH-y(v), color, esc(s.Name+" · "+ch.Categories[i]+"："+trim(v)))
			}
		}
		ly := top + 14 + float64(si)*20
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="12" height="12" fill="%s"/>`+"\n", left+plotW+16, ly-10, color)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" fill="#333">%s</text>`+"\n", left+plotW+34, ly, esc(s.Name))
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

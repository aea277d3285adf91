package eseal

import (
	"bytes"
	"fmt"
	"html/template"
	"time"
)

// The zone abbreviation alone is ambiguous (CST is also US Central), so the
// offset is shown too.
const certTimeLayout = "2006-01-02 15:04:05 MST (UTC-07:00)"

var partyLabels = map[string]string{
	"company":  "我方 Company",
	"customer": "客户方 Customer",
}

var eventLabels = map[string]string{
	"sent":      "发送 Sent",
	"resent":    "重发链接 Link resent",
	"opened":    "查看 Opened",
	"code_sent": "发送验证码 Code sent",
	"signed":    "签署 Signed",
	"declined":  "拒签 Declined",
	"reminded":  "提醒 Reminded",
	"expired":   "过期 Expired",
	"voided":    "作废 Voided",
}

// label shows unknown values as they are rather than hiding them.
func label(labels map[string]string, v string) string {
	if l, ok := labels[v]; ok {
		return l
	}
	return v
}

var certTemplate = template.Must(template.New("certificate").Funcs(template.FuncMap{
	"fmtTime": func(loc *time.Location, t time.Time) string { return t.In(loc).Format(certTimeLayout) },
	"party":   func(p string) string { return label(partyLabels, p) },
	"event":   func(k string) string { return label(eventLabels, k) },
	"inc":     func(i int) int { return i + 1 },
}).Parse(certificateHTML))

type certView struct {
	C   Certificate
	Loc *time.Location
}

// RenderCertificateHTML renders c as a self-contained HTML page, with times
// shown in loc (UTC if nil). The page is for reading; the sealed JSON is what
// verifies.
func RenderCertificateHTML(c Certificate, loc *time.Location) ([]byte, error) {
	if loc == nil {
		loc = time.UTC
	}
	var buf bytes.Buffer
	if err := certTemplate.Execute(&buf, certView{C: c, Loc: loc}); err != nil {
		return nil, fmt.Errorf("signing: render certificate: %w", err)
	}
	return buf.Bytes(), nil
}

const certificateHTML = `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>签署完成证书 · {{.C.Title}}</title>
<style>
body { margin: 0; padding: 32px 16px; background: #f4f5f7; color: #1f2329;
  font: 14px/1.7 -apple-system, BlinkMacSystemFont, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei",
  "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Segoe UI", Roboto, sans-serif; }
main { max-width: 880px; margin: 0 auto; background: #fff; padding: 40px 48px; border-radius: 8px;
  box-shadow: 0 1px 3px rgba(0, 0, 0, .08); }
h1 { font-size: 22px; margin: 0; }
h2 { font-size: 16px; margin: 32px 0 12px; padding-bottom: 6px; border-bottom: 1px solid #e5e6eb; }
h3 { font-size: 15px; margin: 0 0 8px; }
.sub { color: #646a73; margin: 0 0 24px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 20px; margin: 0; }
dt { color: #646a73; }
dd { margin: 0; min-width: 0; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  font-size: 12.5px; word-break: break-all; }
.sig { border: 1px solid #e5e6eb; border-radius: 6px; padding: 16px 20px; margin-bottom: 12px; }
ol.timeline { list-style: none; margin: 0; padding: 0 0 0 4px; border-left: 2px solid #e5e6eb; }
ol.timeline li { position: relative; padding: 0 0 14px 18px; }
ol.timeline li::before { content: ""; position: absolute; left: -7px; top: 7px; width: 10px; height: 10px;
  border-radius: 50%; background: #3370ff; }
.meta { color: #646a73; font-size: 12.5px; }
footer { margin-top: 36px; padding-top: 16px; border-top: 1px solid #e5e6eb; color: #646a73; font-size: 12.5px; }
@media print {
  body { background: #fff; padding: 0; }
  main { box-shadow: none; padding: 0; max-width: none; }
  .sig, ol.timeline li { break-inside: avoid; }
}
</style>
</head>
<body>
<main>
<h1>签署完成证书</h1>
<p class="sub">Certificate of Completion</p>
<dl>
<dt>合同名称 Title</dt><dd>{{.C.Title}}</dd>
<dt>合同编号 Contract</dt><dd>{{.C.ContractNumber}}</dd>
<dt>版本 Version</dt><dd>{{.C.Version}}</dd>
<dt>文件哈希 SHA-256</dt><dd><code>{{.C.DocumentSHA256}}</code></dd>
<dt>完成时间 Completed</dt><dd>{{with .C.CompletedAt}}{{fmtTime $.Loc .}}{{else}}未完成 Not completed{{end}}</dd>
<dt>签发时间 Issued</dt><dd>{{fmtTime .Loc .C.IssuedAt}}</dd>
</dl>

<h2>签署记录 Signatures</h2>
{{range $i, $s := .C.Signatures}}<section class="sig">
<h3>{{inc $i}}. {{$s.SignerName}}</h3>
<dl>
<dt>邮箱 Email</dt><dd>{{$s.SignerEmail}}</dd>
<dt>签署方 Party</dt><dd>{{party $s.Party}}</dd>
<dt>身份 Role</dt><dd>{{$s.Role}}</dd>
<dt>签署时间 Signed</dt><dd>{{fmtTime $.Loc $s.SignedAt}}</dd>
<dt>IP 地址 IP</dt><dd><code>{{$s.IP}}</code></dd>
<dt>浏览器 User agent</dt><dd class="mono">{{$s.UserAgent}}</dd>
<dt>签章密钥 Seal key</dt><dd><code>{{$s.Seal.Algorithm}} {{$s.Seal.KeyID}}</code></dd>
</dl>
</section>
{{else}}<p>无签署记录 No signatures.</p>
{{end}}
<h2>事件记录 Events</h2>
<ol class="timeline">
{{range .C.Events}}<li><strong>{{event .Kind}}</strong>{{with .SignerName}} · {{.}}{{end}}
<div class="meta">{{fmtTime $.Loc .At}}{{with .IP}} · IP {{.}}{{end}}</div>
{{with .Detail}}<div>{{.}}</div>{{end}}{{with .UserAgent}}<div class="meta mono">{{.}}</div>{{end}}
</li>
{{end}}</ol>

<footer>
<p>{{with .C.Seal}}本证书及每条签署记录均由 Signet 以 {{.Algorithm}} 密钥 <code>{{.KeyID}}</code> 签章。{{else}}本证书尚未签章。{{end}}
如何验证：通过 <code>GET /v1/signing-key</code> 获取公钥并核对其 key_id；将本证书的 JSON 提交至 <code>POST /v1/verify</code>，
或用公钥自行验证签章。用 SHA-256 计算合同文件的哈希，应与上方文件哈希一致。本页面仅供阅读，以签章的 JSON 证书为准。</p>
<p>{{with .C.Seal}}This certificate and each signature record are sealed by Signet with {{.Algorithm}} key <code>{{.KeyID}}</code>.{{else}}This certificate is not sealed.{{end}}
To verify: fetch the public key from <code>GET /v1/signing-key</code> and check its key_id, then submit the certificate JSON
to <code>POST /v1/verify</code> or check the seals yourself. The contract file's SHA-256 must equal the document hash above.
This page is for reading; the sealed JSON certificate is authoritative.</p>
</footer>
</main>
</body>
</html>
`

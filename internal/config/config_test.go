package config_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/config"
	"github.com/signet-clm/signet/internal/notify"
	"github.com/signet-clm/signet/internal/pdfsig"
)

func TestDefaults(t *testing.T) {
	for _, v := range config.Variables {
		t.Setenv(v, "")
	}
	c, err := config.FromEnv()
	require.NoError(t, err)
	assert.Equal(t, config.DefaultTemporalAddress, c.TemporalAddress)
	assert.Equal(t, "Asia/Shanghai", c.TimeZone.String())
	assert.Equal(t, 10*time.Second, c.RequestTimeout)
	assert.EqualValues(t, 20<<20, c.AttachmentMaxBytes)
	assert.Equal(t, 64, c.MaxInFlight)
	assert.Equal(t, 5, c.SigningCodeMax)
	assert.Equal(t, time.Minute, c.SigningCodeCooldown)
	assert.Empty(t, c.MetricsAddr, "/metrics stays on the API's listener unless bound apart")
	assert.Equal(t, []string{"http://127.0.0.1:8233"}, c.CodecUIOrigins)
}

func TestBadSettingsStopTheStart(t *testing.T) {
	for name, value := range map[string]string{
		"SIGNET_RECONCILE_SCHEDULE":    "every night",
		"SIGNET_TIMEZONE":              "Mars/Olympus",
		"SIGNET_REQUEST_TIMEOUT":       "-1s",
		"SIGNET_ATTACHMENT_MAX_BYTES":  "lots",
		"SIGNET_DIGEST_SCHEDULE":       "0 25 * * *",
		"SIGNET_PUBLIC_URL":            "ftp://signet.example",
		"SIGNET_MAX_INFLIGHT":          "0",
		"SIGNET_SIGNING_CODE_MAX":      "0",
		"SIGNET_SIGNING_CODE_COOLDOWN": "a minute",
		"SIGNET_CARD_DECIDE_MAX_MINOR": "CNY:100",
		"SIGNET_WECOM_CALLBACK_TOKEN":  "token-without-its-key",
		"SIGNET_DINGTALK_APP_KEY":      "key-without-its-secret",
		"SIGNET_WECOM_AGENT_ID":        "agent",
		"SIGNET_WECOM_API_URL":         "http://qyapi.weixin.qq.com",
		"SIGNET_METRICS_ADDR":          "9090",
		"SIGNET_WORKER_METRICS_ADDR":   "metrics.internal",
		"SIGNET_CODEC_ADDR":            "localhost",
		"SIGNET_CODEC_UI_ORIGIN":       "http://127.0.0.1:8233/namespaces",
		"SIGNET_DB_MAX_CONNS":          "many",
		"SIGNET_WORKER_POLLERS":        "1",
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(name, value)
			_, err := config.FromEnv()
			require.Error(t, err)
			assert.Contains(t, err.Error(), name)
		})
	}
	t.Setenv("SIGNET_RECONCILE_SCHEDULE", "30 3 * * 1-5")
	t.Setenv("SIGNET_DIGEST_SCHEDULE", "0 8 * * 1-5")
	c, err := config.FromEnv()
	require.NoError(t, err)
	assert.Equal(t, "0 8 * * 1-5", c.DigestSchedule)
}

// The PDF signing certificate is read at start: the API says by it which
// PDF signatures are Signet's; a key without it, or a file that is no
// certificate, stops the start.
func TestPDFSigningCertificate(t *testing.T) {
	for _, v := range config.Variables {
		t.Setenv(v, "")
	}
	c, err := config.FromEnv()
	require.NoError(t, err)
	assert.Nil(t, c.PDFCert, "none configured: PDFs stay unsigned")

	dir := t.TempDir()
	files := pdfsig.DevFiles{Key: filepath.Join(dir, "k.pem"), Cert: filepath.Join(dir, "c.pem")}
	_, err = files.Ensure("示例科技有限公司", time.Now())
	require.NoError(t, err)
	t.Setenv("SIGNET_PDF_SIGNING_KEY", files.Key)
	_, err = config.FromEnv()
	require.ErrorContains(t, err, "SIGNET_PDF_SIGNING_CERT")
	t.Setenv("SIGNET_PDF_SIGNING_CERT", files.Key)
	_, err = config.FromEnv()
	require.ErrorContains(t, err, "SIGNET_PDF_SIGNING_CERT")
	t.Setenv("SIGNET_PDF_SIGNING_CERT", files.Cert)
	c, err = config.FromEnv()
	require.NoError(t, err)
	require.NotNil(t, c.PDFCert)
	k, err := pdfsig.LoadKey(files.Key, files.Cert)
	require.NoError(t, err)
	assert.Equal(t, k.Fingerprint(), pdfsig.Fingerprint(c.PDFCert))
}

// An app that sends cards is read whole, needs its platform's callback
// secrets (the buttons call back), and defaults to the platform's API.
func TestCardApps(t *testing.T) {
	for _, v := range config.Variables {
		t.Setenv(v, "")
	}
	c, err := config.FromEnv()
	require.NoError(t, err)
	assert.False(t, c.DingTalkCards.Configured())
	assert.False(t, c.WeComCards.Configured())

	t.Setenv("SIGNET_DINGTALK_APP_KEY", "dingapp01")
	t.Setenv("SIGNET_DINGTALK_APP_SECRET", "secret")
	_, err = config.FromEnv()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "SIGNET_DINGTALK_CALLBACK_TOKEN", "cards without their callback")
	t.Setenv("SIGNET_DINGTALK_CALLBACK_TOKEN", "ding-token-123")
	t.Setenv("SIGNET_DINGTALK_CALLBACK_AES_KEY", "4g5j64qlyl3zvetqxz5jiocdr586fn2zvjpa8zls3ij")
	t.Setenv("SIGNET_DINGTALK_CORP_ID", "dingcorp8f2a")
	t.Setenv("SIGNET_WECOM_CORP_SECRET", "secret")
	_, err = config.FromEnv()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "SIGNET_WECOM_AGENT_ID", "a WeCom secret without its agent")
	t.Setenv("SIGNET_WECOM_AGENT_ID", "1000002")
	t.Setenv("SIGNET_WECOM_CORP_ID", "ww5823bf96d3bd56c7")
	t.Setenv("SIGNET_WECOM_CALLBACK_TOKEN", "QDG6eK")
	t.Setenv("SIGNET_WECOM_CALLBACK_AES_KEY", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C")
	c, err = config.FromEnv()
	require.NoError(t, err)
	assert.Equal(t, notify.DingTalkApp{BaseURL: "https://api.dingtalk.com", AppKey: "dingapp01", AppSecret: "secret",
		RobotCode: "dingapp01", CallbackRouteKey: "signet"}, c.DingTalkCards)
	assert.Equal(t, notify.WeComApp{BaseURL: "https://qyapi.weixin.qq.com", CorpID: "ww5823bf96d3bd56c7", CorpSecret: "secret", AgentID: 1000002}, c.WeComCards)
}

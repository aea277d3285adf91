package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/config"
)

func TestOIDCConfig(t *testing.T) {
	for _, v := range config.Variables {
		t.Setenv(v, "")
	}
	c, err := config.FromEnv()
	require.NoError(t, err)
	assert.Empty(t, c.OIDCIssuer, "OIDC is off by default")
	assert.Equal(t, "signet", c.OIDCAudience)
	assert.Empty(t, c.OIDCJWKSURL)

	t.Setenv("SIGNET_OIDC_ISSUER", "https://sso.example.com/realms/signet")
	t.Setenv("SIGNET_OIDC_AUDIENCE", "signet-api")
	t.Setenv("SIGNET_OIDC_JWKS_URL", "https://sso.example.com/realms/signet/certs")
	c, err = config.FromEnv()
	require.NoError(t, err)
	assert.Equal(t, "https://sso.example.com/realms/signet", c.OIDCIssuer)
	assert.Equal(t, "signet-api", c.OIDCAudience)
	assert.Equal(t, "https://sso.example.com/realms/signet/certs", c.OIDCJWKSURL)

	for name, env := range map[string]map[string]string{
		"SIGNET_OIDC_ISSUER":   {"SIGNET_OIDC_ISSUER": "sso.example.com"},
		"SIGNET_OIDC_JWKS_URL": {"SIGNET_OIDC_ISSUER": "", "SIGNET_OIDC_JWKS_URL": "https://sso.example.com/certs"},
	} {
		t.Run(name, func(t *testing.T) {
			for k, v := range env {
				t.Setenv(k, v)
			}
			_, err := config.FromEnv()
			require.Error(t, err)
			assert.Contains(t, err.Error(), name)
		})
	}
}

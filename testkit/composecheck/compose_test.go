package composecheck_test

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/signet-clm/signet/internal/config"
	"github.com/signet-clm/signet/workflows"
)

type service struct {
	Image       string            `yaml:"image"`
	Build       any               `yaml:"build"`
	Entrypoint  []string          `yaml:"entrypoint"`
	Command     []string          `yaml:"command"`
	Environment map[string]string `yaml:"environment"`
	Ports       []string          `yaml:"ports"`
	Volumes     []string          `yaml:"volumes"`
	DependsOn   map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
}

func load(t *testing.T) map[string]service {
	t.Helper()
	raw, err := os.ReadFile("../../docker-compose.yml")
	require.NoError(t, err)
	var file struct {
		Services map[string]service `yaml:"services"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &file))
	return file.Services
}

// publishes reports whether the service publishes containerPort.
func publishes(s service, containerPort string) bool {
	for _, p := range s.Ports {
		if strings.HasSuffix(p, ":"+containerPort) {
			return true
		}
	}
	return false
}

func TestComposeRunsTheWholeStack(t *testing.T) {
	services := load(t)
	for _, name := range []string{"postgresql", "temporal", "temporal-ui", "temporal-search-attributes", "signet-keys", "signet-migrate", "signet-worker", "signet-api"} {
		require.Contains(t, services, name)
	}
	assert.True(t, publishes(services["temporal"], "7233"), "Temporal frontend port")
	assert.True(t, publishes(services["temporal-ui"], "8080"), "Temporal UI port")
	for name, cmd := range map[string]string{"signet-migrate": "migrate", "signet-worker": "worker", "signet-api": "api"} {
		s := services[name]
		assert.True(t, buildsRootDockerfile(s.Build), "%s builds from the repository's Dockerfile, not %v", name, s.Build)
		assert.Equal(t, []string{cmd}, s.Command, name)
	}
	assert.True(t, buildsRootDockerfile(services["signet-keys"].Build))
	assert.Equal(t, []string{"keys", "init"}, services["signet-keys"].Command)
	assert.Equal(t, "service_completed_successfully", services["signet-migrate"].DependsOn["signet-keys"].Condition, "migrations wait for the keyring (a key kept in the database is retired into it)")
	for name, s := range services {
		if s.Build != nil {
			continue
		}
		_, tag, _ := strings.Cut(s.Image, ":")
		assert.True(t, tag != "" && tag != "latest", "%s pins its image: %q", name, s.Image)
	}
	assert.Regexp(t, `^temporalio/auto-setup:1\.29\.\d+$`, services["temporal"].Image)
	for _, name := range []string{"signet-worker", "signet-api"} {
		assert.Equal(t, "service_completed_successfully", services[name].DependsOn["signet-migrate"].Condition, "%s waits for migrations", name)
		assert.Equal(t, "service_completed_successfully", services[name].DependsOn["temporal-search-attributes"].Condition, "%s waits for search attributes", name)
	}
}

// buildsRootDockerfile reports whether a service's build section (the short
// form "." or the long form with context and dockerfile) names the
// Dockerfile at the repository root.
func buildsRootDockerfile(build any) bool {
	context, dockerfile := "", "Dockerfile"
	switch b := build.(type) {
	case string:
		context = b
	case map[string]any:
		context, _ = b["context"].(string)
		if d, ok := b["dockerfile"].(string); ok {
			dockerfile = d
		}
	default:
		return false
	}
	return filepath.Clean(context) == "." && filepath.Clean(dockerfile) == "Dockerfile"
}

func TestSignetServicesUseOnlyKnownSettings(t *testing.T) {
	services := load(t)
	pg := services["postgresql"].Environment
	for _, name := range []string{"signet-migrate", "signet-worker", "signet-api"} {
		env := services[name].Environment
		for k := range env {
			assert.True(t, slices.Contains(config.Variables, k), "%s sets %s, which signet does not read", name, k)
		}
		for _, required := range []string{"DATABASE_URL", "TEMPORAL_ADDRESS"} {
			assert.NotEmpty(t, env[required], "%s needs %s", name, required)
		}
		// The application connects as signet_app, never as the owner.
		u, err := url.Parse(env["DATABASE_URL"])
		require.NoError(t, err)
		assert.Equal(t, "postgresql", u.Hostname(), "%s: DATABASE_URL names the postgresql service", name)
		assert.Equal(t, "5432", u.Port(), "%s: DATABASE_URL's port", name)
		assert.Equal(t, "signet_app", u.User.Username(), "%s: DATABASE_URL logs in as the application's role", name)
		assert.NotEqual(t, pg["POSTGRES_USER"], u.User.Username(), name)
		assert.Equal(t, "/"+pg["POSTGRES_DB"], u.Path, name)
		// The keys live outside PostgreSQL, in one volume every service mounts.
		for _, k := range []string{"SIGNET_SIGNING_KEY_FILE", "SIGNET_AUDIT_KEY_FILE", "SIGNET_AUDIT_CHECKPOINT_DIR"} {
			assert.True(t, mounted(services[name], env[k]), "%s: %s=%q is on a mounted volume", name, k, env[k])
		}
		assert.True(t, strings.HasPrefix(env["TEMPORAL_ADDRESS"], "temporal:"), "%s reaches the temporal service", name)
	}
	migrate, err := url.Parse(services["signet-migrate"].Environment["SIGNET_MIGRATE_DATABASE_URL"])
	require.NoError(t, err)
	pass, _ := migrate.User.Password()
	assert.Equal(t, pg["POSTGRES_USER"], migrate.User.Username(), "migrations run as the owner")
	assert.Equal(t, pg["POSTGRES_PASSWORD"], pass)
	assert.Equal(t, "postgresql", migrate.Hostname())
	assert.Equal(t, "/"+pg["POSTGRES_DB"], migrate.Path)
	for k := range services["signet-keys"].Environment {
		assert.True(t, slices.Contains(config.Variables, k), "signet-keys sets %s, which signet does not read", k)
	}

	api := services["signet-api"]
	addr := api.Environment["SIGNET_HTTP_ADDR"]
	require.NotEmpty(t, addr, "the API must listen beyond loopback inside its container")
	assert.True(t, strings.HasPrefix(addr, "0.0.0.0:"), "API listens on all interfaces: %s", addr)
	port := addr[strings.LastIndex(addr, ":")+1:]
	assert.True(t, publishes(api, port), "the API's port %s is published", port)
}

// mounted reports whether path lies on one of the service's volumes.
func mounted(s service, path string) bool {
	for _, v := range s.Volumes {
		if _, dst, ok := strings.Cut(v, ":"); ok && path != "" && strings.HasPrefix(path, strings.TrimSuffix(dst, ":ro")+"/") {
			return true
		}
	}
	return false
}

func TestSearchAttributesAreRegistered(t *testing.T) {
	services := load(t)
	reg := services["temporal-search-attributes"]
	assert.Equal(t, "service_healthy", reg.DependsOn["temporal"].Condition, "registration waits for the frontend")
	script := strings.Join(append(slices.Clone(reg.Entrypoint), reg.Command...), " ")
	assert.Contains(t, script, "temporal operator search-attribute create")
	assert.Regexp(t, `create --address temporal:7233\b`, script, "registration reaches the temporal service")
	assert.Regexp(t, `until temporal operator search-attribute create`, script, "registration retries until the server answers")
	// The attributes are the Name=Type words of the script's `for sa in ...;` list.
	list := regexp.MustCompile(`for sa in ([^;]*);`).FindStringSubmatch(script)
	require.NotNil(t, list, "the script loops over Name=Type pairs: %s", script)
	found := map[string]string{}
	for _, pair := range strings.Fields(list[1]) {
		name, typ, ok := strings.Cut(pair, "=")
		assert.True(t, ok, "%q is not Name=Type", pair)
		found[name] = typ
	}
	want := map[string]string{}
	for _, sa := range workflows.SearchAttributeTypes {
		want[sa.Name] = sa.Type
	}
	assert.Equal(t, want, found)
}

func TestDockerfileBuildsTheBinary(t *testing.T) {
	raw, err := os.ReadFile("../../Dockerfile")
	require.NoError(t, err)
	df := string(raw)
	assert.Regexp(t, `(?m)^RUN CGO_ENABLED=0 go build .*-o /signet \./cmd/signet\s*$`, df)
	assert.Regexp(t, `(?m)^COPY --from=\w+ /signet /signet\s*$`, df, "the runtime stage holds the binary")
	assert.Regexp(t, `(?m)^ENTRYPOINT \["/signet"\]\s*$`, df)
	assert.Regexp(t, `(?m)^EXPOSE 8080\s*$`, df)
}

func TestTemporalRunsWithEagerActivities(t *testing.T) {
	temporal := load(t)["temporal"]
	require.NotEmpty(t, temporal.Environment["DYNAMIC_CONFIG_FILE_PATH"])
	var mounted string
	for _, v := range temporal.Volumes {
		if src, dst, ok := strings.Cut(v, ":"); ok && strings.HasSuffix(strings.TrimSuffix(dst, ":ro"), temporal.Environment["DYNAMIC_CONFIG_FILE_PATH"]) {
			mounted = src
		}
	}
	require.NotEmpty(t, mounted, "the dynamic config file is mounted where DYNAMIC_CONFIG_FILE_PATH points")
	raw, err := os.ReadFile(filepath.Join("..", "..", mounted))
	require.NoError(t, err)
	var cfg map[string][]struct {
		Value any `yaml:"value"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &cfg))
	require.Len(t, cfg["system.enableActivityEagerExecution"], 1)
	assert.Equal(t, true, cfg["system.enableActivityEagerExecution"][0].Value)
}

// TestPayloadKeysLiveInAVolume: worker, API and codec server read one key
// file from a volume that a one-shot service fills before they start, and
// the UI asks the codec server to decrypt.
func TestPayloadKeysLiveInAVolume(t *testing.T) {
	services := load(t)
	keyFile := "/var/lib/signet/keys/codec-keys.json"
	init := services["signet-codec-key"]
	assert.Equal(t, []string{"codec-key", "new"}, init.Command)
	assert.Equal(t, keyFile, init.Environment["SIGNET_CODEC_KEY_FILE"])
	assert.Contains(t, init.Volumes, "signet-keys:/var/lib/signet")
	for _, name := range []string{"signet-worker", "signet-api", "signet-codec-server"} {
		s := services[name]
		assert.Equal(t, keyFile, s.Environment["SIGNET_CODEC_KEY_FILE"], name)
		assert.True(t, slices.ContainsFunc(s.Volumes, func(v string) bool { return strings.HasPrefix(v, "signet-keys:/var/lib/signet") }), name)
		assert.Equal(t, "service_completed_successfully", s.DependsOn["signet-codec-key"].Condition, "%s waits for the key file", name)
	}
	assert.Equal(t, []string{"codec-server"}, services["signet-codec-server"].Command)
	assert.True(t, publishes(services["signet-codec-server"], "8234"))
	assert.Equal(t, "http://localhost:8234", services["temporal-ui"].Environment["TEMPORAL_CODEC_ENDPOINT"])
	assert.NotContains(t, services["postgresql"].Volumes, "signet-keys:/var/lib/signet", "the keys stay away from the database")
}

package api

import (
	"context"
	"log/slog"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"

	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/catalog"
	"github.com/signet-clm/signet/internal/config"
	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/customers"
	"github.com/signet-clm/signet/internal/eseal"
	"github.com/signet-clm/signet/internal/esign"
	"github.com/signet-clm/signet/internal/feed"
	"github.com/signet-clm/signet/internal/identity"
	"github.com/signet-clm/signet/internal/imports"
	"github.com/signet-clm/signet/internal/inbox"
	"github.com/signet-clm/signet/internal/reports"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/workflows"
)

// importStarter starts import jobs' workflows on the task queue.
type importStarter struct {
	wf    workflows.Client
	queue string
}

func (s importStarter) StartImport(ctx context.Context, id string) error {
	return s.wf.StartImport(ctx, id, s.queue)
}

// NewStandardRouter wires the API to PostgreSQL and Temporal the way
// `signet api` runs it, with /readyz probing both.
func NewStandardRouter(cfg config.Config, st *store.Store, tc client.Client, sealer *eseal.Sealer, logger *slog.Logger) *gin.Engine {
	return NewRouter(StandardDeps(cfg, st, tc, sealer, logger))
}

// SigningOptions configures e-signing from cfg (tests add a clock).
func SigningOptions(cfg config.Config) esign.Options {
	return esign.Options{WebhookSecret: cfg.ESignWebhookSecret, Mails: cfg.SMTPAddr != "",
		Codes: esign.CodePolicy{Max: cfg.SigningCodeMax, Cooldown: cfg.SigningCodeCooldown}, PDFCert: cfg.PDFCert}
}

// StandardDeps is what NewStandardRouter wires, for callers that add to it
// (OIDC) before calling NewRouter.
func StandardDeps(cfg config.Config, st *store.Store, tc client.Client, sealer *eseal.Sealer, logger *slog.Logger) Deps {
	cs := contracts.New(st, tc, cfg.TaskQueue, cfg.TimeZone, cfg.CompanyName)
	users := identity.New(st, cfg.Outbound)
	if cfg.SessionIdle > 0 {
		users.SessionIdle = cfg.SessionIdle
	}
	if cfg.SessionMax > 0 {
		users.SessionMax = cfg.SessionMax
	}
	return Deps{
		Contracts:  cs,
		Signing:    esign.New(cs, tc, st, sealer, SigningOptions(cfg)),
		Customers:  customers.New(st),
		Feed:       feed.New(st),
		Catalog:    catalog.New(st),
		Imports:    imports.New(st, Validate, importStarter{wf: workflows.Client{Temporal: tc}, queue: cfg.TaskQueue}, cfg.TimeZone),
		Approvals:  inbox.New(st, cs),
		Cards:      cardCallbacks(cfg, st),
		Audit:      st,
		AuditChain: &audit.Trail{Rows: st, Keys: st.AuditKeys, Checkpoints: audit.CheckpointDir(cfg.AuditCheckpointDir), Sealer: sealer},
		Auth:       st,
		RequestIDs: st,
		Health:     st,
		Users:      users,
		Reports:    reports.New(st.Pool(), cfg.TimeZone),
		Checks: []Check{
			{Name: "postgresql", Check: st.Ping},
			{Name: "temporal", Check: func(ctx context.Context) error {
				_, err := tc.CheckHealth(ctx, &client.CheckHealthRequest{})
				return err
			}},
		},
		Location:           cfg.TimeZone,
		RequestTimeout:     cfg.RequestTimeout,
		ExportTimeout:      cfg.ExportTimeout,
		AttachmentMaxBytes: cfg.AttachmentMaxBytes,
		MaxInFlight:        cfg.MaxInFlight,
		BodyTimeout:        cfg.BodyTimeout,
		Logger:             logger,
	}
}

package worker

import (
	"context"

	"go.temporal.io/sdk/activity"

	"github.com/signet-clm/signet/internal/imports"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/workflows"
)

// Imports is the import workflow's activity.
type Imports struct {
	Service *imports.Service
}

// LandImport lands one job's records, heartbeating its counters so a
// worker that dies mid-file is noticed and another attempt goes on.
func (i *Imports) LandImport(ctx context.Context, in workflows.ImportInput) (workflows.ImportResult, error) {
	c, err := i.Service.Land(ctx, in.ID, func(c store.ImportCounts) { activity.RecordHeartbeat(ctx, c) })
	if err != nil {
		return workflows.ImportResult{}, err
	}
	return workflows.ImportResult{Processed: c.Processed, Created: c.Created, Updated: c.Updated, Unchanged: c.Unchanged, Failed: c.Failed}, nil
}

package store_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/migrations"
	"github.com/signet-clm/signet/testkit/testenv"
)

// TestImportKeysMoveIntoExternalIDs: upgrading a database that keeps
// import keys apart moves them into external_ids; a key external_ids
// already gives another record, or a record external_ids already knows
// by another ID from that source, keeps external_ids' answer, and the
// import's key is kept aside for an operator rather than lost.
func TestImportKeysMoveIntoExternalIDs(t *testing.T) {
	testenv.RequireIntegration(t)
	ctx := context.Background()
	url := testenv.NewEmptyDatabase(t)
	require.NoError(t, migrations.ApplyTo(ctx, url, 31))
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `
		INSERT INTO import_keys (kind, source, external_id, entity_id) VALUES
			('customer', 'crm', 'CRM-1', 'imported-1'),
			('customer', 'crm', 'CRM-2', 'imported-2'),
			('product', 'erp', 'SKU-1', 'product-1'),
			('contract', 'crm', 'OLD-1', 'HT-2025-000001');
		INSERT INTO external_ids (kind, source, external_id, entity_id) VALUES
			('customer', 'crm', 'CRM-2', 'pushed-2'),
			('product', 'erp', 'SKU-1', 'product-1'),
			('contract', 'crm', 'FIN-7', 'HT-2025-000001');`)
	require.NoError(t, err)

	require.NoError(t, migrations.Apply(ctx, url))
	rows, _ := conn.Query(ctx, `SELECT kind || ' ' || source || '/' || external_id || ' ' || entity_id FROM external_ids ORDER BY 1`)
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	assert.Equal(t, []string{
		"contract crm/FIN-7 HT-2025-000001",
		"customer crm/CRM-1 imported-1",
		"customer crm/CRM-2 pushed-2",
		"product erp/SKU-1 product-1",
	}, keys)
	rows, _ = conn.Query(ctx, `SELECT kind || ' ' || source || '/' || external_id || ' ' || entity_id || ' -> ' || kept_entity_id FROM import_keys_unmerged ORDER BY 1`)
	aside, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	assert.Equal(t, []string{
		"contract crm/OLD-1 HT-2025-000001 -> ",
		"customer crm/CRM-2 imported-2 -> pushed-2",
	}, aside)
	var gone bool
	require.NoError(t, conn.QueryRow(ctx, `SELECT to_regclass('public.import_keys') IS NULL`).Scan(&gone))
	assert.True(t, gone)
}

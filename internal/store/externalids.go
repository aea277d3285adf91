package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/internal/domain"
)

// Kinds of entity an external ID names (external_ids.kind).
const (
	KindCustomer = "customer"
	KindContact  = "contact"
	KindProduct  = "product"
	KindContract = "contract"
)

// ExternalIDTaken is the unique key a duplicate external ID takes: the
// (source, ID) already names another entity of its kind. A create that
// loses a race to it rolls back whole, and the caller looks again.
const ExternalIDTaken = "external_ids_pkey"

// externalIDsOf is the select-list expression of an entity's external
// IDs as a JSON array (sorted by source), idExpr its ID as text.
func externalIDsOf(kind, idExpr string) string {
	return `coalesce((SELECT jsonb_agg(jsonb_build_object('source', x.source, 'id', x.external_id) ORDER BY x.source)
		FROM external_ids x WHERE x.kind = '` + kind + `' AND x.entity_id = ` + idExpr + `), '[]'::jsonb) AS external_ids`
}

// externalFilter is the condition that an entity (idExpr) has an external
// ID matching source and id, each "" for any, given as the parameters
// numbered src and ext; both empty select everything.
func externalFilter(kind, idExpr string, src, ext int) string {
	return fmt.Sprintf(`(($%[1]d = '' AND $%[2]d = '') OR EXISTS (SELECT 1 FROM external_ids x WHERE x.kind = '%[3]s'
		AND x.entity_id = %[4]s AND ($%[1]d = '' OR x.source = $%[1]d) AND ($%[2]d = '' OR x.external_id = $%[2]d)))`, src, ext, kind, idExpr)
}

// insertExternalIDs gives an entity its external IDs inside tx; one from
// a source it already has an ID from replaces that. An ID that names
// another entity is a duplicate (TakenKey ExternalIDTaken).
func insertExternalIDs(ctx context.Context, tx pgx.Tx, kind, entityID string, ids []domain.ExternalID) error {
	for _, x := range ids {
		if _, err := tx.Exec(ctx, `INSERT INTO external_ids (kind, source, external_id, entity_id) VALUES ($1, $2, $3, $4)
			ON CONFLICT ON CONSTRAINT external_ids_one_per_source DO UPDATE SET external_id = EXCLUDED.external_id`,
			kind, x.Source, x.ID, entityID); err != nil {
			return wrap(fmt.Sprintf("external ID %s/%s of %s %s", x.Source, x.ID, kind, entityID), err)
		}
	}
	return nil
}

// FindExternal returns the ID of the entity of kind that source knows as
// id, or domain.ErrNotFound.
func (s *Store) FindExternal(ctx context.Context, kind, source, id string) (string, error) {
	var entity string
	err := s.pool.QueryRow(ctx, `SELECT entity_id FROM external_ids WHERE kind = $1 AND source = $2 AND external_id = $3`,
		kind, source, id).Scan(&entity)
	if err != nil {
		return "", wrap(fmt.Sprintf("%s known to %s as %s", kind, source, id), err)
	}
	return entity, nil
}

// SetContractExternalID gives a contract its ID in source, replacing the
// one it had there; audited. domain.ErrNotFound for an unknown contract,
// a duplicate (ExternalIDTaken) when the ID names another contract.
func (s *Store) SetContractExternalID(ctx context.Context, number string, x domain.ExternalID) error {
	return wrap("set external ID of "+number, s.audited(ctx, "contract.external_id_set", "contract", number, func(tx pgx.Tx) (any, any, error) {
		var before string
		err := tx.QueryRow(ctx, `SELECT coalesce((SELECT external_id FROM external_ids WHERE kind = 'contract' AND entity_id = c.number AND source = $2), '')
			FROM contracts c WHERE c.number = $1 FOR UPDATE`, number, x.Source).Scan(&before)
		if err != nil {
			return nil, nil, wrap("", err)
		}
		var was any
		if before != "" {
			was = domain.ExternalID{Source: x.Source, ID: before}
		}
		return was, x, insertExternalIDs(ctx, tx, KindContract, number, []domain.ExternalID{x})
	}))
}

// ContractExternalIDs returns a contract's external IDs, sorted by source.
func (s *Store) ContractExternalIDs(ctx context.Context, number string) ([]domain.ExternalID, error) {
	rows, _ := s.pool.Query(ctx, `SELECT source, external_id AS id FROM external_ids WHERE kind = 'contract' AND entity_id = $1 ORDER BY source`, number)
	ids, err := pgx.CollectRows(rows, pgx.RowToStructByName[domain.ExternalID])
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, wrap("external IDs of "+number, err)
	}
	return ids, nil
}

package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/internal/domain"
)

// ProductLine groups products (产品线).
type ProductLine struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Product is one catalogue entry. ListPrice is in minor units of Currency
// and excludes tax; TaxRateBP is in basis points (1300 = 13%).
type Product struct {
	ID        string    `json:"id"`
	LineID    string    `json:"line_id"`
	Name      string    `json:"name"`
	Unit      string    `json:"unit"`
	ListPrice int64     `json:"list_price"`
	Currency  string    `json:"currency"`
	TaxRateBP int       `json:"tax_rate_bp"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// ExternalIDs are the keys other systems know it by (external_ids).
	ExternalIDs []domain.ExternalID `json:"external_ids"`
}

var productColumns = `id::text AS id, line_id::text AS line_id, name, unit, list_price, currency, tax_rate_bp, active, created_at, updated_at, ` +
	externalIDsOf(KindProduct, "products.id::text")

// CreateProductLine stores a product line; a taken name is ErrDuplicate.
func (s *Store) CreateProductLine(ctx context.Context, l ProductLine) error {
	err := s.audited(ctx, "product_line.created", "product_line", l.ID, func(tx pgx.Tx) (any, any, error) {
		_, err := tx.Exec(ctx, `INSERT INTO product_lines (id, name) VALUES ($1, $2)`, l.ID, l.Name)
		return nil, l, wrap("", err)
	})
	if err != nil {
		return wrap("create product line", err)
	}
	return nil
}

// ProductLines lists every product line by name.
func (s *Store) ProductLines(ctx context.Context) ([]ProductLine, error) {
	rows, _ := s.pool.Query(ctx, `SELECT id::text AS id, name FROM product_lines ORDER BY name`)
	lines, err := pgx.CollectRows(rows, pgx.RowToStructByName[ProductLine])
	if err != nil {
		return nil, wrap("product lines", err)
	}
	return lines, nil
}

// SaveProduct creates a product or overwrites an existing one's fields
// (its line and currency too) and adds its external IDs.
func (s *Store) SaveProduct(ctx context.Context, p Product) error {
	err := s.audited(ctx, "product.saved", "product", p.ID, func(tx pgx.Tx) (any, any, error) {
		rows, _ := tx.Query(ctx, `SELECT `+productColumns+` FROM products WHERE id = $1 FOR UPDATE`, p.ID)
		var before any
		if old, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Product]); err == nil {
			before = old
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return nil, nil, err
		}
		_, err := tx.Exec(ctx, `INSERT INTO products (id, line_id, name, unit, list_price, currency, tax_rate_bp, active, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
			ON CONFLICT (id) DO UPDATE SET line_id = EXCLUDED.line_id, name = EXCLUDED.name, unit = EXCLUDED.unit,
				list_price = EXCLUDED.list_price, currency = EXCLUDED.currency,
				tax_rate_bp = EXCLUDED.tax_rate_bp, active = EXCLUDED.active, updated_at = EXCLUDED.updated_at`,
			p.ID, p.LineID, p.Name, p.Unit, p.ListPrice, p.Currency, p.TaxRateBP, p.Active, p.UpdatedAt)
		if err != nil {
			return nil, nil, err
		}
		return before, p, insertExternalIDs(ctx, tx, KindProduct, p.ID, p.ExternalIDs)
	})
	if err != nil {
		return wrap("save product", err)
	}
	return nil
}

// Product returns one product, or domain.ErrNotFound.
func (s *Store) Product(ctx context.Context, id string) (Product, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+productColumns+` FROM products WHERE id::text = $1`, id)
	p, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Product])
	if err != nil {
		return Product{}, wrap(fmt.Sprintf("product %s", id), err)
	}
	return p, nil
}

// ProductFilter narrows the catalogue; empty fields do not filter.
type ProductFilter struct {
	LineID     string
	ActiveOnly bool
	// Source and ExternalID keep products with a matching external ID.
	Source     string
	ExternalID string
}

// Products lists products by name.
func (s *Store) Products(ctx context.Context, f ProductFilter) ([]Product, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+productColumns+` FROM products
		WHERE ($1 = '' OR line_id::text = $1) AND (NOT $2 OR active)
		  AND `+externalFilter(KindProduct, "products.id::text", 3, 4)+`
		ORDER BY name, id`, f.LineID, f.ActiveOnly, f.Source, f.ExternalID)
	ps, err := pgx.CollectRows(rows, pgx.RowToStructByName[Product])
	if err != nil {
		return nil, wrap("products", err)
	}
	return ps, nil
}

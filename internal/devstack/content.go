package devstack

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/signet-clm/signet/internal/document"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/store"
)

// Fixed IDs of the demo content, so the README and tests can name them.
const (
	DemoCustomerID        = "01960000-0000-7000-8000-000000000001"
	DemoContactID         = "01960000-0000-7000-8000-000000000011"
	DemoCustomer2ID       = "01960000-0000-7000-8000-000000000002"
	DemoProductLineID     = "01960000-0000-7000-8000-0000000000a1"
	DemoLicenceProductID  = "01960000-0000-7000-8000-0000000000b1"
	DemoServiceProductID  = "01960000-0000-7000-8000-0000000000b2"
	DemoConsultingProduct = "01960000-0000-7000-8000-0000000000b3"
	DemoSalesTemplate     = "sales-zh"
	DemoServiceTemplate   = "service-en"
)

// ContentStore is where demo content goes.
type ContentStore interface {
	Customer(ctx context.Context, id string) (store.Customer, error)
	CreateCustomer(ctx context.Context, c store.Customer, contacts []store.Contact) error
	ProductLines(ctx context.Context) ([]store.ProductLine, error)
	CreateProductLine(ctx context.Context, l store.ProductLine) error
	SaveProduct(ctx context.Context, p store.Product) error
	Template(ctx context.Context, id string, version int) (document.Template, error)
	SaveTemplate(ctx context.Context, t document.Template, createdBy string) (document.Template, error)
}

// SeedContent adds the demo customers, products and templates unless they
// are there already, so `make dev` can run again and again.
func SeedContent(ctx context.Context, st ContentStore) error {
	now := time.Now().UTC().Truncate(time.Microsecond)
	code1, code2 := "91350100M000100Y43", "91110000600037341L"
	customers := []struct {
		c        store.Customer
		contacts []store.Contact
	}{
		{store.Customer{ID: DemoCustomerID, Name: "上海星辰科技有限公司", CreditCode: &code1, Industry: "软件和信息技术服务业", Region: "上海", Tier: "A", OwnerID: "demo-sales", CreatedAt: now, UpdatedAt: now},
			[]store.Contact{{ID: DemoContactID, CustomerID: DemoCustomerID, Name: "王建国", Title: "采购总监", Phone: "+86 21 5555 0101", Email: "wang.jianguo@xingchen.example", MaySign: true}}},
		{store.Customer{ID: DemoCustomer2ID, Name: "北京天和贸易有限公司", CreditCode: &code2, Industry: "批发和零售业", Region: "北京", Tier: "B", OwnerID: "demo-sales", CreatedAt: now, UpdatedAt: now}, nil},
	}
	for _, c := range customers {
		_, err := st.Customer(ctx, c.c.ID)
		if err == nil {
			continue
		}
		if !errors.Is(err, domain.ErrNotFound) {
			return err
		}
		if err := st.CreateCustomer(ctx, c.c, c.contacts); err != nil {
			return err
		}
	}

	lines, err := st.ProductLines(ctx)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(lines, func(l store.ProductLine) bool { return l.ID == DemoProductLineID }) {
		if err := st.CreateProductLine(ctx, store.ProductLine{ID: DemoProductLineID, Name: "企业软件"}); err != nil {
			return err
		}
	}
	for _, p := range []store.Product{
		{ID: DemoLicenceProductID, Name: "星辰数据平台 企业版许可", Unit: "套", ListPrice: 98_000_00, TaxRateBP: 1300},
		{ID: DemoServiceProductID, Name: "实施服务", Unit: "人天", ListPrice: 2_500_00, TaxRateBP: 600},
		{ID: DemoConsultingProduct, Name: "技术咨询（按项目，免税）", Unit: "项", ListPrice: 1_00, TaxRateBP: 0},
	} {
		p.LineID, p.Currency, p.Active, p.CreatedAt, p.UpdatedAt = DemoProductLineID, "CNY", true, now, now
		if err := st.SaveProduct(ctx, p); err != nil {
			return err
		}
	}

	templates, err := document.DemoTemplates()
	if err != nil {
		return err
	}
	for _, t := range templates {
		_, err := st.Template(ctx, t.ID, 0)
		if err == nil {
			continue
		}
		if !errors.Is(err, domain.ErrNotFound) {
			return err
		}
		if _, err := st.SaveTemplate(ctx, t, "demo-legal"); err != nil {
			return fmt.Errorf("seed template %s: %w", t.ID, err)
		}
	}
	return nil
}
